// consultAttachmentRequest, listPendingAttachmentRequests, readHistory, listMembers.
// Queries are authorized like the acts and never write.
import { describe, expect, it } from "vitest";
import type { HistoryEntry, PendingRequestSummary } from "../../src/index.js";
import {
  ask,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectForbidden,
  expectHidden,
  expectInvalid,
  expectNotFound,
  expectUnknownActor,
  FORBIDDEN_ACTORS,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  services,
  START,
  TODAY,
  TOMORROW,
  UNKNOWN,
  untyped,
  WHOLE,
  type Harness,
} from "./harness.js";
import type { Habilitations } from "../../src/index.js";

/** Every page of a paginated query, following `nextCursor` (bounded, so a loop fails loudly). */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ ok: true; value: { items: readonly T[]; nextCursor: string | null } } | { ok: false; error: unknown }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 100; n++) {
    const r = await page(cursor);
    if (!r.ok) throw new Error(`page refused: ${JSON.stringify(r.error)}`);
    pages.push([...r.value.items]);
    if (r.value.nextCursor === null) return pages;
    cursor = r.value.nextCursor;
  }
  throw new Error("more than 100 pages");
}

describe("consultAttachmentRequest", () => {
  it("shows structure, user, comment and every active service with its status and default check", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.chloe, g.townHall, services(g.achats, g.paie), { comment: "Je reprends les achats." });
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    const before = h.snapshot();
    const view = must(await app.consultAttachmentRequest(g.bruno, { requestId }));
    expect(h.snapshot()).toEqual(before);
    expect(view.request.id).toBe(requestId);
    expect(view.structure).toEqual({
      id: g.townHall,
      designation: "Mairie de Lyon",
      kind: "public",
      viaPigp: false,
      identifier: { type: "siret", value: "21690123100011" },
    });
    // No contact e-mail: what a manager sees of the person.
    expect(view.user).toEqual({
      id: g.chloe,
      login: "chloe.durand@mairie-lyon.fr",
      lastName: "Durand",
      firstName: "Chloé",
      status: "active",
    });
    expect(view.comment).toBe("Je reprends les achats.");
    expect(view.requestedRole).toBe("user");
    expect(view.current).toEqual({ role: "user", scope: services(g.compta) });
    expect(view.wholeStructureChecked).toBe(false);
    expect(view.services.map((s) => [s.code, s.status, s.statusLabel, s.checked])).toEqual([
      ["ACHATS", "requested", "En cours de validation", true],
      ["COMPTA", "attached", "Validé", true],
      ["PAIE", "requested", "En cours de validation", true],
    ]);
    expectDeepFrozen(view);
    expectDisclosesOnly(h, g.townHall, view);
  });

  it("shows a requester who belongs to other structures only as seen from this one", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.david, role: "secondaryManager", validFrom: TODAY, comment: "Oui", scope: services(g.ventes) }));
    const requestId = await ask(h, g.david, g.townHall, services(g.rh));
    const view = must(await app.consultAttachmentRequest(g.bruno, { requestId }));
    expect(view.current).toBeNull();
    expect(view.user).toEqual({ id: g.david, login: "david.moreau@librairie-dupont.fr", lastName: "Moreau", firstName: "David", status: "active" });
    expectDisclosesOnly(h, g.townHall, view);
    expectDeepFrozen(view);
  });

  it("shows a structure without services with « Rattacher à la structure » checked", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.bookshop);
    const view = must(await app.consultAttachmentRequest(g.alice, { requestId }));
    expect(view.services).toEqual([]);
    expect(view.wholeStructureChecked).toBe(true);
    expect(view.current).toBeNull();
  });

  it("still shows a decided request", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.bookshop);
    must(await app.refuseAttachmentRequest(g.alice, { requestId, reason: "Non" }));
    expect(must(await app.consultAttachmentRequest(g.alice, { requestId })).request.status).toBe("refused");
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectUnknownActor(h, () => untyped(app).consultAttachmentRequest(actor, { requestId }), "malformed");
  });

  it.each([...JUNK_INPUTS, ["an extra key", { requestId: "req-001", full: true }], ["a numeric id", { requestId: 1 }]])(
    "refuses the junk input %s with VALIDATION",
    async (_label, input) => {
      const { h, g, app } = await guide();
      await ask(h, g.farid, g.townHall);
      await expectInvalid(h, () => untyped(app).consultAttachmentRequest(g.alice, input));
    },
  );

  it("refuses an unknown request with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectNotFound(h, () => app.consultAttachmentRequest(g.alice, { requestId: UNKNOWN }), "attachmentRequest", UNKNOWN);
    await expectUnknownActor(h, () => app.consultAttachmentRequest(UNKNOWN, { requestId }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming the request, as for an unknown one", async (_label, who) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectHidden(h, (id) => app.consultAttachmentRequest(g[who], { requestId: id }), "attachmentRequest", requestId);
  });

  it("gives a manager NOT_FOUND for a request of a structure he does not manage, even decided", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.acme);
    await expectHidden(h, (id) => app.consultAttachmentRequest(g.alice, { requestId: id }), "attachmentRequest", requestId);
    must(await app.refuseAttachmentRequest(g.victor, { requestId, reason: "Non" }));
    await expectHidden(h, (id) => app.consultAttachmentRequest(g.alice, { requestId: id }), "attachmentRequest", requestId);
    // The requester may not consult it either: the view is the managers'.
    await expectHidden(h, (id) => app.consultAttachmentRequest(g.farid, { requestId: id }), "attachmentRequest", requestId);
  });
});

