/**
 * What a Chorus Pro renderer is told beside the records: how the library's ids become
 * the API's numbers, the time zone of validity dates, and the space catalogue.
 *
 * The API numbers everything (`idStructureCPP`, `idService`, `codeEspace`: integers);
 * the library's ids are opaque strings. A host whose ids are Chorus Pro's own numbers
 * (`structureId("26346724")`) needs nothing: the default numbering reads decimal ids.
 * Any other host passes its own numbering; a record it cannot number is rendered
 * without that field (every field of the API's responses is optional).
 */
import type { StructureIdentifier } from "../identifier.js";
import type { ServiceId, SpaceCode, StructureId, UserId } from "../ids.js";
import type { SpaceCatalogue } from "../subscriptions/catalogue.js";
import { chorusProIdentifierType } from "./codes.js";

/** How the library's ids become the API's numbers. `undefined`: no number (the field is left out). */
export interface ChorusProIds {
  /** `idStructureCPP` / `idStructure` of a structure. */
  structure(id: StructureId): number | undefined;
  /** `idService` of a service. */
  service(id: ServiceId): number | undefined;
  /**
   * `codeEspace` of a space (an integer in the API). Without it, a space whose catalogue
   * `apiCode` is a decimal number has that number, and the others have none.
   */
  space?(code: SpaceCode): number | undefined;
}

/**
 * The number a decimal id stands for (`"26346724"` → 26346724), or `undefined` for any
 * other id (letters, leading zeros, beyond 2^53 − 1).
 *
 * @example
 * ```ts
 * decimalId("26346724"); // 26346724
 * decimalId("s-chu-lyon"); // undefined
 * decimalId("007"); // undefined
 * ```
 */
export function decimalId(id: string): number | undefined {
  if (!/^(?:0|[1-9]\d{0,15})$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * A numbering both ways: how the library's ids become the API's numbers (the responses),
 * and how a request's numbers find the records (`idStructureCPP: 42` names the structure
 * whose id `structureIdOf(42)` gives). What `createHabilitations` takes as `chorusProIds`:
 * the application's Chorus Pro queries read requests with it and render with it. The two
 * ways must agree (`structure(structureIdOf(n)) === n`); a record whose number does not
 * come back is not found. Synchronous, as the renderers are: a host keeping its numbers
 * in a table of its own keeps them in memory (or uses Chorus Pro's numbers as ids).
 */
export interface ChorusProNumbering extends ChorusProIds {
  /** The structure a request's `idStructureCPP` / `idStructure` names, or `undefined` (none: not found). */
  structureIdOf(number: number): StructureId | undefined;
  /** The service a request's `idService` names, or `undefined` (none: not found). */
  serviceIdOf(number: number): ServiceId | undefined;
  /**
   * The user a request's `idUtilisateur` names, or `undefined`. Without it, a user named
   * by number is not found: name them by `adresseEmailConnexionUtilisateur`.
   */
  userIdOf?(number: number): UserId | undefined;
}

/** The decimal id a number stands for (`26346724` → `"26346724"`), or `undefined` for a number no decimal id has. */
function decimalOf(n: number): string | undefined {
  return Number.isSafeInteger(n) && n >= 0 ? String(n) : undefined;
}

/**
 * The default numbering: decimal ids are their own numbers, other ids have none; a
 * request's number names the record whose id is that number written in decimal.
 *
 * @example
 * ```ts
 * DECIMAL_CHORUS_PRO_IDS.structure(structureId("26346724")); // 26346724
 * DECIMAL_CHORUS_PRO_IDS.structureIdOf(26346724); // "26346724"
 * ```
 */
export const DECIMAL_CHORUS_PRO_IDS: ChorusProNumbering = Object.freeze(
  // Without prototype: `space`, which it has not, reads as absent whatever a polluted
  // Object.prototype holds.
  Object.assign(Object.create(null) as object, {
    structure: (id: StructureId) => decimalId(id),
    service: (id: ServiceId) => decimalId(id),
    structureIdOf: (n: number) => decimalOf(n) as StructureId | undefined,
    serviceIdOf: (n: number) => decimalOf(n) as ServiceId | undefined,
    userIdOf: (n: number) => decimalOf(n) as UserId | undefined,
  }),
);

/** Options of every Chorus Pro renderer (a named object, so renderers grow without breaking callers). */
export interface ChorusProOptions {
  /** How ids become numbers; default {@link DECIMAL_CHORUS_PRO_IDS}. */
  readonly ids?: ChorusProIds;
  /**
   * The IANA time zone whose midnight a validity date (`validFrom`) stands for, when
   * written as the API's date-time (`dateDebut`); default Europe/Paris.
   */
  readonly timeZone?: string;
  /** The spaces' labels and API codes; default `CHORUS_PRO_SPACES`. */
  readonly catalogue?: SpaceCatalogue;
}

/**
 * A structure as a request names it: by its Chorus Pro number (`idStructure`), by its
 * identifier (`identifiantStructure` with `typeIdentifiantStructure`), or both (then both
 * must name it). A parsed request sets at least one.
 */
export interface ChorusProStructureRef {
  readonly number: number | null;
  readonly identifier: StructureIdentifier | null;
}

/** How a parsed request names a structure: the API's fields, the identifier normalised; at least one way set. */
export interface ChorusProStructureFields {
  readonly idStructure?: number;
  readonly identifiantStructure?: string;
  readonly typeIdentifiantStructure?: (typeof chorusProIdentifierType)["codes"][number];
}

/**
 * How a parsed request names a structure, in the library's words: its number and its
 * identifier (the parser has checked and normalised it).
 *
 * @example
 * ```ts
 * chorusProStructureRef({ identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET" });
 * // { number: null, identifier: { type: "siret", value: "26690027400017" } }
 * ```
 */
export function chorusProStructureRef(fields: ChorusProStructureFields): ChorusProStructureRef {
  const type = fields.typeIdentifiantStructure === undefined ? undefined : chorusProIdentifierType.fromCode(fields.typeIdentifiantStructure);
  return {
    number: fields.idStructure ?? null,
    identifier:
      fields.identifiantStructure !== undefined && type !== undefined && type.ok ? { type: type.value, value: fields.identifiantStructure } : null,
  };
}
