import type { Brand } from "./ids.js";

/** An instant, as the ISO-8601 UTC string `Date#toISOString` writes (`2026-11-27T09:30:00.000Z`). */
export type Instant = Brand<string, "Instant">;

/** A calendar date, `YYYY-MM-DD` (the guide's « date de début de validité »). */
export type LocalDate = Brand<string, "LocalDate">;

/**
 * What every transition is told about time. The core never reads a clock: the host
 * (or the application layer's injected clock) says what `now` is.
 *
 * `today` is the calendar date rules about validity dates use. It defaults to the
 * UTC date of `now`; a host that reasons in another time zone (e.g. Europe/Paris)
 * passes its own local date so « today » means what its users see.
 */
export interface TransitionContext {
  readonly now: Date;
  readonly today?: LocalDate;
}

/**
 * The ISO-8601 UTC form of a date, as stored in aggregates and history.
 *
 * @example
 * ```ts
 * toInstant(new Date(Date.UTC(2026, 10, 27, 9, 30))); // "2026-11-27T09:30:00.000Z"
 * ```
 */
export function toInstant(date: Date): Instant {
  return date.toISOString() as Instant;
}

/**
 * The calendar date rules use: `ctx.today` when given, else the UTC date of `ctx.now`.
 * Independent of the process time zone.
 *
 * @example
 * ```ts
 * todayOf({ now: new Date("2026-11-27T23:30:00Z") }); // "2026-11-27"
 * todayOf({ now: new Date("2026-11-27T23:30:00Z"), today: localDate("2026-11-28") }); // "2026-11-28"
 * ```
 */
export function todayOf(ctx: TransitionContext): LocalDate {
  return ctx.today ?? (ctx.now.toISOString().slice(0, 10) as LocalDate);
}

/**
 * Treats a `YYYY-MM-DD` string as a calendar date (no check; the boundary schemas check).
 *
 * @example
 * ```ts
 * const d = localDate("2026-12-01");
 * ```
 */
export const localDate = (value: string): LocalDate => value as LocalDate;

/**
 * Whether an attachment valid from `validFrom` is in force on `today`
 * (« date de début de validité » reached).
 *
 * @example
 * ```ts
 * isInForce(localDate("2026-12-01"), localDate("2026-11-27")); // false
 * ```
 */
export function isInForce(validFrom: LocalDate, today: LocalDate): boolean {
  // Both are zero-padded YYYY-MM-DD strings: lexical order is calendar order.
  return validFrom <= today;
}
