// Internal helpers shared by the transitions; not exported from the package.
import type { DomainEvent } from "./events.js";
import type { HistoryDetails, HistoryKind, NewHistoryEntry } from "./history.js";
import type { AttachmentRequestId, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import type { Attachment, User } from "./model.js";
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
  actorId: UserId,
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
