/**
 * The boundary: zod schemas for every aggregate, command, history entry and event, and
 * `parse…` functions that turn unknown input (an HTTP body, a queue message, a JSON
 * column) into typed data or a `VALIDATION` error. They never throw. The transitions
 * take already-typed commands and do not parse again.
 */
import { z } from "zod";
import { checkIdentifier, type StructureIdentifier } from "./identifier.js";
import type { AttachmentRequestId, ServiceId, StructureId, UserId } from "./ids.js";
import type { DomainError, ValidationIssue } from "./errors.js";
import type { DomainEvent } from "./events.js";
import { HISTORY_KINDS, type HistoryEntry, type NewHistoryEntry } from "./history.js";
import type { AttachmentRequest, AttachmentScope, Service, Structure, User } from "./model.js";
import { err, ok, type Result } from "./result.js";
import { normalizeScope } from "./scope.js";
import type { Instant, LocalDate } from "./time.js";
import {
  ACCOUNT_STATUSES,
  ATTACHMENT_ROLES,
  IDENTIFIER_TYPES,
  ROLES,
  STRUCTURE_KINDS,
} from "./vocabulary.js";
import type { CreateStructure } from "./structures/createStructure.js";
import type { AddService, DeactivateService, RenameService } from "./structures/services.js";
import { normalizeLogin, type RegisterUser } from "./users/registerUser.js";
import type { RequestAttachment } from "./attachment-requests/requestAttachment.js";
import type { ValidateAttachmentRequest } from "./attachment-requests/validateAttachmentRequest.js";
import type { RefuseAttachmentRequest } from "./attachment-requests/refuseAttachmentRequest.js";
import type {
  RefuseAttachmentRequests,
  ValidateAttachmentRequests,
} from "./attachment-requests/bulk.js";
import type { AttachUser } from "./attachments/attachUser.js";
import type { ChangeMemberRole, RemoveAttachment } from "./attachments/memberChanges.js";

// ------------------------------------------------------------------ building blocks

/** Longest free text accepted (comments, reasons). */
export const MAX_TEXT_LENGTH = 2000;
/** Most services one scope may name. */
export const MAX_SCOPE_SERVICES = 10_000;
/** Most requests one bulk decision may name. */
export const MAX_BULK_ITEMS = 50_000;

const id = <T extends string>() => z.string().min(1).max(200) as unknown as z.ZodType<T, string>;

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
export const InstantSchema: z.ZodType<Instant, string> = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .pipe(z.iso.datetime()) as unknown as z.ZodType<Instant, string>;

/** A real calendar date, `YYYY-MM-DD`. */
export const LocalDateSchema = z.iso.date() as unknown as z.ZodType<LocalDate, string>;

const text = z.string().max(MAX_TEXT_LENGTH);
const name = z.string().trim().min(1).max(200);
const email = z.string().trim().max(254).pipe(z.email());

/** A role (all three, so that asking for the primary role reaches the rule that refuses it). */
export const RoleSchema = z.enum(ROLES);
/** A role an attachment can store. */
export const AttachmentRoleSchema = z.enum(ATTACHMENT_ROLES);

/** A scope: `{ kind: "structure" }` or `{ kind: "services", serviceIds }` (normalised). */
export const AttachmentScopeSchema: z.ZodType<AttachmentScope> = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("structure") }),
    z.strictObject({
      kind: z.literal("services"),
      serviceIds: z.array(ServiceIdSchema).max(MAX_SCOPE_SERVICES),
    }),
  ])
  .transform((scope) => normalizeScope(scope as AttachmentScope));

/** A structure identifier, normalised (spaces and dots out of a SIRET) and checked. */
export const StructureIdentifierSchema: z.ZodType<StructureIdentifier> = z
  .strictObject({ type: z.enum(IDENTIFIER_TYPES), value: z.string().max(200) })
  .transform((input, ctx) => {
    const checked = checkIdentifier(input);
    if (checked.ok) return checked.identifier;
    const messages = {
      empty: "l'identifiant est vide",
      siretFormat: "un SIRET compte 14 chiffres",
      siretCheckKey: "la clé de contrôle du SIRET est fausse",
      tooLong: "l'identifiant est trop long",
    } as const;
    ctx.issues.push({ code: "custom", input, path: ["value"], message: messages[checked.problem] });
    return z.NEVER;
  });

