// Guide §6 B, « Le gestionnaire ne souhaite pas conserver son accès à Chorus Pro
// (structures privées ou publiques ne passant pas par le PIGP uniquement) »: the person
// deactivates their own account, naming a successor for every structure they are primary
// manager of; the transfers and the deactivation are one decision.
import { describe, expect, it } from "vitest";
import {
  attachUser,
  createStructure,
  deactivateAccount,
  historyKindLabel,
  roleIn,
  structureId,
  userId,
  WHOLE_STRUCTURE,
  type Structure,
  type Succession,
  type TransferState,
  type User,
} from "../../../src/core/index.js";
import { at, ctx, expectErr, grantOf, holding, setupNow, space, today, unwrap, withStatus } from "../fixtures.js";
import { hugoPending, pigpStructure } from "../accounts/fixtures.js";
import { buildWorld, HOUR, stateOf, wctx, type World } from "./fixtures.js";

const leave = (state: TransferState, transfers: Succession[], window = wctx) => deactivateAccount(state, { transfers }, window);

/** A successor for each of Alice's three structures: Bruno for two, David for the bookshop. */
const successors = (w: World): Succession[] => [
  { structureId: w.hospital.id, successorId: w.bruno.id },
  { structureId: w.townHall.id, successorId: w.bruno.id },
  { structureId: w.bookshop.id, successorId: w.david.id },
];

/** Alice also a simple user of ACME, attached by Victor today. */
function aliceAlsoAtAcme(w: World): User {
  return unwrap(
    attachUser(
      { actor: w.victor, structure: w.acme, user: w.alice, services: w.serviceIndex },
      { structureId: w.acme.id, userId: w.alice.id, role: "user", validFrom: today, comment: "Consultation", scope: WHOLE_STRUCTURE },
      ctx,
    ),
  ).user;
}

/** « Mairie de Caluire », a public structure using the PIGP founded by Victor, with `user` attached to it as a simple user. */
function caluireWith(w: World, user: User): { structure: Structure; user: User } {
  const founded = unwrap(
    createStructure(
      { founder: w.victor },
      { designation: "Mairie de Caluire", kind: "public", viaPigp: true, identifier: { type: "siret", value: "21690266600017" } },
      { now: setupNow, structureId: structureId("s-mairie-caluire") },
    ),
  );
  const attached = unwrap(
    attachUser(
      { actor: founded.founder, structure: founded.structure, user, services: w.serviceIndex },
      { structureId: founded.structure.id, userId: user.id, role: "user", validFrom: today, comment: "Agent", scope: WHOLE_STRUCTURE },
      ctx,
    ),
  ).user;
  return { structure: founded.structure, user: attached };
}

describe("deactivateAccount — a successor for every structure (SUCCESSOR_REQUIRED)", () => {
  it("refuses Alice naming nobody, listing her three structures (by designation)", () => {
    const w = buildWorld();
    const e = expectErr(leave(stateOf(w, w.alice), []), "SUCCESSOR_REQUIRED");
    expect(e).toEqual({ code: "SUCCESSOR_REQUIRED", userId: w.alice.id, structureIds: [w.hospital.id, w.bookshop.id, w.townHall.id] });
  });

  it("lists exactly the structures still without a successor", () => {
    const w = buildWorld();
    expect(expectErr(leave(stateOf(w, w.alice), successors(w).slice(0, 1)), "SUCCESSOR_REQUIRED").structureIds).toEqual([w.bookshop.id, w.townHall.id]);
    expect(expectErr(leave(stateOf(w, w.alice), successors(w).slice(1)), "SUCCESSOR_REQUIRED").structureIds).toEqual([w.hospital.id]);
  });

  it("is not satisfied by a successor named for a structure that is not hers", () => {
    const w = buildWorld();
    const r = leave(stateOf(w, w.alice), [...successors(w).slice(0, 2), { structureId: w.acme.id, successorId: w.david.id }]);
    expect(expectErr(r, "SUCCESSOR_REQUIRED").structureIds).toEqual([w.bookshop.id]);
  });

  it("once every structure has one, refuses a further structure not hers with FORBIDDEN", () => {
    const w = buildWorld();
    const r = leave(stateOf(w, w.alice), [...successors(w), { structureId: w.acme.id, successorId: w.david.id }]);
    expect(r).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: w.alice.id, structureId: w.acme.id, reason: "notThePrimaryManager" } });
  });
});

