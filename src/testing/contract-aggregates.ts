// The store contract: aggregates and versions.
import assert from "node:assert/strict";
import {
  attachmentRequestId,
  serviceId,
  spaceCode,
  structureId,
  userId,
  type NewHistoryEntry,
  type RecordedEvent,
  type Service,
  type Structure,
  type SubscriptionRequest,
  type User,
} from "../core/index.js";
import { at, instant } from "./fixtures.js";
import { fx, unit, create, update, assertOk, tamper, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on aggregates and versions. */
export function aggregatesAndVersions(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("aggregates and versions", () => {
    test("saves each kind of aggregate at version 1 and reads it back equal", async (store) => {
      const user = fx.user("u-1", [structureId("s-1")]);
      const structure = fx.structure("s-1", "u-1");
      const service = fx.service("svc-1", "s-1", "COMPTA");
      const request = fx.pendingRequest("r-1", "u-2", "s-1");
      const result = await store.commit(create(structure, user, service, request));
      assertOk(result);
      assert.deepEqual(result.value.versions, [1, 1, 1, 1]);
      assert.deepEqual(await store.getStructure(structure.id), { value: structure, version: 1 });
      assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
      assert.deepEqual(await store.getService(service.id), { value: service, version: 1 });
      assert.deepEqual(await store.getAttachmentRequest(request.id), { value: request, version: 1 });
    });

    test("unknown ids read as null, and are left out of batch reads, which give each id once", async (store) => {
      assertOk(await store.commit(create(fx.user("u-1"), fx.structure("s-1"), fx.service("svc-1", "s-1", "A"))));
      assert.equal(await store.getUser(userId("nope")), null);
      assert.equal(await store.getStructure(structureId("nope")), null);
      assert.equal(await store.getService(serviceId("nope")), null);
      assert.equal(await store.getAttachmentRequest(attachmentRequestId("nope")), null);
      assert.deepEqual((await store.getUsers([userId("u-1"), userId("nope"), userId("u-1")])).map((r) => r.value.id), ["u-1"]);
      assert.deepEqual((await store.getStructures([structureId("nope")])).length, 0);
      assert.deepEqual((await store.getServices([serviceId("svc-1")])).map((r) => r.version), [1]);
      // Each id once, however often it is asked for.
      assert.deepEqual((await store.getStructures([structureId("s-1"), structureId("s-1")])).map((r) => r.value.id), ["s-1"]);
      assert.deepEqual((await store.getServices([serviceId("svc-1"), serviceId("nope"), serviceId("svc-1")])).map((r) => r.value.id), ["svc-1"]);
      assert.deepEqual(await store.getUsers([]), []);
    });

    test("several kinds read at once give what the single reads give, missing ids left out", async (store) => {
      const request = fx.pendingRequest("r-1", "u-2", "s-1");
      const subscription = fx.pendingSubscription("sub-1", "u-2", "s-1");
      assertOk(
        await store.commit(
          create(fx.user("u-1"), fx.user("u-2"), fx.structure("s-1"), fx.service("svc-1", "s-1", "A"), request, subscription),
        ),
      );
      const found = await store.getAggregates({
        user: ["u-2", "nope", "u-1", "u-2"],
        structure: ["s-1"],
        service: ["nope"],
        attachmentRequest: ["r-1"],
        subscriptionRequest: ["nope", "sub-1", "sub-1"],
      });
      const ids = (rows: readonly { value: { id: string } }[]) => rows.map((r) => r.value.id).sort();
      assert.deepEqual(ids(found.user), ["u-1", "u-2"]);
      assert.deepEqual(found.structure, [await store.getStructure(structureId("s-1"))]);
      assert.deepEqual(found.service, []);
      assert.deepEqual(found.attachmentRequest, [{ value: request, version: 1 }]);
      assert.deepEqual(found.subscriptionRequest, [{ value: subscription, version: 1 }]);
      const none = await store.getAggregates({});
      assert.deepEqual(none, { structure: [], service: [], user: [], attachmentRequest: [], subscriptionRequest: [] });
      // An id is looked up in its own kind only.
      const crossed = await store.getAggregates({ attachmentRequest: ["sub-1"], subscriptionRequest: ["r-1", "u-1"] });
      assert.deepEqual(crossed, { structure: [], service: [], user: [], attachmentRequest: [], subscriptionRequest: [] });
    });

    test("an attachment request's context: the request, its structure, requester and services, with what `also` names", async (store) => {
      const read = store.getAttachmentRequestContext?.bind(store);
      if (read === undefined) return; // optional: the application then reads the same in two calls
      const s1 = structureId("s-1");
      // The requester already holds svc-1 and svc-2 in s-1 and asks for svc-2 and svc-3; svc-4 is named by `also`.
      const requester: User = {
        ...fx.user("u-2", [s1, structureId("s-2")]),
        attachments: fx.user("u-2", [s1, structureId("s-2")]).attachments.map((a) =>
          a.structureId === s1 ? { ...a, scope: { kind: "services" as const, serviceIds: [serviceId("svc-1"), serviceId("svc-2")] } } : a,
        ),
      };
      const request = { ...fx.pendingRequest("r-1", "u-2", "s-1"), scope: { kind: "services" as const, serviceIds: [serviceId("svc-2"), serviceId("svc-3")] } };
      const services = ["svc-1", "svc-2", "svc-3", "svc-4", "svc-5"].map((id) => fx.service(id, "s-1", id.toUpperCase()));
      assertOk(await store.commit(create(fx.user("u-1"), requester, fx.structure("s-1", "u-1"), fx.structure("s-2", "u-1"), request, ...services)));
      const ids = (rows: readonly { value: { id: string }; version: number }[]) => rows.map((r) => `${r.value.id}@${r.version}`).sort();
      const shape = (rows: Awaited<ReturnType<typeof store.getAggregates>>) => ({
        structure: ids(rows.structure),
        service: ids(rows.service),
        user: ids(rows.user),
        attachmentRequest: ids(rows.attachmentRequest),
        subscriptionRequest: ids(rows.subscriptionRequest),
      });
      const found = await read(attachmentRequestId("r-1"), { user: ["u-1", "nope"], service: ["svc-4"] });
      assert.deepEqual(shape(found), {
        structure: ["s-1@1"],
        service: ["svc-1@1", "svc-2@1", "svc-3@1", "svc-4@1"],
        user: ["u-1@1", "u-2@1"],
        attachmentRequest: ["r-1@1"],
        subscriptionRequest: [],
      });
      // Each row is what getAggregates gives for it.
      const direct = await store.getAggregates({ structure: ["s-1"], service: ["svc-1", "svc-2", "svc-3", "svc-4"], user: ["u-1", "u-2"], attachmentRequest: ["r-1"] });
      for (const kind of ["structure", "service", "user", "attachmentRequest"] as const)
        assert.deepEqual([...found[kind]].sort((a, b) => (a.value.id < b.value.id ? -1 : 1)), [...direct[kind]].sort((a, b) => (a.value.id < b.value.id ? -1 : 1)));
      // The requester deciding their own request (also the actor), and ids named twice: each row once.
      assert.deepEqual(shape(await read(attachmentRequestId("r-1"), { user: ["u-2"], structure: ["s-1", "s-2"], service: ["svc-3"] })), {
        structure: ["s-1@1", "s-2@1"],
        service: ["svc-1@1", "svc-2@1", "svc-3@1"],
        user: ["u-2@1"],
        attachmentRequest: ["r-1@1"],
        subscriptionRequest: [],
      });
      // An unknown request: what `also` names only.
      assert.deepEqual(shape(await read(attachmentRequestId("nope"), { user: ["u-1"] })), {
        structure: [],
        service: [],
        user: ["u-1@1"],
        attachmentRequest: [],
        subscriptionRequest: [],
      });
      // A requester without an account row, a request of the whole structure: the request and its structure.
      assertOk(await store.commit(create(fx.pendingRequest("r-2", "u-ghost", "s-2"))));
      assert.deepEqual(shape(await read(attachmentRequestId("r-2"), {})), {
        structure: ["s-2@1"],
        service: [],
        user: [],
        attachmentRequest: ["r-2@1"],
        subscriptionRequest: [],
      });
      // What a later write changed is read at its new version.
      assertOk(await store.commit(update({ ...services[0] as Service, label: "Renommé" }, 1)));
      assert.deepEqual(shape(await read(attachmentRequestId("r-1"), {})).service, ["svc-1@2", "svc-2@1", "svc-3@1"]);
    });

    test("a subscription request is saved at version 1, read back equal, and updated at its version only", async (store) => {
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const created = await store.commit(create(pending));
      assertOk(created);
      assert.deepEqual(created.value.versions, [1]);
      const read = async () => (await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest;
      assert.deepEqual(await read(), [{ value: pending, version: 1 }]);
      const validated: SubscriptionRequest = {
        ...pending,
        status: "validated",
        decidedBy: userId("u-admin"),
        decidedAt: instant(5),
        grantedItems: [{ space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "write" }],
        scope: "services",
        managerComment: "Accordé en écriture",
      };
      const decided = await store.commit(update(validated, 1));
      assertOk(decided);
      assert.deepEqual(decided.value.versions, [2]);
      assert.deepEqual(await read(), [{ value: validated, version: 2 }]);
      // Created again, or written at a stale or wrong version: refused, nothing changed.
      const refused: SubscriptionRequest = {
        ...pending,
        status: "refused",
        decidedBy: userId("u-other"),
        decidedAt: instant(6),
        managerComment: "",
      };
      const conflict = { ok: false, error: { code: "VERSION_CONFLICT", kind: "subscriptionRequest", id: "sub-1" } };
      assert.deepEqual(await store.commit(update(refused, 1)), conflict);
      assert.deepEqual(await store.commit(update(refused, 3)), conflict);
      assert.deepEqual(await store.commit(create(refused)), conflict);
      assert.deepEqual(await store.commit(update(fx.pendingSubscription("sub-2", "u-1", "s-1"), 1)), {
        ok: false,
        error: { code: "VERSION_CONFLICT", kind: "subscriptionRequest", id: "sub-2" },
      });
      assert.deepEqual(await read(), [{ value: validated, version: 2 }]);
      assert.deepEqual((await store.getAggregates({ subscriptionRequest: ["sub-2"] })).subscriptionRequest, []);
      // An attachment request and a subscription request may share an id: two kinds, two aggregates.
      assertOk(await store.commit(create(fx.pendingRequest("sub-1", "u-1", "s-1"))));
      assert.deepEqual(await read(), [{ value: validated, version: 2 }]);
      assert.equal((await store.getAttachmentRequest(attachmentRequestId("sub-1")))?.version, 1);
    });

    test("opened spaces and grants are kept as written, through every read", async (store) => {
      const s1 = structureId("s-1");
      const structure: Structure = { ...fx.structure("s-1"), openSpaces: [spaceCode("FACTURES_EMISES"), spaceCode("FACTURES_RECUES")] };
      const service: Service = { ...fx.service("svc-1", "s-1", "COMPTA"), openSpaces: [spaceCode("SOLLICITATIONS_RECUES")] };
      const user: User = {
        ...fx.user("u-1", [s1]),
        grants: [
          { structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: userId("u-admin"), grantedAt: instant(1), validUntil: null, endNotice: null },
          { structureId: s1, space: spaceCode("SOLLICITATIONS_RECUES"), serviceId: serviceId("svc-1"), access: "write", grantedBy: userId("u-admin"), grantedAt: instant(2), validUntil: null, endNotice: null },
        ],
      };
      assertOk(await store.commit(create(structure, service, user)));
      assert.deepEqual(await store.getStructure(s1), { value: structure, version: 1 });
      assert.deepEqual(await store.getService(service.id), { value: service, version: 1 });
      assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
      assert.deepEqual(await store.listServices(s1), [{ value: service, version: 1 }]);
      assert.deepEqual(await store.listMembers(s1, { limit: 10 }), [user]);
      assert.deepEqual(await store.findUserByLogin(user.login), { value: user, version: 1 });
      const all = await store.getAggregates({ structure: ["s-1"], service: ["svc-1"], user: ["u-1"] });
      assert.deepEqual([all.structure, all.service, all.user], [[{ value: structure, version: 1 }], [{ value: service, version: 1 }], [{ value: user, version: 1 }]]);
      // Closing a space and revoking a grant are writes like any other.
      const closed: Structure = { ...structure, openSpaces: [spaceCode("FACTURES_RECUES")] };
      const revoked: User = { ...user, grants: user.grants.slice(1) };
      const result = await store.commit(unit({ writes: [{ kind: "structure", value: closed, expectedVersion: 1 }, { kind: "user", value: revoked, expectedVersion: 1 }] }));
      assertOk(result);
      assert.deepEqual(result.value.versions, [2, 2]);
      assert.deepEqual(await store.getStructure(s1), { value: closed, version: 2 });
      assert.deepEqual(await store.getUser(user.id), { value: revoked, version: 2 });
      assert.deepEqual(await store.listMembers(s1, { limit: 10 }), [revoked]);
    });

    test("subscription requests handed out cannot change what is stored", async (store) => {
      const s1 = structureId("s-1");
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const user: User = {
        ...fx.user("u-1", [s1]),
        grants: [{ structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: userId("u-admin"), grantedAt: instant(1), validUntil: null, endNotice: null }],
      };
      const mine = structuredClone(pending) as unknown as { comment: string; items: unknown[] };
      assertOk(await store.commit(create(mine as unknown as SubscriptionRequest, user)));
      mine.comment = "Changé après coup";
      mine.items.length = 0;
      const [read] = (await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest;
      tamper(() => ((read?.value as { comment: string }).comment = "Changé par le lecteur"));
      tamper(() => ((read?.value.items as unknown[]).length = 0));
      tamper(() => ((read?.value.items[0] as { access: string }).access = "write"));
      const [listed] = await store.listPendingSubscriptionRequests(s1, { limit: 1 });
      tamper(() => ((listed as { comment: string }).comment = "Changé"));
      const reader = await store.getUser(user.id);
      tamper(() => ((reader?.value.grants as unknown[]).length = 0));
      tamper(() => ((reader?.value.grants[0] as { access: string }).access = "write"));
      assert.deepEqual((await store.getAggregates({ subscriptionRequest: ["sub-1"] })).subscriptionRequest, [{ value: pending, version: 1 }]);
      assert.deepEqual(await store.listPendingSubscriptionRequests(s1, { limit: 1 }), [pending]);
      assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
    });

    test("an update at the version read bumps the version", async (store) => {
      const user = fx.user("u-1");
      assertOk(await store.commit(create(user)));
      const renamed = { ...user, lastName: "Lefèvre" };
      const result = await store.commit(update(renamed, 1));
      assertOk(result);
      assert.deepEqual(result.value.versions, [2]);
      assert.deepEqual(await store.getUser(user.id), { value: renamed, version: 2 });
    });

    test("creating what exists, or writing at a stale version, is a VERSION_CONFLICT", async (store) => {
      const user = fx.user("u-1");
      assertOk(await store.commit(create(user)));
      const again = await store.commit(create({ ...user, lastName: "Autre" }));
      assert.deepEqual(again, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      const stale = await store.commit(update(user, 7));
      assert.deepEqual(stale, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      const missing = await store.commit(update(fx.user("u-2"), 1));
      assert.deepEqual(missing, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-2" } });
      assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
      assert.equal(await store.getUser(userId("u-2")), null);
    });

    test("what is stored is isolated from the caller's objects, both ways", async (store) => {
      const s1 = structureId("s-1");
      const user = fx.user("u-1", [s1]);
      const mine = structuredClone(user) as { -readonly [K in keyof User]: User[K] };
      const entry = structuredClone(fx.history("s-1", "userAttached", 0, "u-1")) as { details: { comment?: string } };
      const event = structuredClone(fx.event("e-1")) as { at: string };
      const result = await store.commit(
        unit({ writes: [{ kind: "user", value: mine, expectedVersion: null }], history: [entry as NewHistoryEntry], events: [event as RecordedEvent] }),
      );
      assertOk(result);
      mine.lastName = "Changé après coup";
      (mine.attachments as unknown[]).length = 0;
      entry.details.comment = "Changé après coup";
      event.at = "Changé après coup";
      const read = await store.getUser(user.id);
      assert.deepEqual(read, { value: user, version: 1 });
      assert.deepEqual((await store.readHistory(s1, { limit: 10 }))[0]?.details, {});
      assert.deepEqual((await store.claimOutbox({ limit: 10, now: at(0), leaseUntil: at(1) }))[0]?.event, fx.event("e-1"));
    });

    test("stored rows cannot be changed through what the store hands out", async (store) => {
      const s1 = structureId("s-1");
      const user = fx.user("u-1", [s1]);
      const committed = await store.commit(
        unit({
          writes: [
            { kind: "user", value: user, expectedVersion: null },
            { kind: "attachmentRequest", value: fx.pendingRequest("r-1", "u-2", "s-1"), expectedVersion: null },
          ],
          history: [fx.history("s-1", "userAttached", 0, "u-1")],
          events: [fx.event("e-1")],
          idempotency: fx.idempotency("u-admin", "k-1"),
        }),
      );
      assertOk(committed);
      tamper(() => ((committed.value.history[0] as { details: { comment?: string } }).details.comment = "x"));
      const read = await store.getUser(user.id);
      tamper(() => ((read?.value as { lastName: string }).lastName = "Changé par le lecteur"));
      tamper(() => ((read?.value.attachments as unknown[]).length = 0));
      tamper(() => ((read as { version: number }).version = 99));
      const [member] = await store.listMembers(s1, { limit: 1 });
      tamper(() => ((member as { firstName: string }).firstName = "Changé"));
      const [pending] = await store.listPendingRequests(s1, { limit: 1 });
      tamper(() => ((pending as { comment: string }).comment = "Changé"));
      const [entry] = await store.readHistory(s1, { limit: 1 });
      tamper(() => ((entry as { details: { comment?: string } }).details.comment = "Changé"));
      const [message] = await store.claimOutbox({ limit: 1, now: at(0), leaseUntil: at(1) });
      tamper(() => ((message?.event as { at: string }).at = "Changé"));
      const record = await store.getIdempotencyRecord("u-admin", "k-1");
      tamper(() => ((record?.outcome as { ok: boolean }).ok = false));
      tamper(() => ((record?.history as unknown[]).length = 0));

      assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
      assert.deepEqual(await store.listMembers(s1, { limit: 1 }), [user]);
      assert.deepEqual(await store.listPendingRequests(s1, { limit: 1 }), [fx.pendingRequest("r-1", "u-2", "s-1")]);
      assert.deepEqual(await store.readHistory(s1, { limit: 1 }), [
        { ...fx.history("s-1", "userAttached", 0, "u-1"), sequence: committed.value.history[0]?.sequence },
      ]);
      assert.deepEqual((await store.claimOutbox({ limit: 1, now: at(1), leaseUntil: at(2) }))[0]?.event, fx.event("e-1"));
      assert.deepEqual(await store.getIdempotencyRecord("u-admin", "k-1"), {
        ...fx.idempotency("u-admin", "k-1"),
        history: [{ ...fx.history("s-1", "userAttached", 0, "u-1"), sequence: committed.value.history[0]?.sequence }],
        events: [fx.event("e-1")],
      });
    });
  });
}