describe("listPendingAttachmentRequests", () => {
  /**
   * Pending requests on Alice's two structures (some at the same instant, so the id
   * breaks the tie), one decided, one on ACME (not hers). Returns hers, oldest first.
   */
  async function scenario(h: Harness, g: Awaited<ReturnType<typeof guide>>["g"]) {
    const expected: string[] = [];
    h.tick(1);
    expected.push(await ask(h, g.elodie, g.townHall, services(g.paie, g.achats)));
    expected.push(await ask(h, g.farid, g.bookshop)); // same instant
    h.tick(1);
    expected.push(await ask(h, g.david, g.townHall, services(g.rh)));
    h.tick(1);
    const refused = await ask(h, g.bruno, g.bookshop);
    must(await h.app.refuseAttachmentRequest(g.alice, { requestId: refused, reason: "Non" }));
    expected.push(await ask(h, g.chloe, g.bookshop));
    expected.push(await ask(h, g.victor, g.townHall));
    h.tick(1);
    await ask(h, g.elodie, g.acme);
    h.tick(1);
    expected.push(await ask(h, g.farid, g.townHall, services(g.compta)));
    return expected;
  }

  it("lists every pending request of the structures managed, with what the screen shows", async () => {
    const { h, g, app } = await guide();
    const expected = await scenario(h, g);
    const before = h.snapshot();
    const page = must(await app.listPendingAttachmentRequests(g.alice));
    expect(h.snapshot()).toEqual(before);
    expectDeepFrozen(page);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((p) => p.request.id)).toEqual(expected);
    const elodie = page.items[0] as PendingRequestSummary;
    expect(elodie.structure).toEqual({ id: g.townHall, designation: "Mairie de Lyon" });
    expect(elodie.user).toEqual({ id: g.elodie, lastName: "Lefèvre", firstName: "Élodie", login: "elodie.lefevre@mairie-lyon.fr" });
    expect(elodie.services.map((s) => [s.code, s.label])).toEqual([
      ["ACHATS", "Achats publics"],
      ["PAIE", "Paie"],
    ]);
    expect(page.items[1]?.services).toEqual([]);
    // Bruno manages only the town hall.
    const bruno = must(await app.listPendingAttachmentRequests(g.bruno, {}));
    expect(bruno.items.map((p) => p.request.structureId)).toEqual([g.townHall, g.townHall, g.townHall, g.townHall]);
  });

  it.each([1, 2, 3, 5, 6, 7])("returns every pending request exactly once, oldest first, %i per page", async (limit) => {
    const { h, g, app } = await guide();
    const expected = await scenario(h, g);
    const pages = await allPages((cursor) =>
      app.listPendingAttachmentRequests(g.alice, cursor === undefined ? { limit } : { limit, cursor }),
    );
    expect(pages.flat().map((p) => p.request.id)).toEqual(expected);
    pages.forEach((p) => expect(p.length).toBeLessThanOrEqual(limit));
    expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    const created = pages.flat().map((p) => p.request.createdAt);
    expect([...created].sort()).toEqual(created);
  });

  it("resumes after the cursor even when a request is decided between two pages", async () => {
    const { h, g, app } = await guide();
    const expected = await scenario(h, g);
    const first = must(await app.listPendingAttachmentRequests(g.alice, { limit: 2 }));
    must(await app.validateAttachmentRequest(g.alice, { requestId: expected[0] as never }));
    must(await app.refuseAttachmentRequest(g.alice, { requestId: expected[2] as never, reason: "Non" }));
    const second = must(await app.listPendingAttachmentRequests(g.alice, { limit: 10, cursor: first.nextCursor as string }));
    expect(second.items.map((p) => p.request.id)).toEqual(expected.slice(3));
  });

  it("gives a non-manager an empty list (a simple user, deactivated or not yet in force manager)", async () => {
    const { h, g, app } = await guide();
    await scenario(h, g);
    for (const actor of [g.chloe, g.denis, g.hugo, g.elodie]) {
      expect(must(await app.listPendingAttachmentRequests(actor, {}))).toEqual({ items: [], nextCursor: null });
    }
    // Victor sees only ACME's.
    expect(must(await app.listPendingAttachmentRequests(g.victor)).items.map((p) => p.user.id)).toEqual([g.elodie]);
  });

  it.each([
    ["garbage", "not-a-cursor!"],
    ["an empty string", ""],
    ["a history cursor", "12"],
    ["base64 of the wrong shape", Buffer.from(JSON.stringify({ c: "hier", i: 3 })).toString("base64url")],
    ["base64 with an extra key", Buffer.from(JSON.stringify({ c: START, i: "req-001", x: 1 })).toString("base64url")],
  ])("refuses %s as cursor with VALIDATION", async (_label, cursor) => {
    const { h, g, app } = await guide();
    await scenario(h, g);
    const error = await expectInvalid(h, () => app.listPendingAttachmentRequests(g.alice, { limit: 2, cursor }));
    expect(error.issues[0]?.path).toEqual(["cursor"]);
  });

  it("refuses another actor's cursor, and a cursor of another list, with VALIDATION invalid_cursor", async () => {
    const { h, g, app } = await guide();
    await scenario(h, g);
    const alices = must(await app.listPendingAttachmentRequests(g.alice, { limit: 1 })).nextCursor as string;
    expect(alices).toEqual(expect.any(String));
    const invalidCursor = [{ path: ["cursor"], code: "invalid_cursor", message: expect.any(String) }];
    expect((await expectInvalid(h, () => app.listPendingAttachmentRequests(g.bruno, { limit: 1, cursor: alices }))).issues).toEqual(invalidCursor);
    const history = must(await app.readHistory(g.alice, { structureId: g.townHall, limit: 1 })).nextCursor as string;
    expect((await expectInvalid(h, () => app.listPendingAttachmentRequests(g.alice, { limit: 1, cursor: history }))).issues).toEqual(invalidCursor);
    // Her own cursor still works.
    must(await app.listPendingAttachmentRequests(g.alice, { limit: 1, cursor: alices }));
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).listPendingAttachmentRequests(actor, {}), "malformed");
  });

  it.each([
    ...JUNK_INPUTS.filter(([label]) => label !== "undefined" && label !== "{}"),
    ["a limit of 0", { limit: 0 }],
    ["a limit above the maximum", { limit: 501 }],
    ["a fractional limit", { limit: 1.5 }],
    ["a limit as text that is not decimal digits", { limit: "1e1" }],
    ["an extra key", { limit: 10, structureId: "str-001" }],
    ["a cursor that is not text", { cursor: 3 }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).listPendingAttachmentRequests(g.alice, input));
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, app } = await guide();
    await expectUnknownActor(h, () => app.listPendingAttachmentRequests(UNKNOWN, {}), "unknown");
  });

  // A secondary manager attached to some services may ask for more in the structure he
  // manages; his own request is left out of his list, and must not cut the paging short.
  it("pages through every request when the manager has a pending request of his own there", async () => {
    const { h, g, app } = await guide();
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }));
    h.tick(1);
    await ask(h, g.chloe, g.townHall, services(g.rh)); // her own: not listed to her
    h.tick(1);
    const elodie = await ask(h, g.elodie, g.townHall);
    h.tick(1);
    const farid = await ask(h, g.farid, g.townHall);
    // Unpaged, both are there.
    expect(must(await app.listPendingAttachmentRequests(g.chloe, {})).items.map((p) => p.request.id)).toEqual([elodie, farid]);
    // One per page: the second page is never offered.
    const pages = await allPages((cursor) => app.listPendingAttachmentRequests(g.chloe, cursor === undefined ? { limit: 1 } : { limit: 1, cursor }));
    expect(pages.flat().map((p) => p.request.id)).toEqual([elodie, farid]);
  });
});

