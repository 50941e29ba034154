// Properties of guide §6 (fast-check), against a reference written here:
//   (a) a transfer succeeds exactly when the reference allows it; after any successful
//       one, every structure named has its successor as primary manager, attached to the
//       whole structure and in force today, grants and other attachments untouched;
//   (b) a refused transfer or deactivation returns an error and nothing else, and leaves
//       its (frozen) inputs as they were;
//   (c) a deactivation succeeds only with a successor for every structure of the person,
//       and then leaves no structure of theirs behind;
//   (d) reactivation succeeds exactly before deactivatedAt + the window, in hours.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  attachUser,
  deactivateAccount,
  primaryStructuresOf,
  reactivateAccount,
  roleIn,
  servicesScope,
  structureId,
  toInstant,
  transferPrimaryRole,
  userId,
  WHOLE_STRUCTURE,
  type DomainErrorCode,
  type Structure,
  type StructureId,
  type Succession,
  type TransferState,
  type User,
  type UserId,
} from "../../../src/core/index.js";
import { ctx, today } from "../fixtures.js";
import { pigpStructure } from "../accounts/fixtures.js";
import { buildWorld, deepFreeze, HOUR, localDateAfter, stateOf, WINDOW_HOURS, type World } from "./fixtures.js";

const CAST = ["alice", "bruno", "elodie", "chloe", "david", "zoe", "victor"] as const;
type Who = (typeof CAST)[number];
const STRUCTURES = ["hospital", "townHall", "bookshop", "acme", "unknown"] as const;
type Where = (typeof STRUCTURES)[number];

const unknownStructure = structureId("s-unknown");
const unknownUser = userId("u-unknown");

interface Preparation {
  readonly who: Who;
  readonly role: "user" | "secondaryManager";
  readonly whole: boolean;
  readonly inDays: number;
}

interface WorldPick {
  readonly actor: Who;
  readonly status: User["status"];
  readonly preparations: readonly Preparation[];
  readonly withPigp: boolean;
}

/** How someone was attached to the hospital beforehand (if at all): role, services or whole, from which day. */
const preparationArb: fc.Arbitrary<Preparation> = fc.record({
  who: fc.constantFrom<Who>("chloe", "david"),
  role: fc.constantFrom("user" as const, "secondaryManager" as const),
  whole: fc.boolean(),
  inDays: fc.constantFrom(0, 0, 1, 30),
});

const worldArb: fc.Arbitrary<WorldPick> = fc.record({
  actor: fc.oneof({ weight: 3, arbitrary: fc.constant<Who>("alice") }, { weight: 2, arbitrary: fc.constantFrom<Who>(...CAST) }),
  status: fc.oneof({ weight: 6, arbitrary: fc.constant<User["status"]>("active") }, { weight: 1, arbitrary: fc.constantFrom<User["status"]>("deactivated", "pendingActivation") }),
  preparations: fc.array(preparationArb, { maxLength: 2 }),
  withPigp: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const pickArb = (where: fc.Arbitrary<Where>) =>
  fc.record({
    where,
    who: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<Who | "unknown">("bruno", "david", "chloe", "victor", "elodie") },
      { weight: 1, arbitrary: fc.constantFrom<Who | "unknown">(...CAST, "unknown") },
    ),
  });

