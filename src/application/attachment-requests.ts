// Guide §1, « Gérer les demandes de rattachement »: a user's request, and the managers'
// validation and refusal, one at a time or in bulk (their reading side: pending-requests.ts).
import {
  attachmentTo,
  err,
  ok,
  parseRefuseAttachmentRequest,
  parseRefuseAttachmentRequests,
  parseRequestAttachment,
  parseValidateAttachmentRequest,
  parseValidateAttachmentRequests,
  refuseAttachmentRequest as refuseRule,
  requestAttachment as requestAttachmentRule,
  scopeServiceIds,
  validateAttachmentRequest as validateRule,
  type AttachmentRequestId,
  type DomainError,
  type PendingAttachmentRequest,
  type RefuseAttachmentRequest,
  type RefusedAttachmentRequest,
  type Result,
  type ServiceId,
  type UserId,
  type ValidateAttachmentRequest,
  type ValidatedAttachmentRequest,
  type RefuseAttachmentRequestInput,
  type RefuseAttachmentRequestsInput,
  type RequestAttachmentInput,
  type ValidateAttachmentRequestInput,
  type ValidateAttachmentRequestsInput,
} from "../core/index.js";
import { UNKNOWN_ACTOR, builtCommand, decideEach, execute, judge, managerVia, parseAct, selfActor, type BulkOutcome, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What `requestAttachment` gives back. */
export type AttachmentRequestedOutcome = Outcome<{ readonly request: PendingAttachmentRequest }>;
/** What `validateAttachmentRequest` gives back: the request, and the requester as seen from its structure. */
export type AttachmentRequestValidatedOutcome = Outcome<{
  readonly request: ValidatedAttachmentRequest;
  readonly requester: MemberView;
  /** Services the requester had in this structure and no longer has (unchecked). */
  readonly removedServiceIds: readonly ServiceId[];
}>;
/** What `refuseAttachmentRequest` gives back. */
export type AttachmentRequestRefusedOutcome = Outcome<{ readonly request: RefusedAttachmentRequest }>;

/** Builds the operations of guide §1. */
export function attachmentRequestOperations(deps: Deps) {

  function validateOne(
    actorId: UserId,
    command: ValidateAttachmentRequest,
    idempotencyKey: string | undefined,
  ): Promise<Result<AttachmentRequestValidatedOutcome, DomainError>> {
    return execute(deps, {
      operation: "validateAttachmentRequest",
      actorId,
      command,
      idempotencyKey,
      entitled: managerVia(actorId, async (s) => (await s.request(command.requestId))?.value.structureId ?? null),
      async decide({ session, ctx }) {
        // One read before the commit: the request with everything the decision names.
        await session.prefetchRequestContext(
          command.requestId,
          { user: [actorId], service: command.scope ? scopeServiceIds(command.scope) : [] },
          true,
        );
        const request = session.cached("attachmentRequest", command.requestId) ?? (await session.request(command.requestId));
        if (request === null) return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: command.requestId });
        const judged = await judge(session, actorId, request.value.structureId, ctx.today, {
          entity: "attachmentRequest",
          id: command.requestId,
        });
        if (!judged.ok) return judged;
        const requester = session.cached("user", request.value.userId) ?? (await session.user(request.value.userId));
        if (requester === null) return err({ code: "NOT_FOUND", entity: "user", id: request.value.userId });
        const current = attachmentTo(requester.value, request.value.structureId);
        const services = await session.services([
          ...scopeServiceIds(request.value.scope),
          ...(current ? scopeServiceIds(current.scope) : []),
          ...(command.scope ? scopeServiceIds(command.scope) : []),
        ]);
        const decided = validateRule(
          { ...judged.value, request: request.value, requester: requester.value, services },
          command,
          ctx,
        );
        if (!decided.ok) return decided;
        return ok({
          outcome: { ...decided.value, structure: judged.value.structure },
          writes: [
            { kind: "attachmentRequest", value: decided.value.request },
            { kind: "user", value: decided.value.requester },
          ],
        });
      },
      show: (o) => ({
        request: o.request,
        requester: memberView(o.requester, o.structure),
        removedServiceIds: o.removedServiceIds,
      }),
    });
  }

  function refuseOne(
    actorId: UserId,
    command: RefuseAttachmentRequest,
    idempotencyKey: string | undefined,
  ): Promise<Result<AttachmentRequestRefusedOutcome, DomainError>> {
    return execute(deps, {
      operation: "refuseAttachmentRequest",
      actorId,
      command,
      idempotencyKey,
      entitled: managerVia(actorId, async (s) => (await s.request(command.requestId))?.value.structureId ?? null),
      async decide({ session, ctx }) {
        // One read before the commit: the request, its structure and the actor.
        await session.prefetchRequestContext(command.requestId, { user: [actorId] }, false);
        const request = session.cached("attachmentRequest", command.requestId) ?? (await session.request(command.requestId));
        if (request === null) return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: command.requestId });
        const judged = await judge(session, actorId, request.value.structureId, ctx.today, {
          entity: "attachmentRequest",
          id: command.requestId,
        });
        if (!judged.ok) return judged;
        const decided = refuseRule({ ...judged.value, request: request.value }, command, ctx);
        if (!decided.ok) return decided;
        return ok({ outcome: decided.value, writes: [{ kind: "attachmentRequest", value: decided.value.request }] });
      },
      show: (o) => ({ request: o.request }),
    });
  }

  return {
    /**
     * The actor asks to be attached to a structure or some of its services (the user's
     * side of guide §1).
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`, `NOT_FOUND` (structure or service),
     * `FORBIDDEN` (inactive account), `ALREADY_ATTACHED`, `PENDING_REQUEST_EXISTS`,
     * `EMPTY_SCOPE`, `SERVICE_INACTIVE`.
     *
     * @example
     * ```ts
     * const r = await app.requestAttachment(elodie.id, {
     *   structureId, scope: { kind: "services", serviceIds: [compta, achats] }, comment: "Arrivée au 1er décembre",
     * });
     * if (r.ok) r.value.events[0]?.type; // "AttachmentRequested": tell the managers
     * ```
     */
    async requestAttachment(
      actor: ActorId,
      input: RequestAttachmentInput,
      options?: CommandOptions,
    ): Promise<Result<AttachmentRequestedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRequestAttachment);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "requestAttachment",
        actorId,
        command,
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx, newId }) {
          await session.prefetch({ user: [actorId], structure: [command.structureId], service: scopeServiceIds(command.scope) });
          const user = await session.user(actorId);
          if (user === null) return err(UNKNOWN_ACTOR);
          // The actor first: whether the structure exists tells nothing to an inactive account.
          if (user.value.status !== "active")
            return err({ code: "FORBIDDEN", actorId, structureId: command.structureId, reason: "accountNotActive" });
          const structure = await session.structure(command.structureId);
          if (structure === null) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
          const services = await session.services(scopeServiceIds(command.scope));
          const pendingRequest = await session.pendingRequest(actorId, command.structureId);
          const decided = requestAttachmentRule(
            { user: user.value, structure: structure.value, services, pendingRequest },
            command,
            { ...ctx, requestId: newId("attachmentRequest") as AttachmentRequestId },
          );
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "attachmentRequest", value: decided.value.request, create: true }] });
        },
        show: (o) => ({ request: o.request }),
      });
    },

    /**
     * Validates a request, optionally changing the role and the checked services.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (also for a request of a structure the actor
     * may not manage), `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`,
     * `CANNOT_GRANT_PRIMARY`, `TRANSFER_REQUIRED`, `ACCOUNT_NOT_ACTIVE`, `EMPTY_SCOPE`,
     * `SERVICE_INACTIVE`, `CONCURRENT_MODIFICATION`, `STORE_FAILURE`, `IDEMPOTENCY_KEY_REUSED`.
     *
     * @example
     * ```ts
     * const r = await app.validateAttachmentRequest(alice.id, { requestId, role: "secondaryManager" },
     *   { idempotencyKey: "9b1c…" });
     * if (r.ok) r.value.requester.attachment; // { role: "secondaryManager", … } in this structure only
     * ```
     */
    async validateAttachmentRequest(
      actor: ActorId,
      input: ValidateAttachmentRequestInput,
      options?: CommandOptions,
    ): Promise<Result<AttachmentRequestValidatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseValidateAttachmentRequest);
      if (!parsed.ok) return parsed;
      return validateOne(parsed.value.actorId, parsed.value.command, parsed.value.idempotencyKey);
    },

    /**
     * Refuses a request with a mandatory reason.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND`, `REQUEST_ALREADY_DECIDED`,
     * `SELF_DECISION_FORBIDDEN`, `REFUSAL_REASON_REQUIRED`.
     *
     * @example
     * ```ts
     * const r = await app.refuseAttachmentRequest(alice.id, { requestId, reason: "Personne inconnue" });
     * if (!r.ok && r.error.code === "REFUSAL_REASON_REQUIRED") askForReason();
     * ```
     */
    async refuseAttachmentRequest(
      actor: ActorId,
      input: RefuseAttachmentRequestInput,
      options?: CommandOptions,
    ): Promise<Result<AttachmentRequestRefusedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRefuseAttachmentRequest);
      if (!parsed.ok) return parsed;
      return refuseOne(parsed.value.actorId, parsed.value.command, parsed.value.idempotencyKey);
    },

    /**
     * Validates several requests; each is its own unit of work, so one bad or
     * conflicting request never blocks or corrupts the others. If the store fails
     * half-way, the committed ones are reported, the failing one says `STORE_FAILURE`
     * and the rest `NOT_ATTEMPTED`; retrying with the same idempotency key gives the
     * committed ones back and tries the others.
     *
     * @example
     * ```ts
     * const r = await app.validateAttachmentRequests(alice.id, { items: [{ requestId: a }, { requestId: b }] });
     * if (r.ok) r.value.results.filter((x) => !x.result.ok); // the ones refused, with why
     * ```
     */
    async validateAttachmentRequests(
      actor: ActorId,
      input: ValidateAttachmentRequestsInput,
      options?: CommandOptions,
    ): Promise<Result<BulkOutcome<AttachmentRequestValidatedOutcome>, DomainError>> {
      const parsed = parseAct(actor, input, options, parseValidateAttachmentRequests);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return decideEach(deps, "validateAttachmentRequests", actorId, command.items, idempotencyKey, validateOne);
    },

    /**
     * Refuses several requests with one shared reason, each on its own (see
     * `validateAttachmentRequests` for failures half-way).
     *
     * @example
     * ```ts
     * await app.refuseAttachmentRequests(alice.id, { requestIds: [a, b], reason: "Doublons" });
     * ```
     */
    async refuseAttachmentRequests(
      actor: ActorId,
      input: RefuseAttachmentRequestsInput,
      options?: CommandOptions,
    ): Promise<Result<BulkOutcome<AttachmentRequestRefusedOutcome>, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRefuseAttachmentRequests);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return decideEach(
        deps,
        "refuseAttachmentRequests",
        actorId,
        command.requestIds.map((requestId) => builtCommand({ requestId, reason: command.reason })),
        idempotencyKey,
        refuseOne,
      );
    },
  };
}
