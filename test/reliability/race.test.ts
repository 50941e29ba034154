// A manager cannot keep their rights by racing their own demotion (or removal): one
// aggregate has one version in a unit of work, and every aggregate an authorization
// read is checked at commit, also when it is written. Each race is replayed
// deterministically: the racing command is paused right after it first reads the
// actor's record, the other command runs to completion, then the paused one resumes.
// Two activation e-mails racing for one account: no more are sent than the throttle
// allows, and only the newest token works. A transfer of the primary role (guide §6)
// racing a demotion, a removal or the deactivation of its successor, or another transfer
// of the same structure: every structure keeps exactly one primary manager, attached to the
// whole structure with an active account.
import { describe, expect, it } from "vitest";
import type { ActivationPolicy, HabilitationsStore, UserId } from "../../src/index.js";
import { guide, must, userRow, WHOLE } from "../application/harness.js";
import { buildWorld, type World } from "./world.js";

/**
 * A store that, the `nth` time a read of `id` is answered (by `getAggregates`, `getUser`
 * or `getUsers`), runs `meanwhile` before handing the answer back: the caller has read
 * the record, another command changes it. A command that reads the record fewer times is
 * never paused (`paused()` tells).
 */
function pauseAfterRead(inner: HabilitationsStore, id: UserId, nth: number, meanwhile: () => Promise<void>): HabilitationsStore & { paused: () => boolean } {
  let reads = 0;
  let done = false;
  const pausing: HabilitationsStore = Object.create(null);
  for (const key of Object.keys(inner) as (keyof HabilitationsStore)[]) {
    (pausing as unknown as Record<string, unknown>)[key] = (inner[key] as (...a: unknown[]) => unknown).bind(inner);
  }
  const read = async (ids: readonly UserId[], answer: Promise<unknown>) => {
    const value = await answer;
    if (!done && ids.includes(id) && ++reads === nth) {
      done = true;
      await meanwhile();
    }
    return value;
  };
  return Object.assign(pausing, {
    getAggregates: (refs: Parameters<HabilitationsStore["getAggregates"]>[0]) =>
      read((refs.user ?? []) as UserId[], inner.getAggregates(refs)) as ReturnType<HabilitationsStore["getAggregates"]>,
    getUser: (u: UserId) => read([u], inner.getUser(u)) as ReturnType<HabilitationsStore["getUser"]>,
    getUsers: (us: readonly UserId[]) => read(us, inner.getUsers(us)) as ReturnType<HabilitationsStore["getUsers"]>,
    paused: () => done,
  });
}

/** A store that runs `meanwhile` once, just before the first commit is handed to `inner`. */
function pauseBeforeCommit(inner: HabilitationsStore, meanwhile: () => Promise<void>): HabilitationsStore {
  let done = false;
  return {
    ...Object.fromEntries(Object.keys(inner).map((k) => [k, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.bind(inner)])),
    commit: async (unit) => {
      if (!done) {
        done = true;
        await meanwhile();
      }
      return inner.commit(unit);
    },
  } as HabilitationsStore;
}

