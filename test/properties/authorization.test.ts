// Authorization property (SPEC §4, §7): for random actors, worlds and manager acts, an
// act succeeds exactly when the actor has the right — an active account and a manager
// attachment to *that* structure, in force on the French calendar date — as stated here
// independently of the code. When the right is missing, the refusal is stated
// independently too (minimal disclosure): an act that reached the structure through a
// record's id (a request, a service) gives NOT_FOUND naming only that id, exactly as
// for an id that exists nowhere; an act naming the structure gives FORBIDDEN naming it,
// with the reason. Checked on the pure core and on the application layer over the
// memory store, for every manager command, bulk ones included — guide §2's too
// (subscription requests decided, refused, consulted and listed, spaces opened and
// closed, spaces granted and revoked, a member's grants), and the acts on accounts
// (guide §3 B and §5: an account created, with or without an attachment; activation
// e-mails sent again; a user's record changed, read, and the structures they belong to
// listed), where success also needs the user acted on to be a user of that structure
// (attached to it, or created for it): for anyone else, the manager gets NOT_FOUND for
// that user, as for an unknown id; and over PostgreSQL
// (fewer runs, a fresh schema each), where a memory store given the same world and act
// must give the same answer and then hold the same.
// Guide §6 has a right of its own: only the primary manager of a structure, with an active
// account, hands it over (a secondary manager may not); a transfer or a deactivation that
// succeeds was made by the active primary manager of every structure it names (a deactivation
// names them all), and anyone else's attempt is refused and changes nothing.
// Guide §5: the lookup of a person needs the right on the structure it names; a search finds,
// and an export writes, the users of S exactly when the actor has the right on S.
import { afterAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  addService,
  attachmentRequestId,
  attachUser,
  changeMemberRole,
  CHORUS_PRO_SPACES,
  closeSpace,
  consultAttachmentRequest,
  consultSubscriptionRequest,
  createAccount,
  createHabilitations,
  DEFAULT_ACTIVATION_POLICY,
  deactivateAccount,
  deactivateService,
  grantSpaces,
  localDate,
  openSpace,
  refuseAttachmentRequest,
  refuseAttachmentRequests,
  refuseSubscriptionRequest,
  removeAttachment,
  renameService,
  revokeSpaceGrant,
  sendActivationEmail,
  serviceId,
  spaceCode,
  structureId,
  subscriptionRequestId,
  transferPrimaryRole,
  updateUser,
  userId,
  validateAttachmentRequest,
  validateAttachmentRequests,
  validateSubscriptionRequest,
  type AccountStatus,
  type DeactivateAccountInput,
  type Attachment,
  type DomainError,
  type ForbiddenReason,
  type HabilitationsStore,
  type PendingAttachmentRequest,
  type PendingSubscriptionRequest,
  type Result,
  type Service,
  type SpaceGrant,
  type Structure,
  type StructureId,
  type TransferPrimaryRoleInput,
  type User,
  type Write,
} from "../../src/index.js";
import { expectBulkFrozen, expectDeepFrozen } from "../application/harness.js";
import { memoryTwin, storeKinds, type StoreKind } from "./stores.js";

// ------------------------------------------------------------------------- the world

/** Two instants: mid-morning of the 27th in Paris, and half past midnight on the 28th in Paris (still the 27th in UTC). */
const CLOCKS = [
  { now: new Date("2026-11-27T09:00:00Z"), today: "2026-11-27" },
  { now: new Date("2026-11-27T23:30:00Z"), today: "2026-11-28" },
] as const;

const LONG_AGO = "2026-01-01T00:00:00.000Z";
const S = structureId("s-1");
const OTHER = structureId("s-2");
/** Spaces: « Factures reçues » is open on both structures, « Factures émises » on their service; « Factures à valider » nowhere. */
const RECUES = spaceCode("FACTURES_RECUES");
const EMISES = spaceCode("FACTURES_EMISES");
const A_VALIDER = spaceCode("FACTURES_A_VALIDER");
const svcOf = (structure: StructureId): Service => ({
  id: serviceId(structure === S ? "svc-1" : "svc-o"),
  structureId: structure,
  code: structure === S ? "A" : "O",
  label: "Service",
  active: true,
  openSpaces: [EMISES],
  createdAt: LONG_AGO as Service["createdAt"],
});
const svc = svcOf(S);
const otherSvc = svcOf(OTHER);

const attachment = (
  structure: StructureId,
  role: "secondaryManager" | "user",
  validFrom: string,
  services = false,
  validUntil: string | null = null,
): Attachment => ({
  structureId: structure,
  role,
  scope: services ? { kind: "services", serviceIds: [svcOf(structure).id] } : { kind: "structure" },
  validFrom: localDate(validFrom),
  validUntil: validUntil === null ? null : localDate(validUntil),
  endNotice: null,
  attachedBy: userId("u-p"),
  attachedAt: LONG_AGO as Attachment["attachedAt"],
});

const attachmentArb = (structure: StructureId) =>
  fc.option(
    fc
      .record({
        role: fc.constantFrom("secondaryManager" as const, "user" as const),
        validFrom: fc.constantFrom("2026-11-01", "2026-11-27", "2026-11-28", "2027-01-01"),
        services: fc.boolean(),
        // Rights with an end (issue 21): none, or an end before, on or after each clock's day
        // (the first day without the right); an end is always after its start, as every act keeps it.
        validUntil: fc.constantFrom<string | null>(null, null, "2026-11-15", "2026-11-28", "2026-11-29", "2027-06-01"),
      })
      .map(({ role, validFrom, services, validUntil }) =>
        attachment(structure, role, validFrom, services, validUntil !== null && validUntil > validFrom ? validUntil : null),
      ),
    { nil: undefined },
  );

const person = (id: string, attachments: Attachment[] = [], status: AccountStatus = "active", grants: SpaceGrant[] = []): User => ({
  id: userId(id),
  login: `${id}@example.fr`,
  contactEmail: `${id}@example.fr`,
  lastName: id,
  firstName: id,
  status,
  attachments,
  grants,
  phone: null,
  postalAddress: null,
  settings: { activityNotifications: "never" },
  createdFor: null,
  activation: null,
  contactEmailChange: null,
  accountEmails: [],
  deactivatedAt: null,
  createdAt: LONG_AGO as User["createdAt"],
});

const structureRecord = (id: StructureId, primary: string): Structure => ({
  id,
  designation: id,
  kind: "private",
  viaPigp: false,
  identifier: { type: "siret", value: "73282932000074" },
  primaryManagerId: userId(primary),
  openSpaces: [RECUES],
  createdAt: LONG_AGO as Structure["createdAt"],
});

const actorArb = fc
  .record({
    status: fc.constantFrom<AccountStatus>("active", "active", "deactivated", "pendingActivation"),
    here: attachmentArb(S),
    elsewhere: attachmentArb(OTHER),
    isPrimary: fc.boolean(),
    clock: fc.constantFrom(...CLOCKS),
  })
  .map(({ status, here, elsewhere, isPrimary, clock }) => {
    const mine = isPrimary ? attachment(S, "user", "2026-01-01") : here;
    const actor = person("u-actor", [mine, elsewhere].filter((a): a is Attachment => a !== undefined), status);
    const structure = structureRecord(S, isPrimary ? actor.id : "u-p");
    return { actor, structure, clock };
  });