describe("readHistory", () => {
  /** A town-hall history spread over time; returns the instants used. */
  async function scenario(h: Harness, app: Habilitations, g: Awaited<ReturnType<typeof guide>>["g"]) {
    h.tick(60);
    const t1 = h.now().toISOString();
    const elodie = await ask(h, g.elodie, g.townHall, services(g.paie));
    must(await app.renameService(g.alice, { serviceId: g.paie, label: "Paie et indemnités" }));
    h.tick(60);
    const t2 = h.now().toISOString();
    must(await app.validateAttachmentRequest(g.bruno, { requestId: elodie }));
    const farid = await ask(h, g.farid, g.townHall);
    must(await app.refuseAttachmentRequest(g.alice, { requestId: farid, reason: "Inconnu" }));
    h.tick(60);
    const t3 = h.now().toISOString();
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.elodie, role: "secondaryManager" }));
    must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe }));
    // Entries of other structures interleave in the global sequence.
    must(await app.addService(g.victor, { structureId: g.acme, code: "RH", label: "RH" }));
    await ask(h, g.farid, g.bookshop);
    return { t1, t2, t3 };
  }

  const ofTownHall = (h: Harness, townHall: string) =>
    h
      .snapshot()
      .history.filter((e) => e.structureId === townHall)
      .reverse();

  it("gives the structure's history newest first, sequence strictly decreasing, and writes nothing", async () => {
    const { h, g, app } = await guide();
    await scenario(h, app, g);
    const before = h.snapshot();
    const page = must(await app.readHistory(g.bruno, { structureId: g.townHall, limit: 500 }));
    expect(h.snapshot()).toEqual(before);
    expectDeepFrozen(page);
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual(ofTownHall(h, g.townHall));
    const seq = page.items.map((e) => e.sequence);
    seq.slice(1).forEach((s, i) => expect(s).toBeLessThan(seq[i]!));
    expect(page.items.slice(0, 2).map((e) => e.kind)).toEqual(["attachmentRemoved", "roleChanged"]);
    expect(page.items.at(-1)?.kind).toBe("structureCreated");
  });

  it.each([1, 2, 3, 7, 50])("returns every entry exactly once across pages of %i", async (limit) => {
    const { h, g, app } = await guide();
    await scenario(h, app, g);
    const pages = await allPages<HistoryEntry>((cursor) =>
      app.readHistory(g.alice, cursor === undefined ? { structureId: g.townHall, limit } : { structureId: g.townHall, limit, cursor }),
    );
    expect(pages.flat()).toEqual(ofTownHall(h, g.townHall));
    expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
  });

  it("filters by period: from inclusive, to exclusive (offsets normalised to UTC)", async () => {
    const { h, g, app } = await guide();
    const { t1, t2, t3 } = await scenario(h, app, g);
    const all = ofTownHall(h, g.townHall);
    const between = must(await app.readHistory(g.alice, { structureId: g.townHall, from: t1, to: t3 }));
    expect(between.items).toEqual(all.filter((e) => e.at >= t1 && e.at < t3));
    expect(between.items.map((e) => e.kind)).toEqual([
      "attachmentRequestRefused",
      "attachmentRequested",
      "attachmentRequestValidated",
      "serviceRenamed",
      "attachmentRequested",
    ]);
    expect(t2).toBe("2026-11-27T10:00:00.000Z");
    const fromT2 = must(await app.readHistory(g.alice, { structureId: g.townHall, from: "2026-11-27T11:00:00+01:00" }));
    expect(fromT2.items).toEqual(all.filter((e) => e.at >= t2));
    expect(must(await app.readHistory(g.alice, { structureId: g.townHall, to: START })).items).toEqual([]);
  });

  it("filters by kinds and by target user, and pages the filtered list", async () => {
    const { h, g, app } = await guide();
    await scenario(h, app, g);
    const all = ofTownHall(h, g.townHall);
    const decisions = must(
      await app.readHistory(g.alice, { structureId: g.townHall, kinds: ["attachmentRequestValidated", "attachmentRequestRefused"] }),
    );
    expect(decisions.items.map((e) => [e.kind, e.targetUserId])).toEqual([
      ["attachmentRequestRefused", g.farid],
      ["attachmentRequestValidated", g.elodie],
    ]);
    const aboutElodie = all.filter((e) => e.targetUserId === g.elodie);
    expect(must(await app.readHistory(g.alice, { structureId: g.townHall, targetUserId: g.elodie })).items).toEqual(aboutElodie);
    expect(aboutElodie.map((e) => e.kind)).toEqual(["roleChanged", "attachmentRequestValidated", "attachmentRequested"]);
    const paged = await allPages<HistoryEntry>((cursor) =>
      app.readHistory(g.alice, {
        structureId: g.townHall,
        targetUserId: g.elodie,
        limit: 1,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    expect(paged.flat()).toEqual(aboutElodie);
  });

  it("keeps each structure's history to itself", async () => {
    const { h, g, app } = await guide();
    await scenario(h, app, g);
    const acme = must(await app.readHistory(g.victor, { structureId: g.acme }));
    expect(acme.items.every((e) => e.structureId === g.acme)).toBe(true);
    expect(acme.items.map((e) => e.kind)).toEqual(["serviceAdded", "serviceAdded", "structureCreated"]);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).readHistory(actor, { structureId: g.townHall }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { structureId: "str-002", order: "asc" }],
    ["a period bound that is not an instant", { structureId: "str-002", from: "hier" }],
    ["a date without time", { structureId: "str-002", to: "2026-11-27" }],
    ["no kinds", { structureId: "str-002", kinds: [] }],
    ["an unknown kind", { structureId: "str-002", kinds: ["accountDeleted"] }],
    ["a limit of 0", { structureId: "str-002", limit: 0 }],
    ["a limit above the maximum", { structureId: "str-002", limit: 501 }],
    ["a bad cursor", { structureId: "str-002", cursor: "abc" }],
    ["a zero cursor", { structureId: "str-002", cursor: "0" }],
    ["a numeric cursor", { structureId: "str-002", cursor: 12 }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).readHistory(g.alice, input));
  });

  it("lets a secondary manager read from his start date on, by the injected clock", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.readHistory(g.hugo, { structureId: g.townHall }), g.hugo, "attachmentNotInForce");
    h.setNow(`${TOMORROW}T00:00:00.000Z`);
    must(await app.readHistory(g.hugo, { structureId: g.townHall }));
    expect(must(await app.listPendingAttachmentRequests(g.hugo)).items).toEqual([]);
  });

  it("judges the start date by the calendar of Paris, not of UTC", async () => {
    const { h, g, app } = await guide();
    // 23:59:59 on the 27th in Paris (UTC+1 in winter): not in force yet.
    h.setNow("2026-11-27T22:59:59.000Z");
    await expectForbidden(h, () => app.readHistory(g.hugo, { structureId: g.townHall }), g.hugo, "attachmentNotInForce", g.townHall);
    // 00:00 on the 28th in Paris, still the 27th in UTC: in force.
    h.setNow("2026-11-27T23:00:00.000Z");
    must(await app.readHistory(g.hugo, { structureId: g.townHall }));
  });

  it("refuses an unknown structure with FORBIDDEN (nobody manages it) and an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.readHistory(g.alice, { structureId: UNKNOWN }), g.alice, "notAManager", UNKNOWN as never);
    await expectForbidden(h, () => app.readHistory(g.denis, { structureId: UNKNOWN }), g.denis, "notAManager", UNKNOWN as never);
    await expectUnknownActor(h, () => app.readHistory(UNKNOWN, { structureId: g.townHall }), "unknown");
  });

  it("refuses a cursor of another structure or of another list with VALIDATION invalid_cursor", async () => {
    const { h, g, app } = await guide();
    await scenario(h, app, g);
    const townHall = must(await app.readHistory(g.alice, { structureId: g.townHall, limit: 1 })).nextCursor as string;
    const invalidCursor = [{ path: ["cursor"], code: "invalid_cursor", message: expect.any(String) }];
    const error = await expectInvalid(h, () => app.readHistory(g.alice, { structureId: g.bookshop, limit: 1, cursor: townHall }));
    expect(error.issues).toEqual(invalidCursor);
    const members = must(await app.listMembers(g.alice, { structureId: g.townHall, limit: 1 })).nextCursor as string;
    expect((await expectInvalid(h, () => app.readHistory(g.alice, { structureId: g.townHall, cursor: members }))).issues).toEqual(invalidCursor);
    must(await app.readHistory(g.alice, { structureId: g.townHall, limit: 1, cursor: townHall }));
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.readHistory(g[who], { structureId: g.townHall }), g[who], reason, g.townHall);
  });
});

