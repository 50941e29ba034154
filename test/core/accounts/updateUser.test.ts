// Guide §5, « Modifier l'utilisateur »: names, contact e-mail, phone, postal address,
// settings; never the login. The person changes their own record; a manager that of a
// user of their structure.
import { describe, expect, it } from "vitest";
import {
  attachUser,
  historyKindLabel,
  parseUpdateUser,
  structureId,
  updateUser,
  userId,
  WHOLE_STRUCTURE,
  type UpdateUser,
  type UpdateUserState,
} from "../../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, today, unwrap, withStatus, type Guide } from "../fixtures.js";
import { hugoCreated, hugoId } from "./fixtures.js";

const bellecour = { street: "1 place Bellecour", complement: "2e étage", postalCode: "69002", city: "Lyon", countryCode: "FR" };

/** Alice, manager of the hospital, changes Élodie's record (a simple user on PAIE). */
function byAlice(g: Guide, command: Partial<UpdateUser> = {}, state: Partial<UpdateUserState> = {}) {
  return updateUser(
    { actor: g.alice, structure: g.hospital, user: g.elodie, ...state },
    { userId: g.elodie.id, structureId: g.hospital.id, changes: { phone: "+33 4 72 11 22 33" }, ...command },
    ctx,
  );
}

/** Élodie changes her own record. */
function byHerself(g: Guide, changes: UpdateUser["changes"], state: Partial<UpdateUserState> = {}) {
  return updateUser({ actor: g.elodie, structure: null, user: g.elodie, ...state }, { userId: g.elodie.id, changes }, ctx);
}

