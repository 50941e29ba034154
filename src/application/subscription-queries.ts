// Guide §2, the manager's reading side: the pending subscription requests of their
// structures, and the consultation screen of one.
import { z } from "zod";
import {
  consultSubscriptionRequest as consultRule,
  err,
  InstantSchema,
  managedStructureIds,
  ok,
  parseWith,
  SubscriptionRequestIdSchema,
  type DomainError,
  type PendingSubscriptionRequest,
  type Result,
  type StructureId,
  type SubscriptionRequestView,
  type UserId,
  type DeepReadonly,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { Page, PendingCursor } from "../port/store.js";
import { CursorSchema, decodeCursor, encodeCursor, PageLimitSchema } from "./cursor.js";
import { UNKNOWN_ACTOR, clocked, judge, parseActor, Session, shielded, type Deps, type ActorId } from "./runner.js";

/** One line of the pending subscription requests block. */
export interface PendingSubscriptionSummary {
  readonly request: PendingSubscriptionRequest;
  readonly structure: { readonly id: StructureId; readonly designation: string };
  readonly user: { readonly id: UserId; readonly lastName: string; readonly firstName: string; readonly login: string };
  /** The spaces asked for, with their labels. */
  readonly spaces: readonly { readonly space: string; readonly label: string }[];
}

const QuerySchema = z.strictObject({ limit: PageLimitSchema, cursor: CursorSchema.exactOptional() });
const PositionSchema = z.strictObject({ c: InstantSchema, i: SubscriptionRequestIdSchema });
const ConsultSchema = z.strictObject({ requestId: SubscriptionRequestIdSchema });
/** What `listPendingSubscriptionRequests` takes: a page size and the cursor of the page before. */
export type ListPendingSubscriptionRequestsInput = DeepReadonly<z.input<typeof QuerySchema>>;
/** What `consultSubscriptionRequest` takes. */
export type ConsultSubscriptionRequestInput = DeepReadonly<z.input<typeof ConsultSchema>>;

const byAge = (a: PendingSubscriptionRequest, b: PendingSubscriptionRequest) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Builds the reading operations of guide §2. */
export function subscriptionQueryOperations(deps: Deps) {
  const { store } = deps;
  return {
    /**
     * The consultation view of a subscription request: the structure, the requester as
     * seen from it, each space asked for with « Tous les services » or one service,
     * « Consultation » or « Modification », whether the space is open where it points and
     * what the user already holds, and the user's comment.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (also for a request of a structure the actor may not manage).
     *
     * @example
     * ```ts
     * const r = await app.consultSubscriptionRequest(alice.id, { requestId });
     * if (r.ok) r.value.items.map((i) => `${i.spaceLabel} — ${i.serviceLabel} — ${i.accessLabel}`);
     * ```
     */
    async consultSubscriptionRequest(actor: ActorId, input: ConsultSubscriptionRequestInput): Promise<Result<SubscriptionRequestView, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(ConsultSchema, input);
      if (!query.ok) return query;
      const { requestId } = query.value;
      return shielded(deps, "consultSubscriptionRequest", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        await session.prefetch({ subscriptionRequest: [requestId], user: [actorId.value] });
        const request = await session.subscriptionRequest(requestId);
        if (request === null) return err({ code: "NOT_FOUND", entity: "subscriptionRequest", id: requestId });
        const judged = await judge(session, actorId.value, request.value.structureId, ctx.today, { entity: "subscriptionRequest", id: requestId });
        if (!judged.ok) return judged;
        const serviceIds = request.value.items.flatMap((i) => (i.serviceId === null ? [] : [i.serviceId]));
        await session.prefetch({ user: [request.value.userId], service: serviceIds });
        const requester = await session.user(request.value.userId);
        if (requester === null) return err({ code: "NOT_FOUND", entity: "user", id: request.value.userId });
        const view = consultRule(
          { ...judged.value, request: request.value, requester: requester.value, services: await session.services(serviceIds) },
          { ...ctx, catalogue: deps.catalogue },
        );
        return view.ok ? ok(frozenCopy(view.value)) : view;
      });
    },

    /**
     * The pending subscription requests of every structure the actor manages, oldest
     * first, a page at a time (the actor's own left out).
     *
     * Refusals: `VALIDATION` (a bad limit or cursor), `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const page = await app.listPendingSubscriptionRequests(alice.id, { limit: 20 });
     * ```
     */
    async listPendingSubscriptionRequests(actor: ActorId, input: ListPendingSubscriptionRequestsInput = {}): Promise<Result<Page<PendingSubscriptionSummary>, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(QuerySchema, input);
      if (!query.ok) return query;
      let after: PendingCursor | undefined;
      if (query.value.cursor !== undefined) {
        const decoded = decodeCursor(query.value.cursor, "pendingSubscriptions", actorId.value, PositionSchema);
        if (!decoded.ok) return decoded;
        after = { createdAt: decoded.value.c, id: decoded.value.i };
      }
      const size = query.value.limit;
      return shielded(deps, "listPendingSubscriptionRequests", async () => {
        const ctx = clocked(deps);
        const user = await store.getUser(actorId.value);
        if (user === null) return err(UNKNOWN_ACTOR);
        const structures = await store.getStructures(user.value.attachments.map((a) => a.structureId));
        const byId = new Map(structures.map((s) => [s.value.id, s.value]));
        // The first `size + 1` requests of others in each structure, after the cursor: a
        // user may have several pending requests, so pages are read until that many are found.
        const candidates: PendingSubscriptionRequest[] = [];
        for (const structureId of managedStructureIds(user.value, byId.values(), ctx)) {
          let position = after;
          let found = 0;
          while (found <= size) {
            const page = await store.listPendingSubscriptionRequests(structureId, position === undefined ? { limit: size + 1 } : { limit: size + 1, after: position });
            for (const r of page)
              if (r.userId !== user.value.id) {
                candidates.push(r);
                found++;
              }
            const last = page[page.length - 1];
            if (page.length < size + 1 || last === undefined) break;
            position = { createdAt: last.createdAt, id: last.id };
          }
        }
        candidates.sort(byAge);
        const pageItems = candidates.slice(0, size);
        const users = new Map((await store.getUsers(pageItems.map((r) => r.userId))).map((u) => [u.value.id, u.value]));
        const items = pageItems.map((request): PendingSubscriptionSummary => {
          const requester = users.get(request.userId);
          return {
            request,
            structure: { id: request.structureId, designation: byId.get(request.structureId)?.designation ?? "" },
            user: { id: request.userId, lastName: requester?.lastName ?? "", firstName: requester?.firstName ?? "", login: requester?.login ?? "" },
            spaces: [...new Set(request.items.map((i) => i.space))].map((space) => ({ space, label: deps.catalogue.get(space)?.label ?? space })),
          };
        });
        const last = pageItems[pageItems.length - 1];
        return ok(
          frozenCopy({
            items,
            nextCursor: candidates.length > size && last !== undefined ? encodeCursor("pendingSubscriptions", actorId.value, { c: last.createdAt, i: last.id }) : null,
          }),
        );
      });
    },
  };
}
