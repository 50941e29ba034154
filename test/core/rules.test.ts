// The rule helpers every transition relies on: authorization.ts and scope.ts.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  attachmentTo,
  authorizeManager,
  canManage,
  checkGrantableScope,
  effectiveScope,
  indexServices,
  localDate,
  normalizeScope,
  roleIn,
  sameScope,
  scopeServiceIds,
  serviceId,
  servicesScope,
  WHOLE_STRUCTURE,
  type ServiceId,
} from "../../src/core/index.js";
import { buildGuide, hospitalOutsiders, today, withFutureManager, withStatus } from "./fixtures.js";

describe("roleIn — the role a member holds, derived", () => {
  it("the primary role comes from the structure, not from the stored attachment", () => {
    const g = buildGuide();
    expect(attachmentTo(g.alice, g.hospital.id)?.role).toBe("user");
    expect(roleIn(g.hospital, g.alice)).toBe("primaryManager");
    expect(roleIn({ ...g.hospital, primaryManagerId: g.bruno.id }, g.alice)).toBe("user");
  });

  it("else the stored role, else null", () => {
    const g = buildGuide();
    expect(roleIn(g.hospital, g.bruno)).toBe("secondaryManager");
    expect(roleIn(g.hospital, g.elodie)).toBe("user");
    expect(roleIn(g.hospital, g.david)).toBeNull();
    expect(attachmentTo(g.david, g.hospital.id)).toBeUndefined();
  });
});

describe("authorizeManager — active account, manager role, attachment in force", () => {
  it("the primary and a secondary manager may act", () => {
    const g = buildGuide();
    expect(authorizeManager(g.alice, g.hospital, today)).toEqual({ ok: true, value: "primaryManager" });
    expect(authorizeManager(g.bruno, g.hospital, today)).toEqual({ ok: true, value: "secondaryManager" });
    expect(canManage(g.bruno, g.hospital, today)).toBe(true);
  });

  it("a role is held on the whole structure, whatever the attachment's services", () => {
    const g = buildGuide();
    const elodie = { ...g.elodie, attachments: g.elodie.attachments.map((a) => ({ ...a, role: "secondaryManager" as const })) };
    expect(attachmentTo(elodie, g.hospital.id)?.scope.kind).toBe("services");
    expect(authorizeManager(elodie, g.hospital, today)).toEqual({ ok: true, value: "secondaryManager" });
  });

  it("the start date is the first day in force", () => {
    const g = buildGuide();
    const david = withFutureManager(g);
    expect(canManage(david, g.hospital, localDate("2026-12-14"))).toBe(false);
    expect(canManage(david, g.hospital, localDate("2026-12-15"))).toBe(true);
  });

  it("an inactive account is refused before anything else (even a non-member)", () => {
    const g = buildGuide();
    for (const status of ["deactivated", "pendingActivation"] as const) {
      expect(authorizeManager(withStatus(g.alice, status), g.hospital, today)).toMatchObject({
        ok: false,
        error: { reason: "accountNotActive" },
      });
      expect(authorizeManager(withStatus(g.david, status), g.hospital, today)).toMatchObject({
        ok: false,
        error: { reason: "accountNotActive" },
      });
    }
  });

  it("a simple user, a stranger and the manager of another structure are notAManager", () => {
    const g = buildGuide();
    for (const actor of [g.elodie, g.david, g.victor])
      expect(authorizeManager(actor, g.hospital, today)).toEqual({
        ok: false,
        error: { code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason: "notAManager" },
      });
  });
});

describe("the fixture's outsiders of the hospital", () => {
  it.each(hospitalOutsiders)("$who is refused by authorizeManager for the reason the fixture states", ({ actor, reason }) => {
    const g = buildGuide();
    const who = actor(g);
    expect(authorizeManager(who, g.hospital, today)).toStrictEqual({
      ok: false,
      error: { code: "FORBIDDEN", actorId: who.id, structureId: g.hospital.id, reason },
    });
  });

  it("covers every reason a manager act can be refused for", () => {
    expect(new Set(hospitalOutsiders.map((o) => o.reason))).toEqual(new Set(["notAManager", "accountNotActive", "attachmentNotInForce"]));
  });
});

