// The lookup of a person to attach or to name as successor (guide §3 A and §6): exact
// login, or exact names; it reveals a card, never their structures.
import type { UserId } from "../ids.js";
import type { User } from "../model.js";
import type { AccountStatus } from "../vocabulary.js";

/** What a lookup reveals of a person: never their structures, never their full login. */
export interface PersonCard {
  readonly id: UserId;
  readonly lastName: string;
  readonly firstName: string;
  /** The login with most of it hidden: `e****e@m*********.fr`. */
  readonly maskedLogin: string;
  readonly status: AccountStatus;
}

function maskPart(part: string): string {
  const chars = [...part];
  if (chars.length <= 2) return `${chars[0] ?? ""}${"*".repeat(Math.max(chars.length - 1, 0))}`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * A login with most of it hidden, enough for a manager to recognise the person they
 * look for: the first and last character of the local part, the first of the domain
 * name, and the top-level domain.
 *
 * @example
 * ```ts
 * maskLogin("elodie.lefevre@mairie-lyon.fr"); // "e************e@m**********.fr"
 * ```
 */
export function maskLogin(login: string): string {
  const at = login.lastIndexOf("@");
  if (at < 0) return maskPart(login);
  const local = login.slice(0, at);
  const domain = login.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const name = dot < 0 ? domain : domain.slice(0, dot);
  const tld = dot < 0 ? "" : domain.slice(dot);
  return `${maskPart(local)}@${`${[...name][0] ?? ""}${"*".repeat(Math.max([...name].length - 1, 0))}`}${tld}`;
}

/**
 * The card a lookup gives of a person.
 *
 * @example
 * ```ts
 * personCard(elodie); // { id, lastName: "Lefèvre", firstName: "Élodie", maskedLogin: "e…@m….fr", status: "active" }
 * ```
 */
export function personCard(user: User): PersonCard {
  return {
    id: user.id,
    lastName: user.lastName,
    firstName: user.firstName,
    maskedLogin: maskLogin(user.login),
    status: user.status,
  };
}
