import { describe, expect, it } from "vitest";
import {
  attachmentTo,
  authorizeManager,
  changeMemberRole,
  historyKindLabel,
  leaveStructure,
  removeAttachment,
  spaceCode,
  structureId,
  userId,
  validateAttachmentRequest,
  type MemberState,
  type Structure,
  type User,
} from "../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, hospitalOutsiders, today, unwrap, withStatus, type Guide } from "./fixtures.js";

const memberState = (g: Guide, overrides: Partial<MemberState> = {}): MemberState => ({
  actor: g.alice,
  structure: g.hospital,
  member: g.elodie,
  ...overrides,
});

describe("changeMemberRole — modifier le rôle d'un utilisateur", () => {
  it("given Élodie is a simple user, when Alice makes her « Gestionnaire secondaire », then only the role changes", () => {
    const g = buildGuide();
    const r = unwrap(
      changeMemberRole(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id, role: "secondaryManager" }, ctx),
    );
    const before = attachmentTo(g.elodie, g.hospital.id)!;
    expect(attachmentTo(r.member, g.hospital.id)).toEqual({ ...before, role: "secondaryManager" });
    expect(authorizeManager(r.member, g.hospital, today).ok).toBe(true);
  });

  it("history records « Rôle modifié » with the new and previous roles; the event says who changed it", () => {
    const g = buildGuide();
    const r = unwrap(
      changeMemberRole(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id, role: "secondaryManager" }, ctx),
    );
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "roleChanged",
        at,
        actorId: g.alice.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { role: "secondaryManager", previousRole: "user" },
      },
    ]);
    expect(historyKindLabel.roleChanged).toBe("Rôle modifié");
    expect(r.events).toEqual([
      {
        type: "MemberRoleChanged",
        at,
        structureId: g.hospital.id,
        userId: g.elodie.id,
        changedBy: g.alice.id,
        previousRole: "user",
        role: "secondaryManager",
      },
    ]);
  });

  it("a secondary manager can be made a simple user, and then manages nothing", () => {
    const g = buildGuide();
    const r = unwrap(
      changeMemberRole(memberState(g, { member: g.bruno }), { structureId: g.hospital.id, userId: g.bruno.id, role: "user" }, ctx),
    );
    expect(authorizeManager(r.member, g.hospital, today)).toMatchObject({ ok: false, error: { reason: "notAManager" } });
  });

  it("refuses the role the member already has: ROLE_UNCHANGED", () => {
    const g = buildGuide();
    const e = expectErr(
      changeMemberRole(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id, role: "user" }, ctx),
      "ROLE_UNCHANGED",
    );
    expect(e).toEqual({ code: "ROLE_UNCHANGED", structureId: g.hospital.id, userId: g.elodie.id, role: "user" });
  });

  it("refuses to change the primary manager's role: TRANSFER_REQUIRED", () => {
    const g = buildGuide();
    const e = expectErr(
      changeMemberRole(
        memberState(g, { actor: g.bruno, member: g.alice }),
        { structureId: g.hospital.id, userId: g.alice.id, role: "secondaryManager" },
        ctx,
      ),
      "TRANSFER_REQUIRED",
    );
    expect(e).toEqual({ code: "TRANSFER_REQUIRED", structureId: g.hospital.id, userId: g.alice.id });
  });

  it("refuses a user who is not attached (David) with NOT_FOUND, the answer an unknown id gets", () => {
    const g = buildGuide();
    const e = expectErr(
      changeMemberRole(memberState(g, { member: g.david }), { structureId: g.hospital.id, userId: g.david.id, role: "user" }, ctx),
      "NOT_FOUND",
    );
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: g.david.id });
    const unknown = expectErr(
      changeMemberRole(memberState(g, { member: g.david }), { structureId: g.hospital.id, userId: userId("u-nobody"), role: "user" }, ctx),
      "NOT_FOUND",
    );
    expect(unknown).toEqual({ ...e, id: "u-nobody" });
  });

  it("refuses the role « Gestionnaire principal »: CANNOT_GRANT_PRIMARY", () => {
    const g = buildGuide();
    const e = expectErr(
      changeMemberRole(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id, role: "primaryManager" }, ctx),
      "CANNOT_GRANT_PRIMARY",
    );
    expect(e).toEqual({ code: "CANNOT_GRANT_PRIMARY", structureId: g.hospital.id, userId: g.elodie.id });
  });

  it.each(hospitalOutsiders)("given $who, when acting on Bruno in the hospital they named, then FORBIDDEN with the reason", ({ actor: actorOf, reason }) => {
    const g = buildGuide();
    const actor = actorOf(g);
    const e = expectErr(
      changeMemberRole(
        memberState(g, { actor, member: g.bruno }),
        { structureId: g.hospital.id, userId: g.bruno.id, role: "user" },
        ctx,
      ),
      "FORBIDDEN",
    );
    expect(e).toStrictEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason });
  });

  it("refuses records that do not match the command: NOT_FOUND", () => {
    const g = buildGuide();
    expect(
      expectErr(changeMemberRole(memberState(g), { structureId: g.acme.id, userId: g.elodie.id, role: "secondaryManager" }, ctx), "NOT_FOUND"),
    ).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    expect(
      expectErr(changeMemberRole(memberState(g), { structureId: g.hospital.id, userId: userId("u-x"), role: "secondaryManager" }, ctx), "NOT_FOUND"),
    ).toEqual({ code: "NOT_FOUND", entity: "user", id: "u-x" });
  });
});

