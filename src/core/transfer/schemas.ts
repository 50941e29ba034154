// The boundary of the transfer of the primary role (guide §6): schemas and parse functions.
import { z } from "zod";
import { ownFields, parseWith, typed } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { Result } from "../result.js";
import { MAX_BULK_ITEMS, StructureIdSchema, UserIdSchema } from "../schemas.js";
import type { DeactivateAccount, Succession, TransferPrimaryRole } from "./transfer.js";

const SuccessionSchema = z.strictObject({ structureId: StructureIdSchema, successorId: UserIdSchema });
const eachStructureOnce = (list: readonly { structureId: StructureId }[]) =>
  new Set(list.map((t) => t.structureId)).size === list.length;

/**
 * {@link TransferPrimaryRole}, from either form a caller gives: one successor per structure
 * (`transfers`), or the same successor for several structures (`structureIds` and
 * `successorId`).
 */
export const TransferPrimaryRoleSchema = typed<TransferPrimaryRole>()(z
  .union([
    z.strictObject({
      transfers: z.array(SuccessionSchema).min(1).max(MAX_BULK_ITEMS).refine(eachStructureOnce, "chaque structure une seule fois"),
    }),
    z.strictObject({
      structureIds: z
        .array(StructureIdSchema)
        .min(1)
        .max(MAX_BULK_ITEMS)
        .refine((ids) => new Set(ids).size === ids.length, "chaque structure une seule fois"),
      successorId: UserIdSchema,
    }),
  ])
  // Own fields only before `in` reads them: a polluted Object.prototype.transfers is not ours.
  .transform(ownFields)
  .transform((input): TransferPrimaryRole =>
    "transfers" in input
      ? { transfers: input.transfers }
      : { transfers: input.structureIds.map((structureId) => ({ structureId, successorId: input.successorId })) },
  ));
/** What `transferPrimaryRole` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type TransferPrimaryRoleInput = z.input<typeof TransferPrimaryRoleSchema>;

/**
 * A deactivation as parsed: the successors, one per structure (`transfers`, possibly
 * empty when the person is primary manager of nothing), or one successor for every
 * structure the person is primary manager of (`successorId`; the application expands
 * it).
 */
export type DeactivateAccountCommand = { readonly transfers: readonly Succession[] } | { readonly successorId: UserId };

/** {@link DeactivateAccountCommand}. */
export const DeactivateAccountSchema = typed<DeactivateAccountCommand>()(z.union([
  z.strictObject({
    transfers: z.array(SuccessionSchema).max(MAX_BULK_ITEMS).refine(eachStructureOnce, "chaque structure une seule fois"),
  }),
  z.strictObject({ successorId: UserIdSchema }),
]));
/** What `deactivateAccount` takes (the schema's input type: a misspelt field or a wrong value does not compile). */
export type DeactivateAccountInput = z.input<typeof DeactivateAccountSchema>;

/**
 * Parses a transfer of the primary role.
 *
 * @example
 * ```ts
 * parseTransferPrimaryRole({ structureIds: ["s-1", "s-2"], successorId: "u-9" });
 * // ok({ transfers: [{ structureId: "s-1", successorId: "u-9" }, { structureId: "s-2", successorId: "u-9" }] })
 * ```
 */
export function parseTransferPrimaryRole(input: unknown): Result<TransferPrimaryRole, DomainError> {
  return parseWith(TransferPrimaryRoleSchema, input);
}

/**
 * Parses a deactivation.
 *
 * @example
 * ```ts
 * parseDeactivateAccount({ successorId: "u-9" }).ok; // true
 * parseDeactivateAccount({ transfers: [] }).ok; // true: primary manager of nothing
 * ```
 */
export function parseDeactivateAccount(input: unknown): Result<DeactivateAccountCommand, DomainError> {
  return parseWith(DeactivateAccountSchema, input);
}

export type { DeactivateAccount };
