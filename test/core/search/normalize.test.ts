// SPEC §3.5: the one normalisation of search and lookup, in the core — Unicode NFKD,
// combining marks removed, œ/æ/ß expanded to oe/ae/ss, lower case, apostrophes, hyphens
// and runs of spaces folded to one space. Examples of each step, then properties.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { normalizeForSearch } from "../../../src/core/index.js";

describe("normalizeForSearch — examples of SPEC §3.5", () => {
  it.each([
    // the guide's own examples
    ["Élodie", "elodie"],
    ["Lefèvre", "lefevre"],
    ["  Élodie  LEFÈVRE ", "elodie lefevre"],
    // NFKD: compatibility forms become their plain letters and digits
    ["ﬀ", "ff"],
    ["ｅｌｏｄｉｅ", "elodie"],
    ["①", "1"],
    ["Ⅻ", "xii"],
    ["ǅ", "dz"],
    // combining marks removed, precomposed or not
    ["E\u0301lodie", "elodie"],
    ["ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ", "aaaceeeeiioouuuy"],
    ["Ñúñez Šťěpán Łódź", "nunez stepan łodz"],
    ["İstanbul", "istanbul"],
    // œ, æ, ß expanded, in either case
    ["Œuvre", "oeuvre"],
    ["sœur", "soeur"],
    ["Lætitia", "laetitia"],
    ["ÆSIR", "aesir"],
    ["Straße", "strasse"],
    ["STRAẞE", "strasse"],
    // lower case
    ["DUPONT", "dupont"],
    // apostrophes folded to one space, every kind
    ["D'Alembert", "d alembert"],
    ["O\u2019Neil", "o neil"],
    ["O\u2018Neil", "o neil"],
    ["O\u02BCNeil", "o neil"],
    ["O`Neil", "o neil"],
    ["O´Neil", "o neil"],
    // hyphens and dashes folded to one space, runs included
    ["Jean-Pierre", "jean pierre"],
    ["Jean--Pierre", "jean pierre"],
    ["Jean - Pierre", "jean pierre"],
    ["Jean\u2010Pierre", "jean pierre"],
    ["Jean\u2011Pierre", "jean pierre"],
    ["Jean\u2013Pierre", "jean pierre"],
    ["Jean\u2014Pierre", "jean pierre"],
    ["Jean\u2212Pierre", "jean pierre"],
    // runs of spaces of every kind folded to one, trimmed
    ["a \t b", "a b"],
    ["a\u00A0\u202F\u2009b", "a b"],
    ["a\u3000b", "a b"],
    ["\n a \r\n", "a"],
    // all of them at once
    ["D'Alembert-Œhler", "d alembert oehler"],
    ["Jean-Pierre d’Œuf", "jean pierre d oeuf"],
    ["  Marie-Thérèse  D’ARC--LÆTITIA ", "marie therese d arc laetitia"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeForSearch(input)).toBe(expected);
  });

  it("gives nothing for text without a letter: blank, only hyphens, only apostrophes, a lone mark", () => {
    for (const blank of ["", "   ", "\t\n", "---", "' ’ -", "\u0301", "¨"]) expect(normalizeForSearch(blank)).toBe("");
  });

  it("keeps what it does not fold: digits, @, dots, letters of other scripts", () => {
    expect(normalizeForSearch("Élodie.Lefèvre@Mairie-Lyon.fr")).toBe("elodie.lefevre@mairie lyon.fr");
    expect(normalizeForSearch("ΑΘΗΝΑ 2026")).toBe("αθηνα 2026");
  });

  it("makes « elodie » and « lef » parts of « Élodie Lefèvre »", () => {
    const name = normalizeForSearch("Élodie Lefèvre");
    expect(name).toContain(normalizeForSearch("elodie"));
    expect(name).toContain(normalizeForSearch("lef"));
    expect(name).toContain(normalizeForSearch("LEFÈ"));
  });
});

// ------------------------------------------------------------------------ properties

/** Characters that exercise every step: marks, ligatures, compatibility forms, apostrophes, hyphens, spaces, cases. */
const TRICKY = [
  "a", "Z", "é", "É", "e\u0301", "\u0301", "\u0308", "œ", "Œ", "æ", "Æ", "ß", "ẞ", "ﬀ", "ｅ", "Ａ", "①", "İ", "ı",
  "'", "\u2019", "\u02BC", "`", "´", "-", "\u2010", "\u2013", "\u2014", "\u2212",
  " ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u202F", "\u3000", "\uFEFF", "¨", "ǅ", "Ⅻ", "😀", "中", "Σ", "ς", "0", ".", "@",
] as const;
const trickyText = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 24 });
/** Any code points, astral ones included. */
const anyText = fc.string({ unit: "binary", maxLength: 24 });
const texts = fc.oneof(trickyText, anyText);

/** Latin letters with and without accents (Latin-1 Supplement and Latin Extended-A), and the separators of names. */
const LATIN = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  ..."ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ",
  ..."ĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž",
  ..."œŒæÆß",
  " ", "-", "'", "\u2019",
];
const latinName = fc.string({ unit: fc.constantFrom(...LATIN), maxLength: 20 });
/** What NFD plus the removal of marks leaves: the "same word without its accents". */
const stripAccents = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "");

describe("normalizeForSearch — properties", () => {
  test.prop([texts])("is idempotent", (text) => {
    const once = normalizeForSearch(text);
    expect(normalizeForSearch(once)).toBe(once);
  });

  test.prop([texts])(
    "gives no basic-Latin capital, no combining mark, no apostrophe nor hyphen, no space but single inner U+0020",
    (text) => {
      const out = normalizeForSearch(text);
      expect(out).not.toMatch(/[A-Z]/);
      expect(out).not.toMatch(/\p{M}/u);
      expect(out).not.toMatch(/['\u2019\u02BC`\u2010-\u2015\u2212-]/);
      expect(out).not.toContain("  ");
      expect(out).not.toMatch(/^ | $/);
      expect(out).not.toMatch(/[^\S ]/);
    },
  );

  test.prop([latinName])("accents do not matter: a Latin name and the same name stripped of its accents normalise alike", (name) => {
    expect(normalizeForSearch(name)).toBe(normalizeForSearch(stripAccents(name)));
  });

  test.prop([latinName])("case does not matter: a Latin name in upper or lower case normalises alike", (name) => {
    expect(normalizeForSearch(name.toUpperCase())).toBe(normalizeForSearch(name));
    expect(normalizeForSearch(name.toLowerCase())).toBe(normalizeForSearch(name));
  });

  test.prop([latinName, fc.nat(), fc.nat()])("partial: any piece of a Latin name, normalised, is part of the normalised name", (name, i, j) => {
    const [from, to] = [i % (name.length + 1), j % (name.length + 1)].sort((a, b) => a - b) as [number, number];
    expect(normalizeForSearch(name)).toContain(normalizeForSearch(name.slice(from, to)));
  });
});
