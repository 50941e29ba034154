// addService, renameService, deactivateService through the application layer.
import { describe, expect, it } from "vitest";
import {
  ask,
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
  services,
  UNKNOWN,
  untyped,
} from "./harness.js";

describe("addService", () => {
  it("adds an active service (trimmed), with a numbered history entry and a ServiceAdded event", async () => {
    const { h, g, app } = await guide();
    h.tick(10);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.addService(g.alice, { structureId: g.townHall, code: " ETAT-CIVIL ", label: " État civil " }));
    expect(r.service).toEqual({
      id: r.service.id,
      structureId: g.townHall,
      code: "ETAT-CIVIL",
      label: "État civil",
      active: true,
      openSpaces: [], // no space opened on it yet
      createdAt: at,
    });
    expect(r.history).toEqual([
      expect.objectContaining({
        structureId: g.townHall,
        kind: "serviceAdded",
        at,
        actorId: g.alice,
        targetUserId: null,
        details: { serviceId: r.service.id, label: "État civil" },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "ServiceAdded", at, structureId: g.townHall, serviceId: r.service.id }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(Object.keys(r).sort()).toEqual(["events", "history", "service"]);
    expect(await h.store.getService(r.service.id)).toEqual({ value: r.service, version: 1 });
  });

  it("normalises the code: NFKC, trimmed, upper case", async () => {
    const { g, app } = await guide();
    expect(must(await app.addService(g.alice, { structureId: g.townHall, code: " urba ", label: "Urbanisme" })).service.code).toBe("URBA");
    expect(must(await app.addService(g.alice, { structureId: g.townHall, code: "\uFF21\uFF11", label: "A1" })).service.code).toBe("A1");
  });

  it("refuses a code that is not one once normalised with VALIDATION", async () => {
    const { h, g, app } = await guide();
    for (const code of ["-X", "X-", "A B", "É", "X".repeat(101)])
      await expectInvalid(h, () => app.addService(g.alice, { structureId: g.townHall, code, label: "X" }));
  });

  it("lets a secondary manager add a service", async () => {
    const { g, app } = await guide();
    must(await app.addService(g.bruno, { structureId: g.townHall, code: "URBA", label: "Urbanisme" }));
  });

  it("refuses a code already used in the structure, whatever its case, with SERVICE_CODE_TAKEN", async () => {
    const { h, g, app } = await guide();
    const error = await expectRefused(
      h,
      () => app.addService(g.alice, { structureId: g.townHall, code: "compta", label: "Autre comptabilité" }),
      "SERVICE_CODE_TAKEN",
    );
    // The code is compared as normalised, and named so.
    expect(error).toEqual({ code: "SERVICE_CODE_TAKEN", structureId: g.townHall, serviceCode: "COMPTA" });
  });

  it("accepts a code another structure uses", async () => {
    const { g, app } = await guide();
    must(await app.addService(g.victor, { structureId: g.acme, code: "Compta", label: "Comptabilité" }));
  });

  it("lets exactly one of two concurrent additions of the same code through", async () => {
    const { h, g, app } = await guide();
    const results = await Promise.all([
      app.addService(g.alice, { structureId: g.townHall, code: "URBA", label: "Urbanisme" }),
      app.addService(g.bruno, { structureId: g.townHall, code: "urba", label: "Urbanisme bis" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(["SERVICE_CODE_TAKEN"]);
    expect(h.snapshot().services.filter((s) => s.value.code.toLowerCase() === "urba")).toHaveLength(1);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).addService(actor, { structureId: g.townHall, code: "X", label: "X" }), "malformed");
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).addService(g.alice, input));
  });

  it("refuses extra keys and blank codes with VALIDATION", async () => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).addService(g.alice, { structureId: g.townHall, code: "X", label: "X", active: false })); // not a field of the type: an untyped body
    await expectInvalid(h, () => app.addService(g.alice, { structureId: g.townHall, code: "  ", label: "X" }));
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR, and an unknown structure with FORBIDDEN (nobody manages it)", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.addService(g.alice, { structureId: UNKNOWN, code: "X", label: "X" }), g.alice, "notAManager", UNKNOWN as never);
    await expectForbidden(h, () => app.addService(g.chloe, { structureId: UNKNOWN, code: "X", label: "X" }), g.chloe, "notAManager", UNKNOWN as never);
    await expectUnknownActor(h, () => app.addService(UNKNOWN, { structureId: g.townHall, code: "X", label: "X" }), "unknown");
  });

  it("refuses Alice a service in a structure she does not manage with FORBIDDEN naming it", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.addService(g.alice, { structureId: g.acme, code: "X", label: "X" }), g.alice, "notAManager", g.acme);
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    const actor = g[who];
    await expectForbidden(h, () => app.addService(actor, { structureId: g.townHall, code: "X", label: "X" }), actor, reason, g.townHall);
  });
});

