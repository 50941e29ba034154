// Guide §2 through the application layer: a user's subscription request (our extension),
// the managers' list, consultation, validation with a scope, refusal, and in bulk.
import { describe, expect, it } from "vitest";
import {
  errorMessage,
  historyKindLabel,
  type RequestSubscriptionInput,
  type StructureId,
  type SubscriptionRequestId,
  type ValidateSubscriptionRequestInput,
  type ValidateSubscriptionRequestsInput,
} from "../../src/index.js";
import {
  askSpaces,
  deactivate,
  expectAppended,
  expectBulkFrozen,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectEventsSaved,
  expectForbidden,
  expectHidden,
  expectInvalid,
  expectNotFound,
  expectRefused,
  expectUnknownActor,
  FORBIDDEN_ACTORS,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  services,
  SPACE,
  structureRow,
  subscriptionRow,
  TODAY,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";

/** Chloé's three lines (she is a simple user of the town hall on COMPTA), in canonical order. */
const chloeLines = (g: Guide) => [
  { space: SPACE.aValider, serviceId: g.compta, access: "read" as const },
  { space: SPACE.recues, serviceId: g.compta, access: "write" as const },
  { space: SPACE.sollicitationsEmises, serviceId: null, access: "read" as const },
];

/** Chloé asks for three spaces of the town hall; the lines are given out of order, one without serviceId. */
async function chloeAsks(h: Harness, g: Guide, comment = "Je traite les factures de la comptabilité"): Promise<SubscriptionRequestId> {
  return askSpaces(
    h,
    g.chloe,
    g.townHall,
    [
      { space: SPACE.sollicitationsEmises, access: "read" },
      { space: SPACE.recues, serviceId: g.compta, access: "write" },
      { space: SPACE.aValider, serviceId: g.compta, access: "read" },
    ],
    comment,
  );
}

const kinds = (r: { readonly history: readonly { readonly kind: keyof typeof historyKindLabel }[] }) => r.history.map((e) => historyKindLabel[e.kind]);

describe("requestSubscription (the user's side: an extension of the guide)", () => {
  it("records a pending request in canonical form, « Demande d’abonnement » in the history, and a SubscriptionRequested event", async () => {
    const { h, g, app } = await guide();
    h.tick(15);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(
      await app.requestSubscription(g.chloe, {
        structureId: g.townHall,
        items: [
          { space: SPACE.sollicitationsEmises, access: "read" },
          { space: SPACE.recues, serviceId: g.compta, access: "write" },
          { space: SPACE.aValider, serviceId: g.compta, access: "read" },
        ],
        comment: "  Je traite les factures de la comptabilité ",
      }),
    );
    expect(r.request).toEqual({
      id: "sub-001",
      structureId: g.townHall,
      userId: g.chloe,
      items: chloeLines(g),
      comment: "Je traite les factures de la comptabilité",
      createdAt: at,
      status: "pending",
    });
    expect(r.history).toEqual([
      expect.objectContaining({
        structureId: g.townHall,
        kind: "subscriptionRequested",
        actorId: g.chloe,
        targetUserId: g.chloe,
        requestId: "sub-001",
        details: { items: chloeLines(g), comment: "Je traite les factures de la comptabilité" },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "SubscriptionRequested", at, requestId: "sub-001", structureId: g.townHall, userId: g.chloe }]);
    expectEventsSaved(h, before, r.events);
    expect(Object.keys(r).sort()).toEqual(["events", "history", "request"]);
    expectDeepFrozen(r);
    expect(await subscriptionRow(h, r.request.id)).toEqual({ value: r.request, version: 1 });
    // Nothing given yet: the user's record does not change.
    expect(await userRow(h, g.chloe)).toEqual(before.users.find((u) => u.value.id === g.chloe));
  });

  it("lets a user have several pending requests for one structure", async () => {
    const { h, g, app } = await guide();
    const first = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.recues, access: "read" }]);
    const second = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.emises, access: "read" }]);
    expect(first).not.toBe(second);
    expect(h.snapshot().subscriptionRequests.filter((x) => x.value.status === "pending")).toHaveLength(2);
    must(await app.listPendingSubscriptionRequests(g.alice, {}));
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).requestSubscription(actor, { structureId: g.townHall, items: [{ space: SPACE.recues, access: "read" }] }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["no items", { structureId: "str-002", items: [] }],
    ["an unknown access", { structureId: "str-002", items: [{ space: "FACTURES_RECUES", access: "admin" }] }],
    ["a malformed space code", { structureId: "str-002", items: [{ space: "factures reçues", access: "read" }] }],
    ["two lines for one space and service", { structureId: "str-002", items: [{ space: "FACTURES_RECUES", access: "read" }, { space: "FACTURES_RECUES", access: "write" }] }],
    ["an extra key in a line", { structureId: "str-002", items: [{ space: "FACTURES_RECUES", access: "read", scope: "user" }] }],
    ["an extra key", { structureId: "str-002", items: [{ space: "FACTURES_RECUES", access: "read" }], status: "validated" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).requestSubscription(g.chloe, input));
  });

  it("refuses a space not in the catalogue with VALIDATION unknown_space, before anything is read", async () => {
    const { h, g, app } = await guide();
    const e = await expectInvalid(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ space: SPACE.recues, access: "read" }, { space: "E_REPORTING", access: "read" }] }));
    expect(e.issues).toEqual([expect.objectContaining({ path: ["items", 1, "space"], code: "unknown_space" })]);
    // Even for an unknown actor and structure: the input is judged first.
    await expectInvalid(h, () => app.requestSubscription(UNKNOWN, { structureId: UNKNOWN, items: [{ space: "E_REPORTING", access: "read" }] }));
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR, an unknown structure or service with NOT_FOUND; a service of another structure is unknown here", async () => {
    const { h, g, app } = await guide();
    const line = { space: SPACE.recues, access: "read" as const };
    await expectUnknownActor(h, () => app.requestSubscription(UNKNOWN, { structureId: g.townHall, items: [line] }), "unknown");
    await expectNotFound(h, () => app.requestSubscription(g.chloe, { structureId: UNKNOWN, items: [line] }), "structure", UNKNOWN);
    await expectNotFound(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ ...line, serviceId: UNKNOWN }] }), "service", UNKNOWN);
    await expectNotFound(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ ...line, serviceId: g.ventes }] }), "service", g.ventes);
  });

  it("refuses a deactivated account with FORBIDDEN accountNotActive", async () => {
    const { h, g, app } = await guide();
    await deactivate(h, g.chloe);
    await expectForbidden(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ space: SPACE.recues, access: "read" }] }), g.chloe, "accountNotActive", g.townHall);
    // The actor is judged first: whether a structure exists tells an inactive account nothing.
    await expectForbidden(h, () => app.requestSubscription(g.chloe, { structureId: UNKNOWN, items: [{ space: SPACE.recues, access: "read" }] }), g.chloe, "accountNotActive", UNKNOWN as StructureId);
  });

  it("refuses a structure the user is not attached to with NOT_FOUND, as one that does not exist; a service outside her scope with NOT_ATTACHED", async () => {
    const { h, g, app } = await guide();
    const line = { space: SPACE.recues, access: "read" } as const;
    const townHall = await expectNotFound(h, () => app.requestSubscription(g.elodie, { structureId: g.townHall, items: [line] }), "structure", g.townHall);
    const unknown = await expectNotFound(h, () => app.requestSubscription(g.elodie, { structureId: UNKNOWN, items: [line] }), "structure", UNKNOWN);
    expect({ ...townHall, id: UNKNOWN }).toEqual(unknown);
    expect(
      await expectRefused(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ space: SPACE.recues, serviceId: g.paie, access: "read" }] }), "NOT_ATTACHED"),
    ).toEqual({ code: "NOT_ATTACHED", structureId: g.townHall, userId: g.chloe, serviceId: g.paie });
  });

  it("refuses a deactivated service with SERVICE_INACTIVE", async () => {
    const { h, g, app } = await guide();
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    expect(
      await expectRefused(h, () => app.requestSubscription(g.bruno, { structureId: g.townHall, items: [{ space: SPACE.recues, serviceId: g.rh, access: "read" }] }), "SERVICE_INACTIVE"),
    ).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.rh });
  });

  it("gives a retry with the same idempotency key the first outcome, and another input IDEMPOTENCY_KEY_REUSED", async () => {
    const { h, g, app } = await guide();
    const input: RequestSubscriptionInput = { structureId: g.townHall, items: [{ space: SPACE.recues, access: "read" }] };
    const first = must(await app.requestSubscription(g.chloe, input, { idempotencyKey: "sub-chloe-1" }));
    const after = h.snapshot();
    expect(await app.requestSubscription(g.chloe, input, { idempotencyKey: "sub-chloe-1" })).toEqual({ ok: true, value: first });
    expect(h.snapshot()).toEqual(after);
    await expectRefused(h, () => app.requestSubscription(g.chloe, { ...input, comment: "Autre" }, { idempotencyKey: "sub-chloe-1" }), "IDEMPOTENCY_KEY_REUSED");
  });
});

