// core/text.ts: what counts as blank, which characters text may not hold, and the
// canonical form of a service code. The boundary schemas and the transitions share
// these rules (see schemas.test.ts for the schemas built on them).
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { isBlank, normalizeServiceCode, SERVICE_CODE_PATTERN, textProblem, visibleText } from "../../src/core/index.js";

/** Characters that show nothing, of every family text.ts knows. */
const INVISIBLES = [
  " ",
  "\t",
  "\n",
  "\r",
  "\u00A0", // no-break space
  "\u202F", // narrow no-break space
  "\u2028", // line separator
  "\u3000", // ideographic space
  "\u200B", // zero-width space
  "\u200C", // zero-width non-joiner
  "\u200D", // zero-width joiner
  "\u2060", // word joiner
  "\uFEFF", // byte-order mark
  "\u200E", // left-to-right mark
  "\u00AD", // soft hyphen
  "\u0000",
  "\u0085",
  "\u115F", // Hangul choseong filler
  "\u1160", // Hangul jungseong filler
  "\u3164", // Hangul filler
  "\uFFA0", // half-width Hangul filler
  "\u2800", // braille blank
  "\u180E", // Mongolian vowel separator
] as const;

/** Characters that show something. */
const VISIBLES = ["a", "É", "0", ".", "-", "€", "ß", "中", "😀", "·", "\u0410"] as const;

const blankText = fc.string({ unit: fc.constantFrom(...INVISIBLES), maxLength: 8 });
/** Text mixing both, so blank and non-blank strings are both frequent. */
const mixedText = fc.string({ unit: fc.constantFrom(...INVISIBLES, ...VISIBLES), maxLength: 10 });

const INVISIBLE_EDGE = /^[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]|[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]$/u;

describe("isBlank — « blank » means no visible character", () => {
  it.each(INVISIBLES.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, c]))(
    "a text made of %s alone is blank",
    (_, c) => {
      expect(isBlank(c)).toBe(true);
      expect(isBlank(c.repeat(3))).toBe(true);
    },
  );

  it("the empty text and any mix of invisible characters are blank", () => {
    expect(isBlank("")).toBe(true);
    expect(isBlank(" \u200B\u00A0\uFEFF\u3164\t\n")).toBe(true);
  });

  it.each(["a", " Doublon ", "\u200Bx", "x\u200B", "\u00A0.\u00A0", "0", "😀"])("%j is not blank", (text) => {
    expect(isBlank(text)).toBe(false);
  });

  test.prop([blankText])("any sequence of invisible characters is blank", (text) => {
    expect(isBlank(text)).toBe(true);
  });

  test.prop([blankText, fc.constantFrom(...VISIBLES), blankText])(
    "one visible character anywhere among invisible ones makes a text not blank",
    (before, visible, after) => {
      expect(isBlank(`${before}${visible}${after}`)).toBe(false);
    },
  );
});

describe("visibleText — the text without its invisible edges, or null when nothing visible is left", () => {
  it.each([
    ["  Personne inconnue\u200B ", "Personne inconnue"],
    ["\uFEFF\u00A0Doublon\u3164", "Doublon"],
    ["\u200B\nLigne 1\nLigne 2\t\u200B", "Ligne 1\nLigne 2"],
    ["Jean\u200B\u00A0Pierre", "Jean\u200B\u00A0Pierre"],
    ["x", "x"],
  ])("%j is %j (the inside kept as typed)", (text, visible) => {
    expect(visibleText(text)).toBe(visible);
  });

  it.each(["", "   ", "\u200B\u200B", "\uFEFF", "\u00A0", "\u3164", "\u200B\n\t"])("%j is null", (text) => {
    expect(visibleText(text)).toBeNull();
  });

  it("an absent text is null", () => {
    expect(visibleText(undefined)).toBeNull();
  });

  test.prop([mixedText])("visibleText(s) is null exactly when s is blank", (text) => {
    expect(visibleText(text) === null).toBe(isBlank(text));
  });

  test.prop([fc.string({ unit: "grapheme", maxLength: 20 })])(
    "for any text (any Unicode): null exactly when blank; else a visible part of it, without invisible edges, fixed by visibleText",
    (text) => {
      const visible = visibleText(text);
      expect(visible === null).toBe(isBlank(text));
      if (visible === null) return;
      expect(isBlank(visible)).toBe(false);
      expect(visible).not.toMatch(INVISIBLE_EDGE);
      expect(text).toContain(visible);
      expect(visibleText(visible)).toBe(visible);
    },
  );

  test.prop([blankText, fc.string({ unit: fc.constantFrom(...VISIBLES), minLength: 1, maxLength: 6 }), blankText])(
    "invisible characters around a visible text are exactly what is taken away",
    (before, core, after) => {
      expect(visibleText(`${before}${core}${after}`)).toBe(core);
    },
  );
});