describe("updateUser — the person changes their own record", () => {
  it("given Élodie moved, when she changes her phone and postal address, then her record has them, and only what changed is listed", () => {
    const g = buildGuide();
    const r = unwrap(byHerself(g, { phone: "04 72 11 22 33", postalAddress: bellecour, lastName: g.elodie.lastName }));
    expect(r.user).toEqual({ ...g.elodie, phone: "04 72 11 22 33", postalAddress: bellecour });
    expect(r.fields).toEqual(["phone", "postalAddress"]);
    expect(r.events).toEqual([{ type: "UserModified", at, userId: g.elodie.id, modifiedBy: g.elodie.id, fields: ["phone", "postalAddress"] }]);
  });

  it("history records « Utilisateur modifié » with the fields, on every structure she belongs to", () => {
    const g = buildGuide();
    const elodie = unwrap(
      attachUser(
        { actor: g.alice, structure: g.townHall, user: g.elodie, services: g.serviceIndex },
        { structureId: g.townHall.id, userId: g.elodie.id, role: "user", validFrom: today, comment: "Renfort", scope: WHOLE_STRUCTURE },
        ctx,
      ),
    ).user;
    const r = unwrap(byHerself(g, { settings: { activityNotifications: "daily" } }, { actor: elodie, user: elodie }));
    expect(r.history).toEqual(
      [g.hospital.id, g.townHall.id].map((s) => ({
        structureId: s,
        kind: "userModified",
        at,
        actorId: g.elodie.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { fields: ["settings"] },
      })),
    );
    expect(historyKindLabel.userModified).toBe("Utilisateur modifié");
  });

  it("null clears the phone and the postal address", () => {
    const g = buildGuide();
    const withPhone = unwrap(byHerself(g, { phone: "04 72 11 22 33", postalAddress: bellecour })).user;
    const r = unwrap(byHerself(g, { phone: null, postalAddress: null }, { actor: withPhone, user: withPhone }));
    expect(r.user).toMatchObject({ phone: null, postalAddress: null });
    expect(r.fields).toEqual(["phone", "postalAddress"]);
  });

  it("given the values she already has, nothing changes: no field, no history, no event, the same record", () => {
    const g = buildGuide();
    const r = unwrap(byHerself(g, { lastName: "Lefèvre", phone: null, settings: { activityNotifications: "never" } }));
    expect(r).toEqual({ user: g.elodie, fields: [], history: [], events: [] });
    expect(r.user).toBe(g.elodie);
  });

  it("the login never changes: the boundary refuses it, and a command that slips one in leaves it as it was", () => {
    const g = buildGuide();
    expect(parseUpdateUser({ userId: g.elodie.id, changes: { login: "autre@chu-lyon.fr" } }).ok).toBe(false);
    const sneaky = { lastName: "Lefebvre", login: "autre@chu-lyon.fr" } as UpdateUser["changes"];
    const r = unwrap(byHerself(g, sneaky));
    expect(r.user.login).toBe(g.elodie.login);
    expect(r.fields).toEqual(["lastName"]);
  });

  it.each([
    ["awaits activation (Hugo)", "pendingActivation"],
    ["is deactivated", "deactivated"],
  ] as const)("refuses with FORBIDDEN (accountNotActive) a person whose account %s", (_, status) => {
    const g = buildGuide();
    const elodie = withStatus(g.elodie, status);
    expect(expectErr(byHerself(g, { phone: null }, { actor: elodie, user: elodie }), "FORBIDDEN")).toEqual({
      code: "FORBIDDEN",
      actorId: g.elodie.id,
      structureId: null,
      reason: "accountNotActive",
    });
  });

  it("refuses someone else's record without naming a structure one manages with FORBIDDEN (notTheUser), even to a manager", () => {
    const g = buildGuide();
    const r = updateUser({ actor: g.alice, structure: null, user: g.elodie }, { userId: g.elodie.id, changes: { phone: null } }, ctx);
    expect(expectErr(r, "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: g.alice.id, structureId: null, reason: "notTheUser" });
  });
});

describe("updateUser — a manager changes the record of a user of their structure", () => {
  it("given Élodie is a user of the hospital, when Alice changes her phone, then it is recorded on the hospital, by Alice", () => {
    const g = buildGuide();
    const r = unwrap(byAlice(g));
    expect(r.user.phone).toBe("+33 4 72 11 22 33");
    expect(r.history).toEqual([
      { structureId: g.hospital.id, kind: "userModified", at, actorId: g.alice.id, targetUserId: g.elodie.id, requestId: null, details: { fields: ["phone"] } },
    ]);
    expect(r.events).toEqual([{ type: "UserModified", at, userId: g.elodie.id, modifiedBy: g.alice.id, fields: ["phone"] }]);
  });

  it("given Hugo's account was created for the hospital and awaits activation, Bruno corrects his first name", () => {
    const g = buildGuide();
    const hugo = hugoCreated(g).user;
    const r = unwrap(
      updateUser(
        { actor: g.bruno, structure: g.hospital, user: hugo },
        { userId: hugoId, structureId: g.hospital.id, changes: { firstName: "Hugues", contactEmail: "hugues.martin@chu-lyon.fr" } },
        ctx,
      ),
    );
    expect(r.user).toEqual({ ...hugo, firstName: "Hugues", contactEmail: "hugues.martin@chu-lyon.fr" });
    expect(r.fields).toEqual(["firstName", "contactEmail"]);
  });

  it("nothing to change: nothing written, no history", () => {
    const g = buildGuide();
    expect(unwrap(byAlice(g, { changes: { firstName: "Élodie" } }))).toEqual({ user: g.elodie, fields: [], history: [], events: [] });
  });

  it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("refuses %s with FORBIDDEN", (_, outsider) => {
    const g = buildGuide();
    const actor = outsider.actor(g);
    // Élodie changing her own record through the hospital is no manager act either.
    expect(expectErr(byAlice(g, {}, { actor }), "FORBIDDEN")).toEqual({
      code: "FORBIDDEN",
      actorId: actor.id,
      structureId: g.hospital.id,
      reason: outsider.reason,
    });
  });

  it("given Chloé is not a user of the hospital (she only asked the town hall), Alice gets NOT_FOUND for her, as for an unknown id", () => {
    const g = buildGuide();
    const e = expectErr(byAlice(g, { userId: g.chloe.id }, { user: g.chloe }), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: g.chloe.id });
  });

  it("ACME's manager gets NOT_FOUND for Élodie through ACME", () => {
    const g = buildGuide();
    const e = expectErr(byAlice(g, { structureId: g.acme.id }, { actor: g.victor, structure: g.acme }), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: g.elodie.id });
  });

  it("a command naming another user or structure than those loaded is NOT_FOUND for the id given", () => {
    const g = buildGuide();
    expect(expectErr(byAlice(g, { userId: userId("u-other") }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: "u-other" });
    expect(expectErr(byAlice(g, { structureId: structureId("s-other") }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "structure",
      id: "s-other",
    });
    expect(expectErr(byAlice(g, {}, { structure: null }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.hospital.id });
  });
});
