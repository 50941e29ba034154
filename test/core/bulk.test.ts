import { describe, expect, it } from "vitest";
import {
  attachmentRequestId,
  attachmentTo,
  refuseAttachmentRequests,
  requestAttachment,
  WHOLE_STRUCTURE,
  validateAttachmentRequests,
  type AttachmentRequest,
  type AttachmentRequestId,
  type BulkDecisionState,
  type Structure,
  type StructureId,
  type User,
  type UserId,
} from "../../src/core/index.js";
import { buildGuide, ctx, hospitalOutsiders, unwrap, type Guide } from "./fixtures.js";

function bulkState(g: Guide, actor: User = g.alice, extra: AttachmentRequest[] = []): BulkDecisionState {
  return {
    actor,
    structures: new Map<StructureId, Structure>([g.hospital, g.townHall, g.acme].map((s) => [s.id, s])),
    requests: new Map<AttachmentRequestId, AttachmentRequest>(
      [g.elodieRequest, g.chloeRequest, ...extra].map((r) => [r.id, r]),
    ),
    users: new Map<UserId, User>([g.alice, g.bruno, g.elodie, g.chloe, g.david, g.zoe, g.victor].map((u) => [u.id, u])),
    services: g.serviceIndex,
  };
}

const codes = (results: readonly { result: { ok: boolean; error?: { code: string } } }[]) =>
  results.map((r) => (r.result.ok ? "ok" : r.result.error?.code));