// ------------------------------------------------------- the rule, stated independently

/**
 * The right, from the guide: an active account, and primary or secondary manager of S in
 * force today — its start reached and its end (the first day without it), if any, not
 * reached. The primary manager's attachment never ends.
 */
function hasRight(actor: User, structure: Structure, today: string): boolean {
  if (actor.status !== "active") return false;
  if (structure.primaryManagerId === actor.id) return true;
  const a = actor.attachments.find((x) => x.structureId === structure.id);
  return a !== undefined && a.role === "secondaryManager" && a.validFrom <= today && (a.validUntil === null || today < a.validUntil);
}

/** Why an act naming the structure is refused to someone without the right. */
function reasonRefused(actor: User, structure: Structure): ForbiddenReason {
  if (actor.status !== "active") return "accountNotActive";
  const a = actor.attachments.find((x) => x.structureId === structure.id);
  if (structure.primaryManagerId !== actor.id && a?.role !== "secondaryManager") return "notAManager";
  return "attachmentNotInForce";
}

type ReachedBy = "attachmentRequest" | "subscriptionRequest" | "service";
const notFound = (entity: ReachedBy, id: string) => ({ code: "NOT_FOUND", entity, id });
const forbidden = (actor: User, structure: Structure) => ({
  code: "FORBIDDEN",
  actorId: actor.id,
  structureId: structure.id,
  reason: reasonRefused(actor, structure),
});

/** Every string in plain data, keys included. */
function stringsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") into.add(value);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      stringsIn(v, into);
    }
  return into;
}

// ------------------------------------------------------------------------- the core

const member = person("u-member", [attachment(S, "user", "2026-01-01")]);
/** A member of S from a date to come: listed as a member, but their record is not read before then. */
const future = person("u-future", [attachment(S, "user", "2027-06-01")]);
const newcomer = person("u-new");
const newcomer2 = person("u-new2", [attachment(OTHER, "user", "2026-01-01", true)]);
/** An account « En cours d'activation » created for a structure (attached to none), never e-mailed since. */
const createdFor = (id: string, structure: StructureId): User => ({ ...person(id, [], "pendingActivation"), createdFor: structure });
/** A user of S by creation only, and a user of OTHER only. */
const pendingHere = createdFor("u-pend", S);
const pendingThere = createdFor("u-pend-o", OTHER);
const pending = (id: string, user: User, scope: PendingAttachmentRequest["scope"]): PendingAttachmentRequest => ({
  id: attachmentRequestId(id),
  structureId: S,
  userId: user.id,
  requestedRole: "user",
  scope,
  comment: "",
  createdAt: "2026-11-20T00:00:00.000Z" as PendingAttachmentRequest["createdAt"],
  status: "pending",
});
const request = pending("r-1", newcomer, { kind: "services", serviceIds: [svc.id] });
const request2 = pending("r-2", newcomer2, { kind: "structure" });
/** A member of S (the whole structure) and of OTHER (its service), with a grant in each. */
const grant = (structure: StructureId, space: typeof RECUES, service: Service, access: "read" | "write"): SpaceGrant => ({
  structureId: structure,
  space,
  serviceId: service.id,
  access,
  grantedBy: userId("u-p"),
  grantedAt: LONG_AGO as SpaceGrant["grantedAt"],
  validUntil: null,
  endNotice: null,
});
const both = person(
  "u-both",
  [attachment(S, "user", "2026-01-01"), attachment(OTHER, "user", "2026-01-01", true)],
  "active",
  [grant(S, EMISES, svc, "write"), grant(OTHER, RECUES, otherSvc, "read")],
);
const subscription = (id: string, items: PendingSubscriptionRequest["items"]): PendingSubscriptionRequest => ({
  id: subscriptionRequestId(id),
  structureId: S,
  userId: both.id,
  items,
  comment: "",
  createdAt: "2026-11-20T00:00:00.000Z" as PendingSubscriptionRequest["createdAt"],
  status: "pending",
});
/** Grantable as asked with scope "user" (each space open where it points), and one that needs a scope that opens. */
const sub1 = subscription("sub-1", [
  { space: RECUES, serviceId: null, access: "read" },
  { space: EMISES, serviceId: svc.id, access: "write" },
]);
const sub2 = subscription("sub-2", [{ space: A_VALIDER, serviceId: null, access: "write" }]);
const catalogue = CHORUS_PRO_SPACES;
/** What a new account's transition is given beside the clock (a token made by hand: 43 characters, as the library's). */
const newAccountContext = {
  userId: userId("u-created"),
  issued: { token: "t".repeat(43), tokenHash: "h".repeat(43) },
  contactToken: { token: "c".repeat(43), tokenHash: "k".repeat(43) },
  policy: DEFAULT_ACTIVATION_POLICY,
};

/** The records an act reads beside the actor and the structure; fresh for each run. */
interface World {
  readonly member: User;
  readonly future: User;
  readonly newcomer: User;
  readonly newcomer2: User;
  readonly both: User;
  readonly request: PendingAttachmentRequest;
  readonly request2: PendingAttachmentRequest;
  readonly sub1: PendingSubscriptionRequest;
  readonly sub2: PendingSubscriptionRequest;
  readonly svc: Service;
  readonly other: Structure;
  readonly pendingHere: User;
  readonly pendingThere: User;
}
/** OTHER's designation is not its id, so that a list naming it by designation only shows no id of it. */
const world = (): World =>
  structuredClone({
    member,
    future,
    newcomer,
    newcomer2,
    both,
    request,
    request2,
    sub1,
    sub2,
    svc,
    other: { ...structureRecord(OTHER, "u-o"), designation: "Autre structure" },
    pendingHere,
    pendingThere,
  });
const index = (w: World) => new Map([[w.svc.id, w.svc]]);
const bulkState = (actor: User, structure: Structure, w: World) => ({
  actor,
  structures: new Map([
    [structure.id, structure],
    [w.other.id, w.other],
  ]),
  requests: new Map([
    [w.request.id, w.request],
    [w.request2.id, w.request2],
  ]),
  users: new Map([
    [w.newcomer.id, w.newcomer],
    [w.newcomer2.id, w.newcomer2],
  ]),
  services: index(w),
});

type Outcome = Result<unknown, DomainError>;
/**
 * What the act gives when the right is missing, or `"bulk"` for per-item refusals. An act
 * naming the structure and a user who is not one of its users (`outsider`) never
 * succeeds: with the right, NOT_FOUND for that user.
 */
type Refusal =
  | { readonly reached: ReachedBy; readonly id: (w: World) => string }
  | { readonly named: true; readonly outsider?: (w: World) => string; readonly owned?: true };
const notAUser = (id: string) => ({ code: "NOT_FOUND", entity: "user", id });
/**
 * A person's record is theirs: a manager with the right, acting on an account that is no
 * longer pending activation for their structure, is refused `notTheUser` (`owned`).
 */
const ownedBy = (actor: User) => ({ code: "FORBIDDEN", actorId: actor.id, structureId: S, reason: "notTheUser" });
const ownedOf = (refusal: object): boolean => "owned" in refusal && refusal.owned === true;
/** The outsider an act names, if any. */
const outsiderOf = (refusal: object, w: World): string | undefined =>
  "outsider" in refusal && typeof refusal.outsider === "function" ? (refusal.outsider as (w: World) => string)(w) : undefined;

