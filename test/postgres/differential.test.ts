// Differential property: random sequences of commits (with clashing versions, keys,
// read checks, events and idempotency keys), outbox claims and acknowledgements, and
// purges give the same answers on the memory store (the reference) and on PostgreSQL,
// and leave both stores reading the same. Sequence numbers are compared by their order
// only: PostgreSQL may skip numbers (identity values of a refused unit are not reused).
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  attachmentRequestId,
  serviceId,
  spaceCode,
  structureId,
  userId,
  type AttachmentRequest,
  type HistoryKind,
  type Instant,
  type Service,
  type Structure,
  type SubscriptionRequest,
  type User,
} from "../../src/core/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";
import type { HabilitationsStore, HistoryQuery, UnitOfWork, Write } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, freshStore } from "./helpers.js";

const pool = createPool();
let schema: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ schema, drop } = await freshStore(pool, "diff"));
});
afterAll(async () => {
  await drop();
  await pool.end();
});

const STRUCTURES = ["s-1", "s-2"];
const USERS = ["u-1", "u-2", "u-3"];
const LOGINS = ["a@example.fr", " A@example.fr", "b@example.fr"];
const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 9, 0, s)).toISOString() as Instant;

// What a write carries, as small choices the stores' unique keys can clash on.
const SPACES = ["FACTURES_EMISES", "FACTURES_RECUES"].map(spaceCode);
const spacesArb = fc.subarray(SPACES);
const grantsArb = fc.array(
  fc.record({ structure: fc.constantFrom(...STRUCTURES), space: fc.constantFrom(...SPACES), service: fc.constantFrom(null, "svc-1"), write: fc.boolean() }),
  { maxLength: 2 },
);
const userArb = fc
  .record({ id: fc.constantFrom(...USERS), login: fc.constantFrom(...LOGINS), in: fc.subarray(STRUCTURES), name: fc.nat(2), grants: grantsArb })
  .map(({ id, login, in: attached, name, grants }): User => ({
    ...fx.user(id, attached.map(structureId), login),
    lastName: `N${name}`,
    grants: grants.map((g) => ({
      structureId: structureId(g.structure),
      space: g.space,
      serviceId: g.service === null ? null : serviceId(g.service),
      access: g.write ? "write" : "read",
      grantedBy: userId("u-admin"),
      grantedAt: at(1),
      validUntil: null,
      endNotice: null,
    })),
  }));
const structureArb = fc
  .record({ id: fc.constantFrom(...STRUCTURES), manager: fc.constantFrom(...USERS), spaces: spacesArb })
  .map(({ id, manager, spaces }): Structure => ({ ...fx.structure(id, manager), openSpaces: spaces }));
const serviceArb = fc
  .record({ id: fc.constantFrom("svc-1", "svc-2", "svc-3"), structure: fc.constantFrom(...STRUCTURES), code: fc.constantFrom("A", "a", "B"), spaces: spacesArb })
  .map(({ id, structure, code, spaces }): Service => ({ ...fx.service(id, structure, code), openSpaces: spaces }));
const requestArb = fc
  .record({
    id: fc.constantFrom("r-1", "r-2", "r-3"),
    user: fc.constantFrom("u-1", "u-2"),
    structure: fc.constantFrom(...STRUCTURES),
    minutes: fc.nat(2),
    refused: fc.boolean(),
  })
  .map(({ id, user, structure, minutes, refused }): AttachmentRequest => {
    const pending = fx.pendingRequest(id, user, structure, minutes);
    return refused ? { ...pending, status: "refused", decidedBy: userId("u-admin"), decidedAt: at(9), reason: "Non" } : pending;
  });

const SUBSCRIPTIONS = ["sub-1", "sub-2", "sub-3"];
const subscriptionArb = fc
  .record({
    id: fc.constantFrom(...SUBSCRIPTIONS),
    user: fc.constantFrom("u-1", "u-2"),
    structure: fc.constantFrom(...STRUCTURES),
    minutes: fc.nat(2),
    status: fc.constantFrom("pending", "pending", "validated", "refused"),
  })
  .map(({ id, user, structure, minutes, status }): SubscriptionRequest => {
    const pending = fx.pendingSubscription(id, user, structure, minutes);
    const decided = { decidedBy: userId("u-admin"), decidedAt: at(9), managerComment: "" };
    if (status === "validated") return { ...pending, ...decided, status, grantedItems: pending.items.slice(0, 1), scope: "user" };
    return status === "refused" ? { ...pending, ...decided, status } : pending;
  });

