// Plain records for the contract, apart from the suite so that benchmarks and adapter
// tests can use them without loading the application layer.
import {
  attachmentRequestId,
  localDate,
  serviceId,
  spaceCode,
  structureId,
  subscriptionRequestId,
  userId,
  type HistoryKind,
  type Instant,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type PendingSubscriptionRequest,
  type RecordedEvent,
  type Service,
  type Structure,
  type StructureId,
  type User,
} from "../core/index.js";
import type { IdempotencyClaim } from "../port/store.js";

/** The fixtures' instant: 2026-11-27T09:00:00Z. */
export const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
/** An instant `minutes` after {@link T0}. */
export const instant = (minutes = 0) => new Date(T0 + minutes * 60_000).toISOString() as Instant;
/** An instant `seconds` after {@link T0}. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString() as Instant;

/**
 * Plain records for the contract (the store does not judge the rules, only keeps data),
 * also handy to seed an adapter's own tests.
 *
 * @example
 * ```ts
 * const s = structureId("s-1");
 * await store.commit({
 *   writes: [{ kind: "user", value: contractFixtures.user("u-1", [s]), expectedVersion: null }],
 *   reads: [],
 *   history: [contractFixtures.history("s-1", "userAttached", 0, "u-1")],
 *   events: [contractFixtures.event("e-1")],
 * });
 * ```
 */
export const contractFixtures = {
  user(id: string, attachedTo: readonly StructureId[] = [], login = `${id}@example.fr`): User {
    return {
      id: userId(id),
      login,
      contactEmail: login,
      lastName: `Nom ${id}`,
      firstName: `Prénom ${id}`,
      status: "active",
      attachments: attachedTo.map((s) => ({
        structureId: s,
        role: "user" as const,
        scope: { kind: "structure" as const },
        validFrom: localDate("2026-11-27"),
        validUntil: null,
        endNotice: null,
        attachedBy: userId("u-admin"),
        attachedAt: instant(),
      })),
      grants: [],
      phone: null,
      postalAddress: null,
      settings: { activityNotifications: "never" },
      createdFor: null,
      activation: null,
      contactEmailChange: null,
      accountEmails: [],
      deactivatedAt: null,
      createdAt: instant(),
    };
  },
  structure(id: string, primaryManagerId = "u-admin"): Structure {
    return {
      id: structureId(id),
      designation: `Structure ${id}`,
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
      primaryManagerId: userId(primaryManagerId),
      openSpaces: [],
      createdAt: instant(),
    };
  },
  service(id: string, structure: string, code: string): Service {
    return {
      id: serviceId(id),
      structureId: structureId(structure),
      code,
      label: `Service ${code}`,
      active: true,
      openSpaces: [],
      createdAt: instant(),
    };
  },
  pendingRequest(id: string, user: string, structure: string, minutes = 0): PendingAttachmentRequest {
    return {
      id: attachmentRequestId(id),
      structureId: structureId(structure),
      userId: userId(user),
      requestedRole: "user",
      scope: { kind: "structure" },
      comment: "",
      createdAt: instant(minutes),
      status: "pending",
    };
  },
  /**
   * A pending subscription request: one space for all services (read), one for one
   * service (write), and a comment.
   */
  pendingSubscription(id: string, user: string, structure: string, minutes = 0): PendingSubscriptionRequest {
    return {
      id: subscriptionRequestId(id),
      structureId: structureId(structure),
      userId: userId(user),
      items: [
        { space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read" },
        { space: spaceCode("FACTURES_EMISES"), serviceId: serviceId(`svc-${structure}`), access: "write" },
      ],
      comment: "Pour la comptabilité",
      createdAt: instant(minutes),
      status: "pending",
    };
  },
  history(structure: string, kind: HistoryKind, minutes: number, target: string | null = null): NewHistoryEntry {
    return {
      structureId: structureId(structure),
      kind,
      at: instant(minutes),
      actorId: userId("u-admin"),
      targetUserId: target === null ? null : userId(target),
      requestId: null,
      details: {},
    };
  },
  /** An event with a stable id (a « service added », the simplest kind). */
  event(id: string, structure = "s-1", minutes = 0): RecordedEvent {
    return {
      id,
      type: "ServiceAdded",
      at: instant(minutes),
      structureId: structureId(structure),
      serviceId: serviceId(`svc-${id}`),
    };
  },
  /** What a command with an idempotency key saves beside its change. */
  idempotency(owner: string, key: string, minutes = 0): IdempotencyClaim {
    return {
      owner,
      key,
      fingerprint: `fp-${owner}-${key}`,
      outcome: { ok: true, value: { requestId: "r-1", nested: [1, "deux", { trois: null }] } },
      at: instant(minutes),
    };
  },
};
