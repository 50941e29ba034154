/**
 * The guide's vocabulary: the values the library stores, the French labels exactly as
 * the guide writes them, and the codes Chorus Pro's API uses for the same values.
 *
 * Each enumeration comes as a tuple of values, a `…Label` record and a pair of
 * functions to and from the API code, so a host can show French screens and talk to
 * Chorus Pro without tables of its own.
 */

function twoWay<V extends string, C extends string>(codes: Readonly<Record<V, C>>) {
  // Maps, not object lookups: "toString" or "__proto__" is no value and no code.
  const forward = new Map<string, C>();
  const reverse = new Map<string, V>();
  for (const [value, code] of Object.entries(codes) as [V, C][]) {
    forward.set(value, code);
    reverse.set(code, value);
  }
  return {
    toCode: (value: V): C => forward.get(value) as C,
    fromCode: (code: string): V | undefined => reverse.get(code),
  };
}

// ---------------------------------------------------------------------------- roles

/** Every role a member can hold in a structure. */
export const ROLES = ["primaryManager", "secondaryManager", "user"] as const;
/** A member's role in a structure (« Gestionnaire principal », …). */
export type Role = (typeof ROLES)[number];

/**
 * The roles that can be given by validating a request or attaching a user. The primary
 * role is never given that way: it is `Structure.primaryManagerId`, changed only by a
 * transfer.
 */
export const ATTACHMENT_ROLES = ["secondaryManager", "user"] as const;
/** A role that can be stored on an attachment. */
export type AttachmentRole = (typeof ATTACHMENT_ROLES)[number];

/** French labels of the roles, as the guide writes them. */
export const roleLabel: Readonly<Record<Role, string>> = {
  primaryManager: "Gestionnaire principal",
  secondaryManager: "Gestionnaire secondaire",
  user: "Utilisateur simple",
};

const roleCodes = twoWay({
  primaryManager: "GESTIONNAIRE_PRINCIPAL",
  secondaryManager: "GESTIONNAIRE_SECONDAIRE",
  user: "UTILISATEUR_SIMPLE",
} as const);

/**
 * The Chorus Pro API code of a role.
 *
 * @example
 * ```ts
 * roleToApiCode("secondaryManager"); // "GESTIONNAIRE_SECONDAIRE"
 * ```
 */
export const roleToApiCode = roleCodes.toCode;

/**
 * The role named by a Chorus Pro API code, or `undefined` for an unknown code.
 *
 * @example
 * ```ts
 * roleFromApiCode("UTILISATEUR_SIMPLE"); // "user"
 * ```
 */
export const roleFromApiCode = roleCodes.fromCode;

// ------------------------------------------------------------- attachment requests

/** The statuses of an attachment request. */
export const ATTACHMENT_REQUEST_STATUSES = ["pending", "validated", "refused"] as const;
/** Where an attachment request stands. */
export type AttachmentRequestStatus = (typeof ATTACHMENT_REQUEST_STATUSES)[number];

/** French labels of the request statuses. */
export const attachmentRequestStatusLabel: Readonly<Record<AttachmentRequestStatus, string>> = {
  pending: "En cours de validation",
  validated: "Validée",
  refused: "Refusée",
};

const requestStatusCodes = twoWay({
  pending: "EN_COURS_DE_VALIDATION",
  validated: "VALIDEE",
  refused: "REFUSEE",
} as const);

/**
 * The Chorus Pro API code (`statutRattachement`) of a request status.
 *
 * @example
 * ```ts
 * attachmentRequestStatusToApiCode("pending"); // "EN_COURS_DE_VALIDATION"
 * ```
 */
export const attachmentRequestStatusToApiCode = requestStatusCodes.toCode;

/**
 * The request status named by a Chorus Pro API code, or `undefined`.
 *
 * @example
 * ```ts
 * attachmentRequestStatusFromApiCode("REFUSEE"); // "refused"
 * ```
 */
export const attachmentRequestStatusFromApiCode = requestStatusCodes.fromCode;

/**
 * A service's « statut du rattachement » on the consultation screen of a request:
 * `requested` = « En cours de validation », `attached` = « Validé », `null` = none.
 */
export type ServiceAttachmentStatus = "requested" | "attached";

/** French labels of a service's attachment status, as the guide's consultation screen shows them. */
export const serviceAttachmentStatusLabel: Readonly<Record<ServiceAttachmentStatus, string>> = {
  requested: "En cours de validation",
  attached: "Validé",
};

// ------------------------------------------------------------------ account status

/** The statuses of a user account. */
export const ACCOUNT_STATUSES = ["pendingActivation", "active", "deactivated"] as const;
/** Where a user account stands: `pendingActivation → active → deactivated → active`. */
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** French labels of the account statuses. */
export const accountStatusLabel: Readonly<Record<AccountStatus, string>> = {
  pendingActivation: "En cours d’activation",
  active: "Actif",
  deactivated: "Désactivé",
};

// ------------------------------------------------------------------ account settings

/** How often a user receives the periodic summary of activity (« notifications périodiques d'activité »). */
export const ACTIVITY_NOTIFICATIONS = ["never", "daily", "weekly"] as const;
/** A user's periodic activity notification setting. */
export type ActivityNotifications = (typeof ACTIVITY_NOTIFICATIONS)[number];

