// Guide §2, « Gérer les demandes d'abonnement à des espaces »: the catalogue, the user's
// request (our extension), the managers' list, consultation and decisions; where a space
// is open; direct grants; and the access query a host asks on its own routes.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, answerBulk, hostProblem, idempotency, sendError } from "../http.js";
import * as input from "../inputs.js";

/** The routes of spaces, subscription requests and grants. */
export function subscriptionRoutes(server: FastifyInstance, app: Habilitations): void {
  server.get("/spaces", { config: { public: true } }, async () => app.listSpaces());

  server.post("/subscription-requests", async (req, reply) =>
    answer(reply, req, await app.requestSubscription(req.actor, input.requestSubscription(req), idempotency(req)), 201));
  server.get("/subscription-requests", async (req, reply) =>
    answer(reply, req, await app.listPendingSubscriptionRequests(req.actor, input.listPendingSubscriptionRequests(req))));
  server.get("/subscription-requests/:requestId", async (req, reply) =>
    answer(reply, req, await app.consultSubscriptionRequest(req.actor, input.consultSubscriptionRequest(req))));
  server.post("/subscription-requests/:requestId/validation", async (req, reply) =>
    answer(reply, req, await app.validateSubscriptionRequest(req.actor, input.validateSubscriptionRequest(req), idempotency(req))));
  server.post("/subscription-requests/:requestId/refusal", async (req, reply) =>
    answer(reply, req, await app.refuseSubscriptionRequest(req.actor, input.refuseSubscriptionRequest(req), idempotency(req))));
  server.post("/subscription-requests/validations", async (req, reply) =>
    answerBulk(reply, req, await app.validateSubscriptionRequests(req.actor, input.validateSubscriptionRequests(req), idempotency(req))));
  server.post("/subscription-requests/refusals", async (req, reply) =>
    answerBulk(reply, req, await app.refuseSubscriptionRequests(req.actor, input.refuseSubscriptionRequests(req), idempotency(req))));

  server.post("/structures/:structureId/spaces/:space/open", async (req, reply) =>
    answer(reply, req, await app.openSpace(req.actor, input.spaceOnStructure(req), idempotency(req))));
  server.post("/structures/:structureId/spaces/:space/close", async (req, reply) =>
    answer(reply, req, await app.closeSpace(req.actor, input.spaceOnStructure(req), idempotency(req))));
  server.post("/structures/:structureId/grants", async (req, reply) =>
    answerBulk(reply, req, await app.grantSpaces(req.actor, input.grantSpaces(req), idempotency(req))));
  server.delete("/structures/:structureId/members/:userId/grants/:space", async (req, reply) =>
    answer(reply, req, await app.revokeSpaceGrant(req.actor, input.revokeSpaceGrant(req), idempotency(req))));
  server.get("/structures/:structureId/members/:userId/grants", async (req, reply) =>
    answer(reply, req, await app.listMemberGrants(req.actor, input.listMemberGrants(req))));

  // The access query, for the actor themself: may I read « Factures reçues » there?
  server.get("/me/access", async (req, reply) => {
    const may = await app.mayAccess(input.mayAccess(req));
    return may.ok ? reply.send({ allowed: may.value }) : sendError(reply, req, may.error);
  });
  // A route of the host's own (its invoices, not the library's), guarded by the access
  // query: 403 unless a grant gives the actor read access to « Factures reçues » there.
  server.get("/structures/:structureId/received-invoices", async (req, reply) => {
    const may = await app.mayAccess(input.receivedInvoicesAccess(req));
    if (!may.ok) return sendError(reply, req, may.error);
    if (!may.value)
      return hostProblem(reply, req, 403, "SPACE_ACCESS_DENIED", "Accès refusé", "Vous n'avez pas accès à l'espace « Factures reçues » de cette structure.");
    return reply.send({ invoices: [] }); // the host's own work would go here
  });
}
