import { describe, expect, it } from "vitest";
import {
  attachUser,
  attachmentRequestId,
  historyKindLabel,
  refuseAttachmentRequest,
  requestAttachment,
  servicesScope,
  validateAttachmentRequest,
  type RefuseRequestState,
} from "../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, today, unwrap, withStatus, type Guide } from "./fixtures.js";

function refuseChloe(g: Guide, reason: string, overrides: Partial<RefuseRequestState> = {}) {
  return refuseAttachmentRequest(
    { actor: g.alice, structure: g.townHall, request: g.chloeRequest, ...overrides },
    { requestId: g.chloeRequest.id, reason },
    ctx,
  );
}

describe("refuseAttachmentRequest — « Confirmer le refus de la demande de rattachement »", () => {
  it("given Chloé's pending request, when Alice refuses it with a reason, then the request is refused with that reason (trimmed)", () => {
    const g = buildGuide();
    const r = unwrap(refuseChloe(g, "  Personne inconnue des services municipaux  "));
    expect(r.request).toEqual({
      ...g.chloeRequest,
      status: "refused",
      decidedBy: g.alice.id,
      decidedAt: at,
      reason: "Personne inconnue des services municipaux",
    });
    expect(Object.keys(r).sort()).toEqual(["events", "history", "request"]); // no user record changes
  });

  it("history records « Refusée » with actor, target, request and the reason", () => {
    const g = buildGuide();
    const r = unwrap(refuseChloe(g, "Personne inconnue"));
    expect(r.history).toEqual([
      {
        structureId: g.townHall.id,
        kind: "attachmentRequestRefused",
        at,
        actorId: g.alice.id,
        targetUserId: g.chloe.id,
        requestId: g.chloeRequest.id,
        details: { reason: "Personne inconnue" },
      },
    ]);
    expect(historyKindLabel[r.history[0]!.kind]).toBe("Refusée");
  });

  it("emits AttachmentRequestRefused carrying the reason, so Chloé is told why", () => {
    const g = buildGuide();
    expect(unwrap(refuseChloe(g, "Personne inconnue")).events).toEqual([
      {
        type: "AttachmentRequestRefused",
        at,
        requestId: g.chloeRequest.id,
        structureId: g.townHall.id,
        userId: g.chloe.id,
        decidedBy: g.alice.id,
        reason: "Personne inconnue",
      },
    ]);
  });

  it.each(["   ", "", "\t\n"])("refuses a blank reason %j: REFUSAL_REASON_REQUIRED", (reason) => {
    const g = buildGuide();
    const e = expectErr(refuseChloe(g, reason), "REFUSAL_REASON_REQUIRED");
    expect(e).toEqual({ code: "REFUSAL_REASON_REQUIRED", requestId: g.chloeRequest.id });
  });

  // « Blank » means no visible character, not only no white space.
  it.each([
    ["two zero-width spaces", "\u200B\u200B"],
    ["a byte-order mark", "\uFEFF"],
    ["non-breaking spaces", "\u00A0\u202F"],
    ["a Hangul filler", "\u3164"],
    ["a zero-width joiner between spaces", " \u200D "],
    ["a mix of them with line breaks", "\u200B\n\u00A0\t\uFEFF"],
  ])("refuses a reason made only of invisible characters (%s): REFUSAL_REASON_REQUIRED", (_, reason) => {
    const g = buildGuide();
    const e = expectErr(refuseChloe(g, reason), "REFUSAL_REASON_REQUIRED");
    expect(e).toStrictEqual({ code: "REFUSAL_REASON_REQUIRED", requestId: g.chloeRequest.id });
  });

  it("keeps a reason with visible characters, trimmed of the invisible ones at its ends only", () => {
    const g = buildGuide();
    const r = unwrap(refuseChloe(g, "\u200B\uFEFF Personne\u00A0inconnue \u200B\n"));
    expect(r.request.reason).toBe("Personne\u00A0inconnue");
    expect(r.history[0]?.details).toEqual({ reason: "Personne\u00A0inconnue" });
    expect(r.events[0]).toMatchObject({ reason: "Personne\u00A0inconnue" });
  });

  it("keeps the lines of a reason written on several lines", () => {
    const g = buildGuide();
    expect(unwrap(refuseChloe(g, "Personne inconnue.\nMerci de contacter l'accueil.")).request.reason).toBe(
      "Personne inconnue.\nMerci de contacter l'accueil.",
    );
  });

  describe("an actor who may not manage the request's structure cannot tell it from a request that does not exist", () => {
    it.each(hospitalOutsiders)(
      "given $who, when refusing Élodie's request, then NOT_FOUND attachmentRequest naming only the id given",
      ({ actor }) => {
        const g = buildGuide();
        const e = expectErr(
          refuseAttachmentRequest(
            { actor: actor(g), structure: g.hospital, request: g.elodieRequest },
            { requestId: g.elodieRequest.id, reason: "Non" },
            ctx,
          ),
          "NOT_FOUND",
        );
        expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
      },
    );

    it.each([
      ["the manager of another structure (Victor)", (g: Guide) => g.victor],
      ["a secondary manager of the hospital only (Bruno)", (g: Guide) => g.bruno],
      ["its primary manager, deactivated (Alice)", (g: Guide) => withStatus(g.alice, "deactivated")],
    ])("given %s, when refusing Chloé's request to the town hall, then NOT_FOUND attachmentRequest", (_, actorOf) => {
      const g = buildGuide();
      const e = expectErr(refuseChloe(g, "Non", { actor: actorOf(g) }), "NOT_FOUND");
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id });
    });

    it.each(hospitalOutsiders)(
      "given $who, NOT_FOUND comes before what would reveal the request: its status, a blank reason, their own request",
      ({ actor }) => {
        const g = buildGuide();
        const who = actor(g);
        const refused = unwrap(
          refuseAttachmentRequest(
            { actor: g.alice, structure: g.hospital, request: g.elodieRequest },
            { requestId: g.elodieRequest.id, reason: "Doublon" },
            ctx,
          ),
        ).request;
        const notFound = { ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id } };
        for (const [request, reason] of [
          [refused, "Non"],
          [g.elodieRequest, "\u200B"],
          [{ ...g.elodieRequest, userId: who.id }, "Non"],
        ] as const)
          expect(
            refuseAttachmentRequest({ actor: who, structure: g.hospital, request }, { requestId: g.elodieRequest.id, reason }, ctx),
          ).toStrictEqual(notFound);
      },
    );
  });

  it("refuses a request already validated: REQUEST_ALREADY_DECIDED validated", () => {
    const g = buildGuide();
    const validated = unwrap(
      validateAttachmentRequest(
        { actor: g.alice, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: new Map() },
        { requestId: g.chloeRequest.id },
        ctx,
      ),
    ).request;
    const e = expectErr(refuseChloe(g, "Trop tard", { request: validated }), "REQUEST_ALREADY_DECIDED");
    expect(e).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: g.chloeRequest.id, status: "validated" });
  });

  it("refuses a request already refused: REQUEST_ALREADY_DECIDED refused", () => {
    const g = buildGuide();
    const refused = unwrap(refuseChloe(g, "Non")).request;
    expect(expectErr(refuseChloe(g, "Non, deux fois", { request: refused }), "REQUEST_ALREADY_DECIDED").status).toBe(
      "refused",
    );
  });

  it("refuses a manager refusing their own request: SELF_DECISION_FORBIDDEN", () => {
    const g = buildGuide();
    const david = unwrap(
      attachUser(
        { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
        {
          structureId: g.hospital.id,
          userId: g.david.id,
          role: "secondaryManager",
          validFrom: today,
          comment: "Responsable RH",
          scope: servicesScope([g.rh.id]),
        },
        ctx,
      ),
    ).user;
    const request = unwrap(
      requestAttachment(
        { user: david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.paie.id]) },
        { ...ctx, requestId: attachmentRequestId("req-david") },
      ),
    ).request;
    const e = expectErr(
      refuseAttachmentRequest({ actor: david, structure: g.hospital, request }, { requestId: request.id, reason: "Non" }, ctx),
      "SELF_DECISION_FORBIDDEN",
    );
    expect(e).toEqual({ code: "SELF_DECISION_FORBIDDEN", requestId: request.id, userId: david.id });
  });

  it("refuses a command naming another request than the one loaded: NOT_FOUND", () => {
    const g = buildGuide();
    const e = expectErr(
      refuseAttachmentRequest(
        { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
        { requestId: attachmentRequestId("req-other"), reason: "Non" },
        ctx,
      ),
      "NOT_FOUND",
    );
    expect(e).toEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: "req-other" });
  });

  it("refuses a request of another structure than the one loaded, even one the actor manages: NOT_FOUND attachmentRequest", () => {
    const g = buildGuide();
    const e = expectErr(refuseChloe(g, "Non", { structure: g.hospital }), "NOT_FOUND");
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id });
  });
});
