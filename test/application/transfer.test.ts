// Guide §6 through the application layer, on the memory store: listPrimaryStructures,
// transferPrimaryRole (both forms), deactivateAccount, reactivateAccount; the guide's
// scenario end to end, every refusal with the store left as it was, idempotent replays,
// and what a deactivated, then reactivated, account may still do.
import { describe, expect, it } from "vitest";
import { createHabilitations, historyKindLabel, type StructureId, type UserId } from "../../src/index.js";
import {
  deactivate,
  expectAppended,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectErr,
  expectEventsSaved,
  expectForbidden,
  expectInvalid,
  expectNotFound,
  expectRefused,
  expectUnknownActor,
  flakyStore,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  SPACE,
  START,
  structureRow,
  TODAY,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";
import { createMemoryStore } from "../../src/memory/index.js";

const HOUR = 3_600_000;
const WINDOW_MS = 60 * 24 * HOUR;

/** The guide, with Alice primary manager of a third structure, « Mairie de Bron » (public, not using the PIGP). */
async function world() {
  const { h, g, app } = await guide();
  const bron = must(
    await app.createStructure(g.alice, { designation: "Mairie de Bron", kind: "public", identifier: { type: "siret", value: "21690029000018" } }),
  ).structure.id;
  return { h, g, app, bron };
}

/** A public structure using the PIGP founded by `founder` (its primary manager). */
async function pigpStructure(h: Harness, founder: UserId): Promise<StructureId> {
  return must(
    await h.app.createStructure(founder, {
      designation: "Mairie de Caluire",
      kind: "public",
      viaPigp: true,
      identifier: { type: "siret", value: "21690266600017" },
    }),
  ).structure.id;
}

/** A person whose account awaits activation, created by Alice for the town hall. */
async function pendingAccount(h: Harness, g: Guide): Promise<UserId> {
  return must(await h.app.createAccount(g.alice, { structureId: g.townHall, login: "ines.garcia@mairie-lyon.fr", lastName: "Garcia", firstName: "Inès" }))
    .member.id;
}

/** The members of a structure as [id, role, scope kind, status], seen by `actor`. */
async function members(h: Harness, actor: UserId, structureId: StructureId) {
  const page = must(await h.app.listMembers(actor, { structureId, limit: 100 }));
  return page.items.map((m) => [m.userId, m.role, m.scope.kind, m.status]);
}

/** « Factures reçues » opened on the town hall, and given to Bruno and Chloé (read). */
async function grantRecues(h: Harness, g: Guide) {
  must(await h.app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
  const r = must(await h.app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.bruno, g.chloe], items: [{ space: SPACE.recues, access: "read" }] }));
  expect(r.results.every((x) => x.result.ok)).toBe(true);
}

const mayRead = (h: Harness, userId: UserId, structureId: StructureId) =>
  h.app.mayAccess({ userId, structureId, space: SPACE.recues, access: "read" }).then(must);

describe("listPrimaryStructures — « Chorus Pro liste les structures pour lesquelles l'utilisateur est gestionnaire principal »", () => {
  it("lists Alice's three structures by designation, as cards", async () => {
    const { g, app, bron } = await world();
    const r = must(await app.listPrimaryStructures(g.alice));
    expect(r).toEqual([
      { id: g.bookshop, designation: "Librairie Dupont", kind: "private", viaPigp: false, identifier: { type: "siret", value: "55242162200010" } },
      { id: bron, designation: "Mairie de Bron", kind: "public", viaPigp: false, identifier: { type: "siret", value: "21690029000018" } },
      { id: g.townHall, designation: "Mairie de Lyon", kind: "public", viaPigp: false, identifier: { type: "siret", value: "21690123100011" } },
    ]);
    expectDeepFrozen(r);
  });

  it("is empty for a secondary manager, a simple user and a user with no structure; Victor's is ACME", async () => {
    const { g, app } = await world();
    for (const who of [g.bruno, g.chloe, g.farid, g.denis]) expect(must(await app.listPrimaryStructures(who))).toEqual([]);
    expect(must(await app.listPrimaryStructures(g.victor)).map((s) => s.id)).toEqual([g.acme]);
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR (unknown) and a junk one with UNKNOWN_ACTOR (malformed)", async () => {
    const { h, app } = await world();
    await expectUnknownActor(h, () => app.listPrimaryStructures(UNKNOWN), "unknown");
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).listPrimaryStructures(actor), "malformed");
  });
});

