/**
 * Every code of Chorus Pro's « Structures » API (v1, PISTE) for what the library models,
 * both ways. The codes are those the API description enumerates (its Swagger file; each
 * table names the fields it fills); the values are the library's own words.
 *
 * Each table is total in both directions: every value has one code, every code one
 * value, and a string that is not a code is refused with `VALIDATION`. Where the library
 * has no record in a state the API can name (an inactive structure), the value still
 * exists here, so the table stays total; the docs say which (docs/chorus-pro.md).
 */
import type { DomainError } from "../errors.js";
import { err, ok, type Result } from "../result.js";
import {
  ACCESS_LEVELS,
  IDENTIFIER_TYPES,
  accessLevelToApiCode,
  identifierTypeToApiCode,
  structureKindToApiCode,
  type AccessLevel,
  type IdentifierType,
  type StructureKind,
} from "../vocabulary.js";

/** A two-way table between library values and the codes of one Chorus Pro field. */
export interface ChorusProCodeTable<V extends string, C extends string> {
  /** The API's name for the field (`statutRattachement`). */
  readonly field: string;
  /**
   * Where the API description enumerates exactly these codes, as `Definition.property`.
   * Empty when it types the field as a free string (`ServiceExpose.statutService`).
   */
  readonly enumeratedIn: readonly string[];
  /** Other fields the table fills whose type the API description leaves open. */
  readonly alsoFills: readonly string[];
  /** The library's values, in the order of the codes. */
  readonly values: readonly V[];
  /** The API's codes, in the order the API description lists them. */
  readonly codes: readonly C[];
  /** The code of a value. */
  toCode(value: V): C;
  /** The value of a code; `VALIDATION` (issue `unknown_code`) for anything else. */
  fromCode(code: unknown, path?: readonly (string | number)[]): Result<V, DomainError>;
  /** Whether a string is one of the codes. */
  isCode(code: unknown): code is C;
}

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

function codeTable<V extends string, C extends string>(
  field: string,
  pairs: readonly (readonly [V, C])[],
  where: { readonly enumeratedIn: readonly string[]; readonly alsoFills?: readonly string[] },
): ChorusProCodeTable<V, C> {
  // Maps, not object lookups: "toString" or "__proto__" is no value and no code.
  const forward = new Map<string, C>();
  const reverse = new Map<string, V>();
  for (const [value, code] of pairs) {
    if (forward.has(value) || reverse.has(code)) throw new Error(`${field}: the table is not one to one`);
    forward.set(value, code);
    reverse.set(code, value);
  }
  const codes = Object.freeze(pairs.map(([, code]) => code));
  return Object.freeze({
    field,
    enumeratedIn: Object.freeze([...where.enumeratedIn]),
    alsoFills: Object.freeze([...(where.alsoFills ?? [])]),
    values: Object.freeze(pairs.map(([value]) => value)),
    codes,
    toCode: (value: V): C => forward.get(value) as C,
    isCode: (code: unknown): code is C => typeof code === "string" && reverse.has(code),
    fromCode(code: unknown, path: readonly (string | number)[] = []): Result<V, DomainError> {
      const value = typeof code === "string" ? reverse.get(code) : undefined;
      if (value !== undefined) return ok(value);
      const shown = typeof code === "string" ? clip(code) : typeof code;
      return err({
        code: "VALIDATION",
        issues: [{ path: [...path], code: "unknown_code", message: `n'est pas un code de ${field} (${codes.join(", ")}) : ${shown}` }],
      });
    },
  });
}

// ------------------------------------------------------------- statutRattachement

/**
 * The statuses of one row of a user's attachment to a structure's service, as the API's
 * `statutRattachement` names them: asked for, attached, refused, attached to a service
 * (or by an account) since deactivated, removed. Derived from the records by
 * `attachmentRows`.
 */
export const ATTACHMENT_ROW_STATUSES = ["pending", "validated", "refused", "deactivated", "removed"] as const;
/** The status of one row of a user's attachment (`statutRattachement`). */
export type AttachmentRowStatus = (typeof ATTACHMENT_ROW_STATUSES)[number];

/**
 * French labels of the row statuses, as the guide writes a service's « statut du
 * rattachement » (« Validé ») and a removal (« Supprimé »).
 */
export const attachmentRowStatusLabel: Readonly<Record<AttachmentRowStatus, string>> = {
  pending: "En cours de validation",
  validated: "Validé",
  refused: "Refusé",
  deactivated: "Désactivé",
  removed: "Supprimé",
};

/**
 * `statutRattachement`: `EN_COURS_DE_VALIDATION`, `REFUSEE`, `VALIDEE`, `DESACTIVEE`,
 * `SUPPRIMEE`.
 *
 * @example
 * ```ts
 * chorusProAttachmentStatus.toCode("removed"); // "SUPPRIMEE"
 * chorusProAttachmentStatus.fromCode("VALIDEE"); // ok("validated")
 * chorusProAttachmentStatus.fromCode("VALIDE"); // err({ code: "VALIDATION", … })
 * ```
 */
