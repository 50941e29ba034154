import type { AttachmentRequestId, ServiceId, SpaceCode, StructureId, SubscriptionRequestId, UserId } from "./ids.js";
import { frenchInstant, type Instant, type LocalDate } from "./time.js";
import {
  accountStatusLabel,
  attachmentRequestStatusLabel,
  subscriptionRequestStatusLabel,
  roleLabel,
  type AccountStatus,
  type AttachmentRole,
} from "./vocabulary.js";

/** One problem found in input by a boundary schema. */
export interface ValidationIssue {
  /** Where in the input (`["services", 2]`). */
  readonly path: readonly (string | number)[];
  /** zod's issue code (`invalid_type`, `too_small`, `custom`, …). */
  readonly code: string;
  readonly message: string;
}

/** The kinds of record an id can fail to name. */
export type EntityKind = "structure" | "service" | "user" | "attachmentRequest" | "subscriptionRequest" | "spaceGrant";

/** Why an actor was refused an action. */
export type ForbiddenReason =
  /** The actor's account is not active. */
  | "accountNotActive"
  /** The actor is not a manager of the structure. */
  | "notAManager"
  /** The actor's manager attachment is not in force: not yet (`validFrom` to come), or no more (`validUntil` reached). */
  | "attachmentNotInForce"
  /** The act is the user's own (a request, a registration) and the actor is someone else. */
  | "notTheUser"
  /** Only the structure's current primary manager may hand the primary role over. */
  | "notThePrimaryManager";

/**
 * Every way a domain rule can refuse a command: a union discriminated on `code`, each
 * member carrying the ids it is about as data. Narrow on `code`; format with
 * {@link errorMessage}.
 */
