import { describe, expect, it } from "vitest";
import {
  addService,
  deactivateService,
  historyKindLabel,
  renameService,
  serviceId,
} from "../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, unwrap } from "./fixtures.js";

const newId = serviceId("svc-etat-civil");

describe("addService — ajouter un service", () => {
  it("given Alice, primary manager of a structure without services, when she adds « ETAT-CIVIL », then the service is active in that structure", () => {
    const g = buildGuide();
    const r = unwrap(
      addService(
        { actor: g.alice, structure: g.townHall },
        { structureId: g.townHall.id, code: " ETAT-CIVIL ", label: " État civil " },
        { ...ctx, serviceId: newId },
      ),
    );
    expect(r.service).toEqual({
      id: newId,
      structureId: g.townHall.id,
      code: "ETAT-CIVIL",
      label: "État civil",
      active: true,
      openSpaces: [], // no space opened on it yet
      createdAt: at,
    });
    expect(r.history).toEqual([
      {
        structureId: g.townHall.id,
        kind: "serviceAdded",
        at,
        actorId: g.alice.id,
        targetUserId: null,
        requestId: null,
        details: { serviceId: newId, label: "État civil" },
      },
    ]);
    expect(historyKindLabel.serviceAdded).toBe("Service ajouté");
    expect(r.events).toEqual([{ type: "ServiceAdded", at, structureId: g.townHall.id, serviceId: newId }]);
  });

  it("a secondary manager may add a service too", () => {
    const g = buildGuide();
    const r = addService(
      { actor: g.bruno, structure: g.hospital },
      { structureId: g.hospital.id, code: "DSI", label: "Informatique" },
      { ...ctx, serviceId: newId },
    );
    expect(unwrap(r).service.structureId).toBe(g.hospital.id);
  });

  it("refuses a command naming another structure than the one loaded: NOT_FOUND", () => {
    const g = buildGuide();
    const e = expectErr(
      addService(
        { actor: g.alice, structure: g.hospital },
        { structureId: g.acme.id, code: "DSI", label: "Informatique" },
        { ...ctx, serviceId: newId },
      ),
      "NOT_FOUND",
    );
    expect(e).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
  });

  it.each(hospitalOutsiders)("given $who, when adding a service to the hospital they named, then FORBIDDEN with the reason", ({ actor, reason }) => {
    const g = buildGuide();
    const who = actor(g);
    const e = expectErr(
      addService(
        { actor: who, structure: g.hospital },
        { structureId: g.hospital.id, code: "DSI", label: "Informatique" },
        { ...ctx, serviceId: newId },
      ),
      "FORBIDDEN",
    );
    expect(e).toStrictEqual({ code: "FORBIDDEN", actorId: who.id, structureId: g.hospital.id, reason });
  });

  it.each([
    ["compta", "COMPTA"],
    [" Etat-Civil ", "ETAT-CIVIL"],
    ["\uFF21\uFF11", "A1"], // full-width « Ａ1 »
    [" \uFF43\uFF4F\uFF4D\uFF50\uFF54\uFF41 ", "COMPTA"], // full-width « ｃｏｍｐｔａ »
    ["rh.paie_2", "RH.PAIE_2"],
  ])("keeps the code %j in its canonical form %j (NFKC, trimmed, upper case)", (code, canonical) => {
    const g = buildGuide();
    const r = unwrap(
      addService({ actor: g.alice, structure: g.townHall }, { structureId: g.townHall.id, code, label: "Service" }, { ...ctx, serviceId: newId }),
    );
    expect(r.service.code).toBe(canonical);
  });
});

