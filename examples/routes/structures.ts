// Structures and services: the structure record a manager creates (becoming its primary
// manager) and its services.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, idempotency } from "../http.js";
import * as input from "../inputs.js";

/** `POST /structures`, `POST /structures/:structureId/services`, `PATCH /services/:serviceId`, `POST /services/:serviceId/deactivation`. */
export function structureRoutes(server: FastifyInstance, app: Habilitations): void {
  server.post("/structures", async (req, reply) =>
    answer(reply, req, await app.createStructure(req.actor, input.createStructure(req), idempotency(req)), 201));
  server.post("/structures/:structureId/services", async (req, reply) =>
    answer(reply, req, await app.addService(req.actor, input.addService(req), idempotency(req)), 201));
  server.patch("/services/:serviceId", async (req, reply) =>
    answer(reply, req, await app.renameService(req.actor, input.renameService(req), idempotency(req))));
  server.post("/services/:serviceId/deactivation", async (req, reply) =>
    answer(reply, req, await app.deactivateService(req.actor, input.deactivateService(req), idempotency(req))));
}
