// Guide §4, « Obtenir l'historique »: a structure's history, newest first, filtered.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer } from "../http.js";
import * as input from "../inputs.js";

/** `GET /structures/:structureId/history`. */
export function historyRoutes(server: FastifyInstance, app: Habilitations): void {
  server.get("/structures/:structureId/history", async (req, reply) =>
    answer(reply, req, await app.readHistory(req.actor, input.readHistory(req))));
}
