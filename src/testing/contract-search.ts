// The store contract: the user search (guide §5) and the lookup by names, on examples
// and against the core's reference (`searchReference`) on random users and queries.
import assert from "node:assert/strict";
import type { Arbitrary } from "fast-check";
import {
  ACCOUNT_STATUSES,
  normalizeForSearch,
  searchKeyOf,
  searchReference,
  serviceId,
  structureId,
  type AccountStatus,
  type ServiceId,
  type StructureId,
  type User,
  type UserSearchQuery,
} from "../core/index.js";
import type { HabilitationsStore, Write } from "../port/store.js";
import { loadFastCheck, type FastCheckModule } from "./fast-check.js";
import { fx, unit, create, update, assertOk, type ContractTest } from "./helpers.js";

/** Where a person belongs: attached to a structure (whole, or some of its services). */
export type Membership = StructureId | readonly [StructureId, readonly ServiceId[]];

export interface PersonSpec {
  readonly last: string;
  readonly first: string;
  readonly login?: string;
  readonly in?: readonly Membership[];
  readonly createdFor?: StructureId;
  readonly status?: AccountStatus;
}

/** A user with these names, memberships, account status and structure created for. */
export function person(id: string, spec: PersonSpec): User {
  const base = fx.user(id, [], spec.login ?? `${id}@example.fr`);
  const attachments = (spec.in ?? []).map((m) => {
    const [s, services] = typeof m === "string" ? [m, null] : m;
    const [attachment] = fx.user(id, [s]).attachments;
    return {
      ...(attachment as User["attachments"][number]),
      scope: services === null ? { kind: "structure" as const } : { kind: "services" as const, serviceIds: [...services] },
    };
  });
  return {
    ...base,
    lastName: spec.last,
    firstName: spec.first,
    status: spec.status ?? "active",
    createdFor: spec.createdFor ?? null,
    attachments,
  };
}

const ids = (users: readonly User[]) => users.map((u) => u.id);

/** Every user a query finds, page by page (each page after the key of the last one read). */
async function searchAll(store: HabilitationsStore, query: Omit<UserSearchQuery, "after" | "limit">, limit: number) {
  const all: User[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.searchUsers(after === undefined ? { ...query, limit } : { ...query, after, limit });
    assert.ok(page.length <= limit, "a page holds at most `limit` users");
    all.push(...page);
    if (page.length < limit) return all;
    after = searchKeyOf(page[page.length - 1] as User);
  }
  assert.fail("search pagination does not end");
}

const S1 = structureId("s-1");
const S2 = structureId("s-2");
const S3 = structureId("s-3");
const SVC_A = serviceId("svc-1a");
const SVC_B = serviceId("svc-1b");

