// The store contract: the CSV export's rows (`exportRows`, optional on the port). Where a
// store gives them, they are what `userExportRow` keeps of each user the search finds, in
// its order, page by page — after changes to a field the export reads and to fields it
// does not, read before and after each change (a store that keeps rows must drop them).
import assert from "node:assert/strict";
import {
  localDate,
  searchKeyOf,
  searchReference,
  serviceId,
  spaceCode,
  structureId,
  userExportRow,
  userId,
  type StructureId,
  type User,
  type UserExportRow,
  type UserSearchQuery,
} from "../core/index.js";
import type { HabilitationsStore, Write } from "../port/store.js";
import { arbitraries, person, queryOf, randomRun } from "./contract-search.js";
import { loadFastCheck } from "./fast-check.js";
import { assertOk, create, fx, unit, update, type ContractTest } from "./helpers.js";

type ExportRows = NonNullable<HabilitationsStore["exportRows"]>;

/** Every row a query gives, page by page (each page after the search key of the last row read). */
async function exportAll(exportRows: ExportRows, query: Omit<UserSearchQuery, "after" | "limit">, limit: number): Promise<UserExportRow[]> {
  const all: UserExportRow[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await exportRows(after === undefined ? { ...query, limit } : { ...query, after, limit });
    assert.ok(page.length <= limit, "a page holds at most `limit` rows");
    all.push(...page);
    if (page.length < limit) return all;
    after = searchKeyOf(page[page.length - 1] as UserExportRow);
  }
  assert.fail("export pagination does not end");
}

/** The rows a query must give: `userExportRow` of what the core's reference finds among `users`. */
const expectedRows = (users: readonly User[], query: UserSearchQuery) => searchReference(users, query).map(userExportRow);

const S1 = structureId("s-1");
const S2 = structureId("s-2");
const SVC_A = serviceId("svc-1a");

/** A grant, which the export does not read. */
const grantIn = (s: StructureId): User["grants"][number] => ({
  structureId: s,
  space: spaceCode("FACTURES_RECUES"),
  serviceId: null,
  access: "read",
  grantedBy: userId("u-admin"),
  grantedAt: fx.user("u").createdAt,
  validUntil: null,
  endNotice: null,
});

/** What a random change does to a user: a field the export reads, or one it does not. */
type Change =
  | { readonly field: "contactEmail" | "phone" | "lastName"; readonly text: string }
  | { readonly field: "role" | "validFrom" | "validUntil" | "detach" | "createdFor" | "status" | "grants" | "settings" | "scope" };

/** A user with one change applied (the login kept: a unique key of its own). */
function changed(user: User, change: Change, structures: readonly StructureId[]): User {
  const [first, ...rest] = user.attachments;
  switch (change.field) {
    case "contactEmail":
      return { ...user, contactEmail: change.text === "" ? user.login : `${change.text}@contact.example.fr` };
    case "phone":
      return { ...user, phone: change.text === "" ? (user.phone === null ? "" : null) : change.text };
    case "lastName":
      return { ...user, lastName: change.text };
    case "role":
      return first === undefined ? user : { ...user, attachments: [{ ...first, role: first.role === "user" ? "secondaryManager" : "user" }, ...rest] };
    case "validFrom":
      return first === undefined ? user : { ...user, attachments: [{ ...first, validFrom: localDate(first.validFrom === "2026-11-27" ? "2026-11-28" : "2026-11-27") }, ...rest] };
    case "validUntil":
      return first === undefined ? user : { ...user, attachments: [{ ...first, validUntil: first.validUntil === null ? localDate("2027-06-01") : null }, ...rest] };
    case "scope":
      return first === undefined
        ? user
        : { ...user, attachments: [{ ...first, scope: first.scope.kind === "structure" ? { kind: "services", serviceIds: [serviceId(`${first.structureId}-a`)] } : { kind: "structure" } }, ...rest] };
    case "detach":
      return { ...user, attachments: rest };
    case "createdFor":
      return { ...user, createdFor: user.createdFor === null ? (structures[0] as StructureId) : null };
    case "status":
      return { ...user, status: user.status === "active" ? "pendingActivation" : user.status === "pendingActivation" ? "deactivated" : "active" };
    case "grants":
      return { ...user, grants: [...user.grants, grantIn(first?.structureId ?? (structures[0] as StructureId))] };
    case "settings":
      return { ...user, settings: { activityNotifications: user.settings.activityNotifications === "never" ? "daily" : "never" }, postalAddress: null };
  }
}

