// mayAccess — the access query a host asks on every request: « may this user read / write
// this space of this service (or of the structure)? », and usableGrants.
import { describe, expect, it } from "vitest";
import {
  deactivateService,
  isSpaceOpen,
  localDate,
  mayAccess,
  usableGrants,
  type AccessQuery,
  type AccessState,
  type Service,
  type SpaceGrant,
} from "../../../src/core/index.js";
import {
  buildGuide,
  ctx,
  grantOf,
  holding,
  openedOn,
  space,
  today,
  tomorrow,
  unwrap,
  withFutureManager,
  withStatus,
  type Guide,
} from "../fixtures.js";

/** Élodie (simple user of the hospital on PAIE) holding `grants`; the hospital with `onStructure` open. */
function world(g: Guide, grants: SpaceGrant[], onStructure = [space.recues]) {
  return { user: holding(g.elodie, ...grants), structure: openedOn(g.hospital, ...onStructure) };
}

function may(state: AccessState, query: Partial<AccessQuery> & Pick<AccessQuery, "serviceId">, day = today) {
  return mayAccess(state, { structureId: state.structure.id, space: space.recues, access: "read", ...query }, day);
}

describe("mayAccess — every condition of the access query", () => {
  describe("the account and the attachment", () => {
    it("an active member with a usable grant may; the same record deactivated or awaiting activation may not", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "read")]);
      expect(may({ ...w, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
      expect(may({ ...w, user: withStatus(w.user, "deactivated"), service: g.paie }, { serviceId: g.paie.id })).toBe(false);
      expect(may({ ...w, user: withStatus(w.user, "pendingActivation"), service: g.paie }, { serviceId: g.paie.id })).toBe(false);
    });

    it("a user not attached to the structure may not, whatever grants she holds there", () => {
      const g = buildGuide();
      const chloe = holding(g.chloe, grantOf(g.hospital.id, space.recues, null, "write"));
      expect(may({ user: chloe, structure: openedOn(g.hospital, space.recues), service: null }, { serviceId: null })).toBe(false);
    });

    it("an attachment from 2026-12-15 gives nothing on 2026-11-27, and gives access from 2026-12-15", () => {
      const g = buildGuide();
      const david = holding(withFutureManager(g), grantOf(g.hospital.id, space.recues, null, "write"));
      const state = { user: david, structure: openedOn(g.hospital, space.recues), service: null };
      expect(may(state, { serviceId: null }, today)).toBe(false);
      expect(may(state, { serviceId: null }, localDate("2026-12-14"))).toBe(false);
      expect(may(state, { serviceId: null }, localDate("2026-12-15"))).toBe(true);
    });

    it("a query about another structure than the one given may not", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "read")]);
      expect(may({ ...w, service: null }, { serviceId: null })).toBe(true);
      expect(may({ ...w, service: null }, { serviceId: null, structureId: g.townHall.id })).toBe(false);
    });
  });

  describe("the service asked about", () => {
    it("a deactivated service gives nothing, even with a grant on it", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "write")]);
      const paie = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.paie }, { serviceId: g.paie.id }, ctx)).service;
      expect(may({ ...w, service: paie }, { serviceId: g.paie.id })).toBe(false);
    });

    it("a service outside the user's scope gives nothing, even with a grant for all services", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "write"), grantOf(g.hospital.id, space.recues, g.compta.id, "write")]);
      expect(may({ ...w, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
      expect(may({ ...w, service: g.compta }, { serviceId: g.compta.id })).toBe(false);
    });

    it("a service of another structure gives nothing", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "write")]);
      expect(may({ ...w, service: g.ventes }, { serviceId: g.ventes.id })).toBe(false);
    });

    it("a query naming a service whose record is missing, or another record, gives nothing", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "write")]);
      expect(may({ ...w, service: null }, { serviceId: g.paie.id })).toBe(false);
      expect(may({ ...w, service: g.rh }, { serviceId: g.paie.id })).toBe(false);
    });
  });

  describe("the grant and where the space is open", () => {
    it("a grant for all services reaches the structure and every service in scope, with the space open on the structure", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "read")]);
      expect(may({ ...w, service: null }, { serviceId: null })).toBe(true);
      expect(may({ ...w, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
    });

    it("a grant for all services needs the space open on the structure: open on the service only is not enough", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, null, "read")], []);
      const paie = openedOn(g.paie, space.recues);
      expect(may({ ...w, service: paie }, { serviceId: g.paie.id })).toBe(false);
      expect(may({ ...w, service: null }, { serviceId: null })).toBe(false);
    });

    it("a grant for one service reaches that service, with the space open on the structure or on that service", () => {
      const g = buildGuide();
      const grant = grantOf(g.hospital.id, space.recues, g.paie.id, "read");
      const onStructure = world(g, [grant]);
      expect(may({ ...onStructure, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
      const onService = world(g, [grant], []);
      expect(may({ ...onService, service: openedOn(g.paie, space.recues) }, { serviceId: g.paie.id })).toBe(true);
      expect(may({ ...onService, service: g.paie }, { serviceId: g.paie.id })).toBe(false);
      // Open on COMPTA only: not for PAIE (the service given is PAIE's record).
      expect(may({ ...onService, user: holding(g.bruno, grant), service: g.paie }, { serviceId: g.paie.id })).toBe(false);
      expect(may({ ...onService, user: holding(g.bruno, grant), service: openedOn(g.compta, space.recues) }, { serviceId: g.compta.id })).toBe(false);
    });

    it("a grant for one service does not reach the structure as a whole, nor another service", () => {
      const g = buildGuide();
      const bruno = holding(g.bruno, grantOf(g.hospital.id, space.recues, g.paie.id, "write")); // Bruno: whole structure
      const structure = openedOn(g.hospital, space.recues);
      expect(may({ user: bruno, structure, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
      expect(may({ user: bruno, structure, service: null }, { serviceId: null })).toBe(false);
      expect(may({ user: bruno, structure, service: g.rh }, { serviceId: g.rh.id })).toBe(false);
    });

    it("a space opened on the structure serves a grant for a service the user is in; closing it there takes access away", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "read")]);
      expect(may({ ...w, service: g.paie }, { serviceId: g.paie.id })).toBe(true);
      expect(may({ ...w, structure: { ...g.hospital, openSpaces: [] }, service: g.paie }, { serviceId: g.paie.id })).toBe(false);
    });

    it("a grant for another space, or in another structure, gives nothing here", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.emises, null, "write"), grantOf(g.acme.id, space.recues, null, "write", g.victor.id)], [
        space.recues,
        space.emises,
      ]);
      expect(may({ ...w, service: null }, { serviceId: null })).toBe(false);
      expect(may({ ...w, service: null }, { serviceId: null, space: space.emises })).toBe(true);
    });
  });

  describe("read and write", () => {
    it("« Consultation » gives read, not write; « Modification » gives both", () => {
      const g = buildGuide();
      const reader = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "read")]);
      expect(may({ ...reader, service: g.paie }, { serviceId: g.paie.id, access: "read" })).toBe(true);
      expect(may({ ...reader, service: g.paie }, { serviceId: g.paie.id, access: "write" })).toBe(false);
      const writer = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "write")]);
      expect(may({ ...writer, service: g.paie }, { serviceId: g.paie.id, access: "read" })).toBe(true);
      expect(may({ ...writer, service: g.paie }, { serviceId: g.paie.id, access: "write" })).toBe(true);
    });

    it("write on all services and read on PAIE: write on PAIE (either grant may answer)", () => {
      const g = buildGuide();
      const w = world(g, [grantOf(g.hospital.id, space.recues, g.paie.id, "read"), grantOf(g.hospital.id, space.recues, null, "write")]);
      expect(may({ ...w, service: g.paie }, { serviceId: g.paie.id, access: "write" })).toBe(true);
    });
  });
});

