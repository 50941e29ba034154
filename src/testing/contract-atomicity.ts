// The store contract: atomicity.
import assert from "node:assert/strict";
import {
  serviceId,
  spaceCode,
  structureId,
  userId,
  type RecordedEvent,
  type Structure,
  type SubscriptionRequest,
  type User,
} from "../core/index.js";
import type { Versioned } from "../port/store.js";
import { instant } from "./fixtures.js";
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

    test("a read check on a subscription request: at its version it passes, stale or missing it refuses the whole unit", async (store) => {
      const s1 = structureId("s-1");
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const member = fx.user("u-1", [s1]);
      assertOk(await store.commit(create(pending, fx.user("u-manager", [s1]), member)));
      const grant = { structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read" as const, grantedBy: userId("u-manager"), grantedAt: instant(1), validUntil: null, endNotice: null };
      const granted: User = { ...member, grants: [grant] };
      const checked = await store.commit(
        update(granted, 1, {
          reads: [
            { kind: "subscriptionRequest", id: "sub-1", version: 1 },
            { kind: "user", id: "u-manager", version: 1 },
          ],
          history: [fx.history("s-1", "spacesGranted", 1, "u-1")],
          events: [fx.event("e-1")],
        }),
      );
      assertOk(checked);
      assert.deepEqual(checked.value.versions, [2]);
      // Meanwhile another manager refuses the request.
      const refused: SubscriptionRequest = { ...pending, status: "refused", decidedBy: userId("u-other"), decidedAt: instant(2), managerComment: "" };
      assertOk(await store.commit(update(refused, 1)));
      const conflict = (id: string) => ({ ok: false, error: { code: "VERSION_CONFLICT", kind: "subscriptionRequest", id } });
      const stale = await store.commit(
        update({ ...granted, grants: [grant, { ...grant, access: "write" as const }] }, 2, {
          reads: [{ kind: "subscriptionRequest", id: "sub-1", version: 1 }],
          history: [fx.history("s-1", "spacesGranted", 3, "u-1")],
          events: [fx.event("e-2")],
        }),
      );
      assert.deepEqual(stale, conflict("sub-1"));
      const missing = await store.commit(update({ ...granted, lastName: "Autre" }, 2, { reads: [{ kind: "subscriptionRequest", id: "sub-nope", version: 1 }] }));
      assert.deepEqual(missing, conflict("sub-nope"));
      // A read and a write of the request must name one version.
      const explained: SubscriptionRequest = { ...refused, managerComment: "Espace non ouvert" };
      assert.deepEqual(await store.commit(update(explained, 2, { reads: [{ kind: "subscriptionRequest", id: "sub-1", version: 1 }] })), conflict("sub-1"));
      assert.deepEqual(await store.getUser(member.id), { value: granted, version: 2 });
      assert.deepEqual((await store.readHistory(s1, { limit: 10 })).map((e) => e.at), [instant(1)]);
      assert.deepEqual(await claimable(store), ["e-1"]);
      // At the version written, it passes.
      const same = await store.commit(update(explained, 2, { reads: [{ kind: "subscriptionRequest", id: "sub-1", version: 2 }] }));
      assertOk(same);
      assert.deepEqual((await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest, [{ value: explained, version: 3 }]);
    });

    test("a decision on a subscription request that fails halfway leaves nothing behind; whole, it saves every write in order", async (store) => {
      const s1 = structureId("s-1");
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const structure = fx.structure("s-1");
      const member = fx.user("u-1", [s1]);
      assertOk(await store.commit(create(structure, member, pending)));
      const validated: SubscriptionRequest = {
        ...pending,
        status: "validated",
        decidedBy: userId("u-admin"),
        decidedAt: instant(3),
        grantedItems: [pending.items[0] as SubscriptionRequest["items"][number]],
        scope: "structure",
        managerComment: "",
      };
      const opened: Structure = { ...structure, openSpaces: [spaceCode("FACTURES_RECUES")] };
      const granted: User = {
        ...member,
        grants: [{ structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: userId("u-admin"), grantedAt: instant(3), validUntil: null, endNotice: null }],
      };
      const decision = (structureVersion: number) =>
        unit({
          writes: [
            { kind: "subscriptionRequest", value: validated, expectedVersion: 1 },
            { kind: "structure", value: opened, expectedVersion: structureVersion },
            { kind: "user", value: granted, expectedVersion: 1 },
          ],
          reads: [{ kind: "user", id: "u-admin", version: 1 }],
          history: [fx.history("s-1", "subscriptionRequestValidated", 3, "u-1")],
          events: [fx.event("e-1")],
          idempotency: fx.idempotency("u-admin", "k-1"),
        });
      assertOk(await store.commit(create(fx.user("u-admin"))));
      assert.deepEqual(await store.commit(decision(5)), { ok: false, error: { code: "VERSION_CONFLICT", kind: "structure", id: "s-1" } });
      assert.deepEqual((await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest, [{ value: pending, version: 1 }]);
      assert.deepEqual(await store.listPendingSubscriptionRequests(s1, { limit: 10 }), [pending]);
      assert.deepEqual(await store.getStructure(s1), { value: structure, version: 1 });
      assert.deepEqual(await store.getUser(member.id), { value: member, version: 1 });
      assert.deepEqual(await store.readHistory(s1, { limit: 10 }), []);
      assert.deepEqual(await claimable(store), []);
      assert.equal(await store.getIdempotencyRecord("u-admin", "k-1"), null);
      const whole = await store.commit(decision(1));
      assertOk(whole);
      assert.deepEqual(whole.value.versions, [2, 2, 2]);
      assert.deepEqual((await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest, [{ value: validated, version: 2 }]);
      assert.deepEqual(await store.listPendingSubscriptionRequests(s1, { limit: 10 }), []);
      assert.deepEqual(await store.getStructure(s1), { value: opened, version: 2 });
      assert.deepEqual(await store.getUser(member.id), { value: granted, version: 2 });
      assert.deepEqual(await claimable(store), ["e-1"]);
    });

    test("a transfer's unit (two structures handed over, two successors attached): with one stale version among them nothing is saved; at the versions read, all of it", async (store) => {
      const [s1, s2] = [structureId("s-1"), structureId("s-2")];
      const former = fx.user("u-former", [s1, s2]);
      // u-a is not attached yet; u-b is, to one service of s-2.
      const a = fx.user("u-a");
      const wholeB = fx.user("u-b", [s2]);
      const b: User = { ...wholeB, attachments: wholeB.attachments.map((x) => ({ ...x, scope: { kind: "services" as const, serviceIds: [serviceId("svc-1")] } })) };
      const [one, two] = [fx.structure("s-1", "u-former"), fx.structure("s-2", "u-former")];
      assertOk(await store.commit(create(one, two, former, a, b)));
      // What the transfer decided, on what it read (every aggregate at version 1).
      const handed = [{ ...one, primaryManagerId: a.id }, { ...two, primaryManagerId: b.id }];
      const attachedA: User = { ...a, attachments: fx.user("u-a", [s1]).attachments };
      const widenedB: User = { ...wholeB, firstName: "Autre" };
      const transferred = (structureId: string, to: string, id: string): RecordedEvent => ({
        id,
        type: "PrimaryRoleTransferred",
        at: instant(1),
        structureId: structureId as Structure["id"],
        formerPrimaryManagerId: former.id,
        primaryManagerId: userId(to),
      });
      const transfer = (versions: { s2: number; b: number; former: number }) =>
        unit({
          writes: [
            { kind: "structure", value: handed[0] as Structure, expectedVersion: 1 },
            { kind: "structure", value: handed[1] as Structure, expectedVersion: versions.s2 },
            { kind: "user", value: attachedA, expectedVersion: 1 },
            { kind: "user", value: widenedB, expectedVersion: versions.b },
          ],
          reads: [{ kind: "user", id: former.id, version: versions.former }],
          history: [fx.history("s-1", "primaryRoleTransferred", 1, "u-a"), fx.history("s-2", "primaryRoleTransferred", 1, "u-b")],
          events: [transferred("s-1", "u-a", "e-1"), transferred("s-2", "u-b", "e-2")],
          idempotency: fx.idempotency("u-former", "k-1"),
        });
      // Meanwhile s-2, the successor u-b and the former manager each moved once.
      const opened: Structure = { ...two, openSpaces: [spaceCode("FACTURES_RECUES")] };
      const renamedB: User = { ...b, firstName: "Autre" };
      const renamedFormer: User = { ...former, firstName: "Autre" };
      const nothingSaved = async (now: { s2: Versioned<Structure>; b: Versioned<User>; former: Versioned<User> }) => {
        assert.deepEqual(await store.getStructure(s1), { value: one, version: 1 });
        assert.deepEqual(await store.getStructure(s2), now.s2);
        assert.deepEqual(await store.getUser(a.id), { value: a, version: 1 });
        assert.deepEqual(await store.getUser(b.id), now.b);
        assert.deepEqual(await store.getUser(former.id), now.former);
        assert.deepEqual((await store.listMembers(s1, { limit: 10 })).map((u) => u.id), ["u-former"]);
        assert.deepEqual((await store.listMembers(s2, { limit: 10 })).map((u) => u.id), ["u-b", "u-former"]);
        assert.deepEqual((await store.searchUsers(onOtherService)).map((u) => u.id), ["u-former"]);
        assert.deepEqual(await store.readHistory(s1, { limit: 10 }), []);
        assert.deepEqual(await store.readHistory(s2, { limit: 10 }), []);
        assert.deepEqual(await claimable(store), []);
        assert.equal(await store.getIdempotencyRecord("u-former", "k-1"), null);
      };
      // Who is attached to another service of s-2 than u-b's: u-b once widened to the whole structure.
      const onOtherService = { structureIds: [s2], service: { structureId: s2, serviceId: serviceId("svc-2") }, limit: 10 };
      const conflict = (kind: string, id: string) => ({ ok: false, error: { code: "VERSION_CONFLICT", kind, id } });

      // A successor written at a stale version: the last write of the unit.
      assertOk(await store.commit(update(renamedB, 1)));
      assert.deepEqual(await store.commit(transfer({ s2: 1, b: 1, former: 1 })), conflict("user", "u-b"));
      await nothingSaved({ s2: { value: two, version: 1 }, b: { value: renamedB, version: 2 }, former: { value: former, version: 1 } });
      // A structure written at a stale version (the successor's version now right).
      assertOk(await store.commit(update(opened, 1)));
      assert.deepEqual(await store.commit(transfer({ s2: 1, b: 2, former: 1 })), conflict("structure", "s-2"));
      await nothingSaved({ s2: { value: opened, version: 2 }, b: { value: renamedB, version: 2 }, former: { value: former, version: 1 } });
      // The actor, only read, at a stale version.
      assertOk(await store.commit(update(renamedFormer, 1)));
      assert.deepEqual(await store.commit(transfer({ s2: 2, b: 2, former: 1 })), conflict("user", "u-former"));
      await nothingSaved({ s2: { value: opened, version: 2 }, b: { value: renamedB, version: 2 }, former: { value: renamedFormer, version: 2 } });

      // At the versions read, all of it: both structures change hands, both successors are written.
      const whole = await store.commit(transfer({ s2: 2, b: 2, former: 2 }));
      assertOk(whole);
      assert.deepEqual(whole.value.versions, [2, 3, 2, 3]);
      assert.deepEqual(await store.getStructure(s1), { value: handed[0], version: 2 });
      assert.deepEqual(await store.getStructure(s2), { value: handed[1], version: 3 });
      assert.deepEqual(await store.getUser(a.id), { value: attachedA, version: 2 });
      assert.deepEqual(await store.getUser(b.id), { value: widenedB, version: 3 });
      assert.deepEqual(await store.getUser(former.id), { value: renamedFormer, version: 2 });
      assert.deepEqual((await store.listMembers(s1, { limit: 10 })).map((u) => u.id), ["u-a", "u-former"]);
      assert.deepEqual((await store.searchUsers(onOtherService)).map((u) => u.id), ["u-b", "u-former"]);
      assert.deepEqual((await store.readHistory(s1, { limit: 10 })).map((e) => [e.kind, e.targetUserId]), [["primaryRoleTransferred", "u-a"]]);
      assert.deepEqual((await store.readHistory(s2, { limit: 10 })).map((e) => [e.kind, e.targetUserId]), [["primaryRoleTransferred", "u-b"]]);
      assert.deepEqual(await claimable(store), ["e-1", "e-2"]);
      assert.deepEqual((await store.getIdempotencyRecord("u-former", "k-1"))?.history, whole.value.history);
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
