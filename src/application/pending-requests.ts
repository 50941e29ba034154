// Guide §1, the manager's reading side: the pending requests of their structures, and
// the consultation screen of one request.
import { z } from "zod";
import {
  AttachmentRequestIdSchema,
  consultAttachmentRequest as consultRule,
  err,
  InstantSchema,
  managedStructureIds,
  ok,
  parseWith,
  scopeServiceIds,
  type AttachmentRequestView,
  type DomainError,
  type PendingAttachmentRequest,
  type Result,
  type ServiceId,
  type StructureId,
  type UserId,
  type DeepReadonly,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { Page, PendingCursor } from "../port/store.js";
import { CursorSchema, decodeCursor, encodeCursor, PageLimitSchema } from "./cursor.js";
import { UNKNOWN_ACTOR, clocked, judge, parseActor, Session, shielded, type Deps, type ActorId } from "./runner.js";

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
/** What `listPendingAttachmentRequests` takes: a page size and the cursor of the page before. */
export type ListPendingAttachmentRequestsInput = DeepReadonly<z.input<typeof PendingQuerySchema>>;
/** What `consultAttachmentRequest` takes. */
export type ConsultAttachmentRequestInput = DeepReadonly<z.input<typeof ConsultSchema>>;

const byAge = (a: PendingAttachmentRequest, b: PendingAttachmentRequest) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Builds the reading operations of guide §1. */
export function pendingRequestOperations(deps: Deps) {
  const { store } = deps;
  return {
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
    async consultAttachmentRequest(actor: ActorId, input: ConsultAttachmentRequestInput): Promise<Result<AttachmentRequestView, DomainError>> {
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
     * Refusals: `VALIDATION` (a bad limit or cursor), `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const page = await app.listPendingAttachmentRequests(alice.id, { limit: 20 });
     * if (page.ok && page.value.nextCursor) await app.listPendingAttachmentRequests(alice.id, { cursor: page.value.nextCursor });
     * ```
     */
    async listPendingAttachmentRequests(
      actor: ActorId,
      input: ListPendingAttachmentRequestsInput = {},
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
        if (user === null) return err(UNKNOWN_ACTOR);
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
