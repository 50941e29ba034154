// « Depuis l'accueil déconnecté »: anyone creates an account for another person (or for
// themself), with no attachment. The rule never fails on the login, so the answer cannot
// tell a stranger which logins exist; what it does depends on the account holding it.
import { describe, expect, it } from "vitest";
import { registerAccount, toInstant, userId, type RegisterAccount, type User } from "../../../src/core/index.js";
import { at, buildGuide, now, unwrap, withStatus } from "../fixtures.js";
import { contactToken, firstToken, hashOf, hugoId, hugoPending, issued, minutesAfter, policy, secondToken } from "./fixtures.js";

const ines = userId("u-ines");
const inesDetails: RegisterAccount = {
  login: " Ines.Garcia@Example.fr ",
  lastName: "Garcia",
  firstName: "Inès",
  phone: "06 12 34 56 78",
};
const register = (existing: User | null, command: RegisterAccount, when: Date = now, token = firstToken) =>
  registerAccount(existing, command, { now: when, userId: ines, issued: token, contactToken, policy });

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
      activation: { tokens: [{ tokenHash: firstToken.tokenHash, issuedAt: at, expiresAt: "2026-11-27T10:00:00.000Z", by: "public" }], usedAt: null },
      contactEmailChange: null,
      accountEmails: [{ at, by: "public" }],
      deactivatedAt: null,
      createdAt: at,
    });
  });

  it("a contact address other than the login waits for its confirmation, asked for by nobody: the login stays the contact address", () => {
    const r = unwrap(register(null, { ...inesDetails, contactEmail: "ines.perso@example.fr" }));
    expect(r.user).toMatchObject({
      contactEmail: "ines.garcia@example.fr",
      contactEmailChange: {
        address: "ines.perso@example.fr",
        tokenHash: contactToken.tokenHash,
        requestedAt: at,
        expiresAt: "2026-12-04T09:00:00.000Z",
        requestedBy: null,
      },
      accountEmails: [
        { at, by: "public" },
        { at, by: "public" },
      ],
    });
    expect(r.events).toEqual([
      { type: "AccountCreated", at, userId: ines, login: "ines.garcia@example.fr", createdBy: null, structureId: null },
      { type: "ActivationEmailRequested", at, userId: ines, login: "ines.garcia@example.fr", expiresAt: "2026-11-27T10:00:00.000Z", token: firstToken.token },
      {
        type: "ContactEmailConfirmationRequested",
        at,
        userId: ines,
        login: "ines.garcia@example.fr",
        address: "ines.perso@example.fr",
        expiresAt: "2026-12-04T09:00:00.000Z",
        token: contactToken.token,
      },
    ]);
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
        expiresAt: "2026-11-27T10:00:00.000Z",
        token: firstToken.token,
      },
    ]);
  });
});

describe("registerAccount — a login already held: no error, and only its owner is told", () => {
  it("given Hugo's account awaits activation (created by Alice), when his login is registered, then one more activation link goes to his login, beside the manager's: nothing else changes", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const later = minutesAfter(now, 5);
    const r = unwrap(
      register(hugo, { login: hugo.login, lastName: "Autre", firstName: "Nom", contactEmail: "eve@evil.example" }, later, secondToken),
    );
    expect(r.created).toBe(false);
    expect(r.user).toEqual({
      ...hugo, // his names and contact address are kept: the stranger's are ignored
      activation: {
        tokens: [
          ...hugo.activation!.tokens, // the manager's link keeps working
          { tokenHash: secondToken.tokenHash, issuedAt: toInstant(later), expiresAt: toInstant(minutesAfter(later, 60)), by: "public" },
        ],
        usedAt: null,
      },
      accountEmails: [...hugo.accountEmails, { at: toInstant(later), by: "public" }],
    });
    expect(r.history).toEqual([]);
    expect(r.events).toEqual([
      {
        type: "ActivationEmailRequested",
        at: toInstant(later),
        userId: hugoId,
        login: "hugo.martin@chu-lyon.fr",
        expiresAt: toInstant(minutesAfter(later, 60)),
        token: secondToken.token,
      },
    ]);
  });

  it("registered again later, the new public link replaces the public one only: the manager's stays", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const once = unwrap(register(hugo, inesDetails, minutesAfter(now, 5), secondToken)).user!;
    const third = issued("third");
    const twice = unwrap(register(once, inesDetails, minutesAfter(now, 10), third)).user!;
    expect(twice.activation!.tokens.map((t) => [t.by, t.tokenHash])).toEqual([
      [`structure:${g.hospital.id}`, firstToken.tokenHash],
      ["public", third.tokenHash],
    ]);
  });

  it("an expired link of another initiator is dropped when a new one is issued (nothing accumulates)", () => {
    const g = buildGuide();
    const hugo = hugoPending(g); // the manager's link expires at 10:00
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 60), secondToken)).user!;
    expect(r.activation!.tokens.map((t) => t.by)).toEqual(["public"]);
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
      expect(r.user).toEqual({ ...elodie, accountEmails: [{ at, by: "public" }] });
      expect(r.history).toEqual([]);
      // Told at her login, never at a contact address.
      expect(r.events).toEqual([{ type: "RegistrationAttemptedForExistingAccount", at, userId: g.elodie.id, login: elodie.login }]);
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
  it("given Hugo's login was registered a minute ago, when it is registered again, then nothing is written nor sent", () => {
    const g = buildGuide();
    const hugo = unwrap(register(hugoPending(g), inesDetails, now, secondToken)).user!;
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 1)));
    expect(r).toEqual({ user: null, created: false, history: [], events: [] });
  });

  it("the manager's e-mails do not spend the public budget: a minute after Alice's e-mail, a registration still sends a link", () => {
    const g = buildGuide();
    const hugo = hugoPending(g); // e-mailed by the hospital at 09:00
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 1), secondToken));
    expect(r.events.map((e) => e.type)).toEqual(["ActivationEmailRequested"]);
  });

  it("given the public budget is spent (5 registrations in 24 hours), the 6th does nothing, whatever the manager's budget", () => {
    const g = buildGuide();
    let hugo: User = hugoPending(g);
    for (let i = 1; i <= 5; i++) hugo = unwrap(register(hugo, inesDetails, minutesAfter(now, i * 3), issued(`public ${i}`))).user!;
    expect(hugo.accountEmails.filter((e) => e.by === "public")).toHaveLength(5);
    expect(unwrap(register(hugo, inesDetails, minutesAfter(now, 30), issued("sixth")))).toEqual({ user: null, created: false, history: [], events: [] });
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

  it("the token of a throttled attempt replaces nothing: the e-mailed ones still stand", () => {
    const g = buildGuide();
    const hugo = unwrap(register(hugoPending(g), inesDetails, now, secondToken)).user!;
    const throttled = issued("throttled");
    const r = unwrap(register(hugo, inesDetails, minutesAfter(now, 1), throttled));
    expect(r.user).toBeNull();
    expect(hugo.activation?.tokens.map((t) => t.tokenHash)).toEqual([firstToken.tokenHash, secondToken.tokenHash]);
    expect(JSON.stringify(r)).not.toContain(hashOf(throttled.token));
  });
});
