// An ordered set kept in bounded chunks: adding or removing one costs a binary search and
// a splice within one chunk, whatever the size of the set, and a page after a given key
// is read without a scan. Used for the per-structure indexes, so a structure of 100 000
// members costs no more to change than one of 100. Items are strings (their own key), or
// objects ordered by a string key (the search index holds the user slots themselves, so
// a page reaches a record with no look-up); each chunk keeps its keys in an array of
// their own, so a binary search reads keys only, never the items. A chunk may also keep a
// value derived from its items (the CSV export's rows of 512 users, made in one go): it is
// made when first asked for, and dropped when the chunk changes or one of its items is
// said to have changed (`touch`).

const MAX_CHUNK = 512;

/** Index of the first key of a sorted array that is `>= key` (or `> key` when `strict`). */
function bound(keys: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = keys[mid] as string;
    if (m < key || (strict && m === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One chunk: its keys in order and, for items that are not their own key, the items beside
 * them; and the value derived from its items, if one was asked for since it last changed.
 */
interface Chunk<T, V> {
  keys: string[];
  items: T[] | null;
  view: V | null;
}

/** Where a page read with {@link SortedSet.pageViews} puts each item, its chunk's view and its index there. */
export interface ViewedPage<T, V> {
  readonly items: T[];
  readonly views: V[];
  readonly at: number[];
}

/** An ordered set of items, by a string key unique to each (and, per chunk, a value derived from its items). */
export class SortedSet<T = string, V = never> {
  private readonly chunks: Chunk<T, V>[] = [];
  /** Each chunk's last key, in one array: finding a chunk reads these only. */
  private readonly lasts: string[] = [];
  private count = 0;
  /** How many chunks hold a view: none, and `touch` has nothing to look for. */
  private viewed = 0;

  /**
   * `keyOf` gives an item's key; without it the items are strings, their own keys. An
   * item's key must not change while the item is in the set.
   */
  constructor(private readonly keyOf?: (item: T) => string) {}

  /** How many items it holds. */
  get size(): number {
    return this.count;
  }

  /** The chunk that holds, or would hold, `key`. */
  private chunkFor(key: string): number {
    return Math.min(bound(this.lasts, key, false), this.chunks.length - 1);
  }

  /** Drops a chunk's view (its items changed). */
  private unview(chunk: Chunk<T, V>): void {
    if (chunk.view === null) return;
    chunk.view = null;
    this.viewed--;
  }

  /**
   * Says that the item with this key changed in a way its chunk's view reads: the view is
   * dropped, to be made again when next asked for. Nothing to do (not even a search) while
   * no chunk holds a view.
   */
  touch(key: string): void {
    if (this.viewed === 0 || this.chunks.length === 0) return;
    const chunk = this.chunks[this.chunkFor(key)] as Chunk<T, V>;
    if (chunk.keys[bound(chunk.keys, key, false)] === key) this.unview(chunk);
  }

  /** Adds an item (no effect if one with its key is present). */
  add(item: T): void {
    const key = this.keyOf === undefined ? (item as unknown as string) : this.keyOf(item);
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], items: this.keyOf === undefined ? null : [item], view: null });
      this.lasts.push(key);
      this.count = 1;
      return;
    }
    const i = this.chunkFor(key);
    const chunk = this.chunks[i] as Chunk<T, V>;
    const at = bound(chunk.keys, key, false);
    if (chunk.keys[at] === key) return;
    this.unview(chunk);
    chunk.keys.splice(at, 0, key);
    chunk.items?.splice(at, 0, item);
    if (at === chunk.keys.length - 1) this.lasts[i] = key;
    this.count++;
    if (chunk.keys.length > 2 * MAX_CHUNK) {
      this.chunks.splice(
        i,
        1,
        { keys: chunk.keys.slice(0, MAX_CHUNK), items: chunk.items?.slice(0, MAX_CHUNK) ?? null, view: null },
        { keys: chunk.keys.slice(MAX_CHUNK), items: chunk.items?.slice(MAX_CHUNK) ?? null, view: null },
      );
      this.lasts.splice(i, 0, chunk.keys[MAX_CHUNK - 1] as string);
    }
  }

  /** Removes the item with this key (no effect if absent). */
  delete(key: string): void {
    if (this.chunks.length === 0) return;
    const i = this.chunkFor(key);
    const chunk = this.chunks[i] as Chunk<T, V>;
    const at = bound(chunk.keys, key, false);
    if (chunk.keys[at] !== key) return;
    this.unview(chunk);
    chunk.keys.splice(at, 1);
    chunk.items?.splice(at, 1);
    this.count--;
    if (chunk.keys.length === 0) {
      this.chunks.splice(i, 1);
      this.lasts.splice(i, 1);
    } else if (at === chunk.keys.length) this.lasts[i] = chunk.keys[at - 1] as string;
  }

  /** Up to `limit` items in order, whose keys are strictly after `after` (from the first when undefined). */
  page(after: string | undefined, limit: number): T[] {
    const out: T[] = [];
    if (this.chunks.length === 0 || limit <= 0) return out;
    let i = after === undefined ? 0 : this.chunkFor(after);
    let at = after === undefined ? 0 : bound((this.chunks[i] as Chunk<T, V>).keys, after, true);
    for (; i < this.chunks.length && out.length < limit; i++, at = 0) {
      const chunk = this.chunks[i] as Chunk<T, V>;
      const items = chunk.items ?? (chunk.keys as unknown as T[]);
      for (; at < items.length && out.length < limit; at++) out.push(items[at] as T);
    }
    return out;
  }

  /**
   * As {@link page}, each item with its chunk's view and its index in that chunk: the view
   * is `derive(items of the chunk)`, made once per chunk and kept until the chunk changes
   * (or `touch` names one of its items). Appended to `into`, whose arrays stay aligned.
   */
  pageViews(after: string | undefined, limit: number, derive: (items: readonly T[]) => V, into: ViewedPage<T, V>): void {
    if (this.chunks.length === 0 || limit <= 0) return;
    let i = after === undefined ? 0 : this.chunkFor(after);
    let at = after === undefined ? 0 : bound((this.chunks[i] as Chunk<T, V>).keys, after, true);
    for (let n = 0; i < this.chunks.length && n < limit; i++, at = 0) {
      const chunk = this.chunks[i] as Chunk<T, V>;
      const items = chunk.items ?? (chunk.keys as unknown as T[]);
      if (at >= items.length) continue;
      if (chunk.view === null) {
        chunk.view = derive(items);
        this.viewed++;
      }
      for (; at < items.length && n < limit; at++, n++) {
        into.items.push(items[at] as T);
        into.views.push(chunk.view);
        into.at.push(at);
      }
    }
  }
}
