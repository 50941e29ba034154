// The one freezing policy: `frozenCopy` copies, `freezeOwned` freezes in place what the
// library has just built; both give deep-frozen ordinary data and reuse what they made.
import { describe, expect, it } from "vitest";
import { freezeOwned, frozenCopy } from "../../src/internal/frozen.js";

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
  it("freezes plain objects and arrays in place, deeply, without copying them", () => {
    const built = { a: { b: [1, { c: 2 }] }, list: [{ d: 3 }] };
    const inner = built.a;
    const frozen = freezeOwned(built);
    expect(frozen).toBe(built);
    expect(frozen.a).toBe(inner);
    expect(deeplyFrozen(frozen)).toBe(true);
    // What it froze is recognised: a copy reuses it.
    expect(frozenCopy(frozen)).toBe(frozen);
  });

  it("replaces a part that is not plain data by the ordinary copy frozenCopy makes", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { kind: "structure" });
    const foreign = Object.freeze({ x: { y: 1 } });
    const built = { scope: bare, foreign, list: [bare] };
    const frozen = freezeOwned(built);
    expect(frozen).toBe(built);
    expect(frozen.scope).not.toBe(bare);
    expect(Object.getPrototypeOf(frozen.scope)).toBe(Object.prototype);
    expect(frozen.scope).toEqual({ kind: "structure" });
    expect(frozen.foreign).not.toBe(foreign);
    expect(frozen.list[0]).toEqual({ kind: "structure" });
    expect(Object.isFrozen(bare)).toBe(false);
    expect(deeplyFrozen(frozen)).toBe(true);
  });

  it("gives what frozenCopy gives, for any plain data", () => {
    const make = () => ({ n: 1, s: "x", none: null, list: [1, "a", { k: [true] }], o: { p: { q: [] as unknown[] } } });
    expect(freezeOwned(make())).toEqual(frozenCopy(make()));
  });
});
