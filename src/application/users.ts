// Accounts: a person registers their own account (the public side).
import {
  err,
  ok,
  parseRegisterUser,
  registerUser as registerUserRule,
  type DomainError,
  type Result,
  type User,
  type UserId,
} from "../core/index.js";
import { execute, parseCommandOptions, type Deps, type Outcome } from "./runner.js";

/** What `registerUser` gives back: the new account (the person's own record). */
export type UserRegisteredOutcome = Outcome<{ readonly user: User }>;

/** Builds the operations on accounts. */
export function userOperations(deps: Deps) {
  return {
    /**
     * Provisions an active user account, for a host that has already verified the
     * person (its own sign-up with e-mail verification, an SSO). Refused with
     * `LOGIN_TAKEN` when the login is in use, even by a concurrent registration: a
     * trusted act, **never to expose to anonymous callers** (it would tell them which
     * logins exist). The public sign-up is `registerAccount`, which answers alike for a
     * new and a taken login and activates by e-mail.
     *
     * Refusals: `VALIDATION`, `LOGIN_TAKEN`.
     *
     * @example
     * ```ts
     * const r = await app.registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" });
     * if (r.ok) r.value.user.id; // "usr_…"
     * ```
     */
    async registerUser(input: unknown, options?: unknown): Promise<Result<UserRegisteredOutcome, DomainError>> {
      const command = parseRegisterUser(input);
      if (!command.ok) return command;
      const opts = parseCommandOptions(options);
      if (!opts.ok) return opts;
      return execute(deps, {
        operation: "registerUser",
        actorId: null,
        command: command.value,
        idempotencyKey: opts.value.idempotencyKey,
        entitled: null,
        async decide({ ctx, newId }) {
          const existing = await deps.store.findUserByLogin(command.value.login);
          if (existing !== null) return err({ code: "LOGIN_TAKEN", login: command.value.login });
          const decided = registerUserRule(command.value, { ...ctx, userId: newId("user") as UserId });
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "user", value: decided.value.user, create: true }] });
        },
        show: (o) => ({ user: o.user }),
      });
    },
  };
}
