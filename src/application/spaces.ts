// Guide §2, the spaces themselves: the catalogue, spaces opened and closed by a manager,
// spaces given directly or taken back (beyond the guide: Chorus Pro's managers gained
// it later), a member's grants, and the access query a host asks on each of its requests.
import { z } from "zod";
import {
  changeGrantEnd as changeGrantEndRule,
  parseAccessQuery,
  parseChangeGrantEnd,
  closeSpace as closeSpaceRule,
  err,
  grantSpaces as grantSpacesRule,
  GrantSpacesSchema,
  mayAccess as mayAccessRule,
  ok,
  openSpace as openSpaceRule,
  parseRevokeSpaceGrant,
  parseSpaceOnStructure,
  parseWith,
  revokeSpaceGrant as revokeRule,
  StructureIdSchema,
  usableGrants,
  UserIdSchema,
  type DomainError,
  type GrantsChanged,
  type GrantState,
  type Result,
  type Service,
  type SpaceChanged,
  type SpaceCode,
  type SpaceDefinition,
  type SpaceGrant,
  type SpaceOnStructure,
  type Structure,
  type TransitionContext,
  type UserId,
  type ChangeGrantEndInput,
  type CloseSpaceInput,
  type DeepReadonly,
  type GrantSpacesInput,
  type MayAccessInput,
  type OpenSpaceInput,
  type RevokeSpaceGrantInput,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import { UNKNOWN_ACTOR, builtCommand, clocked, dated, dayOf, eachItem, execute, itemKey, judge, managerOf, parseAct, parseActor, Session, shielded, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { withKnownSpaces } from "./subscriptions.js";
import { memberView, type MemberView } from "./views.js";

/** What `openSpace` and `closeSpace` give back: where the space now stands. */
export type SpaceChangedOutcome = Outcome<{
  /** The structure's open spaces, when the space was opened or closed on it. */
  readonly structure: Structure | null;
  /** The service, when the space was opened or closed on it. */
  readonly service: Service | null;
}>;

/** What granting or revoking gives back: the member as seen from the structure, with their grants there. */
export type GrantsChangedOutcome = Outcome<{ readonly member: MemberView & { readonly grants: readonly SpaceGrant[] } }>;

/** One user's outcome in a direct grant to several users. */
export interface GrantResultItem {
  readonly userId: UserId;
  readonly result: Result<GrantsChangedOutcome, DomainError>;
}

/** A member's grants in one structure, each with whether it gives access now. */
export interface MemberGrants {
  readonly member: MemberView;
  readonly grants: readonly (SpaceGrant & { readonly usable: boolean })[];
}

const MemberGrantsSchema = z.strictObject({ structureId: StructureIdSchema, userId: UserIdSchema });
/** What `listMemberGrants` takes. */
export type ListMemberGrantsInput = DeepReadonly<z.input<typeof MemberGrantsSchema>>;

/** Builds the operations on spaces and grants. */
export function spaceOperations(deps: Deps) {
  const { store } = deps;

  function onSpace(
    operation: string,
    actorId: UserId,
    command: SpaceOnStructure,
    idempotencyKey: string | undefined,
    rule: typeof openSpaceRule,
  ): Promise<Result<SpaceChangedOutcome, DomainError>> {
    return execute(deps, {
      operation,
      actorId,
      command,
      idempotencyKey,
      entitled: managerOf(actorId, command.structureId),
      async decide({ session, ctx }) {
        await session.prefetch({ user: [actorId], structure: [command.structureId], service: command.serviceId === null ? [] : [command.serviceId] });
        const judged = await judge(session, actorId, command.structureId, ctx.today);
        if (!judged.ok) return judged;
        const service = command.serviceId === null ? null : await session.service(command.serviceId);
        const decided = rule({ ...judged.value, service: service?.value ?? null }, command, { ...ctx, catalogue: deps.catalogue });
        if (!decided.ok) return decided;
        const o: SpaceChanged = decided.value;
        return ok({
          outcome: o,
          writes: o.structure !== null ? [{ kind: "structure" as const, value: o.structure }] : o.service !== null ? [{ kind: "service" as const, value: o.service }] : [],
        });
      },
      show: (o) => ({ structure: o.structure, service: o.service }),
    });
  }

  function grantOne(
    actorId: UserId,
    command: Parameters<typeof grantSpacesRule>[1],
    idempotencyKey: string | undefined,
  ): Promise<Result<GrantsChangedOutcome, DomainError>> {
    const serviceIds = command.items.flatMap((i) => (i.serviceId === null ? [] : [i.serviceId]));
    return execute(deps, {
      operation: "grantSpaces",
      actorId,
      command,
      idempotencyKey,
      entitled: managerOf(actorId, command.structureId),
      async decide({ session, ctx }) {
        await session.prefetch({ user: [actorId, command.userId], structure: [command.structureId], service: serviceIds });
        const judged = await judge(session, actorId, command.structureId, ctx.today);
        if (!judged.ok) return judged;
        const user = await session.user(command.userId);
        if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
        const decided = grantSpacesRule(
          { ...judged.value, user: user.value, services: await session.services(serviceIds) },
          command,
          { ...ctx, catalogue: deps.catalogue },
        );
        if (!decided.ok) return decided;
        return ok({ outcome: { ...decided.value, structure: judged.value.structure }, writes: [{ kind: "user", value: decided.value.user }] });
      },
      show: (o) => ({ member: { ...memberView(o.user, o.structure), grants: o.user.grants.filter((g) => g.structureId === o.structure.id) } }),
    });
  }

  /** Shared shape of the acts on one grant of a member (revocation, end date), once parsed. */
  function onGrant<C extends { readonly structureId: Structure["id"]; readonly userId: UserId; readonly space: SpaceCode }>(
    operation: string,
    actorId: UserId,
    command: C,
    idempotencyKey: string | undefined,
    rule: (state: GrantState, c: C, ctx: TransitionContext) => Result<GrantsChanged, DomainError>,
  ): Promise<Result<GrantsChangedOutcome, DomainError>> {
    if (deps.catalogue.get(command.space) === undefined)
      return Promise.resolve(err({ code: "VALIDATION", issues: [{ path: ["space"], code: "unknown_space", message: "n'est pas un espace du catalogue" }] }));
    return execute(deps, {
      operation,
      actorId,
      command,
      idempotencyKey,
      entitled: managerOf(actorId, command.structureId),
      async decide({ session, ctx }) {
        await session.prefetch({ user: [actorId, command.userId], structure: [command.structureId] });
        const judged = await judge(session, actorId, command.structureId, ctx.today);
        if (!judged.ok) return judged;
        const user = await session.user(command.userId);
        if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
        const decided = rule({ ...judged.value, user: user.value, services: new Map() }, command, ctx);
        if (!decided.ok) return decided;
        return ok({ outcome: { ...decided.value, structure: judged.value.structure }, writes: [{ kind: "user", value: decided.value.user }] });
      },
      show: (o) => ({ member: { ...memberView(o.user, o.structure), grants: o.user.grants.filter((g) => g.structureId === o.structure.id) } }),
    });
  }

  return {
    /**
     * The spaces this deployment knows (the catalogue), in display order.
     *
     * @example
     * ```ts
     * app.listSpaces().map((s) => s.label); // ["Factures émises", "Factures reçues", …]
     * ```
     */
    listSpaces(): readonly SpaceDefinition[] {
      return deps.catalogue.spaces;
    },

    /**
     * Opens a space on the whole structure (`serviceId` absent) or on one of its services:
     * one record written, never one per member. Grants pointing there become usable.
     *
     * Refusals: `VALIDATION` (also a space not in the catalogue), `FORBIDDEN`, `NOT_FOUND`
     * (a service that is not the structure's), `SPACE_ALREADY_OPEN`.
     *
     * @example
     * ```ts
     * await app.openSpace(alice.id, { structureId, space: "FACTURES_RECUES" });
     * await app.openSpace(alice.id, { structureId, space: "FACTURES_A_VALIDER", serviceId: compta });
     * ```
     */
    async openSpace(actor: ActorId, input: OpenSpaceInput, options?: CommandOptions): Promise<Result<SpaceChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseSpaceOnStructure);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const known = withKnownSpaces(deps, command, [command.space], ["space"], null);
      if (!known.ok) return err({ code: "VALIDATION", issues: [{ path: ["space"], code: "unknown_space", message: "n'est pas un espace du catalogue" }] });
      return onSpace("openSpace", actorId, command, idempotencyKey, openSpaceRule);
    },

    /**
     * Closes a space on the structure or on one service: the grants pointing there stop
     * giving access (they are kept, and work again if the space is opened again).
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND`, `SPACE_NOT_OPEN`.
     *
     * @example
     * ```ts
     * await app.closeSpace(alice.id, { structureId, space: "FACTURES_RECUES" });
     * ```
     */
    async closeSpace(actor: ActorId, input: CloseSpaceInput, options?: CommandOptions): Promise<Result<SpaceChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseSpaceOnStructure);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const known = withKnownSpaces(deps, command, [command.space], ["space"], null);
      if (!known.ok) return err({ code: "VALIDATION", issues: [{ path: ["space"], code: "unknown_space", message: "n'est pas un espace du catalogue" }] });
      return onSpace("closeSpace", actorId, command, idempotencyKey, closeSpaceRule);
    },

    /**
     * Gives spaces directly, without a request, to one or more members of a structure
     * (beyond the guide). Each user is decided on its own: one result per user; each
     * space must be open where it points; `validUntil` (optional) is the first day without
     * the grants. History « Habilitation accordée par le gestionnaire ».
     *
     * Refusals per user: `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member),
     * `SELF_DECISION_FORBIDDEN` (no one grants themself spaces), `NOT_ATTACHED` (a service
     * outside the member's scope), `ACCOUNT_NOT_ACTIVE`, `SERVICE_INACTIVE`,
     * `SPACE_NOT_OPEN`, `VALID_UNTIL_TOO_EARLY`; of the whole call: `VALIDATION`, `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const r = await app.grantSpaces(alice.id, {
     *   structureId, userIds: [chloe.id, david.id],
     *   items: [{ space: "FACTURES_RECUES", access: "read" }], comment: "Renfort",
     * });
     * if (r.ok) r.value.results.map((x) => [x.userId, x.result.ok]);
     * ```
     */
    async grantSpaces(
      actor: ActorId,
      input: GrantSpacesInput,
      options?: CommandOptions,
    ): Promise<Result<{ readonly results: readonly GrantResultItem[]; readonly events: GrantsChangedOutcome["events"] }, DomainError>> {
      const parsed = parseAct(actor, input, options, (i) => parseWith(GrantSpacesSchema, i));
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const known = withKnownSpaces(deps, command, command.items.map((i) => i.space), ["items"]);
      if (!known.ok) return known;
      return shielded(deps, "grantSpaces", async () => {
        if ((await store.getUser(actorId)) === null) return err(UNKNOWN_ACTOR);
        const results = await eachItem(command.userIds, (userId, i) =>
          grantOne(
            actorId,
            builtCommand({
              structureId: command.structureId,
              userId,
              items: command.items,
              ...(command.comment === undefined ? {} : { comment: command.comment }),
              ...(command.validUntil === undefined ? {} : { validUntil: command.validUntil }),
            }),
            itemKey(idempotencyKey, i),
          ),
        );
        return ok({
          results: results.map((result, i) => ({ userId: command.userIds[i] as UserId, result })),
          events: results.flatMap((r) => (r.ok ? r.value.events : [])),
        });
      });
    },

    /**
     * Takes one grant back (the grant for all services when `serviceId` is absent).
     * History « Habilitation retirée ».
     *
     * Refusals: `VALIDATION` (also a space not in the catalogue), `FORBIDDEN`, `NOT_FOUND`
     * (the user, or no such grant).
     *
     * @example
     * ```ts
     * await app.revokeSpaceGrant(alice.id, { structureId, userId: chloe.id, space: "FACTURES_RECUES" });
     * ```
     */
    async revokeSpaceGrant(actor: ActorId, input: RevokeSpaceGrantInput, options?: CommandOptions): Promise<Result<GrantsChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRevokeSpaceGrant);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onGrant("revokeSpaceGrant", actorId, command, idempotencyKey, revokeRule);
    },

    /**
     * Extends, shortens or removes the end date of one of a member's grants (the grant
     * for all services when `serviceId` is absent): `validUntil` is the first day
     * without it, `null` for no end. History « Date de fin d'habilitation modifiée ».
     *
     * Refusals: `VALIDATION` (also a space not in the catalogue), `FORBIDDEN`, `NOT_FOUND`
     * (the user, also one who is not a member; or no such grant), `SELF_DECISION_FORBIDDEN`,
     * `VALID_UNTIL_UNCHANGED`, `VALID_UNTIL_TOO_EARLY`.
     *
     * @example
     * ```ts
     * await app.changeGrantEnd(alice.id, { structureId, userId: chloe.id, space: "FACTURES_RECUES", validUntil: "2027-01-01" });
     * ```
     */
    async changeGrantEnd(actor: ActorId, input: ChangeGrantEndInput, options?: CommandOptions): Promise<Result<GrantsChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseChangeGrantEnd);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onGrant("changeGrantEnd", actorId, command, idempotencyKey, changeGrantEndRule);
    },

    /**
     * A member's grants in a structure the actor manages, each with whether it gives
     * access today (the user attached and in force, the service active and in their
     * scope, the space open where the grant points).
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND` (the user, also one who is not a
     * member: the same answer as an unknown id).
     *
     * @example
     * ```ts
     * const r = await app.listMemberGrants(alice.id, { structureId, userId: elodie.id });
     * if (r.ok) r.value.grants.filter((g) => g.usable).map((g) => g.space);
     * ```
     */
    async listMemberGrants(actor: ActorId, input: ListMemberGrantsInput): Promise<Result<MemberGrants, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(MemberGrantsSchema, input);
      if (!query.ok) return query;
      const { structureId, userId } = query.value;
      return shielded(deps, "listMemberGrants", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        await session.prefetch({ user: [actorId.value, userId], structure: [structureId] });
        const judged = await judge(session, actorId.value, structureId, ctx.today);
        if (!judged.ok) return judged;
        const user = await session.user(userId);
        if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: userId });
        const view = memberView(user.value, judged.value.structure);
        // A user who is not a member is, to a manager, as unknown as an id that names no one.
        if (view.attachment === null) return err({ code: "NOT_FOUND", entity: "user", id: userId });
        const mine = user.value.grants.filter((g) => g.structureId === structureId);
        const services = await session.services(mine.flatMap((g) => (g.serviceId === null ? [] : [g.serviceId])));
        const usable = new Set(usableGrants(user.value, judged.value.structure, services, ctx.today));
        return ok(frozenCopy({ member: view, grants: mine.map((g) => ({ ...g, usable: usable.has(g) })) }));
      });
    },

    /**
     * The access query a host asks on every request of its own: may this user read (or
     * write) this space of this service of this structure — or of the structure as a
     * whole when `serviceId` is absent — now, or at the instant `at` (its French
     * calendar date decides whether the attachment is in force)? Answered from the
     * user's, the structure's and the service's records alone (one read of the store),
     * never from a scan. `false` for an unknown user, structure or service.
     *
     * Refusals: `VALIDATION` (also a space not in the catalogue, or an instant with no
     * calendar date), `STORE_FAILURE`.
     *
     * @example
     * ```ts
     * const may = await app.mayAccess({ userId, structureId, space: "FACTURES_EMISES", serviceId: compta, access: "write" });
     * // or at a given instant: { …, at: "2026-12-01T09:00:00Z" }
     * if (!may.ok || !may.value) return reply(403);
     * ```
     */
    async mayAccess(input: MayAccessInput): Promise<Result<boolean, DomainError>> {
      const query = parseAccessQuery(input);
      if (!query.ok) return query;
      const q = query.value;
      if (deps.catalogue.get(q.space) === undefined)
        return err({ code: "VALIDATION", issues: [{ path: ["space"], code: "unknown_space", message: "n'est pas un espace du catalogue" }] });
      return shielded(deps, "mayAccess", async () => {
        const today = q.at === null ? dated(deps).today : dayOf(deps, new Date(q.at));
        if (today === null)
          return err({ code: "VALIDATION", issues: [{ path: ["at"], code: "out_of_range", message: "aucune date du calendrier pour cet instant" }] });
        const found = await store.getAggregates({ user: [q.userId], structure: [q.structureId], service: q.serviceId === null ? [] : [q.serviceId] });
        const user = found.user[0]?.value;
        const structure = found.structure[0]?.value;
        if (user === undefined || structure === undefined) return ok(false);
        return ok(mayAccessRule({ user, structure, service: found.service[0]?.value ?? null }, q, today));
      });
    },
  };
}
