// The activation policy: how long a token lives, how often an account may be e-mailed,
// and by whom: one budget per initiator.
import { addHours } from "date-fns/addHours";
import { addMinutes } from "date-fns/addMinutes";
import { parseISO } from "date-fns/parseISO";
import type { StructureId } from "../ids.js";
import type { AccountEmail, ActivationToken, EmailInitiator, User } from "../model.js";
import { toInstant, type Instant } from "../time.js";

/**
 * How activation tokens and account e-mails are limited. A host passes its own to
 * `createHabilitations({ activation })`; every field has a default.
 */
export interface ActivationPolicy {
  /** How long an activation token works after it is issued, in minutes (default 60). */
  readonly tokenLifetimeMinutes: number;
  /**
   * How long the token confirming a new contact address works, in minutes (default
   * 7 × 24 × 60: an address given when an account is created may be confirmed once the
   * person has activated it).
   */
  readonly contactTokenLifetimeMinutes: number;
  /** The least time between two e-mails to one account from one initiator, in minutes (default 2). */
  readonly minMinutesBetweenEmails: number;
  /** The most e-mails to one account from one initiator in any 24 hours (default 5). */
  readonly maxEmailsPer24Hours: number;
}

/**
 * The default {@link ActivationPolicy}: activation tokens live 60 minutes, contact
 * confirmations 7 days; per initiator, at most one e-mail per 2 minutes and 5 per 24 hours.
 */
export const DEFAULT_ACTIVATION_POLICY: ActivationPolicy = Object.freeze({
  tokenLifetimeMinutes: 60,
  contactTokenLifetimeMinutes: 7 * 24 * 60,
  minMinutesBetweenEmails: 2,
  maxEmailsPer24Hours: 5,
});

/**
 * A token made by the caller (the application layer uses `node:crypto`) and its hash.
 * The core never makes one: it puts the token in the e-mail event and keeps the hash.
 */
export interface IssuedToken {
  /** The secret sent in the link; it appears in the outbox event only. */
  readonly token: string;
  /** SHA-256 of the token, base64url (see `hashActivationToken` in the application layer). */
  readonly tokenHash: string;
}

/**
 * The initiator of an e-mail asked for by the managers of a structure, or from the
 * public side (`null`).
 *
 * @example
 * ```ts
 * initiatorOf(structureId("str_1")); // "structure:str_1"
 * initiatorOf(null); // "public"
 * ```
 */
export function initiatorOf(structureId: StructureId | null): EmailInitiator {
  return structureId === null ? "public" : `structure:${structureId}`;
}

/**
 * Whether an initiator may e-mail an account at `now` under the policy: `null` if it
 * may, else the first instant it may again. Only that initiator's e-mails count:
 * anonymous registrations never spend a manager's budget, nor the other way round.
 *
 * @example
 * ```ts
 * nextEmailAllowedAt(user, new Date("2026-11-27T09:01:00Z"), DEFAULT_ACTIVATION_POLICY, "public");
 * // "2026-11-27T09:02:00.000Z" when a public registration e-mailed it at 09:00
 * ```
 */
export function nextEmailAllowedAt(user: User, now: Date, policy: ActivationPolicy, by: EmailInitiator): Instant | null {
  const recent = emailsWithinDay(user.accountEmails, now).filter((e) => e.by === by);
  const last = recent[recent.length - 1];
  let retryAt: Instant | null = null;
  if (last !== undefined) {
    const next = toInstant(addMinutes(parseISO(last.at), policy.minMinutesBetweenEmails));
    if (next > toInstant(now)) retryAt = next;
  }
  if (recent.length >= policy.maxEmailsPer24Hours) {
    // The window frees up when the oldest counted e-mail is 24 hours old.
    const oldest = (recent[recent.length - policy.maxEmailsPer24Hours] as AccountEmail).at;
    const next = toInstant(addHours(parseISO(oldest), 24));
    if (retryAt === null || next > retryAt) retryAt = next;
  }
  return retryAt;
}

/** The e-mails of the last 24 hours before `now`, oldest first. */
function emailsWithinDay(sent: readonly AccountEmail[], now: Date): readonly AccountEmail[] {
  const since = toInstant(addHours(now, -24));
  return sent.filter((e) => e.at > since);
}

/** The user with one more account e-mail from `by` counted at `now` (older than 24 hours dropped). */
export function withEmailCounted(user: User, now: Date, by: EmailInitiator): User {
  return { ...user, accountEmails: [...emailsWithinDay(user.accountEmails, now), { at: toInstant(now), by }] };
}

/** A fresh activation token from `by`, issued at `now`. */
export function freshActivationToken(issued: IssuedToken, now: Date, policy: ActivationPolicy, by: EmailInitiator): ActivationToken {
  return {
    tokenHash: issued.tokenHash,
    issuedAt: toInstant(now),
    expiresAt: toInstant(addMinutes(now, policy.tokenLifetimeMinutes)),
    by,
  };
}

/**
 * The live tokens once `token` is issued: it replaces the one of its initiator, and the
 * others stay, but for those expired (nothing accumulates).
 */
export function withToken(tokens: readonly ActivationToken[], token: ActivationToken): ActivationToken[] {
  return [...tokens.filter((t) => t.by !== token.by && t.expiresAt > token.issuedAt), token];
}
