import { entry, type Recorded } from "../_lib.js";
import { attachUser } from "../attachments/attachUser.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { ServiceId, StructureId, UserId } from "../ids.js";
import type { Activation, AttachmentScope, PostalAddress, Service, Structure, User, UserSettings } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import { visibleText } from "../text.js";
import { normalizeLogin } from "../users/registerUser.js";
import type { Role } from "../vocabulary.js";
import {
  freshActivation,
  nextEmailAllowedAt,
  withEmailCounted,
  type ActivationPolicy,
  type IssuedToken,
} from "./policy.js";

/** What an account is made of (« informations générales », postal address, settings). */
export interface AccountDetails {
  /** « Adresse de connexion »: unique, immutable; stored trimmed and in lower case. */
  readonly login: string;
  /** « Adresse électronique de contact »; the login when not given. */
  readonly contactEmail?: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly phone?: string;
  readonly postalAddress?: PostalAddress;
  /** Default: no periodic activity notification. */
  readonly settings?: UserSettings;
}

/** A manager creates the account of a person to attach (guide §3 B). */
export interface CreateAccount extends AccountDetails {
  /** The manager's structure, the account is created for. */
  readonly structureId: StructureId;
  /** Attach the new account to the structure in the same act, as `attachUser` would. */
  readonly attach?: {
    readonly role: Role;
    readonly scope: AttachmentScope;
    readonly validFrom: LocalDate;
    readonly comment: string;
  };
}

/** Anyone creates an account, for themself or for another person, from the public side. */
export type RegisterAccount = AccountDetails;

/** The settings of an account created without any. */
export const DEFAULT_USER_SETTINGS: UserSettings = Object.freeze({ activityNotifications: "never" });

/** What every new account transition needs beside the clock. */
export interface NewAccountContext extends TransitionContext {
  readonly userId: UserId;
  /** The activation token made for it. */
  readonly issued: IssuedToken;
  readonly policy: ActivationPolicy;
}

