// What a user search asks of a store, and the reference answer: the rules as pure
// functions, which every store's indexes must agree with.
import type { ServiceId, StructureId } from "../ids.js";
import type { User } from "../model.js";
import type { AccountStatus } from "../vocabulary.js";
import { accountStructures } from "../accounts/activation.js";
import { normalizeForSearch } from "./normalize.js";

/**
 * A search as a store runs it, already scoped and normalised by the application: the
 * users of some structures (attached to one of them, or created for one of them),
 * optionally of one service, whose normalised names and login contain the given texts,
 * in search order, after a position.
 */
export interface UserSearchQuery {
  /** The structures searched (the actor's, narrowed by designation): at least one. */
  readonly structureIds: readonly StructureId[];
  /** Users attached to this service: its structure must be one of `structureIds`; a whole-structure attachment covers every service. */
  readonly service?: { readonly structureId: StructureId; readonly serviceId: ServiceId };
  /** Normalised ({@link normalizeForSearch}) substrings; absent: any. */
  readonly lastName?: string;
  readonly firstName?: string;
  readonly login?: string;
  readonly status?: AccountStatus;
  /** The {@link searchKeyOf} of the last user of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

/**
 * Where a user sorts in search results: normalised last name, first name, then login and
 * id, joined so that plain string order is the order of the tuple.
 *
 * @example
 * ```ts
 * searchKeyOf(elodie); // "lefevre\u0000elodie\u0000elodie.lefevre@mairie-lyon.fr\u0000usr_1"
 * ```
 */
export function searchKeyOf(user: Pick<User, "id" | "lastName" | "firstName" | "login">): string {
  return `${normalizeForSearch(user.lastName)}\u0000${normalizeForSearch(user.firstName)}\u0000${user.login}\u0000${user.id}`;
}

/** The structures a user belongs to for search: attached to, or created for. */
export function searchStructuresOf(user: User): readonly StructureId[] {
  return accountStructures(user);
}

/**
 * Whether a user answers a search query (everything but the position and the limit).
 *
 * @example
 * ```ts
 * matchesSearch(elodie, { structureIds: [mairie.id], lastName: "lef", limit: 50 }); // true
 * ```
 */
export function matchesSearch(user: User, query: UserSearchQuery): boolean {
  const inScope = searchStructuresOf(user).some((s) => query.structureIds.includes(s));
  if (!inScope) return false;
  if (query.service !== undefined) {
    const { structureId, serviceId } = query.service;
    const attachment = user.attachments.find((a) => a.structureId === structureId);
    if (attachment === undefined) return false;
    if (attachment.scope.kind === "services" && !attachment.scope.serviceIds.includes(serviceId)) return false;
  }
  if (query.status !== undefined && user.status !== query.status) return false;
  if (query.lastName !== undefined && !normalizeForSearch(user.lastName).includes(query.lastName)) return false;
  if (query.firstName !== undefined && !normalizeForSearch(user.firstName).includes(query.firstName)) return false;
  if (query.login !== undefined && !normalizeForSearch(user.login).includes(query.login)) return false;
  return true;
}

/**
 * The reference answer to a search over a set of users: those that match, in search
 * order, after the position, at most `limit`, each once. A store's answer must equal
 * it; it reads every user, so it is for tests and small sets.
 *
 * @example
 * ```ts
 * searchReference(allUsers, { structureIds: [mairie.id], firstName: "elodie", limit: 20 }).map((u) => u.id);
 * ```
 */
export function searchReference(users: Iterable<User>, query: UserSearchQuery): User[] {
  const found: { key: string; user: User }[] = [];
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.id) || !matchesSearch(user, query)) continue;
    const key = searchKeyOf(user);
    if (query.after !== undefined && key <= query.after) continue;
    seen.add(user.id);
    found.push({ key, user });
  }
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return found.slice(0, query.limit).map((f) => f.user);
}
