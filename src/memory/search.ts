// The memory store's search indexes (guide §5): per structure, its users (attached, or
// created for it) in search order, in an ordered set of bounded chunks; and the lookup by
// exact names. Both hold the users' table slots, so a page reaches each record directly.
import type { StructureId, User } from "../core/index.js";
import { normalizeForSearch } from "../core/search/normalize.js";
import { searchKeyOf, searchStructuresOf, type UserSearchQuery } from "../core/search/query.js";
import type { UserSlot } from "./records.js";
import { SortedSet } from "./sorted.js";

const STATUS_CODE = { pendingActivation: "p", active: "a", deactivated: "d" } as const;

/**
 * A user's entry in a structure's search index: the core's search key, then U+0001 and
 * the account status's letter. Ids hold no U+0001, so entries sort as their keys do, and
 * a page decides names and status from the entry alone, touching the user records only
 * of what it keeps (or when the query needs more than names and status).
 */
const entryOf = (user: User) => `${searchKeyOf(user)}\u0001${STATUS_CODE[user.status]}`;

/** The normalised "last\u0000first" part of an entry. */
const nameKeyOf = (entry: string) => entry.slice(0, entry.indexOf("\u0000", entry.indexOf("\u0000") + 1));

const slotEntry = (slot: UserSlot) => slot.entry;

/**
 * The part of `matchesSearch` an index entry decides alone: names and status (the
 * property tests compare the whole with the reference).
 */
function entryMatches(entry: string, query: UserSearchQuery): boolean {
  if (query.lastName !== undefined || query.firstName !== undefined) {
    const sep1 = entry.indexOf("\u0000");
    if (query.lastName !== undefined) {
      const at = entry.indexOf(query.lastName);
      if (at < 0 || at + query.lastName.length > sep1) return false;
    }
    if (query.firstName !== undefined) {
      const sep2 = entry.indexOf("\u0000", sep1 + 1);
      const at = entry.indexOf(query.firstName, sep1 + 1);
      if (at < 0 || at + query.firstName.length > sep2) return false;
    }
  }
  return query.status === undefined || entry.charCodeAt(entry.length - 1) === STATUS_CODE[query.status].charCodeAt(0);
}

/** The rest of `matchesSearch`, which needs the record: the service and the login. */
function recordMatches(user: User, query: UserSearchQuery): boolean {
  if (query.service !== undefined) {
    const { structureId, serviceId } = query.service;
    const attachment = user.attachments.find((a) => a.structureId === structureId);
    if (attachment === undefined) return false;
    if (attachment.scope.kind === "services" && !attachment.scope.serviceIds.includes(serviceId)) return false;
  }
  return query.login === undefined || normalizeForSearch(user.login).includes(query.login);
}

const sameStructures = (a: readonly StructureId[], b: readonly StructureId[]) => a.length === b.length && a.every((s) => b.includes(s));

/** The search index of every structure, and the lookup by names. */
export class SearchIndex {
  private readonly byStructure = new Map<StructureId, SortedSet<UserSlot>>();
  /** Normalised "last\u0000first" → the user of those names, or a set once two users share them. */
  private readonly names = new Map<string, UserSlot | Set<UserSlot>>();

  private setOf(structureId: StructureId): SortedSet<UserSlot> {
    let set = this.byStructure.get(structureId);
    if (set === undefined) this.byStructure.set(structureId, (set = new SortedSet<UserSlot>(slotEntry)));
    return set;
  }

  private addName(key: string, slot: UserSlot): void {
    const known = this.names.get(key);
    if (known === undefined) this.names.set(key, slot);
    else if (known instanceof Set) known.add(slot);
    else if (known !== slot) this.names.set(key, new Set([known, slot]));
  }

  private deleteName(key: string, slot: UserSlot): void {
    const known = this.names.get(key);
    if (known === slot) this.names.delete(key);
    else if (known instanceof Set) {
      known.delete(slot);
      if (known.size === 1) this.names.set(key, known.values().next().value as UserSlot);
    }
  }

