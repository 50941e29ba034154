import { entry, type Recorded } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, StructureId } from "../ids.js";
import type { Service, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { normalizeServiceCode, visibleText } from "../text.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";

/** Add a service to a structure. */
export interface AddService {
  readonly structureId: StructureId;
  /** `codeService`, unique within the structure (the store enforces it). */
  readonly code: string;
  readonly label: string;
}

/** Rename a service. */
export interface RenameService {
  readonly serviceId: ServiceId;
  readonly label: string;
}

/** Deactivate a service. */
export interface DeactivateService {
  readonly serviceId: ServiceId;
}

/** A manager acting on a structure. */
export interface ManagerState {
  readonly actor: User;
  readonly structure: Structure;
}

/** A manager acting on one service of a structure. */
export interface ServiceState extends ManagerState {
  readonly service: Service;
}

/** What a service transition decided. */
export interface ServiceChanged extends Recorded {
  readonly service: Service;
}

/**
 * Adds an active service to a structure. Any manager of the structure may. The code is
 * kept in its canonical form (`normalizeServiceCode`); its uniqueness within the
 * structure spans records, so the store enforces it (`SERVICE_CODE_TAKEN`).
 *
 * Refusals: `FORBIDDEN` (the actor may not manage the structure).
 *
 * @example
 * ```ts
 * const r = addService({ actor: alice, structure },
 *   { structureId: structure.id, code: "COMPTA", label: "Comptabilité" },
 *   { now, serviceId: serviceId("svc-compta") });
 * if (r.ok) r.value.service.active; // true
 * ```
 */
export function addService(
  state: ManagerState,
  command: AddService,
  ctx: TransitionContext & { readonly serviceId: ServiceId },
): Result<ServiceChanged, DomainError> {
  const { actor, structure } = state;
  if (command.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  const allowed = authorizeManager(actor, structure, todayOf(ctx));
  if (!allowed.ok) return allowed;
  const at = toInstant(ctx.now);
  const service: Service = {
    id: ctx.serviceId,
    structureId: structure.id,
    code: normalizeServiceCode(command.code),
    label: visibleText(command.label) ?? "",
    active: true,
    openSpaces: [],
    createdAt: at,
  };
  return ok({
    service,
    history: [
      entry("serviceAdded", at, structure.id, actor.id, null, {
        serviceId: service.id,
        label: service.label,
      }),
    ],
    events: [{ type: "ServiceAdded", at, structureId: structure.id, serviceId: service.id }],
  });
}

/**
 * The actor manages the service's structure; else `NOT_FOUND`, as for an unknown
 * service (an outsider cannot tell a service of another structure from none).
 */
function checkService(state: ServiceState, id: ServiceId, ctx: TransitionContext): Result<true, DomainError> {
  const { actor, structure, service } = state;
  const found = service.id === id && service.structureId === structure.id && authorizeManager(actor, structure, todayOf(ctx)).ok;
  return found ? ok(true) : err({ code: "NOT_FOUND", entity: "service", id });
}

/**
 * Renames a service (its code stays).
 *
 * Refusals: `NOT_FOUND` (unknown service, or one of a structure the actor may not manage).
 *
 * @example
 * ```ts
 * const r = renameService({ actor: alice, structure, service: compta },
 *   { serviceId: compta.id, label: "Comptabilité générale" }, { now });
 * if (r.ok) r.value.service.label; // "Comptabilité générale"
 * ```
 */
export function renameService(
  state: ServiceState,
  command: RenameService,
  ctx: TransitionContext,
): Result<ServiceChanged, DomainError> {
  const allowed = checkService(state, command.serviceId, ctx);
  if (!allowed.ok) return allowed;
  const at = toInstant(ctx.now);
  const service: Service = { ...state.service, label: visibleText(command.label) ?? "" };
  return ok({
    service,
    history: [
      entry("serviceRenamed", at, service.structureId, state.actor.id, null, {
        serviceId: service.id,
        label: service.label,
      }),
    ],
    events: [
      { type: "ServiceRenamed", at, structureId: service.structureId, serviceId: service.id },
    ],
  });
}

/**
 * Deactivates a service. No user record is touched: the effective scope of every member
 * is their granted scope minus inactive services (see `effectiveScope`), and an
 * inactive service can no longer be granted.
 *
 * Refusals: `NOT_FOUND` (unknown service, or one of a structure the actor may not
 * manage), `SERVICE_INACTIVE` (already deactivated).
 *
 * @example
 * ```ts
 * const r = deactivateService({ actor: alice, structure, service: compta },
 *   { serviceId: compta.id }, { now });
 * if (r.ok) r.value.service.active; // false
 * ```
 */
export function deactivateService(
  state: ServiceState,
  command: DeactivateService,
  ctx: TransitionContext,
): Result<ServiceChanged, DomainError> {
  const allowed = checkService(state, command.serviceId, ctx);
  if (!allowed.ok) return allowed;
  if (!state.service.active) return err({ code: "SERVICE_INACTIVE", serviceId: state.service.id });
  const at = toInstant(ctx.now);
  const service: Service = { ...state.service, active: false };
  return ok({
    service,
    history: [
      entry("serviceDeactivated", at, service.structureId, state.actor.id, null, {
        serviceId: service.id,
        label: service.label,
      }),
    ],
    events: [
      { type: "ServiceDeactivated", at, structureId: service.structureId, serviceId: service.id },
    ],
  });
}
