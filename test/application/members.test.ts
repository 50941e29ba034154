// attachUser, changeMemberRole, removeAttachment, leaveStructure through the application layer.
import { describe, expect, it } from "vitest";
import {
  deactivate,
  expectAppended,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectEventsSaved,
  expectForbidden,
  expectInvalid,
  expectNotFound,
  expectRefused,
  expectUnknownActor,
  FORBIDDEN_ACTORS,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  services,
  TODAY,
  TOMORROW,
  UNKNOWN,
  userRow,
  WHOLE,
  untyped,
  YESTERDAY,
  type Guide,
} from "./harness.js";
import type { AttachUserInput } from "../../src/index.js";

const attachFarid = (g: Guide, extra: Partial<AttachUserInput> = {}): AttachUserInput => ({
  structureId: g.townHall,
  userId: g.farid,
  role: "user",
  validFrom: TOMORROW,
  comment: " Renfort pour la clôture ",
  scope: services(g.paie, g.compta),
  ...extra,
});

/** Farid's attachment with fields a host's untyped body may hold and the input type does not (for the untyped view). */
const attachFaridWith = (g: Guide, extra: Record<string, unknown>): unknown => ({ ...attachFarid(g), ...extra });

describe("attachUser", () => {
  it("attaches a user with a role, a start date, a comment and services; history and a UserAttached event", async () => {
    const { h, g, app } = await guide();
    h.tick(15);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await app.attachUser(g.bruno, attachFarid(g)));
    const scope = services(...[g.compta, g.paie].sort());
    const attachment = { structureId: g.townHall, role: "user", scope, validFrom: TOMORROW, validUntil: null, endNotice: null, attachedBy: g.bruno, attachedAt: at };
    expect(r.member).toEqual({
      id: g.farid,
      login: "farid.benali@example.fr",
      lastName: "Benali",
      firstName: "Farid",
      status: "active",
      role: "user",
      attachment,
    });
    expect(Object.keys(r).sort()).toEqual(["events", "history", "member"]);
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: "userAttached",
        structureId: g.townHall,
        actorId: g.bruno,
        targetUserId: g.farid,
        requestId: null,
        details: { role: "user", scope, comment: "Renfort pour la clôture" },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      // Farid is told, at his login: nobody is attached without being told.
      { id: expect.any(String), type: "UserAttached", at, structureId: g.townHall, userId: g.farid, login: "farid.benali@example.fr", attachedBy: g.bruno, role: "user", scope, validFrom: TOMORROW },
    ]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    const stored = await userRow(h, g.farid);
    expect(stored.version).toBe(2);
    expect(stored.value.attachments).toEqual([attachment]);
  });

  it("shows the member only as seen from the structure when they belong to others", async () => {
    const { h, g, app } = await guide();
    // Chloé (town hall) is also attached to ACME, by Victor.
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "secondaryManager", validFrom: TODAY, comment: "Oui", scope: services(g.ventes) }));
    // Alice attaches her to the bookshop, which Alice also manages with the town hall.
    const r = must(await app.attachUser(g.alice, { ...attachFarid(g), userId: g.chloe, structureId: g.bookshop, scope: WHOLE }));
    expect(r.member).toMatchObject({ id: g.chloe, role: "user", attachment: { structureId: g.bookshop, scope: WHOLE } });
    expectDisclosesOnly(h, g.bookshop, r);
    expectDeepFrozen(r);
    expect((await userRow(h, g.chloe)).value.attachments.map((a) => a.structureId).sort()).toEqual([g.townHall, g.acme, g.bookshop].sort());
  });

  it("attaches a secondary manager to a structure without services", async () => {
    const { g, app } = await guide();
    const r = must(await app.attachUser(g.alice, { ...attachFarid(g), structureId: g.bookshop, role: "secondaryManager", scope: WHOLE }));
    expect(r.member.role).toBe("secondaryManager");
    expect(r.member.attachment).toMatchObject({ structureId: g.bookshop, role: "secondaryManager", scope: WHOLE });
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).attachUser(actor, attachFarid(g)), "malformed");
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).attachUser(g.alice, input));
  });

  it.each([
    ["an extra key", { status: "active" }],
    ["an impossible date", { validFrom: "2026-02-30" }],
    ["a date-time as date", { validFrom: "2026-11-28T00:00:00Z" }],
    ["a comment that is not text", { comment: null }],
    ["an unknown role", { role: "admin" }],
  ])("refuses a command with %s with VALIDATION", async (_label, override) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).attachUser(g.alice, attachFaridWith(g, override)));
  });

  it("refuses a command without a comment with VALIDATION", async () => {
    const { h, g, app } = await guide();
    const { comment: _comment, ...rest } = attachFarid(g);
    await expectInvalid(h, () => untyped(app).attachUser(g.alice, rest));
  });

  it("refuses an unknown user or service with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR, and an unknown structure with FORBIDDEN", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.attachUser(g.alice, attachFarid(g, { userId: UNKNOWN })), "user", UNKNOWN);
    await expectUnknownActor(h, () => app.attachUser(UNKNOWN, attachFarid(g)), "unknown");
    await expectNotFound(h, () => app.attachUser(g.alice, attachFarid(g, { scope: { kind: "services", serviceIds: [UNKNOWN] } })), "service", UNKNOWN);
    // Nobody manages a structure that does not exist.
    await expectForbidden(h, () => app.attachUser(g.alice, attachFarid(g, { structureId: UNKNOWN })), g.alice, "notAManager", UNKNOWN as never);
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.attachUser(g[who], attachFarid(g)), g[who], reason, g.townHall);
    // Judged before the target is looked up: an unknown user tells them nothing more.
    await expectForbidden(h, () => app.attachUser(g[who], attachFarid(g, { userId: UNKNOWN })), g[who], reason, g.townHall);
  });

  it("refuses the rules' other cases and writes nothing", async () => {
    const { h, g, app } = await guide();
    // The type refuses the primary role; an untyped body gets the rule's answer.
    await expectRefused(h, () => untyped(app).attachUser(g.alice, attachFaridWith(g, { role: "primaryManager" })), "CANNOT_GRANT_PRIMARY");
    expect(await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { validFrom: YESTERDAY })), "VALID_FROM_IN_THE_PAST")).toEqual({
      code: "VALID_FROM_IN_THE_PAST",
      validFrom: YESTERDAY,
      today: "2026-11-27",
    });
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { comment: "  " })), "COMMENT_REQUIRED");
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { comment: "\u200B" })), "COMMENT_REQUIRED");
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { userId: g.chloe })), "ALREADY_ATTACHED");
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { userId: g.alice })), "ALREADY_ATTACHED");
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g, { scope: services() })), "EMPTY_SCOPE");
    // A service of another structure is, from here, one that does not exist.
    await expectNotFound(h, () => app.attachUser(g.alice, attachFarid(g, { scope: services(g.paie, g.ventes) })), "service", g.ventes);
    await deactivate(h, g.farid);
    await expectRefused(h, () => app.attachUser(g.alice, attachFarid(g)), "ACCOUNT_NOT_ACTIVE");
  });
});

