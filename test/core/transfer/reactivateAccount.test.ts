// Guide §6 B: « il pourra réactiver son compte dans un délai de 60 jours », read as
// 60 × 24 hours after the deactivation instant (policy, configurable): reactivation one
// minute before the window closes, refused at the instant it closes and a minute after;
// the account gets back its attachments as they were at deactivation.
import { describe, expect, it } from "vitest";
import {
  deactivateAccount,
  historyKindLabel,
  reactivateAccount,
  roleIn,
  toInstant,
  type Succession,
  type User,
} from "../../../src/core/index.js";
import { expectErr, grantOf, holding, now, space, unwrap } from "../fixtures.js";
import { hugoPending } from "../accounts/fixtures.js";
import { after, buildWorld, HOUR, MINUTE, stateOf, WINDOW_HOURS, type World } from "./fixtures.js";

const successors = (w: World): Succession[] => [
  { structureId: w.hospital.id, successorId: w.bruno.id },
  { structureId: w.townHall.id, successorId: w.bruno.id },
  { structureId: w.bookshop.id, successorId: w.david.id },
];

/** Alice (with a grant) names her successors and deactivates her account at `when`. */
function aliceLeaves(w: World, when: Date = now, windowHours = WINDOW_HOURS) {
  const alice = holding(w.alice, grantOf(w.hospital.id, space.recues, null, "write"));
  return { alice, left: unwrap(deactivateAccount(stateOf(w, alice), { transfers: successors(w) }, { now: when, reactivationWindowHours: windowHours })) };
}

const back = (user: User, when: Date, windowHours = WINDOW_HOURS) => reactivateAccount(user, { now: when, reactivationWindowHours: windowHours });

describe("reactivateAccount — the guide's scenario", () => {
  it("given Alice deactivated her account, when she comes back a minute before the window closes, then her account is active again", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    const r = unwrap(back(left.user, after(now, WINDOW_HOURS * HOUR - MINUTE)));
    expect(r.user.status).toBe("active");
    expect(r.user.deactivatedAt).toBeNull();
  });

  it("she gets back her attachments and grants as they were at deactivation: a simple user where she was primary manager", () => {
    const w = buildWorld();
    const { alice, left } = aliceLeaves(w);
    const r = unwrap(back(left.user, after(now, 30 * 24 * HOUR)));
    // Her record is what it was before she left.
    expect(r.user).toEqual(alice);
    for (const s of left.structures) {
      expect(roleIn(s, r.user)).toBe("user");
      expect(s.primaryManagerId).not.toBe(alice.id);
    }
  });

  it("records « Compte réactivé » on every structure of the account, and tells the host AccountReactivated", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    const when = after(now, 2 * 24 * HOUR);
    const r = unwrap(back(left.user, when));
    const at = toInstant(when);
    expect(r.history).toEqual(
      left.user.attachments.map((a) => ({
        structureId: a.structureId,
        kind: "accountReactivated",
        at,
        actorId: w.alice.id,
        targetUserId: w.alice.id,
        requestId: null,
        details: {},
      })),
    );
    expect(r.history.map((h) => h.structureId)).toEqual([w.hospital.id, w.townHall.id, w.bookshop.id]);
    expect(historyKindLabel.accountReactivated).toBe("Compte réactivé");
    expect(r.events).toEqual([{ type: "AccountReactivated", at, userId: w.alice.id }]);
  });

  it("at the very instant of the deactivation, it is reactivated", () => {
    const w = buildWorld();
    expect(back(aliceLeaves(w).left.user, now).ok).toBe(true);
  });
});

describe("reactivateAccount — the window: 60 × 24 hours after the deactivation instant, not after", () => {
  it.each([
    ["one minute before it closes", -MINUTE, true],
    ["one millisecond before it closes", -1, true],
    ["at the instant it closes", 0, false],
    ["one minute after it closed", MINUTE, false],
    ["a year after", 365 * 24 * HOUR, false],
  ] as const)("%s: %s", (_, offset, reactivated) => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    expect(left.reactivableUntil).toBe("2027-01-26T09:00:00.000Z");
    const r = back(left.user, after(new Date(left.reactivableUntil), offset));
    if (reactivated) expect(r.ok).toBe(true);
    else expect(r).toEqual({ ok: false, error: { code: "REACTIVATION_WINDOW_EXPIRED", userId: w.alice.id, expiredAt: left.reactivableUntil } });
  });

  it("the window closes at the reactivableUntil the deactivation announced", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    expect(expectErr(back(left.user, new Date(left.reactivableUntil)), "REACTIVATION_WINDOW_EXPIRED").expiredAt).toBe(left.reactivableUntil);
    expect(Date.parse(left.reactivableUntil) - Date.parse(left.user.deactivatedAt!)).toBe(60 * 24 * HOUR);
  });

  it.each([
    [1, "2026-11-27T10:00:00.000Z"],
    [24, "2026-11-28T09:00:00.000Z"],
    [24 * 90, "2027-02-25T09:00:00.000Z"],
  ])("a window of %i hours (option reactivationWindowHours) closes at %s", (hours, closes) => {
    const w = buildWorld();
    const { left } = aliceLeaves(w, now, hours);
    expect(left.reactivableUntil).toBe(closes);
    expect(back(left.user, after(new Date(closes), -MINUTE), hours).ok).toBe(true);
    expect(expectErr(back(left.user, new Date(closes), hours), "REACTIVATION_WINDOW_EXPIRED").expiredAt).toBe(closes);
  });

  it("the window is the one in force when she comes back, counted from the deactivation instant", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w, now, 24);
    // Deactivated under a window of one day; the host widened it to 60 days meanwhile.
    expect(back(left.user, after(now, 10 * 24 * HOUR), WINDOW_HOURS).ok).toBe(true);
    expect(back(left.user, after(now, 10 * 24 * HOUR), 24).ok).toBe(false);
  });
});

