// The store contract: the users due for the expiry sweep (issue 21, rights with an end).
import assert from "node:assert/strict";
import { localDate, spaceCode, structureId, userId, type EndNotice, type LocalDate, type SpaceGrant, type User } from "../core/index.js";
import { dueExpiryOf, type DueExpiriesQuery, type HabilitationsStore } from "../port/store.js";
import { instant } from "./fixtures.js";
import { fx, create, update, assertOk, type ContractTest } from "./helpers.js";

const s1 = structureId("s-1");

/** A user attached to s-1 until `attachment` (with its notice), holding grants ending as `grants` say. */
function ending(id: string, attachment: [string | null, EndNotice | null], ...grants: [string, EndNotice | null][]): User {
  const base = fx.user(id, [s1]);
  const date = (d: string | null): LocalDate | null => (d === null ? null : localDate(d));
  return {
    ...base,
    attachments: base.attachments.map((a) => ({ ...a, validUntil: date(attachment[0]), endNotice: attachment[1] })),
    grants: grants.map(([until, notice], i): SpaceGrant => ({
      structureId: s1,
      space: spaceCode(i % 2 === 0 ? "FACTURES_RECUES" : "FACTURES_EMISES"),
      serviceId: null,
      access: "read",
      grantedBy: userId("u-admin"),
      grantedAt: instant(1),
      validUntil: localDate(until),
      endNotice: notice,
    })),
  };
}

/** What the contract expects: the users `dueExpiryOf` says are due, by (date, id), at most `limit`. */
function expected(users: readonly User[], query: DueExpiriesQuery): string[] {
  return users
    .flatMap((u) => {
      const due = dueExpiryOf(u, query);
      return due === null ? [] : [{ id: u.id as string, due }];
    })
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, query.limit)
    .map((x) => x.id);
}

async function dueIds(store: HabilitationsStore, query: DueExpiriesQuery): Promise<string[]> {
  return (await store.findDueExpiries(query)).map((row) => row.value.id);
}

/** Registers the contract's tests on the index of rights' ends. */
export function expiries(describe: (name: string, body: () => void) => void, test: ContractTest): void {
  describe("the users due for the expiry sweep (findDueExpiries)", () => {
    const query: DueExpiriesQuery = { warnThrough: localDate("2026-12-12"), expireThrough: localDate("2026-11-27"), limit: 100 };
    const users = [
      ending("u-1", ["2026-12-05", null]), // to warn
      ending("u-2", [null, null], ["2026-12-01", "warned"]), // warned, its end not come yet
      ending("u-3", ["2026-12-20", null]), // not near yet
      ending("u-4", ["2026-11-20", "expired"]), // done
      ending("u-5", [null, null]), // no end
      ending("u-6", ["2026-12-03", null], ["2026-12-10", "warned"]), // the attachment to warn
      ending("u-7", ["2026-11-25", null], ["2026-11-30", null]), // two rights due: once, by the earliest
      ending("u-0", [null, null], ["2026-11-27", "warned"]), // warned, its end come today
    ];

    test("each user once, by the earliest end due then id, at their versions; what dueExpiryOf says", async (store) => {
      assertOk(await store.commit(create(...users)));
      const found = await store.findDueExpiries(query);
      assert.deepEqual(
        found.map((row) => row.value.id),
        expected(users, query),
      );
      assert.deepEqual(
        found.map((row) => row.value.id),
        ["u-7", "u-0", "u-6", "u-1"],
      );
      for (const row of found) {
        assert.equal(row.version, 1);
        assert.deepEqual(row.value, users.find((u) => u.id === row.value.id));
      }
      assert.deepEqual(await dueIds(store, { ...query, limit: 2 }), ["u-7", "u-0"]);
      assert.deepEqual(await dueIds(store, { ...query, limit: 0 }), []);
      // A day later: u-2's warned end has come too.
      const later = { warnThrough: localDate("2026-12-17"), expireThrough: localDate("2026-12-02"), limit: 100 };
      assert.deepEqual(await dueIds(store, later), expected(users, later));
      assert.ok((await dueIds(store, later)).includes("u-2"));
      assert.deepEqual(await dueIds(store, { warnThrough: localDate("2026-01-01"), expireThrough: localDate("2026-01-01"), limit: 10 }), []);
    });

    test("follows writes: a notice recorded, an end changed or removed, a user leaving", async (store) => {
      assertOk(await store.commit(create(...users)));
      const u7 = users[6] as User;
      const noticed: User = {
        ...u7,
        attachments: u7.attachments.map((a) => ({ ...a, endNotice: "expired" })),
        grants: u7.grants.map((g) => ({ ...g, endNotice: "expired" })),
      };
      const u1 = users[0] as User;
      const extended: User = { ...u1, attachments: u1.attachments.map((a) => ({ ...a, validUntil: localDate("2027-06-30") })) };
      const u3 = users[2] as User;
      const shortened: User = { ...u3, attachments: u3.attachments.map((a) => ({ ...a, validUntil: localDate("2026-12-01") })) };
      const u6 = users[5] as User;
      const left: User = { ...u6, attachments: [], grants: [] };
      for (const value of [noticed, extended, shortened, left]) assertOk(await store.commit(update(value, 1)));
      const now = [noticed, extended, shortened, left, ...users.filter((u) => ![u1.id, u3.id, u6.id, u7.id].includes(u.id))];
      assert.deepEqual(await dueIds(store, query), expected(now, query));
      assert.deepEqual(await dueIds(store, query), ["u-0", "u-3"]);
      const rows = await store.findDueExpiries(query);
      assert.equal(rows.find((r) => r.value.id === "u-3")?.version, 2);
    });
  });
}
