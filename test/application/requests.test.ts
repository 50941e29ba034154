// requestAttachment, validateAttachmentRequest, refuseAttachmentRequest through the
// application layer.
import { describe, expect, it } from "vitest";
import {
  ask,
  deactivate,
  expectAppended,
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
  requestRow,
  services,
  TODAY,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
} from "./harness.js";

describe("requestAttachment", () => {
  it("records a pending request (scope normalised), its history entry and an AttachmentRequested event", async () => {
    const { h, g, app } = await guide();
    h.tick(60);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(
      await app.requestAttachment(g.elodie, {
        structureId: g.townHall,
        scope: services(g.paie, g.achats, g.paie),
        comment: "  Je reprends les achats et la paie. ",
      }),
    );
    expect(r.request).toEqual({
      id: r.request.id,
      structureId: g.townHall,
      userId: g.elodie,
      requestedRole: "user",
      scope: services(...[g.achats, g.paie].sort()),
      comment: "Je reprends les achats et la paie.",
      createdAt: at,
      status: "pending",
    });
    expect(r.history).toEqual([
      expect.objectContaining({
        structureId: g.townHall,
        kind: "attachmentRequested",
        actorId: g.elodie,
        targetUserId: g.elodie,
        requestId: r.request.id,
        details: { role: "user", scope: r.request.scope, comment: "Je reprends les achats et la paie." },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      { id: expect.any(String), type: "AttachmentRequested", at, requestId: r.request.id, structureId: g.townHall, userId: g.elodie },
    ]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expect(await h.store.getAttachmentRequest(r.request.id)).toEqual({ value: r.request, version: 1 });
    // The requester's own record does not change.
    expect(await userRow(h, g.elodie)).toEqual(before.users.find((u) => u.value.id === g.elodie));
  });

  it("accepts a request for the whole of a structure without services, as secondary manager", async () => {
    const { g, app } = await guide();
    const r = must(await app.requestAttachment(g.farid, { structureId: g.bookshop, scope: WHOLE, requestedRole: "secondaryManager" }));
    expect(r.request).toMatchObject({ scope: WHOLE, requestedRole: "secondaryManager", comment: "" });
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).requestAttachment(actor, { structureId: g.townHall, scope: WHOLE }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { structureId: "str-002", scope: WHOLE, status: "validated" }],
    ["a missing scope", { structureId: "str-002" }],
    ["an unknown scope kind", { structureId: "str-002", scope: { kind: "everything" } }],
    ["a scope with extra keys", { structureId: "str-002", scope: { kind: "structure", serviceIds: [] } }],
    ["the primary role asked for", { structureId: "str-002", scope: WHOLE, requestedRole: "primaryManager" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).requestAttachment(g.elodie, input));
  });

  it("refuses an unknown structure or service with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.requestAttachment(g.elodie, { structureId: UNKNOWN, scope: WHOLE }), "structure", UNKNOWN);
    await expectNotFound(
      h,
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: { kind: "services", serviceIds: [g.paie, UNKNOWN] } }),
      "service",
      UNKNOWN,
    );
    await expectUnknownActor(h, () => app.requestAttachment(UNKNOWN, { structureId: g.townHall, scope: WHOLE }), "unknown");
  });

  it("refuses a deactivated user with FORBIDDEN accountNotActive", async () => {
    const { h, g, app } = await guide();
    await deactivate(h, g.elodie);
    await expectForbidden(
      h,
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: WHOLE }),
      g.elodie,
      "accountNotActive",
      g.townHall,
    );
  });

  it("refuses a second pending request for the same structure with PENDING_REQUEST_EXISTS", async () => {
    const { h, g, app } = await guide();
    await ask(h, g.elodie, g.townHall, services(g.paie));
    const error = await expectRefused(
      h,
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.rh) }),
      "PENDING_REQUEST_EXISTS",
    );
    expect(error).toEqual({ code: "PENDING_REQUEST_EXISTS", userId: g.elodie, structureId: g.townHall });
    // Another structure is another key.
    await ask(h, g.elodie, g.bookshop);
  });

  it("lets one of two concurrent requests of the same user for the same structure through", async () => {
    const { h, g, app } = await guide();
    const results = await Promise.all([
      app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.paie) }),
      app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.rh) }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    expect(refused?.ok === false && refused.error).toEqual({
      code: "PENDING_REQUEST_EXISTS",
      userId: g.elodie,
      structureId: g.townHall,
    });
    const pending = h.snapshot().attachmentRequests.filter((r) => r.value.userId === g.elodie && r.value.status === "pending");
    expect(pending).toHaveLength(1);
    expect(h.snapshot().history.filter((e) => e.kind === "attachmentRequested")).toHaveLength(1);
  });

  it("refuses the rules' other cases and writes nothing", async () => {
    const { h, g, app } = await guide();
    await expectRefused(h, () => app.requestAttachment(g.alice, { structureId: g.townHall, scope: WHOLE }), "ALREADY_ATTACHED");
    await expectRefused(h, () => app.requestAttachment(g.bruno, { structureId: g.townHall, scope: services(g.rh) }), "ALREADY_ATTACHED");
    await expectRefused(h, () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services() }), "EMPTY_SCOPE");
    // A service of another structure is, from here, a service that does not exist.
    await expectNotFound(
      h,
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.paie, g.ventes) }),
      "service",
      g.ventes,
    );
  });
});

