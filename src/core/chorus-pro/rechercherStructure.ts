/**
 * `POST /v1/rechercher` (« rechercherStructure »): structures found by identifier,
 * designation, kind or status, sorted and paged.
 */
import { z } from "zod";
import { parseWith, sealedObject, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import { normalizeIdentifierValue } from "../identifier.js";
import type { Structure } from "../model.js";
import type { Ok, Result } from "../result.js";
import { normalizeForSearch } from "../search/normalize.js";
import type { IdentifierType, StructureKind } from "../vocabulary.js";
import { apiId, codeSchema, NO_FIELDS, pageOf, pagingSchema, put, SearchTextSchema, textKey } from "./_lib.js";
import {
  chorusProIdentifierType,
  chorusProStructureKind,
  chorusProStructureSort,
  chorusProStructureStatus,
  chorusProStructureStatusFilter,
  type ChorusProCodeTable,
  type StructureStatus,
} from "./codes.js";
import { CHORUS_PRO_SUCCESS, chorusProListing, type ChorusProPaging } from "./listing.js";
import { DECIMAL_CHORUS_PRO_IDS, type ChorusProIds, type ChorusProOptions } from "./options.js";
import type { StructureAAfficher, TypeIdentifiantStructure, TypeStructure, WsRetourRechercherStructure } from "./payloads.js";

/** What a structure search asks for, in the library's words (`null`: no such criterion). */
export interface StructureCriteria {
  /**
   * `identifiantStructure`, normalised (spaces and dots removed, upper case): an exact
   * match. One of only spaces and dots stays as given (it matches no structure).
   */
  readonly identifier: string | null;
  /** `typeIdentifiantStructure`. */
  readonly identifierType: IdentifierType | null;
  /**
   * `raisonSocialeStructure` and `libelleStructure`, in their search form: each must be
   * found in the designation (accent- and case-insensitive, partial).
   */
  readonly designation: readonly string[];
  /** `typeStructure`. */
  readonly kind: StructureKind | null;
  /** `statutStructure` (the library's structures are all active). */
  readonly status: StructureStatus | null;
}

/** A parsed `/v1/rechercher` request: the API's names, what is blank or `null` left out, the paging filled. */
export interface RechercherStructureRequest {
  /** The criteria (`RechercherStructureInput`) the library can match. */
  readonly structure: {
    /** Normalised (spaces and dots removed, upper case): an exact match. */
    readonly identifiantStructure?: string;
    readonly typeIdentifiantStructure?: TypeIdentifiantStructure;
    /** Found in the designation (accent- and case-insensitive, partial). */
    readonly raisonSocialeStructure?: string;
    /** Found in the designation, like `raisonSocialeStructure`. */
    readonly libelleStructure?: string;
    readonly typeStructure?: TypeStructure;
    readonly statutStructure?: (typeof chorusProStructureStatusFilter)["codes"][number];
  };
  /** Default: `DesignationStructure`, ascending, page 1 of 100. */
  readonly parametres: ChorusProPaging<(typeof chorusProStructureSort)["codes"][number]>;
}

/** Why a criterion of the API is refused: the library keeps nothing it could match. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  adresseCodePays: "la bibliothèque ne garde pas d'adresse de structure",
  adresseCodePostal: "la bibliothèque ne garde pas d'adresse de structure",
  adresseVille: "la bibliothèque ne garde pas d'adresse de structure",
  nomStructure: "la bibliothèque garde une désignation, pas les nom et prénom d'une personne",
  prenomStructure: "la bibliothèque garde une désignation, pas les nom et prénom d'une personne",
  estMOA: "la bibliothèque ne sait pas quelles structures sont maîtres d'ouvrage (MOA)",
  estMOAUniquement: "la bibliothèque ne sait pas quelles structures sont maîtres d'ouvrage (MOA)",
};

/**
 * The body of `/v1/rechercher` (`RechercherStructureParam`). Absent, `null` and blank
 * fields are the same; a criterion the library cannot match (an address, a person's
 * names, `estMOA` true, `restreindreStructuresPrivees` true) is refused rather than
 * ignored, so a search never answers more than was asked.
 */
export const RechercherStructureRequestSchema = sealedObject({
    structure: sealedObject({
        adresseCodePays: SearchTextSchema,
        adresseCodePostal: SearchTextSchema,
        adresseVille: SearchTextSchema,
        estMOA: z.boolean().nullish(),
        estMOAUniquement: z.boolean().nullish(),
        identifiantStructure: SearchTextSchema,
        libelleStructure: SearchTextSchema,
        nomStructure: SearchTextSchema,
        prenomStructure: SearchTextSchema,
        raisonSocialeStructure: SearchTextSchema,
        statutStructure: codeSchema(chorusProStructureStatusFilter).nullish(),
        typeIdentifiantStructure: codeSchema(chorusProIdentifierType).nullish(),
        typeStructure: codeSchema(chorusProStructureKind).nullish(),
    }).nullish(),
    restreindreStructuresPrivees: z.boolean().nullish(),
    parametres: pagingSchema(chorusProStructureSort, "DesignationStructure"),
  })
  .superRefine((body, ctx) => {
    const structure = body.structure ?? NO_FIELDS;
    for (const [field, why] of Object.entries(UNSUPPORTED)) {
      const value = (structure as Record<string, unknown>)[field];
      if (value !== null && value !== undefined && value !== false)
        ctx.addIssue({ code: "custom", path: ["structure", field], message: `critère non pris en charge : ${why}` });
    }
    if (body.restreindreStructuresPrivees === true)
      ctx.addIssue({
        code: "custom",
        path: ["restreindreStructuresPrivees"],
        message: "critère non pris en charge : la description de l'API ne dit pas ce qu'il restreint",
      });
  })
  .transform((body): RechercherStructureRequest => {
    const s = body.structure;
    const structure: { -readonly [K in keyof RechercherStructureRequest["structure"]]: RechercherStructureRequest["structure"][K] } = {};
    if (s?.identifiantStructure != null) {
      // Normalised; but one of only dots and spaces (« . ») is kept as given: it searches
      // for an empty identifier, which no structure has, and "" would read again as no
      // criterion at all (every structure).
      const normalized = normalizeIdentifierValue(s.identifiantStructure);
      structure.identifiantStructure = normalized === "" ? s.identifiantStructure : normalized;
    }
    if (s?.typeIdentifiantStructure != null) structure.typeIdentifiantStructure = s.typeIdentifiantStructure;
    if (s?.raisonSocialeStructure != null) structure.raisonSocialeStructure = s.raisonSocialeStructure;
    if (s?.libelleStructure != null) structure.libelleStructure = s.libelleStructure;
    if (s?.typeStructure != null) structure.typeStructure = s.typeStructure;
    if (s?.statutStructure != null) structure.statutStructure = s.statutStructure;
    return { structure, parametres: body.parametres };
  });

/**
 * What `chorusProRechercherStructure` takes: the body of `/v1/rechercher` (`RechercherStructureParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProRechercherStructureInput = DeepReadonly<z.input<typeof RechercherStructureRequestSchema>>;

/**
 * Parses the body of a `/v1/rechercher` request, or `VALIDATION` (an unknown code, a
 * wrong type, an unknown field, a criterion the library cannot match). What it gives
 * back parses again to itself.
 *
 * @example
 * ```ts
 * parseRechercherStructureRequest({
 *   structure: { typeStructure: "PUBLIQUE", raisonSocialeStructure: "hôpital", adresseVille: null },
 *   parametres: { nbResultatsParPage: 10, triSens: "Descendant" },
 * });
 * // ok({ structure: { typeStructure: "PUBLIQUE", raisonSocialeStructure: "hôpital" },
 * //      parametres: { pageResultatDemandee: 1, nbResultatsParPage: 10,
 * //                    triColonne: "DesignationStructure", triSens: "Descendant" } })
 * parseRechercherStructureRequest({ structure: { typeStructure: "ASSOCIATION" } });
 * // err({ code: "VALIDATION", … })
 * ```
 */
export function parseRechercherStructureRequest(input: unknown): Result<RechercherStructureRequest, DomainError> {
  return parseWith(RechercherStructureRequestSchema, input);
}

/**
 * The criteria of a parsed search in the library's words (for a store that searches
 * structures itself).
 *
 * @example
 * ```ts
 * structureCriteriaOf({ typeStructure: "PUBLIQUE", raisonSocialeStructure: "Hôpital" });
 * // { identifier: null, identifierType: null, designation: ["hopital"], kind: "public", status: null }
 * ```
 */
export function structureCriteriaOf(structure: RechercherStructureRequest["structure"]): StructureCriteria {
  const value = <V extends string, C extends string>(table: ChorusProCodeTable<V, C>, code: C | undefined): V | null =>
    code === undefined ? null : (table.fromCode(code) as Ok<V>).value;
  return {
    identifier: structure.identifiantStructure === undefined ? null : normalizeIdentifierValue(structure.identifiantStructure),
    identifierType: value(chorusProIdentifierType, structure.typeIdentifiantStructure),
    designation: [structure.raisonSocialeStructure, structure.libelleStructure]
      .filter((t): t is string => t !== undefined)
      .map(normalizeForSearch),
    kind: value(chorusProStructureKind, structure.typeStructure),
    status: value(chorusProStructureStatusFilter, structure.statutStructure),
  };
}

/**
 * Whether a structure meets every criterion of a search (every structure is active).
 *
 * @example
 * ```ts
 * matchesStructureCriteria(hospital, { identifier: null, identifierType: null,
 *   designation: ["hospitalier"], kind: "public", status: "active" }); // true
 * ```
 */
export function matchesStructureCriteria(structure: Structure, criteria: StructureCriteria): boolean {
  if (criteria.status !== null && criteria.status !== "active") return false;
  if (criteria.kind !== null && criteria.kind !== structure.kind) return false;
  if (criteria.identifierType !== null && criteria.identifierType !== structure.identifier.type) return false;
  if (criteria.identifier !== null && criteria.identifier !== normalizeIdentifierValue(structure.identifier.value)) return false;
  if (criteria.designation.length > 0) {
    const designation = normalizeForSearch(structure.designation);
    if (!criteria.designation.every((needle) => designation.includes(needle))) return false;
  }
  return true;
}

/** A structure as a search result (`StructureAAfficher`). */
function structureAAfficher(structure: Structure, ids: ChorusProIds): StructureAAfficher {
  const row: StructureAAfficher = {
    designationStructure: structure.designation,
    identifiantStructure: structure.identifier.value,
    statut: chorusProStructureStatus.toCode("active"),
    typeIdentifiantStructure: chorusProIdentifierType.toCode(structure.identifier.type),
  };
  put(row, "idStructureCPP", apiId(ids.structure(structure.id)));
  return row;
}

/**
 * Renders the response of `/v1/rechercher`: the structures given that meet the criteria,
 * sorted (ties by designation, then id) and paged. Pass the structures the caller may
 * see; the function reads nothing else.
 *
 * @example
 * ```ts
 * const request = parseRechercherStructureRequest({ structure: { typeStructure: "PUBLIQUE" } });
 * if (request.ok) renderRechercherStructure([hospital, acme], request.value);
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000",
 * //   listeStructures: [{ designationStructure: "Centre hospitalier de Lyon",
 * //     identifiantStructure: "26690027400017", statut: "ACTIVE", typeIdentifiantStructure: "SIRET" }],
 * //   parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 1 } }
 * ```
 */
export function renderRechercherStructure(
  structures: readonly Structure[],
  request: RechercherStructureRequest,
  options: ChorusProOptions = {},
): WsRetourRechercherStructure {
  const ids = options.ids ?? DECIMAL_CHORUS_PRO_IDS;
  const criteria = structureCriteriaOf(request.structure);
  const found = structures.filter((s) => matchesStructureCriteria(s, criteria));
  const { items, parametresRetour } = pageOf(
    found,
    chorusProListing(request.parametres, chorusProStructureSort),
    (s, column) => {
      switch (column) {
        case "identifier":
          return s.identifier.value;
        case "designation":
          return textKey(s.designation);
        case "identifierType":
          return chorusProIdentifierType.toCode(s.identifier.type);
        case "status":
          return chorusProStructureStatus.toCode("active");
      }
    },
    [(s) => textKey(s.designation), (s) => s.id],
  );
  return { ...CHORUS_PRO_SUCCESS, listeStructures: items.map((s) => structureAAfficher(s, ids)), parametresRetour };
}