/** A version to name: none (create), the one stored now, or a fixed number. */
const versionArb = fc.oneof(fc.constant<"current" | null | number>("current"), fc.constant(null), fc.integer({ min: 1, max: 3 }));
const writeArb = fc.record({
  value: fc.oneof(userArb, structureArb, serviceArb, requestArb, subscriptionArb) as fc.Arbitrary<Write["value"]>,
  version: versionArb,
});
const kindOf = (value: Write["value"]): Write["kind"] =>
  "primaryManagerId" in value ? "structure"
  : "login" in value ? "user"
  : "items" in value ? "subscriptionRequest"
  : "status" in value ? "attachmentRequest"
  : "service";
const readArb = fc.record({
  kind: fc.constantFrom("user" as const, "structure" as const, "subscriptionRequest" as const),
  id: fc.constantFrom("u-1", "u-2", "s-1", "sub-1"),
  version: versionArb.map((v) => (v === null ? 1 : v)),
});
const HISTORY_KINDS: HistoryKind[] = ["userAttached", "roleChanged", "attachmentRemoved"];
const commitArb = fc.record({
  writes: fc.array(writeArb, { maxLength: 3 }),
  reads: fc.array(readArb, { maxLength: 2 }),
  history: fc.array(
    fc.record({ s: fc.constantFrom(...STRUCTURES), kind: fc.constantFrom(...HISTORY_KINDS), minutes: fc.nat(3), target: fc.constantFrom(null, "u-1", "u-2") }),
    { maxLength: 3 },
  ),
  events: fc.array(fc.constantFrom("e-1", "e-2", "e-3", "e-4"), { maxLength: 2 }),
  idempotency: fc.option(fc.record({ owner: fc.constantFrom("u-1", "-"), key: fc.constantFrom("k-1", "k-2"), seconds: fc.nat(3) }), { nil: undefined }),
});
type Op =
  | { readonly op: "commit"; readonly unit: typeof commitArb extends fc.Arbitrary<infer U> ? U : never }
  | { readonly op: "claim"; readonly limit: number; readonly now: number; readonly lease: number }
  | { readonly op: "ack"; readonly ids: string[] }
  | { readonly op: "purge"; readonly before: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: commitArb.map((unit) => ({ op: "commit" as const, unit })) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("claim" as const), limit: fc.integer({ min: 0, max: 3 }), now: fc.nat(4), lease: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("ack" as const), ids: fc.subarray(["e-1", "e-2", "e-3", "e-4", "e-9"]) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("purge" as const), before: fc.nat(4) }) },
);

/** Replaces sequence numbers by their rank among those seen, so both stores compare equal. */
function bySequenceRank(value: unknown, ranks: Map<number, number>): unknown {
  if (Array.isArray(value)) return value.map((v) => bySequenceRank(v, ranks));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "sequence" && typeof v === "number") {
      if (!ranks.has(v)) ranks.set(v, ranks.size);
      out[key] = `#${ranks.get(v)}`;
    } else out[key] = bySequenceRank(v, ranks);
  }
  return out;
}

type CommitOp = Extract<Op, { op: "commit" }>;

/** The unit of work a commit op names, versions resolved against the reference store's state. */
async function unitOf(op: CommitOp, current: (kind: Write["kind"], id: string) => Promise<number | null>): Promise<UnitOfWork> {
  const { unit } = op;
  const seen = new Set<string>();
  const writes: Write[] = [];
  for (const w of unit.writes) {
    const kind = kindOf(w.value);
    if (seen.has(`${kind}:${w.value.id}`)) continue; // writing one aggregate twice is a programming error
    seen.add(`${kind}:${w.value.id}`);
    const expectedVersion = w.version === "current" ? await current(kind, w.value.id) : w.version;
    writes.push({ kind, value: w.value, expectedVersion } as Write);
  }
  const reads = [];
  for (const r of unit.reads) reads.push({ ...r, version: r.version === "current" ? ((await current(r.kind, r.id)) ?? 1) : r.version });
  return {
    writes,
    reads,
    history: unit.history.map((h) => fx.history(h.s, h.kind, h.minutes, h.target)),
    events: unit.events.map((id) => fx.event(id)),
    ...(unit.idempotency === undefined ? {} : { idempotency: fx.idempotency(unit.idempotency.owner, unit.idempotency.key, unit.idempotency.seconds) }),
  };
}

async function apply(store: HabilitationsStore, op: Op, unit: UnitOfWork | undefined) {
  switch (op.op) {
    case "commit":
      return store.commit(unit as UnitOfWork);
    case "claim":
      return store.claimOutbox({ limit: op.limit, now: at(op.now), leaseUntil: at(op.now + op.lease) });
    case "ack":
      return store.acknowledgeOutbox(op.ids);
    case "purge":
      return store.purgeIdempotencyRecords(fx.idempotency("-", "-", op.before).at);
  }
}