describe("validateAttachmentRequest", () => {
  it("attaches the requester with the role chosen, records « Validée » and tells the requester", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.achats, g.paie), { comment: "Bonjour" });
    h.tick(30);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.validateAttachmentRequest(g.alice, { requestId, role: "secondaryManager" }));
    const scope = services(...[g.achats, g.paie].sort());
    expect(r.request).toMatchObject({ id: requestId, status: "validated", decidedBy: g.alice, decidedAt: at, grantedRole: "secondaryManager", grantedScope: scope });
    const attachment = { structureId: g.townHall, role: "secondaryManager", scope, validFrom: TODAY, attachedBy: g.alice, attachedAt: at, validUntil: null, endNotice: null };
    // The requester as seen from the town hall: no contact e-mail, no other structure.
    expect(r.requester).toEqual({
      id: g.elodie,
      login: "elodie.lefevre@mairie-lyon.fr",
      lastName: "Lefèvre",
      firstName: "Élodie",
      status: "active",
      role: "secondaryManager",
      attachment,
    });
    expect(r.removedServiceIds).toEqual([]);
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: "attachmentRequestValidated",
        structureId: g.townHall,
        actorId: g.alice,
        targetUserId: g.elodie,
        requestId,
        details: { role: "secondaryManager", scope },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      {
        id: expect.any(String),
        type: "AttachmentRequestValidated",
        at,
        requestId,
        structureId: g.townHall,
        userId: g.elodie,
        decidedBy: g.alice,
        role: "secondaryManager",
        scope,
      },
    ]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(await requestRow(h, requestId)).toEqual({ value: r.request, version: 2 });
    const stored = await userRow(h, g.elodie);
    expect(stored.version).toBe(2);
    expect(stored.value.attachments).toEqual([attachment]);
    // She now manages the town hall.
    must(await app.readHistory(g.elodie, { structureId: g.townHall }));
  });

  it("takes the checked services as the scope, and records the services removed in a second entry", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.chloe, g.townHall, services(g.paie));
    const before = h.snapshot();
    const r = must(await app.validateAttachmentRequest(g.bruno, { requestId, scope: services(g.paie) }));
    expect(r.removedServiceIds).toEqual([g.compta]);
    expect(r.history.map((e) => [e.kind, e.details])).toEqual([
      ["attachmentRequestValidated", { role: "user", scope: services(g.paie), previousScope: services(g.compta) }],
      ["servicesRemoved", { removedServiceIds: [g.compta] }],
    ]);
    expect(r.history[1]!.sequence).toBe(r.history[0]!.sequence + 1);
    expectAppended(h, before, r.history);
    expect(r.requester).toMatchObject({ id: g.chloe, role: "user", attachment: { structureId: g.townHall, role: "user", scope: services(g.paie) } });
    expectDeepFrozen(r);
  });

  it("by default keeps the services already attached and adds those asked for", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.chloe, g.townHall, services(g.paie));
    const r = must(await app.validateAttachmentRequest(g.alice, { requestId }));
    expect(r.requester.attachment?.scope).toEqual(services(...[g.compta, g.paie].sort()));
    expect(r.history.map((e) => e.kind)).toEqual(["attachmentRequestValidated"]);
  });

  it("shows the requester only as seen from the structure, whatever else they belong to", async () => {
    const { h, g, app } = await guide();
    // Farid is a member of the bookshop (Alice's) and of ACME (Victor's), then asks the town hall.
    must(await app.attachUser(g.alice, { structureId: g.bookshop, userId: g.farid, role: "secondaryManager", validFrom: TODAY, comment: "Libraire", scope: WHOLE }));
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.farid, role: "user", validFrom: TODAY, comment: "Vendeur", scope: services(g.ventes) }));
    const requestId = await ask(h, g.farid, g.townHall, services(g.rh));
    const before = h.snapshot();
    const r = must(await app.validateAttachmentRequest(g.bruno, { requestId }));
    expect(r.requester).toEqual({
      id: g.farid,
      login: "farid.benali@example.fr",
      lastName: "Benali",
      firstName: "Farid",
      status: "active",
      role: "user",
      attachment: { structureId: g.townHall, role: "user", scope: services(g.rh), validFrom: TODAY, attachedBy: g.bruno, attachedAt: h.now().toISOString(), validUntil: null, endNotice: null },
    });
    expectDisclosesOnly(h, g.townHall, r);
    expectDeepFrozen(r);
    expectEventsSaved(h, before, r.events);
    // The store keeps the three attachments.
    expect((await userRow(h, g.farid)).value.attachments.map((a) => a.structureId).sort()).toEqual([g.bookshop, g.townHall, g.acme].sort());
    // Validated by Alice, who also manages the bookshop: still only the town hall.
    const other = await ask(h, g.victor, g.townHall, services(g.paie));
    const byAlice = must(await app.validateAttachmentRequest(g.alice, { requestId: other }));
    expect(byAlice.requester).toMatchObject({ id: g.victor, role: "user", attachment: { structureId: g.townHall } });
    expectDisclosesOnly(h, g.townHall, byAlice);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall);
    await expectUnknownActor(h, () => untyped(app).validateAttachmentRequest(actor, { requestId }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { requestId: "req-001", reason: "x" }],
    ["an unknown role", { requestId: "req-001", role: "boss" }],
    ["a scope that is not one", { requestId: "req-001", scope: "structure" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await ask(h, g.elodie, g.townHall);
    await expectInvalid(h, () => untyped(app).validateAttachmentRequest(g.alice, input));
  });

  it("refuses an unknown request or checked service with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall);
    await expectNotFound(h, () => app.validateAttachmentRequest(g.alice, { requestId: UNKNOWN }), "attachmentRequest", UNKNOWN);
    await expectUnknownActor(h, () => app.validateAttachmentRequest(UNKNOWN, { requestId }), "unknown");
    await expectNotFound(
      h,
      () => app.validateAttachmentRequest(g.alice, { requestId, scope: { kind: "services", serviceIds: [UNKNOWN] } }),
      "service",
      UNKNOWN,
    );
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the request, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectHidden(h, (id) => app.validateAttachmentRequest(g[who], { requestId: id }), "attachmentRequest", requestId);
    // Decided or pending, with a scope or not: nothing of the request shows through.
    must(await app.refuseAttachmentRequest(g.alice, { requestId, reason: "Non" }));
    await expectHidden(h, (id) => app.validateAttachmentRequest(g[who], { requestId: id, scope: services(g.rh) }), "attachmentRequest", requestId);
  });

  it("gives the manager of a structure NOT_FOUND for a request of a structure he does not manage", async () => {
    const { h, g, app } = await guide();
    const acme = await ask(h, g.farid, g.acme);
    const townHall = await ask(h, g.elodie, g.townHall);
    await expectHidden(h, (id) => app.validateAttachmentRequest(g.alice, { requestId: id }), "attachmentRequest", acme);
    await expectHidden(h, (id) => app.validateAttachmentRequest(g.victor, { requestId: id }), "attachmentRequest", townHall);
    // Bruno manages the town hall only.
    const bookshop = await ask(h, g.farid, g.bookshop);
    await expectHidden(h, (id) => app.validateAttachmentRequest(g.bruno, { requestId: id }), "attachmentRequest", bookshop);
  });

  it("refuses a checked service of another structure with NOT_FOUND, as an unknown one", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.paie));
    await expectNotFound(h, () => app.validateAttachmentRequest(g.alice, { requestId, scope: services(g.paie, g.ventes) }), "service", g.ventes);
  });

  it("refuses a decided request (naming its status), one's own request, and the primary role", async () => {
    const { h, g, app } = await guide();
    const refused = await ask(h, g.elodie, g.townHall);
    must(await app.refuseAttachmentRequest(g.alice, { requestId: refused, reason: "Inconnue" }));
    expect(await expectRefused(h, () => app.validateAttachmentRequest(g.bruno, { requestId: refused }), "REQUEST_ALREADY_DECIDED")).toEqual({
      code: "REQUEST_ALREADY_DECIDED",
      requestId: refused,
      status: "refused",
    });
    const validated = await ask(h, g.farid, g.townHall);
    must(await app.validateAttachmentRequest(g.alice, { requestId: validated }));
    expect((await expectRefused(h, () => app.validateAttachmentRequest(g.alice, { requestId: validated }), "REQUEST_ALREADY_DECIDED")).status).toBe(
      "validated",
    );

    // A secondary manager on some services asks for more: he may not decide it himself.
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }));
    const own = await ask(h, g.chloe, g.townHall, services(g.rh));
    await expectRefused(h, () => app.validateAttachmentRequest(g.chloe, { requestId: own }), "SELF_DECISION_FORBIDDEN");
    // The type refuses the primary role; an untyped body gets the rule's answer.
    await expectRefused(h, () => untyped(app).validateAttachmentRequest(g.alice, { requestId: own, role: "primaryManager" }), "CANNOT_GRANT_PRIMARY");
    await expectRefused(h, () => app.validateAttachmentRequest(g.alice, { requestId: own, scope: services() }), "EMPTY_SCOPE");
  });

  it("refuses to validate for a deactivated requester (ACCOUNT_NOT_ACTIVE)", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall);
    await deactivate(h, g.elodie);
    await expectRefused(h, () => app.validateAttachmentRequest(g.alice, { requestId }), "ACCOUNT_NOT_ACTIVE");
  });
});