export const chorusProAttachmentStatus = codeTable<AttachmentRowStatus, "EN_COURS_DE_VALIDATION" | "REFUSEE" | "VALIDEE" | "DESACTIVEE" | "SUPPRIMEE">(
  "statutRattachement",
  [
    ["pending", "EN_COURS_DE_VALIDATION"],
    ["refused", "REFUSEE"],
    ["validated", "VALIDEE"],
    ["deactivated", "DESACTIVEE"],
    ["removed", "SUPPRIMEE"],
  ],
  { enumeratedIn: ["ServiceOutputListerRattachementsStructureUtilisateur.statutRattachement"] },
);

// ------------------------------------------------------------------ service state

/** The states of a service: `Service.active` as a word. */
export const SERVICE_STATUSES = ["active", "inactive"] as const;
/** Whether a service is active. */
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** French labels of the service states. */
export const serviceStatusLabel: Readonly<Record<ServiceStatus, string>> = { active: "Actif", inactive: "Inactif" };

/**
 * A service's state in `statutService`: `ACTIF`, `INACTIF`. The API description types
 * `ServiceExpose.statutService` as a free string; these are the codes it uses for the
 * same state of a structure (`statutStructure`). `estActif` says it as a boolean.
 *
 * @example
 * ```ts
 * chorusProServiceStatus.toCode("inactive"); // "INACTIF"
 * ```
 */
export const chorusProServiceStatus = codeTable<ServiceStatus, "ACTIF" | "INACTIF">(
  "statutService",
  [
    ["active", "ACTIF"],
    ["inactive", "INACTIF"],
  ],
  { enumeratedIn: [], alsoFills: ["ServiceExpose.statutService"] },
);

// --------------------------------------------------------------- structure status

/**
 * The states of a structure. The library has no inactive structure (no act deactivates
 * one): every structure it renders is `active`, and a search for inactive ones finds none.
 */
export const STRUCTURE_STATUSES = ["active", "inactive"] as const;
/** Whether a structure is active. */
export type StructureStatus = (typeof STRUCTURE_STATUSES)[number];

/** French labels of the structure states. */
export const structureStatusLabel: Readonly<Record<StructureStatus, string>> = { active: "Active", inactive: "Inactive" };

/**
 * A structure's state in search results (`StructureAAfficher.statut`): `ACTIVE`, `INACTIVE`.
 *
 * @example
 * ```ts
 * chorusProStructureStatus.toCode("active"); // "ACTIVE"
 * ```
 */
export const chorusProStructureStatus = codeTable<StructureStatus, "ACTIVE" | "INACTIVE">(
  "statut",
  [
    ["active", "ACTIVE"],
    ["inactive", "INACTIVE"],
  ],
  { enumeratedIn: ["StructureAAfficher.statut"] },
);

/**
 * A structure's state as a search criterion (`statutStructure`): `ACTIF`, `INACTIF` (the
 * API spells the same state otherwise in its results).
 *
 * @example
 * ```ts
 * chorusProStructureStatusFilter.fromCode("INACTIF"); // ok("inactive")
 * ```
 */
export const chorusProStructureStatusFilter = codeTable<StructureStatus, "ACTIF" | "INACTIF">(
  "statutStructure",
  [
    ["active", "ACTIF"],
    ["inactive", "INACTIF"],
  ],
  { enumeratedIn: ["RechercherStructureInput.statutStructure"] },
);

// ----------------------------------------------------------------- structure kind

/**
 * A structure's kind (`typeStructure`, `structurePriveePublique`): `PRIVEE`, `PUBLIQUE`.
 * Agrees with `structureKindToApiCode`.
 *
 * @example
 * ```ts
 * chorusProStructureKind.fromCode("PUBLIQUE"); // ok("public")
 * ```
 */
export const chorusProStructureKind = codeTable<StructureKind, "PRIVEE" | "PUBLIQUE">(
  "typeStructure",
  (["private", "public"] as const).map((kind) => [kind, structureKindToApiCode(kind)] as const),
  {
    enumeratedIn: [
      "RechercherStructureInput.typeStructure",
      "InformationsGeneralesStructureCompleteTVAIntraCom.structurePriveePublique",
    ],
  },
);

// ---------------------------------------------------------------- identifier type

/**
 * A structure identifier's type (`typeIdentifiantStructure`): `SIRET`, `UE_HORS_FRANCE`,
 * `HORS_UE`, `RIDET`, `TAHITI`, `AUTRE`, `PARTICULIER`. Agrees with
 * `identifierTypeToApiCode`.
 *
 * @example
 * ```ts
 * chorusProIdentifierType.toCode("euOutsideFrance"); // "UE_HORS_FRANCE"
 * ```
 */
