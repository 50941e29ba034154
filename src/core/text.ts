/**
 * Rules on the text people type: what counts as blank, which characters are refused,
 * and the canonical form of a service code. One definition, used by the boundary
 * schemas and by the transitions.
 */

/**
 * Characters that show nothing: white space, format characters (zero-width spaces and
 * joiners, the byte-order mark, bidirectional marks), control characters, and the
 * blank letters some scripts have (Hangul fillers, braille blank).
 */
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]*$/u;
const EDGES = /^[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]+|[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]+$/gu;

/** Bidirectional embeddings, overrides and isolates: they can make text read backwards. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
/** Control characters, line breaks included. */
const CONTROLS = /\p{Cc}/u;
/** Control characters other than tab and line breaks (allowed in multi-line text). */
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/**
 * Whether a text has no visible character (empty, spaces, zero-width characters…).
 *
 * @example
 * ```ts
 * isBlank(" \u200B\u00A0"); // true
 * isBlank(" Doublon "); // false
 * ```
 */
export function isBlank(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * A text without the invisible characters at its ends, or `null` when nothing visible
 * is left (« blank means no visible character »).
 *
 * @example
 * ```ts
 * visibleText("  Personne inconnue\u200B "); // "Personne inconnue"
 * visibleText("\u200B\u200B"); // null
 * ```
 */
export function visibleText(text: string | undefined): string | null {
  if (text === undefined || isBlank(text)) return null;
  return text.replace(EDGES, "");
}

/** Why a text was refused by {@link textProblem}. */
export type TextProblem = "controlCharacter" | "bidiControl";

/**
 * What is wrong with a text, or `null`: a one-line text (name, label) refuses every
 * control character; a multi-line one (comment, reason) allows tab and line breaks.
 * Both refuse bidirectional overrides and isolates.
 *
 * @example
 * ```ts
 * textProblem("Lef\u202Eèvre", "line"); // "bidiControl"
 * textProblem("Ligne 1\nLigne 2", "multiline"); // null
 * ```
 */
export function textProblem(text: string, kind: "line" | "multiline"): TextProblem | null {
  if ((kind === "line" ? CONTROLS : CONTROLS_BUT_LINES).test(text)) return "controlCharacter";
  if (BIDI_CONTROLS.test(text)) return "bidiControl";
  return null;
}

/** The characters a service code is made of, once normalised. */
export const SERVICE_CODE_PATTERN = /^[A-Z0-9](?:[A-Z0-9_.-]{0,98}[A-Z0-9])?$/;

/**
 * The canonical form of a service code (`codeService`): Unicode compatibility form
 * (NFKC: full-width « Ａ » is « A »), trimmed, upper case. Codes are compared and kept
 * unique in this form; a canonical code matches {@link SERVICE_CODE_PATTERN}: 1 to 100
 * characters among A–Z, 0–9, `_`, `-` and `.`, starting and ending with a letter or a
 * digit.
 *
 * @example
 * ```ts
 * normalizeServiceCode(" ｃｏｍｐｔａ "); // "COMPTA"
 * ```
 */
export function normalizeServiceCode(code: string): string {
  return code.normalize("NFKC").trim().toUpperCase();
}