describe("refuseAttachmentRequest", () => {
  it("refuses with the reason, records « Refusée » and tells the requester why", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    h.tick(2);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.refuseAttachmentRequest(g.bruno, { requestId, reason: "  Vous n'êtes pas agent de la mairie. " }));
    const reason = "Vous n'êtes pas agent de la mairie.";
    expect(r.request).toMatchObject({ id: requestId, status: "refused", decidedBy: g.bruno, decidedAt: at, reason });
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "attachmentRequestRefused", actorId: g.bruno, targetUserId: g.farid, requestId, details: { reason } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      { id: expect.any(String), type: "AttachmentRequestRefused", at, requestId, structureId: g.townHall, userId: g.farid, decidedBy: g.bruno, reason },
    ]);
    expectEventsSaved(h, before, r.events);
    expect(Object.keys(r).sort()).toEqual(["events", "history", "request"]);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(await requestRow(h, requestId)).toEqual({ value: r.request, version: 2 });
    // No user record changes.
    expect(h.snapshot().users).toEqual(before.users);
    // A new request is now possible.
    await ask(h, g.farid, g.townHall);
  });

  it("refuses a blank reason with REFUSAL_REASON_REQUIRED and a missing one with VALIDATION", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    expect(await expectRefused(h, () => app.refuseAttachmentRequest(g.alice, { requestId, reason: "  \n " }), "REFUSAL_REASON_REQUIRED")).toEqual({
      code: "REFUSAL_REASON_REQUIRED",
      requestId,
    });
    await expectInvalid(h, () => untyped(app).refuseAttachmentRequest(g.alice, { requestId })); // the type requires it: an untyped body
    // Blank is "no visible character": zero-width spaces are no reason.
    await expectRefused(h, () => app.refuseAttachmentRequest(g.alice, { requestId, reason: "\u200B\u200B" }), "REFUSAL_REASON_REQUIRED");
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectUnknownActor(h, () => untyped(app).refuseAttachmentRequest(actor, { requestId, reason: "Non" }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { requestId: "req-001", reason: "Non", role: "user" }],
    ["a reason that is not text", { requestId: "req-001", reason: 0 }],
    ["a reason too long", { requestId: "req-001", reason: "x".repeat(2001) }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => untyped(app).refuseAttachmentRequest(g.alice, input));
  });

  it("refuses an unknown request with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectNotFound(h, () => app.refuseAttachmentRequest(g.alice, { requestId: UNKNOWN, reason: "Non" }), "attachmentRequest", UNKNOWN);
    await expectUnknownActor(h, () => app.refuseAttachmentRequest(UNKNOWN, { requestId, reason: "Non" }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the request, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.bookshop);
    await expectHidden(h, (id) => app.refuseAttachmentRequest(g[who], { requestId: id, reason: "Non" }), "attachmentRequest", requestId);
    // Even with a blank reason, the request is not found before the reason is judged.
    await expectHidden(h, (id) => app.refuseAttachmentRequest(g[who], { requestId: id, reason: " " }), "attachmentRequest", requestId);
  });

  it("gives the manager of another structure NOT_FOUND, even for a decided request", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectHidden(h, (id) => app.refuseAttachmentRequest(g.victor, { requestId: id, reason: "Non" }), "attachmentRequest", requestId);
    must(await app.validateAttachmentRequest(g.alice, { requestId }));
    await expectHidden(h, (id) => app.refuseAttachmentRequest(g.victor, { requestId: id, reason: "Non" }), "attachmentRequest", requestId);
  });

  it("refuses a decided request with REQUEST_ALREADY_DECIDED", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    must(await app.validateAttachmentRequest(g.alice, { requestId }));
    const error = await expectRefused(h, () => app.refuseAttachmentRequest(g.bruno, { requestId, reason: "Trop tard" }), "REQUEST_ALREADY_DECIDED");
    expect(error.status).toBe("validated");
  });
});
