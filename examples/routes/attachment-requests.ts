// Guide §1, « Gérer les demandes de rattachement »: the user's request, the managers'
// list, the consultation, and the decisions, one at a time or several at once.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, answerBulk, idempotency } from "../http.js";
import * as input from "../inputs.js";

/** The routes of attachment requests (`/attachment-requests…`). */
export function attachmentRequestRoutes(server: FastifyInstance, app: Habilitations): void {
  server.post("/attachment-requests", async (req, reply) =>
    answer(reply, req, await app.requestAttachment(req.actor, input.requestAttachment(req), idempotency(req)), 201));
  server.get("/attachment-requests", async (req, reply) =>
    answer(reply, req, await app.listPendingAttachmentRequests(req.actor, input.listPendingAttachmentRequests(req))));
  server.get("/attachment-requests/:requestId", async (req, reply) =>
    answer(reply, req, await app.consultAttachmentRequest(req.actor, input.consultAttachmentRequest(req))));
  server.post("/attachment-requests/:requestId/validation", async (req, reply) =>
    answer(reply, req, await app.validateAttachmentRequest(req.actor, input.validateAttachmentRequest(req), idempotency(req))));
  server.post("/attachment-requests/:requestId/refusal", async (req, reply) =>
    answer(reply, req, await app.refuseAttachmentRequest(req.actor, input.refuseAttachmentRequest(req), idempotency(req))));
  server.post("/attachment-requests/validations", async (req, reply) =>
    answerBulk(reply, req, await app.validateAttachmentRequests(req.actor, input.validateAttachmentRequests(req), idempotency(req))));
  server.post("/attachment-requests/refusals", async (req, reply) =>
    answerBulk(reply, req, await app.refuseAttachmentRequests(req.actor, input.refuseAttachmentRequests(req), idempotency(req))));
}
