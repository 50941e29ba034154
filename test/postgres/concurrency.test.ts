// Concurrency on a real server: separate connections racing on one aggregate, one key,
// one outbox. Exactly one winner, the right error for the others, nothing lost or doubled.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { structureId, type Instant } from "../../src/core/index.js";
import { createPostgresStore, type PostgresPool, type PostgresQuery } from "../../src/postgres/index.js";
import type { CommitResult, HabilitationsStore, UnitOfWork } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, databaseUrl, forward, freshStore } from "./helpers.js";

const CLIENTS = 8;
const pool = createPool(CLIENTS);
let store: HabilitationsStore;
let schema: string;
let drop: () => Promise<void>;

/** Opens every connection of the pool up front, so the racers really run side by side. */
async function warm(p: pg.Pool, n = CLIENTS) {
  const clients = await Promise.all(Array.from({ length: n }, () => p.connect()));
  for (const c of clients) c.release();
}

beforeAll(async () => {
  ({ store, schema, drop } = await freshStore(pool, "race"));
  await warm(pool);
});
afterAll(async () => {
  await drop();
  await pool.end();
});

const unit = (parts: Partial<UnitOfWork>): UnitOfWork => ({ writes: [], reads: [], history: [], events: [], ...parts });
const errors = (results: CommitResult[]) => results.flatMap((r) => (r.ok ? [] : [r.error]));
const count = async (table: string, where = "true", values: unknown[] = []) =>
  Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".${table} WHERE ${where}`, values)).rows[0].n);

describe(`${CLIENTS} connections racing`, () => {
  it("on one aggregate at one version: one winner, the others VERSION_CONFLICT, one history entry and one event", async () => {
    const user = fx.user("u-race");
    expect((await store.commit(unit({ writes: [{ kind: "user", value: user, expectedVersion: null }] }))).ok).toBe(true);
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        store.commit(
          unit({
            writes: [{ kind: "user", value: { ...user, lastName: `L${i}` }, expectedVersion: 1 }],
            history: [{ ...fx.history("s-race", "roleChanged", 0, "u-race"), details: { comment: `c${i}` } }],
            events: [fx.event(`e-race-${i}`)],
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(errors(results)).toEqual(Array(CLIENTS - 1).fill({ code: "VERSION_CONFLICT", kind: "user", id: "u-race" }));
    const winner = results.findIndex((r) => r.ok);
    expect(await store.getUser(user.id)).toEqual({ value: { ...user, lastName: `L${winner}` }, version: 2 });
    expect((await store.readHistory(structureId("s-race"), { limit: 100 })).map((e) => e.details.comment)).toEqual([`c${winner}`]);
    expect(await count("outbox", "event_id LIKE 'e-race-%'")).toBe(1);
  });

  it("incrementing one aggregate until each racer has won 10 times: no history entry or event lost or doubled", async () => {
    const user = fx.user("u-counter");
    expect((await store.commit(unit({ writes: [{ kind: "user", value: user, expectedVersion: null }] }))).ok).toBe(true);
    const WINS = 10;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, racer) => {
        for (let win = 0; win < WINS; ) {
          const read = await store.getUser(user.id);
          if (read === null) throw new Error("lost the user");
          const result = await store.commit(
            unit({
              writes: [{ kind: "user", value: { ...read.value, lastName: `${read.version}` }, expectedVersion: read.version }],
              history: [{ ...fx.history("s-counter", "roleChanged", 0, "u-counter"), details: { comment: `${racer}:${win}` } }],
              events: [fx.event(`e-counter-${racer}-${win}`)],
            }),
          );
          if (result.ok) win++;
          else {
            expect(result.error).toEqual({ code: "VERSION_CONFLICT", kind: "user", id: "u-counter" });
            conflicts++;
          }
        }
      }),
    );
    const total = CLIENTS * WINS;
    expect((await store.getUser(user.id))?.version).toBe(1 + total);
    const history = await store.readHistory(structureId("s-counter"), { limit: 1000 });
    expect(history).toHaveLength(total);
    expect(new Set(history.map((e) => e.details.comment)).size).toBe(total);
    expect(new Set(history.map((e) => e.sequence)).size).toBe(total);
    expect(await count("outbox", "event_id LIKE 'e-counter-%'")).toBe(total);
    expect(conflicts).toBeGreaterThan(0); // they did race
  });

  it("creating one login: one winner, the others LOGIN_TAKEN", async () => {
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        store.commit(unit({ writes: [{ kind: "user", value: fx.user(`u-login-${i}`, [structureId("s-login")], i % 2 ? "Race@Example.fr" : "race@example.fr "), expectedVersion: null }] })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(errors(results).map((e) => e.code)).toEqual(Array(CLIENTS - 1).fill("LOGIN_TAKEN"));
    expect(await count("users", "login_key = 'race@example.fr'")).toBe(1);
    expect(await count("attachments", "structure_id = 's-login'")).toBe(1);
  });

  it("one pending request per user and structure, one service code, one idempotency key: one winner each", async () => {
    const requests = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        store.commit(unit({ writes: [{ kind: "attachmentRequest", value: fx.pendingRequest(`r-race-${i}`, "u-req", "s-req"), expectedVersion: null }] })),
      ),
    );
    expect(errors(requests)).toEqual(Array(CLIENTS - 1).fill({ code: "PENDING_REQUEST_EXISTS", userId: "u-req", structureId: "s-req" }));
    const services = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        store.commit(unit({ writes: [{ kind: "service", value: fx.service(`svc-race-${i}`, "s-svc", i % 2 ? "rh" : "RH"), expectedVersion: null }] })),
      ),
    );
    expect(errors(services).map((e) => e.code)).toEqual(Array(CLIENTS - 1).fill("SERVICE_CODE_TAKEN"));
    const keyed = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        store.commit(
          unit({
            history: [fx.history("s-idem", "userAttached", 0, `u-${i}`)],
            events: [fx.event(`e-idem-${i}`)],
            idempotency: fx.idempotency("u-idem", "k-race"),
          }),
        ),
      ),
    );
    expect(errors(keyed)).toEqual(Array(CLIENTS - 1).fill({ code: "IDEMPOTENCY_KEY_TAKEN", owner: "u-idem", key: "k-race" }));
    expect(await store.readHistory(structureId("s-idem"), { limit: 100 })).toHaveLength(1);
    expect(await count("outbox", "event_id LIKE 'e-idem-%'")).toBe(1);
  });

  it("units writing the same aggregates in opposite orders never deadlock", async () => {
    const [a, b] = [fx.user("u-pair-a"), fx.user("u-pair-b")];
    expect((await store.commit(unit({ writes: [a, b].map((value) => ({ kind: "user" as const, value, expectedVersion: null })) }))).ok).toBe(true);
    for (let round = 1; round <= 5; round++) {
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) => {
          const pair = [
            { kind: "user" as const, value: { ...a, lastName: `${round}-${i}` }, expectedVersion: round },
            { kind: "user" as const, value: { ...b, lastName: `${round}-${i}` }, expectedVersion: round },
          ];
          // Half write (a, b), half (b, a): locks are taken in (kind, id) order whatever the unit's order.
          return store.commit(unit({ writes: i % 2 ? pair.reverse() : pair }));
        }),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(errors(results).every((e) => e.code === "VERSION_CONFLICT")).toBe(true);
    }
    expect((await store.getUser(a.id))?.version).toBe(6);
    expect((await store.getUser(b.id))?.version).toBe(6);
  });
});

