// Guide §6, « Transférer le rôle de gestionnaire principal »: A, the manager keeps access
// (the role handed over, atomically across the structures named); B, the manager leaves
// (the same transfers and the deactivation in one unit of work), and reactivation.
import { addHours } from "date-fns/addHours";
import { parseISO } from "date-fns/parseISO";
import { entry, withAttachment, type Recorded } from "../_lib.js";
import { attachmentTo } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { NewHistoryEntry } from "../history.js";
import type { StructureId, UserId } from "../ids.js";
import type { Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type Instant, type TransitionContext } from "../time.js";

/** One structure handed over: to whom. */
export interface Succession {
  readonly structureId: StructureId;
  readonly successorId: UserId;
}

/** The primary manager hands the role over, for one or more of their structures (§6 A). */
export interface TransferPrimaryRole {
  /** Each structure once; the same successor for all, or one per structure. */
  readonly transfers: readonly Succession[];
}

/** The person deactivates their own account (§6 B), naming a successor for every structure they are primary manager of. */
export interface DeactivateAccount {
  readonly transfers: readonly Succession[];
}

/** What the transfer rules need to know. */
export interface TransferState {
  readonly actor: User;
  /** The records of (at least) the structures named, and for a deactivation, of every structure of the actor. */
  readonly structures: ReadonlyMap<StructureId, Structure>;
  /** The records of the successors named. */
  readonly successors: ReadonlyMap<UserId, User>;
}

/** What a transfer decided: the structures and successors to write. */
export interface PrimaryRoleTransferred extends Recorded {
  readonly structures: readonly Structure[];
  /** The successors whose record changed (attached, or widened to the whole structure). */
  readonly successors: readonly User[];
}

/** What a deactivation decided. */
export interface AccountDeactivated extends PrimaryRoleTransferred {
  readonly user: User;
  readonly reactivableUntil: Instant;
}

/** What a reactivation decided. */
export interface AccountReactivated extends Recorded {
  readonly user: User;
}

/**
 * The structures a user is primary manager of, among those given (by designation).
 *
 * @example
 * ```ts
 * primaryStructuresOf(alice, structuresById).map((s) => s.designation); // ["Librairie Dupont", "Mairie de Lyon"]
 * ```
 */
export function primaryStructuresOf(user: User, structures: ReadonlyMap<StructureId, Structure>): Structure[] {
  return [...structures.values()]
    .filter((s) => s.primaryManagerId === user.id)
    .sort((a, b) =>
      a.designation < b.designation
        ? -1
        : a.designation > b.designation
          ? 1
          : // Stryker disable next-line EqualityOperator: equivalent, two structures of one map never share an id (a.id <= b.id is a.id < b.id).
            a.id < b.id
            ? -1
            : 1,
    );
}

/** The transfers themselves, once the actor's right to make them is established. */
function handOver(state: TransferState, transfers: readonly Succession[], ctx: TransitionContext): Result<PrimaryRoleTransferred, DomainError> {
  const { actor } = state;
  const today = todayOf(ctx);
  const at = toInstant(ctx.now);
  const structures: Structure[] = [];
  const successors = new Map<UserId, User>();
  const history: NewHistoryEntry[] = [];
  const events: DomainEvent[] = [];
  for (const { structureId, successorId } of transfers) {
    const structure = state.structures.get(structureId);
    // An unknown structure and another's get the same answer: nothing is told about either.
    if (structure === undefined || structure.primaryManagerId !== actor.id)
      return err({ code: "FORBIDDEN", actorId: actor.id, structureId, reason: "notThePrimaryManager" });
    if (successorId === actor.id) return err({ code: "SUCCESSOR_IS_PRIMARY_MANAGER", structureId, userId: successorId });
    const successor = successors.get(successorId) ?? state.successors.get(successorId);
    if (successor === undefined) return err({ code: "NOT_FOUND", entity: "user", id: successorId });
    if (successor.status !== "active") {
      // Another account's status is told only to a manager who sees it (a member of the
      // structure): anyone else gets the answer an unknown id gets.
      if (attachmentTo(successor, structureId) === undefined) return err({ code: "NOT_FOUND", entity: "user", id: successorId });
      return err({ code: "ACCOUNT_NOT_ACTIVE", userId: successorId, status: successor.status });
    }
    // The primary manager is attached to the whole structure, in force, without an end:
    // attach the successor so, or widen, bring forward and clear the end of what they
    // held. The stored role is the one they keep once they hand the role over in turn: a
    // simple user.
    const held = attachmentTo(successor, structureId);
    const whole =
      held !== undefined && held.scope.kind === "structure" && held.validFrom <= today && held.validUntil === null && held.role === "user"
        ? successor
        : withAttachment(successor, {
            structureId,
            role: "user",
            scope: { kind: "structure" },
            validFrom:
              held !== undefined &&
              // Stryker disable next-line EqualityOperator: the <= into < is equivalent, on held.validFrom === today both give today.
              held.validFrom <= today
                ? held.validFrom
                : today,
            validUntil: null,
            endNotice: null,
            attachedBy: held?.attachedBy ?? actor.id,
            attachedAt: held?.attachedAt ?? at,
          });
    successors.set(successorId, whole);
    structures.push({ ...structure, primaryManagerId: successorId });
    history.push(entry("primaryRoleTransferred", at, structureId, actor.id, successorId, { formerPrimaryManagerId: actor.id }));
    events.push({ type: "PrimaryRoleTransferred", at, structureId, formerPrimaryManagerId: actor.id, primaryManagerId: successorId });
  }
  const changed = [...successors.values()].filter((u) => u !== state.successors.get(u.id));
  return ok({ structures, successors: changed, history, events });
}

