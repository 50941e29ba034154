// The acting user (issue 18), on the memory store: the actor a host passes is its
// authentication's answer, so an actor that names no account, or that is not an id at
// all, is UNKNOWN_ACTOR (`unknown`, `malformed`; a host answers 401), never a target's
// NOT_FOUND nor a body's VALIDATION, and changes nothing, at every operation that has an
// actor. `actorByLogin` maps the login a host's identity provider proved to that id.
import { describe, expect, it } from "vitest";
import { httpStatusOf, type ActorId, type DomainError, type Habilitations, type Result } from "../../src/index.js";
import {
  ask,
  askSpaces,
  deactivate,
  expectDeepFrozen,
  expectErr,
  expectForbidden,
  expectInvalid,
  expectRefused,
  expectUnknownActor,
  guide,
  JUNK_ACTORS,
  must,
  numberOf,
  SPACE,
  TODAY,
  UNKNOWN,
  untyped,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";

// ------------------------------------------------------------------ every operation

/** The operations whose first parameter is the acting user (`actorByLogin` takes a login, not an actor). */
type ActorOperation = Exclude<
  {
    [K in keyof Habilitations]: Habilitations[K] extends (...args: infer P) => unknown
      ? P extends [infer First, ...unknown[]]
        ? [First] extends [ActorId]
          ? [ActorId] extends [First]
            ? K
            : never
          : never
        : never
      : never;
  }[keyof Habilitations],
  "actorByLogin"
>;

/** What the acts are given: the guide, a pending attachment request and a pending subscription request. */
interface World {
  readonly g: Guide;
  readonly request: string;
  readonly subscription: string;
}

type Act = (app: Habilitations, actor: ActorId, w: World) => Promise<Result<unknown, DomainError>>;

/**
 * Every operation with an actor, each with a valid input naming records that exist, so
 * that what refuses it is the actor alone. Typed by {@link ActorOperation}: an operation
 * with an actor added to the app without its line here does not compile.
 */
const ACTS: { readonly [K in ActorOperation]: Act } = {
  createStructure: (app, a) => app.createStructure(a, { designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" } }),
  addService: (app, a, { g }) => app.addService(a, { structureId: g.townHall, code: "URBA", label: "Urbanisme" }),
  renameService: (app, a, { g }) => app.renameService(a, { serviceId: g.rh, label: "RH" }),
  deactivateService: (app, a, { g }) => app.deactivateService(a, { serviceId: g.rh }),
  requestAttachment: (app, a, { g }) => app.requestAttachment(a, { structureId: g.bookshop, scope: WHOLE }),
  validateAttachmentRequest: (app, a, { request }) => app.validateAttachmentRequest(a, { requestId: request }),
  refuseAttachmentRequest: (app, a, { request }) => app.refuseAttachmentRequest(a, { requestId: request, reason: "Non" }),
  validateAttachmentRequests: (app, a, { request }) => app.validateAttachmentRequests(a, { items: [{ requestId: request }] }),
  refuseAttachmentRequests: (app, a, { request }) => app.refuseAttachmentRequests(a, { requestIds: [request], reason: "Non" }),
  consultAttachmentRequest: (app, a, { request }) => app.consultAttachmentRequest(a, { requestId: request }),
  listPendingAttachmentRequests: (app, a) => app.listPendingAttachmentRequests(a, {}),
  attachUser: (app, a, { g }) =>
    app.attachUser(a, { structureId: g.townHall, userId: g.elodie, role: "user", validFrom: TODAY, comment: "Renfort", scope: WHOLE }),
  changeMemberRole: (app, a, { g }) => app.changeMemberRole(a, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }),
  removeAttachment: (app, a, { g }) => app.removeAttachment(a, { structureId: g.townHall, userId: g.chloe }),
  changeAttachmentEnd: (app, a, { g }) => app.changeAttachmentEnd(a, { structureId: g.townHall, userId: g.chloe, validUntil: "2027-06-30" }),
  copyMemberRights: (app, a, { g }) => app.copyMemberRights(a, { structureId: g.townHall, modelUserId: g.bruno, userId: g.chloe }),
  leaveStructure: (app, a, { g }) => app.leaveStructure(a, { structureId: g.townHall }),
  listMembers: (app, a, { g }) => app.listMembers(a, { structureId: g.townHall }),
  readHistory: (app, a, { g }) => app.readHistory(a, { structureId: g.townHall }),
  requestSubscription: (app, a, { g }) => app.requestSubscription(a, { structureId: g.townHall, items: [{ space: SPACE.recues, access: "read" }] }),
  validateSubscriptionRequest: (app, a, { subscription }) => app.validateSubscriptionRequest(a, { requestId: subscription, scope: "user" }),
  refuseSubscriptionRequest: (app, a, { subscription }) => app.refuseSubscriptionRequest(a, { requestId: subscription, comment: "Non" }),
  validateSubscriptionRequests: (app, a, { subscription }) => app.validateSubscriptionRequests(a, { items: [{ requestId: subscription }] }),
  refuseSubscriptionRequests: (app, a, { subscription }) => app.refuseSubscriptionRequests(a, { requestIds: [subscription] }),
  consultSubscriptionRequest: (app, a, { subscription }) => app.consultSubscriptionRequest(a, { requestId: subscription }),
  listPendingSubscriptionRequests: (app, a) => app.listPendingSubscriptionRequests(a, {}),
  openSpace: (app, a, { g }) => app.openSpace(a, { structureId: g.townHall, space: SPACE.emises }),
  closeSpace: (app, a, { g }) => app.closeSpace(a, { structureId: g.townHall, space: SPACE.recues }),
  grantSpaces: (app, a, { g }) => app.grantSpaces(a, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: SPACE.recues, access: "read" }] }),
  revokeSpaceGrant: (app, a, { g }) => app.revokeSpaceGrant(a, { structureId: g.townHall, userId: g.chloe, space: SPACE.recues }),
  changeGrantEnd: (app, a, { g }) => app.changeGrantEnd(a, { structureId: g.townHall, userId: g.chloe, space: SPACE.recues, validUntil: "2027-06-30" }),
  listMemberGrants: (app, a, { g }) => app.listMemberGrants(a, { structureId: g.townHall, userId: g.chloe }),
  createAccount: (app, a, { g }) => app.createAccount(a, { structureId: g.townHall, login: "ines.garcia@mairie-lyon.fr", lastName: "Garcia", firstName: "Inès" }),
  sendActivationEmails: (app, a, { g }) => app.sendActivationEmails(a, { structureId: g.townHall, userIds: [g.chloe] }),
  updateUser: (app, a, { g }) => app.updateUser(a, { structureId: g.townHall, userId: g.chloe, changes: { phone: "+33 4 72 10 30 30" } }),
  confirmContactEmail: (app, a) => app.confirmContactEmail(a, { token: "jeton-de-confirmation" }),
  getPersonalInformation: (app, a, { g }) => app.getPersonalInformation(a, { structureId: g.townHall, userId: g.chloe }),
  listUserStructures: (app, a, { g }) => app.listUserStructures(a, { structureId: g.townHall, userId: g.chloe }),
  searchUsers: (app, a) => app.searchUsers(a, { criteria: { lastName: "durand" } }),
  lookupPerson: (app, a, { g }) => app.lookupPerson(a, { structureId: g.townHall, login: "farid.benali@example.fr" }),
  exportUsers: (app, a) => app.exportUsers(a, { criteria: {} }),
  listPrimaryStructures: (app, a) => app.listPrimaryStructures(a),
  transferPrimaryRole: (app, a, { g }) => app.transferPrimaryRole(a, { structureIds: [g.townHall], successorId: g.bruno }),
  deactivateAccount: (app, a) => app.deactivateAccount(a, { transfers: [] }),
  reactivateAccount: (app, a) => app.reactivateAccount(a),
  chorusProRechercherStructure: (app, a) => app.chorusProRechercherStructure(a, { structure: { typeStructure: "PUBLIQUE" } }),
  chorusProConsulterStructure: (app, a, { g }) => app.chorusProConsulterStructure(a, { idStructureCPP: numberOf(g.townHall) }),
  chorusProConsulterServiceStructure: (app, a, { g }) =>
    app.chorusProConsulterServiceStructure(a, { idStructure: numberOf(g.townHall), idService: numberOf(g.compta) }),
  chorusProRechercherServicesStructure: (app, a, { g }) => app.chorusProRechercherServicesStructure(a, { idStructure: numberOf(g.townHall) }),
  chorusProListerRattachementsUtilisateur: (app, a, { g }) =>
    app.chorusProListerRattachementsUtilisateur(a, { idStructure: numberOf(g.townHall), adresseEmailConnexionUtilisateur: "chloe.durand@mairie-lyon.fr" }),
  chorusProRechercherEspaces: (app, a, { g }) => app.chorusProRechercherEspaces(a, { structure: { idStructure: numberOf(g.townHall) } }),
};
const OPERATIONS = Object.entries(ACTS) as [ActorOperation, Act][];

