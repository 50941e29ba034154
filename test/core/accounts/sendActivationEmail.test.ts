// Guide §5, « Envoyer / Renvoyer un courriel d'activation de compte aux utilisateurs ayant
// comme statut « En cours d'activation » »: a fresh token each time (the structure's older
// one stops working, another initiator's stays), throttled per user and per initiator so
// nobody can flood a mailbox, nor spend another's budget.
import { describe, expect, it } from "vitest";
import {
  accountStatusLabel,
  attachUser,
  errorMessage,
  historyKindLabel,
  registerAccount,
  sendActivationEmail,
  toInstant,
  userId,
  WHOLE_STRUCTURE,
  type ActivationPolicy,
  type User,
} from "../../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, now, today, unwrap, withStatus, type Guide } from "../fixtures.js";
import {
  attachToCompta,
  contactToken,
  createHugo,
  firstToken,
  hugoCreated,
  hugoId,
  hugoPending,
  issued,
  minutesAfter,
  policy,
  secondToken,
} from "./fixtures.js";

const send = (g: Guide, user: User, when: Date, actor: User = g.alice, token = secondToken, p: ActivationPolicy = policy) =>
  sendActivationEmail({ actor, structure: g.hospital, user }, { now: when, issued: token, policy: p });

const threeMinutesLater = minutesAfter(now, 3);

/**
 * Hugo's account as `hugoPending`, but with his login as contact address: one e-mail
 * counted at 09:00 (the activation), none for a contact address to confirm.
 */
const plainHugo = (g: Guide): User => unwrap(createHugo(g, { attach: attachToCompta(g), contactEmail: "hugo.martin@chu-lyon.fr" })).user;

/** Hugo's login registered from the public side at `when`, with `token`. */
const registered = (user: User, when: Date, token = issued(`public ${when.toISOString()}`)) =>
  unwrap(
    registerAccount(
      user,
      { login: user.login, lastName: "Martin", firstName: "Hugo" },
      { now: when, userId: userId("u-unused"), issued: token, contactToken, policy },
    ),
  ).user!;

describe("sendActivationEmail — « Renvoyer un courriel d'activation »", () => {
  it("given Hugo's account awaits activation, when Alice sends the e-mail again, then a fresh token replaces the hospital's first, sent to his login", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const r = unwrap(send(g, hugo, threeMinutesLater));
    const sentAt = toInstant(threeMinutesLater);
    const expiresAt = toInstant(minutesAfter(threeMinutesLater, 60));
    const by = `structure:${g.hospital.id}` as const;
    expect(r.user).toEqual({
      ...hugo,
      activation: { tokens: [{ tokenHash: secondToken.tokenHash, issuedAt: sentAt, expiresAt, by }], usedAt: null },
      accountEmails: [...hugo.accountEmails, { at: sentAt, by }],
    });
    expect(r.events).toEqual([
      {
        type: "ActivationEmailRequested",
        at: sentAt,
        userId: hugoId,
        login: hugo.login,
        expiresAt,
        token: secondToken.token,
      },
    ]);
    expect(JSON.stringify(r.user)).not.toContain(firstToken.tokenHash); // the first token stops working
  });

  it("history records « Courriel d'activation envoyé » with the expiry, never the token", () => {
    const g = buildGuide();
    const r = unwrap(send(g, hugoPending(g), threeMinutesLater));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "activationEmailSent",
        at: toInstant(threeMinutesLater),
        actorId: g.alice.id,
        targetUserId: hugoId,
        requestId: null,
        details: { expiresAt: toInstant(minutesAfter(threeMinutesLater, 60)) },
      },
    ]);
    expect(historyKindLabel.activationEmailSent).toBe("Courriel d’activation envoyé");
    expect(JSON.stringify(r.history)).not.toContain(secondToken.token);
  });

  it("given Hugo's account was created for the hospital and not attached yet, its managers may still send the e-mail", () => {
    const g = buildGuide();
    const r = unwrap(send(g, hugoCreated(g).user, threeMinutesLater, g.bruno));
    expect(r.history.map((h) => [h.structureId, h.actorId])).toEqual([[g.hospital.id, g.bruno.id]]);
  });

  it("is recorded on the manager's structure only (created for the hospital, also attached to the town hall): the town hall's history does not name the hospital's manager", () => {
    const g = buildGuide();
    const hugo = unwrap(
      attachUser(
        { actor: g.alice, structure: g.townHall, user: hugoPending(g), services: g.serviceIndex },
        { structureId: g.townHall.id, userId: hugoId, role: "user", validFrom: today, comment: "Accueil", scope: WHOLE_STRUCTURE },
        ctx,
      ),
    ).user;
    const r = unwrap(send(g, hugo, threeMinutesLater));
    expect(r.history.map((h) => h.structureId)).toEqual([g.hospital.id]);
  });

  it("given an account registered from the public side and then attached to the hospital, the hospital's managers may send it", () => {
    const g = buildGuide();
    const registered = unwrap(
      registerAccount(null, { login: "ines@example.fr", lastName: "Garcia", firstName: "Inès" }, { ...ctx, userId: userId("u-ines"), issued: firstToken, contactToken, policy }),
    ).user!;
    const attached = unwrap(
      attachUser(
        { actor: g.alice, structure: g.hospital, user: registered, services: g.serviceIndex },
        { structureId: g.hospital.id, userId: registered.id, role: "user", validFrom: today, comment: "Stagiaire", scope: WHOLE_STRUCTURE },
        ctx,
      ),
    ).user;
    const r = unwrap(send(g, attached, threeMinutesLater));
    expect(r.history.map((h) => h.structureId)).toEqual([g.hospital.id]);
    // The hospital's token beside the public one: the person may use either.
    expect(r.user.activation?.tokens.map((t) => t.by)).toEqual(["public", `structure:${g.hospital.id}`]);
  });
});

