// What an actor may see of a person: minimal disclosure (SPEC §4).
import { attachmentTo, roleIn, type AccountStatus, type Attachment, type Role, type Structure, type User, type UserId } from "../core/index.js";

/**
 * A person as a manager of one structure sees them: ids, names, login, status, and
 * their attachment to *that* structure. Never their other structures.
 */
export interface MemberView {
  readonly id: UserId;
  readonly login: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly status: AccountStatus;
  /** Their role in the structure (primary manager derived from the structure), or `null` when not attached. */
  readonly role: Role | null;
  /** Their attachment to the structure, or `null`. */
  readonly attachment: Attachment | null;
}

/**
 * The person as seen from one structure.
 *
 * @example
 * ```ts
 * memberView(elodie, townHall);
 * // { id, login, lastName: "Lefèvre", firstName: "Élodie", status: "active", role: "user", attachment: { structureId: townHall.id, … } }
 * ```
 */
export function memberView(user: User, structure: Structure): MemberView {
  return {
    id: user.id,
    login: user.login,
    lastName: user.lastName,
    firstName: user.firstName,
    status: user.status,
    role: roleIn(structure, user),
    attachment: attachmentTo(user, structure.id) ?? null,
  };
}
