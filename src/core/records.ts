/**
 * Schemas and `parse…` functions of what the library stores and emits: aggregates,
 * history entries, events. A host reading them back from JSON (a column, a queue, an
 * HTTP body) gets them exactly as they were written.
 */
import { z } from "zod";
import { parseWith } from "./boundary.js";
import type { DomainError } from "./errors.js";
import type { DomainEvent, RecordedEvent } from "./events.js";
import { HISTORY_KINDS, type HistoryEntry, type NewHistoryEntry } from "./history.js";
import type { AttachmentRequest, Service, Structure, SubscriptionRequest, User } from "./model.js";
import type { Result } from "./result.js";
import {
  AttachmentRequestIdSchema,
  AttachmentRoleSchema,
  AttachmentScopeSchema,
  EmailSchema,
  InstantSchema,
  LocalDateSchema,
  MultilineTextSchema,
  NameSchema,
  ServiceCodeSchema,
  ServiceIdSchema,
  StructureIdentifierSchema,
  StructureIdSchema,
  UserIdSchema,
} from "./schemas.js";
import { normalizeLogin } from "./users/registerUser.js";
import { PhoneSchema, PostalAddressSchema, TokenHashSchema, UserSettingsSchema } from "./accounts/schemas.js";
import { ACCOUNT_STATUSES, STRUCTURE_KINDS, SUBSCRIPTION_SCOPES } from "./vocabulary.js";
import {
  AccessLevelSchema,
  SpaceCodeSchema,
  SubscriptionItemSchema,
  SubscriptionRequestIdSchema,
} from "./subscriptions/schemas.js";

const text = MultilineTextSchema;

/** Who made the library e-mail an account (`EmailInitiator`): `public`, `self`, or `structure:<id>`. */
const EmailInitiatorSchema = z.union([
  z.literal("public"),
  z.literal("self"),
  z.templateLiteral(["structure:", StructureIdSchema as unknown as z.ZodString]),
]);

/** A stored {@link Structure}. */
export const StructureSchema: z.ZodType<Structure> = z.strictObject({
  id: StructureIdSchema,
  designation: NameSchema,
  kind: z.enum(STRUCTURE_KINDS),
  viaPigp: z.boolean(),
  identifier: StructureIdentifierSchema,
  primaryManagerId: UserIdSchema,
  openSpaces: z.array(SpaceCodeSchema),
  createdAt: InstantSchema,
});

/** A stored {@link Service}. */
export const ServiceSchema: z.ZodType<Service> = z.strictObject({
  id: ServiceIdSchema,
  structureId: StructureIdSchema,
  code: ServiceCodeSchema,
  label: NameSchema,
  active: z.boolean(),
  openSpaces: z.array(SpaceCodeSchema),
  createdAt: InstantSchema,
});

/** What the sweep recorded about an end date; written before rights had ends: none. */
const EndNoticeSchema = z.enum(["warned", "expired"]).nullable().default(null);
/** A right's end date; written before rights had ends: none. */
const ValidUntilSchema = LocalDateSchema.nullable().default(null);

const AttachmentSchema = z.strictObject({
  structureId: StructureIdSchema,
  role: AttachmentRoleSchema,
  scope: AttachmentScopeSchema,
  validFrom: LocalDateSchema,
  validUntil: ValidUntilSchema,
  endNotice: EndNoticeSchema,
  attachedBy: UserIdSchema,
  attachedAt: InstantSchema,
});

/** A stored {@link User}. */
export const UserSchema: z.ZodType<User> = z.strictObject({
  id: UserIdSchema,
  login: EmailSchema.transform(normalizeLogin),
  contactEmail: EmailSchema,
  lastName: NameSchema,
  firstName: NameSchema,
  status: z.enum(ACCOUNT_STATUSES),
  attachments: z
    .array(AttachmentSchema)
    .refine((list) => new Set(list.map((a) => a.structureId)).size === list.length, "at most one attachment per structure"),
  grants: z.array(
    z.strictObject({
      structureId: StructureIdSchema,
      space: SpaceCodeSchema,
      serviceId: ServiceIdSchema.nullable(),
      access: AccessLevelSchema,
      grantedBy: UserIdSchema,
      grantedAt: InstantSchema,
      validUntil: ValidUntilSchema,
      endNotice: EndNoticeSchema,
    }),
  ),
  phone: PhoneSchema.nullable(),
  postalAddress: PostalAddressSchema.nullable(),
  settings: UserSettingsSchema,
  createdFor: StructureIdSchema.nullable(),
  activation: z
    .strictObject({
      tokens: z.array(
        z.strictObject({ tokenHash: TokenHashSchema, issuedAt: InstantSchema, expiresAt: InstantSchema, by: EmailInitiatorSchema }),
      ),
      usedAt: InstantSchema.nullable(),
    })
    .nullable(),
  contactEmailChange: z
    .strictObject({
      address: EmailSchema,
      tokenHash: TokenHashSchema,
      requestedAt: InstantSchema,
      expiresAt: InstantSchema,
      requestedBy: UserIdSchema.nullable(),
    })
    .nullable(),
  accountEmails: z.array(z.strictObject({ at: InstantSchema, by: EmailInitiatorSchema })),
  deactivatedAt: InstantSchema.nullable(),
  createdAt: InstantSchema,
}) as unknown as z.ZodType<User>;

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
    reason: text.pipe(z.string().min(1)),
  }),
]);

