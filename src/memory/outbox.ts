// The memory store's outbox: undelivered events in commit order, each leased to one claim
// at a time, dropped when acknowledged.
import type { RecordedEvent } from "../core/index.js";
import { freezeOwned } from "../internal/frozen.js";
import type { OutboxClaim, OutboxMessage } from "../port/store.js";

interface OutboxEntry {
  readonly event: RecordedEvent;
  readonly sequence: number;
  attempts: number;
  leaseUntil: string | null;
}

/**
 * Undelivered events by id, and their entries in outbox order (acknowledged ones dropped
 * lazily). The order holds entries, not ids: an id acknowledged, then committed again, is
 * a new entry at the end, and its old place (still in the order until compacted) is
 * recognised as stale rather than read as the new one — which would claim it out of
 * commit order, or twice in one claim.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private order: OutboxEntry[] = [];
  private head = 0;
  private sequence = 0;

  /** Adds committed events (an id already there is kept as it is). */
  add(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      if (this.entries.has(event.id)) continue;
      const entry: OutboxEntry = { event, sequence: ++this.sequence, attempts: 0, leaseUntil: null };
      this.entries.set(event.id, entry);
      this.order.push(entry);
    }
  }

  /** Whether an entry of the order is still undelivered (not acknowledged, nor replaced since). */
  private live(entry: OutboxEntry): boolean {
    return this.entries.get(entry.event.id) === entry;
  }

  /** Drops acknowledged entries from the head of the order. */
  private compact(): void {
    while (this.head < this.order.length && !this.live(this.order[this.head] as OutboxEntry)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** Up to `limit` events, oldest first, that no live lease holds; each leased. */
  claim(claim: OutboxClaim): OutboxMessage[] {
    this.compact();
    const claimed: OutboxMessage[] = [];
    for (let i = this.head; i < this.order.length && claimed.length < claim.limit; i++) {
      const entry = this.order[i] as OutboxEntry;
      if (!this.live(entry)) continue;
      if (entry.leaseUntil !== null && entry.leaseUntil > claim.now) continue;
      entry.attempts++;
      entry.leaseUntil = claim.leaseUntil;
      claimed.push(freezeOwned({ event: entry.event, sequence: entry.sequence, attempts: entry.attempts }));
    }
    return claimed;
  }

  /** Marks events delivered. */
  acknowledge(eventIds: readonly string[]): void {
    for (const id of eventIds) this.entries.delete(id);
    this.compact();
  }

  /** The undelivered events, in outbox order. */
  pending(): RecordedEvent[] {
    const pending: RecordedEvent[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const entry = this.order[i] as OutboxEntry;
      if (this.live(entry)) pending.push(entry.event);
    }
    return pending;
  }
}
