// Reads cost the same whatever the size of a structure's history, members or requests:
// each query the store sends is checked with EXPLAIN ANALYZE on a structure of 20 000
// history entries, 5 000 members, 5 000 pending requests and 5 000 pending subscription
// requests among 10 000 (the others decided), beside another as large.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentRequestId, structureId, userId, type HistoryKind, type Instant } from "../../src/core/index.js";
import { createPostgresStore, type PostgresPool } from "../../src/postgres/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { createPool, freshStore } from "./helpers.js";

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
  await pool.query(`ANALYZE ${s}.history, ${s}.attachment_requests, ${s}.subscription_requests, ${s}.users, ${s}.attachments`);
  const capturing: PostgresPool = {
    query: ((text: string, values?: unknown[]) => {
      last = { text, values: values ?? [] };
      return pool.query(text, values);
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

/** The rows the last query's scans touched (returned or filtered out), and the scans used. */
async function explainLast() {
  if (last === undefined) throw new Error("no query captured");
  const { rows } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${last.text}`, last.values);
  const plan = (rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]?.Plan as PlanNode;
  let touched = 0;
  const scans: string[] = [];
  const walk = (node: PlanNode) => {
    if (node["Relation Name"] !== undefined) {
      touched += node["Actual Rows"] * node["Actual Loops"] + (node["Rows Removed by Filter"] ?? 0) * node["Actual Loops"];
      scans.push(`${node["Node Type"]} ${node["Index Name"] ?? node["Relation Name"]}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return { touched, scans };
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
