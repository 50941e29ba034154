// Chorus Pro's « Structures » API (v1), spoken by the example under Chorus Pro's own paths
// (`basePath /cpro/structures`): each operation a POST whose JSON body is the API's, and
// whose answer is the API's payload (`codeRetour`, `libelle`, …); a refusal is problem
// details, as every other error of the service (the API description defines no error body).
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer } from "../http.js";
import * as input from "../inputs.js";

/** The six operations: `POST /cpro/structures/v1/rechercher`, `/v1/consulter`, … */
export function chorusProRoutes(server: FastifyInstance, app: Habilitations): void {
  const base = "/cpro/structures/v1";
  server.post(`${base}/rechercher`, async (req, reply) =>
    answer(reply, req, await app.chorusProRechercherStructure(req.actor, input.chorusProRechercherStructure(req))));
  server.post(`${base}/consulter`, async (req, reply) =>
    answer(reply, req, await app.chorusProConsulterStructure(req.actor, input.chorusProConsulterStructure(req))));
  server.post(`${base}/consulter/service`, async (req, reply) =>
    answer(reply, req, await app.chorusProConsulterServiceStructure(req.actor, input.chorusProConsulterServiceStructure(req))));
  server.post(`${base}/rechercher/services`, async (req, reply) =>
    answer(reply, req, await app.chorusProRechercherServicesStructure(req.actor, input.chorusProRechercherServicesStructure(req))));
  server.post(`${base}/lister/rattachementsutilisateur`, async (req, reply) =>
    answer(reply, req, await app.chorusProListerRattachementsUtilisateur(req.actor, input.chorusProListerRattachementsUtilisateur(req))));
  server.post(`${base}/rechercher/espaces`, async (req, reply) =>
    answer(reply, req, await app.chorusProRechercherEspaces(req.actor, input.chorusProRechercherEspaces(req))));
}