/** Registers the contract's tests on the export's rows. */
export function exportRows(
  describe: (name: string, body: () => void) => void,
  test: ContractTest,
  propertyRuns: number | undefined,
  properties: boolean,
): void {
  describe("the export's rows (where the store gives them)", () => {
    test("are userExportRow of what the search finds, page by page: the cells and what the export judges, nothing else", async (store) => {
      if (store.exportRows === undefined) return;
      const rowsOf = store.exportRows.bind(store);
      const users = [
        { ...person("u-1", { last: "Lefèvre", first: "Élodie", in: [S1, S2] }), phone: "+33 4 72 10 30 30", contactEmail: "elodie@perso.fr" },
        { ...person("u-2", { last: "=HYPERLINK(1)", first: "-Jean", in: [[S1, [SVC_A]]] }), grants: [grantIn(S1)] },
        person("u-3", { last: "Dupont", first: "Jean", createdFor: S1, status: "pendingActivation" }),
        person("u-4", { last: "Zola", first: "Émile", in: [S2] }),
      ];
      assertOk(await store.commit(create(...users)));
      const query: UserSearchQuery = { structureIds: [S1], limit: 10 };
      const rows = await rowsOf(query);
      assert.deepEqual(rows, expectedRows(users, query));
      assert.deepEqual(rows, (await store.searchUsers(query)).map(userExportRow));
      assert.deepEqual(
        rows.map((r) => r.id),
        ["u-2", "u-3", "u-1"],
      );
      const elodie = rows[2] as UserExportRow;
      assert.deepEqual(Object.keys(elodie).sort(), ["attachments", "contactEmail", "createdAt", "createdFor", "firstName", "id", "lastName", "login", "phone", "status"]);
      assert.deepEqual(elodie.attachments.map((a) => Object.keys(a).sort()), [["role", "structureId", "validFrom", "validUntil"], ["role", "structureId", "validFrom", "validUntil"]]);
      assert.equal(rows[1]?.phone, null);
      // Criteria, a service, several structures, a position, a limit: as the search.
      for (const q of [
        { structureIds: [S1, S2], limit: 10 },
        { structureIds: [S1, S2], limit: 2, after: searchKeyOf(users[1] as User) },
        { structureIds: [S1], service: { structureId: S1, serviceId: SVC_A }, limit: 10 },
        { structureIds: [S1, S2], lastName: "lef", limit: 10 },
        { structureIds: [S1], status: "pendingActivation" as const, limit: 10 },
        { structureIds: [S1], login: "u-1@", limit: 10 },
        { structureIds: [structureId("s-none")], limit: 10 },
        { structureIds: [S1], limit: 0 },
      ])
        assert.deepEqual(await rowsOf(q), expectedRows(users, q), JSON.stringify(q));
      for (const limit of [1, 2, 3]) assert.deepEqual(await exportAll(rowsOf, { structureIds: [S1, S2] }, limit), expectedRows(users, { structureIds: [S1, S2], limit: 100 }));
      // A row handed out cannot change what the store keeps.
      try {
        (rows[2] as { phone: string | null }).phone = "changed";
        (elodie.attachments as unknown as { role: string }[])[0]!.role = "primaryManager";
      } catch {
        // Frozen: that is fine too.
      }
      assert.deepEqual(await rowsOf(query), expectedRows(users, query));
    });

    test("follow every change of a field they read, read before and after it: contact, phone, role, start, names, status, structures", async (store) => {
      if (store.exportRows === undefined) return;
      const rowsOf = store.exportRows.bind(store);
      // More users than one chunk of an index holds (about 1 000), so that changes land in several.
      let users = Array.from({ length: 1300 }, (_, i) =>
        person(`u-${String(i).padStart(4, "0")}`, { last: `Agent ${String(i % 700).padStart(3, "0")}`, first: "Léa", in: i % 3 === 0 ? [S1, S2] : [S1] }),
      );
      assertOk(await store.commit(create(...users)));
      const versions = new Map(users.map((u) => [u.id, 1]));
      const check = async () => {
        for (const structureIds of [[S1], [S1, S2]]) {
          const expected = expectedRows(users, { structureIds, limit: Number.POSITIVE_INFINITY });
          assert.deepEqual(await exportAll(rowsOf, { structureIds }, 1000), expected);
        }
      };
      await check();
      const changes: [number, Change][] = [
        [5, { field: "phone", text: "+33 1 00 00 00 05" }],
        [650, { field: "contactEmail", text: "ailleurs" }],
        [1299, { field: "role" }],
        [3, { field: "validFrom" }],
        [4, { field: "validUntil" }],
        [900, { field: "grants" }],
        [901, { field: "settings" }],
        [902, { field: "scope" }],
        [6, { field: "lastName", text: "Abadie" }],
        [7, { field: "status" }],
        [9, { field: "detach" }],
        [10, { field: "createdFor" }],
        [5, { field: "phone", text: "" }],
      ];
      for (const [i, change] of changes) {
        // The change made to the user as the store gives it back (as the application does:
        // the parts not changed are the very values the store holds).
        const before = (await store.getUser((users[i] as User).id))?.value as User;
        const after = changed(before, change, [S1]);
        const version = versions.get(before.id) as number;
        assertOk(await store.commit(update(after, version)));
        versions.set(before.id, version + 1);
        users = users.map((u) => (u.id === after.id ? after : u));
        await check();
      }
      // New users, and a user removed from a structure by another write of several.
      const more = Array.from({ length: 30 }, (_, i) => person(`v-${i}`, { last: `Agent ${String(i * 20).padStart(3, "0")}`, first: "Zoé", in: [S1] }));
      assertOk(await store.commit(create(...more)));
      users = [...users, ...more];
      await check();
    });

    if (!properties) return;
    test("random users, changes and queries: after every change, each page is userExportRow of what the core's reference finds", async (store) => {
      if (store.exportRows === undefined) return;
      const rowsOf = store.exportRows.bind(store);
      const fc = await loadFastCheck();
      const { worldArb } = arbitraries(fc);
      const changeArb = fc.tuple(
        fc.nat(9),
        fc.oneof(
          fc.record({ field: fc.constantFrom("contactEmail" as const, "phone" as const, "lastName" as const), text: fc.constantFrom("", "+33 6", "=1+1", "Lefèvre", "Œ; \"x\"", "a\r\nb") }),
          fc.record({ field: fc.constantFrom("role" as const, "validFrom" as const, "validUntil" as const, "detach" as const, "createdFor" as const, "status" as const, "grants" as const, "settings" as const, "scope" as const) }),
        ),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(worldArb, fc.array(changeArb, { maxLength: 5 }), async (world, changes) => {
          const prefix = `x${run++}-`;
          const { structures, services, build } = randomRun(prefix);
          let users = world.users.map(build);
          assertOk(await store.commit(create(...users)));
          const versions = users.map(() => 1);
          const check = async () => {
            for (const q of world.queries) {
              const query = queryOf(q, users, structures, services);
              assert.deepEqual(await rowsOf(query), expectedRows(users, query), JSON.stringify(query));
              const { after: _after, limit, ...criteria } = query;
              assert.deepEqual(await exportAll(rowsOf, criteria, limit), expectedRows(users, { ...criteria, limit: Number.POSITIVE_INFINITY }));
            }
          };
          // Read first (a store keeping rows makes them now), then change and read again.
          await check();
          for (const [at, change] of changes) {
            const i = at % users.length;
            const after = changed((await store.getUser((users[i] as User).id))?.value as User, change, structures);
            assertOk(await store.commit(unit({ writes: [{ kind: "user", value: after, expectedVersion: versions[i] as number } as Write] })));
            versions[i] = (versions[i] as number) + 1;
            users = users.map((u, k) => (k === i ? after : u));
            await check();
          }
        }),
        propertyRuns === undefined ? {} : { numRuns: propertyRuns },
      );
    });
  });
}
