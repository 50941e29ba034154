// Guide §5, « Rechercher et gérer des utilisateurs »: the search, the lookup of a person
// to attach or to name as successor, and the CSV export, streamed to the response.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainError, Habilitations, Result, UserExport } from "habilitations";
import { answer, sendError } from "../http.js";
import * as input from "../inputs.js";

/**
 * Streams an export to the response: the status and headers are sent before the store is
 * read, then a page at a time as the client takes the bytes (back-pressure). Should the
 * store fail half-way, the connection is cut: the client sees a truncated download, never
 * a complete-looking file.
 */
function sendExport(reply: FastifyReply, req: FastifyRequest, r: Result<UserExport, DomainError>): FastifyReply {
  if (!r.ok) return sendError(reply, req, r.error);
  return reply
    .code(200)
    .type(r.value.contentType)
    .header("content-disposition", `attachment; filename="${r.value.fileName}"`)
    .header("cache-control", "no-store") // personal data
    .send(Readable.from(r.value.body));
}

/** `GET /users`, `GET /structures/:structureId/people`, `GET /users/export`, `POST /users/export`. */
export function searchRoutes(server: FastifyInstance, app: Habilitations): void {
  server.get("/users", async (req, reply) => answer(reply, req, await app.searchUsers(req.actor, input.searchUsers(req))));
  server.get("/structures/:structureId/people", async (req, reply) =>
    answer(reply, req, await app.lookupPerson(req.actor, input.lookupPerson(req))));
  server.get("/users/export", async (req, reply) => sendExport(reply, req, await app.exportUsers(req.actor, input.exportUsersFound(req))));
  server.post("/users/export", async (req, reply) => sendExport(reply, req, await app.exportUsers(req.actor, input.exportUsersChecked(req))));
}
