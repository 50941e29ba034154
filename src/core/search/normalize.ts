// The one normalisation of text for search and lookup (SPEC §3.5), in the core, once.

const COMBINING_MARKS = /\p{M}+/gu;
const LIGATURES: Readonly<Record<string, string>> = { œ: "oe", Œ: "oe", æ: "ae", Æ: "ae", ß: "ss", ẞ: "ss" };
const LIGATURE = /[œŒæÆßẞ]/g;
/** Apostrophes (straight, typographic, modifier letter, grave, prime) and hyphens (all dashes). */
const FOLDED = /['\u2018\u2019\u201B\u02B9\u02BB\u02BC\u0060\u00B4\u2032\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D-]/g;
/** Invisible characters that only join or hyphenate: removed (soft hyphen, zero-width joiners, word joiner). */
const INVISIBLE = /[\u00AD\u200C\u200D\u2060]/g;
const SPACES = /[\s\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]+/g;

/**
 * Text as search and lookup compare it: Unicode NFKD, combining marks removed, œ / æ / ß
 * expanded to oe / ae / ss, lower case, apostrophes, hyphens and runs of spaces folded to
 * one space, trimmed; soft hyphens and zero-width joiners removed. « Élodie » and "elodie" compare equal; « Lefèvre » contains "lef";
 * « D'Alembert-Œhler » becomes "d alembert oehler".
 *
 * @example
 * ```ts
 * normalizeForSearch("  Élodie  LEFÈVRE "); // "elodie lefevre"
 * normalizeForSearch("Jean-Pierre d’Œuf"); // "jean pierre d oeuf"
 * ```
 */
export function normalizeForSearch(text: string): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .normalize("NFKD") // lower case can decompose again (İ → i + dot above)
    .replace(COMBINING_MARKS, "")
    .replace(INVISIBLE, "")
    .replace(LIGATURE, (c) => LIGATURES[c] ?? c)
    .replace(FOLDED, " ")
    .replace(SPACES, " ")
    .trim();
}