const sortedById = <T extends { readonly value: { readonly id: string } }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => (a.value.id < b.value.id ? -1 : a.value.id > b.value.id ? 1 : 0));

/** Everything a store answers about the small world, for comparison. */
async function everything(store: HabilitationsStore) {
  const queries: Omit<HistoryQuery, "limit">[] = [{}, { kinds: ["roleChanged", "attachmentRemoved"] }, { targetUserId: userId("u-1") }, { from: fx.history("s-1", "userAttached", 1).at }];
  return {
    users: await Promise.all(USERS.map((id) => store.getUser(userId(id)))),
    // Batch reads come in any order.
    structures: (await store.getStructures(STRUCTURES.map(structureId))).sort((a, b) => a.value.id.localeCompare(b.value.id)),
    services: await Promise.all(STRUCTURES.map((s) => store.listServices(structureId(s)))),
    requests: await Promise.all(["r-1", "r-2", "r-3"].map((id) => store.getAttachmentRequest(attachmentRequestId(id)))),
    pending: await Promise.all(STRUCTURES.map((s) => store.listPendingRequests(structureId(s), { limit: 10 }))),
    subscriptions: sortedById((await store.getAggregates({ subscriptionRequest: SUBSCRIPTIONS })).subscriptionRequest),
    pendingSubscriptions: await Promise.all(
      STRUCTURES.flatMap((s) => [
        store.listPendingSubscriptionRequests(structureId(s), { limit: 10 }),
        store.listPendingSubscriptionRequests(structureId(s), { limit: 1, after: { createdAt: at(60), id: "sub-1" } }),
      ]),
    ),
    pendingOf: await Promise.all(["u-1", "u-2"].flatMap((u) => STRUCTURES.map((s) => store.findPendingRequest(userId(u), structureId(s))))),
    members: await Promise.all(STRUCTURES.map((s) => store.listMembers(structureId(s), { limit: 10 }))),
    logins: await Promise.all(LOGINS.map((login) => store.findUserByLogin(login))),
    services2: (await store.getServices(["svc-1", "svc-2", "svc-3"].map(serviceId))).sort((a, b) => a.value.id.localeCompare(b.value.id)),
    history: await Promise.all(STRUCTURES.flatMap((s) => queries.map((q) => store.readHistory(structureId(s), { ...q, limit: 100 })))),
    records: await Promise.all(["u-1", "-"].flatMap((o) => ["k-1", "k-2"].map((k) => store.getIdempotencyRecord(o, k)))),
  };
}

/** 150 runs take a few seconds; set DIFFERENTIAL_RUNS to search longer. */
const RUNS = Number(process.env["DIFFERENTIAL_RUNS"] ?? 150);

it("memory and PostgreSQL give the same answers to the same operations", async () => {
  const s = `"${schema}"`;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 15 }), async (ops) => {
      await pool.query(
        `TRUNCATE ${s}.structures, ${s}.services, ${s}.users, ${s}.attachments, ${s}.attachment_requests, ${s}.subscription_requests, ${s}.history, ${s}.outbox, ${s}.idempotency_records RESTART IDENTITY`,
      );
      const memory = createMemoryStore();
      const postgres = createPostgresStore(pool, { schema });
      const current = async (kind: Write["kind"], id: string) => {
        const row =
          kind === "user" ? await memory.getUser(userId(id))
          : kind === "structure" ? await memory.getStructure(structureId(id))
          : kind === "service" ? await memory.getService(serviceId(id))
          : kind === "subscriptionRequest" ? (await memory.getAggregates({ subscriptionRequest: [id] })).subscriptionRequest[0]
          : await memory.getAttachmentRequest(attachmentRequestId(id));
        return row?.version ?? null;
      };
      // History and outbox have sequences of their own.
      const [memoryRanks, postgresRanks] = [new Map<number, number>(), new Map<number, number>()];
      const [memoryOutbox, postgresOutbox] = [new Map<number, number>(), new Map<number, number>()];
      for (const [step, op] of ops.entries()) {
        const unit = op.op === "commit" ? await unitOf(op, current) : undefined;
        const expected = await apply(memory, op, unit);
        const got = await apply(postgres, op, unit);
        const outbox = op.op === "claim";
        expect(bySequenceRank(got, outbox ? postgresOutbox : postgresRanks), `step ${step}: ${JSON.stringify(op)}`).toEqual(
          bySequenceRank(expected, outbox ? memoryOutbox : memoryRanks),
        );
      }
      expect(bySequenceRank(await everything(postgres), postgresRanks)).toEqual(bySequenceRank(await everything(memory), memoryRanks));
    }),
    { numRuns: RUNS },
  );
}, 60_000 + RUNS * 100);
