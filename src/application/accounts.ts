// Guide §3 B, « Rattacher un utilisateur n'ayant pas de compte », and the account side
// of §5, « Rechercher et gérer des utilisateurs »: accounts created by a manager or from
// the public side, activation e-mails and activation, a user's record.
import {
  activateAccount as activateAccountRule,
  confirmContactEmail as confirmContactEmailRule,
  createAccount as createAccountRule,
  err,
  isUserInForceOf,
  parseConfirmContactEmail,
  ok,
  parseActivateAccount,
  parseCreateAccount,
  parseRegisterAccount,
  parseSendActivationEmails,
  parseUpdateUser,
  parseWith,
  personalInformation,
  registerAccount as registerAccountRule,
  scopeServiceIds,
  sendActivationEmail as sendActivationEmailRule,
  canManage,
  updateUser as updateUserRule,
  userStructures,
  UserRefSchema,
  type DomainError,
  type Instant,
  type PersonalInformation,
  type RecordedEvent,
  type Result,
  type Structure,
  type StructureId,
  type User,
  type UserChanges,
  type UserId,
  type UserStructureLine,
  type ActivateAccountInput,
  type ConfirmContactEmailInput,
  type CreateAccountInput,
  type GetPersonalInformationInput,
  type ListUserStructuresInput,
  type RegisterAccountInput,
  type SendActivationEmailsInput,
  type UpdateUserInput,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import { UNKNOWN_ACTOR, clocked, eachItem, execute, hashActivationToken, issueToken, itemKey, judge, managerOf, selfActor, parseAct, parseActor, parseCommandOptions, Session, shielded, type Clocked, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What `createAccount` gives back: the new account as seen from the structure. */
export type AccountCreatedOutcome = Outcome<{ readonly member: MemberView }>;

/**
 * What `registerAccount` answers, whether the login was new or taken: the same, so a
 * stranger learns nothing about which logins exist.
 */
export interface RegistrationReceipt {
  /** The login, as it will be kept (trimmed, lower case). */
  readonly login: string;
}

/** What one activation e-mail gave: when its token expires. */
export type ActivationEmailOutcome = Outcome<{ readonly userId: UserId; readonly expiresAt: Instant }>;

/** One user's result in `sendActivationEmails`. */
export interface ActivationEmailResultItem {
  readonly userId: UserId;
  readonly result: Result<ActivationEmailOutcome, DomainError>;
}

/** What `sendActivationEmails` gives back: one result per user, in order, and every event saved. */
export interface ActivationEmailsOutcome {
  readonly results: readonly ActivationEmailResultItem[];
  /** Without their tokens, which only the outbox holds. */
  readonly events: readonly RecordedEvent[];
}

/** What `activateAccount` gives back: whose account is now active, for the host's identity provider. */
export type AccountActivatedOutcome = Outcome<{ readonly userId: UserId; readonly login: string }>;

/**
 * What `updateUser` gives back: the record as it now is, the fields that changed, and a
 * new contact address now waiting for its confirmation (or `null`).
 */
export type UserUpdatedOutcome = Outcome<{
  readonly user: PersonalInformation;
  readonly fields: readonly (keyof UserChanges)[];
  readonly pendingContactEmail: string | null;
}>;

/** What `confirmContactEmail` gives back: the contact address now in use. */
export type ContactEmailConfirmedOutcome = Outcome<{ readonly contactEmail: string }>;

/**
 * Loads the actor and the user a read of a user's record names: the user themself
 * (`structureId` absent, an active account), or a user of a structure the actor manages,
 * in force (`isUserInForceOf`: attached with `validFrom` reached, or an account pending
 * activation created for it). Any other user is `NOT_FOUND`, the answer an unknown id
 * gets, after the same reads; someone else's record without a structure is `FORBIDDEN`.
 */
async function reachUser(
  session: Session,
  actorId: UserId,
  ref: { readonly userId: UserId; readonly structureId?: StructureId | undefined },
  ctx: Clocked,
): Promise<Result<{ actor: User; structure: Structure | null; user: User }, DomainError>> {
  await session.prefetch({ user: [actorId, ref.userId], structure: ref.structureId === undefined ? [] : [ref.structureId] });
  if (ref.structureId === undefined) {
    const actor = await session.user(actorId);
    if (actor === null) return err(UNKNOWN_ACTOR);
    if (actorId !== ref.userId)
      return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "notTheUser" });
    if (actor.value.status !== "active")
      return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "accountNotActive" });
    return ok({ actor: actor.value, structure: null, user: actor.value });
  }
  const judged = await judge(session, actorId, ref.structureId, ctx.today);
  if (!judged.ok) return judged;
  const user = await session.user(ref.userId);
  if (user === null || !isUserInForceOf(user.value, ref.structureId, ctx.today))
    return err({ code: "NOT_FOUND", entity: "user", id: ref.userId });
  return ok({ ...judged.value, user: user.value });
}

