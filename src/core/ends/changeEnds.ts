// Rights with an end (issue 21): a manager extends, shortens or removes the end date of a
// member's attachment or of one of their grants.
import { entry, withAttachment } from "../_lib.js";
import { checkMember, type MemberChanged, type MemberState } from "../attachments/memberChanges.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, SpaceCode, StructureId, UserId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import { grantKey } from "../subscriptions/access.js";
import { checkManagerOnMember, type GrantsChanged, type GrantState } from "../subscriptions/grants.js";
import { visibleText } from "../text.js";
import { toInstant, todayOf, type LocalDate, type TransitionContext } from "../time.js";
import { checkValidUntil, withEnd } from "./rules.js";

/** A manager gives a member's attachment another end date. */
export interface ChangeAttachmentEnd {
  readonly structureId: StructureId;
  readonly userId: UserId;
  /** The first day without the right, after the attachment's start and today; `null`: no end. */
  readonly validUntil: LocalDate | null;
  /** Why (optional), kept in the history. */
  readonly comment?: string;
}

/** A manager gives one of a member's grants another end date. */
export interface ChangeGrantEnd {
  readonly structureId: StructureId;
  readonly userId: UserId;
  readonly space: SpaceCode;
  /** `null`: the grant for all services. */
  readonly serviceId: ServiceId | null;
  /** The first day without the grant, after today; `null`: no end. */
  readonly validUntil: LocalDate | null;
  /** Why (optional), kept in the history. */
  readonly comment?: string;
}

/** The comment of a change, when one was given and is not blank. */
function commentOf(comment: string | undefined): { comment?: string } {
  const text = visibleText(comment);
  return text === null ? {} : { comment: text };
}

/**
 * A manager extends, shortens or removes the end date of a member's attachment
 * (« date de fin »): `validUntil` is the first day without the right (`null`: no end).
 * An attachment whose end has passed comes back in force with a later end (or none).
 * The primary manager's attachment never ends, and nobody changes their own.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (also a user who is not a member: the same answer
 * as an unknown id), `TRANSFER_REQUIRED` (the primary manager), `SELF_DECISION_FORBIDDEN`,
 * `VALID_UNTIL_UNCHANGED`, `VALID_UNTIL_TOO_EARLY` (on or before the attachment's start or
 * today).
 *
 * History: « Date de fin modifiée » (`validUntil`, `previousValidUntil`); event
 * `AttachmentEndChanged`, for the host to tell the person.
 *
 * @example
 * ```ts
 * const r = changeAttachmentEnd({ actor: alice, structure, member: bruno },
 *   { structureId: structure.id, userId: bruno.id, validUntil: localDate("2027-06-30") }, { now });
 * if (r.ok) r.value.member.attachments[0]?.validUntil; // "2027-06-30"
 * ```
 */
export function changeAttachmentEnd(
  state: MemberState,
  command: ChangeAttachmentEnd,
  ctx: TransitionContext,
): Result<MemberChanged, DomainError> {
  const current = checkMember(state, command, ctx);
  if (!current.ok) return current;
  const { actor, structure, member } = state;
  if (actor.id === member.id) return err({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: member.id });
  const attachment = current.value;
  if (attachment.validUntil === command.validUntil)
    return err({ code: "VALID_UNTIL_UNCHANGED", structureId: structure.id, userId: member.id, validUntil: command.validUntil });
  const validUntil = checkValidUntil(command.validUntil, attachment.validFrom, todayOf(ctx));
  if (!validUntil.ok) return validUntil;
  const at = toInstant(ctx.now);
  const change = { validUntil: validUntil.value, previousValidUntil: attachment.validUntil };
  return ok({
    member: withAttachment(member, withEnd(attachment, validUntil.value)),
    history: [entry("attachmentEndChanged", at, structure.id, actor.id, member.id, { ...change, ...commentOf(command.comment) })],
    events: [{ type: "AttachmentEndChanged", at, structureId: structure.id, userId: member.id, changedBy: actor.id, ...change }],
  });
}

/**
 * A manager extends, shortens or removes the end date of one of a member's space grants
 * (the grant for all services when `serviceId` is `null`): `validUntil` is the first day
 * without it (`null`: no end). Nobody changes their own grants (as nobody grants
 * themself spaces).
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (the user, also one who is not a member; or no such
 * grant: `entity: "spaceGrant"`), `SELF_DECISION_FORBIDDEN`, `VALID_UNTIL_UNCHANGED`,
 * `VALID_UNTIL_TOO_EARLY` (today or before).
 *
 * History: « Date de fin d'habilitation modifiée » (`space`, `serviceId`, `access`,
 * `validUntil`, `previousValidUntil`); event `GrantEndChanged`.
 *
 * @example
 * ```ts
 * const r = changeGrantEnd({ actor: alice, structure: mairie, user: chloe, services: new Map() },
 *   { structureId: mairie.id, userId: chloe.id, space: R, serviceId: null, validUntil: null }, { now });
 * if (r.ok) r.value.user.grants[0]?.validUntil; // null
 * ```
 */
export function changeGrantEnd(state: GrantState, command: ChangeGrantEnd, ctx: TransitionContext): Result<GrantsChanged, DomainError> {
  const allowed = checkManagerOnMember(state, command, ctx);
  if (!allowed.ok) return allowed;
  const { actor, structure, user } = state;
  if (actor.id === user.id) return err({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: user.id });
  const key = grantKey(structure.id, command);
  const grant = user.grants.find((g) => grantKey(g.structureId, g) === key);
  if (grant === undefined) return err({ code: "NOT_FOUND", entity: "spaceGrant", id: `${command.space}/${command.serviceId ?? "*"}` });
  if (grant.validUntil === command.validUntil)
    return err({ code: "VALID_UNTIL_UNCHANGED", structureId: structure.id, userId: user.id, validUntil: command.validUntil });
  const validUntil = checkValidUntil(command.validUntil, null, todayOf(ctx));
  if (!validUntil.ok) return validUntil;
  const at = toInstant(ctx.now);
  const change = { validUntil: validUntil.value, previousValidUntil: grant.validUntil };
  const where = { space: grant.space, serviceId: grant.serviceId };
  return ok({
    user: { ...user, grants: user.grants.map((g) => (g === grant ? withEnd(g, validUntil.value) : g)) },
    history: [
      entry("grantEndChanged", at, structure.id, actor.id, user.id, {
        space: grant.space,
        access: grant.access,
        ...(grant.serviceId === null ? {} : { serviceId: grant.serviceId }),
        ...change,
        ...commentOf(command.comment),
      }),
    ],
    events: [{ type: "GrantEndChanged", at, structureId: structure.id, userId: user.id, changedBy: actor.id, ...where, ...change }],
  });
}
