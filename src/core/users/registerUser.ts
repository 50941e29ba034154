import type { Recorded } from "../_lib.js";
import type { DomainError } from "../errors.js";
import type { UserId } from "../ids.js";
import type { User } from "../model.js";
import { ok, type Result } from "../result.js";
import { visibleText } from "../text.js";
import { toInstant, type TransitionContext } from "../time.js";

/** Register a user account. */
export interface RegisterUser {
  /** « Adresse de connexion »: an e-mail address; stored trimmed and in lower case. */
  readonly login: string;
  /** « Adresse électronique de contact »; the login when not given. */
  readonly contactEmail?: string;
  readonly lastName: string;
  readonly firstName: string;
}

/** What {@link registerUser} decided. */
export interface UserRegistered extends Recorded {
  readonly user: User;
}

/**
 * The canonical form of a login: trimmed, lower case. Logins are compared in this form
 * (a store keeps them unique in this form).
 *
 * @example
 * ```ts
 * normalizeLogin("  Elodie.Lefevre@Example.FR "); // "elodie.lefevre@example.fr"
 * ```
 */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/**
 * Registers an active user account with no attachment. (Account creation by a manager,
 * with activation by e-mail, comes with the accounts capability.) Uniqueness of the
 * login spans users, so the store enforces it (`LOGIN_TAKEN`).
 *
 * No history entry: the account concerns no structure yet.
 *
 * @example
 * ```ts
 * const r = registerUser({ login: "Elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" },
 *   { now, userId: userId("u-elodie") });
 * if (r.ok) r.value.user.login; // "elodie@example.fr"
 * ```
 */
export function registerUser(
  command: RegisterUser,
  ctx: TransitionContext & { readonly userId: UserId },
): Result<UserRegistered, DomainError> {
  const at = toInstant(ctx.now);
  const login = normalizeLogin(command.login);
  const user: User = {
    id: ctx.userId,
    login,
    contactEmail: (command.contactEmail ?? login).trim(),
    lastName: visibleText(command.lastName) ?? "",
    firstName: visibleText(command.firstName) ?? "",
    status: "active",
    attachments: [],
    grants: [],
    phone: null,
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: null,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: at,
  };
  return ok({ user, history: [], events: [{ type: "UserRegistered", at, userId: user.id, login }] });
}
