// refuseSubscriptionRequest — a refused subscription request reads « Désactivée » (guide §2, §4).
import { describe, expect, it } from "vitest";
import {
  historyKindLabel,
  refuseSubscriptionRequest,
  subscriptionRequestId,
  subscriptionRequestStatusLabel,
  validateSubscriptionRequest,
  type SubscriptionRequest,
} from "../../../src/core/index.js";
import { at, buildGuide, ctx, elodieSubscription, expectErr, hospitalOutsiders, requestSubscriptionBy, sctx, space, unwrap, type Guide } from "../fixtures.js";

function refuse(g: Guide, comment?: string, actor = g.alice, request: SubscriptionRequest = elodieSubscription(g), structure = g.hospital) {
  return refuseSubscriptionRequest({ actor, structure, request }, { requestId: request.id, ...(comment === undefined ? {} : { comment }) }, ctx);
}

describe("refuseSubscriptionRequest — « Désactivée »", () => {
  it("given Élodie's pending request, when Alice refuses it with a comment, then it is refused by her, now, with the comment", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    const r = unwrap(refuse(g, "  Voyez votre chef de service  "));
    expect(r.request).toEqual({ ...request, status: "refused", decidedBy: g.alice.id, decidedAt: at, managerComment: "Voyez votre chef de service" });
    expect(subscriptionRequestStatusLabel[r.request.status]).toBe("Désactivée");
  });

  it("records « Désactivée » with the lines asked for and the comment, linked to the request", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    const r = unwrap(refuse(g, "Non"));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "subscriptionRequestRefused",
        at,
        actorId: g.alice.id,
        targetUserId: g.elodie.id,
        requestId: request.id,
        details: { items: request.items, comment: "Non" },
      },
    ]);
    expect(historyKindLabel[r.history[0]!.kind]).toBe("Désactivée");
  });

  it("the comment is optional: no comment, or a blank one, is recorded as none", () => {
    const g = buildGuide();
    for (const comment of [undefined, "", " \u200B "]) {
      const r = unwrap(refuse(g, comment));
      expect(r.request.managerComment).toBe("");
      expect(r.history[0]?.details).toEqual({ items: elodieSubscription(g).items });
    }
  });

  it("emits SubscriptionRequestRefused telling Élodie", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    expect(unwrap(refuse(g)).events).toEqual([
      { type: "SubscriptionRequestRefused", at, requestId: request.id, structureId: g.hospital.id, userId: g.elodie.id, decidedBy: g.alice.id },
    ]);
  });

  it("changes nothing but the request: no user, structure or service in the outcome", () => {
    const g = buildGuide();
    expect(Object.keys(unwrap(refuse(g))).sort()).toEqual(["events", "history", "request"]);
  });

  describe("refusals", () => {
    it("a decided request: REQUEST_ALREADY_DECIDED naming its status", () => {
      const g = buildGuide();
      const refused = unwrap(refuse(g)).request;
      expect(expectErr(refuse(g, undefined, g.bruno, refused), "REQUEST_ALREADY_DECIDED")).toEqual({
        code: "REQUEST_ALREADY_DECIDED",
        requestId: refused.id,
        status: "refused",
        request: "subscription",
      });
      const request = elodieSubscription(g);
      const validated = unwrap(
        validateSubscriptionRequest(
          { actor: g.alice, structure: g.hospital, request, requester: g.elodie, services: g.serviceIndex },
          { requestId: request.id, scope: "structure" },
          sctx,
        ),
      ).request;
      expect(expectErr(refuse(g, undefined, g.alice, validated), "REQUEST_ALREADY_DECIDED").status).toBe("validated");
    });

    it("a manager's own request: SELF_DECISION_FORBIDDEN", () => {
      const g = buildGuide();
      const own = requestSubscriptionBy(g, g.bruno, [{ space: space.emises, serviceId: null, access: "read" }], subscriptionRequestId("sub-bruno"));
      expect(expectErr(refuse(g, undefined, g.bruno, own), "SELF_DECISION_FORBIDDEN")).toEqual({
        code: "SELF_DECISION_FORBIDDEN",
        requestId: own.id,
        userId: g.bruno.id,
      });
    });

    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("%s gets NOT_FOUND naming only the request id", (_, outsider) => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      expect(refuse(g, "Non", outsider.actor(g))).toEqual({
        ok: false,
        error: { code: "NOT_FOUND", entity: "subscriptionRequest", id: request.id },
      });
    });

    it("a request of another structure than the one given, or another id: NOT_FOUND subscriptionRequest", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      expect(expectErr(refuse(g, undefined, g.alice, request, g.townHall), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "subscriptionRequest",
        id: request.id,
      });
      const other = subscriptionRequestId("sub-404");
      expect(refuseSubscriptionRequest({ actor: g.alice, structure: g.hospital, request }, { requestId: other }, ctx)).toEqual({
        ok: false,
        error: { code: "NOT_FOUND", entity: "subscriptionRequest", id: other },
      });
    });
  });
});
