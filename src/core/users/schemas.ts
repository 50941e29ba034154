// The boundary of accounts: schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import { EmailSchema, NameSchema } from "../schemas.js";
import { normalizeLogin, type RegisterUser } from "./registerUser.js";

/** {@link RegisterUser}. */
export const RegisterUserSchema = typed<RegisterUser>()(z.strictObject({
  login: EmailSchema.transform(normalizeLogin),
  contactEmail: EmailSchema.exactOptional(),
  lastName: NameSchema,
  firstName: NameSchema,
}));
/** What `registerUser` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RegisterUserInput = z.input<typeof RegisterUserSchema>;

/**
 * Parses a register-user command (login trimmed and lower-cased).
 *
 * @example
 * ```ts
 * parseRegisterUser({ login: "Elodie@Example.fr", lastName: "Lefèvre", firstName: "Élodie" });
 * // ok({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" })
 * ```
 */
export function parseRegisterUser(input: unknown): Result<RegisterUser, DomainError> {
  return parseWith(RegisterUserSchema, input);
}