describe("listPendingSubscriptionRequests", () => {
  it("lists the pending requests of every structure the actor manages, oldest first, with the spaces' labels, without the actor's own nor decided ones", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    h.tick(1);
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "write" }]);
    h.tick(1);
    const bruno = await askSpaces(h, g.bruno, g.townHall, [{ space: SPACE.recues, access: "read" }]);
    h.tick(1);
    const decided = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.emises, access: "read" }]);
    must(await app.refuseSubscriptionRequest(g.alice, { requestId: decided }));
    const page = must(await app.listPendingSubscriptionRequests(g.alice, {}));
    expect(page.items.map((x) => x.request.id)).toEqual([chloe, david, bruno]);
    expect(page.items[0]).toEqual({
      request: (await subscriptionRow(h, chloe)).value,
      structure: { id: g.townHall, designation: "Mairie de Lyon" },
      user: { id: g.chloe, lastName: "Durand", firstName: "Chloé", login: "chloe.durand@mairie-lyon.fr" },
      spaces: [
        { space: SPACE.aValider, label: "Factures à valider" },
        { space: SPACE.recues, label: "Factures reçues" },
        { space: SPACE.sollicitationsEmises, label: "Sollicitations émises" },
      ],
    });
    expect(page.nextCursor).toBeNull();
    expectDeepFrozen(page);
    // Bruno manages the town hall only, and his own request is not his to decide.
    expect(must(await app.listPendingSubscriptionRequests(g.bruno, {})).items.map((x) => x.request.id)).toEqual([chloe]);
    // Victor manages none of these; a simple user manages nothing.
    expect(must(await app.listPendingSubscriptionRequests(g.victor, {})).items).toEqual([]);
    expect(must(await app.listPendingSubscriptionRequests(g.chloe, {})).items).toEqual([]);
  });

  it("pages with a cursor, which another actor cannot use", async () => {
    const { h, g, app } = await guide();
    const ids: SubscriptionRequestId[] = [];
    for (const space of [SPACE.recues, SPACE.emises, SPACE.aValider]) {
      ids.push(await askSpaces(h, g.chloe, g.townHall, [{ space, access: "read" }]));
      h.tick(1);
    }
    const first = must(await app.listPendingSubscriptionRequests(g.alice, { limit: 2 }));
    expect(first.items.map((x) => x.request.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).not.toBeNull();
    const second = must(await app.listPendingSubscriptionRequests(g.alice, { limit: 2, cursor: first.nextCursor! }));
    expect(second.items.map((x) => x.request.id)).toEqual(ids.slice(2));
    expect(second.nextCursor).toBeNull();
    await expectInvalid(h, () => app.listPendingSubscriptionRequests(g.bruno, { limit: 2, cursor: first.nextCursor! }));
  });

  it("refuses junk with VALIDATION, a junk actor with UNKNOWN_ACTOR (malformed) and an unknown one with UNKNOWN_ACTOR (unknown)", async () => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => app.listPendingSubscriptionRequests(g.alice, { limit: 0 }));
    await expectInvalid(h, () => untyped(app).listPendingSubscriptionRequests(g.alice, { extra: 1 }));
    await expectUnknownActor(h, () => untyped(app).listPendingSubscriptionRequests(42, {}), "malformed");
    await expectUnknownActor(h, () => app.listPendingSubscriptionRequests(UNKNOWN, {}), "unknown");
  });
});

