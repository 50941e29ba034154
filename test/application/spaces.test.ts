// Guide §2, the spaces themselves, through the application layer: the catalogue, spaces
// opened and closed, direct grants and revocation, a member's grants, the access query,
// and what removing an attachment or deactivating a service does to grants.
import { describe, expect, it } from "vitest";
import { CHORUS_PRO_SPACES, historyKindLabel, spaceCatalogue, spaceCode, type GrantSpacesInput, type MayAccessInput, type SpaceCatalogue } from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import { createHabilitations } from "../../src/index.js";
import {
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
  serviceRow,
  services,
  SPACE,
  structureRow,
  TODAY,
  TOMORROW,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";

const kinds = (r: { readonly history: readonly { readonly kind: keyof typeof historyKindLabel }[] }) => r.history.map((e) => historyKindLabel[e.kind]);

/** « Factures reçues » opened on the town hall, « Factures émises » on COMPTA; Chloé (COMPTA) given both. */
async function chloeWithGrants(h: Harness, g: Guide) {
  must(await h.app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
  must(await h.app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
  const r = must(
    await h.app.grantSpaces(g.alice, {
      structureId: g.townHall,
      userIds: [g.chloe],
      items: [
        { space: SPACE.recues, access: "read" },
        { space: SPACE.emises, serviceId: g.compta, access: "write" },
      ],
    }),
  );
  expect(r.results[0]?.result.ok).toBe(true);
}

describe("listSpaces — the catalogue", () => {
  it("lists Chorus Pro's five spaces with their French labels and API codes, frozen", async () => {
    const { app } = await guide();
    expect(app.listSpaces()).toEqual([
      { code: "FACTURES_EMISES", label: "Factures émises", apiCode: "FACTURES_EMISES" },
      { code: "FACTURES_RECUES", label: "Factures reçues", apiCode: "FACTURES_RECUES" },
      { code: "FACTURES_A_VALIDER", label: "Factures à valider", apiCode: "FACTURES_A_VALIDER" },
      { code: "SOLLICITATIONS_EMISES", label: "Sollicitations émises", apiCode: "SOLLICITATIONS_EMISES" },
      { code: "SOLLICITATIONS_RECUES", label: "Sollicitations reçues", apiCode: "SOLLICITATIONS_RECUES" },
    ]);
    expectDeepFrozen(app.listSpaces());
  });
});

describe("a host's own catalogue: createHabilitations({ spaces })", () => {
  const mine = (): SpaceCatalogue => {
    const r = spaceCatalogue([
      { code: spaceCode("E_REPORTING"), label: "E-reporting", apiCode: "EREPORTING" },
      { code: spaceCode("FACTURES_EMISES"), label: "Factures émises", apiCode: "FACTURES_EMISES" },
    ]);
    if (!r.ok) throw new Error("bad catalogue");
    return r.value;
  };

  it("is honoured by every act, and Chorus Pro's other codes are then unknown (VALIDATION, nothing written)", async () => {
    const { h, g } = await guide();
    const app = h.appOver(h.store, { spaces: mine() });
    expect(app.listSpaces().map((s) => s.code)).toEqual(["E_REPORTING", "FACTURES_EMISES"]);
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: "E_REPORTING" }));
    const sub = must(await app.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ space: "E_REPORTING", access: "write" }] })).request.id;
    const consulted = must(await app.consultSubscriptionRequest(g.alice, { requestId: sub }));
    expect(consulted.items.map((i) => [i.space, i.spaceLabel, i.open])).toEqual([["E_REPORTING", "E-reporting", true]]);
    must(await app.validateSubscriptionRequest(g.alice, { requestId: sub, scope: "user" }));
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: "E_REPORTING", access: "write" }))).toBe(true);
    const list = must(await app.listPendingSubscriptionRequests(g.alice, {}));
    expect(list.items).toEqual([]);

    const recues = [{ space: SPACE.recues, access: "read" }] as const;
    const unknown = [expect.objectContaining({ code: "unknown_space" })];
    expect((await expectInvalid(h, () => app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }))).issues).toEqual(unknown);
    expect((await expectInvalid(h, () => app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }))).issues).toEqual(unknown);
    expect((await expectInvalid(h, () => app.requestSubscription(g.chloe, { structureId: g.townHall, items: recues }))).issues).toEqual(unknown);
    expect((await expectInvalid(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: recues }))).issues).toEqual(unknown);
    expect((await expectInvalid(h, () => app.validateSubscriptionRequest(g.alice, { requestId: sub, items: recues, scope: "user" }))).issues).toEqual(unknown);
    expect((await expectInvalid(h, () => app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" }))).issues).toEqual(unknown);
    // The default app over the same store knows Chorus Pro's, and not E_REPORTING.
    await expectInvalid(h, () => h.app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: "E_REPORTING", access: "read" }));
  });

  it("a catalogue that is not one is refused at construction with a RangeError", () => {
    const store = createMemoryStore();
    const broken = { spaces: [{ code: "bad code", label: "X", apiCode: "X" }], get: () => undefined, fromApiCode: () => undefined } as unknown as SpaceCatalogue;
    expect(() => createHabilitations({ store, spaces: broken })).toThrow(RangeError);
    const empty = { ...CHORUS_PRO_SPACES, spaces: [] } as SpaceCatalogue;
    expect(() => createHabilitations({ store, spaces: empty })).toThrow(RangeError);
    // A hand-made object whose lookups lie is rebuilt from its list.
    const lying = { spaces: mine().spaces, get: () => CHORUS_PRO_SPACES.spaces[0], fromApiCode: () => undefined } as unknown as SpaceCatalogue;
    expect(createHabilitations({ store, spaces: lying }).listSpaces().map((s) => s.code)).toEqual(["E_REPORTING", "FACTURES_EMISES"]);
  });
});