export type DomainError =
  | {
      readonly code: "VALIDATION";
      /** The first issues found (at most `MAX_VALIDATION_ISSUES`, each bounded in length). */
      readonly issues: readonly ValidationIssue[];
      /** How many more issues were found and not listed. */
      readonly omittedIssues?: number;
    }
  | { readonly code: "NOT_FOUND"; readonly entity: EntityKind; readonly id: string }
  | {
      /**
       * The acting user, as the host gave it, names no account (`unknown`) or is not an id
       * at all (`malformed`): the host's authentication and the library disagree; answer
       * 401. Never a target's `NOT_FOUND` nor a body's `VALIDATION`.
       */
      readonly code: "UNKNOWN_ACTOR";
      readonly reason: "unknown" | "malformed";
    }
  | {
      readonly code: "FORBIDDEN";
      readonly actorId: UserId;
      readonly structureId: StructureId | null;
      readonly reason: ForbiddenReason;
    }
  | {
      /**
       * No one decides their own request, nor grants themself spaces (`requestId` is
       * `null` for a direct grant).
       */
      readonly code: "SELF_DECISION_FORBIDDEN";
      readonly requestId: AttachmentRequestId | SubscriptionRequestId | null;
      readonly userId: UserId;
    }
  | {
      readonly code: "REQUEST_ALREADY_DECIDED";
      readonly requestId: AttachmentRequestId | SubscriptionRequestId;
      readonly status: "validated" | "refused";
      /** Set for a subscription request (its refused status reads « Désactivée »). */
      readonly request?: "subscription";
    }
  | { readonly code: "REFUSAL_REASON_REQUIRED"; readonly requestId: AttachmentRequestId }
  | { readonly code: "COMMENT_REQUIRED"; readonly structureId: StructureId; readonly userId: UserId }
  | { readonly code: "CANNOT_GRANT_PRIMARY"; readonly structureId: StructureId; readonly userId: UserId }
  | { readonly code: "TRANSFER_REQUIRED"; readonly structureId: StructureId; readonly userId: UserId }
  | {
      readonly code: "PENDING_REQUEST_EXISTS";
      readonly structureId: StructureId;
      readonly userId: UserId;
    }
  | { readonly code: "ALREADY_ATTACHED"; readonly structureId: StructureId; readonly userId: UserId }
  | {
      readonly code: "NOT_ATTACHED";
      readonly structureId: StructureId;
      readonly userId: UserId;
      /** Set when the user is attached to the structure but not to this service. */
      readonly serviceId?: ServiceId;
    }
  | {
      /** A space not opened where a grant would point (structure, or service). */
      readonly code: "SPACE_NOT_OPEN";
      readonly structureId: StructureId;
      readonly serviceId: ServiceId | null;
      readonly space: SpaceCode;
    }
  | {
      readonly code: "SPACE_ALREADY_OPEN";
      readonly structureId: StructureId;
      readonly serviceId: ServiceId | null;
      readonly space: SpaceCode;
    }
  | {
      /** A validation that leaves no item checked (refuse the request instead). */
      readonly code: "EMPTY_SELECTION";
      readonly requestId: SubscriptionRequestId;
    }
  | {
      /** A checked item that the request did not ask for. */
      readonly code: "ITEM_NOT_REQUESTED";
      readonly requestId: SubscriptionRequestId;
      readonly space: SpaceCode;
      readonly serviceId: ServiceId | null;
    }
  | { readonly code: "SERVICE_INACTIVE"; readonly serviceId: ServiceId }
  | { readonly code: "EMPTY_SCOPE"; readonly structureId: StructureId }
  | {
      readonly code: "VALID_FROM_IN_THE_PAST";
      readonly validFrom: LocalDate;
      readonly today: LocalDate;
    }
  | {
      /**
       * An end date (`validUntil`, the first day without the right) that does not come
       * strictly after the right's start (`validFrom`; `null` for a grant) and today.
       */
      readonly code: "VALID_UNTIL_TOO_EARLY";
      readonly validUntil: LocalDate;
      readonly validFrom: LocalDate | null;
      readonly today: LocalDate;
    }
  | {
      /** A new end date that is the one the right already has (`null`: it has none). */
      readonly code: "VALID_UNTIL_UNCHANGED";
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly validUntil: LocalDate | null;
    }
  | { readonly code: "ACCOUNT_NOT_ACTIVE"; readonly userId: UserId; readonly status: AccountStatus }
  | {
      readonly code: "ROLE_UNCHANGED";
      readonly structureId: StructureId;
      readonly userId: UserId;
      readonly role: AttachmentRole;
    }
  | { readonly code: "LOGIN_TAKEN"; readonly login: string }
  | {
      /** Deactivating one's account while primary manager of structures with no successor named. */
      readonly code: "SUCCESSOR_REQUIRED";
      readonly userId: UserId;
      /** The structures still without a successor. */
      readonly structureIds: readonly StructureId[];
    }
  | {
      /** The successor named is the primary manager already. */
      readonly code: "SUCCESSOR_IS_PRIMARY_MANAGER";
      readonly structureId: StructureId;
      readonly userId: UserId;
    }
  | {
      /** Deactivating an account attached to public structures using the PIGP: the DGFiP manages it. */
      readonly code: "PIGP_ACCOUNT";
      readonly userId: UserId;
      readonly structureIds: readonly StructureId[];
    }
  | {
      readonly code: "REACTIVATION_WINDOW_EXPIRED";
      readonly userId: UserId;
      /** When the reactivation window closed: reactivation is refused from this instant on. */
      readonly expiredAt: Instant;
    }
  | { readonly code: "ACCOUNT_NOT_DEACTIVATED"; readonly userId: UserId; readonly status: AccountStatus }
  | {
      /**
       * A public structure using the PIGP: its accounts come from the DGFiP referential,
       * so its managers do not create them. The guide names that referential « MADHRAS »,
       * the word the message uses; Chorus Pro's other documents spell it « MADRHAS ».
       */
      readonly code: "PIGP_REFERENT_REQUIRED";
      readonly structureId: StructureId;
    }
  | {
      /** No such account, or not its newest activation token (an older one stops working). */
      readonly code: "ACTIVATION_TOKEN_INVALID";
      readonly userId: UserId;
    }
  | { readonly code: "ACTIVATION_TOKEN_USED"; readonly userId: UserId }
  | { readonly code: "ACTIVATION_TOKEN_EXPIRED"; readonly userId: UserId; readonly expiredAt: Instant }
  | {
      /** An activation e-mail for an account that is not « En cours d'activation ». */
      readonly code: "ACCOUNT_NOT_PENDING_ACTIVATION";
      readonly userId: UserId;
      readonly status: AccountStatus;
    }
  | {
      /** The account was e-mailed too recently (policy): try again at `retryAt`. */
      readonly code: "ACTIVATION_EMAIL_THROTTLED";
      readonly userId: UserId;
      readonly retryAt: Instant;
    }
  | {
      /** No new contact address waits for confirmation, or the token is another's. */
      readonly code: "CONFIRMATION_TOKEN_INVALID";
      readonly userId: UserId;
    }
  | { readonly code: "CONFIRMATION_TOKEN_EXPIRED"; readonly userId: UserId; readonly expiredAt: Instant }
  | {
      /** This initiator e-mailed the account too recently (policy): try again at `retryAt`. */
      readonly code: "CONFIRMATION_EMAIL_THROTTLED";
      readonly userId: UserId;
      readonly retryAt: Instant;
    }
  | { readonly code: "SERVICE_CODE_TAKEN"; readonly structureId: StructureId; readonly serviceCode: string }
  | { readonly code: "CONCURRENT_MODIFICATION"; readonly attempts: number }
  | {
      /** The same idempotency key came back with another operation or input. */
      readonly code: "IDEMPOTENCY_KEY_REUSED";
      readonly key: string;
    }
  | {
      /**
       * A retry with an idempotency key whose act was done (at `committedAt`), by an
       * actor who has since lost the right to see its outcome: a receipt that it was
       * done, with nothing they may no longer see. Do not retry: it is done.
       */
      readonly code: "OUTCOME_WITHHELD";
      readonly key: string;
      readonly committedAt: Instant;
    }
  | {
      /**
       * The store failed (connection lost, disk full, timeout). At stage `read` nothing
       * was saved; at stage `commit` the outcome is unknown: retry with the same
       * idempotency key to get it.
       */
      readonly code: "STORE_FAILURE";
      readonly stage: "read" | "commit";
    }
  | {
      /** In a bulk act, an item not tried because the store failed on an earlier one. */
      readonly code: "NOT_ATTEMPTED";
      readonly reason: "storeFailure";
    }
  | {
      /** An option given to `createHabilitations` misbehaved (a clock giving an invalid date…). */
      readonly code: "CONFIGURATION";
      readonly option: "clock" | "today" | "newId" | "newToken" | "chorusProIds";
      readonly message: string;
    };

