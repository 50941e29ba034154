// The store contract: outbox.
import assert from "node:assert/strict";
import { at } from "./fixtures.js";
import { fx, unit, create, update, assertOk, claimable, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on outbox. */
export function outbox(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("outbox", () => {
    test("events are saved with their unit, in commit order, and claimed oldest first", async (store) => {
      assertOk(await store.commit(unit({ events: [fx.event("e-1"), fx.event("e-2")] })));
      assertOk(await store.commit(create(fx.user("u-1"))));
      assertOk(await store.commit(unit({ events: [fx.event("e-3")] })));
      const first = await store.claimOutbox({ limit: 2, now: at(0), leaseUntil: at(60) });
      assert.deepEqual(first.map((m) => m.event), [fx.event("e-1"), fx.event("e-2")]);
      assert.deepEqual(first.map((m) => m.attempts), [1, 1]);
      assert.ok((first[0] as { sequence: number }).sequence < (first[1] as { sequence: number }).sequence);
      const rest = await store.claimOutbox({ limit: 2, now: at(0), leaseUntil: at(60) });
      assert.deepEqual(rest.map((m) => m.event.id), ["e-3"]);
      assert.ok((rest[0] as { sequence: number }).sequence > (first[1] as { sequence: number }).sequence);
    });

    test("a claimed event is hidden until its lease ends, then claimed again with one more attempt", async (store) => {
      assertOk(await store.commit(unit({ events: [fx.event("e-1")] })));
      assert.deepEqual(await claimable(store, 0), ["e-1"]); // leased until 1 s
      assert.deepEqual(await store.claimOutbox({ limit: 10, now: at(0.5), leaseUntil: at(10) }), []);
      const again = await store.claimOutbox({ limit: 10, now: at(1), leaseUntil: at(2) }); // the lease ends at 1 s
      assert.deepEqual(again.map((m) => [m.event.id, m.attempts]), [["e-1", 2]]);
      const third = await store.claimOutbox({ limit: 10, now: at(5), leaseUntil: at(6) });
      assert.deepEqual(third.map((m) => [m.event.id, m.attempts]), [["e-1", 3]]);
      assert.equal(third[0]?.sequence, again[0]?.sequence);
    });

    test("acknowledged events never come back; unknown ids are ignored", async (store) => {
      assertOk(await store.commit(unit({ events: [fx.event("e-1"), fx.event("e-2"), fx.event("e-3")] })));
      assert.deepEqual(await claimable(store, 0), ["e-1", "e-2", "e-3"]);
      await store.acknowledgeOutbox(["e-1", "e-3", "e-unknown"]);
      await store.acknowledgeOutbox([]);
      assert.deepEqual(await claimable(store, 100), ["e-2"]);
      await store.acknowledgeOutbox(["e-2"]);
      assert.deepEqual(await claimable(store, 200), []);
      // Acknowledging an event nobody claimed also retires it.
      assertOk(await store.commit(unit({ events: [fx.event("e-4")] })));
      await store.acknowledgeOutbox(["e-4"]);
      assert.deepEqual(await claimable(store, 300), []);
    });

    test("a refused unit saves no event", async (store) => {
      assertOk(await store.commit(create(fx.user("u-1"))));
      const refused = await store.commit(update(fx.user("u-1"), 2, { events: [fx.event("e-1")] }));
      assert.equal(refused.ok, false);
      const taken = await store.commit(unit({ writes: [{ kind: "user", value: fx.user("u-2", [], "u-1@example.fr"), expectedVersion: null }], events: [fx.event("e-2")] }));
      assert.equal(taken.ok, false);
      assert.deepEqual(await claimable(store), []);
    });

    test("two concurrent claims get disjoint sets", async (store) => {
      const events = Array.from({ length: 30 }, (_, i) => fx.event(`e-${String(i).padStart(2, "0")}`));
      for (let i = 0; i < events.length; i += 3) assertOk(await store.commit(unit({ events: events.slice(i, i + 3) })));
      const claims = await Promise.all(
        [0, 1, 2].map(() => store.claimOutbox({ limit: 12, now: at(0), leaseUntil: at(60) })),
      );
      const ids = claims.flat().map((m) => m.event.id);
      assert.equal(new Set(ids).size, ids.length, "no event in two claims");
      assert.equal(ids.length, 30);
      for (const claim of claims) assert.ok(claim.length <= 12);
      assert.deepEqual(await store.claimOutbox({ limit: 100, now: at(30), leaseUntil: at(90) }), []);
    });
  });
}