/** The operations without an actor: the public side, the host's own questions, the outbox, and the login lookup. */
const WITHOUT_ACTOR = [
  "registerUser",
  "registerAccount",
  "activateAccount",
  "mayAccess",
  "listSpaces",
  "claimEvents",
  "acknowledgeEvents",
  "relayEvents",
  "startRelay",
  "purgeIdempotencyRecords",
  "recordExpiries",
  "actorByLogin",
];

/**
 * The app as a host calls it when its authentication gave `actor`, whatever that is: every
 * operation gets it as its first argument in place of the one it is given (through the
 * untyped view: the actor is what the host's session held, unchecked).
 */
const actingAs = (app: Habilitations, actor: unknown): Habilitations => {
  const view = untyped(app) as unknown as Record<string, (...args: unknown[]) => unknown>;
  return Object.fromEntries(Object.entries(view).map(([name, op]) => [name, (_actor: unknown, ...rest: unknown[]) => op(actor, ...rest)])) as unknown as Habilitations;
};

/** The guide, with Farid's request to join the town hall and Chloé's for « Factures reçues » there, pending. */
async function world(): Promise<{ h: Harness; w: World; app: Habilitations }> {
  const { h, g, app } = await guide();
  const request = await ask(h, g.farid, g.townHall);
  must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
  const subscription = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.recues, access: "read" }]);
  return { h, w: { g, request, subscription }, app };
}

