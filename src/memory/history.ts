// The memory store's history: one global list, and per structure the lists a filtered
// read needs (by kind, by target user, by both), so a filtered page costs the same
// whatever the length of the structure's history.
import type { HistoryEntry, StructureId } from "../core/index.js";
import type { HistoryQuery } from "../port/store.js";

/** Entries in sequence order; `monotonic` while every entry's `at` is >= the previous one's. */
interface Run {
  readonly entries: HistoryEntry[];
  monotonic: boolean;
}

/** First index in [0, length) for which `isAfter` holds (it must be monotonic), else length. */
function firstIndex(entries: readonly HistoryEntry[], isAfter: (e: HistoryEntry) => boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(entries[mid] as HistoryEntry)) hi = mid;
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
  ) {
    const { entries } = run;
    let end = entries.length;
    if (query.before !== undefined) {
      const before = query.before;
      end = Math.min(end, firstIndex(entries, (e) => e.sequence >= before));
    }
    let start = 0;
    if (run.monotonic) {
      // Dates grow with the sequence: the period is a slice found by two binary searches.
      if (query.to !== undefined) {
        const to = query.to;
        end = Math.min(end, firstIndex(entries, (e) => e.at >= to));
      }
      if (query.from !== undefined) {
        const from = query.from;
        start = firstIndex(entries, (e) => e.at >= from);
      }
    }
    this.i = end - 1;
    this.stopAt = start;
  }

  /** The next entry (newest first) that passes the date filters, or undefined. */
  peek(): HistoryEntry | undefined {
    const { entries } = this.run;
    const { from, to } = this.query;
    while (this.i >= this.stopAt) {
      const e = entries[this.i] as HistoryEntry;
      if ((from === undefined || e.at >= from) && (to === undefined || e.at < to)) return e;
      this.i--;
    }
    return undefined;
  }

  advance(): void {
    this.i--;
  }
}

/** The history of every structure, indexed for filtered reads. */
export class HistoryIndex {
  private readonly runs = new Map<string, Run>();
  /** Every entry, in sequence order. */
  readonly all: HistoryEntry[] = [];

  /** The sequence number the next entry gets. */
  get nextSequence(): number {
    return this.all.length + 1;
  }

  private push(key: string, entry: HistoryEntry): void {
    let run = this.runs.get(key);
    if (run === undefined) {
      run = { entries: [], monotonic: true };
      this.runs.set(key, run);
    }
    const last = run.entries[run.entries.length - 1];
    if (last !== undefined && entry.at < last.at) run.monotonic = false;
    run.entries.push(entry);
  }

  /** Appends an entry (numbered by the caller with {@link nextSequence}). */
  append(entry: HistoryEntry): void {
    this.all.push(entry);
    const s = entry.structureId;
    this.push(`${s}`, entry);
    this.push(`${s}\u0000k\u0000${entry.kind}`, entry);
    if (entry.targetUserId !== null) {
      this.push(`${s}\u0000t\u0000${entry.targetUserId}`, entry);
      this.push(`${s}\u0000t\u0000${entry.targetUserId}\u0000k\u0000${entry.kind}`, entry);
    }
  }

  /** A structure's entries matching the query, newest first. */
  read(structureId: StructureId, query: HistoryQuery): HistoryEntry[] {
    const base =
      query.targetUserId === undefined ? `${structureId}` : `${structureId}\u0000t\u0000${query.targetUserId}`;
    const keys = query.kinds === undefined ? [base] : [...new Set(query.kinds)].map((k) => `${base}\u0000k\u0000${k}`);
    const walkers: Walker[] = [];
    for (const key of keys) {
      const run = this.runs.get(key);
      if (run !== undefined) walkers.push(new Walker(run, query));
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
