import { describe, expect, it } from "vitest";
import {
  consultAttachmentRequest,
  deactivateService,
  defaultValidationScope,
  scopeServiceIds,
  userId,
  type ConsultRequestState,
} from "../../src/core/index.js";
import { buildGuide, ctx, expectErr, unwrap, withStatus, type Guide } from "./fixtures.js";

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
      expect(view.user).toEqual({
        id: g.elodie.id,
        login: "elodie.lefevre@chu-lyon.fr",
        contactEmail: "elodie.lefevre@chu-lyon.fr",
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

  it("refuses a non-manager (the requester herself): FORBIDDEN notAManager", () => {
    const g = buildGuide();
    const e = expectErr(consultElodie(g, { actor: g.elodie }), "FORBIDDEN");
    expect(e).toEqual({ code: "FORBIDDEN", actorId: g.elodie.id, structureId: g.hospital.id, reason: "notAManager" });
  });

  it("refuses the manager of another structure: FORBIDDEN", () => {
    const g = buildGuide();
    expect(expectErr(consultElodie(g, { actor: g.victor }), "FORBIDDEN").reason).toBe("notAManager");
  });

  it("refuses a deactivated manager: FORBIDDEN accountNotActive", () => {
    const g = buildGuide();
    expect(expectErr(consultElodie(g, { actor: withStatus(g.bruno, "deactivated") }), "FORBIDDEN").reason).toBe(
      "accountNotActive",
    );
  });

  it("refuses records that do not match: NOT_FOUND structure / user", () => {
    const g = buildGuide();
    expect(expectErr(consultElodie(g, { structure: g.townHall }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "structure",
      id: g.hospital.id,
    });
    expect(expectErr(consultElodie(g, { requester: { ...g.david, id: userId("u-x") } }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "user",
      id: g.elodie.id,
    });
  });
});
