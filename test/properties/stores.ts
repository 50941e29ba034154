// The stores the application-layer properties run over: the memory store (the
// reference, many runs) and PostgreSQL (fewer runs, each on an emptied schema of the
// test file's own, dropped at the end), both read back through the same snapshot shape.
import { createMemoryStore, type MemoryStore, type MemoryStoreSnapshot } from "../../src/memory/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { createPool, freshStore } from "../postgres/helpers.js";
import { normalizedSnapshot, snapshotOf } from "../postgres/snapshot.js";

/** One run's empty store. */
export interface OpenStore {
  readonly store: HabilitationsStore;
  /**
   * Everything the store holds now, as the memory store's snapshot gives it (for
   * PostgreSQL: aggregates by id, see {@link normalizedSnapshot}).
   */
  snapshot(): Promise<MemoryStoreSnapshot>;
  /** Ends the run (the next `open()` empties the store). */
  close(): Promise<void>;
}

/** A kind of store a property runs over. */
export interface StoreKind {
  readonly name: "memory" | "postgres";
  /**
   * Whether this is the memory store itself. Otherwise a property also gives every act to
   * a memory store (the reference) and checks that both answer and hold the same.
   */
  readonly reference: boolean;
  open(): Promise<OpenStore>;
}

/** A memory store, as the reference a run on another store is compared with. */
export interface Twin {
  readonly store: MemoryStore;
  /** Its snapshot in the order {@link OpenStore.snapshot} of another store gives. */
  snapshot(): MemoryStoreSnapshot;
}

export function memoryTwin(): Twin {
  const store = createMemoryStore();
  return { store, snapshot: () => normalizedSnapshot(store.snapshot()) };
}

/**
 * The memory store and PostgreSQL (on the tests' server); `end()` closes the pool
 * once the file's tests are done.
 *
 * @example
 * ```ts
 * const stores = storeKinds();
 * afterAll(() => stores.end());
 * for (const kind of stores.kinds) test.prop(…, { numRuns: RUNS[kind.name] })(…);
 * ```
 */
export function storeKinds(): { readonly kinds: readonly StoreKind[]; end(): Promise<void> } {
  let pool: ReturnType<typeof createPool> | undefined;
  const memory: StoreKind = {
    name: "memory",
    reference: true,
    async open() {
      const store = createMemoryStore();
      return { store, snapshot: async () => store.snapshot(), close: async () => undefined };
    },
  };
  // One schema for the file's runs, emptied before each (much faster than a new schema
  // per run); identities restart, so history is numbered from 1 as in a new store.
  let schema: { name: string; tables: string; drop: () => Promise<void> } | undefined;
  const postgres: StoreKind = {
    name: "postgres",
    reference: false,
    async open() {
      pool ??= createPool(4);
      const p = pool;
      if (schema === undefined) {
        const { schema: name, drop } = await freshStore(p, "prop");
        const { rows } = await p.query<{ tables: string }>(
          "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS tables FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'",
          [name],
        );
        schema = { name, tables: rows[0]?.tables ?? "", drop };
      } else await p.query(`TRUNCATE ${schema.tables} RESTART IDENTITY`);
      const name = schema.name;
      return { store: createPostgresStore(p, { schema: name }), snapshot: () => snapshotOf(p, name), close: async () => undefined };
    },
  };
  return {
    kinds: [memory, postgres],
    end: async () => {
      await schema?.drop();
      await pool?.end();
    },
  };
}