interface CoreAct {
  readonly refusal: Refusal | { readonly bulk: (w: World) => readonly string[] };
  readonly run: (actor: User, structure: Structure, w: World, now: Date) => Outcome | { readonly results: readonly { requestId: string; result: Outcome }[] };
}

const coreActs: Record<string, CoreAct> = {
  validate: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request.id },
    run: (actor, structure, w, now) =>
      validateAttachmentRequest({ actor, structure, request: w.request, requester: w.newcomer, services: index(w) }, { requestId: w.request.id }, { now }),
  },
  refuse: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request.id },
    run: (actor, structure, w, now) => refuseAttachmentRequest({ actor, structure, request: w.request }, { requestId: w.request.id, reason: "Non" }, { now }),
  },
  consult: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request.id },
    run: (actor, structure, w, now) =>
      consultAttachmentRequest({ actor, structure, request: w.request, requester: w.newcomer, services: [w.svc] }, { now }),
  },
  renameService: {
    refusal: { reached: "service", id: (w) => w.svc.id },
    run: (actor, structure, w, now) => renameService({ actor, structure, service: w.svc }, { serviceId: w.svc.id, label: "B" }, { now }),
  },
  deactivateService: {
    refusal: { reached: "service", id: (w) => w.svc.id },
    run: (actor, structure, w, now) => deactivateService({ actor, structure, service: w.svc }, { serviceId: w.svc.id }, { now }),
  },
  attach: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      attachUser(
        { actor, structure, user: w.newcomer, services: index(w) },
        { structureId: S, userId: w.newcomer.id, role: "user", validFrom: localDate("2027-02-01"), comment: "Oui", scope: { kind: "structure" } },
        { now },
      ),
  },
  changeRole: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      changeMemberRole({ actor, structure, member: w.member }, { structureId: S, userId: w.member.id, role: "secondaryManager" }, { now }),
  },
  remove: {
    refusal: { named: true },
    run: (actor, structure, w, now) => removeAttachment({ actor, structure, member: w.member }, { structureId: S, userId: w.member.id }, { now }),
  },
  addService: {
    refusal: { named: true },
    run: (actor, structure, _w, now) => addService({ actor, structure }, { structureId: S, code: "B", label: "B" }, { now, serviceId: serviceId("svc-2") }),
  },
  validateBulk: {
    refusal: { bulk: (w) => [w.request.id, w.request2.id] },
    run: (actor, structure, w, now) =>
      validateAttachmentRequests(bulkState(actor, structure, w), { items: [{ requestId: w.request.id }, { requestId: w.request2.id }] }, { now }),
  },
  refuseBulk: {
    refusal: { bulk: (w) => [w.request.id, w.request2.id] },
    run: (actor, structure, w, now) =>
      refuseAttachmentRequests(bulkState(actor, structure, w), { requestIds: [w.request.id, w.request2.id], reason: "Non" }, { now }),
  },
  // Guide §2.
  validateSubscription: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub1.id },
    run: (actor, structure, w, now) =>
      validateSubscriptionRequest(
        { actor, structure, request: w.sub1, requester: w.both, services: index(w) },
        { requestId: w.sub1.id, scope: "user" },
        { now, catalogue },
      ),
  },
  validateSubscriptionOpening: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub2.id },
    run: (actor, structure, w, now) =>
      validateSubscriptionRequest(
        { actor, structure, request: w.sub2, requester: w.both, services: index(w) },
        { requestId: w.sub2.id, scope: "structure", comment: "Oui" },
        { now, catalogue },
      ),
  },
  refuseSubscription: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub2.id },
    run: (actor, structure, w, now) => refuseSubscriptionRequest({ actor, structure, request: w.sub2 }, { requestId: w.sub2.id, comment: "Non" }, { now }),
  },
  consultSubscription: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub1.id },
    run: (actor, structure, w, now) =>
      consultSubscriptionRequest({ actor, structure, request: w.sub1, requester: w.both, services: index(w) }, { now, catalogue }),
  },
  openSpace: {
    refusal: { named: true },
    run: (actor, structure, _w, now) => openSpace({ actor, structure, service: null }, { structureId: S, space: A_VALIDER, serviceId: null }, { now, catalogue }),
  },
  openSpaceOnService: {
    refusal: { named: true },
    run: (actor, structure, w, now) => openSpace({ actor, structure, service: w.svc }, { structureId: S, space: A_VALIDER, serviceId: w.svc.id }, { now, catalogue }),
  },
  closeSpace: {
    refusal: { named: true },
    run: (actor, structure, _w, now) => closeSpace({ actor, structure, service: null }, { structureId: S, space: RECUES, serviceId: null }, { now, catalogue }),
  },
  grantSpaces: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      grantSpaces(
        { actor, structure, user: w.both, services: index(w) },
        { structureId: S, userId: w.both.id, items: [{ space: RECUES, serviceId: w.svc.id, access: "write" }] },
        { now, catalogue },
      ),
  },
  revokeSpaceGrant: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      revokeSpaceGrant({ actor, structure, user: w.both, services: new Map() }, { structureId: S, userId: w.both.id, space: EMISES, serviceId: w.svc.id }, { now }),
  },
  // Guide §3 B and §5.
  createAccount: {
    refusal: { named: true },
    run: (actor, structure, _w, now) =>
      createAccount({ actor, structure, services: new Map() }, { structureId: S, login: "nouveau@example.fr", lastName: "N", firstName: "N" }, { now, ...newAccountContext }),
  },
  createAccountAttached: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      createAccount(
        { actor, structure, services: index(w) },
        {
          structureId: S,
          login: "nouveau@example.fr",
          lastName: "N",
          firstName: "N",
          attach: { role: "user", scope: { kind: "services", serviceIds: [w.svc.id] }, validFrom: localDate("2027-02-01"), comment: "Arrivée" },
        },
        { now, ...newAccountContext },
      ),
  },
  sendActivationEmail: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      sendActivationEmail({ actor, structure, user: w.pendingHere }, { now, issued: newAccountContext.issued, policy: DEFAULT_ACTIVATION_POLICY }),
  },
  sendActivationEmailOutsider: {
    refusal: { named: true, outsider: (w) => w.pendingThere.id },
    run: (actor, structure, w, now) =>
      sendActivationEmail({ actor, structure, user: w.pendingThere }, { now, issued: newAccountContext.issued, policy: DEFAULT_ACTIVATION_POLICY }),
  },
  updateUser: {
    refusal: { named: true, owned: true },
    run: (actor, structure, w, now) =>
      updateUser({ actor, structure, user: w.member }, { userId: w.member.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }, { now, ...newAccountContext }),
  },
  updateUserCreatedFor: {
    refusal: { named: true },
    run: (actor, structure, w, now) =>
      updateUser({ actor, structure, user: w.pendingHere }, { userId: w.pendingHere.id, structureId: S, changes: { lastName: "Nouveau" } }, { now, ...newAccountContext }),
  },
  updateUserOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (actor, structure, w, now) =>
      updateUser({ actor, structure, user: w.newcomer2 }, { userId: w.newcomer2.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }, { now, ...newAccountContext }),
  },
  updateUserNotInForce: {
    refusal: { named: true, outsider: (w) => w.future.id },
    run: (actor, structure, w, now) =>
      updateUser({ actor, structure, user: w.future }, { userId: w.future.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }, { now, ...newAccountContext }),
  },
  changeRoleOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (actor, structure, w, now) =>
      changeMemberRole({ actor, structure, member: w.newcomer2 }, { structureId: S, userId: w.newcomer2.id, role: "secondaryManager" }, { now }),
  },
  removeOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (actor, structure, w, now) => removeAttachment({ actor, structure, member: w.newcomer2 }, { structureId: S, userId: w.newcomer2.id }, { now }),
  },
  grantSpacesOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (actor, structure, w, now) =>
      grantSpaces(
        { actor, structure, user: w.newcomer2, services: index(w) },
        { structureId: S, userId: w.newcomer2.id, items: [{ space: RECUES, serviceId: null, access: "read" }] },
        { now, catalogue },
      ),
  },
  revokeSpaceGrantOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (actor, structure, w, now) =>
      revokeSpaceGrant({ actor, structure, user: w.newcomer2, services: new Map() }, { structureId: S, userId: w.newcomer2.id, space: RECUES, serviceId: null }, { now }),
  },
};
const coreActNames = Object.keys(coreActs);

