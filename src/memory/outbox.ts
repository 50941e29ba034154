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

/** Undelivered events by id, and their ids in outbox order (acknowledged ones dropped lazily). */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private order: string[] = [];
  private head = 0;
  private sequence = 0;

  /** Adds committed events (an id already there is kept as it is). */
  add(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      if (this.entries.has(event.id)) continue;
      this.entries.set(event.id, { event, sequence: ++this.sequence, attempts: 0, leaseUntil: null });
      this.order.push(event.id);
    }
  }

  /** Drops acknowledged ids from the head of the order. */
  private compact(): void {
    while (this.head < this.order.length && !this.entries.has(this.order[this.head] as string)) this.head++;
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
      const entry = this.entries.get(this.order[i] as string);
      if (entry === undefined) continue;
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
      const entry = this.entries.get(this.order[i] as string);
      if (entry !== undefined) pending.push(entry.event);
    }
    return pending;
  }
}