describe("the guide's scenario, end to end", () => {
  it("Alice names Bruno for two structures and David for the third, in one act; then Bruno leaves naming successors and comes back a minute before the window closes; Victor, a minute too late, is refused", async () => {
    const { h, g, app, bron } = await world();
    await grantRecues(h, g);

    // « Désigner un gestionnaire principal différent pour chaque structure »
    h.tick(30);
    const at = h.now().toISOString();
    let before = h.snapshot();
    const handed = must(
      await app.transferPrimaryRole(g.alice, {
        transfers: [
          { structureId: g.townHall, successorId: g.bruno },
          { structureId: bron, successorId: g.bruno },
          { structureId: g.bookshop, successorId: g.david },
        ],
      }),
    );
    expect(handed.transfers.map((t) => [t.structureId, t.primaryManager.id, t.primaryManager.role, t.primaryManager.attachment?.scope])).toEqual([
      [g.townHall, g.bruno, "primaryManager", WHOLE],
      [bron, g.bruno, "primaryManager", WHOLE],
      [g.bookshop, g.david, "primaryManager", WHOLE],
    ]);
    expect(handed.history.map((e) => [historyKindLabel[e.kind], e.structureId, e.actorId, e.targetUserId, e.details])).toEqual([
      ["Rôle de gestionnaire principal transféré", g.townHall, g.alice, g.bruno, { formerPrimaryManagerId: g.alice }],
      ["Rôle de gestionnaire principal transféré", bron, g.alice, g.bruno, { formerPrimaryManagerId: g.alice }],
      ["Rôle de gestionnaire principal transféré", g.bookshop, g.alice, g.david, { formerPrimaryManagerId: g.alice }],
    ]);
    expectAppended(h, before, handed.history);
    // For the host to tell the successor and the former manager.
    expect(handed.events).toEqual([
      { id: expect.any(String), type: "PrimaryRoleTransferred", at, structureId: g.townHall, formerPrimaryManagerId: g.alice, primaryManagerId: g.bruno },
      { id: expect.any(String), type: "PrimaryRoleTransferred", at, structureId: bron, formerPrimaryManagerId: g.alice, primaryManagerId: g.bruno },
      { id: expect.any(String), type: "PrimaryRoleTransferred", at, structureId: g.bookshop, formerPrimaryManagerId: g.alice, primaryManagerId: g.david },
    ]);
    expectEventsSaved(h, before, handed.events);
    expectDeepFrozen(handed);

    // Alice stays, a simple user of the whole of each; her successors manage.
    expect(await members(h, g.bruno, g.townHall)).toEqual(
      expect.arrayContaining([
        [g.alice, "user", "structure", "active"],
        [g.bruno, "primaryManager", "structure", "active"],
      ]),
    );
    expect(await members(h, g.david, g.bookshop)).toEqual(
      expect.arrayContaining([
        [g.alice, "user", "structure", "active"],
        [g.david, "primaryManager", "structure", "active"],
      ]),
    );
    expect(must(await app.listPrimaryStructures(g.alice))).toEqual([]);
    expect(must(await app.listPrimaryStructures(g.bruno)).map((s) => s.id)).toEqual([bron, g.townHall]);
    expect(must(await app.listPrimaryStructures(g.david)).map((s) => s.id)).toEqual([g.bookshop]);
    const history = must(await app.readHistory(g.bruno, { structureId: g.townHall, kinds: ["primaryRoleTransferred"] }));
    expect(history.items).toEqual([handed.history[0]]);

    // Bruno leaves: refused until every structure of his has a successor.
    h.tick(60);
    expect((await expectRefused(h, () => app.deactivateAccount(g.bruno, { transfers: [] }), "SUCCESSOR_REQUIRED")).structureIds).toEqual([bron, g.townHall]);
    expect(
      (await expectRefused(h, () => app.deactivateAccount(g.bruno, { transfers: [{ structureId: g.townHall, successorId: g.chloe }] }), "SUCCESSOR_REQUIRED"))
        .structureIds,
    ).toEqual([bron]);
    expect(await mayRead(h, g.bruno, g.townHall)).toBe(true);
    const leftAt = h.now();
    before = h.snapshot();
    const left = must(
      await app.deactivateAccount(g.bruno, {
        transfers: [
          { structureId: g.townHall, successorId: g.chloe },
          { structureId: bron, successorId: g.alice },
        ],
      }),
    );
    expect(left.reactivableUntil).toBe(new Date(leftAt.getTime() + WINDOW_MS).toISOString());
    expect(left.transfers.map((t) => [t.structureId, t.primaryManager.id, t.primaryManager.role])).toEqual([
      [g.townHall, g.chloe, "primaryManager"],
      [bron, g.alice, "primaryManager"],
    ]);
    expect(left.history.map((e) => [e.kind, e.structureId])).toEqual([
      ["primaryRoleTransferred", g.townHall],
      ["primaryRoleTransferred", bron],
      ["accountDeactivated", g.townHall],
      ["accountDeactivated", bron],
    ]);
    expectAppended(h, before, left.history);
    expect(left.events.map((e) => e.type)).toEqual(["PrimaryRoleTransferred", "PrimaryRoleTransferred", "AccountDeactivated"]);
    expect(left.events[2]).toEqual({ id: expect.any(String), type: "AccountDeactivated", at: leftAt.toISOString(), userId: g.bruno, reactivableUntil: left.reactivableUntil });
    expectEventsSaved(h, before, left.events);

    // Deactivated, he acts on nothing and reaches no space; his attachments stay.
    await expectForbidden(
      h,
      () => app.attachUser(g.bruno, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, comment: "Renfort", scope: WHOLE }),
      g.bruno,
      "accountNotActive",
    );
    await expectForbidden(h, () => app.transferPrimaryRole(g.bruno, { structureIds: [g.townHall], successorId: g.farid }), g.bruno, "accountNotActive");
    expect(await mayRead(h, g.bruno, g.townHall)).toBe(false);
    expect(await members(h, g.chloe, g.townHall)).toEqual(expect.arrayContaining([[g.bruno, "user", "structure", "deactivated"]]));

    // A minute before the window closes, he comes back: a simple user where he was primary manager.
    h.setNow(new Date(Date.parse(left.reactivableUntil) - 60_000).toISOString());
    before = h.snapshot();
    const back = must(await app.reactivateAccount(g.bruno));
    expect(back.userId).toBe(g.bruno);
    expect(back.history.map((e) => [historyKindLabel[e.kind], e.structureId, e.actorId, e.targetUserId])).toEqual([
      ["Compte réactivé", g.townHall, g.bruno, g.bruno],
      ["Compte réactivé", bron, g.bruno, g.bruno],
    ]);
    expectAppended(h, before, back.history);
    expect(back.events).toEqual([{ id: expect.any(String), type: "AccountReactivated", at: h.now().toISOString(), userId: g.bruno }]);
    expectEventsSaved(h, before, back.events);
    expect(await members(h, g.chloe, g.townHall)).toEqual(expect.arrayContaining([[g.bruno, "user", "structure", "active"]]));
    expect(await members(h, g.alice, bron)).toEqual(expect.arrayContaining([[g.bruno, "user", "structure", "active"]]));
    expect(await mayRead(h, g.bruno, g.townHall)).toBe(true);
    await expectForbidden(
      h,
      () => app.attachUser(g.bruno, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, comment: "Renfort", scope: WHOLE }),
      g.bruno,
      "notAManager",
      g.townHall,
    );

    // Victor leaves too, naming Farid for ACME, and comes back a minute too late.
    h.tick(10);
    const victorLeft = must(await app.deactivateAccount(g.victor, { successorId: g.farid }));
    expect(victorLeft.transfers.map((t) => [t.structureId, t.primaryManager.id])).toEqual([[g.acme, g.farid]]);
    h.setNow(new Date(Date.parse(victorLeft.reactivableUntil) + 60_000).toISOString());
    const late = await expectRefused(h, () => app.reactivateAccount(g.victor), "REACTIVATION_WINDOW_EXPIRED");
    expect(late).toEqual({ code: "REACTIVATION_WINDOW_EXPIRED", userId: g.victor, expiredAt: victorLeft.reactivableUntil });
    expect((await userRow(h, g.victor)).value.status).toBe("deactivated");
  });
});