describe("openSpace and closeSpace", () => {
  it("opens a space on the whole structure: one record written, « Espace ouvert », SpaceOpened", async () => {
    const { h, g, app } = await guide();
    h.tick(4);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const townHall = await structureRow(h, g.townHall);
    const r = must(await app.openSpace(g.bruno, { structureId: g.townHall, space: SPACE.recues }));
    expect(r.structure).toEqual({ ...townHall.value, openSpaces: [SPACE.recues] });
    expect(r.service).toBeNull();
    expect(kinds(r)).toEqual(["Espace ouvert"]);
    expect(r.history).toEqual([expect.objectContaining({ structureId: g.townHall, kind: "spaceOpened", actorId: g.bruno, targetUserId: null, requestId: null, details: { space: SPACE.recues } })]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "SpaceOpened", at, structureId: g.townHall, serviceId: null, space: SPACE.recues, by: g.bruno }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(await structureRow(h, g.townHall)).toEqual({ value: r.structure, version: townHall.version + 1 });
    // Nothing else changed: no member record, no service.
    expect(h.snapshot().users).toEqual(before.users);
    expect(h.snapshot().services).toEqual(before.services);
  });

  it("opens a space on one service: the service alone is written", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const compta = await serviceRow(h, g.compta);
    const r = must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
    expect(r.structure).toBeNull();
    expect(r.service).toEqual({ ...compta.value, openSpaces: [SPACE.emises] });
    expect(r.history[0]?.details).toEqual({ space: SPACE.emises, serviceId: g.compta });
    expect(await serviceRow(h, g.compta)).toEqual({ value: r.service, version: compta.version + 1 });
    expect(h.snapshot().structures).toEqual(before.structures);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
  });

  it("closes a space: « Espace fermé »; the grants pointing there are kept and stop giving access until it is reopened", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const may = async () => must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" }));
    expect(await may()).toBe(true);
    const before = h.snapshot();
    const r = must(await app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    expect(kinds(r)).toEqual(["Espace fermé"]);
    expect(r.events).toEqual([expect.objectContaining({ type: "SpaceClosed", structureId: g.townHall, serviceId: null, space: SPACE.recues, by: g.alice })]);
    expectEventsSaved(h, before, r.events);
    expect(r.structure?.openSpaces).toEqual([]);
    expect(await may()).toBe(false);
    expect((await userRow(h, g.chloe)).value.grants).toHaveLength(2);
    expect(must(await app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe })).grants.map((x) => [x.space, x.usable])).toEqual([
      [SPACE.emises, true],
      [SPACE.recues, false],
    ]);
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    expect(await may()).toBe(true);
  });

  it("refuses to open twice (SPACE_ALREADY_OPEN) and to close what is not open (SPACE_NOT_OPEN), writing nothing", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    expect(await expectRefused(h, () => app.openSpace(g.bruno, { structureId: g.townHall, space: SPACE.recues }), "SPACE_ALREADY_OPEN")).toEqual({
      code: "SPACE_ALREADY_OPEN",
      structureId: g.townHall,
      serviceId: null,
      space: SPACE.recues,
    });
    expect(await expectRefused(h, () => app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.emises }), "SPACE_NOT_OPEN")).toEqual({
      code: "SPACE_NOT_OPEN",
      structureId: g.townHall,
      serviceId: null,
      space: SPACE.emises,
    });
    // Open on the structure is not open on COMPTA: closing it there is refused.
    expect((await expectRefused(h, () => app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: g.compta }), "SPACE_NOT_OPEN")).serviceId).toBe(g.compta);
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN: the act names the structure", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises }));
    await expectForbidden(h, () => app.openSpace(g[who], { structureId: g.townHall, space: SPACE.recues }), g[who], reason, g.townHall);
    await expectForbidden(h, () => app.closeSpace(g[who], { structureId: g.townHall, space: SPACE.emises }), g[who], reason, g.townHall);
    // An unknown structure named by a non-manager: FORBIDDEN too, not NOT_FOUND.
    expect((await expectRefused(h, () => app.openSpace(g[who], { structureId: UNKNOWN, space: SPACE.recues }), "FORBIDDEN")).actorId).toBe(g[who]);
  });

  it("refuses a service of another structure, or an unknown one, with NOT_FOUND service", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: g.ventes }), "service", g.ventes);
    await expectNotFound(h, () => app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: UNKNOWN }), "service", UNKNOWN);
    await expectNotFound(h, () => app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.recues, serviceId: g.ventes }), "service", g.ventes);
  });

  it("refuses a space not in the catalogue with VALIDATION, before anything, even for an outsider or an unknown structure", async () => {
    const { h, g, app } = await guide();
    for (const actor of [g.alice, g.victor, UNKNOWN])
      for (const run of [app.openSpace, app.closeSpace])
        expect((await expectInvalid(h, () => run(actor, { structureId: g.townHall, space: "E_REPORTING" }))).issues).toEqual([
          expect.objectContaining({ path: ["space"], code: "unknown_space" }),
        ]);
    await expectInvalid(h, () => app.openSpace(g.alice, { structureId: UNKNOWN, space: "NOPE" }));
  });

  it.each([
    ...JUNK_INPUTS,
    ["a malformed space", { structureId: "str-002", space: "factures" }],
    ["an extra key", { structureId: "str-002", space: "FACTURES_RECUES", access: "read" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).openSpace(g.alice, input));
    await expectInvalid(h, () => untyped(app).closeSpace(g.alice, input));
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).openSpace(actor, { structureId: g.townHall, space: SPACE.recues }), "malformed");
  });

  it("refuses an unknown structure named by a manager with FORBIDDEN notAManager, and an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.openSpace(g.alice, { structureId: UNKNOWN, space: SPACE.recues }), g.alice, "notAManager");
    await expectUnknownActor(h, () => app.openSpace(UNKNOWN, { structureId: g.townHall, space: SPACE.recues }), "unknown");
  });

  it("gives a retry with the same idempotency key the first outcome", async () => {
    const { h, g, app } = await guide();
    const input = { structureId: g.townHall, space: SPACE.recues };
    const first = must(await app.openSpace(g.alice, input, { idempotencyKey: "ouvrir-recues" }));
    const after = h.snapshot();
    expect(await app.openSpace(g.alice, input, { idempotencyKey: "ouvrir-recues" })).toEqual({ ok: true, value: first });
    expect(h.snapshot()).toEqual(after);
    await expectRefused(h, () => app.openSpace(g.alice, input), "SPACE_ALREADY_OPEN");
  });
});