/** Actors that are not ids: junk, and strings no id can be (blank, two lines, a bidirectional override, too long). */
const MALFORMED_ACTORS: readonly (readonly [string, (g: Guide) => unknown])[] = [
  ...JUNK_ACTORS.map(([label, actor]) => [label, () => actor] as const),
  ["blank", () => "   "],
  ["two lines", (g) => `${g.alice}\n`],
  ["a bidirectional override", (g) => `${g.alice}\u202E`],
  ["201 characters", () => "u".repeat(201)],
  ["a boxed string", (g) => new String(g.alice)],
  ["an array of the id", (g) => [g.alice]],
  ["an object holding the id", (g) => ({ id: g.alice })],
];

describe("UNKNOWN_ACTOR at every operation with an actor", () => {
  it("covers every operation of the app but those without an actor", async () => {
    const { app } = await world();
    const names = Object.keys(app).filter((name) => typeof app[name as keyof Habilitations] === "function");
    expect(names.filter((name) => !WITHOUT_ACTOR.includes(name)).sort()).toEqual(Object.keys(ACTS).sort());
    expect(WITHOUT_ACTOR.filter((name) => !names.includes(name))).toEqual([]);
  });

  it.each(OPERATIONS)("%s: an id no account holds is UNKNOWN_ACTOR (unknown), not NOT_FOUND, and changes nothing", async (_name, act) => {
    const { h, w, app } = await world();
    const error = await expectUnknownActor(h, () => act(app, UNKNOWN, w), "unknown");
    expect(httpStatusOf(error)).toBe(401);
  });

  it.each(OPERATIONS)("%s: the same id given with an idempotency key is UNKNOWN_ACTOR too, and keeps no record of the key", async (name, act) => {
    const { h, w, app } = await world();
    const keyed = { ...app, [name]: (...args: unknown[]) => (app[name] as (...a: unknown[]) => unknown)(...args, { idempotencyKey: "k-1" }) } as Habilitations;
    // (Reads take no options: the extra argument is ignored.)
    await expectUnknownActor(h, () => act(keyed, UNKNOWN, w), "unknown");
    expect(h.snapshot().idempotency).toEqual([]);
  });

  it.each(OPERATIONS)("%s: an actor that is not an id is UNKNOWN_ACTOR (malformed), not VALIDATION, and changes nothing", async (_name, act) => {
    const { h, w, app } = await world();
    for (const [label, actor] of MALFORMED_ACTORS) {
      const error = await expectUnknownActor(h, () => act(actingAs(app, actor(w.g)), w.g.alice, w), "malformed");
      expect(httpStatusOf(error), label).toBe(401);
    }
  });

  it.each(OPERATIONS)("%s: the same input from a known actor is not refused for its actor (the input is valid)", async (_name, act) => {
    const { w, app } = await world();
    const r = await act(app, w.g.alice, w);
    if (!r.ok) expect(["UNKNOWN_ACTOR", "VALIDATION"]).not.toContain(r.error.code);
  });

  it("tells an unknown actor from an unknown target: 401 for the one, 404 for the other", async () => {
    const { h, w, app } = await world();
    const actor = await expectUnknownActor(h, () => app.consultAttachmentRequest(UNKNOWN, { requestId: w.request }), "unknown");
    const target = expectErr(await app.consultAttachmentRequest(w.g.alice, { requestId: UNKNOWN }), "NOT_FOUND");
    expect([httpStatusOf(actor), httpStatusOf(target)]).toEqual([401, 404]);
  });

  it("tells a malformed actor from a bad body: UNKNOWN_ACTOR (401) for the one, VALIDATION (400) for the other, whatever the body", async () => {
    const { h, w, app } = await world();
    await expectUnknownActor(h, () => untyped(app).validateAttachmentRequest(42, { requestId: w.request }), "malformed");
    // A malformed actor with a bad body too: the actor is judged first.
    await expectUnknownActor(h, () => untyped(app).validateAttachmentRequest(42, { reqestId: w.request }), "malformed");
    const body = await expectInvalid(h, () => untyped(app).validateAttachmentRequest(w.g.alice, { reqestId: w.request }));
    expect(httpStatusOf(body)).toBe(400);
  });
});

