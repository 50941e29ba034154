// The HTTP glue of the example service: who the actor is (a stand-in for the host's
// authentication), the Idempotency-Key header, and how a library `Result` becomes a
// response — a value as JSON, an error as problem details (RFC 9457) whose status
// comes from `httpStatusOf` alone.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  httpStatusOf,
  problemDetails,
  PROBLEM_CONTENT_TYPE,
  type DomainError,
  type Result,
} from "habilitations";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The acting user's id, set by {@link authenticate} on every route that is not
     * public. Public routes (registration, activation, the space catalogue) never read it.
     */
    actor: string;
  }
  interface FastifyContextConfig {
    /** A route anyone may call: no actor is asked for (registration, activation). */
    public?: boolean;
  }
}

// ─────────────────────────────────────────────────────────────────────────────────────
// !!! STAND-IN FOR THE HOST'S AUTHENTICATION — NOT FOR PRODUCTION !!!
//
// This example believes whatever the client puts in an `X-User-Id` header. A real host
// derives the actor from its own session cookie or a verified token (OIDC, SAML, …) and
// maps its principal to the library's user id (the id `registerUser`/`createAccount`
// gave back, kept beside the host's own user). Replace this one hook; nothing else in
// the example reads the header.
// ─────────────────────────────────────────────────────────────────────────────────────
/** The header the stand-in authentication reads the actor's id from. */
export const ACTOR_HEADER = "x-user-id";

/**
 * Installs the `authenticate` hook: on every route not marked `config: { public: true }`,
 * a request without an actor is answered 401 before the library is called; otherwise
 * `req.actor` holds the actor's id, handed to the library as it came (the library judges
 * whether it names an active user).
 */
export function authenticate(server: FastifyInstance): void {
  server.decorateRequest("actor", "");
  server.addHook("onRequest", async (req, reply) => {
    if (req.routeOptions.config.public === true) return;
    const header = req.headers[ACTOR_HEADER];
    if (typeof header !== "string" || header === "") {
      reply.header("www-authenticate", 'X-User-Id realm="habilitations-example"');
      return hostProblem(reply, req, 401, "UNAUTHENTICATED", "Authentification requise", "Aucun utilisateur authentifié : la requête doit porter l'en-tête X-User-Id.");
    }
    req.actor = header;
  });
}

/**
 * The command options of a request: its `Idempotency-Key` header passed through as it
 * came (the library refuses a malformed key with `VALIDATION`, 400), or none.
 */
export function idempotency(req: FastifyRequest): { idempotencyKey?: string } {
  const key = req.headers["idempotency-key"];
  // Node joins a repeated header with ", ": the library then refuses it (a space).
  return typeof key === "string" ? { idempotencyKey: key } : {};
}

/**
 * Answers a library error: its status from `httpStatusOf` (never chosen here by code),
 * problem details as `application/problem+json`, and `Retry-After` when the error says
 * when to come back (the e-mail throttles carry `retryAt`).
 */
export function sendError(reply: FastifyReply, req: FastifyRequest, error: DomainError): FastifyReply {
  const retryAt = (error as { readonly retryAt?: unknown }).retryAt;
  if (typeof retryAt === "string") {
    const seconds = Math.max(0, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000));
    if (Number.isFinite(seconds)) reply.header("retry-after", String(seconds));
  }
  return reply
    .code(httpStatusOf(error))
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemDetails(error, { instance: req.url }));
}

/**
 * Answers a library result: the value as JSON with `status` (200 unless the route says
 * 201 or 202), or the error as problem details ({@link sendError}).
 */
export function answer<T>(reply: FastifyReply, req: FastifyRequest, result: Result<T, DomainError>, status = 200): FastifyReply {
  if (!result.ok) return sendError(reply, req, result.error);
  return reply.code(status).send(result.value);
}

/** One item of a bulk outcome as the example sends it: its own `ok`, its value or its problem. */
export type RenderedItem = Record<string, unknown>;

/**
 * Answers a bulk act (several decisions, e-mails or grants at once): 200 with one entry
 * per item, in order, each item's error rendered as problem details (with its own
 * `status`), as docs/http.md advises. A refusal of the whole act (a bad body, an unknown
 * actor) is an error response as any other.
 */
export function answerBulk<Item extends { readonly result: Result<unknown, DomainError> }>(
  reply: FastifyReply,
  req: FastifyRequest,
  result: Result<{ readonly results: readonly Item[]; readonly events: readonly unknown[] }, DomainError>,
): FastifyReply {
  if (!result.ok) return sendError(reply, req, result.error);
  const results = result.value.results.map(({ result: r, ...key }): RenderedItem =>
    r.ok ? { ...key, ok: true, value: r.value } : { ...key, ok: false, problem: problemDetails(r.error) },
  );
  return reply.code(200).send({ results, events: result.value.events });
}

/**
 * A problem of the host's own (no library error behind it: no actor, a body that is not
 * JSON, an unknown route), in the same shape as the library's problem details, with a
 * `code` of the host's vocabulary.
 */
export function hostProblem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: string,
  title: string,
  detail: string,
): FastifyReply {
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ type: "about:blank", title, status, detail, instance: req.url, code });
}

/**
 * Renders what Fastify itself refuses before a handler runs (a body that is not JSON, an
 * unsupported media type, a body too large) and unknown routes as problem details; any
 * other thrown error is a bug of the host: logged, answered 500 without its message.
 */
export function problemHandlers(server: FastifyInstance): void {
  server.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return hostProblem(reply, req, status, "MALFORMED_REQUEST", "Requête mal formée", error.message);
    }
    req.log.error({ err: error }, "unexpected error");
    return hostProblem(reply, req, 500, "INTERNAL", "Erreur interne", "Une erreur inattendue est survenue.");
  });
  server.setNotFoundHandler((req, reply) =>
    hostProblem(reply, req, 404, "ROUTE_NOT_FOUND", "Introuvable", `Aucune route ${req.method} ${req.url.split("?")[0] ?? ""}.`),
  );
}