describe("deactivateAccount — the guide's scenario: Alice names her successors and leaves", () => {
  it("hands her three structures over and deactivates her account, reactivable for 60 × 24 hours", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.alice), successors(w)));
    expect(r.structures.map((s) => [s.id, s.primaryManagerId])).toEqual([
      [w.hospital.id, w.bruno.id],
      [w.townHall.id, w.bruno.id],
      [w.bookshop.id, w.david.id],
    ]);
    expect(r.successors.map((u) => u.id)).toEqual([w.bruno.id, w.david.id]);
    expect(r.user).toEqual({ ...w.alice, status: "deactivated", deactivatedAt: at });
    expect(r.reactivableUntil).toBe("2027-01-26T09:00:00.000Z");
  });

  it("her attachments and grants stay as they are: a simple user of the whole of each, for a reactivation to give back", () => {
    const w = buildWorld();
    const alice = holding(w.alice, grantOf(w.hospital.id, space.recues, null, "write"));
    const r = unwrap(leave(stateOf(w, alice), successors(w)));
    expect(r.user.attachments).toEqual(alice.attachments);
    expect(r.user.grants).toEqual(alice.grants);
    for (const s of r.structures) expect(roleIn(s, r.user)).toBe("user");
  });

  it("records the transfers, then « Compte désactivé » on every structure of the account, her simple-user ones too", () => {
    const w = buildWorld();
    const alice = aliceAlsoAtAcme(w);
    const r = unwrap(leave(stateOf(w, alice), successors(w)));
    expect(r.history.map((h) => [h.kind, h.structureId])).toEqual([
      ["primaryRoleTransferred", w.hospital.id],
      ["primaryRoleTransferred", w.townHall.id],
      ["primaryRoleTransferred", w.bookshop.id],
      ...alice.attachments.map((a) => ["accountDeactivated", a.structureId]),
    ]);
    expect(new Set(r.history.filter((h) => h.kind === "accountDeactivated").map((h) => h.structureId))).toEqual(
      new Set([w.hospital.id, w.townHall.id, w.bookshop.id, w.acme.id]),
    );
    expect(r.history.filter((h) => h.kind === "accountDeactivated")).toEqual(
      alice.attachments.map((a) => ({
        structureId: a.structureId,
        kind: "accountDeactivated",
        at,
        actorId: w.alice.id,
        targetUserId: w.alice.id,
        requestId: null,
        details: { reactivableUntil: r.reactivableUntil },
      })),
    );
    expect(historyKindLabel.accountDeactivated).toBe("Compte désactivé");
  });

  it("tells the host: PrimaryRoleTransferred for each structure, then AccountDeactivated with reactivableUntil", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.alice), successors(w)));
    expect(r.events).toEqual([
      ...successors(w).map(({ structureId, successorId }) => ({
        type: "PrimaryRoleTransferred",
        at,
        structureId,
        formerPrimaryManagerId: w.alice.id,
        primaryManagerId: successorId,
      })),
      { type: "AccountDeactivated", at, userId: w.alice.id, reactivableUntil: r.reactivableUntil },
    ]);
  });

  it("the successors are attached to the whole structure as by a transfer (David to the bookshop, from today)", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.alice), successors(w)));
    expect(r.successors[1]!.attachments).toEqual([
      { structureId: w.bookshop.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: w.alice.id, attachedAt: at, validUntil: null, endNotice: null },
    ]);
  });

  it("one successor for all (as the application expands `{ successorId }`)", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.alice), [w.hospital, w.bookshop, w.townHall].map((s) => ({ structureId: s.id, successorId: w.chloe.id }))));
    expect(r.structures.every((s) => s.primaryManagerId === w.chloe.id)).toBe(true);
    expect(r.successors.map((u) => u.id)).toEqual([w.chloe.id]);
  });
});

describe("deactivateAccount — someone primary manager of nothing", () => {
  it("a simple user (Élodie) leaves naming nobody: « Compte désactivé » on her structure only, no transfer", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.elodie), []));
    expect(r.structures).toEqual([]);
    expect(r.successors).toEqual([]);
    expect(r.user).toEqual({ ...w.elodie, status: "deactivated", deactivatedAt: at });
    expect(r.history.map((h) => [h.kind, h.structureId])).toEqual([["accountDeactivated", w.hospital.id]]);
    expect(r.events).toEqual([{ type: "AccountDeactivated", at, userId: w.elodie.id, reactivableUntil: r.reactivableUntil }]);
  });

  it("a user with no structure (Chloé) leaves: no history anywhere, the event only", () => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.chloe), []));
    expect(r.history).toEqual([]);
    expect(r.events.map((e) => e.type)).toEqual(["AccountDeactivated"]);
  });

  it("a secondary manager (Bruno) may not hand over the structure he only helps manage", () => {
    const w = buildWorld();
    const e = expectErr(leave(stateOf(w, w.bruno), [{ structureId: w.hospital.id, successorId: w.david.id }]), "FORBIDDEN");
    expect(e).toEqual({ code: "FORBIDDEN", actorId: w.bruno.id, structureId: w.hospital.id, reason: "notThePrimaryManager" });
  });
});

