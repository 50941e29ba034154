/**
 * The shared building blocks of the boundary schemas: ids, instants, dates, the kinds
 * of text, e-mail addresses, roles, scopes, identifiers. Each guide section keeps the
 * schemas of its own commands beside its transitions (`attachment-requests/schemas.ts`,
 * …); the stored records have theirs in `records.ts`.
 */
import { z } from "zod";
import { typed } from "./boundary.js";
import { checkIdentifier, type StructureIdentifier } from "./identifier.js";
import type { AttachmentRequestId, ServiceId, StructureId, UserId } from "./ids.js";
import type { AttachmentScope } from "./model.js";
import { normalizeScope } from "./scope.js";
import { isBlank, normalizeServiceCode, SERVICE_CODE_PATTERN, textProblem, visibleText } from "./text.js";
import type { Instant, LocalDate } from "./time.js";
import { ATTACHMENT_ROLES, IDENTIFIER_TYPES, ROLES, type AttachmentRole, type Role } from "./vocabulary.js";

/** Longest free text accepted (comments, reasons). */
export const MAX_TEXT_LENGTH = 2000;
/** Longest name or label accepted. */
export const MAX_NAME_LENGTH = 200;
/** Most services one scope may name. */
export const MAX_SCOPE_SERVICES = 10_000;
/** Most items one bulk decision may name. */
export const MAX_BULK_ITEMS = 50_000;

/** Ids are opaque, but one line of visible characters: no control character, no bidirectional override. */
/**
 * Whether a value is an id: a string of 1 to 200 characters, one line of visible
 * characters (no control character, no bidirectional override, not blank).
 *
 * @example
 * ```ts
 * isId("usr_1"); // true
 * isId("usr\u202E1"); // false
 * ```
 */
export function isId(value: unknown): value is string {
  return (
    typeof value === "string" &&
    // Stryker disable next-line ConditionalExpression: made true, equivalent: an empty text is blank, and !isBlank below refuses it. (Made false, killed; it shares the line.)
    value.length >= 1 &&
    value.length <= 200 &&
    textProblem(value, "line") === null &&
    !isBlank(value)
  );
}

const id = <T extends string>() => z.string().min(1).max(200).refine(isId, "n'est pas un identifiant") as unknown as z.ZodType<T, string>;

/** A structure id. */
export const StructureIdSchema = id<StructureId>();
/** A service id. */
export const ServiceIdSchema = id<ServiceId>();
/** A user id. */
export const UserIdSchema = id<UserId>();
/** An attachment request id. */
export const AttachmentRequestIdSchema = id<AttachmentRequestId>();

/**
 * An ISO-8601 instant; offsets are accepted and normalised to UTC (`…Z`). Instants
 * whose UTC year falls outside 0000–9999 are refused (they have no such form).
 */
export const InstantSchema = typed<Instant>()(z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .pipe(z.iso.datetime()));

/** A real calendar date, `YYYY-MM-DD`. */
export const LocalDateSchema = z.iso.date() as unknown as z.ZodType<LocalDate, string>;

const problemMessage = {
  controlCharacter: "contient un caractère de contrôle",
  bidiControl: "contient un caractère de contrôle bidirectionnel",
} as const;

/**
 * Free text of several lines (a comment, a reason): at most {@link MAX_TEXT_LENGTH}
 * characters, tab and line breaks allowed, other control characters and bidirectional
 * overrides refused. May be blank (the rules that need it say so).
 */
export const MultilineTextSchema = z
  .string()
  .max(MAX_TEXT_LENGTH)
  .superRefine((text, ctx) => {
    // Stryker disable next-line StringLiteral: "multiline" made "" is equivalent: textProblem treats every kind but "line" as multi-line.
    const problem = textProblem(text, "multiline");
    if (problem !== null) ctx.addIssue({ code: "custom", message: problemMessage[problem] });
  });

/**
 * A name or a label: one line with at least one visible character, trimmed of
 * invisible characters at its ends, at most {@link MAX_NAME_LENGTH} characters, no
 * control character nor bidirectional override.
 */
export const NameSchema = z
  .string()
  .max(MAX_NAME_LENGTH * 4)
  .superRefine((text, ctx) => {
    const problem = textProblem(text, "line");
    if (problem !== null) ctx.addIssue({ code: "custom", message: problemMessage[problem] });
    else if (isBlank(text)) ctx.addIssue({ code: "custom", message: "est vide" });
  })
  .transform(
    // Stryker disable next-line StringLiteral: the "" is never reached: visibleText gives null only for a blank text, which the refinement above refuses, and zod runs no transform after an issue.
    (text) => visibleText(text) ?? "",
  )
  .pipe(z.string().min(1).max(MAX_NAME_LENGTH));

/** A service code (`codeService`), normalised (see `normalizeServiceCode`). */
export const ServiceCodeSchema = z
  .string()
  .max(400)
  .transform(normalizeServiceCode)
  .pipe(
    z
      .string()
      .regex(SERVICE_CODE_PATTERN, "de 1 à 100 caractères parmi A-Z, 0-9, _ - ., commençant et finissant par une lettre ou un chiffre"),
  );

/** An e-mail address (trimmed). */
export const EmailSchema = z.string().trim().max(254).pipe(z.email());

/** A role (all three, so that asking for the primary role reaches the rule that refuses it). */
export const RoleSchema = z.enum(ROLES);
/**
 * The role a manager gives (validating, attaching, changing a role): TypeScript offers
 * the two a manager may give, so granting « Gestionnaire principal » does not compile;
 * at run time all three parse, so an untyped body asking for the primary role reaches
 * the rule that refuses it (`CANNOT_GRANT_PRIMARY`).
 */
export const GrantedRoleSchema = RoleSchema as unknown as z.ZodType<Role, AttachmentRole>;
/** A role an attachment can store. */
export const AttachmentRoleSchema = z.enum(ATTACHMENT_ROLES);

/** A scope: `{ kind: "structure" }` or `{ kind: "services", serviceIds }` (normalised). */
export const AttachmentScopeSchema = typed<AttachmentScope>()(z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("structure") }),
    z.strictObject({
      kind: z.literal("services"),
      serviceIds: z.array(ServiceIdSchema).max(MAX_SCOPE_SERVICES),
    }),
  ])
  .transform((scope) => normalizeScope(scope as AttachmentScope)));

/** What a structure identifier's refusal says, by its problem (`checkIdentifier`). */
export const IDENTIFIER_PROBLEM_MESSAGES = {
  empty: "l'identifiant est vide",
  siretFormat: "un SIRET compte 14 chiffres",
  siretCheckKey: "la clé de contrôle du SIRET est fausse",
  tooLong: "l'identifiant est trop long",
  characters: "l'identifiant contient des caractères invisibles ou de contrôle",
} as const;

/** A structure identifier, normalised (spaces and dots out of a SIRET) and checked. */
export const StructureIdentifierSchema = typed<StructureIdentifier>()(z
  .strictObject({ type: z.enum(IDENTIFIER_TYPES), value: z.string().max(200) })
  .transform((input, ctx) => {
    const checked = checkIdentifier(input);
    if (checked.ok) return checked.identifier;
    ctx.issues.push({ code: "custom", input, path: ["value"], message: IDENTIFIER_PROBLEM_MESSAGES[checked.problem] });
    return z.NEVER;
  }));
