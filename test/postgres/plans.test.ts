// Reads cost the same whatever the size of a structure's history, members or requests:
// each query the store sends is checked with EXPLAIN ANALYZE on a structure of 20 000
// history entries, 5 000 members, 5 000 pending requests and 5 000 pending subscription
// requests among 10 000 (the others decided), beside another as large. The user search
// is checked on 3 structures of 2 000 members (and users created for them) among 50 000
// users attached to 100 other structures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attachmentRequestId,
  searchKeyOf,
  searchReference,
  serviceId,
  structureId,
  userId,
  type AccountStatus,
  type HistoryKind,
  type Instant,
  type LocalDate,
  type StructureId,
  type User,
  type UserSearchQuery,
} from "../../src/core/index.js";
import { createPostgresStore, type PostgresPool, type PostgresQuery } from "../../src/postgres/index.js";
import { searchColumnsOf } from "../../src/postgres/search-columns.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { createPool, forward, freshStore, textOf } from "./helpers.js";

const pool = createPool();
let schema: string;
let drop: () => Promise<void>;
let store: HabilitationsStore;
let last: { text: string; values: unknown[] } | undefined;

const HISTORY = 20_000;
const MEMBERS = 5_000;
const T0 = Date.UTC(2026, 0, 1);
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString() as Instant;

