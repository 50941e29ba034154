// Search property (SPEC §3.5, §4 minimal disclosure), on the memory store: for random
// structures, services, users, attachments and managers (some users then edited —
// names, status, attachments — so the store's indexes must follow), and random actors
// and criteria, `app.searchUsers` followed page by page (a) never gives a user who is
// not of a structure the actor manages now, nor names a structure the actor does not
// manage, and (b) gives over all its pages exactly the core's `searchReference` over
// every user, scoped to the actor's managed structures as stated here independently of
// the code, with the criteria normalised as the schema does (normalizeForSearch, blank
// dropped).
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  ACCOUNT_STATUSES,
  createHabilitations,
  localDate,
  normalizeForSearch,
  searchReference,
  searchStructuresOf,
  serviceId,
  structureId,
  userId,
  type AccountStatus,
  type Attachment,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type User,
  type UserSearchHit,
  type UserSearchQuery,
} from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const TODAY = "2026-11-27";
const LONG_AGO = "2026-01-01T00:00:00.000Z";

// ------------------------------------------------------------------------- the world

const STRUCTURES = [
  { id: structureId("s-1"), designation: "Mairie de Lyon" },
  { id: structureId("s-2"), designation: "MAIRIE DE SAINT-ÉTIENNE" },
  { id: structureId("s-3"), designation: "Librairie Dupont" },
] as const;
const SERVICES: readonly { readonly id: ServiceId; readonly structureId: StructureId }[] = [
  { id: serviceId("svc-1a"), structureId: structureId("s-1") },
  { id: serviceId("svc-1b"), structureId: structureId("s-1") },
  { id: serviceId("svc-2a"), structureId: structureId("s-2") },
];
const servicesOf = (s: StructureId) => SERVICES.filter((x) => x.structureId === s).map((x) => x.id);

/** Names that normalise alike in different spellings, and others that share pieces. */
const LAST_NAMES = ["Lefèvre", "LEFEVRE", "lefèvre", "Lefort", "Dupont", "Du Pont", "D'Alembert", "d’Alembert", "Œhler", "Oehler", "Straße", "Strasse", "Martin"];
const FIRST_NAMES = ["Élodie", "ELODIE", "Elodie", "Élise", "Jean-Pierre", "Jean Pierre", "Chloé", "Lætitia", "Laetitia", "Zoé"];
const DOMAINS = ["mairie-lyon.fr", "acme.fr", "librairie-dupont.fr"];

/** Criteria pieces: partial, accented or not, any case, some blank (no criterion), some matching nobody. */
const NAME_PIECES = ["e", "el", "ÉLO", "elodie", "lef", "LEFÈ", "lefevre", "dup", "du p", "d'a", "d’al", "oe", "œ", "ss", "ß", "jean-p", "jean p", "ae", "zz", "", " ", "-", "'"];
const LOGIN_PIECES = ["u1", "u", "acme", "@mairie", "MAIRIE-LYON", "lyon.fr", ".fr", "zz", "", " "];
const DESIGNATION_PIECES = ["mairie", "MAIRIE DE", "saint-etienne", "saint etienne", "lyon", "dupont", "e", "acme", "", " - "];

interface UserSpec {
  readonly lastName: string;
  readonly firstName: string;
  readonly domain: string;
  readonly status: AccountStatus;
  readonly attachments: readonly Attachment[];
  readonly createdFor: StructureId | null;
}

const attachmentArb = (s: StructureId) =>
  fc
    .record({
      role: fc.constantFrom("user" as const, "secondaryManager" as const),
      validFrom: fc.constantFrom("2026-11-01", TODAY, "2026-11-28"),
      services: servicesOf(s).length === 0 ? fc.constant(undefined) : fc.option(fc.subarray(servicesOf(s), { minLength: 1 }), { nil: undefined }),
    })
    .map(
      ({ role, validFrom, services }): Attachment => ({
        structureId: s,
        role,
        scope: services === undefined || services.length === 0 ? { kind: "structure" } : { kind: "services", serviceIds: [...services].sort() },
        validFrom: localDate(validFrom),
        attachedBy: userId("u-0"),
        attachedAt: LONG_AGO as Attachment["attachedAt"],
        validUntil: null,
        endNotice: null,
      }),
    );

const userArb: fc.Arbitrary<UserSpec> = fc.record({
  lastName: fc.constantFrom(...LAST_NAMES),
  firstName: fc.constantFrom(...FIRST_NAMES),
  domain: fc.constantFrom(...DOMAINS),
  status: fc.constantFrom<AccountStatus>("active", "active", "active", "pendingActivation", "deactivated"),
  attachments: fc
    .subarray(STRUCTURES.map((s) => s.id))
    .chain((ids): fc.Arbitrary<readonly Attachment[]> => (ids.length === 0 ? fc.constant([]) : fc.tuple(...ids.map(attachmentArb)))),
  createdFor: fc.option(fc.constantFrom(...STRUCTURES.map((s) => s.id)), { nil: null }),
});

