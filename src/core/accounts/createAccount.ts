import { entry, type Recorded } from "../_lib.js";
import { attachUser } from "../attachments/attachUser.js";
import { authorizeManager } from "../authorization.js";
import { ownFields } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { ServiceId, StructureId, UserId } from "../ids.js";
import type { ActivationToken, AttachmentScope, EmailInitiator, PostalAddress, Service, Structure, User, UserSettings } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import { visibleText } from "../text.js";
import { normalizeLogin } from "../users/registerUser.js";
import type { Role } from "../vocabulary.js";
import { withContactEmailChange } from "./contactEmail.js";
import {
  freshActivationToken,
  initiatorOf,
  nextEmailAllowedAt,
  withEmailCounted,
  withToken,
  type ActivationPolicy,
  type IssuedToken,
} from "./policy.js";

/** What an account is made of (« informations générales », postal address, settings). */
export interface AccountDetails {
  /** « Adresse de connexion »: unique, immutable; stored trimmed and in lower case. */
  readonly login: string;
  /**
   * « Adresse électronique de contact ». Until the person confirms it, signed in, with
   * the link sent to it, the contact address is the login: whoever creates an account
   * never chooses where its owner's notices go.
   */
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
    /** The first day without the right, after `validFrom`; absent or `null`: no end. */
    readonly validUntil?: LocalDate | null;
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
  /** The token confirming the contact address given, when it is not the login. */
  readonly contactToken: IssuedToken;
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

/**
 * A new account « En cours d'activation », its first activation token issued and counted;
 * a contact address other than the login waits for its confirmation.
 */
function newAccount(
  details: AccountDetails,
  createdFor: StructureId | null,
  requestedBy: UserId | null,
  ctx: NewAccountContext,
): { user: User; events: DomainEvent[] } {
  const login = normalizeLogin(details.login);
  const by = initiatorOf(createdFor);
  const user: User = {
    id: ctx.userId,
    login,
    contactEmail: login,
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
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: toInstant(ctx.now),
  };
  const activated = withFreshActivation(user, ctx, by);
  const contact = details.contactEmail?.trim();
  if (contact === undefined || contact.toLowerCase() === login) return { user: activated.user, events: [activated.email] };
  const changed = withContactEmailChange(activated.user, contact, { ...ctx, issued: ctx.contactToken, by, requestedBy });
  return { user: changed.user, events: [activated.email, changed.email] };
}

/**
 * The event asking the host to send the activation e-mail of an account whose token was
 * just issued, with that token, to the account's login (the address its owner proves by
 * using the link): never to another address.
 */
export function activationEmail(user: User, token: ActivationToken, issued: IssuedToken): DomainEvent {
  return {
    type: "ActivationEmailRequested",
    at: token.issuedAt,
    userId: user.id,
    login: user.login,
    expiresAt: token.expiresAt,
    token: issued.token,
  };
}

/**
 * A user with a fresh activation token from `by` (replacing that initiator's older one
 * only), the e-mail counted in `by`'s budget, and the e-mail event that carries the token.
 */
export function withFreshActivation(
  user: User,
  ctx: Pick<NewAccountContext, "now" | "issued" | "policy">,
  by: EmailInitiator,
): { user: User; email: DomainEvent } {
  const token = freshActivationToken(ctx.issued, ctx.now, ctx.policy, by);
  const activation = { tokens: withToken(user.activation?.tokens ?? [], token), usedAt: null };
  const renewed: User = { ...withEmailCounted(user, ctx.now, by), activation };
  return { user: renewed, email: activationEmail(renewed, token, ctx.issued) };
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
 * `attachUser` (`CANNOT_GRANT_PRIMARY`, `VALID_FROM_IN_THE_PAST`, `VALID_UNTIL_TOO_EARLY`,
 * `COMMENT_REQUIRED`, `EMPTY_SCOPE`, `SERVICE_INACTIVE`, `NOT_FOUND`).
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
  const { user: created, events: emails } = newAccount(command, structure.id, actor.id, ctx);
  const at = created.createdAt;
  const history = [entry("accountCreated", at, structure.id, actor.id, created.id, {})];
  const events: DomainEvent[] = [
    { type: "AccountCreated", at, userId: created.id, login: created.login, createdBy: actor.id, structureId: structure.id },
    ...emails,
  ];
  if (command.attach === undefined) return ok({ user: created, history, events });
  const attached = attachUser(
    { actor, structure, user: created, services: state.services },
    // Own fields only: an optional field the attachment leaves out (validUntil) must not be read from a polluted prototype.
    ownFields({ structureId: structure.id, userId: created.id, ...command.attach }),
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
 * - none: a new account « En cours d'activation » and its activation e-mail to the login
 *   (and, for a contact address other than the login, a confirmation e-mail to it);
 * - one still « En cours d'activation »: one more activation link to its login, beside
 *   the live ones — never instead of them: an anonymous act does not undo a manager's,
 *   and the manager's link keeps working. Whoever owns the login and uses a link takes
 *   the account over; nothing else of the record changes;
 * - an active or deactivated one: `RegistrationAttemptedForExistingAccount`, to tell
 *   its owner at their login;
 * - in the last two cases, nothing at all when the public side's budget for that
 *   account is spent (so the act cannot be used to flood a mailbox). That budget is the
 *   public side's alone: registrations never spend a manager's.
 *
 * No history: the account concerns no structure.
 *
 * @example
 * ```ts
 * const r = registerAccount(null, { login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" },
 *   { now, userId: userId("u-hugo"), issued, contactToken, policy: DEFAULT_ACTIVATION_POLICY });
 * if (r.ok) r.value.created; // true
 * ```
 */
export function registerAccount(
  existing: User | null,
  command: RegisterAccount,
  ctx: NewAccountContext,
): Result<AccountRegistration, DomainError> {
  if (existing === null) {
    const { user, events } = newAccount(command, null, null, ctx);
    return ok({
      user,
      created: true,
      history: [],
      events: [
        { type: "AccountCreated", at: user.createdAt, userId: user.id, login: user.login, createdBy: null, structureId: null },
        ...events,
      ],
    });
  }
  if (nextEmailAllowedAt(existing, ctx.now, ctx.policy, "public") !== null)
    return ok({ user: null, created: false, history: [], events: [] });
  if (existing.status === "pendingActivation") {
    const { user, email } = withFreshActivation(existing, ctx, "public");
    return ok({ user, created: false, history: [], events: [email] });
  }
  return ok({
    user: withEmailCounted(existing, ctx.now, "public"),
    created: false,
    history: [],
    events: [
      {
        type: "RegistrationAttemptedForExistingAccount",
        at: toInstant(ctx.now),
        userId: existing.id,
        login: existing.login,
      },
    ],
  });
}