/** Registers the contract's tests on the user search and the lookup by names. */
export function search(
  describe: (name: string, body: () => void) => void,
  test: ContractTest,
  propertyRuns: number | undefined,
  properties: boolean,
): void {
  describe("user search", () => {
    test("accents and case are ignored, criteria are substrings: « Élodie Lefèvre » is found by \"elodie\" and by \"lef\"", async (store) => {
      const users = [
        person("u-1", { last: "Lefèvre", first: "Élodie", login: "elodie.lefevre@mairie-lyon.fr", in: [S1] }),
        person("u-2", { last: "LEFEBVRE", first: "Émile", in: [S1] }),
        person("u-3", { last: "Dupont", first: "Jean", in: [S1] }),
        person("u-4", { last: "Lefèvre", first: "Élodie", in: [S2] }),
      ];
      assertOk(await store.commit(create(...users)));
      const find = async (q: Omit<UserSearchQuery, "limit" | "structureIds">, structureIds = [S1]) =>
        ids(await store.searchUsers({ structureIds, limit: 10, ...q }));
      // Search order: normalised last name, first name, login, id ("lefebvre" < "lefevre").
      assert.deepEqual(await find({ lastName: "lef" }), ["u-2", "u-1"]);
      assert.deepEqual(await find({ firstName: "elodie" }), ["u-1"]);
      assert.deepEqual(await find({ lastName: "lef", firstName: "lodi" }), ["u-1"]);
      assert.deepEqual(await find({ lastName: "evre" }), ["u-1"]);
      assert.deepEqual(await find({}), ["u-3", "u-2", "u-1"]);
      // The login, normalised too (the hyphen of « mairie-lyon » folded to a space).
      assert.deepEqual(await find({ login: "mairie lyon" }), ["u-1"]);
      assert.deepEqual(await find({ login: "elodie.lefevre@" }), ["u-1"]);
      // Only the structures searched; another structure's Élodie only there.
      assert.deepEqual(await find({ firstName: "elodie" }, [S2]), ["u-4"]);
      assert.deepEqual(await find({ firstName: "elodie" }, [S1, S2]), ["u-1", "u-4"]);
      assert.deepEqual(await find({ lastName: "martin" }), []);
      assert.deepEqual(await find({}, [S3]), []);
      assert.deepEqual(await store.searchUsers({ structureIds: [S1], limit: 10, firstName: "elodie" }), [users[0]]);
    });

    test("ligatures, apostrophes, hyphens and runs of spaces are folded as the core normalises them", async (store) => {
      const users = [
        person("u-1", { last: "Œhler", first: "Anne-Sophie", in: [S1] }),
        person("u-2", { last: "D'Alembert-Œuf", first: "Jean  Pierre", in: [S1] }),
        person("u-3", { last: "L’Hôte", first: "Ève-Marie", in: [S1] }),
        person("u-4", { last: "Strauß", first: "Læticia", in: [S1] }),
        person("u-5", { last: "Oehler", first: "Jean-Pierre", in: [S1] }),
      ];
      assertOk(await store.commit(create(...users)));
      const find = async (q: Omit<UserSearchQuery, "limit" | "structureIds">) => ids(await store.searchUsers({ structureIds: [S1], limit: 10, ...q }));
      assert.deepEqual(await find({ lastName: "oehler" }), ["u-1", "u-5"]);
      assert.deepEqual(await find({ lastName: "d alembert oeuf" }), ["u-2"]);
      assert.deepEqual(await find({ firstName: "jean pierre" }), ["u-2", "u-5"]);
      assert.deepEqual(await find({ firstName: "anne sophie" }), ["u-1"]);
      assert.deepEqual(await find({ lastName: "l hote" }), ["u-3"]);
      assert.deepEqual(await find({ lastName: "hote", firstName: "eve marie" }), ["u-3"]);
      assert.deepEqual(await find({ lastName: "strauss", firstName: "laeti" }), ["u-4"]);
      assert.deepEqual(await find({ lastName: "t oe" }), ["u-2"]);
      // All in search order: "d alembert oeuf" < "l hote" < "oehler" (anne…, jean…) < "strauss".
      assert.deepEqual(await find({}), ["u-2", "u-3", "u-1", "u-5", "u-4"]);
    });

    test("a user of several structures searched appears once; users created for a structure belong to it", async (store) => {
      const users = [
        person("u-1", { last: "Martin", first: "Alice", in: [S1, S2] }),
        person("u-2", { last: "Martin", first: "Bruno", createdFor: S1 }),
        person("u-3", { last: "Martin", first: "Chloé", in: [S2], createdFor: S1 }),
        person("u-4", { last: "Martin", first: "Denis", in: [S1], createdFor: S1 }),
        person("u-5", { last: "Martin", first: "Emma", in: [S3], createdFor: S2 }),
      ];
      assertOk(await store.commit(create(...users)));
      const find = async (structureIds: readonly StructureId[], limit = 10) => ids(await store.searchUsers({ structureIds, limit, lastName: "martin" }));
      assert.deepEqual(await find([S1]), ["u-1", "u-2", "u-3", "u-4"]);
      assert.deepEqual(await find([S2]), ["u-1", "u-3", "u-5"]);
      assert.deepEqual(await find([S3]), ["u-5"]);
      assert.deepEqual(await find([S1, S2]), ["u-1", "u-2", "u-3", "u-4", "u-5"]);
      assert.deepEqual(await find([S2, S1, S2]), ["u-1", "u-2", "u-3", "u-4", "u-5"]);
      assert.deepEqual(await find([S1, S2, S3], 3), ["u-1", "u-2", "u-3"]);
      // Page by page, with the limit smaller than what one structure holds: each once, in order.
      for (const limit of [1, 2, 3]) assert.deepEqual(ids(await searchAll(store, { structureIds: [S1, S2, S3] }, limit)), ["u-1", "u-2", "u-3", "u-4", "u-5"]);
    });

    test("a service: users attached to its structure whole, or with a scope of services that includes it", async (store) => {
      const users = [
        person("u-1", { last: "A", first: "entière", in: [S1] }),
        person("u-2", { last: "B", first: "service a", in: [[S1, [SVC_A]]] }),
        person("u-3", { last: "C", first: "service b", in: [[S1, [SVC_B]]] }),
        person("u-4", { last: "D", first: "a et b", in: [[S1, [SVC_A, SVC_B]]] }),
        person("u-5", { last: "E", first: "créé pour s-1 seulement", createdFor: S1 }),
        person("u-6", { last: "F", first: "s-2 entière", in: [S2] }),
        person("u-7", { last: "G", first: "s-2 avec le service a en scope", in: [[S2, [SVC_A]]], createdFor: S1 }),
        person("u-8", { last: "H", first: "service a, en attente", in: [[S1, [SVC_A]], S2], status: "pendingActivation" }),
      ];
      assertOk(await store.commit(create(...users)));
      const find = async (service: UserSearchQuery["service"], q: Omit<UserSearchQuery, "limit" | "structureIds" | "service"> = {}, structureIds = [S1]) =>
        ids(await store.searchUsers({ structureIds, limit: 10, ...(service === undefined ? {} : { service }), ...q }));
      assert.deepEqual(await find(undefined), ["u-1", "u-2", "u-3", "u-4", "u-5", "u-7", "u-8"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: SVC_A }), ["u-1", "u-2", "u-4", "u-8"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: SVC_B }), ["u-1", "u-3", "u-4"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: serviceId("svc-1c") }), ["u-1"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: SVC_A }, { status: "active" }), ["u-1", "u-2", "u-4"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: SVC_A }, { firstName: "service" }), ["u-2", "u-8"]);
      assert.deepEqual(await find({ structureId: S1, serviceId: SVC_A }, {}, [S1, S2]), ["u-1", "u-2", "u-4", "u-8"]);
      assert.deepEqual(await find({ structureId: S2, serviceId: SVC_A }, {}, [S1, S2]), ["u-6", "u-7", "u-8"]);
      assert.deepEqual(await store.searchUsers({ structureIds: [S1], service: { structureId: S1, serviceId: SVC_A }, limit: 2, after: searchKeyOf(users[1] as User) }), [users[3], users[7]]);
    });

    test("status is matched exactly", async (store) => {
      const users = [
        person("u-1", { last: "Petit", first: "Active", in: [S1] }),
        person("u-2", { last: "Petit", first: "En attente", in: [S1], status: "pendingActivation" }),
        person("u-3", { last: "Petit", first: "Partie", in: [S1], status: "deactivated" }),
        person("u-4", { last: "Petit", first: "Créée", createdFor: S1, status: "pendingActivation" }),
      ];
      assertOk(await store.commit(create(...users)));
      const find = async (status: AccountStatus) => ids(await store.searchUsers({ structureIds: [S1], status, limit: 10 }));
      assert.deepEqual(await find("active"), ["u-1"]);
      assert.deepEqual(await find("pendingActivation"), ["u-4", "u-2"]);
      assert.deepEqual(await find("deactivated"), ["u-3"]);
    });

    test("paging with `after` gives every user once, in search order, whatever the limit", async (store) => {
      const names = ["Zola", "Abel", "Élie", "elie", "Ëlie", "Martin", "Martín", "Abélard", "Zoé"];
      const users = names.map((last, i) =>
        person(`u-${i + 1}`, { last, first: i % 2 === 0 ? "Jean" : "Anne", in: i % 3 === 0 ? [S1, S2] : [i % 3 === 1 ? S1 : S2], ...(i === 4 ? { createdFor: S1 } : {}) }),
      );
      // Same names, told apart by login then id.
      users.push(person("u-10", { last: "Martin", first: "Anne", login: "b@example.fr", in: [S2] }));
      users.push(person("u-11", { last: "Martin", first: "Anne", login: "a@example.fr", in: [S1] }));
      assertOk(await store.commit(create(...users)));
      // abel < abelard < elie (anne < jean; then by login) < martin (anne: a@, b@, u-6@; jean) < zoe < zola.
      const expected = ["u-2", "u-8", "u-4", "u-3", "u-5", "u-11", "u-10", "u-6", "u-7", "u-9", "u-1"];
      assert.deepEqual(ids(searchReference(users, { structureIds: [S1, S2], limit: 100 })), expected);
      for (const limit of [1, 2, 3, 4, 10, 11, 12]) assert.deepEqual(ids(await searchAll(store, { structureIds: [S1, S2] }, limit)), expected);
      // After a position that is no user's key: from the next key on.
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1, S2], after: "elie", limit: 2 })), ["u-4", "u-3"]);
      assert.deepEqual(await store.searchUsers({ structureIds: [S1, S2], after: "\uFFFF", limit: 2 }), []);
      assert.deepEqual(await store.searchUsers({ structureIds: [S1, S2], limit: 0 }), []);
    });

    test("a renamed user moves in the order; a detached user leaves the structure's results", async (store) => {
      const users = ["Bernard", "Durand", "Moreau", "Zola"].map((last, i) => person(`u-${i + 1}`, { last, first: "Léa", in: [S1, S2] }));
      assertOk(await store.commit(create(...users)));
      const all = async (s: StructureId) => ids(await store.searchUsers({ structureIds: [s], limit: 10 }));
      assert.deepEqual(await all(S1), ["u-1", "u-2", "u-3", "u-4"]);
      const zola = users[3] as User;
      const renamed = { ...zola, lastName: "Abadie" };
      assertOk(await store.commit(update(renamed, 1)));
      assert.deepEqual(await all(S1), ["u-4", "u-1", "u-2", "u-3"]);
      assert.deepEqual(await all(S2), ["u-4", "u-1", "u-2", "u-3"]);
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1], lastName: "zola", limit: 10 })), []);
      assert.deepEqual(await store.searchUsers({ structureIds: [S1], lastName: "abad", limit: 10 }), [renamed]);
      // A page after the old key (read before the rename) goes on from where that key was.
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1], after: searchKeyOf(zola), limit: 10 })), []);
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1], after: searchKeyOf(users[1] as User), limit: 10 })), ["u-3"]);
      // Detached from s-1 (still in s-2), then created for s-1: back in s-1's results.
      const moreau = users[2] as User;
      const detached = { ...moreau, attachments: moreau.attachments.filter((a) => a.structureId !== S1) };
      assertOk(await store.commit(update(detached, 1)));
      assert.deepEqual(await all(S1), ["u-4", "u-1", "u-2"]);
      assert.deepEqual(await all(S2), ["u-4", "u-1", "u-2", "u-3"]);
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1], service: { structureId: S1, serviceId: SVC_A }, limit: 10 })), ["u-4", "u-1", "u-2"]);
      const createdFor = { ...detached, createdFor: S1 };
      assertOk(await store.commit(update(createdFor, 2)));
      assert.deepEqual(await all(S1), ["u-4", "u-1", "u-2", "u-3"]);
      assert.deepEqual(ids(await store.searchUsers({ structureIds: [S1], service: { structureId: S1, serviceId: SVC_A }, limit: 10 })), ["u-4", "u-1", "u-2"]);
      assertOk(await store.commit(update({ ...createdFor, attachments: [], createdFor: null }, 3)));
      assert.deepEqual(await all(S1), ["u-4", "u-1", "u-2"]);
      assert.deepEqual(await all(S2), ["u-4", "u-1", "u-2"]);
    });

    test("lookup by names: exact normalised last and first names, any structure or none, in search order", async (store) => {
      const users = [
        person("u-1", { last: "Lefèvre", first: "Élodie", login: "z@example.fr", in: [S1] }),
        person("u-2", { last: "LEFEVRE", first: "elodie", login: "b@example.fr" }),
        person("u-3", { last: "Lefèvre", first: "Élodie-Anne", in: [S2] }),
        person("u-4", { last: "Lefèvres", first: "Élodie", createdFor: S1 }),
        person("u-5", { last: "Le Fèvre", first: "Élodie", status: "deactivated" }),
      ];
      assertOk(await store.commit(create(...users)));
      assert.deepEqual(ids(await store.findUsersByName("lefevre", "elodie", 20)), ["u-2", "u-1"]);
      assert.deepEqual(await store.findUsersByName("lefevre", "elodie", 1), [users[1]]);
      assert.deepEqual(ids(await store.findUsersByName("lefevre", "elodie anne", 20)), ["u-3"]);
      assert.deepEqual(ids(await store.findUsersByName("le fevre", "elodie", 20)), ["u-5"]);
      assert.deepEqual(ids(await store.findUsersByName("lef", "elodie", 20)), []);
      assert.deepEqual(ids(await store.findUsersByName("lefevre", "elo", 20)), []);
      assert.deepEqual(ids(await store.findUsersByName("elodie", "lefevre", 20)), []);
      // Renamed: found by the new names only.
      assertOk(await store.commit(update({ ...(users[0] as User), lastName: "Martin" }, 1)));
      assert.deepEqual(ids(await store.findUsersByName("lefevre", "elodie", 20)), ["u-2"]);
      assert.deepEqual(ids(await store.findUsersByName("martin", "elodie", 20)), ["u-1"]);
    });

    if (!properties) return;
    test("random users, attachments and queries: the store answers as the core's reference, page by page; the lookup as a filter of all users", async (store) => {
      const fc = await loadFastCheck();
      const { worldArb } = arbitraries(fc);
      let run = 0;
      /** Every user written in this test, as stored now (runs add to one store). */
      const everyone = new Map<string, User>();
      await fc.assert(
        fc.asyncProperty(worldArb, async (world) => {
          const prefix = `r${run++}-`;
          const { structures, services, build } = randomRun(prefix);
          let users = world.users.map(build);
          assertOk(await store.commit(create(...users)));
          // Some users written again: other names, status and createdFor, and other
          // memberships or the same ones (the login kept).
          const rewritten = world.rewrites.filter(([i]) => i < users.length);
          if (rewritten.length > 0) {
            const next = new Map(
              rewritten.map(([i, u, sameMemberships]) => {
                const before = users[i] as User;
                const after = build(u, i);
                return [i, { ...after, login: before.login, attachments: sameMemberships ? before.attachments : after.attachments }] as const;
              }),
            );
            assertOk(await store.commit(unit({ writes: [...next.values()].map((value): Write => ({ kind: "user", value, expectedVersion: 1 })) })));
            users = users.map((u, i) => next.get(i) ?? u);
          }
          for (const u of users) everyone.set(u.id, u);

          for (const q of world.queries) {
            const query = queryOf(q, users, structures, services);
            const expected = ids(searchReference(users, query));
            assert.deepEqual(ids(await store.searchUsers(query)), expected, JSON.stringify(query));
            const { after: _after, limit, ...criteria } = query;
            assert.deepEqual(ids(await searchAll(store, criteria, limit)), ids(searchReference(users, { ...criteria, limit: Number.POSITIVE_INFINITY })));
            // The lookup by names, over every user of the store.
            const named = q.lookupOf === null ? null : users[q.lookupOf % users.length];
            const [last, first] =
              named === null || named === undefined
                ? [query.lastName ?? "", query.firstName ?? ""]
                : [normalizeForSearch(named.lastName), normalizeForSearch(named.firstName)];
            const byName = [...everyone.values()]
              .filter((u) => normalizeForSearch(u.lastName) === last && normalizeForSearch(u.firstName) === first)
              .sort((a, b) => (searchKeyOf(a) < searchKeyOf(b) ? -1 : 1))
              .slice(0, q.limit);
            assert.deepEqual(ids(await store.findUsersByName(last, first, q.limit)), ids(byName), JSON.stringify([last, first]));
          }
        }),
        propertyRuns === undefined ? {} : { numRuns: propertyRuns },
      );
    });
  });
}