describe("transferPrimaryRole — the two forms", () => {
  it("« Désigner un même gestionnaire principal pour toutes ses structures »: { structureIds, successorId }", async () => {
    const { h, g, app, bron } = await world();
    const r = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall, bron, g.bookshop], successorId: g.bruno }));
    expect(r.transfers.map((t) => [t.structureId, t.primaryManager.id])).toEqual([
      [g.townHall, g.bruno],
      [bron, g.bruno],
      [g.bookshop, g.bruno],
    ]);
    for (const s of [g.townHall, bron, g.bookshop]) expect((await structureRow(h, s)).value.primaryManagerId).toBe(g.bruno);
    // One record for Bruno, attached to the whole of each.
    expect((await userRow(h, g.bruno)).value.attachments.map((a) => [a.structureId, a.role, a.scope.kind])).toEqual([
      [g.townHall, "user", "structure"],
      [bron, "user", "structure"],
      [g.bookshop, "user", "structure"],
    ]);
  });

  it("« … différent pour chaque structure », one act at a time: the other structures stay hers", async () => {
    const { h, g, app, bron } = await world();
    must(await app.transferPrimaryRole(g.alice, { transfers: [{ structureId: bron, successorId: g.chloe }] }));
    expect(must(await app.listPrimaryStructures(g.alice)).map((s) => s.id)).toEqual([g.bookshop, g.townHall]);
    expect(await members(h, g.chloe, bron)).toEqual(
      expect.arrayContaining([
        [g.alice, "user", "structure", "active"],
        [g.chloe, "primaryManager", "structure", "active"],
      ]),
    );
  });
});