describe("changeMemberRole", () => {
  it("promotes a simple user; history « Rôle modifié » with both roles and a MemberRoleChanged event", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const r = must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }));
    const stored = await userRow(h, g.chloe);
    expect(r.member).toEqual({
      id: g.chloe,
      login: "chloe.durand@mairie-lyon.fr",
      lastName: "Durand",
      firstName: "Chloé",
      status: "active",
      role: "secondaryManager",
      attachment: stored.value.attachments[0],
    });
    expect(r.member.attachment).toMatchObject({ structureId: g.townHall, role: "secondaryManager", scope: services(g.compta) });
    expect(r.history).toEqual([
      expect.objectContaining({
        kind: "roleChanged",
        actorId: g.alice,
        targetUserId: g.chloe,
        details: { role: "secondaryManager", previousRole: "user" },
      }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      {
        id: expect.any(String),
        type: "MemberRoleChanged",
        at: h.now().toISOString(),
        structureId: g.townHall,
        userId: g.chloe,
        changedBy: g.alice,
        previousRole: "user",
        role: "secondaryManager",
      },
    ]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    expect(stored.value.attachments).toHaveLength(1);
    // Chloé now manages the town hall: she may read its history.
    must(await app.readHistory(g.chloe, { structureId: g.townHall }));
  });

  it("lets a secondary manager demote himself", async () => {
    const { h, g, app } = await guide();
    must(await app.changeMemberRole(g.bruno, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    await expectForbidden(h, () => app.readHistory(g.bruno, { structureId: g.townHall }), g.bruno, "notAManager");
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).changeMemberRole(actor, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra key", { structureId: "str-002", userId: "usr-003", role: "user", scope: { kind: "structure" } }],
    ["a missing role", { structureId: "str-002", userId: "usr-003" }],
    ["an unknown role", { structureId: "str-002", userId: "usr-003", role: "chef" }],
  ])("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await guide();
    await expectInvalid(h, () => untyped(app).changeMemberRole(g.alice, input));
  });

  it("refuses an unknown member with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR, and an unknown structure with FORBIDDEN", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(
      h,
      () => app.changeMemberRole(g.alice, { structureId: UNKNOWN, userId: g.chloe, role: "secondaryManager" }),
      g.alice,
      "notAManager",
      UNKNOWN as never,
    );
    await expectNotFound(h, () => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: UNKNOWN, role: "secondaryManager" }), "user", UNKNOWN);
    await expectUnknownActor(h, () => app.changeMemberRole(UNKNOWN, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await expectForbidden(
      h,
      () => app.changeMemberRole(g[who], { structureId: g.townHall, userId: g.bruno, role: "user" }),
      g[who],
      reason,
      g.townHall,
    );
    // Judged before the member is looked up.
    await expectForbidden(
      h,
      () => app.changeMemberRole(g[who], { structureId: g.townHall, userId: UNKNOWN, role: "user" }),
      g[who],
      reason,
      g.townHall,
    );
  });

  it("refuses the rules' other cases and writes nothing", async () => {
    const { h, g, app } = await guide();
    // The type refuses the primary role; an untyped body gets the rule's answer.
    await expectRefused(h, () => untyped(app).changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "primaryManager" }), "CANNOT_GRANT_PRIMARY");
    await expectRefused(h, () => app.changeMemberRole(g.bruno, { structureId: g.townHall, userId: g.alice, role: "user" }), "TRANSFER_REQUIRED");
    // A user who is not a member is NOT_FOUND, the very answer an unknown id gets.
    const farid = await expectNotFound(h, () => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.farid, role: "user" }), "user", g.farid);
    const unknown = await expectNotFound(h, () => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: UNKNOWN, role: "user" }), "user", UNKNOWN);
    expect({ ...farid, id: UNKNOWN }).toEqual(unknown);
    expect(await expectRefused(h, () => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "user" }), "ROLE_UNCHANGED")).toEqual({
      code: "ROLE_UNCHANGED",
      structureId: g.townHall,
      userId: g.chloe,
      role: "user",
    });
  });
});