export interface RandomUser {
  readonly last: string;
  readonly first: string;
  readonly login: string;
  /** Structures 0-2, each whole (`null`) or some of its services (0, 1). */
  readonly in: readonly (readonly [number, readonly number[] | null])[];
  /** A structure 0-2, 3 for a structure not searched, or none. */
  readonly createdFor: number | null;
  readonly status: AccountStatus;
}

type RandomText = { of: number; from: number; length: number } | { text: string } | undefined;

export interface RandomQuery {
  readonly structures: readonly number[];
  readonly service: readonly [number, number] | null;
  readonly lastName: RandomText;
  readonly firstName: RandomText;
  readonly login: RandomText;
  readonly status: AccountStatus | undefined;
  /** After the key of this user, or none. */
  readonly after: number | null;
  readonly limit: number;
  /** The lookup by the names of this user, or by the query's texts. */
  readonly lookupOf: number | null;
}

// What the property draws: names from a small alphabet (accents, ligatures, apostrophes,
// hyphens, spaces, capitals), so that names collide, share substrings and tie on names.
const PIECES = ["e", "é", "É", "E", "ë", "œ", "Œ", "oe", "æ", "ß", "ss", "l", "L", "a", "à", "'", "’", "-", " ", "  ", "ï"];

/** The property's arbitraries, made once fast-check is loaded. */
export function arbitraries(fc: FastCheckModule) {
  const nameArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((p) => p.join(""));
  const loginArb = fc.array(fc.constantFrom("e", "é", "l", "a", "-", "'", "E", "L"), { maxLength: 4 }).map((p) => p.join(""));
  const randomUserArb: Arbitrary<RandomUser> = fc.record({
    last: nameArb,
    first: nameArb,
    login: loginArb,
    in: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.option(fc.subarray([0, 1], { minLength: 1 }), { nil: null })), {
      selector: ([s]) => s,
      maxLength: 3,
    }),
    createdFor: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 2 }),
    status: fc.constantFrom(...ACCOUNT_STATUSES),
  });
  /** A criterion: none, a piece of a random user's normalised text, or random text. */
  const textArb: Arbitrary<RandomText> = fc.option(
    fc.oneof(
      fc.record({ of: fc.nat(), from: fc.nat(8), length: fc.nat(4) }),
      nameArb.map((text) => ({ text })),
    ),
    { nil: undefined, freq: 2 },
  );
  const randomQueryArb: Arbitrary<RandomQuery> = fc.record({
    structures: fc.subarray([0, 1, 2, 3], { minLength: 1 }),
    service: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { nil: null }),
    lastName: textArb,
    firstName: textArb,
    login: textArb,
    status: fc.option(fc.constantFrom(...ACCOUNT_STATUSES), { nil: undefined, freq: 3 }),
    after: fc.option(fc.nat(), { nil: null }),
    limit: fc.integer({ min: 1, max: 7 }),
    lookupOf: fc.option(fc.nat(), { nil: null }),
  });
  const worldArb = fc.record({
    users: fc.array(randomUserArb, { minLength: 1, maxLength: 10 }),
    rewrites: fc
      .array(fc.tuple(fc.nat(9), randomUserArb, fc.boolean()), { maxLength: 3 })
      .map((r) => [...new Map(r.map(([i, u, same]) => [i, [i, u, same] as const]))].map(([, v]) => v)),
    queries: fc.array(randomQueryArb, { minLength: 1, maxLength: 4 }),
  });
  return { worldArb, randomUserArb, randomQueryArb };
}

