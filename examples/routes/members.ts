// Guide §3 A, « Rattacher un utilisateur ayant un compte »: the members of a structure,
// a direct attachment, a role change, a removal; and the person leaving a structure.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, idempotency } from "../http.js";
import * as input from "../inputs.js";

/** The routes of a structure's members (`/structures/:structureId/members…`) and `DELETE /me/structures/:structureId`. */
export function memberRoutes(server: FastifyInstance, app: Habilitations): void {
  server.get("/structures/:structureId/members", async (req, reply) =>
    answer(reply, req, await app.listMembers(req.actor, input.listMembers(req))));
  server.post("/structures/:structureId/members", async (req, reply) =>
    answer(reply, req, await app.attachUser(req.actor, input.attachUser(req), idempotency(req)), 201));
  server.patch("/structures/:structureId/members/:userId", async (req, reply) =>
    answer(reply, req, await app.changeMemberRole(req.actor, input.changeMemberRole(req), idempotency(req))));
  server.delete("/structures/:structureId/members/:userId", async (req, reply) =>
    answer(reply, req, await app.removeAttachment(req.actor, input.removeAttachment(req), idempotency(req))));
  server.delete("/me/structures/:structureId", async (req, reply) =>
    answer(reply, req, await app.leaveStructure(req.actor, input.leaveStructure(req), idempotency(req))));
}