/** The transfers named, checked: each structure once. */
function distinct(transfers: readonly Succession[]): Result<readonly Succession[], DomainError> {
  const seen = new Set<StructureId>();
  for (const t of transfers) {
    if (seen.has(t.structureId))
      return err({ code: "VALIDATION", issues: [{ path: ["transfers"], code: "custom", message: "chaque structure une seule fois" }] });
    seen.add(t.structureId);
  }
  return ok(transfers);
}

/**
 * The primary manager hands the role over (guide §6 A, « le gestionnaire souhaite
 * conserver son accès »): for each structure named, its successor becomes primary
 * manager, attached to the whole structure (attached if they were not); the former
 * primary manager stays attached as a simple user. Space grants are untouched. All the
 * structures named change hands, or none does.
 *
 * Refusals: `FORBIDDEN` (an inactive account, or a structure the actor is not primary
 * manager of, existing or not: `notThePrimaryManager`), `NOT_FOUND` (an unknown
 * successor, or one without an active account who is not a member of the structure:
 * another account's status is not told to whoever names it), `SUCCESSOR_IS_PRIMARY_MANAGER`,
 * `ACCOUNT_NOT_ACTIVE` (a member of the structure without an active account),
 * `VALIDATION` (a structure named twice).
 *
 * History: « Rôle de gestionnaire principal transféré » on each structure; events
 * `PrimaryRoleTransferred`, for the host to tell both people.
 *
 * @example
 * ```ts
 * const r = transferPrimaryRole({ actor: alice, structures, successors },
 *   { transfers: [{ structureId: mairie.id, successorId: bruno.id }] }, { now });
 * if (r.ok) r.value.structures[0]?.primaryManagerId; // bruno.id
 * ```
 */
export function transferPrimaryRole(
  state: TransferState,
  command: TransferPrimaryRole,
  ctx: TransitionContext,
): Result<PrimaryRoleTransferred, DomainError> {
  if (state.actor.status !== "active")
    return err({ code: "FORBIDDEN", actorId: state.actor.id, structureId: null, reason: "accountNotActive" });
  const transfers = distinct(command.transfers);
  if (!transfers.ok) return transfers;
  return handOver(state, transfers.value, ctx);
}

/**
 * The person deactivates their own account (guide §6 B, « le gestionnaire ne souhaite
 * pas conserver son accès »): refused until a successor is named for every structure
 * they are primary manager of; then every transfer and the deactivation happen in one
 * unit of work. Refused while the account is attached to a public structure using the
 * PIGP (the DGFiP manages those accounts). The attachments stay as they are (a simple
 * user where the person was primary manager): a reactivation inside the window gives
 * them back.
 *
 * Refusals: `FORBIDDEN` (an inactive account), `PIGP_ACCOUNT`, `SUCCESSOR_REQUIRED`
 * (with the structures still without a successor), and those of
 * {@link transferPrimaryRole}.
 *
 * History: the transfers, and « Compte désactivé » on every structure of the account;
 * events `PrimaryRoleTransferred` and `AccountDeactivated`.
 *
 * @example
 * ```ts
 * const r = deactivateAccount({ actor: alice, structures, successors }, { transfers: [] }, { now, reactivationWindowHours: 1440 });
 * // err({ code: "SUCCESSOR_REQUIRED", structureIds: [mairie.id, librairie.id], … })
 * ```
 */