describe("consultSubscriptionRequest", () => {
  it("shows the structure, the user as seen from it, her comment, and each line with its labels, « Tous les services », open and held", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.aValider }));
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: g.compta }));
    must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: SPACE.recues, serviceId: g.compta, access: "read" }] }));
    const requestId = await chloeAsks(h, g);
    const before = h.snapshot();
    const view = must(await app.consultSubscriptionRequest(g.bruno, { requestId }));
    expect(view.request).toEqual((await subscriptionRow(h, requestId)).value);
    expect(view.structure).toEqual({ id: g.townHall, designation: "Mairie de Lyon", kind: "public", viaPigp: false, identifier: { type: "siret", value: "21690123100011" } });
    expect(view.user).toEqual({ id: g.chloe, login: "chloe.durand@mairie-lyon.fr", lastName: "Durand", firstName: "Chloé", status: "active" });
    expect(view.comment).toBe("Je traite les factures de la comptabilité");
    expect(view.items).toEqual([
      { space: SPACE.aValider, spaceLabel: "Factures à valider", serviceId: g.compta, serviceCode: "COMPTA", serviceLabel: "Comptabilité", access: "read", accessLabel: "Consultation", open: true, held: null },
      { space: SPACE.recues, spaceLabel: "Factures reçues", serviceId: g.compta, serviceCode: "COMPTA", serviceLabel: "Comptabilité", access: "write", accessLabel: "Modification", open: true, held: "read" },
      {
        space: SPACE.sollicitationsEmises,
        spaceLabel: "Sollicitations émises",
        serviceId: null,
        serviceCode: null,
        serviceLabel: "Tous les services",
        access: "read",
        accessLabel: "Consultation",
        open: false,
        held: null,
      },
    ]);
    expectDeepFrozen(view);
    expectDisclosesOnly(h, g.townHall, view);
    expect(h.snapshot()).toEqual(before); // a query writes nothing
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the request, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    await expectHidden(h, (id) => app.consultSubscriptionRequest(g[who], { requestId: id }), "subscriptionRequest", requestId);
  });

  it("gives the manager of another structure NOT_FOUND, whichever way", async () => {
    const { h, g, app } = await guide();
    const townHall = await chloeAsks(h, g);
    const bookshop = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "read" }]);
    await expectHidden(h, (id) => app.consultSubscriptionRequest(g.victor, { requestId: id }), "subscriptionRequest", townHall);
    await expectHidden(h, (id) => app.consultSubscriptionRequest(g.bruno, { requestId: id }), "subscriptionRequest", bookshop);
  });

  it("refuses junk with VALIDATION", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    for (const [, input] of [...JUNK_INPUTS, ["extra key", { requestId, scope: "user" }] as const]) await expectInvalid(h, () => untyped(app).consultSubscriptionRequest(g.alice, input));
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).consultSubscriptionRequest(actor, { requestId }), "malformed");
  });
});

