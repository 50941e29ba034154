import { err, ok, type Result } from "./result.js";
import type { DomainError } from "./errors.js";
import type { ServiceId, StructureId } from "./ids.js";
import type { AttachmentScope, Service } from "./model.js";

/** The whole-structure scope (« Rattacher à la structure »). */
export const WHOLE_STRUCTURE: AttachmentScope = Object.freeze({ kind: "structure" });

/**
 * A scope on the given services, sorted and without duplicates (the canonical form
 * every transition stores).
 *
 * @example
 * ```ts
 * servicesScope([serviceId("b"), serviceId("a"), serviceId("b")]);
 * // { kind: "services", serviceIds: ["a", "b"] }
 * ```
 */
export function servicesScope(serviceIds: Iterable<ServiceId>): AttachmentScope {
  return { kind: "services", serviceIds: [...new Set(serviceIds)].sort() };
}

/**
 * The canonical form of a scope: services sorted and de-duplicated.
 *
 * @example
 * ```ts
 * normalizeScope({ kind: "services", serviceIds: [serviceId("b"), serviceId("a")] });
 * // { kind: "services", serviceIds: ["a", "b"] }
 * ```
 */
export function normalizeScope(scope: AttachmentScope): AttachmentScope {
  return scope.kind === "structure" ? WHOLE_STRUCTURE : servicesScope(scope.serviceIds);
}

/**
 * The services a scope names (none for the whole structure).
 *
 * @example
 * ```ts
 * scopeServiceIds(WHOLE_STRUCTURE); // []
 * ```
 */
export function scopeServiceIds(scope: AttachmentScope): readonly ServiceId[] {
  return scope.kind === "structure" ? [] : scope.serviceIds;
}

/**
 * Whether two scopes grant the same thing.
 *
 * @example
 * ```ts
 * sameScope(WHOLE_STRUCTURE, { kind: "structure" }); // true
 * ```
 */
export function sameScope(a: AttachmentScope, b: AttachmentScope): boolean {
  if (a.kind !== b.kind) return false;
  const as = scopeServiceIds(normalizeScope(a));
  const bs = scopeServiceIds(normalizeScope(b));
  return as.length === bs.length && as.every((id, i) => id === bs[i]);
}

/**
 * The scope a member is effectively granted: the granted scope minus the services
 * deactivated since (deactivating a service touches no user record). `null` when no
 * active service is left.
 *
 * @param isActive tells whether a service is still active (unknown services count as inactive).
 *
 * @example
 * ```ts
 * effectiveScope(servicesScope([a, b]), (id) => id === a); // { kind: "services", serviceIds: [a] }
 * ```
 */
export function effectiveScope(
  scope: AttachmentScope,
  isActive: (id: ServiceId) => boolean,
): AttachmentScope | null {
  if (scope.kind === "structure") return scope;
  const left = scope.serviceIds.filter(isActive);
  return left.length === 0 ? null : { kind: "services", serviceIds: left };
}

/**
 * Checks that a scope can be granted in a structure: not empty, and every service
 * named exists, belongs to that structure and is active.
 *
 * @param services the records of (at least) the services the scope names.
 * @returns the scope in canonical form.
 *
 * @example
 * ```ts
 * checkGrantableScope(structureId("s-1"), servicesScope([]), new Map());
 * // err({ code: "EMPTY_SCOPE", structureId: "s-1" })
 * ```
 */
export function checkGrantableScope(
  structureId: StructureId,
  scope: AttachmentScope,
  services: ReadonlyMap<ServiceId, Service>,
): Result<AttachmentScope, DomainError> {
  if (scope.kind === "structure") return ok(WHOLE_STRUCTURE);
  const canonical = servicesScope(scope.serviceIds);
  const ids = scopeServiceIds(canonical);
  if (ids.length === 0) return err({ code: "EMPTY_SCOPE", structureId });
  for (const id of ids) {
    const service = services.get(id);
    if (service === undefined) return err({ code: "NOT_FOUND", entity: "service", id });
    if (service.structureId !== structureId)
      return err({ code: "SERVICE_NOT_IN_STRUCTURE", serviceId: id, structureId });
    if (!service.active) return err({ code: "SERVICE_INACTIVE", serviceId: id });
  }
  return ok(canonical);
}

/**
 * Indexes service records by id, for the `services` argument of the transitions.
 *
 * @example
 * ```ts
 * const byId = indexServices([compta, achats]);
 * byId.get(compta.id) === compta; // true
 * ```
 */
export function indexServices(services: Iterable<Service>): ReadonlyMap<ServiceId, Service> {
  const map = new Map<ServiceId, Service>();
  for (const s of services) map.set(s.id, s);
  return map;
}