describe("authorization, on the core", () => {
  // About 55 runs per act (600 when there were 11 acts).
  test.prop([actorArb, fc.constantFrom(...coreActNames)], { numRuns: 1400 })(
    "a manager act succeeds exactly when the independently stated right holds (and, for an act on a user, the user is one of the structure's); otherwise NOT_FOUND for the id given, or FORBIDDEN naming the structure",
    ({ actor, structure, clock }, name) => {
      const act = coreActs[name] as CoreAct;
      const w = world();
      const outcome = act.run(actor, structure, w, clock.now);
      const right = hasRight(actor, structure, clock.today);
      if ("bulk" in act.refusal) {
        const bulk = outcome as { results: readonly { requestId: string; result: Outcome }[]; history: readonly unknown[]; events: readonly unknown[] };
        const ids = act.refusal.bulk(w);
        expect(bulk.results.map((r) => r.requestId)).toEqual(ids);
        if (right) expect(bulk.results.map((r) => r.result.ok)).toEqual(ids.map(() => true));
        else {
          expect(bulk.results.map((r) => r.result)).toEqual(ids.map((id) => ({ ok: false, error: notFound("attachmentRequest", id) })));
          expect(bulk.history).toEqual([]);
          expect(bulk.events).toEqual([]);
        }
        return;
      }
      const result = outcome as Outcome;
      const outsider = outsiderOf(act.refusal, w);
      const owned = ownedOf(act.refusal);
      expect(result.ok).toBe(right && outsider === undefined && !owned);
      if (result.ok) return;
      expect(result.error).toEqual(
        "reached" in act.refusal
          ? notFound(act.refusal.reached, act.refusal.id(w))
          : right && outsider !== undefined
            ? notAUser(outsider)
            : right && owned
              ? ownedBy(actor)
              : forbidden(actor, structure),
      );
    },
  );
});

describe("immutability", () => {
  test.prop([actorArb, fc.constantFrom(...coreActNames)], { numRuns: 680 })(
    "no transition changes its inputs, whether it succeeds or refuses",
    ({ actor, structure, clock }, name) => {
      const w = world();
      const before = structuredClone({ actor, structure, w });
      (coreActs[name] as CoreAct).run(actor, structure, w, clock.now);
      expect({ actor, structure, w }).toEqual(before);
    },
  );
});

// ------------------------------------------------------------ the application layer

/**
 * A store holding the world (the actor, S and OTHER, members, two pending attachment
 * requests and two pending subscription requests, a service each).
 */
async function storeOf(store: HabilitationsStore, actor: User, structure: Structure) {
  const w = world();
  const primary = structure.primaryManagerId === actor.id ? [] : [person("u-p", [attachment(S, "user", "2026-01-01")])];
  const records: Write[] = [
    { kind: "structure", value: structure, expectedVersion: null },
    { kind: "structure", value: w.other, expectedVersion: null },
    { kind: "service", value: w.svc, expectedVersion: null },
    { kind: "service", value: otherSvc, expectedVersion: null },
    ...[actor, ...primary, person("u-o", [attachment(OTHER, "user", "2026-01-01")]), w.member, w.future, w.newcomer, w.newcomer2, w.both, w.pendingHere, w.pendingThere].map(
      (value): Write => ({ kind: "user", value, expectedVersion: null }),
    ),
    { kind: "attachmentRequest", value: w.request, expectedVersion: null },
    { kind: "attachmentRequest", value: w.request2, expectedVersion: null },
    { kind: "subscriptionRequest", value: w.sub1, expectedVersion: null },
    { kind: "subscriptionRequest", value: w.sub2, expectedVersion: null },
  ];
  const committed = await store.commit({ writes: records, reads: [], history: [], events: [] });
  if (!committed.ok) throw new Error(`could not store the world: ${committed.error.code}`);
  return { store, w };
}

type App = ReturnType<typeof createHabilitations>;
/**
 * A bulk act answers per request (NOT_FOUND for each, without the right); a direct grant
 * and activation e-mails answer per user (FORBIDDEN naming the structure for each, without
 * the right; with it, NOT_FOUND for each of `outsiders`, who are not users of S).
 */
type PerItem =
  | { readonly bulk: (w: World) => readonly string[]; readonly entity?: "subscriptionRequest" }
  | {
      readonly perUser: (w: World, actor: User) => readonly string[];
      readonly outsiders?: (w: World) => readonly string[];
      /** Whether the actor is among the users (no one grants themself spaces). */
      readonly self?: true;
    };
interface AppAct {
  readonly refusal: Refusal | PerItem;
  readonly run: (app: App, actor: User, w: World) => Promise<Outcome>;
  /** Whether it shows OTHER in full when the actor manages OTHER too (a user's structures). */
  readonly showsOtherIfManaged?: true;
}

