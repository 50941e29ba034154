import { entry, type Recorded } from "../_lib.js";
import { visibleText } from "../text.js";
import type { DomainError } from "../errors.js";
import type { AttachmentRequestId } from "../ids.js";
import type { AttachmentRequest, RefusedAttachmentRequest, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import { checkDecidable } from "./validateAttachmentRequest.js";

/** A manager refuses a request. */
export interface RefuseAttachmentRequest {
  readonly requestId: AttachmentRequestId;
  /** « Motif du refus »: mandatory, not blank. */
  readonly reason: string;
}

/** What refusing a request needs to know. */
export interface RefuseRequestState {
  readonly actor: User;
  readonly structure: Structure;
  readonly request: AttachmentRequest;
}

/** What {@link refuseAttachmentRequest} decided. */
export interface AttachmentRequestRefused extends Recorded {
  readonly request: RefusedAttachmentRequest;
}

/**
 * Refuses a pending request with a reason (« Confirmer le refus »). The history records
 * « Refusée » with the reason, and the requester is told why through the
 * `AttachmentRequestRefused` event. No user record changes.
 *
 * Refusals: `NOT_FOUND` (also when the actor may not manage the request's structure),
 * `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`, `REFUSAL_REASON_REQUIRED`
 * (no visible character in the reason).
 *
 * @example
 * ```ts
 * const r = refuseAttachmentRequest({ actor: alice, structure, request },
 *   { requestId: request.id, reason: "Personne inconnue du service" }, { now });
 * if (r.ok) r.value.request.status; // "refused"
 * ```
 */
export function refuseAttachmentRequest(
  state: RefuseRequestState,
  command: RefuseAttachmentRequest,
  ctx: TransitionContext,
): Result<AttachmentRequestRefused, DomainError> {
  const { actor, structure } = state;
  const decidable = checkDecidable(actor, structure, state.request, command.requestId, todayOf(ctx));
  if (!decidable.ok) return decidable;
  const request = decidable.value;
  const reason = visibleText(command.reason);
  if (reason === null) return err({ code: "REFUSAL_REASON_REQUIRED", requestId: request.id });
  const at = toInstant(ctx.now);
  const refused: RefusedAttachmentRequest = {
    ...request,
    status: "refused",
    decidedBy: actor.id,
    decidedAt: at,
    reason,
  };
  return ok({
    request: refused,
    history: [
      entry("attachmentRequestRefused", at, structure.id, actor.id, request.userId, { reason }, request.id),
    ],
    events: [
      {
        type: "AttachmentRequestRefused",
        at,
        requestId: request.id,
        structureId: structure.id,
        userId: request.userId,
        decidedBy: actor.id,
        reason,
      },
    ],
  });
}
