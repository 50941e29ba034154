// The read side: consultation, pending list, history, members. Authorized like the acts.
import { z } from "zod";
import {
  AttachmentRequestIdSchema,
  authorizeManager,
  consultAttachmentRequest as consultRule,
  err,
  HISTORY_KINDS,
  InstantSchema,
  managedStructureIds,
  ok,
  parseWith,
  roleIn,
  scopeServiceIds,
  StructureIdSchema,
  todayOf,
  UserIdSchema,
  type AccountStatus,
  type AttachmentRequestView,
  type AttachmentScope,
  type DomainError,
  type HistoryEntry,
  type Instant,
  type LocalDate,
  type PendingAttachmentRequest,
  type Result,
  type Role,
  type ServiceId,
  type StructureId,
  type UserId,
} from "../core/index.js";
import { parseHistoryCursor, type Page, type PendingCursor } from "../port/store.js";
import { contextOf, loadStructure, loadUser, parseActor, type Deps } from "./runner.js";

/** Largest page a query returns. */
export const MAX_PAGE_SIZE = 500;
const limit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(50);

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

/** A member of a structure, as a manager's list shows them. */
export interface MemberSummary {
  readonly userId: UserId;
  readonly lastName: string;
  readonly firstName: string;
  readonly login: string;
  readonly status: AccountStatus;
  readonly role: Role;
  readonly scope: AttachmentScope;
  readonly validFrom: LocalDate;
}

const PendingQuerySchema = z.strictObject({
  limit: limit,
  cursor: z.string().max(1000).exactOptional(),
});

const CursorSchema = z.strictObject({ c: InstantSchema, i: AttachmentRequestIdSchema });

function encodePendingCursor(c: PendingCursor): string {
  return Buffer.from(JSON.stringify({ c: c.createdAt, i: c.id })).toString("base64url");
}

function decodePendingCursor(cursor: string): Result<PendingCursor, DomainError> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    raw = undefined;
  }
  const parsed = parseWith(CursorSchema, raw);
  if (!parsed.ok)
    return err({ code: "VALIDATION", issues: [{ path: ["cursor"], code: "invalid_cursor", message: "not a cursor of this list" }] });
  return ok({ createdAt: parsed.value.c, id: parsed.value.i });
}

const HistoryQuerySchema = z.strictObject({
  structureId: StructureIdSchema,
  from: InstantSchema.exactOptional(),
  to: InstantSchema.exactOptional(),
  kinds: z.array(z.enum(HISTORY_KINDS)).min(1).exactOptional(),
  targetUserId: UserIdSchema.exactOptional(),
  limit: limit,
  cursor: z
    .string()
    .refine((c) => parseHistoryCursor(c) !== null, "not a cursor of this history")
    .exactOptional(),
});

const MembersQuerySchema = z.strictObject({
  structureId: StructureIdSchema,
  limit: limit,
  cursor: z.string().min(1).max(200).exactOptional(),
});

const ConsultSchema = z.strictObject({ requestId: AttachmentRequestIdSchema });

