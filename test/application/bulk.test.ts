// validateAttachmentRequests and refuseAttachmentRequests: one result per request, in
// input order; one bad request never blocks or corrupts the others.
import { describe, expect, it } from "vitest";
import {
  ask,
  expectAppended,
  expectBulkFrozen,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectEventsSaved,
  expectInvalid,
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
  WHOLE,
} from "./harness.js";

describe("validateAttachmentRequests", () => {
  it("validates each request on its own, results in input order, events of the successes only", async () => {
    const { h, g, app } = await guide();
    const elodie = await ask(h, g.elodie, g.townHall, services(g.paie));
    const farid = await ask(h, g.farid, g.bookshop);
    const decided = await ask(h, g.chloe, g.townHall, services(g.rh));
    must(await app.refuseAttachmentRequest(g.alice, { requestId: decided, reason: "Non" }));
    // Chloé, promoted, asks for more: her own request is in the batch she decides.
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }));
    const own = await ask(h, g.chloe, g.townHall, services(g.achats));
    const before = h.snapshot();

    const r = must(
      await app.validateAttachmentRequests(g.chloe, {
        items: [
          { requestId: elodie, role: "secondaryManager" },
          { requestId: decided },
          { requestId: UNKNOWN },
          { requestId: own },
          { requestId: farid },
        ],
      }),
    );
    expect(r.results.map((x) => x.requestId)).toEqual([elodie, decided, UNKNOWN, own, farid]);
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual([
      "ok",
      "REQUEST_ALREADY_DECIDED",
      "NOT_FOUND",
      "SELF_DECISION_FORBIDDEN",
      "NOT_FOUND", // Chloé does not manage the bookshop: she cannot tell its request from none
    ]);
    const [first, second, third, , fifth] = r.results;
    expect(second?.result).toEqual({ ok: false, error: { code: "REQUEST_ALREADY_DECIDED", requestId: decided, status: "refused" } });
    expect(third?.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: UNKNOWN } });
    expect(fifth?.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: farid } });
    if (!first?.result.ok) throw new Error("first item refused");
    expect(r.events).toEqual(first.result.value.events);
    expect(r.events[0]).toMatchObject({ type: "AttachmentRequestValidated", userId: g.elodie, role: "secondaryManager", scope: services(g.paie) });
    expectEventsSaved(h, before, r.events);
    expectAppended(h, before, first.result.value.history);
    expect(first.result.value.requester).toMatchObject({ id: g.elodie, role: "secondaryManager", attachment: { structureId: g.townHall } });
    expectBulkFrozen(r);

    expect((await requestRow(h, elodie)).value.status).toBe("validated");
    expect(await requestRow(h, own)).toEqual(before.attachmentRequests.find((x) => x.value.id === own));
    expect(await requestRow(h, farid)).toEqual(before.attachmentRequests.find((x) => x.value.id === farid));
  });

  it("validates the same request named twice once, the second time REQUEST_ALREADY_DECIDED", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    const r = must(await app.validateAttachmentRequests(g.alice, { items: [{ requestId }, { requestId }] }));
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual(["ok", "REQUEST_ALREADY_DECIDED"]);
    expect(h.snapshot().history.filter((e) => e.kind === "attachmentRequestValidated")).toHaveLength(1);
    expect(r.events).toHaveLength(1);
  });

  it("shows each requester only as seen from the request's structure", async () => {
    const { h, g, app } = await guide();
    // Farid is in the bookshop and ACME; David in the bookshop. Both ask the town hall.
    must(await app.attachUser(g.alice, { structureId: g.bookshop, userId: g.farid, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.farid, role: "user", validFrom: TODAY, comment: "Oui", scope: services(g.ventes) }));
    const farid = await ask(h, g.farid, g.townHall, services(g.rh));
    const david = await ask(h, g.david, g.townHall, services(g.paie));
    const before = h.snapshot();
    const r = must(await app.validateAttachmentRequests(g.bruno, { items: [{ requestId: farid }, { requestId: david }] }));
    expect(r.results.map((x) => (x.result.ok ? x.result.value.requester : x.result.error))).toEqual([
      expect.objectContaining({ id: g.farid, role: "user", attachment: expect.objectContaining({ structureId: g.townHall, scope: services(g.rh) }) }),
      expect.objectContaining({ id: g.david, role: "user", attachment: expect.objectContaining({ structureId: g.townHall, scope: services(g.paie) }) }),
    ]);
    expectDisclosesOnly(h, g.townHall, r);
    expectEventsSaved(h, before, r.events);
    expectBulkFrozen(r);
  });

  it("gives a manager NOT_FOUND for the items of structures he does not manage, deciding the others", async () => {
    const { h, g, app } = await guide();
    const townHall = await ask(h, g.farid, g.townHall);
    const acme = await ask(h, g.elodie, g.acme);
    const bookshop = await ask(h, g.elodie, g.bookshop);
    const r = must(await app.validateAttachmentRequests(g.bruno, { items: [{ requestId: acme }, { requestId: townHall }, { requestId: bookshop }] }));
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error))).toEqual([
      { code: "NOT_FOUND", entity: "attachmentRequest", id: acme },
      "ok",
      { code: "NOT_FOUND", entity: "attachmentRequest", id: bookshop },
    ]);
    expect((await requestRow(h, acme)).value.status).toBe("pending");
    expect((await requestRow(h, bookshop)).value.status).toBe("pending");
    expectDisclosesOnly(h, g.townHall, r);
  });

  // Source bug (see the report of this change): the `result` of each item, and the
  // errors in it, are not frozen, although a bulk outcome is to be a deep-frozen copy.
  // Remove `.fails` once the application layer freezes them.
  it("gives back a bulk outcome frozen all the way down, refusals included", async () => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const r = must(await app.validateAttachmentRequests(g.alice, { items: [{ requestId: a }, { requestId: UNKNOWN }] }));
    expectDeepFrozen(r);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectUnknownActor(h, () => untyped(app).validateAttachmentRequests(actor, { items: [{ requestId }] }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["no items", { items: [] }],
    ["an extra key", { items: [{ requestId: "req-001" }], reason: "x" }],
    ["bare ids instead of items", { items: ["req-001"] }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => untyped(app).validateAttachmentRequests(g.alice, input));
  });

  it("refuses the whole batch, valid items included, when one item is junk", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => untyped(app).validateAttachmentRequests(g.alice, { items: [{ requestId }, { requestId, role: "boss" }] }));
  });

  it.each(["validateAttachmentRequests", "refuseAttachmentRequests"] as const)(
    "%s: an unknown actor fails the whole call with UNKNOWN_ACTOR, and writes nothing",
    async (op) => {
      const { h, g, app } = await guide();
      const requestId = await ask(h, g.farid, g.townHall);
      await expectUnknownActor(
        h,
        () =>
          op === "validateAttachmentRequests"
            ? app.validateAttachmentRequests(UNKNOWN, { items: [{ requestId }] })
            : app.refuseAttachmentRequests(UNKNOWN, { requestIds: [requestId], reason: "Non" }),
        "unknown",
      );
    },
  );

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming each item's own id, as for unknown ones, and writes nothing", async (_label, who) => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const b = await ask(h, g.david, g.townHall, services(g.rh));
    const decided = await ask(h, g.elodie, g.bookshop);
    must(await app.refuseAttachmentRequest(g.alice, { requestId: decided, reason: "Non" }));
    const before = h.snapshot();
    const r = must(
      await app.validateAttachmentRequests(g[who], { items: [{ requestId: a }, { requestId: UNKNOWN }, { requestId: b, role: "secondaryManager" }, { requestId: decided }] }),
    );
    expect(r.results).toEqual(
      [a, UNKNOWN, b, decided].map((id) => ({ requestId: id, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id } } })),
    );
    expect(r.events).toEqual([]);
    expect(h.snapshot()).toEqual(before);
  });
});

