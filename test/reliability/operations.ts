// Every operation of the application, each with a valid input in the reliability world
// (world.ts) and its input (and, for the acts on accounts, its actor and options) open to
// anything: what the junk and pollution properties run. They run on the app's untyped
// view (`untyped(w.app)`), as an HTTP host passes a body it has not checked: the run-time
// parse, not the compiler, is what they test.
import type { Habilitations } from "../../src/index.js";
import type { Untyped } from "../application/harness.js";
import { newestContactToken, newestToken, numberOf, type World } from "./world.js";

/** The app as these operations run on it: every parameter `unknown`. */
export type UntypedApp = Untyped<Habilitations>;

export type Op = readonly [name: string, run: (app: UntypedApp, w: World, input: unknown) => Promise<{ ok: boolean; error?: { code: string } }>, valid: (w: World) => object];
type Answer = Promise<{ ok: boolean; error?: { code: string } }>;
/**
 * The operations on accounts, each with every argument open to junk: the actor (`null`
 * for the public ones, which have none), the input and the options.
 */
export type AccountOp = readonly [
  name: string,
  run: (app: UntypedApp, input: unknown, actor: unknown, options: unknown) => Answer,
  valid: (w: World) => object,
  actor: ((w: World) => string) | null,
];

export const A = (w: World) => w.structures[0] as string;
export const request = (w: World) => [...w.requests.keys()][0] as string;
export const subscription = (w: World) => [...w.subscriptions.keys()][0] as string;
export const compta = (w: World) => w.services.get(A(w) as never)?.[0] as string;
export const alice = (w: World) => w.users.alice as string;

export const ACCOUNT_OPS: readonly AccountOp[] = [
  [
    "createAccount",
    (app, i, a, o) => app.createAccount(a, i, o),
    (w) => ({ structureId: A(w), login: "nouveau@example.fr", lastName: "N", firstName: "N", attach: { role: "user", scope: { kind: "structure" }, validFrom: "2026-11-27", comment: "c" } }),
    alice,
  ],
  ["registerAccount", (app, i, _a, o) => app.registerAccount(i, o), () => ({ login: "public@example.fr", lastName: "P", firstName: "P" }), null],
  ["sendActivationEmails", (app, i, a, o) => app.sendActivationEmails(a, i, o), (w) => ({ structureId: A(w), userIds: [w.pending.hugo] }), alice],
  ["activateAccount", (app, i, _a, o) => app.activateAccount(i, o), (w) => ({ userId: w.pending.hugo, token: newestToken(w, w.pending.hugo) }), null],
  [
    "updateUser",
    (app, i, a, o) => app.updateUser(a, i, o),
    // A manager writes only an account pending activation created for their structure (Hugo).
    (w) => ({ userId: w.pending.hugo, structureId: A(w), changes: { phone: "+33 4 72 10 30 30", postalAddress: null } }),
    alice,
  ],
  ["getPersonalInformation", (app, i, a) => app.getPersonalInformation(a, i), (w) => ({ userId: w.users.mia, structureId: A(w) }), alice],
  ["listUserStructures", (app, i, a) => app.listUserStructures(a, i), (w) => ({ userId: w.users.mia, structureId: A(w) }), alice],
  ["confirmContactEmail", (app, i, a, o) => app.confirmContactEmail(a, i, o), (w) => ({ token: newestContactToken(w, w.users.mia) }), (w) => w.users.mia as string],
  ["leaveStructure", (app, i, a, o) => app.leaveStructure(a, i, o), (w) => ({ structureId: A(w) }), (w) => w.users.mia as string],
];

/** Guide §6, the acts with an input: a transfer (one successor each) and a deactivation (one successor for all). */
export const TRANSFER_OPS: readonly AccountOp[] = [
  [
    "transferPrimaryRole",
    (app, i, a, o) => app.transferPrimaryRole(a, i, o),
    (w) => ({ transfers: [{ structureId: A(w), successorId: w.users.sam }, { structureId: w.structures[1], successorId: w.users.ivy }] }),
    alice,
  ],
  ["deactivateAccount", (app, i, a, o) => app.deactivateAccount(a, i, o), (w) => ({ successorId: w.users.sam }), alice],
];

