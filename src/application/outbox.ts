// Nothing lost: the events saved with each change wait in the store's outbox until the
// host has delivered them (at least once; each event has a stable id to deduplicate).
import { z } from "zod";
import {

  InstantSchema,
  ok,
  parseWith,
  toInstant,
  type DomainError,
  type Instant,
  type RecordedEvent,
  type Result,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { OutboxMessage } from "../port/store.js";
import { clocked, shielded, type Deps } from "./runner.js";

/** Most events one claim may take. */
export const MAX_OUTBOX_BATCH = 1000;

const ClaimSchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_OUTBOX_BATCH).default(100),
  leaseSeconds: z.number().int().min(1).max(86_400).default(60),
});
const AckSchema = z.array(z.string().min(1).max(200)).max(MAX_OUTBOX_BATCH * 10);
const PurgeSchema = z.strictObject({ olderThan: InstantSchema });

/** What one run of {@link relayEvents} did. */
export interface RelayReport {
  /** Events delivered and acknowledged. */
  readonly delivered: number;
  /** Events whose delivery threw: they come back once their lease ends. */
  readonly failed: number;
}

/** Builds the outbox operations (infrastructure: no actor). */
export function outboxOperations(deps: Deps) {
  async function claim(input: unknown): Promise<Result<readonly OutboxMessage[], DomainError>> {
    const parsed = parseWith(ClaimSchema, input);
    if (!parsed.ok) return parsed;
    return shielded(deps, "claimEvents", async () => {
      const ctx = clocked(deps);
      const leaseUntil = toInstant(new Date(ctx.now.getTime() + parsed.value.leaseSeconds * 1000));
      const messages = await deps.store.claimOutbox({ limit: parsed.value.limit, now: ctx.at, leaseUntil });
      return ok(frozenCopy(messages));
    });
  }

  async function acknowledge(eventIds: unknown): Promise<Result<void, DomainError>> {
    const parsed = parseWith(AckSchema, eventIds);
    if (!parsed.ok) return parsed;
    return shielded(deps, "acknowledgeEvents", async () => {
      if (parsed.value.length > 0) await deps.store.acknowledgeOutbox(parsed.value);
      return ok(undefined);
    });
  }

  return {
    /**
     * Claims a batch of undelivered events, oldest first, and hides them from other
     * claims for `leaseSeconds` (default 60). Deliver each, then acknowledge it; an event
     * not acknowledged comes back in a later claim once its lease ends, with its
     * `attempts` count up. Several relays (processes) may claim at once: they never get
     * the same event while its lease lasts.
     *
     * @example
     * ```ts
     * const batch = await app.claimEvents({ limit: 50 });
     * if (batch.ok) for (const m of batch.value) await mailer.send(m.event); // then acknowledgeEvents
     * ```
     */
    claimEvents(input: unknown = {}): Promise<Result<readonly OutboxMessage[], DomainError>> {
      return claim(input);
    },

    /**
     * Marks events delivered: they are never claimed again. Unknown or already
     * acknowledged ids are ignored.
     *
     * @example
     * ```ts
     * await app.acknowledgeEvents(batch.map((m) => m.event.id));
     * ```
     */
    acknowledgeEvents(eventIds: unknown): Promise<Result<void, DomainError>> {
      return acknowledge(eventIds);
    },

    /**
     * Claims one batch, hands each event to `deliver`, and acknowledges those delivered.
     * An event whose delivery throws stays in the outbox and comes back after its lease.
     * Run it on a timer, or after each operation; deduplicate on `event.id` if you also
     * deliver the events operations return.
     *
     * @example
     * ```ts
     * setInterval(() => app.relayEvents((event) => mailer.notify(event), { limit: 100 }), 1000);
     * ```
     */
    async relayEvents(
      deliver: (event: RecordedEvent) => Promise<void> | void,
      input: unknown = {},
    ): Promise<Result<RelayReport, DomainError>> {
      const batch = await claim(input);
      if (!batch.ok) return batch;
      const delivered: string[] = [];
      let failed = 0;
      for (const message of batch.value) {
        try {
          await deliver(message.event);
          delivered.push(message.event.id);
        } catch {
          failed++;
        }
      }
      const acked = await acknowledge(delivered);
      if (!acked.ok) return acked;
      return ok(Object.freeze({ delivered: delivered.length, failed }));
    },

    /**
     * Forgets the idempotency records saved before an instant (a retry with an older
     * key then acts again). Keep them at least as long as your clients retry.
     *
     * @example
     * ```ts
     * await app.purgeIdempotencyRecords({ olderThan: "2026-11-20T00:00:00.000Z" });
     * ```
     */
    async purgeIdempotencyRecords(input: unknown): Promise<Result<{ readonly purged: number }, DomainError>> {
      const parsed = parseWith(PurgeSchema, input);
      if (!parsed.ok) return parsed;
      const olderThan: Instant = parsed.value.olderThan;
      return shielded(deps, "purgeIdempotencyRecords", async () => ok(Object.freeze({ purged: await deps.store.purgeIdempotencyRecords(olderThan) })));
    },
  };
}

