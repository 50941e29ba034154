// The repository contract on PostgreSQL: each test gets a fresh, migrated schema of its
// own, dropped afterwards.
import { afterAll, describe, it } from "vitest";
import type { HabilitationsStore } from "../../src/port/store.js";
import { runStoreContract } from "../../src/testing/index.js";
import { createPool, freshStore } from "./helpers.js";

const pool = createPool();
afterAll(() => pool.end());
const drops = new WeakMap<HabilitationsStore, () => Promise<void>>();

runStoreContract({
  name: "postgres",
  createStore: async () => {
    const { store, drop } = await freshStore(pool, "contract");
    drops.set(store, drop);
    return store;
  },
  disposeStore: async (store) => drops.get(store)?.(),
  describe,
  it,
});