// ---------------------------------------------------------------------- aggregates

/** A stored {@link Structure}. */
export const StructureSchema: z.ZodType<Structure> = z.strictObject({
  id: StructureIdSchema,
  designation: name,
  kind: z.enum(STRUCTURE_KINDS),
  viaPigp: z.boolean(),
  identifier: StructureIdentifierSchema,
  primaryManagerId: UserIdSchema,
  createdAt: InstantSchema,
});

/** A stored {@link Service}. */
export const ServiceSchema: z.ZodType<Service> = z.strictObject({
  id: ServiceIdSchema,
  structureId: StructureIdSchema,
  code: name,
  label: name,
  active: z.boolean(),
  createdAt: InstantSchema,
});

const AttachmentSchema = z.strictObject({
  structureId: StructureIdSchema,
  role: AttachmentRoleSchema,
  scope: AttachmentScopeSchema,
  validFrom: LocalDateSchema,
  attachedBy: UserIdSchema,
  attachedAt: InstantSchema,
});

/** A stored {@link User}. */
export const UserSchema: z.ZodType<User> = z.strictObject({
  id: UserIdSchema,
  login: email.transform(normalizeLogin),
  contactEmail: email,
  lastName: name,
  firstName: name,
  status: z.enum(ACCOUNT_STATUSES),
  attachments: z.array(AttachmentSchema).refine(
    (list) => new Set(list.map((a) => a.structureId)).size === list.length,
    "at most one attachment per structure",
  ),
  createdAt: InstantSchema,
});

const requestBase = {
  id: AttachmentRequestIdSchema,
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  requestedRole: AttachmentRoleSchema,
  scope: AttachmentScopeSchema,
  comment: text,
  createdAt: InstantSchema,
};

/** A stored {@link AttachmentRequest}, whatever its status. */
export const AttachmentRequestSchema: z.ZodType<AttachmentRequest> = z.discriminatedUnion("status", [
  z.strictObject({ ...requestBase, status: z.literal("pending") }),
  z.strictObject({
    ...requestBase,
    status: z.literal("validated"),
    decidedBy: UserIdSchema,
    decidedAt: InstantSchema,
    grantedRole: AttachmentRoleSchema,
    grantedScope: AttachmentScopeSchema,
  }),
  z.strictObject({
    ...requestBase,
    status: z.literal("refused"),
    decidedBy: UserIdSchema,
    decidedAt: InstantSchema,
    reason: text.min(1),
  }),
]);

const HistoryDetailsSchema = z.strictObject({
  role: AttachmentRoleSchema.exactOptional(),
  previousRole: AttachmentRoleSchema.exactOptional(),
  scope: AttachmentScopeSchema.exactOptional(),
  previousScope: AttachmentScopeSchema.exactOptional(),
  removedServiceIds: z.array(ServiceIdSchema).exactOptional(),
  serviceId: ServiceIdSchema.exactOptional(),
  reason: text.exactOptional(),
  comment: text.exactOptional(),
  label: text.exactOptional(),
});

const newHistoryShape = {
  structureId: StructureIdSchema,
  kind: z.enum(HISTORY_KINDS),
  at: InstantSchema,
  actorId: UserIdSchema,
  targetUserId: UserIdSchema.nullable(),
  requestId: AttachmentRequestIdSchema.nullable(),
  details: HistoryDetailsSchema,
};

/** A history entry before the store numbers it. */
export const NewHistoryEntrySchema: z.ZodType<NewHistoryEntry> = z.strictObject(newHistoryShape);

/** A stored, numbered history entry. */
export const HistoryEntrySchema: z.ZodType<HistoryEntry> = z.strictObject({
  ...newHistoryShape,
  sequence: z.number().int().positive(),
});

