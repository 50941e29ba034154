// core/boundary.ts (parseWith): unknown data in, typed plain data or a bounded
// VALIDATION error out, never a throw. Only plain data crosses (no class instances,
// inherited fields, accessors, symbols, functions); the input is bounded in size, depth
// and key length; the error is bounded too; what comes out is made of prototype-less
// objects, immune to a polluted Object.prototype.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as core from "../../src/core/index.js";
import {
  MAX_INPUT_DEPTH,
  MAX_INPUT_NODES,
  MAX_KEY_LENGTH,
  MAX_VALIDATION_ISSUES,
  parseRefuseAttachmentRequests,
  parseValidateAttachmentRequest,
  parseValidateAttachmentRequests,
  parseWith,
  type DomainError,
  type Result,
  type ValidationIssue,
} from "../../src/core/index.js";

type Parser = (input: unknown) => Result<unknown, DomainError>;

/** Every `parse…` function the core exports but parseWith, plus parseWith with a schema that takes anything. */
const parsers: [string, Parser][] = [
  ...Object.entries(core)
    .filter(([name, value]) => /^parse[A-Z]/.test(name) && name !== "parseWith" && typeof value === "function")
    .map(([name, value]): [string, Parser] => [name, value as Parser]),
  ["parseWith(z.unknown())", (input) => parseWith(z.unknown(), input)],
];

const anyValue = (input: unknown) => parseWith(z.unknown(), input);

const validCommand = { requestId: "req-1", role: "secondaryManager", scope: { kind: "services", serviceIds: ["svc-b", "svc-a"] } };

/** The VALIDATION error of a result (fails the test on anything else). */
function validationOf(result: Result<unknown, DomainError>): Extract<DomainError, { code: "VALIDATION" }> {
  if (result.ok) throw new Error(`expected VALIDATION, got ok: ${String(JSON.stringify(result.value)).slice(0, 200)}`);
  if (result.error.code !== "VALIDATION") throw new Error(`expected VALIDATION, got ${result.error.code}`);
  return result.error;
}

/** Asserts every bound a VALIDATION error promises. */
function expectBounded(error: Extract<DomainError, { code: "VALIDATION" }>) {
  expect(error.issues.length).toBeGreaterThan(0);
  expect(error.issues.length).toBeLessThanOrEqual(MAX_VALIDATION_ISSUES);
  if (error.omittedIssues !== undefined) {
    expect(error.issues.length).toBe(MAX_VALIDATION_ISSUES);
    expect(error.omittedIssues).toBeGreaterThan(0);
  }
  for (const issue of error.issues) {
    expect(issue.message.length).toBeLessThanOrEqual(200);
    expect(issue.code.length).toBeLessThanOrEqual(40);
    expect(issue.path.length).toBeLessThanOrEqual(13);
    for (const p of issue.path) {
      expect(["string", "number"]).toContain(typeof p);
      if (typeof p === "string") expect(p.length).toBeLessThanOrEqual(64);
    }
  }
}

/** The paths of every object reachable from a value whose prototype is not null (arrays must be real arrays). */
function objectsWithPrototype(value: unknown, path: (string | number)[] = []): string[] {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) {
    const here = Object.getPrototypeOf(value) === Array.prototype ? [] : [path.join(".") || "(root)"];
    return [...here, ...value.flatMap((v, i) => objectsWithPrototype(v, [...path, i]))];
  }
  const here = Object.getPrototypeOf(value) === null ? [] : [path.join(".") || "(root)"];
  return [...here, ...Object.keys(value).flatMap((k) => objectsWithPrototype((value as Record<string, unknown>)[k], [...path, k]))];
}

/** `n` objects nested in one another: the deepest is at depth n - 1 (the root is at depth 0). */
function nested(n: number, wrap: (inner: unknown) => unknown = (inner) => ({ a: inner })): unknown {
  let value: unknown = {};
  for (let i = 1; i < n; i++) value = wrap(value);
  return value;
}

const issue = (path: (string | number)[], code: string): ValidationIssue =>
  expect.objectContaining({ path, code }) as unknown as ValidationIssue;

