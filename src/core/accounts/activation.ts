import { entry, type Recorded } from "../_lib.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { isInForce, toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import { withFreshActivation } from "./createAccount.js";
import { initiatorOf, nextEmailAllowedAt, type ActivationPolicy, type IssuedToken } from "./policy.js";

/** A manager sends (again) the activation e-mail to one or more users of their structure. */
export interface SendActivationEmails {
  readonly structureId: StructureId;
  /** The users checked (each once). */
  readonly userIds: readonly UserId[];
}

/** The person activates their account with the token of their e-mail. */
export interface ActivateAccount {
  readonly userId: UserId;
  readonly token: string;
}

/**
 * Whether a user is one of a structure's users for its managers' account acts: attached
 * to it, or created for it by one of its managers (an account not attached yet).
 *
 * @example
 * ```ts
 * isUserOf(hugo, structure.id); // true: created for it
 * ```
 */
export function isUserOf(user: User, structureId: StructureId): boolean {
  return user.createdFor === structureId || attachmentTo(user, structureId) !== undefined;
}

/**
 * Whether an account is one a structure's managers may still write: « En cours
 * d'activation » and created for that structure. Once the person activates it, the
 * record is theirs alone.
 *
 * @example
 * ```ts
 * isPendingAccountOf(hugo, structure.id); // true until Hugo activates his account
 * ```
 */
export function isPendingAccountOf(user: User, structureId: StructureId): boolean {
  return user.status === "pendingActivation" && user.createdFor === structureId;
}

/**
 * Whether a structure's managers may read a user's personal information (guide §5):
 * the user holds an attachment to it *in force* (`validFrom` reached, `validUntil` not
 * reached), or their account is pending activation and was created for it. An attachment
 * dated in the future gives no right yet, and one whose end has passed no more, to read a
 * person's record no more than to act.
 *
 * @example
 * ```ts
 * isUserInForceOf(elodie, structure.id, localDate("2026-11-27")); // true
 * ```
 */
export function isUserInForceOf(user: User, structureId: StructureId, today: LocalDate): boolean {
  if (isPendingAccountOf(user, structureId)) return true;
  const attachment = attachmentTo(user, structureId);
  return attachment !== undefined && isInForce(attachment.validFrom, today, attachment.validUntil);
}

/**
 * The structures an act on a user's account concerns, whose history records it: every
 * structure they are attached to, and the one their account was created for.
 *
 * @example
 * ```ts
 * accountStructures(hugo); // [structure.id]
 * ```
 */
export function accountStructures(user: User): readonly StructureId[] {
  const ids = user.attachments.map((a) => a.structureId);
  if (user.createdFor !== null && !ids.includes(user.createdFor)) ids.push(user.createdFor);
  return ids;
}

/** What {@link sendActivationEmail} needs to know. */
export interface SendActivationEmailState {
  readonly actor: User;
  readonly structure: Structure;
  /** The user to e-mail. */
  readonly user: User;
}

/** What {@link sendActivationEmail} decided. */
export interface ActivationEmailSent extends Recorded {
  readonly user: User;
}

/**
 * A manager sends the activation e-mail of an account « En cours d'activation » of
 * their structure, again (guide §5, « Renvoyer un courriel d'activation »): a fresh
 * token, which replaces the older one (that stops working), carried by an
 * `ActivationEmailRequested` event. Throttled per user by the policy, so nobody can
 * flood a mailbox.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (a user who is not one of the structure's: same
 * answer as an unknown id), `ACCOUNT_NOT_PENDING_ACTIVATION` (already active or
 * deactivated), `ACTIVATION_EMAIL_THROTTLED` (with the instant it may be sent again).
 *
 * History: « Courriel d'activation envoyé » on the manager's structure.
 *
 * @example
 * ```ts
 * const r = sendActivationEmail({ actor: alice, structure, user: hugo },
 *   { now, issued: { token, tokenHash }, policy: DEFAULT_ACTIVATION_POLICY });
 * if (r.ok) r.value.events[0]?.type; // "ActivationEmailRequested"
 * ```
 */
