import { TZDate } from "@date-fns/tz";
import type { Brand } from "./ids.js";

/** An instant, as the ISO-8601 UTC string `Date#toISOString` writes (`2026-11-27T09:30:00.000Z`). */
export type Instant = Brand<string, "Instant">;

/** A calendar date, `YYYY-MM-DD` (the guide's « date de début de validité »). */
export type LocalDate = Brand<string, "LocalDate">;

/** The time zone whose calendar validity dates follow unless told otherwise. */
export const DEFAULT_TIME_ZONE = "Europe/Paris";

/**
 * What every transition is told about time. The core never reads a clock: the host
 * (or the application layer's injected clock) says what `now` is.
 *
 * `today` is the calendar date rules about validity dates use. When it is not given it
 * is the date of `now` in `timeZone` (default Europe/Paris: French calendar dates),
 * never in the process time zone.
 */
export interface TransitionContext {
  readonly now: Date;
  readonly today?: LocalDate;
  /** An IANA time zone (`"Europe/Paris"`, `"Pacific/Noumea"`); used when `today` is not given. */
  readonly timeZone?: string;
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

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * The calendar date of an instant in an IANA time zone, whatever the process time zone;
 * `null` for an invalid date or an unknown zone.
 *
 * @example
 * ```ts
 * calendarDate(new Date("2026-11-27T23:30:00Z"), "Europe/Paris"); // "2026-11-28"
 * calendarDate(new Date("2026-11-27T23:30:00Z"), "UTC"); // "2026-11-27"
 * ```
 */
export function calendarDate(now: Date, timeZone: string): LocalDate | null {
  const time = now.getTime();
  if (Number.isNaN(time)) return null;
  let zoned: TZDate;
  try {
    zoned = new TZDate(time, timeZone);
  } catch {
    return null;
  }
  const year = zoned.getFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) return null;
  return `${pad(year, 4)}-${pad(zoned.getMonth() + 1, 2)}-${pad(zoned.getDate(), 2)}` as LocalDate;
}

/**
 * The calendar date rules use: `ctx.today` when given, else the date of `ctx.now` in
 * `ctx.timeZone` (default Europe/Paris). Independent of the process time zone.
 *
 * @example
 * ```ts
 * todayOf({ now: new Date("2026-11-27T23:30:00Z") }); // "2026-11-28" (already the 28th in Paris)
 * todayOf({ now: new Date("2026-11-27T23:30:00Z"), timeZone: "UTC" }); // "2026-11-27"
 * todayOf({ now, today: localDate("2026-12-01") }); // "2026-12-01"
 * ```
 */
export function todayOf(ctx: TransitionContext): LocalDate {
  if (ctx.today !== undefined) return ctx.today;
  const date = calendarDate(ctx.now, ctx.timeZone ?? DEFAULT_TIME_ZONE);
  if (date === null) throw new RangeError(`no calendar date for ${String(ctx.now)} in ${ctx.timeZone ?? DEFAULT_TIME_ZONE}`);
  return date;
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
 * Whether a string is a real calendar date written `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * isLocalDate("2026-02-29"); // false
 * isLocalDate("2028-02-29"); // true
 * ```
 */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Whether a right valid from `validFrom` until `validUntil` is in force on `today`:
 * the « date de début de validité » reached (inclusive) and the end not reached
 * (`validUntil` is the first day without the right; `null` or absent: no end).
 *
 * @example
 * ```ts
 * isInForce(localDate("2026-12-01"), localDate("2026-11-27")); // false: not yet
 * isInForce(localDate("2026-11-01"), localDate("2026-11-27"), localDate("2026-11-27")); // false: ended
 * isInForce(localDate("2026-11-01"), localDate("2026-11-26"), localDate("2026-11-27")); // true: its last day
 * ```
 */
export function isInForce(validFrom: LocalDate, today: LocalDate, validUntil: LocalDate | null = null): boolean {
  // All are zero-padded YYYY-MM-DD strings: lexical order is calendar order.
  return validFrom <= today && (validUntil === null || today < validUntil);
}

/**
 * Whether a right with an end date has ended on `today`: `validUntil` is the first day
 * without it, so it has ended from that day on; a right without an end (`null`) never ends.
 *
 * @example
 * ```ts
 * hasEnded(localDate("2026-12-01"), localDate("2026-11-30")); // false: its last day
 * hasEnded(localDate("2026-12-01"), localDate("2026-12-01")); // true
 * hasEnded(null, localDate("2099-01-01")); // false
 * ```
 */
export function hasEnded(validUntil: LocalDate | null, today: LocalDate): boolean {
  return validUntil !== null && validUntil <= today;
}

/** The UTC midnight of a calendar date, in milliseconds (a calendar date has no time zone). */
function dayNumber(day: LocalDate): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getTime() / 86_400_000;
}

/**
 * The calendar date `days` days after `day` (before it for a negative number), whatever
 * the time zone: calendar dates have no daylight saving time.
 *
 * @example
 * ```ts
 * addCalendarDays(localDate("2026-12-20"), 15); // "2027-01-04"
 * addCalendarDays(localDate("2027-03-01"), -1); // "2027-02-28"
 * ```
 */
export function addCalendarDays(day: LocalDate, days: number): LocalDate {
  const date = new Date(dayNumber(day) * 86_400_000 + days * 86_400_000);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` as LocalDate;
}

/**
 * How many calendar days from `from` to `to` (negative when `to` comes first).
 *
 * @example
 * ```ts
 * calendarDaysBetween(localDate("2026-12-28"), localDate("2027-01-04")); // 7
 * ```
 */
export function calendarDaysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round(dayNumber(to) - dayNumber(from));
}

/**
 * An instant as a French reader reads it, in a time zone (default Europe/Paris): « le
 * 27/11/2026 à 10:58 ». For messages; the instant itself stays in the error's data.
 *
 * @example
 * ```ts
 * frenchInstant("2026-11-27T09:58:00.000Z" as Instant); // "le 27/11/2026 à 10:58"
 * ```
 */
export function frenchInstant(at: Instant, timeZone = "Europe/Paris"): string {
  const time = Date.parse(at);
  if (Number.isNaN(time)) return at;
  let zoned: TZDate;
  try {
    zoned = new TZDate(time, timeZone);
  } catch {
    return at;
  }
  // A time zone the platform does not know gives NaN fields rather than an error.
  if (Number.isNaN(zoned.getFullYear())) return at;
  const two = (n: number) => String(n).padStart(2, "0");
  return `le ${two(zoned.getDate())}/${two(zoned.getMonth() + 1)}/${zoned.getFullYear()} à ${two(zoned.getHours())}:${two(zoned.getMinutes())}`;
}