describe("transferPrimaryRole — the successor's attachment", () => {
  it("a simple user of COMPTA (Chloé) is widened to the whole town hall, in force as she was", async () => {
    const { h, g, app } = await world();
    const was = (await userRow(h, g.chloe)).value.attachments[0]!;
    const r = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.chloe }));
    const attachment = { ...was, scope: WHOLE };
    expect(r.transfers[0]!.primaryManager).toMatchObject({ id: g.chloe, role: "primaryManager", attachment });
    expect((await userRow(h, g.chloe)).value.attachments).toEqual([attachment]);
  });

  it("a secondary manager from tomorrow (Hugo) is attached to the whole structure from today", async () => {
    const { h, g, app } = await world();
    must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.hugo }));
    const held = (await userRow(h, g.hugo)).value.attachments.find((a) => a.structureId === g.townHall);
    expect(held).toMatchObject({ role: "user", scope: WHOLE, validFrom: TODAY });
    expect(await members(h, g.hugo, g.townHall)).toEqual(expect.arrayContaining([[g.hugo, "primaryManager", "structure", "active"]]));
  });

  it("someone not attached (Farid) is attached to the whole structure from today, by Alice", async () => {
    const { h, g, app } = await world();
    h.tick(5);
    must(await app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: g.farid }));
    expect((await userRow(h, g.farid)).value.attachments).toEqual([
      { structureId: g.bookshop, role: "user", scope: WHOLE, validFrom: TODAY, attachedBy: g.alice, attachedAt: h.now().toISOString(), validUntil: null, endNotice: null },
    ]);
  });

  it("the outcome shows the successor as seen from the structure only (Victor's ACME is not named)", async () => {
    const { h, g, app } = await world();
    const r = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: g.victor }));
    expect(r.transfers[0]!.primaryManager.attachment?.structureId).toBe(g.bookshop);
    expectDisclosesOnly(h, g.bookshop, r);
  });

  it("space grants are untouched, the former manager's and the successor's", async () => {
    const { h, g, app } = await world();
    await grantRecues(h, g);
    const bruno = (await userRow(h, g.bruno)).value.grants;
    const alice = (await userRow(h, g.alice)).value;
    must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }));
    expect((await userRow(h, g.bruno)).value.grants).toEqual(bruno);
    expect((await userRow(h, g.alice)).value).toEqual(alice);
    expect(await mayRead(h, g.bruno, g.townHall)).toBe(true);
  });

  it("the former primary manager's record is not written (its version is unchanged): she is already a simple user of the whole", async () => {
    const { h, g, app } = await world();
    const before = await userRow(h, g.alice);
    must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }));
    expect(await userRow(h, g.alice)).toEqual(before);
    expect(before.value.attachments.find((a) => a.structureId === g.townHall)).toMatchObject({ role: "user", scope: WHOLE });
  });

  it("the former primary manager may no longer manage the structure", async () => {
    const { h, g, app } = await world();
    must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }));
    await expectForbidden(h, () => app.listMembers(g.alice, { structureId: g.townHall }), g.alice, "notAManager", g.townHall);
    await expectForbidden(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.chloe }), g.alice, "notThePrimaryManager", g.townHall);
  });
});

