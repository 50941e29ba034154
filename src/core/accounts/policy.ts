// The activation policy: how long a token lives, how often an account may be e-mailed.
import { addHours } from "date-fns/addHours";
import { addMinutes } from "date-fns/addMinutes";
import { parseISO } from "date-fns/parseISO";
import type { Activation, User } from "../model.js";
import { toInstant, type Instant } from "../time.js";

/**
 * How activation tokens and account e-mails are limited. A host passes its own to
 * `createHabilitations({ activation })`; every field has a default.
 */
export interface ActivationPolicy {
  /** How long an activation token works after it is issued, in minutes (default 60). */
  readonly tokenLifetimeMinutes: number;
  /** The least time between two e-mails to one account, in minutes (default 2). */
  readonly minMinutesBetweenEmails: number;
  /** The most e-mails to one account in any 24 hours (default 5). */
  readonly maxEmailsPer24Hours: number;
}

/** The default {@link ActivationPolicy}: tokens live 60 minutes; at most one e-mail per 2 minutes and 5 per 24 hours. */
export const DEFAULT_ACTIVATION_POLICY: ActivationPolicy = Object.freeze({
  tokenLifetimeMinutes: 60,
  minMinutesBetweenEmails: 2,
  maxEmailsPer24Hours: 5,
});

/**
 * A token made by the caller (the application layer uses `node:crypto`) and its hash.
 * The core never makes one: it puts the token in the e-mail event and keeps the hash.
 */
export interface IssuedToken {
  /** The secret sent in the activation link; it appears in the outbox event only. */
  readonly token: string;
  /** SHA-256 of the token, base64url (see `hashActivationToken` in the application layer). */
  readonly tokenHash: string;
}

/**
 * Whether an account may be e-mailed at `now` under the policy: `null` if it may,
 * else the first instant it may be again.
 *
 * @example
 * ```ts
 * nextEmailAllowedAt(user, new Date("2026-11-27T09:01:00Z"), DEFAULT_ACTIVATION_POLICY);
 * // "2026-11-27T09:02:00.000Z" when the last e-mail went at 09:00
 * ```
 */
export function nextEmailAllowedAt(user: User, now: Date, policy: ActivationPolicy): Instant | null {
  const recent = emailsWithinDay(user.accountEmailsAt, now);
  const last = recent[recent.length - 1];
  let retryAt: Instant | null = null;
  if (last !== undefined) {
    const next = toInstant(addMinutes(parseISO(last), policy.minMinutesBetweenEmails));
    if (next > toInstant(now)) retryAt = next;
  }
  if (recent.length >= policy.maxEmailsPer24Hours) {
    // The window frees up when the oldest counted e-mail is 24 hours old.
    const oldest = recent[recent.length - policy.maxEmailsPer24Hours] as Instant;
    const next = toInstant(addHours(parseISO(oldest), 24));
    if (retryAt === null || next > retryAt) retryAt = next;
  }
  return retryAt;
}

/** The e-mail instants of the last 24 hours before `now`, oldest first. */
function emailsWithinDay(sent: readonly Instant[], now: Date): readonly Instant[] {
  const since = toInstant(addHours(now, -24));
  return sent.filter((at) => at > since);
}

/** The user with one more account e-mail counted at `now` (older than 24 hours dropped). */
export function withEmailCounted(user: User, now: Date): User {
  return { ...user, accountEmailsAt: [...emailsWithinDay(user.accountEmailsAt, now), toInstant(now)] };
}

/** A fresh activation for a token issued at `now`: it replaces any earlier one. */
export function freshActivation(issued: IssuedToken, now: Date, policy: ActivationPolicy): Activation {
  return {
    tokenHash: issued.tokenHash,
    issuedAt: toInstant(now),
    expiresAt: toInstant(addMinutes(now, policy.tokenLifetimeMinutes)),
    usedAt: null,
  };
}