describe("only plain data crosses the boundary", () => {
  it("given a valid command, its parse gives it back, sorted scope included", () => {
    expect(parseValidateAttachmentRequest(validCommand)).toEqual({
      ok: true,
      value: { requestId: "req-1", role: "secondaryManager", scope: { kind: "services", serviceIds: ["svc-a", "svc-b"] } },
    });
  });

  it("given Object.create(validCommand), every field inherited, then VALIDATION not_plain_data (inherited fields are not read)", () => {
    const error = validationOf(parseValidateAttachmentRequest(Object.create(validCommand)));
    expect(error.issues).toEqual([issue([], "not_plain_data")]);
  });

  it("an object without prototype is plain data", () => {
    const input = Object.assign(Object.create(null) as object, { requestId: "req-1" });
    expect(parseValidateAttachmentRequest(input)).toEqual({ ok: true, value: { requestId: "req-1" } });
  });

  class Command {
    requestId = "req-1";
  }
  const nonPlain: [string, () => unknown][] = [
    ["a Date", () => new Date("2026-11-27T09:00:00Z")],
    ["a Map", () => new Map([["requestId", "req-1"]])],
    ["a Set", () => new Set(["req-1"])],
    ["a RegExp", () => /req-1/],
    ["a boxed number", () => new Number(1)],
    ["a boxed string", () => new String("req-1")],
    ["a boxed boolean", () => new Boolean(true)],
    ["a class instance", () => new Command()],
    ["an Error", () => new Error("req-1")],
    ["a typed array", () => new Uint8Array([1, 2])],
    ["a Promise", () => Promise.resolve("req-1")],
    ["an array subclass", () => new (class extends Array<string> {})()],
    ["an object inheriting from a plain one", () => Object.create({ requestId: "req-1" })],
    ["a function", () => () => "req-1"],
    ["a bigint", () => 1n],
    ["a symbol", () => Symbol("req-1")],
  ];

  it.each(nonPlain)("given %s as the whole input, then VALIDATION not_plain_data at the root", (_, make) => {
    const error = validationOf(parseValidateAttachmentRequest(make()));
    expect(error.issues).toEqual([issue([], "not_plain_data")]);
  });

  it.each(nonPlain)("given %s as a field, then VALIDATION not_plain_data naming the field", (_, make) => {
    const error = validationOf(parseValidateAttachmentRequest({ requestId: make() }));
    expect(error.issues).toEqual([issue(["requestId"], "not_plain_data")]);
  });

  it.each(nonPlain)("given %s deep inside, then VALIDATION not_plain_data at its path", (_, make) => {
    const error = validationOf(
      parseRefuseAttachmentRequests({ requestIds: ["req-1", make()], reason: "Doublon" }),
    );
    expect(error.issues).toEqual([issue(["requestIds", 1], "not_plain_data")]);
  });

  it("names the class of an instance in the message", () => {
    const error = validationOf(parseValidateAttachmentRequest({ requestId: new Command() }));
    expect(error.issues[0]?.message).toContain("Command");
  });

  it("given a symbol key beside valid fields, then VALIDATION not_plain_data", () => {
    const error = validationOf(parseValidateAttachmentRequest({ requestId: "req-1", [Symbol("role")]: "primaryManager" }));
    expect(error.issues).toEqual([issue([], "not_plain_data")]);
  });

  describe("accessors are refused without being run", () => {
    it("given an enumerable getter for a field, then VALIDATION not_plain_data and the getter never ran", () => {
      let calls = 0;
      const input = Object.defineProperty({}, "requestId", {
        enumerable: true,
        get() {
          calls++;
          return "req-1";
        },
      });
      const error = validationOf(parseValidateAttachmentRequest(input));
      expect(error.issues).toEqual([issue(["requestId"], "not_plain_data")]);
      expect(calls).toBe(0);
    });

    it("given a getter at an array index, then VALIDATION not_plain_data at that index and the getter never ran", () => {
      let calls = 0;
      const requestIds = ["req-1"];
      Object.defineProperty(requestIds, 1, {
        enumerable: true,
        get() {
          calls++;
          return "req-2";
        },
      });
      const error = validationOf(parseRefuseAttachmentRequests({ requestIds, reason: "Doublon" }));
      expect(error.issues).toEqual([issue(["requestIds", 1], "not_plain_data")]);
      expect(calls).toBe(0);
    });

    it("given a setter-only field, then VALIDATION not_plain_data and the setter never ran", () => {
      let calls = 0;
      const input = Object.defineProperty({ requestId: "req-1" }, "role", {
        enumerable: true,
        set() {
          calls++;
        },
      });
      expect(validationOf(parseValidateAttachmentRequest(input)).issues).toEqual([issue(["role"], "not_plain_data")]);
      expect(calls).toBe(0);
    });

    it("given a non-enumerable field (getter or value), it is neither read nor kept", () => {
      let calls = 0;
      const input = Object.defineProperty({ requestId: "req-1" }, "role", {
        enumerable: false,
        get() {
          calls++;
          return "primaryManager";
        },
      });
      Object.defineProperty(input, "scope", { enumerable: false, value: { kind: "structure" } });
      const r = parseValidateAttachmentRequest(input);
      expect(r).toEqual({ ok: true, value: { requestId: "req-1" } });
      expect(calls).toBe(0);
    });
  });

  it("reads each field once: a proxy answering differently on each read cannot slip an unchecked value through", () => {
    let reads = 0;
    const proxy = new Proxy(
      { requestId: "req-1" },
      {
        getOwnPropertyDescriptor(target, key) {
          const d = Reflect.getOwnPropertyDescriptor(target, key);
          if (key !== "requestId" || d === undefined) return d;
          reads++;
          return { ...d, value: reads === 1 ? "req-1" : 42 };
        },
        get() {
          throw new Error("a value was read through [[Get]]");
        },
      },
    );
    expect(parseValidateAttachmentRequest(proxy)).toEqual({ ok: true, value: { requestId: "req-1" } });
    expect(reads).toBe(1);
  });

  it.each([
    ["a revoked proxy", () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }],
    ["a proxy whose key listing throws", () => new Proxy({}, { ownKeys: () => { throw new Error("boom"); } })],
    ["a proxy whose descriptor read throws", () => new Proxy({ requestId: "req-1" }, { getOwnPropertyDescriptor: () => { throw new Error("boom"); } })],
  ])("given %s, then VALIDATION unreadable, no throw", (_, make) => {
    const error = validationOf(parseValidateAttachmentRequest(make()));
    expect(error.issues).toEqual([issue([], "unreadable")]);
  });
});