// The pause follows the first, second or third read of the manager's record by the racing
// command: the library reads it once (the later pauses never happen), but a store or a
// session that read it again would be caught by one of them.
describe.each([1, 2, 3])("racing one's own demotion, paused after read %i", (nth) => {
  it("a secondary manager re-promoting themself while the primary manager demotes them stays demoted", async () => {
    const { h, g, app } = await guide();
    // Bruno is secondary manager of the town hall; Alice demotes him while he calls
    // changeMemberRole on himself (paused right after his record is read).
    let demotion: Awaited<ReturnType<typeof app.changeMemberRole>> | undefined;
    const racing = pauseAfterRead(h.store, g.bruno, nth, async () => {
      demotion = await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" });
    });
    const brunoApp = h.appOver(racing);
    const own = await brunoApp.changeMemberRole(g.bruno, { structureId: g.townHall, userId: g.bruno, role: "secondaryManager" });
    if (nth === 1) expect(racing.paused()).toBe(true);
    if (!racing.paused()) demotion = await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" });
    expect(demotion?.ok).toBe(true);
    if (racing.paused()) expect(own.ok).toBe(false);
    const bruno = await userRow(h, g.bruno);
    expect(bruno.value.attachments.find((a) => a.structureId === g.townHall)?.role).toBe("user");
  });

  it("a secondary manager re-attaching themself while the primary manager removes them stays removed", async () => {
    const { h, g, app } = await guide();
    let removal: Awaited<ReturnType<typeof app.removeAttachment>> | undefined;
    const racing = pauseAfterRead(h.store, g.bruno, nth, async () => {
      removal = await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.bruno });
    });
    const own = await h.appOver(racing).attachUser(g.bruno, {
      structureId: g.townHall,
      userId: g.bruno,
      role: "secondaryManager",
      validFrom: "2026-11-27",
      comment: "Je reste",
      scope: WHOLE,
    });
    if (nth === 1) expect(racing.paused()).toBe(true);
    if (!racing.paused()) removal = await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.bruno });
    expect(removal?.ok).toBe(true);
    if (racing.paused()) expect(own.ok).toBe(false);
    expect((await userRow(h, g.bruno)).value.attachments.some((a) => a.structureId === g.townHall)).toBe(false);
  });

});

describe("a decision in flight when its author is demoted", () => {
  it("a secondary manager removing their own attachment while demoted: the removal is judged on the demoted record", async () => {
    const { h, g, app } = await guide();
    const racing = pauseBeforeCommit(h.store, async () => {
      must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    });
    const own = await h.appOver(racing).removeAttachment(g.bruno, { structureId: g.townHall, userId: g.bruno });
    // His decision was taken on the record before the demotion: the commit conflicts, the
    // retry reads the demoted record, and a simple user may not remove an attachment.
    expect(own.ok).toBe(false);
    expect(!own.ok && own.error.code).toBe("FORBIDDEN");
    expect((await userRow(h, g.bruno)).value.attachments.find((a) => a.structureId === g.townHall)?.role).toBe("user");
  });

  it("a demotion committed between the loads and the commit of a decision on another member makes the decision lose", async () => {
    const { h, g, app } = await guide();
    const racing = pauseBeforeCommit(h.store, async () => {
      must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    });
    const r = await h.appOver(racing).changeMemberRole(g.bruno, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" });
    expect(!r.ok && r.error.code).toBe("FORBIDDEN");
    expect((await userRow(h, g.chloe)).value.attachments.find((a) => a.structureId === g.townHall)?.role).toBe("user");
  });
});

describe("one version per aggregate in a unit of work", () => {
  it("the unit of a self-act carries one version of the actor, as read, and no second read of it", async () => {
    const { h, g } = await guide();
    const units: Parameters<HabilitationsStore["commit"]>[0][] = [];
    const spying: HabilitationsStore = { ...pauseBeforeCommit(h.store, async () => {}), commit: (u) => (units.push(u), h.store.commit(u)) };
    const before = await userRow(h, g.bruno);
    must(await h.appOver(spying).removeAttachment(g.bruno, { structureId: g.townHall, userId: g.bruno }));
    const unit = units[0];
    expect(unit?.writes.filter((w) => w.value.id === g.bruno).map((w) => w.expectedVersion)).toEqual([before.version]);
    expect(unit?.reads.filter((r) => r.id === g.bruno).map((r) => r.version)).toEqual([before.version]);
  });

  it("the store refuses a unit whose read and write of one aggregate disagree, and keeps nothing", async () => {
    const { h, g } = await guide();
    const row = await userRow(h, g.bruno);
    await h.app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" });
    const now = await userRow(h, g.bruno);
    const before = h.snapshot();
    const r = await h.store.commit({
      writes: [{ kind: "user", value: { ...now.value, lastName: "Autre" }, expectedVersion: now.version }],
      reads: [{ kind: "user", id: g.bruno, version: row.version }],
      history: [],
      events: [],
    });
    expect(r).toEqual({ ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: g.bruno } });
    expect(h.snapshot()).toEqual(before);
  });
});