/** Every error code. */
export type DomainErrorCode = DomainError["code"];

/** The error with a given code. */
export type DomainErrorOf<C extends DomainErrorCode> = Extract<DomainError, { code: C }>;

const entityLabel: Record<EntityKind, string> = {
  structure: "La structure",
  service: "Le service",
  user: "L'utilisateur",
  attachmentRequest: "La demande de rattachement",
  subscriptionRequest: "La demande d'abonnement",
  spaceGrant: "L'habilitation",
};

const forbiddenLabel: Record<ForbiddenReason, string> = {
  accountNotActive: "votre compte n'est pas actif",
  notAManager: "vous n'êtes pas gestionnaire de cette structure",
  attachmentNotInForce: "votre rattachement de gestionnaire n'est pas en vigueur à cette date",
  notTheUser: "seul l'utilisateur concerné peut faire cette démarche",
  notThePrimaryManager: "seul le gestionnaire principal de la structure peut transférer ce rôle",
};

/** A calendar date as a French reader reads it: `2026-11-27` → « 27/11/2026 ». */
const frenchDate = (day: LocalDate) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/**
 * A French sentence describing an error, for a host's screens: it names no raw id (the
 * ids stay in the error's data, for logs), and gives instants as a French reader reads
 * them (Europe/Paris). Formatting is separate from the error data: match on `code`, never
 * on this text.
 *
 * @example
 * ```ts
 * errorMessage({ code: "REFUSAL_REASON_REQUIRED", requestId: attachmentRequestId("req-1") });
 * // "Le motif du refus est obligatoire."
 * ```
 */
