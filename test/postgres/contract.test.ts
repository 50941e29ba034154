// The repository contract on PostgreSQL: each test gets a fresh, migrated schema of its
// own, dropped afterwards.
import { afterAll, describe, it } from "vitest";
import type { HabilitationsStore } from "../../src/port/store.js";
import { runApplicationContract, runStoreContract } from "../../src/testing/index.js";
import { createPool, freshStore } from "./helpers.js";

const pool = createPool();
afterAll(() => pool.end());
const drops = new WeakMap<HabilitationsStore, () => Promise<void>>();

const options = {
  name: "postgres",
  createStore: async () => {
    const { store, drop } = await freshStore(pool, "contract");
    drops.set(store, drop);
    return store;
  },
  disposeStore: async (store: HabilitationsStore) => drops.get(store)?.(),
  describe,
  it,
  // Each random case of a property costs a few commits and a few dozen round trips here.
  propertyRuns: 60,
};
runStoreContract(options);
runApplicationContract(options);
