// Rights with an end (issue 21): end dates on attachments, validations and grants, their
// changes, the expiry sweep, and « dupliquer les habilitations ».
import { describe, expect, it } from "vitest";
import {
  attachUser,
  authorizeManager,
  changeAttachmentEnd,
  changeGrantEnd,
  checkValidUntil,
  copyMemberRights,
  dueThrough,
  grantSpaces,
  localDate,
  mayAccess,
  noticeDue,
  recordExpiries,
  requestSubscription,
  servicesScope,
  transferPrimaryRole,
  validateAttachmentRequest,
  validateSubscriptionRequest,
  WHOLE_STRUCTURE,
  CHORUS_PRO_SPACES,
  subscriptionRequestId,
  type LocalDate,
  type User,
} from "../../src/core/index.js";
import { dueExpiryOf } from "../../src/port/store.js";
import {
  at,
  buildGuide,
  ctx,
  elodieItems,
  elodieSubscription,
  expectErr,
  grantOf,
  holding,
  openedOn,
  sctx,
  space,
  today,
  tomorrow,
  unwrap,
  type Guide,
} from "./fixtures.js";

const d = localDate;
/** The context of an act on `day`, at 09:00 UTC (10:00 in Paris). */
const on = (day: string) => ({ now: new Date(`${day}T09:00:00Z`) });

/** David attached to the whole hospital by Alice, from today until `validUntil`. */
function davidUntil(g: Guide, validUntil: LocalDate | null) {
  return attachUser(
    { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
    { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: today, validUntil, comment: "Renfort", scope: WHOLE_STRUCTURE },
    ctx,
  );
}

describe("checkValidUntil — an end comes strictly after the start and today", () => {
  it("no end (absent or null) is always fine", () => {
    expect(checkValidUntil(undefined, today, today)).toEqual({ ok: true, value: null });
    expect(checkValidUntil(null, null, today)).toEqual({ ok: true, value: null });
  });
  it("today, or a day before, is refused; tomorrow is the earliest end", () => {
    expect(expectErr(checkValidUntil(today, null, today), "VALID_UNTIL_TOO_EARLY")).toEqual({ code: "VALID_UNTIL_TOO_EARLY", validUntil: today, validFrom: null, today });
    expectErr(checkValidUntil(d("2026-01-01"), null, today), "VALID_UNTIL_TOO_EARLY");
    expect(checkValidUntil(tomorrow, null, today)).toEqual({ ok: true, value: tomorrow });
  });
  it("an end on or before a start to come is refused", () => {
    expectErr(checkValidUntil(d("2026-12-15"), d("2026-12-15"), today), "VALID_UNTIL_TOO_EARLY");
    expectErr(checkValidUntil(d("2026-12-10"), d("2026-12-15"), today), "VALID_UNTIL_TOO_EARLY");
    expect(checkValidUntil(d("2026-12-16"), d("2026-12-15"), today).ok).toBe(true);
  });
});

describe("attachUser with an end date", () => {
  it("keeps the end on the attachment, in the history and the event", () => {
    const g = buildGuide();
    const r = unwrap(davidUntil(g, d("2027-01-01")));
    expect(r.user.attachments[0]).toMatchObject({ validUntil: "2027-01-01", endNotice: null });
    expect(r.history[0]!.details.validUntil).toBe("2027-01-01");
    expect(r.events[0]).toMatchObject({ type: "UserAttached", validUntil: "2027-01-01" });
  });
  it("without an end, nothing about it in the history nor the event", () => {
    const g = buildGuide();
    const r = unwrap(davidUntil(g, null));
    expect(r.user.attachments[0]!.validUntil).toBeNull();
    expect("validUntil" in r.history[0]!.details).toBe(false);
    expect("validUntil" in r.events[0]!).toBe(false);
  });
  it("refuses an end on or before today (VALID_UNTIL_TOO_EARLY)", () => {
    const g = buildGuide();
    expectErr(davidUntil(g, today), "VALID_UNTIL_TOO_EARLY");
  });
});

describe("no right from the end date on", () => {
  it("mayAccess: in force through the day before its end, not on it", () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues);
    const david = holding(unwrap(davidUntil(g, d("2026-12-10"))).user, grantOf(g.hospital.id, space.recues, null, "read"));
    const ask = (day: string) =>
      mayAccess({ user: david, structure: hospital, service: null }, { structureId: hospital.id, space: space.recues, serviceId: null, access: "read" }, d(day));
    expect(ask("2026-12-09")).toBe(true);
    expect(ask("2026-12-10")).toBe(false);
    expect(ask("2027-06-01")).toBe(false);
  });
  it("requestSubscription: a structure whose attachment has ended is NOT_FOUND to the user, as one never joined", () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues);
    const david = unwrap(davidUntil(g, d("2026-12-10"))).user;
    const ask = (day: string) =>
      requestSubscription(
        { user: david, structure: hospital, services: g.serviceIndex },
        { structureId: hospital.id, items: [{ space: space.recues, serviceId: null, access: "read" }] },
        { ...on(day), requestId: subscriptionRequestId("sub-david"), catalogue: CHORUS_PRO_SPACES },
      );
    expect(ask("2026-12-09").ok).toBe(true);
    expect(expectErr(ask("2026-12-10"), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: hospital.id });
  });

  it("mayAccess: a grant gives no access from its own end, the attachment still in force", () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues);
    const elodie = holding(g.elodie, { ...grantOf(g.hospital.id, space.recues, g.paie.id, "write"), validUntil: d("2026-12-01") });
    const paie = { ...g.paie, openSpaces: [space.recues] };
    const ask = (day: string) =>
      mayAccess({ user: elodie, structure: hospital, service: paie }, { structureId: hospital.id, space: space.recues, serviceId: g.paie.id, access: "read" }, d(day));
    expect(ask("2026-11-30")).toBe(true);
    expect(ask("2026-12-01")).toBe(false);
  });
  it("authorizeManager: a secondary manager whose end has come is FORBIDDEN (attachmentNotInForce)", () => {
    const g = buildGuide();
    const bruno = { ...g.bruno, attachments: g.bruno.attachments.map((a) => ({ ...a, validUntil: d("2026-12-01") })) };
    expect(authorizeManager(bruno, g.hospital, d("2026-11-30")).ok).toBe(true);
    const refused = expectErr(authorizeManager(bruno, g.hospital, d("2026-12-01")), "FORBIDDEN");
    expect(refused.reason).toBe("attachmentNotInForce");
  });
});

