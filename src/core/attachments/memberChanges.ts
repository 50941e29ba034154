import { entry, withAttachment, withoutAttachment, type Recorded } from "../_lib.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { Attachment, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import type { Role } from "../vocabulary.js";

/** A manager changes a member's role. */
export interface ChangeMemberRole {
  readonly structureId: StructureId;
  readonly userId: UserId;
  /** « Gestionnaire secondaire » or « Utilisateur simple »; `primaryManager` is refused. */
  readonly role: Role;
}

/** A manager removes a member's attachment. */
export interface RemoveAttachment {
  readonly structureId: StructureId;
  readonly userId: UserId;
}

/** The person leaves a structure they are attached to. */
export interface LeaveStructure {
  readonly structureId: StructureId;
}

/** What a change to a member needs to know. */
export interface MemberState {
  readonly actor: User;
  readonly structure: Structure;
  /** The member acted upon (may be the actor). */
  readonly member: User;
}

/** What a change to a member decided. */
export interface MemberChanged extends Recorded {
  readonly member: User;
}

/**
 * The checks every manager act on one member starts with: the actor manages the
 * structure, the user is one of its members (a user who is not is, to a manager, as
 * unknown as an id that names no one: `NOT_FOUND`), and not its primary manager, whose
 * role and attachment change only by a transfer (`TRANSFER_REQUIRED`).
 *
 * @returns the member's attachment to the structure.
 *
 * @example
 * ```ts
 * checkMember({ actor: alice, structure, member: bruno }, { structureId: structure.id, userId: bruno.id }, { now });
 * // ok(bruno's attachment)
 * ```
 */
export function checkMember(
  state: MemberState,
  command: { readonly structureId: StructureId; readonly userId: UserId },
  ctx: TransitionContext,
): Result<Attachment, DomainError> {
  const { actor, structure, member } = state;
  if (command.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (command.userId !== member.id) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
  const allowed = authorizeManager(actor, structure, todayOf(ctx));
  if (!allowed.ok) return allowed;
  // A user who is not a member is, to a manager, as unknown as an id that names no one.
  const attachment = attachmentTo(member, structure.id);
  if (attachment === undefined) return err({ code: "NOT_FOUND", entity: "user", id: member.id });
  if (structure.primaryManagerId === member.id)
    return err({ code: "TRANSFER_REQUIRED", structureId: structure.id, userId: member.id });
  return ok(attachment);
}

/** A member without their attachment to a structure, and without their grants on it. */
function withoutMembership(member: User, structureId: StructureId): User {
  return { ...withoutAttachment(member, structureId), grants: member.grants.filter((g) => g.structureId !== structureId) };
}

/**
 * Changes a member's role between « Gestionnaire secondaire » and « Utilisateur
 * simple ». The primary manager's role changes only by a transfer.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (a user who is not a member: the same answer as an
 * unknown id), `CANNOT_GRANT_PRIMARY`, `TRANSFER_REQUIRED`, `ROLE_UNCHANGED`.
 *
 * @example
 * ```ts
 * const r = changeMemberRole({ actor: alice, structure, member: bruno },
 *   { structureId: structure.id, userId: bruno.id, role: "secondaryManager" }, { now });
 * if (r.ok) r.value.member.attachments[0]?.role; // "secondaryManager"
 * ```
 */
export function changeMemberRole(
  state: MemberState,
  command: ChangeMemberRole,
  ctx: TransitionContext,
): Result<MemberChanged, DomainError> {
  const current = checkMember(state, command, ctx);
  if (!current.ok) return current;
  if (command.role === "primaryManager")
    return err({ code: "CANNOT_GRANT_PRIMARY", structureId: command.structureId, userId: command.userId });
  const { actor, structure, member } = state;
  const previousRole = current.value.role;
  const role = command.role;
  if (previousRole === role)
    return err({ code: "ROLE_UNCHANGED", structureId: structure.id, userId: member.id, role });
  const at = toInstant(ctx.now);
  return ok({
    member: withAttachment(member, { ...current.value, role }),
    history: [entry("roleChanged", at, structure.id, actor.id, member.id, { role, previousRole })],
    events: [
      {
        type: "MemberRoleChanged",
        at,
        structureId: structure.id,
        userId: member.id,
        changedBy: actor.id,
        previousRole,
        role,
      },
    ],
  });
}

/**
 * Removes a member's attachment to a structure (history: « Supprimé »), and their space
 * grants on it. The primary
 * manager's attachment cannot be removed before the role is transferred.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (a user who is not a member: the same answer as an
 * unknown id), `TRANSFER_REQUIRED`.
 *
 * @example
 * ```ts
 * const r = removeAttachment({ actor: alice, structure, member: bruno },
 *   { structureId: structure.id, userId: bruno.id }, { now });
 * if (r.ok) r.value.member.attachments; // []
 * ```
 */
export function removeAttachment(
  state: MemberState,
  command: RemoveAttachment,
  ctx: TransitionContext,
): Result<MemberChanged, DomainError> {
  const current = checkMember(state, command, ctx);
  if (!current.ok) return current;
  const { actor, structure, member } = state;
  const at = toInstant(ctx.now);
  return ok({
    // Its grants on the structure go with the attachment: nothing left gives access.
    member: withoutMembership(member, structure.id),
    history: [
      entry("attachmentRemoved", at, structure.id, actor.id, member.id, {
        role: current.value.role,
        scope: current.value.scope,
      }),
    ],
    events: [
      { type: "AttachmentRemoved", at, structureId: structure.id, userId: member.id, removedBy: actor.id },
    ],
  });
}

/** What {@link leaveStructure} needs to know. */
export interface LeaveState {
  /** The person leaving. */
  readonly user: User;
  readonly structure: Structure;
}

/**
 * The person leaves a structure they are attached to, whoever attached them: nobody
 * stays a member of a structure against their will (a manager who attached them learns
 * it from the history). Their grants on it go with the attachment. The primary manager
 * hands the role over first. Any account but a deactivated one may leave (one pending
 * activation cannot act yet).
 *
 * Refusals: `FORBIDDEN` (an account not active), `NOT_FOUND` (a structure the person is
 * not attached to: the same answer as an unknown one), `TRANSFER_REQUIRED`.
 *
 * History: « Supprimé » on the structure, the person as actor and target.
 *
 * @example
 * ```ts
 * const r = leaveStructure({ user: victor, structure: eve }, { structureId: eve.id }, { now });
 * if (r.ok) r.value.member.attachments; // without Eve's structure
 * ```
 */
export function leaveStructure(state: LeaveState, command: LeaveStructure, ctx: TransitionContext): Result<MemberChanged, DomainError> {
  const { user, structure } = state;
  if (user.status !== "active") return err({ code: "FORBIDDEN", actorId: user.id, structureId: null, reason: "accountNotActive" });
  const attachment = structure.id === command.structureId ? attachmentTo(user, structure.id) : undefined;
  if (attachment === undefined) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (structure.primaryManagerId === user.id) return err({ code: "TRANSFER_REQUIRED", structureId: structure.id, userId: user.id });
  const at = toInstant(ctx.now);
  return ok({
    member: withoutMembership(user, structure.id),
    history: [entry("attachmentRemoved", at, structure.id, user.id, user.id, { role: attachment.role, scope: attachment.scope })],
    events: [{ type: "AttachmentRemoved", at, structureId: structure.id, userId: user.id, removedBy: user.id }],
  });
}