/** French labels of the periodic activity notification settings. */
export const activityNotificationsLabel: Readonly<Record<ActivityNotifications, string>> = {
  never: "Jamais",
  daily: "Quotidienne",
  weekly: "Hebdomadaire",
};

// ------------------------------------------------------------------ structure kind

/** The kinds of structure. */
export const STRUCTURE_KINDS = ["public", "private"] as const;
/** A public or a private structure. */
export type StructureKind = (typeof STRUCTURE_KINDS)[number];

/** French labels of the structure kinds. */
export const structureKindLabel: Readonly<Record<StructureKind, string>> = {
  public: "Structure publique",
  private: "Structure privée",
};

const structureKindCodes = twoWay({ public: "PUBLIQUE", private: "PRIVEE" } as const);

/**
 * The Chorus Pro API code of a structure kind.
 *
 * @example
 * ```ts
 * structureKindToApiCode("private"); // "PRIVEE"
 * ```
 */
export const structureKindToApiCode = structureKindCodes.toCode;

/**
 * The structure kind named by a Chorus Pro API code, or `undefined`.
 *
 * @example
 * ```ts
 * structureKindFromApiCode("PUBLIQUE"); // "public"
 * ```
 */
export const structureKindFromApiCode = structureKindCodes.fromCode;

// ---------------------------------------------------------------- identifier types

/** The kinds of structure identifier Chorus Pro knows. */
export const IDENTIFIER_TYPES = [
  "siret",
  "euOutsideFrance",
  "outsideEu",
  "ridet",
  "tahiti",
  "other",
  "individual",
] as const;
/** The kind of a structure's identifier (SIRET, …). */
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** French labels of the identifier types. */
export const identifierTypeLabel: Readonly<Record<IdentifierType, string>> = {
  siret: "SIRET",
  euOutsideFrance: "Structure européenne hors France",
  outsideEu: "Structure hors UE",
  ridet: "RIDET",
  tahiti: "Numéro TAHITI",
  other: "En cours d’immatriculation",
  individual: "Particulier",
};

const identifierTypeCodes = twoWay({
  siret: "SIRET",
  euOutsideFrance: "UE_HORS_FRANCE",
  outsideEu: "HORS_UE",
  ridet: "RIDET",
  tahiti: "TAHITI",
  other: "AUTRE",
  individual: "PARTICULIER",
} as const);

/**
 * The Chorus Pro API code of an identifier type.
 *
 * @example
 * ```ts
 * identifierTypeToApiCode("euOutsideFrance"); // "UE_HORS_FRANCE"
 * ```
 */
export const identifierTypeToApiCode = identifierTypeCodes.toCode;

/**
 * The identifier type named by a Chorus Pro API code, or `undefined`.
 *
 * @example
 * ```ts
 * identifierTypeFromApiCode("SIRET"); // "siret"
 * ```
 */
export const identifierTypeFromApiCode = identifierTypeCodes.fromCode;

// ------------------------------------------------------------------- space access

/** The access a space grant gives: read (« Consultation ») or write (« Modification », which includes read). */
export const ACCESS_LEVELS = ["read", "write"] as const;
/** An access level on a space. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** French labels of the access levels, as the guide writes them. */
export const accessLevelLabel: Readonly<Record<AccessLevel, string>> = {
  read: "Consultation",
  write: "Modification",
};

const accessCodes = twoWay({ read: "CONSULTATION_UNIQUEMENT", write: "MODIFICATION" } as const);

/**
 * The Chorus Pro API code of an access level.
 *
 * @example
 * ```ts
 * accessLevelToApiCode("read"); // "CONSULTATION_UNIQUEMENT"
 * ```
 */
export const accessLevelToApiCode = accessCodes.toCode;

/**
 * The access level named by a Chorus Pro API code, or `undefined`.
 *
 * @example
 * ```ts
 * accessLevelFromApiCode("MODIFICATION"); // "write"
 * ```
 */
export const accessLevelFromApiCode = accessCodes.fromCode;

// --------------------------------------------------------- subscription requests

/** The statuses of a subscription request. */
export const SUBSCRIPTION_REQUEST_STATUSES = ["pending", "validated", "refused"] as const;
/** Where a subscription request stands. */
export type SubscriptionRequestStatus = (typeof SUBSCRIPTION_REQUEST_STATUSES)[number];

/** French labels of the subscription request statuses: a refused one is « Désactivée ». */
export const subscriptionRequestStatusLabel: Readonly<Record<SubscriptionRequestStatus, string>> = {
  pending: "En cours de validation",
  validated: "Validée",
  refused: "Désactivée",
};

/**
 * Where a validated subscription applies (the guide: « seulement l'utilisateur », « tous
 * les services concernés », « toute la structure »).
 */
export const SUBSCRIPTION_SCOPES = ["user", "services", "structure"] as const;
/** The scope of a subscription validation. */
export type SubscriptionScope = (typeof SUBSCRIPTION_SCOPES)[number];

/** French labels of the subscription scopes. */
export const subscriptionScopeLabel: Readonly<Record<SubscriptionScope, string>> = {
  user: "Seulement l’utilisateur",
  services: "Tous les services concernés",
  structure: "Toute la structure",
};
