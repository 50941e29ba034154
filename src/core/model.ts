import type { AttachmentRequestId, ServiceId, SpaceCode, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import type { StructureIdentifier } from "./identifier.js";
import type { Instant, LocalDate } from "./time.js";
import type { AccessLevel, AccountStatus, ActivityNotifications, AttachmentRole, StructureKind, SubscriptionScope } from "./vocabulary.js";

/**
 * An organisation (« fiche structure »). It holds its identity and who its primary
 * manager is; it does *not* hold its members: attachments live on each {@link User},
 * so a structure of 100 000 members is as cheap to change as one of ten.
 */
export interface Structure {
  readonly id: StructureId;
  /** « Désignation » / raison sociale. */
  readonly designation: string;
  readonly kind: StructureKind;
  /** A public structure whose accounts come from the DGFiP referential (PIGP). */
  readonly viaPigp: boolean;
  readonly identifier: StructureIdentifier;
  /**
   * The single source of truth for who is « Gestionnaire principal ». The primary role
   * is derived from this field and stored nowhere else.
   */
  readonly primaryManagerId: UserId;
  /**
   * The spaces opened on the whole structure (sorted): a grant for all services, or for
   * any service, may use them. One field on the structure, never one record per member.
   */
  readonly openSpaces: readonly SpaceCode[];
  readonly createdAt: Instant;
}

/** A sub-unit of a structure (« service »). Each service is its own record. */
export interface Service {
  readonly id: ServiceId;
  readonly structureId: StructureId;
  /** `codeService`, unique within its structure. */
  readonly code: string;
  /** `libelleService`. */
  readonly label: string;
  /** `estActif`. A deactivated service is no longer granted, and no longer counts in scopes. */
  readonly active: boolean;
  /** The spaces opened on this service only (sorted): grants for this service may use them. */
  readonly openSpaces: readonly SpaceCode[];
  readonly createdAt: Instant;
}

/**
 * Where an attachment (or a request) applies: the whole structure, or a non-empty set
 * of its services (kept sorted and without duplicates).
 */
export type AttachmentScope =
  | { readonly kind: "structure" }
  | { readonly kind: "services"; readonly serviceIds: readonly ServiceId[] };

/** A user's membership of one structure (« rattachement »). */
export interface Attachment {
  readonly structureId: StructureId;
  /**
   * The stored role. For the structure's primary manager (see
   * `Structure.primaryManagerId`) this is the role they keep once they hand the primary
   * role over, always `"user"`; use `roleIn` to read the role a member holds.
   */
  readonly role: AttachmentRole;
  readonly scope: AttachmentScope;
  /** « Date de début de validité »: the attachment gives no right before this date. */
  readonly validFrom: LocalDate;
  /**
   * « Date de fin » (the Chorus Pro API's `dateFin`): the first calendar day the
   * attachment gives no right, later than `validFrom`; `null`: no end. The attachment
   * stays on record once its end has passed (history « Expiré »), giving no right, until
   * a manager gives it a later end or removes it. The primary manager's never ends.
   */
  readonly validUntil: LocalDate | null;
  /** What the expiry sweep has recorded about `validUntil` (see {@link EndNotice}). */
  readonly endNotice: EndNotice | null;
  /** Who attached the user (a manager, or the user themself when they created the structure). */
  readonly attachedBy: UserId;
  readonly attachedAt: Instant;
}

/** A user account, with its attachments to structures. */
export interface User {
  readonly id: UserId;
  /** « Adresse de connexion »: an e-mail address, lower case, immutable. */
  readonly login: string;
  /** « Adresse électronique de contact ». */
  readonly contactEmail: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly status: AccountStatus;
  /** At most one per structure. */
  readonly attachments: readonly Attachment[];
  /**
   * What the user may read or write, per structure, space and service (« habilitations »).
   * A grant gives access only while it is *usable* (see `mayAccess`): the user attached
   * to the structure and in force, the service active and in their scope, the space
   * opened where the grant points.
   */
  readonly grants: readonly SpaceGrant[];
  /** « Téléphone », or `null`. */
  readonly phone: string | null;
  /** « Adresse postale », or `null`. */
  readonly postalAddress: PostalAddress | null;
  /** « Paramètres ». */
  readonly settings: UserSettings;
  /**
   * The structure whose manager created this account (guide §3 B), while it is not
   * activated yet; `null` for an account registered from the public side, and once
   * activated. Its managers may send the activation e-mail again, and read and edit the
   * record, until the person activates it: from then on the record is the person's.
   */
  readonly createdFor: StructureId | null;
  /**
   * The account's activation: the hashes of its live tokens (never a token), at most one
   * per initiator, and when it was used. `null` for an account created active.
   */
  readonly activation: Activation | null;
  /**
   * A new contact address waiting for its confirmation (`null`: none). `contactEmail`
   * changes only when the person, signed in, confirms it with the token sent to the new
   * address.
   */
  readonly contactEmailChange: ContactEmailChange | null;
  /**
   * The e-mails the library asked the host to send about this account (activation, a
   * registration attempt with its login, a contact address to confirm), oldest first,
   * those of the last 24 hours only, each with who asked for it: what the throttle
   * counts, one budget per initiator.
   */
  readonly accountEmails: readonly AccountEmail[];
  /**
   * When the person deactivated their account (guide §6 B), or `null`: they may
   * reactivate it until the reactivation window after this instant has passed.
   */
  readonly deactivatedAt: Instant | null;
  readonly createdAt: Instant;
}

/** A postal address (« adresse postale »). */
export interface PostalAddress {
  /** Number and street. */
  readonly street: string;
  /** « Complément d'adresse », or `null`. */
  readonly complement: string | null;
  readonly postalCode: string;
  readonly city: string;
  /** ISO 3166-1 alpha-2 country code, upper case (`FR`). */
  readonly countryCode: string;
}

/** A user's settings (« paramètres »). */
export interface UserSettings {
  /** The periodic summary of activity by e-mail. */
  readonly activityNotifications: ActivityNotifications;
}

/**
 * Who made the library e-mail an account: the public side (an anonymous registration),
 * the person themself (a new contact address), or the managers of one structure
 * (`structure:<id>`). Each has a budget of its own, so that no one can spend another's:
 * anonymous registrations never stop a manager's activation e-mail.
 */
export type EmailInitiator = "public" | "self" | `structure:${string}`;

/** One e-mail the library asked for about an account: when, and who asked. */
export interface AccountEmail {
  readonly at: Instant;
  readonly by: EmailInitiator;
}

/**
 * One live activation token: its hash (never the token), when it was issued and expires,
 * and who asked for it. A new token replaces the previous one *of the same initiator*
 * only: a manager's link keeps working when someone registers from the public side.
 */
export interface ActivationToken {
  /** SHA-256 of the token, base64url: the token cannot be recovered from it. */
  readonly tokenHash: string;
  readonly issuedAt: Instant;
  readonly expiresAt: Instant;
  readonly by: EmailInitiator;
}

/** Where an account's activation stands: its live tokens (at most one per initiator), and when it was used. */
export interface Activation {
  readonly tokens: readonly ActivationToken[];
  /** When the account was activated, or `null`. */
  readonly usedAt: Instant | null;
}

/**
 * A new contact address waiting for confirmation: the address, the hash of the token
 * sent to it (never the token), when it was asked for and expires, and by whom (the
 * person, a manager of the structure the pending account was created for, or `null`
 * for a public registration).
 */
export interface ContactEmailChange {
  readonly address: string;
  readonly tokenHash: string;
  readonly requestedAt: Instant;
  readonly expiresAt: Instant;
  readonly requestedBy: UserId | null;
}

/** A user's access to a space of a structure, for all its services or one of them. */
export interface SpaceGrant {
  readonly structureId: StructureId;
  readonly space: SpaceCode;
  /** `null`: every service of the structure (in the user's scope), and the structure itself. */
  readonly serviceId: ServiceId | null;
  /** `write` includes `read`. */
  readonly access: AccessLevel;
  readonly grantedBy: UserId;
  readonly grantedAt: Instant;
  /**
   * The first calendar day the grant gives no access; `null`: no end. A grant also ends
   * with the attachment it depends on (see `mayAccess`).
   */
  readonly validUntil: LocalDate | null;
  /** What the expiry sweep has recorded about `validUntil` (see {@link EndNotice}). */
  readonly endNotice: EndNotice | null;
}

/**
 * What the expiry sweep (`recordExpiries`) has recorded about a right's end date, kept on
 * the right itself so that each notice is given once, whatever the number of processes
 * sweeping: `"warned"` once the warning event was saved (the end is near), `"expired"`
 * once the « Expiré » entry was (the end has passed). Setting another end date clears it.
 */
export type EndNotice = "warned" | "expired";

interface AttachmentRequestBase {
  readonly id: AttachmentRequestId;
  readonly structureId: StructureId;
  readonly userId: UserId;
  /** The role the user asks for (a simple user unless they ask to manage). */
  readonly requestedRole: AttachmentRole;
  /** The whole structure, or the services asked for. */
  readonly scope: AttachmentScope;
  /** The comment the user typed (may be empty). */
  readonly comment: string;
  readonly createdAt: Instant;
}

/** A request waiting for a manager (« En cours de validation »). */
export interface PendingAttachmentRequest extends AttachmentRequestBase {
  readonly status: "pending";
}

/** A validated request (« Validée »), with what the manager granted. */
export interface ValidatedAttachmentRequest extends AttachmentRequestBase {
  readonly status: "validated";
  readonly decidedBy: UserId;
  readonly decidedAt: Instant;
  readonly grantedRole: AttachmentRole;
  readonly grantedScope: AttachmentScope;
}

/** A refused request (« Refusée »), with the manager's reason. */
export interface RefusedAttachmentRequest extends AttachmentRequestBase {
  readonly status: "refused";
  readonly decidedBy: UserId;
  readonly decidedAt: Instant;
  readonly reason: string;
}

/** A user's request to be attached to a structure or some of its services. */
export type AttachmentRequest =
  | PendingAttachmentRequest
  | ValidatedAttachmentRequest
  | RefusedAttachmentRequest;

/** One line of a subscription request: a space, for all services or one, with an access level. */
export interface SubscriptionItem {
  readonly space: SpaceCode;
  /** `null`: « tous les services ». */
  readonly serviceId: ServiceId | null;
  readonly access: AccessLevel;
}

interface SubscriptionRequestBase {
  readonly id: SubscriptionRequestId;
  readonly structureId: StructureId;
  readonly userId: UserId;
  /** The spaces asked for (at least one; one line per space and service). */
  readonly items: readonly SubscriptionItem[];
  /** The comment the user typed (may be empty). */
  readonly comment: string;
  readonly createdAt: Instant;
}

/** A subscription request waiting for a manager. */
export interface PendingSubscriptionRequest extends SubscriptionRequestBase {
  readonly status: "pending";
}

/** A validated subscription request (« Validée »), with what the manager granted. */
export interface ValidatedSubscriptionRequest extends SubscriptionRequestBase {
  readonly status: "validated";
  readonly decidedBy: UserId;
  readonly decidedAt: Instant;
  /** The items the manager left checked, with the access given. */
  readonly grantedItems: readonly SubscriptionItem[];
  readonly scope: SubscriptionScope;
  /** The manager's comment (may be empty). */
  readonly managerComment: string;
}

/** A refused subscription request (« Désactivée »). */
export interface RefusedSubscriptionRequest extends SubscriptionRequestBase {
  readonly status: "refused";
  readonly decidedBy: UserId;
  readonly decidedAt: Instant;
  /** The manager's comment (may be empty). */
  readonly managerComment: string;
}

/** A user's request for access to spaces of a structure (« demande d'abonnement »). */
export type SubscriptionRequest = PendingSubscriptionRequest | ValidatedSubscriptionRequest | RefusedSubscriptionRequest;