describe("validations and grants with an end date", () => {
  it("validateAttachmentRequest sets the end asked; VALID_UNTIL_TOO_EARLY on or before today", () => {
    const g = buildGuide();
    const state = { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex };
    const r = unwrap(validateAttachmentRequest(state, { requestId: g.elodieRequest.id, validUntil: d("2027-03-01") }, ctx));
    expect(r.requester.attachments[0]).toMatchObject({ validUntil: "2027-03-01", endNotice: null });
    expect(r.events[0]).toMatchObject({ validUntil: "2027-03-01" });
    expectErr(validateAttachmentRequest(state, { requestId: g.elodieRequest.id, validUntil: today }, ctx), "VALID_UNTIL_TOO_EARLY");
  });
  it("validateAttachmentRequest without an end keeps the one the requester has, unless it has passed", () => {
    const g = buildGuide();
    const ending = (validUntil: LocalDate): User => ({ ...g.elodie, attachments: g.elodie.attachments.map((a) => ({ ...a, validUntil, endNotice: "warned" as const })) });
    const state = (requester: User) => ({ actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester, services: g.serviceIndex });
    const kept = unwrap(validateAttachmentRequest(state(ending(d("2027-01-01"))), { requestId: g.elodieRequest.id }, ctx));
    expect(kept.requester.attachments[0]).toMatchObject({ validUntil: "2027-01-01", endNotice: "warned" });
    const passed = unwrap(validateAttachmentRequest(state(ending(d("2026-11-20"))), { requestId: g.elodieRequest.id }, ctx));
    expect(passed.requester.attachments[0]).toMatchObject({ validUntil: null, endNotice: null });
  });
  it("grantSpaces gives grants with the end; VALID_UNTIL_TOO_EARLY on or before today", () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues);
    const state = { actor: g.alice, structure: hospital, user: g.bruno, services: g.serviceIndex };
    const command = { structureId: hospital.id, userId: g.bruno.id, items: [{ space: space.recues, serviceId: null, access: "read" as const }] };
    const r = unwrap(grantSpaces(state, { ...command, validUntil: d("2027-01-01") }, sctx));
    expect(r.user.grants).toEqual([{ ...grantOf(hospital.id, space.recues, null, "read"), grantedAt: at, validUntil: "2027-01-01" }]);
    expect(r.history[0]!.details.validUntil).toBe("2027-01-01");
    expectErr(grantSpaces(state, { ...command, validUntil: today }, sctx), "VALID_UNTIL_TOO_EARLY");
  });
  it("validateSubscriptionRequest gives its grants the end", () => {
    const g = buildGuide();
    const request = elodieSubscription(g);
    const hospital = openedOn(g.hospital, ...elodieItems(g).map((i) => i.space));
    const paie = openedOn(g.paie, space.aValider, space.recues);
    const state = { actor: g.alice, structure: hospital, request, requester: g.elodie, services: new Map([...g.serviceIndex, [paie.id, paie]]) };
    const r = unwrap(validateSubscriptionRequest(state, { requestId: request.id, items: elodieItems(g), scope: "user", validUntil: d("2027-02-01") }, sctx));
    expect(r.requester.grants.map((x) => x.validUntil)).toEqual(["2027-02-01", "2027-02-01", "2027-02-01"]);
    expectErr(validateSubscriptionRequest(state, { requestId: request.id, items: elodieItems(g), scope: "user", validUntil: today }, sctx), "VALID_UNTIL_TOO_EARLY");
  });
});