describe("a polluted Object.prototype does not reach what is parsed", () => {
  it("given Object.prototype.role = « secondaryManager », parsing { requestId } gives a value without role", () => {
    const proto = Object.prototype as Record<string, unknown>;
    let r: Result<core.ValidateAttachmentRequest, DomainError>;
    let explicit: Result<unknown, DomainError>;
    try {
      proto["role"] = "secondaryManager";
      r = parseValidateAttachmentRequest({ requestId: "req-1" });
      explicit = parseValidateAttachmentRequest({ requestId: "req-1", role: "primaryManager" });
    } finally {
      delete proto["role"];
    }
    expect("role" in Object.prototype).toBe(false);
    if (!r.ok) throw new Error("expected the command to parse");
    expect(r.value.role).toBeUndefined();
    expect("role" in r.value).toBe(false);
    expect(Object.getPrototypeOf(r.value)).toBeNull();
    expect(r.value).toEqual({ requestId: "req-1" });
    // A role the command itself holds is kept, whatever the prototype says.
    expect(explicit).toEqual({ ok: true, value: { requestId: "req-1", role: "primaryManager" } });
  });

  it("given Object.prototype.scope polluted, a command without scope still has none", () => {
    const proto = Object.prototype as Record<string, unknown>;
    let r: Result<core.ValidateAttachmentRequest, DomainError>;
    try {
      proto["scope"] = { kind: "structure" };
      r = parseValidateAttachmentRequest({ requestId: "req-1" });
    } finally {
      delete proto["scope"];
    }
    expect("scope" in Object.prototype).toBe(false);
    if (!r.ok) throw new Error("expected the command to parse");
    expect(r.value.scope).toBeUndefined();
  });
});

