import { describe, expect, it } from "vitest";
import {
  attachUser,
  authorizeManager,
  deactivateService,
  historyKindLabel,
  localDate,
  serviceId,
  servicesScope,
  userId,
  WHOLE_STRUCTURE,
  type AttachUser,
  type AttachUserState,
} from "../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  expectErr,
  hospitalOutsiders,
  replaceService,
  today,
  tomorrow,
  unwrap,
  withFutureManager,
  withStatus,
  yesterday,
  type Guide,
} from "./fixtures.js";

function attachDavid(g: Guide, command: Partial<AttachUser> = {}, overrides: Partial<AttachUserState> = {}) {
  return attachUser(
    { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex, ...overrides },
    {
      structureId: g.hospital.id,
      userId: g.david.id,
      role: "user",
      validFrom: tomorrow,
      comment: "  Renfort pour la clôture  ",
      scope: servicesScope([g.compta.id, g.achats.id]),
      ...command,
    },
    ctx,
  );
}

describe("attachUser — « Rattacher un utilisateur ayant un compte Chorus Pro »", () => {
  it("given David has an account, when Alice attaches him to ACHATS and COMPTA from tomorrow, then he holds that attachment", () => {
    const g = buildGuide();
    const r = unwrap(attachDavid(g));
    expect(r.user).toEqual({
      ...g.david,
      attachments: [
        {
          structureId: g.hospital.id,
          role: "user",
          scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id] },
          validFrom: tomorrow,
          attachedBy: g.alice.id,
          attachedAt: at,
          validUntil: null,
          endNotice: null,
        },
      ],
    });
  });

  it("history records « Rattaché par le gestionnaire » with role, scope and the trimmed comment", () => {
    const g = buildGuide();
    const r = unwrap(attachDavid(g));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "userAttached",
        at,
        actorId: g.alice.id,
        targetUserId: g.david.id,
        requestId: null,
        details: {
          role: "user",
          scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id] },
          comment: "Renfort pour la clôture",
        },
      },
    ]);
    expect(historyKindLabel.userAttached).toBe("Rattaché par le gestionnaire");
  });

  it("emits UserAttached with role, scope and start date, and the login where the person is told (nobody is attached without being told)", () => {
    const g = buildGuide();
    expect(unwrap(attachDavid(g)).events).toEqual([
      {
        type: "UserAttached",
        at,
        structureId: g.hospital.id,
        userId: g.david.id,
        login: g.david.login,
        attachedBy: g.alice.id,
        role: "user",
        scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id] },
        validFrom: tomorrow,
      },
    ]);
  });

  it("accepts today as start date, « Rattacher à la structure », and the role « Gestionnaire secondaire »", () => {
    const g = buildGuide();
    const r = unwrap(attachDavid(g, { validFrom: today, scope: WHOLE_STRUCTURE, role: "secondaryManager" }));
    expect(r.user.attachments[0]).toMatchObject({ validFrom: today, scope: { kind: "structure" }, role: "secondaryManager" });
    expect(authorizeManager(r.user, g.hospital, today).ok).toBe(true);
  });

  it("a secondary manager attached from a later date has no manager right before it", () => {
    const g = buildGuide();
    const david = withFutureManager(g);
    expect(authorizeManager(david, g.hospital, today)).toMatchObject({ ok: false, error: { reason: "attachmentNotInForce" } });
    expect(authorizeManager(david, g.hospital, localDate("2026-12-15")).ok).toBe(true);
  });

  it("a secondary manager may attach (Bruno), and to a structure without services", () => {
    const g = buildGuide();
    const r = attachUser(
      { actor: g.alice, structure: g.townHall, user: g.david, services: new Map() },
      { structureId: g.townHall.id, userId: g.david.id, role: "user", validFrom: today, comment: "Accueil", scope: WHOLE_STRUCTURE },
      ctx,
    );
    expect(unwrap(r).user.attachments[0]?.structureId).toBe(g.townHall.id);
    expect(attachDavid(g, {}, { actor: g.bruno }).ok).toBe(true);
  });

  it("accepts an account still « En cours d'activation »", () => {
    const g = buildGuide();
    const r = attachDavid(g, {}, { user: withStatus(g.david, "pendingActivation") });
    expect(unwrap(r).user.status).toBe("pendingActivation");
  });

  it("refuses a start date in the past: VALID_FROM_IN_THE_PAST", () => {
    const g = buildGuide();
    const e = expectErr(attachDavid(g, { validFrom: yesterday }), "VALID_FROM_IN_THE_PAST");
    expect(e).toEqual({ code: "VALID_FROM_IN_THE_PAST", validFrom: yesterday, today });
  });

  it("judges « today » by the host's local date when given (late evening UTC, already tomorrow in Paris)", () => {
    const g = buildGuide();
    const late = { now: new Date("2026-11-27T23:30:00Z"), today: tomorrow };
    const r = attachUser(
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: today, comment: "x", scope: WHOLE_STRUCTURE },
      late,
    );
    expect(expectErr(r, "VALID_FROM_IN_THE_PAST").today).toBe(tomorrow);
  });

  it.each(["   ", "", "\u200B", "\uFEFF\u00A0", "\u3164", "\u200B\n\t"])("refuses a comment with no visible character %j: COMMENT_REQUIRED", (comment) => {
    const g = buildGuide();
    const e = expectErr(attachDavid(g, { comment }), "COMMENT_REQUIRED");
    expect(e).toStrictEqual({ code: "COMMENT_REQUIRED", structureId: g.hospital.id, userId: g.david.id });
  });

  it("records the comment trimmed of invisible characters at its ends, its inside kept", () => {
    const g = buildGuide();
    const r = unwrap(attachDavid(g, { comment: "\u200B\uFEFF Renfort\u00A0clôture\nsemaine 48 \u200B" }));
    expect(r.history[0]?.details.comment).toBe("Renfort\u00A0clôture\nsemaine 48");
  });

  it("judges « today » on the Paris calendar when the context gives no date (23:30 UTC on the 27th is already the 28th)", () => {
    const g = buildGuide();
    const late = { now: new Date("2026-11-27T23:30:00Z") };
    const command = { structureId: g.hospital.id, userId: g.david.id, role: "user", comment: "x", scope: WHOLE_STRUCTURE } as const;
    const state = { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex };
    const e = expectErr(attachUser(state, { ...command, validFrom: today }, late), "VALID_FROM_IN_THE_PAST");
    expect(e).toStrictEqual({ code: "VALID_FROM_IN_THE_PAST", validFrom: today, today: tomorrow });
    expect(unwrap(attachUser(state, { ...command, validFrom: tomorrow }, late)).user.attachments[0]?.validFrom).toBe(tomorrow);
    // The same instant in another calendar the host chose.
    expect(attachUser(state, { ...command, validFrom: today }, { ...late, timeZone: "UTC" }).ok).toBe(true);
  });

  it("refuses a user already attached (Élodie): ALREADY_ATTACHED", () => {
    const g = buildGuide();
    const e = expectErr(attachDavid(g, { userId: g.elodie.id }, { user: g.elodie }), "ALREADY_ATTACHED");
    expect(e).toEqual({ code: "ALREADY_ATTACHED", structureId: g.hospital.id, userId: g.elodie.id });
  });

  it("refuses the primary manager: ALREADY_ATTACHED", () => {
    const g = buildGuide();
    expectErr(attachDavid(g, { userId: g.alice.id }, { user: g.alice, actor: g.bruno }), "ALREADY_ATTACHED");
  });

  it("refuses the role « Gestionnaire principal »: CANNOT_GRANT_PRIMARY", () => {
    const g = buildGuide();
    const e = expectErr(attachDavid(g, { role: "primaryManager" }), "CANNOT_GRANT_PRIMARY");
    expect(e).toEqual({ code: "CANNOT_GRANT_PRIMARY", structureId: g.hospital.id, userId: g.david.id });
  });

  it("refuses a deactivated account (Zoé): ACCOUNT_NOT_ACTIVE", () => {
    const g = buildGuide();
    const e = expectErr(attachDavid(g, { userId: g.zoe.id }, { user: g.zoe }), "ACCOUNT_NOT_ACTIVE");
    expect(e).toEqual({ code: "ACCOUNT_NOT_ACTIVE", userId: g.zoe.id, status: "deactivated" });
  });

  it("refuses an empty set of services: EMPTY_SCOPE", () => {
    const g = buildGuide();
    expect(expectErr(attachDavid(g, { scope: servicesScope([]) }), "EMPTY_SCOPE")).toEqual({
      code: "EMPTY_SCOPE",
      structureId: g.hospital.id,
    });
  });

  it("refuses an inactive service: SERVICE_INACTIVE", () => {
    const g = buildGuide();
    const off = unwrap(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.paie }, { serviceId: g.paie.id }, ctx),
    ).service;
    const e = expectErr(
      attachDavid(g, { scope: servicesScope([g.paie.id]) }, { services: replaceService(g.serviceIndex, off) }),
      "SERVICE_INACTIVE",
    );
    expect(e.serviceId).toBe(g.paie.id);
  });

  it("refuses a service of another structure as if it did not exist: NOT_FOUND service naming it (ACME's VENTES)", () => {
    const g = buildGuide();
    expect(expectErr(attachDavid(g, { scope: servicesScope([g.compta.id, g.ventes.id]) }), "NOT_FOUND")).toStrictEqual({
      code: "NOT_FOUND",
      entity: "service",
      id: g.ventes.id,
    });
  });

  it("refuses an unknown service: NOT_FOUND service", () => {
    const g = buildGuide();
    expect(expectErr(attachDavid(g, { scope: servicesScope([serviceId("svc-x")]) }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "service",
      id: "svc-x",
    });
  });

  it("refuses records that do not match the command: NOT_FOUND structure / user", () => {
    const g = buildGuide();
    expect(expectErr(attachDavid(g, { structureId: g.acme.id }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "structure",
      id: g.acme.id,
    });
    expect(expectErr(attachDavid(g, { userId: userId("u-x") }), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "user",
      id: "u-x",
    });
  });

  it.each(hospitalOutsiders)("given $who, when attaching Chloé to the hospital they named, then FORBIDDEN with the reason", ({ actor, reason }) => {
    const g = buildGuide();
    const who = actor(g);
    const e = expectErr(
      attachUser(
        { actor: who, structure: g.hospital, user: g.chloe, services: g.serviceIndex },
        { structureId: g.hospital.id, userId: g.chloe.id, role: "user", validFrom: today, comment: "x", scope: WHOLE_STRUCTURE },
        ctx,
      ),
      "FORBIDDEN",
    );
    expect(e).toStrictEqual({ code: "FORBIDDEN", actorId: who.id, structureId: g.hospital.id, reason });
  });

  it.each(hospitalOutsiders)(
    "given $who, FORBIDDEN comes before what the command or the target would reveal (primary role, blank comment, already attached, foreign service)",
    ({ actor, reason }) => {
      const g = buildGuide();
      const who = actor(g);
      const forbidden = { ok: false, error: { code: "FORBIDDEN", actorId: who.id, structureId: g.hospital.id, reason } };
      const base = { structureId: g.hospital.id, role: "user", validFrom: today, comment: "x", scope: WHOLE_STRUCTURE } as const;
      const state = { actor: who, structure: g.hospital, services: g.serviceIndex };
      expect(attachUser({ ...state, user: g.chloe }, { ...base, userId: g.chloe.id, role: "primaryManager" }, ctx)).toStrictEqual(forbidden);
      expect(attachUser({ ...state, user: g.chloe }, { ...base, userId: g.chloe.id, comment: "\u200B" }, ctx)).toStrictEqual(forbidden);
      expect(attachUser({ ...state, user: g.chloe }, { ...base, userId: g.chloe.id, validFrom: yesterday }, ctx)).toStrictEqual(forbidden);
      expect(attachUser({ ...state, user: g.bruno }, { ...base, userId: g.bruno.id }, ctx)).toStrictEqual(forbidden);
      expect(attachUser({ ...state, user: g.zoe }, { ...base, userId: g.zoe.id }, ctx)).toStrictEqual(forbidden);
      expect(
        attachUser({ ...state, user: g.chloe }, { ...base, userId: g.chloe.id, scope: servicesScope([g.ventes.id]) }, ctx),
      ).toStrictEqual(forbidden);
    },
  );
});
