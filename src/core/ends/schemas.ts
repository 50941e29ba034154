// The boundary of rights with an end (issue 21): schemas and parse functions of the acts
// that change an end date.
import { z } from "zod";
import { parseWith, sealedObject, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import { LocalDateSchema, MultilineTextSchema, ServiceIdSchema, StructureIdSchema, UserIdSchema } from "../schemas.js";
import { SpaceCodeSchema } from "../subscriptions/schemas.js";
import type { ChangeAttachmentEnd, ChangeGrantEnd } from "./changeEnds.js";

/** {@link ChangeAttachmentEnd}: `validUntil` is required, `null` to remove the end. */
export const ChangeAttachmentEndSchema = typed<ChangeAttachmentEnd>()(z.strictObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  validUntil: LocalDateSchema.nullable(),
  comment: MultilineTextSchema.exactOptional(),
}));
/** What `changeAttachmentEnd` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ChangeAttachmentEndInput = z.input<typeof ChangeAttachmentEndSchema>;

/** {@link ChangeGrantEnd}: `serviceId` absent or `null` for the grant for all services; `validUntil` required, `null` to remove the end. */
export const ChangeGrantEndSchema = typed<ChangeGrantEnd>()(sealedObject({
  structureId: StructureIdSchema,
  userId: UserIdSchema,
  space: SpaceCodeSchema,
  serviceId: ServiceIdSchema.nullable().optional(),
  validUntil: LocalDateSchema.nullable(),
  comment: MultilineTextSchema.exactOptional(),
}).transform((c) => ({
  structureId: c.structureId,
  userId: c.userId,
  space: c.space,
  serviceId: c.serviceId ?? null,
  validUntil: c.validUntil,
  ...(c.comment === undefined ? {} : { comment: c.comment }),
})));
/** What `changeGrantEnd` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type ChangeGrantEndInput = z.input<typeof ChangeGrantEndSchema>;

/**
 * Parses a change of an attachment's end date.
 *
 * @example
 * ```ts
 * parseChangeAttachmentEnd({ structureId: "s-1", userId: "u-2", validUntil: "2027-06-30" }).ok; // true
 * parseChangeAttachmentEnd({ structureId: "s-1", userId: "u-2" }).ok; // false: say null to remove the end
 * ```
 */
export function parseChangeAttachmentEnd(input: unknown): Result<ChangeAttachmentEnd, DomainError> {
  return parseWith(ChangeAttachmentEndSchema, input);
}

/**
 * Parses a change of a grant's end date.
 *
 * @example
 * ```ts
 * parseChangeGrantEnd({ structureId: "s-1", userId: "u-2", space: "FACTURES_RECUES", validUntil: null });
 * // ok({ structureId: "s-1", userId: "u-2", space: "FACTURES_RECUES", serviceId: null, validUntil: null })
 * ```
 */
export function parseChangeGrantEnd(input: unknown): Result<ChangeGrantEnd, DomainError> {
  return parseWith(ChangeGrantEndSchema, input);
}