describe("renameService — renommer un service", () => {
  it("given COMPTA, when Bruno renames it, then the label changes and the code stays", () => {
    const g = buildGuide();
    const r = unwrap(
      renameService(
        { actor: g.bruno, structure: g.hospital, service: g.compta },
        { serviceId: g.compta.id, label: "  Comptabilité générale " },
        ctx,
      ),
    );
    expect(r.service).toEqual({ ...g.compta, label: "Comptabilité générale" });
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "serviceRenamed",
        at,
        actorId: g.bruno.id,
        targetUserId: null,
        requestId: null,
        details: { serviceId: g.compta.id, label: "Comptabilité générale" },
      },
    ]);
    expect(r.events).toEqual([
      { type: "ServiceRenamed", at, structureId: g.hospital.id, serviceId: g.compta.id },
    ]);
  });

  it("refuses a service of another structure as if it did not exist: NOT_FOUND service naming it", () => {
    const g = buildGuide();
    const e = expectErr(
      renameService(
        { actor: g.alice, structure: g.hospital, service: g.ventes },
        { serviceId: g.ventes.id, label: "Ventes" },
        ctx,
      ),
      "NOT_FOUND",
    );
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
  });

  it("refuses a manager acting on the service of a structure they do not manage (Alice on ACME's VENTES): NOT_FOUND service", () => {
    const g = buildGuide();
    const e = expectErr(
      renameService({ actor: g.alice, structure: g.acme, service: g.ventes }, { serviceId: g.ventes.id, label: "Ventes" }, ctx),
      "NOT_FOUND",
    );
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
  });

  it("refuses a command naming another service than the one loaded: NOT_FOUND service", () => {
    const g = buildGuide();
    const e = expectErr(
      renameService(
        { actor: g.alice, structure: g.hospital, service: g.compta },
        { serviceId: g.paie.id, label: "Paie" },
        ctx,
      ),
      "NOT_FOUND",
    );
    expect(e).toEqual({ code: "NOT_FOUND", entity: "service", id: g.paie.id });
  });

  it.each(hospitalOutsiders)(
    "given $who, when renaming COMPTA, then NOT_FOUND service naming only the id given",
    ({ actor }) => {
      const g = buildGuide();
      const e = expectErr(
        renameService({ actor: actor(g), structure: g.hospital, service: g.compta }, { serviceId: g.compta.id, label: "Compta" }, ctx),
        "NOT_FOUND",
      );
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.compta.id });
    },
  );
});

describe("deactivateService — désactiver un service", () => {
  it("given RH is active, when Alice deactivates it, then it is inactive and no user record is part of the outcome", () => {
    const g = buildGuide();
    const r = unwrap(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
    );
    expect(r.service).toEqual({ ...g.rh, active: false });
    expect(Object.keys(r).sort()).toEqual(["events", "history", "service"]);
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "serviceDeactivated",
        at,
        actorId: g.alice.id,
        targetUserId: null,
        requestId: null,
        details: { serviceId: g.rh.id, label: "Ressources humaines" },
      },
    ]);
    expect(historyKindLabel.serviceDeactivated).toBe("Service désactivé");
    expect(r.events).toEqual([
      { type: "ServiceDeactivated", at, structureId: g.hospital.id, serviceId: g.rh.id },
    ]);
  });

  it("refuses to deactivate an inactive service: SERVICE_INACTIVE", () => {
    const g = buildGuide();
    const inactive = unwrap(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
    ).service;
    const e = expectErr(
      deactivateService({ actor: g.alice, structure: g.hospital, service: inactive }, { serviceId: g.rh.id }, ctx),
      "SERVICE_INACTIVE",
    );
    expect(e).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.rh.id });
  });

  it("refuses a service of another structure as if it did not exist: NOT_FOUND service naming it", () => {
    const g = buildGuide();
    const e = expectErr(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.ventes }, { serviceId: g.ventes.id }, ctx),
      "NOT_FOUND",
    );
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
  });

  it("refuses a command naming another service than the one loaded: NOT_FOUND service naming the id given", () => {
    const g = buildGuide();
    const e = expectErr(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: serviceId("svc-ghost") }, ctx),
      "NOT_FOUND",
    );
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: "svc-ghost" });
  });

  it.each(hospitalOutsiders)(
    "given $who, when deactivating RH, then NOT_FOUND service naming only the id given",
    ({ actor }) => {
      const g = buildGuide();
      const e = expectErr(
        deactivateService({ actor: actor(g), structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
        "NOT_FOUND",
      );
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.rh.id });
    },
  );

  it.each(hospitalOutsiders)(
    "given $who and a service already inactive, NOT_FOUND comes first (SERVICE_INACTIVE would reveal its state)",
    ({ actor }) => {
      const g = buildGuide();
      const inactive = { ...g.rh, active: false };
      const e = expectErr(
        deactivateService({ actor: actor(g), structure: g.hospital, service: inactive }, { serviceId: g.rh.id }, ctx),
        "NOT_FOUND",
      );
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.rh.id });
    },
  );
});