const at = { at: InstantSchema };
/** A {@link DomainEvent}. */
export const DomainEventSchema: z.ZodType<DomainEvent> = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("StructureCreated"), ...at, structureId: StructureIdSchema, primaryManagerId: UserIdSchema }),
  z.strictObject({
    type: z.enum(["ServiceAdded", "ServiceRenamed", "ServiceDeactivated"]),
    ...at,
    structureId: StructureIdSchema,
    serviceId: ServiceIdSchema,
  }),
  z.strictObject({ type: z.literal("UserRegistered"), ...at, userId: UserIdSchema, login: z.string() }),
  z.strictObject({
    type: z.literal("AttachmentRequested"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
  }),
  z.strictObject({
    type: z.literal("AttachmentRequestValidated"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
    role: AttachmentRoleSchema,
    scope: AttachmentScopeSchema,
  }),
  z.strictObject({
    type: z.literal("AttachmentRequestRefused"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
    reason: text,
  }),
  z.strictObject({
    type: z.literal("UserAttached"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    attachedBy: UserIdSchema,
    role: AttachmentRoleSchema,
    scope: AttachmentScopeSchema,
    validFrom: LocalDateSchema,
  }),
  z.strictObject({
    type: z.literal("MemberRoleChanged"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    changedBy: UserIdSchema,
    previousRole: AttachmentRoleSchema,
    role: AttachmentRoleSchema,
  }),
  z.strictObject({
    type: z.literal("AttachmentRemoved"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    removedBy: UserIdSchema,
  }),
]);

// ------------------------------------------------------------------------ commands

/** {@link CreateStructure}. `viaPigp` defaults to `false` and is refused on a private structure. */
export const CreateStructureSchema: z.ZodType<CreateStructure> = z
  .strictObject({
    designation: name,
    kind: z.enum(STRUCTURE_KINDS),
    viaPigp: z.boolean().default(false),
    identifier: StructureIdentifierSchema,
  })
  .refine((c) => !(c.viaPigp && c.kind === "private"), {
    path: ["viaPigp"],
    message: "seule une structure publique passe par le PIGP",
  });

/** {@link AddService}. */
export const AddServiceSchema: z.ZodType<AddService> = z.strictObject({
  structureId: StructureIdSchema,
  code: name,
  label: name,
});

/** {@link RenameService}. */
export const RenameServiceSchema: z.ZodType<RenameService> = z.strictObject({
  serviceId: ServiceIdSchema,
  label: name,
});

/** {@link DeactivateService}. */
export const DeactivateServiceSchema: z.ZodType<DeactivateService> = z.strictObject({
  serviceId: ServiceIdSchema,
});

/** {@link RegisterUser}. */
export const RegisterUserSchema: z.ZodType<RegisterUser> = z.strictObject({
  login: email.transform(normalizeLogin),
  contactEmail: email.exactOptional(),
  lastName: name,
  firstName: name,
});

/** {@link RequestAttachment}. */
export const RequestAttachmentSchema: z.ZodType<RequestAttachment> = z.strictObject({
  structureId: StructureIdSchema,
  scope: AttachmentScopeSchema,
  requestedRole: AttachmentRoleSchema.exactOptional(),
  comment: text.exactOptional(),
});

const validateItem = {
  requestId: AttachmentRequestIdSchema,
  role: RoleSchema.exactOptional(),
  scope: AttachmentScopeSchema.exactOptional(),
};

/** {@link ValidateAttachmentRequest}. */
export const ValidateAttachmentRequestSchema: z.ZodType<ValidateAttachmentRequest> =
  z.strictObject(validateItem);

/** {@link RefuseAttachmentRequest}. A blank reason passes here and is refused by the rule (`REFUSAL_REASON_REQUIRED`). */
export const RefuseAttachmentRequestSchema: z.ZodType<RefuseAttachmentRequest> = z.strictObject({
  requestId: AttachmentRequestIdSchema,
  reason: text,
});

/** {@link ValidateAttachmentRequests}. */
export const ValidateAttachmentRequestsSchema: z.ZodType<ValidateAttachmentRequests> = z.strictObject({
  items: z.array(z.strictObject(validateItem)).min(1).max(MAX_BULK_ITEMS),
});

/** {@link RefuseAttachmentRequests}. */
export const RefuseAttachmentRequestsSchema: z.ZodType<RefuseAttachmentRequests> = z.strictObject({
  requestIds: z.array(AttachmentRequestIdSchema).min(1).max(MAX_BULK_ITEMS),
  reason: text,
});

/** {@link AttachUser}. A blank comment passes here and is refused by the rule (`COMMENT_REQUIRED`). */
export const AttachUserSchema: z.ZodType<AttachUser> = z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  role: RoleSchema,
  validFrom: LocalDateSchema,
  comment: text,
  scope: AttachmentScopeSchema,
});

/** {@link ChangeMemberRole}. */
export const ChangeMemberRoleSchema: z.ZodType<ChangeMemberRole> = z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  role: RoleSchema,
});

