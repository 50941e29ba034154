/**
 * The repository contract: one suite every store adapter must pass. It takes the test
 * functions from its caller, so it runs under vitest, node:test or jest, and bundles
 * no test runner.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { createMemoryStore } from "habilitations/memory";
 * import { runStoreContract } from "habilitations/testing";
 *
 * runStoreContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
 * ```
 */
import assert from "node:assert/strict";
import {
  attachmentRequestId,
  serviceId,
  structureId,
  userId,
  type AttachmentRequest,
  type HistoryEntry,
  type HistoryKind,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type RecordedEvent,
  type StructureId,
  type User,
  type UserId,
} from "../core/index.js";
import type {
  CommitResult,
  HabilitationsStore,
  HistoryQuery,
  UnitOfWork,
  Write,
} from "../port/store.js";
import { at, contractFixtures, instant } from "./fixtures.js";

export { contractFixtures };

/** What {@link runStoreContract} needs. */
export interface StoreContractOptions {
  /** Shown in the suite's title. */
  readonly name: string;
  /** A fresh, empty store for each test. */
  readonly createStore: () => Promise<HabilitationsStore>;
  /** Called after each test with the store it used (close pools, drop schemas…). */
  readonly disposeStore?: (store: HabilitationsStore) => Promise<void>;
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
}

const fx = contractFixtures;

const unit = (parts: Partial<UnitOfWork> = {}): UnitOfWork => ({ writes: [], reads: [], history: [], events: [], ...parts });

const create = (...writes: Write["value"][]): UnitOfWork =>
  unit({ writes: writes.map((value) => ({ kind: kindOf(value), value, expectedVersion: null }) as Write) });

const update = (value: Write["value"], expectedVersion: number, parts: Partial<UnitOfWork> = {}): UnitOfWork =>
  unit({ writes: [{ kind: kindOf(value), value, expectedVersion } as Write], ...parts });

function kindOf(value: Write["value"]): Write["kind"] {
  if ("primaryManagerId" in value) return "structure";
  if ("login" in value) return "user";
  if ("status" in value) return "attachmentRequest";
  return "service";
}

function assertOk(result: CommitResult): asserts result is Extract<CommitResult, { ok: true }> {
  if (!result.ok) assert.fail(`commit refused: ${JSON.stringify(result.error)}`);
}

/** Every entry a query finds, page by page, each page starting before the last one read. */
async function readAllHistory(
  store: HabilitationsStore,
  s: StructureId,
  limit: number,
  query: Omit<HistoryQuery, "limit" | "before"> = {},
) {
  const all: HistoryEntry[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.readHistory(s, before === undefined ? { ...query, limit } : { ...query, limit, before });
    assert.ok(page.length <= limit, "a page holds at most `limit` entries");
    all.push(...page);
    if (page.length < limit) return all;
    before = (page[page.length - 1] as HistoryEntry).sequence;
  }
  assert.fail("history pagination does not end");
}

/** Every member of a structure, page by page. */
async function readAllMembers(store: HabilitationsStore, s: StructureId, limit: number) {
  const all: User[] = [];
  let after: UserId | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listMembers(s, after === undefined ? { limit } : { limit, after });
    assert.ok(page.length <= limit, "a page holds at most `limit` members");
    all.push(...page);
    if (page.length < limit) return all;
    after = (page[page.length - 1] as User).id;
  }
  assert.fail("member pagination does not end");
}

/** Tries to change a value handed out by a store (a frozen one throws: that is fine too). */
function tamper(change: () => void): void {
  try {
    change();
  } catch {
    // A store may hand out frozen values.
  }
}

/** Everything left to claim now (with a lease of one second), by event id. */
async function claimable(store: HabilitationsStore, seconds = 0) {
  return (await store.claimOutbox({ limit: 1000, now: at(seconds), leaseUntil: at(seconds + 1) })).map((m) => m.event.id);
}

/**
 * Registers the contract's tests with the caller's `describe` and `it`.
 *
 * @example
 * ```ts
 * runStoreContract({ name: "postgres", createStore: () => createPostgresStore(pool), describe, it });
 * ```
 */
export function runStoreContract(options: StoreContractOptions): void {
  const { describe, it } = options;
  const test = (name: string, body: (store: HabilitationsStore) => Promise<void>) =>
    it(name, async () => {
      const store = await options.createStore();
      try {
        await body(store);
      } finally {
        await options.disposeStore?.(store);
      }
    });

  describe(`store contract: ${options.name}`, () => {
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

      test("unknown ids read as null, and are left out of batch reads", async (store) => {
        assertOk(await store.commit(create(fx.user("u-1"), fx.structure("s-1"), fx.service("svc-1", "s-1", "A"))));
        assert.equal(await store.getUser(userId("nope")), null);
        assert.equal(await store.getStructure(structureId("nope")), null);
        assert.equal(await store.getService(serviceId("nope")), null);
        assert.equal(await store.getAttachmentRequest(attachmentRequestId("nope")), null);
        assert.deepEqual((await store.getUsers([userId("u-1"), userId("nope"), userId("u-1")])).map((r) => r.value.id), ["u-1"]);
        assert.deepEqual((await store.getStructures([structureId("nope")])).length, 0);
        assert.deepEqual((await store.getServices([serviceId("svc-1")])).map((r) => r.version), [1]);
        assert.deepEqual(await store.getUsers([]), []);
      });

      test("several kinds read at once give what the single reads give, missing ids left out", async (store) => {
        const request = fx.pendingRequest("r-1", "u-2", "s-1");
        assertOk(await store.commit(create(fx.user("u-1"), fx.user("u-2"), fx.structure("s-1"), fx.service("svc-1", "s-1", "A"), request)));
        const found = await store.getAggregates({
          user: ["u-2", "nope", "u-1", "u-2"],
          structure: ["s-1"],
          service: ["nope"],
          attachmentRequest: ["r-1"],
        });
        const ids = (rows: readonly { value: { id: string } }[]) => rows.map((r) => r.value.id).sort();
        assert.deepEqual(ids(found.user), ["u-1", "u-2"]);
        assert.deepEqual(found.structure, [await store.getStructure(structureId("s-1"))]);
        assert.deepEqual(found.service, []);
        assert.deepEqual(found.attachmentRequest, [{ value: request, version: 1 }]);
        const none = await store.getAggregates({});
        assert.deepEqual(none, { structure: [], service: [], user: [], attachmentRequest: [] });
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
  });
}

export { runApplicationContract } from "./application.js";
