// The boundary of accounts (guide §3 B and §5): schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { PostalAddress, UserSettings } from "../model.js";
import type { Result } from "../result.js";
import {
  AttachmentScopeSchema,
  EmailSchema,
  LocalDateSchema,
  MAX_BULK_ITEMS,
  MultilineTextSchema,
  NameSchema,
  GrantedRoleSchema,
  StructureIdSchema,
  UserIdSchema,
} from "../schemas.js";
import { normalizeLogin } from "../users/registerUser.js";
import { ACTIVITY_NOTIFICATIONS } from "../vocabulary.js";
import type { ActivateAccount } from "./activation.js";
import type { ConfirmContactEmail } from "./contactEmail.js";
import type { AccountDetails, CreateAccount, RegisterAccount } from "./createAccount.js";
import type { SendActivationEmails } from "./activation.js";
import type { UpdateUser, UserChanges } from "./updateUser.js";

/**
 * A phone number as people write it: digits, spaces, dots, hyphens, parentheses and a
 * leading `+`; 3 to 20 digits; trimmed. Kept as written.
 */
export const PhoneSchema = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9 ().-]+$/, "des chiffres, espaces, points, tirets, parenthèses et un + en tête")
  .refine((p) => {
    const digits = p.replace(/[^0-9]/g, "").length;
    return digits >= 3 && digits <= 20;
  }, "de 3 à 20 chiffres");

/** A {@link PostalAddress}; the country code is upper-cased (`fr` → `FR`). */
export const PostalAddressSchema = typed<PostalAddress>()(z.strictObject({
  street: NameSchema,
  complement: NameSchema.nullable(),
  postalCode: z
    .string()
    .trim()
    .max(20)
    .regex(/^[0-9A-Za-z][0-9A-Za-z -]{0,14}$/, "de 1 à 15 lettres, chiffres, espaces ou tirets"),
  city: NameSchema,
  countryCode: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2}$/, "un code pays ISO 3166-1 à deux lettres (FR)")),
}));

/** {@link UserSettings}. */
export const UserSettingsSchema = typed<UserSettings>()(z.strictObject({
  activityNotifications: z.enum(ACTIVITY_NOTIFICATIONS),
}));

/** The SHA-256 of an activation token, base64url (43 characters). */
export const TokenHashSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "une empreinte SHA-256 en base64url");

const accountDetails = {
  login: EmailSchema.transform(normalizeLogin),
  contactEmail: EmailSchema.exactOptional(),
  lastName: NameSchema,
  firstName: NameSchema,
  phone: PhoneSchema.exactOptional(),
  postalAddress: PostalAddressSchema.exactOptional(),
  settings: UserSettingsSchema.exactOptional(),
};

/** {@link AccountDetails}. */
export const AccountDetailsSchema = typed<AccountDetails>()(z.strictObject(accountDetails));

/** {@link CreateAccount}. A blank attachment comment passes here and is refused by the rule (`COMMENT_REQUIRED`). */
export const CreateAccountSchema = typed<CreateAccount>()(z.strictObject({
  structureId: StructureIdSchema,
  ...accountDetails,
  attach: z
    .strictObject({
      role: GrantedRoleSchema,
      scope: AttachmentScopeSchema,
      validFrom: LocalDateSchema,
      validUntil: LocalDateSchema.nullable().exactOptional(),
      comment: MultilineTextSchema,
    })
    .exactOptional(),
}));
/** What `createAccount` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type CreateAccountInput = z.input<typeof CreateAccountSchema>;

/** {@link RegisterAccount}. */
export const RegisterAccountSchema = typed<RegisterAccount>()(AccountDetailsSchema);
/** What `registerAccount` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RegisterAccountInput = z.input<typeof RegisterAccountSchema>;

/** {@link SendActivationEmails}: one or more distinct users. */
export const SendActivationEmailsSchema = typed<SendActivationEmails>()(z.strictObject({
  structureId: StructureIdSchema,
  userIds: z
    .array(UserIdSchema)
    .min(1)
    .max(MAX_BULK_ITEMS)
    .refine((ids) => new Set(ids).size === ids.length, "chaque utilisateur une seule fois"),
}));
/** What `sendActivationEmails` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type SendActivationEmailsInput = z.input<typeof SendActivationEmailsSchema>;

/**
 * An activation token as the link carries it: at most 200 printable ASCII characters
 * (the library makes 43; a host's own `newToken` may make others).
 */
export const ActivationTokenSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/, "des caractères ASCII imprimables, sans espace");