describe("removeAttachment — supprimer un rattachement", () => {
  it("given Élodie is attached to the hospital and the town hall, when Alice removes the hospital attachment, then only that one goes", () => {
    const g = buildGuide();
    // Chloé's town-hall request, validated, gives a second structure to test with.
    const chloe = unwrap(
      validateAttachmentRequest(
        { actor: g.alice, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: new Map() },
        { requestId: g.chloeRequest.id },
        ctx,
      ),
    ).requester;
    const r = unwrap(removeAttachment(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id }, ctx));
    expect(r.member).toEqual({ ...g.elodie, attachments: [] });
    const r2 = unwrap(
      removeAttachment(memberState(g, { structure: g.townHall, member: chloe }), { structureId: g.townHall.id, userId: chloe.id }, ctx),
    );
    expect(r2.member.attachments).toEqual([]);
  });

  it("keeps the member's attachments to other structures", () => {
    const g = buildGuide();
    const elodie = { ...g.elodie, attachments: [...g.elodie.attachments, { ...g.elodie.attachments[0]!, structureId: g.townHall.id }] };
    const r = unwrap(removeAttachment(memberState(g, { member: elodie }), { structureId: g.hospital.id, userId: g.elodie.id }, ctx));
    expect(r.member.attachments.map((a) => a.structureId)).toEqual([g.townHall.id]);
  });

  it("history records « Supprimé » with what the member had; the event says who removed it", () => {
    const g = buildGuide();
    const r = unwrap(removeAttachment(memberState(g), { structureId: g.hospital.id, userId: g.elodie.id }, ctx));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "attachmentRemoved",
        at,
        actorId: g.alice.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { role: "user", scope: { kind: "services", serviceIds: [g.paie.id] } },
      },
    ]);
    expect(historyKindLabel[r.history[0]!.kind]).toBe("Supprimé");
    expect(r.events).toEqual([
      { type: "AttachmentRemoved", at, structureId: g.hospital.id, userId: g.elodie.id, removedBy: g.alice.id },
    ]);
  });

  it("a secondary manager may remove his own attachment", () => {
    const g = buildGuide();
    const r = removeAttachment(memberState(g, { actor: g.bruno, member: g.bruno }), { structureId: g.hospital.id, userId: g.bruno.id }, ctx);
    expect(unwrap(r).member.attachments).toEqual([]);
  });

  it("refuses to remove the primary manager's attachment: TRANSFER_REQUIRED", () => {
    const g = buildGuide();
    for (const actor of [g.alice, g.bruno]) {
      const e = expectErr(
        removeAttachment(memberState(g, { actor, member: g.alice }), { structureId: g.hospital.id, userId: g.alice.id }, ctx),
        "TRANSFER_REQUIRED",
      );
      expect(e).toEqual({ code: "TRANSFER_REQUIRED", structureId: g.hospital.id, userId: g.alice.id });
    }
  });

  it("refuses a user who is not attached with NOT_FOUND, the answer an unknown id gets", () => {
    const g = buildGuide();
    const e = expectErr(removeAttachment(memberState(g, { member: g.david }), { structureId: g.hospital.id, userId: g.david.id }, ctx), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: g.david.id });
  });

  it.each(hospitalOutsiders)("given $who, when acting on Bruno in the hospital they named, then FORBIDDEN with the reason", ({ actor: actorOf, reason }) => {
    const g = buildGuide();
    const actor = actorOf(g);
    const e = expectErr(
      removeAttachment(memberState(g, { actor, member: g.bruno }), { structureId: g.hospital.id, userId: g.bruno.id }, ctx),
      "FORBIDDEN",
    );
    expect(e).toStrictEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason });
  });
});

describe("leaveStructure — the person leaves a structure, whoever attached them", () => {
  const leave = (user: User, structure: Structure, structureId = structure.id) => leaveStructure({ user, structure }, { structureId }, ctx);

  it("given Élodie is a simple user of the hospital, she leaves it: her attachment and her grants on it go; « Supprimé » with her as actor", () => {
    const g = buildGuide();
    const grant = { structureId: g.hospital.id, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null } as const;
    const granted: User = { ...g.elodie, grants: [grant] };
    const r = unwrap(leave(granted, g.hospital));
    expect(r.member).toEqual({ ...g.elodie, attachments: [], grants: [] });
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "attachmentRemoved",
        at,
        actorId: g.elodie.id,
        targetUserId: g.elodie.id,
        requestId: null,
        details: { role: "user", scope: { kind: "services", serviceIds: [g.paie.id] } },
      },
    ]);
    expect(r.events).toEqual([{ type: "AttachmentRemoved", at, structureId: g.hospital.id, userId: g.elodie.id, removedBy: g.elodie.id }]);
  });

  it("a structure she is not attached to is NOT_FOUND, as an unknown one; the primary manager hands the role over first (TRANSFER_REQUIRED)", () => {
    const g = buildGuide();
    expect(expectErr(leave(g.elodie, g.acme), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
    expect(expectErr(leave(g.elodie, g.hospital, structureId("s-other")), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "structure", id: "s-other" });
    expectErr(leave(g.alice, g.hospital), "TRANSFER_REQUIRED");
  });

  it("an account not active may not act: FORBIDDEN (accountNotActive)", () => {
    const g = buildGuide();
    expect(expectErr(leave(withStatus(g.elodie, "deactivated"), g.hospital), "FORBIDDEN").reason).toBe("accountNotActive");
  });
});
