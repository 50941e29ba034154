// Guide §5, « Modifier l'utilisateur »: names, contact e-mail, phone, postal address,
// settings; never the login. A person's record is theirs: the person changes their own
// record; a manager only that of an account still pending activation created for their
// structure. A new contact address waits for the person's confirmation.
import { describe, expect, it } from "vitest";
import {
  activateAccount,
  attachUser,
  confirmContactEmail,
  historyKindLabel,
  parseUpdateUser,
  structureId,
  updateUser,
  userId,
  WHOLE_STRUCTURE,
  type UpdateUser,
  type UpdateUserState,
  type User,
} from "../../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, now, today, tomorrow, unwrap, withStatus, type Guide } from "../fixtures.js";
import { contactToken, firstToken, hashOf, hugoCreated, hugoId, hugoPending, minutesAfter, updateCtx } from "./fixtures.js";

const bellecour = { street: "1 place Bellecour", complement: "2e étage", postalCode: "69002", city: "Lyon", countryCode: "FR" };

/** Alice, manager of the hospital, changes Élodie's record (a simple user on PAIE). */
function byAlice(g: Guide, command: Partial<UpdateUser> = {}, state: Partial<UpdateUserState> = {}) {
  return updateUser(
    { actor: g.alice, structure: g.hospital, user: g.elodie, ...state },
    { userId: g.elodie.id, structureId: g.hospital.id, changes: { phone: "+33 4 72 11 22 33" }, ...command },
    updateCtx(),
  );
}

/** Élodie changes her own record (at `when`, 09:00 unless said). */
function byHerself(g: Guide, changes: UpdateUser["changes"], state: Partial<UpdateUserState> = {}, when: Date = now) {
  return updateUser({ actor: g.elodie, structure: null, user: g.elodie, ...state }, { userId: g.elodie.id, changes }, updateCtx(when));
}

/** Three minutes after Hugo's account was created (its e-mails of 09:00 no longer throttle the hospital). */
const at0903 = minutesAfter(now, 3);

/** Hugo's account (pending, created for the hospital, attached to COMPTA) also attached to another structure by Alice or Victor. */
function hugoAttachedTo(g: Guide, to: "townHall" | "acme", validFrom = today) {
  const structure = to === "townHall" ? g.townHall : g.acme;
  const actor = to === "townHall" ? g.alice : g.victor;
  return unwrap(
    attachUser(
      { actor, structure, user: hugoPending(g), services: g.serviceIndex },
      { structureId: structure.id, userId: hugoId, role: "user", validFrom, comment: "Renfort", scope: WHOLE_STRUCTURE },
      ctx,
    ),
  ).user;
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
    expect(r).toEqual({ user: g.elodie, fields: [], pendingContactEmail: null, history: [], events: [] });
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
    const r = updateUser({ actor: g.alice, structure: null, user: g.elodie }, { userId: g.elodie.id, changes: { phone: null } }, updateCtx());
    expect(expectErr(r, "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: g.alice.id, structureId: null, reason: "notTheUser" });
  });
});

