// Rights with an end (issue 21): the expiry sweep the host runs (a timer, a cron job),
// infrastructure without an actor like the outbox's operations. Each run takes a bounded
// batch of the users due from the store's index, and records their notices user by user,
// each a unit of work checked by version: any number of processes may sweep at once, and
// each warning and each « Expiré » entry is saved once.
import { z } from "zod";
import {
  dueThrough,
  ok,
  parseWith,
  recordExpiries as recordExpiriesRule,
  type DeepReadonly,
  type DomainError,
  type HistoryEntry,
  type RecordedEvent,
  type Result,
  type User,
} from "../core/index.js";
import { freezeOwned } from "../internal/frozen.js";
import type { Versioned } from "../port/store.js";
import { clocked, mintId, shielded, type Clocked, type Deps, type Outcome } from "./runner.js";

/** Most users one sweep may take. */
export const MAX_EXPIRY_BATCH = 1000;

const SweepSchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_EXPIRY_BATCH).default(100),
});
/** What `recordExpiries` takes: `{ limit? }`, the most users this run handles (1 to 1000, default 100). */
export type RecordExpiriesInput = DeepReadonly<z.input<typeof SweepSchema>>;

/** What one run of `recordExpiries` did (with the history it appended and the events it saved). */
export type ExpiriesOutcome = Outcome<{
  /** The users whose notices this run recorded. */
  readonly users: number;
  /** Warnings given (`AttachmentExpiringSoon`, `GrantExpiringSoon`). */
  readonly warned: number;
  /** Ends recorded as passed (« Expiré », « Habilitation expirée »). */
  readonly expired: number;
  /** Whether users were still due when this run stopped: run it again at once. */
  readonly more: boolean;
}>;

/** What one user's unit of work saved, or `null` when it could not be saved (changed too often meanwhile). */
interface Swept {
  readonly warned: number;
  readonly expired: number;
  readonly history: readonly HistoryEntry[];
  readonly events: readonly RecordedEvent[];
}

/** Builds the expiry sweep (infrastructure: no actor). */
export function expiryOperations(deps: Deps) {
  /**
   * Records one user's notices: decided on the row read, committed at its version; on a
   * version conflict (another sweep, or any act on the user, came first) read again and
   * decided again, up to `maxAttempts`. Nothing due any more (another sweep did it): nothing.
   */
  async function sweepOne(row: Versioned<User>, ctx: Clocked): Promise<Swept | null> {
    let current: Versioned<User> | null = row;
    for (let n = 1; n <= deps.maxAttempts && current !== null; n++) {
      const decided = recordExpiriesRule(current.value, { ...ctx, warningDays: deps.expiryWarningDays });
      if (decided === null) return { warned: 0, expired: 0, history: [], events: [] };
      const events: RecordedEvent[] = freezeOwned(decided.events.map((event) => ({ id: mintId(deps, "event"), ...event })));
      const committed = await deps.store.commit({
        writes: [{ kind: "user", value: freezeOwned(decided.user), expectedVersion: current.version }],
        reads: [],
        history: freezeOwned(decided.history),
        events,
      });
      if (committed.ok) return { warned: decided.warned, expired: decided.expired, history: committed.value.history, events };
      current = await deps.store.getUser(row.value.id);
    }
    return current === null ? { warned: 0, expired: 0, history: [], events: [] } : null;
  }

  return {
    /**
     * The expiry sweep, for the host to run on a schedule (every few minutes, or once a
     * day after midnight in `timeZone`): for each right whose end is near
     * (`expiryWarningDays`, default 15), one warning event to the person
     * (`AttachmentExpiringSoon`, `GrantExpiringSoon`, with the end date and the days
     * left); for each right whose end has passed, one « Expiré » (or « Habilitation
     * expirée ») history entry on its structure, no one acting, with an
     * `AttachmentExpired` / `GrantExpired` event. Rights give no access from their end on
     * whether the sweep ran or not: it tells, it never decides.
     *
     * Each run takes at most `limit` users (default 100) from the store's index of due
     * ends, and tells whether more are due (`more`: run it again). Each notice is
     * recorded on its right in the same unit of work as its event and entry, checked by
     * version: several processes may run it at once, and each notice is given once.
     *
     * Refusals: `VALIDATION` (a bad `limit`), `STORE_FAILURE`, `CONFIGURATION`.
     *
     * @example
     * ```ts
     * let r = await app.recordExpiries({ limit: 500 });
     * while (r.ok && r.value.more) r = await app.recordExpiries({ limit: 500 });
     * ```
     */
    async recordExpiries(input: RecordExpiriesInput = {}): Promise<Result<ExpiriesOutcome, DomainError>> {
      const parsed = parseWith(SweepSchema, input);
      if (!parsed.ok) return parsed;
      const { limit } = parsed.value;
      return shielded(deps, "recordExpiries", async () => {
        const ctx = clocked(deps);
        const found = await deps.store.findDueExpiries({ ...dueThrough(ctx.today, deps.expiryWarningDays), limit: limit + 1 });
        let more = found.length > limit;
        let users = 0;
        let warned = 0;
        let expired = 0;
        const history: HistoryEntry[] = [];
        const events: RecordedEvent[] = [];
        for (const row of found.slice(0, limit)) {
          const swept = await sweepOne(row, ctx);
          // Changed too often to be saved now: still due, for the next run.
          if (swept === null) {
            more = true;
            continue;
          }
          if (swept.history.length + swept.events.length === 0) continue;
          users++;
          warned += swept.warned;
          expired += swept.expired;
          history.push(...swept.history);
          events.push(...swept.events);
        }
        return ok(freezeOwned({ users, warned, expired, more, history, events }));
      });
    },
  };
}
