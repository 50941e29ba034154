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
  localDate,
  serviceId,
  structureId,
  userId,
  type AttachmentRequest,
  type HistoryEntry,
  type HistoryKind,
  type Instant,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type Service,
  type Structure,
  type StructureId,
  type User,
  type UserId,
} from "../core/index.js";
import { createHabilitations } from "../application/index.js";
import type { CommitResult, HabilitationsStore, UnitOfWork, Write } from "../port/store.js";

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

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const instant = (minutes = 0) => new Date(T0 + minutes * 60_000).toISOString() as Instant;

/**
 * Plain records for the contract (the store does not judge the rules, only keeps data),
 * also handy to seed an adapter's own tests.
 *
 * @example
 * ```ts
 * const s = structureId("s-1");
 * await store.commit({
 *   writes: [{ kind: "user", value: contractFixtures.user("u-1", [s]), expectedVersion: null }],
 *   reads: [],
 *   history: [contractFixtures.history("s-1", "userAttached", 0, "u-1")],
 * });
 * ```
 */
export const contractFixtures = {
  user(id: string, attachedTo: readonly StructureId[] = [], login = `${id}@example.fr`): User {
    return {
      id: userId(id),
      login,
      contactEmail: login,
      lastName: `Nom ${id}`,
      firstName: `Prénom ${id}`,
      status: "active",
      attachments: attachedTo.map((s) => ({
        structureId: s,
        role: "user" as const,
        scope: { kind: "structure" as const },
        validFrom: localDate("2026-11-27"),
        attachedBy: userId("u-admin"),
        attachedAt: instant(),
      })),
      createdAt: instant(),
    };
  },
  structure(id: string, primaryManagerId = "u-admin"): Structure {
    return {
      id: structureId(id),
      designation: `Structure ${id}`,
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
      primaryManagerId: userId(primaryManagerId),
      createdAt: instant(),
    };
  },
  service(id: string, structure: string, code: string): Service {
    return {
      id: serviceId(id),
      structureId: structureId(structure),
      code,
      label: `Service ${code}`,
      active: true,
      createdAt: instant(),
    };
  },
  pendingRequest(id: string, user: string, structure: string, minutes = 0): PendingAttachmentRequest {
    return {
      id: attachmentRequestId(id),
      structureId: structureId(structure),
      userId: userId(user),
      requestedRole: "user",
      scope: { kind: "structure" },
      comment: "",
      createdAt: instant(minutes),
      status: "pending",
    };
  },
  history(structure: string, kind: HistoryKind, minutes: number, target: string | null = null): NewHistoryEntry {
    return {
      structureId: structureId(structure),
      kind,
      at: instant(minutes),
      actorId: userId("u-admin"),
      targetUserId: target === null ? null : userId(target),
      requestId: null,
      details: {},
    };
  },
};
const fx = contractFixtures;

const create = (...writes: Write["value"][]): UnitOfWork => ({
  writes: writes.map((value) => ({ kind: kindOf(value), value, expectedVersion: null }) as Write),
  reads: [],
  history: [],
});

function kindOf(value: Write["value"]): Write["kind"] {
  if ("primaryManagerId" in value) return "structure";
  if ("login" in value) return "user";
  if ("status" in value) return "attachmentRequest";
  return "service";
}

function assertOk(result: CommitResult): asserts result is Extract<CommitResult, { ok: true }> {
  if (!result.ok) assert.fail(`commit refused: ${JSON.stringify(result.error)}`);
}

