// The PostgreSQL figures of SPEC §6 and issue 20, on the built package's public entries:
// the validate use case (two round trips) and the validate unit of work through the store
// (one statement) against the SPEC's hand-written 6-round-trip transaction, 8 concurrent
// clients, fsync on, same tables and data; then the reads at national scale and the CSV
// export (bench/postgres-scale.ts). Part of `npm run bench`; `npm run bench:postgres` runs
// them alone. On a throwaway durable server, or on DATABASE_URL when set (in schemas of
// their own, dropped at the end).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createHabilitations, structureId, userId, type Instant, type User } from "habilitations";
import { createPostgresStore, migrate, type PostgresPool, type PostgresQuery } from "habilitations/postgres";
import { contractFixtures as fx } from "habilitations/testing";
import { startThrowawayPostgres, type Throwaway } from "../test/postgres/server.js";
import { scaleFigures, type ScaleFigure } from "./postgres-scale.js";

/** One figure of the bench (the shape bench/run.ts prints and writes). */
type Figure = ScaleFigure;
type UnitOfWork = Parameters<ReturnType<typeof createPostgresStore>["commit"]>[0];

const CLIENTS = 8;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * The validate world of the throughput figures, in schema `schema`: a manager of one
 * structure, `requests` requesters each with a pending request (seeded by SQL), and the
 * three ways of deciding request `i`: through the application (`viaApplication`, its
 * statements counted in `counted()`), as the store's unit of work (`viaStore`), and as
 * the SPEC's hand-written six-round-trip transaction (`handWritten`).
 */
