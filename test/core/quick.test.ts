// The hot commands' quick readings (core/quick.ts, issue 19) against their schemas: for
// valid, invalid and junk inputs — unusual shapes, prototypes, getters, symbols, arrays
// with holes, lone surrogates, over-long texts, a polluted Object.prototype — the parse
// gives exactly what `parseWith(schema, input)` gives: the same value (prototypes, key
// order, arrays, frozenness at every level) or the same error. And the common valid input
// does take the quick path, gives objects of its own, and leaves the input as it was.
import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { HistoryQuerySchema, parseHistoryQuery, quickHistoryQuery } from "../../src/application/history.js";
import { parseActor } from "../../src/application/runner.js";
import {
  AttachUserSchema,
  ChangeMemberRoleSchema,
  parseAttachUser,
  parseChangeMemberRole,
  parseRefuseAttachmentRequest,
  parseRemoveAttachment,
  parseRequestAttachment,
  parseValidateAttachmentRequest,
  parseWith,
  quickAttachmentReadings,
  quickAttachmentRequestReadings,
  RefuseAttachmentRequestSchema,
  RemoveAttachmentSchema,
  RequestAttachmentSchema,
  UserIdSchema,
  ValidateAttachmentRequestSchema,
  HISTORY_KINDS,
  type DomainError,
  type Result,
} from "../../src/core/index.js";

/**
 * Whether two values are the same data: same types, same prototypes, same own keys in
 * the same order (symbols included), same frozenness, same values at every level.
 */
