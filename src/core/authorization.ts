import { err, ok, type Result } from "./result.js";
import type { DomainError } from "./errors.js";
import type { StructureId } from "./ids.js";
import type { Attachment, Structure, User } from "./model.js";
import { isInForce, type LocalDate } from "./time.js";
import type { Role } from "./vocabulary.js";

/**
 * A user's attachment to a structure, if any.
 *
 * @example
 * ```ts
 * attachmentTo(user, structure.id)?.role; // "secondaryManager"
 * ```
 */
export function attachmentTo(user: User, structureId: StructureId): Attachment | undefined {
  return user.attachments.find((a) => a.structureId === structureId);
}

/**
 * The role a user holds in a structure, derived: primary manager if the structure
 * names them, else the role stored on their attachment; `null` if not attached.
 * (Whether the attachment is in force yet is another question: see {@link authorizeManager}.)
 *
 * @example
 * ```ts
 * roleIn(structure, founder); // "primaryManager"
 * ```
 */
export function roleIn(structure: Structure, user: User): Role | null {
  if (structure.primaryManagerId === user.id) return "primaryManager";
  return attachmentTo(user, structure.id)?.role ?? null;
}

/** The manager role an actor was found to hold. */
export type ManagerRole = "primaryManager" | "secondaryManager";

/**
 * The rule every manager action starts with (SPEC §4): the actor's account is active
 * and they hold an attachment to *this* structure, in force today (its start reached,
 * its end, if any, not reached), as primary or secondary manager. A role is held on the whole structure, whatever the attachment's
 * service scope.
 *
 * @example
 * ```ts
 * authorizeManager(secondary, structure, localDate("2026-11-27")); // ok("secondaryManager")
 * authorizeManager(simpleUser, structure, localDate("2026-11-27"));
 * // err({ code: "FORBIDDEN", reason: "notAManager", … })
 * ```
 */
export function authorizeManager(
  actor: User,
  structure: Structure,
  today: LocalDate,
): Result<ManagerRole, DomainError> {
  const forbidden = (reason: "accountNotActive" | "notAManager" | "attachmentNotInForce") =>
    err<DomainError>({ code: "FORBIDDEN", actorId: actor.id, structureId: structure.id, reason });
  if (actor.status !== "active") return forbidden("accountNotActive");
  const role = roleIn(structure, actor);
  if (role !== "primaryManager" && role !== "secondaryManager") return forbidden("notAManager");
  const attachment = attachmentTo(actor, structure.id);
  if (attachment !== undefined && !isInForce(attachment.validFrom, today, attachment.validUntil))
    return forbidden("attachmentNotInForce");
  return ok(role);
}

/**
 * Whether the actor may act as a manager of the structure (see {@link authorizeManager}).
 *
 * @example
 * ```ts
 * canManage(secondary, structure, localDate("2026-11-27")); // true
 * ```
 */
export function canManage(actor: User, structure: Structure, today: LocalDate): boolean {
  return authorizeManager(actor, structure, today).ok;
}
