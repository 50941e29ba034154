// PostgreSQL commit throughput (SPEC §6, last figure): the validate-request unit of work
// through the store (one statement: commit_unit) against the hand-written 6-round-trip
// transaction of the SPEC, 8 concurrent clients, fsync on, same tables and data.
//
//   npx tsx bench/postgres-commit.ts            # a throwaway durable server
//   DATABASE_URL=postgres://… npx tsx bench/postgres-commit.ts
//
// Prints a table and writes reports/bench-postgres.json. Never part of `npm test`.
import { mkdirSync, writeFileSync } from "node:fs";
import pg from "pg";
import { structureId, userId, type Instant, type User } from "../src/core/index.js";
import { createPostgresStore, migrate } from "../src/postgres/index.js";
import type { UnitOfWork } from "../src/port/store.js";
import { contractFixtures as fx } from "../src/testing/fixtures.js";
import { startThrowawayPostgres, type Throwaway } from "../test/postgres/server.js";

const CLIENTS = 8;
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 5);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const REQUESTS = 400_000; // more than any run consumes: each transaction decides a fresh request

const server: Throwaway | undefined = process.env["DATABASE_URL"] ? undefined : await startThrowawayPostgres({ durable: true });
const url = process.env["DATABASE_URL"] ?? (server as Throwaway).url;
const pool = new pg.Pool({ connectionString: url, max: CLIENTS });
pool.on("error", () => undefined); // an idle connection closed by the server's shutdown at the end
const schema = `bench_${process.pid}`;
const s = `"${schema}"`;

try {
  await migrate(pool, { schema });
  const store = createPostgresStore(pool, { schema });
  const S = structureId("s-bench");
  const manager = fx.user("u-manager", [S]);
  await store.commit({
    writes: [
      { kind: "user", value: manager, expectedVersion: null },
      { kind: "structure", value: fx.structure("s-bench", "u-manager"), expectedVersion: null },
    ],
    reads: [],
    history: [],
    events: [],
  });
  // Requesters and their pending requests, by SQL for speed.
  await pool.query(
    `INSERT INTO ${s}.users (data, version, login_key)
     SELECT jsonb_build_object('id', 'u-' || i, 'login', 'u' || i || '@example.fr', 'contactEmail', 'u' || i || '@example.fr',
       'lastName', 'Nom', 'firstName', 'Prénom', 'status', 'active', 'attachments', '[]'::jsonb, 'createdAt', '2026-11-27T09:00:00.000Z'),
       1, 'u' || i || '@example.fr'
     FROM generate_series(1, ${REQUESTS}) AS i`,
  );
  await pool.query(
    `INSERT INTO ${s}.attachment_requests (data, version)
     SELECT jsonb_build_object('id', 'r-' || i, 'structureId', 's-bench', 'userId', 'u-' || i, 'requestedRole', 'user',
       'scope', '{"kind":"structure"}'::jsonb, 'comment', '', 'createdAt', '2026-11-27T09:00:00.000Z', 'status', 'pending'), 1
     FROM generate_series(1, ${REQUESTS}) AS i`,
  );
  await pool.query(`VACUUM ANALYZE ${s}.users, ${s}.attachment_requests`);

  let next = 0;
  const at = "2026-11-27T10:00:00.000Z" as Instant;
  const requester = (i: number): User => ({ ...fx.user(`u-${i}`, [], `u${i}@example.fr`), lastName: "Nom", firstName: "Prénom" });
  const validated = (i: number) => ({
    ...fx.pendingRequest(`r-${i}`, `u-${i}`, "s-bench"),
    status: "validated" as const,
    decidedBy: userId("u-manager"),
    decidedAt: at,
    grantedRole: "user" as const,
    grantedScope: { kind: "structure" as const },
  });

  /** The store's unit: request and requester written, manager and structure read-checked, history, event. */
  async function viaStore(i: number) {
    const unit: UnitOfWork = {
      writes: [
        { kind: "attachmentRequest", value: validated(i), expectedVersion: 1 },
        { kind: "user", value: { ...requester(i), attachments: fx.user("x", [S]).attachments }, expectedVersion: 1 },
      ],
      reads: [
        { kind: "user", id: "u-manager", version: 1 },
        { kind: "structure", id: "s-bench", version: 1 },
      ],
      history: [{ ...fx.history("s-bench", "attachmentRequestValidated", 60, `u-${i}`), requestId: validated(i).id }],
      events: [{ ...fx.event(`e-${i}`, "s-bench"), id: `e-${i}` }],
    };
    const result = await store.commit(unit);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  }

  /** The SPEC's hand-written transaction: six round trips. */
  async function handWritten(i: number) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query(`SELECT version FROM ${s}.attachment_requests WHERE id = $1 FOR UPDATE`, [`r-${i}`]);
      await client.query(`UPDATE ${s}.attachment_requests SET data = $2, version = version + 1 WHERE id = $1 AND version = $3`, [
        `r-${i}`,
        JSON.stringify(validated(i)),
        rows[0].version,
      ]);
      await client.query(`UPDATE ${s}.users SET data = $2, version = version + 1 WHERE id = $1 AND version = $3`, [
        `u-${i}`,
        JSON.stringify({ ...requester(i), attachments: fx.user("x", [S]).attachments }),
        1,
      ]);
      await client.query(`INSERT INTO ${s}.history (data) VALUES ($1)`, [
        JSON.stringify({ ...fx.history("s-bench", "attachmentRequestValidated", 60, `u-${i}`), requestId: `r-${i}` }),
      ]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  }

  async function run(work: (i: number) => Promise<void>): Promise<number> {
    let done = 0;
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < until) {
          await work(++next);
          done++;
        }
      }),
    );
    if (next >= REQUESTS) throw new Error("ran out of requests: raise REQUESTS");
    return done / SECONDS;
  }

  // Warm-up, then rounds alternating, median of each.
  await run(viaStore);
  await run(handWritten);
  const samples = { store: [] as number[], hand: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    samples.store.push(await run(viaStore));
    samples.hand.push(await run(handWritten));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const store_ = median(samples.store);
  const hand = median(samples.hand);
  const history = Number((await pool.query(`SELECT count(*) AS n FROM ${s}.history`)).rows[0].n);
  const summary = {
    layer: "PostgreSQL store (commit) vs hand-written transaction",
    clients: CLIENTS,
    seconds: SECONDS,
    rounds: ROUNDS,
    fsync: server !== undefined ? "on (throwaway server)" : "as configured on DATABASE_URL",
    storeTxPerSecond: Math.round(store_),
    storeRoundTrips: 1,
    handWrittenTxPerSecond: Math.round(hand),
    handWrittenRoundTrips: 6,
    ratio: Number((store_ / hand).toFixed(2)),
    target: "ratio >= 0.5",
    historyEntries: history,
    samples,
  };
  console.table([
    { approach: "store: SELECT commit_unit($1)", roundTrips: 1, "tx/s": Math.round(store_) },
    { approach: "hand-written BEGIN … COMMIT", roundTrips: 6, "tx/s": Math.round(hand) },
  ]);
  console.log(`ratio store / hand-written: ${summary.ratio} (target >= 0.5)`);
  mkdirSync("reports", { recursive: true });
  writeFileSync("reports/bench-postgres.json", `${JSON.stringify(summary, null, 2)}\n`);
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await pool.end();
  await server?.stop();
}
