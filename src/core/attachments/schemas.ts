// The boundary of direct attachments (guide §3 A): schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import { quickFields, quickId, quickly, quickMultiline, quickScope } from "../quick.js";
import type { Result } from "../result.js";
import {
  AttachmentScopeSchema,
  LocalDateSchema,
  MAX_TEXT_LENGTH,
  MultilineTextSchema,
  GrantedRoleSchema,
  StructureIdSchema,
  UserIdSchema,
} from "../schemas.js";
import type { AttachUser } from "./attachUser.js";
import type { ChangeMemberRole, LeaveStructure, RemoveAttachment } from "./memberChanges.js";
import { ROLES } from "../vocabulary.js";
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

// The quick readings of the member commands (see quick.ts): exactly the schema's output,
// fields in the schema's order, or null for the schema to read.

const ATTACH_KEYS: ReadonlySet<string> = new Set(["structureId", "userId", "role", "validFrom", "comment", "scope"]);
const CHANGE_ROLE_KEYS: ReadonlySet<string> = new Set(["structureId", "userId", "role"]);
const REMOVE_KEYS: ReadonlySet<string> = new Set(["structureId", "userId"]);
const isRole = (value: unknown) => (ROLES as readonly unknown[]).includes(value);

/** `{ structureId, userId }` read quickly, in an object without prototype, or null. */
function quickMember(f: Record<string, unknown> | null): Record<string, unknown> | null {
  if (f === null || !quickId(f["structureId"]) || !quickId(f["userId"])) return null;
  const command = Object.create(null) as Record<string, unknown>;
  command["structureId"] = f["structureId"];
  command["userId"] = f["userId"];
  return command;
}

function quickAttachUser(input: unknown): AttachUser | null {
  const f = quickFields(input, ATTACH_KEYS);
  const command = quickMember(f);
  if (f === null || command === null || !isRole(f["role"])) return null;
  const validFrom = f["validFrom"];
  if (typeof validFrom !== "string" || !z.regexes.date.test(validFrom)) return null;
  if (!quickMultiline(f["comment"], MAX_TEXT_LENGTH)) return null;
  const scope = quickScope(f["scope"]);
  if (scope === null) return null;
  command["role"] = f["role"];
  command["validFrom"] = validFrom;
  command["comment"] = f["comment"];
  command["scope"] = scope;
  return command as unknown as AttachUser;
}

function quickChangeMemberRole(input: unknown): ChangeMemberRole | null {
  const f = quickFields(input, CHANGE_ROLE_KEYS);
  const command = quickMember(f);
  if (f === null || command === null || !isRole(f["role"])) return null;
  command["role"] = f["role"];
  return command as unknown as ChangeMemberRole;
}

function quickRemoveAttachment(input: unknown): RemoveAttachment | null {
  return quickMember(quickFields(input, REMOVE_KEYS)) as RemoveAttachment | null;
}

/** The quick readings, for the property tests that compare them with the schemas. */
export const quickAttachmentReadings = {
  attachUser: quickAttachUser,
  changeMemberRole: quickChangeMemberRole,
  removeAttachment: quickRemoveAttachment,
} as const;
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
  return quickly(quickAttachUser, AttachUserSchema, input);
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
  return quickly(quickChangeMemberRole, ChangeMemberRoleSchema, input);
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
  return quickly(quickRemoveAttachment, RemoveAttachmentSchema, input);
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
