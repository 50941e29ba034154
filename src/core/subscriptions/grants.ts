import { entry, type Recorded } from "../_lib.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, SpaceCode, StructureId, UserId } from "../ids.js";
import type { Service, SpaceGrant, Structure, SubscriptionItem, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { visibleText } from "../text.js";
import { checkValidUntil } from "../ends/rules.js";
import { toInstant, todayOf, type Instant, type LocalDate, type TransitionContext } from "../time.js";
import { grantKey, isSpaceOpen, withGrants } from "./access.js";
import type { SpaceCatalogue } from "./catalogue.js";
import { checkItems } from "./items.js";

/** A manager gives spaces to a user directly, without a request. */
export interface GrantSpaces {
  readonly structureId: StructureId;
  readonly userId: UserId;
  readonly items: readonly SubscriptionItem[];
  readonly comment?: string;
  /** The grants' end date: the first day without them, after today; absent or `null`: no end. */
  readonly validUntil?: LocalDate | null;
}

/** A manager takes one grant back. */
export interface RevokeSpaceGrant {
  readonly structureId: StructureId;
  readonly userId: UserId;
  readonly space: SpaceCode;
  /** `null`: the grant for all services. */
  readonly serviceId: ServiceId | null;
}

/** What a change to a user's grants needs to know. */
export interface GrantState {
  readonly actor: User;
  readonly structure: Structure;
  /** The user given or refused the spaces. */
  readonly user: User;
  /** The records of (at least) the services the items name. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What a change to a user's grants decided. */
export interface GrantsChanged extends Recorded {
  readonly user: User;
}

/**
 * The grants items give, one each, in the items' order: given by `by` at `at`, ending at
 * `validUntil` (`null`: no end), nothing recorded about their end yet.
 *
 * @example
 * ```ts
 * newGrants(mairie.id, [{ space: R, serviceId: null, access: "read" }], alice.id, at, null);
 * // [{ structureId: mairie.id, space: R, serviceId: null, access: "read", grantedBy: alice.id, grantedAt: at, validUntil: null, endNotice: null }]
 * ```
 */
export function newGrants(
  structureId: StructureId,
  items: readonly SubscriptionItem[],
  by: UserId,
  at: Instant,
  validUntil: LocalDate | null,
): SpaceGrant[] {
  return items.map((i) => ({ structureId, space: i.space, serviceId: i.serviceId, access: i.access, grantedBy: by, grantedAt: at, validUntil, endNotice: null }));
}

/**
 * The checks every act on a member's grants starts with: the actor manages the
 * structure, and the user is one of its members (a user who is not is, to a manager, as
 * unknown as an id that names no one: `NOT_FOUND`).
 *
 * @example
 * ```ts
 * checkManagerOnMember({ actor: alice, structure: mairie, user: chloe, services }, { structureId: mairie.id, userId: chloe.id }, { now });
 * // ok(true)
 * ```
 */
export function checkManagerOnMember(state: GrantState, command: { structureId: StructureId; userId: UserId }, ctx: TransitionContext): Result<true, DomainError> {
  const { actor, structure, user } = state;
  if (command.structureId !== structure.id) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  const allowed = authorizeManager(actor, structure, todayOf(ctx));
  if (!allowed.ok) return allowed;
  if (command.userId !== user.id || attachmentTo(user, structure.id) === undefined)
    return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
  return ok(true);
}

/**
 * Gives a user spaces directly, without a request (Chorus Pro's managers gained this
 * after the guide): one grant per item, each space already open where it points.
 * History: « Habilitation accordée par le gestionnaire ».
 *
 * No one grants themself spaces: a manager asks another manager (or makes a request).
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member), `SELF_DECISION_FORBIDDEN`,
 * `NOT_ATTACHED` (a service outside the member's scope), `ACCOUNT_NOT_ACTIVE` (deactivated),
 * `SERVICE_INACTIVE`, `SPACE_NOT_OPEN`, `VALID_UNTIL_TOO_EARLY`, `VALIDATION` (a space not in the catalogue).
 *
 * @example
 * ```ts
 * grantSpaces({ actor: alice, structure: mairie, user: chloe, services },
 *   { structureId: mairie.id, userId: chloe.id, items: [{ space: R, serviceId: null, access: "read" }] },
 *   { now, catalogue: CHORUS_PRO_SPACES });
 * ```
 */
export function grantSpaces(
  state: GrantState,
  command: GrantSpaces,
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<GrantsChanged, DomainError> {
  const allowed = checkManagerOnMember(state, command, ctx);
  if (!allowed.ok) return allowed;
  const { actor, structure, user, services } = state;
  if (actor.id === user.id) return err({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: user.id });
  if (user.status === "deactivated") return err({ code: "ACCOUNT_NOT_ACTIVE", userId: user.id, status: user.status });
  const checked = checkItems(ctx.catalogue, structure, user, services, command.items);
  if (!checked.ok) return checked;
  const validUntil = checkValidUntil(command.validUntil, null, todayOf(ctx));
  if (!validUntil.ok) return validUntil;
  for (const item of checked.value) {
    const service = item.serviceId === null ? null : (services.get(item.serviceId) ?? null);
    const open = item.serviceId === null ? structure.openSpaces.includes(item.space) : isSpaceOpen(structure, service, item.space);
    if (!open) return err({ code: "SPACE_NOT_OPEN", structureId: structure.id, serviceId: item.serviceId, space: item.space });
  }
  const at = toInstant(ctx.now);
  const grants = newGrants(structure.id, checked.value, actor.id, at, validUntil.value);
  const comment = visibleText(command.comment);
  const ends = validUntil.value === null ? {} : { validUntil: validUntil.value };
  return ok({
    user: withGrants(user, grants),
    history: [entry("spacesGranted", at, structure.id, actor.id, user.id, { items: checked.value, ...(comment === null ? {} : { comment }), ...ends })],
    events: [{ type: "SpacesGranted", at, structureId: structure.id, userId: user.id, grantedBy: actor.id, items: checked.value, ...ends }],
  });
}

/**
 * Takes one grant back. History: « Habilitation retirée ».
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (the user, also one who is not a member; or no such
 * grant: `entity: "spaceGrant"`).
 *
 * @example
 * ```ts
 * revokeSpaceGrant({ actor: alice, structure: mairie, user: chloe, services: new Map() },
 *   { structureId: mairie.id, userId: chloe.id, space: R, serviceId: null }, { now });
 * ```
 */
export function revokeSpaceGrant(
  state: GrantState,
  command: RevokeSpaceGrant,
  ctx: TransitionContext,
): Result<GrantsChanged, DomainError> {
  const allowed = checkManagerOnMember(state, command, ctx);
  if (!allowed.ok) return allowed;
  const { actor, structure, user } = state;
  const key = grantKey(structure.id, command);
  const grant = user.grants.find((g) => grantKey(g.structureId, g) === key);
  if (grant === undefined) return err({ code: "NOT_FOUND", entity: "spaceGrant", id: `${command.space}/${command.serviceId ?? "*"}` });
  const at = toInstant(ctx.now);
  return ok({
    user: { ...user, grants: user.grants.filter((g) => g !== grant) },
    history: [
      entry("spaceGrantRevoked", at, structure.id, actor.id, user.id, {
        space: grant.space,
        access: grant.access,
        ...(grant.serviceId === null ? {} : { serviceId: grant.serviceId }),
      }),
    ],
    events: [{ type: "SpaceGrantRevoked", at, structureId: structure.id, userId: user.id, revokedBy: actor.id, space: grant.space, serviceId: grant.serviceId }],
  });
}
