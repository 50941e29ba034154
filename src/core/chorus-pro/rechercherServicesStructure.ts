/**
 * `POST /v1/rechercher/services` (« rechercherServicesStructure »): a structure's
 * services, active and inactive, sorted and paged.
 */
import { z } from "zod";
import { parseWith, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Service } from "../model.js";
import type { Result } from "../result.js";
import { apiId, ApiIdSchema, pageOf, pagingSchema, put, textKey } from "./_lib.js";
import { chorusProServiceSort, chorusProServiceStatus } from "./codes.js";
import { CHORUS_PRO_SUCCESS, chorusProListing, type ChorusProPaging } from "./listing.js";
import { DECIMAL_CHORUS_PRO_IDS, type ChorusProOptions } from "./options.js";
import type { ServiceExpose, WsRetourRechercherServicesStructure } from "./payloads.js";

/** A parsed `/v1/rechercher/services` request. */
export interface RechercherServicesStructureRequest {
  /** The structure, by its Chorus Pro number. */
  readonly idStructure: number;
  /** Default: `CodeService`, ascending, page 1 of 100. */
  readonly parametresRechercherServicesStructure: ChorusProPaging<(typeof chorusProServiceSort)["codes"][number]>;
}

/** The body of `/v1/rechercher/services` (`RechercherServicesStructureParam`): `idStructure` is required. */
export const RechercherServicesStructureRequestSchema = z.strictObject({
  idStructure: ApiIdSchema,
  parametresRechercherServicesStructure: pagingSchema(chorusProServiceSort, "CodeService"),
});

/**
 * What `chorusProRechercherServicesStructure` takes: the body of `/v1/rechercher/services` (`RechercherServicesStructureParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProRechercherServicesStructureInput = DeepReadonly<z.input<typeof RechercherServicesStructureRequestSchema>>;

/**
 * Parses the body of a `/v1/rechercher/services` request, or `VALIDATION`.
 *
 * @example
 * ```ts
 * parseRechercherServicesStructureRequest({ idStructure: 26346724,
 *   parametresRechercherServicesStructure: { triColonne: "EstActif", triSens: "Descendant" } });
 * // ok({ idStructure: 26346724, parametresRechercherServicesStructure:
 * //   { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "EstActif", triSens: "Descendant" } })
 * ```
 */
export function parseRechercherServicesStructureRequest(
  input: unknown,
): Result<RechercherServicesStructureRequest, DomainError> {
  return parseWith(RechercherServicesStructureRequestSchema, input);
}

/**
 * Renders the response of `/v1/rechercher/services`: every service given (pass the
 * structure's), with its code, label, number, `estActif` and `statutService` (`ACTIF` /
 * `INACTIF`), sorted (ties by code, then id) and paged. `DateDbtService` sorts by when a
 * service was created; `DateFinService` sorts nothing (the library keeps no end date of
 * a service), so ties decide.
 *
 * @example
 * ```ts
 * const request = parseRechercherServicesStructureRequest({ idStructure: 1 });
 * if (request.ok) renderRechercherServicesStructure([compta, achats], request.value);
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000", listeServices: [
 * //   { codeService: "ACHATS", libelleService: "Achats", estActif: true, statutService: "ACTIF" },
 * //   { codeService: "COMPTA", libelleService: "Comptabilité", estActif: true, statutService: "ACTIF" }],
 * //   parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 2 } }
 * ```
 */
export function renderRechercherServicesStructure(
  services: readonly Service[],
  request: Pick<RechercherServicesStructureRequest, "parametresRechercherServicesStructure">,
  options: ChorusProOptions = {},
): WsRetourRechercherServicesStructure {
  const ids = options.ids ?? DECIMAL_CHORUS_PRO_IDS;
  const { items, parametresRetour } = pageOf(
    services,
    chorusProListing(request.parametresRechercherServicesStructure, chorusProServiceSort),
    (s, column) => {
      switch (column) {
        case "code":
          return s.code;
        case "label":
          return textKey(s.label);
        case "startDate":
          return s.createdAt;
        case "endDate":
          return undefined;
        case "active":
          return s.active;
      }
    },
    [(s) => s.code, (s) => s.id],
  );
  const listeServices = items.map((s) => {
    const row: ServiceExpose = {
      codeService: s.code,
      libelleService: s.label,
      estActif: s.active,
      statutService: chorusProServiceStatus.toCode(s.active ? "active" : "inactive"),
    };
    put(row, "idService", apiId(ids.service(s.id)));
    return row;
  });
  return { ...CHORUS_PRO_SUCCESS, listeServices, parametresRetour };
}
