// The memory store's index of rights' ends (issue 21), for the expiry sweep: the ends of
// rights not noticed yet and of rights warned, each an ordered set of (end date, user),
// so the users due are read from the front of two sets, never by a scan of all users.
// A write changes the index only where a user's rights changed.
import type { Attachment, SpaceGrant, User, UserId } from "../core/index.js";
import type { DueExpiriesQuery } from "../port/store.js";
import { SortedSet } from "./sorted.js";

/** The key of one end in a set: the date (fixed width) then the user, so string order is (date, id) order. */
const keyOf = (validUntil: string, userId: string) => `${validUntil}\u0000${userId}`;
const userOf = (key: string) => key.slice(key.indexOf("\u0000") + 1) as UserId;
const dateOf = (key: string) => key.slice(0, key.indexOf("\u0000"));

/** The keys of a user's ends in each set: not noticed yet, and warned (an expired end is in neither). */
function keysOf(user: User | undefined): { readonly toWarn: Set<string>; readonly toExpire: Set<string> } {
  const toWarn = new Set<string>();
  const toExpire = new Set<string>();
  if (user === undefined) return { toWarn, toExpire };
  const add = (right: Attachment | SpaceGrant) => {
    if (right.validUntil === null || right.endNotice === "expired") return;
    (right.endNotice === null ? toWarn : toExpire).add(keyOf(right.validUntil, user.id));
  };
  for (const a of user.attachments) add(a);
  for (const g of user.grants) add(g);
  return { toWarn, toExpire };
}

/** Rights' ends still to be noticed, by date. */
export class ExpiryIndex {
  /** Ends without a notice yet: due for one once the date is at most `warnThrough`. */
  private readonly toWarn = new SortedSet();
  /** Ends warned about: due for the « Expiré » entry once the date is at most `expireThrough`. */
  private readonly toExpire = new SortedSet();

  /** Follows a user's write: the ends it dropped leave the sets, those it added join them. */
  index(before: User | undefined, after: User): void {
    if (before !== undefined && before.attachments === after.attachments && before.grants === after.grants) return;
    const was = keysOf(before);
    const now = keysOf(after);
    for (const [set, old, next] of [
      [this.toWarn, was.toWarn, now.toWarn],
      [this.toExpire, was.toExpire, now.toExpire],
    ] as const) {
      for (const key of old) if (!next.has(key)) set.delete(key);
      for (const key of next) if (!old.has(key)) set.add(key);
    }
  }

  /**
   * The ids of the users due, in (earliest due date, id) order, each once, at most
   * `limit`: the two sets read from their fronts, merged, each up to its bound.
   */
  due(query: DueExpiriesQuery): UserId[] {
    const found = new Set<UserId>();
    const batch = Math.max(query.limit, 64);
    const stream = (set: SortedSet, through: string) => {
      let buffer: string[] = [];
      let at = 0;
      let after: string | undefined;
      let done = false;
      return {
        peek(): string | undefined {
          if (at === buffer.length && !done) {
            buffer = set.page(after, batch);
            at = 0;
            if (buffer.length < batch) done = true;
            const last = buffer[buffer.length - 1];
            if (last !== undefined) after = last;
          }
          const key = buffer[at];
          return key !== undefined && dateOf(key) <= through ? key : undefined;
        },
        next(): void {
          at++;
        },
      };
    };
    const warn = stream(this.toWarn, query.warnThrough);
    const expire = stream(this.toExpire, query.expireThrough);
    while (found.size < query.limit) {
      const a = warn.peek();
      const b = expire.peek();
      if (a === undefined && b === undefined) break;
      const first = b === undefined || (a !== undefined && a <= b) ? warn : expire;
      const key = (first === warn ? a : b) as string;
      first.next();
      found.add(userOf(key));
    }
    return [...found];
  }
}
