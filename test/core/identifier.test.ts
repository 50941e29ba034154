import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  checkIdentifier,
  isValidSiret,
  MAX_IDENTIFIER_LENGTH,
  normalizeIdentifierValue,
} from "../../src/core/index.js";

/** Digits of a 13-character prefix followed by each possible key, the valid ones. */
const validKeys = (prefix: string) =>
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => isValidSiret(`${prefix}${d}`));

describe("SIRET (INSEE check)", () => {
  it.each([
    ["73282932000074", "an ordinary establishment (Luhn)"],
    ["21690123100011", "a town hall (Luhn)"],
    ["35600000000048", "La Poste's head office, which follows Luhn"],
    // 3+5+6+0…0+1+5 = 20: a multiple of 5, the rule for La Poste's establishments.
    ["35600000000015", "a La Poste establishment (digit sum multiple of 5)"],
    ["35600000000010", "another La Poste establishment (sum 15)"],
  ])("accepts %s, %s", (siret) => {
    expect(isValidSiret(siret)).toBe(true);
    expect(checkIdentifier({ type: "siret", value: siret })).toEqual({
      ok: true,
      identifier: { type: "siret", value: siret },
    });
  });

  it.each([
    ["73282932000075", "siretCheckKey"],
    ["12345678901234", "siretCheckKey"],
    ["35600000000013", "siretCheckKey"], // La Poste, sum 18
    ["35600000000049", "siretCheckKey"], // head office with a wrong key
    ["7328293200007", "siretFormat"], // 13 digits
    ["732829320000740", "siretFormat"], // 15 digits
    ["7328293200007A", "siretFormat"],
    ["", "empty"],
    ["  . ", "empty"],
  ] as const)("refuses %j: %s", (value, problem) => {
    expect(checkIdentifier({ type: "siret", value })).toEqual({ ok: false, problem });
    expect(isValidSiret(normalizeIdentifierValue(value))).toBe(false);
  });

  it("normalises the spaces and dots people type: « 732 829 320.00074 »", () => {
    expect(normalizeIdentifierValue("732 829 320.00074")).toBe("73282932000074");
    expect(normalizeIdentifierValue(" 732\u00a0829\u202f320 00074 ")).toBe("73282932000074");
    expect(checkIdentifier({ type: "siret", value: "732 829 320.00074" })).toEqual({
      ok: true,
      identifier: { type: "siret", value: "73282932000074" },
    });
  });

  it("isValidSiret itself takes only the normalised form", () => {
    expect(isValidSiret("732 829 320 00074")).toBe(false);
  });

  test.prop([fc.stringMatching(/^\d{13}$/).filter((p) => !p.startsWith("356000000"))])(
    "for any 13-digit prefix outside La Poste, exactly one final digit gives a valid SIRET",
    (prefix) => {
      expect(validKeys(prefix)).toHaveLength(1);
    },
  );

  test.prop([fc.stringMatching(/^\d{4}$/).filter((s) => s !== "0004")])(
    "for a La Poste prefix, exactly the two final digits making the sum a multiple of 5 are valid",
    (tail) => {
      const prefix = `356000000${tail}`;
      const keys = validKeys(prefix);
      expect(keys).toHaveLength(2);
      const sum = [...prefix].reduce((s, c) => s + Number(c), 0);
      for (const k of keys) expect((sum + k) % 5).toBe(0);
    },
  );

  test.prop([fc.stringMatching(/^\d{14}$/), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 9 })])(
    "changing one digit of a valid non-La-Poste SIRET makes it invalid",
    (digits, position, delta) => {
      const prefix = digits.slice(0, 13);
      fc.pre(!prefix.startsWith("356000000"));
      const valid = `${prefix}${validKeys(prefix)[0]}`;
      const changed = valid.slice(0, position) + ((Number(valid[position]) + delta) % 10) + valid.slice(position + 1);
      fc.pre(!changed.startsWith("356000000"));
      expect(isValidSiret(changed)).toBe(false);
    },
  );
});

describe("other identifier types", () => {
  it("are trimmed but kept as typed (no SIRET check, no dot removal)", () => {
    expect(checkIdentifier({ type: "ridet", value: " 1 234.567 " })).toEqual({
      ok: true,
      identifier: { type: "ridet", value: "1 234.567" },
    });
  });

  it("must not be blank", () => {
    expect(checkIdentifier({ type: "other", value: "   " })).toEqual({ ok: false, problem: "empty" });
  });

  it(`are at most ${MAX_IDENTIFIER_LENGTH} characters`, () => {
    expect(checkIdentifier({ type: "euOutsideFrance", value: "X".repeat(MAX_IDENTIFIER_LENGTH) }).ok).toBe(true);
    expect(checkIdentifier({ type: "euOutsideFrance", value: "X".repeat(MAX_IDENTIFIER_LENGTH + 1) })).toEqual({
      ok: false,
      problem: "tooLong",
    });
  });
});

describe("characters an identifier may not hold", () => {
  it.each([
    ["a NUL", "other", "AB\u0000CD"],
    ["an escape", "euOutsideFrance", "DE\u001B123"],
    ["a line break inside", "outsideEu", "US 12\n34"],
    ["a C1 control", "ridet", "1234\u0085567"],
    ["a right-to-left override", "other", "\u202E4321"],
    ["a left-to-right isolate", "tahiti", "A\u2066123\u2069"],
    ["a SIRET with a control character between its digits", "siret", "7328293200\u00000074"],
    ["a SIRET with a bidi override", "siret", "\u202E73282932000074"],
  ] as const)("refuses %s: characters", (_, type, value) => {
    expect(checkIdentifier({ type, value })).toEqual({ ok: false, problem: "characters" });
  });

  it.each([
    ["zero-width spaces", "other", "\u200B\u200B"],
    ["a word joiner", "individual", "\u2060"],
    ["a Hangul filler", "ridet", "\u3164"],
    ["a zero-width space in a SIRET", "siret", "\u200B"],
  ] as const)("refuses an identifier with nothing visible (%s): characters", (_, type, value) => {
    expect(checkIdentifier({ type, value })).toEqual({ ok: false, problem: "characters" });
  });

  it.each([" \t ", "\uFEFF", "\u00A0"])("an identifier of what String#trim removes (%j) is « empty »", (value) => {
    expect(checkIdentifier({ type: "other", value })).toEqual({ ok: false, problem: "empty" });
  });
});
