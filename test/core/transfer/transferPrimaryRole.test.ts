// Guide §6 A, « Le gestionnaire souhaite conserver son accès à Chorus Pro »: the primary
// manager hands the role over, for one or more of their structures, the same successor
// for all or one per structure; the successor becomes primary manager attached to the
// whole structure, the former one stays a simple user; grants untouched; atomic.
import { describe, expect, it } from "vitest";
import {
  historyKindLabel,
  primaryStructuresOf,
  roleIn,
  servicesScope,
  structureId,
  transferPrimaryRole,
  userId,
  WHOLE_STRUCTURE,
  type Succession,
  type TransferState,
} from "../../../src/core/index.js";
import {
  at,
  ctx,
  expectErr,
  grantOf,
  holding,
  setupAt,
  setupDay,
  space,
  today,
  tomorrow,
  unwrap,
  withFutureManager,
  withStatus,
} from "../fixtures.js";
import { hugoPending } from "../accounts/fixtures.js";
import { attachedToHospital, buildWorld, deepFreeze, stateOf, type World } from "./fixtures.js";

const handOver = (state: TransferState, transfers: Succession[]) => transferPrimaryRole(state, { transfers }, ctx);

/** The guide's scenario: Bruno for the hospital and the town hall, David for the bookshop, in one act. */
function threeStructures(w: World) {
  return [
    { structureId: w.hospital.id, successorId: w.bruno.id },
    { structureId: w.townHall.id, successorId: w.bruno.id },
    { structureId: w.bookshop.id, successorId: w.david.id },
  ];
}

describe("primaryStructuresOf — « Chorus Pro liste alors les structures pour lesquelles l'utilisateur est gestionnaire principal »", () => {
  it("lists Alice's three structures by designation, and none of Victor's", () => {
    const w = buildWorld();
    expect(primaryStructuresOf(w.alice, w.structures).map((s) => s.designation)).toEqual([
      "Centre hospitalier de Lyon",
      "Librairie des Canuts",
      "Mairie de Villeurbanne",
    ]);
    expect(primaryStructuresOf(w.victor, w.structures)).toEqual([w.acme]);
  });

  it("is empty for a secondary manager (Bruno) and a simple user (Élodie), whatever their attachments", () => {
    const w = buildWorld();
    expect(primaryStructuresOf(w.bruno, w.structures)).toEqual([]);
    expect(primaryStructuresOf(w.elodie, w.structures)).toEqual([]);
  });

  it("orders structures of one designation by id", () => {
    const w = buildWorld();
    const twin = { ...w.hospital, id: structureId("s-0-twin") };
    const structures = new Map(w.structures).set(twin.id, twin);
    expect(primaryStructuresOf(w.alice, structures).map((s) => s.id).slice(0, 2)).toEqual([twin.id, w.hospital.id]);
  });

  it("orders by designation whatever the ids and the order the structures come in", () => {
    const w = buildWorld();
    // Designations in the reverse order of the ids: the listing follows the designations.
    const named = [
      { ...w.hospital, designation: "Zénith de Lyon" },
      { ...w.bookshop, designation: "Mairie annexe" },
      { ...w.townHall, designation: "Agence de Villeurbanne" },
    ];
    for (const order of permutations(named)) {
      const structures = new Map(order.map((s) => [s.id, s]));
      expect(primaryStructuresOf(w.alice, structures).map((s) => s.designation)).toEqual([
        "Agence de Villeurbanne",
        "Mairie annexe",
        "Zénith de Lyon",
      ]);
    }
  });

  it("orders structures of one designation by id, whatever the order they come in", () => {
    const w = buildWorld();
    const twins = ["s-b", "s-c", "s-a"].map((id) => ({ ...w.hospital, id: structureId(id), designation: "Hôpital" }));
    for (const order of permutations(twins)) {
      const structures = new Map(order.map((s) => [s.id, s]));
      expect(primaryStructuresOf(w.alice, structures).map((s) => s.id)).toEqual(["s-a", "s-b", "s-c"]);
    }
  });
});

