import { entry, type Recorded } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { PostalAddress, Structure, User, UserSettings } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import { accountStructures, isUserOf } from "./activation.js";

/** The fields of a user's record that may change (never the login). */
export interface UserChanges {
  readonly lastName?: string;
  readonly firstName?: string;
  readonly contactEmail?: string;
  /** `null` clears it. */
  readonly phone?: string | null;
  /** `null` clears it. */
  readonly postalAddress?: PostalAddress | null;
  readonly settings?: UserSettings;
}

/** Change a user's record: the user themself, or a manager of one of their structures. */
export interface UpdateUser {
  readonly userId: UserId;
  /** The structure a manager acts for; absent when the user changes their own record. */
  readonly structureId?: StructureId;
  readonly changes: UserChanges;
}

/** What {@link updateUser} needs to know. */
export interface UpdateUserState {
  readonly actor: User;
  /** The structure named by the command, `null` when it names none. */
  readonly structure: Structure | null;
  /** The user to change (the actor themself when they change their own record). */
  readonly user: User;
}

/** What {@link updateUser} decided. */
export interface UserUpdated extends Recorded {
  readonly user: User;
  /** The fields that changed (none: nothing to write). */
  readonly fields: readonly (keyof UserChanges)[];
}

const FIELDS = ["lastName", "firstName", "contactEmail", "phone", "postalAddress", "settings"] as const;

/**
 * Whether two plain values are equal, whatever the order of their keys: a record read
 * back from a store may list an object's keys in another order than the command (a
 * PostgreSQL `jsonb` column sorts them), and the same address must change nothing.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && same(x[k], y[k]))
  );
}

/**
 * Changes a user's record (guide §5, « Modifier l'utilisateur »): names, contact e-mail,
 * phone, postal address, settings; never the login (the schema refuses it). The user
 * changes their own record with an active account; a manager changes the record of a
 * user of their structure (attached to it, or created for it). Fields given with their
 * current value change nothing; when nothing changes, nothing is written and the
 * history gains nothing.
 *
 * Refusals: `FORBIDDEN` (someone else's record without naming a structure one manages,
 * or an inactive account changing its own), `NOT_FOUND` (not a user of that structure).
 *
 * History: « Utilisateur modifié », with the fields changed, on every structure of the
 * account.
 *
 * @example
 * ```ts
 * const r = updateUser({ actor: alice, structure, user: hugo },
 *   { userId: hugo.id, structureId: structure.id, changes: { phone: "+33 1 23 45 67 89" } }, { now });
 * if (r.ok) r.value.fields; // ["phone"]
 * ```
 */
export function updateUser(
  state: UpdateUserState,
  command: UpdateUser,
  ctx: TransitionContext,
): Result<UserUpdated, DomainError> {
  const { actor, structure, user } = state;
  if (command.userId !== user.id) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
  if (command.structureId === undefined) {
    if (actor.id !== user.id)
      return err({ code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "notTheUser" });
    if (actor.status !== "active")
      return err({ code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" });
  } else {
    if (structure === null || structure.id !== command.structureId)
      return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
    const allowed = authorizeManager(actor, structure, todayOf(ctx));
    if (!allowed.ok) return allowed;
    if (!isUserOf(user, structure.id)) return err({ code: "NOT_FOUND", entity: "user", id: user.id });
  }
  const changes = command.changes;
  const fields = FIELDS.filter((f) => changes[f] !== undefined && !same(changes[f], user[f]));
  if (fields.length === 0) return ok({ user, fields, history: [], events: [] });
  let updated: User = user;
  for (const f of fields) updated = { ...updated, [f]: changes[f] };
  const at = toInstant(ctx.now);
  return ok({
    user: updated,
    fields,
    history: accountStructures(user).map((s) => entry("userModified", at, s, actor.id, user.id, { fields })),
    events: [{ type: "UserModified", at, userId: user.id, modifiedBy: actor.id, fields }],
  });
}