/** Builds the read operations over resolved dependencies. */
export function queryOperations(deps: Deps) {
  const { store } = deps;

  /** Loads the actor and the structure and checks the actor manages it. */
  async function asManager(actor: unknown, structureId: StructureId) {
    const actorId = parseActor(actor);
    if (!actorId.ok) return actorId;
    const user = await loadUser(store, actorId.value);
    if (!user.ok) return user;
    const structure = await loadStructure(store, structureId);
    if (!structure.ok) return structure;
    const allowed = authorizeManager(user.value.value, structure.value.value, todayOf(contextOf(deps)));
    if (!allowed.ok) return allowed;
    return ok({ actor: user.value.value, structure: structure.value.value });
  }

  return {
    /**
     * The consultation view of a request (« Consulter la demande »).
     *
     * @example
     * ```ts
     * const r = await app.consultAttachmentRequest(alice.id, { requestId });
     * if (r.ok) console.table(r.value.services);
     * ```
     */
    async consultAttachmentRequest(actor: unknown, input: unknown): Promise<Result<AttachmentRequestView, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(ConsultSchema, input);
      if (!query.ok) return query;
      const request = await store.getAttachmentRequest(query.value.requestId);
      if (request === null) return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: query.value.requestId });
      const structure = await loadStructure(store, request.value.structureId);
      if (!structure.ok) return structure;
      const user = await loadUser(store, actorId.value);
      if (!user.ok) return user;
      const ctx = contextOf(deps);
      // Authorize before reading more (the requester, the services).
      const allowed = authorizeManager(user.value.value, structure.value.value, todayOf(ctx));
      if (!allowed.ok) return allowed;
      const requester = await loadUser(store, request.value.userId);
      if (!requester.ok) return requester;
      const services = await store.listServices(structure.value.value.id);
      return consultRule(
        {
          actor: user.value.value,
          structure: structure.value.value,
          request: request.value,
          requester: requester.value.value,
          services: services.map((s) => s.value),
        },
        ctx,
      );
    },

    /**
     * The pending requests of every structure the actor manages, oldest first, a page at
     * a time, with the services each asks for.
     *
     * @example
     * ```ts
     * const page = await app.listPendingAttachmentRequests(alice.id, { limit: 20 });
     * if (page.ok) for (const p of page.value.items) console.log(p.user.lastName, p.services.map((s) => s.label));
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
        const decoded = decodePendingCursor(query.value.cursor);
        if (!decoded.ok) return decoded;
        after = decoded.value;
      }
      const user = await loadUser(store, actorId.value);
      if (!user.ok) return user;
      const actorUser = user.value.value;
      const structures = await store.getStructures(actorUser.attachments.map((a) => a.structureId));
      const byId = new Map(structures.map((s) => [s.value.id, s.value]));
      const managed = managedStructureIds(actorUser, byId.values(), contextOf(deps));
      const size = query.value.limit;
      // Each structure gives its oldest `size + 2` after the cursor: the actor's own
      // request, left out, is at most one of them (one pending request per user and
      // structure), so `size + 1` others remain when there are that many. Merged, the
      // first `size + 1` overall tell the page and whether another follows.
      const candidates: PendingAttachmentRequest[] = [];
      for (const structureId of managed) {
        const fetch = size + 2;
        const page = await store.listPendingRequests(structureId, after === undefined ? { limit: fetch } : { limit: fetch, after });
        for (const r of page) if (r.userId !== actorUser.id) candidates.push(r);
      }
      candidates.sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
      const pageItems = candidates.slice(0, size);
      const users = new Map(
        (await store.getUsers(pageItems.map((r) => r.userId))).map((u) => [u.value.id, u.value]),
      );
      const services = new Map(
        (await store.getServices(pageItems.flatMap((r) => scopeServiceIds(r.scope)))).map((s) => [s.value.id, s.value]),
      );
      const items: PendingRequestSummary[] = pageItems.map((request) => {
        const requester = users.get(request.userId);
        const structure = byId.get(request.structureId);
        return {
          request,
          structure: { id: request.structureId, designation: structure?.designation ?? "" },
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
      return ok({
        items,
        nextCursor:
          candidates.length > size && last !== undefined
            ? encodePendingCursor({ createdAt: last.createdAt, id: last.id })
            : null,
      });
    },

    /**
     * The history of a structure the actor manages, newest first, filtered by period
     * (`from` inclusive, `to` exclusive), kinds and target user, a page at a time.
     *
     * @example
     * ```ts
     * const page = await app.readHistory(alice.id, { structureId, kinds: ["attachmentRequestRefused"], limit: 20 });
     * if (page.ok && page.value.nextCursor) await app.readHistory(alice.id, { structureId, cursor: page.value.nextCursor });
     * ```
     */
    async readHistory(actor: unknown, input: unknown): Promise<Result<Page<HistoryEntry>, DomainError>> {
      const query = parseWith(HistoryQuerySchema, input);
      if (!query.ok) return query;
      const allowed = await asManager(actor, query.value.structureId);
      if (!allowed.ok) return allowed;
      const { structureId, ...rest } = query.value;
      return ok(await store.readHistory(structureId, rest as typeof rest & { from?: Instant }));
    },

    /**
     * The members of a structure the actor manages, by user id, a page at a time, with
     * their role (derived: primary manager from the structure) and scope.
     *
     * @example
     * ```ts
     * const page = await app.listMembers(alice.id, { structureId, limit: 100 });
     * ```
     */
    async listMembers(actor: unknown, input: unknown): Promise<Result<Page<MemberSummary>, DomainError>> {
      const query = parseWith(MembersQuerySchema, input);
      if (!query.ok) return query;
      const allowed = await asManager(actor, query.value.structureId);
      if (!allowed.ok) return allowed;
      const { structure } = allowed.value;
      const page = await store.listMembers(
        structure.id,
        query.value.cursor === undefined ? { limit: query.value.limit } : { limit: query.value.limit, cursor: query.value.cursor },
      );
      const items = page.items.flatMap((user): MemberSummary[] => {
        const attachment = user.attachments.find((a) => a.structureId === structure.id);
        const role = roleIn(structure, user);
        if (attachment === undefined || role === null) return [];
        return [
          {
            userId: user.id,
            lastName: user.lastName,
            firstName: user.firstName,
            login: user.login,
            status: user.status,
            role,
            scope: attachment.scope,
            validFrom: attachment.validFrom,
          },
        ];
      });
      return ok({ items, nextCursor: page.nextCursor });
    },
  };
}
