// What each route hands the library: one small function per route, the only place the
// example reads `req.body`, `req.query` and `req.params`. The library parses every
// input (a bad body or query is `VALIDATION`, 400), so these only put the pieces of the
// request together: the body as it came, with the ids of the path, or the query string
// as it came (`?limit=20` stays the string "20": the library reads decimal page sizes).
//
// Each returns the operation's input type (`ValidateAttachmentRequestInput`, …) through
// one cast: the cast only says « untyped bytes from HTTP », and the library's run-time
// parse still checks every one of them. A query parameter that is absent is `undefined`,
// which the library reads as absent.
import type { FastifyRequest } from "fastify";
import type {
  ActivateAccountInput,
  AddServiceInput,
  AttachUserInput,
  ChangeMemberRoleInput,
  ChorusProConsulterServiceStructureInput,
  ChorusProConsulterStructureInput,
  ChorusProListerRattachementsUtilisateurInput,
  ChorusProRechercherEspacesInput,
  ChorusProRechercherServicesStructureInput,
  ChorusProRechercherStructureInput,
  ConfirmContactEmailInput,
  ConsultAttachmentRequestInput,
  ConsultSubscriptionRequestInput,
  CreateAccountInput,
  CreateStructureInput,
  DeactivateAccountInput,
  DeactivateServiceInput,
  ExportUsersInput,
  GetPersonalInformationInput,
  GrantSpacesInput,
  LeaveStructureInput,
  ListMemberGrantsInput,
  ListMembersInput,
  ListPendingAttachmentRequestsInput,
  ListPendingSubscriptionRequestsInput,
  ListUserStructuresInput,
  LookupPersonInput,
  MayAccessInput,
  OpenSpaceInput,
  ReadHistoryInput,
  RefuseAttachmentRequestInput,
  RefuseAttachmentRequestsInput,
  RefuseSubscriptionRequestInput,
  RefuseSubscriptionRequestsInput,
  RegisterAccountInput,
  RemoveAttachmentInput,
  RenameServiceInput,
  RequestAttachmentInput,
  RequestSubscriptionInput,
  RevokeSpaceGrantInput,
  SearchUsersInput,
  SendActivationEmailsInput,
  TransferPrimaryRoleInput,
  UpdateUserInput,
  ValidateAttachmentRequestInput,
  ValidateAttachmentRequestsInput,
  ValidateSubscriptionRequestInput,
  ValidateSubscriptionRequestsInput,
} from "habilitations";

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

/** `"true"`/`"false"` of a query string as booleans; anything else as it came (the library refuses it). */
function booleanOf(value: string | string[] | undefined): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

// ── Structures and services ────────────────────────────────────────────────────────────
/** `POST /structures`: createStructure, the body as is. */
export const createStructure = (req: FastifyRequest): CreateStructureInput => req.body as CreateStructureInput;
/** `POST /structures/:structureId/services`: addService (code, label). */
export const addService = (req: FastifyRequest): AddServiceInput => withPath(req.body, { structureId: param(req, "structureId") }) as AddServiceInput;
/** `PATCH /services/:serviceId`: renameService (label). */
export const renameService = (req: FastifyRequest): RenameServiceInput => withPath(req.body, { serviceId: param(req, "serviceId") }) as RenameServiceInput;
/** `POST /services/:serviceId/deactivation`: deactivateService. */
export const deactivateService = (req: FastifyRequest): DeactivateServiceInput => withPath(req.body, { serviceId: param(req, "serviceId") }) as DeactivateServiceInput;