/** What {@link createAccount} needs to know. */
export interface CreateAccountState {
  readonly actor: User;
  readonly structure: Structure;
  /** The records of (at least) the services of `attach.scope`. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link createAccount} decided. */
export interface AccountCreated extends Recorded {
  readonly user: User;
}

/** A new account « En cours d'activation », its first activation token issued and counted. */
function newAccount(
  details: AccountDetails,
  createdFor: StructureId | null,
  ctx: NewAccountContext,
): { user: User; email: DomainEvent } {
  const login = normalizeLogin(details.login);
  const user: User = {
    id: ctx.userId,
    login,
    contactEmail: (details.contactEmail ?? login).trim(),
    lastName: visibleText(details.lastName) ?? "",
    firstName: visibleText(details.firstName) ?? "",
    status: "pendingActivation",
    attachments: [],
    grants: [],
    phone: details.phone ?? null,
    postalAddress: details.postalAddress ?? null,
    settings: details.settings ?? DEFAULT_USER_SETTINGS,
    createdFor,
    activation: null,
    accountEmailsAt: [],
    deactivatedAt: null,
    createdAt: toInstant(ctx.now),
  };
  return withFreshActivation(user, ctx);
}

/**
 * The event asking the host to send the activation e-mail of an account whose token was
 * just issued, with that token.
 */
export function activationEmail(user: User, activation: Activation, issued: IssuedToken): DomainEvent {
  return {
    type: "ActivationEmailRequested",
    at: activation.issuedAt,
    userId: user.id,
    login: user.login,
    contactEmail: user.contactEmail,
    expiresAt: activation.expiresAt,
    token: issued.token,
  };
}

/** A user with a fresh activation, and the e-mail event that carries its token. */
export function withFreshActivation(
  user: User,
  ctx: Pick<NewAccountContext, "now" | "issued" | "policy">,
): { user: User; email: DomainEvent } {
  const activation = freshActivation(ctx.issued, ctx.now, ctx.policy);
  const renewed: User = { ...withEmailCounted(user, ctx.now), activation };
  return { user: renewed, email: activationEmail(renewed, activation, ctx.issued) };
}

/**
 * A manager creates the account of a person to attach (guide §3 B, « Créer le compte
 * utilisateur »): the account starts « En cours d'activation » and an activation e-mail
 * is requested (an `ActivationEmailRequested` event carrying the token, for the outbox).
 * With `attach`, the account is attached to the structure in the same act, under the
 * rules of `attachUser`. The login's uniqueness spans users: the store enforces it
 * (`LOGIN_TAKEN`).
 *
 * Refusals: `FORBIDDEN`, `PIGP_REFERENT_REQUIRED` (a public structure using the PIGP:
 * its accounts come from the DGFiP referential), and with `attach` those of
 * `attachUser` (`CANNOT_GRANT_PRIMARY`, `VALID_FROM_IN_THE_PAST`, `COMMENT_REQUIRED`,
 * `EMPTY_SCOPE`, `SERVICE_INACTIVE`, `NOT_FOUND`).
 *
 * History: « Compte créé par le gestionnaire » on the structure (and « Rattaché par le
 * gestionnaire » with `attach`).
 *
 * @example
 * ```ts
 * const r = createAccount({ actor: alice, structure, services: new Map() },
 *   { structureId: structure.id, login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" },
 *   { now, userId: userId("u-hugo"), issued: { token, tokenHash }, policy: DEFAULT_ACTIVATION_POLICY });
 * if (r.ok) r.value.user.status; // "pendingActivation"
 * ```
 */
export function createAccount(
  state: CreateAccountState,
  command: CreateAccount,
  ctx: NewAccountContext,
): Result<AccountCreated, DomainError> {
  const { actor, structure } = state;
  if (command.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  const today = todayOf(ctx);
  const allowed = authorizeManager(actor, structure, today);
  if (!allowed.ok) return allowed;
  if (structure.kind === "public" && structure.viaPigp)
    return err({ code: "PIGP_REFERENT_REQUIRED", structureId: structure.id });
  const { user: created, email } = newAccount(command, structure.id, ctx);
  const at = created.createdAt;
  const history = [entry("accountCreated", at, structure.id, actor.id, created.id, {})];
  const events: DomainEvent[] = [
    { type: "AccountCreated", at, userId: created.id, login: created.login, createdBy: actor.id, structureId: structure.id },
    email,
  ];
  if (command.attach === undefined) return ok({ user: created, history, events });
  const attached = attachUser(
    { actor, structure, user: created, services: state.services },
    { structureId: structure.id, userId: created.id, ...command.attach },
    { ...ctx, today },
  );
  if (!attached.ok) return attached;
  return ok({
    user: attached.value.user,
    history: [...history, ...attached.value.history],
    events: [...events, ...attached.value.events],
  });
}

/** What {@link registerAccount} decided: the account written (new or existing), or nothing. */
export interface AccountRegistration extends Recorded {
  /** The account to write: a new one, or the existing one with its e-mail counted; `null`: nothing to write. */
  readonly user: User | null;
  /** Whether `user` is a new account (else an existing one). */
  readonly created: boolean;
}

/**
 * Someone registers an account from the public side (« depuis l'accueil déconnecté »),
 * for themself or for another person: no attachment. The answer must not tell a
 * stranger which logins exist (OWASP: account enumeration), so this rule never fails
 * on the login; what it does depends on `existing`, the account that holds the login:
 *
 * - none: a new account « En cours d'activation » and its activation e-mail;
 * - one still « En cours d'activation »: a fresh activation e-mail to it (the earlier
 *   token stops working), since its owner probably lost the first;
 * - an active or deactivated one: `RegistrationAttemptedForExistingAccount`, to tell
 *   its owner;
 * - in the last two cases, nothing at all when the throttle says that account was
 *   e-mailed too recently (so the act cannot be used to flood a mailbox).
 *
 * No history: the account concerns no structure.
 *
 * @example
 * ```ts
 * const r = registerAccount(null, { login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" },
 *   { now, userId: userId("u-hugo"), issued, policy: DEFAULT_ACTIVATION_POLICY });
 * if (r.ok) r.value.created; // true
 * ```
 */
export function registerAccount(
  existing: User | null,
  command: RegisterAccount,
  ctx: NewAccountContext,
): Result<AccountRegistration, DomainError> {
  if (existing === null) {
    const { user, email } = newAccount(command, null, ctx);
    return ok({
      user,
      created: true,
      history: [],
      events: [
        { type: "AccountCreated", at: user.createdAt, userId: user.id, login: user.login, createdBy: null, structureId: null },
        email,
      ],
    });
  }
  if (nextEmailAllowedAt(existing, ctx.now, ctx.policy) !== null)
    return ok({ user: null, created: false, history: [], events: [] });
  if (existing.status === "pendingActivation") {
    const { user, email } = withFreshActivation(existing, ctx);
    return ok({ user, created: false, history: [], events: [email] });
  }
  return ok({
    user: withEmailCounted(existing, ctx.now),
    created: false,
    history: [],
    events: [
      {
        type: "RegistrationAttemptedForExistingAccount",
        at: toInstant(ctx.now),
        userId: existing.id,
        login: existing.login,
        contactEmail: existing.contactEmail,
      },
    ],
  });
}