describe("changeAttachmentEnd — a manager extends or shortens a member's end", () => {
  it("extends it, with « Date de fin modifiée » and AttachmentEndChanged; the sweep's notice is cleared", () => {
    const g = buildGuide();
    const warned = { ...unwrap(davidUntil(g, d("2026-12-10"))).user };
    const david = { ...warned, attachments: warned.attachments.map((a) => ({ ...a, endNotice: "warned" as const })) };
    const r = unwrap(changeAttachmentEnd({ actor: g.bruno, structure: g.hospital, member: david }, { structureId: g.hospital.id, userId: david.id, validUntil: d("2027-06-30"), comment: "Prolongé" }, ctx));
    expect(r.member.attachments[0]).toMatchObject({ validUntil: "2027-06-30", endNotice: null, validFrom: today });
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "attachmentEndChanged", actorId: g.bruno.id, targetUserId: david.id, details: { validUntil: "2027-06-30", previousValidUntil: "2026-12-10", comment: "Prolongé" } }),
    ]);
    expect(r.events).toEqual([
      { type: "AttachmentEndChanged", at, structureId: g.hospital.id, userId: david.id, changedBy: g.bruno.id, validUntil: "2027-06-30", previousValidUntil: "2026-12-10" },
    ]);
  });
  it("removes it (null); a member whose end has passed comes back in force", () => {
    const g = buildGuide();
    const david = unwrap(davidUntil(g, d("2026-12-10"))).user;
    const later = on("2026-12-20");
    const r = unwrap(changeAttachmentEnd({ actor: g.alice, structure: g.hospital, member: david }, { structureId: g.hospital.id, userId: david.id, validUntil: null }, later));
    expect(r.member.attachments[0]!.validUntil).toBeNull();
  });
  it("refuses the same end (VALID_UNTIL_UNCHANGED), an end too early, the primary manager, oneself, a non-manager", () => {
    const g = buildGuide();
    const david = unwrap(davidUntil(g, d("2026-12-10"))).user;
    const state = { actor: g.alice, structure: g.hospital, member: david };
    const cmd = { structureId: g.hospital.id, userId: david.id };
    expectErr(changeAttachmentEnd(state, { ...cmd, validUntil: d("2026-12-10") }, ctx), "VALID_UNTIL_UNCHANGED");
    expectErr(changeAttachmentEnd({ ...state, member: g.elodie }, { structureId: g.hospital.id, userId: g.elodie.id, validUntil: null }, ctx), "VALID_UNTIL_UNCHANGED");
    expectErr(changeAttachmentEnd(state, { ...cmd, validUntil: today }, ctx), "VALID_UNTIL_TOO_EARLY");
    expectErr(changeAttachmentEnd({ actor: g.bruno, structure: g.hospital, member: g.alice }, { structureId: g.hospital.id, userId: g.alice.id, validUntil: d("2027-01-01") }, ctx), "TRANSFER_REQUIRED");
    expectErr(changeAttachmentEnd({ actor: g.bruno, structure: g.hospital, member: g.bruno }, { structureId: g.hospital.id, userId: g.bruno.id, validUntil: d("2027-01-01") }, ctx), "SELF_DECISION_FORBIDDEN");
    expectErr(changeAttachmentEnd({ actor: g.elodie, structure: g.hospital, member: david }, { ...cmd, validUntil: d("2027-01-01") }, ctx), "FORBIDDEN");
    expectErr(changeAttachmentEnd({ ...state, member: g.chloe }, { structureId: g.hospital.id, userId: g.chloe.id, validUntil: d("2027-01-01") }, ctx), "NOT_FOUND");
  });
  it("an end before a start to come is refused", () => {
    const g = buildGuide();
    const later = unwrap(
      attachUser(
        { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
        { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: d("2026-12-15"), comment: "Arrive le 15", scope: WHOLE_STRUCTURE },
        ctx,
      ),
    ).user;
    const refused = expectErr(changeAttachmentEnd({ actor: g.alice, structure: g.hospital, member: later }, { structureId: g.hospital.id, userId: g.david.id, validUntil: d("2026-12-15") }, ctx), "VALID_UNTIL_TOO_EARLY");
    expect(refused.validFrom).toBe("2026-12-15");
  });
});

