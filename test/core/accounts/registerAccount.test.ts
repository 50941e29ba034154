// « Depuis l'accueil déconnecté »: anyone creates an account for another person (or for
// themself), with no attachment. The rule never fails on the login, so the answer cannot
// tell a stranger which logins exist; what it does depends on the account holding it.
import { describe, expect, it } from "vitest";
import { registerAccount, toInstant, userId, type RegisterAccount, type User } from "../../../src/core/index.js";
import { at, buildGuide, now, unwrap, withStatus } from "../fixtures.js";
import { firstToken, hugoId, hugoPending, issued, minutesAfter, policy, secondToken } from "./fixtures.js";

const ines = userId("u-ines");
const inesDetails: RegisterAccount = {
  login: " Ines.Garcia@Example.fr ",
  lastName: "Garcia",
  firstName: "Inès",
  phone: "06 12 34 56 78",
};
const register = (existing: User | null, command: RegisterAccount, when: Date = now, token = firstToken) =>
  registerAccount(existing, command, { now: when, userId: ines, issued: token, policy });

describe("registerAccount — a login nobody holds", () => {
  it("given no account holds the login, when someone registers it, then a new account « En cours d'activation », for no structure", () => {
    const r = unwrap(register(null, inesDetails));
    expect(r.created).toBe(true);
    expect(r.user).toEqual({
      id: ines,
      login: "ines.garcia@example.fr",
      contactEmail: "ines.garcia@example.fr",
      lastName: "Garcia",
      firstName: "Inès",
      status: "pendingActivation",
      attachments: [], // never attached from the public side
      grants: [],
      phone: "06 12 34 56 78",
      postalAddress: null,
      settings: { activityNotifications: "never" },
      createdFor: null,
      activation: { tokenHash: firstToken.tokenHash, issuedAt: at, expiresAt: "2026-11-27T10:00:00.000Z", usedAt: null },
      accountEmailsAt: [at],
      deactivatedAt: null,
      createdAt: at,
    });
  });

  it("no history (the account concerns no structure); AccountCreated by nobody, and the activation e-mail with its token", () => {
    const r = unwrap(register(null, inesDetails));
    expect(r.history).toEqual([]);
    expect(r.events).toEqual([
      { type: "AccountCreated", at, userId: ines, login: "ines.garcia@example.fr", createdBy: null, structureId: null },
      {
        type: "ActivationEmailRequested",
        at,
        userId: ines,
        login: "ines.garcia@example.fr",
        contactEmail: "ines.garcia@example.fr",
        expiresAt: "2026-11-27T10:00:00.000Z",
        token: firstToken.token,
      },
    ]);
  });
});

describe("registerAccount — a login already held: no error, and only its owner is told", () => {
  it("given Hugo's account awaits activation, when his login is registered again, then a fresh activation e-mail replaces the older token", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const later = minutesAfter(now, 5);
    const r = unwrap(register(hugo, { login: hugo.login, lastName: "Autre", firstName: "Nom" }, later, secondToken));
    expect(r.created).toBe(false);
    expect(r.user).toEqual({
      ...hugo, // his names are kept: the stranger's are ignored
      activation: {
        tokenHash: secondToken.tokenHash,
        issuedAt: toInstant(later),
        expiresAt: toInstant(minutesAfter(later, 60)),
        usedAt: null,
      },
      accountEmailsAt: [at, toInstant(later)],
    });
    expect(r.history).toEqual([]);
    expect(r.events).toEqual([
      {
        type: "ActivationEmailRequested",
        at: toInstant(later),
        userId: hugoId,
        login: "hugo.martin@chu-lyon.fr",
        contactEmail: "secretariat.compta@chu-lyon.fr",
        expiresAt: toInstant(minutesAfter(later, 60)),
        token: secondToken.token,
      },
    ]);
  });

  it.each([
    ["active", "active"],
    ["deactivated", "deactivated"],
  ] as const)(
    "given Élodie's account is %s, when her login is registered, then RegistrationAttemptedForExistingAccount tells her, and her account only counts the e-mail",
    (_, status) => {
      const g = buildGuide();
      const elodie = withStatus(g.elodie, status);
      const r = unwrap(register(elodie, { login: elodie.login, lastName: "Lefèvre", firstName: "Élodie" }));
      expect(r.created).toBe(false);
      expect(r.user).toEqual({ ...elodie, accountEmailsAt: [at] });
      expect(r.history).toEqual([]);
      expect(r.events).toEqual([
        { type: "RegistrationAttemptedForExistingAccount", at, userId: g.elodie.id, login: elodie.login, contactEmail: elodie.contactEmail },
      ]);
    },
  );

  it("the token made for the attempt goes nowhere when the account is already active", () => {
    const g = buildGuide();
    const r = unwrap(register(g.elodie, inesDetails));
    expect(JSON.stringify(r)).not.toContain(firstToken.token);
    expect(JSON.stringify(r)).not.toContain(firstToken.tokenHash);
  });
});

describe("registerAccount — throttled: nothing at all, and still no error", () => {
  it("given Hugo was e-mailed a minute ago, when his login is registered again, then nothing is written nor sent", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 1)));
    expect(r).toEqual({ user: null, created: false, history: [], events: [] });
  });

  it("given Élodie was told 5 times in 24 hours, the 6th attempt does nothing, 2 minutes apart or not", () => {
    const g = buildGuide();
    let elodie: User = g.elodie;
    for (let i = 0; i < 5; i++) {
      const r = unwrap(register(elodie, inesDetails, minutesAfter(now, i * 10)));
      expect(r.events.map((e) => e.type)).toEqual(["RegistrationAttemptedForExistingAccount"]);
      elodie = r.user!;
    }
    expect(unwrap(register(elodie, inesDetails, minutesAfter(now, 60)))).toEqual({ user: null, created: false, history: [], events: [] });
    // The first of the five is 24 hours old: one more may go.
    expect(unwrap(register(elodie, inesDetails, minutesAfter(now, 24 * 60))).events).toHaveLength(1);
  });

  it("a deactivated account is throttled the same way", () => {
    const g = buildGuide();
    const zoe = unwrap(register(g.zoe, inesDetails)).user!;
    expect(unwrap(register(zoe, inesDetails, minutesAfter(now, 1))).events).toEqual([]);
    expect(unwrap(register(zoe, inesDetails, minutesAfter(now, 2))).events).toHaveLength(1);
  });

  it("a new login is never throttled (there is nobody to flood yet)", () => {
    expect(unwrap(register(null, inesDetails)).created).toBe(true);
  });

  it("the token of a throttled attempt replaces nothing: the e-mailed one still stands", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 1), issued("throttled")));
    expect(r.user).toBeNull();
    expect(hugo.activation?.tokenHash).toBe(firstToken.tokenHash);
  });
});
