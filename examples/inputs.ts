// What each route hands the library: one small function per route, the only place the
// example reads `req.body`, `req.query` and `req.params`. The library parses every
// input (a bad body or query is `VALIDATION`, 400), so these only put the pieces of the
// request together: the body as it came, with the ids of the path, or the query string
// as it came (`?limit=20` stays the string "20": the library reads decimal page sizes).
//
// Each returns `unknown` today, as the operations take it. Once the library exports an
// input type per operation (`ValidateAttachmentRequestInput`, …), each becomes a cast to
// that type here — `=> withPath(…) as ValidateAttachmentRequestInput` — and the routes
// do not change: the runtime parse stays, the cast only says "untyped bytes from HTTP".
import type { FastifyRequest } from "fastify";

/** A query string as Fastify parses it: a repeated key gives an array. */
type Query = Record<string, string | string[] | undefined>;

/** A path parameter of the route (always a string: the route declares it). */
function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? "";
}

/** The query string, copied into a plain object (Fastify's has no prototype). */
function query(req: FastifyRequest): Query {
  return { ...(req.query as Query) };
}

/**
 * The body with the ids the path names: for an object body, its fields and the path's
 * (the path wins); no body, the path's ids alone; anything else as it came, for the
 * library to refuse (`VALIDATION`: an array or a string is not a command).
 */
export function withPath(body: unknown, fromPath: Record<string, string>): unknown {
  if (body === undefined) return { ...fromPath };
  if (typeof body === "object" && body !== null && !Array.isArray(body)) return { ...body, ...fromPath };
  return body;
}

/** The fields whose value is not `undefined` (the library's optional fields are absent, never `undefined`). */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** `"true"`/`"false"` of a query string as booleans; anything else as it came (the library refuses it). */
function booleanOf(value: string | string[] | undefined): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

// ── Structures and services ────────────────────────────────────────────────────────────
/** `POST /structures`: createStructure, the body as is. */
export const createStructure = (req: FastifyRequest): unknown => req.body;
/** `POST /structures/:structureId/services`: addService (code, label). */
export const addService = (req: FastifyRequest): unknown => withPath(req.body, { structureId: param(req, "structureId") });
/** `PATCH /services/:serviceId`: renameService (label). */
export const renameService = (req: FastifyRequest): unknown => withPath(req.body, { serviceId: param(req, "serviceId") });
/** `POST /services/:serviceId/deactivation`: deactivateService. */
export const deactivateService = (req: FastifyRequest): unknown => withPath(req.body, { serviceId: param(req, "serviceId") });

// ── §1 Attachment requests ─────────────────────────────────────────────────────────────
/** `POST /attachment-requests`: requestAttachment (structureId, scope, requestedRole, comment). */
export const requestAttachment = (req: FastifyRequest): unknown => req.body;
/** `GET /attachment-requests`: listPendingAttachmentRequests (limit, cursor). */
export const listPendingAttachmentRequests = (req: FastifyRequest): unknown => query(req);
/** `GET /attachment-requests/:requestId`: consultAttachmentRequest. */
export const consultAttachmentRequest = (req: FastifyRequest): unknown => ({ requestId: param(req, "requestId") });
/** `POST /attachment-requests/:requestId/validation`: validateAttachmentRequest (role, scope). */
export const validateAttachmentRequest = (req: FastifyRequest): unknown => withPath(req.body, { requestId: param(req, "requestId") });
/** `POST /attachment-requests/:requestId/refusal`: refuseAttachmentRequest (reason). */
export const refuseAttachmentRequest = (req: FastifyRequest): unknown => withPath(req.body, { requestId: param(req, "requestId") });
/** `POST /attachment-requests/validations`: validateAttachmentRequests (items). */
export const validateAttachmentRequests = (req: FastifyRequest): unknown => req.body;
/** `POST /attachment-requests/refusals`: refuseAttachmentRequests (requestIds, reason). */
export const refuseAttachmentRequests = (req: FastifyRequest): unknown => req.body;

