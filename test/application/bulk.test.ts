// validateAttachmentRequests and refuseAttachmentRequests: one result per request, in
// input order; one bad request never blocks or corrupts the others.
import { describe, expect, it } from "vitest";
import {
  ask,
  expectAppended,
  expectInvalid,
  expectNotFound,
  FORBIDDEN_ACTORS,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  requestRow,
  services,
  UNKNOWN,
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
      "FORBIDDEN", // Chloé does not manage the bookshop
    ]);
    const [first, second, third] = r.results;
    expect(second?.result).toEqual({ ok: false, error: { code: "REQUEST_ALREADY_DECIDED", requestId: decided, status: "refused" } });
    expect(third?.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: UNKNOWN } });
    if (!first?.result.ok) throw new Error("first item refused");
    expect(r.events).toEqual(first.result.value.events);
    expect(r.events[0]).toMatchObject({ type: "AttachmentRequestValidated", userId: g.elodie, role: "secondaryManager", scope: services(g.paie) });
    expectAppended(h, before, first.result.value.history);

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
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with VALIDATION", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => app.validateAttachmentRequests(actor, { items: [{ requestId }] }));
  });

  it.each([
    ...JUNK_INPUTS,
    ["no items", { items: [] }],
    ["an extra key", { items: [{ requestId: "req-001" }], reason: "x" }],
    ["bare ids instead of items", { items: ["req-001"] }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => app.validateAttachmentRequests(g.alice, input));
  });

  it("refuses the whole batch, valid items included, when one item is junk", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => app.validateAttachmentRequests(g.alice, { items: [{ requestId }, { requestId, role: "boss" }] }));
  });

  it.each(["validateAttachmentRequests", "refuseAttachmentRequests"] as const)(
    "%s: an unknown actor fails the whole call with NOT_FOUND user, and writes nothing",
    async (op) => {
      const { h, g, app } = await guide();
      const requestId = await ask(h, g.farid, g.townHall);
      const input = op === "validateAttachmentRequests" ? { items: [{ requestId }] } : { requestIds: [requestId], reason: "Non" };
      await expectNotFound(h, () => app[op](UNKNOWN, input), "user", UNKNOWN);
    },
  );

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) FORBIDDEN %s on every item, and writes nothing", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const b = await ask(h, g.david, g.townHall, services(g.rh));
    const before = h.snapshot();
    const r = must(await app.validateAttachmentRequests(g[who], { items: [{ requestId: a }, { requestId: b }] }));
    expect(r.results.map((x) => x.result)).toEqual(
      [a, b].map(() => ({ ok: false, error: { code: "FORBIDDEN", actorId: g[who], structureId: g.townHall, reason } })),
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

  it.each(JUNK_ACTORS)("refuses the junk actor %s with VALIDATION", async (_label, actor) => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectInvalid(h, () => app.refuseAttachmentRequests(actor, { requestIds: [requestId], reason: "Non" }));
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
    await expectInvalid(h, () => app.refuseAttachmentRequests(g.alice, input));
  });

  it.each(FORBIDDEN_ACTORS)("gives %s (%s) FORBIDDEN %s on every item, and writes nothing", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const before = h.snapshot();
    const r = must(await app.refuseAttachmentRequests(g[who], { requestIds: [a], reason: "Non" }));
    expect(r.results).toEqual([
      { requestId: a, result: { ok: false, error: { code: "FORBIDDEN", actorId: g[who], structureId: g.townHall, reason } } },
    ]);
    expect(h.snapshot()).toEqual(before);
  });
});