describe("changeGrantEnd — a manager extends or shortens one grant's end", () => {
  const setup = () => {
    const g = buildGuide();
    const elodie = holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "write"));
    return { g, elodie, state: { actor: g.alice, structure: g.hospital, user: elodie, services: new Map() } };
  };
  it("sets an end on the grant named, with history and GrantEndChanged", () => {
    const { g, elodie, state } = setup();
    const r = unwrap(changeGrantEnd(state, { structureId: g.hospital.id, userId: elodie.id, space: space.recues, serviceId: g.paie.id, validUntil: d("2027-01-01") }, ctx));
    expect(r.user.grants[0]).toMatchObject({ validUntil: "2027-01-01", endNotice: null });
    expect(r.history[0]).toMatchObject({ kind: "grantEndChanged", details: { space: space.recues, serviceId: g.paie.id, access: "write", validUntil: "2027-01-01", previousValidUntil: null } });
    expect(r.events[0]).toMatchObject({ type: "GrantEndChanged", space: space.recues, serviceId: g.paie.id, validUntil: "2027-01-01", previousValidUntil: null });
  });
  it("refuses a grant the member does not hold (NOT_FOUND spaceGrant), the same end, an end too early, oneself", () => {
    const { g, elodie, state } = setup();
    const cmd = { structureId: g.hospital.id, userId: elodie.id, space: space.recues, serviceId: g.paie.id };
    expect(expectErr(changeGrantEnd(state, { ...cmd, serviceId: null, validUntil: null }, ctx), "NOT_FOUND").entity).toBe("spaceGrant");
    expectErr(changeGrantEnd(state, { ...cmd, validUntil: null }, ctx), "VALID_UNTIL_UNCHANGED");
    expectErr(changeGrantEnd(state, { ...cmd, validUntil: today }, ctx), "VALID_UNTIL_TOO_EARLY");
    const bruno = holding(g.bruno, grantOf(g.hospital.id, space.recues, null, "read"));
    expectErr(
      changeGrantEnd({ actor: bruno, structure: g.hospital, user: bruno, services: new Map() }, { structureId: g.hospital.id, userId: bruno.id, space: space.recues, serviceId: null, validUntil: d("2027-01-01") }, ctx),
      "SELF_DECISION_FORBIDDEN",
    );
  });
});