describe("validateSubscriptionRequest — the guide's scenario end to end", () => {
  it("Chloé asks for three spaces; Alice consults, unchecks « Factures à valider » and validates for the whole structure", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    h.tick(60);
    const at = h.now().toISOString();

    // The manager sees the request in her list and opens it.
    expect(must(await app.listPendingSubscriptionRequests(g.alice, {})).items.map((x) => x.request.id)).toEqual([requestId]);
    const view = must(await app.consultSubscriptionRequest(g.alice, { requestId }));
    const checked = view.request.items.filter((i) => i.space !== SPACE.aValider);
    expect(checked).toEqual(chloeLines(g).slice(1));

    const before = h.snapshot();
    const townHallBefore = await structureRow(h, g.townHall);
    const r = must(await app.validateSubscriptionRequest(g.alice, { requestId, items: checked, scope: "structure", comment: "Accordé sauf la validation" }));

    expect(r.request).toEqual({
      ...view.request,
      status: "validated",
      decidedBy: g.alice,
      decidedAt: at,
      grantedItems: chloeLines(g).slice(1),
      scope: "structure",
      managerComment: "Accordé sauf la validation",
    });
    const grants = [
      { structureId: g.townHall, space: SPACE.recues, serviceId: g.compta, access: "write", grantedBy: g.alice, grantedAt: at, validUntil: null, endNotice: null },
      { structureId: g.townHall, space: SPACE.sollicitationsEmises, serviceId: null, access: "read", grantedBy: g.alice, grantedAt: at, validUntil: null, endNotice: null },
    ];
    expect(r.requester).toEqual({
      id: g.chloe,
      login: "chloe.durand@mairie-lyon.fr",
      lastName: "Durand",
      firstName: "Chloé",
      status: "active",
      role: "user",
      attachment: { structureId: g.townHall, role: "user", scope: services(g.compta), validFrom: TODAY, attachedBy: g.alice, attachedAt: before.users.find((u) => u.value.id === g.chloe)!.value.attachments[0]!.attachedAt, validUntil: null, endNotice: null },
      grants,
    });
    expect(r.structureOpenSpaces).toEqual([SPACE.recues, SPACE.sollicitationsEmises]);
    expect(r.servicesOpened).toEqual([]);

    // History: « Espace ouvert » twice, then « Validée ».
    expect(kinds(r)).toEqual(["Espace ouvert", "Espace ouvert", "Validée"]);
    expect(r.history.map((e) => [e.kind, e.actorId, e.targetUserId, e.requestId, e.details])).toEqual([
      ["spaceOpened", g.alice, null, null, { space: SPACE.recues }],
      ["spaceOpened", g.alice, null, null, { space: SPACE.sollicitationsEmises }],
      ["subscriptionRequestValidated", g.alice, g.chloe, requestId, { items: chloeLines(g).slice(1), subscriptionScope: "structure", comment: "Accordé sauf la validation" }],
    ]);
    expectAppended(h, before, r.history);

    // Events: two SpaceOpened, then SubscriptionRequestValidated; exactly what the outbox holds.
    expect(r.events.map((e) => e.type)).toEqual(["SpaceOpened", "SpaceOpened", "SubscriptionRequestValidated"]);
    expect(r.events[2]).toEqual({
      id: expect.any(String),
      type: "SubscriptionRequestValidated",
      at,
      requestId,
      structureId: g.townHall,
      userId: g.chloe,
      decidedBy: g.alice,
      items: chloeLines(g).slice(1),
      scope: "structure",
    });
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);

    // The store: the request decided, the requester's grants, the structure's opened spaces (one record).
    expect(await subscriptionRow(h, requestId)).toEqual({ value: r.request, version: 2 });
    expect((await userRow(h, g.chloe)).value.grants).toEqual(grants);
    expect(await structureRow(h, g.townHall)).toEqual({
      value: { ...townHallBefore.value, openSpaces: [SPACE.recues, SPACE.sollicitationsEmises] },
      version: townHallBefore.version + 1,
    });
    expect(h.snapshot().services).toEqual(before.services);

    // Chloé may now write « Factures reçues » of COMPTA and read « Sollicitations émises »; not « Factures à valider ».
    const may = async (space: string, serviceId: string | undefined, access: "read" | "write") =>
      must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space, access, ...(serviceId === undefined ? {} : { serviceId }) }));
    expect(await may(SPACE.recues, g.compta, "write")).toBe(true);
    expect(await may(SPACE.sollicitationsEmises, undefined, "read")).toBe(true);
    expect(await may(SPACE.sollicitationsEmises, g.compta, "read")).toBe(true);
    expect(await may(SPACE.sollicitationsEmises, g.compta, "write")).toBe(false);
    expect(await may(SPACE.aValider, g.compta, "read")).toBe(false);
    expect(await may(SPACE.recues, g.paie, "read")).toBe(false);
    // The request has left the managers' list.
    expect(must(await app.listPendingSubscriptionRequests(g.alice, {})).items).toEqual([]);
  });

  it("scope « user »: a space not open is refused (SPACE_NOT_OPEN, nothing written); once opened, grants only and the structure untouched", async () => {
    const { h, g, app } = await guide();
    const requestId = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.recues, serviceId: g.compta, access: "read" }]);
    expect(await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId, scope: "user" }), "SPACE_NOT_OPEN")).toEqual({
      code: "SPACE_NOT_OPEN",
      structureId: g.townHall,
      serviceId: g.compta,
      space: SPACE.recues,
    });
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: g.compta }));
    const before = h.snapshot();
    const r = must(await app.validateSubscriptionRequest(g.alice, { requestId, scope: "user" }));
    expect(kinds(r)).toEqual(["Validée"]);
    expect(r.events.map((e) => e.type)).toEqual(["SubscriptionRequestValidated"]);
    expect(r.structureOpenSpaces).toEqual([]);
    expect(r.servicesOpened).toEqual([]);
    expect(r.requester.grants).toEqual([{ structureId: g.townHall, space: SPACE.recues, serviceId: g.compta, access: "read", grantedBy: g.alice, grantedAt: h.now().toISOString(), validUntil: null, endNotice: null }]);
    expect(h.snapshot().structures).toEqual(before.structures);
    expect(h.snapshot().services).toEqual(before.services);
    expectEventsSaved(h, before, r.events);
  });

  it("scope « services »: opens the space on the line's service (on the structure for a line on all services)", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const before = h.snapshot();
    const r = must(await app.validateSubscriptionRequest(g.bruno, { requestId, scope: "services" }));
    const compta = before.services.find((s) => s.value.id === g.compta)!.value;
    expect(r.servicesOpened).toEqual([{ ...compta, openSpaces: [SPACE.aValider, SPACE.recues] }]);
    expect(r.structureOpenSpaces).toEqual([SPACE.sollicitationsEmises]);
    expect(r.history.map((e) => [e.kind, e.details.space, e.details.serviceId])).toEqual([
      ["spaceOpened", SPACE.aValider, g.compta],
      ["spaceOpened", SPACE.recues, g.compta],
      ["spaceOpened", SPACE.sollicitationsEmises, undefined],
      ["subscriptionRequestValidated", undefined, undefined],
    ]);
    expectDisclosesOnly(h, g.townHall, r);
    expectEventsSaved(h, before, r.events);
    expect((await h.store.getService(g.compta))?.value.openSpaces).toEqual([SPACE.aValider, SPACE.recues]);
    // Opened on COMPTA: it serves COMPTA, not PAIE.
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, comment: "Paie", scope: services(g.paie) }));
    expect(await expectRefused(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.farid], items: [{ space: SPACE.recues, serviceId: g.paie, access: "read" }] }).then((x) => (x.ok ? x.value.results[0]!.result : x)), "SPACE_NOT_OPEN")).toMatchObject({ serviceId: g.paie });
  });

  it("lets the manager lower « Modification » to « Consultation »", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const r = must(await app.validateSubscriptionRequest(g.alice, { requestId, items: [{ space: SPACE.recues, serviceId: g.compta, access: "read" }], scope: "structure" }));
    expect(r.request.grantedItems).toEqual([{ space: SPACE.recues, serviceId: g.compta, access: "read" }]);
    expect(r.requester.grants.map((x) => x.access)).toEqual(["read"]);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, serviceId: g.compta, access: "write" }))).toBe(false);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, serviceId: g.compta, access: "read" }))).toBe(true);
  });

  it("shows the requester's grants in this structure only, never those she holds elsewhere", async () => {
    const { h, g, app } = await guide();
    // Chloé is also a member of ACME, with a grant there.
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Ventes", scope: services(g.ventes) }));
    must(await app.openSpace(g.victor, { structureId: g.acme, space: SPACE.emises, serviceId: g.ventes }));
    must(await app.grantSpaces(g.victor, { structureId: g.acme, userIds: [g.chloe], items: [{ space: SPACE.emises, serviceId: g.ventes, access: "write" }] }));
    const requestId = await chloeAsks(h, g);
    const r = must(await app.validateSubscriptionRequest(g.alice, { requestId, scope: "structure" }));
    expect(r.requester.grants.map((x) => x.structureId)).toEqual([g.townHall, g.townHall, g.townHall]);
    expect(r.requester.attachment?.structureId).toBe(g.townHall);
    expectDisclosesOnly(h, g.townHall, r);
    // The store keeps both.
    expect((await userRow(h, g.chloe)).value.grants.map((x) => x.structureId).sort()).toEqual([g.acme, g.townHall, g.townHall, g.townHall].sort());
  });
});

