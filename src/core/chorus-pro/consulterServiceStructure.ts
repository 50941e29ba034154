/**
 * `POST /v1/consulter/service` (« consulterServiceStructure »): one service of a structure.
 */
import { z } from "zod";
import { parseWith, sealedObject, type DeepReadonly } from "../boundary.js";
import type { DomainError } from "../errors.js";
import type { Service } from "../model.js";
import type { Result } from "../result.js";
import { ApiIdSchema } from "./_lib.js";
import { LanguageCodeSchema } from "./consulterStructure.js";
import { CHORUS_PRO_SUCCESS } from "./listing.js";
import type { ChorusProOptions } from "./options.js";
import type { WsRetourConsulterServiceStructure } from "./payloads.js";

/** A parsed `/v1/consulter/service` request. */
export interface ConsulterServiceStructureRequest {
  /** The service's structure, by its Chorus Pro number. */
  readonly idStructure: number;
  /** The service, by its Chorus Pro number. */
  readonly idService: number;
  /** As given. */
  readonly codeLangue?: string;
}

/** The body of `/v1/consulter/service` (`ConsulterServiceStructureParam`): `idStructure` and `idService` are required. */
export const ConsulterServiceStructureRequestSchema = sealedObject({ idStructure: ApiIdSchema, idService: ApiIdSchema, codeLangue: LanguageCodeSchema }).transform(
    ({ idStructure, idService, codeLangue }): ConsulterServiceStructureRequest =>
      codeLangue == null ? { idStructure, idService } : { idStructure, idService, codeLangue },
  );

/**
 * What `chorusProConsulterServiceStructure` takes: the body of `/v1/consulter/service` (`ConsulterServiceStructureParam`) as the API writes it, every
 * field typed (a misspelt field or an unknown code does not compile; the body is still
 * parsed at run time).
 */
export type ChorusProConsulterServiceStructureInput = DeepReadonly<z.input<typeof ConsulterServiceStructureRequestSchema>>;

/**
 * Parses the body of a `/v1/consulter/service` request, or `VALIDATION`.
 *
 * @example
 * ```ts
 * parseConsulterServiceStructureRequest({ idStructure: 26346724, idService: 7 });
 * // ok({ idStructure: 26346724, idService: 7 })
 * parseConsulterServiceStructureRequest({ idService: 7 }); // err({ code: "VALIDATION", … })
 * ```
 */
export function parseConsulterServiceStructureRequest(
  input: unknown,
): Result<ConsulterServiceStructureRequest, DomainError> {
  return parseWith(ConsulterServiceStructureRequestSchema, input);
}

/**
 * Renders the response of `/v1/consulter/service` for a service: its code, its label
 * (`nomService`) and when it was created. The response has no field for whether the
 * service is active (`rechercherServicesStructure` says it), nor does the library keep
 * a description, an address, validity dates or invoicing settings of a service.
 *
 * @example
 * ```ts
 * renderConsulterServiceStructure(compta);
 * // { codeRetour: 0, libelle: "TRA_MSG_00.000",
 * //   informationsGenerales: { codeService: "COMPTA", nomService: "Comptabilité" },
 * //   parametres: { dateCreation: "2026-11-02T08:30:00.000Z" } }
 * ```
 */
export function renderConsulterServiceStructure(
  service: Service,
  _options: ChorusProOptions = {},
): WsRetourConsulterServiceStructure {
  return {
    ...CHORUS_PRO_SUCCESS,
    informationsGenerales: { codeService: service.code, nomService: service.label },
    parametres: { dateCreation: service.createdAt },
  };
}