describe("transferPrimaryRole — refusals change nothing", () => {
  it.each([
    ["a secondary manager of the structure", "bruno"],
    ["a simple user of the structure", "chloe"],
    ["a user with no attachment", "farid"],
    ["the manager of another structure", "victor"],
    ["a secondary manager not in force yet", "hugo"],
  ] as const)("refuses %s with FORBIDDEN notThePrimaryManager", async (_, who) => {
    const { h, g, app } = await world();
    await expectForbidden(h, () => app.transferPrimaryRole(g[who], { structureIds: [g.townHall], successorId: g.david }), g[who], "notThePrimaryManager", g.townHall);
  });

  it("refuses a deactivated account with FORBIDDEN accountNotActive", async () => {
    const { h, g, app } = await world();
    const e = await expectForbidden(h, () => app.transferPrimaryRole(g.denis, { structureIds: [g.townHall], successorId: g.david }), g.denis, "accountNotActive");
    expect(e.structureId).toBeNull();
  });

  it("gives an unknown structure the same answer as another's", async () => {
    const { h, g, app } = await world();
    const another = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.acme], successorId: g.david }), "FORBIDDEN");
    const unknown = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [UNKNOWN], successorId: g.david }), "FORBIDDEN");
    expect(unknown).toEqual({ ...another, structureId: UNKNOWN });
  });

  it("atomic: one structure not hers among three refuses the whole act", async () => {
    const { h, g, app, bron } = await world();
    await expectForbidden(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall, bron, g.acme], successorId: g.bruno }), g.alice, "notThePrimaryManager", g.acme);
    expect(must(await app.listPrimaryStructures(g.alice))).toHaveLength(3);
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR and an unknown successor with NOT_FOUND", async () => {
    const { h, g, app } = await world();
    await expectUnknownActor(h, () => app.transferPrimaryRole(UNKNOWN, { structureIds: [g.townHall], successorId: g.bruno }), "unknown");
    await expectNotFound(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: UNKNOWN }), "user", UNKNOWN);
  });

  it("refuses Alice naming herself with SUCCESSOR_IS_PRIMARY_MANAGER", async () => {
    const { h, g, app } = await world();
    const e = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.alice }), "SUCCESSOR_IS_PRIMARY_MANAGER");
    expect(e).toEqual({ code: "SUCCESSOR_IS_PRIMARY_MANAGER", structureId: g.townHall, userId: g.alice });
  });

  it("refuses a member of the structure without an active account (deactivated, awaiting activation) with ACCOUNT_NOT_ACTIVE", async () => {
    const { h, g, app } = await world();
    expect((await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.denis }), "ACCOUNT_NOT_ACTIVE")).status).toBe(
      "deactivated",
    );
    const ines = await pendingAccount(h, g);
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: ines, role: "user", validFrom: TODAY, comment: "Arrivée", scope: WHOLE }));
    expect((await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: ines }), "ACCOUNT_NOT_ACTIVE")).status).toBe(
      "pendingActivation",
    );
  });

  it("refuses a successor without an active account who is not a member of the structure with NOT_FOUND, as an unknown id: another account's status is not told", async () => {
    const { h, g, app, bron } = await world();
    // Denis (deactivated) is a member of the town hall, not of Bron; Inès's pending account was created for the town hall, not attached.
    const denis = await expectNotFound(h, () => app.transferPrimaryRole(g.alice, { structureIds: [bron], successorId: g.denis }), "user", g.denis);
    const unknown = await expectNotFound(h, () => app.transferPrimaryRole(g.alice, { structureIds: [bron], successorId: UNKNOWN }), "user", UNKNOWN);
    expect({ ...denis, id: UNKNOWN }).toEqual(unknown);
    const ines = await pendingAccount(h, g);
    await expectNotFound(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: ines }), "user", ines);
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_, actor) => {
    const { h, g, app } = await world();
    await expectUnknownActor(h, () => untyped(app).transferPrimaryRole(actor, { structureIds: [g.townHall], successorId: g.bruno }), "malformed");
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_, input) => {
    const { h, g, app } = await world();
    await expectInvalid(h, () => untyped(app).transferPrimaryRole(g.alice, input));
  });

  it("refuses a structure named twice (either form), no structure, and both forms at once with VALIDATION", async () => {
    const { h, g, app } = await world();
    await expectInvalid(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall, g.townHall], successorId: g.bruno }));
    await expectInvalid(h, () =>
      app.transferPrimaryRole(g.alice, { transfers: [{ structureId: g.townHall, successorId: g.bruno }, { structureId: g.townHall, successorId: g.chloe }] }),
    );
    await expectInvalid(h, () => app.transferPrimaryRole(g.alice, { structureIds: [], successorId: g.bruno }));
    await expectInvalid(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno, transfers: [] }));
  });
});

