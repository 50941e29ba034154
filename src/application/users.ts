// Accounts: a person registers their own account (the public side).
import {
  EmailSchema,
  err,
  normalizeLogin,
  ok,
  parseRegisterUser,
  parseWith,
  registerUser as registerUserRule,
  type DomainError,
  type Result,
  type User,
  type UserId,
  type RegisterUserInput,
} from "../core/index.js";
import { execute, parseCommandOptions, shielded, UNKNOWN_ACTOR, type Deps, type Outcome, type CommandOptions } from "./runner.js";

/** What `registerUser` gives back: the new account (the person's own record). */
export type UserRegisteredOutcome = Outcome<{ readonly user: User }>;

/** Builds the operations on accounts. */
export function userOperations(deps: Deps) {
  return {
    /**
     * The acting user's id for the login the host's authentication proved (its identity
     * provider signs people in by e-mail address): what a host that keeps no id of its own
     * passes as every act's actor. A login no account holds is `UNKNOWN_ACTOR` (answer
     * 401). For the host's back end only, after authentication: never expose it to
     * anonymous callers (it would tell them which logins exist). Cache it in the session:
     * an account's id never changes.
     *
     * Refusals: `VALIDATION` (not an e-mail address), `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const actor = await app.actorByLogin(session.email); // the address the identity provider proved
     * if (!actor.ok) return reply.code(httpStatusOf(actor.error)).send(problemDetails(actor.error));
     * await app.validateAttachmentRequest(actor.value, { requestId });
     * ```
     */
    async actorByLogin(login: string): Promise<Result<UserId, DomainError>> {
      const parsed = parseWith(EmailSchema, login);
      if (!parsed.ok) return parsed;
      return shielded(deps, "actorByLogin", async () => {
        const found = await deps.store.findUserByLogin(normalizeLogin(parsed.value));
        return found === null ? err(UNKNOWN_ACTOR) : ok(found.value.id);
      });
    },

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
    async registerUser(input: RegisterUserInput, options?: CommandOptions): Promise<Result<UserRegisteredOutcome, DomainError>> {
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
