// The store contract: accounts (the user's account fields, and the activation token,
// which only the outbox keeps).
import assert from "node:assert/strict";
import { structureId, userId, type RecordedEvent, type StructureId, type User } from "../core/index.js";
import { at, instant } from "./fixtures.js";
import { fx, unit, create, update, assertOk, claimable, type ContractTest } from "./helpers.js";

/** SHA-256 digests in base64url, as the core stores them (the tokens are never stored). */
const HASH_1 = "kdKxBqODuIq-P_2CIeSRbQ31lbIC5lzdFA0QOlOigdc";
const HASH_2 = "xK4Q_OzWKqL_PH1XEam6nVlz-NVEmnGc_y_CZ3KXJZM";

/**
 * Accounts with every account field set, for the stores' tests: `pending` waits for
 * activation (token issued, unused, address without complement), `activated` used its
 * token (address with a complement). Both were created by a manager of `createdFor`.
 */
export const accountFixtures = {
  pending(id: string, createdFor: StructureId, attachedTo: readonly StructureId[] = []): User {
    return {
      ...fx.user(id, attachedTo),
      status: "pendingActivation",
      phone: "+33 1 23 45 67 89",
      postalAddress: { street: "12 rue des Lilas", complement: null, postalCode: "75011", city: "Paris", countryCode: "FR" },
      settings: { activityNotifications: "daily" },
      createdFor,
      activation: {
        tokens: [
          { tokenHash: HASH_1, issuedAt: instant(0), expiresAt: instant(60), by: `structure:${createdFor}` },
          { tokenHash: HASH_2, issuedAt: instant(10), expiresAt: instant(70), by: "public" },
        ],
        usedAt: null,
      },
      contactEmailChange: { address: `${id}@perso.example`, tokenHash: HASH_2, requestedAt: instant(0), expiresAt: instant(600), requestedBy: userId("u-mgr") },
      accountEmails: [
        { at: instant(0), by: `structure:${createdFor}` },
        { at: instant(5), by: "public" },
        { at: instant(10), by: "self" },
      ],
    };
  },
  activated(id: string, createdFor: StructureId, attachedTo: readonly StructureId[] = []): User {
    return {
      ...fx.user(id, attachedTo),
      status: "active",
      phone: "01.23.45.67.89",
      postalAddress: { street: "3 place du Marché", complement: "Bâtiment B, 2e étage", postalCode: "69002", city: "Lyon", countryCode: "FR" },
      settings: { activityNotifications: "weekly" },
      createdFor,
      activation: { tokens: [{ tokenHash: HASH_2, issuedAt: instant(0), expiresAt: instant(60), by: "public" }], usedAt: instant(30) },
      accountEmails: [
        { at: instant(0), by: "public" },
        { at: instant(1), by: "self" },
      ],
    };
  },
  /** The activation e-mail of `user`, with its `token` (as the outbox keeps it). */
  activationEmail(id: string, user: User, token = "jeton-secret-de-test"): RecordedEvent {
    return {
      id,
      type: "ActivationEmailRequested",
      at: instant(0),
      userId: user.id,
      login: user.login,
      expiresAt: instant(60),
      token,
    };
  },
};