describe("grantSpaces — direct grants (beyond the guide)", () => {
  it("gives each user named their grants, one result per user, each its own unit; a user not attached is refused alone (NOT_FOUND, as an unknown id)", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    h.tick(2);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const items = [{ space: SPACE.recues, access: "write" }] as const;
    const r = must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe, g.elodie, g.bruno], items, comment: "Renfort" }));
    expect(r.results.map((x) => x.userId)).toEqual([g.chloe, g.elodie, g.bruno]);
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error))).toEqual(["ok", { code: "NOT_FOUND", entity: "user", id: g.elodie }, "ok"]);
    const first = r.results[0]!.result;
    if (!first.ok) throw new Error("expected Chloé granted");
    const grant = { structureId: g.townHall, space: SPACE.recues, serviceId: null, access: "write", grantedBy: g.alice, grantedAt: at, validUntil: null, endNotice: null };
    expect(first.value.member).toEqual({
      id: g.chloe,
      login: "chloe.durand@mairie-lyon.fr",
      lastName: "Durand",
      firstName: "Chloé",
      status: "active",
      role: "user",
      attachment: expect.objectContaining({ structureId: g.townHall, scope: services(g.compta) }),
      grants: [grant],
    });
    expect(kinds(first.value)).toEqual(["Habilitation accordée par le gestionnaire"]);
    expect(first.value.history[0]).toMatchObject({ actorId: g.alice, targetUserId: g.chloe, details: { items: [{ space: SPACE.recues, serviceId: null, access: "write" }], comment: "Renfort" } });
    expect(first.value.events).toEqual([
      { id: expect.any(String), type: "SpacesGranted", at, structureId: g.townHall, userId: g.chloe, grantedBy: g.alice, items: [{ space: SPACE.recues, serviceId: null, access: "write" }] },
    ]);
    const committed = r.results.flatMap((x) => (x.result.ok ? [x.result.value] : []));
    expect(r.events).toEqual(committed.flatMap((x) => x.events));
    expectEventsSaved(h, before, r.events);
    expectAppended(h, before, committed.flatMap((x) => x.history));
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect((await userRow(h, g.chloe)).value.grants).toEqual([grant]);
    expect((await userRow(h, g.elodie)).value.grants).toEqual([]);
    expect(must(await app.mayAccess({ userId: g.bruno, structureId: g.townHall, space: SPACE.recues, serviceId: g.rh, access: "write" }))).toBe(true);
  });

  it("never shows a member's grants in other structures", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Ventes", scope: WHOLE }));
    must(await app.openSpace(g.victor, { structureId: g.acme, space: SPACE.recues }));
    must(await app.grantSpaces(g.victor, { structureId: g.acme, userIds: [g.chloe], items: [{ space: SPACE.recues, access: "read" }] }));
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    const r = must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: SPACE.recues, access: "read" }] }));
    const only = r.results[0]!.result;
    if (!only.ok) throw new Error("expected Chloé granted");
    expect(only.value.member.grants.map((x) => x.structureId)).toEqual([g.townHall]);
    expectDisclosesOnly(h, g.townHall, r);
  });

  it("no manager grants themself spaces: SELF_DECISION_FORBIDDEN naming no request, per user, and nothing written", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    const items = [{ space: SPACE.recues, access: "write" }] as const;
    for (const manager of [g.alice, g.bruno]) {
      const before = h.snapshot();
      const r = must(await app.grantSpaces(manager, { structureId: g.townHall, userIds: [manager], items }));
      expect(r.results[0]!.result).toEqual({ ok: false, error: { code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: manager } });
      expect(r.events).toEqual([]);
      expect(h.snapshot()).toEqual(before);
    }
    // Another manager may grant them.
    must(must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.bruno], items })).results[0]!.result);
  });

  it("refuses, per user, a space not open where it points, a deactivated account, a service outside the scope or inactive", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
    const run = async (userId: string, items: GrantSpacesInput["items"]) => {
      const before = h.snapshot();
      const r = must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [userId], items }));
      expect(h.snapshot()).toEqual(before);
      expect(r.events).toEqual([]);
      const only = r.results[0]!.result;
      if (only.ok) throw new Error("expected a refusal");
      return only.error;
    };
    expect(await run(g.chloe, [{ space: SPACE.emises, access: "read" }])).toEqual({ code: "SPACE_NOT_OPEN", structureId: g.townHall, serviceId: null, space: SPACE.emises });
    expect(await run(g.chloe, [{ space: SPACE.recues, serviceId: g.compta, access: "read" }])).toEqual({ code: "SPACE_NOT_OPEN", structureId: g.townHall, serviceId: g.compta, space: SPACE.recues });
    expect(await run(g.chloe, [{ space: SPACE.emises, serviceId: g.paie, access: "read" }])).toEqual({ code: "NOT_ATTACHED", structureId: g.townHall, userId: g.chloe, serviceId: g.paie });
    expect(await run(g.chloe, [{ space: SPACE.emises, serviceId: g.ventes, access: "read" }])).toEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes });
    expect(await run(UNKNOWN, [{ space: SPACE.emises, serviceId: g.compta, access: "read" }])).toEqual({ code: "NOT_FOUND", entity: "user", id: UNKNOWN });
    await deactivate(h, g.bruno);
    expect(await run(g.bruno, [{ space: SPACE.emises, serviceId: g.compta, access: "read" }])).toEqual({ code: "ACCOUNT_NOT_ACTIVE", userId: g.bruno, status: "deactivated" });
    must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    expect(await run(g.chloe, [{ space: SPACE.emises, serviceId: g.compta, access: "read" }])).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.compta });
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN for each user named, before anything about them", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    const before = h.snapshot();
    const r = must(await app.grantSpaces(g[who], { structureId: g.townHall, userIds: [g.chloe, UNKNOWN], items: [{ space: SPACE.recues, access: "read" }] }));
    expect(r.results.map((x) => x.result)).toEqual(
      [g.chloe, UNKNOWN].map(() => ({ ok: false, error: { code: "FORBIDDEN", actorId: g[who], structureId: g.townHall, reason } })),
    );
    expect(r.events).toEqual([]);
    expect(h.snapshot()).toEqual(before);
  });

  it("refuses the whole call: an unknown space (VALIDATION), junk (VALIDATION), the same user twice (VALIDATION), an unknown actor (UNKNOWN_ACTOR)", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    const items = [{ space: SPACE.recues, access: "read" }] as const;
    expect((await expectInvalid(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: "NOPE", access: "read" }] }))).issues).toEqual([
      expect.objectContaining({ path: ["items", 0, "space"], code: "unknown_space" }),
    ]);
    await expectInvalid(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe, g.chloe], items }));
    await expectInvalid(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [], items }));
    await expectInvalid(h, () => app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [] }));
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).grantSpaces(g.alice, input));
    await expectUnknownActor(h, () => app.grantSpaces(UNKNOWN, { structureId: g.townHall, userIds: [g.chloe], items }), "unknown");
  });
});