export const chorusProIdentifierType = codeTable<
  IdentifierType,
  "SIRET" | "UE_HORS_FRANCE" | "HORS_UE" | "RIDET" | "TAHITI" | "AUTRE" | "PARTICULIER"
>(
  "typeIdentifiantStructure",
  IDENTIFIER_TYPES.map((type) => [type, identifierTypeToApiCode(type)] as const),
  {
    enumeratedIn: [
      "RechercherStructureInput.typeIdentifiantStructure",
      "ListerRattachementsStructureUtilisateurParam.typeIdentifiantStructure",
      "StructureAAfficher.typeIdentifiantStructure",
      "ParametresStructureRechercherEspacesFo.typeIdentifiantStructure",
      "InformationsGeneralesStructureCompleteTVAIntraCom.typeIdentifiantStructure",
    ],
  },
);

// -------------------------------------------------------------- typeHabilitation

/**
 * The access a space grant gives (`typeHabilitation`): `CONSULTATION_UNIQUEMENT`,
 * `MODIFICATION`. Agrees with `accessLevelToApiCode`.
 *
 * @example
 * ```ts
 * chorusProAccess.toCode("read"); // "CONSULTATION_UNIQUEMENT"
 * ```
 */
export const chorusProAccess = codeTable<AccessLevel, "CONSULTATION_UNIQUEMENT" | "MODIFICATION">(
  "typeHabilitation",
  ACCESS_LEVELS.map((level) => [level, accessLevelToApiCode(level)] as const),
  { enumeratedIn: ["WsRetourEspaceFoServiceSxp.typeHabilitation"] },
);

// ------------------------------------------------------------------- space state

/**
 * The states of a space where a grant points: `open` (opened there, on an active
 * service) or `closed` (closed since, or its service deactivated).
 */
export const SPACE_STATUSES = ["open", "closed"] as const;
/** Whether the space a grant points at is still there. */
export type SpaceStatus = (typeof SPACE_STATUSES)[number];

/** French labels of the space states. */
export const spaceStatusLabel: Readonly<Record<SpaceStatus, string>> = { open: "Actif", closed: "Supprimé" };

/**
 * A space's state (`etatCourant`): `ACTIVE`, `SUPPRIME`.
 *
 * @example
 * ```ts
 * chorusProSpaceStatus.toCode("closed"); // "SUPPRIME"
 * ```
 */
export const chorusProSpaceStatus = codeTable<SpaceStatus, "ACTIVE" | "SUPPRIME">(
  "etatCourant",
  [
    ["open", "ACTIVE"],
    ["closed", "SUPPRIME"],
  ],
  { enumeratedIn: ["WsRetourEspaceFoServiceSxp.etatCourant"] },
);

// ------------------------------------------------------------------------ sorting

/** The directions of a sort. */
export const SORT_DIRECTIONS = ["descending", "ascending"] as const;
/** A sort's direction (`triSens`). */
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/**
 * A sort's direction (`triSens`): `Descendant`, `Ascendant`.
 *
 * @example
 * ```ts
 * chorusProSortDirection.fromCode("Ascendant"); // ok("ascending")
 * ```
 */
export const chorusProSortDirection = codeTable<SortDirection, "Descendant" | "Ascendant">(
  "triSens",
  [
    ["descending", "Descendant"],
    ["ascending", "Ascendant"],
  ],
  {
    enumeratedIn: [
      "ParametresRechercherStructure.triSens",
      "ParametresRechercherServicesStructure.triSens",
      "ParamListerRattachementsStructureUtilisateur.triSens",
      "ParametresRechercherEspacesFo.triSens",
    ],
  },
);

/** The columns a structure search sorts by. */
export const STRUCTURE_SORT_COLUMNS = ["identifier", "designation", "identifierType", "status"] as const;
/** A column of a structure search (`triColonne`). */
export type StructureSortColumn = (typeof STRUCTURE_SORT_COLUMNS)[number];

/**
 * The sort columns of `rechercherStructure`: `IdentifiantStructure`,
 * `DesignationStructure`, `TypeIdentifiantStructure`, `Statut`.
 *
 * @example
 * ```ts
 * chorusProStructureSort.fromCode("DesignationStructure"); // ok("designation")
 * ```
 */
export const chorusProStructureSort = codeTable<
  StructureSortColumn,
  "IdentifiantStructure" | "DesignationStructure" | "TypeIdentifiantStructure" | "Statut"
>(
  "triColonne",
  [
    ["identifier", "IdentifiantStructure"],
    ["designation", "DesignationStructure"],
    ["identifierType", "TypeIdentifiantStructure"],
    ["status", "Statut"],
  ],
  { enumeratedIn: ["ParametresRechercherStructure.triColonne"] },
);

