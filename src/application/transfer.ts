// Guide §6, « Transférer le rôle de gestionnaire principal »: list the structures one is
// primary manager of, hand the role over (A), deactivate one's account naming successors
// (B), reactivate it inside the window.
import {
  deactivateAccount as deactivateAccountRule,
  err,
  ok,
  parseDeactivateAccount,
  parseTransferPrimaryRole,
  primaryStructuresOf,
  reactivateAccount as reactivateAccountRule,
  transferPrimaryRole as transferPrimaryRoleRule,
  type DomainError,
  type Instant,
  type PrimaryRoleTransferred,
  type Result,
  type Structure,
  type StructureId,
  type Succession,
  type User,
  type UserId,
  type DeactivateAccountInput,
  type TransferPrimaryRoleInput,
} from "../core/index.js";
import { structureCard, type StructureCard } from "../core/_lib.js";
import { frozenCopy } from "../internal/frozen.js";
import type { Staged } from "./session.js";
import { UNKNOWN_ACTOR, execute, parseAct, selfActor, parseActor, parseCommandOptions, Session, shielded, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What a transfer gives back: per structure, its new primary manager as seen from it. */
export type PrimaryRoleTransferredOutcome = Outcome<{
  readonly transfers: readonly { readonly structureId: StructureId; readonly primaryManager: MemberView }[];
}>;

/** What a deactivation gives back. */
export type AccountDeactivatedOutcome = Outcome<{
  readonly transfers: readonly { readonly structureId: StructureId; readonly primaryManager: MemberView }[];
  /** When the reactivation window closes: the account may be reactivated before this instant, not from it on. */
  readonly reactivableUntil: Instant;
}>;

/** What a reactivation gives back. */
export type AccountReactivatedOutcome = Outcome<{ readonly userId: UserId }>;

/** Loads the actor, every structure they are attached to, and the successors named. */
async function load(session: Session, actorId: UserId, successorIds: readonly UserId[], structureIds: readonly StructureId[]) {
  await session.prefetch({ user: [actorId, ...successorIds], structure: structureIds });
  const actor = await session.user(actorId);
  if (actor === null) return null;
  const ids = [...new Set([...actor.value.attachments.map((a) => a.structureId), ...structureIds])];
  await session.prefetch({ structure: ids });
  const structures = new Map<StructureId, Structure>();
  for (const id of ids) {
    const s = await session.structure(id);
    if (s !== null) structures.set(id, s.value);
  }
  const successors = new Map<UserId, User>();
  for (const id of successorIds) {
    const u = await session.user(id);
    if (u !== null) successors.set(id, u.value);
  }
  return { actor: actor.value, structures, successors };
}

function writesOf(decided: PrimaryRoleTransferred): Staged[] {
  return [
    ...decided.structures.map((value): Staged => ({ kind: "structure", value })),
    ...decided.successors.map((value): Staged => ({ kind: "user", value })),
  ];
}

function shownTransfers(decided: PrimaryRoleTransferred, successors: ReadonlyMap<UserId, User>) {
  const after = new Map(successors);
  for (const u of decided.successors) after.set(u.id, u);
  return decided.structures.map((s) => ({ structureId: s.id, primaryManager: memberView(after.get(s.primaryManagerId) as User, s) }));
}

/** Builds the operations of guide §6. */
export function transferOperations(deps: Deps) {
  const { store } = deps;

  return {
    /**
     * The structures the actor is primary manager of (guide §6: « Chorus Pro liste alors
     * les structures pour lesquelles l'utilisateur est gestionnaire principal »), by
     * designation.
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const r = await app.listPrimaryStructures(alice.id);
     * if (r.ok) r.value.map((s) => s.designation); // ["Librairie Dupont", "Mairie de Lyon"]
     * ```
     */
    async listPrimaryStructures(actor: ActorId): Promise<Result<readonly StructureCard[], DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      return shielded(deps, "listPrimaryStructures", async () => {
        const loaded = await load(new Session(store), actorId.value, [], []);
        if (loaded === null) return err(UNKNOWN_ACTOR);
        return ok(frozenCopy(primaryStructuresOf(loaded.actor, loaded.structures).map(structureCard)));
      });
    },

    /**
     * The primary manager hands the role over (guide §6 A): for one or more of their
     * structures, the same successor for all (`{ structureIds, successorId }`) or one per
     * structure (`{ transfers: [{ structureId, successorId }] }`). Each successor must
     * hold an active account; they become primary manager, attached to the whole
     * structure (attached if they were not). The former primary manager stays attached
     * as a simple user. Space grants are untouched. One unit of work: every structure
     * named changes hands, or none does. Successors are found with `lookupPerson`.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN` (an inactive account; a structure the actor
     * is not primary manager of, even as its secondary manager: `notThePrimaryManager`),
     * `NOT_FOUND`, `SUCCESSOR_IS_PRIMARY_MANAGER`, `ACCOUNT_NOT_ACTIVE`.
     *
     * @example
     * ```ts
     * await app.transferPrimaryRole(alice.id, { structureIds: [mairie, ecole], successorId: bruno });
     * await app.transferPrimaryRole(alice.id, { transfers: [{ structureId: librairie, successorId: chloe }] });
     * ```
     */
    async transferPrimaryRole(actor: ActorId, input: TransferPrimaryRoleInput, options?: CommandOptions): Promise<Result<PrimaryRoleTransferredOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseTransferPrimaryRole);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "transferPrimaryRole",
        actorId,
        command,
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx }) {
          const loaded = await load(
            session,
            actorId,
            command.transfers.map((t) => t.successorId),
            command.transfers.map((t) => t.structureId),
          );
          if (loaded === null) return err(UNKNOWN_ACTOR);
          const decided = transferPrimaryRoleRule(loaded, command, ctx);
          if (!decided.ok) return decided;
          return ok({ outcome: { ...decided.value, before: loaded.successors }, writes: writesOf(decided.value) });
        },
        show: (o) => ({ transfers: shownTransfers(o, o.before) }),
      });
    },

    /**
     * The person deactivates their own account (guide §6 B). Refused with
     * `SUCCESSOR_REQUIRED` (listing the structures still without one) until a successor
     * is named for every structure they are primary manager of: one per structure
     * (`{ transfers }`), or the same for all (`{ successorId }`); `{ transfers: [] }`
     * when they are primary manager of nothing. Then every transfer and the
     * deactivation happen in one unit of work. Refused with `PIGP_ACCOUNT` while the
     * account is attached to a public structure using the PIGP. The account may be
     * reactivated until `reactivableUntil` (option `reactivationWindowHours`, 60 × 24 by
     * default).
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND`, `PIGP_ACCOUNT`,
     * `SUCCESSOR_REQUIRED`, and those of `transferPrimaryRole`.
     *
     * @example
     * ```ts
     * const r = await app.deactivateAccount(alice.id, { successorId: bruno });
     * if (r.ok) r.value.reactivableUntil; // 60 days later, to the minute
     * ```
     */
    async deactivateAccount(actor: ActorId, input: DeactivateAccountInput, options?: CommandOptions): Promise<Result<AccountDeactivatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseDeactivateAccount);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "deactivateAccount",
        actorId,
        command,
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx }) {
          const named = "transfers" in command ? command.transfers : [];
          const loaded = await load(
            session,
            actorId,
            "successorId" in command ? [command.successorId] : named.map((t) => t.successorId),
            named.map((t) => t.structureId),
          );
          if (loaded === null) return err(UNKNOWN_ACTOR);
          const transfers: readonly Succession[] =
            "successorId" in command
              ? primaryStructuresOf(loaded.actor, loaded.structures).map((s) => ({ structureId: s.id, successorId: command.successorId }))
              : named;
          const decided = deactivateAccountRule(loaded, { transfers }, { ...ctx, reactivationWindowHours: deps.reactivationWindowHours });
          if (!decided.ok) return decided;
          return ok({
            outcome: { ...decided.value, before: loaded.successors },
            writes: [...writesOf(decided.value), { kind: "user", value: decided.value.user }],
          });
        },
        show: (o) => ({ transfers: shownTransfers(o, o.before), reactivableUntil: o.reactivableUntil }),
      });
    },

    /**
     * The person reactivates their own account, until the window after its deactivation
     * has passed (option `reactivationWindowHours`, 60 × 24 hours by default, counted
     * from the deactivation instant, whatever the time zone). The account gets back its
     * attachments as they were at deactivation (a simple user where it was primary
     * manager).
     *
     * Refusals: `VALIDATION`, `NOT_FOUND`, `ACCOUNT_NOT_DEACTIVATED`,
     * `REACTIVATION_WINDOW_EXPIRED`.
     *
     * @example
     * ```ts
     * const r = await app.reactivateAccount(alice.id);
     * if (!r.ok && r.error.code === "REACTIVATION_WINDOW_EXPIRED") r.error.expiredAt;
     * ```
     */
    async reactivateAccount(actor: ActorId, options?: CommandOptions): Promise<Result<AccountReactivatedOutcome, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const opts = parseCommandOptions(options);
      if (!opts.ok) return opts;
      return execute(deps, {
        operation: "reactivateAccount",
        actorId: actorId.value,
        command: {},
        idempotencyKey: opts.value.idempotencyKey,
        entitled: selfActor(actorId.value),
        async decide({ session, ctx }) {
          const user = await session.user(actorId.value);
          if (user === null) return err(UNKNOWN_ACTOR);
          const decided = reactivateAccountRule(user.value, { ...ctx, reactivationWindowHours: deps.reactivationWindowHours });
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "user", value: decided.value.user }] });
        },
        show: (o) => ({ userId: o.user.id }),
      });
    },
  };
}