export function deactivateAccount(
  state: TransferState,
  command: DeactivateAccount,
  ctx: TransitionContext & { readonly reactivationWindowHours: number },
): Result<AccountDeactivated, DomainError> {
  const { actor } = state;
  if (actor.status !== "active")
    return err({ code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" });
  const pigp = actor.attachments
    .map((a) => state.structures.get(a.structureId))
    .filter(
      (s): s is Structure =>
        // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent. The guard: the TransferState contract gives every structure of the actor for a deactivation. The || (then s.viaPigp alone decides): createStructure sets viaPigp only on a public structure.
        s !== undefined &&
        // Stryker disable next-line ConditionalExpression: equivalent, createStructure sets viaPigp only on a public structure.
        s.kind === "public" &&
        s.viaPigp,
    )
    .map((s) => s.id);
  if (pigp.length > 0) return err({ code: "PIGP_ACCOUNT", userId: actor.id, structureIds: pigp });
  const transfers = distinct(command.transfers);
  if (!transfers.ok) return transfers;
  const named = new Set(transfers.value.map((t) => t.structureId));
  const missing = primaryStructuresOf(actor, state.structures)
    .map((s) => s.id)
    .filter((id) => !named.has(id));
  if (missing.length > 0) return err({ code: "SUCCESSOR_REQUIRED", userId: actor.id, structureIds: missing });
  const handed = handOver(state, transfers.value, ctx);
  if (!handed.ok) return handed;
  const at = toInstant(ctx.now);
  const reactivableUntil = toInstant(addHours(ctx.now, ctx.reactivationWindowHours));
  const user: User = { ...actor, status: "deactivated", deactivatedAt: at };
  return ok({
    ...handed.value,
    user,
    reactivableUntil,
    history: [
      ...handed.value.history,
      ...actor.attachments.map((a) => entry("accountDeactivated", at, a.structureId, actor.id, actor.id, { reactivableUntil })),
    ],
    events: [...handed.value.events, { type: "AccountDeactivated", at, userId: actor.id, reactivableUntil }],
  });
}

/**
 * The person reactivates their own account, until the reactivation window after the
 * deactivation instant has passed (policy, 60 × 24 hours by default: an instant plus
 * hours, whatever the time zone or a change of daylight saving time). The account gets
 * back its attachments as they were at deactivation (a simple user where it was primary
 * manager).
 *
 * Refusals: `ACCOUNT_NOT_DEACTIVATED`, `REACTIVATION_WINDOW_EXPIRED` (from the instant
 * the window closes).
 *
 * History: « Compte réactivé » on every structure of the account; event
 * `AccountReactivated`.
 *
 * @example
 * ```ts
 * const r = reactivateAccount(alice, { now, reactivationWindowHours: 1440 });
 * if (r.ok) r.value.user.status; // "active"
 * ```
 */
export function reactivateAccount(
  user: User,
  ctx: TransitionContext & { readonly reactivationWindowHours: number },
): Result<AccountReactivated, DomainError> {
  if (
    // Stryker disable next-line ConditionalExpression: the status test made false is equivalent, accounts are created with deactivatedAt null, only a deactivation sets it and the reactivation clears it, so no other status has one.
    user.status !== "deactivated" ||
    user.deactivatedAt === null
  )
    return err({ code: "ACCOUNT_NOT_DEACTIVATED", userId: user.id, status: user.status });
  const closes = toInstant(addHours(parseISO(user.deactivatedAt), ctx.reactivationWindowHours));
  const at = toInstant(ctx.now);
  if (at >= closes) return err({ code: "REACTIVATION_WINDOW_EXPIRED", userId: user.id, expiredAt: closes });
  return ok({
    user: { ...user, status: "active", deactivatedAt: null },
    history: user.attachments.map((a) => entry("accountReactivated", at, a.structureId, user.id, user.id, {})),
    events: [{ type: "AccountReactivated", at, userId: user.id }],
  });
}