describe("two activation e-mails at once for one account", () => {
  /** The tokens of the e-mails the outbox holds for a user, oldest first. */
  const tokensOf = (w: World, user: string) =>
    w.store.snapshot().outbox.flatMap((e) => (e.type === "ActivationEmailRequested" && e.userId === user && e.token !== undefined ? [e.token] : []));
  /** The one result of a call naming one user: the e-mail's outcome, or why not. */
  const resultOf = (r: Awaited<ReturnType<World["app"]["sendActivationEmails"]>> | undefined) =>
    r?.ok === true ? (r.value.results[0]?.result.ok === true ? "sent" : r.value.results[0]?.result.error.code) : r?.error.code;

  // Hugo (created for A by Alice, e-mailed once then) is e-mailed again three minutes later,
  // by Alice and by Sam (secondary manager of A) at the same time.
  const CASES: readonly (readonly [string, Partial<ActivationPolicy>, number])[] = [
    ["the interval between two e-mails (default policy)", {}, 1],
    ["the most e-mails in 24 hours (2, one already sent)", { minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 2 }, 1],
    ["a policy that allows both", { minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 5 }, 2],
  ];

  async function race(policy: Partial<ActivationPolicy>, paused: boolean) {
    const w = await buildWorld();
    const { hugo } = w.pending;
    const [A] = w.structures;
    w.tick(3);
    const before = tokensOf(w, hugo);
    const plain = w.appOver(w.store, { activation: policy });
    const input = { structureId: A, userIds: [hugo] };
    let answers: unknown[];
    if (paused) {
      // Alice's unit is decided, then Sam's e-mail is sent whole, then Alice's commits.
      let sams: Awaited<ReturnType<typeof plain.sendActivationEmails>> | undefined;
      const racing = w.appOver(
        pauseBeforeCommit(w.store, async () => {
          sams = await plain.sendActivationEmails(w.users.sam, input);
        }),
        { activation: policy },
      );
      const alices = await racing.sendActivationEmails(w.users.alice, input);
      answers = [resultOf(alices), resultOf(sams)];
    } else {
      const both = await Promise.all([plain.sendActivationEmails(w.users.alice, input), plain.sendActivationEmails(w.users.sam, input)]);
      answers = both.map(resultOf);
    }
    return { w, hugo, before, answers };
  }

  for (const paused of [true, false])
    it.each(CASES)(`${paused ? "one paused before its commit" : "both at once"}, under %s: as many sent as the throttle allows, and only the newest token works`, async (_what, policy, allowed) => {
      const { w, hugo, before, answers } = await race(policy, paused);
      expect([...answers].sort()).toEqual([...Array.from({ length: allowed }, () => "sent"), ...Array.from({ length: 2 - allowed }, () => "ACTIVATION_EMAIL_THROTTLED")].sort());
      const tokens = tokensOf(w, hugo);
      expect(tokens.slice(0, before.length)).toEqual(before);
      expect(tokens.length - before.length, "e-mails saved").toBe(allowed);
      const account = w.store.snapshot().users.find((u) => u.value.id === hugo)?.value;
      expect(account?.accountEmails.length, "e-mails counted").toBe(before.length + allowed);
      // All of them A's managers': one budget, one live token.
      expect(new Set(account?.accountEmails.map((e) => e.by))).toEqual(new Set([`structure:${w.structures[0]}`]));
      expect(account?.activation?.tokens).toHaveLength(1);
      // Every token but the newest is refused as unknown; the newest activates, once.
      for (const token of tokens.slice(0, -1))
        expect(await w.app.activateAccount({ userId: hugo, token })).toEqual({ ok: false, error: { code: "ACTIVATION_TOKEN_INVALID", userId: hugo } });
      const newest = tokens.at(-1);
      if (newest === undefined) throw new Error("no token saved");
      expect((await w.app.activateAccount({ userId: hugo, token: newest })).ok).toBe(true);
      expect(!(await w.app.activateAccount({ userId: hugo, token: newest })).ok).toBe(true);
    });
});