export function errorMessage(error: DomainError): string {
  switch (error.code) {
    case "VALIDATION":
      return `Saisie invalide : ${error.issues
        .map((i) => (i.path.length > 0 ? `${i.path.join(".")} : ${i.message}` : i.message))
        .join(" ; ")}${error.omittedIssues ? ` (et ${error.omittedIssues} autres problèmes)` : ""}.`;
    case "NOT_FOUND":
      return `${entityLabel[error.entity]} est introuvable.`;
    case "UNKNOWN_ACTOR":
      return "Utilisateur non reconnu : veuillez vous identifier de nouveau.";
    case "FORBIDDEN":
      return `Action refusée : ${forbiddenLabel[error.reason]}.`;
    case "SELF_DECISION_FORBIDDEN":
      return error.requestId === null
        ? "Un gestionnaire ne peut pas s'accorder lui-même des habilitations."
        : "Un gestionnaire ne peut pas statuer sur sa propre demande.";
    case "REQUEST_ALREADY_DECIDED":
      return `Cette demande a déjà été traitée : elle est « ${(error.request === "subscription" ? subscriptionRequestStatusLabel : attachmentRequestStatusLabel)[error.status]} ».`;
    case "REFUSAL_REASON_REQUIRED":
      return "Le motif du refus est obligatoire.";
    case "COMMENT_REQUIRED":
      return "Le commentaire est obligatoire pour rattacher un utilisateur.";
    case "CANNOT_GRANT_PRIMARY":
      return `Le rôle « ${roleLabel.primaryManager} » ne s'attribue pas ainsi : il se transfère par le gestionnaire principal en place.`;
    case "TRANSFER_REQUIRED":
      return "Cet utilisateur est le gestionnaire principal de la structure : il faut d'abord transférer ce rôle.";
    case "PENDING_REQUEST_EXISTS":
      return "Une demande de rattachement à cette structure est déjà en cours de validation.";
    case "ALREADY_ATTACHED":
      return "Cet utilisateur est déjà rattaché à la structure.";
    case "NOT_ATTACHED":
      return error.serviceId === undefined
        ? "Cet utilisateur n'est pas rattaché à la structure."
        : "Cet utilisateur n'est pas rattaché à ce service.";
    case "SPACE_NOT_OPEN":
      return `L'espace ${error.space} n'est pas ouvert ${error.serviceId === null ? "sur la structure" : "sur ce service"}.`;
    case "SPACE_ALREADY_OPEN":
      return `L'espace ${error.space} est déjà ouvert ${error.serviceId === null ? "sur la structure" : "sur ce service"}.`;
    case "EMPTY_SELECTION":
      return "Cochez au moins un espace pour valider la demande, ou refusez-la.";
    case "ITEM_NOT_REQUESTED":
      return `L'espace ${error.space} n'a pas été demandé${error.serviceId === null ? "" : " pour ce service"}.`;
    case "SERVICE_INACTIVE":
      return "Ce service n'est pas actif.";
    case "EMPTY_SCOPE":
      return "Cochez au moins un service, ou « Rattacher à la structure ».";
    case "VALID_FROM_IN_THE_PAST":
      return `La date de début de validité (${frenchDate(error.validFrom)}) ne peut pas précéder la date du jour (${frenchDate(error.today)}).`;
    case "VALID_UNTIL_TOO_EARLY":
      return error.validFrom !== null && error.validFrom >= error.today
        ? `La date de fin de validité (${frenchDate(error.validUntil)}) doit être postérieure à la date de début de validité (${frenchDate(error.validFrom)}).`
        : `La date de fin de validité (${frenchDate(error.validUntil)}) doit être postérieure à la date du jour (${frenchDate(error.today)}).`;
    case "VALID_UNTIL_UNCHANGED":
      return error.validUntil === null ? "Ce droit n'a déjà pas de date de fin." : `Ce droit a déjà cette date de fin (${frenchDate(error.validUntil)}).`;
    case "ACCOUNT_NOT_ACTIVE":
      return `Le compte de cet utilisateur est « ${accountStatusLabel[error.status]} ».`;
    case "ROLE_UNCHANGED":
      return `Cet utilisateur a déjà le rôle « ${roleLabel[error.role]} ».`;
    case "LOGIN_TAKEN":
      return `L'adresse de connexion ${error.login} est déjà utilisée.`;
    case "PIGP_REFERENT_REQUIRED":
      return "Pour les structures publiques (utilisatrices du PIGP), il faut réaliser une demande au référent de la DGFiP en charge du référentiel MADHRAS afin de créer l'utilisateur.";
    case "ACTIVATION_TOKEN_INVALID":
      return "Ce lien d'activation n'est pas valide : utilisez le lien du dernier courriel d'activation reçu.";
    case "ACTIVATION_TOKEN_USED":
      return "Ce lien d'activation a déjà servi : le compte est activé.";
    case "ACTIVATION_TOKEN_EXPIRED":
      return `Ce lien d'activation a expiré ${frenchInstant(error.expiredAt)} : demandez l'envoi d'un nouveau courriel d'activation.`;
    case "ACCOUNT_NOT_PENDING_ACTIVATION":
      return `Le compte de cet utilisateur est « ${accountStatusLabel[error.status]} » : le courriel d'activation ne s'envoie qu'aux comptes « ${accountStatusLabel.pendingActivation} ».`;
    case "ACTIVATION_EMAIL_THROTTLED":
      return `Un courriel a déjà été envoyé récemment à cet utilisateur : nouvel envoi possible à partir du ${frenchInstant(error.retryAt).slice(3)}.`;
    case "CONFIRMATION_TOKEN_INVALID":
      return "Ce lien de confirmation n'est pas valide : utilisez le lien du dernier courriel de confirmation reçu, connecté à votre compte.";
    case "CONFIRMATION_TOKEN_EXPIRED":
      return `Ce lien de confirmation a expiré ${frenchInstant(error.expiredAt)} : saisissez de nouveau l'adresse de contact pour recevoir un nouveau lien.`;
    case "CONFIRMATION_EMAIL_THROTTLED":
      return `Un courriel a déjà été envoyé récemment pour ce compte : nouvel envoi possible à partir du ${frenchInstant(error.retryAt).slice(3)}.`;
    case "SUCCESSOR_REQUIRED":
      return `Désignez un nouveau gestionnaire principal pour toutes les structures dont vous êtes gestionnaire principal avant de désactiver votre compte (${error.structureIds.length === 1 ? "une structure reste" : `${error.structureIds.length} structures restent`} sans successeur).`;
    case "SUCCESSOR_IS_PRIMARY_MANAGER":
      return "Ce successeur est déjà le gestionnaire principal de la structure.";
    case "PIGP_ACCOUNT":
      return "Ce compte est rattaché à des structures publiques utilisatrices du PIGP : il est géré par la DGFiP et ne se désactive pas ici.";
    case "REACTIVATION_WINDOW_EXPIRED":
      return `Le délai de réactivation du compte est dépassé depuis ${frenchInstant(error.expiredAt)}.`;
    case "ACCOUNT_NOT_DEACTIVATED":
      return error.status === "deactivated"
        ? "Ce compte a été désactivé sans date de désactivation connue : il ne peut pas être réactivé ainsi."
        : `Ce compte est « ${accountStatusLabel[error.status]} » : seul un compte désactivé se réactive.`;
    case "SERVICE_CODE_TAKEN":
      return `Le code de service ${error.serviceCode} existe déjà dans la structure.`;
    case "CONCURRENT_MODIFICATION":
      return `Les données ont été modifiées en même temps par une autre action (${error.attempts} tentatives) : veuillez réessayer.`;
    case "IDEMPOTENCY_KEY_REUSED":
      return "Cette clé d'idempotence a déjà servi pour une autre demande.";
    case "OUTCOME_WITHHELD":
      return `Cette action a déjà été enregistrée ${frenchInstant(error.committedAt)} ; son résultat ne vous est plus accessible.`;
    case "STORE_FAILURE":
      return error.stage === "read"
        ? "Le stockage est indisponible : rien n'a été enregistré, veuillez réessayer."
        : "Le stockage a échoué pendant l'enregistrement : l'action a pu être enregistrée ou non ; réessayez avec la même clé d'idempotence.";
    case "NOT_ATTEMPTED":
      return "Non traitée : le stockage a échoué sur une demande précédente du même lot.";
    case "CONFIGURATION":
      return `Configuration invalide (${error.option}) : ${error.message}.`;
    default: {
      const exhaustive: never = error;
      return exhaustive;
    }
  }
}