// ── §1 Attachment requests ─────────────────────────────────────────────────────────────
/** `POST /attachment-requests`: requestAttachment (structureId, scope, requestedRole, comment). */
export const requestAttachment = (req: FastifyRequest): RequestAttachmentInput => req.body as RequestAttachmentInput;
/** `GET /attachment-requests`: listPendingAttachmentRequests (limit, cursor). */
export const listPendingAttachmentRequests = (req: FastifyRequest): ListPendingAttachmentRequestsInput => query(req) as ListPendingAttachmentRequestsInput;
/** `GET /attachment-requests/:requestId`: consultAttachmentRequest. */
export const consultAttachmentRequest = (req: FastifyRequest): ConsultAttachmentRequestInput => ({ requestId: param(req, "requestId") }) as ConsultAttachmentRequestInput;
/** `POST /attachment-requests/:requestId/validation`: validateAttachmentRequest (role, scope). */
export const validateAttachmentRequest = (req: FastifyRequest): ValidateAttachmentRequestInput => withPath(req.body, { requestId: param(req, "requestId") }) as ValidateAttachmentRequestInput;
/** `POST /attachment-requests/:requestId/refusal`: refuseAttachmentRequest (reason). */
export const refuseAttachmentRequest = (req: FastifyRequest): RefuseAttachmentRequestInput => withPath(req.body, { requestId: param(req, "requestId") }) as RefuseAttachmentRequestInput;
/** `POST /attachment-requests/validations`: validateAttachmentRequests (items). */
export const validateAttachmentRequests = (req: FastifyRequest): ValidateAttachmentRequestsInput => req.body as ValidateAttachmentRequestsInput;
/** `POST /attachment-requests/refusals`: refuseAttachmentRequests (requestIds, reason). */
export const refuseAttachmentRequests = (req: FastifyRequest): RefuseAttachmentRequestsInput => req.body as RefuseAttachmentRequestsInput;

// ── §2 Subscriptions and spaces ────────────────────────────────────────────────────────
/** `POST /subscription-requests`: requestSubscription (structureId, items, comment). */
export const requestSubscription = (req: FastifyRequest): RequestSubscriptionInput => req.body as RequestSubscriptionInput;
/** `GET /subscription-requests`: listPendingSubscriptionRequests (limit, cursor). */
export const listPendingSubscriptionRequests = (req: FastifyRequest): ListPendingSubscriptionRequestsInput => query(req) as ListPendingSubscriptionRequestsInput;
/** `GET /subscription-requests/:requestId`: consultSubscriptionRequest. */
export const consultSubscriptionRequest = (req: FastifyRequest): ConsultSubscriptionRequestInput => ({ requestId: param(req, "requestId") }) as ConsultSubscriptionRequestInput;
/** `POST /subscription-requests/:requestId/validation`: validateSubscriptionRequest (items, scope, comment). */
export const validateSubscriptionRequest = (req: FastifyRequest): ValidateSubscriptionRequestInput => withPath(req.body, { requestId: param(req, "requestId") }) as ValidateSubscriptionRequestInput;
/** `POST /subscription-requests/:requestId/refusal`: refuseSubscriptionRequest (comment). */
export const refuseSubscriptionRequest = (req: FastifyRequest): RefuseSubscriptionRequestInput => withPath(req.body, { requestId: param(req, "requestId") }) as RefuseSubscriptionRequestInput;
/** `POST /subscription-requests/validations`: validateSubscriptionRequests (items). */
export const validateSubscriptionRequests = (req: FastifyRequest): ValidateSubscriptionRequestsInput => req.body as ValidateSubscriptionRequestsInput;
/** `POST /subscription-requests/refusals`: refuseSubscriptionRequests (requestIds, comment). */
export const refuseSubscriptionRequests = (req: FastifyRequest): RefuseSubscriptionRequestsInput => req.body as RefuseSubscriptionRequestsInput;
/** `POST /structures/:structureId/spaces/:space/open` and `/close`: openSpace, closeSpace (serviceId). */
export const spaceOnStructure = (req: FastifyRequest): OpenSpaceInput =>
  withPath(req.body, { structureId: param(req, "structureId"), space: param(req, "space") }) as OpenSpaceInput;