describe("listMembers", () => {
  it.each([1, 2, 3, 8, 9, 500])("lists every member exactly once, by id, with derived roles, %i per page", async (limit) => {
    const { h, g, app } = await guide();
    for (const userId of [g.david, g.elodie, g.farid, g.victor])
      must(await app.attachUser(g.bruno, { structureId: g.townHall, userId, role: "user", validFrom: TOMORROW, comment: "Renfort", scope: services(g.rh) }));
    const before = h.snapshot();
    const pages = await allPages((cursor) =>
      app.listMembers(g.alice, cursor === undefined ? { structureId: g.townHall, limit } : { structureId: g.townHall, limit, cursor }),
    );
    expect(h.snapshot()).toEqual(before);
    pages.forEach((p) => expect(p.length).toBeGreaterThan(0));
    const members = pages.flat();
    const ids = [g.alice, g.bruno, g.chloe, g.david, g.elodie, g.farid, g.victor, g.denis, g.hugo].sort();
    expect(members.map((m) => m.userId)).toEqual(ids);
    expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    const by = new Map(members.map((m) => [m.userId, m]));
    expect(by.get(g.alice)).toMatchObject({ role: "primaryManager", scope: WHOLE, status: "active", lastName: "Martin" });
    expect(by.get(g.bruno)).toMatchObject({ role: "secondaryManager", scope: WHOLE });
    expect(by.get(g.chloe)).toMatchObject({ role: "user", scope: services(g.compta) });
    expect(by.get(g.denis)).toMatchObject({ role: "secondaryManager", status: "deactivated" });
    expect(by.get(g.hugo)).toMatchObject({ role: "secondaryManager", validFrom: TOMORROW });
    expect(by.get(g.farid)).toMatchObject({ role: "user", scope: services(g.rh), validFrom: TOMORROW, login: "farid.benali@example.fr" });
  });

  it("lists a structure without services", async () => {
    const { g, app } = await guide();
    const page = must(await app.listMembers(g.alice, { structureId: g.bookshop }));
    expect(page.items.map((m) => [m.userId, m.role])).toEqual(
      [
        [g.alice, "primaryManager"],
        [g.david, "user"],
        [g.denis, "secondaryManager"],
        [g.hugo, "secondaryManager"],
      ].sort(([a], [b]) => (a! < b! ? -1 : 1)),
    );
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).listMembers(actor, { structureId: g.townHall }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { structureId: "str-002", role: "user" }],
    ["a limit of 0", { structureId: "str-002", limit: 0 }],
    ["a limit above the maximum", { structureId: "str-002", limit: 501 }],
    ["an empty cursor", { structureId: "str-002", cursor: "" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).listMembers(g.alice, input));
  });

  it("shows each member as seen from the structure, in a frozen page", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Oui", scope: services(g.ventes) }));
    const page = must(await app.listMembers(g.bruno, { structureId: g.townHall }));
    expectDeepFrozen(page);
    // Alice, Denis and Hugo are also in the bookshop, Chloé in ACME: nothing of it shows.
    expectDisclosesOnly(h, g.townHall, page);
    expect(page.items.find((m) => m.userId === g.chloe)).toEqual({
      userId: g.chloe,
      lastName: "Durand",
      firstName: "Chloé",
      login: "chloe.durand@mairie-lyon.fr",
      status: "active",
      role: "user",
      scope: services(g.compta),
      validFrom: TODAY,
      validUntil: null,
      inForce: true,
    });
  });

  it("refuses a cursor of another structure with VALIDATION invalid_cursor", async () => {
    const { h, g, app } = await guide();
    const townHall = must(await app.listMembers(g.alice, { structureId: g.townHall, limit: 1 })).nextCursor as string;
    const error = await expectInvalid(h, () => app.listMembers(g.alice, { structureId: g.bookshop, limit: 1, cursor: townHall }));
    expect(error.issues).toEqual([{ path: ["cursor"], code: "invalid_cursor", message: expect.any(String) }]);
    const garbage = await expectInvalid(h, () => app.listMembers(g.alice, { structureId: g.townHall, cursor: "usr-001" }));
    expect(garbage.issues[0]?.path).toEqual(["cursor"]);
  });

  it("refuses an unknown structure with FORBIDDEN (nobody manages it) and an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.listMembers(g.alice, { structureId: UNKNOWN }), g.alice, "notAManager", UNKNOWN as never);
    await expectForbidden(h, () => app.listMembers(g.chloe, { structureId: UNKNOWN }), g.chloe, "notAManager", UNKNOWN as never);
    await expectUnknownActor(h, () => app.listMembers(UNKNOWN, { structureId: g.townHall }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.listMembers(g[who], { structureId: g.townHall }), g[who], reason, g.townHall);
  });
});
