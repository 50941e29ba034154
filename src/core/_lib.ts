// Helpers shared by the transitions (the card types are exported: they are part of the views).
import type { DomainEvent } from "./events.js";
import type { HistoryDetails, HistoryKind, NewHistoryEntry } from "./history.js";
import type { AttachmentRequestId, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import type { StructureIdentifier } from "./identifier.js";
import type { Attachment, Structure, User } from "./model.js";
import type { AccountStatus, StructureKind } from "./vocabulary.js";
import type { Instant } from "./time.js";

/** A user with their attachment to `attachment.structureId` added or replaced. */
export function withAttachment(user: User, attachment: Attachment): User {
  const others = user.attachments.filter((a) => a.structureId !== attachment.structureId);
  return { ...user, attachments: [...others, attachment] };
}

/** A user without their attachment to a structure. */
export function withoutAttachment(user: User, structureId: StructureId): User {
  return { ...user, attachments: user.attachments.filter((a) => a.structureId !== structureId) };
}

/** A history entry, with empty fields set to `null`. */
export function entry(
  kind: HistoryKind,
  at: Instant,
  structureId: StructureId,
  actorId: UserId | null,
  target: UserId | null,
  details: HistoryDetails,
  requestId: AttachmentRequestId | SubscriptionRequestId | null = null,
): NewHistoryEntry {
  return { structureId, kind, at, actorId, targetUserId: target, requestId, details };
}

/** The `history` and `events` every successful transition returns beside its changes. */
export interface Recorded {
  /** What the structure's history gains (the store gives each its sequence number). */
  readonly history: readonly NewHistoryEntry[];
  /** What the host is told (e-mails, notifications). */
  readonly events: readonly DomainEvent[];
}

/** A structure as a request's consultation screen shows it. */
export interface StructureCard {
  readonly id: StructureId;
  readonly designation: string;
  readonly kind: StructureKind;
  readonly viaPigp: boolean;
  readonly identifier: StructureIdentifier;
}

/** A requester as a manager of the request's structure sees them on its consultation screen. */
export interface RequesterCard {
  readonly id: UserId;
  readonly login: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly status: AccountStatus;
}

/** A structure's card: what a consultation screen, or the list of one's structures to hand over, shows of it. */
export function structureCard(structure: Structure): StructureCard {
  return {
    id: structure.id,
    designation: structure.designation,
    kind: structure.kind,
    viaPigp: structure.viaPigp,
    identifier: structure.identifier,
  };
}

/** The structure and requester cards of a consultation screen. */
export function cards(structure: Structure, requester: User): { structure: StructureCard; user: RequesterCard } {
  return {
    structure: structureCard(structure),
    user: { id: requester.id, login: requester.login, lastName: requester.lastName, firstName: requester.firstName, status: requester.status },
  };
}
