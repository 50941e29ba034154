// The store contract: concurrency.
import assert from "node:assert/strict";
import {
  spaceCode,
  structureId,
  userId,
  type SubscriptionRequest,
  type User,
} from "../core/index.js";
import { instant } from "./fixtures.js";
import { fx, unit, create, update, assertOk, claimable, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on concurrency. */
export function concurrency(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("concurrency", () => {
    test("two interleaved writers of one aggregate: the first wins, the second conflicts", async (store) => {
      const user = fx.user("u-1");
      assertOk(await store.commit(create(user)));
      const a = await store.getUser(user.id);
      const b = await store.getUser(user.id);
      assert.ok(a && b);
      assertOk(await store.commit(update({ ...a.value, lastName: "A" }, a.version)));
      const second = await store.commit(update({ ...b.value, lastName: "B" }, b.version));
      assert.deepEqual(second, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      assert.equal((await store.getUser(user.id))?.value.lastName, "A");
    });

    test("two concurrent commits at the same version: exactly one wins, its history and events alone are saved", async (store) => {
      const user = fx.user("u-1");
      assertOk(await store.commit(create(user)));
      const results = await Promise.all(
        ["A", "B"].map((name) =>
          store.commit(
            update({ ...user, lastName: name }, 1, {
              history: [fx.history("s-1", "roleChanged", 1, "u-1")],
              events: [fx.event(`e-${name}`)],
            }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      const winner = results.findIndex((r) => r.ok) === 0 ? "A" : "B";
      assert.equal((await store.getUser(user.id))?.value.lastName, winner);
      assert.equal((await store.readHistory(structureId("s-1"), { limit: 10 })).length, 1);
      assert.deepEqual(await claimable(store), [`e-${winner}`]);
    });

    test("two concurrent decisions of one subscription request: exactly one wins, its writes, history and events alone are saved", async (store) => {
      const s1 = structureId("s-1");
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const member = fx.user("u-1", [s1]);
      assertOk(await store.commit(create(pending, member, fx.user("u-a"), fx.user("u-b"))));
      const decide = (manager: "u-a" | "u-b") => {
        const by = userId(manager);
        const decided: SubscriptionRequest =
          manager === "u-a"
            ? { ...pending, status: "validated", decidedBy: by, decidedAt: instant(1), grantedItems: pending.items, scope: "user", managerComment: "" }
            : { ...pending, status: "refused", decidedBy: by, decidedAt: instant(1), managerComment: "Non" };
        const granted: User = {
          ...member,
          grants: manager === "u-a" ? [{ structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: by, grantedAt: instant(1), validUntil: null, endNotice: null }] : [],
          lastName: manager,
        };
        return store.commit(
          unit({
            writes: [
              { kind: "subscriptionRequest", value: decided, expectedVersion: 1 },
              { kind: "user", value: granted, expectedVersion: 1 },
            ],
            reads: [{ kind: "user", id: manager, version: 1 }],
            history: [fx.history("s-1", manager === "u-a" ? "subscriptionRequestValidated" : "subscriptionRequestRefused", 1, "u-1")],
            events: [fx.event(`e-${manager}`)],
          }),
        );
      };
      const results = await Promise.all([decide("u-a"), decide("u-b")]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const winner = results[0]?.ok === true ? "u-a" : "u-b";
      const loser = results.find((r) => !r.ok);
      assert.deepEqual(loser?.ok === false && loser.error.code, "VERSION_CONFLICT");
      const [stored] = (await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest;
      assert.equal(stored?.version, 2);
      assert.equal(stored?.value.status, winner === "u-a" ? "validated" : "refused");
      assert.equal((await store.getUser(member.id))?.value.lastName, winner);
      assert.deepEqual(await store.listPendingSubscriptionRequests(s1, { limit: 10 }), []);
      assert.equal((await store.readHistory(s1, { limit: 10 })).length, 1);
      assert.deepEqual(await claimable(store), [`e-${winner}`]);
    });

    test("two concurrent creations of the same login: exactly one wins", async (store) => {
      const results = await Promise.all([
        store.commit(create(fx.user("u-1", [], "elodie@example.fr"))),
        store.commit(create(fx.user("u-2", [], "elodie@example.fr"))),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const loser = results.find((r) => !r.ok);
      assert.deepEqual(loser?.ok === false && loser.error, { code: "LOGIN_TAKEN", login: "elodie@example.fr" });
    });

    test("two concurrent pending requests of one user for one structure: exactly one wins", async (store) => {
      const results = await Promise.all([
        store.commit(create(fx.pendingRequest("r-1", "u-1", "s-1"))),
        store.commit(create(fx.pendingRequest("r-2", "u-1", "s-1"))),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const loser = results.find((r) => !r.ok);
      assert.deepEqual(loser?.ok === false && loser.error, {
        code: "PENDING_REQUEST_EXISTS",
        userId: "u-1",
        structureId: "s-1",
      });
    });

    test("two concurrent units with one idempotency key: exactly one wins, the other saves nothing", async (store) => {
      const results = await Promise.all(
        ["u-1", "u-2"].map((id) =>
          store.commit(
            unit({
              writes: [{ kind: "user", value: fx.user(id), expectedVersion: null }],
              history: [fx.history("s-1", "userAttached", 0, id)],
              events: [fx.event(`e-${id}`)],
              idempotency: fx.idempotency("u-admin", "k-1"),
            }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      const loser = results.findIndex((r) => !r.ok);
      assert.deepEqual(results[loser], { ok: false, error: { code: "IDEMPOTENCY_KEY_TAKEN", owner: "u-admin", key: "k-1" } });
      const [winnerId, loserId] = loser === 0 ? ["u-2", "u-1"] : ["u-1", "u-2"];
      assert.equal(await store.getUser(userId(loserId)), null);
      assert.ok(await store.getUser(userId(winnerId)));
      assert.deepEqual((await store.readHistory(structureId("s-1"), { limit: 10 })).map((e) => e.targetUserId), [winnerId]);
      assert.deepEqual(await claimable(store), [`e-${winnerId}`]);
    });
  });
}
