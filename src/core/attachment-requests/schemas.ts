// The boundary of attachment requests (guide §1): schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import { quickFields, quickId, quickly, quickMultiline, quickScope } from "../quick.js";
import type { Result } from "../result.js";
import {
  AttachmentRequestIdSchema,
  AttachmentRoleSchema,
  AttachmentScopeSchema,
  MAX_BULK_ITEMS,
  MAX_TEXT_LENGTH,
  MultilineTextSchema,
  GrantedRoleSchema,
  LocalDateSchema,
  StructureIdSchema,
} from "../schemas.js";
import type { RefuseAttachmentRequests, ValidateAttachmentRequests } from "./bulk.js";
import type { RefuseAttachmentRequest } from "./refuseAttachmentRequest.js";
import type { RequestAttachment } from "./requestAttachment.js";
import type { ValidateAttachmentRequest } from "./validateAttachmentRequest.js";
import { ATTACHMENT_ROLES, ROLES } from "../vocabulary.js";

/** {@link RequestAttachment}. */
export const RequestAttachmentSchema = typed<RequestAttachment>()(z.strictObject({
  structureId: StructureIdSchema,
  scope: AttachmentScopeSchema,
  requestedRole: AttachmentRoleSchema.exactOptional(),
  comment: MultilineTextSchema.exactOptional(),
}));
/** What `requestAttachment` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RequestAttachmentInput = z.input<typeof RequestAttachmentSchema>;

const validateItem = {
  requestId: AttachmentRequestIdSchema,
  role: GrantedRoleSchema.exactOptional(),
  scope: AttachmentScopeSchema.exactOptional(),
  validUntil: LocalDateSchema.nullable().exactOptional(),
};

/** {@link ValidateAttachmentRequest}. */
export const ValidateAttachmentRequestSchema = typed<ValidateAttachmentRequest>()(z.strictObject(validateItem));
/** What `validateAttachmentRequest` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ValidateAttachmentRequestInput = z.input<typeof ValidateAttachmentRequestSchema>;

/** {@link RefuseAttachmentRequest}. A blank reason passes here and is refused by the rule (`REFUSAL_REASON_REQUIRED`). */
export const RefuseAttachmentRequestSchema = typed<RefuseAttachmentRequest>()(z.strictObject({
  requestId: AttachmentRequestIdSchema,
  reason: MultilineTextSchema,
}));
/** What `refuseAttachmentRequest` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RefuseAttachmentRequestInput = z.input<typeof RefuseAttachmentRequestSchema>;

/** {@link ValidateAttachmentRequests}. */
export const ValidateAttachmentRequestsSchema = typed<ValidateAttachmentRequests>()(z.strictObject({
  items: z.array(z.strictObject(validateItem)).min(1).max(MAX_BULK_ITEMS),
}));
/** What `validateAttachmentRequests` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ValidateAttachmentRequestsInput = z.input<typeof ValidateAttachmentRequestsSchema>;

/** {@link RefuseAttachmentRequests}. */
export const RefuseAttachmentRequestsSchema = typed<RefuseAttachmentRequests>()(z.strictObject({
  requestIds: z.array(AttachmentRequestIdSchema).min(1).max(MAX_BULK_ITEMS),
  reason: MultilineTextSchema,
}));
/** What `refuseAttachmentRequests` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RefuseAttachmentRequestsInput = z.input<typeof RefuseAttachmentRequestsSchema>;

// The quick readings of the three hot commands (see quick.ts): exactly the schema's
// output, fields in the schema's order, or null for the schema to read.

const REQUEST_KEYS: ReadonlySet<string> = new Set(["structureId", "scope", "requestedRole", "comment"]);
const VALIDATE_KEYS: ReadonlySet<string> = new Set(["requestId", "role", "scope"]);
const REFUSE_KEYS: ReadonlySet<string> = new Set(["requestId", "reason"]);
const isRole = (value: unknown) => (ROLES as readonly unknown[]).includes(value);
const isAttachmentRole = (value: unknown) => (ATTACHMENT_ROLES as readonly unknown[]).includes(value);

function quickRequestAttachment(input: unknown): RequestAttachment | null {
  const f = quickFields(input, REQUEST_KEYS);
  if (f === null || !quickId(f["structureId"])) return null;
  const scope = quickScope(f["scope"]);
  if (scope === null) return null;
  const { requestedRole, comment } = f;
  if (requestedRole !== undefined && !isAttachmentRole(requestedRole)) return null;
  if (comment !== undefined && !quickMultiline(comment, MAX_TEXT_LENGTH)) return null;
  const command = Object.create(null) as Record<string, unknown>;
  command["structureId"] = f["structureId"];
  command["scope"] = scope;
  if (requestedRole !== undefined) command["requestedRole"] = requestedRole;
  if (comment !== undefined) command["comment"] = comment;
  return command as unknown as RequestAttachment;
}

function quickValidateAttachmentRequest(input: unknown): ValidateAttachmentRequest | null {
  const f = quickFields(input, VALIDATE_KEYS);
  if (f === null || !quickId(f["requestId"])) return null;
  const { role } = f;
  if (role !== undefined && !isRole(role)) return null;
  const scope = f["scope"] === undefined ? undefined : quickScope(f["scope"]);
  if (scope === null) return null;
  const command = Object.create(null) as Record<string, unknown>;
  command["requestId"] = f["requestId"];
  if (role !== undefined) command["role"] = role;
  if (scope !== undefined) command["scope"] = scope;
  return command as unknown as ValidateAttachmentRequest;
}

function quickRefuseAttachmentRequest(input: unknown): RefuseAttachmentRequest | null {
  const f = quickFields(input, REFUSE_KEYS);
  if (f === null || !quickId(f["requestId"]) || !quickMultiline(f["reason"], MAX_TEXT_LENGTH)) return null;
  const command = Object.create(null) as Record<string, unknown>;
  command["requestId"] = f["requestId"];
  command["reason"] = f["reason"];
  return command as unknown as RefuseAttachmentRequest;
}

/** The quick readings, for the property tests that compare them with the schemas. */
export const quickAttachmentRequestReadings = {
  requestAttachment: quickRequestAttachment,
  validateAttachmentRequest: quickValidateAttachmentRequest,
  refuseAttachmentRequest: quickRefuseAttachmentRequest,
} as const;

