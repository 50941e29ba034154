// The store contract: atomicity.
import assert from "node:assert/strict";
import {
  structureId,
  userId,
} from "../core/index.js";
import { fx, unit, create, update, assertOk, claimable, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on atomicity. */
export function atomicity(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("atomicity", () => {
    test("a unit of work that fails halfway leaves nothing behind", async (store) => {
      const existing = fx.user("u-old");
      assertOk(await store.commit(create(existing)));
      const result = await store.commit(
        unit({
          writes: [
            { kind: "user", value: fx.user("u-new"), expectedVersion: null },
            { kind: "structure", value: fx.structure("s-new"), expectedVersion: null },
            { kind: "user", value: { ...existing, lastName: "Nouveau" }, expectedVersion: 5 },
          ],
          history: [fx.history("s-new", "structureCreated", 1)],
          events: [fx.event("e-1", "s-new")],
          idempotency: fx.idempotency("u-admin", "k-1"),
        }),
      );
      assert.deepEqual(result, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-old" } });
      assert.equal(await store.getUser(userId("u-new")), null);
      assert.equal(await store.getStructure(structureId("s-new")), null);
      assert.deepEqual(await store.getUser(existing.id), { value: existing, version: 1 });
      assert.deepEqual(await store.readHistory(structureId("s-new"), { limit: 10 }), []);
      assert.equal(await store.findUserByLogin("u-new@example.fr"), null);
      assert.deepEqual(await claimable(store), []);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-1"), null);
    });

    test("a unit of work refused on a unique key leaves nothing behind", async (store) => {
      assertOk(await store.commit(create(fx.user("u-1", [], "same@example.fr"))));
      const result = await store.commit(
        unit({
          writes: [
            { kind: "structure", value: fx.structure("s-1"), expectedVersion: null },
            { kind: "user", value: fx.user("u-2", [structureId("s-1")], "same@example.fr"), expectedVersion: null },
          ],
          history: [fx.history("s-1", "structureCreated", 1)],
          events: [fx.event("e-1")],
          idempotency: fx.idempotency("u-admin", "k-1"),
        }),
      );
      assert.deepEqual(result, { ok: false, error: { code: "LOGIN_TAKEN", login: "same@example.fr" } });
      assert.equal(await store.getStructure(structureId("s-1")), null);
      assert.equal(await store.getUser(userId("u-2")), null);
      assert.deepEqual(await store.listMembers(structureId("s-1"), { limit: 10 }), []);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10 }), []);
      assert.deepEqual(await claimable(store), []);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-1"), null);
    });

    test("a stale read check refuses the whole unit (write skew)", async (store) => {
      const manager = fx.user("u-manager");
      const member = fx.user("u-member");
      assertOk(await store.commit(create(manager, member)));
      // Meanwhile the manager's record changes (e.g. demoted).
      assertOk(await store.commit(update({ ...manager, lastName: "Rétrogradé" }, 1)));
      const decision = await store.commit(
        update({ ...member, lastName: "Décidé" }, 1, {
          reads: [{ kind: "user", id: manager.id, version: 1 }],
          history: [fx.history("s-1", "roleChanged", 1, "u-member")],
          events: [fx.event("e-1")],
        }),
      );
      assert.deepEqual(decision, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-manager" } });
      assert.deepEqual(await store.getUser(member.id), { value: member, version: 1 });
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10 }), []);
      assert.deepEqual(await claimable(store), []);
    });

    test("a read check of an aggregate that does not exist is a VERSION_CONFLICT", async (store) => {
      const member = fx.user("u-member");
      assertOk(await store.commit(create(member)));
      const decision = await store.commit(
        update({ ...member, lastName: "Décidé" }, 1, { reads: [{ kind: "structure", id: "s-gone", version: 1 }] }),
      );
      assert.deepEqual(decision, { ok: false, error: { code: "VERSION_CONFLICT", kind: "structure", id: "s-gone" } });
      assert.deepEqual(await store.getUser(member.id), { value: member, version: 1 });
    });

    test("a read check and a write of one aggregate naming different versions: VERSION_CONFLICT, nothing saved", async (store) => {
      const actor = fx.user("u-1");
      assertOk(await store.commit(create(actor)));
      assertOk(await store.commit(update({ ...actor, lastName: "v2" }, 1)));
      // The write names the stored version (2), the read an older one (1): the unit
      // decided on two versions of one aggregate.
      const olderRead = await store.commit(
        update({ ...actor, lastName: "v3" }, 2, {
          reads: [{ kind: "user", id: actor.id, version: 1 }],
          history: [fx.history("s-1", "roleChanged", 1, "u-1")],
          events: [fx.event("e-1")],
        }),
      );
      assert.deepEqual(olderRead, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      // The read names the stored version, the write an older one.
      const olderWrite = await store.commit(
        update({ ...actor, lastName: "v3" }, 1, { reads: [{ kind: "user", id: actor.id, version: 2 }] }),
      );
      assert.deepEqual(olderWrite, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      // A creation read-checked at any version.
      const createdAndRead = await store.commit(
        unit({
          writes: [{ kind: "user", value: fx.user("u-2"), expectedVersion: null }],
          reads: [{ kind: "user", id: "u-2", version: 1 }],
        }),
      );
      assert.deepEqual(createdAndRead, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-2" } });
      assert.deepEqual(await store.getUser(actor.id), { value: { ...actor, lastName: "v2" }, version: 2 });
      assert.equal(await store.getUser(userId("u-2")), null);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10 }), []);
      assert.deepEqual(await claimable(store), []);
    });

    test("a read check of a written aggregate at the version written passes", async (store) => {
      const actor = fx.user("u-1");
      assertOk(await store.commit(create(actor)));
      const result = await store.commit(
        update({ ...actor, lastName: "Soi-même" }, 1, {
          reads: [{ kind: "user", id: actor.id, version: 1 }],
          history: [fx.history("s-1", "roleChanged", 1, "u-1")],
        }),
      );
      assertOk(result);
      assert.deepEqual(result.value.versions, [2]);
      assert.deepEqual(await store.getUser(actor.id), { value: { ...actor, lastName: "Soi-même" }, version: 2 });
    });
  });
}
