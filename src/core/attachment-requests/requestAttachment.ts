import { entry, type Recorded } from "../_lib.js";
import { visibleText } from "../text.js";
import { attachmentTo } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { AttachmentRequestId, ServiceId, StructureId } from "../ids.js";
import type { AttachmentScope, PendingAttachmentRequest, Service, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { checkGrantableScope } from "../scope.js";
import { toInstant, type TransitionContext } from "../time.js";
import type { AttachmentRole } from "../vocabulary.js";

/** A user asks to be attached to a structure, or to some of its services. */
export interface RequestAttachment {
  readonly structureId: StructureId;
  /** The whole structure, or the services asked for. */
  readonly scope: AttachmentScope;
  /**
   * The role asked for. When not given: the role the user already holds in the
   * structure (a secondary manager asking for more services stays one), else a simple user.
   */
  readonly requestedRole?: AttachmentRole;
  /** The user's comment, shown to the managers (may be empty). */
  readonly comment?: string;
}

/** What {@link requestAttachment} needs to know. */
export interface RequestAttachmentState {
  /** The user asking. */
  readonly user: User;
  readonly structure: Structure;
  /** The records of (at least) the services asked for. */
  readonly services: ReadonlyMap<ServiceId, Service>;
  /** The user's pending request for this structure, if there is one. */
  readonly pendingRequest: PendingAttachmentRequest | null;
}

/** What {@link requestAttachment} decided. */
export interface AttachmentRequested extends Recorded {
  readonly request: PendingAttachmentRequest;
}

/**
 * A user's own request to be attached (« demande de rattachement »). The account must
 * be active; the user must not already be attached to the whole structure; services
 * asked for must be active services of that structure; and there is at most one
 * pending request per user and structure (`PENDING_REQUEST_EXISTS`; the store enforces
 * it too, against concurrent requests).
 *
 * @param ctx time, and the id the new request gets.
 *
 * @example
 * ```ts
 * const r = requestAttachment(
 *   { user: elodie, structure, services: indexServices([compta, achats]), pendingRequest: null },
 *   { structureId: structure.id, scope: servicesScope([compta.id, achats.id]), comment: "Nouvelle arrivante" },
 *   { now, requestId: attachmentRequestId("req-1") },
 * );
 * if (r.ok) r.value.request.status; // "pending"
 * ```
 */
export function requestAttachment(
  state: RequestAttachmentState,
  command: RequestAttachment,
  ctx: TransitionContext & { readonly requestId: AttachmentRequestId },
): Result<AttachmentRequested, DomainError> {
  const { user, structure } = state;
  if (command.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (user.status !== "active")
    return err({ code: "FORBIDDEN", actorId: user.id, structureId: structure.id, reason: "accountNotActive" });
  const current = attachmentTo(user, structure.id);
  if (structure.primaryManagerId === user.id || current?.scope.kind === "structure")
    return err({ code: "ALREADY_ATTACHED", structureId: structure.id, userId: user.id });
  if (state.pendingRequest !== null)
    return err({ code: "PENDING_REQUEST_EXISTS", structureId: structure.id, userId: user.id });
  const scope = checkGrantableScope(structure.id, command.scope, state.services);
  if (!scope.ok) return scope;
  const at = toInstant(ctx.now);
  const request: PendingAttachmentRequest = {
    id: ctx.requestId,
    structureId: structure.id,
    userId: user.id,
    requestedRole: command.requestedRole ?? current?.role ?? "user",
    scope: scope.value,
    comment: visibleText(command.comment) ?? "",
    createdAt: at,
    status: "pending",
  };
  return ok({
    request,
    history: [
      entry(
        "attachmentRequested",
        at,
        structure.id,
        user.id,
        user.id,
        { role: request.requestedRole, scope: request.scope, comment: request.comment },
        request.id,
      ),
    ],
    events: [
      { type: "AttachmentRequested", at, requestId: request.id, structureId: structure.id, userId: user.id },
    ],
  });
}
