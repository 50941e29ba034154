// Nothing lost: the events saved with each change wait in the store's outbox until the
// host has delivered them (at least once; each event has a stable id to deduplicate).
import { z } from "zod";
import {
  err,
  InstantSchema,
  ok,
  parseWith,
  toInstant,
  type DeepReadonly,
  type DomainError,
  type Instant,
  type RecordedEvent,
  type Result,
} from "../core/index.js";
import { frozenAsIs, frozenCopy } from "../internal/frozen.js";
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

/** What `claimEvents` and `relayEvents` take: `{ limit?, leaseSeconds? }` (a misspelt option does not compile). */
export type ClaimEventsInput = DeepReadonly<z.input<typeof ClaimSchema>>;
/** What `acknowledgeEvents` takes: the ids of the events delivered. */
export type AcknowledgeEventsInput = DeepReadonly<z.input<typeof AckSchema>>;
/** What `purgeIdempotencyRecords` takes: `{ olderThan }`, an instant. */
export type PurgeIdempotencyRecordsInput = DeepReadonly<z.input<typeof PurgeSchema>>;

/** An event whose delivery threw, and what it threw. */
export interface DeliveryFailure {
  /** The event, as claimed: it stays in the outbox and comes back once its lease ends. */
  readonly event: RecordedEvent;
  /** How many times it has been claimed, this claim included. */
  readonly attempts: number;
  /** What the delivery function threw, as it threw it. */
  readonly error: unknown;
}

/** What one run of {@link relayEvents} did. */
export interface RelayReport {
  /** Events delivered and acknowledged. */
  readonly delivered: number;
  /** Events whose delivery threw: they come back once their lease ends. */
  readonly failed: number;
  /** Each event whose delivery threw, with the error, in claim order. */
  readonly failures: readonly DeliveryFailure[];
}

/** What a relay loop tells the host about: a delivery that threw, or an outbox it could not use. */
export type RelayFailure =
  | ({ readonly kind: "delivery" } & DeliveryFailure)
  | {
      /** Claiming or acknowledging failed (`STORE_FAILURE`, `CONFIGURATION`): the loop backs off. */
      readonly kind: "outbox";
      readonly error: DomainError;
    }
  | {
      /** Anything else the loop caught (a bug): it backs off and goes on. */
      readonly kind: "unexpected";
      readonly error: unknown;
    };

/** Options of {@link startRelay}. */
export interface RelayLoopOptions {
  /** Events per claim (1 to {@link MAX_OUTBOX_BATCH}, default 100). */
  readonly limit?: number;
  /** How long a claimed event is hidden from other relays (seconds, default 60). */
  readonly leaseSeconds?: number;
  /** The pause after a batch that emptied the outbox (milliseconds, default 1000). */
  readonly idleMs?: number;
  /** The longest pause while the outbox fails: the pause doubles from `idleMs` up to this (default 60 000). */
  readonly maxBackoffMs?: number;
  /** On stop, how long the loop goes on delivering what is left (milliseconds, default 10 000; 0: only the batch in hand). */
  readonly drainMs?: number;
  /** Told of every failure (a throwing callback is ignored). */
  readonly onError?: (failure: RelayFailure) => void;
  /** Aborting it stops the loop, as {@link RelayLoop.stop} does. */
  readonly signal?: AbortSignal;
}

/** A running relay loop. */
export interface RelayLoop {
  /**
   * Stops the loop: no pause is waited out; the batch in hand is delivered and
   * acknowledged, then further batches until the outbox is empty or `drainMs` has passed.
   * Resolves when the loop has stopped. Calling it again gives the same promise.
   */
  stop(): Promise<void>;
  /** Resolves when the loop has stopped (after `stop()` or the signal's abort). */
  readonly stopped: Promise<void>;
}

const RelayLoopSchema = ClaimSchema.extend({
  idleMs: z.number().int().min(1).max(3_600_000).default(1000),
  maxBackoffMs: z.number().int().min(1).max(3_600_000).default(60_000),
  drainMs: z.number().int().min(0).max(3_600_000).default(10_000),
});

const refused = (path: string, message: string): Result<never, DomainError> =>
  err({ code: "VALIDATION", issues: [{ path: [path], code: "invalid_type", message }] });