const appActs: Record<string, AppAct> = {
  validateAttachmentRequest: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request.id },
    run: (app, actor, w) => app.validateAttachmentRequest(actor.id, { requestId: w.request.id }),
  },
  refuseAttachmentRequest: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request2.id },
    run: (app, actor, w) => app.refuseAttachmentRequest(actor.id, { requestId: w.request2.id, reason: "Non" }),
  },
  consultAttachmentRequest: {
    refusal: { reached: "attachmentRequest", id: (w) => w.request2.id },
    run: (app, actor, w) => app.consultAttachmentRequest(actor.id, { requestId: w.request2.id }),
  },
  renameService: {
    refusal: { reached: "service", id: (w) => w.svc.id },
    run: (app, actor, w) => app.renameService(actor.id, { serviceId: w.svc.id, label: "Nouveau" }),
  },
  deactivateService: {
    refusal: { reached: "service", id: (w) => w.svc.id },
    run: (app, actor, w) => app.deactivateService(actor.id, { serviceId: w.svc.id }),
  },
  validateAttachmentRequests: {
    refusal: { bulk: (w) => [w.request.id, w.request2.id] },
    run: (app, actor, w) => app.validateAttachmentRequests(actor.id, { items: [{ requestId: w.request.id }, { requestId: w.request2.id }] }),
  },
  refuseAttachmentRequests: {
    refusal: { bulk: (w) => [w.request2.id, w.request.id] },
    run: (app, actor, w) => app.refuseAttachmentRequests(actor.id, { requestIds: [w.request2.id, w.request.id], reason: "Non" }),
  },
  addService: {
    refusal: { named: true },
    run: (app, actor) => app.addService(actor.id, { structureId: S, code: "B", label: "B" }),
  },
  attachUser: {
    refusal: { named: true },
    run: (app, actor, w) =>
      app.attachUser(actor.id, { structureId: S, userId: w.newcomer.id, role: "user", validFrom: "2027-02-01", comment: "Oui", scope: { kind: "services", serviceIds: [w.svc.id] } }),
  },
  changeMemberRole: {
    refusal: { named: true },
    run: (app, actor, w) => app.changeMemberRole(actor.id, { structureId: S, userId: w.member.id, role: "secondaryManager" }),
  },
  removeAttachment: {
    refusal: { named: true },
    run: (app, actor, w) => app.removeAttachment(actor.id, { structureId: S, userId: w.member.id }),
  },
  readHistory: {
    refusal: { named: true },
    run: (app, actor) => app.readHistory(actor.id, { structureId: S }),
  },
  listMembers: {
    refusal: { named: true },
    run: (app, actor) => app.listMembers(actor.id, { structureId: S }),
  },
  // Guide §2.
  validateSubscriptionRequest: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub1.id },
    run: (app, actor, w) => app.validateSubscriptionRequest(actor.id, { requestId: w.sub1.id, scope: "user" }),
  },
  validateSubscriptionRequestOpening: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub2.id },
    run: (app, actor, w) => app.validateSubscriptionRequest(actor.id, { requestId: w.sub2.id, scope: "services", comment: "Oui" }),
  },
  refuseSubscriptionRequest: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub2.id },
    run: (app, actor, w) => app.refuseSubscriptionRequest(actor.id, { requestId: w.sub2.id, comment: "Non" }),
  },
  consultSubscriptionRequest: {
    refusal: { reached: "subscriptionRequest", id: (w) => w.sub1.id },
    run: (app, actor, w) => app.consultSubscriptionRequest(actor.id, { requestId: w.sub1.id }),
  },
  validateSubscriptionRequests: {
    refusal: { bulk: (w) => [w.sub1.id, w.sub2.id], entity: "subscriptionRequest" },
    run: (app, actor, w) => app.validateSubscriptionRequests(actor.id, { items: [{ requestId: w.sub1.id }, { requestId: w.sub2.id, scope: "structure" }] }),
  },
  refuseSubscriptionRequests: {
    refusal: { bulk: (w) => [w.sub2.id, w.sub1.id], entity: "subscriptionRequest" },
    run: (app, actor, w) => app.refuseSubscriptionRequests(actor.id, { requestIds: [w.sub2.id, w.sub1.id] }),
  },
  openSpace: {
    refusal: { named: true },
    run: (app, actor) => app.openSpace(actor.id, { structureId: S, space: A_VALIDER }),
  },
  openSpaceOnService: {
    refusal: { named: true },
    run: (app, actor, w) => app.openSpace(actor.id, { structureId: S, space: A_VALIDER, serviceId: w.svc.id }),
  },
  closeSpace: {
    refusal: { named: true },
    run: (app, actor) => app.closeSpace(actor.id, { structureId: S, space: RECUES }),
  },
  grantSpaces: {
    refusal: { perUser: (w) => [w.both.id, w.member.id] },
    run: (app, actor, w) =>
      app.grantSpaces(actor.id, { structureId: S, userIds: [w.both.id, w.member.id], items: [{ space: RECUES, serviceId: w.svc.id, access: "write" }], comment: "Renfort" }),
  },
  grantSpacesSelfAndOutsider: {
    refusal: { perUser: (w, actor) => [actor.id, w.newcomer2.id, w.member.id], outsiders: (w) => [w.newcomer2.id], self: true },
    run: (app, actor, w) =>
      app.grantSpaces(actor.id, { structureId: S, userIds: [actor.id, w.newcomer2.id, w.member.id], items: [{ space: RECUES, access: "read" }] }),
  },
  revokeSpaceGrant: {
    refusal: { named: true },
    run: (app, actor, w) => app.revokeSpaceGrant(actor.id, { structureId: S, userId: w.both.id, space: EMISES, serviceId: w.svc.id }),
  },
  revokeSpaceGrantOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.revokeSpaceGrant(actor.id, { structureId: S, userId: w.newcomer2.id, space: RECUES }),
  },
  listMemberGrants: {
    refusal: { named: true },
    run: (app, actor, w) => app.listMemberGrants(actor.id, { structureId: S, userId: w.both.id }),
  },
  listMemberGrantsOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.listMemberGrants(actor.id, { structureId: S, userId: w.newcomer2.id }),
  },
  changeMemberRoleOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.changeMemberRole(actor.id, { structureId: S, userId: w.newcomer2.id, role: "secondaryManager" }),
  },
  removeAttachmentOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.removeAttachment(actor.id, { structureId: S, userId: w.newcomer2.id }),
  },
  // Guide §3 B and §5: a user of S is attached to it (member, both) or was created for it
  // (pendingHere); newcomer2 and pendingThere are users of OTHER only.
  createAccount: {
    refusal: { named: true },
    run: (app, actor) => app.createAccount(actor.id, { structureId: S, login: "nouveau@example.fr", lastName: "N", firstName: "N" }),
  },
  createAccountAttached: {
    refusal: { named: true },
    run: (app, actor, w) =>
      app.createAccount(actor.id, {
        structureId: S,
        login: "nouveau@example.fr",
        lastName: "N",
        firstName: "N",
        attach: { role: "secondaryManager", scope: { kind: "services", serviceIds: [w.svc.id] }, validFrom: "2027-02-01", comment: "Arrivée" },
      }),
  },
  sendActivationEmails: {
    refusal: { perUser: (w) => [w.pendingHere.id, w.pendingThere.id], outsiders: (w) => [w.pendingThere.id] },
    run: (app, actor, w) => app.sendActivationEmails(actor.id, { structureId: S, userIds: [w.pendingHere.id, w.pendingThere.id] }),
  },
  updateUser: {
    refusal: { named: true, owned: true },
    run: (app, actor, w) => app.updateUser(actor.id, { userId: w.member.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }),
  },
  updateUserNotInForce: {
    refusal: { named: true, outsider: (w) => w.future.id },
    run: (app, actor, w) => app.updateUser(actor.id, { userId: w.future.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }),
  },
  updateUserCreatedFor: {
    refusal: { named: true },
    run: (app, actor, w) => app.updateUser(actor.id, { userId: w.pendingHere.id, structureId: S, changes: { lastName: "Nouveau nom" } }),
  },
  updateUserOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.updateUser(actor.id, { userId: w.newcomer2.id, structureId: S, changes: { phone: "+33 1 23 45 67 89" } }),
  },
  getPersonalInformation: {
    refusal: { named: true },
    run: (app, actor, w) => app.getPersonalInformation(actor.id, { userId: w.both.id, structureId: S }),
  },
  getPersonalInformationCreatedFor: {
    refusal: { named: true },
    run: (app, actor, w) => app.getPersonalInformation(actor.id, { userId: w.pendingHere.id, structureId: S }),
  },
  getPersonalInformationOutsider: {
    refusal: { named: true, outsider: (w) => w.pendingThere.id },
    run: (app, actor, w) => app.getPersonalInformation(actor.id, { userId: w.pendingThere.id, structureId: S }),
  },
  // A member from a date to come: no right on their record before then.
  getPersonalInformationNotInForce: {
    refusal: { named: true, outsider: (w) => w.future.id },
    run: (app, actor, w) => app.getPersonalInformation(actor.id, { userId: w.future.id, structureId: S }),
  },
  listUserStructuresNotInForce: {
    refusal: { named: true, outsider: (w) => w.future.id },
    run: (app, actor, w) => app.listUserStructures(actor.id, { userId: w.future.id, structureId: S }),
  },
  // Both is also in OTHER: its line shows OTHER's designation only (no id of it, see the leak check).
  listUserStructures: {
    refusal: { named: true },
    run: (app, actor, w) => app.listUserStructures(actor.id, { userId: w.both.id, structureId: S }),
    showsOtherIfManaged: true,
  },
  listUserStructuresOutsider: {
    refusal: { named: true, outsider: (w) => w.newcomer2.id },
    run: (app, actor, w) => app.listUserStructures(actor.id, { userId: w.newcomer2.id, structureId: S }),
  },
  // Guide §5: the lookup of a person to attach (who is, by definition, not yet a user of S).
  lookupPerson: {
    refusal: { named: true },
    run: (app, actor, w) => app.lookupPerson(actor.id, { structureId: S, login: w.newcomer2.login }),
  },
  lookupPersonByNames: {
    refusal: { named: true },
    run: (app, actor, w) => app.lookupPerson(actor.id, { structureId: S, lastName: w.newcomer.lastName, firstName: w.newcomer.firstName }),
  },
};
const appActNames = Object.keys(appActs);

