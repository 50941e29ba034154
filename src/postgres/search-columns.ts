// The search values the PostgreSQL store keeps beside a user's JSON (migration 5),
// computed here in TypeScript by the core's functions, never by SQL: the database cannot
// reproduce `normalizeForSearch` (NFKD, marks removed, ligatures, folded punctuation).
import { normalizeForSearch } from "../core/search/normalize.js";
import { searchKeyOf } from "../core/search/query.js";
import type { User } from "../core/model.js";
import { normalizeLogin } from "../core/users/registerUser.js";

/**
 * A search key (or a position given as one) as the database stores and compares it.
 * `searchKeyOf` joins its parts with NUL, which PostgreSQL text cannot hold: NUL becomes
 * U+0001 U+0001 and U+0001 becomes U+0001 U+0002, and nothing else changes. No code is
 * a prefix of another and the codes keep the characters' order, so two keys compare in
 * the database (`COLLATE "C"`, by code point) as they compare in JavaScript, and
 * `key > after` holds there iff it holds here, for any `after`. (Code point order and
 * JavaScript's UTF-16 order still differ between characters above U+FFFF and
 * U+E000–U+FFFF: such names may sort otherwise than `searchReference` sorts them.)
 *
 * @example
 * ```ts
 * storedSearchKey("lefevre\u0000elodie\u0000e@x.fr\u0000u-1"); // "lefevre\u0001\u0001elodie\u0001\u0001e@x.fr\u0001\u0001u-1"
 * ```
 */
export function storedSearchKey(key: string): string {
  return key.replace(/[\u0000\u0001]/g, (c) => (c === "\u0000" ? "\u0001\u0001" : "\u0001\u0002"));
}

/** What a user write carries beside its JSON for `commit_unit()` to store (migration 5). */
export interface SearchColumns {
  /** {@link storedSearchKey} of `searchKeyOf(user)`: the search order. */
  readonly searchKey: string;
  /** The normalised last name, first name and login: what the criteria are substrings of. */
  readonly searchLast: string;
  readonly searchFirst: string;
  readonly searchLogin: string;
}

/**
 * The search values of a user, as migration 5's columns hold them.
 *
 * @example
 * ```ts
 * searchColumnsOf(elodie).searchLast; // "lefevre"
 * ```
 */
export function searchColumnsOf(user: Pick<User, "id" | "lastName" | "firstName" | "login">): SearchColumns {
  return {
    searchKey: storedSearchKey(searchKeyOf(user)),
    searchLast: normalizeForSearch(user.lastName),
    searchFirst: normalizeForSearch(user.firstName),
    searchLogin: normalizeForSearch(user.login),
  };
}

/** The columns a user's row holds beside its JSON, as the store writes them. */
export interface UserRowColumns extends SearchColumns {
  /** `normalizeLogin(user.login)`: the unique key of the login. */
  readonly loginKey: string;
}

/**
 * The columns the store writes beside a user's JSON (`users.login_key`, `search_key`,
 * `search_last`, `search_first`, `search_login`; `searchKey` also on each of the user's
 * `attachments` rows), for a host loading users in bulk with `COPY` instead of through
 * `commit` (docs/postgres.md, « Loading in bulk »). The other columns are generated from
 * the JSON by the database.
 *
 * @example
 * ```ts
 * import { userRowColumns } from "habilitations/postgres";
 * const { loginKey, searchKey } = userRowColumns(user); // loginKey "elodie.lefevre@mairie.fr"
 * ```
 */
export function userRowColumns(user: Pick<User, "id" | "lastName" | "firstName" | "login">): UserRowColumns {
  return { loginKey: normalizeLogin(user.login), ...searchColumnsOf(user) };
}
