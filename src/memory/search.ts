// The memory store's search indexes (guide §5): per structure, its users (attached, or
// created for it) in search order, in an ordered set of bounded chunks; and the lookup by
// exact names. Both hold the users' table slots, so a page reaches each record directly.
import type { StructureId, User } from "../core/index.js";
import type { UserExportRow } from "../core/search/csv.js";
import { normalizeForSearch } from "../core/search/normalize.js";
import { searchKeyOf, searchStructuresOf, type UserSearchQuery } from "../core/search/query.js";
import { ExportBlock, exportCellsChanged } from "./export.js";
import type { UserSlot } from "./records.js";
import { SortedSet, type ViewedPage } from "./sorted.js";

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

/** A structure's search index: its users' slots in search order, each chunk with its export rows once read. */
type StructureSet = SortedSet<UserSlot, ExportBlock>;

/** How many entries a merge reads from one structure's index at a time. */
const CHUNK = 256;

/** One structure's index as a merge reads it: the entries read ahead, and where it stands. */
interface Head {
  readonly set: StructureSet;
  /** The entries read ahead, with their chunk's export rows and index there when the merge asked for them. */
  buf: ViewedPage<UserSlot, ExportBlock>;
  pos: number;
  after: string | undefined;
  done: boolean;
}

const derive = (slots: readonly UserSlot[]) => ExportBlock.of(slots);

/** The search index of every structure, and the lookup by names. */
export class SearchIndex {
  private readonly byStructure = new Map<StructureId, StructureSet>();
  /** Normalised "last\u0000first" → the user of those names, or a set once two users share them. */
  private readonly names = new Map<string, UserSlot | Set<UserSlot>>();

  private setOf(structureId: StructureId): StructureSet {
    let set = this.byStructure.get(structureId);
    if (set === undefined) this.byStructure.set(structureId, (set = new SortedSet<UserSlot, ExportBlock>(slotEntry)));
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
   * login, status, structures) did not change, but for the export rows kept of the user's
   * chunks: dropped when a field the export reads changed (they are made again when next
   * read).
   */
  index(slot: UserSlot, before: User | undefined, after: User): void {
    const keeps =
      before !== undefined &&
      before.lastName === after.lastName &&
      before.firstName === after.firstName &&
      before.login === after.login &&
      before.status === after.status;
    if (keeps && before.attachments === after.attachments && before.createdFor === after.createdFor) {
      if (exportCellsChanged(before, after)) for (const s of searchStructuresOf(after)) this.byStructure.get(s)?.touch(slot.entry);
      return;
    }
    const beforeEntry = slot.entry;
    const afterEntry = keeps ? beforeEntry : entryOf(after);
    const afterIn = searchStructuresOf(after);
    if (before !== undefined) {
      const beforeIn = searchStructuresOf(before);
      const same = beforeEntry === afterEntry;
      for (const s of beforeIn) if (!same || !afterIn.includes(s)) this.byStructure.get(s)?.delete(beforeEntry);
      if (!same) this.deleteName(nameKeyOf(beforeEntry), slot);
      slot.entry = afterEntry;
      // Kept where it was (same entry, same structure): its chunk's export rows may read what changed.
      for (const s of afterIn) {
        const set = this.setOf(s);
        if (same && beforeIn.includes(s)) set.touch(afterEntry);
        else set.add(slot);
      }
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
    const found: User[] = [];
    this.merge(query, false, (head) => found.push((head.buf.items[head.pos] as UserSlot).row.value));
    return found;
  }

  /**
   * The export rows of a search page: the users {@link page} finds, in its order, as
   * `userExportRow` gives them, read from the export rows each chunk keeps (made when a
   * chunk is first read, again after it changed).
   */
  exportRows(query: UserSearchQuery): UserExportRow[] {
    const rows: UserExportRow[] = [];
    this.merge(query, true, (head) => rows.push((head.buf.views[head.pos] as ExportBlock).row(head.buf.at[head.pos] as number)));
    return rows;
  }

  /**
   * The merge behind {@link page} and {@link exportRows}: calls `take` with the head
   * standing on each user kept, in order, until `query.limit` users were taken. A user's
   * slot (its entry, its record) is read only when the query needs it: names or status
   * (the entry), a service or a login (the record), or a merge of several structures.
   */
  private merge(query: UserSearchQuery, views: boolean, take: (head: Head) => void): void {
    // Entries are the keys with a suffix: start from `after`, and skip, at the start, the
    // entries whose key is not past it (the user at the position itself).
    const after = query.after;
    let atStart = after !== undefined;
    const empty = (): ViewedPage<UserSlot, ExportBlock> => ({ items: [], views: [], at: [] });
    const heads: Head[] = query.structureIds.flatMap((s) => {
      const set = this.byStructure.get(s);
      return set === undefined ? [] : [{ set, buf: empty(), pos: 0, after, done: false }];
    });
    const peek = (h: Head): UserSlot | undefined => {
      if (h.pos >= h.buf.items.length) {
        if (h.done) return undefined;
        if (views) {
          h.buf = empty();
          h.set.pageViews(h.after, CHUNK, derive, h.buf);
        } else h.buf = { items: h.set.page(h.after, CHUNK), views: [], at: [] };
        h.pos = 0;
        if (h.buf.items.length < CHUNK) h.done = true;
        if (h.buf.items.length === 0) return undefined;
        h.after = (h.buf.items[h.buf.items.length - 1] as UserSlot).entry;
      }
      return h.buf.items[h.pos];
    };
    const needsEntry = query.lastName !== undefined || query.firstName !== undefined || query.status !== undefined;
    const needsRecord = query.service !== undefined || query.login !== undefined;
    const single = heads.length === 1 ? heads[0] : undefined;
    for (let taken = 0; taken < query.limit; ) {
      let min: UserSlot | undefined;
      let at: Head | undefined;
      if (single !== undefined) {
        min = peek(single);
        if (min === undefined) break;
        at = single;
      } else {
        for (const h of heads) {
          const k = peek(h);
          if (k !== undefined && (min === undefined || k.entry < min.entry)) {
            min = k;
            at = h;
          }
        }
        if (min === undefined || at === undefined) break;
      }
      // The head standing on it is advanced after `take`; the others, which hold it too, now.
      for (const h of heads) if (h !== at && peek(h) === min) h.pos++;
      const kept = this.keeps(min, query, atStart, needsEntry, needsRecord);
      if (kept !== "before") atStart = false;
      if (kept === true) {
        take(at);
        taken++;
      }
      at.pos++;
    }
  }

  /** Whether the merge keeps a user: `"before"` while at the position itself (or before it). */
  private keeps(slot: UserSlot, query: UserSearchQuery, atStart: boolean, needsEntry: boolean, needsRecord: boolean): boolean | "before" {
    if (atStart || needsEntry) {
      const entry = slot.entry;
      if (atStart && entry.slice(0, entry.lastIndexOf("\u0001")) <= (query.after as string)) return "before";
      if (!entryMatches(entry, query)) return false;
    }
    return !needsRecord || recordMatches(slot.row.value, query);
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