describe("validateSubscriptionRequest — refusals", () => {
  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    await expectUnknownActor(h, () => untyped(app).validateSubscriptionRequest(actor, { requestId, scope: "structure" }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["a missing scope", { requestId: "sub-001" }],
    ["an unknown scope", { requestId: "sub-001", scope: "everyone" }],
    ["a role", { requestId: "sub-001", scope: "user", role: "user" }],
    ["items that are not lines", { requestId: "sub-001", scope: "user", items: ["FACTURES_RECUES"] }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await chloeAsks(h, g);
    await expectInvalid(h, () => untyped(app).validateSubscriptionRequest(g.alice, input));
  });

  it("refuses a space not in the catalogue with VALIDATION before anything is read, whatever the request", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const bad = [{ space: "E_REPORTING", access: "read" }] as const;
    expect((await expectInvalid(h, () => app.validateSubscriptionRequest(g.alice, { requestId, items: bad, scope: "structure" }))).issues).toEqual([
      expect.objectContaining({ path: ["items", 0, "space"], code: "unknown_space" }),
    ]);
    // Not NOT_FOUND for an unknown request, nor for an outsider: VALIDATION first.
    await expectInvalid(h, () => app.validateSubscriptionRequest(g.alice, { requestId: UNKNOWN, items: bad, scope: "structure" }));
    await expectInvalid(h, () => app.validateSubscriptionRequest(g.victor, { requestId, items: bad, scope: "structure" }));
  });

  it("refuses an unknown request with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    await expectNotFound(h, () => app.validateSubscriptionRequest(g.alice, { requestId: UNKNOWN, scope: "user" }), "subscriptionRequest", UNKNOWN);
    await expectUnknownActor(h, () => app.validateSubscriptionRequest(UNKNOWN, { requestId, scope: "user" }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the request, as for an unknown one, pending or decided", async (_label, who) => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    await expectHidden(h, (id) => app.validateSubscriptionRequest(g[who], { requestId: id, scope: "structure" }), "subscriptionRequest", requestId);
    await expectHidden(h, (id) => app.validateSubscriptionRequest(g[who], { requestId: id, scope: "user", items: [] }), "subscriptionRequest", requestId);
    must(await app.refuseSubscriptionRequest(g.alice, { requestId }));
    await expectHidden(h, (id) => app.validateSubscriptionRequest(g[who], { requestId: id, scope: "structure" }), "subscriptionRequest", requestId);
  });

  it("gives the manager of another structure NOT_FOUND for a subscription request of a structure he does not manage", async () => {
    const { h, g, app } = await guide();
    const townHall = await chloeAsks(h, g);
    const bookshop = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "read" }]);
    await expectHidden(h, (id) => app.validateSubscriptionRequest(g.victor, { requestId: id, scope: "structure" }), "subscriptionRequest", townHall);
    await expectHidden(h, (id) => app.validateSubscriptionRequest(g.bruno, { requestId: id, scope: "structure" }), "subscriptionRequest", bookshop);
  });

  it("refuses a line the request did not ask for (ITEM_NOT_REQUESTED) and an empty selection (EMPTY_SELECTION)", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    expect(
      await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId, items: [{ space: SPACE.recues, access: "write" }], scope: "structure" }), "ITEM_NOT_REQUESTED"),
    ).toEqual({ code: "ITEM_NOT_REQUESTED", requestId, space: SPACE.recues, serviceId: null });
    expect(await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId, items: [], scope: "structure" }), "EMPTY_SELECTION")).toEqual({
      code: "EMPTY_SELECTION",
      requestId,
    });
  });

  it("refuses a decided request, naming its status: « Validée », or « Désactivée » for a refused one", async () => {
    const { h, g, app } = await guide();
    const validated = await chloeAsks(h, g);
    must(await app.validateSubscriptionRequest(g.alice, { requestId: validated, scope: "structure" }));
    const e1 = await expectRefused(h, () => app.validateSubscriptionRequest(g.bruno, { requestId: validated, scope: "structure" }), "REQUEST_ALREADY_DECIDED");
    expect(e1).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: validated, status: "validated", request: "subscription" });
    expect(errorMessage(e1)).toContain("« Validée »");
    const refused = await askSpaces(h, g.chloe, g.townHall, [{ space: SPACE.emises, access: "read" }]);
    must(await app.refuseSubscriptionRequest(g.alice, { requestId: refused }));
    const e2 = await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId: refused, scope: "structure" }), "REQUEST_ALREADY_DECIDED");
    expect(e2).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: refused, status: "refused", request: "subscription" });
    expect(errorMessage(e2)).toContain("« Désactivée »");
  });

  it("refuses a manager's own request (SELF_DECISION_FORBIDDEN); another manager may decide it", async () => {
    const { h, g, app } = await guide();
    const own = await askSpaces(h, g.bruno, g.townHall, [{ space: SPACE.emises, access: "write" }]);
    expect(await expectRefused(h, () => app.validateSubscriptionRequest(g.bruno, { requestId: own, scope: "structure" }), "SELF_DECISION_FORBIDDEN")).toEqual({
      code: "SELF_DECISION_FORBIDDEN",
      requestId: own,
      userId: g.bruno,
    });
    must(await app.validateSubscriptionRequest(g.alice, { requestId: own, scope: "structure" }));
  });

  it("refuses for a requester deactivated meanwhile (ACCOUNT_NOT_ACTIVE) or no longer attached (NOT_ATTACHED)", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    await deactivate(h, g.chloe);
    await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId: chloe, scope: "structure" }), "ACCOUNT_NOT_ACTIVE");
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "read" }]);
    must(await app.removeAttachment(g.alice, { structureId: g.bookshop, userId: g.david }));
    expect(await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId: david, scope: "structure" }), "NOT_ATTACHED")).toEqual({
      code: "NOT_ATTACHED",
      structureId: g.bookshop,
      userId: g.david,
    });
  });

  it("refuses a line on a service deactivated meanwhile (SERVICE_INACTIVE); unchecking it, the rest passes", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId, scope: "structure" }), "SERVICE_INACTIVE");
    must(await app.validateSubscriptionRequest(g.alice, { requestId, items: [{ space: SPACE.sollicitationsEmises, access: "read" }], scope: "structure" }));
  });

  it("refuses junk options with VALIDATION", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const e = await expectInvalid(h, () => app.validateSubscriptionRequest(g.alice, { requestId, scope: "structure" }, { idempotencyKey: "a key with spaces" }));
    expect(e.issues[0]?.path[0]).toBe("options");
  });
});

