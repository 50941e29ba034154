// Guide §1, « Gérer les demandes de rattachement »: a user's request, the managers'
// pending list, consultation, validation and refusal, one at a time or in bulk.
import { z } from "zod";
import {
  AttachmentRequestIdSchema,
  attachmentTo,
  consultAttachmentRequest as consultRule,
  err,
  InstantSchema,
  managedStructureIds,
  ok,
  parseRefuseAttachmentRequest,
  parseRefuseAttachmentRequests,
  parseRequestAttachment,
  parseValidateAttachmentRequest,
  parseValidateAttachmentRequests,
  parseWith,
  refuseAttachmentRequest as refuseRule,
  requestAttachment as requestAttachmentRule,
  scopeServiceIds,
  validateAttachmentRequest as validateRule,
  type AttachmentRequestId,
  type AttachmentRequestView,
  type DomainError,
  type PendingAttachmentRequest,
  type RefuseAttachmentRequest,
  type Result,
  type ServiceId,
  type StructureId,
  type UserId,
  type ValidateAttachmentRequest,
  type ValidatedAttachmentRequest,
  type RefusedAttachmentRequest,
  type RecordedEvent,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { Page, PendingCursor } from "../port/store.js";
import { CursorSchema, decodeCursor, encodeCursor } from "./cursor.js";
import {
  clocked,
  eachItem,
  execute,
  itemKey,
  judge,
  parseAct,
  parseActor,
  Session,
  shielded,
  type Deps,
  type Outcome,
} from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** Largest page a query returns. */
export const MAX_PAGE_SIZE = 500;
/** The `limit` of a page query: 1 to {@link MAX_PAGE_SIZE}, 50 by default. */
export const PageLimitSchema = z.number().int().min(1).max(MAX_PAGE_SIZE).default(50);

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

/** One request's outcome in a bulk decision, each request committed on its own. */
export interface BulkResultItem<T> {
  readonly requestId: AttachmentRequestId;
  readonly result: Result<T, DomainError>;
}

/** The outcome of a bulk decision: one result per request, in order, and all the events saved. */
export interface BulkOutcome<T> {
  readonly results: readonly BulkResultItem<T>[];
  readonly events: readonly RecordedEvent[];
}

/** One line of the pending-requests block, with what the screen shows of it. */
export interface PendingRequestSummary {
  readonly request: PendingAttachmentRequest;
  readonly structure: { readonly id: StructureId; readonly designation: string };
  readonly user: {
    readonly id: UserId;
    readonly lastName: string;
    readonly firstName: string;
    readonly login: string;
  };
  /** The services asked for (empty when the whole structure is asked for). */
  readonly services: readonly { readonly id: ServiceId; readonly code: string; readonly label: string }[];
}

const PendingQuerySchema = z.strictObject({ limit: PageLimitSchema, cursor: CursorSchema.exactOptional() });
const PendingPositionSchema = z.strictObject({ c: InstantSchema, i: AttachmentRequestIdSchema });
const ConsultSchema = z.strictObject({ requestId: AttachmentRequestIdSchema });

const byAge = (a: PendingAttachmentRequest, b: PendingAttachmentRequest) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Builds the operations of guide §1. */
export function attachmentRequestOperations(deps: Deps) {
  const { store } = deps;

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
      async decide({ session, ctx }) {
        const request = await session.request(command.requestId);
        if (request === null) return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: command.requestId });
        const judged = await judge(session, actorId, request.value.structureId, ctx.today, {
          entity: "attachmentRequest",
          id: command.requestId,
        });
        if (!judged.ok) return judged;
        const requester = await session.user(request.value.userId);
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
      async decide({ session, ctx }) {
        const request = await session.request(command.requestId);
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

  /**
   * Decides each request on its own, in order: one unit of work each, so one bad or
   * conflicting request never blocks or corrupts the others. An unknown actor fails the
   * whole call; rights are judged per request (each may belong to another structure).
   */
  async function decideEach<C extends { readonly requestId: AttachmentRequestId }, T extends { readonly events: readonly RecordedEvent[] }>(
    operation: string,
    actorId: UserId,
    items: readonly C[],
    idempotencyKey: string | undefined,
    decide: (actorId: UserId, item: C, key: string | undefined) => Promise<Result<T, DomainError>>,
  ): Promise<Result<BulkOutcome<T>, DomainError>> {
    return shielded(deps, operation, async () => {
      const known = await store.getUser(actorId);
      if (known === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId });
      const results = await eachItem(items, (item, i) => decide(actorId, item, itemKey(idempotencyKey, i)));
      return ok(
        Object.freeze({
          results: Object.freeze(results.map((result, i) => Object.freeze({ requestId: (items[i] as C).requestId, result }))),
          events: Object.freeze(results.flatMap((r) => (r.ok ? r.value.events : []))),
        }),
      );
    });
  }

  return {
    /**
     * The actor asks to be attached to a structure or some of its services (the user's
     * side of guide §1).
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (unknown actor, structure or service),
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
      actor: unknown,
      input: unknown,
      options?: unknown,
    ): Promise<Result<AttachmentRequestedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRequestAttachment);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "requestAttachment",
        actorId,
        command,
        idempotencyKey,
        async decide({ session, ctx, newId }) {
          const user = await session.user(actorId);
          if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId });
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
      actor: unknown,
      input: unknown,
      options?: unknown,
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
      actor: unknown,
      input: unknown,
      options?: unknown,
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
      actor: unknown,
      input: unknown,
      options?: unknown,
    ): Promise<Result<BulkOutcome<AttachmentRequestValidatedOutcome>, DomainError>> {
      const parsed = parseAct(actor, input, options, parseValidateAttachmentRequests);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return decideEach("validateAttachmentRequests", actorId, command.items, idempotencyKey, validateOne);
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
      actor: unknown,
      input: unknown,
      options?: unknown,
    ): Promise<Result<BulkOutcome<AttachmentRequestRefusedOutcome>, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRefuseAttachmentRequests);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return decideEach(
        "refuseAttachmentRequests",
        actorId,
        command.requestIds.map((requestId) => ({ requestId, reason: command.reason })),
        idempotencyKey,
        refuseOne,
      );
    },

    /**
     * The consultation view of a request (« Consulter la demande »): the structure, the
     * requester as seen from it, the comment, and each active service with its status
     * and default check.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (also for a request of a structure the actor
     * may not manage).
     *
     * @example
     * ```ts
     * const r = await app.consultAttachmentRequest(alice.id, { requestId });
     * if (r.ok) r.value.services.map((s) => [s.code, s.statusLabel, s.checked]);
     * ```
     */
    async consultAttachmentRequest(actor: unknown, input: unknown): Promise<Result<AttachmentRequestView, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(ConsultSchema, input);
      if (!query.ok) return query;
      const { requestId } = query.value;
      return shielded(deps, "consultAttachmentRequest", async () => {
        const ctx = clocked(deps);
        const request = await store.getAttachmentRequest(requestId);
        if (request === null) return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: requestId });
        const session = new Session(store);
        // Judge before reading more (the requester, the services).
        const judged = await judge(session, actorId.value, request.value.structureId, ctx.today, {
          entity: "attachmentRequest",
          id: requestId,
        });
        if (!judged.ok) return judged;
        const requester = await store.getUser(request.value.userId);
        if (requester === null) return err({ code: "NOT_FOUND", entity: "user", id: request.value.userId });
        const services = await store.listServices(request.value.structureId);
        const view = consultRule(
          { ...judged.value, request: request.value, requester: requester.value, services: services.map((s) => s.value) },
          ctx,
        );
        return view.ok ? ok(frozenCopy(view.value)) : view;
      });
    },

    /**
     * The pending requests of every structure the actor manages, oldest first, a page at
     * a time, with the services each asks for. The actor's own requests are left out.
     *
     * Refusals: `VALIDATION` (a bad limit or cursor), `NOT_FOUND` (unknown actor).
     *
     * @example
     * ```ts
     * const page = await app.listPendingAttachmentRequests(alice.id, { limit: 20 });
     * if (page.ok && page.value.nextCursor) await app.listPendingAttachmentRequests(alice.id, { cursor: page.value.nextCursor });
     * ```
     */
    async listPendingAttachmentRequests(
      actor: unknown,
      input: unknown = {},
    ): Promise<Result<Page<PendingRequestSummary>, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(PendingQuerySchema, input);
      if (!query.ok) return query;
      let after: PendingCursor | undefined;
      if (query.value.cursor !== undefined) {
        const decoded = decodeCursor(query.value.cursor, "pending", actorId.value, PendingPositionSchema);
        if (!decoded.ok) return decoded;
        after = { createdAt: decoded.value.c, id: decoded.value.i };
      }
      const size = query.value.limit;
      return shielded(deps, "listPendingAttachmentRequests", async () => {
        const ctx = clocked(deps);
        const user = await store.getUser(actorId.value);
        if (user === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId.value });
        const actorUser = user.value;
        const structures = await store.getStructures(actorUser.attachments.map((a) => a.structureId));
        const byId = new Map(structures.map((s) => [s.value.id, s.value]));
        const managed = managedStructureIds(actorUser, byId.values(), ctx);
        // Each structure gives its oldest `size + 2` after the cursor: the actor's own
        // request, left out, is at most one of them (one pending request per user and
        // structure), so `size + 1` others remain when there are that many. Merged, the
        // first `size + 1` overall tell the page and whether another follows.
        const candidates: PendingAttachmentRequest[] = [];
        for (const structureId of managed) {
          const page = await store.listPendingRequests(
            structureId,
            after === undefined ? { limit: size + 2 } : { limit: size + 2, after },
          );
          for (const r of page) if (r.userId !== actorUser.id) candidates.push(r);
        }
        candidates.sort(byAge);
        const pageItems = candidates.slice(0, size);
        const users = new Map((await store.getUsers(pageItems.map((r) => r.userId))).map((u) => [u.value.id, u.value]));
        const serviceIds = pageItems.flatMap((r) => scopeServiceIds(r.scope));
        const services = new Map(
          (serviceIds.length === 0 ? [] : await store.getServices(serviceIds)).map((s) => [s.value.id, s.value]),
        );
        const items: PendingRequestSummary[] = pageItems.map((request) => {
          const requester = users.get(request.userId);
          return {
            request,
            structure: { id: request.structureId, designation: byId.get(request.structureId)?.designation ?? "" },
            user: {
              id: request.userId,
              lastName: requester?.lastName ?? "",
              firstName: requester?.firstName ?? "",
              login: requester?.login ?? "",
            },
            services: scopeServiceIds(request.scope).flatMap((id) => {
              const s = services.get(id);
              return s === undefined ? [] : [{ id, code: s.code, label: s.label }];
            }),
          };
        });
        const last = pageItems[pageItems.length - 1];
        return ok(
          frozenCopy({
            items,
            nextCursor:
              candidates.length > size && last !== undefined
                ? encodeCursor("pending", actorId.value, { c: last.createdAt, i: last.id })
                : null,
          }),
        );
      });
    },
  };
}