// ── §2 Subscriptions and spaces ────────────────────────────────────────────────────────
/** `POST /subscription-requests`: requestSubscription (structureId, items, comment). */
export const requestSubscription = (req: FastifyRequest): unknown => req.body;
/** `GET /subscription-requests`: listPendingSubscriptionRequests (limit, cursor). */
export const listPendingSubscriptionRequests = (req: FastifyRequest): unknown => query(req);
/** `GET /subscription-requests/:requestId`: consultSubscriptionRequest. */
export const consultSubscriptionRequest = (req: FastifyRequest): unknown => ({ requestId: param(req, "requestId") });
/** `POST /subscription-requests/:requestId/validation`: validateSubscriptionRequest (items, scope, comment). */
export const validateSubscriptionRequest = (req: FastifyRequest): unknown => withPath(req.body, { requestId: param(req, "requestId") });
/** `POST /subscription-requests/:requestId/refusal`: refuseSubscriptionRequest (comment). */
export const refuseSubscriptionRequest = (req: FastifyRequest): unknown => withPath(req.body, { requestId: param(req, "requestId") });
/** `POST /subscription-requests/validations`: validateSubscriptionRequests (items). */
export const validateSubscriptionRequests = (req: FastifyRequest): unknown => req.body;
/** `POST /subscription-requests/refusals`: refuseSubscriptionRequests (requestIds, comment). */
export const refuseSubscriptionRequests = (req: FastifyRequest): unknown => req.body;
/** `POST /structures/:structureId/spaces/:space/open` and `/close`: openSpace, closeSpace (serviceId). */
export const spaceOnStructure = (req: FastifyRequest): unknown =>
  withPath(req.body, { structureId: param(req, "structureId"), space: param(req, "space") });
/** `POST /structures/:structureId/grants`: grantSpaces (userIds, items, comment). */
export const grantSpaces = (req: FastifyRequest): unknown => withPath(req.body, { structureId: param(req, "structureId") });
/** `DELETE /structures/:structureId/members/:userId/grants/:space?serviceId=`: revokeSpaceGrant. */
export const revokeSpaceGrant = (req: FastifyRequest): unknown => ({
  ...query(req),
  structureId: param(req, "structureId"),
  userId: param(req, "userId"),
  space: param(req, "space"),
});
/** `GET /structures/:structureId/members/:userId/grants`: listMemberGrants. */
export const listMemberGrants = (req: FastifyRequest): unknown => ({ structureId: param(req, "structureId"), userId: param(req, "userId") });
/** `GET /me/access?structureId=&space=&access=&serviceId=`: mayAccess, for the actor themself. */
export const mayAccess = (req: FastifyRequest): unknown => ({ ...query(req), userId: req.actor });
/** `GET /structures/:structureId/received-invoices?serviceId=`: the host's own route, guarded by mayAccess. */
export const receivedInvoicesAccess = (req: FastifyRequest): unknown => ({
  ...query(req),
  userId: req.actor,
  structureId: param(req, "structureId"),
  space: "FACTURES_RECUES",
  access: "read",
});

// ── §3 A Members ───────────────────────────────────────────────────────────────────────
/** `GET /structures/:structureId/members`: listMembers (limit, cursor). */
export const listMembers = (req: FastifyRequest): unknown => ({ ...query(req), structureId: param(req, "structureId") });
/** `POST /structures/:structureId/members`: attachUser (userId, role, validFrom, comment, scope). */
export const attachUser = (req: FastifyRequest): unknown => withPath(req.body, { structureId: param(req, "structureId") });
/** `PATCH /structures/:structureId/members/:userId`: changeMemberRole (role). */
export const changeMemberRole = (req: FastifyRequest): unknown =>
  withPath(req.body, { structureId: param(req, "structureId"), userId: param(req, "userId") });
/** `DELETE /structures/:structureId/members/:userId`: removeAttachment. */
export const removeAttachment = (req: FastifyRequest): unknown => ({ structureId: param(req, "structureId"), userId: param(req, "userId") });
/** `DELETE /me/structures/:structureId`: leaveStructure. */
export const leaveStructure = (req: FastifyRequest): unknown => ({ structureId: param(req, "structureId") });

