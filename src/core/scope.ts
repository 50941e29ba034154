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
  const ids = Array.isArray(serviceIds) ? (serviceIds as readonly ServiceId[]) : [...serviceIds];
  // Already canonical (the common case: a scope read back from the store): one copy, no sort.
  if (isCanonical(ids)) return { kind: "services", serviceIds: ids.slice() };
  return { kind: "services", serviceIds: [...new Set(ids)].sort() };
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
  if (a.kind === "structure" || b.kind === "structure") return true;
  const as = isCanonical(a.serviceIds) ? a.serviceIds : scopeServiceIds(normalizeScope(a));
  const bs = isCanonical(b.serviceIds) ? b.serviceIds : scopeServiceIds(normalizeScope(b));
  if (as.length !== bs.length) return false;
  for (let i = 0; i < as.length; i++) if (as[i] !== bs[i]) return false;
  return true;
}

/** Whether ids are sorted and without duplicates (the canonical form). */
function isCanonical(ids: readonly ServiceId[]): boolean {
  for (let i = 1; i < ids.length; i++) if (!((ids[i - 1] as ServiceId) < (ids[i] as ServiceId))) return false;
  return true;
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
 * named is an active service of that structure (a service of another structure is
 * `NOT_FOUND`, like an unknown one).
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
    // A service of another structure is, from here, a service that does not exist.
    if (service === undefined || service.structureId !== structureId)
      return err({ code: "NOT_FOUND", entity: "service", id });
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