describe("sendActivationEmail — one budget per initiator", () => {
  it("given Hugo's login was registered 3 times from the public side, Alice's e-mail still goes, and the public link keeps working", () => {
    const g = buildGuide();
    let hugo = plainHugo(g); // the hospital's e-mail at 09:00
    for (const minutes of [1, 3, 5]) hugo = registered(hugo, minutesAfter(now, minutes));
    const r = unwrap(send(g, hugo, minutesAfter(now, 6)));
    expect(r.user.activation?.tokens.map((t) => t.by)).toEqual(["public", `structure:${g.hospital.id}`]);
    expect(r.user.accountEmails.filter((e) => e.by === `structure:${g.hospital.id}`)).toHaveLength(2);
  });

  it("given the public budget is spent (5 registrations), the hospital's managers are not throttled by it", () => {
    const g = buildGuide();
    let hugo = plainHugo(g);
    for (const minutes of [10, 20, 30, 40, 50]) hugo = registered(hugo, minutesAfter(now, minutes));
    expect(hugo.accountEmails).toHaveLength(6);
    expect(unwrap(send(g, hugo, minutesAfter(now, 51))).events.map((e) => e.type)).toEqual(["ActivationEmailRequested"]);
  });

  it("a registration a minute ago does not throttle Alice, but her own e-mail a minute ago does", () => {
    const g = buildGuide();
    const hugo = registered(plainHugo(g), minutesAfter(now, 2));
    const sent = unwrap(send(g, hugo, minutesAfter(now, 3)));
    expect(sent.events).toHaveLength(1);
    expect(expectErr(send(g, sent.user, minutesAfter(now, 4), g.alice, issued("again")), "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe(
      "2026-11-27T09:05:00.000Z",
    );
  });

  it("another structure's managers have their own budget and their own link (Hugo also attached to the town hall)", () => {
    const g = buildGuide();
    const hugo = unwrap(
      attachUser(
        { actor: g.alice, structure: g.townHall, user: plainHugo(g), services: g.serviceIndex },
        { structureId: g.townHall.id, userId: hugoId, role: "user", validFrom: today, comment: "Accueil", scope: WHOLE_STRUCTURE },
        ctx,
      ),
    ).user;
    // A minute after the hospital's e-mail: the hospital is throttled, the town hall is not.
    expectErr(send(g, hugo, minutesAfter(now, 1)), "ACTIVATION_EMAIL_THROTTLED");
    const r = unwrap(
      sendActivationEmail({ actor: g.alice, structure: g.townHall, user: hugo }, { now: minutesAfter(now, 1), issued: secondToken, policy }),
    );
    expect(r.user.activation?.tokens.map((t) => [t.by, t.tokenHash])).toEqual([
      [`structure:${g.hospital.id}`, firstToken.tokenHash],
      [`structure:${g.townHall.id}`, secondToken.tokenHash],
    ]);
    expect(r.history.map((h) => h.structureId)).toEqual([g.townHall.id]);
  });
});

describe("sendActivationEmail — refusals", () => {
  it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("refuses %s with FORBIDDEN", (_, outsider) => {
    const g = buildGuide();
    const actor = outsider.actor(g);
    expect(expectErr(send(g, hugoPending(g), threeMinutesLater, actor), "FORBIDDEN")).toEqual({
      code: "FORBIDDEN",
      actorId: actor.id,
      structureId: g.hospital.id,
      reason: outsider.reason,
    });
  });

  it("given Inès registered from the public side and belongs to no structure, the hospital's manager gets NOT_FOUND, as for an unknown id", () => {
    const g = buildGuide();
    const ines = unwrap(
      registerAccount(null, { login: "ines@example.fr", lastName: "Garcia", firstName: "Inès" }, { ...ctx, userId: userId("u-ines"), issued: firstToken, contactToken, policy }),
    ).user!;
    expect(expectErr(send(g, ines, threeMinutesLater), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: "u-ines" });
  });

  it("given Hugo's account was created for the hospital, ACME's manager gets NOT_FOUND for ACME", () => {
    const g = buildGuide();
    const r = sendActivationEmail(
      { actor: g.victor, structure: g.acme, user: hugoPending(g) },
      { now: threeMinutesLater, issued: secondToken, policy },
    );
    expect(expectErr(r, "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: hugoId });
  });

  it.each([
    ["active (Élodie)", (g: Guide) => g.elodie, "active"],
    ["deactivated (Bruno)", (g: Guide) => withStatus(g.bruno, "deactivated"), "deactivated"],
  ] as const)("refuses an account %s with ACCOUNT_NOT_PENDING_ACTIVATION naming its status", (_, who, status) => {
    const g = buildGuide();
    const user = who(g);
    const e = expectErr(send(g, user, threeMinutesLater), "ACCOUNT_NOT_PENDING_ACTIVATION");
    expect(e).toEqual({ code: "ACCOUNT_NOT_PENDING_ACTIVATION", userId: user.id, status });
    expect(errorMessage(e)).toContain(`« ${accountStatusLabel.pendingActivation} »`); // « En cours d’activation »
  });

  it("given Hugo was e-mailed at 09:00, a new e-mail at 09:01 is ACTIVATION_EMAIL_THROTTLED until 09:02", () => {
    const g = buildGuide();
    const e = expectErr(send(g, hugoPending(g), minutesAfter(now, 1)), "ACTIVATION_EMAIL_THROTTLED");
    expect(e).toEqual({ code: "ACTIVATION_EMAIL_THROTTLED", userId: hugoId, retryAt: "2026-11-27T09:02:00.000Z" });
    expect(unwrap(send(g, hugoPending(g), minutesAfter(now, 2))).events).toHaveLength(1); // at 09:02 it goes
  });

  it("given Hugo got 5 e-mails from the hospital since 09:00, the 6th is ACTIVATION_EMAIL_THROTTLED until 09:00 the next day", () => {
    const g = buildGuide();
    let hugo = plainHugo(g); // 1st e-mail at 09:00
    for (const minutes of [10, 20, 30, 40]) hugo = unwrap(send(g, hugo, minutesAfter(now, minutes), g.alice, issued(`#${minutes}`))).user;
    expect(hugo.accountEmails).toHaveLength(5);
    const e = expectErr(send(g, hugo, minutesAfter(now, 50)), "ACTIVATION_EMAIL_THROTTLED");
    expect(e.retryAt).toBe("2026-11-28T09:00:00.000Z");
    expect(errorMessage(e)).toContain("à partir du 28/11/2026 à 10:00"); // 09:00 UTC, 10:00 in Paris
    expect(expectErr(send(g, hugo, minutesAfter(now, 24 * 60 - 1)), "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe("2026-11-28T09:00:00.000Z");
    expect(unwrap(send(g, hugo, minutesAfter(now, 24 * 60))).user.accountEmails).toHaveLength(5); // the oldest has left the window
  });

  it("the confirmation of a contact address Alice typed counts in the hospital's budget: created at 09:00 with one, Hugo has 3 e-mails left for the day", () => {
    const g = buildGuide();
    let hugo = hugoPending(g); // the activation e-mail and the confirmation, at 09:00
    expect(hugo.accountEmails).toEqual([
      { at, by: `structure:${g.hospital.id}` },
      { at, by: `structure:${g.hospital.id}` },
    ]);
    for (const minutes of [10, 20, 30]) hugo = unwrap(send(g, hugo, minutesAfter(now, minutes), g.alice, issued(`#${minutes}`))).user;
    expect(expectErr(send(g, hugo, minutesAfter(now, 40)), "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe("2026-11-28T09:00:00.000Z");
  });

  it("when both limits hold, retryAt is the later instant", () => {
    const g = buildGuide();
    const strict: ActivationPolicy = { ...policy, tokenLifetimeMinutes: 60, minMinutesBetweenEmails: 30, maxEmailsPer24Hours: 2 };
    let hugo = plainHugo(g); // 09:00
    hugo = unwrap(send(g, hugo, minutesAfter(now, 30), g.alice, secondToken, strict)).user; // 09:30
    // 09:40: the interval says 10:00, the daily limit says 09:00 the next day.
    expect(expectErr(send(g, hugo, minutesAfter(now, 40), g.alice, issued("x"), strict), "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe(
      "2026-11-28T09:00:00.000Z",
    );
  });

  it("the policy is the host's: no interval and one e-mail a day", () => {
    const g = buildGuide();
    const daily: ActivationPolicy = { ...policy, tokenLifetimeMinutes: 15, minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 1 };
    const hugo = unwrap(createHugo(g, {}, {}, firstToken)).user;
    expect(expectErr(send(g, hugo, now, g.alice, secondToken, daily), "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe("2026-11-28T09:00:00.000Z");
    const sent = unwrap(send(g, hugo, minutesAfter(now, 24 * 60), g.alice, secondToken, daily));
    expect(sent.user.activation?.tokens.map((t) => t.expiresAt)).toEqual(["2026-11-28T09:15:00.000Z"]);
  });

  it("an account not pending is refused as such before the throttle is looked at", () => {
    const g = buildGuide();
    const active: User = { ...g.elodie, accountEmails: [{ at, by: `structure:${g.hospital.id}` }] };
    expectErr(send(g, active, minutesAfter(now, 1)), "ACCOUNT_NOT_PENDING_ACTIVATION");
  });
});
