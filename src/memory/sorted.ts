// An ordered set kept in bounded chunks: adding or removing one costs a binary search and
// a splice within one chunk, whatever the size of the set, and a page after a given key
// is read without a scan. Used for the per-structure indexes, so a structure of 100 000
// members costs no more to change than one of 100. Items are strings (their own key), or
// objects ordered by a string key (the search index holds the user slots themselves, so
// a page reaches a record with no look-up).

const MAX_CHUNK = 512;

const itself = (value: unknown) => value as string;

/** An ordered set of items, by a string key unique to each. */
export class SortedSet<T = string> {
  private readonly chunks: T[][] = [];
  private count = 0;

  /** `keyOf` gives an item's key (the item itself for strings); it must not change while the item is in the set. */
  constructor(private readonly keyOf: (item: T) => string = itself) {}

  /** How many items it holds. */
  get size(): number {
    return this.count;
  }

  /** Index of the first item of a sorted chunk whose key is `>= key` (or `> key` when `strict`). */
  private bound(chunk: readonly T[], key: string, strict: boolean): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.keyOf(chunk[mid] as T);
      if (m < key || (strict && m === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The chunk that holds, or would hold, `key`. */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as T[];
      if (this.keyOf(chunk[chunk.length - 1] as T) < key) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, this.chunks.length - 1);
  }

  /** Adds an item (no effect if one with its key is present). */
  add(item: T): void {
    if (this.chunks.length === 0) {
      this.chunks.push([item]);
      this.count = 1;
      return;
    }
    const key = this.keyOf(item);
    const i = this.chunkFor(key);
    const chunk = this.chunks[i] as T[];
    const at = this.bound(chunk, key, false);
    if (at < chunk.length && this.keyOf(chunk[at] as T) === key) return;
    chunk.splice(at, 0, item);
    this.count++;
    if (chunk.length > 2 * MAX_CHUNK) this.chunks.splice(i, 1, chunk.slice(0, MAX_CHUNK), chunk.slice(MAX_CHUNK));
  }

  /** Removes the item with this key (no effect if absent). */
  delete(key: string): void {
    if (this.chunks.length === 0) return;
    const i = this.chunkFor(key);
    const chunk = this.chunks[i] as T[];
    const at = this.bound(chunk, key, false);
    if (at >= chunk.length || this.keyOf(chunk[at] as T) !== key) return;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(i, 1);
  }

  /** Up to `limit` items in order, whose keys are strictly after `after` (from the first when undefined). */
  page(after: string | undefined, limit: number): T[] {
    const out: T[] = [];
    if (this.chunks.length === 0 || limit <= 0) return out;
    let i = after === undefined ? 0 : this.chunkFor(after);
    let at = after === undefined ? 0 : this.bound(this.chunks[i] as T[], after, true);
    for (; i < this.chunks.length && out.length < limit; i++, at = 0) {
      const chunk = this.chunks[i] as T[];
      for (; at < chunk.length && out.length < limit; at++) out.push(chunk[at] as T);
    }
    return out;
  }
}