describe("recordExpiries — the sweep warns once, then records « Expiré » once", () => {
  const ending = () => {
    const g = buildGuide();
    const david = holding(unwrap(davidUntil(g, d("2026-12-20"))).user, { ...grantOf(g.hospital.id, space.recues, null, "read"), validUntil: d("2026-12-05") });
    return { g, david };
  };
  it("nothing due: null", () => {
    const { david } = ending();
    expect(recordExpiries(david, { ...on("2026-11-01"), warningDays: 15 })).toBeNull();
  });
  it("warns about each end within the window, once; then records each end passed, once", () => {
    const { g, david } = ending();
    const first = recordExpiries(david, { ...on("2026-11-27"), warningDays: 15 })!;
    // The grant ends on 5 December (8 days away); the attachment on the 20th (23 days): only the grant is warned.
    expect(first.events).toEqual([
      expect.objectContaining({ type: "GrantExpiringSoon", userId: david.id, login: david.login, space: space.recues, serviceId: null, access: "read", validUntil: "2026-12-05", daysLeft: 8 }),
    ]);
    expect(first.history).toEqual([]);
    expect([first.warned, first.expired]).toEqual([1, 0]);
    expect(recordExpiries(first.user, { ...on("2026-11-28"), warningDays: 15 })).toBeNull();
    const second = recordExpiries(first.user, { ...on("2026-12-05"), warningDays: 15 })!;
    expect(second.events.map((e) => e.type)).toEqual(["AttachmentExpiringSoon", "GrantExpired"]);
    expect(second.history).toEqual([
      expect.objectContaining({ kind: "grantExpired", actorId: null, targetUserId: david.id, structureId: g.hospital.id, details: { space: space.recues, access: "read", validUntil: "2026-12-05" } }),
    ]);
    const third = recordExpiries(second.user, { ...on("2026-12-21"), warningDays: 15 })!;
    expect(third.events).toEqual([expect.objectContaining({ type: "AttachmentExpired", validUntil: "2026-12-20" })]);
    expect(third.history).toEqual([expect.objectContaining({ kind: "attachmentExpired", actorId: null, details: { role: "user", scope: WHOLE_STRUCTURE, validUntil: "2026-12-20" } })]);
    expect(recordExpiries(third.user, { ...on("2027-06-01"), warningDays: 15 })).toBeNull();
  });
  it("an end passed without a warning is recorded as « Expiré » at once (no warning after the fact)", () => {
    const { david } = ending();
    const late = recordExpiries(david, { ...on("2027-01-01"), warningDays: 15 })!;
    expect(late.events.map((e) => e.type)).toEqual(["AttachmentExpired", "GrantExpired"]);
    expect([late.warned, late.expired]).toEqual([0, 2]);
  });
  it("a new end clears the notice: the new date is warned about in turn", () => {
    const { g, david } = ending();
    const warned = recordExpiries(david, { ...on("2026-12-10"), warningDays: 15 })!.user;
    expect(warned.attachments[0]!.endNotice).toBe("warned");
    const moved = unwrap(changeAttachmentEnd({ actor: g.alice, structure: g.hospital, member: warned }, { structureId: g.hospital.id, userId: david.id, validUntil: d("2026-12-24") }, on("2026-12-10"))).member;
    const again = recordExpiries(moved, { ...on("2026-12-11"), warningDays: 15 })!;
    expect(again.events.map((e) => e.type)).toEqual(["AttachmentExpiringSoon"]);
  });
  it("noticeDue, dueThrough and the stores' dueExpiryOf agree", () => {
    const { david } = ending();
    const due = dueThrough(d("2026-11-27"), 15);
    expect(due).toEqual({ warnThrough: "2026-12-12", expireThrough: "2026-11-27" });
    expect(noticeDue(david.grants[0]!, due)).toBe("warned");
    expect(noticeDue(david.attachments[0]!, due)).toBeNull();
    expect(dueExpiryOf(david, due)).toBe("2026-12-05");
    expect(dueExpiryOf(david, dueThrough(d("2026-11-01"), 15))).toBeNull();
  });
});