/** When the activation token an outcome's `ActivationEmailRequested` event reports expires. */
function expiresAtOf(events: readonly { readonly type: string }[]): Instant {
  const email = events.find((e) => e.type === "ActivationEmailRequested") as { readonly expiresAt: Instant } | undefined;
  return email?.expiresAt as Instant;
}

/** Builds the operations on accounts (guide §3 B and §5). */
export function accountOperations(deps: Deps) {
  const { store } = deps;

  /** One activation e-mail, its own unit of work. */
  function sendOne(
    actorId: UserId,
    structureId: StructureId,
    userId: UserId,
    idempotencyKey: string | undefined,
  ): Promise<Result<ActivationEmailOutcome, DomainError>> {
    return execute(deps, {
      operation: "sendActivationEmail",
      actorId,
      command: { structureId, userId },
      idempotencyKey,
      entitled: managerOf(actorId, structureId),
      async decide({ session, ctx }) {
        await session.prefetch({ user: [actorId, userId], structure: [structureId] });
        const judged = await judge(session, actorId, structureId, ctx.today);
        if (!judged.ok) return judged;
        const user = await session.user(userId);
        if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: userId });
        const decided = sendActivationEmailRule(
          { ...judged.value, user: user.value },
          { ...ctx, issued: issueToken(deps), policy: deps.activation },
        );
        if (!decided.ok) return decided;
        return ok({ outcome: decided.value, writes: [{ kind: "user", value: decided.value.user }] });
      },
      show: (o) => ({ userId: o.user.id, expiresAt: expiresAtOf(o.events) }),
    });
  }

  return {
    /**
     * A manager creates the account of a person to attach (guide §3 B, « Créer le
     * compte utilisateur »): login (unique, immutable), contact e-mail, names, optional
     * phone, postal address and settings. The account starts « En cours d'activation »
     * and an activation e-mail is requested: an `ActivationEmailRequested` event in the
     * outbox carries the token (the outcome's copy does not: the manager never holds
     * it). With `attach`, the account is attached to the structure in the same act
     * (role, scope, validity date, comment), under the rules of `attachUser`.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `PIGP_REFERENT_REQUIRED` (a public structure
     * using the PIGP: ask the DGFiP referent of the MADHRAS referential), `LOGIN_TAKEN`,
     * and with `attach` those of `attachUser`.
     *
     * @example
     * ```ts
     * const r = await app.createAccount(alice.id, {
     *   structureId, login: "hugo.martin@example.fr", lastName: "Martin", firstName: "Hugo",
     *   attach: { role: "user", scope: { kind: "structure" }, validFrom: "2026-11-28", comment: "Nouvel agent comptable" },
     * });
     * if (r.ok) r.value.member.status; // "pendingActivation"
     * ```
     */
    async createAccount(actor: ActorId, input: CreateAccountInput, options?: CommandOptions): Promise<Result<AccountCreatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseCreateAccount);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "createAccount",
        actorId,
        command,
        idempotencyKey,
        entitled: managerOf(actorId, command.structureId),
        async decide({ session, ctx, newId }) {
          const services = command.attach === undefined ? [] : scopeServiceIds(command.attach.scope);
          await session.prefetch({ user: [actorId], structure: [command.structureId], service: services });
          const judged = await judge(session, actorId, command.structureId, ctx.today);
          if (!judged.ok) return judged;
          const decided = createAccountRule(
            { ...judged.value, services: await session.services(services) },
            command,
            { ...ctx, userId: newId("user") as UserId, issued: issueToken(deps), contactToken: issueToken(deps), policy: deps.activation },
          );
          if (!decided.ok) return decided;
          // A login in use is found before the commit, and by the store's unique key at it.
          if ((await store.findUserByLogin(command.login)) !== null)
            return err({ code: "LOGIN_TAKEN", login: command.login });
          return ok({
            outcome: { ...decided.value, structure: judged.value.structure },
            writes: [{ kind: "user", value: decided.value.user, create: true }],
          });
        },
        show: (o) => ({ member: memberView(o.user, o.structure) }),
      });
    },

    /**
     * Anyone creates an account, for themself or for another person, from the public
     * side (« depuis l'accueil déconnecté »), with no attachment. The answer is the same
     * whether the login is new or taken, so nobody learns which logins exist (OWASP:
     * account enumeration): a new login gets an account « En cours d'activation » and
     * its activation e-mail; a login still « En cours d'activation » gets a fresh
     * activation e-mail; an active or deactivated one gets
     * `RegistrationAttemptedForExistingAccount` so that its owner is told. The e-mails
     * are throttled per account (`activation` policy); beyond it nothing is sent, and
     * the answer is still the same. Only the outbox tells what happened.
     *
     * Refusals: `VALIDATION` (and the infrastructure's `STORE_FAILURE`, `CONFIGURATION`).
     *
     * @example
     * ```ts
     * const r = await app.registerAccount({ login: "hugo.martin@example.fr", lastName: "Martin", firstName: "Hugo" });
     * if (r.ok) r.value.login; // "hugo.martin@example.fr", whoever held it before
     * ```
     */
    async registerAccount(input: RegisterAccountInput, options?: CommandOptions): Promise<Result<RegistrationReceipt, DomainError>> {
      const command = parseRegisterAccount(input);
      if (!command.ok) return command;
      const opts = parseCommandOptions(options);
      if (!opts.ok) return opts;
      const login = command.value.login;
      // Twice at most: a registration of the same new login committed meanwhile makes the
      // first attempt LOGIN_TAKEN; the second finds that account and tells its owner.
      for (let attempt = 1; ; attempt++) {
        const done = await execute(deps, {
          operation: "registerAccount",
          actorId: null,
          command: command.value,
          idempotencyKey: opts.value.idempotencyKey,
          entitled: null,
          async decide({ session, ctx, newId }) {
            const found = await store.findUserByLogin(login);
            const existing = found === null ? null : await session.user(found.value.id);
            const decided = registerAccountRule(existing?.value ?? null, command.value, {
              ...ctx,
              userId: newId("user") as UserId,
              issued: issueToken(deps),
              contactToken: issueToken(deps),
              policy: deps.activation,
            });
            if (!decided.ok) return decided;
            const { user, created } = decided.value;
            return ok({ outcome: decided.value, writes: user === null ? [] : [{ kind: "user", value: user, create: created }] });
          },
          show: () => ({ login }),
        });
        if (done.ok) return ok({ login });
        if (done.error.code === "LOGIN_TAKEN" && attempt < 2) continue;
        return done.error.code === "LOGIN_TAKEN" ? ok({ login }) : done;
      }
    },

    /**
     * A manager sends the activation e-mail again to the users they checked (guide §5,
     * « Renvoyer un courriel d'activation »): each user on their own (one unit of work
     * each, one result each, in order), only accounts « En cours d'activation » of the
     * structure (attached to it, or created for it). Each e-mail carries a fresh token
     * and the older ones stop working. Throttled per user (`activation` policy). User
     * `i` is keyed `${idempotencyKey}#${i}`. Each result's history holds the entry on this
     * structure only (the e-mail is recorded on every structure of the account).
     *
     * Refusals of the whole call: `VALIDATION`, `UNKNOWN_ACTOR`. Per user:
     * `FORBIDDEN`, `NOT_FOUND` (not a user of the structure), `ACCOUNT_NOT_PENDING_ACTIVATION`,
     * `ACTIVATION_EMAIL_THROTTLED`, `STORE_FAILURE`, `NOT_ATTEMPTED`.
     *
     * @example
     * ```ts
     * const r = await app.sendActivationEmails(alice.id, { structureId, userIds: [hugo.id, elodie.id] });
     * if (r.ok) r.value.results.map((x) => x.result.ok); // [true, false]: Élodie is already active
     * ```
     */
    async sendActivationEmails(actor: ActorId, input: SendActivationEmailsInput, options?: CommandOptions): Promise<Result<ActivationEmailsOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseSendActivationEmails);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return shielded(deps, "sendActivationEmails", async () => {
        if ((await store.getUser(actorId)) === null) return err(UNKNOWN_ACTOR);
        const results = await eachItem(command.userIds, (userId, i) =>
          sendOne(actorId, command.structureId, userId, itemKey(idempotencyKey, i)),
        );
        return ok({
          results: results.map((result, i) => ({ userId: command.userIds[i] as UserId, result })),
          events: results.flatMap((r) => (r.ok ? r.value.events : [])),
        });
      });
    },

    /**
     * The person activates their account with the token of their newest activation
     * e-mail (public side, no actor): « En cours d'activation » → « Actif ». The library
     * never stores a password: it reports `AccountActivated`, and the host's identity
     * provider lets the person set what it needs. An unknown user and a wrong token get
     * the same answer.
     *
     * Refusals: `VALIDATION`, `ACTIVATION_TOKEN_INVALID` (unknown, or not the newest
     * token), `ACTIVATION_TOKEN_USED`, `ACTIVATION_TOKEN_EXPIRED`; none changes anything.
     *
     * @example
     * ```ts
     * const r = await app.activateAccount({ userId, token }); // both from the e-mail's link
     * if (r.ok) identityProvider.enable(r.value.login);
     * ```
     */
    async activateAccount(input: ActivateAccountInput, options?: CommandOptions): Promise<Result<AccountActivatedOutcome, DomainError>> {
      const command = parseActivateAccount(input);
      if (!command.ok) return command;
      const opts = parseCommandOptions(options);
      if (!opts.ok) return opts;
      const tokenHash = hashActivationToken(command.value.token);
      return execute(deps, {
        operation: "activateAccount",
        actorId: null,
        // The fingerprint holds the token's hash, never the token.
        command: { userId: command.value.userId, tokenHash },
        idempotencyKey: opts.value.idempotencyKey,
        entitled: null,
        async decide({ session, ctx }) {
          const user = await session.user(command.value.userId);
          const decided = activateAccountRule(user?.value ?? null, command.value, { ...ctx, tokenHash });
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "user", value: decided.value.user }] });
        },
        show: (o) => ({ userId: o.user.id, login: o.user.login }),
      });
    },

    /**
     * Changes a user's record (guide §5, « Modifier l'utilisateur »): names, contact
     * e-mail, phone, postal address (`null` clears the last two), settings; never the
     * login (`VALIDATION`). A person's record is theirs: the user changes their own (no
     * `structureId`); a manager changes only the record of an account still « En cours
     * d'activation » created for their structure (the details they typed in). A new
     * contact address is not used at once: a `ContactEmailConfirmationRequested` event
     * asks the host to send a link to it, and the person, signed in, confirms it
     * (`confirmContactEmail`). Nothing changed: nothing written.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN` (`notTheUser`: someone else's record, or an
     * account no longer pending), `NOT_FOUND` (not a user of that structure in force),
     * `CONFIRMATION_EMAIL_THROTTLED`.
     *
     * @example
     * ```ts
     * const r = await app.updateUser(hugo.id, { userId: hugo.id, changes: { phone: "+33 4 72 10 30 30" } });
     * if (r.ok) r.value.fields; // ["phone"]
     * ```
     */
    async updateUser(actor: ActorId, input: UpdateUserInput, options?: CommandOptions): Promise<Result<UserUpdatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseUpdateUser);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const structureId = command.structureId;
      return execute(deps, {
        operation: "updateUser",
        actorId,
        command,
        idempotencyKey,
        entitled: structureId === undefined ? selfActor(actorId) : managerOf(actorId, structureId),
        async decide({ session, ctx }) {
          await session.prefetch({ user: [actorId, command.userId], structure: structureId === undefined ? [] : [structureId] });
          let state: { actor: User; structure: Structure | null };
          if (structureId === undefined) {
            const self = await session.user(actorId);
            if (self === null) return err(UNKNOWN_ACTOR);
            // Someone else's record without a structure: the same answer whether that user
            // exists or not (the core would say NOT_FOUND for an unknown one).
            if (command.userId !== actorId) return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "notTheUser" });
            state = { actor: self.value, structure: null };
          } else {
            const judged = await judge(session, actorId, structureId, ctx.today);
            if (!judged.ok) return judged;
            state = judged.value;
          }
          const user = await session.user(command.userId);
          if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
          const decided = updateUserRule({ ...state, user: user.value }, command, {
            ...ctx,
            contactToken: issueToken(deps),
            policy: deps.activation,
          });
          if (!decided.ok) return decided;
          return ok({
            outcome: decided.value,
            writes: decided.value.user === user.value ? [] : [{ kind: "user", value: decided.value.user }],
          });
        },
        show: (o) => ({ user: personalInformation(o.user), fields: o.fields, pendingContactEmail: o.pendingContactEmail }),
      });
    },

    /**
     * The person, signed in, confirms a new contact address with the token of the link
     * sent to it (`ContactEmailConfirmationRequested`): it becomes their contact address,
     * and a `ContactEmailChanged` event asks the host to tell the previous one. Only the
     * account's owner confirms, whoever proposed the address.
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`, `FORBIDDEN` (an account not
     * active), `CONFIRMATION_TOKEN_INVALID`, `CONFIRMATION_TOKEN_EXPIRED`.
     *
     * @example
     * ```ts
     * const r = await app.confirmContactEmail(hugo.id, { token }); // the token of the link
     * if (r.ok) r.value.contactEmail; // "hugo.perso@example.fr"
     * ```
     */
    async confirmContactEmail(actor: ActorId, input: ConfirmContactEmailInput, options?: CommandOptions): Promise<Result<ContactEmailConfirmedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseConfirmContactEmail);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const tokenHash = hashActivationToken(command.token);
      return execute(deps, {
        operation: "confirmContactEmail",
        actorId,
        // The fingerprint holds the token's hash, never the token.
        command: { tokenHash },
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx }) {
          const user = await session.user(actorId);
          if (user === null) return err(UNKNOWN_ACTOR);
          const decided = confirmContactEmailRule(user.value, command, { ...ctx, tokenHash });
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "user", value: decided.value.user }] });
        },
        show: (o) => ({ contactEmail: o.user.contactEmail }),
      });
    },

    /**
     * A user's personal information (guide §5, « Consulter les informations
     * personnelles »): general information, postal address, settings. One's own (no
     * `structureId`), or that of a user of a structure one manages.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND`.
     *
     * @example
     * ```ts
     * const r = await app.getPersonalInformation(alice.id, { structureId, userId: hugo.id });
     * if (r.ok) r.value.postalAddress?.city;
     * ```
     */
    async getPersonalInformation(actor: ActorId, input: GetPersonalInformationInput): Promise<Result<PersonalInformation, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const ref = parseWith(UserRefSchema, input);
      if (!ref.ok) return ref;
      return shielded(deps, "getPersonalInformation", async () => {
        const reached = await reachUser(new Session(store), actorId.value, ref.value, clocked(deps));
        if (!reached.ok) return reached;
        return ok(frozenCopy(personalInformation(reached.value.user)));
      });
    },

    /**
     * Every structure a user of one's structure is attached to (guide §5, « Afficher la
     * liste de toutes les structures pour lesquelles l'utilisateur est rattaché »), by
     * designation: the structures the actor manages with role, services and validity
     * date; the others by their designation only, as the guide shows them.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND`.
     *
     * @example
     * ```ts
     * const r = await app.listUserStructures(alice.id, { structureId, userId: elodie.id });
     * // [{ managed: true, designation: "Mairie de Lyon", role: "user", scope: { kind: "structure" }, … },
     * //  { managed: false, designation: "SCI Les Tilleuls" }]
     * ```
     */
    async listUserStructures(actor: ActorId, input: ListUserStructuresInput): Promise<Result<readonly UserStructureLine[], DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const ref = parseWith(UserRefSchema, input);
      if (!ref.ok) return ref;
      const { userId, structureId } = ref.value;
      if (structureId === undefined)
        return err({ code: "VALIDATION", issues: [{ path: ["structureId"], code: "invalid_type", message: "la structure gérée est obligatoire" }] });
      return shielded(deps, "listUserStructures", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        const reached = await reachUser(session, actorId.value, { userId, structureId }, ctx);
        if (!reached.ok) return reached;
        const { actor: viewer, user } = reached.value;
        const ids = user.attachments.map((a) => a.structureId);
        await session.prefetch({ structure: ids });
        const structures = new Map<StructureId, Structure>();
        for (const id of ids) {
          const s = await session.structure(id);
          if (s !== null) structures.set(id, s.value);
        }
        const serviceIds = user.attachments.flatMap((a) =>
          structures.get(a.structureId) !== undefined && canManage(viewer, structures.get(a.structureId) as Structure, ctx.today)
            ? scopeServiceIds(a.scope)
            : [],
        );
        const services = await session.services(serviceIds);
        return ok(frozenCopy(userStructures(user, structures, services, (s) => canManage(viewer, s, ctx.today))));
      });
    },
  };
}
