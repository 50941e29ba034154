// openSpace / closeSpace — a manager opens a space on the whole structure or on one
// service (one record, never one per member); closing keeps the grants, which stop
// giving access until it is opened again.
import { describe, expect, it } from "vitest";
import {
  closeSpace,
  historyKindLabel,
  mayAccess,
  openSpace,
  serviceId,
  spaceCode,
  type SpaceOnStructure,
  type SpaceState,
} from "../../../src/core/index.js";
import { at, buildGuide, expectErr, grantOf, holding, hospitalOutsiders, openedOn, sctx, space, today, unwrap, type Guide } from "../fixtures.js";

function open(g: Guide, command: Partial<SpaceOnStructure> = {}, state: Partial<SpaceState> = {}) {
  return openSpace({ actor: g.alice, structure: g.hospital, service: null, ...state }, { structureId: g.hospital.id, space: space.recues, serviceId: null, ...command }, sctx);
}
function close(g: Guide, command: Partial<SpaceOnStructure> = {}, state: Partial<SpaceState> = {}) {
  return closeSpace({ actor: g.alice, structure: g.hospital, service: null, ...state }, { structureId: g.hospital.id, space: space.recues, serviceId: null, ...command }, sctx);
}

describe("openSpace — « ouvrir un espace »", () => {
  it("given the hospital with no space open, when Alice opens « Factures reçues » on it, then the structure alone changes, sorted", () => {
    const g = buildGuide();
    const r = unwrap(open(g, {}, { structure: openedOn(g.hospital, space.sollicitationsEmises) }));
    expect(r.structure).toEqual({ ...g.hospital, openSpaces: [space.recues, space.sollicitationsEmises] });
    expect(r.service).toBeNull();
    expect(r.history).toEqual([
      { structureId: g.hospital.id, kind: "spaceOpened", at, actorId: g.alice.id, targetUserId: null, requestId: null, details: { space: space.recues } },
    ]);
    expect(historyKindLabel.spaceOpened).toBe("Espace ouvert");
    expect(r.events).toEqual([{ type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: null, space: space.recues, by: g.alice.id }]);
  });

  it("on one service: the service alone changes, and the history names it", () => {
    const g = buildGuide();
    const r = unwrap(open(g, { serviceId: g.paie.id }, { service: g.paie, actor: g.bruno }));
    expect(r.structure).toBeNull();
    expect(r.service).toEqual({ ...g.paie, openSpaces: [space.recues] });
    expect(r.history[0]).toMatchObject({ kind: "spaceOpened", actorId: g.bruno.id, details: { space: space.recues, serviceId: g.paie.id } });
    expect(r.events).toEqual([{ type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: g.paie.id, space: space.recues, by: g.bruno.id }]);
  });

  it("makes a grant pointing there usable: Élodie's grant on PAIE gives access once the space is open on PAIE", () => {
    const g = buildGuide();
    const elodie = holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "read"));
    const query = { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "read" } as const;
    expect(mayAccess({ user: elodie, structure: g.hospital, service: g.paie }, query, today)).toBe(false);
    const paie = unwrap(open(g, { serviceId: g.paie.id }, { service: g.paie })).service!;
    expect(mayAccess({ user: elodie, structure: g.hospital, service: paie }, query, today)).toBe(true);
  });

  describe("refusals", () => {
    it("already open where it points: SPACE_ALREADY_OPEN", () => {
      const g = buildGuide();
      expect(expectErr(open(g, {}, { structure: openedOn(g.hospital, space.recues) }), "SPACE_ALREADY_OPEN")).toEqual({
        code: "SPACE_ALREADY_OPEN",
        structureId: g.hospital.id,
        serviceId: null,
        space: space.recues,
      });
      expect(expectErr(open(g, { serviceId: g.paie.id }, { service: openedOn(g.paie, space.recues) }), "SPACE_ALREADY_OPEN").serviceId).toBe(g.paie.id);
    });

    it("open on a service is not open on the structure, and the reverse: each may still be opened", () => {
      const g = buildGuide();
      expect(open(g, {}, { service: openedOn(g.paie, space.recues) }).ok).toBe(true);
      expect(open(g, { serviceId: g.paie.id }, { structure: openedOn(g.hospital, space.recues), service: g.paie }).ok).toBe(true);
    });

    it("a space not in the catalogue: VALIDATION unknown_space on « space »", () => {
      const g = buildGuide();
      expect(expectErr(open(g, { space: spaceCode("E_REPORTING") }), "VALIDATION").issues).toEqual([
        expect.objectContaining({ path: ["space"], code: "unknown_space" }),
      ]);
    });

    it("a service of another structure, an unknown one, or a record that is not the one named: NOT_FOUND service", () => {
      const g = buildGuide();
      expect(expectErr(open(g, { serviceId: g.ventes.id }, { service: g.ventes }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
      expect(expectErr(open(g, { serviceId: serviceId("svc-404") }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "service", id: "svc-404" });
      expect(expectErr(open(g, { serviceId: g.paie.id }, { service: g.rh }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "service", id: g.paie.id });
    });

    it("a command naming another structure: NOT_FOUND structure", () => {
      const g = buildGuide();
      expect(expectErr(open(g, { structureId: g.acme.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    });

    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("%s: FORBIDDEN with the reason", (_, outsider) => {
      const g = buildGuide();
      const actor = outsider.actor(g);
      expect(expectErr(open(g, {}, { actor }), "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason: outsider.reason });
      expect(expectErr(close(g, {}, { actor, structure: openedOn(g.hospital, space.recues) }), "FORBIDDEN").reason).toBe(outsider.reason);
    });
  });
});

describe("closeSpace — « fermer un espace »", () => {
  it("given « Factures reçues » open on the hospital, when Alice closes it, then it is gone from the structure, « Espace fermé »", () => {
    const g = buildGuide();
    const r = unwrap(close(g, {}, { structure: openedOn(g.hospital, space.recues, space.emises) }));
    expect(r.structure).toEqual({ ...g.hospital, openSpaces: [space.emises] });
    expect(r.service).toBeNull();
    expect(r.history).toEqual([
      { structureId: g.hospital.id, kind: "spaceClosed", at, actorId: g.alice.id, targetUserId: null, requestId: null, details: { space: space.recues } },
    ]);
    expect(historyKindLabel.spaceClosed).toBe("Espace fermé");
    expect(r.events).toEqual([{ type: "SpaceClosed", at, structureId: g.hospital.id, serviceId: null, space: space.recues, by: g.alice.id }]);
  });

  it("on one service: the service alone changes", () => {
    const g = buildGuide();
    const r = unwrap(close(g, { serviceId: g.paie.id }, { service: openedOn(g.paie, space.recues) }));
    expect(r.structure).toBeNull();
    expect(r.service).toEqual({ ...g.paie, openSpaces: [] });
    expect(r.history[0]?.details).toEqual({ space: space.recues, serviceId: g.paie.id });
  });

  it("keeps the grants, which stop giving access, and give it again once the space is reopened", () => {
    const g = buildGuide();
    const elodie = holding(g.elodie, grantOf(g.hospital.id, space.recues, null, "write"));
    const query = { structureId: g.hospital.id, space: space.recues, serviceId: null, access: "write" } as const;
    const opened = openedOn(g.hospital, space.recues);
    expect(mayAccess({ user: elodie, structure: opened, service: null }, query, today)).toBe(true);
    const closed = unwrap(close(g, {}, { structure: opened })).structure!;
    expect(mayAccess({ user: elodie, structure: closed, service: null }, query, today)).toBe(false);
    const reopened = unwrap(open(g, {}, { structure: closed })).structure!;
    expect(mayAccess({ user: elodie, structure: reopened, service: null }, query, today)).toBe(true);
  });

  describe("refusals", () => {
    it("not open where it points: SPACE_NOT_OPEN (on the structure; on the service, even when open on the structure)", () => {
      const g = buildGuide();
      expect(expectErr(close(g), "SPACE_NOT_OPEN")).toEqual({ code: "SPACE_NOT_OPEN", structureId: g.hospital.id, serviceId: null, space: space.recues });
      expect(
        expectErr(close(g, { serviceId: g.paie.id }, { structure: openedOn(g.hospital, space.recues), service: g.paie }), "SPACE_NOT_OPEN"),
      ).toEqual({ code: "SPACE_NOT_OPEN", structureId: g.hospital.id, serviceId: g.paie.id, space: space.recues });
      // Open on PAIE only: closing it on the structure is refused too.
      expect(expectErr(close(g, {}, { service: openedOn(g.paie, space.recues) }), "SPACE_NOT_OPEN").serviceId).toBeNull();
    });

    it("a space not in the catalogue: VALIDATION", () => {
      const g = buildGuide();
      expect(expectErr(close(g, { space: spaceCode("NOPE") }), "VALIDATION").issues[0]).toMatchObject({ path: ["space"], code: "unknown_space" });
    });

    it("a service of another structure: NOT_FOUND service; another structure named: NOT_FOUND structure", () => {
      const g = buildGuide();
      expect(expectErr(close(g, { serviceId: g.ventes.id }, { service: openedOn(g.ventes, space.recues) }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "service",
        id: g.ventes.id,
      });
      expect(expectErr(close(g, { structureId: g.townHall.id }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.townHall.id });
    });
  });
});
