// The access query's quick reading must accept and give exactly what the schema would.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { AccessQuerySchema, parseAccessQuery, parseWith } from "../../../src/index.js";

const id = fc.oneof(fc.constantFrom("u-1", "s-1", "svc-1", "x"), fc.string({ maxLength: 5 }), fc.constantFrom("", " ", "a\u202Eb", "a\nb", "x".repeat(201)));
const query = fc.record(
  {
    userId: fc.oneof(id, fc.integer(), fc.constant(null)),
    structureId: id,
    space: fc.oneof(fc.constantFrom("FACTURES_RECUES", "SOLLICITATIONS_EMISES", "factures", "A", "_A", "NOPE_"), fc.string({ maxLength: 8 })),
    serviceId: fc.oneof(id, fc.constant(null), fc.constant(undefined)),
    access: fc.oneof(fc.constantFrom("read", "write", "READ", "admin"), fc.integer()),
    at: fc.oneof(fc.constant(undefined), fc.constantFrom("2026-11-27T09:00:00Z", "2026-11-27T09:00:00+02:00", "hier")),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

describe("parseAccessQuery", () => {
  test.prop([query])("gives exactly what AccessQuerySchema gives, for well-formed and malformed queries alike", (input) => {
    const quick = parseAccessQuery(input);
    const full = parseWith(AccessQuerySchema, input);
    expect(quick.ok).toBe(full.ok);
    if (quick.ok && full.ok) expect({ ...quick.value }).toEqual({ ...full.value });
  });

  test.prop([query.filter((q) => !("at" in q) && !("extra" in q))])("refuses through the schema what it does not take quickly, with the schema's issues", (input) => {
    const quick = parseAccessQuery(input);
    if (!quick.ok) expect(quick).toEqual(parseWith(AccessQuerySchema, input));
  });

  test.prop([fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withDate: true })])("never throws on anything", (junk) => {
    expect(() => parseAccessQuery(junk)).not.toThrow();
  });

  test("does not read inherited fields, and does not run getters", () => {
    const inherited = Object.create({ userId: "u-1", structureId: "s-1", space: "FACTURES_RECUES", access: "read" });
    expect(parseAccessQuery(inherited).ok).toBe(false);
    let runs = 0;
    const withGetter = { structureId: "s-1", space: "FACTURES_RECUES", access: "read" };
    Object.defineProperty(withGetter, "userId", { enumerable: true, get: () => (runs++, "u-1") });
    expect(parseAccessQuery(withGetter).ok).toBe(false);
    expect(runs).toBe(0);
  });
});
