// Nothing lost (SPEC §4): the events of a committed unit of work are saved with it, kept
// until the host acknowledges them, and delivered at least once; a unit that is not
// committed leaves none. Commits fail at random, before or after the store saved them.
// (The catalogue holds the acts on accounts: an activation e-mail is kept whole, with its
// token, in the outbox, and returned without it.)
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { HabilitationsStore, RecordedEvent } from "../../src/index.js";
import { buildWorld, callArb } from "./world.js";
import { untyped } from "../application/harness.js";

type Fate = "ok" | "failBefore" | "failAfter";

/** A store whose commits meet the given fates in turn: saved, lost before, or saved and the answer lost. */
function fated(inner: HabilitationsStore, fates: readonly Fate[], committed: RecordedEvent[][]): HabilitationsStore {
  let n = 0;
  return {
    ...Object.fromEntries(Object.keys(inner).map((k) => [k, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.bind(inner)])),
    commit: async (unit) => {
      const fate = fates[n++ % Math.max(1, fates.length)] ?? "ok";
      if (fate === "failBefore") throw new Error("connection lost before the commit");
      const result = await inner.commit(unit);
      if (result.ok) committed.push([...unit.events]);
      if (fate === "failAfter") throw new Error("connection lost after the commit");
      return result;
    },
  } as HabilitationsStore;
}

describe("the outbox", () => {
  it("keeps exactly the events of the committed units, in commit order, whatever fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(fc.constantFrom<Fate>("ok", "ok", "failBefore", "failAfter"), { minLength: 1, maxLength: 30 }),
        async (seed, fates) => {
          const w = await buildWorld();
          const initial = w.store.snapshot().outbox;
          const committed: RecordedEvent[][] = [];
          const app = w.appOver(fated(w.store, fates, committed));
          const calls = fc.sample(fc.array(callArb(w), { minLength: 1, maxLength: 20 }), { seed, numRuns: 1 })[0] ?? [];
          const returned: RecordedEvent[] = [];
          for (const call of calls) {
            const r = await call.run(app);
            // (The access query answers a boolean.)
            if (r.ok && typeof r.value === "object" && r.value !== null && "events" in r.value) returned.push(...(r.value as { events: readonly RecordedEvent[] }).events);
            w.tick();
          }
          const kept = w.store.snapshot().outbox;
          expect(kept).toEqual([...initial, ...committed.flat()]);
          // No event twice, and every event an operation returned as done is kept.
          expect(new Set(kept.map((e) => e.id)).size).toBe(kept.length);
          const keptIds = new Set(kept.map((e) => e.id));
          for (const e of returned) expect(keptIds.has(e.id)).toBe(true);
          // Each as returned, but an activation e-mail, kept with its token and returned without.
          const keptById = new Map(kept.map((e) => [e.id, e]));
          for (const e of returned) {
            expect("token" in e, `${e.type} returned with a token`).toBe(false);
            expect(keptById.get(e.id)).toEqual(e.type === "ActivationEmailRequested" ? { ...e, token: expect.any(String) } : e);
          }
        },
      ),
      // As many runs again since guide §2's operations joined the catalogue (about half the
      // calls), and a third more since those of accounts did (about a fifth).
      { numRuns: 110 },
    );
  });

  it("delivers every event at least once, until acknowledged, across crashed relays and expired leases", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ limit: fc.integer({ min: 1, max: 7 }), ackEach: fc.array(fc.boolean(), { maxLength: 7 }), wait: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (rounds) => {
          const w = await buildWorld();
          const all = w.store.snapshot().outbox.map((e) => e.id);
          const acked = new Set<string>();
          const deliveries = new Map<string, number>();
          for (const round of [...rounds, ...Array.from({ length: 200 }, () => ({ limit: 50, ackEach: [] as boolean[], wait: 2, final: true }))]) {
            const batch = await w.app.claimEvents({ limit: round.limit, leaseSeconds: 60 });
            expect(batch.ok).toBe(true);
            if (!batch.ok) return;
            const ids: string[] = [];
            batch.value.forEach((m, i) => {
              expect(acked.has(m.event.id), "an acknowledged event never comes back").toBe(false);
              deliveries.set(m.event.id, (deliveries.get(m.event.id) ?? 0) + 1);
              expect(m.attempts).toBe(deliveries.get(m.event.id));
              if ("final" in round || round.ackEach[i] === true) ids.push(m.event.id);
            });
            // Within one lease, a second claim never gets what this one holds.
            const again = await w.app.claimEvents({ limit: 1000 });
            if (again.ok) for (const m of again.value) expect(batch.value.some((b) => b.event.id === m.event.id)).toBe(false);
            // (…and what `again` claimed is leased too: let it expire like a crashed relay.)
            if (again.ok) for (const m of again.value) deliveries.set(m.event.id, (deliveries.get(m.event.id) ?? 0) + 1);
            expect((await w.app.acknowledgeEvents(ids)).ok).toBe(true);
            ids.forEach((id) => acked.add(id));
            w.tick(round.wait);
            if (acked.size === all.length) break;
          }
          expect([...acked].sort()).toEqual([...all].sort());
          expect(w.store.snapshot().outbox).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("relayEvents delivers a batch, acknowledges what was delivered and keeps what failed", async () => {
    const w = await buildWorld();
    const pending = w.store.snapshot().outbox.length;
    let calls = 0;
    const r = await w.app.relayEvents(
      async (event) => {
        calls++;
        if (event.type === "StructureCreated") throw new Error("mail server down");
      },
      { limit: 1000 },
    );
    expect(r).toMatchObject({ ok: true, value: { delivered: pending - 3, failed: 3 } });
    // Each failure names its event and what the delivery threw.
    expect(r.ok && r.value.failures.map((f) => [f.event.type, f.attempts, (f.error as Error).message])).toEqual(
      Array.from({ length: 3 }, () => ["StructureCreated", 1, "mail server down"]),
    );
    expect(calls).toBe(pending);
    expect(w.store.snapshot().outbox.map((e) => e.type)).toEqual(["StructureCreated", "StructureCreated", "StructureCreated"]);
    // Leased for a minute: not given again before, given again after.
    expect((await w.app.claimEvents({})).ok && (await w.app.claimEvents({}))).toEqual({ ok: true, value: [] });
    w.tick(2);
    const again = await w.app.claimEvents({});
    expect(again.ok && again.value.map((m) => [m.event.type, m.attempts])).toEqual([
      ["StructureCreated", 2],
      ["StructureCreated", 2],
      ["StructureCreated", 2],
    ]);
  });

  it("the events an operation returns are the ones the outbox delivers, with the same ids", async () => {
    const w = await buildWorld();
    await w.app.relayEvents(() => {}, { limit: 1000 });
    const [A] = w.structures;
    const r = await w.app.changeMemberRole(w.users.alice, { structureId: A as string, userId: w.users.mia, role: "secondaryManager" });
    expect(r.ok).toBe(true);
    const batch = await w.app.claimEvents({});
    expect(batch.ok && batch.value.map((m) => m.event)).toEqual(r.ok ? r.value.events : null);
  });

  it("refuses junk claims and acknowledgements with VALIDATION", async () => {
    const w = await buildWorld();
    for (const junk of [{ limit: 0 }, { limit: 1001 }, { leaseSeconds: -1 }, { other: 1 }, null, 42, new Date()])
      expect((await untyped(w.app).claimEvents(junk)).ok && "accepted").toBe(false);
    for (const junk of [null, "evt-1", [1], {}, new Map()]) expect((await untyped(w.app).acknowledgeEvents(junk)).ok).toBe(false);
  });
});