describe("scopes", () => {
  const a = serviceId("a");
  const b = serviceId("b");
  const c = serviceId("c");

  it("servicesScope sorts and removes duplicates; normalizeScope does the same to any scope", () => {
    expect(servicesScope([b, a, b])).toEqual({ kind: "services", serviceIds: [a, b] });
    expect(normalizeScope({ kind: "services", serviceIds: [c, a, c] })).toEqual({ kind: "services", serviceIds: [a, c] });
    expect(normalizeScope({ kind: "structure" })).toEqual(WHOLE_STRUCTURE);
  });

  it("scopeServiceIds: the services named, none for the whole structure", () => {
    expect(scopeServiceIds(WHOLE_STRUCTURE)).toEqual([]);
    expect(scopeServiceIds(servicesScope([b, a]))).toEqual([a, b]);
  });

  it("sameScope ignores order and duplicates, not content or kind", () => {
    expect(sameScope({ kind: "services", serviceIds: [b, a] }, servicesScope([a, b, b]))).toBe(true);
    expect(sameScope(servicesScope([a]), servicesScope([a, b]))).toBe(false);
    expect(sameScope(servicesScope([a, c]), servicesScope([a, b]))).toBe(false);
    expect(sameScope(WHOLE_STRUCTURE, servicesScope([]))).toBe(false);
    expect(sameScope(WHOLE_STRUCTURE, { kind: "structure" })).toBe(true);
  });

  it("effectiveScope drops inactive services, null when none is left", () => {
    const active = (id: ServiceId) => id !== b;
    expect(effectiveScope(servicesScope([a, b]), active)).toEqual({ kind: "services", serviceIds: [a] });
    expect(effectiveScope(servicesScope([b]), active)).toBeNull();
    expect(effectiveScope(WHOLE_STRUCTURE, () => false)).toEqual(WHOLE_STRUCTURE);
  });

  it("checkGrantableScope treats a service of another structure as unknown: NOT_FOUND service naming it", () => {
    const g = buildGuide();
    expect(checkGrantableScope(g.hospital.id, servicesScope([g.rh.id, g.ventes.id]), g.serviceIndex)).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: g.ventes.id },
    });
    expect(checkGrantableScope(g.hospital.id, servicesScope([serviceId("svc-ghost")]), g.serviceIndex)).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: "svc-ghost" },
    });
    // Even inactive, a foreign service is not reported as SERVICE_INACTIVE (that would reveal it).
    const ventesOff = indexServices([...g.serviceIndex.values()].map((s) => (s.id === g.ventes.id ? { ...s, active: false } : s)));
    expect(checkGrantableScope(g.hospital.id, servicesScope([g.ventes.id]), ventesOff)).toStrictEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: g.ventes.id },
    });
  });

  it("checkGrantableScope returns the canonical scope of active services of the structure", () => {
    const g = buildGuide();
    expect(checkGrantableScope(g.hospital.id, { kind: "services", serviceIds: [g.rh.id, g.achats.id, g.rh.id] }, g.serviceIndex)).toEqual({
      ok: true,
      value: { kind: "services", serviceIds: [g.achats.id, g.rh.id] },
    });
    expect(checkGrantableScope(g.hospital.id, { kind: "structure" }, new Map())).toEqual({ ok: true, value: WHOLE_STRUCTURE });
  });

  it("indexServices indexes by id", () => {
    const g = buildGuide();
    const index = indexServices(g.hospitalServices);
    expect([...index.keys()]).toEqual(g.hospitalServices.map((s) => s.id));
    expect(index.get(g.paie.id)).toBe(g.paie);
  });

  const ids = fc.array(fc.string({ minLength: 1, maxLength: 4 }).map(serviceId), { maxLength: 12 });

  test.prop([ids])("servicesScope is sorted, unique, idempotent, and keeps exactly the ids given", (list) => {
    const scope = servicesScope(list);
    const out = scopeServiceIds(scope);
    expect(out).toEqual([...out].sort());
    expect(new Set(out).size).toBe(out.length);
    expect(new Set(out)).toEqual(new Set(list));
    expect(servicesScope(out)).toEqual(scope);
  });

  test.prop([ids, ids])("sameScope is true exactly when the sets of services are equal", (x, y) => {
    expect(sameScope(servicesScope(x), { kind: "services", serviceIds: y })).toBe(
      new Set(x).size === new Set(y).size && x.every((id) => y.includes(id)),
    );
  });
});