/** `POST /structures/:structureId/grants`: grantSpaces (userIds, items, comment). */
export const grantSpaces = (req: FastifyRequest): GrantSpacesInput => withPath(req.body, { structureId: param(req, "structureId") }) as GrantSpacesInput;
/** `DELETE /structures/:structureId/members/:userId/grants/:space?serviceId=`: revokeSpaceGrant. */
export const revokeSpaceGrant = (req: FastifyRequest): RevokeSpaceGrantInput => ({
  ...query(req),
  structureId: param(req, "structureId"),
  userId: param(req, "userId"),
  space: param(req, "space"),
}) as RevokeSpaceGrantInput;
/** `GET /structures/:structureId/members/:userId/grants`: listMemberGrants. */
export const listMemberGrants = (req: FastifyRequest): ListMemberGrantsInput => ({ structureId: param(req, "structureId"), userId: param(req, "userId") }) as ListMemberGrantsInput;
/** `GET /me/access?structureId=&space=&access=&serviceId=`: mayAccess, for the actor themself. */
export const mayAccess = (req: FastifyRequest): MayAccessInput => ({ ...query(req), userId: req.actor }) as MayAccessInput;
/** `GET /structures/:structureId/received-invoices?serviceId=`: the host's own route, guarded by mayAccess. */
export const receivedInvoicesAccess = (req: FastifyRequest): MayAccessInput => ({
  ...query(req),
  userId: req.actor,
  structureId: param(req, "structureId"),
  space: "FACTURES_RECUES",
  access: "read",
}) as MayAccessInput;

// ── §3 A Members ───────────────────────────────────────────────────────────────────────
/** `GET /structures/:structureId/members`: listMembers (limit, cursor). */
export const listMembers = (req: FastifyRequest): ListMembersInput => ({ ...query(req), structureId: param(req, "structureId") }) as ListMembersInput;
/** `POST /structures/:structureId/members`: attachUser (userId, role, validFrom, comment, scope). */
export const attachUser = (req: FastifyRequest): AttachUserInput => withPath(req.body, { structureId: param(req, "structureId") }) as AttachUserInput;
/** `PATCH /structures/:structureId/members/:userId`: changeMemberRole (role). */
export const changeMemberRole = (req: FastifyRequest): ChangeMemberRoleInput =>
  withPath(req.body, { structureId: param(req, "structureId"), userId: param(req, "userId") }) as ChangeMemberRoleInput;
/** `DELETE /structures/:structureId/members/:userId`: removeAttachment. */
export const removeAttachment = (req: FastifyRequest): RemoveAttachmentInput => ({ structureId: param(req, "structureId"), userId: param(req, "userId") }) as RemoveAttachmentInput;
/** `DELETE /me/structures/:structureId`: leaveStructure. */
export const leaveStructure = (req: FastifyRequest): LeaveStructureInput => ({ structureId: param(req, "structureId") }) as LeaveStructureInput;

// ── §3 B and §5 Accounts ───────────────────────────────────────────────────────────────
/** `POST /structures/:structureId/accounts`: createAccount (login, names, …, attach). */
export const createAccount = (req: FastifyRequest): CreateAccountInput => withPath(req.body, { structureId: param(req, "structureId") }) as CreateAccountInput;
/** `POST /registrations`: registerAccount, the body as is (public). */
export const registerAccount = (req: FastifyRequest): RegisterAccountInput => req.body as RegisterAccountInput;
/** `POST /activations`: activateAccount (userId, token: both from the e-mail's link; public). */
export const activateAccount = (req: FastifyRequest): ActivateAccountInput => req.body as ActivateAccountInput;
/** `POST /structures/:structureId/activation-emails`: sendActivationEmails (userIds). */
export const sendActivationEmails = (req: FastifyRequest): SendActivationEmailsInput => withPath(req.body, { structureId: param(req, "structureId") }) as SendActivationEmailsInput;
/** `GET /structures/:structureId/users/:userId`: getPersonalInformation. */
export const getPersonalInformation = (req: FastifyRequest): GetPersonalInformationInput => ({ structureId: param(req, "structureId"), userId: param(req, "userId") }) as GetPersonalInformationInput;
/** `GET /structures/:structureId/users/:userId/structures`: listUserStructures. */
export const listUserStructures = (req: FastifyRequest): ListUserStructuresInput => ({ structureId: param(req, "structureId"), userId: param(req, "userId") }) as ListUserStructuresInput;
/** `PATCH /users/:userId`: updateUser (changes, and structureId for a manager's edit). */
export const updateUser = (req: FastifyRequest): UpdateUserInput => withPath(req.body, { userId: param(req, "userId") }) as UpdateUserInput;
/** `POST /me/contact-email/confirmation`: confirmContactEmail (token). */
export const confirmContactEmail = (req: FastifyRequest): ConfirmContactEmailInput => req.body as ConfirmContactEmailInput;

