// A manager cannot keep their rights by racing their own demotion (or removal): one
// aggregate has one version in a unit of work, and every aggregate an authorization
// read is checked at commit, also when it is written. Each race is replayed
// deterministically: the racing command is paused right after it first reads the
// actor's record, the other command runs to completion, then the paused one resumes.
import { describe, expect, it } from "vitest";
import type { HabilitationsStore, UserId } from "../../src/index.js";
import { guide, must, userRow, WHOLE } from "../application/harness.js";

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