/**
 * Runs per store: the memory store many times (about 30 per act, as when there were 13
 * acts), PostgreSQL (slower) fewer (about 3.5 per act).
 */
const RUNS = { memory: { act: 1090, listing: 150 }, postgres: { act: 126, listing: 30 } };
const stores = storeKinds();
afterAll(() => stores.end());

/**
 * A run's world in a fresh store of this kind, an app over it, and, on a store other
 * than the memory store, the same on a memory store: `twin(run)` gives the memory
 * store's answer to compare with, `same()` checks both stores hold the same.
 */
async function worldIn(kind: StoreKind, actor: User, structure: Structure, clock: (typeof CLOCKS)[number]) {
  const opened = await kind.open();
  const { w } = await storeOf(opened.store, actor, structure);
  const appOver = (store: HabilitationsStore) => {
    let n = 0;
    let tokens = 0;
    // Numbered tokens, so that the memory twin holds the same hashes and outbox.
    return createHabilitations({ store, clock: () => clock.now, newId: (kind) => `${kind}-${++n}`, newToken: () => `token-${String(++tokens).padStart(10, "0")}` });
  };
  const reference = kind.reference ? undefined : memoryTwin();
  if (reference !== undefined) await storeOf(reference.store, actor, structure);
  const twinApp = reference === undefined ? undefined : appOver(reference.store);
  return {
    w,
    app: appOver(opened.store),
    snapshot: () => opened.snapshot(),
    close: () => opened.close(),
    async twin<T>(run: (app: App) => Promise<T>, answer: T) {
      if (twinApp !== undefined) expect(answer, "the memory store gives the same answer").toEqual(await run(twinApp));
    },
    async same() {
      if (reference !== undefined) expect(await opened.snapshot(), "the store holds what the memory store holds").toEqual(reference.snapshot());
    },
  };
}

