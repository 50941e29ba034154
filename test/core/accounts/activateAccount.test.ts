// The person activates their account with the link of a live activation e-mail:
// « En cours d'activation » → « Actif ». A token works once, before it expires, and only
// the newest one of its initiator (a structure's managers, the public side); a wrong one
// tells nothing of which accounts exist.
import { describe, expect, it } from "vitest";
import {
  activateAccount,
  errorMessage,
  historyKindLabel,
  registerAccount,
  sendActivationEmail,
  toInstant,
  userId,
  type IssuedToken,
  type User,
} from "../../../src/core/index.js";
import { buildGuide, expectErr, now, unwrap, type Guide } from "../fixtures.js";
import { contactToken, firstToken, hashOf, hugoId, hugoPending, issued, minutesAfter, policy, secondToken } from "./fixtures.js";

/** The guide's scenario up to the e-mail sent again: Hugo created at 09:00 (first token), e-mailed again at 09:03 (second). */
function resent(g: Guide): User {
  return unwrap(
    sendActivationEmail({ actor: g.alice, structure: g.hospital, user: hugoPending(g) }, { now: minutesAfter(now, 3), issued: secondToken, policy }),
  ).user;
}

const activate = (user: User | null, token: string, when: Date, id = hugoId) =>
  activateAccount(user, { userId: id, token }, { now: when, tokenHash: hashOf(token) });
const with_ = (user: User | null, issued: IssuedToken, when: Date) => activate(user, issued.token, when);

const at0904 = minutesAfter(now, 4);

describe("activateAccount — with the newest token", () => {
  it("given Alice sent Hugo's e-mail again, when he follows the newest link, then his account is « Actif » and the token used", () => {
    const g = buildGuide();
    const hugo = resent(g);
    const r = unwrap(with_(hugo, secondToken, at0904));
    expect(r.user).toEqual({ ...hugo, status: "active", createdFor: null, activation: { ...hugo.activation!, usedAt: toInstant(at0904) } });
    expect(r.events).toEqual([{ type: "AccountActivated", at: toInstant(at0904), userId: hugoId, login: "hugo.martin@chu-lyon.fr" }]);
  });

  it("history records « Compte activé » on the account's structures, by the person themself", () => {
    const g = buildGuide();
    const r = unwrap(with_(resent(g), secondToken, at0904));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "accountActivated",
        at: toInstant(at0904),
        actorId: hugoId,
        targetUserId: hugoId,
        requestId: null,
        details: {},
      },
    ]);
    expect(historyKindLabel.accountActivated).toBe("Compte activé");
  });

  it("one minute before the token expires, it still works", () => {
    const g = buildGuide();
    const hugo = hugoPending(g); // token issued at 09:00, expires at 10:00
    expect(unwrap(with_(hugo, firstToken, minutesAfter(now, 59))).user.status).toBe("active");
  });
});

/** Hugo's login registered from the public side at `when`: a public link beside the manager's. */
const publicToken = issued("public");
const registered = (user: User, when: Date) =>
  unwrap(
    registerAccount(
      user,
      { login: user.login, lastName: "Martin", firstName: "Hugo" },
      { now: when, userId: userId("u-unused"), issued: publicToken, contactToken, policy },
    ),
  ).user!;

describe("activateAccount — any live token of the account, one per initiator", () => {
  it("given Hugo's login was registered after Alice created his account, both links work: the manager's…", () => {
    const g = buildGuide();
    const hugo = registered(hugoPending(g), minutesAfter(now, 2));
    expect(unwrap(with_(hugo, firstToken, at0904)).user.status).toBe("active");
  });

  it("…and the public one", () => {
    const g = buildGuide();
    const hugo = registered(hugoPending(g), minutesAfter(now, 2));
    expect(unwrap(with_(hugo, publicToken, at0904)).user.status).toBe("active");
  });

  it("once used, every link of the account is ACTIVATION_TOKEN_USED, the other initiator's too", () => {
    const g = buildGuide();
    const active = unwrap(with_(registered(hugoPending(g), minutesAfter(now, 2)), publicToken, at0904)).user;
    expectErr(with_(active, firstToken, minutesAfter(now, 5)), "ACTIVATION_TOKEN_USED");
  });

  it("expiry is per token: the manager's link (09:00) is EXPIRED at 10:01 while the public one (09:30) still works", () => {
    const g = buildGuide();
    const hugo = registered(hugoPending(g), minutesAfter(now, 30));
    const e = expectErr(with_(hugo, firstToken, minutesAfter(now, 61)), "ACTIVATION_TOKEN_EXPIRED");
    expect(e.expiredAt).toBe("2026-11-27T10:00:00.000Z");
    expect(unwrap(with_(hugo, publicToken, minutesAfter(now, 61))).user.status).toBe("active");
  });
});