describe("validateSubscriptionRequest — idempotent retries", () => {
  it("gives a retry with the same key the first outcome (same history entries and event ids), the store unchanged", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const input: ValidateSubscriptionRequestInput = { requestId, items: chloeLines(g).slice(1), scope: "structure" };
    const first = must(await app.validateSubscriptionRequest(g.alice, input, { idempotencyKey: "valider-sub-1" }));
    const after = h.snapshot();
    h.tick(5);
    const retry = await app.validateSubscriptionRequest(g.alice, input, { idempotencyKey: "valider-sub-1" });
    expect(retry).toEqual({ ok: true, value: first });
    if (retry.ok) expectDeepFrozen(retry.value);
    expect(h.snapshot()).toEqual(after);
    // The same input in another (equivalent) spelling is the same command.
    const respelled: ValidateSubscriptionRequestInput = { scope: "structure", requestId, items: [{ space: SPACE.recues, serviceId: g.compta, access: "write" }, { space: SPACE.sollicitationsEmises, access: "read" }] };
    expect(await app.validateSubscriptionRequest(g.alice, respelled, { idempotencyKey: "valider-sub-1" })).toEqual({ ok: true, value: first });
    // Without the key, it is decided again: already decided.
    await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, input), "REQUEST_ALREADY_DECIDED");
    // Another input under the same key.
    expect(await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { ...input, scope: "services" }, { idempotencyKey: "valider-sub-1" }), "IDEMPOTENCY_KEY_REUSED")).toEqual({
      code: "IDEMPOTENCY_KEY_REUSED",
      key: "valider-sub-1",
    });
    // Keys are per actor: Bruno's first use of it is his own (and the request is decided).
    await expectRefused(h, () => app.validateSubscriptionRequest(g.bruno, input, { idempotencyKey: "valider-sub-1" }), "REQUEST_ALREADY_DECIDED");
  });
});