describe("refuseAttachmentRequests", () => {
  it("refuses each request with the shared reason, in input order, one bad item not blocking the others", async () => {
    const { h, g, app } = await guide();
    const farid = await ask(h, g.farid, g.townHall);
    const validated = await ask(h, g.elodie, g.townHall);
    must(await app.validateAttachmentRequest(g.alice, { requestId: validated }));
    const david = await ask(h, g.david, g.townHall, services(g.achats));
    const before = h.snapshot();

    const r = must(await app.refuseAttachmentRequests(g.bruno, { requestIds: [farid, validated, UNKNOWN, david], reason: " Doublons " }));
    expect(r.results.map((x) => x.requestId)).toEqual([farid, validated, UNKNOWN, david]);
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual([
      "ok",
      "REQUEST_ALREADY_DECIDED",
      "NOT_FOUND",
      "ok",
    ]);
    expect(r.events).toEqual([
      expect.objectContaining({ type: "AttachmentRequestRefused", requestId: farid, userId: g.farid, reason: "Doublons" }),
      expect.objectContaining({ type: "AttachmentRequestRefused", requestId: david, userId: g.david, reason: "Doublons" }),
    ]);
    expect(r.events).toEqual(r.results.flatMap((x) => (x.result.ok ? x.result.value.events : [])));
    expectEventsSaved(h, before, r.events);
    expectBulkFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    const histories = r.results.flatMap((x) => (x.result.ok ? x.result.value.history : []));
    expect(histories.map((e) => [e.kind, e.requestId, e.details])).toEqual([
      ["attachmentRequestRefused", farid, { reason: "Doublons" }],
      ["attachmentRequestRefused", david, { reason: "Doublons" }],
    ]);
    expectAppended(h, before, histories);
    expect((await requestRow(h, validated)).value.status).toBe("validated");
  });

  it("gives REFUSAL_REASON_REQUIRED per item for a blank shared reason, and writes nothing", async () => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const b = await ask(h, g.elodie, g.townHall);
    const before = h.snapshot();
    const r = must(await app.refuseAttachmentRequests(g.alice, { requestIds: [a, b], reason: "   " }));
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual(["REFUSAL_REASON_REQUIRED", "REFUSAL_REASON_REQUIRED"]);
    expect(h.snapshot()).toEqual(before);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectUnknownActor(h, () => untyped(app).refuseAttachmentRequests(actor, { requestIds: [requestId], reason: "Non" }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["no ids", { requestIds: [], reason: "Non" }],
    ["no reason", { requestIds: ["req-001"] }],
    ["an extra key", { requestIds: ["req-001"], reason: "Non", force: true }],
    ["a junk id among good ones", { requestIds: ["req-001", 7], reason: "Non" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => untyped(app).refuseAttachmentRequests(g.alice, input));
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) NOT_FOUND naming each item's own id, as for unknown ones, and writes nothing", async (_label, who) => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const b = await ask(h, g.elodie, g.bookshop);
    const before = h.snapshot();
    const r = must(await app.refuseAttachmentRequests(g[who], { requestIds: [a, UNKNOWN, b], reason: "Non" }));
    expect(r.results).toEqual(
      [a, UNKNOWN, b].map((id) => ({ requestId: id, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id } } })),
    );
    expect(r.events).toEqual([]);
    expect(h.snapshot()).toEqual(before);
    // A blank reason does not tell them more.
    const blank = must(await app.refuseAttachmentRequests(g[who], { requestIds: [a], reason: " " }));
    expect(blank.results).toEqual([{ requestId: a, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: a } } }]);
    expect(h.snapshot()).toEqual(before);
  });
});