const subscriptionBase = {
  id: SubscriptionRequestIdSchema,
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  items: z.array(SubscriptionItemSchema).min(1),
  comment: text,
  createdAt: InstantSchema,
};

/** A stored {@link SubscriptionRequest}, whatever its status. */
export const SubscriptionRequestSchema: z.ZodType<SubscriptionRequest> = z.discriminatedUnion("status", [
  z.strictObject({ ...subscriptionBase, status: z.literal("pending") }),
  z.strictObject({
    ...subscriptionBase,
    status: z.literal("validated"),
    decidedBy: UserIdSchema,
    decidedAt: InstantSchema,
    grantedItems: z.array(SubscriptionItemSchema).min(1),
    scope: z.enum(SUBSCRIPTION_SCOPES),
    managerComment: text,
  }),
  z.strictObject({
    ...subscriptionBase,
    status: z.literal("refused"),
    decidedBy: UserIdSchema,
    decidedAt: InstantSchema,
    managerComment: text,
  }),
]) as unknown as z.ZodType<SubscriptionRequest>;

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
  items: z.array(SubscriptionItemSchema).exactOptional(),
  space: SpaceCodeSchema.exactOptional(),
  access: AccessLevelSchema.exactOptional(),
  subscriptionScope: z.enum(SUBSCRIPTION_SCOPES).exactOptional(),
  fields: z.array(z.string().max(200)).exactOptional(),
  expiresAt: InstantSchema.exactOptional(),
  formerPrimaryManagerId: UserIdSchema.exactOptional(),
  reactivableUntil: InstantSchema.exactOptional(),
  validUntil: LocalDateSchema.nullable().exactOptional(),
  previousValidUntil: LocalDateSchema.nullable().exactOptional(),
  modelUserId: UserIdSchema.exactOptional(),
  revokedItems: z.array(SubscriptionItemSchema).exactOptional(),
});