export const OPS: readonly Op[] = [
  ["registerUser", (app, _w, i) => app.registerUser(i), () => ({ login: "new@example.fr", lastName: "N", firstName: "N" })],
  ["createStructure", (app, w, i) => app.createStructure(w.users.noe, i), () => ({ designation: "D", kind: "private", identifier: { type: "other", value: "D" } })],
  ["addService", (app, w, i) => app.addService(w.users.alice, i), (w) => ({ structureId: A(w), code: "X", label: "X" })],
  ["renameService", (app, w, i) => app.renameService(w.users.alice, i), (w) => ({ serviceId: w.services.get(A(w) as never)?.[0], label: "X" })],
  ["deactivateService", (app, w, i) => app.deactivateService(w.users.alice, i), (w) => ({ serviceId: w.services.get(A(w) as never)?.[0] })],
  ["requestAttachment", (app, w, i) => app.requestAttachment(w.users.noe, i), (w) => ({ structureId: A(w), scope: { kind: "structure" } })],
  ["validateAttachmentRequest", (app, w, i) => app.validateAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w) })],
  ["refuseAttachmentRequest", (app, w, i) => app.refuseAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w), reason: "Non" })],
  ["validateAttachmentRequests", (app, w, i) => app.validateAttachmentRequests(w.users.alice, i), (w) => ({ items: [{ requestId: request(w) }] })],
  ["refuseAttachmentRequests", (app, w, i) => app.refuseAttachmentRequests(w.users.alice, i), (w) => ({ requestIds: [request(w)], reason: "Non" })],
  ["attachUser", (app, w, i) => app.attachUser(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.noe, role: "user", validFrom: "2026-11-27", comment: "c", scope: { kind: "structure" } })],
  ["changeMemberRole", (app, w, i) => app.changeMemberRole(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, role: "secondaryManager" })],
  ["removeAttachment", (app, w, i) => app.removeAttachment(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia })],
  ["consultAttachmentRequest", (app, w, i) => app.consultAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w) })],
  ["listPendingAttachmentRequests", (app, w, i) => app.listPendingAttachmentRequests(w.users.alice, i), () => ({ limit: 10 })],
  ["listMembers", (app, w, i) => app.listMembers(w.users.alice, i), (w) => ({ structureId: A(w), limit: 10 })],
  ["readHistory", (app, w, i) => app.readHistory(w.users.alice, i), (w) => ({ structureId: A(w), limit: 10 })],
  ["claimEvents", (app, _w, i) => app.claimEvents(i), () => ({ limit: 10 })],
  ["acknowledgeEvents", (app, _w, i) => app.acknowledgeEvents(i), () => ["evt-x"]],
  ["purgeIdempotencyRecords", (app, _w, i) => app.purgeIdempotencyRecords(i), () => ({ olderThan: "2020-01-01T00:00:00Z" })],
  // Guide §2.
  ["requestSubscription", (app, w, i) => app.requestSubscription(w.users.mia, i), (w) => ({ structureId: A(w), items: [{ space: "FACTURES_RECUES", access: "read" }] })],
  ["validateSubscriptionRequest", (app, w, i) => app.validateSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w), scope: "structure" })],
  ["refuseSubscriptionRequest", (app, w, i) => app.refuseSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w), comment: "Non" })],
  ["validateSubscriptionRequests", (app, w, i) => app.validateSubscriptionRequests(w.users.alice, i), (w) => ({ items: [{ requestId: subscription(w) }] })],
  ["refuseSubscriptionRequests", (app, w, i) => app.refuseSubscriptionRequests(w.users.alice, i), (w) => ({ requestIds: [subscription(w)] })],
  ["consultSubscriptionRequest", (app, w, i) => app.consultSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w) })],
  ["listPendingSubscriptionRequests", (app, w, i) => app.listPendingSubscriptionRequests(w.users.alice, i), () => ({ limit: 10 })],
  ["openSpace", (app, w, i) => app.openSpace(w.users.alice, i), (w) => ({ structureId: A(w), space: "FACTURES_A_VALIDER" })],
  ["closeSpace", (app, w, i) => app.closeSpace(w.users.alice, i), (w) => ({ structureId: A(w), space: "FACTURES_RECUES" })],
  ["grantSpaces", (app, w, i) => app.grantSpaces(w.users.alice, i), (w) => ({ structureId: A(w), userIds: [w.users.sam], items: [{ space: "FACTURES_RECUES", access: "read" }] })],
  ["revokeSpaceGrant", (app, w, i) => app.revokeSpaceGrant(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, space: "FACTURES_EMISES", serviceId: compta(w) })],
  ["listMemberGrants", (app, w, i) => app.listMemberGrants(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia })],
  // Rights with an end (issue 21).
  ["changeAttachmentEnd", (app, w, i) => app.changeAttachmentEnd(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, validUntil: "2027-06-30" })],
  ["changeGrantEnd", (app, w, i) => app.changeGrantEnd(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, space: "FACTURES_EMISES", serviceId: compta(w), validUntil: "2027-01-01" })],
  ["copyMemberRights", (app, w, i) => app.copyMemberRights(w.users.alice, i), (w) => ({ structureId: A(w), modelUserId: w.users.mia, userId: w.users.sam })],
  ["recordExpiries", (app, _w, i) => app.recordExpiries(i), () => ({ limit: 10 })],
  // Guide §5: search, lookup, export.
  ["searchUsers", (app, w, i) => app.searchUsers(w.users.alice, i), () => ({ criteria: { lastName: "mi" }, limit: 2 })],
  ["lookupPerson", (app, w, i) => app.lookupPerson(w.users.alice, i), (w) => ({ structureId: A(w), login: "noe@example.fr" })],
  ["exportUsers", (app, w, i) => app.exportUsers(w.users.alice, i), () => ({ criteria: { status: "active" }, separator: ";", bom: true })],
  // Chorus Pro's Structures API (issue 21): each query with the API's body.
  ["chorusProRechercherStructure", (app, w, i) => app.chorusProRechercherStructure(w.users.alice, i), () => ({ structure: { raisonSocialeStructure: "structure" }, parametres: { nbResultatsParPage: 1 } })],
  ["chorusProConsulterStructure", (app, w, i) => app.chorusProConsulterStructure(w.users.alice, i), (w) => ({ idStructureCPP: numberOf(A(w)) })],
  ["chorusProConsulterServiceStructure", (app, w, i) => app.chorusProConsulterServiceStructure(w.users.mia, i), (w) => ({ idStructure: numberOf(A(w)), idService: numberOf(compta(w)) })],
  ["chorusProRechercherServicesStructure", (app, w, i) => app.chorusProRechercherServicesStructure(w.users.sam, i), (w) => ({ idStructure: numberOf(A(w)), parametresRechercherServicesStructure: { triColonne: "LibelleService" } })],
  [
    "chorusProListerRattachementsUtilisateur",
    (app, w, i) => app.chorusProListerRattachementsUtilisateur(w.users.alice, i),
    (w) => ({ idStructure: numberOf(A(w)), adresseEmailConnexionUtilisateur: "mia@example.fr" }),
  ],
  ["chorusProRechercherEspaces", (app, w, i) => app.chorusProRechercherEspaces(w.users.mia, i), (w) => ({ structure: { idStructure: numberOf(A(w)) }, idService: numberOf(compta(w)) })],
  // No actor: the input is all there is.
  ["mayAccess", (app, _w, i) => app.mayAccess(i), (w) => ({ userId: w.users.mia, structureId: A(w), space: "FACTURES_EMISES", serviceId: compta(w), access: "write" })],
  // Guide §3 B and §5.
  ...ACCOUNT_OPS.map(([name, run, valid, actor]): Op => [name, (app, w, i) => run(app, i, actor?.(w), undefined), valid]),
  // Guide §6.
  ...TRANSFER_OPS.map(([name, run, valid, actor]): Op => [name, (app, w, i) => run(app, i, actor?.(w), undefined), valid]),
];

