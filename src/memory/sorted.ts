// An ordered set of strings kept in bounded chunks: adding or removing one costs a
// binary search and a splice within one chunk, whatever the size of the set, and a page
// after a given value is read without a scan. Used for the per-structure indexes, so a
// structure of 100 000 members costs no more to change than one of 100.

const MAX_CHUNK = 512;

/** Index of the first element of a sorted array that is `>= value` (or `> value` when `strict`). */
export function bound(sorted: readonly string[], value: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sorted[mid] as string;
    if (m < value || (strict && m === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An ordered set of strings. */
export class SortedSet {
  private readonly chunks: string[][] = [];
  private count = 0;

  /** How many values it holds. */
  get size(): number {
    return this.count;
  }

  /** The chunk that holds, or would hold, `value`. */
  private chunkFor(value: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as string[];
      if ((chunk[chunk.length - 1] as string) < value) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, this.chunks.length - 1);
  }

  /** Adds a value (no effect if present). */
  add(value: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([value]);
      this.count = 1;
      return;
    }
    const i = this.chunkFor(value);
    const chunk = this.chunks[i] as string[];
    const at = bound(chunk, value, false);
    if (chunk[at] === value) return;
    chunk.splice(at, 0, value);
    this.count++;
    if (chunk.length > 2 * MAX_CHUNK) this.chunks.splice(i, 1, chunk.slice(0, MAX_CHUNK), chunk.slice(MAX_CHUNK));
  }

  /** Removes a value (no effect if absent). */
  delete(value: string): void {
    if (this.chunks.length === 0) return;
    const i = this.chunkFor(value);
    const chunk = this.chunks[i] as string[];
    const at = bound(chunk, value, false);
    if (chunk[at] !== value) return;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(i, 1);
  }

  /** Up to `limit` values in order, strictly after `after` (from the first when undefined). */
  page(after: string | undefined, limit: number): string[] {
    const out: string[] = [];
    if (this.chunks.length === 0 || limit <= 0) return out;
    let i = after === undefined ? 0 : this.chunkFor(after);
    let at = after === undefined ? 0 : bound(this.chunks[i] as string[], after, true);
    for (; i < this.chunks.length && out.length < limit; i++, at = 0) {
      const chunk = this.chunks[i] as string[];
      for (; at < chunk.length && out.length < limit; at++) out.push(chunk[at] as string);
    }
    return out;
  }
}