/** Mostly Alice's structures, each once; sometimes anything, duplicates and unknown ones included. */
const transfersArb = (minLength: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.uniqueArray(pickArb(fc.constantFrom<Where>("hospital", "townHall", "bookshop")), { selector: (p) => p.where, minLength, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(pickArb(fc.constantFrom<Where>(...STRUCTURES)), { minLength, maxLength: 5 }) },
  );

interface Setup {
  readonly w: World;
  readonly state: TransferState;
  readonly users: ReadonlyMap<UserId, User>;
  readonly structures: ReadonlyMap<StructureId, Structure>;
}

/** Builds the world a run acts in: the actor's status, people attached beforehand, a PIGP structure of Alice's. */
function setUp(world: WorldPick): Setup {
  const w = buildWorld();
  const users = new Map(w.users);
  const structures = new Map<StructureId, Structure>(w.structures);
  for (const p of world.preparations) {
    const user = users.get(w[p.who].id)!;
    const r = attachUser(
      { actor: w.alice, structure: w.hospital, user, services: w.serviceIndex },
      {
        structureId: w.hospital.id,
        userId: user.id,
        role: p.role,
        validFrom: localDateAfter(p.inDays),
        comment: "Avant",
        scope: p.whole ? WHOLE_STRUCTURE : servicesScope([w.rh.id]),
      },
      ctx,
    );
    if (r.ok) users.set(user.id, r.value.user);
  }
  if (world.withPigp) {
    const { structure, alice } = pigpStructure({ ...w, alice: users.get(w.alice.id)! });
    users.set(alice.id, alice);
    structures.set(structure.id, structure);
  }
  const actorId = w[world.actor].id;
  const actor: User = { ...users.get(actorId)!, status: world.status };
  users.set(actorId, actor);
  const state: TransferState = { actor, structures, successors: users };
  return { w, state, users, structures };
}

const idOf = (w: World, where: Where) => (where === "unknown" ? unknownStructure : w[where].id);
const userOf = (w: World, who: Who | "unknown") => (who === "unknown" ? unknownUser : w[who].id);

function successionsOf(w: World, picks: readonly { where: Where; who: Who | "unknown" }[]): Succession[] {
  return picks.map((p) => ({ structureId: idOf(w, p.where), successorId: userOf(w, p.who) }));
}

/** What the reference says of a transfer: `null` (allowed) or the code of the first refusal. */
function referenceTransfer(s: Setup, transfers: readonly Succession[]): DomainErrorCode | null {
  const { actor } = s.state;
  if (actor.status !== "active") return "FORBIDDEN";
  if (new Set(transfers.map((t) => t.structureId)).size !== transfers.length) return "VALIDATION";
  for (const t of transfers) {
    if (s.structures.get(t.structureId)?.primaryManagerId !== actor.id) return "FORBIDDEN";
    if (t.successorId === actor.id) return "SUCCESSOR_IS_PRIMARY_MANAGER";
    const successor = s.users.get(t.successorId);
    if (successor === undefined) return "NOT_FOUND";
    // Another account's status is told only about a member of the structure: anyone else
    // without an active account gets the answer an unknown id gets.
    if (successor.status !== "active") return successor.attachments.some((a) => a.structureId === t.structureId) ? "ACCOUNT_NOT_ACTIVE" : "NOT_FOUND";
  }
  return null;
}

/** A snapshot of a state, to tell it was left as it was. */
const snapshot = (state: TransferState, extra: unknown) =>
  structuredClone({ actor: state.actor, structures: [...state.structures], successors: [...state.successors], extra });

describe("transferPrimaryRole — properties", () => {
  test.prop([worldArb, transfersArb(1)])(
    "succeeds exactly when the reference allows it; then every structure named has its successor as primary manager, attached to the whole of it, in force today",
    (world, picks) => {
      const s = setUp(world);
      const transfers = successionsOf(s.w, picks);
      const before = snapshot(s.state, transfers);
      deepFreeze(transfers);
      deepFreeze(s.state);
      const r = transferPrimaryRole(s.state, { transfers }, ctx);
      expect(snapshot(s.state, transfers)).toEqual(before);
      const expected = referenceTransfer(s, transfers);
      if (!r.ok) {
        // Refused: an error, and nothing else.
        expect(r.error.code).toBe(expected);
        expect(Object.keys(r).sort()).toEqual(["error", "ok"]);
        return;
      }
      expect(expected).toBeNull();
      const after = new Map(s.users);
      for (const u of r.value.successors) after.set(u.id, u);
      expect(r.value.structures.map((x) => x.id)).toEqual(transfers.map((t) => t.structureId));
      for (const [i, t] of transfers.entries()) {
        const structure = r.value.structures[i]!;
        expect(structure).toEqual({ ...s.structures.get(t.structureId), primaryManagerId: t.successorId });
        const successor = after.get(t.successorId)!;
        expect(roleIn(structure, successor)).toBe("primaryManager");
        const held = successor.attachments.find((a) => a.structureId === t.structureId);
        expect(held?.scope).toEqual(WHOLE_STRUCTURE);
        expect(held!.validFrom <= today).toBe(true);
        // The former primary manager keeps their attachment, a simple user.
        expect(roleIn(structure, s.state.actor)).toBe("user");
      }
      for (const u of r.value.successors) {
        const was = s.users.get(u.id)!;
        const named = new Set(transfers.filter((t) => t.successorId === u.id).map((t) => t.structureId as string));
        expect(u.grants).toEqual(was.grants);
        expect({ ...u, attachments: [] }).toEqual({ ...was, attachments: [] });
        expect(u.attachments.filter((a) => !named.has(a.structureId))).toEqual(was.attachments.filter((a) => !named.has(a.structureId)));
      }
      expect(r.value.successors.some((u) => u.id === s.state.actor.id)).toBe(false);
      expect(new Set(r.value.successors.map((u) => u.id)).size).toBe(r.value.successors.length);
      expect(r.value.history.map((h) => [h.kind, h.structureId, h.targetUserId])).toEqual(
        transfers.map((t) => ["primaryRoleTransferred", t.structureId, t.successorId]),
      );
      expect(r.value.events.map((e) => e.type)).toEqual(transfers.map(() => "PrimaryRoleTransferred"));
    },
  );
});

describe("deactivateAccount — properties", () => {
  test.prop([worldArb, transfersArb(0)])(
    "succeeds only for an active account outside the PIGP naming a successor for each of its structures; refused, it gives an error and nothing else",
    (world, picks) => {
      const s = setUp(world);
      const transfers = successionsOf(s.w, picks);
      const before = snapshot(s.state, transfers);
      deepFreeze(transfers);
      deepFreeze(s.state);
      const r = deactivateAccount(s.state, { transfers }, { ...ctx, reactivationWindowHours: WINDOW_HOURS });
      expect(snapshot(s.state, transfers)).toEqual(before);
      const { actor } = s.state;
      const mine = primaryStructuresOf(actor, s.state.structures);
      const pigp = actor.attachments.some((a) => s.structures.get(a.structureId)?.viaPigp === true);
      const named = new Set(transfers.map((t) => t.structureId as string));
      if (!r.ok) {
        expect(Object.keys(r).sort()).toEqual(["error", "ok"]);
        if (r.error.code === "SUCCESSOR_REQUIRED") expect(r.error.structureIds).toEqual(mine.map((x) => x.id).filter((id) => !named.has(id)));
        if (r.error.code === "PIGP_ACCOUNT") expect(pigp).toBe(true);
        return;
      }
      expect(actor.status).toBe("active");
      expect(pigp).toBe(false);
      expect(mine.every((x) => named.has(x.id))).toBe(true);
      expect(referenceTransfer(s, transfers)).toBeNull();
      expect(r.value.user).toEqual({ ...actor, status: "deactivated", deactivatedAt: toInstant(ctx.now) });
      const after = new Map(s.state.structures);
      for (const x of r.value.structures) after.set(x.id, x);
      expect(primaryStructuresOf(r.value.user, after)).toEqual([]);
      expect(r.value.history.filter((h) => h.kind === "accountDeactivated").map((h) => h.structureId)).toEqual(actor.attachments.map((a) => a.structureId));
      expect(r.value.events.at(-1)).toEqual({ type: "AccountDeactivated", at: toInstant(ctx.now), userId: actor.id, reactivableUntil: r.value.reactivableUntil });
    },
  );
});

describe("reactivateAccount — properties", () => {
  test.prop([
    fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
    fc.integer({ min: 1, max: 24 * 366 * 10 }),
    fc.oneof(fc.integer({ min: -3 * 60_000, max: 3 * 60_000 }), fc.integer({ min: -1000 * HOUR, max: 1000 * HOUR })),
  ])("reactivation succeeds exactly before deactivatedAt + the window (in hours), whatever the instant", (deactivatedAt, hours, offset) => {
    const w = buildWorld();
    const left = deactivateAccount(stateOf(w, w.elodie), { transfers: [] }, { now: deactivatedAt, reactivationWindowHours: hours });
    if (!left.ok) throw new Error(left.error.code);
    const closes = deactivatedAt.getTime() + hours * HOUR;
    expect(Date.parse(left.value.reactivableUntil)).toBe(closes);
    const r = reactivateAccount(left.value.user, { now: new Date(closes + offset), reactivationWindowHours: hours });
    expect(r.ok).toBe(offset < 0);
    if (r.ok) expect(r.value.user).toEqual(w.elodie);
    else expect(r.error).toEqual({ code: "REACTIVATION_WINDOW_EXPIRED", userId: w.elodie.id, expiredAt: left.value.reactivableUntil });
  });
});