// ── §5 Search, lookup, export ──────────────────────────────────────────────────────────
/** `GET /users?lastName=&firstName=&login=&status=&designation=&structureId=&serviceId=&limit=&cursor=`: searchUsers. */
export const searchUsers = (req: FastifyRequest): SearchUsersInput => {
  const { limit, cursor, ...criteria } = query(req);
  return { criteria, limit, cursor } as SearchUsersInput;
};
/** `GET /structures/:structureId/people?login=` (or `lastName=&firstName=`): lookupPerson. */
export const lookupPerson = (req: FastifyRequest): LookupPersonInput => ({ ...query(req), structureId: param(req, "structureId") }) as LookupPersonInput;
/** `GET /users/export?<search criteria>&separator=&bom=`: exportUsers, every user the criteria find. */
export const exportUsersFound = (req: FastifyRequest): ExportUsersInput => {
  const { separator, bom, ...criteria } = query(req);
  return { criteria, separator, bom: booleanOf(bom) } as ExportUsersInput;
};
/** `POST /users/export`: exportUsers, the users checked (`{ userIds }`) or criteria, the body as is. */
export const exportUsersChecked = (req: FastifyRequest): ExportUsersInput => req.body as ExportUsersInput;

// ── §4 History ─────────────────────────────────────────────────────────────────────────
/** `GET /structures/:structureId/history?kinds=a,b&from=&to=&targetUserId=&limit=&cursor=`: readHistory. */
export const readHistory = (req: FastifyRequest): ReadHistoryInput => {
  const { kinds, ...rest } = query(req);
  // `kinds` repeated (`?kinds=a&kinds=b`) or comma-separated (`?kinds=a,b`): a list either way.
  const list = kinds === undefined ? undefined : (Array.isArray(kinds) ? kinds : [kinds]).flatMap((k) => k.split(","));
  return { ...rest, kinds: list, structureId: param(req, "structureId") } as ReadHistoryInput;
};

// ── §6 Transfer ────────────────────────────────────────────────────────────────────────
/** `POST /transfers`: transferPrimaryRole (`{ structureIds, successorId }` or `{ transfers }`). */
export const transferPrimaryRole = (req: FastifyRequest): TransferPrimaryRoleInput => req.body as TransferPrimaryRoleInput;
/** `POST /me/deactivation`: deactivateAccount (`{ successorId }` or `{ transfers }`). */
export const deactivateAccount = (req: FastifyRequest): DeactivateAccountInput => req.body as DeactivateAccountInput;

// ── Chorus Pro's Structures API ────────────────────────────────────────────────────────
/** `POST /cpro/structures/v1/rechercher`: chorusProRechercherStructure, the API's body as is (`RechercherStructureParam`). */
export const chorusProRechercherStructure = (req: FastifyRequest): ChorusProRechercherStructureInput => (req.body ?? {}) as ChorusProRechercherStructureInput;
/** `POST /cpro/structures/v1/consulter`: chorusProConsulterStructure (`idStructureCPP`). */
export const chorusProConsulterStructure = (req: FastifyRequest): ChorusProConsulterStructureInput => req.body as ChorusProConsulterStructureInput;
/** `POST /cpro/structures/v1/consulter/service`: chorusProConsulterServiceStructure (`idStructure`, `idService`). */
export const chorusProConsulterServiceStructure = (req: FastifyRequest): ChorusProConsulterServiceStructureInput => req.body as ChorusProConsulterServiceStructureInput;
/** `POST /cpro/structures/v1/rechercher/services`: chorusProRechercherServicesStructure (`idStructure`, paging). */
export const chorusProRechercherServicesStructure = (req: FastifyRequest): ChorusProRechercherServicesStructureInput => req.body as ChorusProRechercherServicesStructureInput;
/** `POST /cpro/structures/v1/lister/rattachementsutilisateur`: chorusProListerRattachementsUtilisateur. */
export const chorusProListerRattachementsUtilisateur = (req: FastifyRequest): ChorusProListerRattachementsUtilisateurInput => req.body as ChorusProListerRattachementsUtilisateurInput;
/** `POST /cpro/structures/v1/rechercher/espaces`: chorusProRechercherEspaces (`structure`, `idService`). */
export const chorusProRechercherEspaces = (req: FastifyRequest): ChorusProRechercherEspacesInput => req.body as ChorusProRechercherEspacesInput;
