// The access query's quick reading must accept and give exactly what the schema would.
import { describe, expect, it, vi } from "vitest";
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

  const common = { userId: "u-1", structureId: "s-1", space: "FACTURES_RECUES", access: "read" };

  it("reads the common well-formed query without the schema (a host asks it on every request), and gives what the schema gives", () => {
    const queries: unknown[] = [
      common,
      { ...common, access: "write" },
      { ...common, serviceId: null },
      { ...common, serviceId: "svc-1" },
      Object.assign(Object.create(null) as object, common, { serviceId: "svc-2" }),
    ];
    const expected = queries.map((q) => parseWith(AccessQuerySchema, q));
    const schema = vi.spyOn(AccessQuerySchema, "safeParse");
    try {
      const quick = queries.map((q) => parseAccessQuery(q));
      expect(schema).not.toHaveBeenCalled();
      expect(quick).toEqual(expected);
      expect(quick.every((r) => r.ok && Object.getPrototypeOf(r.value) === null)).toBe(true);
      // A query naming an instant is read by the schema.
      expect(parseAccessQuery({ ...common, at: "2026-11-27T10:00:00+01:00" })).toEqual({
        ok: true,
        value: { ...common, serviceId: null, at: "2026-11-27T09:00:00.000Z" },
      });
      expect(schema).toHaveBeenCalledTimes(1);
    } finally {
      schema.mockRestore();
    }
  });

  /** Each a common query but for one thing the quick reading must leave to the schema. */
  const leftToTheSchema: [string, () => unknown][] = [
    ["a userId that is a number", () => ({ ...common, userId: 42 })],
    ["an empty userId", () => ({ ...common, userId: "" })],
    ["a structureId with a line break", () => ({ ...common, structureId: "s\n1" })],
    ["a structureId of 201 characters", () => ({ ...common, structureId: "s".repeat(201) })],
    ["a space in lower case", () => ({ ...common, space: "factures_recues" })],
    ["a space that is a number", () => ({ ...common, space: 42 })],
    ["an empty serviceId", () => ({ ...common, serviceId: "" })],
    ["a serviceId that is a number", () => ({ ...common, serviceId: 7 })],
    ["a serviceId with a bidirectional override", () => ({ ...common, serviceId: "svc\u202E1" })],
    ["an unknown access", () => ({ ...common, access: "admin" })],
    ["an access that is a number", () => ({ ...common, access: 1 })],
    ["an unknown field", () => ({ ...common, role: "user" })],
    ["a symbol key", () => ({ ...common, [Symbol("serviceId")]: "svc-1" })],
    ["a getter for serviceId", () => Object.defineProperty({ ...common }, "serviceId", { enumerable: true, get: () => "svc-1" })],
    ["a setter for serviceId", () => Object.defineProperty({ ...common }, "serviceId", { enumerable: true, set: () => undefined })],
    ["a getter for at", () => Object.defineProperty({ ...common }, "at", { enumerable: true, get: () => "2026-11-27T09:00:00Z" })],
    ["a non-enumerable userId", () => Object.defineProperty({ ...common, userId: undefined }, "userId", { enumerable: false, value: "u-1" })],
    ["a class instance holding the fields", () => Object.assign(new (class Query {})(), common)],
    ["an object inheriting from another, holding the fields", () => Object.assign(Object.create({}) as object, common)],
    [
      "a function without prototype dressed as a query",
      () => {
        const f = Object.setPrototypeOf(() => undefined, null) as Record<string, unknown>;
        delete f["length"];
        delete f["name"];
        return Object.assign(f, common);
      },
    ],
  ];

  it.each(leftToTheSchema)("leaves %s to the schema, and gives its refusal", (_, make) => {
    const quick = parseAccessQuery(make());
    expect(quick.ok).toBe(false);
    expect(quick).toEqual(parseWith(AccessQuerySchema, make()));
  });
});
