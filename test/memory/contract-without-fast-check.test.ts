// habilitations/testing without fast-check (an optional peer dependency): the module
// loads, the example-based contract runs, and the property tests fail saying what to do.
// (scripts/check-install.sh proves the same on the packed package, in a project that
// never had fast-check.)
import { describe, expect, it, vi } from "vitest";
import { createMemoryStore } from "../../src/memory/index.js";

vi.mock("fast-check", () => {
  throw new Error("Cannot find package 'fast-check'");
});

const { runStoreContract } = await import("../../src/testing/index.js");

/** The tests a contract registers, by name, without running them. */
function registered(properties?: boolean) {
  const tests: { name: string; body: () => Promise<void> }[] = [];
  runStoreContract({
    name: "memory",
    createStore: async () => createMemoryStore(),
    describe: (_name, body) => body(),
    it: (name, body) => void tests.push({ name, body }),
    ...(properties === undefined ? {} : { properties }),
  });
  return tests;
}

describe("the store contract without fast-check", () => {
  it("registers its property tests by default, and they fail naming fast-check and the way out", async () => {
    const properties = registered().filter((t) => t.name.startsWith("random "));
    // The search's and the export rows'.
    expect(properties).toHaveLength(2);
    for (const property of properties)
      await expect(property.body()).rejects.toThrow(/needs fast-check.*npm install --save-dev fast-check.*properties: false/s);
  });

  it("with properties: false, registers only example-based tests, and they pass", async () => {
    const all = registered();
    const examples = registered(false);
    expect(examples.length).toBe(all.length - 2);
    for (const t of examples) await t.body();
  });
});