interface World {
  /** The users as first stored. */
  readonly initial: readonly User[];
  /** Later changes to some of them (names, status, attachments, created for), in order. */
  readonly edits: readonly User[];
  /** The users as they are after the edits: what a search must see. */
  readonly users: readonly User[];
  readonly structures: readonly Structure[];
  readonly services: readonly Service[];
}

/** A user's record from a spec, with the structures they are primary manager of attached whole. */
function userOf(i: number, spec: UserSpec, login: string, primaryOf: readonly StructureId[]): User {
  const attachments = spec.attachments.filter((a) => !primaryOf.includes(a.structureId));
  for (const s of primaryOf)
    attachments.push({
      structureId: s,
      role: "user",
      scope: { kind: "structure" },
      validFrom: localDate("2026-01-01"),
      attachedBy: userId(`u-${i + 1}`),
      attachedAt: LONG_AGO as Attachment["attachedAt"],
      validUntil: null,
      endNotice: null,
    });
  return {
    id: userId(`u-${i + 1}`),
    login,
    contactEmail: `u${i + 1}@example.fr`,
    lastName: spec.lastName,
    firstName: spec.firstName,
    status: spec.status,
    attachments,
    grants: [],
    phone: null,
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: spec.createdFor,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: LONG_AGO as User["createdAt"],
  };
}

/**
 * Users u-1…u-n; each structure's primary manager is one of them, attached to the whole
 * structure; then up to four edits of random users (the search indexes must follow them).
 */
const worldArb: fc.Arbitrary<World> = fc
  .record({
    specs: fc.array(userArb, { minLength: 1, maxLength: 14 }),
    primaries: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
    edits: fc.array(fc.tuple(fc.nat(), userArb), { maxLength: 4 }),
  })
  .map(({ specs, primaries, edits }) => {
    const primaryIndex = STRUCTURES.map((_s, k) => (primaries[k] as number) % specs.length);
    const primaryOf = (i: number) => STRUCTURES.filter((_s, k) => primaryIndex[k] === i).map((s) => s.id);
    const logins = specs.map((spec, i) => `u${i + 1}.${normalizeForSearch(spec.firstName).replace(/ /g, "")}@${spec.domain}`);
    const initial = specs.map((spec, i) => userOf(i, spec, logins[i] as string, primaryOf(i)));
    const users = [...initial];
    const edited: User[] = [];
    for (const [n, spec] of edits) {
      const i = n % specs.length;
      const user = userOf(i, spec, logins[i] as string, primaryOf(i));
      users[i] = user;
      edited.push(user);
    }
    const structures = STRUCTURES.map(
      (s, k): Structure => ({
        id: s.id,
        designation: s.designation,
        kind: "public",
        viaPigp: false,
        identifier: { type: "siret", value: "21690123100011" },
        primaryManagerId: userId(`u-${(primaryIndex[k] as number) + 1}`),
        openSpaces: [],
        createdAt: LONG_AGO as Structure["createdAt"],
      }),
    );
    const services = SERVICES.map(
      (x, k): Service => ({ ...x, code: `C${k}`, label: "Service", active: k !== 1, openSpaces: [], createdAt: LONG_AGO as Service["createdAt"] }),
    );
    return { initial, edits: edited, users, structures, services };
  });

/** Zero to three criteria, so that searches find someone often enough. */
const criteriaArb: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.oneof(
      fc.record({ lastName: fc.constantFrom(...NAME_PIECES) }),
      fc.record({ firstName: fc.constantFrom(...NAME_PIECES) }),
      fc.record({ login: fc.constantFrom(...LOGIN_PIECES) }),
      fc.record({ status: fc.constantFrom<string>(...ACCOUNT_STATUSES) }),
      fc.record({ designation: fc.constantFrom(...DESIGNATION_PIECES) }),
      fc.record({ structureId: fc.constantFrom<string>(...STRUCTURES.map((s) => s.id), "s-9") }),
      fc.record({ serviceId: fc.constantFrom<string>(...SERVICES.map((s) => s.id), "svc-9") }),
    ),
    { maxLength: 3 },
  )
  .map((parts) => Object.assign({}, ...parts) as Record<string, string>);

/** The actor: any user, or the primary manager of a structure (so that many actors manage something). */
const actorArb = fc.oneof(
  fc.nat().map((n) => (w: World) => w.users[n % w.users.length] as User),
  fc.nat(2).map((k) => (w: World) => w.users.find((u) => u.id === w.structures[k]?.primaryManagerId) as User),
);

// ------------------------------------------------------- the rule, stated independently

/** Manages a structure now: an active account, and its primary manager or a secondary manager in force today. */
function manages(actor: User, structure: Structure): boolean {
  if (actor.status !== "active") return false;
  if (structure.primaryManagerId === actor.id) return true;
  const a = actor.attachments.find((x) => x.structureId === structure.id);
  return a !== undefined && a.role === "secondaryManager" && a.validFrom <= TODAY;
}