describe("the input is bounded, and so is the error", () => {
  it("given 150 000 invalid items (Dates), then 20 issues, the first ones in order, and omittedIssues counting the other 149 980", () => {
    const items = Array.from({ length: 150_000 }, () => new Date(0));
    const error = validationOf(parseValidateAttachmentRequests({ items }));
    expect(error.issues).toHaveLength(MAX_VALIDATION_ISSUES);
    expect(error.issues.map((i) => i.path)).toEqual(Array.from({ length: 20 }, (_, i) => ["items", i]));
    expect(error.issues.every((i) => i.code === "not_plain_data")).toBe(true);
    expect(error.omittedIssues).toBe(150_000 - MAX_VALIDATION_ISSUES);
    expect(JSON.stringify(error).length).toBeLessThan(20_000);
    expect(core.errorMessage(error)).toContain("(et 149980 autres problèmes)");
  });

  it("given 150 000 items of the wrong type checked by the schema, then 20 issues and omittedIssues counting the rest", () => {
    const error = validationOf(parseWith(z.array(z.string()), new Array(150_000).fill(42)));
    expect(error.issues).toHaveLength(MAX_VALIDATION_ISSUES);
    expect(error.issues[0]).toEqual(issue([0], "invalid_type"));
    expect(error.omittedIssues).toBe(150_000 - MAX_VALIDATION_ISSUES);
    expect(JSON.stringify(error).length).toBeLessThan(20_000);
  });

  it(`given ${core.MAX_BULK_ITEMS} request ids of the wrong type in a bulk refusal, then 20 issues and omittedIssues counting the rest`, () => {
    const error = validationOf(parseRefuseAttachmentRequests({ requestIds: new Array(core.MAX_BULK_ITEMS).fill(42), reason: "x" }));
    expect(error.issues).toHaveLength(MAX_VALIDATION_ISSUES);
    expect(error.omittedIssues).toBe(core.MAX_BULK_ITEMS - MAX_VALIDATION_ISSUES);
  });

  it("given no more than 20 issues, there is no omittedIssues field", () => {
    const error = validationOf(parseWith(z.array(z.string()), new Array(20).fill(42)));
    expect(error.issues).toHaveLength(20);
    expect("omittedIssues" in error).toBe(false);
  });

  it("given a 10 MB unknown key, then VALIDATION key_too_long that does not echo it (error JSON < 20 kB)", () => {
    const key = "k".repeat(10_000_000);
    const error = validationOf(parseValidateAttachmentRequest({ requestId: "req-1", [key]: 1 }));
    expect(error.issues).toEqual([issue([expect.any(String) as unknown as string], "key_too_long")]);
    expect((error.issues[0]!.path[0] as string).length).toBeLessThanOrEqual(64);
    expect(JSON.stringify(error).length).toBeLessThan(20_000);
    expect(core.errorMessage(error).length).toBeLessThan(20_000);
  });

  it(`accepts keys of ${MAX_KEY_LENGTH} characters and refuses longer ones`, () => {
    expect(anyValue({ ["k".repeat(MAX_KEY_LENGTH)]: 1 }).ok).toBe(true);
    expect(validationOf(anyValue({ ["k".repeat(MAX_KEY_LENGTH + 1)]: 1 })).issues).toEqual([
      issue([expect.any(String) as unknown as string], "key_too_long"),
    ]);
  });

  it("given an unknown key of the longest length accepted, the error stays short", () => {
    const error = validationOf(parseValidateAttachmentRequest({ requestId: "req-1", ["x".repeat(MAX_KEY_LENGTH)]: 1 }));
    expectBounded(error);
    expect(JSON.stringify(error).length).toBeLessThan(2_000);
  });

  it.each([
    ["requestId", { requestId: "r".repeat(10_000_000) }],
    ["role", { requestId: "req-1", role: "r".repeat(10_000_000) }],
    ["reason", { requestId: "req-1", reason: "r".repeat(10_000_000) }],
  ])("given a 10 MB value for %s, the error does not echo it (error JSON < 20 kB)", (_, input) => {
    const parse = "reason" in input ? core.parseRefuseAttachmentRequest : parseValidateAttachmentRequest;
    const error = validationOf(parse(input));
    expectBounded(error);
    expect(JSON.stringify(error).length).toBeLessThan(20_000);
  });

  it(`accepts nesting ${MAX_INPUT_DEPTH} levels deep and refuses one more: too_deep`, () => {
    expect(anyValue(nested(MAX_INPUT_DEPTH)).ok).toBe(true);
    const error = validationOf(anyValue(nested(MAX_INPUT_DEPTH + 1)));
    expect(error.issues).toEqual([issue(Array(12).fill("a").concat("…"), "too_deep")]);
    expect(anyValue(nested(MAX_INPUT_DEPTH, (inner) => [inner])).ok).toBe(true);
    expect(validationOf(anyValue(nested(MAX_INPUT_DEPTH + 1, (inner) => [inner]))).issues[0]?.code).toBe("too_deep");
  });

  it("given nesting far too deep inside a command, then VALIDATION too_deep and no stack overflow", () => {
    const error = validationOf(parseValidateAttachmentRequest({ requestId: "req-1", scope: nested(100_000) }));
    expect(error.issues.map((i) => i.code)).toContain("too_deep");
    expectBounded(error);
  });

  it("given a cycle, then VALIDATION too_deep, no endless walk", () => {
    const cyclic: Record<string, unknown> = { requestId: "req-1" };
    cyclic["scope"] = cyclic;
    expect(validationOf(parseValidateAttachmentRequest(cyclic)).issues.map((i) => i.code)).toContain("too_deep");
  });

  it(`accepts ${MAX_INPUT_NODES} values and refuses one more: too_large`, () => {
    expect(anyValue(new Array(MAX_INPUT_NODES - 1).fill(0)).ok).toBe(true); // the array and its items
    expect(validationOf(anyValue(new Array(MAX_INPUT_NODES).fill(0))).issues).toEqual([issue([], "too_large")]);
  });

  it("given a small input that expands to 2^26 values through shared references, then VALIDATION too_large", () => {
    let value: unknown = 0;
    for (let i = 0; i < 25; i++) value = [value, value];
    expect(validationOf(anyValue(value)).issues).toEqual([issue([], "too_large")]);
  });
});

