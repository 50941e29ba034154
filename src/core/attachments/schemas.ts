// The boundary of direct attachments (guide §3 A): schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import {
  AttachmentScopeSchema,
  LocalDateSchema,
  MultilineTextSchema,
  RoleSchema,
  StructureIdSchema,
  UserIdSchema,
} from "../schemas.js";
import type { AttachUser } from "./attachUser.js";
import type { ChangeMemberRole, LeaveStructure, RemoveAttachment } from "./memberChanges.js";

/** {@link AttachUser}. A blank comment passes here and is refused by the rule (`COMMENT_REQUIRED`). */
export const AttachUserSchema: z.ZodType<AttachUser> = z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  role: RoleSchema,
  validFrom: LocalDateSchema,
  comment: MultilineTextSchema,
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

/** {@link LeaveStructure}. */
export const LeaveStructureSchema: z.ZodType<LeaveStructure> = z.strictObject({
  structureId: StructureIdSchema,
});

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
