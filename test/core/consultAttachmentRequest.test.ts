import { describe, expect, it } from "vitest";
import {
  consultAttachmentRequest,
  deactivateService,
  defaultValidationScope,
  refuseAttachmentRequest,
  scopeServiceIds,
  userId,
  type ConsultRequestState,
} from "../../src/core/index.js";
import { buildGuide, ctx, expectErr, hospitalOutsiders, unwrap, type Guide } from "./fixtures.js";

function consultElodie(g: Guide, overrides: Partial<ConsultRequestState> = {}) {
  return consultAttachmentRequest(
    {
      actor: g.alice,
      structure: g.hospital,
      request: g.elodieRequest,
      requester: g.elodie,
      services: g.hospitalServices,
      ...overrides,
    },
    ctx,
  );
}

describe("consultAttachmentRequest — « Consulter la demande »", () => {
  describe("in a structure with services", () => {
    it("lists every active service with its « statut du rattachement » and its default check", () => {
      const g = buildGuide();
      const view = unwrap(consultElodie(g));
      expect(view.services.map((s) => [s.code, s.label, s.status, s.statusLabel, s.checked])).toEqual([
        ["ACHATS", "Achats", "requested", "En cours de validation", true],
        ["COMPTA", "Comptabilité", "requested", "En cours de validation", true],
        ["PAIE", "Paie", "attached", "Validé", true],
        ["RH", "Ressources humaines", null, null, false],
      ]);
      expect(view.services.map((s) => s.serviceId)).toEqual([g.achats.id, g.compta.id, g.paie.id, g.rh.id]);
      expect(view.wholeStructureChecked).toBe(false);
    });

    it("shows the structure, the requesting user, the comment, the role asked for and the current attachment", () => {
      const g = buildGuide();
      const view = unwrap(consultElodie(g));
      expect(view.request).toEqual(g.elodieRequest);
      expect(view.structure).toEqual({
        id: g.hospital.id,
        designation: "Centre hospitalier de Lyon",
        kind: "public",
        viaPigp: false,
        identifier: { type: "siret", value: "26690027400017" },
      });
      // Only what the screen shows: no contact address.
      expect(view.user).toStrictEqual({
        id: g.elodie.id,
        login: "elodie.lefevre@chu-lyon.fr",
        lastName: "Lefèvre",
        firstName: "Élodie",
        status: "active",
      });
      expect(view.comment).toBe("Je rejoins aussi les achats et la comptabilité");
      expect(view.requestedRole).toBe("user");
      expect(view.current).toEqual({ role: "user", scope: { kind: "services", serviceIds: [g.paie.id] } });
    });

    it("leaves inactive services out (RH deactivated)", () => {
      const g = buildGuide();
      const rhOff = unwrap(
        deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
      ).service;
      const view = unwrap(consultElodie(g, { services: [g.achats, g.compta, g.paie, rhOff] }));
      expect(view.services.map((s) => s.code)).toEqual(["ACHATS", "COMPTA", "PAIE"]);
    });

    it("lists services in code order whatever order they come in, and ignores services of other structures", () => {
      const g = buildGuide();
      const view = unwrap(consultElodie(g, { services: [g.rh, g.ventes, g.paie, g.achats, g.compta] }));
      expect(view.services.map((s) => s.code)).toEqual(["ACHATS", "COMPTA", "PAIE", "RH"]);
    });

    it("checks by default exactly what validation grants by default", () => {
      const g = buildGuide();
      const view = unwrap(consultElodie(g));
      const checked = view.services.filter((s) => s.checked).map((s) => s.serviceId);
      expect(checked).toEqual(scopeServiceIds(defaultValidationScope(g.elodieRequest, g.elodie, g.serviceIndex)));
    });
  });

  describe("in a structure without services", () => {
    it("shows no services, and « Rattacher à la structure » checked", () => {
      const g = buildGuide();
      const view = unwrap(
        consultAttachmentRequest(
          { actor: g.alice, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: [] },
          ctx,
        ),
      );
      expect(view.services).toEqual([]);
      expect(view.wholeStructureChecked).toBe(true);
      expect(view.current).toBeNull();
      expect(view.comment).toBe("Nouvelle agente d'accueil");
      expect(view.structure.designation).toBe("Mairie de Villeurbanne");
    });
  });

  it("a secondary manager may consult (Bruno)", () => {
    const g = buildGuide();
    expect(consultElodie(g, { actor: g.bruno }).ok).toBe(true);
  });

  describe("an actor who may not manage the request's structure cannot tell it from a request that does not exist", () => {
    it.each(hospitalOutsiders)(
      "given $who, when consulting Élodie's request, then NOT_FOUND attachmentRequest naming only its id",
      ({ actor }) => {
        const g = buildGuide();
        const e = expectErr(consultElodie(g, { actor: actor(g) }), "NOT_FOUND");
        expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
      },
    );

    it("given a manager of the hospital only (Bruno), when consulting Chloé's request to the town hall, then NOT_FOUND attachmentRequest", () => {
      const g = buildGuide();
      const e = expectErr(
        consultAttachmentRequest(
          { actor: g.bruno, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: [] },
          ctx,
        ),
        "NOT_FOUND",
      );
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id });
    });

    it.each(hospitalOutsiders)("given $who and a requester record that does not match, NOT_FOUND still names the request, not the user", ({ actor }) => {
      const g = buildGuide();
      const e = expectErr(consultElodie(g, { actor: actor(g), requester: { ...g.david, id: userId("u-x") } }), "NOT_FOUND");
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
    });
  });

  it("a decided request can still be consulted by a manager (the view shows its status)", () => {
    const g = buildGuide();
    const refused = unwrap(
      refuseAttachmentRequest(
        { actor: g.alice, structure: g.hospital, request: g.elodieRequest },
        { requestId: g.elodieRequest.id, reason: "Doublon" },
        ctx,
      ),
    ).request;
    expect(unwrap(consultElodie(g, { request: refused })).request.status).toBe("refused");
  });

  it("refuses a request of another structure than the one loaded, even one the actor manages: NOT_FOUND attachmentRequest", () => {
    const g = buildGuide();
    expect(expectErr(consultElodie(g, { structure: g.townHall }), "NOT_FOUND")).toStrictEqual({
      code: "NOT_FOUND",
      entity: "attachmentRequest",
      id: g.elodieRequest.id,
    });
  });

  it("refuses a requester record that is not the request's user, for a manager: NOT_FOUND user", () => {
    const g = buildGuide();
    expect(expectErr(consultElodie(g, { requester: { ...g.david, id: userId("u-x") } }), "NOT_FOUND")).toStrictEqual({
      code: "NOT_FOUND",
      entity: "user",
      id: g.elodie.id,
    });
  });
});
