// What a space grant gives: the access query a host asks on every request of its own,
// and the rules that make a grant usable.
import { attachmentTo } from "../authorization.js";
import type { ServiceId, SpaceCode, StructureId } from "../ids.js";
import type { Attachment, Service, SpaceGrant, Structure, SubscriptionItem, User } from "../model.js";
import { hasEnded, isInForce, type LocalDate } from "../time.js";
import type { AccessLevel } from "../vocabulary.js";

/** "May this user read / write this space of this service (or of the structure)?" */
export interface AccessQuery {
  readonly structureId: StructureId;
  readonly space: SpaceCode;
  /** The service the host's request is about; `null` for the structure as a whole. */
  readonly serviceId: ServiceId | null;
  readonly access: AccessLevel;
}

/** What the access query reads: the user, the structure, and the service asked about. */
export interface AccessState {
  readonly user: User;
  readonly structure: Structure;
  /** The service of the query (`null` when the query names none, or it does not exist). */
  readonly service: Service | null;
}

/** Whether `held` gives `wanted` (write includes read). */
export function accessCovers(held: AccessLevel, wanted: AccessLevel): boolean {
  return held === "write" || wanted === "read";
}

/**
 * Whether a space is opened where an item or grant points: on the whole structure, or
 * (for one service) on that service of the structure.
 *
 * @example
 * ```ts
 * isSpaceOpen(structure, compta, spaceCode("FACTURES_RECUES")); // true if opened on the structure or on COMPTA
 * ```
 */
export function isSpaceOpen(structure: Structure, service: Service | null, space: SpaceCode): boolean {
  if (structure.openSpaces.includes(space)) return true;
  return service !== null && service.structureId === structure.id && service.openSpaces.includes(space);
}

/** Whether an attachment covers a service: the whole structure, or that service. */
function coversService(attachment: Attachment, serviceId: ServiceId): boolean {
  return attachment.scope.kind === "structure" || attachment.scope.serviceIds.includes(serviceId);
}

/**
 * Answers the access query from the user's and the structure's records alone (no scan):
 * the account is active; the user is attached to the structure, in force today (start
 * reached, end not reached); for a service, the service is an active one of the
 * structure within the user's scope; and a grant for that space — for all services or
 * for that service —, its end not reached, gives at least the access asked, with the
 * space opened where the grant points.
 *
 * @example
 * ```ts
 * mayAccess({ user: elodie, structure: mairie, service: compta },
 *   { structureId: mairie.id, space: spaceCode("FACTURES_RECUES"), serviceId: compta.id, access: "write" },
 *   localDate("2026-11-27")); // true
 * ```
 */
export function mayAccess(state: AccessState, query: AccessQuery, today: LocalDate): boolean {
  const { user, structure, service } = state;
  if (user.status !== "active" || structure.id !== query.structureId) return false;
  const attachment = attachmentTo(user, structure.id);
  if (attachment === undefined || !isInForce(attachment.validFrom, today, attachment.validUntil)) return false;
  if (query.serviceId !== null) {
    if (service === null || service.id !== query.serviceId || service.structureId !== structure.id || !service.active) return false;
    if (!coversService(attachment, service.id)) return false;
  }
  for (const grant of user.grants) {
    if (grant.structureId !== structure.id || grant.space !== query.space || !accessCovers(grant.access, query.access)) continue;
    if (hasEnded(grant.validUntil, today)) continue;
    if (grant.serviceId === null) {
      // A grant for all services points at the structure: the space must be open there.
      if (structure.openSpaces.includes(query.space)) return true;
    } else if (grant.serviceId === query.serviceId && isSpaceOpen(structure, service, query.space)) return true;
  }
  return false;
}

/**
 * The grants of a user that give access now: those not ended that `mayAccess` would
 * honour (for a grant on one service, asked about that service; for a grant on all
 * services, asked about the structure).
 *
 * @param services the records of (at least) the services the user's grants name.
 *
 * @example
 * ```ts
 * usableGrants(elodie, mairie, indexServices(services), today).map((g) => g.space);
 * ```
 */
export function usableGrants(
  user: User,
  structure: Structure,
  services: ReadonlyMap<ServiceId, Service>,
  today: LocalDate,
): SpaceGrant[] {
  return user.grants.filter(
    (g) =>
      g.structureId === structure.id &&
      // Its own end first: an ended grant on a service is not made usable by a grant on
      // the whole structure that answers the same question.
      !hasEnded(g.validUntil, today) &&
      mayAccess(
        { user, structure, service: g.serviceId === null ? null : (services.get(g.serviceId) ?? null) },
        { structureId: structure.id, space: g.space, serviceId: g.serviceId, access: g.access },
        today,
      ),
  );
}

/** The key of a grant or an item: its structure, space and service. */
export function grantKey(structureId: StructureId, item: Pick<SubscriptionItem, "space" | "serviceId">): string {
  return `${structureId}\u0000${item.space}\u0000${item.serviceId ?? ""}`;
}

/**
 * The user with these grants added or replaced (one grant per structure, space and
 * service: a new grant sets its access).
 */
export function withGrants(user: User, grants: readonly SpaceGrant[]): User {
  const replaced = new Set(grants.map((g) => grantKey(g.structureId, g)));
  return { ...user, grants: [...user.grants.filter((g) => !replaced.has(grantKey(g.structureId, g))), ...grants] };
}