// ------------------------------------------------------------------------ actorByLogin

describe("actorByLogin — the actor's id for the login the host's identity provider proved", () => {
  it("gives the id of the account that holds the login, frozen, reading only", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const r = await app.actorByLogin("alice.martin@mairie-lyon.fr");
    expect(r).toEqual({ ok: true, value: g.alice });
    expectDeepFrozen(r);
    expect(h.snapshot()).toEqual(before);
  });

  it("finds it whatever the case of the address and the spaces around it", async () => {
    const { g, app } = await guide();
    expect(must(await app.actorByLogin("Alice.MARTIN@Mairie-Lyon.FR"))).toBe(g.alice);
    expect(must(await app.actorByLogin("  chloe.durand@mairie-lyon.fr "))).toBe(g.chloe);
  });

  it("gives an id the acts take as their actor", async () => {
    const { g, app } = await guide();
    const actor = must(await app.actorByLogin("bruno.petit@mairie-lyon.fr"));
    const members = must(await app.listMembers(actor, { structureId: g.townHall }));
    expect(members.items.map((m) => m.userId)).toContain(g.chloe);
  });

  it("refuses a login no account holds with UNKNOWN_ACTOR (unknown, 401), changing nothing", async () => {
    const { h, app } = await guide();
    const error = await expectUnknownActor(h, () => app.actorByLogin("personne@example.fr"), "unknown");
    expect(httpStatusOf(error)).toBe(401);
    // A login in another domain, or a part of one, is no login.
    await expectUnknownActor(h, () => app.actorByLogin("alice.martin@mairie-lyon.com"), "unknown");
    await expectUnknownActor(h, () => app.actorByLogin("martin@mairie-lyon.fr"), "unknown");
  });

  it.each([
    ["not an e-mail address", "alice.martin"],
    ["empty", ""],
    ["blank", "   "],
    ["two addresses", "alice.martin@mairie-lyon.fr bruno.petit@mairie-lyon.fr"],
    ["too long", `${"a".repeat(250)}@example.fr`],
  ])("refuses a login that is %s with VALIDATION (a bad request, not an unknown actor), changing nothing", async (_label, login) => {
    const { h, app } = await guide();
    await expectInvalid(h, () => app.actorByLogin(login));
  });

  it.each([
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
    ["an object", { login: "alice.martin@mairie-lyon.fr" }],
  ])("refuses %s (an untyped call) with VALIDATION", async (_label, login) => {
    const { h, app } = await guide();
    await expectInvalid(h, () => untyped(app).actorByLogin(login));
  });

  it("gives the id of an account not active too: its acts are then FORBIDDEN (accountNotActive), not UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await deactivate(h, g.farid);
    const actor = must(await app.actorByLogin("farid.benali@example.fr"));
    expect(actor).toBe(g.farid);
    await expectForbidden(h, () => app.requestAttachment(actor, { structureId: g.townHall, scope: WHOLE }), g.farid, "accountNotActive");
  });

  it("answers a store that fails with STORE_FAILURE (read), never a throw", async () => {
    const { h } = await guide();
    const failing = h.appOver({
      ...h.store,
      findUserByLogin: async () => {
        throw new Error("connexion perdue");
      },
    });
    await expectRefused(h, () => failing.actorByLogin("alice.martin@mairie-lyon.fr"), "STORE_FAILURE");
    expect(expectErr(await failing.actorByLogin("alice.martin@mairie-lyon.fr"), "STORE_FAILURE")).toEqual({ code: "STORE_FAILURE", stage: "read" });
  });
});
