// Where the demo keeps its data: the memory store, or PostgreSQL when DATABASE_URL is set.
import type { HabilitationsStore } from "../src/index.js";
import { createMemoryStore } from "../src/memory/index.js";

/** A store for one run of the demo, and how to clean up after it. */
export interface DemoStore {
  readonly store: HabilitationsStore;
  /** What it is, for a note on stderr (stdout stays the same whatever the store). */
  readonly label: string;
  close(): Promise<void>;
}

/**
 * Without a URL, a memory store. With one, a PostgreSQL store on a pool of that URL, in
 * a fresh schema `habilitations_demo_<timestamp>` migrated first and dropped by `close()`.
 * `pg` is loaded only then.
 *
 * @example
 * ```ts
 * const demo = await openDemoStore(process.env["DATABASE_URL"]);
 * try { … createHabilitations({ store: demo.store }) … } finally { await demo.close(); }
 * ```
 */
export async function openDemoStore(url: string | undefined): Promise<DemoStore> {
  if (url === undefined || url === "") return { store: createMemoryStore(), label: "memory store", close: async () => undefined };
  const { default: pg } = await import("pg");
  const { createPostgresStore, migrate } = await import("../src/postgres/index.js");
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  const schema = `habilitations_demo_${Date.now()}`;
  try {
    await migrate(pool, { schema }); // one transaction: a failure leaves no schema behind
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    store: createPostgresStore(pool, { schema }),
    label: `PostgreSQL, schema ${schema} (dropped at the end)`,
    async close() {
      try {
        await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