describe("renameService", () => {
  it("renames a service, keeping its code, with history and a ServiceRenamed event", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const r = must(await app.renameService(g.bruno, { serviceId: g.compta, label: " Comptabilité générale " }));
    expect(r.service).toMatchObject({ id: g.compta, code: "COMPTA", label: "Comptabilité générale", active: true });
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "serviceRenamed", actorId: g.bruno, details: { serviceId: g.compta, label: "Comptabilité générale" } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "ServiceRenamed", at: h.now().toISOString(), structureId: g.townHall, serviceId: g.compta }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(await h.store.getService(g.compta)).toEqual({ value: r.service, version: 2 });
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).renameService(actor, { serviceId: g.compta, label: "X" }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { serviceId: "svc-002", label: "X", code: "Y" }],
    ["a blank label", { serviceId: "svc-002", label: "" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).renameService(g.alice, input));
  });

  it("refuses an unknown service with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.renameService(g.alice, { serviceId: UNKNOWN, label: "X" }), "service", UNKNOWN);
    await expectUnknownActor(h, () => app.renameService(UNKNOWN, { serviceId: g.compta, label: "X" }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the service, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const actor = g[who];
    await expectHidden(h, (id) => app.renameService(actor, { serviceId: id, label: "X" }), "service", g.compta);
  });

  it("gives Alice NOT_FOUND for the service of a structure she does not manage, as for an unknown one", async () => {
    const { h, g, app } = await guide();
    await expectHidden(h, (id) => app.renameService(g.alice, { serviceId: id, label: "X" }), "service", g.ventes);
  });
});

describe("deactivateService", () => {
  it("deactivates a service without touching any member, with history and an event", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const r = must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    expect(r.service).toMatchObject({ id: g.compta, active: false });
    expect(r.history).toEqual([expect.objectContaining({ kind: "serviceDeactivated", details: { serviceId: g.compta, label: "Comptabilité" } })]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "ServiceDeactivated", at: h.now().toISOString(), structureId: g.townHall, serviceId: g.compta }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    // Chloé's record (attached to COMPTA) is untouched.
    expect(h.snapshot().users).toEqual(before.users);
  });

  it("then refuses a second deactivation (SERVICE_INACTIVE) and asking for that service", async () => {
    const { h, g, app } = await guide();
    must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    await expectRefused(h, () => app.deactivateService(g.alice, { serviceId: g.compta }), "SERVICE_INACTIVE");
    await expectRefused(
      h,
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.compta) }),
      "SERVICE_INACTIVE",
    );
  });

  it("leaves the consultation view without the inactive service", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.paie));
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    const view = must(await app.consultAttachmentRequest(g.alice, { requestId }));
    expect(view.services.map((s) => s.code)).toEqual(["ACHATS", "COMPTA", "PAIE"]);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).deactivateService(actor, { serviceId: g.compta }), "malformed");
  });

  it.each([...JUNK_INPUTS, ["an extra key", { serviceId: "svc-002", active: false }]])(
    "refuses the junk input %s with VALIDATION",
    async (_label, input) => {
      const { h, g, app } = await guide();
      await expectInvalid(h, () => untyped(app).deactivateService(g.alice, input));
    },
  );

  it("refuses an unknown service with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.deactivateService(g.alice, { serviceId: UNKNOWN }), "service", UNKNOWN);
    await expectUnknownActor(h, () => app.deactivateService(UNKNOWN, { serviceId: g.compta }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the service, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const actor = g[who];
    await expectHidden(h, (id) => app.deactivateService(actor, { serviceId: id }), "service", g.compta);
    // Already inactive or not, nothing of the service shows through.
    must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    await expectHidden(h, (id) => app.deactivateService(actor, { serviceId: id }), "service", g.compta);
  });

  it("gives the manager of another structure NOT_FOUND for a service he does not manage", async () => {
    const { h, g, app } = await guide();
    await expectHidden(h, (id) => app.deactivateService(g.victor, { serviceId: id }), "service", g.rh);
    await expectHidden(h, (id) => app.deactivateService(g.alice, { serviceId: id }), "service", g.ventes);
  });
});