type Deliver = (event: RecordedEvent) => Promise<void> | void;

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

  /** One batch; `onFailure` is told of each failed delivery at once (the loop's `onError`). */
  async function relay(
    deliver: Deliver,
    input: unknown,
    onFailure?: (failure: DeliveryFailure) => void,
  ): Promise<Result<RelayReport, DomainError>> {
    if (typeof deliver !== "function") return refused("deliver", "attendu : une fonction");
    const batch = await claim(input);
    if (!batch.ok) return batch;
    const delivered: string[] = [];
    const failures: DeliveryFailure[] = [];
    for (const message of batch.value) {
      try {
        await deliver(message.event);
        delivered.push(message.event.id);
      } catch (error) {
        // Kept as thrown (class, message, stack): the host's to log.
        const failure = frozenAsIs({ event: message.event, attempts: message.attempts, error });
        failures.push(failure);
        onFailure?.(failure);
      }
    }
    const acked = await acknowledge(delivered);
    if (!acked.ok) return acked;
    return ok(frozenAsIs({ delivered: delivered.length, failed: failures.length, failures: Object.freeze(failures) }));
  }

  interface Loop {
    readonly deliver: Deliver;
    readonly claim: { readonly limit: number; readonly leaseSeconds: number };
    readonly idleMs: number;
    readonly maxBackoffMs: number;
    readonly drainMs: number;
    readonly onError: RelayLoopOptions["onError"];
    readonly signal: AbortSignal | undefined;
  }

  function relayLoop(loop: Loop): RelayLoop {
    // Pauses and the drain are measured on the process's monotonic clock, not the
    // application's clock: they are about scheduling, and a test's fixed clock must not
    // stop them from ending.
    let drainUntil: number | null = null;
    let wake: (() => void) | null = null;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    const tell = (failure: RelayFailure) => {
      try {
        loop.onError?.(failure);
      } catch {
        // A failing logger must not stop the relay.
      }
    };
    async function run(): Promise<void> {
      let backoff = 0;
      for (;;) {
        if (drainUntil !== null && performance.now() >= drainUntil) return;
        let full = false;
        try {
          // Failed deliveries are told as they happen, also when the acknowledgement then fails.
          const r = await relay(loop.deliver, loop.claim, (failure) => tell({ kind: "delivery", ...failure }));
          if (r.ok) {
            backoff = 0;
            full = r.value.delivered + r.value.failed >= loop.claim.limit;
          } else {
            tell({ kind: "outbox", error: r.error });
            backoff = backoff === 0 ? loop.idleMs : Math.min(backoff * 2, loop.maxBackoffMs);
          }
        } catch (error) {
          tell({ kind: "unexpected", error });
          backoff = backoff === 0 ? loop.idleMs : Math.min(backoff * 2, loop.maxBackoffMs);
        }
        if (backoff > 0) {
          // Never drain against a failing outbox: what is left waits for the next start.
          if (drainUntil !== null) return;
          await pause(backoff);
        } else if (full) {
          // More is waiting: go on at once, letting the process's other work in between.
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else {
          if (drainUntil !== null) return;
          await pause(loop.idleMs);
        }
      }
    }
    const stopped = run();
    let stopping: Promise<void> | null = null;
    const stop = () => {
      if (stopping === null) {
        drainUntil = performance.now() + loop.drainMs;
        wake?.();
        stopping = stopped;
      }
      return stopping;
    };
    if (loop.signal?.aborted) void stop();
    else loop.signal?.addEventListener("abort", () => void stop(), { once: true });
    return Object.freeze({ stop, stopped });
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
    claimEvents(input: ClaimEventsInput = {}): Promise<Result<readonly OutboxMessage[], DomainError>> {
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
    acknowledgeEvents(eventIds: AcknowledgeEventsInput): Promise<Result<void, DomainError>> {
      return acknowledge(eventIds);
    },

    /**
     * Claims one batch, hands each event to `deliver`, one at a time, and acknowledges
     * those delivered. An event whose delivery throws stays in the outbox and comes back
     * after its lease; the report lists it with what was thrown. A `deliver` that is not a
     * function, or bad options, are `VALIDATION`: nothing is claimed. Deduplicate on
     * `event.id` if you also deliver the events operations return. To run it for good,
     * use {@link startRelay}.
     *
     * @example
     * ```ts
     * const r = await app.relayEvents((event) => mailer.notify(event), { limit: 100 });
     * if (r.ok) for (const f of r.value.failures) log.warn({ event: f.event.id, error: f.error });
     * ```
     */
    relayEvents(deliver: Deliver, input: ClaimEventsInput = {}): Promise<Result<RelayReport, DomainError>> {
      return relay(deliver, input);
    },

    /**
     * Runs the relay until stopped: one batch at a time, never two at once (a slow store
     * or a slow delivery delays the next batch, it never overlaps it); the next batch at
     * once while batches come back full, after `idleMs` once the outbox is empty; while
     * claiming or acknowledging fails, pauses that double up to `maxBackoffMs`. Every
     * failure reaches `onError`. On `stop()` (or the signal's abort) it delivers and
     * acknowledges the batch in hand and drains what is left, for `drainMs` at most.
     * Bad arguments are `VALIDATION`, and no loop starts.
     *
     * @example
     * ```ts
     * const relay = app.startRelay((event) => mailer.notify(event), {
     *   onError: (failure) => log.error(failure),
     * });
     * if (!relay.ok) throw new Error(errorMessage(relay.error));
     * process.once("SIGTERM", () => void relay.value.stop());
     * ```
     */
    startRelay(deliver: Deliver, options: RelayLoopOptions = {}): Result<RelayLoop, DomainError> {
      if (typeof deliver !== "function") return refused("deliver", "attendu : une fonction");
      if (typeof options !== "object" || options === null) return refused("options", "attendu : un objet");
      const { onError, signal, ...numbers } = options;
      if (onError !== undefined && typeof onError !== "function") return refused("onError", "attendu : une fonction");
      if (signal !== undefined && !(signal instanceof AbortSignal)) return refused("signal", "attendu : un AbortSignal");
      const parsed = parseWith(RelayLoopSchema, numbers);
      if (!parsed.ok) return parsed;
      const { idleMs, maxBackoffMs, drainMs, limit, leaseSeconds } = parsed.value;
      return ok(relayLoop({ deliver, claim: { limit, leaseSeconds }, idleMs, maxBackoffMs, drainMs, onError, signal }));
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
    async purgeIdempotencyRecords(input: PurgeIdempotencyRecordsInput): Promise<Result<{ readonly purged: number }, DomainError>> {
      const parsed = parseWith(PurgeSchema, input);
      if (!parsed.ok) return parsed;
      const olderThan: Instant = parsed.value.olderThan;
      return shielded(deps, "purgeIdempotencyRecords", async () => ok(Object.freeze({ purged: await deps.store.purgeIdempotencyRecords(olderThan) })));
    },
  };
}