describe("textProblem — control characters and bidirectional overrides", () => {
  it.each([
    ["NUL", "a\u0000b"],
    ["BEL", "\u0007"],
    ["ESC", "\u001B[31m"],
    ["DEL", "a\u007F"],
    ["a C1 control", "a\u0085b"],
    ["a vertical tab", "a\u000Bb"],
    ["a form feed", "a\u000Cb"],
  ])("refuses %s in one line and in several lines: controlCharacter", (_, text) => {
    expect(textProblem(text, "line")).toBe("controlCharacter");
    expect(textProblem(text, "multiline")).toBe("controlCharacter");
  });

  it.each([
    ["a line feed", "Ligne 1\nLigne 2"],
    ["a tab", "Col 1\tCol 2"],
    ["a carriage return", "Ligne 1\r\nLigne 2"],
  ])("a multi-line text may hold %s; a one-line text may not", (_, text) => {
    expect(textProblem(text, "multiline")).toBeNull();
    expect(textProblem(text, "line")).toBe("controlCharacter");
  });

  it.each([
    ["U+202A (left-to-right embedding)", "\u202A"],
    ["U+202B (right-to-left embedding)", "\u202B"],
    ["U+202C (pop directional formatting)", "\u202C"],
    ["U+202D (left-to-right override)", "\u202D"],
    ["U+202E (right-to-left override)", "\u202E"],
    ["U+2066 (left-to-right isolate)", "\u2066"],
    ["U+2067 (right-to-left isolate)", "\u2067"],
    ["U+2068 (first-strong isolate)", "\u2068"],
    ["U+2069 (pop directional isolate)", "\u2069"],
  ])("refuses %s in any text: bidiControl", (_, c) => {
    expect(textProblem(`Lef${c}èvre`, "line")).toBe("bidiControl");
    expect(textProblem(`Motif${c}\nsuite`, "multiline")).toBe("bidiControl");
  });

  it.each(["Lefèvre", "Ressources\u00A0humaines", "Jean\u200DPierre", "مرحبا", "\u200E", "😀", ""])(
    "accepts %j (no control, no override: marks and other scripts are fine)",
    (text) => {
      expect(textProblem(text, "line")).toBeNull();
      expect(textProblem(text, "multiline")).toBeNull();
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom(...VISIBLES, " ", "\u00A0", "\u200B", "\n", "\t", "\r"), maxLength: 12 })])(
    "over printable text and line breaks: multi-line accepts all; one-line refuses exactly those with a line break or tab",
    (text) => {
      expect(textProblem(text, "multiline")).toBeNull();
      expect(textProblem(text, "line")).toBe(/[\n\t\r]/.test(text) ? "controlCharacter" : null);
    },
  );

  test.prop([fc.string({ unit: "grapheme", maxLength: 20 })])(
    "one-line is stricter than multi-line: whatever a one-line text accepts, a multi-line one accepts",
    (text) => {
      if (textProblem(text, "line") === null) expect(textProblem(text, "multiline")).toBeNull();
    },
  );
});

describe("normalizeServiceCode — the canonical form of a service code", () => {
  it.each([
    ["\uFF21\uFF11", "A1"], // « Ａ1 »: full-width letter (NFKC)
    [" \uFF43\uFF4F\uFF4D\uFF50\uFF54\uFF41 ", "COMPTA"], // « ｃｏｍｐｔａ »
    ["compta", "COMPTA"],
    ["  rh  ", "RH"],
    ["Etat-Civil", "ETAT-CIVIL"],
    ["\uFB01nances", "FINANCES"], // the « ﬁ » ligature is « fi »
    ["COMPTA", "COMPTA"],
  ])("%j is %j", (code, canonical) => {
    expect(normalizeServiceCode(code)).toBe(canonical);
  });

  it("keeps what is not a letter to upper-case, so the pattern can refuse it", () => {
    expect(normalizeServiceCode("A1\u0000")).toBe("A1\u0000");
    expect(SERVICE_CODE_PATTERN.test(normalizeServiceCode("A1\u0000"))).toBe(false);
  });

  const codeLike = fc.string({
    unit: fc.oneof(
      fc.constantFrom(..."abcxyzABCXYZ0189_.- "),
      fc.integer({ min: 0xff01, max: 0xff5e }).map((c) => String.fromCodePoint(c)), // full-width ASCII
      fc.constantFrom("\u00A0", "\u3000", "\uFB01", "\u2160"), // spaces, ligature, Roman numeral Ⅰ
    ),
    maxLength: 12,
  });

  test.prop([codeLike])("is idempotent on what people type as a code (ASCII, full-width, spaces, ligatures)", (code) => {
    const once = normalizeServiceCode(code);
    expect(normalizeServiceCode(once)).toBe(once);
  });

  test.prop([fc.oneof(codeLike, fc.string({ unit: "grapheme", maxLength: 12 }))])(
    "is idempotent on every code the pattern accepts, whatever was typed (any Unicode)",
    (code) => {
      const once = normalizeServiceCode(code);
      if (SERVICE_CODE_PATTERN.test(once)) expect(normalizeServiceCode(once)).toBe(once);
    },
  );

  test.prop([codeLike])("the canonical form has no lower-case letter and no space at its ends", (code) => {
    const once = normalizeServiceCode(code);
    expect(once).toBe(once.toUpperCase());
    expect(once).toBe(once.trim());
  });
});