/** Every ordering of a few items. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe("transferPrimaryRole — the guide's scenario: one successor for two structures, another for the third", () => {
  it("given Alice is primary manager of three structures, when she names Bruno for two and David for the third, then each changes hands", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), threeStructures(w)));
    expect(r.structures).toEqual([
      { ...w.hospital, primaryManagerId: w.bruno.id },
      { ...w.townHall, primaryManagerId: w.bruno.id },
      { ...w.bookshop, primaryManagerId: w.david.id },
    ]);
    for (const s of r.structures) expect(roleIn(s, w.alice)).toBe("user");
    expect(primaryStructuresOf(w.alice, new Map(r.structures.map((s) => [s.id, s])))).toEqual([]);
  });

  it("Bruno, secondary manager of the hospital, is held on its whole, as he was, and attached to the whole town hall from today; David to the whole bookshop", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), threeStructures(w)));
    // One record per successor, whatever the number of structures he takes.
    expect(r.successors.map((u) => u.id)).toEqual([w.bruno.id, w.david.id]);
    const [bruno, david] = r.successors;
    expect(bruno).toEqual({
      ...w.bruno,
      attachments: [
        // The role stored is the one he keeps once he hands over in turn: a simple user.
        { structureId: w.hospital.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: setupDay, attachedBy: w.alice.id, attachedAt: setupAt, validUntil: null, endNotice: null },
        { structureId: w.townHall.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: w.alice.id, attachedAt: at, validUntil: null, endNotice: null },
      ],
    });
    expect(david).toEqual({
      ...w.david,
      attachments: [{ structureId: w.bookshop.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: w.alice.id, attachedAt: at, validUntil: null, endNotice: null }],
    });
    for (const s of r.structures) expect(roleIn(s, s.primaryManagerId === w.bruno.id ? bruno! : david!)).toBe("primaryManager");
  });

  it("records « Rôle de gestionnaire principal transféré » on each structure, the successor as target, and a PrimaryRoleTransferred event for each", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), threeStructures(w)));
    expect(r.history).toEqual(
      threeStructures(w).map(({ structureId, successorId }) => ({
        structureId,
        kind: "primaryRoleTransferred",
        at,
        actorId: w.alice.id,
        targetUserId: successorId,
        requestId: null,
        details: { formerPrimaryManagerId: w.alice.id },
      })),
    );
    expect(historyKindLabel[r.history[0]!.kind]).toBe("Rôle de gestionnaire principal transféré");
    expect(r.events).toEqual(
      threeStructures(w).map(({ structureId, successorId }) => ({
        type: "PrimaryRoleTransferred",
        at,
        structureId,
        formerPrimaryManagerId: w.alice.id,
        primaryManagerId: successorId,
      })),
    );
  });

  it("the former primary manager's record is not written: her stored attachments already say simple user of the whole structure", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), threeStructures(w)));
    expect(r.successors.some((u) => u.id === w.alice.id)).toBe(false);
    expect(w.alice.attachments.map((a) => [a.structureId, a.role, a.scope.kind])).toEqual([
      [w.hospital.id, "user", "structure"],
      [w.townHall.id, "user", "structure"],
      [w.bookshop.id, "user", "structure"],
    ]);
  });

  it("« Désigner un même gestionnaire principal pour toutes ses structures »: one successor for all three", () => {
    const w = buildWorld();
    const all = [w.hospital, w.townHall, w.bookshop].map((s) => ({ structureId: s.id, successorId: w.victor.id }));
    const r = unwrap(handOver(stateOf(w, w.alice), all));
    expect(r.structures.map((s) => s.primaryManagerId)).toEqual([w.victor.id, w.victor.id, w.victor.id]);
    expect(r.successors).toHaveLength(1);
    expect(r.successors[0]!.attachments.map((a) => a.structureId)).toEqual([w.acme.id, w.hospital.id, w.townHall.id, w.bookshop.id]);
    // Victor's own structure is untouched: he stays its primary manager.
    expect(r.structures.some((s) => s.id === w.acme.id)).toBe(false);
  });

  it("one structure of several: the others stay hers", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), [{ structureId: w.townHall.id, successorId: w.chloe.id }]));
    expect(r.structures).toEqual([{ ...w.townHall, primaryManagerId: w.chloe.id }]);
    const after = new Map(w.structures).set(w.townHall.id, r.structures[0]!);
    expect(primaryStructuresOf(w.alice, after).map((s) => s.id)).toEqual([w.hospital.id, w.bookshop.id]);
  });
});

describe("transferPrimaryRole — the successor is attached to the whole structure, in force today", () => {
  it("a simple user on one service (Élodie, PAIE) is widened to the whole structure, keeping the date she came and who attached her", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), [{ structureId: w.hospital.id, successorId: w.elodie.id }]));
    expect(w.elodie.attachments[0]).toMatchObject({ scope: servicesScope([w.paie.id]), validFrom: setupDay });
    expect(r.successors).toEqual([
      {
        ...w.elodie,
        attachments: [{ structureId: w.hospital.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: setupDay, attachedBy: w.alice.id, attachedAt: setupAt, validUntil: null, endNotice: null }],
      },
    ]);
  });

  it("a secondary manager from a later date (David, from 2026-12-15) is attached to the whole structure from today", () => {
    const w = buildWorld();
    const david = withFutureManager(w);
    const r = unwrap(handOver(stateOf(w, w.alice, david), [{ structureId: w.hospital.id, successorId: david.id }]));
    expect(r.successors[0]!.attachments).toEqual([
      { structureId: w.hospital.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: w.alice.id, attachedAt: at, validUntil: null, endNotice: null },
    ]);
  });

  it("a simple user of some services from tomorrow is widened to the whole structure from today", () => {
    const w = buildWorld();
    const david = attachedToHospital(w, w.david, "user", servicesScope([w.rh.id, w.compta.id]), tomorrow);
    const r = unwrap(handOver(stateOf(w, w.alice, david), [{ structureId: w.hospital.id, successorId: david.id }]));
    expect(r.successors[0]!.attachments).toEqual([
      { structureId: w.hospital.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: w.alice.id, attachedAt: at, validUntil: null, endNotice: null },
    ]);
  });

  it("a simple user of the whole structure, in force: nothing to write on his record", () => {
    const w = buildWorld();
    const david = attachedToHospital(w, w.david, "user", WHOLE_STRUCTURE, today);
    const r = unwrap(handOver(stateOf(w, w.alice, david), [{ structureId: w.hospital.id, successorId: david.id }]));
    expect(r.successors).toEqual([]);
    expect(r.structures).toEqual([{ ...w.hospital, primaryManagerId: david.id }]);
  });

  it("a successor's other attachments (Victor's ACME) are kept as they are", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), [{ structureId: w.townHall.id, successorId: w.victor.id }]));
    expect(r.successors[0]!.attachments[0]).toEqual(w.victor.attachments[0]);
  });
});

describe("transferPrimaryRole — space grants are untouched", () => {
  it("the former primary manager's and the successor's grants are as they were", () => {
    const w = buildWorld();
    const alice = holding(w.alice, grantOf(w.hospital.id, space.recues, null, "write"));
    const bruno = holding(w.bruno, grantOf(w.hospital.id, space.emises, w.compta.id, "read"), grantOf(w.hospital.id, space.recues, null, "read"));
    const r = unwrap(handOver(stateOf(w, alice, bruno), [{ structureId: w.hospital.id, successorId: bruno.id }]));
    expect(r.successors[0]!.grants).toEqual(bruno.grants);
    expect(r.successors.some((u) => u.id === alice.id)).toBe(false);
    expect(r.structures[0]!.openSpaces).toEqual(w.hospital.openSpaces);
  });
});

describe("transferPrimaryRole — only the current primary manager (FORBIDDEN)", () => {
  const hospitalTo = (w: World) => [{ structureId: w.hospital.id, successorId: w.david.id }];

  it.each([
    ["a secondary manager of the structure (Bruno)", (w: World) => w.bruno],
    ["a simple user of the structure (Élodie)", (w: World) => w.elodie],
    ["a user with no attachment (Chloé)", (w: World) => w.chloe],
    ["the primary manager of another structure (Victor)", (w: World) => w.victor],
  ])("refuses %s with notThePrimaryManager, naming the structure", (_, who) => {
    const w = buildWorld();
    const actor = who(w);
    const e = expectErr(handOver(stateOf(w, actor), hospitalTo(w)), "FORBIDDEN");
    expect(e).toEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: w.hospital.id, reason: "notThePrimaryManager" });
  });

  it.each([
    ["deactivated", "deactivated"],
    ["awaiting activation", "pendingActivation"],
  ] as const)("refuses the primary manager whose account is %s with accountNotActive", (_, status) => {
    const w = buildWorld();
    const alice = withStatus(w.alice, status);
    const e = expectErr(handOver(stateOf(w, alice), hospitalTo(w)), "FORBIDDEN");
    expect(e).toEqual({ code: "FORBIDDEN", actorId: w.alice.id, structureId: null, reason: "accountNotActive" });
  });

  it("an unknown structure and another's get the same answer", () => {
    const w = buildWorld();
    const unknown = structureId("s-nowhere");
    const another = expectErr(handOver(stateOf(w, w.alice), [{ structureId: w.acme.id, successorId: w.david.id }]), "FORBIDDEN");
    const nowhere = expectErr(handOver(stateOf(w, w.alice), [{ structureId: unknown, successorId: w.david.id }]), "FORBIDDEN");
    expect(nowhere).toEqual({ ...another, structureId: unknown });
    expect(another.reason).toBe("notThePrimaryManager");
  });

  it("Alice's former structure, once handed over, is no longer hers to hand over", () => {
    const w = buildWorld();
    const r = unwrap(handOver(stateOf(w, w.alice), [{ structureId: w.hospital.id, successorId: w.bruno.id }]));
    const again = handOver(stateOf(w, w.alice, r.structures[0]!), [{ structureId: w.hospital.id, successorId: w.david.id }]);
    expect(expectErr(again, "FORBIDDEN").reason).toBe("notThePrimaryManager");
    // …while Bruno, now its primary manager, may.
    const onward = unwrap(handOver(stateOf(w, r.successors[0]!, r.structures[0]!), [{ structureId: w.hospital.id, successorId: w.david.id }]));
    expect(onward.structures[0]!.primaryManagerId).toBe(w.david.id);
    expect(onward.history[0]).toMatchObject({ actorId: w.bruno.id, details: { formerPrimaryManagerId: w.bruno.id } });
  });

  it("atomic: one structure not hers among three refuses the whole act", () => {
    const w = buildWorld();
    const r = handOver(stateOf(w, w.alice), [...threeStructures(w).slice(0, 2), { structureId: w.acme.id, successorId: w.david.id }]);
    expect(r).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: w.alice.id, structureId: w.acme.id, reason: "notThePrimaryManager" } });
  });
});

describe("transferPrimaryRole — the successor", () => {
  it("refuses Alice naming herself with SUCCESSOR_IS_PRIMARY_MANAGER", () => {
    const w = buildWorld();
    const e = expectErr(handOver(stateOf(w, w.alice), [{ structureId: w.townHall.id, successorId: w.alice.id }]), "SUCCESSOR_IS_PRIMARY_MANAGER");
    expect(e).toEqual({ code: "SUCCESSOR_IS_PRIMARY_MANAGER", structureId: w.townHall.id, userId: w.alice.id });
  });

  it("refuses an unknown successor with NOT_FOUND", () => {
    const w = buildWorld();
    const nobody = userId("u-nobody");
    const e = expectErr(handOver(stateOf(w, w.alice), [{ structureId: w.townHall.id, successorId: nobody }]), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: nobody });
  });

  it("refuses a successor whose account awaits activation with ACCOUNT_NOT_ACTIVE", () => {
    const w = buildWorld();
    const hugo = hugoPending(w);
    const e = expectErr(handOver(stateOf(w, w.alice, hugo), [{ structureId: w.hospital.id, successorId: hugo.id }]), "ACCOUNT_NOT_ACTIVE");
    expect(e).toEqual({ code: "ACCOUNT_NOT_ACTIVE", userId: hugo.id, status: "pendingActivation" });
  });

  it("refuses a deactivated successor who is not a member of the structure (Zoé) with NOT_FOUND, the answer an unknown id gets: her status is not told", () => {
    const w = buildWorld();
    const e = expectErr(handOver(stateOf(w, w.alice), [{ structureId: w.hospital.id, successorId: w.zoe.id }]), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: w.zoe.id });
    const unknown = expectErr(handOver(stateOf(w, w.alice), [{ structureId: w.hospital.id, successorId: userId("u-nobody") }]), "NOT_FOUND");
    expect(unknown).toEqual({ ...e, id: "u-nobody" });
  });

  it("…and a deactivated member of another of her structures too (Bruno, for the town hall)", () => {
    const w = buildWorld();
    const bruno = withStatus(w.bruno, "deactivated");
    expect(expectErr(handOver(stateOf(w, w.alice, bruno), [{ structureId: w.townHall.id, successorId: bruno.id }]), "NOT_FOUND")).toEqual({
      code: "NOT_FOUND",
      entity: "user",
      id: bruno.id,
    });
  });

  it("refuses a deactivated secondary manager of the structure too (Bruno)", () => {
    const w = buildWorld();
    const bruno = withStatus(w.bruno, "deactivated");
    expect(expectErr(handOver(stateOf(w, w.alice, bruno), [{ structureId: w.hospital.id, successorId: bruno.id }]), "ACCOUNT_NOT_ACTIVE").status).toBe(
      "deactivated",
    );
  });

  it("atomic: a bad successor for the last of three structures refuses the whole act", () => {
    const w = buildWorld();
    const r = handOver(stateOf(w, w.alice), [...threeStructures(w).slice(0, 2), { structureId: w.bookshop.id, successorId: w.zoe.id }]);
    expect(r).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: w.zoe.id } });
  });
});

describe("transferPrimaryRole — the command", () => {
  it("refuses a structure named twice with VALIDATION on transfers, even with the same successor", () => {
    const w = buildWorld();
    for (const second of [w.bruno.id, w.david.id]) {
      const r = handOver(stateOf(w, w.alice), [
        { structureId: w.hospital.id, successorId: w.bruno.id },
        { structureId: w.hospital.id, successorId: second },
      ]);
      expect(expectErr(r, "VALIDATION").issues).toEqual([
        { path: ["transfers"], code: "custom", message: "chaque structure une seule fois" },
      ]);
    }
  });

  it("judges the account before anything else: a deactivated actor naming a structure twice is FORBIDDEN", () => {
    const w = buildWorld();
    const dup = [threeStructures(w)[0]!, threeStructures(w)[0]!];
    expect(expectErr(handOver(stateOf(w, withStatus(w.alice, "deactivated")), dup), "FORBIDDEN").reason).toBe("accountNotActive");
  });

  it("neither mutates nor needs to mutate its inputs (frozen state and command)", () => {
    const w = buildWorld();
    const state = stateOf(w, w.alice);
    const transfers = threeStructures(w);
    const before = structuredClone({ structures: [...state.structures], successors: [...state.successors], actor: state.actor, transfers });
    deepFreeze(transfers);
    deepFreeze(state);
    unwrap(handOver(state, transfers));
    expect({ structures: [...state.structures], successors: [...state.successors], actor: state.actor, transfers }).toEqual(before);
  });
});