describe("what comes out is plain, prototype-less data", () => {
  it("a parsed command is made of objects without prototype (arrays are real arrays) and equals the expected literal", () => {
    const r = parseValidateAttachmentRequest(validCommand);
    if (!r.ok) throw new Error("expected the command to parse");
    expect(Object.getPrototypeOf(r.value)).toBeNull();
    expect(Object.getPrototypeOf(r.value.scope)).toBeNull();
    expect(r.value.scope?.kind === "services" && Array.isArray(r.value.scope.serviceIds)).toBe(true);
    expect(objectsWithPrototype(r.value)).toEqual([]);
    expect(r.value).toEqual({
      requestId: "req-1",
      role: "secondaryManager",
      scope: { kind: "services", serviceIds: ["svc-a", "svc-b"] },
    });
  });

  it("so do nested records: a structure's identifier, a user's attachments", () => {
    const structure = core.parseCreateStructure({
      designation: "ACME",
      kind: "private",
      identifier: { type: "siret", value: "732 829 320 00074" },
    });
    if (!structure.ok) throw new Error("expected the command to parse");
    expect(objectsWithPrototype(structure.value)).toEqual([]);
    expect(structure.value).toEqual({
      designation: "ACME",
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
    });
    const whole = parseValidateAttachmentRequest({ requestId: "req-1", scope: { kind: "structure" } });
    if (!whole.ok) throw new Error("expected the command to parse");
    expect(Object.getPrototypeOf(whole.value.scope)).toBeNull();
    expect(Object.isFrozen(whole.value.scope)).toBe(false); // a copy, not the shared WHOLE_STRUCTURE
  });

  test.prop([fc.jsonValue({ maxDepth: 8 })])("any JSON value passes parseWith(z.unknown()) and comes back equal, prototype-less", (value) => {
    const r = anyValue(value);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual(value);
    expect(objectsWithPrototype(r.value)).toEqual([]);
  });
});

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

describe.each(parsers)("%s, on anything", (_, parse) => {
  test.prop([anything])("never throws: ok with prototype-less data, or a bounded VALIDATION", (input) => {
    const r = parse(input);
    if (r.ok) expect(objectsWithPrototype(r.value)).toEqual([]);
    else expectBounded(validationOf(r));
  });

  test.prop([fc.oneof(fc.date(), fc.constant(new Map()), fc.constant(/x/), fc.integer().map((n) => new Number(n)), fc.bigInt())])(
    "refuses a class instance, a boxed value or a bigint at the root",
    (input) => {
      expect(validationOf(parse(input)).issues).toEqual([issue([], "not_plain_data")]);
    },
  );
});