for (const kind of stores.kinds) {
  const on = kind.reference ? "" : ` (${kind.name} store)`;
  describe(`authorization, on the application layer${on}`, () => {
    test.prop([actorArb, fc.constantFrom(...appActNames)], { numRuns: RUNS[kind.name].act })(
      "every manager command succeeds exactly when the independently stated right holds (and, for an act on a user, the user is one of the structure's); otherwise NOT_FOUND for the id given, or FORBIDDEN naming the structure, and nothing changes",
      async ({ actor, structure, clock }, name) => {
        const act = appActs[name] as AppAct;
        const given = await worldIn(kind, actor, structure, clock);
        try {
          const { app, w } = given;
          const before = await given.snapshot();
          const result = await act.run(app, actor, w);
          await given.twin((other) => act.run(other, actor, w), result);
          const right = hasRight(actor, structure, clock.today);
          const outsider = outsiderOf(act.refusal, w);
          const owned = ownedOf(act.refusal);
          const perItem = "bulk" in act.refusal || "perUser" in act.refusal;
          if (!perItem) expect(result.ok, result.ok ? "success" : JSON.stringify(result.error)).toBe(right && outsider === undefined && !owned);
          if (result.ok) {
            if (perItem) expectBulkFrozen(result.value as Parameters<typeof expectBulkFrozen>[0]);
            else expectDeepFrozen(result.value);
            // Nothing of the other structure (the actor's other attachment, a requester's) shows
            // (but its designation, as a user's structures show it; all of it to a manager of it).
            const leaked = [...stringsIn(result.value)].filter((s) => s === OTHER || s === otherSvc.id);
            if (act.showsOtherIfManaged !== true || !hasRight(actor, w.other, clock.today)) expect(leaked).toEqual([]);
          }
          await given.same();
          if ("bulk" in act.refusal) {
            if (!result.ok) throw new Error(`bulk call refused: ${JSON.stringify(result.error)}`);
            const bulk = result.value as { results: readonly { requestId: string; result: Outcome }[]; events: readonly unknown[] };
            const ids = act.refusal.bulk(w);
            expect(bulk.results.map((r) => r.requestId)).toEqual(ids);
            if (right) {
              expect(bulk.results.map((r) => r.result.ok)).toEqual(ids.map(() => true));
              return;
            }
            const entity = act.refusal.entity ?? "attachmentRequest";
            expect(bulk.results.map((r) => r.result)).toEqual(ids.map((id) => ({ ok: false, error: notFound(entity, id) })));
            expect(bulk.events).toEqual([]);
          } else if ("perUser" in act.refusal) {
            if (!result.ok) throw new Error(`grant refused as a whole: ${JSON.stringify(result.error)}`);
            const per = result.value as { results: readonly { userId: string; result: Outcome }[]; events: readonly unknown[] };
            const ids = act.refusal.perUser(w, actor);
            expect(per.results.map((r) => r.userId)).toEqual(ids);
            if (right) {
              // Each user of S succeeds; anyone else is NOT_FOUND, as an unknown id; the actor
              // themself is refused (no one grants themself spaces).
              const outsiders = new Set(act.refusal.outsiders?.(w) ?? []);
              const self = act.refusal.self === true;
              expect(per.results.map((r) => (r.result.ok ? true : r.result.error))).toEqual(
                ids.map((id) =>
                  outsiders.has(id) ? notAUser(id) : self && id === actor.id ? { code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: actor.id } : true,
                ),
              );
              return;
            }
            expect(per.results.map((r) => r.result)).toEqual(ids.map(() => ({ ok: false, error: forbidden(actor, structure) })));
            expect(per.events).toEqual([]);
          } else if (!result.ok) {
            expect(result.error).toEqual(
              "reached" in act.refusal
                ? notFound(act.refusal.reached, act.refusal.id(w))
                : right && outsider !== undefined
                  ? notAUser(outsider)
                  : right && owned
                    ? ownedBy(actor)
                    : forbidden(actor, structure),
            );
          }
          if (!right || outsider !== undefined || owned) expect(await given.snapshot()).toEqual(before);
        } finally {
          await given.close();
        }
      },
    );

    test.prop([actorArb], { numRuns: RUNS[kind.name].listing })(
      "the pending attachment and subscription requests of S are listed to the actor exactly when the right holds",
      async ({ actor, structure, clock }) => {
        const given = await worldIn(kind, actor, structure, clock);
        try {
          const { app, w } = given;
          const page = await app.listPendingAttachmentRequests(actor.id, {});
          await given.twin((other) => other.listPendingAttachmentRequests(actor.id, {}), page);
          if (!page.ok) throw new Error(JSON.stringify(page.error));
          const ids = page.value.items.map((p) => p.request.id);
          expect(ids).toEqual(hasRight(actor, structure, clock.today) ? [w.request.id, w.request2.id].sort() : []);
          expect([...stringsIn(page.value)].filter((s) => s === OTHER || s === otherSvc.id)).toEqual([]);
          const subscriptions = await app.listPendingSubscriptionRequests(actor.id, {});
          await given.twin((other) => other.listPendingSubscriptionRequests(actor.id, {}), subscriptions);
          if (!subscriptions.ok) throw new Error(JSON.stringify(subscriptions.error));
          expect(subscriptions.value.items.map((p) => p.request.id)).toEqual(hasRight(actor, structure, clock.today) ? [w.sub1.id, w.sub2.id] : []);
          expect([...stringsIn(subscriptions.value)].filter((s) => s === OTHER || s === otherSvc.id)).toEqual([]);
        } finally {
          await given.close();
        }
      },
    );

    test.prop([actorArb, fc.constantFrom(undefined, "structure", "service")], { numRuns: RUNS[kind.name].listing })(
      "guide §5: the users of S are found and exported exactly when the right holds (an active account managing S); otherwise an empty page, which says nothing, and an export of one of them is NOT_FOUND for that user; nothing changes",
      async ({ actor, structure, clock }, narrowed) => {
        const given = await worldIn(kind, actor, structure, clock);
        try {
          const { app, w } = given;
          const before = await given.snapshot();
          const right = hasRight(actor, structure, clock.today);
          // The users of S, stated independently: attached to S, or an account created for S.
          const usersOfS = before.users
            .map((r) => r.value)
            .filter((u) => u.attachments.some((a) => a.structureId === S) || u.createdFor === S)
            .filter((u) => narrowed !== "service" || u.attachments.some((a) => a.structureId === S && (a.scope.kind === "structure" || a.scope.serviceIds.includes(w.svc.id))));
          const criteria = narrowed === "structure" ? { structureId: S } : narrowed === "service" ? { serviceId: w.svc.id } : {};
          const found: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 20; pages++) {
            const page = await app.searchUsers(actor.id, { criteria, limit: 2, ...(cursor === undefined ? {} : { cursor }) });
            await given.twin((other) => other.searchUsers(actor.id, { criteria, limit: 2, ...(cursor === undefined ? {} : { cursor }) }), page);
            if (actor.status !== "active") {
              expect(page).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" } });
              break;
            }
            if (!page.ok) throw new Error(JSON.stringify(page.error));
            // Nothing of OTHER unless the actor manages it too (then a hit shows all of a user's
            // structures the actor manages).
            if (!hasRight(actor, w.other, clock.today)) expect([...stringsIn(page.value)].filter((x) => x === OTHER || x === otherSvc.id)).toEqual([]);
            found.push(...page.value.items.map((h) => h.id));
            if (page.value.nextCursor === null) break;
            cursor = page.value.nextCursor;
          }
          // Without criteria, the users of OTHER too when the actor manages it.
          const usersOfOther = before.users.map((r) => r.value).filter((u) => u.attachments.some((a) => a.structureId === OTHER) || u.createdFor === OTHER);
          const expected = new Set([...(right ? usersOfS : []), ...(narrowed === undefined && hasRight(actor, w.other, clock.today) ? usersOfOther : [])].map((u) => u.id));
          if (actor.status === "active") expect(found.sort()).toEqual([...expected].sort());

          const exported = await app.exportUsers(actor.id, { userIds: [w.member.id] });
          if (actor.status !== "active") expect(exported).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" } });
          else if (!right) expect(exported).toEqual({ ok: false, error: notAUser(w.member.id) });
          else {
            if (!exported.ok) throw new Error(JSON.stringify(exported.error));
            let csv = "";
            for await (const chunk of exported.value.body) csv += chunk;
            expect(csv).toContain(w.member.login);
            expect(csv.split("\r\n").filter((line) => line !== "")).toHaveLength(2); // the header and the member
          }
          expect(await given.snapshot()).toEqual(before);
          await given.same();
        } finally {
          await given.close();
        }
      },
    );
  });
}

// ------------------------------------------------ guide §6: the primary manager's right

/** A structure id nobody has. */
const NOWHERE = structureId("s-none");
/** The actor of a transfer: any account status; primary manager of S, of OTHER, of both or neither; or a manager or member there. */
const primaryActorArb = fc
  .record({
    status: fc.constantFrom<AccountStatus>("active", "active", "active", "deactivated", "pendingActivation"),
    primaryHere: fc.boolean(),
    primaryThere: fc.boolean(),
    here: attachmentArb(S),
    elsewhere: attachmentArb(OTHER),
    clock: fc.constantFrom(...CLOCKS),
  })
  .map(({ status, primaryHere, primaryThere, here, elsewhere, clock }) => {
    const attachments = [primaryHere ? attachment(S, "user", "2026-01-01") : here, primaryThere ? attachment(OTHER, "user", "2026-01-01") : elsewhere];
    const actor = person("u-actor", attachments.filter((a): a is Attachment => a !== undefined), status);
    const structure = structureRecord(S, primaryHere ? actor.id : "u-p");
    const other = { ...structureRecord(OTHER, primaryThere ? actor.id : "u-o"), designation: "Autre structure" };
    return { actor, structure, other, clock };
  });

/** Successors: a member of S, and someone attached to nothing (both active). */
const heir = person("u-heir", [attachment(S, "user", "2026-01-01", true)]);
const stranger = person("u-stranger");

/**
 * A transfer or a deactivation: the structures it names (`mine`: for `{ successorId }`, every
 * structure the actor is primary manager of), the transfers the core is given, and the app's input.
 */
type HandOverAct =
  | { readonly kind: "transfer"; readonly named: readonly StructureId[] | "mine"; readonly input: (successor: User) => TransferPrimaryRoleInput }
  | { readonly kind: "deactivate"; readonly named: readonly StructureId[] | "mine"; readonly input: (successor: User) => DeactivateAccountInput };
const each = (ids: readonly StructureId[], successor: User) => ids.map((s) => ({ structureId: s, successorId: successor.id }));
const handOverActs: Record<string, HandOverAct> = {
  transferHere: { kind: "transfer", named: [S], input: (u) => ({ structureIds: [S], successorId: u.id }) },
  transferThere: { kind: "transfer", named: [OTHER], input: (u) => ({ transfers: each([OTHER], u) }) },
  transferBoth: { kind: "transfer", named: [S, OTHER], input: (u) => ({ structureIds: [S, OTHER], successorId: u.id }) },
  transferBothEach: { kind: "transfer", named: [OTHER, S], input: (u) => ({ transfers: each([OTHER, S], u) }) },
  transferAndUnknown: { kind: "transfer", named: [S, NOWHERE], input: (u) => ({ transfers: each([S, NOWHERE], u) }) },
  deactivateSame: { kind: "deactivate", named: "mine", input: (u) => ({ successorId: u.id }) },
  deactivateHere: { kind: "deactivate", named: [S], input: (u) => ({ transfers: each([S], u) }) },
  deactivateBoth: { kind: "deactivate", named: [S, OTHER], input: (u) => ({ transfers: each([S, OTHER], u) }) },
  deactivateNone: { kind: "deactivate", named: [], input: () => ({ transfers: [] }) },
};
const handOverActNames = Object.keys(handOverActs);

