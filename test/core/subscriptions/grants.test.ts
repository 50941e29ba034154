// grantSpaces / revokeSpaceGrant — a manager gives spaces directly (beyond the guide:
// Chorus Pro's managers gained it later) or takes one grant back.
import { describe, expect, it } from "vitest";
import {
  deactivateService,
  errorMessage,
  grantSpaces,
  historyKindLabel,
  revokeSpaceGrant,
  serviceId,
  spaceCode,
  userId,
  type GrantSpaces,
  type GrantState,
  type RevokeSpaceGrant,
} from "../../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  expectErr,
  grantOf,
  holding,
  hospitalOutsiders,
  openedOn,
  replaceService,
  sctx,
  space,
  unwrap,
  withStatus,
  type Guide,
} from "../fixtures.js";

/** The hospital with « Factures reçues » open on it and « Factures émises » open on PAIE. */
function opened(g: Guide) {
  const paie = openedOn(g.paie, space.emises);
  return { structure: openedOn(g.hospital, space.recues), services: replaceService(g.serviceIndex, paie), paie };
}

function grant(g: Guide, command: Partial<GrantSpaces> = {}, state: Partial<GrantState> = {}) {
  const o = opened(g);
  return grantSpaces(
    { actor: g.alice, structure: o.structure, user: g.elodie, services: o.services, ...state },
    {
      structureId: g.hospital.id,
      userId: g.elodie.id,
      items: [
        { space: space.recues, serviceId: null, access: "read" },
        { space: space.emises, serviceId: g.paie.id, access: "write" },
      ],
      ...command,
    },
    sctx,
  );
}