export function sendActivationEmail(
  state: SendActivationEmailState,
  ctx: TransitionContext & { readonly issued: IssuedToken; readonly policy: ActivationPolicy },
): Result<ActivationEmailSent, DomainError> {
  const { actor, structure, user } = state;
  const allowed = authorizeManager(actor, structure, todayOf(ctx));
  if (!allowed.ok) return allowed;
  if (!isUserOf(user, structure.id)) return err({ code: "NOT_FOUND", entity: "user", id: user.id });
  if (user.status !== "pendingActivation")
    return err({ code: "ACCOUNT_NOT_PENDING_ACTIVATION", userId: user.id, status: user.status });
  const by = initiatorOf(structure.id);
  const retryAt = nextEmailAllowedAt(user, ctx.now, ctx.policy, by);
  if (retryAt !== null) return err({ code: "ACTIVATION_EMAIL_THROTTLED", userId: user.id, retryAt });
  const { user: renewed, email } = withFreshActivation(user, ctx, by);
  const at = toInstant(ctx.now);
  const expiresAt = (email as Extract<typeof email, { type: "ActivationEmailRequested" }>).expiresAt;
  return ok({
    user: renewed,
    // A manager acts for one structure: its history only (another structure's history
    // does not name a manager it does not know).
    history: [entry("activationEmailSent", at, structure.id, actor.id, user.id, { expiresAt })],
    events: [email],
  });
}

/** What {@link activateAccount} decided. */
export interface AccountActivated extends Recorded {
  readonly user: User;
}

/**
 * The person activates their account with the token of their newest activation e-mail:
 * « En cours d'activation » → « Actif ». The library stores no password: it reports
 * the activation (`AccountActivated`) and the host's identity provider does the rest.
 * An account created for a structure and not attached to it stops being that
 * structure's (`createdFor` cleared): its managers reach it again only by attaching it.
 *
 * `tokenHash` is the hash of the token presented (the caller hashes it as it hashed
 * the token it issued). An unknown user and a wrong token get the same answer, so the
 * act tells nothing about which accounts exist.
 *
 * Refusals: `ACTIVATION_TOKEN_INVALID` (no such user, no activation, or not one of its
 * live tokens: an older one stops working when its initiator sends a new one),
 * `ACTIVATION_TOKEN_USED`, `ACTIVATION_TOKEN_EXPIRED`.
 *
 * History: « Compte activé » on every structure of the account.
 *
 * @example
 * ```ts
 * const r = activateAccount(hugo, { userId: hugo.id, token }, { now, tokenHash: hashActivationToken(token) });
 * if (r.ok) r.value.user.status; // "active"
 * ```
 */
export function activateAccount(
  user: User | null,
  command: ActivateAccount,
  ctx: TransitionContext & { readonly tokenHash: string },
): Result<AccountActivated, DomainError> {
  const invalid = err<DomainError>({ code: "ACTIVATION_TOKEN_INVALID", userId: command.userId });
  if (user === null || user.id !== command.userId) return invalid;
  const activation = user.activation;
  const token = activation?.tokens.find((t) => t.tokenHash === ctx.tokenHash);
  if (activation === null || token === undefined) return invalid;
  if (activation.usedAt !== null || user.status !== "pendingActivation")
    return err({ code: "ACTIVATION_TOKEN_USED", userId: user.id });
  const at = toInstant(ctx.now);
  if (at >= token.expiresAt) return err({ code: "ACTIVATION_TOKEN_EXPIRED", userId: user.id, expiredAt: token.expiresAt });
  // Whoever created the account, the person who proves the login with any live link
  // takes it over: the record is now theirs alone, and the structure it was created for
  // loses its hold on it (its managers reach it again only through an attachment).
  const activated: User = { ...user, status: "active", createdFor: null, activation: { ...activation, usedAt: at } };
  return ok({
    user: activated,
    history: accountStructures(user).map((s) => entry("accountActivated", at, s, user.id, user.id, {})),
    events: [{ type: "AccountActivated", at, userId: user.id, login: user.login }],
  });
}