/** {@link RemoveAttachment}. */
export const RemoveAttachmentSchema: z.ZodType<RemoveAttachment> = z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
});

// --------------------------------------------------------------------------- parse

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "number" ? p : String(p))),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * Parses unknown input with any schema of this module: the typed value, or a
 * `VALIDATION` error listing every issue. Never throws.
 *
 * @example
 * ```ts
 * parseWith(UserIdSchema, 42);
 * // err({ code: "VALIDATION", issues: [{ path: [], code: "invalid_type", message: "…" }] })
 * ```
 */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Result<T, DomainError> {
  try {
    const parsed = schema.safeParse(input);
    return parsed.success ? ok(parsed.data) : err({ code: "VALIDATION", issues: toIssues(parsed.error) });
  } catch (thrown) {
    // A hostile input (a getter that throws, a revoked proxy) is still just bad input.
    const message = thrown instanceof Error ? thrown.message : "unreadable input";
    return err({ code: "VALIDATION", issues: [{ path: [], code: "unreadable", message }] });
  }
}

const parser =
  <T>(schema: z.ZodType<T>) =>
  (input: unknown): Result<T, DomainError> =>
    parseWith(schema, input);

/**
 * Parses a create-structure command (SIRET normalised and checked).
 *
 * @example
 * ```ts
 * parseCreateStructure({ designation: "ACME", kind: "private",
 *   identifier: { type: "siret", value: "732 829 320 00074" } });
 * // ok({ designation: "ACME", kind: "private", viaPigp: false,
 * //      identifier: { type: "siret", value: "73282932000074" } })
 * ```
 */
export const parseCreateStructure = parser(CreateStructureSchema);
/**
 * Parses an add-service command.
 *
 * @example
 * ```ts
 * parseAddService({ structureId: "s-1", code: "COMPTA", label: "Comptabilité" }).ok; // true
 * ```
 */
export const parseAddService = parser(AddServiceSchema);
/**
 * Parses a rename-service command.
 *
 * @example
 * ```ts
 * parseRenameService({ serviceId: "svc-1", label: "" }).ok; // false (VALIDATION)
 * ```
 */
export const parseRenameService = parser(RenameServiceSchema);
/**
 * Parses a deactivate-service command.
 *
 * @example
 * ```ts
 * parseDeactivateService({ serviceId: "svc-1" }).ok; // true
 * ```
 */
export const parseDeactivateService = parser(DeactivateServiceSchema);
/**
 * Parses a register-user command (login trimmed and lower-cased).
 *
 * @example
 * ```ts
 * parseRegisterUser({ login: "Elodie@Example.fr", lastName: "Lefèvre", firstName: "Élodie" });
 * // ok({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" })
 * ```
 */
export const parseRegisterUser = parser(RegisterUserSchema);
/**
 * Parses a user's attachment request.
 *
 * @example
 * ```ts
 * parseRequestAttachment({ structureId: "s-1", scope: { kind: "structure" }, comment: "Bonjour" }).ok; // true
 * ```
 */