describe("deactivateAccount — PIGP_ACCOUNT: accounts of structures using the PIGP are the DGFiP's", () => {
  it("refuses Alice, primary manager of « Mairie de Bron » (PIGP), even with a successor for everything, listing the PIGP structure only", () => {
    const w = buildWorld();
    const { structure: bron, alice } = pigpStructure(w);
    const state = stateOf(w, alice, bron);
    const e = expectErr(leave(state, [...successors(w), { structureId: bron.id, successorId: w.david.id }]), "PIGP_ACCOUNT");
    expect(e).toEqual({ code: "PIGP_ACCOUNT", userId: w.alice.id, structureIds: [bron.id] });
  });

  it("lists every PIGP structure of the account, those where she is a simple user too, and no other", () => {
    const w = buildWorld();
    const { structure: bron, alice: aliceAtBron } = pigpStructure(w);
    const { structure: caluire, user: alice } = caluireWith(w, aliceAtBron);
    const e = expectErr(leave(stateOf(w, alice, bron, caluire), []), "PIGP_ACCOUNT");
    expect(e.structureIds).toEqual([bron.id, caluire.id]);
  });

  it("refuses a simple user of a PIGP structure (Élodie at Caluire)", () => {
    const w = buildWorld();
    const { structure: caluire, user: elodie } = caluireWith(w, w.elodie);
    expect(expectErr(leave(stateOf(w, elodie, caluire), []), "PIGP_ACCOUNT").structureIds).toEqual([caluire.id]);
  });

  it("a public structure not using the PIGP (the hospital) is no PIGP structure", () => {
    const w = buildWorld();
    expect(w.hospital).toMatchObject({ kind: "public", viaPigp: false });
    expect(leave(stateOf(w, w.elodie), []).ok).toBe(true);
  });
});

describe("deactivateAccount — other refusals", () => {
  it.each([
    ["already deactivated (Zoé)", (w: World) => w.zoe],
    ["deactivated, and primary manager (Alice)", (w: World) => withStatus(w.alice, "deactivated")],
    ["awaiting activation (Hugo)", (w: World) => hugoPending(w)],
  ])("refuses an account %s with FORBIDDEN accountNotActive", (_, who) => {
    const w = buildWorld();
    const actor = who(w);
    expect(leave(stateOf(w, actor), [])).toEqual({
      ok: false,
      error: { code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" },
    });
  });

  it("refuses a structure named twice with VALIDATION", () => {
    const w = buildWorld();
    const r = leave(stateOf(w, w.alice), [...successors(w), successors(w)[0]!]);
    expect(expectErr(r, "VALIDATION").issues).toEqual([
      { path: ["transfers"], code: "custom", message: "chaque structure une seule fois" },
    ]);
  });

  it("refuses the successor refusals of a transfer: herself, an unknown person, an inactive account (NOT_FOUND unless a member of the structure)", () => {
    const w = buildWorld();
    const withSuccessor = (successorId: User["id"]) => [...successors(w).slice(0, 2), { structureId: w.bookshop.id, successorId }];
    expect(expectErr(leave(stateOf(w, w.alice), withSuccessor(w.alice.id)), "SUCCESSOR_IS_PRIMARY_MANAGER").structureId).toBe(w.bookshop.id);
    expect(expectErr(leave(stateOf(w, w.alice), withSuccessor(userId("u-nobody"))), "NOT_FOUND").id).toBe("u-nobody");
    // Zoé (deactivated) is no member of the bookshop: her status is not told.
    expect(expectErr(leave(stateOf(w, w.alice), withSuccessor(w.zoe.id)), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: w.zoe.id });
    // Bruno, deactivated, is a member of the hospital: his status is.
    const bruno = withStatus(w.bruno, "deactivated");
    const toBruno = [{ structureId: w.hospital.id, successorId: bruno.id }, ...successors(w).filter((t) => t.structureId !== w.hospital.id)];
    expect(expectErr(leave(stateOf(w, w.alice, bruno), toBruno), "ACCOUNT_NOT_ACTIVE").status).toBe("deactivated");
  });
});

describe("deactivateAccount — the reactivation window (policy)", () => {
  it.each([
    [1, "2026-11-27T10:00:00.000Z"],
    [24, "2026-11-28T09:00:00.000Z"],
    [90 * 24, "2027-02-25T09:00:00.000Z"],
  ])("with a window of %i hours, reactivableUntil is that many hours after the deactivation instant", (hours, until) => {
    const w = buildWorld();
    const r = unwrap(leave(stateOf(w, w.elodie), [], { ...ctx, reactivationWindowHours: hours }));
    expect(r.reactivableUntil).toBe(until);
    expect(Date.parse(r.reactivableUntil) - Date.parse(r.user.deactivatedAt!)).toBe(hours * HOUR);
  });
});