/** Registers the contract's tests on accounts. */
export function accounts(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("accounts", () => {
    test("a user with every account field set is read back unchanged by every read, and updated at its version", async (store) => {
      const s1 = structureId("s-1");
      const pending = accountFixtures.pending("u-1", s1, [s1]);
      const activated = accountFixtures.activated("u-2", s1, [s1]);
      const created = await store.commit(create(pending, activated));
      assertOk(created);
      assert.deepEqual(created.value.versions, [1, 1]);
      const expectAll = async (users: readonly User[], versions: readonly number[]) => {
        const rows = users.map((value, i) => ({ value, version: versions[i] }));
        for (const row of rows) {
          assert.deepEqual(await store.getUser(row.value.id), row);
          assert.deepEqual(await store.findUserByLogin(row.value.login.toUpperCase()), row);
        }
        const ids = users.map((u) => u.id);
        const byId = <T extends { value: User }>(found: readonly T[]) => [...found].sort((a, b) => (a.value.id < b.value.id ? -1 : 1));
        assert.deepEqual(byId(await store.getUsers(ids)), rows);
        assert.deepEqual(byId((await store.getAggregates({ user: ids })).user), rows);
        assert.deepEqual(await store.listMembers(s1, { limit: 10 }), users);
      };
      await expectAll([pending, activated], [1, 1]);

      // Activated: its token used, one more e-mail counted, the address cleared.
      const used: User = {
        ...pending,
        status: "active",
        activation: { ...(pending.activation as NonNullable<User["activation"]>), usedAt: instant(20) },
        accountEmails: [...pending.accountEmails, { at: instant(15), by: "public" }],
        contactEmailChange: null,
        postalAddress: null,
        phone: null,
      };
      const updated = await store.commit(update(used, 1));
      assertOk(updated);
      assert.deepEqual(updated.value.versions, [2]);
      await expectAll([used, activated], [2, 1]);
    });

    test("deactivatedAt round-trips: a deactivated account's instant is read back by every read, and null again once reactivated", async (store) => {
      const s1 = structureId("s-1");
      const active = fx.user("u-1", [s1]);
      const deactivated: User = { ...accountFixtures.activated("u-2", s1, [s1]), status: "deactivated", deactivatedAt: instant(7) };
      assertOk(await store.commit(create(active, deactivated)));
      const expectAll = async (rows: readonly { value: User; version: number }[]) => {
        for (const row of rows) {
          assert.deepEqual(await store.getUser(row.value.id), row);
          assert.deepEqual(await store.findUserByLogin(row.value.login), row);
        }
        const ids = rows.map((row) => row.value.id);
        const byId = <T extends { value: User }>(found: readonly T[]) => [...found].sort((a, b) => (a.value.id < b.value.id ? -1 : 1));
        assert.deepEqual(byId(await store.getUsers(ids)), rows);
        assert.deepEqual(byId((await store.getAggregates({ user: ids })).user), rows);
        assert.deepEqual(await store.listMembers(s1, { limit: 10 }), rows.map((row) => row.value));
        assert.deepEqual(await store.searchUsers({ structureIds: [s1], limit: 10 }), rows.map((row) => row.value));
      };
      await expectAll([{ value: active, version: 1 }, { value: deactivated, version: 1 }]);
      assert.deepEqual((await store.searchUsers({ structureIds: [s1], status: "deactivated", limit: 10 })).map((u) => u.id), ["u-2"]);

      // u-1 deactivates (an instant with milliseconds), u-2 is reactivated: each field as written.
      const left: User = { ...active, status: "deactivated", deactivatedAt: "2026-11-27T09:12:34.567Z" as User["deactivatedAt"] };
      const back: User = { ...deactivated, status: "active", deactivatedAt: null };
      const committed = await store.commit(unit({ writes: [{ kind: "user", value: left, expectedVersion: 1 }, { kind: "user", value: back, expectedVersion: 1 }] }));
      assertOk(committed);
      assert.deepEqual(committed.value.versions, [2, 2]);
      await expectAll([{ value: left, version: 2 }, { value: back, version: 2 }]);
      assert.deepEqual((await store.searchUsers({ structureIds: [s1], status: "deactivated", limit: 10 })).map((u) => u.id), ["u-1"]);
    });

    test("an idempotency record keeps the unit's events without the activation token; the outbox keeps it", async (store) => {
      const s1 = structureId("s-1");
      const pending = accountFixtures.pending("u-1", s1);
      const email = accountFixtures.activationEmail("e-2", pending);
      const { token: _secret, ...withoutToken } = email as Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;
      const created: RecordedEvent = {
        id: "e-1",
        type: "AccountCreated",
        at: instant(0),
        userId: pending.id,
        login: pending.login,
        createdBy: userId("u-admin"),
        structureId: s1,
      };
      // An activation e-mail already without its token is kept as it is.
      const tokenless = accountFixtures.activationEmail("e-4", pending);
      const { token: _none, ...tokenlessEmail } = tokenless as Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;
      const events = [created, email, fx.event("e-3"), tokenlessEmail as RecordedEvent];
      const committed = await store.commit(
        unit({
          writes: [{ kind: "user", value: pending, expectedVersion: null }],
          history: [fx.history("s-1", "userAttached", 0, "u-1")],
          events,
          idempotency: fx.idempotency("u-admin", "k-1"),
        }),
      );
      assertOk(committed);
      const record = await store.getIdempotencyRecord("u-admin", "k-1");
      assert.deepEqual(record, {
        ...fx.idempotency("u-admin", "k-1"),
        history: committed.value.history,
        events: [created, withoutToken, fx.event("e-3"), tokenlessEmail],
      });
      assert.ok(!JSON.stringify(record).includes("jeton-secret-de-test"));
      // The unit given to the store is not changed by it.
      assert.equal((events[1] as { token?: string }).token, "jeton-secret-de-test");
      const claimed = await store.claimOutbox({ limit: 10, now: at(0), leaseUntil: at(60) });
      assert.deepEqual(claimed.map((m) => m.event), events);
    });

    test("an idempotency record keeps a contact confirmation event without its token; the outbox keeps it", async (store) => {
      const s1 = structureId("s-1");
      const pending = accountFixtures.pending("u-1", s1);
      const confirmation: RecordedEvent = {
        id: "e-1",
        type: "ContactEmailConfirmationRequested",
        at: instant(0),
        userId: pending.id,
        login: pending.login,
        address: "u-1@perso.example",
        expiresAt: instant(600),
        token: "jeton-de-confirmation",
      };
      const { token: _secret, ...withoutToken } = confirmation as Extract<RecordedEvent, { type: "ContactEmailConfirmationRequested" }>;
      const committed = await store.commit(
        unit({ writes: [{ kind: "user", value: pending, expectedVersion: null }], events: [confirmation], idempotency: fx.idempotency("u-mgr", "k-1") }),
      );
      assertOk(committed);
      const record = await store.getIdempotencyRecord("u-mgr", "k-1");
      assert.deepEqual(record?.events, [withoutToken]);
      assert.ok(!JSON.stringify(record).includes("jeton-de-confirmation"));
      const claimed = await store.claimOutbox({ limit: 10, now: at(0), leaseUntil: at(60) });
      assert.deepEqual(claimed.map((m) => m.event), [confirmation]);
    });

    test("a unit writing a pending account's activation still conflicts on a stale version, and saves nothing", async (store) => {
      const s1 = structureId("s-1");
      const pending = accountFixtures.pending("u-1", s1);
      assertOk(await store.commit(create(pending, fx.user("u-mgr", [s1]))));
      assertOk(await store.commit(update({ ...fx.user("u-mgr", [s1]), lastName: "Rétrogradé" }, 1)));
      const resent: User = {
        ...pending,
        activation: { tokens: [{ tokenHash: HASH_2, issuedAt: instant(20), expiresAt: instant(80), by: `structure:${s1}` }], usedAt: null },
        accountEmails: [...pending.accountEmails, { at: instant(20), by: `structure:${s1}` }],
      };
      const email = accountFixtures.activationEmail("e-1", resent);
      const parts = { events: [email], idempotency: fx.idempotency("u-mgr", "k-1") };
      // The manager who decided was read at version 1, and is at 2 now.
      const staleRead = await store.commit(update(resent, 1, { ...parts, reads: [{ kind: "user", id: "u-mgr", version: 1 }] }));
      assert.deepEqual(staleRead, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-mgr" } });
      const staleWrite = await store.commit(update(resent, 2, parts));
      assert.deepEqual(staleWrite, { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" } });
      assert.deepEqual(await store.getUser(pending.id), { value: pending, version: 1 });
      assert.equal(await store.getIdempotencyRecord("u-mgr", "k-1"), null);
      assert.deepEqual(await claimable(store), []);
    });
  });
}
