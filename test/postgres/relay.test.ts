// The relay loop on a real server: several processes' loops share one outbox (each event
// delivered once while leases last, none lost), a loop stopped mid-way drains what it
// claimed, and a server that cannot be reached makes the loop back off and stop cleanly.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHabilitations, type HabilitationsStore, type RelayFailure, type UnitOfWork } from "../../src/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, freshStore } from "./helpers.js";

const pools = [createPool(3), createPool(3), createPool(3)];
let schema: string;
let drop: () => Promise<void>;
let stores: HabilitationsStore[];

beforeAll(async () => {
  const fresh = await freshStore(pools[0] as pg.Pool, "relay");
  ({ schema, drop } = fresh);
  // One store per pool: three processes on one database.
  stores = pools.map((p) => createPostgresStore(p, { schema }));
});
afterAll(async () => {
  await drop();
  await Promise.all(pools.map((p) => p.end()));
});

const unit = (parts: Partial<UnitOfWork>): UnitOfWork => ({ writes: [], reads: [], history: [], events: [], ...parts });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outboxSize = async () => Number((await (pools[0] as pg.Pool).query(`SELECT count(*) AS n FROM "${schema}".outbox`)).rows[0].n);

async function saveEvents(prefix: string, n: number): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) => fx.event(`${prefix}-${String(i).padStart(3, "0")}`));
  for (let i = 0; i < n; i += 20) expect((await (stores[0] as HabilitationsStore).commit(unit({ events: events.slice(i, i + 20) }))).ok).toBe(true);
  return events.map((e) => e.id);
}

describe("relay loops on PostgreSQL", () => {
  it("three processes' loops deliver 300 events, each once, and stop with the outbox empty", async () => {
    const ids = await saveEvents("loop", 300);
    const delivered: string[] = [];
    const failures: RelayFailure[] = [];
    const loops = stores.map((store) => {
      const app = createHabilitations({ store });
      const started = app.startRelay(
        async (event) => {
          await sleep(0);
          delivered.push(event.id);
        },
        { limit: 7, idleMs: 10, onError: (f) => failures.push(f) },
      );
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      return started.value;
    });
    const end = Date.now() + 30_000;
    while (delivered.length < 300 && Date.now() < end) await sleep(10);
    await Promise.all(loops.map((l) => l.stop()));
    expect(failures).toEqual([]);
    expect([...delivered].sort()).toEqual(ids);
    expect(await outboxSize()).toBe(0);
  });

  it("a loop stopped while it delivers acknowledges its batch and drains the rest before stop() resolves", async () => {
    await saveEvents("drain", 45);
    const app = createHabilitations({ store: stores[1] as HabilitationsStore });
    let delivered = 0;
    const relay = app.startRelay(
      async () => {
        await sleep(1);
        delivered++;
      },
      { limit: 10, idleMs: 60_000 },
    );
    if (!relay.ok) throw new Error("not started");
    while (delivered === 0) await sleep(1);
    await relay.value.stop();
    expect(delivered).toBe(45);
    expect(await outboxSize()).toBe(0);
  });

  it("backs off while the server cannot be reached, telling the host, and stops at once", async () => {
    // A port nothing listens on: every claim is refused.
    const down = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 1000 });
    down.on("error", () => undefined);
    const failures: RelayFailure[] = [];
    const errors: unknown[] = [];
    const app = createHabilitations({ store: createPostgresStore(down, { schema }), onStoreError: (e) => errors.push(e) });
    const relay = app.startRelay(() => undefined, { idleMs: 20, maxBackoffMs: 80, onError: (f) => failures.push(f) });
    if (!relay.ok) throw new Error("not started");
    await sleep(400);
    const started = performance.now();
    await relay.value.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    // 20 + 40 + 80 + 80 … ms between tries: a handful in 400 ms, not hundreds.
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.length).toBeLessThanOrEqual(8);
    for (const f of failures) expect(f).toEqual({ kind: "outbox", error: { code: "STORE_FAILURE", stage: "read" } });
    expect(errors.length).toBe(failures.length);
    await down.end();
  });
});
