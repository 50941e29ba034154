// The store contract of habilitations/testing under node:test, in a project without
// fast-check: the example-based suites run; the property test says it needs fast-check.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryStore } from "habilitations/memory";
import { runApplicationContract, runStoreContract } from "habilitations/testing";

const createStore = async () => createMemoryStore();

// Without its properties: every example-based test of the contract.
runStoreContract({ name: "memory, no fast-check", createStore, describe, it, properties: false });
runApplicationContract({ name: "memory", createStore, describe, it });

// With them (the default): the property test fails and says what to install.
const registered = [];
runStoreContract({
  name: "memory",
  createStore,
  describe: (_name, body) => body(),
  it: (name, body) => registered.push({ name, body }),
});
const properties = registered.filter((t) => t.name.startsWith("random "));
describe("without fast-check", () => {
  it("the contract's property tests fail with a message naming fast-check", async () => {
    assert.ok(properties.length > 0);
    for (const t of properties) await assert.rejects(t.body(), /needs fast-check/);
  });
});