/**
 * The rule, stated independently: an active account, primary manager of every structure
 * named (an unknown one is nobody's) and, for a deactivation, naming every structure it is
 * primary manager of. (The successors are active, not the actor, and nothing uses the PIGP:
 * nothing else can refuse.)
 */
function mayHandOver(actor: User, structures: readonly Structure[], act: HandOverAct) {
  const mine = structures.filter((s) => s.primaryManagerId === actor.id).map((s) => s.id);
  const named = act.named === "mine" ? mine : act.named;
  const active = actor.status === "active";
  const notMine = named.filter((s) => !mine.includes(s));
  const covered = act.kind === "transfer" || mine.every((s) => named.includes(s));
  return { named, notMine, right: active && notMine.length === 0, ok: active && notMine.length === 0 && covered };
}

/** A refusal without the right: an inactive account, or FORBIDDEN naming a structure named that is not the actor's. */
function expectRefusedRight(actor: User, error: DomainError, notMine: readonly StructureId[], kind: HandOverAct["kind"]) {
  if (actor.status !== "active") {
    expect(error).toEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" });
    return;
  }
  // A deactivation first asks for the successors of the actor's own structures (which tells nothing of another's).
  if (kind === "deactivate" && error.code === "SUCCESSOR_REQUIRED") return;
  expect(error).toMatchObject({ code: "FORBIDDEN", actorId: actor.id, reason: "notThePrimaryManager" });
  expect(notMine).toContain((error as { structureId: StructureId }).structureId);
}

describe("guide §6, on the core: only the active primary manager hands a structure over", () => {
  test.prop([primaryActorArb, fc.constantFrom(...handOverActNames), fc.constantFrom(heir, stranger)], { numRuns: 600 })(
    "a transfer or a deactivation succeeds exactly when the actor is the active primary manager of every structure it names (a deactivation naming them all)",
    ({ actor, structure, other, clock }, name, successor) => {
      const act = handOverActs[name] as HandOverAct;
      const { named, notMine, right, ok } = mayHandOver(actor, [structure, other], act);
      const state = { actor, structures: new Map([[S, structure], [OTHER, other]]), successors: new Map([[successor.id, successor]]) };
      const transfers = named.map((s) => ({ structureId: s, successorId: successor.id }));
      const before = structuredClone(state);
      const result =
        act.kind === "transfer" ? transferPrimaryRole(state, { transfers }, { now: clock.now }) : deactivateAccount(state, { transfers }, { now: clock.now, reactivationWindowHours: 1440 });
      expect(result.ok, result.ok ? "success" : JSON.stringify(result.error)).toBe(ok);
      expect(state, "the inputs are unchanged").toEqual(before);
      if (result.ok) {
        expect(right).toBe(true);
        expect(result.value.structures.map((s) => [s.id, s.primaryManagerId])).toEqual(named.map((s) => [s, successor.id]));
      } else if (!right) expectRefusedRight(actor, result.error, notMine, act.kind);
    },
  );
});

/** The world of a transfer in a store: S and OTHER, their primary managers, the actor, the successors. */
async function handOverWorld(store: HabilitationsStore, actor: User, structure: Structure, other: Structure) {
  const primaries = [
    ...(structure.primaryManagerId === actor.id ? [] : [person("u-p", [attachment(S, "user", "2026-01-01")])]),
    ...(other.primaryManagerId === actor.id ? [] : [person("u-o", [attachment(OTHER, "user", "2026-01-01")])]),
  ];
  const committed = await store.commit({
    writes: [
      { kind: "structure", value: structure, expectedVersion: null },
      { kind: "structure", value: other, expectedVersion: null },
      ...[actor, ...primaries, heir, stranger].map((value): Write => ({ kind: "user", value, expectedVersion: null })),
    ],
    reads: [],
    history: [],
    events: [],
  });
  if (!committed.ok) throw new Error(`could not store the world: ${committed.error.code}`);
}

/** Runs per store: about 30 per act on memory, 4 on PostgreSQL. */
const HAND_OVER_RUNS = { memory: 270, postgres: 36 };

for (const kind of stores.kinds) {
  const on = kind.reference ? "" : ` (${kind.name} store)`;
  describe(`guide §6, on the application layer${on}: only the active primary manager hands a structure over`, () => {
    test.prop([primaryActorArb, fc.constantFrom(...handOverActNames), fc.constantFrom(heir, stranger)], { numRuns: HAND_OVER_RUNS[kind.name] })(
      "a transfer or a deactivation that succeeds was made by the active primary manager of every structure it names; anyone else's attempt changes nothing",
      async ({ actor, structure, other, clock }, name, successor) => {
        const act = handOverActs[name] as HandOverAct;
        const opened = await kind.open();
        const reference = kind.reference ? undefined : memoryTwin();
        try {
          await handOverWorld(opened.store, actor, structure, other);
          if (reference !== undefined) await handOverWorld(reference.store, actor, structure, other);
          const appOver = (store: HabilitationsStore) => {
            let n = 0;
            return createHabilitations({ store, clock: () => clock.now, newId: (k) => `${k}-${++n}` });
          };
          const run = (app: App) => (act.kind === "transfer" ? app.transferPrimaryRole(actor.id, act.input(successor)) : app.deactivateAccount(actor.id, act.input(successor)));
          const before = await opened.snapshot();
          const result = await run(appOver(opened.store));
          if (reference !== undefined) {
            expect(result, "the memory store gives the same answer").toEqual(await run(appOver(reference.store)));
            expect(await opened.snapshot(), "the store holds what the memory store holds").toEqual(reference.snapshot());
          }
          const { named, notMine, right, ok } = mayHandOver(actor, [structure, other], act);
          expect(result.ok, result.ok ? "success" : JSON.stringify(result.error)).toBe(ok);
          const after = await opened.snapshot();
          if (result.ok) {
            expect(right).toBe(true);
            expectDeepFrozen(result.value);
            const primaryOf = new Map(after.structures.map((s) => [s.value.id as string, s.value.primaryManagerId as string]));
            expect(named.map((s) => primaryOf.get(s))).toEqual(named.map(() => successor.id));
            // Nothing of a structure not named shows (a deactivation is recorded on the actor's own structures too).
            const own = act.kind === "deactivate" ? actor.attachments.map((a) => a.structureId) : [];
            const leaked = [...stringsIn(result.value)].filter((x) => (x === S || x === OTHER) && !named.includes(x as StructureId) && !own.includes(x as StructureId));
            expect(leaked).toEqual([]);
          } else {
            expect(after, "a refused act changes nothing").toEqual(before);
            if (!right) expectRefusedRight(actor, result.error, notMine, act.kind);
          }
        } finally {
          await opened.close();
        }
      },
    );
  });
}