// ── §3 B and §5 Accounts ───────────────────────────────────────────────────────────────
/** `POST /structures/:structureId/accounts`: createAccount (login, names, …, attach). */
export const createAccount = (req: FastifyRequest): unknown => withPath(req.body, { structureId: param(req, "structureId") });
/** `POST /registrations`: registerAccount, the body as is (public). */
export const registerAccount = (req: FastifyRequest): unknown => req.body;
/** `POST /activations`: activateAccount (userId, token: both from the e-mail's link; public). */
export const activateAccount = (req: FastifyRequest): unknown => req.body;
/** `POST /structures/:structureId/activation-emails`: sendActivationEmails (userIds). */
export const sendActivationEmails = (req: FastifyRequest): unknown => withPath(req.body, { structureId: param(req, "structureId") });
/** `GET /structures/:structureId/users/:userId`: getPersonalInformation. */
export const getPersonalInformation = (req: FastifyRequest): unknown => ({ structureId: param(req, "structureId"), userId: param(req, "userId") });
/** `GET /structures/:structureId/users/:userId/structures`: listUserStructures. */
export const listUserStructures = (req: FastifyRequest): unknown => ({ structureId: param(req, "structureId"), userId: param(req, "userId") });
/** `PATCH /users/:userId`: updateUser (changes, and structureId for a manager's edit). */
export const updateUser = (req: FastifyRequest): unknown => withPath(req.body, { userId: param(req, "userId") });
/** `POST /me/contact-email/confirmation`: confirmContactEmail (token). */
export const confirmContactEmail = (req: FastifyRequest): unknown => req.body;

// ── §5 Search, lookup, export ──────────────────────────────────────────────────────────
/** `GET /users?lastName=&firstName=&login=&status=&designation=&structureId=&serviceId=&limit=&cursor=`: searchUsers. */
export const searchUsers = (req: FastifyRequest): unknown => {
  const { limit, cursor, ...criteria } = query(req);
  return defined({ criteria, limit, cursor });
};
/** `GET /structures/:structureId/people?login=` (or `lastName=&firstName=`): lookupPerson. */
export const lookupPerson = (req: FastifyRequest): unknown => ({ ...query(req), structureId: param(req, "structureId") });
/** `GET /users/export?<search criteria>&separator=&bom=`: exportUsers, every user the criteria find. */
export const exportUsersFound = (req: FastifyRequest): unknown => {
  const { separator, bom, ...criteria } = query(req);
  return defined({ criteria, separator, bom: booleanOf(bom) });
};
/** `POST /users/export`: exportUsers, the users checked (`{ userIds }`) or criteria, the body as is. */
export const exportUsersChecked = (req: FastifyRequest): unknown => req.body;

// ── §4 History ─────────────────────────────────────────────────────────────────────────
/** `GET /structures/:structureId/history?kinds=a,b&from=&to=&targetUserId=&limit=&cursor=`: readHistory. */
export const readHistory = (req: FastifyRequest): unknown => {
  const { kinds, ...rest } = query(req);
  // `kinds` repeated (`?kinds=a&kinds=b`) or comma-separated (`?kinds=a,b`): a list either way.
  const list = kinds === undefined ? undefined : (Array.isArray(kinds) ? kinds : [kinds]).flatMap((k) => k.split(","));
  return defined({ ...rest, kinds: list, structureId: param(req, "structureId") });
};

// ── §6 Transfer ────────────────────────────────────────────────────────────────────────
/** `POST /transfers`: transferPrimaryRole (`{ structureIds, successorId }` or `{ transfers }`). */
export const transferPrimaryRole = (req: FastifyRequest): unknown => req.body;
/** `POST /me/deactivation`: deactivateAccount (`{ successorId }` or `{ transfers }`). */
export const deactivateAccount = (req: FastifyRequest): unknown => req.body;
