// Helpers shared by the Chorus Pro operations (not part of the public API).
import { TZDate } from "@date-fns/tz";
import { formatISO } from "date-fns/formatISO";
import { z } from "zod";
import { sealedObject } from "../boundary.js";
import { checkIdentifier } from "../identifier.js";
import { IDENTIFIER_PROBLEM_MESSAGES } from "../schemas.js";
import type { Ok } from "../result.js";
import { normalizeForSearch } from "../search/normalize.js";
import { isBlank, textProblem } from "../text.js";
import { DEFAULT_TIME_ZONE, isLocalDate, type Instant, type LocalDate } from "../time.js";
import type { IdentifierType } from "../vocabulary.js";
import { chorusProIdentifierType, chorusProSortDirection, type ChorusProCodeTable } from "./codes.js";
import {
  CHORUS_PRO_DEFAULT_PAGE_SIZE,
  CHORUS_PRO_MAX_PAGE,
  CHORUS_PRO_MAX_PAGE_SIZE,
  type ChorusProListing,
  type ChorusProPaging,
} from "./listing.js";
import type { ChorusProStructureFields } from "./options.js";
import type { ParametresRetour, TypeIdentifiantStructure } from "./payloads.js";

/** A code of a table, in a request. */
export function codeSchema<C extends string>(table: ChorusProCodeTable<string, C>) {
  return z.enum(table.codes as unknown as readonly [C, ...C[]]);
}

/**
 * The schema of a request's paging and sorting object: absent or `null` fields take the
 * defaults, a page larger than the maximum is served at the maximum.
 */
export function pagingSchema<C extends string>(table: ChorusProCodeTable<string, C>, defaultColumn: C) {
  return sealedObject({
    pageResultatDemandee: z.int().min(1).max(CHORUS_PRO_MAX_PAGE).nullish(),
    nbResultatsParPage: z.int().min(1).nullish(),
    triColonne: codeSchema(table).nullish(),
    triSens: codeSchema(chorusProSortDirection).nullish(),
  })
    .nullish()
    .transform(
      (p): ChorusProPaging<C> => ({
        pageResultatDemandee: p?.pageResultatDemandee ?? 1,
        nbResultatsParPage: Math.min(p?.nbResultatsParPage ?? CHORUS_PRO_DEFAULT_PAGE_SIZE, CHORUS_PRO_MAX_PAGE_SIZE),
        triColonne: p?.triColonne ?? defaultColumn,
        triSens: p?.triSens ?? "Ascendant",
      }),
    );
}

/** A value a list is sorted by; `undefined` sorts first (the library has no such value). */
export type SortKey = string | number | boolean | undefined;

