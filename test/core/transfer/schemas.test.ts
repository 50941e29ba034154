// The boundary of guide §6: the two forms of a transfer (« un même gestionnaire principal
// pour toutes ses structures » / « un gestionnaire principal différent pour chaque
// structure ») and of a deactivation, parsed into the commands the rules take.
import { describe, expect, it } from "vitest";
import { MAX_BULK_ITEMS, parseDeactivateAccount, parseTransferPrimaryRole } from "../../../src/core/index.js";

const issues = (r: ReturnType<typeof parseTransferPrimaryRole> | ReturnType<typeof parseDeactivateAccount>) => {
  if (r.ok || r.error.code !== "VALIDATION") throw new Error(`expected VALIDATION, got ${JSON.stringify(r)}`);
  return r.error.issues;
};

describe("parseTransferPrimaryRole", () => {
  it("the same successor for several structures becomes one transfer per structure, in the order given", () => {
    expect(parseTransferPrimaryRole({ structureIds: ["s-2", "s-1"], successorId: "u-9" })).toEqual({
      ok: true,
      value: {
        transfers: [
          { structureId: "s-2", successorId: "u-9" },
          { structureId: "s-1", successorId: "u-9" },
        ],
      },
    });
  });

  it("one successor per structure is taken as it is", () => {
    const transfers = [
      { structureId: "s-1", successorId: "u-8" },
      { structureId: "s-2", successorId: "u-9" },
    ];
    expect(parseTransferPrimaryRole({ transfers })).toEqual({ ok: true, value: { transfers } });
  });

  it.each([
    ["a structure named twice (structureIds)", { structureIds: ["s-1", "s-1"], successorId: "u-9" }, ["structureIds"]],
    [
      "a structure named twice (transfers), even to two successors",
      { transfers: [{ structureId: "s-1", successorId: "u-8" }, { structureId: "s-1", successorId: "u-9" }] },
      ["transfers"],
    ],
    ["no structure (structureIds)", { structureIds: [], successorId: "u-9" }, ["structureIds"]],
    ["no structure (transfers)", { transfers: [] }, ["transfers"]],
  ])("refuses %s with VALIDATION on that field", (_, input, path) => {
    expect(issues(parseTransferPrimaryRole(input)).map((i) => i.path)).toEqual([path]);
  });

  it.each([
    ["both forms at once", { structureIds: ["s-1"], successorId: "u-9", transfers: [{ structureId: "s-2", successorId: "u-9" }] }],
    ["structureIds without a successor", { structureIds: ["s-1"] }],
    ["a successor without structures", { successorId: "u-9" }],
    ["an extra key in a transfer", { transfers: [{ structureId: "s-1", successorId: "u-9", role: "primaryManager" }] }],
    ["a blank id", { structureIds: [""], successorId: "u-9" }],
    ["nothing", {}],
    [`more than ${MAX_BULK_ITEMS} structures`, { structureIds: Array.from({ length: MAX_BULK_ITEMS + 1 }, (_, i) => `s-${i}`), successorId: "u-9" }],
  ])("refuses %s with VALIDATION", (_, input) => {
    expect(issues(parseTransferPrimaryRole(input)).length).toBeGreaterThan(0);
  });

  it("a parsed command parses again to itself (it crosses JSON unchanged)", () => {
    const first = parseTransferPrimaryRole({ structureIds: ["s-1", "s-2"], successorId: "u-9" });
    expect(parseTransferPrimaryRole(JSON.parse(JSON.stringify(first.ok && first.value)))).toEqual(first);
  });
});

describe("parseDeactivateAccount", () => {
  it.each([
    ["one successor for every structure", { successorId: "u-9" }],
    ["one successor per structure", { transfers: [{ structureId: "s-1", successorId: "u-8" }, { structureId: "s-2", successorId: "u-9" }] }],
    ["none (primary manager of nothing, or to be told which structures need one)", { transfers: [] }],
  ])("takes %s as it is", (_, input) => {
    expect(parseDeactivateAccount(input)).toEqual({ ok: true, value: input });
  });

  it("refuses a structure named twice with VALIDATION on transfers", () => {
    const input = { transfers: [{ structureId: "s-1", successorId: "u-8" }, { structureId: "s-1", successorId: "u-8" }] };
    expect(issues(parseDeactivateAccount(input)).map((i) => i.path)).toEqual([["transfers"]]);
  });

  it.each([
    ["nothing", {}],
    ["both forms at once", { successorId: "u-9", transfers: [] }],
    ["the transfer's structureIds form", { structureIds: ["s-1"], successorId: "u-9" }],
    ["an extra key", { transfers: [], reason: "départ" }],
  ])("refuses %s with VALIDATION", (_, input) => {
    expect(issues(parseDeactivateAccount(input)).length).toBeGreaterThan(0);
  });
});