describe("removeAttachment", () => {
  it("removes a member (history « Supprimé » with the role and scope removed, an AttachmentRemoved event)", async () => {
    const { h, g, app } = await guide();
    const before = h.snapshot();
    const r = must(await app.removeAttachment(g.bruno, { structureId: g.townHall, userId: g.chloe }));
    expect(r.member).toEqual({
      id: g.chloe,
      login: "chloe.durand@mairie-lyon.fr",
      lastName: "Durand",
      firstName: "Chloé",
      status: "active",
      role: null,
      attachment: null,
    });
    expect((await userRow(h, g.chloe)).value.attachments).toEqual([]);
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "attachmentRemoved", actorId: g.bruno, targetUserId: g.chloe, details: { role: "user", scope: services(g.compta) } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([
      { id: expect.any(String), type: "AttachmentRemoved", at: h.now().toISOString(), structureId: g.townHall, userId: g.chloe, removedBy: g.bruno },
    ]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    const members = must(await app.listMembers(g.alice, { structureId: g.townHall }));
    expect(members.items.map((m) => m.userId)).not.toContain(g.chloe);
    // She may now ask again.
    must(await app.requestAttachment(g.chloe, { structureId: g.townHall, scope: WHOLE }));
  });

  it("keeps the member's other attachments, and shows none of them", async () => {
    const { h, g, app } = await guide();
    must(await app.attachUser(g.alice, { ...attachFarid(g), structureId: g.bookshop, scope: WHOLE }));
    must(await app.attachUser(g.victor, { ...attachFarid(g), structureId: g.acme, scope: services(g.ventes) }));
    must(await app.attachUser(g.alice, attachFarid(g)));
    const r = must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.farid }));
    expect(r.member).toMatchObject({ id: g.farid, role: null, attachment: null });
    expectDisclosesOnly(h, g.townHall, r);
    expect((await userRow(h, g.farid)).value.attachments.map((a) => a.structureId).sort()).toEqual([g.bookshop, g.acme].sort());
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await guide();
    await expectUnknownActor(h, () => untyped(app).removeAttachment(actor, { structureId: g.townHall, userId: g.chloe }), "malformed");
  });

  it.each([...JUNK_INPUTS, ["an extra key", { structureId: "str-002", userId: "usr-003", reason: "x" }]])(
    "refuses the junk input %s with VALIDATION",
    async (_label, input) => {
      const { h, g, app } = await guide();
      await expectInvalid(h, () => untyped(app).removeAttachment(g.alice, input));
    },
  );

  it("refuses an unknown member with NOT_FOUND, an unknown actor with UNKNOWN_ACTOR, and an unknown structure with FORBIDDEN", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.removeAttachment(g.alice, { structureId: UNKNOWN, userId: g.chloe }), g.alice, "notAManager", UNKNOWN as never);
    await expectNotFound(h, () => app.removeAttachment(g.alice, { structureId: g.townHall, userId: UNKNOWN }), "user", UNKNOWN);
    await expectUnknownActor(h, () => app.removeAttachment(UNKNOWN, { structureId: g.townHall, userId: g.chloe }), "unknown");
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.removeAttachment(g[who], { structureId: g.townHall, userId: g.bruno }), g[who], reason, g.townHall);
    await expectForbidden(h, () => app.removeAttachment(g[who], { structureId: g.townHall, userId: UNKNOWN }), g[who], reason, g.townHall);
  });

  it("refuses to remove the primary manager (TRANSFER_REQUIRED) or a non-member (NOT_FOUND, as an unknown id)", async () => {
    const { h, g, app } = await guide();
    await expectRefused(h, () => app.removeAttachment(g.bruno, { structureId: g.townHall, userId: g.alice }), "TRANSFER_REQUIRED");
    await expectRefused(h, () => app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.alice }), "TRANSFER_REQUIRED");
    const david = await expectNotFound(h, () => app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.david }), "user", g.david);
    const unknown = await expectNotFound(h, () => app.removeAttachment(g.alice, { structureId: g.townHall, userId: UNKNOWN }), "user", UNKNOWN);
    expect({ ...david, id: UNKNOWN }).toEqual(unknown);
  });
});