describe("the primary manager's attachment never ends", () => {
  it("a successor attached until a date holds the whole structure without an end after a transfer", () => {
    const g = buildGuide();
    const bruno = { ...g.bruno, attachments: g.bruno.attachments.map((a) => ({ ...a, validUntil: d("2027-01-01"), endNotice: "warned" as const })) };
    const r = unwrap(
      transferPrimaryRole(
        { actor: g.alice, structures: new Map([[g.hospital.id, g.hospital]]), successors: new Map([[bruno.id, bruno]]) },
        { transfers: [{ structureId: g.hospital.id, successorId: bruno.id }] },
        ctx,
      ),
    );
    expect(r.successors[0]!.attachments.find((a) => a.structureId === g.hospital.id)).toMatchObject({ validUntil: null, endNotice: null });
  });
});

describe("copyMemberRights — « dupliquer les habilitations »", () => {
  const setup = () => {
    const g = buildGuide();
    const hospital = openedOn(g.hospital, space.recues, space.emises);
    // Élodie (simple user on PAIE) holds two grants; one has passed its end.
    const elodie = holding(g.elodie, { ...grantOf(g.hospital.id, space.recues, null, "write"), validUntil: d("2027-03-01") }, { ...grantOf(g.hospital.id, space.emises, null, "read"), validUntil: d("2026-11-01") });
    // David: whole structure until the end of the year, with a grant of his own.
    const david = holding(unwrap(davidUntil(g, d("2026-12-31"))).user, grantOf(g.hospital.id, space.emises, null, "write"));
    return { g, hospital, elodie, david };
  };
  it("gives the member the model's role, scope and grants in force, keeping the member's dates, in one act", () => {
    const { g, hospital, elodie, david } = setup();
    const r = unwrap(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: david, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: david.id, comment: "Même poste" }, ctx));
    expect(r.member.attachments[0]).toMatchObject({ role: "user", scope: servicesScope([g.paie.id]), validFrom: today, validUntil: "2026-12-31", attachedBy: g.bruno.id });
    expect(r.member.grants).toEqual([{ ...grantOf(hospital.id, space.recues, null, "write", g.bruno.id), grantedAt: at, validUntil: "2027-03-01" }]);
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: "memberRightsCopied",
        actorId: g.bruno.id,
        targetUserId: david.id,
        details: {
          modelUserId: elodie.id,
          role: "user",
          scope: servicesScope([g.paie.id]),
          items: [{ space: space.recues, serviceId: null, access: "write" }],
          previousScope: WHOLE_STRUCTURE,
          revokedItems: [{ space: space.emises, serviceId: null, access: "write" }],
          comment: "Même poste",
        },
      }),
    ]);
    expect(r.events).toEqual([expect.objectContaining({ type: "MemberRightsCopied", userId: david.id, copiedBy: g.bruno.id })]);
    expect(JSON.stringify(r.events)).not.toContain(elodie.id);
  });
  it("refuses the primary manager as model (CANNOT_GRANT_PRIMARY) and as member (TRANSFER_REQUIRED)", () => {
    const { g, hospital, elodie, david } = setup();
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: g.alice, member: david, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: g.alice.id, userId: david.id }, ctx), "CANNOT_GRANT_PRIMARY");
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: g.alice, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: g.alice.id }, ctx), "TRANSFER_REQUIRED");
  });
  it("refuses across structures: a model or a member who is not a member (NOT_FOUND), a structure the actor does not manage (FORBIDDEN)", () => {
    const { g, hospital, elodie, david } = setup();
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: g.victor, member: david, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: g.victor.id, userId: david.id }, ctx), "NOT_FOUND");
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: g.chloe, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: g.chloe.id }, ctx), "NOT_FOUND");
    expectErr(copyMemberRights({ actor: g.victor, structure: hospital, model: elodie, member: david, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: david.id }, ctx), "FORBIDDEN");
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: david, services: g.serviceIndex }, { structureId: g.acme.id, modelUserId: elodie.id, userId: david.id }, ctx), "NOT_FOUND");
  });
  it("refuses copying to oneself and to a deactivated account", () => {
    const { g, hospital, elodie, david } = setup();
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: g.bruno, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: g.bruno.id }, ctx), "SELF_DECISION_FORBIDDEN");
    const gone = { ...david, status: "deactivated" as const };
    expectErr(copyMemberRights({ actor: g.bruno, structure: hospital, model: elodie, member: gone, services: g.serviceIndex }, { structureId: hospital.id, modelUserId: elodie.id, userId: david.id }, ctx), "ACCOUNT_NOT_ACTIVE");
  });
});
