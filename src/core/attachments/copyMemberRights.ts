// « Dupliquer les habilitations » (issue 21; Chorus Pro's newer portal offers it): a
// manager gives a member of their structure the rights another member holds there.
import { entry, withAttachment, type Recorded } from "../_lib.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, StructureId, UserId } from "../ids.js";
import type { Service, SpaceGrant, Structure, SubscriptionItem, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { effectiveScope, sameScope, scopeServiceIds } from "../scope.js";
import { grantKey, isSpaceOpen } from "../subscriptions/access.js";
import { canonicalItems } from "../subscriptions/items.js";
import { visibleText } from "../text.js";
import { hasEnded, toInstant, todayOf, type TransitionContext } from "../time.js";

/** A manager copies a member's rights to another member of the same structure. */
export interface CopyMemberRights {
  readonly structureId: StructureId;
  /** The member whose rights are copied (the model). */
  readonly modelUserId: UserId;
  /** The member who gets them (already a member of the structure). */
  readonly userId: UserId;
  /** Why (optional), kept in the history. */
  readonly comment?: string;
}

/** What {@link copyMemberRights} needs to know. */
export interface CopyRightsState {
  readonly actor: User;
  readonly structure: Structure;
  /** The member whose rights are copied. */
  readonly model: User;
  /** The member who gets them. */
  readonly member: User;
  /** The records of (at least) the services the model's scope and grants name. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link copyMemberRights} decided. */
export interface MemberRightsCopied extends Recorded {
  readonly member: User;
}

/**
 * A manager gives a member of their structure the rights another member (the model)
 * holds there, in one act (« dupliquer les habilitations »): the model's role (secondary
 * manager or simple user), scope and space grants *as far as the actor could give them
 * today*, replacing the member's own in that structure:
 *
 * - the scope without the model's services deactivated since (refused with
 *   `SERVICE_INACTIVE` when none is left);
 * - each grant of the model in the structure that still gives access where it points
 *   (its end not reached, its space open there, its service active and in the scope),
 *   with the same access and the same end date: a temporary grant stays temporary;
 * - the member's grants in the structure that the model does not hold are taken back
 *   (the history lists them).
 *
 * The member's own dates stay: `validFrom` and `validUntil` say when *this person* is a
 * member, which is theirs, not the model's. Rights in other structures are untouched.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (either user, also one who is not a member: the same
 * answer as an unknown id), `SELF_DECISION_FORBIDDEN` (copying to oneself),
 * `TRANSFER_REQUIRED` (the member is the primary manager), `CANNOT_GRANT_PRIMARY` (the
 * model is the primary manager: that role is only transferred), `ACCOUNT_NOT_ACTIVE`
 * (the member's account is deactivated), `SERVICE_INACTIVE`.
 *
 * History: « Habilitations dupliquées » (`modelUserId`, `role`, `scope`, `items` copied,
 * `previousRole` / `previousScope` when they changed, `revokedItems`); event
 * `MemberRightsCopied`, for the host to tell the member (without the model's name).
 *
 * @example
 * ```ts
 * const r = copyMemberRights({ actor: alice, structure, model: elodie, member: bruno, services },
 *   { structureId: structure.id, modelUserId: elodie.id, userId: bruno.id }, { now });
 * if (r.ok) r.value.member.grants; // Élodie's grants in the structure, given by Alice
 * ```
 */
export function copyMemberRights(
  state: CopyRightsState,
  command: CopyMemberRights,
  ctx: TransitionContext,
): Result<MemberRightsCopied, DomainError> {
  const { actor, structure, model, member, services } = state;
  if (command.structureId !== structure.id) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (command.modelUserId !== model.id) return err({ code: "NOT_FOUND", entity: "user", id: command.modelUserId });
  if (command.userId !== member.id) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
  const today = todayOf(ctx);
  const allowed = authorizeManager(actor, structure, today);
  if (!allowed.ok) return allowed;
  // A user who is not a member is, to a manager, as unknown as an id that names no one.
  const held = attachmentTo(member, structure.id);
  if (held === undefined) return err({ code: "NOT_FOUND", entity: "user", id: member.id });
  const pattern = attachmentTo(model, structure.id);
  if (pattern === undefined) return err({ code: "NOT_FOUND", entity: "user", id: model.id });
  if (member.id === actor.id) return err({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: member.id });
  if (structure.primaryManagerId === member.id) return err({ code: "TRANSFER_REQUIRED", structureId: structure.id, userId: member.id });
  if (structure.primaryManagerId === model.id) return err({ code: "CANNOT_GRANT_PRIMARY", structureId: structure.id, userId: member.id });
  if (member.status === "deactivated") return err({ code: "ACCOUNT_NOT_ACTIVE", userId: member.id, status: member.status });
  const active = (id: ServiceId) => {
    const service = services.get(id);
    return service !== undefined && service.structureId === structure.id && service.active;
  };
  const scope = effectiveScope(pattern.scope, active);
  if (scope === null) return err({ code: "SERVICE_INACTIVE", serviceId: scopeServiceIds(pattern.scope)[0] as ServiceId });
  const inScope = new Set(scopeServiceIds(scope));
  const at = toInstant(ctx.now);
  const copied: SpaceGrant[] = model.grants
    .filter((g) => g.structureId === structure.id && !hasEnded(g.validUntil, today))
    .filter((g) =>
      g.serviceId === null
        ? structure.openSpaces.includes(g.space)
        : active(g.serviceId) && (scope.kind === "structure" || inScope.has(g.serviceId)) && isSpaceOpen(structure, services.get(g.serviceId) ?? null, g.space),
    )
    .map((g) => ({ ...g, grantedBy: actor.id, grantedAt: at, endNotice: null }));
  const itemsOf = (grants: readonly SpaceGrant[]): SubscriptionItem[] =>
    canonicalItems(grants.map((g) => ({ space: g.space, serviceId: g.serviceId, access: g.access })));
  const kept = new Set(copied.map((g) => grantKey(g.structureId, g)));
  const revoked = member.grants.filter((g) => g.structureId === structure.id && !kept.has(grantKey(g.structureId, g)));
  const role = pattern.role;
  const items = itemsOf(copied);
  const comment = visibleText(command.comment);
  const updated = withAttachment(member, { ...held, role, scope, attachedBy: actor.id, attachedAt: at });
  return ok({
    member: { ...updated, grants: [...member.grants.filter((g) => g.structureId !== structure.id), ...copied] },
    history: [
      entry("memberRightsCopied", at, structure.id, actor.id, member.id, {
        modelUserId: model.id,
        role,
        scope,
        items,
        ...(held.role !== role ? { previousRole: held.role } : {}),
        ...(!sameScope(held.scope, scope) ? { previousScope: held.scope } : {}),
        ...(revoked.length > 0 ? { revokedItems: itemsOf(revoked) } : {}),
        ...(comment === null ? {} : { comment }),
      }),
    ],
    events: [{ type: "MemberRightsCopied", at, structureId: structure.id, userId: member.id, copiedBy: actor.id, role, scope, items }],
  });
}