describe("a read check under READ COMMITTED cannot be fooled", () => {
  const manager = fx.user("u-manager", [structureId("s-skew")]);
  const member = fx.user("u-member", [structureId("s-skew")]);
  const demote = (version: number) =>
    unit({ writes: [{ kind: "user", value: { ...manager, lastName: `demoted ${version}` }, expectedVersion: version }] });
  const decide = (version: number, managerVersion: number) =>
    unit({
      writes: [{ kind: "user", value: { ...member, lastName: `decided ${version}` }, expectedVersion: version }],
      reads: [{ kind: "user", id: manager.id, version: managerVersion }],
      history: [fx.history("s-skew", "roleChanged", 0, "u-member")],
    });

  /** Transactions still open (a failed test must not leave its locks behind). */
  const open = new Set<pg.PoolClient>();
  afterEach(async () => {
    for (const client of open) {
      await client.query("ROLLBACK");
      client.release();
    }
    open.clear();
  });

  /** Runs a unit in a transaction left open, on a connection of its own. */
  async function holdOpen(u: UnitOfWork) {
    const client = await pool.connect();
    open.add(client);
    await client.query("BEGIN");
    const held = createPostgresStore(
      {
        query: ((text: string | PostgresQuery, values?: unknown[]) => forward(client, text, values)) as PostgresPool["query"],
        connect: () => Promise.reject(new Error("unused")),
      },
      { schema },
    );
    const result = await held.commit(u);
    return {
      result,
      commit: async () => {
        open.delete(client);
        await client.query("COMMIT");
        client.release();
      },
    };
  }

  /** Whether a promise is still pending after a while (waiting on a lock). */
  const stillWaiting = async (p: Promise<unknown>) =>
    Promise.race([p.then(() => false, () => false), new Promise<boolean>((r) => setTimeout(() => r(true), 200))]);

  beforeAll(async () => {
    expect((await store.commit(unit({ writes: [manager, member].map((value) => ({ kind: "user" as const, value, expectedVersion: null })) }))).ok).toBe(true);
  });

  it("a decision waiting on a concurrent demotion sees it once committed, and loses", async () => {
    const demotion = await holdOpen(demote(1));
    expect(demotion.result.ok).toBe(true);
    const decision = store.commit(decide(1, 1));
    expect(await stillWaiting(decision)).toBe(true); // blocked on the manager's row
    await demotion.commit();
    expect(await decision).toEqual({ ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-manager" } });
    expect((await store.getUser(member.id))?.version).toBe(1);
    expect(await store.readHistory(structureId("s-skew"), { limit: 10 })).toEqual([]);
  });

  it("a demotion waits for a decision that read the manager, then goes through after it", async () => {
    const decision = await holdOpen(decide(1, 2));
    expect(decision.result.ok).toBe(true);
    const demotion = store.commit(demote(2));
    expect(await stillWaiting(demotion)).toBe(true); // the read check holds the manager's row (FOR SHARE)
    await decision.commit();
    expect((await demotion).ok).toBe(true);
    expect((await store.getUser(member.id))?.version).toBe(2);
    expect((await store.getUser(manager.id))?.version).toBe(3);
  });

  it("decisions reading the same manager do not block each other", async () => {
    const first = await holdOpen(unit({ reads: [{ kind: "user", id: manager.id, version: 3 }], history: [fx.history("s-skew", "roleChanged", 1)] }));
    expect(first.result.ok).toBe(true);
    const second = await store.commit(unit({ reads: [{ kind: "user", id: manager.id, version: 3 }], history: [fx.history("s-skew", "roleChanged", 2)] }));
    expect(second.ok).toBe(true);
    await first.commit();
  });
});

describe("under stricter isolation levels", () => {
  for (const level of ["repeatable read", "serializable"]) {
    it(`${level}: serialization failures are retried; one winner, the others VERSION_CONFLICT`, async () => {
      const strict = new pg.Pool({ connectionString: databaseUrl(), max: CLIENTS, options: `-c default_transaction_isolation=${level.replace(" ", "\\ ")}` });
      try {
        await warm(strict);
        expect((await strict.query("SHOW transaction_isolation")).rows[0].transaction_isolation).toBe(level);
        const strictStore = createPostgresStore(strict, { schema, retries: 5 });
        const id = `u-${level.replace(" ", "-")}`;
        const user = fx.user(id);
        expect((await strictStore.commit(unit({ writes: [{ kind: "user", value: user, expectedVersion: null }] }))).ok).toBe(true);
        const results = await Promise.all(
          Array.from({ length: CLIENTS }, (_, i) =>
            strictStore.commit(unit({ writes: [{ kind: "user", value: { ...user, lastName: `${i}` }, expectedVersion: 1 }], history: [fx.history(`s-${id}`, "roleChanged", 0)] })),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(errors(results)).toEqual(Array(CLIENTS - 1).fill({ code: "VERSION_CONFLICT", kind: "user", id }));
        expect(await strictStore.readHistory(structureId(`s-${id}`), { limit: 10 })).toHaveLength(1);
      } finally {
        await strict.end();
      }
    });
  }
});

describe("outbox relays on separate connections", () => {
  it("four relays draining 200 events deliver each exactly once", async () => {
    const relayStore = store;
    const events = Array.from({ length: 200 }, (_, i) => fx.event(`e-relay-${String(i).padStart(3, "0")}`));
    for (let i = 0; i < events.length; i += 10) expect((await relayStore.commit(unit({ events: events.slice(i, i + 10) }))).ok).toBe(true);
    // Events of earlier tests are in the same outbox: drain them first.
    const now = "2026-11-27T10:00:00.000Z" as Instant;
    const lease = "2026-11-27T11:00:00.000Z" as Instant;
    const delivered: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (;;) {
          const batch = await relayStore.claimOutbox({ limit: 7, now, leaseUntil: lease });
          if (batch.length === 0) return;
          for (const m of batch) expect(m.attempts).toBe(1);
          delivered.push(...batch.map((m) => m.event.id));
          await relayStore.acknowledgeOutbox(batch.map((m) => m.event.id));
        }
      }),
    );
    const relayed = delivered.filter((id) => id.startsWith("e-relay-"));
    expect(relayed).toHaveLength(200);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(await count("outbox")).toBe(0);
  });
});