function same(a: unknown, b: unknown, path = "$"): string | null {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== "object" || a === null || b === null) return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
  const x = a as Record<PropertyKey, unknown>;
  const y = b as Record<PropertyKey, unknown>;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototypes differ`;
  if (Array.isArray(x) !== Array.isArray(y)) return `${path}: array vs object`;
  if (Object.isFrozen(x) !== Object.isFrozen(y)) return `${path}: frozen ${Object.isFrozen(x)} vs ${Object.isFrozen(y)}`;
  const kx = Reflect.ownKeys(x);
  const ky = Reflect.ownKeys(y);
  if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) return `${path}: keys ${String(kx)} vs ${String(ky)}`;
  for (const k of kx) {
    const dx = Object.getOwnPropertyDescriptor(x, k) as PropertyDescriptor;
    const dy = Object.getOwnPropertyDescriptor(y, k) as PropertyDescriptor;
    if (dx.enumerable !== dy.enumerable) return `${path}.${String(k)}: enumerable differs`;
    const inner = same(dx.value, dy.value, `${path}.${String(k)}`);
    if (inner !== null) return inner;
  }
  return null;
}

function expectSame(quick: Result<unknown, DomainError>, full: Result<unknown, DomainError>): void {
  const difference = same(quick, full);
  if (difference !== null) expect.fail(`${difference}\nquick: ${JSON.stringify(quick)}\nschema: ${JSON.stringify(full)}`);
}

// ---------------------------------------------------------------- values

const validIds = fc.oneof(fc.constantFrom("req-1", "s-1", "u-2", "svc-a", "svc-b", "é", "\u{1F600}x"), fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
const badIds = fc.constantFrom("", " ", "\u200B", "a\u202Eb", "a\nb", "a\u0000b", "x".repeat(201), "a\ud800", "\udc00", 42, null, true, ["req-1"], { id: "req-1" });
const id = fc.oneof({ weight: 4, arbitrary: validIds }, { weight: 1, arbitrary: badIds });
const role = fc.oneof({ weight: 3, arbitrary: fc.constantFrom("user", "secondaryManager", "primaryManager") }, fc.constantFrom("boss", "USER", "", 1, null));
const text = fc.oneof(
  fc.constantFrom("", "Bonjour", "  ", "a\tb\r\nc", "Arrivée au 1er décembre", "\u{1F600}"),
  fc.constantFrom("a\u0000b", "a\u0007", "a\u202Eb", "a\u2066b", "a\ud800b", "\udfff", "x".repeat(2000), "x".repeat(2001), "x".repeat(10_001), 7, null),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 6, unit: "binary" }),
);
const date = fc.constantFrom("2026-11-27", "2024-02-29", "2026-02-29", "2026-13-01", "2026-11-31", "26-11-27", "2026-11-27T00:00:00Z", "", 20261127, null);
const serviceIds = fc.oneof(
  fc.array(id, { maxLength: 5 }),
  fc.array(validIds, { maxLength: 5 }),
  fc.array(validIds, { minLength: 65, maxLength: 70 }),
  fc.constant([, "svc-a"]),
  fc.constant(Object.assign(["svc-b", "svc-a"], { extra: 1 })),
  fc.constant("svc-a"),
  fc.constant({ 0: "svc-a", length: 1 }),
);
const scope = fc.oneof(
  fc.constant({ kind: "structure" }),
  fc.record({ kind: fc.constant("services"), serviceIds }),
  fc.record({ kind: fc.constantFrom("structure", "services", "service", 1), serviceIds, extra: fc.anything() }, { requiredKeys: ["kind"] }),
  fc.constant({ kind: "structure", serviceIds: undefined }),
  fc.constant({ kind: "services", serviceIds: ["svc-a"], comment: "x" }),
  fc.constant(Object.assign(Object.create(null) as object, { kind: "services", serviceIds: ["svc-b", "svc-a"] })),
  fc.constant(null),
  fc.constant("structure"),
);

const ABSENT = Symbol("absent");

/**
 * An input around a command's fields: each field mostly present (valid or not), sometimes
 * absent or `undefined`; now and then a key the command does not take.
 */
function around(fields: Record<string, fc.Arbitrary<unknown>>) {
  const field = (v: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 8, arbitrary: v }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(ABSENT) });
  const extra = fc.oneof({ weight: 9, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.anything() });
  return fc.record({ ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, field(v)])), extra }).map(
    (r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ABSENT)) as Record<string, unknown>,
  );
}

/** The same input, given in one of the ways a caller (or an attacker) may give it. */
function dressed(fields: fc.Arbitrary<Record<string, unknown>>) {
  return fc.tuple(fields, fc.constantFrom("plain", "nullProto", "inherited", "getter", "hidden", "symbol", "frozen", "proxy", "json", "array", "instance", "protoKey")).map(([f, how]) => {
    const keys = Object.keys(f);
    switch (how) {
      case "plain":
        return f;
      case "nullProto":
        return Object.assign(Object.create(null) as object, f);
      case "inherited":
        return Object.create(f) as object;
      case "getter": {
        const o: Record<string, unknown> = { ...f };
        const k = keys[0];
        if (k !== undefined) Object.defineProperty(o, k, { enumerable: true, get: () => f[k] });
        return o;
      }
      case "hidden": {
        const o: Record<string, unknown> = { ...f };
        const k = keys[0];
        if (k !== undefined) Object.defineProperty(o, k, { enumerable: false, value: f[k] });
        return o;
      }
      case "symbol":
        return { ...f, [Symbol("s")]: 1 };
      case "frozen":
        return Object.freeze({ ...f });
      case "proxy":
        return new Proxy({ ...f }, {});
      case "json":
        return JSON.parse(JSON.stringify(f)) as unknown;
      case "array":
        return Object.assign([], f);
      case "instance":
        return Object.assign(new (class Command {})(), f);
      case "protoKey":
        return JSON.parse(`{"__proto__": {"role": "primaryManager"}, ${JSON.stringify(f).slice(1)}`.replace(", }", "}")) as unknown;
    }
  });
}

const commands = [
  {
    name: "requestAttachment",
    parse: parseRequestAttachment,
    schema: RequestAttachmentSchema,
    quick: quickAttachmentRequestReadings.requestAttachment,
    fields: { structureId: id, scope, requestedRole: role, comment: text },
    valid: fc.record({ structureId: validIds, scope: fc.oneof(fc.constant({ kind: "structure" }), fc.record({ kind: fc.constant("services"), serviceIds: fc.array(validIds, { maxLength: 4 }) })), comment: fc.constantFrom("Bonjour", "") }, { requiredKeys: ["structureId", "scope"] }),
  },
  {
    name: "validateAttachmentRequest",
    parse: parseValidateAttachmentRequest,
    schema: ValidateAttachmentRequestSchema,
    quick: quickAttachmentRequestReadings.validateAttachmentRequest,
    fields: { requestId: id, role, scope },
    valid: fc.record({ requestId: validIds, role: fc.constantFrom("user", "secondaryManager"), scope: fc.record({ kind: fc.constant("services"), serviceIds: fc.array(validIds, { maxLength: 4 }) }) }, { requiredKeys: ["requestId"] }),
  },
  {
    name: "refuseAttachmentRequest",
    parse: parseRefuseAttachmentRequest,
    schema: RefuseAttachmentRequestSchema,
    quick: quickAttachmentRequestReadings.refuseAttachmentRequest,
    fields: { requestId: id, reason: text },
    valid: fc.record({ requestId: validIds, reason: fc.constantFrom("Personne inconnue", " ", "ligne 1\nligne 2") }),
  },
  {
    name: "attachUser",
    parse: parseAttachUser,
    schema: AttachUserSchema,
    quick: quickAttachmentReadings.attachUser,
    fields: { structureId: id, userId: id, role, validFrom: date, comment: text, scope },
    valid: fc.record({ structureId: validIds, userId: validIds, role: fc.constantFrom("user", "secondaryManager"), validFrom: fc.constantFrom("2026-11-27", "2028-02-29"), comment: fc.constantFrom("Renfort"), scope: fc.constant({ kind: "structure" }) }),
  },
  {
    name: "changeMemberRole",
    parse: parseChangeMemberRole,
    schema: ChangeMemberRoleSchema,
    quick: quickAttachmentReadings.changeMemberRole,
    fields: { structureId: id, userId: id, role },
    valid: fc.record({ structureId: validIds, userId: validIds, role: fc.constantFrom("user", "secondaryManager") }),
  },
  {
    name: "removeAttachment",
    parse: parseRemoveAttachment,
    schema: RemoveAttachmentSchema,
    quick: quickAttachmentReadings.removeAttachment,
    fields: { structureId: id, userId: id },
    valid: fc.record({ structureId: validIds, userId: validIds }),
  },
  {
    name: "readHistory's query",
    parse: parseHistoryQuery,
    schema: HistoryQuerySchema,
    quick: quickHistoryQuery,
    fields: {
      structureId: id,
      kinds: fc.oneof(fc.array(fc.constantFrom(...HISTORY_KINDS, "nope"), { maxLength: 3 }), fc.array(fc.constantFrom(...HISTORY_KINDS), { minLength: 49, maxLength: 52 }), fc.constant("userAttached")),
      targetUserId: id,
      limit: fc.oneof(fc.integer({ min: -2, max: 502 }), fc.constantFrom(0, 1, 500, 501, 2 ** 53), fc.constantFrom(1.5, Number.NaN, Number.POSITIVE_INFINITY, "20", "020", null)),
      cursor: fc.oneof(fc.constantFrom("WzEsImhpc3RvcnkiLCJzLTEiLDVd", "", "a b", "x".repeat(4001), "\ud800"), fc.string({ maxLength: 8 })),
      from: fc.constantFrom("2026-11-27T09:00:00Z", "2026-11-27T10:00:00+01:00", "hier"),
    },
    valid: fc.record({ structureId: validIds, targetUserId: validIds, limit: fc.integer({ min: 1, max: 500 }), kinds: fc.array(fc.constantFrom(...HISTORY_KINDS), { minLength: 1, maxLength: 3 }) }, { requiredKeys: ["structureId"] }),
  },
] as const;

/** Runs `body` with Object.prototype carrying the command's field names, then cleans up. */
function polluted<T>(names: readonly string[], body: () => T): T {
  const values: Record<string, unknown> = { role: "primaryManager", scope: { kind: "structure" }, comment: "polluted", requestedRole: "secondaryManager", reason: "polluted", validFrom: "2026-11-27" };
  for (const name of names) Object.defineProperty(Object.prototype, name, { value: values[name] ?? "polluted", configurable: true, writable: true, enumerable: true });
  try {
    return body();
  } finally {
    for (const name of names) delete (Object.prototype as Record<string, unknown>)[name];
  }
}

describe.each(commands)("the quick reading of $name", (c) => {
  const parse = c.parse as (input: unknown) => Result<unknown, DomainError>;
  const schema = c.schema as Parameters<typeof parseWith>[0];
  const quick = c.quick as (input: unknown) => unknown;

  test.prop([dressed(around(c.fields))], { numRuns: 400 })("gives exactly what the schema gives, value or error", (input) => {
    expectSame(parse(input), parseWith(schema, input));
  });

  test.prop([fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withSparseArray: true, withObjectString: true })])(
    "gives what the schema gives for any junk, and never throws",
    (junk) => {
      expectSame(parse(junk), parseWith(schema, junk));
    },
  );

  test.prop([dressed(around(c.fields))], { numRuns: 100 })("gives what the schema gives under a polluted Object.prototype, and reads nothing from it", (input) => {
    polluted(Object.keys(c.fields), () => {
      const quickly = parse(input);
      expectSame(quickly, parseWith(schema, input));
      if (quickly.ok) for (const name of Object.keys(c.fields)) if (!Object.hasOwn(quickly.value as object, name)) expect((quickly.value as Record<string, unknown>)[name]).toBeUndefined();
    });
  });

  test.prop([c.valid as fc.Arbitrary<Record<string, unknown>>])("takes the common valid input quickly, into objects of its own, and leaves the input as it was", (input) => {
    const before = JSON.stringify(input);
    const value = quick(input);
    expect(value).not.toBeNull();
    expect(JSON.stringify(input)).toBe(before);
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.getPrototypeOf(value)).toBeNull();
    const scopeIn = input["scope"] as { serviceIds?: unknown } | undefined;
    const scopeOut = (value as { scope?: { serviceIds?: unknown } }).scope;
    if (scopeIn !== undefined) {
      expect(scopeOut).not.toBe(scopeIn);
      expect(Object.getPrototypeOf(scopeOut)).toBeNull();
      if (scopeIn.serviceIds !== undefined) expect(scopeOut?.serviceIds).not.toBe(scopeIn.serviceIds);
    }
    expectSame(parse(input), parseWith(schema, input));
  });

  it("runs no getter and reads no inherited field", () => {
    const valid = fc.sample(c.valid as fc.Arbitrary<Record<string, unknown>>, { numRuns: 1, seed: 1 })[0] as Record<string, unknown>;
    let runs = 0;
    const withGetter: Record<string, unknown> = { ...valid };
    const first = Object.keys(valid)[0] as string;
    Object.defineProperty(withGetter, first, { enumerable: true, get: () => (runs++, valid[first]) });
    expect(parse(withGetter).ok).toBe(false);
    expect(quick(withGetter)).toBeNull();
    expect(runs).toBe(0);
    expect(parse(Object.create(valid)).ok).toBe(false);
  });
});

describe("parseActor", () => {
  test.prop([fc.oneof(id, fc.anything({ withBoxedValues: true, withNullPrototype: true }), fc.string({ unit: "binary", maxLength: 5 }))])(
    "takes as an actor exactly the ids UserIdSchema takes, and the same value",
    (actor) => {
      const parsed = parseActor(actor);
      const full = parseWith(UserIdSchema, actor);
      expect(parsed.ok).toBe(full.ok);
      if (parsed.ok && full.ok) expect(parsed.value).toBe(full.value);
      if (!parsed.ok) expect(parsed.error).toEqual({ code: "UNKNOWN_ACTOR", reason: "malformed" });
    },
  );
});