describe("revokeSpaceGrant", () => {
  it("takes one grant back: « Habilitation retirée », SpaceGrantRevoked, the other grants kept", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    h.tick(1);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.revokeSpaceGrant(g.bruno, { structureId: g.townHall, userId: g.chloe, space: SPACE.emises, serviceId: g.compta }));
    expect(kinds(r)).toEqual(["Habilitation retirée"]);
    expect(r.history[0]).toMatchObject({ actorId: g.bruno, targetUserId: g.chloe, details: { space: SPACE.emises, access: "write", serviceId: g.compta } });
    expect(r.events).toEqual([{ id: expect.any(String), type: "SpaceGrantRevoked", at, structureId: g.townHall, userId: g.chloe, revokedBy: g.bruno, space: SPACE.emises, serviceId: g.compta }]);
    expectEventsSaved(h, before, r.events);
    expectAppended(h, before, r.history);
    expect(r.member.grants.map((x) => [x.space, x.serviceId])).toEqual([[SPACE.recues, null]]);
    expect((await userRow(h, g.chloe)).value.grants).toEqual(r.member.grants);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.emises, serviceId: g.compta, access: "read" }))).toBe(false);
  });

  it("refuses a grant that does not exist (NOT_FOUND spaceGrant): the one for all services is not the one for a service", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    await expectNotFound(h, () => app.revokeSpaceGrant(g.alice, { structureId: g.townHall, userId: g.chloe, space: SPACE.emises }), "spaceGrant", "FACTURES_EMISES/*");
    await expectNotFound(h, () => app.revokeSpaceGrant(g.alice, { structureId: g.townHall, userId: g.chloe, space: SPACE.recues, serviceId: g.compta }), "spaceGrant", `FACTURES_RECUES/${g.compta}`);
    await expectNotFound(h, () => app.revokeSpaceGrant(g.alice, { structureId: g.townHall, userId: UNKNOWN, space: SPACE.recues }), "user", UNKNOWN);
    // A user who is not a member: the answer an unknown id gets.
    await expectNotFound(h, () => app.revokeSpaceGrant(g.alice, { structureId: g.townHall, userId: g.elodie, space: SPACE.recues }), "user", g.elodie);
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN, even for an unknown user", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    await expectForbidden(h, () => app.revokeSpaceGrant(g[who], { structureId: g.townHall, userId: g.chloe, space: SPACE.recues }), g[who], reason, g.townHall);
    await expectForbidden(h, () => app.revokeSpaceGrant(g[who], { structureId: g.townHall, userId: UNKNOWN, space: SPACE.recues }), g[who], reason, g.townHall);
  });

  it("refuses junk with VALIDATION", async () => {
    const { h, g, app } = await guide();
    for (const [, input] of [...JUNK_INPUTS, ["extra", { structureId: g.townHall, userId: g.chloe, space: SPACE.recues, access: "read" }] as const])
      await expectInvalid(h, () => untyped(app).revokeSpaceGrant(g.alice, input));
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).revokeSpaceGrant(actor, { structureId: g.townHall, userId: g.chloe, space: SPACE.recues }), "malformed");
  });

  // Like every act naming a space: a space not in the catalogue is VALIDATION before anything is read.
  it("refuses a space not in the catalogue with VALIDATION unknown_space, before anything is read", async () => {
    const { h, g, app } = await guide();
    for (const actor of [g.alice, g.victor, UNKNOWN])
      expect((await expectInvalid(h, () => app.revokeSpaceGrant(actor, { structureId: g.townHall, userId: g.chloe, space: "E_REPORTING" }))).issues).toEqual([
        expect.objectContaining({ path: ["space"], code: "unknown_space" }),
      ]);
  });
});

