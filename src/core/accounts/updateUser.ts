import { entry, type Recorded } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { StructureId, UserId } from "../ids.js";
import type { PostalAddress, Structure, User, UserSettings } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import { accountStructures, isPendingAccountOf, isUserInForceOf } from "./activation.js";
import { withContactEmailChange } from "./contactEmail.js";
import { initiatorOf, nextEmailAllowedAt, type ActivationPolicy, type IssuedToken } from "./policy.js";

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

/**
 * Change a user's record: the user themself, or a manager of the structure a pending
 * account was created for.
 */
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
  /**
   * A new contact address now waiting for its confirmation (the link was sent to it),
   * or `null`. The contact address itself changes only when the person confirms it.
   */
  readonly pendingContactEmail: string | null;
}

/** What {@link updateUser} needs beside the clock: the token of a contact confirmation, and the policy. */
export interface UpdateUserContext extends TransitionContext {
  /** The token to send if a new contact address is given. */
  readonly contactToken: IssuedToken;
  readonly policy: ActivationPolicy;
}

const FIELDS = ["lastName", "firstName", "phone", "postalAddress", "settings"] as const;

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

/** Two e-mail addresses compared as addresses (trimmed, case-insensitive). */
const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Changes a user's record (guide §5, « Modifier l'utilisateur »): names, contact e-mail,
 * phone, postal address, settings; never the login (the schema refuses it). A person's
 * record is theirs: the user changes their own record with an active account; a
 * manager changes a record only while the account is « En cours d'activation » and was
 * created for their structure (they typed it in); once activated, it is the person's
 * alone. Fields given with their current value change nothing; when nothing changes,
 * nothing is written and the history gains nothing.
 *
 * A new contact address is never used at once: it waits for the person to confirm it,
 * signed in, with the link a `ContactEmailConfirmationRequested` event asks the host to
 * send to it (`confirmContactEmail`); the login itself, already proven, is taken at once.
 *
 * Refusals: `FORBIDDEN` (someone else's record without naming a structure one manages;
 * `notTheUser`: an account no longer pending, or created for another structure; an
 * inactive account changing its own), `NOT_FOUND` (not a user of that structure, in
 * force: the same answer as an unknown id), `CONFIRMATION_EMAIL_THROTTLED` (a new contact
 * address, too soon after the previous e-mail).
 *
 * History: « Utilisateur modifié », with the fields changed: for the person's own
 * change, on every structure of the account; for a manager's, on their structure only.
 *
 * @example
 * ```ts
 * const r = updateUser({ actor: hugo, structure: null, user: hugo },
 *   { userId: hugo.id, changes: { phone: "+33 1 23 45 67 89" } }, { now, contactToken, policy: DEFAULT_ACTIVATION_POLICY });
 * if (r.ok) r.value.fields; // ["phone"]
 * ```
 */
export function updateUser(
  state: UpdateUserState,
  command: UpdateUser,
  ctx: UpdateUserContext,
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
    if (!isUserInForceOf(user, structure.id, todayOf(ctx))) return err({ code: "NOT_FOUND", entity: "user", id: user.id });
    if (!isPendingAccountOf(user, structure.id))
      return err({ code: "FORBIDDEN", actorId: actor.id, structureId: structure.id, reason: "notTheUser" });
  }
  const changes = command.changes;
  const fields: (keyof UserChanges)[] = FIELDS.filter((f) => changes[f] !== undefined && !same(changes[f], user[f]));
  let updated: User = user;
  for (const f of fields) updated = { ...updated, [f]: changes[f] };
  let pendingContactEmail: string | null = null;
  const events: DomainEvent[] = [];
  const contact = changes.contactEmail?.trim();
  if (contact !== undefined && !sameAddress(contact, user.contactEmail)) {
    if (sameAddress(contact, user.login)) {
      // The login is proven already: taken at once, and any address waiting is dropped.
      updated = { ...updated, contactEmail: user.login, contactEmailChange: null };
      fields.push("contactEmail");
    } else {
      const by = command.structureId === undefined ? "self" : initiatorOf(command.structureId);
      const retryAt = nextEmailAllowedAt(user, ctx.now, ctx.policy, by);
      if (retryAt !== null) return err({ code: "CONFIRMATION_EMAIL_THROTTLED", userId: user.id, retryAt });
      const changed = withContactEmailChange(updated, contact, { ...ctx, issued: ctx.contactToken, by, requestedBy: actor.id });
      updated = changed.user;
      pendingContactEmail = contact;
      events.push(changed.email);
    }
  }
  if (fields.length === 0 && pendingContactEmail === null) return ok({ user, fields, pendingContactEmail, history: [], events: [] });
  const at = toInstant(ctx.now);
  const recorded = pendingContactEmail === null ? fields : [...fields, "contactEmailChange"];
  const structures = command.structureId === undefined ? accountStructures(user) : [command.structureId];
  if (fields.length > 0) events.unshift({ type: "UserModified", at, userId: user.id, modifiedBy: actor.id, fields });
  return ok({
    user: updated,
    fields,
    pendingContactEmail,
    history: structures.map((s) => entry("userModified", at, s, actor.id, user.id, { fields: recorded })),
    events,
  });
}
