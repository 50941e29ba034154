// Guide §6, « Transférer le rôle de gestionnaire principal »: one's primary structures,
// the transfer (the manager keeps access), the deactivation (the manager leaves) and the
// reactivation within 60 × 24 hours.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, idempotency } from "../http.js";
import * as input from "../inputs.js";

/** `GET /me/primary-structures`, `POST /transfers`, `POST /me/deactivation`, `POST /me/reactivation`. */
export function transferRoutes(server: FastifyInstance, app: Habilitations): void {
  server.get("/me/primary-structures", async (req, reply) => answer(reply, req, await app.listPrimaryStructures(req.actor)));
  server.post("/transfers", async (req, reply) =>
    answer(reply, req, await app.transferPrimaryRole(req.actor, input.transferPrimaryRole(req), idempotency(req))));
  server.post("/me/deactivation", async (req, reply) =>
    answer(reply, req, await app.deactivateAccount(req.actor, input.deactivateAccount(req), idempotency(req))));
  server.post("/me/reactivation", async (req, reply) => answer(reply, req, await app.reactivateAccount(req.actor, idempotency(req))));
}