describe("validateAttachmentRequests — valider plusieurs demandes à la fois", () => {
  it("given two pending requests, when Alice validates both, then one result per request in order and both requesters attached", () => {
    const g = buildGuide();
    const bulk = validateAttachmentRequests(
      bulkState(g),
      { items: [{ requestId: g.chloeRequest.id }, { requestId: g.elodieRequest.id, role: "secondaryManager" }] },
      ctx,
    );
    expect(bulk.results.map((r) => r.requestId)).toEqual([g.chloeRequest.id, g.elodieRequest.id]);
    expect(codes(bulk.results)).toEqual(["ok", "ok"]);
    expect(bulk.users.map((u) => u.id)).toEqual([g.chloe.id, g.elodie.id]);
    expect(attachmentTo(bulk.users[1]!, g.hospital.id)?.role).toBe("secondaryManager");
    expect(bulk.requests.map((r) => [r.id, r.status])).toEqual([
      [g.chloeRequest.id, "validated"],
      [g.elodieRequest.id, "validated"],
    ]);
    expect(bulk.history.map((h) => [h.requestId, h.kind])).toEqual([
      [g.chloeRequest.id, "attachmentRequestValidated"],
      [g.elodieRequest.id, "attachmentRequestValidated"],
    ]);
    expect(bulk.events.map((e) => e.type)).toEqual(["AttachmentRequestValidated", "AttachmentRequestValidated"]);
  });

  it("one bad request does not block the others, and changes nothing of its own", () => {
    const g = buildGuide();
    const bulk = validateAttachmentRequests(
      bulkState(g),
      {
        items: [
          { requestId: attachmentRequestId("req-ghost") },
          { requestId: g.elodieRequest.id, role: "primaryManager" },
          { requestId: g.chloeRequest.id },
        ],
      },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["NOT_FOUND", "CANNOT_GRANT_PRIMARY", "ok"]);
    expect(bulk.users.map((u) => u.id)).toEqual([g.chloe.id]);
    expect(bulk.requests.map((r) => r.id)).toEqual([g.chloeRequest.id]);
    expect(bulk.history.every((h) => h.targetUserId === g.chloe.id)).toBe(true);
    expect(bulk.events).toHaveLength(1);
  });

  it("an item the actor may not decide fails alone (Bruno manages the hospital, not the town hall)", () => {
    const g = buildGuide();
    const bulk = validateAttachmentRequests(
      bulkState(g, g.bruno),
      { items: [{ requestId: g.chloeRequest.id }, { requestId: g.elodieRequest.id }] },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["NOT_FOUND", "ok"]);
    expect(bulk.results[0]!.result).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id },
    });
    expect(bulk.users.map((u) => u.id)).toEqual([g.elodie.id]);
    expect(bulk.requests.map((r) => r.id)).toEqual([g.elodieRequest.id]);
  });

  it.each(hospitalOutsiders)(
    "given $who, every item of the hospital is NOT_FOUND attachmentRequest naming its id, exactly like an unknown id, and nothing changes",
    ({ actor }) => {
      const g = buildGuide();
      const ghost = attachmentRequestId("req-ghost");
      const bulk = validateAttachmentRequests(
        bulkState(g, actor(g)),
        { items: [{ requestId: g.elodieRequest.id }, { requestId: ghost }, { requestId: g.elodieRequest.id, role: "primaryManager" }] },
        ctx,
      );
      expect(bulk.results).toStrictEqual([
        { requestId: g.elodieRequest.id, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id } } },
        { requestId: ghost, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: ghost } } },
        { requestId: g.elodieRequest.id, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id } } },
      ]);
      expect([bulk.users, bulk.requests, bulk.history, bulk.events]).toEqual([[], [], [], []]);
    },
  );

  it("the same request twice in one batch: the second gets REQUEST_ALREADY_DECIDED, and it is recorded once", () => {
    const g = buildGuide();
    const bulk = validateAttachmentRequests(
      bulkState(g),
      { items: [{ requestId: g.elodieRequest.id }, { requestId: g.elodieRequest.id, role: "secondaryManager" }] },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["ok", "REQUEST_ALREADY_DECIDED"]);
    const second = bulk.results[1]!.result;
    expect(second.ok ? null : second.error).toEqual({
      code: "REQUEST_ALREADY_DECIDED",
      requestId: g.elodieRequest.id,
      status: "validated",
    });
    expect(bulk.requests).toHaveLength(1);
    expect(bulk.users).toHaveLength(1);
    expect(attachmentTo(bulk.users[0]!, g.hospital.id)?.role).toBe("user");
    expect(bulk.history).toHaveLength(1);
  });

  it("a user named by two requests keeps both attachments and is listed once, in final state", () => {
    const g = buildGuide();
    const second = unwrap(
      requestAttachment(
        { user: g.elodie, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.townHall.id, scope: WHOLE_STRUCTURE },
        { ...ctx, requestId: attachmentRequestId("req-elodie-mairie") },
      ),
    ).request;
    const bulk = validateAttachmentRequests(
      bulkState(g, g.alice, [second]),
      { items: [{ requestId: g.elodieRequest.id }, { requestId: second.id }] },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["ok", "ok"]);
    expect(bulk.users).toHaveLength(1);
    expect(bulk.users[0]!.attachments.map((a) => a.structureId).sort()).toEqual([g.hospital.id, g.townHall.id].sort());
  });

  it("reports a request whose structure is missing from the state as the request NOT_FOUND (no id it was not given), and a missing requester as NOT_FOUND user to its manager", () => {
    const g = buildGuide();
    const state = bulkState(g);
    const bulk = validateAttachmentRequests(
      { ...state, structures: new Map([[g.hospital.id, g.hospital]]), users: new Map([[g.alice.id, g.alice]]) },
      { items: [{ requestId: g.chloeRequest.id }, { requestId: g.elodieRequest.id }] },
      ctx,
    );
    expect(bulk.results.map((r) => (r.result.ok ? null : r.result.error))).toEqual([
      { code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id },
      { code: "NOT_FOUND", entity: "user", id: g.elodie.id },
    ]);
  });

  it("tells an outsider nothing of what is missing: NOT_FOUND for the request they named", () => {
    const g = buildGuide();
    const state = bulkState(g);
    const bulk = validateAttachmentRequests(
      { ...state, actor: g.victor, users: new Map([[g.victor.id, g.victor]]) },
      { items: [{ requestId: g.elodieRequest.id }] },
      ctx,
    );
    expect(bulk.results.map((r) => (r.result.ok ? null : r.result.error))).toEqual([
      { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id },
    ]);
  });
});

