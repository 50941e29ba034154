// Infrastructure failures reject, quickly, instead of hanging; retried aborts are safe.
import { createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userId } from "../../src/core/index.js";
import { createPostgresStore, migrate, type PostgresPool, type PostgresQuery } from "../../src/postgres/index.js";
import type { HabilitationsStore, UnitOfWork } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, databaseUrl, forward, freshStore, textOf } from "./helpers.js";

const pool = createPool();
let store: HabilitationsStore;
let schema: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ store, schema, drop } = await freshStore(pool, "failures"));
});
afterAll(async () => {
  await drop();
  await pool.end();
});

const unit = (parts: Partial<UnitOfWork>): UnitOfWork => ({ writes: [], reads: [], history: [], events: [], ...parts });

/** How long a promise takes to reject, and with what. */
async function rejection(p: Promise<unknown>): Promise<{ ms: number; error: Error }> {
  const started = performance.now();
  try {
    await p;
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
  throw new Error("it did not reject");
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 1;
}

describe("an unreachable database", () => {
  it("a pool on a closed port: every call rejects at once", async () => {
    const dead = new pg.Pool({ host: "127.0.0.1", port: await closedPort(), user: "x", database: "x", connectionTimeoutMillis: 1_000 });
    try {
      const deadStore = createPostgresStore(dead);
      for (const call of [
        deadStore.getUser(userId("u-1")),
        deadStore.commit(unit({ writes: [{ kind: "user", value: fx.user("u-1"), expectedVersion: null }] })),
        deadStore.claimOutbox({ limit: 1, now: fx.event("e").at, leaseUntil: fx.event("e").at }),
        migrate(dead),
      ]) {
        const { ms, error } = await rejection(call);
        expect(error.message).toMatch(/ECONNREFUSED/);
        expect(ms).toBeLessThan(1_000);
      }
    } finally {
      await dead.end();
    }
  });

  it("a server that accepts and never answers: rejects after connectionTimeoutMillis", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address !== null ? address.port : 1;
    const hung = new pg.Pool({ host: "127.0.0.1", port, user: "x", database: "x", connectionTimeoutMillis: 300 });
    try {
      const { ms, error } = await rejection(createPostgresStore(hung).getUser(userId("u-1")));
      expect(error.message).toMatch(/timeout/i);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await hung.end();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a commit stuck behind a lock rejects at the pool's statement_timeout, and saves nothing", async () => {
    expect((await store.commit(unit({ writes: [{ kind: "user", value: fx.user("u-locked"), expectedVersion: null }] }))).ok).toBe(true);
    const holder = await pool.connect();
    const impatient = new pg.Pool({ connectionString: databaseUrl(), max: 1, statement_timeout: 300 });
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "${schema}".users WHERE id = 'u-locked' FOR UPDATE`);
      const { ms, error } = await rejection(
        createPostgresStore(impatient, { schema }).commit(
          unit({ writes: [{ kind: "user", value: { ...fx.user("u-locked"), lastName: "x" }, expectedVersion: 1 }], history: [fx.history("s-locked", "roleChanged", 0)] }),
        ),
      );
      expect((error as { code?: string }).code).toBe("57014"); // canceling statement due to statement timeout
      expect(ms).toBeLessThan(2_000);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
      await impatient.end();
    }
    expect((await store.getUser(userId("u-locked")))?.version).toBe(1);
  });
});

describe("commit", () => {
  it("a unit refused on a unique key takes no history number: the next entry follows the last one saved", async () => {
    const s = "s-gap";
    const first = await store.commit(
      unit({ writes: [{ kind: "service", value: fx.service("svc-gap-1", s, "GAP"), expectedVersion: null }], history: [fx.history(s, "serviceAdded", 0)] }),
    );
    expect(first.ok).toBe(true);
    const taken = await store.commit(
      unit({ writes: [{ kind: "service", value: fx.service("svc-gap-2", s, "gap"), expectedVersion: null }], history: [fx.history(s, "serviceAdded", 1)] }),
    );
    expect(taken).toEqual({ ok: false, error: { code: "SERVICE_CODE_TAKEN", structureId: s, serviceCode: "gap" } });
    const next = await store.commit(unit({ history: [fx.history(s, "serviceRenamed", 2)] }));
    expect(first.ok && next.ok && next.value.history[0]?.sequence).toBe(first.ok ? (first.value.history[0]?.sequence ?? 0) + 1 : -1);
  });

  /** The test pool, failing its first `n` calls with a given SQLSTATE, counting every call. */
  function flaky(code: string, n: number) {
    let calls = 0;
    const wrapped: PostgresPool = {
      query: (async (text: string | PostgresQuery, values?: unknown[]) => {
        calls++;
        if (calls <= n) throw Object.assign(new Error(`simulated ${code}`), { code });
        return forward(pool, text, values);
      }) as PostgresPool["query"],
      connect: () => pool.connect(),
    };
    return { pool: wrapped, calls: () => calls };
  }

  it("runs again a unit aborted by a deadlock or a serialization failure, up to `retries` times", async () => {
    const twice = flaky("40P01", 2);
    const result = await createPostgresStore(twice.pool, { schema }).commit(unit({ writes: [{ kind: "user", value: fx.user("u-retried"), expectedVersion: null }] }));
    expect(result).toEqual({ ok: true, value: { history: [], versions: [1] } });
    expect(twice.calls()).toBe(3);
    const always = flaky("40001", 100);
    const { error } = await rejection(
      createPostgresStore(always.pool, { schema, retries: 2 }).commit(unit({ writes: [{ kind: "user", value: fx.user("u-never"), expectedVersion: null }] })),
    );
    expect((error as { code?: string }).code).toBe("40001");
    expect(always.calls()).toBe(3);
    const other = flaky("23502", 1);
    await rejection(createPostgresStore(other.pool, { schema }).commit(unit({})));
    expect(other.calls()).toBe(1); // anything else is not retried
  });

  it("is one round trip", async () => {
    const texts: string[] = [];
    const counting: PostgresPool = {
      query: ((text: string | PostgresQuery, values?: unknown[]) => {
        texts.push(textOf(text));
        return forward(pool, text, values);
      }) as PostgresPool["query"],
      connect: () => pool.connect(),
    };
    const result = await createPostgresStore(counting, { schema }).commit(
      unit({
        writes: [
          { kind: "user", value: fx.user("u-rt"), expectedVersion: null },
          { kind: "structure", value: fx.structure("s-rt", "u-rt"), expectedVersion: null },
        ],
        reads: [{ kind: "user", id: "u-locked", version: 1 }],
        history: [fx.history("s-rt", "structureCreated", 0), fx.history("s-rt", "userAttached", 0, "u-rt")],
        events: [fx.event("e-rt")],
        idempotency: fx.idempotency("u-rt", "k-rt"),
      }),
    );
    expect(result.ok).toBe(true);
    expect(texts).toHaveLength(1);
  });

  it("text PostgreSQL cannot store (a NUL character, a lone surrogate) rejects, and nothing is saved", async () => {
    const { error } = await rejection(
      store.commit(unit({ writes: [{ kind: "user", value: { ...fx.user("u-nul"), lastName: "a\u0000b" }, expectedVersion: null }] })),
    );
    expect((error as { code?: string }).code).toBe("22P05"); // unsupported Unicode escape sequence
    expect(await store.getUser(userId("u-nul"))).toBeNull();
    const lone = await rejection(
      store.commit(unit({ writes: [{ kind: "user", value: { ...fx.user("u-lone"), lastName: "a\ud800b" }, expectedVersion: null }] })),
    );
    expect((lone.error as { code?: string }).code).toBe("22P02"); // invalid input syntax for type json
    expect(await store.getUser(userId("u-lone"))).toBeNull();
  });

  it("a unit writing one aggregate twice is a programming error (TypeError), as in the memory store", async () => {
    const user = fx.user("u-twice");
    await expect(
      store.commit(unit({ writes: [{ kind: "user", value: user, expectedVersion: null }, { kind: "user", value: user, expectedVersion: null }] })),
    ).rejects.toThrow(TypeError);
  });
});
