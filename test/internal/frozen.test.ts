// The one freezing policy: `frozenCopy` copies, `freezeOwned` freezes in place what the
// library has just built; both give deep-frozen ordinary data and reuse what they made.
import { describe, expect, it } from "vitest";
import { WHOLE_STRUCTURE } from "../../src/core/scope.js";
import { freezeOwned, frozenCopy, type Copies } from "../../src/internal/frozen.js";

const deeplyFrozen = (value: unknown): boolean =>
  typeof value !== "object" || value === null || (Object.isFrozen(value) && Object.values(value).every(deeplyFrozen));

describe("frozenCopy", () => {
  it("copies deeply and freezes; later changes to the source do not leak in", () => {
    const source = { a: 1, list: [{ b: "x" }], nested: { c: [1, 2] } };
    const copy = frozenCopy(source);
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    expect(copy.list).not.toBe(source.list);
    expect(deeplyFrozen(copy)).toBe(true);
    source.list[0]!.b = "changed";
    source.nested.c.push(3);
    expect(copy).toEqual({ a: 1, list: [{ b: "x" }], nested: { c: [1, 2] } });
    expect(Object.isFrozen(source)).toBe(false);
  });

  it("reuses what it made, and a frozen array of what it made, as they are", () => {
    const first = frozenCopy({ attachment: { role: "user" }, grants: [{ space: "A" }] });
    const next = frozenCopy({ ...first, status: "active" });
    expect(next.attachment).toBe(first.attachment);
    expect(next.grants).toBe(first.grants);
    expect(frozenCopy(first)).toBe(first);
  });

  it("copies a frozen object or array it did not make (its parts could still change)", () => {
    const inner = { x: 1 };
    const foreign = Object.freeze({ inner });
    const copy = frozenCopy(foreign);
    expect(copy).not.toBe(foreign);
    inner.x = 2;
    expect(copy.inner.x).toBe(1);
    const array = Object.freeze([inner]);
    expect(frozenCopy(array)).not.toBe(array);
  });

  it("makes ordinary objects whatever the source's prototype, and keeps an own __proto__ key as a key", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: { b: 1 } });
    const copy = frozenCopy(bare);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const safe = frozenCopy(parsed);
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
    expect(Object.keys(safe)).toEqual(["__proto__", "ok"]);
    expect((safe as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe("freezeOwned", () => {
  it("freezes arrays in place and copies each object once, deeply, however often it is reached", () => {
    const shared = { c: 2 };
    const built = { a: { b: [1, shared] }, list: [{ d: 3 }, shared], again: shared };
    const array = built.a.b;
    const frozen = freezeOwned(built);
    expect(frozen).not.toBe(built);
    expect(frozen).toEqual(built);
    expect(Object.getPrototypeOf(frozen)).toBe(Object.prototype);
    expect(frozen.a.b).toBe(array);
    expect(frozen.again).not.toBe(shared);
    expect(frozen.list[1]).toBe(frozen.again);
    expect(frozen.a.b[1]).toBe(frozen.again);
    expect(deeplyFrozen(frozen)).toBe(true);
    // What it made is recognised: a copy reuses it, and so does another freeze.
    expect(frozenCopy(frozen)).toBe(frozen);
    expect(freezeOwned({ part: frozen.a }).part).toBe(frozen.a);
  });

  it("shares its copies between the calls given the same copies (a record written, then shown)", () => {
    const record = { id: "req-1", scope: { kind: "services", serviceIds: ["svc-a"] } };
    const copies: Copies = new Map();
    const stored = freezeOwned(record, copies);
    const shown = freezeOwned({ request: record, scope: record.scope }, copies);
    expect(shown.request).toBe(stored);
    expect(shown.scope).toBe(stored.scope);
    expect(freezeOwned({ request: record }).request).not.toBe(stored);
  });

  it("replaces a part that is not plain data by the ordinary copy frozenCopy makes, once", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { kind: "structure" });
    const foreign = Object.freeze({ x: { y: 1 } });
    const built = { scope: bare, foreign, list: [bare] };
    const frozen = freezeOwned(built);
    expect(frozen.scope).not.toBe(bare);
    expect(Object.getPrototypeOf(frozen.scope)).toBe(Object.prototype);
    expect(frozen.scope).toEqual({ kind: "structure" });
    expect(frozen.foreign).not.toBe(foreign);
    expect(frozen.list[0]).toBe(frozen.scope);
    expect(Object.isFrozen(bare)).toBe(false);
    expect(deeplyFrozen(frozen)).toBe(true);
  });

  it("gives one shared frozen empty list for every empty list", () => {
    const a = freezeOwned({ grants: [] as unknown[], emails: [] as unknown[] });
    expect(a.grants).toBe(a.emails);
    expect(frozenCopy({ list: [] as unknown[] }).list).toBe(a.grants);
    expect(Object.isFrozen(a.grants)).toBe(true);
    expect(a.grants).toEqual([]);
  });

  it("reuses the core's whole-structure scope as it is, a constant of frozen plain data", () => {
    const frozen = freezeOwned({ scope: WHOLE_STRUCTURE, list: [WHOLE_STRUCTURE] });
    expect(frozen.scope).toBe(WHOLE_STRUCTURE);
    expect(frozenCopy({ scope: WHOLE_STRUCTURE }).scope).toBe(WHOLE_STRUCTURE);
    const list = Object.freeze([WHOLE_STRUCTURE]);
    expect(frozenCopy(list)).toBe(list);
  });

  it("gives what frozenCopy gives, for any plain data", () => {
    const make = () => ({ n: 1, s: "x", none: null, list: [1, "a", { k: [true] }], o: { p: { q: [] as unknown[] } } });
    expect(freezeOwned(make())).toEqual(frozenCopy(make()));
  });
});

// The objects both make come from constructors with room for their fields (internal/rooms.ts):
// still plain data at the boundary, whatever their size.
describe("plain data at the boundary", () => {
  const plainly = (copy: unknown, source: unknown): void => {
    expect(JSON.stringify(copy)).toBe(JSON.stringify(source));
    const walk = (c: unknown, s: unknown): void => {
      if (typeof c !== "object" || c === null) return;
      expect(Object.isFrozen(c)).toBe(true);
      if (Array.isArray(c)) return c.forEach((x, i) => walk(x, (s as unknown[])[i]));
      expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
      expect(Object.keys(c)).toEqual(Object.keys(s as object));
      expect(Object.getOwnPropertyNames(c)).toEqual(Object.keys(s as object));
      expect((c as object).constructor).toBe(Object);
      for (const k of Object.keys(c)) walk((c as Record<string, unknown>)[k], (s as Record<string, unknown>)[k]);
    };
    walk(copy, source);
  };

  it("gives ordinary frozen objects of every size, with their keys in their source's order", () => {
    for (let n = 0; n <= 30; n++) {
      const make = () => {
        const o: Record<string, unknown> = {};
        for (let i = n; i > 0; i--) o[i % 3 === 0 ? String(i) : `k${i}`] = i % 4 === 0 ? { inner: i, list: [i] } : i;
        return o;
      };
      plainly(frozenCopy(make()), make());
      plainly(freezeOwned(make()), make());
      plainly(freezeOwned({ a: make(), b: [make()] }), { a: make(), b: [make()] });
    }
  });

  it("keeps every field as an own field under a setter or a read-only field on Object.prototype", () => {
    const seen: unknown[] = [];
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, "kind", { set: (v) => void seen.push(v), get: () => "polluted", configurable: true });
    Object.defineProperty(proto, "role", { value: "polluted", writable: false, configurable: true });
    try {
      for (const copy of [frozenCopy({ kind: "structure", role: "user" }), freezeOwned({ kind: "structure", role: "user" })]) {
        expect(Object.getOwnPropertyNames(copy)).toEqual(["kind", "role"]);
        expect(copy).toEqual({ kind: "structure", role: "user" });
        expect(JSON.stringify(copy)).toBe('{"kind":"structure","role":"user"}');
      }
      expect(seen).toEqual([]);
    } finally {
      delete proto["kind"];
      delete proto["role"];
    }
  });
});