describe("updateUser — a new contact address waits for the person's confirmation", () => {
  it("given Élodie gives a new contact address, it is not used yet: a confirmation link is sent to it, and the outcome names it as pending", () => {
    const g = buildGuide();
    const r = unwrap(byHerself(g, { contactEmail: " elodie.perso@example.fr " }));
    expect(r.user).toEqual({
      ...g.elodie,
      contactEmail: g.elodie.contactEmail, // unchanged until confirmed
      contactEmailChange: {
        address: "elodie.perso@example.fr",
        tokenHash: contactToken.tokenHash,
        requestedAt: at,
        expiresAt: "2026-12-04T09:00:00.000Z",
        requestedBy: g.elodie.id,
      },
      accountEmails: [{ at, by: "self" }],
    });
    expect(r.fields).toEqual([]);
    expect(r.pendingContactEmail).toBe("elodie.perso@example.fr");
    expect(r.events).toEqual([
      {
        type: "ContactEmailConfirmationRequested",
        at,
        userId: g.elodie.id,
        login: g.elodie.login,
        address: "elodie.perso@example.fr",
        expiresAt: "2026-12-04T09:00:00.000Z",
        token: contactToken.token,
      },
    ]);
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "userModified",
        at,
        actorId: g.elodie.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { fields: ["contactEmailChange"] },
      },
    ]);
  });

  it("with other fields: they change at once (UserModified), the address waits; the history lists both", () => {
    const g = buildGuide();
    const r = unwrap(byHerself(g, { phone: "04 72 11 22 33", contactEmail: "elodie.perso@example.fr" }));
    expect(r.user.phone).toBe("04 72 11 22 33");
    expect(r.fields).toEqual(["phone"]);
    expect(r.events.map((e) => e.type)).toEqual(["UserModified", "ContactEmailConfirmationRequested"]);
    expect(r.history[0]?.details).toEqual({ fields: ["phone", "contactEmailChange"] });
  });

  it("the login as contact address is taken at once (it is proven), and an address waiting is dropped", () => {
    const g = buildGuide();
    const waiting = unwrap(byHerself(g, { contactEmail: "elodie.perso@example.fr" })).user;
    const moved = { ...waiting, contactEmail: "ancienne@example.fr" };
    const r = unwrap(byHerself(g, { contactEmail: ` ${g.elodie.login.toUpperCase()} ` }, { actor: moved, user: moved }));
    expect(r.user).toMatchObject({ contactEmail: g.elodie.login, contactEmailChange: null });
    expect(r.fields).toEqual(["contactEmail"]);
    expect(r.pendingContactEmail).toBeNull();
    expect(r.events).toEqual([{ type: "UserModified", at, userId: g.elodie.id, modifiedBy: g.elodie.id, fields: ["contactEmail"] }]);
  });

  it("the current contact address (whatever its case) changes nothing", () => {
    const g = buildGuide();
    const r = unwrap(byHerself(g, { contactEmail: g.elodie.contactEmail.toUpperCase() }));
    expect(r).toEqual({ user: g.elodie, fields: [], pendingContactEmail: null, history: [], events: [] });
  });

  it("a second new address a minute later is CONFIRMATION_EMAIL_THROTTLED (her own budget), and changes nothing", () => {
    const g = buildGuide();
    const waiting = unwrap(byHerself(g, { contactEmail: "elodie.perso@example.fr" })).user;
    const r = byHerself(g, { contactEmail: "elodie.autre@example.fr", phone: "04 72 11 22 33" }, { actor: waiting, user: waiting }, minutesAfter(now, 1));
    expect(expectErr(r, "CONFIRMATION_EMAIL_THROTTLED")).toEqual({
      code: "CONFIRMATION_EMAIL_THROTTLED",
      userId: g.elodie.id,
      retryAt: "2026-11-27T09:02:00.000Z",
    });
    // Two minutes after, it goes, and replaces the address waiting.
    const later = unwrap(byHerself(g, { contactEmail: "elodie.autre@example.fr" }, { actor: waiting, user: waiting }, minutesAfter(now, 2)));
    expect(later.user.contactEmailChange?.address).toBe("elodie.autre@example.fr");
  });

  it("the public side's e-mails do not spend her budget (a registration attempt with her login a minute ago)", () => {
    const g = buildGuide();
    const told = { ...g.elodie, accountEmails: [{ at, by: "public" as const }] };
    expect(unwrap(byHerself(g, { contactEmail: "elodie.perso@example.fr" }, { actor: told, user: told }, minutesAfter(now, 1))).pendingContactEmail).toBe(
      "elodie.perso@example.fr",
    );
  });
});

