/**
 * `POST /v1/consulter` (« consulterStructure »): one structure's general information.
 */
import { z } from "zod";
import { parseWith, sealedObject, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Structure } from "../model.js";
import type { Result } from "../result.js";
import { apiId, ApiIdSchema, put } from "./_lib.js";
import { chorusProIdentifierType, chorusProStructureKind } from "./codes.js";
import { CHORUS_PRO_SUCCESS } from "./listing.js";
import { DECIMAL_CHORUS_PRO_IDS, type ChorusProOptions } from "./options.js";
import type { InformationsGeneralesStructureCompleteTVAIntraCom, WsRetourConsulterStructureTVAIntraCom } from "./payloads.js";

/** A parsed `/v1/consulter` request. */
export interface ConsulterStructureRequest {
  /** The structure, by its Chorus Pro number (the caller finds the record). */
  readonly idStructureCPP: number;
  /** As given (the library's texts are French). */
  readonly codeLangue?: string;
}

/** A language code of a request: a few letters (`FR`, `fr-FR`); `null` is absent. */
export const LanguageCodeSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$/, "un code de langue (FR, fr-FR)")
  .nullish();

/** The body of `/v1/consulter` (`ConsulterStructureAvecTVAIntraComParam`): `idStructureCPP` is required. */
export const ConsulterStructureRequestSchema = sealedObject({ idStructureCPP: ApiIdSchema, codeLangue: LanguageCodeSchema }).transform(
    (body): ConsulterStructureRequest =>
      body.codeLangue == null ? { idStructureCPP: body.idStructureCPP } : { idStructureCPP: body.idStructureCPP, codeLangue: body.codeLangue },
  );

/**
 * What `chorusProConsulterStructure` takes: the body of `/v1/consulter` (`ConsulterStructureAvecTVAIntraComParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProConsulterStructureInput = DeepReadonly<z.input<typeof ConsulterStructureRequestSchema>>;

/**
 * Parses the body of a `/v1/consulter` request, or `VALIDATION`.
 *
 * @example
 * ```ts
 * parseConsulterStructureRequest({ idStructureCPP: 26346724, codeLangue: null });
 * // ok({ idStructureCPP: 26346724 })
 * parseConsulterStructureRequest({ idStructureCPP: "26346724" }); // err({ code: "VALIDATION", … })
 * ```
 */
export function parseConsulterStructureRequest(input: unknown): Result<ConsulterStructureRequest, DomainError> {
  return parseWith(ConsulterStructureRequestSchema, input);
}

/**
 * Renders the response of `/v1/consulter` for a structure: its number, identifier,
 * designation (`raisonSocialeStructure`) and kind. The postal address, VAT and RCS
 * numbers, e-mail, invoicing settings (`parametres`) and the rest are left out: the
 * library keeps none of them (docs/chorus-pro.md).
 *
 * @example
 * ```ts
 * renderConsulterStructure(hospital, { ids: { structure: () => 26346724, service: () => undefined } });
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000", informationGenerales: { idStructureCPP: 26346724,
 * //   identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET",
 * //   raisonSocialeStructure: "Centre hospitalier de Lyon", structurePriveePublique: "PUBLIQUE" } }
 * ```
 */
export function renderConsulterStructure(
  structure: Structure,
  options: ChorusProOptions = {},
): WsRetourConsulterStructureTVAIntraCom {
  const ids = options.ids ?? DECIMAL_CHORUS_PRO_IDS;
  const informationGenerales: InformationsGeneralesStructureCompleteTVAIntraCom = {};
  put(informationGenerales, "idStructureCPP", apiId(ids.structure(structure.id)));
  informationGenerales.identifiantStructure = structure.identifier.value;
  informationGenerales.typeIdentifiantStructure = chorusProIdentifierType.toCode(structure.identifier.type);
  informationGenerales.raisonSocialeStructure = structure.designation;
  informationGenerales.structurePriveePublique = chorusProStructureKind.toCode(structure.kind);
  return { ...CHORUS_PRO_SUCCESS, informationGenerales };
}
