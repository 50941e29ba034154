import type { AttachmentRequestId, ServiceId, SpaceCode, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import type { AttachmentScope, SubscriptionItem } from "./model.js";
import type { Instant, LocalDate } from "./time.js";
import type { AccessLevel, AttachmentRole, SubscriptionScope } from "./vocabulary.js";

/** Every kind of action the history of a structure records. */
export const HISTORY_KINDS = [
  "structureCreated",
  "serviceAdded",
  "serviceRenamed",
  "serviceDeactivated",
  "attachmentRequested",
  "attachmentRequestValidated",
  "attachmentRequestRefused",
  "servicesRemoved",
  "userAttached",
  "roleChanged",
  "attachmentRemoved",
  "subscriptionRequested",
  "subscriptionRequestValidated",
  "subscriptionRequestRefused",
  "spaceOpened",
  "spaceClosed",
  "spacesGranted",
  "spaceGrantRevoked",
  "accountCreated",
  "activationEmailSent",
  "accountActivated",
  "userModified",
  "primaryRoleTransferred",
  "accountDeactivated",
  "accountReactivated",
  "attachmentEndChanged",
  "grantEndChanged",
  "attachmentExpired",
  "grantExpired",
  "memberRightsCopied",
] as const;
/** The kind of a history entry. */
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/**
 * The « Commentaires » column of the guide's history screen. The four values the guide
 * names are exact: « Validée » (an attachment or a subscription request validated),
 * « Refusée » (an attachment request refused), « Désactivée » (a subscription request
 * refused, and nothing else), « Supprimé » (an attachment removed); other actions have
 * labels of their own.
 */
export const historyKindLabel: Readonly<Record<HistoryKind, string>> = {
  structureCreated: "Structure créée",
  serviceAdded: "Service ajouté",
  serviceRenamed: "Service renommé",
  serviceDeactivated: "Service désactivé",
  attachmentRequested: "Demande de rattachement",
  attachmentRequestValidated: "Validée",
  attachmentRequestRefused: "Refusée",
  servicesRemoved: "Services retirés",
  userAttached: "Rattaché par le gestionnaire",
  roleChanged: "Rôle modifié",
  attachmentRemoved: "Supprimé",
  subscriptionRequested: "Demande d’abonnement",
  subscriptionRequestValidated: "Validée",
  subscriptionRequestRefused: "Désactivée",
  spaceOpened: "Espace ouvert",
  spaceClosed: "Espace fermé",
  spacesGranted: "Habilitation accordée par le gestionnaire",
  spaceGrantRevoked: "Habilitation retirée",
  accountCreated: "Compte créé par le gestionnaire",
  activationEmailSent: "Courriel d’activation envoyé",
  accountActivated: "Compte activé",
  userModified: "Utilisateur modifié",
  primaryRoleTransferred: "Rôle de gestionnaire principal transféré",
  accountDeactivated: "Compte désactivé",
  accountReactivated: "Compte réactivé",
  attachmentEndChanged: "Date de fin modifiée",
  grantEndChanged: "Date de fin d’habilitation modifiée",
  attachmentExpired: "Expiré",
  grantExpired: "Habilitation expirée",
  memberRightsCopied: "Habilitations dupliquées",
};

/** What was decided, as data: only the fields that apply to the entry's kind are set. */
export interface HistoryDetails {
  readonly role?: AttachmentRole;
  readonly previousRole?: AttachmentRole;
  readonly scope?: AttachmentScope;
  /** The scope held before, when a validation changed it (e.g. whole structure → some services). */
  readonly previousScope?: AttachmentScope;
  readonly removedServiceIds?: readonly ServiceId[];
  readonly serviceId?: ServiceId;
  readonly reason?: string;
  readonly comment?: string;
  readonly label?: string;
  /** The spaces asked for, granted or revoked. */
  readonly items?: readonly SubscriptionItem[];
  /** The space opened or closed. */
  readonly space?: SpaceCode;
  readonly access?: AccessLevel;
  /** Where a subscription validation applied. */
  readonly subscriptionScope?: SubscriptionScope;
  /** The fields of a user's record a manager changed. */
  readonly fields?: readonly string[];
  /** When the activation token sent expires. */
  readonly expiresAt?: Instant;
  /** The primary manager who handed the role over. */
  readonly formerPrimaryManagerId?: UserId;
  /** Until when a deactivated account may be reactivated. */
  readonly reactivableUntil?: Instant;
  /**
   * The end date a right was given or changed to (`null`: no end), or the one that passed
   * (« Expiré »). Left out when a right was given without an end.
   */
  readonly validUntil?: LocalDate | null;
  /** The end date a right had before it was changed (`null`: none). */
  readonly previousValidUntil?: LocalDate | null;
  /** The member whose rights were copied (« Habilitations dupliquées »). */
  readonly modelUserId?: UserId;
  /** The grants a copy of rights took away (those the model did not hold). */
  readonly revokedItems?: readonly SubscriptionItem[];
}

/**
 * A history entry as a transition produces it, before the store gives it its place in
 * the global sequence.
 */
export interface NewHistoryEntry {
  readonly structureId: StructureId;
  readonly kind: HistoryKind;
  readonly at: Instant;
  /**
   * Who acted; `null` for what the library records itself, no one acting (« Expiré »: a
   * right's end date passed, recorded by `recordExpiries`).
   */
  readonly actorId: UserId | null;
  /** Whom the action concerns, when it concerns a user. */
  readonly targetUserId: UserId | null;
  /** The request decided (attachment or subscription), for the « loupe » link to its detail. */
  readonly requestId: AttachmentRequestId | SubscriptionRequestId | null;
  readonly details: HistoryDetails;
}

/**
 * A stored history entry. `sequence` is a global, strictly increasing number the store
 * assigns at commit: entries are ordered by it (newest first = highest first), never by
 * a per-structure counter.
 */
export interface HistoryEntry extends NewHistoryEntry {
  readonly sequence: number;
}