describe("confirmContactEmail — the person, signed in, confirms the new address with the link sent to it", () => {
  const confirm = (user: User, token: string, when: Date) => confirmContactEmail(user, { token }, { now: when, tokenHash: hashOf(token) });

  it("given Élodie asked for a new address at 09:00, the link confirms it: it is her contact address, and the previous one is told", () => {
    const g = buildGuide();
    const waiting = unwrap(byHerself(g, { contactEmail: "elodie.perso@example.fr" })).user;
    const r = unwrap(confirm(waiting, contactToken.token, minutesAfter(now, 5)));
    expect(r.user).toEqual({ ...waiting, contactEmail: "elodie.perso@example.fr", contactEmailChange: null });
    expect(r.events).toEqual([
      {
        type: "ContactEmailChanged",
        at: "2026-11-27T09:05:00.000Z",
        userId: g.elodie.id,
        login: g.elodie.login,
        previousContactEmail: g.elodie.contactEmail,
        contactEmail: "elodie.perso@example.fr",
      },
    ]);
    expect(r.history.map((h) => [h.structureId, h.kind, h.actorId, h.details])).toEqual([
      [g.hospital.id, "userModified", g.elodie.id, { fields: ["contactEmail"] }],
    ]);
  });

  it("another token, or none waiting, is CONFIRMATION_TOKEN_INVALID; after 7 days, CONFIRMATION_TOKEN_EXPIRED", () => {
    const g = buildGuide();
    const waiting = unwrap(byHerself(g, { contactEmail: "elodie.perso@example.fr" })).user;
    expect(expectErr(confirm(waiting, firstToken.token, minutesAfter(now, 5)), "CONFIRMATION_TOKEN_INVALID")).toEqual({
      code: "CONFIRMATION_TOKEN_INVALID",
      userId: g.elodie.id,
    });
    expectErr(confirm(g.elodie, contactToken.token, minutesAfter(now, 5)), "CONFIRMATION_TOKEN_INVALID");
    expect(expectErr(confirm(waiting, contactToken.token, minutesAfter(now, 7 * 24 * 60)), "CONFIRMATION_TOKEN_EXPIRED").expiredAt).toBe(
      "2026-12-04T09:00:00.000Z",
    );
  });

  it("the address Alice typed when creating Hugo's account is confirmed by Hugo only once his account is active", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    expect(expectErr(confirm(hugo, contactToken.token, minutesAfter(now, 5)), "FORBIDDEN").reason).toBe("accountNotActive");
    const active = unwrap(activateAccount(hugo, { userId: hugoId, token: firstToken.token }, { now: minutesAfter(now, 5), tokenHash: firstToken.tokenHash })).user;
    expect(unwrap(confirm(active, contactToken.token, minutesAfter(now, 6))).user.contactEmail).toBe("secretariat.compta@chu-lyon.fr");
  });
});

