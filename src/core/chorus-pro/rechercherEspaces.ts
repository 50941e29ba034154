/**
 * `POST /v1/rechercher/espaces` (« rechercherEspaces »): the spaces a user holds in a
 * structure, for all its services or one, with the access each gives
 * (`typeHabilitation`) and the state of the space where it points (`etatCourant`).
 */
import { z } from "zod";
import { parseWith, sealedObject, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { ServiceId } from "../ids.js";
import type { Service, SpaceGrant, Structure, User } from "../model.js";
import type { Result } from "../result.js";
import { isSpaceOpen } from "../subscriptions/access.js";
import { CHORUS_PRO_SPACES } from "../subscriptions/catalogue.js";
import {
  apiId,
  apiInt32,
  ApiIdSchema,
  NO_FIELDS,
  pageOf,
  pagingSchema,
  put,
  structureRef,
  StructureRefFields,
  textKey,
} from "./_lib.js";
import { chorusProAccess, chorusProSpaceSort, chorusProSpaceStatus, type SpaceStatus } from "./codes.js";
import { CHORUS_PRO_SUCCESS, chorusProListing, type ChorusProPaging } from "./listing.js";
import { DECIMAL_CHORUS_PRO_IDS, decimalId, type ChorusProOptions, type ChorusProStructureFields } from "./options.js";
import type { WsRetourEspaceFoServiceSxp, WsRetourRechercherEspacesFo } from "./payloads.js";

/** A parsed `/v1/rechercher/espaces` request. */
export interface RechercherEspacesRequest {
  /** Only the spaces that apply to this service (its own and those on all services); absent: all. */
  readonly idService?: number;
  /** The structure: `idStructure` and/or `identifiantStructure` with `typeIdentifiantStructure` (normalised). */
  readonly structure: ChorusProStructureFields;
  /** Default: `CodeService`, ascending, page 1 of 100. */
  readonly parametresRechercherEspaces: ChorusProPaging<(typeof chorusProSpaceSort)["codes"][number]>;
}

/** The body of `/v1/rechercher/espaces` (`RechercherEspacesParam`): the structure is required. */
export const RechercherEspacesRequestSchema = sealedObject({
  idService: ApiIdSchema.nullish(),
  structure: sealedObject(StructureRefFields).nullish(),
  parametresRechercherEspaces: pagingSchema(chorusProSpaceSort, "CodeService"),
}).transform((body, ctx): RechercherEspacesRequest => {
    const structure = structureRef(body.structure ?? NO_FIELDS, ctx, ["structure"]);
    if (structure === null) return z.NEVER;
    return {
      ...(body.idService == null ? {} : { idService: body.idService }),
      structure,
      parametresRechercherEspaces: body.parametresRechercherEspaces,
    };
  });

/**
 * What `chorusProRechercherEspaces` takes: the body of `/v1/rechercher/espaces` (`RechercherEspacesParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProRechercherEspacesInput = DeepReadonly<z.input<typeof RechercherEspacesRequestSchema>>;

/**
 * Parses the body of a `/v1/rechercher/espaces` request, or `VALIDATION`.
 *
 * @example
 * ```ts
 * parseRechercherEspacesRequest({ structure: { idStructure: 26346724 }, idService: 7,
 *   parametresRechercherEspaces: { triColonne: "LibelleEspace" } });
 * // ok({ idService: 7, structure: { idStructure: 26346724 }, parametresRechercherEspaces:
 * //      { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "LibelleEspace", triSens: "Ascendant" } })
 * parseRechercherEspacesRequest({ idService: 7 }); // err({ code: "VALIDATION", … }): no structure
 * ```
 */
export function parseRechercherEspacesRequest(input: unknown): Result<RechercherEspacesRequest, DomainError> {
  return parseWith(RechercherEspacesRequestSchema, input);
}

/** What the spaces of a user in a structure are rendered from. */
export interface SpacesInput {
  readonly structure: Structure;
  /** The structure's services (at least those the user's grants name; a grant on a service not given has no row). */
  readonly services: readonly Service[];
  /** The user whose spaces these are (the caller, or a member a manager looks at). */
  readonly user: User;
}

/** One space a user holds, in the library's words. */
interface SpaceRow {
  readonly grant: SpaceGrant;
  readonly service: Service | null;
  readonly state: SpaceStatus;
  readonly code: number | undefined;
  readonly label: string;
  readonly serviceNumber: number | undefined;
}

/**
 * Renders the response of `/v1/rechercher/espaces`: one row per space grant of the user
 * in the structure — on one service (with the service's code, label and number) or on
 * all services (without them) — with `typeHabilitation` (`CONSULTATION_UNIQUEMENT` /
 * `MODIFICATION`) and `etatCourant`: `ACTIVE` while the space is open where the grant
 * points (on an active service), `SUPPRIME` once it is closed there or the service is
 * deactivated. `codeEspace` is the space's number (`ids.space`, or a decimal catalogue
 * `apiCode`), left out when it has none; `idEspaceFo` is left out (the library keeps no
 * record per space and service). With `idService`, only the grants that apply to that
 * service: on it, and on all services.
 *
 * @example
 * ```ts
 * renderRechercherEspaces({ structure: hospital, services, user: elodie },
 *   { parametresRechercherEspaces:
 *     { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "LibelleEspace", triSens: "Ascendant" } });
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000", listeEspace: [{ codeService: "PAIE",
 * //   libelleService: "Paie", libelleEspace: "Factures reçues", typeHabilitation: "MODIFICATION",
 * //   etatCourant: "ACTIVE" }], parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 1 } }
 * ```
 */
export function renderRechercherEspaces(
  input: SpacesInput,
  request: Pick<RechercherEspacesRequest, "idService" | "parametresRechercherEspaces">,
  options: ChorusProOptions = {},
): WsRetourRechercherEspacesFo {
  const ids = options.ids ?? DECIMAL_CHORUS_PRO_IDS;
  const catalogue = options.catalogue ?? CHORUS_PRO_SPACES;
  const { structure, user } = input;
  const services = new Map<ServiceId, Service>();
  for (const s of input.services) if (s.structureId === structure.id) services.set(s.id, s);

  const rows: SpaceRow[] = [];
  for (const grant of user.grants) {
    if (grant.structureId !== structure.id) continue;
    const service = grant.serviceId === null ? null : services.get(grant.serviceId);
    if (service === undefined) continue;
    const serviceNumber = service === null ? undefined : apiId(ids.service(service.id));
    if (request.idService !== undefined && service !== null && serviceNumber !== request.idService) continue;
    const open =
      service === null ? structure.openSpaces.includes(grant.space) : service.active && isSpaceOpen(structure, service, grant.space);
    const definition = catalogue.get(grant.space);
    rows.push({
      grant,
      service,
      state: open ? "open" : "closed",
      code: apiInt32(ids.space !== undefined ? ids.space(grant.space) : definition === undefined ? undefined : decimalId(definition.apiCode)),
      label: definition?.label ?? grant.space,
      serviceNumber,
    });
  }

  const { items, parametresRetour } = pageOf(
    rows,
    chorusProListing(request.parametresRechercherEspaces, chorusProSpaceSort),
    (row, column) => {
      switch (column) {
        case "serviceCode":
          return row.service?.code;
        case "serviceLabel":
          return textKey(row.service?.label);
        case "spaceRecordId":
          return undefined;
        case "spaceCode":
          return row.code;
        case "spaceLabel":
          return textKey(row.label);
        case "state":
          return chorusProSpaceStatus.toCode(row.state);
        case "access":
          return chorusProAccess.toCode(row.grant.access);
        case "serviceId":
          return row.serviceNumber;
      }
    },
    [(row) => row.service?.code, (row) => row.grant.space, (row) => row.grant.access],
  );
  const listeEspace = items.map((row) => {
    const out: WsRetourEspaceFoServiceSxp = {};
    put(out, "codeEspace", row.code);
    out.libelleEspace = row.label;
    if (row.service !== null) {
      out.codeService = row.service.code;
      out.libelleService = row.service.label;
      put(out, "idService", row.serviceNumber);
    }
    out.typeHabilitation = chorusProAccess.toCode(row.grant.access);
    out.etatCourant = chorusProSpaceStatus.toCode(row.state);
    return out;
  });
  return { ...CHORUS_PRO_SUCCESS, listeEspace, parametresRetour };
}
