// Guide §3 A, « Rattacher un utilisateur ayant un compte »: attach a user on the
// manager's initiative, change a member's role, remove an attachment, list members.
import { z } from "zod";
import {
  attachmentTo,
  attachUser as attachUserRule,
  changeAttachmentEnd as changeAttachmentEndRule,
  changeMemberRole as changeMemberRoleRule,
  copyMemberRights as copyMemberRightsRule,
  err,
  isInForce,
  leaveStructure as leaveStructureRule,
  parseLeaveStructure,
  ok,
  parseAttachUser,
  parseChangeAttachmentEnd,
  parseChangeMemberRole,
  parseCopyMemberRights,
  parseRemoveAttachment,
  parseWith,
  removeAttachment as removeAttachmentRule,
  scopeServiceIds,
  StructureIdSchema,
  UserIdSchema,
  type AccountStatus,
  type AttachmentScope,
  type DomainError,
  type LocalDate,
  type MemberChanged,
  type MemberState,
  type Result,
  type Role,
  type Structure,
  type StructureId,
  type TransitionContext,
  type UserId,
  type AttachUserInput,
  type ChangeAttachmentEndInput,
  type ChangeMemberRoleInput,
  type CopyMemberRightsInput,
  type DeepReadonly,
  type LeaveStructureInput,
  type RemoveAttachmentInput,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { Page } from "../port/store.js";
import { CursorSchema, decodeCursor, encodeCursor, PageLimitSchema } from "./cursor.js";
import { UNKNOWN_ACTOR, clocked, execute, judge, managerOf, parseAct, selfActor, parseActor, Session, shielded, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What `attachUser`, `changeMemberRole`, `removeAttachment`, `changeAttachmentEnd` and `copyMemberRights` give back: the member as seen from the structure. */
export type MemberChangedOutcome = Outcome<{ readonly member: MemberView }>;

/** A member of a structure, as a manager's list shows them. */
export interface MemberSummary {
  readonly userId: UserId;
  readonly lastName: string;
  readonly firstName: string;
  readonly login: string;
  readonly status: AccountStatus;
  readonly role: Role;
  readonly scope: AttachmentScope;
  readonly validFrom: LocalDate;
  /** The first day without the right (`null`: no end). */
  readonly validUntil: LocalDate | null;
  /** Whether the attachment gives rights today: its start reached, its end not reached. */
  readonly inForce: boolean;
}

const MembersQuerySchema = z.strictObject({
  structureId: StructureIdSchema,
  limit: PageLimitSchema,
  cursor: CursorSchema.exactOptional(),
});
/** What `listMembers` takes: the structure, a page size (1 to 500, default 50; `"20"` as a query string gives it is read as 20) and the cursor of the page before. */
export type ListMembersInput = DeepReadonly<z.input<typeof MembersQuerySchema>>;

/** Builds the operations of guide §3 A. */
export function attachmentOperations(deps: Deps) {
  /** Shared shape of the acts on one member (role change, removal). */
  function onMember<C extends { readonly structureId: StructureId; readonly userId: UserId }>(
    operation: string,
    actorId: UserId,
    command: C,
    idempotencyKey: string | undefined,
    rule: (state: MemberState, c: C, ctx: TransitionContext) => Result<MemberChanged, DomainError>,
  ): Promise<Result<MemberChangedOutcome, DomainError>> {
    return execute(deps, {
      operation,
      actorId,
      command,
      idempotencyKey,
      entitled: managerOf(actorId, command.structureId),
      async decide({ session, ctx }) {
        // One read before the commit. When the member is the actor, the session gives back
        // the very record judged.
        await session.prefetch({ user: [actorId, command.userId], structure: [command.structureId] });
        const judged = await judge(session, actorId, command.structureId, ctx.today);
        if (!judged.ok) return judged;
        const member = await session.user(command.userId);
        if (member === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
        const decided = rule({ ...judged.value, member: member.value }, command, ctx);
        if (!decided.ok) return decided;
        return ok({
          outcome: { ...decided.value, structure: judged.value.structure },
          writes: [{ kind: "user", value: decided.value.member }],
        });
      },
      show: (o: MemberChanged & { structure: Structure }) => ({ member: memberView(o.member, o.structure) }),
    });
  }

  return {
    /**
     * Attaches a user who has an account, on the manager's initiative (guide §3 A): a
     * role, a validity start date (today or later, French calendar), a mandatory
     * comment, the whole structure or some of its services.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN` (the actor may not manage the structure),
     * `NOT_FOUND` (unknown user, or a service that is not the structure's),
     * `CANNOT_GRANT_PRIMARY`, `VALID_FROM_IN_THE_PAST`, `COMMENT_REQUIRED`,
     * `ALREADY_ATTACHED`, `ACCOUNT_NOT_ACTIVE`, `EMPTY_SCOPE`, `SERVICE_INACTIVE`.
     *
     * @example
     * ```ts
     * const r = await app.attachUser(alice.id, {
     *   structureId, userId: bruno.id, role: "user", validFrom: "2026-12-01",
     *   comment: "Renfort pour la clôture", scope: { kind: "structure" },
     * });
     * if (r.ok) r.value.member.attachment?.validFrom; // "2026-12-01"
     * ```
     */
    async attachUser(actor: ActorId, input: AttachUserInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseAttachUser);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "attachUser",
        actorId,
        command,
        idempotencyKey,
        entitled: managerOf(actorId, command.structureId),
        async decide({ session, ctx }) {
          await session.prefetch({
            user: [actorId, command.userId],
            structure: [command.structureId],
            service: scopeServiceIds(command.scope),
          });
          const judged = await judge(session, actorId, command.structureId, ctx.today);
          if (!judged.ok) return judged;
          const target = await session.user(command.userId);
          if (target === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
          const services = await session.services(scopeServiceIds(command.scope));
          const decided = attachUserRule({ ...judged.value, user: target.value, services }, command, ctx);
          if (!decided.ok) return decided;
          return ok({
            outcome: { ...decided.value, structure: judged.value.structure },
            writes: [{ kind: "user", value: decided.value.user }],
          });
        },
        show: (o) => ({ member: memberView(o.user, o.structure) }),
      });
    },

    /**
     * Changes a member's role (secondary manager ↔ simple user).
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member),
     * `CANNOT_GRANT_PRIMARY`, `TRANSFER_REQUIRED`, `ROLE_UNCHANGED`.
     *
     * @example
     * ```ts
     * await app.changeMemberRole(alice.id, { structureId, userId: bruno.id, role: "secondaryManager" });
     * ```
     */
    async changeMemberRole(actor: ActorId, input: ChangeMemberRoleInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseChangeMemberRole);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onMember("changeMemberRole", actorId, command, idempotencyKey, changeMemberRoleRule);
    },

    /**
     * Removes a member's attachment (history: « Supprimé »).
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member),
     * `TRANSFER_REQUIRED`.
     *
     * @example
     * ```ts
     * await app.removeAttachment(alice.id, { structureId, userId: bruno.id });
     * ```
     */
    async removeAttachment(actor: ActorId, input: RemoveAttachmentInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRemoveAttachment);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onMember("removeAttachment", actorId, command, idempotencyKey, removeAttachmentRule);
    },

    /**
     * Extends, shortens or removes the end date of a member's attachment (`validUntil`,
     * the first day without the right; `null`: no end). A member whose end has passed
     * comes back in force with a later end (or none). History « Date de fin modifiée ».
     *
     * Refusals: `VALIDATION`, `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member),
     * `TRANSFER_REQUIRED` (the primary manager's attachment never ends),
     * `SELF_DECISION_FORBIDDEN`, `VALID_UNTIL_UNCHANGED`, `VALID_UNTIL_TOO_EARLY`.
     *
     * @example
     * ```ts
     * const r = await app.changeAttachmentEnd(alice.id, { structureId, userId: bruno.id, validUntil: "2027-06-30" });
     * if (r.ok) r.value.member.attachment?.validUntil; // "2027-06-30"
     * ```
     */
    async changeAttachmentEnd(actor: ActorId, input: ChangeAttachmentEndInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseChangeAttachmentEnd);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onMember("changeAttachmentEnd", actorId, command, idempotencyKey, changeAttachmentEndRule);
    },

    /**
     * Gives a member of the structure the rights another member (the model) holds there,
     * in one act (« dupliquer les habilitations »): the model's role, scope and grants,
     * as far as the actor could give them today (services still active, grants still in
     * force where they point), replacing the member's own there; the member's dates stay
     * theirs. History « Habilitations dupliquées » (naming the model); the member is told
     * (`MemberRightsCopied`, without the model's name).
     *
     * Refusals: `VALIDATION` (also the same user as model and member), `FORBIDDEN`,
     * `NOT_FOUND` (either user, also one who is not a member), `SELF_DECISION_FORBIDDEN`,
     * `TRANSFER_REQUIRED` (the member is the primary manager), `CANNOT_GRANT_PRIMARY` (the
     * model is), `ACCOUNT_NOT_ACTIVE`, `SERVICE_INACTIVE`.
     *
     * @example
     * ```ts
     * const r = await app.copyMemberRights(alice.id, { structureId, modelUserId: elodie.id, userId: bruno.id });
     * if (r.ok) r.value.member.role; // Élodie's role
     * ```
     */
    async copyMemberRights(actor: ActorId, input: CopyMemberRightsInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseCopyMemberRights);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "copyMemberRights",
        actorId,
        command,
        idempotencyKey,
        entitled: managerOf(actorId, command.structureId),
        async decide({ session, ctx }) {
          await session.prefetch({ user: [actorId, command.userId, command.modelUserId], structure: [command.structureId] });
          const judged = await judge(session, actorId, command.structureId, ctx.today);
          if (!judged.ok) return judged;
          const member = await session.user(command.userId);
          if (member === null) return err({ code: "NOT_FOUND", entity: "user", id: command.userId });
          const model = await session.user(command.modelUserId);
          if (model === null) return err({ code: "NOT_FOUND", entity: "user", id: command.modelUserId });
          // The services the model's scope and grants there name (a model who is not a member names none).
          const held = attachmentTo(model.value, command.structureId);
          const serviceIds = held === undefined ? [] : [
            ...scopeServiceIds(held.scope),
            ...model.value.grants.flatMap((g) => (g.structureId === command.structureId && g.serviceId !== null ? [g.serviceId] : [])),
          ];
          const services = await session.services(serviceIds);
          const decided = copyMemberRightsRule({ ...judged.value, model: model.value, member: member.value, services }, command, ctx);
          if (!decided.ok) return decided;
          return ok({ outcome: { ...decided.value, structure: judged.value.structure }, writes: [{ kind: "user", value: decided.value.member }] });
        },
        show: (o) => ({ member: memberView(o.member, o.structure) }),
      });
    },

    /**
     * The person leaves a structure they are attached to, whoever attached them (a
     * manager's `UserAttached` event tells them they were): nobody stays a member of a
     * structure against their will. Their grants on it go with the attachment; the
     * primary manager hands the role over first. History « Supprimé », the person as
     * actor.
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`, `NOT_FOUND` (a structure the person is not
     * attached to, as an unknown one), `FORBIDDEN` (an account not active),
     * `TRANSFER_REQUIRED`.
     *
     * @example
     * ```ts
     * const r = await app.leaveStructure(victor.id, { structureId });
     * if (r.ok) r.value.member.attachment; // null
     * ```
     */
    async leaveStructure(actor: ActorId, input: LeaveStructureInput, options?: CommandOptions): Promise<Result<MemberChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseLeaveStructure);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "leaveStructure",
        actorId,
        command,
        idempotencyKey,
        entitled: selfActor(actorId),
        async decide({ session, ctx }) {
          await session.prefetch({ user: [actorId], structure: [command.structureId] });
          const user = await session.user(actorId);
          if (user === null) return err(UNKNOWN_ACTOR);
          const structure = await session.structure(command.structureId);
          if (structure === null) {
            if (user.value.status !== "active") return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "accountNotActive" });
            return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
          }
          const decided = leaveStructureRule({ user: user.value, structure: structure.value }, command, ctx);
          if (!decided.ok) return decided;
          return ok({ outcome: { ...decided.value, structure: structure.value }, writes: [{ kind: "user", value: decided.value.member }] });
        },
        show: (o) => ({ member: memberView(o.member, o.structure) }),
      });
    },

    /**
     * The members of a structure the actor manages, by user id, a page at a time, with
     * their role (derived: primary manager from the structure), scope, dates and whether
     * their attachment is in force today (a member whose end has passed stays listed, not
     * in force, until a manager gives a later end or removes them).
     *
     * Refusals: `VALIDATION` (a bad limit, or a cursor that is not one of this list),
     * `FORBIDDEN`, `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const page = await app.listMembers(alice.id, { structureId, limit: 100 });
     * if (page.ok && page.value.nextCursor) await app.listMembers(alice.id, { structureId, cursor: page.value.nextCursor });
     * ```
     */
    async listMembers(actor: ActorId, input: ListMembersInput): Promise<Result<Page<MemberSummary>, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseWith(MembersQuerySchema, input);
      if (!query.ok) return query;
      const { structureId, limit, cursor } = query.value;
      let after: UserId | undefined;
      if (cursor !== undefined) {
        const decoded = decodeCursor(cursor, "members", structureId, UserIdSchema);
        if (!decoded.ok) return decoded;
        after = decoded.value;
      }
      return shielded(deps, "listMembers", async () => {
        const ctx = clocked(deps);
        const judged = await judge(new Session(deps.store), actorId.value, structureId, ctx.today);
        if (!judged.ok) return judged;
        const { structure } = judged.value;
        const users = await deps.store.listMembers(structureId, after === undefined ? { limit: limit + 1 } : { limit: limit + 1, after });
        const more = users.length > limit;
        const page = more ? users.slice(0, limit) : users;
        const items = page.flatMap((user): MemberSummary[] => {
          const view = memberView(user, structure);
          if (view.attachment === null || view.role === null) return [];
          return [
            {
              userId: user.id,
              lastName: user.lastName,
              firstName: user.firstName,
              login: user.login,
              status: user.status,
              role: view.role,
              scope: view.attachment.scope,
              validFrom: view.attachment.validFrom,
              validUntil: view.attachment.validUntil,
              inForce: isInForce(view.attachment.validFrom, ctx.today, view.attachment.validUntil),
            },
          ];
        });
        const last = page[page.length - 1];
        return ok(
          frozenCopy({ items, nextCursor: more && last !== undefined ? encodeCursor("members", structureId, last.id) : null }),
        );
      });
    },
  };
}
