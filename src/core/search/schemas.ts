// The boundary of search, lookup and export (guide §5): schemas and parse functions.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import { pageSizeSchema } from "../paging.js";
import type { ServiceId, StructureId, UserId } from "../ids.js";
import type { Result } from "../result.js";
import { EmailSchema, MAX_BULK_ITEMS, ServiceIdSchema, StructureIdSchema, UserIdSchema } from "../schemas.js";
import { textProblem } from "../text.js";
import { normalizeLogin } from "../users/registerUser.js";
import { ACCOUNT_STATUSES, type AccountStatus } from "../vocabulary.js";
import { normalizeForSearch } from "./normalize.js";

/**
 * The criteria of a user search (guide §5): about the user (last name, first name,
 * login — partial, accent- and case-insensitive —, status) and about the structure
 * (designation, partial; one of the actor's structures; a service). Text criteria are
 * normalised; one that normalises to nothing (blank, only hyphens) is no criterion.
 */
export interface UserSearchCriteria {
  readonly lastName?: string;
  readonly firstName?: string;
  readonly login?: string;
  readonly status?: AccountStatus;
  /** Part of the designation of one of the actor's structures. */
  readonly designation?: string;
  /** One of the actor's structures. */
  readonly structureId?: StructureId;
  /** A service of one of the actor's structures: users attached to it (or to the whole structure). */
  readonly serviceId?: ServiceId;
}

/** A page of a search. */
export interface SearchUsers {
  readonly criteria: UserSearchCriteria;
  /** 1 to 500, 50 by default. */
  readonly limit: number;
  readonly cursor?: string;
}

/** The lookup of a person, by exact login or by exact names, on behalf of one's structure. */
export type LookupPerson =
  | { readonly structureId: StructureId; readonly login: string }
  | { readonly structureId: StructureId; readonly lastName: string; readonly firstName: string };

/** What to export: the users checked, or every user a search finds. */
export type ExportUsers = (
  | { readonly userIds: readonly UserId[] }
  | { readonly criteria: UserSearchCriteria }
) & {
  /** `;` (default) or `,`. */
  readonly separator?: ";" | ",";
  /** A UTF-8 byte order mark first (default `true`). */
  readonly bom?: boolean;
};

/** A text criterion as typed: one line of at most 254 characters, no control character; may be blank. */
const NAME_OR_BLANK = z
  .string()
  .max(254)
  .refine((t) => textProblem(t, "line") === null, "contient un caractère de contrôle");

const criterion = NAME_OR_BLANK.transform(normalizeForSearch);

/** {@link UserSearchCriteria}: text criteria come out normalised (absent when blank). */
export const UserSearchCriteriaSchema = typed<UserSearchCriteria>()(z
  .strictObject({
    lastName: criterion.exactOptional(),
    firstName: criterion.exactOptional(),
    login: criterion.exactOptional(),
    status: z.enum(ACCOUNT_STATUSES).exactOptional(),
    designation: criterion.exactOptional(),
    structureId: StructureIdSchema.exactOptional(),
    serviceId: ServiceIdSchema.exactOptional(),
  })
  .transform((c) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== "") out[k] = v;
    return out as UserSearchCriteria;
  }));

/** {@link SearchUsers}. */
export const SearchUsersSchema = typed<SearchUsers>()(z.strictObject({
  criteria: UserSearchCriteriaSchema.default({}),
  limit: pageSizeSchema(500, 50),
  cursor: z.string().min(1).max(4000).exactOptional(),
}));
/** What `searchUsers` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type SearchUsersInput = z.input<typeof SearchUsersSchema>;

/** {@link LookupPerson}. */
export const LookupPersonSchema = typed<LookupPerson>()(z.union([
  z.strictObject({ structureId: StructureIdSchema, login: EmailSchema.transform(normalizeLogin) }),
  z.strictObject({
    structureId: StructureIdSchema,
    lastName: NAME_OR_BLANK.transform(normalizeForSearch).pipe(z.string().min(1, "est vide")),
    firstName: NAME_OR_BLANK.transform(normalizeForSearch).pipe(z.string().min(1, "est vide")),
  }),
]));
/** What `lookupPerson` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type LookupPersonInput = z.input<typeof LookupPersonSchema>;

const exportFormat = {
  separator: z.enum([";", ","]).exactOptional(),
  bom: z.boolean().exactOptional(),
};

/** {@link ExportUsers}. */
export const ExportUsersSchema = typed<ExportUsers>()(z.union([
  z.strictObject({
    userIds: z
      .array(UserIdSchema)
      .min(1)
      .max(MAX_BULK_ITEMS)
      .refine((ids) => new Set(ids).size === ids.length, "chaque utilisateur une seule fois"),
    ...exportFormat,
  }),
  z.strictObject({ criteria: UserSearchCriteriaSchema, ...exportFormat }),
]));
/** What `exportUsers` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ExportUsersInput = z.input<typeof ExportUsersSchema>;

/**
 * Parses a search page (text criteria normalised).
 *
 * @example
 * ```ts
 * parseSearchUsers({ criteria: { lastName: "LEFÈ" } }); // ok({ criteria: { lastName: "lefe" }, limit: 50 })
 * ```
 */
export function parseSearchUsers(input: unknown): Result<SearchUsers, DomainError> {
  return parseWith(SearchUsersSchema, input);
}

/**
 * Parses a lookup (login lower-cased, names normalised).
 *
 * @example
 * ```ts
 * parseLookupPerson({ structureId: "s-1", lastName: "Lefèvre", firstName: "Élodie" });
 * // ok({ structureId: "s-1", lastName: "lefevre", firstName: "elodie" })
 * ```
 */
export function parseLookupPerson(input: unknown): Result<LookupPerson, DomainError> {
  return parseWith(LookupPersonSchema, input);
}

/**
 * Parses an export request.
 *
 * @example
 * ```ts
 * parseExportUsers({ criteria: { firstName: "elodie" }, separator: "," }).ok; // true
 * ```
 */
export function parseExportUsers(input: unknown): Result<ExportUsers, DomainError> {
  return parseWith(ExportUsersSchema, input);
}
