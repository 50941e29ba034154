// The boundary of the transfer of the primary role (guide §6): schemas and parse functions.
import { z } from "zod";
import { ownFields, parseWith } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { StructureId, UserId } from "../ids.js";
import type { Result } from "../result.js";
import { MAX_BULK_ITEMS, StructureIdSchema, UserIdSchema } from "../schemas.js";
import type { DeactivateAccount, Succession, TransferPrimaryRole } from "./transfer.js";

const SuccessionSchema = z.strictObject({ structureId: StructureIdSchema, successorId: UserIdSchema });
const eachStructureOnce = (list: readonly { structureId: StructureId }[]) =>
  new Set(list.map((t) => t.structureId)).size === list.length;

/**
 * A transfer as typed: one successor per structure (`transfers`), or the same successor
 * for several structures (`structureIds` and `successorId`).
 */
export type TransferInput =
  | { readonly transfers: readonly Succession[] }
  | { readonly structureIds: readonly StructureId[]; readonly successorId: UserId };

/** {@link TransferPrimaryRole}, from either form of {@link TransferInput}. */
export const TransferPrimaryRoleSchema: z.ZodType<TransferPrimaryRole> = z
  .union([
    z.strictObject({
      transfers: z.array(SuccessionSchema).min(1).max(MAX_BULK_ITEMS).refine(eachStructureOnce, "each structure once"),
    }),
    z.strictObject({
      structureIds: z
        .array(StructureIdSchema)
        .min(1)
        .max(MAX_BULK_ITEMS)
        .refine((ids) => new Set(ids).size === ids.length, "each structure once"),
      successorId: UserIdSchema,
    }),
  ])
  // Own fields only before `in` reads them: a polluted Object.prototype.transfers is not ours.
  .transform(ownFields)
  .transform((input): TransferPrimaryRole =>
    "transfers" in input
      ? { transfers: input.transfers }
      : { transfers: input.structureIds.map((structureId) => ({ structureId, successorId: input.successorId })) },
  ) as unknown as z.ZodType<TransferPrimaryRole>;

/**
 * A deactivation as typed: the successors, one per structure (`transfers`, possibly
 * empty when the person is primary manager of nothing), or one successor for every
 * structure the person is primary manager of (`successorId`; the application expands
 * it).
 */
export type DeactivateAccountInput = { readonly transfers: readonly Succession[] } | { readonly successorId: UserId };

/** {@link DeactivateAccountInput}. */
export const DeactivateAccountSchema: z.ZodType<DeactivateAccountInput> = z.union([
  z.strictObject({
    transfers: z.array(SuccessionSchema).max(MAX_BULK_ITEMS).refine(eachStructureOnce, "each structure once"),
  }),
  z.strictObject({ successorId: UserIdSchema }),
]) as unknown as z.ZodType<DeactivateAccountInput>;

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
export function parseDeactivateAccount(input: unknown): Result<DeactivateAccountInput, DomainError> {
  return parseWith(DeactivateAccountSchema, input);
}

export type { DeactivateAccount };
