import { describe, expect, it } from "vitest";
import {
  attachmentTo,
  authorizeManager,
  createStructure,
  historyKindLabel,
  registerUser,
  roleIn,
  structureId,
  userId,
  WHOLE_STRUCTURE,
  type CreateStructure,
} from "../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, now, today, unwrap, withStatus } from "./fixtures.js";

const newStructure = structureId("s-mairie-bron");
const command: CreateStructure = {
  designation: "  Mairie de Bron  ",
  kind: "public",
  viaPigp: false,
  identifier: { type: "siret", value: "21690029000018" },
};

function freshUser() {
  return unwrap(
    registerUser(
      { login: "gaelle.fontaine@bron.fr", lastName: "Fontaine", firstName: "Gaëlle" },
      { now, userId: userId("u-gaelle") },
    ),
  ).user;
}

describe("createStructure — « Créer une fiche structure »", () => {
  it("given an active user, when she creates a structure, then she is its primary manager attached to the whole structure from today", () => {
    const founder = freshUser();

    const r = unwrap(createStructure({ founder }, command, { ...ctx, structureId: newStructure }));

    expect(r.structure).toEqual({
      id: newStructure,
      designation: "Mairie de Bron",
      kind: "public",
      viaPigp: false,
      identifier: { type: "siret", value: "21690029000018" },
      primaryManagerId: founder.id,
      openSpaces: [], // no space opened yet
      createdAt: at,
    });
    expect(r.founder.attachments).toEqual([
      {
        structureId: newStructure,
        role: "user",
        scope: WHOLE_STRUCTURE,
        validFrom: today,
        attachedBy: founder.id,
        attachedAt: at,
        validUntil: null,
        endNotice: null,
      },
    ]);
    expect(roleIn(r.structure, r.founder)).toBe("primaryManager");
    expect(authorizeManager(r.founder, r.structure, today)).toEqual({ ok: true, value: "primaryManager" });
  });

  it("records « Structure créée » in the history, with the founder as actor and target", () => {
    const founder = freshUser();
    const r = unwrap(createStructure({ founder }, command, { ...ctx, structureId: newStructure }));
    expect(r.history).toEqual([
      {
        structureId: newStructure,
        kind: "structureCreated",
        at,
        actorId: founder.id,
        targetUserId: founder.id,
        requestId: null,
        details: { label: "Mairie de Bron" },
      },
    ]);
    expect(historyKindLabel[r.history[0]!.kind]).toBe("Structure créée");
  });

  it("emits StructureCreated naming the primary manager", () => {
    const founder = freshUser();
    const r = unwrap(createStructure({ founder }, command, { ...ctx, structureId: newStructure }));
    expect(r.events).toEqual([
      { type: "StructureCreated", at, structureId: newStructure, primaryManagerId: founder.id },
    ]);
  });

  it("uses the host's local date as validFrom when ctx.today is given", () => {
    const founder = freshUser();
    const late = new Date("2026-11-27T23:30:00Z");
    const r = unwrap(
      createStructure({ founder }, command, { now: late, today: "2026-11-28" as typeof today, structureId: newStructure }),
    );
    expect(r.founder.attachments[0]?.validFrom).toBe("2026-11-28");
  });

  it("without ctx.today, validFrom is the date of now on the Paris calendar (23:30 UTC on the 27th is the 28th)", () => {
    const founder = freshUser();
    const late = new Date("2026-11-27T23:30:00Z");
    const r = unwrap(createStructure({ founder }, command, { now: late, structureId: newStructure }));
    expect(r.founder.attachments[0]?.validFrom).toBe("2026-11-28");
    expect(r.structure.createdAt).toBe("2026-11-27T23:30:00.000Z");
  });

  it("keeps the founder's other attachments (Alice creates a second structure)", () => {
    const g = buildGuide();
    const r = unwrap(createStructure({ founder: g.alice }, command, { ...ctx, structureId: newStructure }));
    expect(r.founder.attachments.map((a) => a.structureId).sort()).toEqual(
      [g.hospital.id, g.townHall.id, newStructure].sort(),
    );
    expect(attachmentTo(r.founder, g.hospital.id)).toEqual(attachmentTo(g.alice, g.hospital.id));
  });

  it("a private structure never goes through the PIGP, whatever the command says", () => {
    const founder = freshUser();
    const r = unwrap(
      createStructure(
        { founder },
        { ...command, kind: "private", viaPigp: true },
        { ...ctx, structureId: newStructure },
      ),
    );
    expect(r.structure.viaPigp).toBe(false);
  });

  it("a public structure may go through the PIGP", () => {
    const founder = freshUser();
    const r = unwrap(
      createStructure({ founder }, { ...command, viaPigp: true }, { ...ctx, structureId: newStructure }),
    );
    expect(r.structure.viaPigp).toBe(true);
  });

  it.each(["deactivated", "pendingActivation"] as const)(
    "refuses a founder whose account is %s: FORBIDDEN accountNotActive (no structure yet)",
    (status) => {
      const founder = withStatus(freshUser(), status);
      const e = expectErr(createStructure({ founder }, command, { ...ctx, structureId: newStructure }), "FORBIDDEN");
      expect(e).toEqual({ code: "FORBIDDEN", actorId: founder.id, structureId: null, reason: "accountNotActive" });
    },
  );
});

describe("the guide's fixture", () => {
  it("is built as described: Alice primary of two structures, Bruno secondary, Élodie on PAIE with a request", () => {
    const g = buildGuide();
    expect(roleIn(g.hospital, g.alice)).toBe("primaryManager");
    expect(roleIn(g.townHall, g.alice)).toBe("primaryManager");
    expect(roleIn(g.hospital, g.bruno)).toBe("secondaryManager");
    expect(roleIn(g.hospital, g.elodie)).toBe("user");
    expect(roleIn(g.acme, g.victor)).toBe("primaryManager");
    expect(roleIn(g.hospital, g.victor)).toBeNull();
    expect(g.hospitalServices.map((s) => s.code)).toEqual(["ACHATS", "COMPTA", "PAIE", "RH"]);
    expect(attachmentTo(g.elodie, g.hospital.id)?.scope).toEqual({ kind: "services", serviceIds: [g.paie.id] });
    expect(g.elodieRequest.scope).toEqual({ kind: "services", serviceIds: [g.achats.id, g.compta.id].sort() });
    expect(g.zoe.status).toBe("deactivated");
  });
});