describe("guide §6: a transfer racing a change to its successor", () => {
  const TODAY = "2026-11-27";
  /** Every structure has exactly one primary manager, attached to the whole structure in force today, with an active account. */
  const expectInvariant = (w: World) => {
    const snap = w.store.snapshot();
    const users = new Map(snap.users.map((u) => [u.value.id as string, u.value]));
    for (const { value: s } of snap.structures) {
      const primary = users.get(s.primaryManagerId);
      const held = primary?.attachments.find((a) => a.structureId === s.id);
      expect({ status: primary?.status, scope: held?.scope.kind, inForce: held !== undefined && held.validFrom <= TODAY }, `the primary manager of ${s.id}`).toEqual({
        status: "active",
        scope: "structure",
        inForce: true,
      });
    }
  };
  const primaryOf = (w: World, s: string) => w.store.snapshot().structures.find((x) => x.value.id === s)?.value.primaryManagerId;
  const userOf = (w: World, u: string) => w.store.snapshot().users.find((x) => x.value.id === u)?.value;
  /**
   * The racing store: the other act runs once the transfer read its successor, or just
   * before it commits; `ran()` tells it did, `commits()` how many units the transfer tried
   * (the first, decided on what it read, conflicts; the act is decided again, and commits a
   * second unit unless it is then refused).
   */
  const racing = (w: World, pause: string, successor: UserId, meanwhile: () => Promise<void>) => {
    let ran = false;
    let commits = 0;
    const other = async () => {
      ran = true;
      await meanwhile();
    };
    const inner = pause === "after it read the successor" ? pauseAfterRead(w.store, successor, 1, other) : pauseBeforeCommit(w.store, other);
    const store: HabilitationsStore = { ...inner, commit: (unit) => (commits++, inner.commit(unit)) };
    return { store, ran: () => ran, commits: () => commits };
  };

  describe.each(["before its commit", "after it read the successor"])("paused %s", (pause) => {
    it("the successor demoted meanwhile (secondary manager to simple user): decided again on the demoted record, the transfer succeeds", async () => {
      const w = await buildWorld();
      const [A] = w.structures;
      let demotion: Awaited<ReturnType<World["app"]["changeMemberRole"]>> | undefined;
      const race = racing(w, pause, w.users.sam, async () => {
        demotion = await w.app.changeMemberRole(w.users.alice, { structureId: A, userId: w.users.sam, role: "user" });
      });
      const r = await w.appOver(race.store).transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.sam });
      expect(demotion?.ok).toBe(true);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(primaryOf(w, A)).toBe(w.users.sam);
      expect(userOf(w, w.users.sam)?.attachments.find((a) => a.structureId === A)).toMatchObject({ role: "user", scope: { kind: "structure" } });
      expect(userOf(w, w.users.alice)?.attachments.find((a) => a.structureId === A)).toMatchObject({ role: "user", scope: { kind: "structure" } });
      expect([race.ran(), race.commits()]).toEqual([true, 2]);
      expectInvariant(w);
    });

    it("the successor removed meanwhile: the transfer decided again attaches them to the whole structure, and the grants removed stay removed", async () => {
      const w = await buildWorld();
      const [A] = w.structures;
      // Mia, in A on COMPTA with a grant there, is removed from A (her grant with it).
      const race = racing(w, pause, w.users.mia, async () => {
        expect((await w.app.removeAttachment(w.users.alice, { structureId: A, userId: w.users.mia })).ok).toBe(true);
      });
      const r = await w.appOver(race.store).transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.mia });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(primaryOf(w, A)).toBe(w.users.mia);
      expect(userOf(w, w.users.mia)?.attachments.find((a) => a.structureId === A)).toMatchObject({ scope: { kind: "structure" }, validFrom: TODAY });
      expect(userOf(w, w.users.mia)?.grants.filter((g) => g.structureId === A)).toEqual([]);
      expect([race.ran(), race.commits()]).toEqual([true, 2]);
      expectInvariant(w);
    });

    it("the successor's account deactivated meanwhile: the transfer is refused, nothing of it saved", async () => {
      const w = await buildWorld();
      const [A, B] = w.structures;
      const race = racing(w, pause, w.users.sam, async () => {
        expect((await w.app.deactivateAccount(w.users.sam, { transfers: [] })).ok).toBe(true);
      });
      const before = w.store.snapshot().history.length;
      const r = await w.appOver(race.store).transferPrimaryRole(w.users.alice, {
        transfers: [{ structureId: B, successorId: w.users.mia }, { structureId: A, successorId: w.users.sam }],
      });
      expect(r).toEqual({ ok: false, error: { code: "ACCOUNT_NOT_ACTIVE", userId: w.users.sam, status: "deactivated" } });
      expect([primaryOf(w, A), primaryOf(w, B)]).toEqual([w.users.alice, w.users.alice]);
      expect(userOf(w, w.users.sam)?.status).toBe("deactivated");
      // Only the deactivation's history (on A and C, Sam's structures).
      expect(w.store.snapshot().history.slice(before).map((h) => h.kind)).toEqual(["accountDeactivated", "accountDeactivated"]);
      // (The first unit conflicts; decided again, the transfer is refused before any commit.)
      expect([race.ran(), race.commits()]).toEqual([true, 1]);
      expectInvariant(w);
    });

    it("a successor the transfer does not write (already a simple user of the whole structure) deactivated meanwhile: the read is checked at commit, and the transfer refused", async () => {
      const w = await buildWorld();
      const [, B] = w.structures;
      // Mia is a simple user of the whole of B: the transfer writes B only, and reads her.
      const race = racing(w, pause, w.users.mia, async () => {
        expect((await w.app.deactivateAccount(w.users.mia, { transfers: [] })).ok).toBe(true);
      });
      const r = await w.appOver(race.store).transferPrimaryRole(w.users.alice, { structureIds: [B], successorId: w.users.mia });
      expect(r).toEqual({ ok: false, error: { code: "ACCOUNT_NOT_ACTIVE", userId: w.users.mia, status: "deactivated" } });
      expect([primaryOf(w, B), userOf(w, w.users.mia)?.status]).toEqual([w.users.alice, "deactivated"]);
      expect([race.ran(), race.commits()]).toEqual([true, 1]);
      expectInvariant(w);
    });

    it("a deactivation handing two structures over, one successor demoted meanwhile: both hand over and the account is deactivated", async () => {
      const w = await buildWorld();
      const [A, B] = w.structures;
      const race = racing(w, pause, w.users.sam, async () => {
        expect((await w.app.changeMemberRole(w.users.alice, { structureId: A, userId: w.users.sam, role: "user" })).ok).toBe(true);
      });
      const r = await w.appOver(race.store).deactivateAccount(w.users.alice, {
        transfers: [{ structureId: A, successorId: w.users.sam }, { structureId: B, successorId: w.users.mia }],
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect([primaryOf(w, A), primaryOf(w, B), userOf(w, w.users.alice)?.status]).toEqual([w.users.sam, w.users.mia, "deactivated"]);
      expect([race.ran(), race.commits()]).toEqual([true, 2]);
      expectInvariant(w);
    });

    it("another transfer of the same structure meanwhile: the first to commit wins, the other is refused as no longer the primary manager", async () => {
      const w = await buildWorld();
      const [A] = w.structures;
      let other: Awaited<ReturnType<World["app"]["transferPrimaryRole"]>> | undefined;
      const race = racing(w, pause, w.users.sam, async () => {
        other = await w.app.transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.mia });
      });
      const r = await w.appOver(race.store).transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.sam });
      expect(other?.ok).toBe(true);
      expect(r).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: w.users.alice, structureId: A, reason: "notThePrimaryManager" } });
      expect(primaryOf(w, A)).toBe(w.users.mia);
      expect(w.store.snapshot().history.filter((h) => h.kind === "primaryRoleTransferred").length).toBe(1);
      // (The first unit conflicts; decided again, the transfer is refused before any commit.)
      expect([race.ran(), race.commits()]).toEqual([true, 1]);
      expectInvariant(w);
    });
  });

  it("two transfers of one structure at once: exactly one wins, the other is refused", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    const results = await Promise.all([
      w.app.transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.sam }),
      w.app.transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.mia }),
    ]);
    expect(results.filter((r) => r.ok).length).toBe(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(["FORBIDDEN"]);
    expect(w.store.snapshot().history.filter((h) => h.kind === "primaryRoleTransferred").length).toBe(1);
    expectInvariant(w);
  });
});
