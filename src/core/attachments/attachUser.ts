import { entry, withAttachment, type Recorded } from "../_lib.js";
import { visibleText } from "../text.js";
import { attachmentTo, authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, StructureId, UserId } from "../ids.js";
import type { AttachmentScope, Service, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { checkValidUntil } from "../ends/rules.js";
import { checkGrantableScope } from "../scope.js";
import { toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import type { Role } from "../vocabulary.js";

/** A manager attaches a user who has an account (guide §3 A). */
export interface AttachUser {
  readonly structureId: StructureId;
  readonly userId: UserId;
  /** « Gestionnaire secondaire » or « Utilisateur simple »; `primaryManager` is refused. */
  readonly role: Role;
  /** « Date de début de validité »: today or later. */
  readonly validFrom: LocalDate;
  /** « Date de fin »: the first day without the right, after `validFrom`; absent or `null`: no end. */
  readonly validUntil?: LocalDate | null;
  /** Mandatory, not blank. */
  readonly comment: string;
  /** « Rattacher à la structure », or the checked services. */
  readonly scope: AttachmentScope;
}

/** What {@link attachUser} needs to know. */
export interface AttachUserState {
  readonly actor: User;
  readonly structure: Structure;
  /** The user to attach. */
  readonly user: User;
  /** The records of (at least) the services checked. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link attachUser} decided. */
export interface UserAttached extends Recorded {
  readonly user: User;
}

/**
 * Attaches a user on the manager's initiative, with a role, a validity start date
 * (today or later), optionally an end date (after the start), a mandatory comment, and
 * the whole structure or some of its services. The user may not be attached to the structure already (change their role
 * or validate their request instead) and their account may not be deactivated.
 *
 * Refusals: `FORBIDDEN`, `CANNOT_GRANT_PRIMARY`, `VALID_FROM_IN_THE_PAST`,
 * `VALID_UNTIL_TOO_EARLY`, `COMMENT_REQUIRED`, `ALREADY_ATTACHED`, `ACCOUNT_NOT_ACTIVE`, `EMPTY_SCOPE`,
 * `SERVICE_INACTIVE`, `NOT_FOUND` (a service that is not one of the structure's).
 *
 * @example
 * ```ts
 * const r = attachUser({ actor: alice, structure, user: bruno, services: new Map() }, {
 *   structureId: structure.id, userId: bruno.id, role: "user",
 *   validFrom: localDate("2026-12-01"), comment: "Renfort pour la clôture", scope: WHOLE_STRUCTURE,
 * }, { now });
 * if (r.ok) r.value.user.attachments.length; // 1
 * ```
 */
export function attachUser(
  state: AttachUserState,
  command: AttachUser,
  ctx: TransitionContext,
): Result<UserAttached, DomainError> {
  const { actor, structure, user } = state;
  if (command.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (command.userId !== user.id) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
  const today = todayOf(ctx);
  const allowed = authorizeManager(actor, structure, today);
  if (!allowed.ok) return allowed;
  if (command.role === "primaryManager")
    return err({ code: "CANNOT_GRANT_PRIMARY", structureId: structure.id, userId: user.id });
  if (command.validFrom < today)
    return err({ code: "VALID_FROM_IN_THE_PAST", validFrom: command.validFrom, today });
  const validUntil = checkValidUntil(command.validUntil, command.validFrom, today);
  if (!validUntil.ok) return validUntil;
  const comment = visibleText(command.comment);
  if (comment === null) return err({ code: "COMMENT_REQUIRED", structureId: structure.id, userId: user.id });
  if (structure.primaryManagerId === user.id || attachmentTo(user, structure.id) !== undefined)
    return err({ code: "ALREADY_ATTACHED", structureId: structure.id, userId: user.id });
  if (user.status === "deactivated")
    return err({ code: "ACCOUNT_NOT_ACTIVE", userId: user.id, status: user.status });
  const scope = checkGrantableScope(structure.id, command.scope, state.services);
  if (!scope.ok) return scope;
  const at = toInstant(ctx.now);
  const role = command.role;
  return ok({
    user: withAttachment(user, {
      structureId: structure.id,
      role,
      scope: scope.value,
      validFrom: command.validFrom,
      validUntil: validUntil.value,
      endNotice: null,
      attachedBy: actor.id,
      attachedAt: at,
    }),
    history: [
      entry("userAttached", at, structure.id, actor.id, user.id, {
        role,
        scope: scope.value,
        comment,
        ...(validUntil.value === null ? {} : { validUntil: validUntil.value }),
      }),
    ],
    events: [
      {
        type: "UserAttached",
        at,
        structureId: structure.id,
        userId: user.id,
        login: user.login,
        attachedBy: actor.id,
        role,
        scope: scope.value,
        validFrom: command.validFrom,
        ...(validUntil.value === null ? {} : { validUntil: validUntil.value }),
      },
    ],
  });
}
