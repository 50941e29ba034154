// The memory store's history: one global list, and per structure one list of its entries
// with compact positions into it (numbers, not lists of entries) for the filters a read
// may ask for: by kind, always kept; by target user, made the first time a structure's
// history is read by user and kept up to date from then on. A user's position also says
// the entry's kind (position × kinds + kind, a small integer), so a read by user and kind
// touches only the entries it returns. A filtered page costs the same whatever the length
// of the structure's history; a structure whose history is never read by user pays
// nothing per user.
import { HISTORY_KINDS, type HistoryEntry, type HistoryKind, type StructureId, type UserId } from "../core/index.js";
import type { HistoryQuery } from "../port/store.js";

/** A structure's history. */
interface StructureHistory {
  /** Its entries, in sequence order. */
  readonly entries: HistoryEntry[];
  /** While every entry's `at` is >= the previous one's: a period is then found by binary search. */
  monotonic: boolean;
  /** Positions in `entries` of each kind's entries, in order. */
  readonly byKind: Map<HistoryKind, number[]>;
  /** Each target user's entries, as coded positions (one number while a user has one), or null until first needed. */
  byUser: Map<UserId, number | number[]> | null;
}

const KINDS = HISTORY_KINDS.length;
const KIND_CODE = new Map<HistoryKind, number>(HISTORY_KINDS.map((k, i) => [k, i]));
/** A position and its entry's kind in one small integer. */
const coded = (position: number, kind: HistoryKind) => position * KINDS + (KIND_CODE.get(kind) as number);

/**
 * The entries a walker reads: all of a structure's, or those at some positions; `kept`,
 * when there is one, says which of them the read keeps (without reading the entry). The
 * run's dates and sequences grow with `i` whether or not an entry is kept, so its bounds
 * are found by binary search over the whole run.
 */
interface Run {
  readonly length: number;
  at(i: number): HistoryEntry;
  readonly kept?: (i: number) => boolean;
}

const allOf = (entries: readonly HistoryEntry[]): Run => ({ length: entries.length, at: (i) => entries[i] as HistoryEntry });
const atPositions = (entries: readonly HistoryEntry[], positions: readonly number[]): Run => ({
  length: positions.length,
  at: (i) => entries[positions[i] as number] as HistoryEntry,
});
/**
 * A user's entries, of some kinds only: read through their coded positions as they are
 * (nothing copied per read), the other kinds passed over by their code without reading
 * the entry.
 */
function atCoded(entries: readonly HistoryEntry[], codes: readonly number[], kinds: readonly HistoryKind[] | undefined): Run {
  const at = (i: number) => entries[Math.floor((codes[i] as number) / KINDS)] as HistoryEntry;
  if (kinds === undefined) return { length: codes.length, at };
  const wanted = new Set(kinds.map((k) => KIND_CODE.get(k)));
  return { length: codes.length, at, kept: (i) => wanted.has((codes[i] as number) % KINDS) };
}