describe("reactivateAccount — across a change of daylight saving time (the window is in hours, not in Paris days)", () => {
  it("deactivated 2026-09-20 01:30 in Paris (summer time): the window closes 2026-11-19 00:30 in Paris (winter time), 1 440 hours later", () => {
    const w = buildWorld();
    const deactivated = new Date("2026-09-20T01:30:00+02:00");
    const { left } = aliceLeaves(w, deactivated);
    expect(left.user.deactivatedAt).toBe("2026-09-19T23:30:00.000Z");
    expect(left.reactivableUntil).toBe("2026-11-18T23:30:00.000Z"); // 2026-11-19T00:30+01:00
    expect(back(left.user, new Date("2026-11-19T00:29:00+01:00")).ok).toBe(true);
    expect(back(left.user, new Date("2026-11-19T00:30:00+01:00")).ok).toBe(false);
    expect(back(left.user, new Date("2026-11-19T00:31:00+01:00")).ok).toBe(false);
  });

  it("deactivated 2027-02-01 12:00 in Paris (winter time): the window closes 2027-04-02 13:00 in Paris (summer time), 1 440 hours later", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w, new Date("2027-02-01T12:00:00+01:00"));
    expect(left.reactivableUntil).toBe("2027-04-02T11:00:00.000Z"); // 2027-04-02T13:00+02:00
    expect(back(left.user, new Date("2027-04-02T12:59:00+02:00")).ok).toBe(true);
    expect(back(left.user, new Date("2027-04-02T13:00:00+02:00")).ok).toBe(false);
    expect(back(left.user, new Date("2027-04-02T13:01:00+02:00")).ok).toBe(false);
  });
});

describe("reactivateAccount — only a deactivated account (ACCOUNT_NOT_DEACTIVATED)", () => {
  it.each([
    ["active (Alice)", (w: World) => w.alice, "active"],
    ["awaiting activation (Hugo)", (w: World) => hugoPending(w), "pendingActivation"],
  ] as const)("refuses an account %s", (_, who, status) => {
    const w = buildWorld();
    const user = who(w);
    expect(back(user, now)).toEqual({ ok: false, error: { code: "ACCOUNT_NOT_DEACTIVATED", userId: user.id, status } });
  });

  it("refuses an account deactivated without a deactivation instant (a record from elsewhere: no window to count from)", () => {
    const w = buildWorld();
    expect(w.zoe).toMatchObject({ status: "deactivated", deactivatedAt: null });
    expect(expectErr(back(w.zoe, now), "ACCOUNT_NOT_DEACTIVATED").userId).toBe(w.zoe.id);
  });

  it("a reactivated account cannot be reactivated again", () => {
    const w = buildWorld();
    const r = unwrap(back(aliceLeaves(w).left.user, after(now, HOUR)));
    expect(expectErr(back(r.user, after(now, 2 * HOUR)), "ACCOUNT_NOT_DEACTIVATED").status).toBe("active");
  });

  it("a reactivated account may be deactivated again, and the new window counts from the new instant", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    const returned = unwrap(back(left.user, after(now, 59 * 24 * HOUR))).user;
    const again = after(now, 59 * 24 * HOUR + HOUR);
    const leftAgain = unwrap(deactivateAccount(stateOf(w, returned, ...left.structures), { transfers: [] }, { now: again, reactivationWindowHours: WINDOW_HOURS }));
    expect(leftAgain.reactivableUntil).toBe(toInstant(after(again, WINDOW_HOURS * HOUR)));
    expect(back(leftAgain.user, after(now, 100 * 24 * HOUR)).ok).toBe(true);
  });
});

describe("reactivateAccount — pure", () => {
  it("does not touch the record it is given", () => {
    const w = buildWorld();
    const { left } = aliceLeaves(w);
    const frozen = Object.freeze(structuredClone(left.user));
    unwrap(back(frozen, after(now, HOUR)));
    expect(frozen).toEqual(left.user);
  });
});
