import { cards, type RequesterCard, type StructureCard } from "../_lib.js";
import { attachmentTo, authorizeManager, roleIn } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId } from "../ids.js";
import type { AttachmentRequest, AttachmentScope, Service, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { scopeServiceIds } from "../scope.js";
import { todayOf, type TransitionContext } from "../time.js";
import {
  serviceAttachmentStatusLabel,
  type AttachmentRole,
  type Role,
  type ServiceAttachmentStatus,
} from "../vocabulary.js";

/** One line of the services table on the consultation screen. */
export interface RequestServiceLine {
  readonly serviceId: ServiceId;
  readonly code: string;
  readonly label: string;
  /** « En cours de validation » (`requested`), « Validé » (`attached`), or none. */
  readonly status: ServiceAttachmentStatus | null;
  /** The French label of `status`, or `null`. */
  readonly statusLabel: string | null;
  /** Checked by default: asked for or already attached. */
  readonly checked: boolean;
}

/** Everything the guide's consultation screen of an attachment request shows. */
export interface AttachmentRequestView {
  readonly request: AttachmentRequest;
  readonly structure: StructureCard;
  /** The requester as seen from this structure. */
  readonly user: RequesterCard;
  /** The comment the user typed. */
  readonly comment: string;
  readonly requestedRole: AttachmentRole;
  /** The requester's current role and scope in the structure, if attached. */
  readonly current: { readonly role: Role; readonly scope: AttachmentScope } | null;
  /** Whether « Rattacher à la structure » (whole structure) is checked by default. */
  readonly wholeStructureChecked: boolean;
  /**
   * For a structure with services: every *active* service, in code order, with its
   * attachment status and default check. Empty for a structure without services.
   */
  readonly services: readonly RequestServiceLine[];
}

/** What {@link consultAttachmentRequest} needs to know. */
export interface ConsultRequestState {
  readonly actor: User;
  readonly structure: Structure;
  readonly request: AttachmentRequest;
  readonly requester: User;
  /** All the structure's services (inactive ones are left out of the view). */
  readonly services: Iterable<Service>;
}

/**
 * The consultation view of a request (« Consulter la demande »), for a manager of its
 * structure: structure and user information, the comment, and for a structure with
 * services each active service with its status and default check.
 *
 * @example
 * ```ts
 * const r = consultAttachmentRequest({ actor: alice, structure, request, requester: elodie, services }, { now });
 * if (r.ok) r.value.services.map((s) => [s.code, s.statusLabel, s.checked]);
 * // [["ACHATS", "En cours de validation", true], ["COMPTA", "Validé", true], ["RH", null, false], …]
 * ```
 */
export function consultAttachmentRequest(
  state: ConsultRequestState,
  ctx: TransitionContext,
): Result<AttachmentRequestView, DomainError> {
  const { actor, structure, request, requester } = state;
  // Someone who may not manage the request's structure cannot tell it from none.
  if (request.structureId !== structure.id || !authorizeManager(actor, structure, todayOf(ctx)).ok)
    return err({ code: "NOT_FOUND", entity: "attachmentRequest", id: request.id });
  if (requester.id !== request.userId) return err({ code: "NOT_FOUND", entity: "user", id: request.userId });

  const attachment = attachmentTo(requester, structure.id);
  const role = roleIn(structure, requester);
  const requested = new Set(scopeServiceIds(request.scope));
  const attached = new Set(attachment ? scopeServiceIds(attachment.scope) : []);
  const services: RequestServiceLine[] = [];
  for (const service of state.services) {
    if (!service.active || service.structureId !== structure.id) continue;
    const status: ServiceAttachmentStatus | null = attached.has(service.id)
      ? "attached"
      : requested.has(service.id)
        ? "requested"
        : null;
    services.push({
      serviceId: service.id,
      code: service.code,
      label: service.label,
      status,
      statusLabel: status === null ? null : serviceAttachmentStatusLabel[status],
      checked: status !== null,
    });
  }
  services.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return ok({
    request,
    ...cards(structure, requester),
    comment: request.comment,
    requestedRole: request.requestedRole,
    current: attachment !== undefined && role !== null ? { role, scope: attachment.scope } : null,
    wholeStructureChecked: request.scope.kind === "structure" || attachment?.scope.kind === "structure",
    services,
  });
}