/** Text sorts by its search form (accents and case folded), then as written. */
export function textKey(text: string | undefined): SortKey {
  return text === undefined ? undefined : `${normalizeForSearch(text)}\u0000${text}`;
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a ? 1 : -1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * One page of rows, in the order asked: by the column (reversed when descending), then by
 * the tie-breakers (always ascending, so the order is total and stable), with the API's
 * `parametresRetour`.
 */
export function pageOf<T, C extends string>(
  rows: readonly T[],
  listing: ChorusProListing<C>,
  column: (row: T, sortBy: C) => SortKey,
  ties: readonly ((row: T) => SortKey)[],
): { readonly items: T[]; readonly parametresRetour: ParametresRetour } {
  const sign = listing.direction === "descending" ? -1 : 1;
  const keyed = rows.map((row) => ({ row, first: column(row, listing.sortBy), rest: ties.map((tie) => tie(row)) }));
  keyed.sort((a, b) => {
    const c = compareKeys(a.first, b.first) * sign;
    if (c !== 0) return c;
    for (let i = 0; i < a.rest.length; i++) {
      const t = compareKeys(a.rest[i], b.rest[i]);
      if (t !== 0) return t;
    }
    return 0;
  });
  const start = (listing.page - 1) * listing.pageSize;
  return {
    items: keyed.slice(start, start + listing.pageSize).map((k) => k.row),
    parametresRetour: {
      nbResultatsParPage: listing.pageSize,
      pageCourante: listing.page,
      pages: Math.ceil(rows.length / listing.pageSize),
      total: rows.length,
    },
  };
}

// ------------------------------------------------------------------- numbers, dates

const INT32_MAX = 2_147_483_647;

/** A number the API can carry as an int64 id, or `undefined` (a host's numbering gone wrong is left out, not sent). */
export function apiId(n: number | undefined): number | undefined {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** A number the API can carry as an int32 code, or `undefined`. */
export function apiInt32(n: number | undefined): number | undefined {
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= INT32_MAX ? n : undefined;
}

/**
 * A library date as the API's date-time: an instant as it is (`…Z`); a calendar date as
 * its midnight in `timeZone`, with the offset (`2026-12-01T00:00:00+01:00`).
 *
 * @throws RangeError for a time zone the platform does not know (a host's configuration error).
 */
export function dateTimeOf(value: LocalDate | Instant, timeZone: string = DEFAULT_TIME_ZONE): string {
  if (!isLocalDate(value)) return value;
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  return formatISO(new TZDate(y, m - 1, d, 0, 0, 0, timeZone));
}

/** Sets `key` on `target` only when `value` is defined (the API's fields are left out, never null). */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

// ------------------------------------------------------------------- request parts

/** A Chorus Pro id in a request: an integer the API types as int64 (JSON-safe here). */
export const ApiIdSchema = z.int().min(0);

/** A search text of a request: one line of at most 200 characters; blank means absent. */
export const SearchTextSchema = z
  .string()
  .max(200)
  .refine((text) => textProblem(text, "line") === null, "contient un caractère de contrôle ou bidirectionnel")
  .nullish()
  .transform((text) => (text === null || text === undefined || isBlank(text) ? null : text));

/** An object of a request without any field (a structure left out), read as the others are: without prototype. */
export const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze(Object.create(null) as Record<string, never>);

/** The fields a request names a structure with. */
export const StructureRefFields = {
  idStructure: ApiIdSchema.nullish(),
  identifiantStructure: z.string().max(200).nullish(),
  typeIdentifiantStructure: codeSchema(chorusProIdentifierType).nullish(),
};

/**
 * The fields naming a structure, normalised, or `null` with the issues that make them
 * name none: an identifier needs its type (and a type its identifier; the issue names the
 * one missing), an identifier is checked as the library checks one (a SIRET's key), and
 * at least one way is given.
 */
export function structureRef(
  fields: {
    readonly idStructure?: number | null | undefined;
    readonly identifiantStructure?: string | null | undefined;
    readonly typeIdentifiantStructure?: TypeIdentifiantStructure | null | undefined;
  },
  ctx: z.RefinementCtx,
  path: readonly (string | number)[],
): ChorusProStructureFields | null {
  const number = fields.idStructure ?? null;
  const value = fields.identifiantStructure ?? null;
  const typeCode = fields.typeIdentifiantStructure ?? null;
  const issue = (at: string | null, message: string) =>
    ctx.addIssue({ code: "custom", path: at === null ? [...path] : [...path, at], message });
  if ((value === null) !== (typeCode === null)) {
    issue(value === null ? "identifiantStructure" : "typeIdentifiantStructure", "identifiantStructure et typeIdentifiantStructure vont ensemble");
    return null;
  }
  const out: { idStructure?: number; identifiantStructure?: string; typeIdentifiantStructure?: TypeIdentifiantStructure } = {};
  if (number !== null) out.idStructure = number;
  if (value !== null && typeCode !== null) {
    const checked = checkIdentifier({ type: (chorusProIdentifierType.fromCode(typeCode) as Ok<IdentifierType>).value, value });
    if (!checked.ok) {
      issue("identifiantStructure", IDENTIFIER_PROBLEM_MESSAGES[checked.problem]);
      return null;
    }
    out.identifiantStructure = checked.identifier.value;
    out.typeIdentifiantStructure = typeCode;
  }
  if (number === null && out.identifiantStructure === undefined) {
    issue(null, "nommez la structure : idStructure, ou identifiantStructure avec typeIdentifiantStructure");
    return null;
  }
  return out;
}
