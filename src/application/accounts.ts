// Guide §3 B, « Rattacher un utilisateur n'ayant pas de compte », and the account side
// of §5, « Rechercher et gérer des utilisateurs »: accounts created by a manager or from
// the public side, activation e-mails and activation, a user's record.
import {
  activateAccount as activateAccountRule,
  createAccount as createAccountRule,
  err,
  isUserOf,
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
  type HistoryEntry,
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
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import {
  clocked,
  eachItem,
  execute,
  hashActivationToken,
  issueToken,
  itemKey,
  judge,
  parseAct,
  parseActor,
  parseCommandOptions,
  Session,
  shielded,
  type Clocked,
  type Deps,
  type Outcome,
} from "./runner.js";
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

/** What `updateUser` gives back: the record as it now is, and the fields that changed. */
export type UserUpdatedOutcome = Outcome<{
  readonly user: PersonalInformation;
  readonly fields: readonly (keyof UserChanges)[];
}>;

/**
 * Loads the actor and the user an act on a user's record names: the user themself
 * (`structureId` absent, an active account), or a user of a structure the actor manages
 * (attached to it, or created for it). A user who is not one of the structure's is
 * `NOT_FOUND`, as an unknown id; someone else's record without a structure is
 * `FORBIDDEN`.
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
    if (actor === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId });
    if (actorId !== ref.userId)
      return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "notTheUser" });
    if (actor.value.status !== "active")
      return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "accountNotActive" });
    return ok({ actor: actor.value, structure: null, user: actor.value });
  }
  const judged = await judge(session, actorId, ref.structureId, ctx.today);
  if (!judged.ok) return judged;
  const user = await session.user(ref.userId);
  if (user === null || !isUserOf(user.value, ref.structureId))
    return err({ code: "NOT_FOUND", entity: "user", id: ref.userId });
  return ok({ ...judged.value, user: user.value });
}

/**
 * What a manager acting for one structure is shown of the history an act on a user
 * appended: that structure's entries only. The act is recorded on every structure of the
 * user, and the others' entries would name structures the manager may not know the user
 * belongs to (minimal disclosure); they stay in those structures' history.
 */
function shownTo<V extends { readonly history: readonly HistoryEntry[] }>(
  done: Result<V, DomainError>,
  structureId: StructureId | undefined,
): Result<V, DomainError> {
  if (!done.ok || structureId === undefined) return done;
  return ok(frozenCopy({ ...done.value, history: done.value.history.filter((h) => h.structureId === structureId) }));
}

/** Builds the operations on accounts (guide §3 B and §5). */
export function accountOperations(deps: Deps) {
  const { store } = deps;

  /** One activation e-mail, its own unit of work. */
  async function sendOne(
    actorId: UserId,
    structureId: StructureId,
    userId: UserId,
    idempotencyKey: string | undefined,
  ): Promise<Result<ActivationEmailOutcome, DomainError>> {
    const done = await execute(deps, {
      operation: "sendActivationEmail",
      actorId,
      command: { structureId, userId },
      idempotencyKey,
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
      show: (o) => ({ userId: o.user.id, expiresAt: o.user.activation?.expiresAt as Instant }),
    });
    return shownTo(done, structureId);
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
    async createAccount(actor: unknown, input: unknown, options?: unknown): Promise<Result<AccountCreatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseCreateAccount);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "createAccount",
        actorId,
        command,
        idempotencyKey,
        async decide({ session, ctx, newId }) {
          const services = command.attach === undefined ? [] : scopeServiceIds(command.attach.scope);
          await session.prefetch({ user: [actorId], structure: [command.structureId], service: services });
          const judged = await judge(session, actorId, command.structureId, ctx.today);
          if (!judged.ok) return judged;
          const decided = createAccountRule(
            { ...judged.value, services: await session.services(services) },
            command,
            { ...ctx, userId: newId("user") as UserId, issued: issueToken(deps), policy: deps.activation },
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
    async registerAccount(input: unknown, options?: unknown): Promise<Result<RegistrationReceipt, DomainError>> {
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
          async decide({ session, ctx, newId }) {
            const found = await store.findUserByLogin(login);
            const existing = found === null ? null : await session.user(found.value.id);
            const decided = registerAccountRule(existing?.value ?? null, command.value, {
              ...ctx,
              userId: newId("user") as UserId,
              issued: issueToken(deps),
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
     * Refusals of the whole call: `VALIDATION`, `NOT_FOUND` (unknown actor). Per user:
     * `FORBIDDEN`, `NOT_FOUND` (not a user of the structure), `ACCOUNT_NOT_PENDING_ACTIVATION`,
     * `ACTIVATION_EMAIL_THROTTLED`, `STORE_FAILURE`, `NOT_ATTEMPTED`.
     *
     * @example
     * ```ts
     * const r = await app.sendActivationEmails(alice.id, { structureId, userIds: [hugo.id, elodie.id] });
     * if (r.ok) r.value.results.map((x) => x.result.ok); // [true, false]: Élodie is already active
     * ```
     */
    async sendActivationEmails(actor: unknown, input: unknown, options?: unknown): Promise<Result<ActivationEmailsOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseSendActivationEmails);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return shielded(deps, "sendActivationEmails", async () => {
        if ((await store.getUser(actorId)) === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId });
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
    async activateAccount(input: unknown, options?: unknown): Promise<Result<AccountActivatedOutcome, DomainError>> {
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
     * login (`VALIDATION`). The user changes their own (no `structureId`); a manager
     * changes that of a user of their structure, and the outcome's history holds the entry
     * on that structure only (the change is recorded on every structure of the user).
     * Nothing changed: nothing written.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND`.
     *
     * @example
     * ```ts
     * const r = await app.updateUser(alice.id, { structureId, userId: hugo.id, changes: { phone: "+33 4 72 10 30 30" } });
     * if (r.ok) r.value.fields; // ["phone"]
     * ```
     */
    async updateUser(actor: unknown, input: unknown, options?: unknown): Promise<Result<UserUpdatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseUpdateUser);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const done = await execute(deps, {
        operation: "updateUser",
        actorId,
        command,
        idempotencyKey,
        async decide({ session, ctx }) {
          const reached = await reachUser(session, actorId, command, ctx);
          if (!reached.ok) return reached;
          const decided = updateUserRule(reached.value, command, ctx);
          if (!decided.ok) return decided;
          return ok({
            outcome: decided.value,
            writes: decided.value.fields.length === 0 ? [] : [{ kind: "user", value: decided.value.user }],
          });
        },
        show: (o) => ({ user: personalInformation(o.user), fields: o.fields }),
      });
      return shownTo(done, command.structureId);
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
    async getPersonalInformation(actor: unknown, input: unknown): Promise<Result<PersonalInformation, DomainError>> {
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
    async listUserStructures(actor: unknown, input: unknown): Promise<Result<readonly UserStructureLine[], DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const ref = parseWith(UserRefSchema, input);
      if (!ref.ok) return ref;
      const { userId, structureId } = ref.value;
      if (structureId === undefined)
        return err({ code: "VALIDATION", issues: [{ path: ["structureId"], code: "invalid_type", message: "the structure one manages is required" }] });
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