/**
 * A property run's three structures, their two services each, and its users made from
 * random ones, all under the run's own prefix (runs share one store).
 */
export function randomRun(prefix: string) {
  const structures = [1, 2, 3].map((n) => structureId(`${prefix}s${n}`));
  const services = (s: number) => ["a", "b"].map((x) => serviceId(`${structures[s]}-${x}`));
  const build = (u: RandomUser, i: number): User =>
    person(`${prefix}u${i}`, {
      last: u.last,
      first: u.first,
      login: `${u.login}.${i}@${prefix}example.fr`,
      in: u.in.map(([s, picked]) => (picked === null ? (structures[s] as StructureId) : ([structures[s] as StructureId, picked.map((k) => services(s)[k] as ServiceId)] as const))),
      ...(u.createdFor === null ? {} : { createdFor: u.createdFor === 3 ? structureId(`${prefix}elsewhere`) : (structures[u.createdFor] as StructureId) }),
      status: u.status,
    });
  return { structures, services, build };
}

/** The store query a random one stands for, over this run's users and structures. */
export function queryOf(
  q: RandomQuery,
  users: readonly User[],
  structures: readonly StructureId[],
  services: (s: number) => ServiceId[],
): UserSearchQuery {
  const text = (t: RandomText, field: (u: User) => string): string | undefined => {
    if (t === undefined) return undefined;
    if ("text" in t) return normalizeForSearch(t.text);
    const whole = normalizeForSearch(field(users[t.of % users.length] as User));
    const from = Math.min(t.from, whole.length);
    return whole.slice(from, from + t.length);
  };
  // Structure 3 is one no user belongs to.
  const structureIds = q.structures.map((s) => structures[s] ?? structureId(`${structures[0]}-none`));
  const query: { -readonly [K in keyof UserSearchQuery]: UserSearchQuery[K] } = { structureIds, limit: q.limit };
  if (q.service !== null) {
    const [s, k] = q.service;
    // Its structure among those searched (as the application asks), searched or not.
    query.service = { structureId: structures[s] as StructureId, serviceId: services(s)[k] ?? serviceId(`${structures[s]}-c`) };
  }
  const lastName = text(q.lastName, (u) => u.lastName);
  const firstName = text(q.firstName, (u) => u.firstName);
  const login = text(q.login, (u) => u.login);
  if (lastName !== undefined) query.lastName = lastName;
  if (firstName !== undefined) query.firstName = firstName;
  if (login !== undefined) query.login = login;
  if (q.status !== undefined) query.status = q.status;
  if (q.after !== null) query.after = searchKeyOf(users[q.after % users.length] as User);
  return query;
}
