// The store contract: unique keys.
import assert from "node:assert/strict";
import {
  serviceId,
  structureId,
  userId,
  type AttachmentRequest,
} from "../core/index.js";
import { instant } from "./fixtures.js";
import { fx, unit, create, update, assertOk, claimable, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on unique keys. */
export function uniqueKeys(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("unique keys", () => {
    test("a login is unique, compared trimmed and in lower case, also within one unit", async (store) => {
      assertOk(await store.commit(create(fx.user("u-1", [], "alice@example.fr"))));
      const taken = await store.commit(create(fx.user("u-2", [], "alice@example.fr")));
      assert.deepEqual(taken, { ok: false, error: { code: "LOGIN_TAKEN", login: "alice@example.fr" } });
      const shouted = await store.commit(create(fx.user("u-5", [], " ALICE@example.fr")));
      assert.deepEqual(shouted, { ok: false, error: { code: "LOGIN_TAKEN", login: " ALICE@example.fr" } });
      const twice = await store.commit(create(fx.user("u-3", [], "bob@example.fr"), fx.user("u-4", [], "bob@example.fr")));
      assert.deepEqual(twice, { ok: false, error: { code: "LOGIN_TAKEN", login: "bob@example.fr" } });
      assert.equal((await store.findUserByLogin("ALICE@example.fr "))?.value.id, "u-1");
      assert.equal(await store.findUserByLogin("bob@example.fr"), null);
      assert.equal(await store.getUser(userId("u-3")), null);
    });

    test("one pending request per user and structure; a decided one frees the key", async (store) => {
      const first = fx.pendingRequest("r-1", "u-1", "s-1");
      assertOk(await store.commit(create(first, fx.pendingRequest("r-other", "u-1", "s-2"))));
      const dup = await store.commit(create(fx.pendingRequest("r-2", "u-1", "s-1")));
      assert.deepEqual(dup, { ok: false, error: { code: "PENDING_REQUEST_EXISTS", userId: "u-1", structureId: "s-1" } });
      assert.equal((await store.findPendingRequest(userId("u-1"), structureId("s-1")))?.value.id, "r-1");
      const refused: AttachmentRequest = { ...first, status: "refused", decidedBy: userId("u-admin"), decidedAt: instant(5), reason: "Non" };
      assertOk(await store.commit(update(refused, 1)));
      assert.equal(await store.findPendingRequest(userId("u-1"), structureId("s-1")), null);
      assertOk(await store.commit(create(fx.pendingRequest("r-3", "u-1", "s-1"))));
      assert.equal((await store.findPendingRequest(userId("u-1"), structureId("s-1")))?.value.id, "r-3");
    });

    test("a service code is unique within its structure, whatever its case", async (store) => {
      assertOk(await store.commit(create(fx.service("svc-1", "s-1", "COMPTA"), fx.service("svc-2", "s-2", "COMPTA"))));
      const dup = await store.commit(create(fx.service("svc-3", "s-1", "compta")));
      assert.deepEqual(dup, { ok: false, error: { code: "SERVICE_CODE_TAKEN", structureId: "s-1", serviceCode: "compta" } });
      const renamed = { ...fx.service("svc-1", "s-1", "COMPTA"), label: "Comptabilité générale" };
      assertOk(await store.commit(update(renamed, 1)));
      const recoded = await store.commit(update({ ...fx.service("svc-2", "s-2", "COMPTA"), structureId: structureId("s-1") }, 1));
      assert.deepEqual(recoded, { ok: false, error: { code: "SERVICE_CODE_TAKEN", structureId: "s-1", serviceCode: "COMPTA" } });
      assert.equal(await store.getService(serviceId("svc-3")), null);
    });

    test("keys are checked write by write, in the unit's order: a key may be freed then taken, not taken then freed", async (store) => {
      const [alice, bruno] = [fx.user("u-1", [], "a@example.fr"), fx.user("u-2", [], "b@example.fr")];
      const request = fx.pendingRequest("r-1", "u-1", "s-1");
      const service = fx.service("svc-1", "s-1", "X");
      assertOk(await store.commit(create(alice, bruno, request, service)));
      const refused: AttachmentRequest = { ...request, status: "refused", decidedBy: userId("u-admin"), decidedAt: instant(5), reason: "Non" };
      // Taken first, freed after: refused, and nothing saved.
      const takenFirst = [
        unit({ writes: [{ kind: "user", value: fx.user("u-3", [], "b@example.fr"), expectedVersion: null }, { kind: "user", value: { ...bruno, login: "c@example.fr" }, expectedVersion: 1 }] }),
        unit({ writes: [{ kind: "attachmentRequest", value: fx.pendingRequest("r-2", "u-1", "s-1"), expectedVersion: null }, { kind: "attachmentRequest", value: refused, expectedVersion: 1 }] }),
        unit({ writes: [{ kind: "service", value: fx.service("svc-2", "s-1", "x"), expectedVersion: null }, { kind: "service", value: { ...service, code: "Y" }, expectedVersion: 1 }] }),
      ];
      const errors = [];
      for (const u of takenFirst) {
        const result = await store.commit(u);
        errors.push(result.ok ? null : result.error);
      }
      assert.deepEqual(errors, [
        { code: "LOGIN_TAKEN", login: "b@example.fr" },
        { code: "PENDING_REQUEST_EXISTS", userId: "u-1", structureId: "s-1" },
        { code: "SERVICE_CODE_TAKEN", structureId: "s-1", serviceCode: "x" },
      ]);
      assert.deepEqual(await store.getUser(bruno.id), { value: bruno, version: 1 });
      assert.equal((await store.findPendingRequest(userId("u-1"), structureId("s-1")))?.value.id, "r-1");
      assert.deepEqual((await store.listServices(structureId("s-1"))).map((r) => r.value.code), ["X"]);
      // Freed first, taken after: saved, and each key found with its new holder.
      assertOk(await store.commit(unit({ writes: [{ kind: "user", value: { ...bruno, login: "c@example.fr" }, expectedVersion: 1 }, { kind: "user", value: fx.user("u-3", [], "b@example.fr"), expectedVersion: null }] })));
      assertOk(await store.commit(unit({ writes: [{ kind: "attachmentRequest", value: refused, expectedVersion: 1 }, { kind: "attachmentRequest", value: fx.pendingRequest("r-2", "u-1", "s-1"), expectedVersion: null }] })));
      assertOk(await store.commit(unit({ writes: [{ kind: "service", value: { ...service, code: "Y" }, expectedVersion: 1 }, { kind: "service", value: fx.service("svc-2", "s-1", "x"), expectedVersion: null }] })));
      assert.equal((await store.findUserByLogin("b@example.fr"))?.value.id, "u-3");
      assert.equal((await store.findUserByLogin("c@example.fr"))?.value.id, "u-2");
      assert.equal((await store.findPendingRequest(userId("u-1"), structureId("s-1")))?.value.id, "r-2");
      assert.deepEqual((await store.listServices(structureId("s-1"))).map((r) => r.value.code), ["Y", "x"]);
      // And the keys still hold afterwards.
      assert.equal((await store.commit(create(fx.user("u-4", [], "B@example.fr")))).ok, false);
      assert.equal((await store.commit(create(fx.pendingRequest("r-3", "u-1", "s-1")))).ok, false);
      assert.equal((await store.commit(create(fx.service("svc-3", "s-1", "X")))).ok, false);
      assert.equal((await store.commit(create(fx.service("svc-4", "s-1", "y")))).ok, false);
    });

    test("an idempotency key is unique per owner; a refused unit keeps no record", async (store) => {
      const first = await store.commit(
        unit({
          writes: [{ kind: "user", value: fx.user("u-1"), expectedVersion: null }],
          history: [fx.history("s-1", "userAttached", 0, "u-1"), fx.history("s-2", "userAttached", 0, "u-1")],
          events: [fx.event("e-1"), fx.event("e-2")],
          idempotency: fx.idempotency("u-admin", "k-1"),
        }),
      );
      assertOk(first);
      assert.deepEqual(await store.getIdempotencyRecord("u-admin", "k-1"), {
        ...fx.idempotency("u-admin", "k-1"),
        history: first.value.history,
        events: [fx.event("e-1"), fx.event("e-2")],
      });
      const again = await store.commit(
        unit({
          writes: [{ kind: "user", value: fx.user("u-2"), expectedVersion: null }],
          history: [fx.history("s-1", "userAttached", 1, "u-2")],
          events: [fx.event("e-3")],
          idempotency: { ...fx.idempotency("u-admin", "k-1"), fingerprint: "other" },
        }),
      );
      assert.deepEqual(again, { ok: false, error: { code: "IDEMPOTENCY_KEY_TAKEN", owner: "u-admin", key: "k-1" } });
      assert.equal(await store.getUser(userId("u-2")), null);
      assert.equal((await store.readHistory(structureId("s-1"), { limit: 10 })).length, 1);
      assert.deepEqual(await claimable(store), ["e-1", "e-2"]);
      assert.equal((await store.getIdempotencyRecord("u-admin", "k-1"))?.fingerprint, "fp-u-admin-k-1");
      // Another owner's key of the same name is another key.
      assertOk(await store.commit(unit({ idempotency: fx.idempotency("u-other", "k-1") })));
      assert.deepEqual(await store.getIdempotencyRecord("u-other", "k-1"), { ...fx.idempotency("u-other", "k-1"), history: [], events: [] });
      // A refused unit keeps no record.
      const refused = await store.commit(update(fx.user("u-1"), 9, { idempotency: fx.idempotency("u-admin", "k-2") }));
      assert.equal(refused.ok, false);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-2"), null);
      assert.equal(await store.getIdempotencyRecord("u-admin", "nope"), null);
    });

    test("a taken idempotency key wins over a version conflict: a retried unit gets IDEMPOTENCY_KEY_TAKEN", async (store) => {
      const retried = unit({
        writes: [{ kind: "user", value: fx.user("u-1"), expectedVersion: null }],
        history: [fx.history("s-1", "userAttached", 0, "u-1")],
        events: [fx.event("e-1")],
        idempotency: fx.idempotency("u-admin", "k-1"),
      });
      assertOk(await store.commit(retried));
      // Its versions are stale now (u-1 exists), but the key speaks first.
      assert.deepEqual(await store.commit(retried), { ok: false, error: { code: "IDEMPOTENCY_KEY_TAKEN", owner: "u-admin", key: "k-1" } });
      assert.deepEqual(
        await store.commit({ ...retried, writes: [{ kind: "user", value: fx.user("u-1"), expectedVersion: 1 }], reads: [{ kind: "user", id: "u-9", version: 3 }] }),
        { ok: false, error: { code: "IDEMPOTENCY_KEY_TAKEN", owner: "u-admin", key: "k-1" } },
      );
      assert.equal((await store.readHistory(structureId("s-1"), { limit: 10 })).length, 1);
      assert.deepEqual(await claimable(store), ["e-1"]);
      assert.deepEqual(await store.getUser(userId("u-1")), { value: fx.user("u-1"), version: 1 });
    });

    test("idempotency records saved before an instant are purged, the others kept", async (store) => {
      for (const [key, minutes] of [["k-1", 0], ["k-2", 1], ["k-3", 2]] as const)
        assertOk(await store.commit(unit({ idempotency: fx.idempotency("u-admin", key, minutes) })));
      assert.equal(await store.purgeIdempotencyRecords(instant(2)), 2);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-1"), null);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-2"), null);
      assert.equal((await store.getIdempotencyRecord("u-admin", "k-3"))?.key, "k-3");
      assert.equal(await store.purgeIdempotencyRecords(instant(2)), 0);
      // A purged key can be taken again.
      assertOk(await store.commit(unit({ idempotency: fx.idempotency("u-admin", "k-1", 3) })));
    });
  });
}
