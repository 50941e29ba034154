/**
 * `POST /v1/lister/rattachementsutilisateur` (« listerRattachementsStructureUtilisateur »):
 * a user's attachment to a structure, one row per service with its status.
 */
import { z } from "zod";
import { parseWith, sealedObject, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Result } from "../result.js";
import { EmailSchema } from "../schemas.js";
import { normalizeLogin } from "../users/registerUser.js";
import {
  apiId,
  ApiIdSchema,
  dateTimeOf,
  pageOf,
  pagingSchema,
  put,
  structureRef,
  StructureRefFields,
  textKey,
} from "./_lib.js";
import { attachmentRows, type AttachmentRow, type AttachmentRowsInput } from "./attachmentRows.js";
import { chorusProAttachmentSort, chorusProAttachmentStatus } from "./codes.js";
import { CHORUS_PRO_SUCCESS, chorusProListing, type ChorusProPaging } from "./listing.js";
import { DECIMAL_CHORUS_PRO_IDS, type ChorusProOptions, type ChorusProStructureFields } from "./options.js";
import type {
  ServiceOutputListerRattachementsStructureUtilisateur,
  WsRetourListerRattachementsStructureUtilisateur,
} from "./payloads.js";

/**
 * A parsed `/v1/lister/rattachementsutilisateur` request: the structure by `idStructure`
 * and/or `identifiantStructure` with `typeIdentifiantStructure` (normalised); the user by
 * `idUtilisateur` and/or `adresseEmailConnexionUtilisateur` (a login, normalised), or
 * neither (the user who calls); the paging filled.
 */
export interface ListerRattachementsUtilisateurRequest extends ChorusProStructureFields {
  readonly idUtilisateur?: number;
  readonly adresseEmailConnexionUtilisateur?: string;
  /** Default: `CodeService`, ascending, page 1 of 100. */
  readonly parametresListerRattachementsStructureUtilisateur: ChorusProPaging<(typeof chorusProAttachmentSort)["codes"][number]>;
}

/** The body of `/v1/lister/rattachementsutilisateur` (`ListerRattachementsStructureUtilisateurParam`). */
export const ListerRattachementsUtilisateurRequestSchema = sealedObject({
  ...StructureRefFields,
  idUtilisateur: ApiIdSchema.nullish(),
  adresseEmailConnexionUtilisateur: EmailSchema.transform(normalizeLogin).nullish(),
  parametresListerRattachementsStructureUtilisateur: pagingSchema(chorusProAttachmentSort, "CodeService"),
}).transform((body, ctx): ListerRattachementsUtilisateurRequest => {
    const structure = structureRef(body, ctx, []);
    if (structure === null) return z.NEVER;
    return {
      ...structure,
      ...(body.idUtilisateur == null ? {} : { idUtilisateur: body.idUtilisateur }),
      ...(body.adresseEmailConnexionUtilisateur == null ? {} : { adresseEmailConnexionUtilisateur: body.adresseEmailConnexionUtilisateur }),
      parametresListerRattachementsStructureUtilisateur: body.parametresListerRattachementsStructureUtilisateur,
    };
  });

/**
 * What `chorusProListerRattachementsUtilisateur` takes: the body of `/v1/lister/rattachementsutilisateur` (`ListerRattachementsStructureUtilisateurParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProListerRattachementsUtilisateurInput = DeepReadonly<z.input<typeof ListerRattachementsUtilisateurRequestSchema>>;

/**
 * Parses the body of a `/v1/lister/rattachementsutilisateur` request, or `VALIDATION`
 * (no structure named, an identifier without its type, a wrong SIRET, an unknown code…).
 *
 * @example
 * ```ts
 * parseListerRattachementsUtilisateurRequest({
 *   identifiantStructure: "266 900 274 00017", typeIdentifiantStructure: "SIRET",
 *   adresseEmailConnexionUtilisateur: "Elodie.Lefevre@chu-lyon.fr",
 * });
 * // ok({ identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET",
 * //      adresseEmailConnexionUtilisateur: "elodie.lefevre@chu-lyon.fr",
 * //      parametresListerRattachementsStructureUtilisateur: { pageResultatDemandee: 1, … } })
 * ```
 */
export function parseListerRattachementsUtilisateurRequest(
  input: unknown,
): Result<ListerRattachementsUtilisateurRequest, DomainError> {
  return parseWith(ListerRattachementsUtilisateurRequestSchema, input);
}

/**
 * Renders the response of `/v1/lister/rattachementsutilisateur`: the structure, and the
 * user's rows (see `attachmentRows`), sorted (ties by service code, then id) and paged.
 * `idRattachement` is left out (the library keeps no record per row), and so is
 * `premierService` (the API description does not say what it means); `dateFin` is set
 * for a removed row, and for an attachment given an end (`validUntil`).
 *
 * @example
 * ```ts
 * renderListerRattachementsUtilisateur(
 *   { structure: hospital, services: [achats, compta, paie, rh], user: elodie, requests: [elodieRequest] },
 *   { parametresListerRattachementsStructureUtilisateur:
 *     { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "CodeService", triSens: "Ascendant" } },
 * );
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000", designationStructure: "Centre hospitalier de Lyon",
 * //   identifiantStructure: "26690027400017", listeServices: [
 * //     { codeService: "ACHATS", nomService: "Achats", statutRattachement: "EN_COURS_DE_VALIDATION", … },
 * //     { codeService: "COMPTA", …, statutRattachement: "EN_COURS_DE_VALIDATION" },
 * //     { codeService: "PAIE", …, statutRattachement: "VALIDEE", dateDebut: "2026-11-02T00:00:00+01:00" }],
 * //   parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 3 } }
 * ```
 */
export function renderListerRattachementsUtilisateur(
  input: AttachmentRowsInput,
  request: Pick<ListerRattachementsUtilisateurRequest, "parametresListerRattachementsStructureUtilisateur">,
  options: ChorusProOptions = {},
): WsRetourListerRattachementsStructureUtilisateur {
  const ids = options.ids ?? DECIMAL_CHORUS_PRO_IDS;
  const { items, parametresRetour } = pageOf(
    attachmentRows(input),
    chorusProListing(request.parametresListerRattachementsStructureUtilisateur, chorusProAttachmentSort),
    (row: AttachmentRow, column) => {
      switch (column) {
        case "serviceCode":
          return row.service?.code;
        case "serviceName":
          return textKey(row.service?.label);
        case "status":
          return chorusProAttachmentStatus.toCode(row.status);
      }
    },
    [(row) => row.service?.code, (row) => row.service?.id],
  );
  const listeServices = items.map((row) => {
    const out: ServiceOutputListerRattachementsStructureUtilisateur = {};
    if (row.service !== null) {
      out.codeService = row.service.code;
      out.nomService = row.service.label;
      put(out, "idService", apiId(ids.service(row.service.id)));
    }
    out.statutRattachement = chorusProAttachmentStatus.toCode(row.status);
    if (row.start !== null) out.dateDebut = dateTimeOf(row.start, options.timeZone);
    if (row.end !== null) out.dateFin = dateTimeOf(row.end, options.timeZone);
    if (row.comment !== null) out.commentaire = row.comment;
    return out;
  });
  const response: WsRetourListerRattachementsStructureUtilisateur = {
    ...CHORUS_PRO_SUCCESS,
    designationStructure: input.structure.designation,
    identifiantStructure: input.structure.identifier.value,
  };
  put(response, "idStructure", apiId(ids.structure(input.structure.id)));
  response.listeServices = listeServices;
  response.parametresRetour = parametresRetour;
  return response;
}