export const parseRequestAttachment = parser(RequestAttachmentSchema);
/**
 * Parses a validation command.
 *
 * @example
 * ```ts
 * parseValidateAttachmentRequest({ requestId: "req-1", role: "secondaryManager" }).ok; // true
 * ```
 */
export const parseValidateAttachmentRequest = parser(ValidateAttachmentRequestSchema);
/**
 * Parses a refusal command.
 *
 * @example
 * ```ts
 * parseRefuseAttachmentRequest({ requestId: "req-1" }).ok; // false: reason missing
 * ```
 */
export const parseRefuseAttachmentRequest = parser(RefuseAttachmentRequestSchema);
/**
 * Parses a bulk validation command.
 *
 * @example
 * ```ts
 * parseValidateAttachmentRequests({ items: [{ requestId: "req-1" }, { requestId: "req-2" }] }).ok; // true
 * ```
 */
export const parseValidateAttachmentRequests = parser(ValidateAttachmentRequestsSchema);
/**
 * Parses a bulk refusal command.
 *
 * @example
 * ```ts
 * parseRefuseAttachmentRequests({ requestIds: ["req-1"], reason: "Doublon" }).ok; // true
 * ```
 */
export const parseRefuseAttachmentRequests = parser(RefuseAttachmentRequestsSchema);
/**
 * Parses a direct-attachment command.
 *
 * @example
 * ```ts
 * parseAttachUser({ structureId: "s-1", userId: "u-2", role: "user", validFrom: "2026-12-01",
 *   comment: "Renfort", scope: { kind: "structure" } }).ok; // true
 * ```
 */
export const parseAttachUser = parser(AttachUserSchema);
/**
 * Parses a role-change command.
 *
 * @example
 * ```ts
 * parseChangeMemberRole({ structureId: "s-1", userId: "u-2", role: "boss" }).ok; // false
 * ```
 */
export const parseChangeMemberRole = parser(ChangeMemberRoleSchema);
/**
 * Parses an attachment-removal command.
 *
 * @example
 * ```ts
 * parseRemoveAttachment({ structureId: "s-1", userId: "u-2" }).ok; // true
 * ```
 */
export const parseRemoveAttachment = parser(RemoveAttachmentSchema);
/**
 * Parses a stored structure (e.g. read back from JSON).
 *
 * @example
 * ```ts
 * parseStructure(JSON.parse(JSON.stringify(structure))); // ok(structure)
 * ```
 */
export const parseStructure = parser(StructureSchema);
/**
 * Parses a stored service.
 *
 * @example
 * ```ts
 * parseService(JSON.parse(JSON.stringify(service))); // ok(service)
 * ```
 */
export const parseService = parser(ServiceSchema);
/**
 * Parses a stored user.
 *
 * @example
 * ```ts
 * parseUser(JSON.parse(JSON.stringify(user))); // ok(user)
 * ```
 */
export const parseUser = parser(UserSchema);
/**
 * Parses a stored attachment request.
 *
 * @example
 * ```ts
 * parseAttachmentRequest(JSON.parse(JSON.stringify(request))); // ok(request)
 * ```
 */
export const parseAttachmentRequest = parser(AttachmentRequestSchema);
/**
 * Parses a stored history entry.
 *
 * @example
 * ```ts
 * parseHistoryEntry(JSON.parse(JSON.stringify(entry))); // ok(entry)
 * ```
 */
export const parseHistoryEntry = parser(HistoryEntrySchema);
/**
 * Parses a history entry as a transition produces it (before the store numbers it).
 *
 * @example
 * ```ts
 * parseNewHistoryEntry(JSON.parse(JSON.stringify(outcome.history[0]))); // ok(outcome.history[0])
 * ```
 */
export const parseNewHistoryEntry = parser(NewHistoryEntrySchema);
/**
 * Parses a domain event (e.g. from a queue).
 *
 * @example
 * ```ts
 * parseDomainEvent(JSON.parse(JSON.stringify(event))); // ok(event)
 * ```
 */
export const parseDomainEvent = parser(DomainEventSchema);
