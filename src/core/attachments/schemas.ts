// The boundary of direct attachments (guide §3 A): schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import {
  AttachmentScopeSchema,
  LocalDateSchema,
  MultilineTextSchema,
  GrantedRoleSchema,
  StructureIdSchema,
  UserIdSchema,
} from "../schemas.js";
import type { AttachUser } from "./attachUser.js";
import type { ChangeMemberRole, LeaveStructure, RemoveAttachment } from "./memberChanges.js";
import type { CopyMemberRights } from "./copyMemberRights.js";

/** {@link AttachUser}. A blank comment passes here and is refused by the rule (`COMMENT_REQUIRED`). */
export const AttachUserSchema = typed<AttachUser>()(z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  role: GrantedRoleSchema,
  validFrom: LocalDateSchema,
  validUntil: LocalDateSchema.nullable().exactOptional(),
  comment: MultilineTextSchema,
  scope: AttachmentScopeSchema,
}));
/** What `attachUser` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type AttachUserInput = z.input<typeof AttachUserSchema>;

/** {@link ChangeMemberRole}. */
export const ChangeMemberRoleSchema = typed<ChangeMemberRole>()(z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  role: GrantedRoleSchema,
}));
/** What `changeMemberRole` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ChangeMemberRoleInput = z.input<typeof ChangeMemberRoleSchema>;

/** {@link RemoveAttachment}. */
export const RemoveAttachmentSchema = typed<RemoveAttachment>()(z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
}));
/** What `removeAttachment` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RemoveAttachmentInput = z.input<typeof RemoveAttachmentSchema>;

/** {@link LeaveStructure}. */
export const LeaveStructureSchema = typed<LeaveStructure>()(z.strictObject({
  structureId: StructureIdSchema,
}));
/** What `leaveStructure` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type LeaveStructureInput = z.input<typeof LeaveStructureSchema>;

/** {@link CopyMemberRights}: the model and the member are two different users. */
export const CopyMemberRightsSchema = typed<CopyMemberRights>()(z.strictObject({
  structureId: StructureIdSchema,
  modelUserId: UserIdSchema,
  userId: UserIdSchema,
  comment: MultilineTextSchema.exactOptional(),
}).refine((c) => c.modelUserId !== c.userId, { path: ["userId"], message: "doit être un autre utilisateur que le modèle" }));
/** What `copyMemberRights` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type CopyMemberRightsInput = z.input<typeof CopyMemberRightsSchema>;

/**
 * Parses a direct-attachment command.
 *
 * @example
 * ```ts
 * parseAttachUser({ structureId: "s-1", userId: "u-2", role: "user", validFrom: "2026-12-01",
 *   comment: "Renfort", scope: { kind: "structure" } }).ok; // true
 * ```
 */
export function parseAttachUser(input: unknown): Result<AttachUser, DomainError> {
  return parseWith(AttachUserSchema, input);
}

/**
 * Parses a role-change command.
 *
 * @example
 * ```ts
 * parseChangeMemberRole({ structureId: "s-1", userId: "u-2", role: "boss" }).ok; // false
 * ```
 */
export function parseChangeMemberRole(input: unknown): Result<ChangeMemberRole, DomainError> {
  return parseWith(ChangeMemberRoleSchema, input);
}

/**
 * Parses an attachment-removal command.
 *
 * @example
 * ```ts
 * parseRemoveAttachment({ structureId: "s-1", userId: "u-2" }).ok; // true
 * ```
 */
export function parseRemoveAttachment(input: unknown): Result<RemoveAttachment, DomainError> {
  return parseWith(RemoveAttachmentSchema, input);
}

/**
 * Parses a person's leaving of a structure.
 *
 * @example
 * ```ts
 * parseLeaveStructure({ structureId: "s-1" }).ok; // true
 * ```
 */
export function parseLeaveStructure(input: unknown): Result<LeaveStructure, DomainError> {
  return parseWith(LeaveStructureSchema, input);
}

/**
 * Parses a copy of a member's rights.
 *
 * @example
 * ```ts
 * parseCopyMemberRights({ structureId: "s-1", modelUserId: "u-2", userId: "u-3" }).ok; // true
 * parseCopyMemberRights({ structureId: "s-1", modelUserId: "u-2", userId: "u-2" }).ok; // false: a member is not their own model
 * ```
 */
export function parseCopyMemberRights(input: unknown): Result<CopyMemberRights, DomainError> {
  return parseWith(CopyMemberRightsSchema, input);
}