describe("grantSpaces — « habilitation accordée par le gestionnaire »", () => {
  it("given spaces open where they point, when Alice gives them to Élodie, then she holds one grant per line", () => {
    const g = buildGuide();
    const r = unwrap(grant(g, { comment: " Renfort " }));
    expect(r.user).toEqual({
      ...g.elodie,
      grants: [
        { structureId: g.hospital.id, space: space.emises, serviceId: g.paie.id, access: "write", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null },
        { structureId: g.hospital.id, space: space.recues, serviceId: null, access: "read", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null },
      ],
    });
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "spacesGranted",
        at,
        actorId: g.alice.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: {
          items: [
            { space: space.emises, serviceId: g.paie.id, access: "write" },
            { space: space.recues, serviceId: null, access: "read" },
          ],
          comment: "Renfort",
        },
      },
    ]);
    expect(historyKindLabel.spacesGranted).toBe("Habilitation accordée par le gestionnaire");
    expect(r.events).toEqual([
      {
        type: "SpacesGranted",
        at,
        structureId: g.hospital.id,
        userId: g.elodie.id,
        grantedBy: g.alice.id,
        items: [
          { space: space.emises, serviceId: g.paie.id, access: "write" },
          { space: space.recues, serviceId: null, access: "read" },
        ],
      },
    ]);
  });

  it("replaces a grant held for the same space and service, keeps the others (elsewhere included)", () => {
    const g = buildGuide();
    const elsewhere = grantOf(g.acme.id, space.recues, null, "write", g.victor.id);
    const other = grantOf(g.hospital.id, space.recues, g.paie.id, "read");
    const before = holding(g.elodie, grantOf(g.hospital.id, space.recues, null, "write"), other, elsewhere);
    const r = unwrap(grant(g, { items: [{ space: space.recues, serviceId: null, access: "read" }] }, { user: before }));
    expect(r.user.grants).toEqual([other, elsewhere, { ...grantOf(g.hospital.id, space.recues, null, "read"), grantedAt: at, validUntil: null, endNotice: null }]);
  });

  it("a space open on the structure may be given for one service; without a comment, none is recorded", () => {
    const g = buildGuide();
    const r = unwrap(grant(g, { items: [{ space: space.recues, serviceId: g.paie.id, access: "write" }] }));
    expect(r.user.grants).toHaveLength(1);
    expect(r.history[0]?.details).toEqual({ items: [{ space: space.recues, serviceId: g.paie.id, access: "write" }] });
  });

  it("an account awaiting activation may be given spaces (they give access once it is active)", () => {
    const g = buildGuide();
    expect(grant(g, {}, { user: withStatus(g.elodie, "pendingActivation") }).ok).toBe(true);
  });

  describe("refusals", () => {
    it("a space not open where it points: SPACE_NOT_OPEN (on the structure for all services, on the service otherwise)", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, { items: [{ space: space.emises, serviceId: null, access: "read" }] }), "SPACE_NOT_OPEN")).toEqual({
        code: "SPACE_NOT_OPEN",
        structureId: g.hospital.id,
        serviceId: null,
        space: space.emises,
      });
      expect(expectErr(grant(g, { items: [{ space: space.aValider, serviceId: g.paie.id, access: "read" }] }), "SPACE_NOT_OPEN")).toEqual({
        code: "SPACE_NOT_OPEN",
        structureId: g.hospital.id,
        serviceId: g.paie.id,
        space: space.aValider,
      });
    });

    it("a user not attached to the structure: NOT_FOUND user, as an unknown id; outside the service: NOT_ATTACHED naming it", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, { userId: g.chloe.id }, { user: g.chloe }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "user",
        id: g.chloe.id,
      });
      const o = opened(g);
      const compta = openedOn(g.compta, space.emises);
      expect(
        expectErr(
          grant(g, { items: [{ space: space.emises, serviceId: g.compta.id, access: "read" }] }, { services: replaceService(o.services, compta) }),
          "NOT_ATTACHED",
        ),
      ).toEqual({ code: "NOT_ATTACHED", structureId: g.hospital.id, userId: g.elodie.id, serviceId: g.compta.id });
    });

    it("to oneself: SELF_DECISION_FORBIDDEN naming no request (the primary manager as a secondary one), and nothing granted", () => {
      const g = buildGuide();
      for (const manager of [g.alice, g.bruno]) {
        const r = grant(g, { userId: manager.id }, { actor: manager, user: manager });
        expect(expectErr(r, "SELF_DECISION_FORBIDDEN")).toEqual({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: manager.id });
        expect(errorMessage(expectErr(r, "SELF_DECISION_FORBIDDEN"))).toBe("Un gestionnaire ne peut pas s'accorder lui-même des habilitations.");
      }
    });

    it("a deactivated account: ACCOUNT_NOT_ACTIVE", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, {}, { user: withStatus(g.elodie, "deactivated") }), "ACCOUNT_NOT_ACTIVE")).toEqual({
        code: "ACCOUNT_NOT_ACTIVE",
        userId: g.elodie.id,
        status: "deactivated",
      });
    });

    it("a deactivated service: SERVICE_INACTIVE", () => {
      const g = buildGuide();
      const o = opened(g);
      const paie = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: o.paie }, { serviceId: g.paie.id }, ctx)).service;
      expect(expectErr(grant(g, {}, { services: replaceService(o.services, paie) }), "SERVICE_INACTIVE")).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.paie.id });
    });

    it("an unknown service, or one of another structure: NOT_FOUND service", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, { items: [{ space: space.recues, serviceId: serviceId("svc-404"), access: "read" }] }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "service",
        id: "svc-404",
      });
      expect(expectErr(grant(g, { items: [{ space: space.recues, serviceId: g.ventes.id, access: "read" }] }), "NOT_FOUND").id).toBe(g.ventes.id);
    });

    it("a space not in the catalogue: VALIDATION unknown_space", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, { items: [{ space: spaceCode("E_REPORTING"), serviceId: null, access: "read" }] }), "VALIDATION").issues).toEqual([
        expect.objectContaining({ path: ["items", 0, "space"], code: "unknown_space" }),
      ]);
    });

    it("a user record that is not the one named: NOT_FOUND user; another structure named: NOT_FOUND structure", () => {
      const g = buildGuide();
      expect(expectErr(grant(g, { userId: userId("u-404") }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: "u-404" });
      expect(expectErr(grant(g, { structureId: g.acme.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    });

    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("%s: FORBIDDEN with the reason, before anything about the user", (_, outsider) => {
      const g = buildGuide();
      const actor = outsider.actor(g);
      expect(expectErr(grant(g, { userId: userId("u-404") }, { actor }), "FORBIDDEN")).toEqual({
        code: "FORBIDDEN",
        actorId: actor.id,
        structureId: g.hospital.id,
        reason: outsider.reason,
      });
    });
  });
});

describe("revokeSpaceGrant — « habilitation retirée »", () => {
  const forPaie = (g: Guide) => grantOf(g.hospital.id, space.recues, g.paie.id, "write");
  const forAll = (g: Guide) => grantOf(g.hospital.id, space.recues, null, "read");
  const elsewhere = (g: Guide) => grantOf(g.acme.id, space.recues, null, "read", g.victor.id);

  function revoke(g: Guide, command: Partial<RevokeSpaceGrant> = {}, state: Partial<GrantState> = {}) {
    return revokeSpaceGrant(
      { actor: g.alice, structure: g.hospital, user: holding(g.elodie, forPaie(g), forAll(g), elsewhere(g)), services: new Map(), ...state },
      { structureId: g.hospital.id, userId: g.elodie.id, space: space.recues, serviceId: g.paie.id, ...command },
      ctx,
    );
  }

  it("takes back the grant named, and only it, with « Habilitation retirée » and the access it gave", () => {
    const g = buildGuide();
    const r = unwrap(revoke(g));
    expect(r.user.grants).toEqual([forAll(g), elsewhere(g)]);
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "spaceGrantRevoked",
        at,
        actorId: g.alice.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { space: space.recues, access: "write", serviceId: g.paie.id },
      },
    ]);
    expect(historyKindLabel.spaceGrantRevoked).toBe("Habilitation retirée");
    expect(r.events).toEqual([
      { type: "SpaceGrantRevoked", at, structureId: g.hospital.id, userId: g.elodie.id, revokedBy: g.alice.id, space: space.recues, serviceId: g.paie.id },
    ]);
  });

  it("the grant for all services is its own: revoked with serviceId null", () => {
    const g = buildGuide();
    const r = unwrap(revoke(g, { serviceId: null }));
    expect(r.user.grants).toEqual([forPaie(g), elsewhere(g)]);
    expect(r.history[0]?.details).toEqual({ space: space.recues, access: "read" });
  });

  describe("refusals", () => {
    it("no such grant in this structure: NOT_FOUND spaceGrant « space/service » (« * » for all services)", () => {
      const g = buildGuide();
      expect(expectErr(revoke(g, { space: space.emises }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "spaceGrant", id: `FACTURES_EMISES/${g.paie.id}` });
      expect(expectErr(revoke(g, { serviceId: null }, { user: holding(g.elodie, forPaie(g)) }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "spaceGrant",
        id: "FACTURES_RECUES/*",
      });
      // Her grant in ACME is not the hospital's.
      expect(expectErr(revoke(g, { serviceId: null }, { user: holding(g.elodie, elsewhere(g)) }), "NOT_FOUND").entity).toBe("spaceGrant");
    });

    it("a user not attached to the structure (holding a grant of it or not): NOT_FOUND user, as an unknown id", () => {
      const g = buildGuide();
      const chloe = holding(g.chloe, forPaie(g));
      expect(expectErr(revoke(g, { userId: chloe.id }, { user: chloe }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: g.chloe.id });
    });

    it("a user record that is not the one named: NOT_FOUND user; another structure named: NOT_FOUND structure", () => {
      const g = buildGuide();
      expect(expectErr(revoke(g, { userId: g.bruno.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: g.bruno.id });
      expect(expectErr(revoke(g, { structureId: g.acme.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    });

    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("%s: FORBIDDEN with the reason", (_, outsider) => {
      const g = buildGuide();
      const actor = outsider.actor(g);
      expect(expectErr(revoke(g, {}, { actor }), "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason: outsider.reason });
    });
  });
});