export async function validateWorld(pool: pg.Pool, schema: string, requests: number) {
  const s = `"${schema}"`;
  await migrate(pool, { schema });
  const store = createPostgresStore(pool, { schema });
  const S = structureId("s-bench");
  await store.commit({
    writes: [
      { kind: "user", value: fx.user("u-manager", [S]), expectedVersion: null },
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
       'lastName', 'Nom', 'firstName', 'Prénom', 'status', 'active', 'attachments', '[]'::jsonb, 'grants', '[]'::jsonb, 'createdAt', '2026-11-27T09:00:00.000Z'),
       1, 'u' || i || '@example.fr'
     FROM generate_series(1, ${requests}) AS i`,
  );
  await pool.query(
    `INSERT INTO ${s}.attachment_requests (data, version)
     SELECT jsonb_build_object('id', 'r-' || i, 'structureId', 's-bench', 'userId', 'u-' || i, 'requestedRole', 'user',
       'scope', '{"kind":"structure"}'::jsonb, 'comment', '', 'createdAt', '2026-11-27T09:00:00.000Z', 'status', 'pending'), 1
     FROM generate_series(1, ${requests}) AS i`,
  );
  await pool.query(`VACUUM ANALYZE ${s}.users, ${s}.attachment_requests`);

  const at = "2026-11-27T10:00:00.000Z" as Instant;
  const attached = (i: number): User => ({
    ...fx.user(`u-${i}`, [S], `u${i}@example.fr`),
    lastName: "Nom",
    firstName: "Prénom",
  });
  const validated = (i: number) => ({
    ...fx.pendingRequest(`r-${i}`, `u-${i}`, "s-bench"),
    status: "validated" as const,
    decidedBy: userId("u-manager"),
    decidedAt: at,
    grantedRole: "user" as const,
    grantedScope: { kind: "structure" as const },
  });
  const entry = (i: number) => ({ ...fx.history("s-bench", "attachmentRequestValidated", 60, `u-${i}`), requestId: validated(i).id });

  /** The store's unit: request and requester written, manager and structure read-checked, history, event. */
  async function viaStore(i: number) {
    const unit: UnitOfWork = {
      writes: [
        { kind: "attachmentRequest", value: validated(i), expectedVersion: 1 },
        { kind: "user", value: attached(i), expectedVersion: 1 },
      ],
      reads: [
        { kind: "user", id: "u-manager", version: 1 },
        { kind: "structure", id: "s-bench", version: 1 },
      ],
      history: [entry(i)],
      events: [fx.event(`e-${i}`, "s-bench")],
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
        JSON.stringify(attached(i)),
        1,
      ]);
      await client.query(`INSERT INTO ${s}.history (data) VALUES ($1)`, [JSON.stringify(entry(i))]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  }

  /** The use case through the application layer: parse, read (counted), decide, commit. */
  let queries = 0;
  const counting: PostgresPool = {
    query: ((statement: string | PostgresQuery, values?: unknown[]) => {
      queries++;
      return typeof statement === "string" ? pool.query(statement, values) : pool.query({ ...statement });
    }) as PostgresPool["query"],
    connect: () => pool.connect(),
  };
  const app = createHabilitations({ store: createPostgresStore(counting, { schema }), clock: () => new Date(at) });
  let useCases = 0;
  async function viaApplication(i: number) {
    const r = await app.validateAttachmentRequest("u-manager", { requestId: `r-${i}` });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    useCases++;
  }
  return { viaApplication, viaStore, handWritten, counted: () => ({ queries, useCases }), reset: () => void (queries = useCases = 0) };
}

/**
 * Runs `work(i)`, each `i` fresh from `counter`, with CLIENTS concurrent clients for
 * `seconds`: how many were done.
 */
export async function concurrently(work: (i: number) => Promise<void>, seconds: number, counter: { next: number }): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        await work(++counter.next);
        done++;
      }
    }),
  );
  return done;
}

export async function postgresFigures(options: { quick: boolean; rounds: number; scale?: boolean }): Promise<Figure[]> {
  const seconds = options.quick ? 1 : 3;
  // More requests than the runs consume: each transaction decides a fresh one.
  const requests = options.quick ? 45_000 : 100_000 + options.rounds * 3 * seconds * 5_000;
  const server: Throwaway | undefined = process.env["DATABASE_URL"]
    ? undefined
    : await startThrowawayPostgres({ durable: true, settings: ["shared_buffers=1GB", "max_wal_size=8GB", "checkpoint_timeout=30min"] });
  const pool = new pg.Pool({ connectionString: process.env["DATABASE_URL"] ?? (server as Throwaway).url, max: CLIENTS });
  pool.on("error", () => undefined); // an idle connection closed by the server's shutdown at the end
  const schema = `bench_${process.pid}`;
  const s = `"${schema}"`;
  try {
    const world = await validateWorld(pool, schema, requests);
    const { viaApplication, viaStore, handWritten } = world;

    const counter = { next: 0 };
    /** Transactions per second of `work` with CLIENTS concurrent clients for `seconds`. */
    async function run(work: (i: number) => Promise<void>): Promise<number> {
      const done = await concurrently(work, seconds, counter);
      if (counter.next >= requests) throw new Error("bench/postgres.ts ran out of requests: raise `requests`");
      return done / seconds;
    }

    // Warm-up, then rounds rotating which goes first; medians.
    await run(viaApplication);
    await run(viaStore);
    await run(handWritten);
    world.reset();
    const samples = { app: [] as number[], store: [] as number[], hand: [] as number[] };
    const order = [
      ["app", viaApplication],
      ["store", viaStore],
      ["hand", handWritten],
    ] as const;
    for (let round = 0; round < options.rounds; round++)
      for (let k = 0; k < order.length; k++) {
        const [name, work] = order[(k + round) % order.length] as (typeof order)[number];
        samples[name].push(await run(work));
      }
    const roundTrips = world.counted().queries / world.counted().useCases;
    const history = Number((await pool.query(`SELECT count(*) AS n FROM ${s}.history`)).rows[0].n);
    // Never a lost or doubled history entry: one per request decided, by whichever path.
    const decided = Number((await pool.query(`SELECT count(*) AS n FROM ${s}.attachment_requests WHERE data ->> 'status' = 'validated'`)).rows[0].n);
    const doubled = Number(
      (await pool.query(`SELECT count(*) AS n FROM (SELECT data ->> 'requestId' FROM ${s}.history GROUP BY 1 HAVING count(*) > 1) AS d`)).rows[0].n,
    );
    if (history !== decided || doubled !== 0)
      throw new Error(`history entries ${history} for ${decided} requests decided, ${doubled} requests with several entries`);
    const figures: Figure[] = [
      {
        name: "validate use case (application + PostgreSQL), 8 clients vs hand-written transaction",
        layer: "application + PostgreSQL",
        ratioOf: "use case/s / hand-written tx/s",
        ratio: median(samples.app.map((x, i) => x / (samples.hand[i] as number))),
        target: 0.5,
        atLeast: true,
        stretch: 1,
        details: {
          "use cases/s": Math.round(median(samples.app)),
          "hand-written tx/s": Math.round(median(samples.hand)),
          "round trips": `use case ${roundTrips.toFixed(2)}, hand-written 6`,
          fsync: server !== undefined ? "on (throwaway server)" : "as DATABASE_URL's server has it",
        },
      },
      {
        name: "validate unit of work (store commit alone), 8 clients vs hand-written transaction",
        layer: "PostgreSQL store",
        ratioOf: "store tx/s / hand-written tx/s",
        ratio: median(samples.store.map((x, i) => x / (samples.hand[i] as number))),
        target: 0.5,
        atLeast: true,
        details: {
          "store tx/s": Math.round(median(samples.store)),
          "hand-written tx/s": Math.round(median(samples.hand)),
          "round trips": "commit 1, hand-written 6",
          fsync: server !== undefined ? "on (throwaway server)" : "as DATABASE_URL's server has it",
          "history entries written": history,
          "requests decided": decided,
          "lost or doubled": 0,
        },
      },
    ];
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    if (options.scale !== false) figures.push(...(await scaleFigures(pool, { quick: options.quick, rounds: options.rounds, log: (line) => console.log(line) })));
    return figures;
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
    await pool.end();
    await server?.stop();
  }
}

// `npm run bench:postgres`: this figure alone.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes("--quick");
  const started = performance.now();
  const figures = await postgresFigures({ quick, rounds: quick ? 3 : 7, scale: !process.argv.includes("--no-scale") });
  // The figures as bench/results.json holds them, for this run alone.
  mkdirSync("reports", { recursive: true });
  writeFileSync(
    `reports/bench-postgres${quick ? "-quick" : ""}.json`,
    `${JSON.stringify({ date: new Date().toISOString(), quick, seconds: Math.round((performance.now() - started) / 1000), loadAverage: os.loadavg(), figures }, null, 2)}\n`,
  );
  for (const f of figures) {
    console.table([f.details]);
    console.log(`${f.name} — ${f.ratioOf}: ${f.ratio.toFixed(2)} (target ${f.atLeast === true ? "≥" : "≤"} ${f.target})`);
  }
}