describe("leaveStructure — the person leaves a structure, whoever attached them", () => {
  it("given Victor attached Chloé to ACME without asking her, she leaves it: « Supprimé » by herself, and her town hall membership stays", async () => {
    const { h, g, app } = await guide();
    const attached = must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TOMORROW, comment: "Bienvenue", scope: WHOLE }));
    expect(attached.events[0]).toMatchObject({ type: "UserAttached", login: "chloe.durand@mairie-lyon.fr" }); // she is told
    h.tick(5);
    const before = h.snapshot();
    const r = must(await app.leaveStructure(g.chloe, { structureId: g.acme }));
    expect(r.member).toMatchObject({ id: g.chloe, role: null, attachment: null });
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "attachmentRemoved", structureId: g.acme, actorId: g.chloe, targetUserId: g.chloe, details: { role: "user", scope: WHOLE } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: expect.any(String), type: "AttachmentRemoved", at: h.now().toISOString(), structureId: g.acme, userId: g.chloe, removedBy: g.chloe }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expect((await userRow(h, g.chloe)).value.attachments.map((a) => a.structureId)).toEqual([g.townHall]);
  });

  it("refuses a structure she is not attached to with NOT_FOUND, as an unknown one; the primary manager with TRANSFER_REQUIRED; an inactive account with FORBIDDEN; an unknown actor with UNKNOWN_ACTOR; junk with VALIDATION (a junk actor, UNKNOWN_ACTOR)", async () => {
    const { h, g, app } = await guide();
    const acme = await expectNotFound(h, () => app.leaveStructure(g.chloe, { structureId: g.acme }), "structure", g.acme);
    const unknown = await expectNotFound(h, () => app.leaveStructure(g.chloe, { structureId: UNKNOWN }), "structure", UNKNOWN);
    expect({ ...acme, id: UNKNOWN }).toEqual(unknown);
    await expectRefused(h, () => app.leaveStructure(g.alice, { structureId: g.townHall }), "TRANSFER_REQUIRED");
    await expectForbidden(h, () => app.leaveStructure(g.denis, { structureId: g.townHall }), g.denis, "accountNotActive");
    await expectUnknownActor(h, () => app.leaveStructure(UNKNOWN, { structureId: g.townHall }), "unknown");
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).leaveStructure(g.chloe, input));
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).leaveStructure(actor, { structureId: g.townHall }), "malformed");
  });
});