/** First index in [0, run.length) for which `isAfter` holds (it must be monotonic), else length. */
function firstIndex(run: Run, isAfter: (e: HistoryEntry) => boolean): number {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(run.at(mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A cursor walking one run backwards (newest first) within the query's bounds. */
class Walker {
  private i: number;
  private readonly stopAt: number;

  constructor(
    private readonly run: Run,
    private readonly query: HistoryQuery,
    monotonic: boolean,
  ) {
    let end = run.length;
    if (query.before !== undefined) {
      const before = query.before;
      end = Math.min(end, firstIndex(run, (e) => e.sequence >= before));
    }
    let start = 0;
    if (monotonic) {
      // Dates grow with the sequence: the period is a slice found by two binary searches.
      if (query.to !== undefined) {
        const to = query.to;
        end = Math.min(end, firstIndex(run, (e) => e.at >= to));
      }
      if (query.from !== undefined) {
        const from = query.from;
        start = firstIndex(run, (e) => e.at >= from);
      }
    }
    this.i = end - 1;
    this.stopAt = start;
  }

  /** The next entry (newest first) that passes the date filters, or undefined. */
  peek(): HistoryEntry | undefined {
    const { from, to } = this.query;
    const kept = this.run.kept;
    while (this.i >= this.stopAt) {
      if (kept === undefined || kept(this.i)) {
        const e = this.run.at(this.i);
        if ((from === undefined || e.at >= from) && (to === undefined || e.at < to)) return e;
      }
      this.i--;
    }
    return undefined;
  }

  advance(): void {
    this.i--;
  }
}

function addPosition(map: Map<UserId, number | number[]>, user: UserId, position: number): void {
  const known = map.get(user);
  if (known === undefined) map.set(user, position);
  else if (typeof known === "number") map.set(user, [known, position]);
  else known.push(position);
}

/** The history of every structure, indexed for filtered reads. */
export class HistoryIndex {
  private readonly structures = new Map<StructureId, StructureHistory>();
  /** Every entry, in sequence order. */
  readonly all: HistoryEntry[] = [];

  /** The sequence number the next entry gets. */
  get nextSequence(): number {
    return this.all.length + 1;
  }

  /** Appends an entry (numbered by the caller with {@link nextSequence}). */
  append(entry: HistoryEntry): void {
    this.all.push(entry);
    let h = this.structures.get(entry.structureId);
    if (h === undefined) {
      h = { entries: [], monotonic: true, byKind: new Map(), byUser: null };
      this.structures.set(entry.structureId, h);
    }
    const position = h.entries.length;
    const last = h.entries[position - 1];
    if (last !== undefined && entry.at < last.at) h.monotonic = false;
    h.entries.push(entry);
    const ofKind = h.byKind.get(entry.kind);
    if (ofKind === undefined) h.byKind.set(entry.kind, [position]);
    else ofKind.push(position);
    if (h.byUser !== null && entry.targetUserId !== null) addPosition(h.byUser, entry.targetUserId, coded(position, entry.kind));
  }

  /** A structure's positions by target user, made on first use. */
  private byUser(h: StructureHistory): Map<UserId, number | number[]> {
    if (h.byUser === null) {
      const map = new Map<UserId, number | number[]>();
      for (let i = 0; i < h.entries.length; i++) {
        const e = h.entries[i] as HistoryEntry;
        if (e.targetUserId !== null) addPosition(map, e.targetUserId, coded(i, e.kind));
      }
      h.byUser = map;
    }
    return h.byUser;
  }

  /** A structure's entries matching the query, newest first. */
  read(structureId: StructureId, query: HistoryQuery): HistoryEntry[] {
    const h = this.structures.get(structureId);
    if (h === undefined) return [];
    const walkers: Walker[] = [];
    if (query.targetUserId !== undefined) {
      // One user's entries are few: their coded positions are filtered by kind without
      // reading the entries, then walked.
      const codes = this.byUser(h).get(query.targetUserId);
      if (codes !== undefined) walkers.push(new Walker(atCoded(h.entries, typeof codes === "number" ? [codes] : codes, query.kinds), query, h.monotonic));
    } else if (query.kinds === undefined) walkers.push(new Walker(allOf(h.entries), query, h.monotonic));
    else
      for (const kind of new Set(query.kinds)) {
        const positions = h.byKind.get(kind);
        if (positions !== undefined) walkers.push(new Walker(atPositions(h.entries, positions), query, h.monotonic));
      }
    const items: HistoryEntry[] = [];
    while (items.length < query.limit) {
      // Merge the runs (one per kind asked for), newest first.
      let best: Walker | undefined;
      let bestEntry: HistoryEntry | undefined;
      for (const w of walkers) {
        const e = w.peek();
        if (e !== undefined && (bestEntry === undefined || e.sequence > bestEntry.sequence)) {
          best = w;
          bestEntry = e;
        }
      }
      if (best === undefined || bestEntry === undefined) break;
      items.push(bestEntry);
      best.advance();
    }
    return items;
  }
}