describe("deactivateAccount", () => {
  it("{ successorId } names the same successor for every structure of hers", async () => {
    const { h, g, app, bron } = await world();
    const r = must(await app.deactivateAccount(g.alice, { successorId: g.bruno }));
    expect(r.transfers.map((t) => t.structureId)).toEqual([g.bookshop, bron, g.townHall]);
    expect(r.transfers.every((t) => t.primaryManager.id === g.bruno)).toBe(true);
    expect((await userRow(h, g.alice)).value).toMatchObject({ status: "deactivated", deactivatedAt: START });
  });

  it("someone primary manager of nothing leaves with { transfers: [] }; « Compte désactivé » on each of their structures", async () => {
    const { h, g, app } = await world();
    const before = h.snapshot();
    const r = must(await app.deactivateAccount(g.chloe, { transfers: [] }));
    expect(r.transfers).toEqual([]);
    expect(r.history.map((e) => [historyKindLabel[e.kind], e.structureId, e.details])).toEqual([["Compte désactivé", g.townHall, { reactivableUntil: r.reactivableUntil }]]);
    expectAppended(h, before, r.history);
    expectEventsSaved(h, before, r.events);
    expect(await mayRead(h, g.chloe, g.townHall)).toBe(false);
  });

  it("a deactivated account cannot be attached", async () => {
    const { h, g, app } = await world();
    must(await app.deactivateAccount(g.farid, { transfers: [] }));
    const r = await app.attachUser(g.alice, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, comment: "Renfort", scope: WHOLE });
    expect(r.ok).toBe(false);
    expect((await userRow(h, g.farid)).value.attachments).toEqual([]);
  });

  it("refuses with SUCCESSOR_REQUIRED, listing exactly the structures still without one", async () => {
    const { h, g, app, bron } = await world();
    expect((await expectRefused(h, () => app.deactivateAccount(g.alice, { transfers: [] }), "SUCCESSOR_REQUIRED")).structureIds).toEqual([g.bookshop, bron, g.townHall]);
    expect(
      (await expectRefused(h, () => app.deactivateAccount(g.alice, { transfers: [{ structureId: bron, successorId: g.bruno }] }), "SUCCESSOR_REQUIRED")).structureIds,
    ).toEqual([g.bookshop, g.townHall]);
  });

  it("refuses an account attached to a structure using the PIGP with PIGP_ACCOUNT, listing it", async () => {
    const { h, g, app } = await world();
    const caluire = await pigpStructure(h, g.victor);
    must(await app.attachUser(g.victor, { structureId: caluire, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Agent", scope: WHOLE }));
    expect(await expectRefused(h, () => app.deactivateAccount(g.chloe, { transfers: [] }), "PIGP_ACCOUNT")).toEqual({
      code: "PIGP_ACCOUNT",
      userId: g.chloe,
      structureIds: [caluire],
    });
    // Its founder too, successors named for everything.
    expect((await expectRefused(h, () => app.deactivateAccount(g.victor, { successorId: g.farid }), "PIGP_ACCOUNT")).structureIds).toEqual([caluire]);
  });

  it("refuses an account already deactivated with FORBIDDEN accountNotActive, and an unknown one with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await world();
    await expectForbidden(h, () => app.deactivateAccount(g.denis, { transfers: [] }), g.denis, "accountNotActive");
    await expectUnknownActor(h, () => app.deactivateAccount(UNKNOWN, { transfers: [] }), "unknown");
  });

  it("refuses the successor refusals of a transfer, changing nothing", async () => {
    const { h, g, app } = await world();
    await expectNotFound(h, () => app.deactivateAccount(g.victor, { successorId: UNKNOWN }), "user", UNKNOWN);
    await expectRefused(h, () => app.deactivateAccount(g.victor, { successorId: g.victor }), "SUCCESSOR_IS_PRIMARY_MANAGER");
    // Denis (deactivated) is no member of ACME: NOT_FOUND, as an unknown id; a deactivated member would be ACCOUNT_NOT_ACTIVE.
    await expectNotFound(h, () => app.deactivateAccount(g.victor, { successorId: g.denis }), "user", g.denis);
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.elodie, role: "user", validFrom: TODAY, comment: "Renfort", scope: WHOLE }));
    await deactivate(h, g.elodie);
    expect((await expectRefused(h, () => app.deactivateAccount(g.victor, { successorId: g.elodie }), "ACCOUNT_NOT_ACTIVE")).status).toBe("deactivated");
    await expectForbidden(h, () => app.deactivateAccount(g.victor, { transfers: [{ structureId: g.acme, successorId: g.farid }, { structureId: g.townHall, successorId: g.farid }] }), g.victor, "notThePrimaryManager", g.townHall);
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_, input) => {
    const { h, g, app } = await world();
    await expectInvalid(h, () => untyped(app).deactivateAccount(g.alice, input));
  });

  it("refuses a structure named twice and both forms at once with VALIDATION", async () => {
    const { h, g, app } = await world();
    await expectInvalid(h, () => app.deactivateAccount(g.victor, { transfers: [{ structureId: g.acme, successorId: g.farid }, { structureId: g.acme, successorId: g.farid }] }));
    await expectInvalid(h, () => app.deactivateAccount(g.victor, { transfers: [], successorId: g.farid }));
  });
});

