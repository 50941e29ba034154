// Guide §3 B, « Rattacher un utilisateur n'ayant pas de compte », and the account side of
// §5: a manager creates an account, anyone registers one (public), the person activates
// it from the e-mail's link (public), managers send that e-mail again and read a user's
// record and structures, the person changes their record and confirms a contact address.
import type { FastifyInstance } from "fastify";
import type { Habilitations } from "habilitations";
import { answer, answerBulk, idempotency } from "../http.js";
import * as input from "../inputs.js";

/** The routes of accounts and users' records. */
export function accountRoutes(server: FastifyInstance, app: Habilitations): void {
  server.post("/structures/:structureId/accounts", async (req, reply) =>
    answer(reply, req, await app.createAccount(req.actor, input.createAccount(req), idempotency(req)), 201));
  // Public: the same answer whether the login is new or taken (no account enumeration).
  // A real host rate-limits this route per client, as any sign-up form.
  server.post("/registrations", { config: { public: true } }, async (req, reply) =>
    answer(reply, req, await app.registerAccount(input.registerAccount(req), idempotency(req)), 202));
  // Public: the link of the activation e-mail carries the user id and the token.
  server.post("/activations", { config: { public: true } }, async (req, reply) =>
    answer(reply, req, await app.activateAccount(input.activateAccount(req), idempotency(req))));
  server.post("/structures/:structureId/activation-emails", async (req, reply) =>
    answerBulk(reply, req, await app.sendActivationEmails(req.actor, input.sendActivationEmails(req), idempotency(req))));
  server.get("/structures/:structureId/users/:userId", async (req, reply) =>
    answer(reply, req, await app.getPersonalInformation(req.actor, input.getPersonalInformation(req))));
  server.get("/structures/:structureId/users/:userId/structures", async (req, reply) =>
    answer(reply, req, await app.listUserStructures(req.actor, input.listUserStructures(req))));
  server.patch("/users/:userId", async (req, reply) =>
    answer(reply, req, await app.updateUser(req.actor, input.updateUser(req), idempotency(req))));
  server.post("/me/contact-email/confirmation", async (req, reply) =>
    answer(reply, req, await app.confirmContactEmail(req.actor, input.confirmContactEmail(req), idempotency(req))));
}