beforeAll(async () => {
  ({ schema, drop } = await freshStore(pool, "plans"));
  const s = `"${schema}"`;
  // Two structures alike; in s-big the rare kind, the rare target and the oldest period
  // sit at the very beginning of a long history.
  for (const structure of ["s-big", "s-other"]) {
    await pool.query(
      `INSERT INTO ${s}.history (data)
       SELECT jsonb_build_object(
         'structureId', $1::text,
         'kind', CASE WHEN i <= 10 THEN 'attachmentRequestRefused' WHEN i <= 20 THEN 'serviceRenamed' ELSE 'userAttached' END,
         'at', to_char(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'actorId', 'u-admin',
         'targetUserId', CASE WHEN i <= 5 THEN 'u-rare' ELSE 'u-' || lpad((i % ${MEMBERS})::text, 5, '0') END,
         'requestId', null,
         'details', '{}'::jsonb)
       FROM generate_series(1, ${HISTORY}) AS i ORDER BY i`,
      [structure],
    );
    await pool.query(
      `INSERT INTO ${s}.attachment_requests (data, version)
       SELECT jsonb_build_object('id', 'r-' || $1::text || '-' || lpad(i::text, 5, '0'), 'structureId', $1::text, 'userId', 'u-' || lpad(i::text, 5, '0'),
         'requestedRole', 'user', 'scope', '{"kind":"structure"}'::jsonb, 'comment', '', 'status', 'pending',
         'createdAt', to_char(timestamptz '2026-01-01 00:00:00+00' + (i / 3) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 1
       FROM generate_series(1, ${MEMBERS}) AS i`,
      [structure],
    );
    // Subscription requests: odd ones pending, even ones validated, interleaved in time.
    await pool.query(
      `INSERT INTO ${s}.subscription_requests (data, version)
       SELECT jsonb_build_object('id', 'sub-' || $1::text || '-' || lpad(i::text, 5, '0'), 'structureId', $1::text,
         'userId', 'u-' || lpad((i % ${MEMBERS})::text, 5, '0'),
         'items', '[{"space":"FACTURES_RECUES","serviceId":null,"access":"read"}]'::jsonb, 'comment', '',
         'createdAt', to_char(timestamptz '2026-01-01 00:00:00+00' + (i / 3) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
         || CASE WHEN i % 2 = 1 THEN '{"status":"pending"}'::jsonb
            ELSE jsonb_build_object('status', 'validated', 'decidedBy', 'u-admin', 'decidedAt', '2026-02-01T00:00:00.000Z',
              'grantedItems', '[{"space":"FACTURES_RECUES","serviceId":null,"access":"read"}]'::jsonb, 'scope', 'user', 'managerComment', '') END,
         CASE WHEN i % 2 = 1 THEN 1 ELSE 2 END
       FROM generate_series(1, ${2 * MEMBERS}) AS i`,
      [structure],
    );
  }
  await pool.query(
    `INSERT INTO ${s}.users (data, version, login_key)
     SELECT jsonb_build_object('id', 'u-' || lpad(i::text, 5, '0'), 'login', 'u' || i || '@example.fr', 'attachments', '[]'::jsonb, 'grants', '[]'::jsonb), 1, 'u' || i || '@example.fr'
     FROM generate_series(0, ${MEMBERS}) AS i`,
  );
  await pool.query(
    `INSERT INTO ${s}.attachments (structure_id, user_id, role, valid_from, scope)
     SELECT st, 'u-' || lpad(i::text, 5, '0'), 'user', '2026-01-01', '{"kind":"structure"}'::jsonb
     FROM generate_series(0, ${MEMBERS}) AS i, unnest(ARRAY['s-big', 's-other']) AS st`,
  );
  await seedSearch(s);
  await pool.query(`ANALYZE ${s}.history, ${s}.attachment_requests, ${s}.subscription_requests, ${s}.users, ${s}.attachments`);
  const capturing: PostgresPool = {
    query: ((text: string | PostgresQuery, values?: unknown[]) => {
      last = { text: textOf(text), values: typeof text === "string" ? (values ?? []) : text.values };
      return forward(pool, text, values);
    }) as PostgresPool["query"],
    connect: () => pool.connect(),
  };
  store = createPostgresStore(capturing, { schema });
}, 60_000);
afterAll(async () => {
  await drop();
  await pool.end();
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

const SEARCH_USERS = 50_000;
const searched = ["s-search-a", "s-search-b", "s-search-c"].map(structureId);
const svc1 = serviceId("svc-search-a1");
const svc2 = serviceId("svc-search-a2");
/** The users of the search cases (plain data as the store keeps it), for the reference answers. */
const searchUsers: User[] = [];

/**
 * User i (of 50 000): one of 4 last names (1 in 4 "Lefèvre") and 7 first names, 1 in 10
 * pending activation. Users 0-5 999: a member of searched structure i % 3 (on s-search-a,
 * 1 in 4 with a scope of service 1, 1 in 4 of service 2, the others whole), users below
 * 600 also of the next one; users 6 000-6 299 created for s-search-a, not attached; the
 * others members of one of 100 other structures.
 */
function searchUser(i: number): User {
  const id = userId(`p-${String(i).padStart(5, "0")}`);
  const lastName = ["Lefèvre", "Martin", "Dupont", "Durand"][(i * 7) % 4] as string;
  const firstName = ["Élodie", "Jean", "Anne", "Zoé", "Léa", "Hugo", "Inès"][(i * 3) % 7] as string;
  const structures: StructureId[] =
    i < 6_000 ? (i < 600 ? [searched[i % 3], searched[(i + 1) % 3]] : [searched[i % 3]]) as StructureId[] : i < 6_300 ? [] : [structureId(`s-other-${i % 100}`)];
  return {
    id,
    login: `${id}@example.fr`,
    contactEmail: `${id}@example.fr`,
    lastName,
    firstName,
    status: (i % 10 === 0 ? "pendingActivation" : "active") as AccountStatus,
    attachments: structures.map((structure) => ({
      structureId: structure,
      role: "user" as const,
      scope:
        structure === searched[0] && i % 4 < 2
          ? { kind: "services" as const, serviceIds: [i % 4 === 0 ? svc1 : svc2] }
          : { kind: "structure" as const },
      validFrom: "2026-01-01" as User["attachments"][number]["validFrom"],
      attachedBy: userId("u-admin"),
      attachedAt: minute(0),
      validUntil: null,
      endNotice: null,
    })),
    grants: [],
    phone: null,
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: i >= 6_000 && i < 6_300 ? (searched[0] as StructureId) : null,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: minute(0),
  };
}

/** The search cases' users and attachment rows, with their search values as the store computes them. */
async function seedSearch(s: string): Promise<void> {
  for (let from = 0; from < SEARCH_USERS; from += 10_000) {
    const users = Array.from({ length: 10_000 }, (_, k) => searchUser(from + k));
    searchUsers.push(...users);
    const columns = users.map(searchColumnsOf);
    await pool.query(
      `INSERT INTO ${s}.users (data, version, login_key, search_key, search_last, search_first, search_login)
       SELECT d, 1, d ->> 'login', k, l, f, g FROM unnest($1::jsonb[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(d, k, l, f, g)`,
      [users.map((u) => JSON.stringify(u)), ...(["searchKey", "searchLast", "searchFirst", "searchLogin"] as const).map((c) => columns.map((x) => x[c]))],
    );
    const rows = users.flatMap((u, k) => u.attachments.map((a) => [a.structureId, u.id, JSON.stringify(a.scope), columns[k]?.searchKey]));
    await pool.query(
      `INSERT INTO ${s}.attachments (structure_id, user_id, role, valid_from, scope, search_key)
       SELECT st, u, 'user', '2026-01-01', sc, k FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) AS v(st, u, sc, k)`,
      [0, 1, 2, 3].map((c) => rows.map((r) => r[c])),
    );
  }
}

/** The rows the last query's scans touched (returned or filtered out), and the scans used. */
async function explainLast() {
  if (last === undefined) throw new Error("no query captured");
  const { rows } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${last.text}`, last.values);
  const plan = (rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]?.Plan as PlanNode;
  let touched = 0;
  let sorted = 0;
  const scans: string[] = [];
  /** Rows touched per index (or table) scanned. */
  const by: Record<string, number> = {};
  const walk = (node: PlanNode) => {
    if (node["Relation Name"] !== undefined) {
      const rows = node["Actual Rows"] * node["Actual Loops"] + (node["Rows Removed by Filter"] ?? 0) * node["Actual Loops"];
      touched += rows;
      const scanned = node["Index Name"] ?? node["Relation Name"];
      by[scanned] = (by[scanned] ?? 0) + rows;
      scans.push(`${node["Node Type"]} ${scanned}`);
    }
    if (node["Node Type"] === "Sort") sorted += node["Actual Rows"] * node["Actual Loops"];
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return { touched, scans, sorted, by };
}

const big = structureId("s-big");

describe("reads touch a bounded number of rows in a large structure", () => {
  const cases: [string, () => Promise<unknown[]>, number][] = [
    ["history, newest page", () => store.readHistory(big, { limit: 20 }), 20],
    ["history, a page deep in the past", () => store.readHistory(big, { limit: 20, before: 100 }), 20],
    ["history, a rare kind", () => store.readHistory(big, { limit: 20, kinds: ["attachmentRequestRefused"] }), 10],
    [
      "history, two rare kinds",
      () => store.readHistory(big, { limit: 20, kinds: ["attachmentRequestRefused", "serviceRenamed"] as HistoryKind[] }),
      20,
    ],
    ["history, a rare target user", () => store.readHistory(big, { limit: 20, targetUserId: userId("u-rare") }), 5],
    [
      "history, a rare target user and kind",
      () => store.readHistory(big, { limit: 20, targetUserId: userId("u-rare"), kinds: ["attachmentRequestRefused"] }),
      5,
    ],
    ["history, an old period", () => store.readHistory(big, { limit: 20, from: minute(1), to: minute(8) }), 7],
    ["history, up to an old instant", () => store.readHistory(big, { limit: 20, to: minute(30) }), 20],
    ["history, a recent period", () => store.readHistory(big, { limit: 20, from: minute(HISTORY - 30) }), 20],
    ["history, a rare kind before a position", () => store.readHistory(big, { limit: 20, kinds: ["serviceRenamed"], before: 15 }), 4],
    ["members, a page in the middle", () => store.listMembers(big, { limit: 20, after: userId("u-02500") }), 20],
    ["members, the first page", () => store.listMembers(big, { limit: 20 }), 20],
    [
      "pending requests, a page in the middle",
      () => store.listPendingRequests(big, { limit: 20, after: { createdAt: minute(10), id: attachmentRequestId("r-s-big-01800") } }),
      20,
    ],
    [
      "pending subscription requests, the first page",
      () => store.listPendingSubscriptionRequests(big, { limit: 20 }),
      20,
    ],
    [
      "pending subscription requests, a page in the middle",
      () => store.listPendingSubscriptionRequests(big, { limit: 20, after: { createdAt: minute(20), id: "sub-s-big-03601" } }),
      20,
    ],
    [
      "pending subscription requests, the last page",
      () => store.listPendingSubscriptionRequests(big, { limit: 20, after: { createdAt: minute(55.5), id: "sub-s-big-09991" } }),
      4,
    ],
    ["a pending request by user and structure", async () => [await store.findPendingRequest(userId("u-00042"), big)], 1],
    ["a user by login", async () => [await store.findUserByLogin(" U42@example.fr")], 1],
    // Issue 21: nobody here has a right with an end; the sweep's query reads the two partial indexes, not the users.
    [
      "the users due for the expiry sweep",
      () => store.findDueExpiries({ warnThrough: "2026-12-12" as LocalDate, expireThrough: "2026-11-27" as LocalDate, limit: 20 }),
      0,
    ],
  ];
  for (const [name, read, expected] of cases) {
    it(name, async () => {
      const found = await read();
      expect(found.filter((x) => x !== null)).toHaveLength(expected);
      const { touched, scans } = await explainLast();
      expect(scans.filter((scan) => scan.startsWith("Seq Scan")), scans.join(", ")).toEqual([]);
      // A page of 20 may look at a few index entries more than it returns (one range
      // per kind, an index entry and a row per member), never at the structure's thousands.
      expect(touched, `${touched} rows touched by ${scans.join(", ")}`).toBeLessThanOrEqual(2 * 20 + 10);
    });
  }
});

describe("a search page reads the searched structures' members in search order, never all of them sorted", () => {
  const keyOf = (i: number) => searchKeyOf(searchUser(i));
  /** Index entries of the three structures' members (2 200 each), and the 300 users created for one. */
  const MEMBERS_SEARCHED = 3 * 2_200 + 300;
  // [case, query, users fetched by key at most, rows touched at most]
  const cases: [string, Omit<UserSearchQuery, "limit">, number, number][] = [
    ["three structures, the first page", { structureIds: searched }, 3 * 20, 3 * 3 * 20 + 10],
    ["three structures, a page deep in", { structureIds: searched, after: keyOf(3_001) }, 3 * 20, 3 * 3 * 20 + 10],
    // The name criteria are read on the index entries: only the matching members are
    // fetched, but every entry sorting before the 20th match is passed over (a substring
    // has no index range): here half of the members sort before the first « Lefèvre ».
    ["three structures, a last name 1 in 4 has", { structureIds: searched, lastName: "lef" }, 3 * 20, MEMBERS_SEARCHED],
    ["three structures, a last and a first name (1 in 28)", { structureIds: searched, lastName: "lef", firstName: "elo" }, 3 * 20, MEMBERS_SEARCHED],
    // The status is read on the user's row: about 10 fetched per match.
    ["three structures, pending accounts (1 in 10)", { structureIds: searched, status: "pendingActivation" }, 3 * 10 * 20, 3 * 3 * 10 * 20],
    ["one structure and the users created for it, a last name sorting first", { structureIds: [searched[0] as StructureId], lastName: "dup" }, 2 * 20, 3 * 20 + 10],
    ["a service (3 in 4 members of its structure)", { structureIds: searched, service: { structureId: searched[0] as StructureId, serviceId: svc1 } }, 2 * 20, 3 * 2 * 20],
    [
      // Members of s-search-a also in s-search-b: 1 in 11 of them.
      "a service of a structure not searched",
      { structureIds: [searched[1] as StructureId], service: { structureId: searched[0] as StructureId, serviceId: svc2 } },
      20 * 20,
      3 * 20 * 20,
    ],
  ];
  for (const [name, criteria, fetched, bound] of cases) {
    it(name, async () => {
      const query = { ...criteria, limit: 20 };
      const found = await store.searchUsers(query);
      expect(found.map((u) => u.id)).toEqual(searchReference(searchUsers, query).map((u) => u.id));
      expect(found).toHaveLength(20);
      const { touched, scans, sorted, by } = await explainLast();
      if (process.env["PLANS_REPORT"]) console.log(name, { touched, sorted, by });
      expect(scans.filter((scan) => scan.startsWith("Seq Scan")), scans.join(", ")).toEqual([]);
      expect(scans.some((scan) => scan.includes("attachments_search")), scans.join(", ")).toBe(true);
      // At most a page per structure searched and per range is sorted, never its 2 000 members.
      expect(sorted, `${sorted} rows sorted`).toBeLessThanOrEqual(3 * 2 * 20);
      expect(by["users_pkey"] ?? 0, `${by["users_pkey"]} users fetched by key`).toBeLessThanOrEqual(fetched);
      expect(touched, `${touched} rows touched: ${JSON.stringify(by)}`).toBeLessThanOrEqual(bound);
    });
  }

  it("the lookup by names: one range of the names index", async () => {
    const found = await store.findUsersByName("lefevre", "elodie", 20);
    expect(found).toHaveLength(20);
    const { touched, scans, sorted } = await explainLast();
    expect(scans).toEqual(["Index Scan users_search_names"]);
    expect(sorted).toBe(0);
    expect(touched).toBeLessThanOrEqual(20);
  });
});
