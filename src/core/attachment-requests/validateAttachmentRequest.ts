import { entry, withAttachment, type Recorded } from "../_lib.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { NewHistoryEntry } from "../history.js";
import type { AttachmentRequestId, ServiceId } from "../ids.js";
import type {
  AttachmentRequest,
  AttachmentScope,
  PendingAttachmentRequest,
  Service,
  Structure,
  User,
  ValidatedAttachmentRequest,
} from "../model.js";
import { err, ok, type Result } from "../result.js";
import { checkGrantableScope, sameScope, scopeServiceIds, servicesScope, WHOLE_STRUCTURE } from "../scope.js";
import { checkValidUntil } from "../ends/rules.js";
import { hasEnded, toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import type { Role } from "../vocabulary.js";

/** A manager validates a request. */
export interface ValidateAttachmentRequest {
  readonly requestId: AttachmentRequestId;
  /**
   * The role to give (« Gestionnaire secondaire » or « Utilisateur simple »). When not
   * given: the role the requester already holds in the structure, else simple user —
   * never the role the requester asked for, which the manager sees and grants only by
   * passing it here. `primaryManager` is refused with `CANNOT_GRANT_PRIMARY`.
   */
  readonly role?: Role;
  /**
   * The checked services, or the whole structure. The checked set *is* the resulting
   * scope: a service the user had and that is not checked is removed. When not given,
   * the guide's default checks: the services asked for and those already attached
   * (active ones), or the whole structure if that was asked for or held.
   */
  readonly scope?: AttachmentScope;
  /**
   * « Date de fin »: the first day without the right, after the attachment's start and
   * today; `null`: no end. When not given: the end the requester's attachment already
   * has, unless it has passed (a validation gives rights now); none for a new one.
   */
  readonly validUntil?: LocalDate | null;
}

/** What deciding a request needs to know. */
export interface DecideRequestState {
  /** The manager deciding. */
  readonly actor: User;
  readonly structure: Structure;
  readonly request: AttachmentRequest;
  /** The user who asked. */
  readonly requester: User;
  /**
   * The records of (at least) the services the request names, those the requester is
   * attached to in this structure, and those the command checks.
   */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link validateAttachmentRequest} decided. */
export interface AttachmentRequestValidated extends Recorded {
  readonly request: ValidatedAttachmentRequest;
  /** The requester with their new attachment. */
  readonly requester: User;
  /** Services the requester had in this structure and no longer has (unchecked). */
  readonly removedServiceIds: readonly ServiceId[];
}

/**
 * The scope checked by default on the validation screen: the whole structure if it was
 * asked for or is already held; else the active services asked for (« En cours de
 * validation ») and those already attached (« Validé »).
 *
 * @example
 * ```ts
 * defaultValidationScope(request, requester, indexServices(allServices));
 * // { kind: "services", serviceIds: [achats, compta, paie] }
 * ```
 */
export function defaultValidationScope(
  request: AttachmentRequest,
  requester: User,
  services: ReadonlyMap<ServiceId, Service>,
): AttachmentScope {
  const current = attachmentTo(requester, request.structureId);
  if (request.scope.kind === "structure" || current?.scope.kind === "structure") return WHOLE_STRUCTURE;
  const ids = [...request.scope.serviceIds, ...(current ? scopeServiceIds(current.scope) : [])];
  return servicesScope(ids.filter((id) => services.get(id)?.active === true));
}

/**
 * The checks shared by validation, refusal and consultation: the actor manages the
 * request's structure (else `NOT_FOUND`, as for an unknown request), the request is
 * pending, and it is not the actor's own.
 *
 * @example
 * ```ts
 * checkDecidable(chloe, structure, request, request.id, today);
 * // err({ code: "NOT_FOUND", entity: "attachmentRequest", id: request.id }): Chloé manages nothing
 * ```
 */
export function checkDecidable(
  actor: User,
  structure: Structure,
  request: AttachmentRequest,
  requestId: AttachmentRequestId,
  today: LocalDate,
): Result<PendingAttachmentRequest, DomainError> {
  // Someone who may not manage the request's structure cannot tell it from one that
  // does not exist: both are NOT_FOUND, naming only the id they gave.
  const notFound = err<DomainError>({ code: "NOT_FOUND", entity: "attachmentRequest", id: requestId });
  if (request.id !== requestId || request.structureId !== structure.id) return notFound;
  if (!authorizeManager(actor, structure, today).ok) return notFound;
  if (request.status !== "pending")
    return err({ code: "REQUEST_ALREADY_DECIDED", requestId: request.id, status: request.status });
  if (request.userId === actor.id)
    return err({ code: "SELF_DECISION_FORBIDDEN", requestId: request.id, userId: actor.id });
  return ok(request);
}

/**
 * Validates a pending request (« Valider la demande »): the requester is attached with
 * the role the manager chose (by default the role already held there, else simple
 * user), on the checked services or the whole structure. The history records « Validée » with what was granted, and
 * « Services retirés » when checked-off services were taken away; the requester is
 * notified through the `AttachmentRequestValidated` event.
 *
 * Refusals: `NOT_FOUND` (also when the actor may not manage the request's structure:
 * an outsider cannot tell a request of another structure from none), `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`, `CANNOT_GRANT_PRIMARY`,
 * `TRANSFER_REQUIRED` (the requester is the primary manager), `ACCOUNT_NOT_ACTIVE`
 * (requester deactivated), `EMPTY_SCOPE`, `SERVICE_INACTIVE`, `VALID_UNTIL_TOO_EARLY`,
 * `NOT_FOUND` (a service that is not one of the structure's).
 *
 * @example
 * ```ts
 * const r = validateAttachmentRequest(
 *   { actor: alice, structure, request, requester: elodie, services: indexServices(allServices) },
 *   { requestId: request.id, role: "secondaryManager", scope: servicesScope([compta.id]) },
 *   { now },
 * );
 * if (r.ok) r.value.requester.attachments; // [{ role: "secondaryManager", scope: { kind: "services", serviceIds: [compta.id] }, … }]
 * ```
 */
export function validateAttachmentRequest(
  state: DecideRequestState,
  command: ValidateAttachmentRequest,
  ctx: TransitionContext,
): Result<AttachmentRequestValidated, DomainError> {
  const { actor, structure, requester, services } = state;
  const today = todayOf(ctx);
  const decidable = checkDecidable(actor, structure, state.request, command.requestId, today);
  if (!decidable.ok) return decidable;
  const request = decidable.value;
  if (requester.id !== request.userId) return err({ code: "NOT_FOUND", entity: "user", id: request.userId });
  const current = attachmentTo(requester, structure.id);
  // A user cannot make themself a manager by asking: only the manager's choice grants a role.
  const role = command.role ?? current?.role ?? "user";
  if (role === "primaryManager")
    return err({ code: "CANNOT_GRANT_PRIMARY", structureId: structure.id, userId: requester.id });
  if (structure.primaryManagerId === requester.id)
    return err({ code: "TRANSFER_REQUIRED", structureId: structure.id, userId: requester.id });
  if (requester.status === "deactivated")
    return err({ code: "ACCOUNT_NOT_ACTIVE", userId: requester.id, status: requester.status });
  const scope = checkGrantableScope(
    structure.id,
    command.scope ?? defaultValidationScope(request, requester, services),
    services,
  );
  if (!scope.ok) return scope;

  // Validating changes role and scope, not the date the membership started (or will).
  const validFrom = current?.validFrom ?? today;
  const validUntil =
    command.validUntil === undefined
      ? ok(current === undefined || hasEnded(current.validUntil, today) ? null : current.validUntil)
      : checkValidUntil(command.validUntil, validFrom, today);
  if (!validUntil.ok) return validUntil;
  // The sweep's notice stays with the end date it was about.
  const endNotice = current !== undefined && current.validUntil === validUntil.value ? current.endNotice : null;

  const at = toInstant(ctx.now);
  const kept = new Set(scopeServiceIds(scope.value));
  const removedServiceIds =
    current !== undefined && scope.value.kind === "services"
      ? scopeServiceIds(current.scope).filter((id) => !kept.has(id))
      : [];
  const updatedRequester = withAttachment(requester, {
    structureId: structure.id,
    role,
    scope: scope.value,
    validFrom,
    validUntil: validUntil.value,
    endNotice,
    attachedBy: actor.id,
    attachedAt: at,
  });
  const validated: ValidatedAttachmentRequest = {
    ...request,
    status: "validated",
    decidedBy: actor.id,
    decidedAt: at,
    grantedRole: role,
    grantedScope: scope.value,
  };
  const history: NewHistoryEntry[] = [
    entry("attachmentRequestValidated", at, structure.id, actor.id, requester.id, {
      role,
      scope: scope.value,
      ...(current !== undefined && current.role !== role ? { previousRole: current.role } : {}),
      ...(current !== undefined && !sameScope(current.scope, scope.value) ? { previousScope: current.scope } : {}),
      ...(validUntil.value === null ? {} : { validUntil: validUntil.value }),
      ...(current !== undefined && current.validUntil !== null && current.validUntil !== validUntil.value ? { previousValidUntil: current.validUntil } : {}),
    }, request.id),
  ];
  if (removedServiceIds.length > 0)
    history.push(
      entry("servicesRemoved", at, structure.id, actor.id, requester.id, { removedServiceIds }, request.id),
    );
  return ok({
    request: validated,
    requester: updatedRequester,
    removedServiceIds,
    history,
    events: [
      {
        type: "AttachmentRequestValidated",
        at,
        requestId: request.id,
        structureId: structure.id,
        userId: requester.id,
        decidedBy: actor.id,
        role,
        scope: scope.value,
        ...(validUntil.value === null ? {} : { validUntil: validUntil.value }),
      },
    ],
  });
}