describe("refuseSubscriptionRequest", () => {
  it("refuses with the manager's comment, records « Désactivée » and tells the requester", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    h.tick(3);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.refuseSubscriptionRequest(g.bruno, { requestId, comment: "  Voyez avec votre chef de service " }));
    expect(r.request).toMatchObject({ id: requestId, status: "refused", decidedBy: g.bruno, decidedAt: at, managerComment: "Voyez avec votre chef de service" });
    expect(kinds(r)).toEqual(["Désactivée"]);
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: "subscriptionRequestRefused",
        structureId: g.townHall,
        actorId: g.bruno,
        targetUserId: g.chloe,
        requestId,
        details: { items: chloeLines(g), comment: "Voyez avec votre chef de service" },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "SubscriptionRequestRefused", at, requestId, structureId: g.townHall, userId: g.chloe, decidedBy: g.bruno }]);
    expectEventsSaved(h, before, r.events);
    expect(Object.keys(r).sort()).toEqual(["events", "history", "request"]);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(await subscriptionRow(h, requestId)).toEqual({ value: r.request, version: 2 });
    expect(h.snapshot().users).toEqual(before.users);
    expect(h.snapshot().structures).toEqual(before.structures);
  });

  it("the comment is optional", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    const r = must(await app.refuseSubscriptionRequest(g.alice, { requestId }));
    expect(r.request.managerComment).toBe("");
    expect(r.history[0]?.details).toEqual({ items: chloeLines(g) });
  });

  it("refuses junk, a decided request, one's own request; outsiders get NOT_FOUND", async () => {
    const { h, g, app } = await guide();
    const requestId = await chloeAsks(h, g);
    for (const [, input] of [...JUNK_INPUTS, ["a reason", { requestId, reason: "Non" }] as const]) await expectInvalid(h, () => untyped(app).refuseSubscriptionRequest(g.alice, input));
    for (const [, who] of FORBIDDEN_ACTORS)
      await expectHidden(h, (id) => app.refuseSubscriptionRequest(g[who], { requestId: id, comment: "Non" }), "subscriptionRequest", requestId);
    await expectHidden(h, (id) => app.refuseSubscriptionRequest(g.victor, { requestId: id }), "subscriptionRequest", requestId);
    await expectUnknownActor(h, () => app.refuseSubscriptionRequest(UNKNOWN, { requestId }), "unknown");
    must(await app.validateSubscriptionRequest(g.alice, { requestId, scope: "structure" }));
    expect((await expectRefused(h, () => app.refuseSubscriptionRequest(g.bruno, { requestId }), "REQUEST_ALREADY_DECIDED")).status).toBe("validated");
    const own = await askSpaces(h, g.bruno, g.townHall, [{ space: SPACE.emises, access: "read" }]);
    await expectRefused(h, () => app.refuseSubscriptionRequest(g.bruno, { requestId: own }), "SELF_DECISION_FORBIDDEN");
  });
});