describe("updateUser — a manager changes only an account pending activation created for their structure", () => {
  it("given Hugo's account was created for the hospital and awaits activation, Bruno corrects his first name; the contact address he gives waits for Hugo's confirmation", () => {
    const g = buildGuide();
    const hugo = hugoCreated(g).user;
    const r = unwrap(
      updateUser(
        { actor: g.bruno, structure: g.hospital, user: hugo },
        { userId: hugoId, structureId: g.hospital.id, changes: { firstName: "Hugues", contactEmail: "hugues.martin@chu-lyon.fr" } },
        updateCtx(at0903),
      ),
    );
    expect(r.user).toMatchObject({
      firstName: "Hugues",
      contactEmail: "hugo.martin@chu-lyon.fr", // the login, until Hugo confirms
      contactEmailChange: { address: "hugues.martin@chu-lyon.fr", requestedBy: g.bruno.id },
    });
    expect(r.fields).toEqual(["firstName"]);
    expect(r.pendingContactEmail).toBe("hugues.martin@chu-lyon.fr");
    expect(r.user.accountEmails.at(-1)).toEqual({ at: "2026-11-27T09:03:00.000Z", by: `structure:${g.hospital.id}` });
  });

  it("a manager's change is recorded on their structure only, by them (Hugo also attached to the town hall)", () => {
    const g = buildGuide();
    const hugo = hugoAttachedTo(g, "townHall");
    const r = unwrap(
      updateUser({ actor: g.alice, structure: g.hospital, user: hugo }, { userId: hugoId, structureId: g.hospital.id, changes: { phone: "+33 4 72 11 22 33" } }, updateCtx()),
    );
    expect(r.user.phone).toBe("+33 4 72 11 22 33");
    expect(r.history).toEqual([
      { structureId: g.hospital.id, kind: "userModified", at, actorId: g.alice.id, targetUserId: hugoId, requestId: null, details: { fields: ["phone"] } },
    ]);
    expect(r.events).toEqual([{ type: "UserModified", at, userId: hugoId, modifiedBy: g.alice.id, fields: ["phone"] }]);
  });

  it("a new contact address within two minutes of the hospital's last e-mail is CONFIRMATION_EMAIL_THROTTLED (the hospital's budget)", () => {
    const g = buildGuide();
    const r = updateUser(
      { actor: g.alice, structure: g.hospital, user: hugoPending(g) },
      { userId: hugoId, structureId: g.hospital.id, changes: { contactEmail: "autre@chu-lyon.fr" } },
      updateCtx(minutesAfter(now, 1)),
    );
    expect(expectErr(r, "CONFIRMATION_EMAIL_THROTTLED").retryAt).toBe("2026-11-27T09:02:00.000Z");
  });

  it("nothing to change: nothing written, no history", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    expect(
      unwrap(updateUser({ actor: g.alice, structure: g.hospital, user: hugo }, { userId: hugoId, structureId: g.hospital.id, changes: { firstName: "Hugo" } }, updateCtx())),
    ).toEqual({ user: hugo, fields: [], pendingContactEmail: null, history: [], events: [] });
  });

  it("given Élodie is an active user of the hospital, Alice may not change her record: FORBIDDEN (notTheUser), nothing changed", () => {
    const g = buildGuide();
    const r = byAlice(g);
    expect(expectErr(r, "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: g.alice.id, structureId: g.hospital.id, reason: "notTheUser" });
    expect(g.elodie.phone).toBeNull();
  });

  it("nor with her current values (the right is judged before the changes)", () => {
    const g = buildGuide();
    expectErr(byAlice(g, { changes: { firstName: "Élodie" } }), "FORBIDDEN");
  });

  it("given Hugo's pending account was created for the hospital and attached to the town hall, the town hall's manager gets FORBIDDEN (notTheUser)", () => {
    const g = buildGuide();
    const hugo = hugoAttachedTo(g, "townHall");
    const r = updateUser(
      { actor: g.alice, structure: g.townHall, user: hugo },
      { userId: hugoId, structureId: g.townHall.id, changes: { lastName: "Hacked" } },
      updateCtx(),
    );
    expect(expectErr(r, "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: g.alice.id, structureId: g.townHall.id, reason: "notTheUser" });
  });

  it("once Hugo activated his account, Alice may no longer change it: FORBIDDEN (notTheUser)", () => {
    const g = buildGuide();
    const hugo = { ...hugoPending(g), status: "active" as const, createdFor: null };
    const r = updateUser(
      { actor: g.alice, structure: g.hospital, user: hugo },
      { userId: hugoId, structureId: g.hospital.id, changes: { phone: null } },
      updateCtx(),
    );
    expect(expectErr(r, "FORBIDDEN").reason).toBe("notTheUser");
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

  it("an attachment dated in the future gives no hold: Victor, attaching Hugo to ACME from tomorrow, gets NOT_FOUND for him through ACME", () => {
    const g = buildGuide();
    const hugo = hugoAttachedTo(g, "acme", tomorrow);
    const r = updateUser(
      { actor: g.victor, structure: g.acme, user: hugo },
      { userId: hugoId, structureId: g.acme.id, changes: { lastName: "Hacked", contactEmail: "eve@evil.example" } },
      updateCtx(at0903),
    );
    expect(expectErr(r, "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: hugoId });
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