describe("listMemberGrants", () => {
  it("lists a member's grants in the structure, each with whether it gives access now", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const before = h.snapshot();
    const r = must(await app.listMemberGrants(g.bruno, { structureId: g.townHall, userId: g.chloe }));
    expect(r.member).toMatchObject({ id: g.chloe, role: "user", attachment: expect.objectContaining({ structureId: g.townHall }) });
    expect(r.grants.map((x) => [x.space, x.serviceId, x.access, x.usable])).toEqual([
      [SPACE.emises, g.compta, "write", true],
      [SPACE.recues, null, "read", true],
    ]);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(h.snapshot()).toEqual(before);
  });

  it("shows none of the member's grants elsewhere", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Ventes", scope: WHOLE }));
    must(await app.openSpace(g.victor, { structureId: g.acme, space: SPACE.recues }));
    must(await app.grantSpaces(g.victor, { structureId: g.acme, userIds: [g.chloe], items: [{ space: SPACE.recues, access: "read" }] }));
    const r = must(await app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe }));
    expect(r.grants).toEqual([]);
    expectDisclosesOnly(h, g.townHall, r);
  });

  it("refuses a user who is not a member and an unknown one alike (NOT_FOUND), outsiders (FORBIDDEN), junk (VALIDATION)", async () => {
    const { h, g, app } = await guide();
    const elodie = await expectNotFound(h, () => app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.elodie }), "user", g.elodie);
    const unknown = await expectNotFound(h, () => app.listMemberGrants(g.alice, { structureId: g.townHall, userId: UNKNOWN }), "user", UNKNOWN);
    expect({ ...elodie, id: UNKNOWN }).toEqual(unknown);
    for (const [, who, reason] of FORBIDDEN_ACTORS) await expectForbidden(h, () => app.listMemberGrants(g[who], { structureId: g.townHall, userId: g.chloe }), g[who], reason, g.townHall);
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).listMemberGrants(g.alice, input));
  });
});