describe("validation messages are French, whatever the host's zod configuration", () => {
  const issuesOf = (r: Result<unknown, DomainError>): readonly ValidationIssue[] => (!r.ok && r.error.code === "VALIDATION" ? r.error.issues : []);
  const register = (input: unknown) => parseWith(core.RegisterUserSchema, input);

  it("zod's own messages come in its French locale", () => {
    const [wrongType] = issuesOf(parseWith(core.UserIdSchema, 42));
    expect(wrongType).toMatchObject({ path: [], code: "invalid_type" });
    expect(wrongType?.message).toMatch(/^Entrée invalide/);
    const issues = issuesOf(register({ login: 42, lastName: "Martin", firstName: "Alice", admin: true }));
    expect(issues.map((i) => i.code).sort()).toEqual(["invalid_type", "unrecognized_keys"]);
    expect(issues.find((i) => i.code === "unrecognized_keys")?.message).toMatch(/^Clé non reconnue/);
    for (const issue of issues) expect(issue.message).not.toMatch(/Invalid|expected|received|Unrecognized/);
  });

  it("and so is the whole sentence a host shows (the issue of « Saisie invalide : login : Invalid input… » is gone)", () => {
    const r = register({ login: 42, lastName: "Martin", firstName: "Alice" });
    expect(!r.ok && core.errorMessage(r.error)).toMatch(/^Saisie invalide : login : Entrée invalide : .+\.$/);
  });

  it("the library's own messages are French too", () => {
    expect(issuesOf(parseWith(core.UserIdSchema, "usr\u202E1"))[0]?.message).toBe("n'est pas un identifiant");
    expect(issuesOf(parseWith(z.unknown(), new Map()))[0]?.message).toBe("n'est pas un objet simple (Map)");
  });

  it.each([
    ["English", z.locales.en],
    ["German", z.locales.de],
  ])("a host that set zod's locale to %s globally still gets French from the library, and its own parses keep its locale", (_label, locale) => {
    const previous = z.config().localeError;
    const english = z.string().safeParse(42).error?.issues[0]?.message;
    z.config(locale());
    try {
      expect(issuesOf(parseWith(core.UserIdSchema, 42))[0]?.message).toMatch(/^Entrée invalide/);
      // The host's own parse is the host's: the library set nothing globally.
      expect(z.string().safeParse(42).error?.issues[0]?.message).not.toMatch(/^Entrée invalide/);
    } finally {
      z.config({ localeError: previous });
    }
    // Restored: zod's default again, and the library unchanged.
    expect(z.string().safeParse(42).error?.issues[0]?.message).toBe(english);
    expect(issuesOf(parseWith(core.UserIdSchema, 42))[0]?.message).toMatch(/^Entrée invalide/);
  });

  it("sets no global zod configuration of its own: a host's plain zod parse keeps zod's default (English) messages", () => {
    parseWith(core.UserIdSchema, 42);
    expect(z.string().safeParse(42).error?.issues[0]?.message).toMatch(/^Invalid input/);
  });
});

/** An array of `length` holes (no value at all). */
function holes(length: number): unknown[] {
  const array: unknown[] = [];
  array.length = length;
  return array;
}

/** A schema taking anything that reports one issue at `path`, with `message`. */
const reporting = (path: PropertyKey[], message = "m") =>
  z.unknown().superRefine((_, ctx) => {
    ctx.addIssue({ code: "custom", message, path });
  });