describe("reactivateAccount", () => {
  it("refuses an active account and one deactivated without an instant with ACCOUNT_NOT_DEACTIVATED", async () => {
    const { h, g, app } = await world();
    expect(await expectRefused(h, () => app.reactivateAccount(g.alice), "ACCOUNT_NOT_DEACTIVATED")).toEqual({ code: "ACCOUNT_NOT_DEACTIVATED", userId: g.alice, status: "active" });
    // Denis was deactivated straight in the store, with no deactivation instant to count a window from.
    expect((await expectRefused(h, () => app.reactivateAccount(g.denis), "ACCOUNT_NOT_DEACTIVATED")).userId).toBe(g.denis);
  });

  it("refuses at the very instant the window closes, and an unknown or junk actor", async () => {
    const { h, g, app } = await world();
    const left = must(await app.deactivateAccount(g.farid, { transfers: [] }));
    h.setNow(left.reactivableUntil);
    await expectRefused(h, () => app.reactivateAccount(g.farid), "REACTIVATION_WINDOW_EXPIRED");
    await expectUnknownActor(h, () => app.reactivateAccount(UNKNOWN), "unknown");
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).reactivateAccount(actor), "malformed");
    await expectInvalid(h, () => app.reactivateAccount(g.farid, { idempotencyKey: "" }));
    await expectInvalid(h, () => untyped(app).reactivateAccount(g.farid, { when: "now" })); // no such option: an untyped call
  });

  it("option reactivationWindowHours: a window of 24 hours closes 24 hours after the deactivation", async () => {
    const { h, g } = await world();
    const app = h.appOver(h.store, { reactivationWindowHours: 24 });
    const left = must(await app.deactivateAccount(g.farid, { transfers: [] }));
    expect(left.reactivableUntil).toBe(new Date(Date.parse(START) + 24 * HOUR).toISOString());
    h.setNow(left.reactivableUntil);
    await expectRefused(h, () => app.reactivateAccount(g.farid), "REACTIVATION_WINDOW_EXPIRED");
    // The default app (60 × 24 hours) would take him back then.
    expect(must(await h.app.reactivateAccount(g.farid)).userId).toBe(g.farid);
  });

  it.each([0, -1, 1.5, 24 * 366 * 10 + 1, Number.NaN])("refuses the option reactivationWindowHours: %s with a RangeError at construction", (hours) => {
    expect(() => createHabilitations({ store: createMemoryStore(), reactivationWindowHours: hours })).toThrow(RangeError);
  });
});