describe("mayAccess through the application (no actor: the host's own question)", () => {
  it("answers true and false from the records", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const before = h.snapshot();
    const may = async (q: Omit<MayAccessInput, "userId" | "structureId">) => must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, ...q }));
    expect(await may({ space: SPACE.recues, access: "read" })).toBe(true);
    expect(await may({ space: SPACE.recues, serviceId: g.compta, access: "read" })).toBe(true);
    expect(await may({ space: SPACE.recues, serviceId: null, access: "read" })).toBe(true);
    expect(await may({ space: SPACE.recues, access: "write" })).toBe(false);
    expect(await may({ space: SPACE.emises, serviceId: g.compta, access: "write" })).toBe(true);
    expect(await may({ space: SPACE.emises, access: "read" })).toBe(false); // a grant on COMPTA only
    expect(await may({ space: SPACE.emises, serviceId: g.paie, access: "read" })).toBe(false); // not her service
    expect(await may({ space: SPACE.aValider, access: "read" })).toBe(false);
    expect(must(await app.mayAccess({ userId: g.bruno, structureId: g.townHall, space: SPACE.recues, access: "read" }))).toBe(false); // no grant
    const r = await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" });
    expectDeepFrozen(r);
    expect(h.snapshot()).toEqual(before);
  });

  it("is false for an unknown user, structure or service, or a service of another structure", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const q: MayAccessInput = { userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" };
    expect(await app.mayAccess({ ...q, userId: UNKNOWN })).toEqual({ ok: true, value: false });
    expect(await app.mayAccess({ ...q, structureId: UNKNOWN })).toEqual({ ok: true, value: false });
    expect(await app.mayAccess({ ...q, serviceId: UNKNOWN })).toEqual({ ok: true, value: false });
    expect(await app.mayAccess({ ...q, serviceId: g.ventes })).toEqual({ ok: true, value: false });
    expect(await app.mayAccess({ ...q, structureId: g.acme })).toEqual({ ok: true, value: false });
  });

  it("for an attachment from tomorrow: false before Paris midnight, true from it (`at`), false now", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.hugo], items: [{ space: SPACE.recues, access: "write" }] }));
    const q: MayAccessInput = { userId: g.hugo, structureId: g.townHall, space: SPACE.recues, access: "write" };
    expect(TOMORROW).toBe("2026-11-28");
    expect(must(await app.mayAccess(q))).toBe(false);
    // Paris is UTC+1 in November: 2026-11-28 starts at 2026-11-27T23:00:00Z.
    expect(must(await app.mayAccess({ ...q, at: "2026-11-27T22:59:59.999Z" }))).toBe(false);
    expect(must(await app.mayAccess({ ...q, at: "2026-11-27T23:00:00Z" }))).toBe(true);
    expect(must(await app.mayAccess({ ...q, at: "2026-11-28T00:00:00+01:00" }))).toBe(true);
    expect(must(await app.mayAccess({ ...q, at: "2026-11-27T23:59:59+01:00" }))).toBe(false);
    // `at: null` is now (what the parser gives back for a query without `at`).
    expect(must(await app.mayAccess({ ...q, at: null }))).toBe(false);
    // Now, later the same day in UTC but after Paris midnight.
    h.setNow("2026-11-27T23:30:00Z");
    expect(must(await app.mayAccess(q))).toBe(true);
    expect(must(await app.mayAccess({ ...q, at: null }))).toBe(true);
  });

  // 9999-12-31T23:30:00Z is 10000-01-01 in Paris: no calendar date, so VALIDATION on `at`,
  // never a `false` built on no date.
  it("an `at` whose Paris date leaves 0000–9999 is no silent false", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const q: MayAccessInput = { userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" };
    expect(must(await app.mayAccess({ ...q, at: "9999-12-31T22:59:59Z" }))).toBe(true); // still 9999 in Paris: answered
    const r = await app.mayAccess({ ...q, at: "9999-12-31T23:30:00Z" });
    expect(r.ok ? r.value : r.error.code).toSatisfy((x: unknown) => x === true || x === "VALIDATION");
  });

  it.each([
    ...JUNK_INPUTS,
    ["a missing access", { userId: "usr-003", structureId: "str-002", space: "FACTURES_RECUES" }],
    ["an unknown access", { userId: "usr-003", structureId: "str-002", space: "FACTURES_RECUES", access: "admin" }],
    ["a malformed space", { userId: "usr-003", structureId: "str-002", space: "factures", access: "read" }],
    ["a space not in the catalogue", { userId: "usr-003", structureId: "str-002", space: "E_REPORTING", access: "read" }],
    ["a date that is no instant", { userId: "usr-003", structureId: "str-002", space: "FACTURES_RECUES", access: "read", at: "2026-11-28" }],
    ["an extra key", { userId: "usr-003", structureId: "str-002", space: "FACTURES_RECUES", access: "read", actorId: "usr-001" }],
    ["an id with a bidi override", { userId: "usr\u202E003", structureId: "str-002", space: "FACTURES_RECUES", access: "read" }],
  ])("refuses the junk query %s with VALIDATION, never false", async (_label, input) => {
    const { h, app } = await guide();
    await expectInvalid(h, () => untyped(app).mayAccess(input));
  });
});

