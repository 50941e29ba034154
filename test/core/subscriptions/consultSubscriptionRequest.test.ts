// consultSubscriptionRequest — the consultation screen of a subscription request (guide
// §2): the structure, the user, each space with « Tous les services » or one service,
// « Consultation » or « Modification », and the user's comment.
import { describe, expect, it } from "vitest";
import {
  ALL_SERVICES_LABEL,
  consultSubscriptionRequest,
  indexServices,
  spaceCatalogue,
  spaceCode,
  validateSubscriptionRequest,
} from "../../../src/core/index.js";
import {
  buildGuide,
  ctx,
  elodieSubscription,
  expectErr,
  grantOf,
  holding,
  hospitalOutsiders,
  openedOn,
  replaceService,
  sctx,
  space,
  unwrap,
  type Guide,
} from "../fixtures.js";

function consult(g: Guide, overrides: Partial<Parameters<typeof consultSubscriptionRequest>[0]> = {}) {
  return consultSubscriptionRequest(
    { actor: g.alice, structure: g.hospital, request: elodieSubscription(g), requester: g.elodie, services: g.serviceIndex, ...overrides },
    sctx,
  );
}

describe("consultSubscriptionRequest — « consulter une demande d'abonnement »", () => {
  it("shows the structure, the user, her comment and each line with its French labels", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    const view = unwrap(consult(g));
    expect(view.request).toEqual(request);
    expect(view.structure).toEqual({
      id: g.hospital.id,
      designation: "Centre hospitalier de Lyon",
      kind: "public",
      viaPigp: false,
      identifier: { type: "siret", value: "26690027400017" },
    });
    expect(view.user).toEqual({ id: g.elodie.id, login: "elodie.lefevre@chu-lyon.fr", lastName: "Lefèvre", firstName: "Élodie", status: "active" });
    expect(view.comment).toBe("Je traite les factures de la paie");
    expect(view.items).toEqual([
      {
        space: space.aValider,
        spaceLabel: "Factures à valider",
        serviceId: g.paie.id,
        serviceCode: "PAIE",
        serviceLabel: "Paie",
        access: "read",
        accessLabel: "Consultation",
        open: false,
        held: null,
      },
      {
        space: space.recues,
        spaceLabel: "Factures reçues",
        serviceId: g.paie.id,
        serviceCode: "PAIE",
        serviceLabel: "Paie",
        access: "write",
        accessLabel: "Modification",
        open: false,
        held: null,
      },
      {
        space: space.sollicitationsEmises,
        spaceLabel: "Sollicitations émises",
        serviceId: null,
        serviceCode: null,
        serviceLabel: "Tous les services",
        access: "read",
        accessLabel: "Consultation",
        open: false,
        held: null,
      },
    ]);
    expect(ALL_SERVICES_LABEL).toBe("Tous les services");
  });

  it("shows nothing of the user's other structures, nor her contact address", () => {
    const g = buildGuide();
    const view = unwrap(consult(g, { requester: holding(g.elodie, grantOf(g.acme.id, space.recues, null, "write", g.victor.id)) }));
    expect(Object.keys(view.user).sort()).toEqual(["firstName", "id", "lastName", "login", "status"]);
    expect(JSON.stringify(view)).not.toContain(g.acme.id);
  });

  it("says whether each space is already open where its line points (what scope « user » needs)", () => {
    const g = buildGuide();
    // « Factures reçues » open on PAIE, « Sollicitations émises » open on PAIE only (not enough for all services),
    // « Factures à valider » open on the structure (enough for PAIE).
    const paie = openedOn(g.paie, space.recues, space.sollicitationsEmises);
    const view = unwrap(consult(g, { structure: openedOn(g.hospital, space.aValider), services: replaceService(g.serviceIndex, paie) }));
    expect(view.items.map((i) => [i.space, i.open])).toEqual([
      [space.aValider, true],
      [space.recues, true],
      [space.sollicitationsEmises, false],
    ]);
  });

  it("says what the user already holds for each line (in this structure only)", () => {
    const g = buildGuide();
    const requester = holding(
      g.elodie,
      grantOf(g.hospital.id, space.recues, g.paie.id, "read"),
      grantOf(g.hospital.id, space.sollicitationsEmises, g.paie.id, "write"), // for PAIE, not for all services
      grantOf(g.acme.id, space.aValider, g.paie.id, "write", g.victor.id), // another structure
    );
    expect(unwrap(consult(g, { requester })).items.map((i) => [i.space, i.held])).toEqual([
      [space.aValider, null],
      [space.recues, "read"],
      [space.sollicitationsEmises, null],
    ]);
  });

  it("after validation, the lines granted are held", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    const v = unwrap(
      validateSubscriptionRequest(
        { actor: g.alice, structure: g.hospital, request, requester: g.elodie, services: g.serviceIndex },
        { requestId: request.id, scope: "structure" },
        sctx,
      ),
    );
    const view = unwrap(consult(g, { request: v.request, requester: v.requester, structure: v.structure }));
    expect(view.request.status).toBe("validated");
    expect(view.items.map((i) => [i.held, i.open])).toEqual([
      ["read", true],
      ["write", true],
      ["read", true],
    ]);
  });

  it("a service no longer in the records shown by its id; a space no longer in the catalogue by its code", () => {
    const g = buildGuide();
    const view = unwrap(consult(g, { services: indexServices([]) }));
    expect(view.items[0]).toMatchObject({ serviceId: g.paie.id, serviceCode: null, serviceLabel: g.paie.id });
    const mine = unwrap(spaceCatalogue([{ code: spaceCode("FACTURES_RECUES"), label: "Réception", apiCode: "R" }]));
    const other = unwrap(
      consultSubscriptionRequest(
        { actor: g.alice, structure: g.hospital, request: elodieSubscription(g), requester: g.elodie, services: g.serviceIndex },
        { ...ctx, catalogue: mine },
      ),
    );
    expect(other.items.map((i) => i.spaceLabel)).toEqual(["FACTURES_A_VALIDER", "Réception", "SOLLICITATIONS_EMISES"]);
  });

  describe("refusals", () => {
    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("%s gets NOT_FOUND naming the request, as for an unknown one", (_, outsider) => {
      const g = buildGuide();
      expect(consult(g, { actor: outsider.actor(g) })).toEqual({
        ok: false,
        error: { code: "NOT_FOUND", entity: "subscriptionRequest", id: elodieSubscription(g).id },
      });
    });

    it("a request of another structure than the one given: NOT_FOUND subscriptionRequest", () => {
      const g = buildGuide();
      expect(expectErr(consult(g, { structure: g.townHall }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "subscriptionRequest",
        id: "sub-elodie",
      });
    });

    it("a requester record that is not the request's user: NOT_FOUND user", () => {
      const g = buildGuide();
      expect(expectErr(consult(g, { requester: g.bruno }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: g.elodie.id });
    });
  });
});