describe("what each refusal of the boundary says (path, code, message)", () => {
  it(`a text of ${core.MAX_STRING_LENGTH} characters crosses the boundary; one more is too_long, wherever it stands`, () => {
    expect(anyValue("x".repeat(core.MAX_STRING_LENGTH))).toEqual({ ok: true, value: "x".repeat(core.MAX_STRING_LENGTH) });
    expect(validationOf(anyValue({ note: "x".repeat(core.MAX_STRING_LENGTH + 1) })).issues).toEqual([
      { path: ["note"], code: "too_long", message: `un texte de plus de ${core.MAX_STRING_LENGTH} caractères` },
    ]);
  });

  it("a text or a key with an unpaired surrogate is ill_formed_text; a paired one is well-formed", () => {
    const lone = JSON.parse('"Lef\\ud800vre"') as string;
    expect(validationOf(anyValue({ lastName: lone, other: "\udc00" })).issues).toEqual([
      { path: ["lastName"], code: "ill_formed_text", message: "un texte avec un demi-caractère (surrogate isolé) n'est pas de l'Unicode bien formé" },
      { path: ["other"], code: "ill_formed_text", message: "un texte avec un demi-caractère (surrogate isolé) n'est pas de l'Unicode bien formé" },
    ]);
    expect(validationOf(anyValue({ ["k\ud800"]: 1 })).issues).toEqual([
      { path: ["k\ud800"], code: "ill_formed_text", message: "une clé avec un demi-caractère (surrogate isolé) n'est pas de l'Unicode bien formé" },
    ]);
    expect(anyValue({ "😀": "Lef😀vre" })).toEqual({ ok: true, value: { "😀": "Lef😀vre" } });
  });

  it("undefined, booleans and numbers are plain data (a field given as undefined is absent)", () => {
    const r = anyValue({ absent: undefined, yes: true, n: -1.5, list: [undefined, false, 0] });
    if (!r.ok) throw new Error("expected plain data to cross");
    expect("absent" in (r.value as object)).toBe(false);
    expect(r.value).toEqual({ absent: undefined, yes: true, n: -1.5, list: [undefined, false, 0] });
    expect(anyValue(undefined)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ["a function", () => () => 1, "une valeur de type function n'est pas une donnée simple"],
    ["a bigint", () => 1n, "une valeur de type bigint n'est pas une donnée simple"],
    ["a symbol", () => Symbol("s"), "une valeur de type symbol n'est pas une donnée simple"],
  ])("%s says which kind of value it is", (_, make, message) => {
    expect(validationOf(anyValue({ v: make() })).issues).toEqual([{ path: ["v"], code: "not_plain_data", message }]);
  });

  it("an object says which class it is an instance of, when its class has a name", () => {
    class Commande {}
    const anonymous = new ((() => class {})())();
    const withoutConstructor = Object.create(Object.create(null) as object) as object;
    const longName = { [`Commande${"X".repeat(50)}`]: class {} }[`Commande${"X".repeat(50)}`]!;
    expect(validationOf(anyValue([new Commande(), anonymous, withoutConstructor, new longName()])).issues).toEqual([
      { path: [0], code: "not_plain_data", message: "n'est pas un objet simple (Commande)" },
      { path: [1], code: "not_plain_data", message: "n'est pas un objet simple" },
      { path: [2], code: "not_plain_data", message: "n'est pas un objet simple" },
      { path: [3], code: "not_plain_data", message: `n'est pas un objet simple (Commande${"X".repeat(31)}…)` },
    ]);
  });

  it("an array subclass is not a plain array", () => {
    expect(validationOf(anyValue({ list: new (class extends Array<number> {})() })).issues).toEqual([
      { path: ["list"], code: "not_plain_data", message: "n'est pas un tableau simple" },
    ]);
  });

  it("an accessor, in an object or at an array index, getter or setter only, is not plain data", () => {
    const list: unknown[] = [0, 1];
    Object.defineProperty(list, 0, { enumerable: true, configurable: true, get: () => 0 });
    Object.defineProperty(list, 1, { enumerable: true, configurable: true, set: () => undefined });
    const object = Object.defineProperty({}, "a", { enumerable: true, set: () => undefined });
    expect(validationOf(anyValue({ list, object })).issues).toEqual([
      { path: ["list", 0], code: "not_plain_data", message: "un accesseur n'est pas une donnée simple" },
      { path: ["list", 1], code: "not_plain_data", message: "un accesseur n'est pas une donnée simple" },
      { path: ["object", "a"], code: "not_plain_data", message: "un accesseur n'est pas une donnée simple" },
    ]);
  });

  it("a symbol key, a key too long, nesting too deep, too many values, an unreadable input: each says so", () => {
    expect(validationOf(anyValue({ a: { [Symbol("k")]: 1 } })).issues).toEqual([
      { path: ["a"], code: "not_plain_data", message: "une clé symbole n'est pas une donnée simple" },
    ]);
    expect(validationOf(anyValue({ ["k".repeat(MAX_KEY_LENGTH + 1)]: 1 })).issues).toEqual([
      { path: [`${"k".repeat(63)}…`], code: "key_too_long", message: `une clé de plus de ${MAX_KEY_LENGTH} caractères` },
    ]);
    expect(validationOf(anyValue(nested(MAX_INPUT_DEPTH + 1))).issues[0]?.message).toBe(`plus de ${MAX_INPUT_DEPTH} niveaux d'imbrication`);
    expect(validationOf(anyValue(holes(MAX_INPUT_NODES))).issues).toEqual([
      { path: [], code: "too_large", message: `plus de ${MAX_INPUT_NODES} valeurs` },
    ]);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(validationOf(anyValue(proxy)).issues).toEqual([{ path: [], code: "unreadable", message: "la saisie n'a pas pu être lue" }]);
  });
});

describe("the error's own bounds, exactly at their limits", () => {
  it("a path segment of 64 characters is kept whole; a longer one is cut to 63 and an ellipsis", () => {
    const schema = z.record(z.string(), z.string());
    expect(validationOf(parseWith(schema, { ["s".repeat(64)]: 1 })).issues[0]?.path).toEqual(["s".repeat(64)]);
    expect(validationOf(parseWith(schema, { ["s".repeat(65)]: 1 })).issues[0]?.path).toEqual([`${"s".repeat(63)}…`]);
  });

  it("a message of 200 characters is kept whole; a longer one is cut to 199 and an ellipsis", () => {
    expect(validationOf(parseWith(reporting([], "m".repeat(200)), 0)).issues[0]?.message).toBe("m".repeat(200));
    expect(validationOf(parseWith(reporting([], "m".repeat(201)), 0)).issues[0]?.message).toBe(`${"m".repeat(199)}…`);
  });

  it("a path of 12 segments is kept whole; a longer one keeps 12 and an ellipsis", () => {
    const twelve = Array.from({ length: 12 }, (_, i) => `p${i}`);
    expect(validationOf(parseWith(reporting(twelve), 0)).issues[0]?.path).toEqual(twelve);
    expect(validationOf(parseWith(reporting([...twelve, "p12"]), 0)).issues[0]?.path).toEqual([...twelve, "…"]);
  });

  it("a symbol in a schema's issue path is written (symbol): a path holds strings and numbers only", () => {
    expect(validationOf(parseWith(reporting([Symbol("k"), "a", 1]), 0)).issues[0]?.path).toEqual(["(symbol)", "a", 1]);
  });
});

describe("the bound counts work: holes are values, lengths and key counts are judged before any walk", () => {
  it(`an input of exactly ${MAX_INPUT_NODES} values, holes included, crosses; one value more is too_large`, () => {
    // The outer array, the inner one, then its MAX_INPUT_NODES - 2 holes.
    const r = anyValue([holes(MAX_INPUT_NODES - 2)]);
    if (!r.ok) throw new Error("expected the input to cross");
    const inner = (r.value as unknown[][])[0]!;
    expect(inner.length).toBe(MAX_INPUT_NODES - 2);
    expect(0 in inner).toBe(false);
    expect(validationOf(anyValue([holes(MAX_INPUT_NODES - 2), 0])).issues).toEqual([issue([], "too_large")]);
  });

  it("holes stay holes, and the array keeps its length, trailing holes included", () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    sparse.length = 5;
    const r = anyValue(sparse);
    if (!r.ok) throw new Error("expected the input to cross");
    const copy = r.value as unknown[];
    expect(copy.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => i in copy)).toEqual([true, false, true, false, false]);
    expect(copy[2]).toBe(3);
  });

  it("an array longer than the bound leaves is refused from its length alone: no slot is read", () => {
    let reads = 0;
    const proxy = new Proxy(holes(MAX_INPUT_NODES), {
      getOwnPropertyDescriptor(target, key) {
        reads++;
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    expect(validationOf(anyValue(proxy)).issues).toEqual([issue([], "too_large")]);
    expect(reads).toBe(0);
  });

  it("an object with more keys than the bound leaves is refused from its key count alone: no field is read", () => {
    let reads = 0;
    const keys = ["a", "b", "c"];
    const proxy = new Proxy({}, {
      ownKeys: () => keys,
      getOwnPropertyDescriptor() {
        reads++;
        return { value: 0, enumerable: true, configurable: true, writable: true };
      },
    });
    // The outer array, the holes' array and its holes leave room for the object and two values.
    expect(validationOf(anyValue([holes(MAX_INPUT_NODES - 5), proxy])).issues).toEqual([issue([], "too_large")]);
    expect(reads).toBe(0);
    keys.pop();
    const r = anyValue([holes(MAX_INPUT_NODES - 5), proxy]);
    expect(r.ok).toBe(true);
    expect(reads).toBe(2);
  });
});
