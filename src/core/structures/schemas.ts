// The boundary of structures and services: schemas and parse functions of their commands.
import { z } from "zod";
import { parseWith, sealedObject, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import { NameSchema, ServiceCodeSchema, ServiceIdSchema, StructureIdentifierSchema, StructureIdSchema } from "../schemas.js";
import { STRUCTURE_KINDS } from "../vocabulary.js";
import type { CreateStructure } from "./createStructure.js";
import type { AddService, DeactivateService, RenameService } from "./services.js";

/** {@link CreateStructure}. `viaPigp` defaults to `false` and is refused on a private structure. */
export const CreateStructureSchema = typed<CreateStructure>()(sealedObject({
  designation: NameSchema,
  kind: z.enum(STRUCTURE_KINDS),
  viaPigp: z.boolean().default(false),
  identifier: StructureIdentifierSchema,
}).refine((c) => !(c.viaPigp && c.kind === "private"), {
  path: ["viaPigp"],
  message: "seule une structure publique passe par le PIGP",
}));
/** What `createStructure` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type CreateStructureInput = z.input<typeof CreateStructureSchema>;

/** {@link AddService}. The code is normalised (`normalizeServiceCode`). */
export const AddServiceSchema = typed<AddService>()(z.strictObject({
  structureId: StructureIdSchema,
  code: ServiceCodeSchema,
  label: NameSchema,
}));
/** What `addService` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type AddServiceInput = z.input<typeof AddServiceSchema>;

/** {@link RenameService}. */
export const RenameServiceSchema = typed<RenameService>()(z.strictObject({
  serviceId: ServiceIdSchema,
  label: NameSchema,
}));
/** What `renameService` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type RenameServiceInput = z.input<typeof RenameServiceSchema>;

/** {@link DeactivateService}. */
export const DeactivateServiceSchema = typed<DeactivateService>()(z.strictObject({
  serviceId: ServiceIdSchema,
}));
/** What `deactivateService` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type DeactivateServiceInput = z.input<typeof DeactivateServiceSchema>;

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
export function parseCreateStructure(input: unknown): Result<CreateStructure, DomainError> {
  return parseWith(CreateStructureSchema, input);
}

/**
 * Parses an add-service command (the code normalised: `" compta "` is `"COMPTA"`).
 *
 * @example
 * ```ts
 * parseAddService({ structureId: "s-1", code: "compta", label: "Comptabilité" });
 * // ok({ structureId: "s-1", code: "COMPTA", label: "Comptabilité" })
 * ```
 */
export function parseAddService(input: unknown): Result<AddService, DomainError> {
  return parseWith(AddServiceSchema, input);
}

/**
 * Parses a rename-service command.
 *
 * @example
 * ```ts
 * parseRenameService({ serviceId: "svc-1", label: "\u200B" }).ok; // false (VALIDATION: blank)
 * ```
 */
export function parseRenameService(input: unknown): Result<RenameService, DomainError> {
  return parseWith(RenameServiceSchema, input);
}

/**
 * Parses a deactivate-service command.
 *
 * @example
 * ```ts
 * parseDeactivateService({ serviceId: "svc-1" }).ok; // true
 * ```
 */
export function parseDeactivateService(input: unknown): Result<DeactivateService, DomainError> {
  return parseWith(DeactivateServiceSchema, input);
}