describe("validateSubscriptionRequests and refuseSubscriptionRequests (bulk)", () => {
  it("validates each request on its own: one bad request among good ones, one result per request, the good ones committed", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "write" }]);
    const notOpen = await askSpaces(h, g.bruno, g.townHall, [{ space: SPACE.aValider, access: "read" }]);
    const acme = await askSpaces(h, g.victor, g.acme, [{ space: SPACE.emises, access: "read" }]);
    const before = h.snapshot();
    const r = must(
      await app.validateSubscriptionRequests(g.alice, {
        items: [
          { requestId: chloe, scope: "structure", items: chloeLines(g).slice(1), comment: "OK" },
          { requestId: notOpen }, // scope « user » by default: its space is open nowhere
          { requestId: UNKNOWN, scope: "structure" },
          { requestId: acme, scope: "structure" }, // ACME is not Alice's
          { requestId: david, scope: "services" },
        ],
      }),
    );
    expect(r.results.map((x) => x.requestId)).toEqual([chloe, notOpen, UNKNOWN, acme, david]);
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error))).toEqual([
      "ok",
      { code: "SPACE_NOT_OPEN", structureId: g.townHall, serviceId: null, space: SPACE.aValider },
      { code: "NOT_FOUND", entity: "subscriptionRequest", id: UNKNOWN },
      { code: "NOT_FOUND", entity: "subscriptionRequest", id: acme },
      "ok",
    ]);
    const committed = r.results.flatMap((x) => (x.result.ok ? [x.result.value] : []));
    expect(r.events).toEqual(committed.flatMap((x) => x.events));
    expectEventsSaved(h, before, r.events);
    expectAppended(h, before, committed.flatMap((x) => x.history));
    expectBulkFrozen(r);
    expect((await subscriptionRow(h, chloe)).value.status).toBe("validated");
    expect((await subscriptionRow(h, david)).value).toMatchObject({ status: "validated", scope: "services" });
    expect((await structureRow(h, g.bookshop)).value.openSpaces).toEqual([SPACE.emises]); // a line on all services: opened on the structure
    expect(await subscriptionRow(h, notOpen)).toEqual(before.subscriptionRequests.find((x) => x.value.id === notOpen));
    expect(await subscriptionRow(h, acme)).toEqual(before.subscriptionRequests.find((x) => x.value.id === acme));
  });

  it("each result shows its requester as seen from its own structure", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.david, role: "user", validFrom: TODAY, comment: "Ventes", scope: WHOLE }));
    const chloe = await chloeAsks(h, g);
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "write" }]);
    const r = must(await app.validateSubscriptionRequests(g.alice, { items: [{ requestId: chloe, scope: "structure" }, { requestId: david, scope: "structure" }] }));
    const [first, second] = r.results;
    if (!first?.result.ok || !second?.result.ok) throw new Error("expected both validated");
    expect(first.result.value.requester.attachment?.structureId).toBe(g.townHall);
    expect(second.result.value.requester.attachment?.structureId).toBe(g.bookshop);
    expect(JSON.stringify(second.result.value)).not.toContain(g.acme);
    expectDisclosesOnly(h, g.townHall, first.result.value);
    expectDisclosesOnly(h, g.bookshop, second.result.value);
  });

  it("refuses a space unknown in any item with VALIDATION for the whole call, before anything is done", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    const e = await expectInvalid(h, () =>
      app.validateSubscriptionRequests(g.alice, { items: [{ requestId: chloe, scope: "structure" }, { requestId: chloe, items: [{ space: "NOPE", access: "read" }] }] }),
    );
    expect(e.issues).toEqual([expect.objectContaining({ path: ["items", 1, "items", 0, "space"], code: "unknown_space" })]);
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR and junk with VALIDATION", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    await expectUnknownActor(h, () => app.validateSubscriptionRequests(UNKNOWN, { items: [{ requestId: chloe }] }), "unknown");
    await expectInvalid(h, () => app.validateSubscriptionRequests(g.alice, { items: [] }));
    await expectInvalid(h, () => app.refuseSubscriptionRequests(g.alice, { requestIds: [] }));
    await expectInvalid(h, () => untyped(app).refuseSubscriptionRequests(g.alice, { requestIds: [chloe], reason: "Non" })); // `comment`, not `reason`: an untyped body
  });

  it("refuses several with one shared comment, each on its own, « Désactivée » each", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "write" }]);
    const own = await askSpaces(h, g.alice, g.townHall, [{ space: SPACE.emises, access: "write" }]);
    const before = h.snapshot();
    const r = must(await app.refuseSubscriptionRequests(g.alice, { requestIds: [chloe, own, david], comment: "Doublons" }));
    expect(r.results.map((x) => (x.result.ok ? x.result.value.request.managerComment : x.result.error.code))).toEqual(["Doublons", "SELF_DECISION_FORBIDDEN", "Doublons"]);
    const committed = r.results.flatMap((x) => (x.result.ok ? [x.result.value] : []));
    expect(committed.flatMap((x) => kinds(x))).toEqual(["Désactivée", "Désactivée"]);
    expect(r.events).toEqual(committed.flatMap((x) => x.events));
    expectEventsSaved(h, before, r.events);
    expectBulkFrozen(r);
  });

  it("bulk items use the key `${key} #${index}`, which no caller's key can be: a retry of the whole call gives back each first outcome", async () => {
    const { h, g, app } = await guide();
    const chloe = await chloeAsks(h, g);
    const david = await askSpaces(h, g.david, g.bookshop, [{ space: SPACE.emises, access: "write" }]);
    const input: ValidateSubscriptionRequestsInput = { items: [{ requestId: chloe, scope: "structure" }, { requestId: david, scope: "structure" }] };
    const first = must(await app.validateSubscriptionRequests(g.alice, input, { idempotencyKey: "lot-7" }));
    const after = h.snapshot();
    expect(await app.validateSubscriptionRequests(g.alice, input, { idempotencyKey: "lot-7" })).toEqual({ ok: true, value: first });
    expect(h.snapshot()).toEqual(after);
    // A single command's key never is an item's: `lot-7#1` is an act of its own (the
    // request is decided already), and the item's own key holds a space, which no key may.
    expect(first.results[1]!.result.ok).toBe(true);
    await expectRefused(h, () => app.validateSubscriptionRequest(g.alice, { requestId: david, scope: "structure" }, { idempotencyKey: "lot-7#1" }), "REQUEST_ALREADY_DECIDED");
    await expectInvalid(h, () => app.validateSubscriptionRequest(g.alice, { requestId: david, scope: "structure" }, { idempotencyKey: "lot-7 #1" }));
  });
});
