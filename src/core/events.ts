import type { AttachmentRequestId, ServiceId, SpaceCode, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import type { AttachmentScope, SubscriptionItem } from "./model.js";
import type { Instant, LocalDate } from "./time.js";
import type { AttachmentRole, SubscriptionScope } from "./vocabulary.js";

/**
 * What happened, for the host to act on (e-mails, notifications, projections). Every
 * transition returns the events of what it did; the library sends nothing itself.
 */
export type DomainEvent =
  | {
      readonly type: "StructureCreated";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly primaryManagerId: UserId;
    }
  | {
      readonly type: "ServiceAdded" | "ServiceRenamed" | "ServiceDeactivated";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly serviceId: ServiceId;
    }
  | {
      readonly type: "UserRegistered";
      readonly at: Instant;
      readonly userId: UserId;
      readonly login: string;
    }
  | {
      /** Tell the structure's managers a request is waiting. */
      readonly type: "AttachmentRequested";
      readonly at: Instant;
      readonly requestId: AttachmentRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
    }
  | {
      /** Tell the requester their request was validated, with what they got. */
      readonly type: "AttachmentRequestValidated";
      readonly at: Instant;
      readonly requestId: AttachmentRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly decidedBy: UserId;
      readonly role: AttachmentRole;
      readonly scope: AttachmentScope;
    }
  | {
      /** Tell the requester their request was refused, and why. */
      readonly type: "AttachmentRequestRefused";
      readonly at: Instant;
      readonly requestId: AttachmentRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly decidedBy: UserId;
      readonly reason: string;
    }
  | {
      /** Tell the user a manager attached them. */
      readonly type: "UserAttached";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly attachedBy: UserId;
      readonly role: AttachmentRole;
      readonly scope: AttachmentScope;
      readonly validFrom: LocalDate;
    }
  | {
      readonly type: "MemberRoleChanged";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly changedBy: UserId;
      readonly previousRole: AttachmentRole;
      readonly role: AttachmentRole;
    }
  | {
      readonly type: "AttachmentRemoved";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly removedBy: UserId;
    }
  | {
      /** Tell the structure's managers a subscription request is waiting. */
      readonly type: "SubscriptionRequested";
      readonly at: Instant;
      readonly requestId: SubscriptionRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
    }
  | {
      /** Tell the requester which spaces they got. */
      readonly type: "SubscriptionRequestValidated";
      readonly at: Instant;
      readonly requestId: SubscriptionRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly decidedBy: UserId;
      readonly items: readonly SubscriptionItem[];
      readonly scope: SubscriptionScope;
    }
  | {
      /** Tell the requester their subscription request was refused (« Désactivée »). */
      readonly type: "SubscriptionRequestRefused";
      readonly at: Instant;
      readonly requestId: SubscriptionRequestId;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly decidedBy: UserId;
    }
  | {
      readonly type: "SpaceOpened" | "SpaceClosed";
      readonly at: Instant;
      readonly structureId: StructureId;
      /** `null`: on the whole structure. */
      readonly serviceId: ServiceId | null;
      readonly space: SpaceCode;
      readonly by: UserId;
    }
  | {
      /** Tell the user a manager gave them spaces directly. */
      readonly type: "SpacesGranted";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly grantedBy: UserId;
      readonly items: readonly SubscriptionItem[];
    }
  | {
      readonly type: "SpaceGrantRevoked";
      readonly at: Instant;
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly revokedBy: UserId;
      readonly space: SpaceCode;
      readonly serviceId: ServiceId | null;
    };

/** The `type` of every domain event. */
export type DomainEventType = DomainEvent["type"];

/**
 * A domain event as saved with the change it reports: with a stable `id`, the same in
 * the outcome an operation returns and in the outbox, so a host that delivers from
 * both (or twice, after a crash) can tell it has already delivered it.
 */
export type RecordedEvent = DomainEvent & { readonly id: string };