/** The columns a search of a structure's services sorts by (`endDate`: the library keeps none). */
export const SERVICE_SORT_COLUMNS = ["code", "label", "startDate", "endDate", "active"] as const;
/** A column of a search of services (`triColonne`). */
export type ServiceSortColumn = (typeof SERVICE_SORT_COLUMNS)[number];

/**
 * The sort columns of `rechercherServicesStructure`: `CodeService`, `LibelleService`,
 * `DateDbtService`, `DateFinService`, `EstActif`.
 *
 * @example
 * ```ts
 * chorusProServiceSort.toCode("label"); // "LibelleService"
 * ```
 */
export const chorusProServiceSort = codeTable<
  ServiceSortColumn,
  "CodeService" | "LibelleService" | "DateDbtService" | "DateFinService" | "EstActif"
>(
  "triColonne",
  [
    ["code", "CodeService"],
    ["label", "LibelleService"],
    ["startDate", "DateDbtService"],
    ["endDate", "DateFinService"],
    ["active", "EstActif"],
  ],
  { enumeratedIn: ["ParametresRechercherServicesStructure.triColonne"] },
);

/** The columns a list of a user's attachment rows sorts by. */
export const ATTACHMENT_SORT_COLUMNS = ["serviceCode", "serviceName", "status"] as const;
/** A column of a list of attachment rows (`triColonne`). */
export type AttachmentSortColumn = (typeof ATTACHMENT_SORT_COLUMNS)[number];

/**
 * The sort columns of `listerRattachementsStructureUtilisateur`: `CodeService`,
 * `NomService`, `StatutRattachement`.
 *
 * @example
 * ```ts
 * chorusProAttachmentSort.fromCode("StatutRattachement"); // ok("status")
 * ```
 */
export const chorusProAttachmentSort = codeTable<AttachmentSortColumn, "CodeService" | "NomService" | "StatutRattachement">(
  "triColonne",
  [
    ["serviceCode", "CodeService"],
    ["serviceName", "NomService"],
    ["status", "StatutRattachement"],
  ],
  { enumeratedIn: ["ParamListerRattachementsStructureUtilisateur.triColonne"] },
);

/** The columns a list of a user's spaces sorts by (`spaceRecordId`: the library keeps none). */
export const SPACE_SORT_COLUMNS = [
  "serviceCode",
  "serviceLabel",
  "spaceRecordId",
  "spaceCode",
  "spaceLabel",
  "state",
  "access",
  "serviceId",
] as const;
/** A column of a list of spaces (`triColonne`). */
export type SpaceSortColumn = (typeof SPACE_SORT_COLUMNS)[number];

/**
 * The sort columns of `rechercherEspaces`: `CodeService`, `LibelleService`, `idEspaceFo`,
 * `CodeEspace`, `LibelleEspace`, `etatCourant`, `TypeHabilitation`, `IdService`.
 *
 * @example
 * ```ts
 * chorusProSpaceSort.toCode("spaceLabel"); // "LibelleEspace"
 * ```
 */
export const chorusProSpaceSort = codeTable<
  SpaceSortColumn,
  "CodeService" | "LibelleService" | "idEspaceFo" | "CodeEspace" | "LibelleEspace" | "etatCourant" | "TypeHabilitation" | "IdService"
>(
  "triColonne",
  [
    ["serviceCode", "CodeService"],
    ["serviceLabel", "LibelleService"],
    ["spaceRecordId", "idEspaceFo"],
    ["spaceCode", "CodeEspace"],
    ["spaceLabel", "LibelleEspace"],
    ["state", "etatCourant"],
    ["access", "TypeHabilitation"],
    ["serviceId", "IdService"],
  ],
  { enumeratedIn: ["ParametresRechercherEspacesFo.triColonne"] },
);

/**
 * Every code table, by a name of its own: what the docs' code tables and the tests walk.
 *
 * @example
 * ```ts
 * Object.keys(CHORUS_PRO_CODE_TABLES); // ["attachmentStatus", "serviceStatus", …]
 * ```
 */
export const CHORUS_PRO_CODE_TABLES = Object.freeze({
  attachmentStatus: chorusProAttachmentStatus,
  serviceStatus: chorusProServiceStatus,
  structureStatus: chorusProStructureStatus,
  structureStatusFilter: chorusProStructureStatusFilter,
  structureKind: chorusProStructureKind,
  identifierType: chorusProIdentifierType,
  access: chorusProAccess,
  spaceStatus: chorusProSpaceStatus,
  sortDirection: chorusProSortDirection,
  structureSort: chorusProStructureSort,
  serviceSort: chorusProServiceSort,
  attachmentSort: chorusProAttachmentSort,
  spaceSort: chorusProSpaceSort,
}) satisfies Readonly<Record<string, ChorusProCodeTable<string, string>>>;