describe("idempotency: a retry with the same key gets the first outcome", () => {
  it("transferPrimaryRole", async () => {
    const { h, g, app } = await world();
    const first = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }, { idempotencyKey: "transfer-1" }));
    const after = h.snapshot();
    const again = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }, { idempotencyKey: "transfer-1" }));
    expect(again).toEqual(first);
    expect(h.snapshot()).toEqual(after);
    // The same command in the other form is the same parsed command.
    expect(must(await app.transferPrimaryRole(g.alice, { transfers: [{ structureId: g.townHall, successorId: g.bruno }] }, { idempotencyKey: "transfer-1" }))).toEqual(first);
    // Another command with that key is refused.
    await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: g.bruno }, { idempotencyKey: "transfer-1" }), "IDEMPOTENCY_KEY_REUSED");
  });

  it("deactivateAccount and reactivateAccount", async () => {
    const { h, g, app } = await world();
    const left = must(await app.deactivateAccount(g.victor, { successorId: g.farid }, { idempotencyKey: "leave" }));
    let after = h.snapshot();
    expect(must(await app.deactivateAccount(g.victor, { successorId: g.farid }, { idempotencyKey: "leave" }))).toEqual(left);
    expect(h.snapshot()).toEqual(after);
    h.tick(60);
    const back = must(await app.reactivateAccount(g.victor, { idempotencyKey: "back" }));
    after = h.snapshot();
    h.tick(60);
    expect(must(await app.reactivateAccount(g.victor, { idempotencyKey: "back" }))).toEqual(back);
    expect(h.snapshot()).toEqual(after);
  });
});

describe("concurrency", () => {
  it("a version conflict is decided again and committed once", async () => {
    const { h, g } = await world();
    const app = h.appOver(flakyStore(h.store, 2));
    const before = h.snapshot();
    const r = must(await app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }));
    expectAppended(h, before, r.history);
    expect(h.snapshot().history.length).toBe(before.history.length + 1);
  });

  it("two transfers of one structure at once: one wins, the other is refused (the structure's version is checked)", async () => {
    const { h, g, app } = await world();
    const [a, b] = await Promise.all([
      app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.bruno }),
      app.transferPrimaryRole(g.alice, { structureIds: [g.townHall], successorId: g.chloe }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const loser = a.ok ? b : a;
    expect(expectErr(loser, "FORBIDDEN").reason).toBe("notThePrimaryManager");
    expect(h.snapshot().history.filter((e) => e.kind === "primaryRoleTransferred")).toHaveLength(1);
  });
});