  /**
   * Indexes a user's new version (`before` undefined for a new user); the slot's row is
   * the caller's to update. Nothing is done when the fields the indexes read (names,
   * login, status, structures) did not change.
   */
  index(slot: UserSlot, before: User | undefined, after: User): void {
    const keeps =
      before !== undefined &&
      before.lastName === after.lastName &&
      before.firstName === after.firstName &&
      before.login === after.login &&
      before.status === after.status;
    if (keeps && before.attachments === after.attachments && before.createdFor === after.createdFor) return;
    const beforeEntry = slot.entry;
    const afterEntry = keeps ? beforeEntry : entryOf(after);
    const afterIn = searchStructuresOf(after);
    if (before !== undefined) {
      const beforeIn = searchStructuresOf(before);
      const same = beforeEntry === afterEntry;
      if (same && sameStructures(beforeIn, afterIn)) return;
      for (const s of beforeIn) if (!same || !afterIn.includes(s)) this.byStructure.get(s)?.delete(beforeEntry);
      if (!same) this.deleteName(nameKeyOf(beforeEntry), slot);
      slot.entry = afterEntry;
      for (const s of afterIn) this.setOf(s).add(slot);
      if (!same) this.addName(nameKeyOf(afterEntry), slot);
      return;
    }
    slot.entry = afterEntry;
    for (const s of afterIn) this.setOf(s).add(slot);
    this.addName(nameKeyOf(afterEntry), slot);
  }

  /**
   * A search page: a merge, in search order, of the searched structures' search indexes
   * from the position on, each user once, kept when it matches; it reads the members of
   * those structures only, and stops as soon as the page is full.
   */
  page(query: UserSearchQuery): User[] {
    const CHUNK = 256;
    // Entries are the keys with a suffix: start from `after`, and skip, at the start, the
    // entries whose key is not past it (the user at the position itself).
    const after = query.after;
    let atStart = after !== undefined;
    const heads = query.structureIds.flatMap((s) => {
      const set = this.byStructure.get(s);
      return set === undefined ? [] : [{ set, buf: [] as UserSlot[], pos: 0, after, done: false }];
    });
    const peek = (h: (typeof heads)[number]): UserSlot | undefined => {
      if (h.pos >= h.buf.length) {
        if (h.done) return undefined;
        h.buf = h.set.page(h.after, CHUNK);
        h.pos = 0;
        if (h.buf.length < CHUNK) h.done = true;
        if (h.buf.length === 0) return undefined;
        h.after = (h.buf[h.buf.length - 1] as UserSlot).entry;
      }
      return h.buf[h.pos];
    };
    const found: User[] = [];
    const needsRecord = query.service !== undefined || query.login !== undefined;
    const single = heads.length === 1 ? heads[0] : undefined;
    while (found.length < query.limit) {
      let min: UserSlot | undefined;
      if (single !== undefined) {
        min = peek(single);
        if (min === undefined) break;
        single.pos++;
      } else {
        for (const h of heads) {
          const k = peek(h);
          if (k !== undefined && (min === undefined || k.entry < min.entry)) min = k;
        }
        if (min === undefined) break;
        for (const h of heads) if (peek(h) === min) h.pos++;
      }
      const entry = min.entry;
      if (atStart) {
        if (entry.slice(0, entry.lastIndexOf("\u0001")) <= (after as string)) continue;
        atStart = false;
      }
      if (!entryMatches(entry, query)) continue;
      const user = min.row.value;
      if (needsRecord && !recordMatches(user, query)) continue;
      found.push(user);
    }
    return found;
  }

  /** The users of exactly these normalised names, in search order, at most `limit`. */
  byNames(lastName: string, firstName: string, limit: number): User[] {
    const known = this.names.get(`${lastName}\u0000${firstName}`);
    if (known === undefined) return [];
    const slots = known instanceof Set ? [...known] : [known];
    return slots
      .map((slot) => ({ key: searchKeyOf(slot.row.value), u: slot.row.value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit)
      .map((x) => x.u);
  }
}