/** {@link ActivateAccount}. */
export const ActivateAccountSchema = typed<ActivateAccount>()(z.strictObject({
  userId: UserIdSchema,
  token: ActivationTokenSchema,
}));
/** What `activateAccount` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ActivateAccountInput = z.input<typeof ActivateAccountSchema>;

/** {@link ConfirmContactEmail}: the token of the confirmation link. */
export const ConfirmContactEmailSchema = typed<ConfirmContactEmail>()(z.strictObject({
  token: ActivationTokenSchema,
}));
/** What `confirmContactEmail` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ConfirmContactEmailInput = z.input<typeof ConfirmContactEmailSchema>;

const changes = {
  lastName: NameSchema.exactOptional(),
  firstName: NameSchema.exactOptional(),
  contactEmail: EmailSchema.exactOptional(),
  /** `null` clears it. */
  phone: PhoneSchema.nullable().exactOptional(),
  /** `null` clears it. */
  postalAddress: PostalAddressSchema.nullable().exactOptional(),
  settings: UserSettingsSchema.exactOptional(),
};

/** {@link UserChanges}: at least one field; never the login. */
export const UserChangesSchema = typed<UserChanges>()(z
  .strictObject(changes)
  .refine((c) => Object.keys(c).length > 0, "au moins un champ à modifier"));

/** {@link UpdateUser}. A `login` among the changes is refused: it is immutable. */
export const UpdateUserSchema = typed<UpdateUser>()(z.strictObject({
  userId: UserIdSchema,
  /** The structure the manager acts for; absent when the user changes their own record. */
  structureId: StructureIdSchema.exactOptional(),
  changes: UserChangesSchema,
}));
/** What `updateUser` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type UpdateUserInput = z.input<typeof UpdateUserSchema>;

/** A user of one's structure: `{ structureId, userId }` (or `{ userId }` for one's own record). */
export const UserRefSchema = typed<{ readonly userId: UserId; readonly structureId?: StructureId }>()(z.strictObject({
  userId: UserIdSchema,
  structureId: StructureIdSchema.exactOptional(),
}));
/** What `getPersonalInformation` takes: the user, and the structure one manages them for (absent: one's own record). */
export type GetPersonalInformationInput = z.input<typeof UserRefSchema>;
/** What `listUserStructures` takes: the user, and the structure one manages them for. */
export type ListUserStructuresInput = GetPersonalInformationInput & { readonly structureId: string };

/**
 * Parses a manager's account creation (login trimmed and lower-cased).
 *
 * @example
 * ```ts
 * parseCreateAccount({ structureId: "s-1", login: "Hugo@Example.fr", lastName: "Martin", firstName: "Hugo" });
 * // ok({ structureId: "s-1", login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" })
 * ```
 */
export function parseCreateAccount(input: unknown): Result<CreateAccount, DomainError> {
  return parseWith(CreateAccountSchema, input);
}

/**
 * Parses a public registration.
 *
 * @example
 * ```ts
 * parseRegisterAccount({ login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" }).ok; // true
 * ```
 */
export function parseRegisterAccount(input: unknown): Result<RegisterAccount, DomainError> {
  return parseWith(RegisterAccountSchema, input);
}

/**
 * Parses a send-activation-e-mails command.
 *
 * @example
 * ```ts
 * parseSendActivationEmails({ structureId: "s-1", userIds: ["u-2", "u-2"] }).ok; // false: each user once
 * ```
 */
export function parseSendActivationEmails(input: unknown): Result<SendActivationEmails, DomainError> {
  return parseWith(SendActivationEmailsSchema, input);
}

/**
 * Parses an activation.
 *
 * @example
 * ```ts
 * parseActivateAccount({ userId: "u-2", token: "k3JmY…" }).ok; // true
 * ```
 */
export function parseActivateAccount(input: unknown): Result<ActivateAccount, DomainError> {
  return parseWith(ActivateAccountSchema, input);
}

/**
 * Parses a change to a user's record; a `login` field is refused (the login is immutable).
 *
 * @example
 * ```ts
 * parseUpdateUser({ userId: "u-2", structureId: "s-1", changes: { phone: "+33 1 23 45 67 89" } }).ok; // true
 * parseUpdateUser({ userId: "u-2", structureId: "s-1", changes: { login: "x@example.fr" } }).ok; // false
 * ```
 */
export function parseUpdateUser(input: unknown): Result<UpdateUser, DomainError> {
  return parseWith(UpdateUserSchema, input);
}

/**
 * Parses the confirmation of a new contact address.
 *
 * @example
 * ```ts
 * parseConfirmContactEmail({ token: "k3JmY…" }).ok; // true
 * ```
 */
export function parseConfirmContactEmail(input: unknown): Result<ConfirmContactEmail, DomainError> {
  return parseWith(ConfirmContactEmailSchema, input);
}