/**
 * Parses a user's attachment request.
 *
 * @example
 * ```ts
 * parseRequestAttachment({ structureId: "s-1", scope: { kind: "structure" }, comment: "Bonjour" }).ok; // true
 * ```
 */
export function parseRequestAttachment(input: unknown): Result<RequestAttachment, DomainError> {
  return quickly(quickRequestAttachment, RequestAttachmentSchema, input);
}

/**
 * Parses a validation command.
 *
 * @example
 * ```ts
 * parseValidateAttachmentRequest({ requestId: "req-1", role: "secondaryManager" }).ok; // true
 * ```
 */
export function parseValidateAttachmentRequest(input: unknown): Result<ValidateAttachmentRequest, DomainError> {
  return quickly(quickValidateAttachmentRequest, ValidateAttachmentRequestSchema, input);
}

/**
 * Parses a refusal command.
 *
 * @example
 * ```ts
 * parseRefuseAttachmentRequest({ requestId: "req-1" }).ok; // false: reason missing
 * ```
 */
export function parseRefuseAttachmentRequest(input: unknown): Result<RefuseAttachmentRequest, DomainError> {
  return quickly(quickRefuseAttachmentRequest, RefuseAttachmentRequestSchema, input);
}

/**
 * Parses a bulk validation command.
 *
 * @example
 * ```ts
 * parseValidateAttachmentRequests({ items: [{ requestId: "req-1" }, { requestId: "req-2" }] }).ok; // true
 * ```
 */
export function parseValidateAttachmentRequests(input: unknown): Result<ValidateAttachmentRequests, DomainError> {
  return parseWith(ValidateAttachmentRequestsSchema, input);
}

/**
 * Parses a bulk refusal command.
 *
 * @example
 * ```ts
 * parseRefuseAttachmentRequests({ requestIds: ["req-1"], reason: "Doublon" }).ok; // true
 * ```
 */
export function parseRefuseAttachmentRequests(input: unknown): Result<RefuseAttachmentRequests, DomainError> {
  return parseWith(RefuseAttachmentRequestsSchema, input);
}
