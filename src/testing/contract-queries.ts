// The store contract: queries.
import assert from "node:assert/strict";
import {
  attachmentRequestId,
  structureId,
  userId,
  type AttachmentRequest,
  type HistoryEntry,
  type HistoryKind,
  type PendingAttachmentRequest,
  type SubscriptionRequest,
  type User,
} from "../core/index.js";
import type { HistoryQuery, PendingCursor } from "../port/store.js";
import { instant } from "./fixtures.js";
import { fx, unit, create, update, assertOk, readAllHistory, readAllMembers, type ContractTest } from "./helpers.js";

/** Registers the contract's tests on queries. */
export function queries(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("queries", () => {
    test("services of a structure, by code, inactive ones included", async (store) => {
      assertOk(
        await store.commit(
          create(
            fx.service("svc-b", "s-1", "RH"),
            { ...fx.service("svc-a", "s-1", "ACHATS"), active: false },
            fx.service("svc-c", "s-2", "COMPTA"),
            fx.service("svc-d", "s-1", "Zèbre"),
            fx.service("svc-e", "s-1", "achats-2"),
          ),
        ),
      );
      assert.deepEqual((await store.listServices(structureId("s-1"))).map((r) => r.value.code), ["ACHATS", "RH", "achats-2", "Zèbre"].sort());
      assert.deepEqual(await store.listServices(structureId("s-none")), []);
      // A service written with another structure is listed there, and only there.
      assertOk(await store.commit(update({ ...fx.service("svc-c", "s-1", "COMPTA") }, 1)));
      assert.deepEqual((await store.listServices(structureId("s-2"))).map((r) => r.value.id), []);
      assert.deepEqual((await store.listServices(structureId("s-1"))).map((r) => r.value.code), ["ACHATS", "COMPTA", "RH", "Zèbre", "achats-2"]);
    });

    test("members of a structure, by id, page by page, following attachment changes", async (store) => {
      const s1 = structureId("s-1");
      const users = ["u-05", "u-01", "u-04", "u-02", "u-03", "U-09", "u-10"].map((id) => fx.user(id, [s1]));
      assertOk(await store.commit(create(...users, fx.user("u-00", [structureId("s-2")]))));
      const expected = ["U-09", "u-01", "u-02", "u-03", "u-04", "u-05", "u-10"]; // JavaScript string order
      for (const limit of [1, 2, 3, 100]) assert.deepEqual((await readAllMembers(store, s1, limit)).map((u) => u.id), expected);
      assert.deepEqual((await store.listMembers(s1, { limit: 2, after: userId("u-02") })).map((u) => u.id), ["u-03", "u-04"]);
      assert.deepEqual((await store.listMembers(s1, { limit: 2, after: userId("u-025") })).map((u) => u.id), ["u-03", "u-04"]);
      const leaving = users[2] as User;
      assertOk(await store.commit(update({ ...leaving, attachments: [] }, 1)));
      const joining = fx.user("u-00", [structureId("s-2"), s1]);
      assertOk(await store.commit(update(joining, 1)));
      assert.deepEqual((await store.listMembers(s1, { limit: 10 })).map((u) => u.id), ["U-09", "u-00", "u-01", "u-02", "u-03", "u-05", "u-10"]);
      assert.deepEqual((await store.listMembers(s1, { limit: 1 }))[0], users[5]);
      assert.deepEqual((await store.listMembers(structureId("s-2"), { limit: 10 })).map((u) => u.id), ["u-00"]);
      assert.deepEqual(await store.listMembers(structureId("s-none"), { limit: 10 }), []);
    });

    test("pending requests of a structure, oldest first, after a position, without decided ones", async (store) => {
      const r = [
        fx.pendingRequest("r-c", "u-3", "s-1", 2),
        fx.pendingRequest("r-a", "u-1", "s-1", 1),
        fx.pendingRequest("r-b", "u-2", "s-1", 1),
        fx.pendingRequest("r-x", "u-1", "s-2", 0),
      ];
      assertOk(await store.commit(create(...r)));
      const all = await store.listPendingRequests(structureId("s-1"), { limit: 10 });
      assert.deepEqual(all.map((x) => x.id), ["r-a", "r-b", "r-c"]);
      assert.deepEqual(all[0], r[1]);
      const after = await store.listPendingRequests(structureId("s-1"), { limit: 10, after: { createdAt: instant(1), id: attachmentRequestId("r-a") } });
      assert.deepEqual(after.map((x) => x.id), ["r-b", "r-c"]);
      const afterTime = await store.listPendingRequests(structureId("s-1"), { limit: 10, after: { createdAt: instant(1), id: attachmentRequestId("r-z") } });
      assert.deepEqual(afterTime.map((x) => x.id), ["r-c"]);
      assert.deepEqual((await store.listPendingRequests(structureId("s-1"), { limit: 1 })).map((x) => x.id), ["r-a"]);
      const validated: AttachmentRequest = {
        ...(r[1] as PendingAttachmentRequest),
        status: "validated",
        decidedBy: userId("u-admin"),
        decidedAt: instant(3),
        grantedRole: "user",
        grantedScope: { kind: "structure" },
      };
      assertOk(await store.commit(update(validated, 1)));
      assert.deepEqual((await store.listPendingRequests(structureId("s-1"), { limit: 10 })).map((x) => x.id), ["r-b", "r-c"]);
      assert.deepEqual(await store.getAttachmentRequest(attachmentRequestId("r-a")), { value: validated, version: 2 });
    });

    test("pending subscription requests of a structure, oldest first, after a position, without decided ones", async (store) => {
      const s1 = structureId("s-1");
      const r = [
        fx.pendingSubscription("sub-c", "u-3", "s-1", 2),
        fx.pendingSubscription("sub-a", "u-1", "s-1", 1),
        fx.pendingSubscription("sub-b", "u-2", "s-1", 1),
        fx.pendingSubscription("sub-x", "u-1", "s-2", 0),
        // The port names no unique key for subscription requests: a user may have two pending.
        fx.pendingSubscription("sub-d", "u-1", "s-1", 3),
        fx.pendingSubscription("Sub-e", "u-4", "s-1", 3),
      ];
      // Attachment requests are another listing.
      assertOk(await store.commit(create(...r, fx.pendingRequest("r-a", "u-1", "s-1", 0))));
      const ids = async (page: { limit: number; after?: PendingCursor }) => (await store.listPendingSubscriptionRequests(s1, page)).map((x) => x.id);
      const all = await store.listPendingSubscriptionRequests(s1, { limit: 10 });
      assert.deepEqual(all.map((x) => x.id), ["sub-a", "sub-b", "sub-c", "Sub-e", "sub-d"]); // (createdAt, id), ids by code point
      assert.deepEqual(all[0], r[1]);
      assert.deepEqual(await ids({ limit: 10, after: { createdAt: instant(1), id: "sub-a" } }), ["sub-b", "sub-c", "Sub-e", "sub-d"]);
      assert.deepEqual(await ids({ limit: 10, after: { createdAt: instant(1), id: "sub-z" } }), ["sub-c", "Sub-e", "sub-d"]);
      assert.deepEqual(await ids({ limit: 10, after: { createdAt: instant(3), id: "Sub-e" } }), ["sub-d"]);
      assert.deepEqual(await ids({ limit: 10, after: { createdAt: instant(3), id: "sub-d" } }), []);
      assert.deepEqual(await ids({ limit: 2 }), ["sub-a", "sub-b"]);
      assert.deepEqual(await ids({ limit: 2, after: { createdAt: instant(1), id: "sub-b" } }), ["sub-c", "Sub-e"]);
      assert.deepEqual(await ids({ limit: 0 }), []);
      assert.deepEqual((await store.listPendingSubscriptionRequests(structureId("s-2"), { limit: 10 })).map((x) => x.id), ["sub-x"]);
      assert.deepEqual(await store.listPendingSubscriptionRequests(structureId("s-none"), { limit: 10 }), []);
      assert.deepEqual((await store.listPendingRequests(s1, { limit: 10 })).map((x) => x.id), ["r-a"]);
      // Decided ones leave the listing; the others keep their place.
      const validated: SubscriptionRequest = {
        ...(r[1] as SubscriptionRequest),
        status: "validated",
        decidedBy: userId("u-admin"),
        decidedAt: instant(4),
        grantedItems: (r[1] as SubscriptionRequest).items,
        scope: "user",
        managerComment: "",
      };
      const refused: SubscriptionRequest = { ...(r[2] as SubscriptionRequest), status: "refused", decidedBy: userId("u-admin"), decidedAt: instant(4), managerComment: "Non" };
      assertOk(await store.commit(unit({ writes: [{ kind: "subscriptionRequest", value: validated, expectedVersion: 1 }, { kind: "subscriptionRequest", value: refused, expectedVersion: 1 }] })));
      assert.deepEqual(await ids({ limit: 10 }), ["sub-c", "Sub-e", "sub-d"]);
      assert.deepEqual(await ids({ limit: 10, after: { createdAt: instant(1), id: "sub-a" } }), ["sub-c", "Sub-e", "sub-d"]);
      const found = await store.getAggregates({ subscriptionRequest: ["sub-a", "sub-b"] });
      assert.deepEqual(
        [...found.subscriptionRequest].sort((a, b) => (a.value.id < b.value.id ? -1 : 1)),
        [{ value: validated, version: 2 }, { value: refused, version: 2 }],
      );
    });

    test("history: one global sequence, newest first, per structure", async (store) => {
      const r1 = await store.commit(unit({ history: [fx.history("s-1", "structureCreated", 0), fx.history("s-2", "structureCreated", 1)] }));
      const r2 = await store.commit(unit({ history: [fx.history("s-1", "serviceAdded", 2)] }));
      assertOk(r1);
      assertOk(r2);
      const sequences = [...r1.value.history, ...r2.value.history].map((e) => e.sequence);
      assert.ok(sequences.every((s, i) => i === 0 || s > (sequences[i - 1] as number)), "sequences strictly increase");
      assert.deepEqual(r1.value.history[0], { ...fx.history("s-1", "structureCreated", 0), sequence: sequences[0] });
      const s1 = await store.readHistory(structureId("s-1"), { limit: 10 });
      assert.deepEqual(s1.map((e) => e.kind), ["serviceAdded", "structureCreated"]);
      assert.deepEqual(s1[0], r2.value.history[0]);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10, before: sequences[2] as number }), [r1.value.history[0]]);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 0 }), []);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10, kinds: [] }), []);
    });

    test("history pagination returns every entry exactly once, whatever the page size and filters", async (store) => {
      const s1 = structureId("s-1");
      const kinds: HistoryKind[] = ["attachmentRequestValidated", "attachmentRequestRefused", "attachmentRemoved"];
      const entries = Array.from({ length: 23 }, (_, i) =>
        fx.history(i % 4 === 3 ? "s-2" : "s-1", kinds[i % 3] as HistoryKind, i, i % 2 === 0 ? "u-even" : i % 5 === 0 ? null : "u-odd"),
      );
      for (let i = 0; i < entries.length; i += 5) assertOk(await store.commit(unit({ history: entries.slice(i, i + 5) })));
      const expected = entries.filter((e) => e.structureId === s1);
      for (const limit of [1, 2, 3, 7, 100]) {
        const all = await readAllHistory(store, s1, limit);
        assert.equal(all.length, expected.length);
        assert.equal(new Set(all.map((e) => e.sequence)).size, expected.length);
        assert.ok(all.every((e, i) => i === 0 || e.sequence < (all[i - 1] as HistoryEntry).sequence), "newest first");
        assert.deepEqual(all.map((e) => e.at).reverse(), expected.map((e) => e.at));
      }
      const filters: Omit<HistoryQuery, "limit" | "before">[] = [
        { kinds: ["attachmentRequestRefused"] },
        { kinds: ["attachmentRemoved", "attachmentRequestValidated", "attachmentRemoved"] },
        { targetUserId: userId("u-even") },
        { from: instant(5), to: instant(15) },
        { from: instant(5) },
        { to: instant(15) },
        { kinds: ["attachmentRemoved", "attachmentRequestValidated"], targetUserId: userId("u-odd"), from: instant(2) },
        { kinds: ["attachmentRequestRefused", "attachmentRemoved"], from: instant(3), to: instant(20) },
        { targetUserId: userId("u-nobody") },
        { kinds: ["structureCreated"] },
      ];
      for (const filter of filters) {
        const want = expected.filter(
          (e) =>
            (filter.kinds === undefined || filter.kinds.includes(e.kind)) &&
            (filter.targetUserId === undefined || e.targetUserId === filter.targetUserId) &&
            (filter.from === undefined || e.at >= filter.from) &&
            (filter.to === undefined || e.at < filter.to),
        );
        for (const limit of [1, 2, 4, 50]) {
          const got = await readAllHistory(store, s1, limit, filter);
          assert.deepEqual(got.map((e) => e.at).reverse(), want.map((e) => e.at), `${JSON.stringify(filter)}, limit ${limit}`);
          assert.ok(got.every((e, i) => i === 0 || e.sequence < (got[i - 1] as HistoryEntry).sequence), "newest first");
        }
      }
    });

    test("history entries are numbered in the order of their unit, and read back as numbered", async (store) => {
      const result = await store.commit(
        unit({ history: ["a", "b", "c", "d"].map((c, i) => ({ ...fx.history("s-1", "userAttached", i, `u-${c}`), details: { comment: c } })) }),
      );
      assertOk(result);
      assert.deepEqual(result.value.history.map((e) => e.details.comment), ["a", "b", "c", "d"]);
      assert.deepEqual(await store.readHistory(structureId("s-1"), { limit: 10 }), [...result.value.history].reverse());
    });
  });
}