describe("what takes grants away", () => {
  it("removing an attachment removes the member's grants on that structure, and only there", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Ventes", scope: WHOLE }));
    must(await app.openSpace(g.victor, { structureId: g.acme, space: SPACE.recues }));
    must(await app.grantSpaces(g.victor, { structureId: g.acme, userIds: [g.chloe], items: [{ space: SPACE.recues, access: "read" }] }));
    const r = must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe }));
    expect(kinds(r)).toEqual(["Supprimé"]);
    expectDisclosesOnly(h, g.townHall, r);
    expect((await userRow(h, g.chloe)).value.grants.map((x) => x.structureId)).toEqual([g.acme]);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" }))).toBe(false);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.acme, space: SPACE.recues, access: "read" }))).toBe(true);
    await expectNotFound(h, () => app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe }), "user", g.chloe);
    // Attached again, she starts with nothing.
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Retour", scope: services(g.compta) }));
    expect(must(await app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe })).grants).toEqual([]);
  });

  it("deactivating a service keeps its grants but makes them unusable", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    const grantsBefore = (await userRow(h, g.chloe)).value.grants;
    must(await app.deactivateService(g.alice, { serviceId: g.compta }));
    expect((await userRow(h, g.chloe)).value.grants).toEqual(grantsBefore);
    expect(must(await app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe })).grants.map((x) => [x.space, x.serviceId, x.usable])).toEqual([
      [SPACE.emises, g.compta, false],
      [SPACE.recues, null, true],
    ]);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.emises, serviceId: g.compta, access: "read" }))).toBe(false);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, serviceId: g.compta, access: "read" }))).toBe(false);
    // The grant for all services still gives the structure as a whole.
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" }))).toBe(true);
  });

  it("a deactivated account gives nothing, its grants kept", async () => {
    const { h, g, app } = await guide();
    await chloeWithGrants(h, g);
    await deactivate(h, g.chloe);
    expect(must(await app.mayAccess({ userId: g.chloe, structureId: g.townHall, space: SPACE.recues, access: "read" }))).toBe(false);
    expect(must(await app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.chloe })).grants.every((x) => !x.usable)).toBe(true);
  });

  it("outsiders never reach a subscription request of another structure through the grants acts either", async () => {
    const { h, g, app } = await guide();
    const sub = must(await app.requestSubscription(g.david, { structureId: g.bookshop, items: [{ space: SPACE.emises, access: "read" }] })).request.id;
    await expectHidden(h, (id) => app.consultSubscriptionRequest(g.victor, { requestId: id }), "subscriptionRequest", sub);
  });
});
