// Guide §2, « Gérer les demandes d'abonnement à des espaces »: a user's request for
// spaces (our extension: Chorus Pro does not let users send them yet), and the managers'
// validation (with a scope) and refusal, one at a time or in bulk. The reading side is in
// subscription-queries.ts.
import {
  checkSpaces,
  err,
  ok,
  parseRefuseSubscriptionRequest,
  parseRequestSubscription,
  parseValidateSubscriptionRequest,
  parseWith,
  refuseSubscriptionRequest as refuseRule,
  RefuseSubscriptionRequestsSchema,
  requestSubscription as requestRule,
  validateSubscriptionRequest as validateRule,
  ValidateSubscriptionRequestsSchema,
  type DomainError,
  type PendingSubscriptionRequest,
  type RefusedSubscriptionRequest,
  type RefuseSubscriptionRequest,
  type Result,
  type Service,
  type SpaceGrant,
  type SubscriptionRequestId,
  type UserId,
  type ValidatedSubscriptionRequest,
  type ValidateSubscriptionRequest,
  type RefuseSubscriptionRequestInput,
  type RefuseSubscriptionRequestsInput,
  type RequestSubscriptionInput,
  type ValidateSubscriptionRequestInput,
  type ValidateSubscriptionRequestsInput,
} from "../core/index.js";
import { UNKNOWN_ACTOR, builtCommand, decideEach, execute, judge, managerVia, parseAct, selfActor, type BulkOutcome, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What `requestSubscription` gives back. */
export type SubscriptionRequestedOutcome = Outcome<{ readonly request: PendingSubscriptionRequest }>;
/** What `validateSubscriptionRequest` gives back: the request, the requester as seen from the structure with their grants there, the spaces opened. */
export type SubscriptionRequestValidatedOutcome = Outcome<{
  readonly request: ValidatedSubscriptionRequest;
  readonly requester: MemberView & { readonly grants: readonly SpaceGrant[] };
  /** The spaces now open on the whole structure. */
  readonly structureOpenSpaces: readonly string[];
  /** The services on which spaces were opened, as they are now. */
  readonly servicesOpened: readonly Service[];
}>;
/** What `refuseSubscriptionRequest` gives back. */
export type SubscriptionRequestRefusedOutcome = Outcome<{ readonly request: RefusedSubscriptionRequest }>;

/** The parsed command, or VALIDATION naming every space not in the deployment's catalogue. */
export function withKnownSpaces<C>(deps: Deps, command: C, spaces: readonly string[], path: readonly (string | number)[], field: string | null = "space"): Result<C, DomainError> {
  const known = checkSpaces(deps.catalogue, spaces, path, field);
  return known.ok ? ok(command) : known;
}

/** Builds the commands of guide §2. */
export function subscriptionOperations(deps: Deps) {
  function validateOne(
    actorId: UserId,
    command: ValidateSubscriptionRequest,
    idempotencyKey: string | undefined,
  ): Promise<Result<SubscriptionRequestValidatedOutcome, DomainError>> {
    return execute(deps, {
      operation: "validateSubscriptionRequest",
      actorId,
      command,
      idempotencyKey,
      entitled: managerVia(actorId, async (s) => (await s.subscriptionRequest(command.requestId))?.value.structureId ?? null),
      async decide({ session, ctx }) {
        await session.prefetch({ subscriptionRequest: [command.requestId], user: [actorId] });
        const request = await session.subscriptionRequest(command.requestId);
        if (request === null) return err({ code: "NOT_FOUND", entity: "subscriptionRequest", id: command.requestId });
        const named = [...request.value.items, ...(command.items ?? [])].flatMap((i) => (i.serviceId === null ? [] : [i.serviceId]));
        await session.prefetch({ structure: [request.value.structureId], user: [request.value.userId], service: named });
        const judged = await judge(session, actorId, request.value.structureId, ctx.today, { entity: "subscriptionRequest", id: command.requestId });
        if (!judged.ok) return judged;
        const requester = await session.user(request.value.userId);
        if (requester === null) return err({ code: "NOT_FOUND", entity: "user", id: request.value.userId });
        const services = await session.services(named);
        const decided = validateRule(
          { ...judged.value, request: request.value, requester: requester.value, services },
          command,
          { ...ctx, catalogue: deps.catalogue },
        );
        if (!decided.ok) return decided;
        const o = decided.value;
        return ok({
          outcome: o,
          writes: [
            { kind: "subscriptionRequest", value: o.request },
            { kind: "user", value: o.requester },
            ...(o.structureChanged ? [{ kind: "structure" as const, value: o.structure }] : []),
            ...o.services.map((value) => ({ kind: "service" as const, value })),
          ],
        });
      },
      show: (o) => ({
        request: o.request,
        requester: { ...memberView(o.requester, o.structure), grants: o.requester.grants.filter((g) => g.structureId === o.structure.id) },
        structureOpenSpaces: o.structure.openSpaces,
        servicesOpened: o.services,
      }),
    });
  }

  function refuseOne(
    actorId: UserId,
    command: RefuseSubscriptionRequest,
    idempotencyKey: string | undefined,
  ): Promise<Result<SubscriptionRequestRefusedOutcome, DomainError>> {
    return execute(deps, {
      operation: "refuseSubscriptionRequest",
      actorId,
      command,
      idempotencyKey,
      entitled: managerVia(actorId, async (s) => (await s.subscriptionRequest(command.requestId))?.value.structureId ?? null),
      async decide({ session, ctx }) {
        await session.prefetch({ subscriptionRequest: [command.requestId], user: [actorId] });
        const request = await session.subscriptionRequest(command.requestId);
        if (request === null) return err({ code: "NOT_FOUND", entity: "subscriptionRequest", id: command.requestId });
        const judged = await judge(session, actorId, request.value.structureId, ctx.today, { entity: "subscriptionRequest", id: command.requestId });
        if (!judged.ok) return judged;
        const decided = refuseRule({ ...judged.value, request: request.value }, command, ctx);
        if (!decided.ok) return decided;
        return ok({ outcome: decided.value, writes: [{ kind: "subscriptionRequest", value: decided.value.request }] });
      },
      show: (o) => ({ request: o.request }),
    });
  }

  return {
    /**
     * The actor asks for spaces of a structure they are attached to: each item a space
     * of the catalogue, for all services (`serviceId` absent or `null`) or one service,
     * with `read` (« Consultation ») or `write` (« Modification ») access, and a comment.
     * An extension of the guide: Chorus Pro does not let users send these requests yet.
     *
     * Refusals: `VALIDATION` (also a space not in the catalogue), `UNKNOWN_ACTOR`, `NOT_FOUND`
     * (structure, service), `FORBIDDEN` (inactive account), `NOT_ATTACHED` (to the
     * structure, or to the service), `SERVICE_INACTIVE`.
     *
     * @example
     * ```ts
     * const r = await app.requestSubscription(elodie.id, {
     *   structureId,
     *   items: [
     *     { space: "FACTURES_RECUES", serviceId: compta, access: "write" },
     *     { space: "SOLLICITATIONS_RECUES", access: "read" }, // all services
     *   ],
     *   comment: "Je traite les factures de la comptabilité",
     * });
     * if (r.ok) r.value.events[0]?.type; // "SubscriptionRequested": tell the managers
     * ```
     */
    async requestSubscription(actor: ActorId, input: RequestSubscriptionInput, options?: CommandOptions): Promise<Result<SubscriptionRequestedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRequestSubscription);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const known = withKnownSpaces(deps, command, command.items.map((i) => i.space), ["items"]);
      if (!known.ok) return known;
      return execute(deps, {
        operation: "requestSubscription",
        actorId,
        command,
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx, newId }) {
          const serviceIds = command.items.flatMap((i) => (i.serviceId === null ? [] : [i.serviceId]));
          await session.prefetch({ user: [actorId], structure: [command.structureId], service: serviceIds });
          const user = await session.user(actorId);
          if (user === null) return err(UNKNOWN_ACTOR);
          // The actor first: whether the structure exists tells nothing to an inactive account.
          if (user.value.status !== "active")
            return err({ code: "FORBIDDEN", actorId, structureId: command.structureId, reason: "accountNotActive" });
          const structure = await session.structure(command.structureId);
          if (structure === null) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
          const decided = requestRule(
            { user: user.value, structure: structure.value, services: await session.services(serviceIds) },
            command,
            { ...ctx, requestId: newId("subscriptionRequest") as SubscriptionRequestId, catalogue: deps.catalogue },
          );
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "subscriptionRequest", value: decided.value.request, create: true }] });
        },
        show: (o) => ({ request: o.request }),
      });
    },

    /**
     * Validates a subscription request after checking or unchecking its items (each one
     * asked for; the access may be changed), with a comment and a scope: `user` grants
     * only (an item whose space is not open where it points is refused with
     * `SPACE_NOT_OPEN`); `services` also opens each space on the service concerned (on
     * the structure for an item on all services); `structure` opens them on the whole
     * structure. History « Validée », and « Espace ouvert » per opening.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (also for a request of a structure the actor
     * may not manage), `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`,
     * `EMPTY_SELECTION`, `ITEM_NOT_REQUESTED`, `ACCOUNT_NOT_ACTIVE`, `NOT_ATTACHED`,
     * `SERVICE_INACTIVE`, `SPACE_NOT_OPEN`.
     *
     * @example
     * ```ts
     * const view = await app.consultSubscriptionRequest(alice.id, { requestId });
     * const keep = view.ok ? view.value.request.items.filter((i) => i.space !== "FACTURES_A_VALIDER") : [];
     * await app.validateSubscriptionRequest(alice.id, { requestId, items: keep, scope: "structure", comment: "OK" });
     * ```
     */
    async validateSubscriptionRequest(
      actor: ActorId,
      input: ValidateSubscriptionRequestInput,
      options?: CommandOptions,
    ): Promise<Result<SubscriptionRequestValidatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseValidateSubscriptionRequest);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      const known = withKnownSpaces(deps, command, (command.items ?? []).map((i) => i.space), ["items"]);
      if (!known.ok) return known;
      return validateOne(actorId, command, idempotencyKey);
    },

    /**
     * Refuses a subscription request, with an optional comment. History: « Désactivée ».
     *
     * Refusals: `VALIDATION`, `NOT_FOUND`, `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`.
     *
     * @example
     * ```ts
     * await app.refuseSubscriptionRequest(alice.id, { requestId, comment: "Voyez avec votre chef de service" });
     * ```
     */
    async refuseSubscriptionRequest(
      actor: ActorId,
      input: RefuseSubscriptionRequestInput,
      options?: CommandOptions,
    ): Promise<Result<SubscriptionRequestRefusedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRefuseSubscriptionRequest);
      if (!parsed.ok) return parsed;
      return refuseOne(parsed.value.actorId, parsed.value.command, parsed.value.idempotencyKey);
    },

    /**
     * Validates several subscription requests (the guide's check boxes), each on its own
     * like `validateSubscriptionRequest` (scope `user` unless an item says otherwise):
     * one result per request; one bad request never blocks the others; a store failure
     * half-way reports what was committed and `NOT_ATTEMPTED` for the rest.
     *
     * @example
     * ```ts
     * const r = await app.validateSubscriptionRequests(alice.id, { items: [{ requestId: a, scope: "structure" }, { requestId: b }] });
     * if (r.ok) r.value.results.map((x) => x.result.ok);
     * ```
     */
    async validateSubscriptionRequests(
      actor: ActorId,
      input: ValidateSubscriptionRequestsInput,
      options?: CommandOptions,
    ): Promise<Result<BulkOutcome<SubscriptionRequestValidatedOutcome, SubscriptionRequestId>, DomainError>> {
      const parsed = parseAct(actor, input, options, (i) => parseWith(ValidateSubscriptionRequestsSchema, i));
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      for (const [n, item] of command.items.entries()) {
        const known = withKnownSpaces(deps, item, (item.items ?? []).map((i) => i.space), ["items", n, "items"]);
        if (!known.ok) return known;
      }
      return decideEach(deps, "validateSubscriptionRequests", actorId, command.items, idempotencyKey, validateOne);
    },

    /**
     * Refuses several subscription requests with one shared comment, each on its own.
     *
     * @example
     * ```ts
     * await app.refuseSubscriptionRequests(alice.id, { requestIds: [a, b], comment: "Doublons" });
     * ```
     */
    async refuseSubscriptionRequests(
      actor: ActorId,
      input: RefuseSubscriptionRequestsInput,
      options?: CommandOptions,
    ): Promise<Result<BulkOutcome<SubscriptionRequestRefusedOutcome, SubscriptionRequestId>, DomainError>> {
      const parsed = parseAct(actor, input, options, (i) => parseWith(RefuseSubscriptionRequestsSchema, i));
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return decideEach(
        deps,
        "refuseSubscriptionRequests",
        actorId,
        command.requestIds.map((requestId) => builtCommand(command.comment === undefined ? { requestId } : { requestId, comment: command.comment })),
        idempotencyKey,
        refuseOne,
      );
    },
  };
}
