// The memory store's export projection (issue 19): `searchUsersForExport` answers the same
// users, in the same order, as `searchUsers`, with exactly the fields the CSV export
// writes, and never a stale one after a user changes.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { searchKeyOf, structureId, userExportLine, type StructureId, type User, type UserSearchQuery } from "../../src/core/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import type { UserExportView } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";

const S = [structureId("s-1"), structureId("s-2")];

const viewOf = (u: User): UserExportView => ({
  id: u.id,
  lastName: u.lastName,
  firstName: u.firstName,
  login: u.login,
  contactEmail: u.contactEmail,
  phone: u.phone,
  status: u.status,
  createdFor: u.createdFor,
  createdAt: u.createdAt,
  attachments: u.attachments.map((a) => ({ structureId: a.structureId, role: a.role })),
});

async function pages<T extends Pick<User, "id" | "lastName" | "firstName" | "login">>(
  read: (q: UserSearchQuery) => Promise<readonly T[]>,
  query: Omit<UserSearchQuery, "limit" | "after">,
): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await read(after === undefined ? { ...query, limit: 3 } : { ...query, after, limit: 3 });
    all.push(...page);
    if (page.length < 3) return all;
    after = searchKeyOf(page[page.length - 1] as T);
  }
}

describe("the memory store's export projection", () => {
  const person = fc.record({
    last: fc.constantFrom("Martin", "Lefèvre", "Dupont", "=cmd"),
    first: fc.constantFrom("Élodie", "Marc", "Anne"),
    in: fc.subarray(S),
    phone: fc.option(fc.constantFrom("+33 1 23 45 67 89", "01;02"), { nil: null }),
    status: fc.constantFrom("active" as const, "pendingActivation" as const, "deactivated" as const),
  });
  test.prop([fc.array(person, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 5 }), fc.option(fc.constantFrom("mar", "lef"), { nil: undefined })], { numRuns: 40 })(
    "answers the users searchUsers answers, in its order, page by page, with the fields the export writes — also after users change",
    async (people, changed, lastName) => {
      const store = createMemoryStore();
      const users = people.map((p, i) => ({
        ...fx.user(`u-${i}`, p.in as StructureId[]),
        lastName: p.last,
        firstName: p.first,
        phone: p.phone,
        status: p.status,
      }));
      if (users.length > 0) await store.commit({ writes: users.map((value) => ({ kind: "user", value, expectedVersion: null })), reads: [], history: [], events: [] });
      const query = { structureIds: S, ...(lastName === undefined ? {} : { lastName }) };
      // A first export makes the views; then some users change; the next must see the change.
      await pages((q) => store.searchUsersForExport!(q), query);
      for (const k of changed) {
        const row = users.length === 0 ? null : await store.getUser(users[k % users.length]!.id);
        if (row === null) continue;
        const next = { ...row.value, lastName: `${row.value.lastName}x`, phone: row.value.phone === null ? "06" : null };
        await store.commit({ writes: [{ kind: "user", value: next, expectedVersion: row.version }], reads: [], history: [], events: [] });
      }
      const records = await pages((q) => store.searchUsers(q), query);
      const views = await pages((q) => store.searchUsersForExport!(q), query);
      expect(views).toEqual(records.map(viewOf));
      // And the export writes the same row from the view as from the record.
      const structures = new Map((await store.getStructures(S)).map((r) => [r.value.id, r.value]));
      for (let i = 0; i < views.length; i++)
        expect(userExportLine(views[i] as unknown as User, structures, (at) => at.slice(0, 10), ";")).toBe(
          userExportLine(records[i] as User, structures, (at) => at.slice(0, 10), ";"),
        );
    },
  );
});