async function readAllHistory(store: HabilitationsStore, s: StructureId, limit: number, query = {}) {
  const all: HistoryEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.readHistory(s, cursor === undefined ? { ...query, limit } : { ...query, limit, cursor });
    assert.ok(page.items.length <= limit, "a page holds at most `limit` entries");
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
  }
  assert.fail("history pagination does not end");
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
      });

      test("an update at the version read bumps the version", async (store) => {
        const user = fx.user("u-1");
        assertOk(await store.commit(create(user)));
        const renamed = { ...user, lastName: "Lefèvre" };
        const result = await store.commit({ writes: [{ kind: "user", value: renamed, expectedVersion: 1 }], reads: [], history: [] });
        assertOk(result);
        assert.deepEqual(result.value.versions, [2]);
        assert.deepEqual(await store.getUser(user.id), { value: renamed, version: 2 });
      });

      test("creating what exists, or writing at a stale version, is a VERSION_CONFLICT", async (store) => {
        const user = fx.user("u-1");
        assertOk(await store.commit(create(user)));
        const again = await store.commit(create({ ...user, lastName: "Autre" }));
        assert.deepEqual(again, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
        const stale = await store.commit({ writes: [{ kind: "user", value: user, expectedVersion: 7 }], reads: [], history: [] });
        assert.equal(stale.ok, false);
        const missing = await store.commit({ writes: [{ kind: "user", value: fx.user("u-2"), expectedVersion: 1 }], reads: [], history: [] });
        assert.equal(missing.ok, false);
        assert.deepEqual(await store.getUser(user.id), { value: user, version: 1 });
        assert.equal(await store.getUser(userId("u-2")), null);
      });

      test("what is stored is isolated from the caller's objects, both ways", async (store) => {
        const user = fx.user("u-1", [structureId("s-1")]);
        const mine = structuredClone(user) as { -readonly [K in keyof User]: User[K] };
        assertOk(await store.commit(create(mine)));
        mine.lastName = "Changé après coup";
        const read = await store.getUser(user.id);
        assert.equal(read?.value.lastName, user.lastName);
        try {
          (read?.value as { lastName: string }).lastName = "Changé par le lecteur";
        } catch {
          // A store may hand out frozen values: then the write above throws.
        }
        assert.equal((await store.getUser(user.id))?.value.lastName, user.lastName);
      });
    });

    describe("atomicity", () => {
      test("a unit of work that fails halfway leaves nothing behind", async (store) => {
        const existing = fx.user("u-old");
        assertOk(await store.commit(create(existing)));
        const result = await store.commit({
          writes: [
            { kind: "user", value: fx.user("u-new"), expectedVersion: null },
            { kind: "structure", value: fx.structure("s-new"), expectedVersion: null },
            { kind: "user", value: { ...existing, lastName: "Nouveau" }, expectedVersion: 5 },
          ],
          reads: [],
          history: [fx.history("s-new", "structureCreated", 1)],
        });
        assert.equal(result.ok, false);
        assert.equal(await store.getUser(userId("u-new")), null);
        assert.equal(await store.getStructure(structureId("s-new")), null);
        assert.deepEqual(await store.getUser(existing.id), { value: existing, version: 1 });
        assert.deepEqual((await store.readHistory(structureId("s-new"), { limit: 10 })).items, []);
        assert.equal(await store.findUserByLogin("u-new@example.fr"), null);
      });

      test("a unit of work refused on a unique key leaves nothing behind", async (store) => {
        assertOk(await store.commit(create(fx.user("u-1", [], "same@example.fr"))));
        const result = await store.commit({
          writes: [
            { kind: "structure", value: fx.structure("s-1"), expectedVersion: null },
            { kind: "user", value: fx.user("u-2", [structureId("s-1")], "same@example.fr"), expectedVersion: null },
          ],
          reads: [],
          history: [fx.history("s-1", "structureCreated", 1)],
        });
        assert.deepEqual(result, { ok: false, error: { code: "LOGIN_TAKEN", login: "same@example.fr" } });
        assert.equal(await store.getStructure(structureId("s-1")), null);
        assert.deepEqual((await store.listMembers(structureId("s-1"), { limit: 10 })).items, []);
        assert.deepEqual((await store.readHistory(structureId("s-1"), { limit: 10 })).items, []);
      });

      test("a stale read check refuses the whole unit (write skew)", async (store) => {
        const manager = fx.user("u-manager");
        const member = fx.user("u-member");
        assertOk(await store.commit(create(manager, member)));
        // Meanwhile the manager's record changes (e.g. demoted).
        assertOk(await store.commit({ writes: [{ kind: "user", value: { ...manager, lastName: "Rétrogradé" }, expectedVersion: 1 }], reads: [], history: [] }));
        const decision = await store.commit({
          writes: [{ kind: "user", value: { ...member, lastName: "Décidé" }, expectedVersion: 1 }],
          reads: [{ kind: "user", id: manager.id, version: 1 }],
          history: [fx.history("s-1", "roleChanged", 1, "u-member")],
        });
        assert.deepEqual(decision, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-manager" } });
        assert.deepEqual(await store.getUser(member.id), { value: member, version: 1 });
        assert.deepEqual((await store.readHistory(structureId("s-1"), { limit: 10 })).items, []);
      });
    });

    describe("concurrency", () => {
      test("two interleaved writers of one aggregate: the first wins, the second conflicts", async (store) => {
        const user = fx.user("u-1");
        assertOk(await store.commit(create(user)));
        const a = await store.getUser(user.id);
        const b = await store.getUser(user.id);
        assert.ok(a && b);
        assertOk(await store.commit({ writes: [{ kind: "user", value: { ...a.value, lastName: "A" }, expectedVersion: a.version }], reads: [], history: [] }));
        const second = await store.commit({ writes: [{ kind: "user", value: { ...b.value, lastName: "B" }, expectedVersion: b.version }], reads: [], history: [] });
        assert.equal(second.ok, false);
        assert.equal((await store.getUser(user.id))?.value.lastName, "A");
      });

      test("two concurrent commits at the same version: exactly one wins", async (store) => {
        const user = fx.user("u-1");
        assertOk(await store.commit(create(user)));
        const results = await Promise.all(
          ["A", "B"].map((name) =>
            store.commit({
              writes: [{ kind: "user", value: { ...user, lastName: name }, expectedVersion: 1 }],
              reads: [],
              history: [fx.history("s-1", "roleChanged", 1, "u-1")],
            }),
          ),
        );
        assert.equal(results.filter((r) => r.ok).length, 1);
        assert.equal((await store.readHistory(structureId("s-1"), { limit: 10 })).items.length, 1);
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

      test("a manager demoted between read and commit loses: the decision fails, the request stays pending", async (store) => {
        const app = createHabilitations({ store, clock: () => new Date(T0) });
        const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
        const bruno = await app.registerUser({ login: "bruno@example.fr", lastName: "Petit", firstName: "Bruno" });
        const elodie = await app.registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" });
        assert.ok(alice.ok && bruno.ok && elodie.ok);
        const s = await app.createStructure(alice.value.user.id, {
          designation: "ACME",
          kind: "private",
          identifier: { type: "siret", value: "73282932000074" },
        });
        assert.ok(s.ok);
        const structure = s.value.structure.id;
        const attach = await app.attachUser(alice.value.user.id, {
          structureId: structure,
          userId: bruno.value.user.id,
          role: "secondaryManager",
          validFrom: "2026-11-27",
          comment: "Gestionnaire secondaire",
          scope: { kind: "structure" },
        });
        assert.ok(attach.ok);
        const req = await app.requestAttachment(elodie.value.user.id, { structureId: structure, scope: { kind: "structure" } });
        assert.ok(req.ok);
        // Bruno decides; between his reads and his commit, Alice demotes him.
        let interleaved = false;
        const racing: HabilitationsStore = {
          ...store,
          commit: async (unit) => {
            if (!interleaved) {
              interleaved = true;
              const demoted = await app.changeMemberRole(alice.value.user.id, {
                structureId: structure,
                userId: bruno.value.user.id,
                role: "user",
              });
              assert.ok(demoted.ok);
            }
            return store.commit(unit);
          },
        };
        const brunoApp = createHabilitations({ store: racing, clock: () => new Date(T0) });
        const decision = await brunoApp.validateAttachmentRequest(bruno.value.user.id, { requestId: req.value.request.id });
        assert.ok(interleaved);
        assert.equal(decision.ok, false);
        assert.equal(!decision.ok && decision.error.code, "FORBIDDEN");
        assert.equal((await store.getAttachmentRequest(req.value.request.id))?.value.status, "pending");
        assert.equal((await store.getUser(elodie.value.user.id))?.value.attachments.length, 0);
      });
    });

    describe("unique keys", () => {
      test("a login is unique, compared in lower case, also within one unit", async (store) => {
        assertOk(await store.commit(create(fx.user("u-1", [], "alice@example.fr"))));
        const taken = await store.commit(create(fx.user("u-2", [], "alice@example.fr")));
        assert.deepEqual(taken, { ok: false, error: { code: "LOGIN_TAKEN", login: "alice@example.fr" } });
        const twice = await store.commit(create(fx.user("u-3", [], "bob@example.fr"), fx.user("u-4", [], "bob@example.fr")));
        assert.equal(twice.ok, false);
        assert.equal((await store.findUserByLogin("ALICE@example.fr "))?.value.id, "u-1");
        assert.equal(await store.findUserByLogin("bob@example.fr"), null);
      });

      test("one pending request per user and structure; a decided one frees the key", async (store) => {
        const first = fx.pendingRequest("r-1", "u-1", "s-1");
        assertOk(await store.commit(create(first, fx.pendingRequest("r-other", "u-1", "s-2"))));
        const dup = await store.commit(create(fx.pendingRequest("r-2", "u-1", "s-1")));
        assert.deepEqual(dup, { ok: false, error: { code: "PENDING_REQUEST_EXISTS", userId: "u-1", structureId: "s-1" } });
        assert.equal((await store.findPendingRequest(userId("u-1"), structureId("s-1")))?.value.id, "r-1");
        const refused: AttachmentRequest = { ...first, status: "refused", decidedBy: userId("u-admin"), decidedAt: instant(5), reason: "Non" };
        assertOk(await store.commit({ writes: [{ kind: "attachmentRequest", value: refused, expectedVersion: 1 }], reads: [], history: [] }));
        assert.equal(await store.findPendingRequest(userId("u-1"), structureId("s-1")), null);
        assertOk(await store.commit(create(fx.pendingRequest("r-3", "u-1", "s-1"))));
      });

      test("a service code is unique within its structure, whatever its case", async (store) => {
        assertOk(await store.commit(create(fx.service("svc-1", "s-1", "COMPTA"), fx.service("svc-2", "s-2", "COMPTA"))));
        const dup = await store.commit(create(fx.service("svc-3", "s-1", "compta")));
        assert.deepEqual(dup, { ok: false, error: { code: "SERVICE_CODE_TAKEN", structureId: "s-1", serviceCode: "compta" } });
        const renamed = { ...fx.service("svc-1", "s-1", "COMPTA"), label: "Comptabilité générale" };
        assertOk(await store.commit({ writes: [{ kind: "service", value: renamed, expectedVersion: 1 }], reads: [], history: [] }));
      });
    });

    describe("queries", () => {
      test("services of a structure, by code, inactive ones included", async (store) => {
        assertOk(await store.commit(create(
          fx.service("svc-b", "s-1", "RH"),
          { ...fx.service("svc-a", "s-1", "ACHATS"), active: false },
          fx.service("svc-c", "s-2", "COMPTA"),
        )));
        assert.deepEqual((await store.listServices(structureId("s-1"))).map((r) => r.value.code), ["ACHATS", "RH"]);
      });

      test("members of a structure, by id, page by page, following attachment changes", async (store) => {
        const s1 = structureId("s-1");
        const users = ["u-05", "u-01", "u-04", "u-02", "u-03"].map((id) => fx.user(id, [s1]));
        assertOk(await store.commit(create(...users, fx.user("u-00", [structureId("s-2")]))));
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listMembers(s1, cursor === undefined ? { limit: 2 } : { limit: 2, cursor });
          seen.push(...page.items.map((u) => u.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        assert.deepEqual(seen, ["u-01", "u-02", "u-03", "u-04", "u-05"]);
        const leaving = users[2] as User;
        assertOk(await store.commit({ writes: [{ kind: "user", value: { ...leaving, attachments: [] }, expectedVersion: 1 }], reads: [], history: [] }));
        assert.deepEqual((await store.listMembers(s1, { limit: 10 })).items.map((u) => u.id), ["u-01", "u-02", "u-03", "u-05"]);
      });

      test("pending requests of a structure, oldest first, after a cursor, without decided ones", async (store) => {
        const r = [
          fx.pendingRequest("r-c", "u-3", "s-1", 2),
          fx.pendingRequest("r-a", "u-1", "s-1", 1),
          fx.pendingRequest("r-b", "u-2", "s-1", 1),
          fx.pendingRequest("r-x", "u-1", "s-2", 0),
        ];
        assertOk(await store.commit(create(...r)));
        const all = await store.listPendingRequests(structureId("s-1"), { limit: 10 });
        assert.deepEqual(all.map((x) => x.id), ["r-a", "r-b", "r-c"]);
        const after = await store.listPendingRequests(structureId("s-1"), { limit: 10, after: { createdAt: instant(1), id: attachmentRequestId("r-a") } });
        assert.deepEqual(after.map((x) => x.id), ["r-b", "r-c"]);
        assert.deepEqual((await store.listPendingRequests(structureId("s-1"), { limit: 1 })).map((x) => x.id), ["r-a"]);
        const validated: AttachmentRequest = {
          ...(r[1] as PendingAttachmentRequest),
          status: "validated",
          decidedBy: userId("u-admin"),
          decidedAt: instant(3),
          grantedRole: "user",
          grantedScope: { kind: "structure" },
        };
        assertOk(await store.commit({ writes: [{ kind: "attachmentRequest", value: validated, expectedVersion: 1 }], reads: [], history: [] }));
        assert.deepEqual((await store.listPendingRequests(structureId("s-1"), { limit: 10 })).map((x) => x.id), ["r-b", "r-c"]);
      });

      test("history: one global sequence, newest first, per structure", async (store) => {
        const r1 = await store.commit({ writes: [], reads: [], history: [fx.history("s-1", "structureCreated", 0), fx.history("s-2", "structureCreated", 1)] });
        const r2 = await store.commit({ writes: [], reads: [], history: [fx.history("s-1", "serviceAdded", 2)] });
        assertOk(r1);
        assertOk(r2);
        const sequences = [...r1.value.history, ...r2.value.history].map((e) => e.sequence);
        assert.ok(sequences.every((s, i) => i === 0 || s > (sequences[i - 1] as number)), "sequences strictly increase");
        assert.deepEqual(r1.value.history[0], { ...fx.history("s-1", "structureCreated", 0), sequence: sequences[0] });
        const s1 = await store.readHistory(structureId("s-1"), { limit: 10 });
        assert.deepEqual(s1.items.map((e) => e.kind), ["serviceAdded", "structureCreated"]);
        assert.equal(s1.nextCursor, null);
      });

      test("history pagination returns every entry exactly once, whatever the page size and filters", async (store) => {
        const s1 = structureId("s-1");
        const kinds: HistoryKind[] = ["attachmentRequestValidated", "attachmentRequestRefused", "attachmentRemoved"];
        const entries = Array.from({ length: 23 }, (_, i) =>
          fx.history(i % 4 === 3 ? "s-2" : "s-1", kinds[i % 3] as HistoryKind, i, i % 2 === 0 ? "u-even" : "u-odd"),
        );
        for (let i = 0; i < entries.length; i += 5)
          assertOk(await store.commit({ writes: [], reads: [], history: entries.slice(i, i + 5) }));
        const expected = entries.filter((e) => e.structureId === s1);
        for (const limit of [1, 2, 3, 7, 100]) {
          const all = await readAllHistory(store, s1, limit);
          assert.equal(all.length, expected.length);
          assert.equal(new Set(all.map((e) => e.sequence)).size, expected.length);
          assert.ok(all.every((e, i) => i === 0 || e.sequence < (all[i - 1] as HistoryEntry).sequence), "newest first");
          assert.deepEqual(all.map((e) => e.at).reverse(), expected.map((e) => e.at));
        }
        const filters = [
          { kinds: ["attachmentRequestRefused"] as HistoryKind[] },
          { targetUserId: userId("u-even") as UserId },
          { from: instant(5), to: instant(15) },
          { kinds: ["attachmentRemoved", "attachmentRequestValidated"] as HistoryKind[], targetUserId: userId("u-odd") as UserId, from: instant(2) },
        ];
        for (const filter of filters) {
          const want = expected.filter((e) =>
            (!("kinds" in filter) || (filter.kinds as HistoryKind[]).includes(e.kind)) &&
            (!("targetUserId" in filter) || e.targetUserId === filter.targetUserId) &&
            (!("from" in filter) || e.at >= (filter.from as Instant)) &&
            (!("to" in filter) || e.at < (filter.to as Instant)),
          );
          for (const limit of [1, 4]) {
            const got = await readAllHistory(store, s1, limit, filter);
            assert.deepEqual(got.map((e) => e.at).reverse(), want.map((e) => e.at), JSON.stringify(filter));
          }
        }
      });
    });
  });
}
