// Page sizes from query strings: decimal digits are the number they spell; nothing else
// that is a string passes.
import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { pageSizeSchema } from "../../src/core/paging.js";

const limit = pageSizeSchema(500, 50);

describe("pageSizeSchema", () => {
  test.prop([fc.integer({ min: 1, max: 500 })])("reads a size given as a number or as its decimal digits alike", (n) => {
    expect(limit.parse(n)).toBe(n);
    expect(limit.parse(String(n))).toBe(n);
  });

  it("gives the default when absent, and keeps the bounds for digits too", () => {
    expect(limit.parse(undefined)).toBe(50);
    for (const out of [0, 501, "0", "501", "999999999", -1, 20.5]) expect(limit.safeParse(out).success, String(out)).toBe(false);
  });

  it("refuses every other spelling of a number", () => {
    for (const s of ["20.5", "1e3", " 20", "20 ", "020", "+20", "-20", "0x14", "20n", "", "٢٠", "Infinity", "NaN", "20,0", "1_000"])
      expect(limit.safeParse(s).success, JSON.stringify(s)).toBe(false);
  });

  test.prop([fc.string()])("accepts a string only if it is the canonical decimal spelling of a size", (s) => {
    const canonical = /^[1-9][0-9]*$/.test(s) && Number(s) <= 500;
    expect(limit.safeParse(s).success).toBe(canonical);
  });

  it("refuses other types", () => {
    for (const v of [null, true, [20], { n: 20 }, 20n]) expect(limit.safeParse(v).success).toBe(false);
  });

  it("says what it expects, one message whatever is wrong (not how a union failed)", () => {
    const expected = "doit être un nombre entier de 1 à 500 (un nombre, ou ses chiffres décimaux)";
    for (const v of ["abc", "1e3", true, null, 0, "0", 501, 20.5, [20]]) {
      const parsed = limit.safeParse(v);
      expect(parsed.success, JSON.stringify(v)).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message), JSON.stringify(v)).toEqual([expected]);
    }
  });
});