describe("activateAccount — refusals, none of which changes the account", () => {
  it("the older token, replaced by the e-mail sent again, is ACTIVATION_TOKEN_INVALID", () => {
    const g = buildGuide();
    const e = expectErr(with_(resent(g), firstToken, at0904), "ACTIVATION_TOKEN_INVALID");
    expect(e).toEqual({ code: "ACTIVATION_TOKEN_INVALID", userId: hugoId });
    expect(errorMessage(e)).toContain("dernier courriel d'activation");
  });

  it("a token that was never issued is ACTIVATION_TOKEN_INVALID", () => {
    const g = buildGuide();
    expectErr(activate(resent(g), "not-the-token-at-all-0123456789", at0904), "ACTIVATION_TOKEN_INVALID");
  });

  it("the stored hash presented as a token is ACTIVATION_TOKEN_INVALID (the store cannot be used to activate)", () => {
    const g = buildGuide();
    const hugo = resent(g);
    expectErr(activate(hugo, hugo.activation!.tokens[0]!.tokenHash, at0904), "ACTIVATION_TOKEN_INVALID");
  });

  it("an unknown user gets the same ACTIVATION_TOKEN_INVALID as a wrong token", () => {
    const g = buildGuide();
    const unknown = expectErr(with_(null, secondToken, at0904), "ACTIVATION_TOKEN_INVALID");
    const wrong = expectErr(activate(resent(g), "wrong-token-wrong-token-wrong", at0904), "ACTIVATION_TOKEN_INVALID");
    expect(unknown).toEqual(wrong);
  });

  it("a command naming another user than the one loaded is ACTIVATION_TOKEN_INVALID for the id given", () => {
    const g = buildGuide();
    const e = expectErr(activate(resent(g), secondToken.token, at0904, userId("u-someone")), "ACTIVATION_TOKEN_INVALID");
    expect(e.userId).toBe("u-someone");
  });

  it("an account created active (nothing to activate) is ACTIVATION_TOKEN_INVALID", () => {
    const g = buildGuide();
    expectErr(activate(g.elodie, secondToken.token, at0904, g.elodie.id), "ACTIVATION_TOKEN_INVALID");
  });

  it("the newest token used a second time is ACTIVATION_TOKEN_USED", () => {
    const g = buildGuide();
    const active = unwrap(with_(resent(g), secondToken, at0904)).user;
    const e = expectErr(with_(active, secondToken, minutesAfter(now, 5)), "ACTIVATION_TOKEN_USED");
    expect(e).toEqual({ code: "ACTIVATION_TOKEN_USED", userId: hugoId });
  });

  it("…and still USED once it would have expired", () => {
    const g = buildGuide();
    const active = unwrap(with_(resent(g), secondToken, at0904)).user;
    expectErr(with_(active, secondToken, minutesAfter(now, 24 * 60)), "ACTIVATION_TOKEN_USED");
  });

  it.each([
    ["one millisecond after", new Date(Date.parse("2026-11-27T10:00:00.000Z") + 1)],
    ["one minute after", minutesAfter(now, 61)],
    ["exactly at", minutesAfter(now, 60)],
    ["a day after", minutesAfter(now, 24 * 60)],
  ])("a token used %s its expiry is ACTIVATION_TOKEN_EXPIRED, naming when", (_, when) => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const e = expectErr(with_(hugo, firstToken, when), "ACTIVATION_TOKEN_EXPIRED");
    expect(e).toEqual({ code: "ACTIVATION_TOKEN_EXPIRED", userId: hugoId, expiredAt: "2026-11-27T10:00:00.000Z" });
    expect(errorMessage(e)).toContain("nouveau courriel d'activation");
  });

  it("a fresh e-mail after expiry gives a token that works again", () => {
    const g = buildGuide();
    const hugo = hugoPending(g);
    const tomorrow = minutesAfter(now, 24 * 60);
    expectErr(with_(hugo, firstToken, tomorrow), "ACTIVATION_TOKEN_EXPIRED");
    const again = unwrap(
      sendActivationEmail({ actor: g.alice, structure: g.hospital, user: hugo }, { now: tomorrow, issued: secondToken, policy }),
    ).user;
    expect(unwrap(with_(again, secondToken, minutesAfter(tomorrow, 1))).user.status).toBe("active");
  });

  it("the caller's hash is what counts: the right token with another hash is ACTIVATION_TOKEN_INVALID", () => {
    const g = buildGuide();
    const r = activateAccount(resent(g), { userId: hugoId, token: secondToken.token }, { now: at0904, tokenHash: firstToken.tokenHash });
    expectErr(r, "ACTIVATION_TOKEN_INVALID");
  });
});