/** The users a search by `actor` with `criteria` must find, in order, from the core's reference. */
function expected(w: World, actor: User, criteria: Record<string, string>): string[] {
  const text = (k: string) => {
    const v = criteria[k];
    if (v === undefined) return undefined;
    const n = normalizeForSearch(v);
    return n === "" ? undefined : n;
  };
  let ids = w.structures.filter((s) => manages(actor, s)).map((s) => s.id);
  if (criteria["structureId"] !== undefined) ids = ids.filter((id) => id === criteria["structureId"]);
  const designation = text("designation");
  if (designation !== undefined)
    ids = ids.filter((id) => normalizeForSearch(w.structures.find((s) => s.id === id)?.designation ?? "").includes(designation));
  let service: UserSearchQuery["service"];
  if (criteria["serviceId"] !== undefined) {
    const found = w.services.find((s) => s.id === criteria["serviceId"]);
    if (found === undefined || !ids.includes(found.structureId)) return [];
    ids = [found.structureId];
    service = { structureId: found.structureId, serviceId: found.id };
  }
  if (ids.length === 0) return [];
  const query: { -readonly [K in keyof UserSearchQuery]?: UserSearchQuery[K] } = { structureIds: ids, limit: Number.MAX_SAFE_INTEGER };
  if (service !== undefined) query.service = service;
  for (const k of ["lastName", "firstName", "login"] as const) {
    const v = text(k);
    if (v !== undefined) query[k] = v;
  }
  if (criteria["status"] !== undefined) query.status = criteria["status"] as AccountStatus;
  return searchReference(w.users, query as UserSearchQuery).map((u) => u.id);
}

// -------------------------------------------------------------------------- the run

async function open(w: World) {
  const store = createMemoryStore();
  const seeded = await store.commit({
    writes: [
      ...w.structures.map((value) => ({ kind: "structure" as const, value, expectedVersion: null })),
      ...w.services.map((value) => ({ kind: "service" as const, value, expectedVersion: null })),
      ...w.initial.map((value) => ({ kind: "user" as const, value, expectedVersion: null })),
    ],
    reads: [],
    history: [],
    events: [],
  });
  if (!seeded.ok) throw new Error(`seeding failed: ${seeded.error.code}`);
  for (const value of w.edits) {
    const row = await store.getUser(value.id);
    const edited = await store.commit({ writes: [{ kind: "user", value, expectedVersion: row?.version ?? null }], reads: [], history: [], events: [] });
    if (!edited.ok) throw new Error(`edit failed: ${edited.error.code}`);
  }
  let n = 0;
  return createHabilitations({ store, clock: () => NOW, newId: (kind) => `${kind}-${++n}` });
}

describe("searchUsers — a manager never sees a user outside their structures, and finds exactly the reference", () => {
  test.prop([worldArb, actorArb, criteriaArb, fc.integer({ min: 1, max: 6 })], { numRuns: 200 })(
    "over random worlds, actors and criteria, page by page",
    async (w, pick, criteria, limit) => {
      const app = await open(w);
      const actor = pick(w);
      const hits: UserSearchHit[] = [];
      let cursor: string | null | undefined;
      for (let guard = 0; guard < 100 && cursor !== null; guard++) {
        const r = await app.searchUsers(actor.id, cursor === undefined ? { criteria, limit } : { criteria, limit, cursor });
        if (actor.status !== "active") {
          expect(r).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" } });
          return;
        }
        if (!r.ok) throw new Error(`refused: ${r.error.code}`);
        expect(r.value.items.length).toBeLessThanOrEqual(limit);
        if (r.value.nextCursor !== null) expect(r.value.items.length).toBe(limit);
        hits.push(...r.value.items);
        cursor = r.value.nextCursor;
      }
      expect(cursor).toBeNull();

      const managed = new Set(w.structures.filter((s) => manages(actor, s)).map((s) => s.id));
      const byId = new Map(w.users.map((u) => [u.id as string, u]));
      for (const hit of hits) {
        const user = byId.get(hit.id) as User;
        // (a) a user of a structure the actor manages now, shown with those structures only
        const theirs = searchStructuresOf(user).filter((s) => managed.has(s));
        expect(theirs.length, `${hit.id} is outside ${actor.id}'s structures`).toBeGreaterThan(0);
        expect(hit.structures.map((s) => s.structureId).sort()).toEqual([...theirs].sort());
        for (const s of hit.structures) {
          const structure = w.structures.find((x) => x.id === s.structureId) as Structure;
          const role = structure.primaryManagerId === user.id ? "primaryManager" : (user.attachments.find((a) => a.structureId === s.structureId)?.role ?? null);
          expect(s).toEqual({ structureId: structure.id, designation: structure.designation, role });
        }
        expect(hit).toMatchObject({ login: user.login, lastName: user.lastName, firstName: user.firstName, status: user.status });
      }
      // (b) exactly the reference, each once, in search order
      expect(hits.map((h) => h.id)).toEqual(expected(w, actor, criteria));
    },
  );

  test.prop([worldArb, criteriaArb])("an actor who exists nowhere gets UNKNOWN_ACTOR (unknown)", async (w, criteria) => {
    const app = await open(w);
    expect(await app.searchUsers("u-nobody", { criteria })).toEqual({ ok: false, error: { code: "UNKNOWN_ACTOR", reason: "unknown" } });
  });
});
