/**
 * Paging and sorting as the API asks for them (`pageResultatDemandee`,
 * `nbResultatsParPage`, `triColonne`, `triSens`) and answers them (`parametresRetour`),
 * shared by the operations that list.
 */
import type { Ok } from "../result.js";
import { chorusProSortDirection, type ChorusProCodeTable, type SortDirection } from "./codes.js";

/** The page size served when a request names none. */
export const CHORUS_PRO_DEFAULT_PAGE_SIZE = 100;
/** The largest page served: a request for more is served this many (and `parametresRetour` says so). */
export const CHORUS_PRO_MAX_PAGE_SIZE = 1000;
/** The largest page number accepted: `pageCourante` is a 32-bit integer in the API. */
export const CHORUS_PRO_MAX_PAGE = 2_147_483_647;

/** What a successful response starts with (`codeRetour` 0, the API's success message code). */
export const CHORUS_PRO_SUCCESS: { readonly codeRetour: 0; readonly libelle: "TRA_MSG_00.000" } = Object.freeze({
  codeRetour: 0,
  libelle: "TRA_MSG_00.000",
});

/** Which page of a list, in what order. */
export interface ChorusProListing<C extends string> {
  /** `pageResultatDemandee`, from 1 (default 1). */
  readonly page: number;
  /** `nbResultatsParPage`, at most {@link CHORUS_PRO_MAX_PAGE_SIZE} (default {@link CHORUS_PRO_DEFAULT_PAGE_SIZE}). */
  readonly pageSize: number;
  /** `triColonne`, as the library names the column. */
  readonly sortBy: C;
  /** `triSens` (default ascending). */
  readonly direction: SortDirection;
}

/** A request's paging and sorting object (`parametres…`) as parsed: every field set. */
export interface ChorusProPaging<C extends string> {
  /** From 1 (default 1). */
  readonly pageResultatDemandee: number;
  /** At most {@link CHORUS_PRO_MAX_PAGE_SIZE} (default {@link CHORUS_PRO_DEFAULT_PAGE_SIZE}). */
  readonly nbResultatsParPage: number;
  /** One of the operation's columns (default: its first key, see each operation). */
  readonly triColonne: C;
  /** Default `Ascendant`. */
  readonly triSens: (typeof chorusProSortDirection)["codes"][number];
}

/**
 * A parsed paging object in the library's words: the page, its size, the column as the
 * library names it, the direction.
 *
 * @example
 * ```ts
 * chorusProListing(
 *   { pageResultatDemandee: 2, nbResultatsParPage: 10, triColonne: "StatutRattachement", triSens: "Descendant" },
 *   chorusProAttachmentSort,
 * );
 * // { page: 2, pageSize: 10, sortBy: "status", direction: "descending" }
 * ```
 */
export function chorusProListing<V extends string, C extends string>(
  paging: ChorusProPaging<C>,
  columns: ChorusProCodeTable<V, C>,
): ChorusProListing<V> {
  return {
    page: paging.pageResultatDemandee,
    pageSize: paging.nbResultatsParPage,
    sortBy: (columns.fromCode(paging.triColonne) as Ok<V>).value,
    direction: (chorusProSortDirection.fromCode(paging.triSens) as Ok<SortDirection>).value,
  };
}
