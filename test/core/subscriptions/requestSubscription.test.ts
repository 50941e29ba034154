// requestSubscription — a user's own request for spaces (« demande d'abonnement »), our
// extension of guide §2 (Chorus Pro does not let users send them yet).
import { describe, expect, it } from "vitest";
import {
  CHORUS_PRO_SPACES,
  deactivateService,
  historyKindLabel,
  requestSubscription,
  serviceId,
  spaceCatalogue,
  spaceCode,
  subscriptionRequestId,
  toInstant,
  type RequestSubscription,
  type RequestSubscriptionState,
} from "../../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  elodieItems,
  elodieSubscription,
  expectErr,
  replaceService,
  sctx,
  space,
  subscriptionAsked,
  unwrap,
  withStatus,
  type Guide,
} from "../fixtures.js";

const requestId = subscriptionRequestId("sub-new");
const context = { ...sctx, requestId };

function ask(g: Guide, command: Partial<RequestSubscription> = {}, state: Partial<RequestSubscriptionState> = {}) {
  return requestSubscription(
    { user: g.elodie, structure: g.hospital, services: g.serviceIndex, ...state },
    { structureId: g.hospital.id, items: elodieItems(g), ...command },
    context,
  );
}

describe("requestSubscription — « demande d'abonnement à des espaces »", () => {
  it("given Élodie, simple user of the hospital on PAIE, when she asks for three spaces, then a pending request holds them in canonical order", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    expect(request).toEqual({
      id: "sub-elodie",
      structureId: g.hospital.id,
      userId: g.elodie.id,
      // Asked out of order, « Factures reçues » twice (read and write): one line each, the higher access kept.
      items: [
        { space: space.aValider, serviceId: g.paie.id, access: "read" },
        { space: space.recues, serviceId: g.paie.id, access: "write" },
        { space: space.sollicitationsEmises, serviceId: null, access: "read" },
      ],
      comment: "Je traite les factures de la paie",
      createdAt: toInstant(subscriptionAsked),
      status: "pending",
    });
  });

  it("records « Demande d’abonnement » in the hospital's history, by and about Élodie, linked to the request", () => {
    const g = buildGuide();
    const r = unwrap(ask(g, { comment: "  Pour la paie \n" }));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "subscriptionRequested",
        at,
        actorId: g.elodie.id,
        targetUserId: g.elodie.id,
        requestId,
        details: { items: elodieItems(g), comment: "Pour la paie" },
      },
    ]);
    expect(historyKindLabel.subscriptionRequested).toBe("Demande d’abonnement");
    expect(r.request.comment).toBe("Pour la paie");
  });

  it("emits SubscriptionRequested so the host tells the hospital's managers", () => {
    const g = buildGuide();
    expect(unwrap(ask(g)).events).toEqual([
      { type: "SubscriptionRequested", at, requestId, structureId: g.hospital.id, userId: g.elodie.id },
    ]);
  });

  it("a blank comment (zero-width spaces) is no comment", () => {
    const g = buildGuide();
    expect(unwrap(ask(g, { comment: "\u200B \u200B" })).request.comment).toBe("");
    expect(unwrap(ask(g, {})).request.comment).toBe("");
  });

  it("a user attached to the whole structure may ask for any active service of it, and a structure without services for all services", () => {
    const g = buildGuide();
    const r = unwrap(
      requestSubscription(
        { user: g.bruno, structure: g.hospital, services: g.serviceIndex },
        { structureId: g.hospital.id, items: [{ space: space.emises, serviceId: g.rh.id, access: "write" }] },
        context,
      ),
    );
    expect(r.request.items).toEqual([{ space: space.emises, serviceId: g.rh.id, access: "write" }]);
    const townHall = unwrap(
      requestSubscription(
        { user: g.alice, structure: g.townHall, services: new Map() },
        { structureId: g.townHall.id, items: [{ space: space.recues, serviceId: null, access: "read" }] },
        context,
      ),
    );
    expect(townHall.request.items).toEqual([{ space: space.recues, serviceId: null, access: "read" }]);
  });

  it("a user of some services may ask for a space on all services (the grant will only reach her services)", () => {
    const g = buildGuide();
    expect(unwrap(ask(g, { items: [{ space: space.emises, serviceId: null, access: "write" }] })).request.items).toEqual([
      { space: space.emises, serviceId: null, access: "write" },
    ]);
  });

  it("a request does not change the user: nothing is given before a manager decides", () => {
    const g = buildGuide();
    const r = unwrap(ask(g));
    expect(Object.keys(r).sort()).toEqual(["events", "history", "request"]);
  });

  describe("refusals", () => {
    it("a command naming another structure than the one given: NOT_FOUND structure", () => {
      const g = buildGuide();
      expect(expectErr(ask(g, { structureId: g.acme.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    });

    it.each(["deactivated", "pendingActivation"] as const)("an account %s: FORBIDDEN accountNotActive", (status) => {
      const g = buildGuide();
      expect(expectErr(ask(g, {}, { user: withStatus(g.elodie, status) }), "FORBIDDEN")).toEqual({
        code: "FORBIDDEN",
        actorId: g.elodie.id,
        structureId: g.hospital.id,
        reason: "accountNotActive",
      });
    });

    it("a space not in the catalogue: VALIDATION unknown_space at its position", () => {
      const g = buildGuide();
      const e = expectErr(ask(g, { items: [...elodieItems(g), { space: spaceCode("E_REPORTING"), serviceId: null, access: "read" }] }), "VALIDATION");
      expect(e.issues).toEqual([expect.objectContaining({ path: ["items", 3, "space"], code: "unknown_space" })]);
    });

    it("a space of Chorus Pro, with a catalogue that does not have it: VALIDATION", () => {
      const g = buildGuide();
      const mine = unwrap(spaceCatalogue([{ code: spaceCode("E_REPORTING"), label: "E-reporting", apiCode: "EREPORTING" }]));
      const r = requestSubscription(
        { user: g.elodie, structure: g.hospital, services: g.serviceIndex },
        { structureId: g.hospital.id, items: [{ space: space.recues, serviceId: null, access: "read" }] },
        { ...ctx, requestId, catalogue: mine },
      );
      expect(expectErr(r, "VALIDATION").issues[0]).toMatchObject({ path: ["items", 0, "space"], code: "unknown_space" });
      // …and with the default catalogue, the same request passes.
      expect(
        requestSubscription(
          { user: g.elodie, structure: g.hospital, services: g.serviceIndex },
          { structureId: g.hospital.id, items: [{ space: space.recues, serviceId: null, access: "read" }] },
          { ...ctx, requestId, catalogue: CHORUS_PRO_SPACES },
        ).ok,
      ).toBe(true);
    });

    it("a user not attached to the structure (Chloé): NOT_FOUND structure, as for one that does not exist", () => {
      const g = buildGuide();
      expect(expectErr(ask(g, { items: [{ space: space.recues, serviceId: null, access: "read" }] }, { user: g.chloe }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "structure",
        id: g.hospital.id,
      });
    });

    it("a service outside her attachment (COMPTA, she is on PAIE): NOT_ATTACHED naming the service", () => {
      const g = buildGuide();
      expect(expectErr(ask(g, { items: [{ space: space.recues, serviceId: g.compta.id, access: "read" }] }), "NOT_ATTACHED")).toEqual({
        code: "NOT_ATTACHED",
        structureId: g.hospital.id,
        userId: g.elodie.id,
        serviceId: g.compta.id,
      });
    });

    it("an unknown service, or one of another structure: NOT_FOUND service, the same error", () => {
      const g = buildGuide();
      const unknown = serviceId("svc-404");
      expect(expectErr(ask(g, { items: [{ space: space.recues, serviceId: unknown, access: "read" }] }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "service",
        id: unknown,
      });
      expect(expectErr(ask(g, { items: [{ space: space.recues, serviceId: g.ventes.id, access: "read" }] }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "service",
        id: g.ventes.id,
      });
    });

    it("a deactivated service: SERVICE_INACTIVE", () => {
      const g = buildGuide();
      const paie = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.paie }, { serviceId: g.paie.id }, ctx)).service;
      expect(expectErr(ask(g, {}, { services: replaceService(g.serviceIndex, paie) }), "SERVICE_INACTIVE")).toEqual({
        code: "SERVICE_INACTIVE",
        serviceId: g.paie.id,
      });
    });
  });
});
