// Rights with an end (issue 21): what the expiry sweep does for one user. A right whose
// end is near gets one warning event; once its end has passed, one « Expiré » entry. Each
// notice is recorded on the right itself (`endNotice`), so it is given once, whatever
// the number of sweeps and processes; the store finds the users due by the same rule
// (`HabilitationsStore.findDueExpiries`).
import { entry, type Recorded } from "../_lib.js";
import type { DomainEvent } from "../events.js";
import type { NewHistoryEntry } from "../history.js";
import type { Attachment, SpaceGrant, User } from "../model.js";
import { addCalendarDays, calendarDaysBetween, toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";

/** How many days before its end a right is warned about, unless the host says otherwise. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 15;

/** The bounds of `expiryWarningDays`: at least one day, at most a year. */
export const EXPIRY_WARNING_DAYS_RANGE = { min: 1, max: 366 } as const;

/** What the sweep is told beside the clock. */
export interface ExpiryContext extends TransitionContext {
  /** How many days before its end a right is warned about (the warning is due from `validUntil − warningDays` on). */
  readonly warningDays: number;
}

/**
 * The dates a store compares to find the users due (`findDueExpiries`): a right without
 * a notice is due once its end is at most `warnThrough`; a right warned, once its end is
 * at most `expireThrough` (today: its end has come).
 *
 * @example
 * ```ts
 * dueThrough(localDate("2026-11-27"), 15); // { warnThrough: "2026-12-12", expireThrough: "2026-11-27" }
 * ```
 */
export function dueThrough(today: LocalDate, warningDays: number): { readonly warnThrough: LocalDate; readonly expireThrough: LocalDate } {
  return { warnThrough: addCalendarDays(today, warningDays), expireThrough: today };
}

/**
 * The notice a right is due, given the dates of {@link dueThrough}: `"expired"` once its end
 * has come (also when it was never warned: a warning after the end would say nothing
 * true), `"warned"` when its end is near and it was not warned yet, `null` otherwise.
 *
 * @example
 * ```ts
 * noticeDue({ validUntil: localDate("2026-12-01"), endNotice: null }, dueThrough(localDate("2026-11-27"), 15)); // "warned"
 * noticeDue({ validUntil: localDate("2026-12-01"), endNotice: "warned" }, dueThrough(localDate("2026-11-27"), 15)); // null
 * ```
 */
export function noticeDue(
  right: Pick<Attachment | SpaceGrant, "validUntil" | "endNotice">,
  due: { readonly warnThrough: LocalDate; readonly expireThrough: LocalDate },
): "warned" | "expired" | null {
  const { validUntil, endNotice } = right;
  if (validUntil === null || endNotice === "expired") return null;
  if (validUntil <= due.expireThrough) return "expired";
  if (endNotice === null && validUntil <= due.warnThrough) return "warned";
  return null;
}

/** The order the sweep gives a user's notices in: by structure, the attachment before its grants, grants by space then service. */
function order(structureId: string, rank: number, space: string, service: string): string {
  return `${structureId}\u0000${rank}\u0000${space}\u0000${service}`;
}

/** What {@link recordExpiries} decided for one user. */
export interface ExpiriesRecorded extends Recorded {
  /** The user with each notice recorded on its right. */
  readonly user: User;
  /** How many warnings (`AttachmentExpiringSoon`, `GrantExpiringSoon`) were given. */
  readonly warned: number;
  /** How many ends were recorded as passed (« Expiré », « Habilitation expirée »). */
  readonly expired: number;
}

/**
 * The expiry sweep for one user: for each of their rights whose notice is due
 * ({@link noticeDue}), the warning event (`AttachmentExpiringSoon` / `GrantExpiringSoon`,
 * with the end date and the days left, to the person's login) or the « Expiré » history
 * entry on the structure, no one acting, with an `AttachmentExpired` / `GrantExpired`
 * event; the notice is recorded on the right, so it is never given twice. `null` when
 * nothing is due. Nothing else of the user changes: an ended right stays on record and
 * gives no right (every rule reads its end), until a manager gives it a later end.
 *
 * @example
 * ```ts
 * const r = recordExpiries(bruno, { now, warningDays: 15 });
 * r?.events.map((e) => e.type); // ["AttachmentExpiringSoon"] when his attachment ends in 15 days or fewer
 * ```
 */
export function recordExpiries(user: User, ctx: ExpiryContext): ExpiriesRecorded | null {
  const today = todayOf(ctx);
  const due = dueThrough(today, ctx.warningDays);
  const at = toInstant(ctx.now);
  const notices: { readonly key: string; readonly history: NewHistoryEntry | null; readonly event: DomainEvent }[] = [];
  let warned = 0;
  let expired = 0;
  const attachments = user.attachments.map((a): Attachment => {
    const notice = noticeDue(a, due);
    if (notice === null || a.validUntil === null) return a;
    const { structureId, validUntil } = a;
    const key = order(structureId, 0, "", "");
    if (notice === "warned") {
      warned++;
      notices.push({
        key,
        history: null,
        event: { type: "AttachmentExpiringSoon", at, structureId, userId: user.id, login: user.login, validUntil, daysLeft: calendarDaysBetween(today, validUntil) },
      });
    } else {
      expired++;
      notices.push({
        key,
        history: entry("attachmentExpired", at, structureId, null, user.id, { role: a.role, scope: a.scope, validUntil }),
        event: { type: "AttachmentExpired", at, structureId, userId: user.id, validUntil },
      });
    }
    return { ...a, endNotice: notice };
  });
  const grants = user.grants.map((g): SpaceGrant => {
    const notice = noticeDue(g, due);
    if (notice === null || g.validUntil === null) return g;
    const { structureId, space, serviceId, access, validUntil } = g;
    const key = order(structureId, 1, space, serviceId ?? "");
    if (notice === "warned") {
      warned++;
      notices.push({
        key,
        history: null,
        event: {
          type: "GrantExpiringSoon",
          at,
          structureId,
          userId: user.id,
          login: user.login,
          space,
          serviceId,
          access,
          validUntil,
          daysLeft: calendarDaysBetween(today, validUntil),
        },
      });
    } else {
      expired++;
      notices.push({
        key,
        history: entry("grantExpired", at, structureId, null, user.id, { space, access, ...(serviceId === null ? {} : { serviceId }), validUntil }),
        event: { type: "GrantExpired", at, structureId, userId: user.id, space, serviceId, validUntil },
      });
    }
    return { ...g, endNotice: notice };
  });
  if (notices.length === 0) return null;
  notices.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    user: { ...user, attachments, grants },
    history: notices.flatMap((n) => (n.history === null ? [] : [n.history])),
    events: notices.map((n) => n.event),
    warned,
    expired,
  };
}