const newHistoryShape = {
  structureId: StructureIdSchema,
  kind: z.enum(HISTORY_KINDS),
  at: InstantSchema,
  actorId: UserIdSchema.nullable(),
  targetUserId: UserIdSchema.nullable(),
  requestId: z.union([AttachmentRequestIdSchema, SubscriptionRequestIdSchema]).nullable(),
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
/** The shape of each event, by type (a list, so both event schemas derive from it). */
const eventShapes = [
  { type: z.literal("StructureCreated"), ...at, structureId: StructureIdSchema, primaryManagerId: UserIdSchema },
  {
    type: z.enum(["ServiceAdded", "ServiceRenamed", "ServiceDeactivated"]),
    ...at,
    structureId: StructureIdSchema,
    serviceId: ServiceIdSchema,
  },
  { type: z.literal("UserRegistered"), ...at, userId: UserIdSchema, login: z.string() },
  {
    type: z.literal("AttachmentRequested"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
  },
  {
    type: z.literal("AttachmentRequestValidated"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
    role: AttachmentRoleSchema,
    scope: AttachmentScopeSchema,
    validUntil: LocalDateSchema.exactOptional(),
  },
  {
    type: z.literal("AttachmentRequestRefused"),
    ...at,
    requestId: AttachmentRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
    reason: text,
  },
  {
    type: z.literal("UserAttached"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    login: z.string(),
    attachedBy: UserIdSchema,
    role: AttachmentRoleSchema,
    scope: AttachmentScopeSchema,
    validFrom: LocalDateSchema,
    validUntil: LocalDateSchema.exactOptional(),
  },
  {
    type: z.literal("MemberRoleChanged"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    changedBy: UserIdSchema,
    previousRole: AttachmentRoleSchema,
    role: AttachmentRoleSchema,
  },
  {
    type: z.literal("AttachmentRemoved"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    removedBy: UserIdSchema,
  },
  {
    type: z.literal("SubscriptionRequested"),
    ...at,
    requestId: SubscriptionRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
  },
  {
    type: z.literal("SubscriptionRequestValidated"),
    ...at,
    requestId: SubscriptionRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
    items: z.array(SubscriptionItemSchema),
    scope: z.enum(SUBSCRIPTION_SCOPES),
    validUntil: LocalDateSchema.exactOptional(),
  },
  {
    type: z.literal("SubscriptionRequestRefused"),
    ...at,
    requestId: SubscriptionRequestIdSchema,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    decidedBy: UserIdSchema,
  },
  {
    type: z.enum(["SpaceOpened", "SpaceClosed"]),
    ...at,
    structureId: StructureIdSchema,
    serviceId: ServiceIdSchema.nullable(),
    space: SpaceCodeSchema,
    by: UserIdSchema,
  },
  {
    type: z.literal("SpacesGranted"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    grantedBy: UserIdSchema,
    items: z.array(SubscriptionItemSchema),
    validUntil: LocalDateSchema.exactOptional(),
  },
  {
    type: z.literal("AccountCreated"),
    ...at,
    userId: UserIdSchema,
    login: z.string(),
    createdBy: UserIdSchema.nullable(),
    structureId: StructureIdSchema.nullable(),
  },
  {
    type: z.literal("ActivationEmailRequested"),
    ...at,
    userId: UserIdSchema,
    login: z.string(),
    expiresAt: InstantSchema,
    token: z.string().max(200).exactOptional(),
  },
  {
    type: z.literal("ContactEmailConfirmationRequested"),
    ...at,
    userId: UserIdSchema,
    login: z.string(),
    address: z.string(),
    expiresAt: InstantSchema,
    token: z.string().max(200).exactOptional(),
  },
  {
    type: z.literal("ContactEmailChanged"),
    ...at,
    userId: UserIdSchema,
    login: z.string(),
    previousContactEmail: z.string(),
    contactEmail: z.string(),
  },
  { type: z.literal("AccountActivated"), ...at, userId: UserIdSchema, login: z.string() },
  {
    type: z.literal("RegistrationAttemptedForExistingAccount"),
    ...at,
    userId: UserIdSchema,
    login: z.string(),
  },
  {
    type: z.literal("UserModified"),
    ...at,
    userId: UserIdSchema,
    modifiedBy: UserIdSchema,
    fields: z.array(z.string().max(200)),
  },
  {
    type: z.literal("PrimaryRoleTransferred"),
    ...at,
    structureId: StructureIdSchema,
    formerPrimaryManagerId: UserIdSchema,
    primaryManagerId: UserIdSchema,
  },
  { type: z.literal("AccountDeactivated"), ...at, userId: UserIdSchema, reactivableUntil: InstantSchema },
  { type: z.literal("AccountReactivated"), ...at, userId: UserIdSchema },
  {
    type: z.literal("SpaceGrantRevoked"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    revokedBy: UserIdSchema,
    space: SpaceCodeSchema,
    serviceId: ServiceIdSchema.nullable(),
  },
  {
    type: z.literal("AttachmentEndChanged"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    changedBy: UserIdSchema,
    validUntil: LocalDateSchema.nullable(),
    previousValidUntil: LocalDateSchema.nullable(),
  },
  {
    type: z.literal("GrantEndChanged"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    changedBy: UserIdSchema,
    space: SpaceCodeSchema,
    serviceId: ServiceIdSchema.nullable(),
    validUntil: LocalDateSchema.nullable(),
    previousValidUntil: LocalDateSchema.nullable(),
  },
  {
    type: z.literal("MemberRightsCopied"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    copiedBy: UserIdSchema,
    role: AttachmentRoleSchema,
    scope: AttachmentScopeSchema,
    items: z.array(SubscriptionItemSchema),
  },
  {
    type: z.literal("AttachmentExpiringSoon"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    login: z.string(),
    validUntil: LocalDateSchema,
    daysLeft: z.number().int().min(1),
  },
  {
    type: z.literal("GrantExpiringSoon"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    login: z.string(),
    space: SpaceCodeSchema,
    serviceId: ServiceIdSchema.nullable(),
    access: AccessLevelSchema,
    validUntil: LocalDateSchema,
    daysLeft: z.number().int().min(1),
  },
  { type: z.literal("AttachmentExpired"), ...at, structureId: StructureIdSchema, userId: UserIdSchema, validUntil: LocalDateSchema },
  {
    type: z.literal("GrantExpired"),
    ...at,
    structureId: StructureIdSchema,
    userId: UserIdSchema,
    space: SpaceCodeSchema,
    serviceId: ServiceIdSchema.nullable(),
    validUntil: LocalDateSchema,
  },
] as const;

type EventOptions = [z.ZodObject<z.ZodRawShape>, ...z.ZodObject<z.ZodRawShape>[]];
const strictAll = (extra: z.ZodRawShape) =>
  eventShapes.map((shape) => z.strictObject({ ...shape, ...extra })) as unknown as EventOptions;

/** A {@link DomainEvent}. */
export const DomainEventSchema = z.discriminatedUnion("type", strictAll({})) as unknown as z.ZodType<DomainEvent>;

/** A {@link RecordedEvent}: a domain event with its stable id. */
export const RecordedEventSchema = z.discriminatedUnion(
  "type",
  strictAll({ id: z.string().min(1).max(200) }),
) as unknown as z.ZodType<RecordedEvent>;

const parser =
  <T>(schema: z.ZodType<T>) =>
  (input: unknown): Result<T, DomainError> =>
    parseWith(schema, input);

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
 * Parses a stored subscription request.
 *
 * @example
 * ```ts
 * parseSubscriptionRequest(JSON.parse(JSON.stringify(request))); // ok(request)
 * ```
 */
export const parseSubscriptionRequest = parser(SubscriptionRequestSchema);
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
/**
 * Parses a recorded event (a domain event with its id, as the outbox delivers it).
 *
 * @example
 * ```ts
 * parseRecordedEvent(JSON.parse(JSON.stringify(message.event))); // ok(message.event)
 * ```
 */
export const parseRecordedEvent = parser(RecordedEventSchema);