describe("usableGrants — the grants that give access now", () => {
  it("keeps the grants mayAccess honours, in this structure only", () => {
    const g = buildGuide();
    const usable = grantOf(g.hospital.id, space.recues, g.paie.id, "write");
    const allServices = grantOf(g.hospital.id, space.recues, null, "read");
    const closed = grantOf(g.hospital.id, space.emises, null, "read"); // not open on the structure
    const outOfScope = grantOf(g.hospital.id, space.recues, g.compta.id, "read"); // COMPTA: not hers
    const elsewhere = grantOf(g.acme.id, space.recues, null, "read", g.victor.id);
    const user = holding(g.elodie, usable, allServices, closed, outOfScope, elsewhere);
    expect(usableGrants(user, openedOn(g.hospital, space.recues), g.serviceIndex, today)).toEqual([usable, allServices]);
  });

  it("a grant on a service whose record is not given is not usable; none before the attachment is in force", () => {
    const g = buildGuide();
    const grant = grantOf(g.hospital.id, space.recues, g.paie.id, "write");
    const user = holding(g.elodie, grant);
    expect(usableGrants(user, openedOn(g.hospital, space.recues), new Map<Service["id"], Service>(), today)).toEqual([]);
    const david = holding(withFutureManager(g), grantOf(g.hospital.id, space.recues, null, "read"));
    expect(usableGrants(david, openedOn(g.hospital, space.recues), g.serviceIndex, today)).toEqual([]);
    expect(usableGrants(david, openedOn(g.hospital, space.recues), g.serviceIndex, tomorrow)).toEqual([]);
    expect(usableGrants(david, openedOn(g.hospital, space.recues), g.serviceIndex, localDate("2026-12-15"))).toHaveLength(1);
  });
});

describe("isSpaceOpen — is a space open where a line or a grant points?", () => {
  it("on the structure: for the structure and for any of its services", () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues);
    expect(isSpaceOpen(hospital, null, space.recues)).toBe(true);
    expect(isSpaceOpen(hospital, g.paie, space.recues)).toBe(true);
    expect(isSpaceOpen(hospital, null, space.emises)).toBe(false);
  });

  it("on a service: for that service only, and only a service of that structure", () => {
    const g = buildGuide();
    expect(isSpaceOpen(g.hospital, openedOn(g.paie, space.recues), space.recues)).toBe(true);
    expect(isSpaceOpen(g.hospital, null, space.recues)).toBe(false);
    expect(isSpaceOpen(g.hospital, g.compta, space.recues)).toBe(false);
    // ACME's VENTES with the space open on it says nothing of the hospital.
    expect(isSpaceOpen(g.hospital, openedOn(g.ventes, space.recues), space.recues)).toBe(false);
  });
});
