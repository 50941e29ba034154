import { isBlank, textProblem } from "./text.js";
import type { IdentifierType } from "./vocabulary.js";

/** A structure's identifier: its type and its normalised value. */
export interface StructureIdentifier {
  readonly type: IdentifierType;
  readonly value: string;
}

/** Why an identifier was refused. */
export type IdentifierProblem =
  | "empty"
  | "siretFormat" // not 14 digits
  | "siretCheckKey" // 14 digits whose key is wrong
  | "tooLong"
  | "characters"; // control characters, bidirectional overrides, or nothing visible

/** SIREN of La Poste, whose establishments use a different SIRET check (INSEE). */
const LA_POSTE_SIREN = "356000000";

/**
 * Removes what people type between the digits of an identifier: spaces (including
 * non-breaking ones) and dots. Letters are upper-cased.
 *
 * @example
 * ```ts
 * normalizeIdentifierValue(" 732 829 320.00074 "); // "73282932000074"
 * ```
 */
export function normalizeIdentifierValue(value: string): string {
  return value.replace(/[\s.\u00a0\u202f]/g, "").toUpperCase();
}

/**
 * Whether a normalised 14-character string is a valid SIRET as INSEE defines it:
 * 14 digits whose Luhn key is right, except for La Poste's establishments (SIREN
 * 356 000 000), whose digits must add up to a multiple of 5.
 *
 * @example
 * ```ts
 * isValidSiret("73282932000074"); // true
 * isValidSiret("73282932000075"); // false
 * ```
 */
export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== "35600000000048") {
    // La Poste's establishments (other than its head office, which follows Luhn).
    let sum = 0;
    for (const c of siret) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return luhn(siret);
}

function luhn(digits: string): boolean {
  let sum = 0;
  // From the right: every second digit doubled.
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Longest identifier value accepted, whatever its type. */
export const MAX_IDENTIFIER_LENGTH = 80;

/**
 * Normalises an identifier and checks it: a SIRET must pass INSEE's check; any
 * other type must be non-empty and at most {@link MAX_IDENTIFIER_LENGTH} characters.
 *
 * @returns the normalised identifier, or the problem found.
 *
 * @example
 * ```ts
 * checkIdentifier({ type: "siret", value: "732 829 320 00074" });
 * // { ok: true, identifier: { type: "siret", value: "73282932000074" } }
 * checkIdentifier({ type: "siret", value: "12345678901234" });
 * // { ok: false, problem: "siretCheckKey" }
 * ```
 */
export function checkIdentifier(
  input: StructureIdentifier,
): { ok: true; identifier: StructureIdentifier } | { ok: false; problem: IdentifierProblem } {
  const value =
    input.type === "siret" ? normalizeIdentifierValue(input.value) : input.value.trim();
  if (value === "") return { ok: false, problem: "empty" };
  if (textProblem(value, "line") !== null || isBlank(value)) return { ok: false, problem: "characters" };
  if (value.length > MAX_IDENTIFIER_LENGTH) return { ok: false, problem: "tooLong" };
  if (input.type === "siret") {
    if (!/^\d{14}$/.test(value)) return { ok: false, problem: "siretFormat" };
    if (!isValidSiret(value)) return { ok: false, problem: "siretCheckKey" };
  }
  return { ok: true, identifier: { type: input.type, value } };
}