describe("refuseAttachmentRequests — refuser plusieurs demandes avec un motif commun", () => {
  it("given two pending requests, when Alice refuses both with one reason, then each is refused with it and no user changes", () => {
    const g = buildGuide();
    const bulk = refuseAttachmentRequests(
      bulkState(g),
      { requestIds: [g.elodieRequest.id, g.chloeRequest.id], reason: " Demandes en double " },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["ok", "ok"]);
    expect(bulk.requests.map((r) => (r.status === "refused" ? r.reason : r.status))).toEqual([
      "Demandes en double",
      "Demandes en double",
    ]);
    expect(bulk.users).toEqual([]);
    expect(bulk.history.map((h) => [h.kind, h.details.reason])).toEqual([
      ["attachmentRequestRefused", "Demandes en double"],
      ["attachmentRequestRefused", "Demandes en double"],
    ]);
    expect(bulk.events.map((e) => (e.type === "AttachmentRequestRefused" ? e.reason : e.type))).toEqual([
      "Demandes en double",
      "Demandes en double",
    ]);
  });

  it("a blank shared reason refuses every item with REFUSAL_REASON_REQUIRED", () => {
    const g = buildGuide();
    const bulk = refuseAttachmentRequests(
      bulkState(g),
      { requestIds: [g.elodieRequest.id, g.chloeRequest.id], reason: "   " },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["REFUSAL_REASON_REQUIRED", "REFUSAL_REASON_REQUIRED"]);
    expect(bulk.requests).toEqual([]);
    expect(bulk.history).toEqual([]);
  });

  it("one bad request does not block the others; the same request twice gets REQUEST_ALREADY_DECIDED", () => {
    const g = buildGuide();
    const bulk = refuseAttachmentRequests(
      bulkState(g, g.bruno),
      {
        requestIds: [g.chloeRequest.id, g.elodieRequest.id, attachmentRequestId("req-ghost"), g.elodieRequest.id],
        reason: "Hors périmètre",
      },
      ctx,
    );
    expect(codes(bulk.results)).toEqual(["NOT_FOUND", "ok", "NOT_FOUND", "REQUEST_ALREADY_DECIDED"]);
    // Chloé's request, of the town hall Bruno does not manage, reads like the unknown one.
    expect(bulk.results[0]!.result).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id },
    });
    expect(bulk.results[2]!.result).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "attachmentRequest", id: "req-ghost" },
    });
    const last = bulk.results[3]!.result;
    expect(last.ok ? null : last.error).toStrictEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: g.elodieRequest.id, status: "refused" });
    expect(bulk.requests.map((r) => r.id)).toEqual([g.elodieRequest.id]);
  });

  it.each(hospitalOutsiders)(
    "given $who, refusing the hospital's request with a blank reason is still NOT_FOUND (not REFUSAL_REASON_REQUIRED)",
    ({ actor }) => {
      const g = buildGuide();
      const bulk = refuseAttachmentRequests(bulkState(g, actor(g)), { requestIds: [g.elodieRequest.id], reason: "\u200B" }, ctx);
      expect(bulk.results).toStrictEqual([
        { requestId: g.elodieRequest.id, result: { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id } } },
      ]);
    },
  );

  it("a shared reason of zero-width spaces refuses every item with REFUSAL_REASON_REQUIRED", () => {
    const g = buildGuide();
    const bulk = refuseAttachmentRequests(bulkState(g), { requestIds: [g.elodieRequest.id, g.chloeRequest.id], reason: "\u200B\u200B" }, ctx);
    expect(codes(bulk.results)).toEqual(["REFUSAL_REASON_REQUIRED", "REFUSAL_REASON_REQUIRED"]);
    expect(bulk.requests).toEqual([]);
  });
});
