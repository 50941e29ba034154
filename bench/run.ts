// `npm run bench`: every figure of SPEC §6 built so far, each a ratio of two things
// measured side by side in the same run (warm-up first, median of several rounds).
// Prints a table and writes bench/results.json. `--quick` is a smoke check (< 1 min).
//
// It measures what ships: the built package (`npm run bench` builds it first), imported
// through its public entries by name (`habilitations`, `habilitations/memory`), as a
// host imports it — never `src/`. Inputs look like production: random ids and names,
// records frozen as the store hands them out, queries for varying users and periods.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import {
  accountStatusLabel,
  attachmentRequestId,
  createHabilitations,
  exportDate,
  roleLabel,
  searchKeyOf,
  USER_EXPORT_HEADERS,
  mayAccess,
  servicesScope,
  structureId,
  userId,
  validateAttachmentRequest,
  type AttachmentRequest,
  type HabilitationsStore,
  type HistoryKind,
  type NewHistoryEntry,
  type SearchUsersInput,
  type Service,
  type User,
} from "habilitations";
import { createMemoryStore } from "habilitations/memory";
import { AT, attachment, clock, NOW, pending, randomId, seeded, seedPopulation, seedStructure, service, structure, TODAY, user } from "./fixtures.js";
import { postgresFigures } from "./postgres.js";
import { median, quick, round, ROUNDS, sideBySide, type Figure } from "./measure.js";
import { shippedFigures } from "./shipped.js";

export type { Figure } from "./measure.js";

// ------------------------------------------------------------------ pure validate

/**
 * The validate transition against the same state change written by hand with spreads
 * and no checks: the request decided, the requester's attachment replaced, one history
 * entry and one event (what the transition returns for a request naming two services).
 */
async function pureValidate(): Promise<Figure> {
  const s = structureId("s-1");
  const svcA = service("svc-a", "s-1", "COMPTA");
  const svcB = service("svc-b", "s-1", "RH");
  const services = new Map<Service["id"], Service>([
    [svcA.id, svcA],
    [svcB.id, svcB],
  ]);
  const actor = user("u-primary", [attachment(s)]);
  const requester = user("u-elodie", [attachment(structureId("s-other"))]);
  const theStructure = structure("s-1", "u-primary");
  const request = pending("req-1", "u-elodie", "s-1", ["svc-a", "svc-b"]);
  const scope = servicesScope([svcA.id, svcB.id]);
  const command = { requestId: attachmentRequestId("req-1"), role: "user" as const, scope };
  const ctx = { now: NOW, today: TODAY };
  const N = 1000;
  let sink: unknown;

  const byHand = () => {
    const at = NOW.toISOString();
    const attachments = requester.attachments.filter((x) => x.structureId !== s);
    attachments.push({ structureId: s, role: "user", scope, validFrom: TODAY, validUntil: null, endNotice: null, attachedBy: actor.id, attachedAt: at as typeof AT });
    return {
      request: { ...request, status: "validated", decidedBy: actor.id, decidedAt: at, grantedRole: "user", grantedScope: scope },
      requester: { ...requester, attachments },
      removedServiceIds: [],
      history: [
        { structureId: s, kind: "attachmentRequestValidated", at, actorId: actor.id, targetUserId: requester.id, requestId: request.id, details: { role: "user", scope } },
      ],
      events: [
        { type: "AttachmentRequestValidated", at, requestId: request.id, structureId: s, userId: requester.id, decidedBy: actor.id, role: "user", scope },
      ],
    };
  };
  const ours = () => {
    const r = validateAttachmentRequest({ actor, structure: theStructure, request, requester, services }, command, ctx);
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const result = await sideBySide(
    { name: "validate transition", fn: () => { for (let i = 0; i < N; i++) sink = ours(); } },
    { name: "hand-written spreads", fn: () => { for (let i = 0; i < N; i++) sink = byHand(); } },
    { time: quick ? 150 : 500, iterations: 20, batch: N },
  );
  void sink;
  return {
    name: "validate: pure transition vs hand-written spreads",
    layer: "pure",
    ratioOf: "transition µs / spreads µs",
    ratio: result.ratio,
    target: 3,
    stretch: 1.5,
    details: { "transition µs": round(result.a), "spreads µs": round(result.b) },
  };
}

// ------------------------------------------------------------- application validate

/**
 * Validating one request through the application layer and the memory store, in a
 * structure of 100 000 members against one of 100. After each validation the requester
 * is detached again (untimed), so each structure keeps its size.
 */
async function appValidate(): Promise<Figure> {
  const big = quick ? 20_000 : 100_000;
  const small = 100;
  const perRound = quick ? 150 : 400;
  const pool = (ROUNDS + 1) * (perRound + 60);
  const setup = async (members: number, name: string) => {
    const store = createMemoryStore();
    const seeded = await seedStructure(store, name, members, pool);
    const app = createHabilitations({ store, clock });
    let next = 0;
    let last: string | undefined;
    const fn = async () => {
      const requestId = seeded.requestIds[next++];
      if (requestId === undefined) throw new Error("request pool exhausted");
      last = requestId;
      const r = await app.validateAttachmentRequest(seeded.manager, { requestId });
      if (!r.ok) throw new Error(r.error.code);
    };
    const afterEach = async () => {
      if (last === undefined) return;
      const req = (await store.getAttachmentRequest(attachmentRequestId(last))) as { value: AttachmentRequest };
      const row = await store.getUser(req.value.userId);
      if (row === null) return;
      const detached: User = { ...row.value, attachments: [] };
      await store.commit({ writes: [{ kind: "user", value: detached, expectedVersion: row.version }], reads: [], history: [], events: [] });
      await store.acknowledgeOutbox((await store.claimOutbox({ limit: 100, now: AT, leaseUntil: AT })).map((m) => m.event.id));
    };
    return { fn, afterEach };
  };
  const large = await setup(big, "big");
  const little = await setup(small, "small");
  const result = await sideBySide(
    { name: `validate in ${big} members`, fn: large.fn, opts: { afterEach: large.afterEach } },
    { name: `validate in ${small} members`, fn: little.fn, opts: { afterEach: little.afterEach } },
    { time: 0, iterations: perRound },
  );
  return {
    name: `validate: application + memory store, ${big.toLocaleString("en")} vs ${small} members (random ids and names)`,
    layer: "application + memory",
    ratioOf: `µs at ${big} / µs at ${small}`,
    ratio: result.ratio,
    target: 1.1,
    stretch: 1.05,
    details: { [`µs at ${big}`]: round(result.a), [`µs at ${small}`]: round(result.b) },
  };
}

// ------------------------------------------------------------------ bulk validate

/**
 * Bulk validation through the application layer and the memory store: 20 000 requests
 * (each its own decision, unit of work and result) against 10 000, in structures of the
 * same size, each round on fresh stores. Linear would be 2; the target leaves 10 % for
 * the larger working set.
 */
async function bulkValidate(): Promise<Figure> {
  const big = quick ? 4_000 : 20_000;
  const small = big / 2;
  const bigs: number[] = [];
  const smalls: number[] = [];
  const ratios: number[] = [];
  const once = async (n: number, name: string) => {
    const store = createMemoryStore();
    const seeded = await seedStructure(store, name, 100, n);
    const app = createHabilitations({ store, clock });
    const items = seeded.requestIds.map((requestId) => ({ requestId }));
    (globalThis as { gc?: () => void }).gc?.();
    const started = process.hrtime.bigint();
    const r = await app.validateAttachmentRequests(seeded.manager, { items });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!r.ok) throw new Error(r.error.code);
    if (r.value.results.some((x) => !x.result.ok)) throw new Error("a bulk item was refused");
    return ms;
  };
  await once(small, "warm"); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which runs first.
    let bigMs: number;
    let smallMs: number;
    if (round % 2 === 0) {
      bigMs = await once(big, `b${round}`);
      smallMs = await once(small, `s${round}`);
    } else {
      smallMs = await once(small, `s${round}`);
      bigMs = await once(big, `b${round}`);
    }
    bigs.push(bigMs);
    smalls.push(smallMs);
    ratios.push(bigMs / smallMs);
  }
  return {
    name: `bulk validation: application + memory store, ${big.toLocaleString("en")} vs ${small.toLocaleString("en")} requests`,
    layer: "application + memory",
    ratioOf: `ms for ${big} / ms for ${small}`,
    ratio: median(ratios),
    target: 2.2,
    details: { [`ms for ${big}`]: round(median(bigs)), [`ms for ${small}`]: round(median(smalls)), "µs per request (large)": round((median(bigs) * 1000) / big) },
  };
}

// ----------------------------------------------------------------- history reads

/**
 * A filtered history page (one kind and one target user; then a period) in a structure
 * with a long history against one with a short history: flat in history length.
 */
async function historyFiltered(store: HabilitationsStore = createMemoryStore()): Promise<Figure> {
  const long = quick ? 60_000 : 300_000;
  const short = 10_000;
  const kinds: HistoryKind[] = ["attachmentRequestValidated", "attachmentRequestRefused", "userAttached", "roleChanged", "attachmentRemoved"];
  // Users with random ids, each the target of about 100 entries spread over the whole
  // history (so a page of one user's « Refusée » entries is as full in either structure):
  // the longer history has more users, not longer pages.
  const targetsOf = new Map<string, ReturnType<typeof userId>[]>();
  const pick = seeded(500);
  const seed = async (s: string, n: number) => {
    const targets = Array.from({ length: Math.max(1, Math.floor(n / 100)) }, () => userId(randomId("usr")));
    targetsOf.set(s, targets);
    let batch: NewHistoryEntry[] = [];
    for (let i = 0; i < n; i++) {
      const at = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() as typeof AT;
      batch.push({
        structureId: structureId(s),
        kind: kinds[i % kinds.length] as HistoryKind,
        at,
        actorId: userId("u-primary"),
        targetUserId: targets[Math.floor(pick() * targets.length)] as ReturnType<typeof userId>,
        requestId: null,
        details: {},
      });
      if (batch.length === 5000) {
        await store.commit({ writes: [], reads: [], history: batch, events: [] });
        batch = [];
      }
    }
    if (batch.length > 0) await store.commit({ writes: [], reads: [], history: batch, events: [] });
  };
  await seed("s-long", long);
  await seed("s-short", short);
  const query = (s: string, n: number) => {
    let k = 0;
    return async () => {
    // The newest page of « Refusée » entries about one user (another each time), then a page
    // of a period (another each time, anywhere in the history).
    k++;
    const targets = targetsOf.get(s) as ReturnType<typeof userId>[];
    const target = targets[(k * 7919) % targets.length] as ReturnType<typeof userId>;
    const a = await store.readHistory(structureId(s), { kinds: ["attachmentRequestRefused"], targetUserId: target, limit: 20 });
    const mid = new Date(Date.UTC(2024, 0, 1) + Math.floor(((k * 104_729) % 1000) / 1000 * (n - 120)) * 60_000);
    const b = await store.readHistory(structureId(s), {
      from: mid.toISOString() as typeof AT,
      to: new Date(mid.getTime() + 3_600_000).toISOString() as typeof AT,
      limit: 20,
    });
    if (a.length === 0 || b.length === 0) throw new Error("empty history page");
    };
  };
  const result = await sideBySide(
    { name: `history of ${long}`, fn: query("s-long", long) },
    { name: `history of ${short}`, fn: query("s-short", short) },
    { time: quick ? 150 : 400, iterations: 50 },
  );
  return {
    name: `filtered history page, varying users and periods: ${long.toLocaleString("en")} vs ${short.toLocaleString("en")} entries`,
    layer: "memory store",
    ratioOf: `µs at ${long} / µs at ${short}`,
    ratio: result.ratio,
    target: 1.1,
    details: { [`µs at ${long}`]: round(result.a), [`µs at ${short}`]: round(result.b) },
  };
}

// ------------------------------------------------------------------- access query

/** Queries for a structure's members: a mix of granted and refused accesses. */
function accessQueries(s: string, members: readonly string[], services: readonly string[], count: number) {
  const spaces = ["FACTURES_EMISES", "FACTURES_RECUES", "FACTURES_A_VALIDER", "SOLLICITATIONS_EMISES", "SOLLICITATIONS_RECUES"];
  const out: { userId: string; structureId: string; space: string; serviceId: string | null; access: "read" | "write" }[] = [];
  for (let i = 0; i < count; i++) {
    const member = members[(i * 7919) % members.length] as string;
    out.push({
      userId: member,
      structureId: s,
      space: spaces[i % spaces.length] as string,
      serviceId: i % 3 === 0 ? null : (services[i % 2] as string),
      access: i % 4 === 0 ? "write" : "read",
    });
  }
  return out;
}

/**
 * The access query answered by the rule over the records a store holds (users,
 * structures and services by id, as the memory store keeps them) against a hand-written
 * lookup in a `Map` of `Set`s of precomputed "structure|space|service|access" keys, among
 * 100 000 members with 3 grants each.
 */
async function accessAgainstMapOfSets(): Promise<Figure> {
  const members = quick ? 20_000 : 100_000;
  const store = createMemoryStore();
  const seeded = await seedStructure(store, "acc", members, 0, { grantsPerMember: 3 });
  const snap = store.snapshot();
  const users = new Map(snap.users.map((r) => [r.value.id as string, r.value]));
  const structures = new Map(snap.structures.map((r) => [r.value.id as string, r.value]));
  const services = new Map(snap.services.map((r) => [r.value.id as string, r.value]));
  // The hand-written index: every effective access, write also giving read.
  const index = new Map<string, Set<string>>();
  for (const u of snap.users) {
    const keys = new Set<string>();
    for (const g of u.value.grants) {
      const where = g.serviceId === null ? [null, ...seeded.services] : [g.serviceId];
      for (const svc of where)
        for (const access of g.access === "write" ? ["read", "write"] : ["read"]) keys.add(`${g.structureId}|${g.space}|${svc}|${access}`);
    }
    index.set(u.value.id, keys);
  }
  const queries = accessQueries("acc", seeded.members, seeded.services, 1000);
  let sink = 0;
  const ours = () => {
    for (const q of queries) {
      const user = users.get(q.userId);
      const structure = structures.get(q.structureId);
      const service = q.serviceId === null ? null : (services.get(q.serviceId) ?? null);
      if (user !== undefined && structure !== undefined && mayAccess({ user, structure, service }, q as unknown as Parameters<typeof mayAccess>[1], TODAY)) sink++;
    }
  };
  const byHand = () => {
    for (const q of queries) if (index.get(q.userId)?.has(`${q.structureId}|${q.space}|${q.serviceId}|${q.access}`) === true) sink++;
  };
  const result = await sideBySide(
    { name: "access rule over the records", fn: ours },
    { name: "Map of Sets", fn: byHand },
    { time: quick ? 150 : 400, iterations: 20, batch: queries.length },
  );
  void sink;
  return {
    name: `access query: the rule over the store's records vs a hand-written Map of Sets (${members.toLocaleString("en")} members, 3 grants each)`,
    layer: "pure + memory records",
    ratioOf: "rule µs / Map-of-Sets µs",
    ratio: result.ratio,
    target: 3,
    details: { "rule µs": round(result.a), "Map of Sets µs": round(result.b) },
  };
}

/** `app.mayAccess` through the application and the memory store: 100 000 members against 100, 3 grants each. */
async function accessThroughApplication(): Promise<Figure> {
  const big = quick ? 20_000 : 100_000;
  const setup = async (members: number, name: string) => {
    const store = createMemoryStore();
    const seeded = await seedStructure(store, name, members, 0, { grantsPerMember: 3 });
    const app = createHabilitations({ store, clock });
    // The same working set on both sides (100 members queried, spread over the structure):
    // what is measured is the size of the structure, not how many records stay in cache.
    const sample = Array.from({ length: 100 }, (_, k) => seeded.members[Math.floor((k * seeded.members.length) / 100)] as string);
    const queries = accessQueries(name, sample, seeded.services, 512);
    let i = 0;
    return async () => {
      const query = queries[i++ & 511];
      if (query === undefined) throw new Error("512 queries were made");
      const r = await app.mayAccess(query);
      if (!r.ok) throw new Error(r.error.code);
    };
  };
  const large = await setup(big, "accbig");
  const small = await setup(100, "accsmall");
  const result = await sideBySide(
    { name: `mayAccess among ${big}`, fn: large },
    { name: "mayAccess among 100", fn: small },
    { time: quick ? 150 : 400, iterations: 200 },
  );
  return {
    name: `access query through the application (memory store): ${big.toLocaleString("en")} vs 100 members, 3 grants each`,
    layer: "application + memory",
    ratioOf: `µs at ${big} / µs at 100`,
    ratio: result.ratio,
    target: 1.5,
    details: { [`µs at ${big}`]: round(result.a), "µs at 100": round(result.b) },
  };
}

/**
 * A manager creates an account and attaches it in the same act (guide §3 B), through the
 * application layer and the memory store, in a structure of 100 000 members against one
 * of 100: the login's uniqueness is one index look-up, nothing structure-sized is read.
 * (Each side adds a few hundred members over the run: negligible against its size.)
 */
async function appCreateAccount(): Promise<Figure> {
  const big = quick ? 20_000 : 100_000;
  const small = 100;
  const setup = async (members: number, name: string) => {
    const store = createMemoryStore();
    const seeded = await seedStructure(store, name, members, 0);
    const app = createHabilitations({ store, clock });
    let next = 0;
    return async () => {
      const r = await app.createAccount(seeded.manager, {
        structureId: name,
        login: `new-${next++}@${name}.example.fr`,
        lastName: "Moreau",
        firstName: "Hugo",
        attach: { role: "user", scope: { kind: "structure" }, validFrom: TODAY, comment: "Nouvel agent" },
      });
      if (!r.ok) throw new Error(r.error.code);
    };
  };
  const large = await setup(big, "acctbig");
  const little = await setup(small, "acctsmall");
  const result = await sideBySide(
    { name: `createAccount in ${big} members`, fn: large },
    { name: `createAccount in ${small} members`, fn: little },
    { time: 0, iterations: quick ? 150 : 400 },
  );
  return {
    name: `create an account and attach it: application + memory store, ${big.toLocaleString("en")} vs ${small} members`,
    layer: "application + memory",
    ratioOf: `µs at ${big} / µs at ${small}`,
    ratio: result.ratio,
    target: 1.5,
    details: { [`µs at ${big}`]: round(result.a), [`µs at ${small}`]: round(result.b) },
  };
}

/**
 * The search mix (SPEC §6) by a manager of 3 structures of 1 000 members each: a
 * substring of the last name ("lef"), a first name, a status, a service, and the three
 * mixed; the same population shape among 1 000 000 users against 10 000. What a search
 * reads is the members of the manager's structures, never all users.
 */
async function searchMix(): Promise<Figure> {
  const big = quick ? 100_000 : 1_000_000;
  const small = 10_000;
  const setup = async (total: number, prefix: string) => {
    const store = createMemoryStore();
    const seeded = await seedPopulation(store, prefix, total, 1000);
    const app = createHabilitations({ store, clock });
    // A missing service would be no filter at all: checked, not sent as undefined.
    const serviceId = seeded.services[1];
    if (serviceId === undefined) throw new Error("the population has a second service");
    const mix: readonly SearchUsersInput[] = [
      { criteria: { lastName: "lef" } },
      { criteria: { firstName: "elodie" } },
      { criteria: { status: "pendingActivation" } },
      { criteria: { serviceId } },
      { criteria: { lastName: "mar", status: "active" } },
    ];
    let i = 0;
    return async () => {
      const r = await app.searchUsers(seeded.manager, { ...mix[i++ % mix.length], limit: 50 });
      if (!r.ok) throw new Error(r.error.code);
    };
  };
  const large = await setup(big, "big");
  const little = await setup(small, "small");
  const result = await sideBySide(
    { name: `search among ${big}`, fn: large },
    { name: `search among ${small}`, fn: little },
    { time: quick ? 150 : 500, iterations: 100 },
  );
  return {
    name: `search mix (last-name substring, first name, status, service, mixed) by a manager of 3 × 1 000 members: ${big.toLocaleString("en")} vs ${small.toLocaleString("en")} users`,
    layer: "application + memory",
    ratioOf: `µs among ${big} / µs among ${small}`,
    ratio: result.ratio,
    target: 1.5,
    details: { [`µs among ${big}`]: round(result.a), [`µs among ${small}`]: round(result.b) },
  };
}

/**
 * The CSV export of every user a search finds, 1 000 000 of them, written to a sink that
 * drains at once: rows per second, and the heap held (`heapUsed` right after a forced GC
 * every 100 000 rows, against the same before the export).
 */
async function csvExport(): Promise<Figure[]> {
  const total = quick ? 50_000 : 1_000_000;
  const store = createMemoryStore();
  const seeded = await seedPopulation(store, "exp", total, total);
  const app = createHabilitations({ store, clock });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the bench with node --expose-gc");
  // The sink drains at once: it keeps the byte count only. The warm-up run also counts the
  // records (CRLF), to check that every user was written, once.
  const runOnce = async (measureHeap: boolean, countRows: boolean) => {
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let held = 0;
    const r = await app.exportUsers(seeded.manager, { criteria: {} });
    if (!r.ok) throw new Error(r.error.code);
    let records = 0;
    let bytes = 0;
    // Every 100 000 rows (of about 130 bytes), or five times in a smaller run.
    const every = Math.min(100_000, total / 5) * 130;
    let nextCheck = every;
    const started = process.hrtime.bigint();
    let paused = 0n;
    for await (const chunk of r.value.body) {
      bytes += chunk.length;
      if (countRows) for (let at = chunk.indexOf("\r\n"); at >= 0; at = chunk.indexOf("\r\n", at + 2)) records++;
      if (measureHeap && bytes >= nextCheck) {
        const t = process.hrtime.bigint();
        gc();
        held = Math.max(held, process.memoryUsage().heapUsed - baseline);
        nextCheck += every;
        paused += process.hrtime.bigint() - t;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started - paused) / 1e9;
    return { records, bytes, seconds, held };
  };
  const warm = await runOnce(false, true);
  // The header, then one record per user: the population and its manager, attached too.
  const users = total + 1;
  if (warm.records !== users + 1) throw new Error(`the export wrote ${warm.records - 1} users of ${users}`);

  // The hand-written streamed writer over the same records (the store's, as it hands them
  // out) in search order: the cells by hand, chunks of about 64 KiB, to the same sink.
  const structures = new Map(store.snapshot().structures.map((r) => [r.value.id, r.value]));
  const inSearchOrder: User[] = [];
  const scope = { structureIds: seeded.structures.slice(0, 3).map(structureId), limit: 1000 };
  for (let after: string | undefined; ; ) {
    const page = await store.searchUsers(after === undefined ? scope : { ...scope, after });
    inSearchOrder.push(...page);
    if (page.length < 1000) break;
    after = searchKeyOf(page[page.length - 1] as User);
  }
  const days = new Map<string, string>();
  const dayOf = (at: string) => {
    let d = days.get(at);
    if (d === undefined) days.set(at, (d = exportDate(at as typeof AT, "Europe/Paris")));
    return d;
  };
  // A cell: a leading ' against formula injection, quotes when it holds ; " CR or LF.
  const cell = (v: string) => {
    const c = v.charCodeAt(0);
    const safe = c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 ? `'${v}` : v;
    for (let i = 0; i < safe.length; i++) {
      const d = safe.charCodeAt(i);
      if (d === 59 || d === 34 || d === 13 || d === 10) return `"${safe.replaceAll('"', '""')}"`;
    }
    return safe;
  };
  async function* handWritten(): AsyncGenerator<string> {
    let chunk = `\uFEFF${USER_EXPORT_HEADERS.join(";")}\r\n`;
    for (const u of inSearchOrder) {
      let memberships = "";
      for (const a of u.attachments) {
        const st = structures.get(a.structureId);
        if (st === undefined) continue;
        memberships += `${memberships === "" ? "" : ", "}${st.designation} (${roleLabel[st.primaryManagerId === u.id ? "primaryManager" : a.role]})`;
      }
      chunk += `${cell(u.lastName)};${cell(u.firstName)};${cell(u.login)};${cell(u.contactEmail)};${cell(u.phone ?? "")};${cell(accountStatusLabel[u.status])};${cell(memberships)};${dayOf(u.createdAt)}\r\n`;
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = "";
      }
    }
    yield chunk;
  }
  const runHand = async () => {
    let bytes = 0;
    const started = process.hrtime.bigint();
    for await (const chunk of handWritten()) bytes += chunk.length;
    return { bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };
  await runHand(); // warm-up
  const runs: { bytes: number; seconds: number; held: number }[] = [];
  const hands: { bytes: number; seconds: number }[] = [];
  const ratios: number[] = [];
  // Side by side, alternating which goes first.
  for (let k = 0; k < (quick ? 1 : 3); k++) {
    const hand = k % 2 === 1 ? await runHand() : undefined;
    const ours = await runOnce(k === 0, false);
    const theirs = hand ?? (await runHand());
    runs.push(ours);
    hands.push(theirs);
    ratios.push(theirs.seconds / ours.seconds);
  }
  const rate = median(runs.map((x) => users / x.seconds));
  const handRate = median(hands.map((x) => users / x.seconds));
  const heldMiB = (runs[0]?.held ?? 0) / 2 ** 20;
  return [
    {
      name: `CSV export of ${total.toLocaleString("en")} users vs a hand-written streamed writer over the same records in search order`,
      layer: "application + memory",
      ratioOf: "export rows/s / hand-written rows/s",
      ratio: median(ratios),
      target: 1.2,
      atLeast: true,
      details: { "export rows/s": Math.round(rate), "hand-written rows/s": Math.round(handRate), "hand-written MiB": round((hands[0]?.bytes ?? 0) / 2 ** 20) },
    },
    {
      name: `CSV export of ${total.toLocaleString("en")} users found by a search, to a draining sink`,
      layer: "application + memory",
      ratioOf: "rows per second",
      ratio: rate,
      target: 450_000,
      atLeast: true,
      details: { rows: users, "MiB written": round((runs[0]?.bytes ?? 0) / 2 ** 20), "seconds (median run)": round(median(runs.map((x) => x.seconds))) },
    },
    {
      name: `CSV export of ${total.toLocaleString("en")} users: heap held after forced GCs every 100 000 rows, above the baseline before the export`,
      layer: "application + memory",
      ratioOf: "MiB held",
      ratio: heldMiB,
      target: 64,
      details: { "MiB held (max)": round(heldMiB) },
    },
  ];
}


// ------------------------------------------------------------------------- main

// `--only=a,b` runs the figures named (for profiling one: `--only=export`).
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const all: [string, () => Promise<Figure | Figure[]>][] = [
  ["pure", pureValidate],
  ["validate", appValidate],
  ["bulk", bulkValidate],
  ["history", () => historyFiltered()],
  ["access", accessAgainstMapOfSets],
  ["mayAccess", accessThroughApplication],
  ["account", appCreateAccount],
  ["search", searchMix],
  ["export", csvExport],
  ...shippedFigures,
  ["postgres", () => postgresFigures({ quick, rounds: ROUNDS })],
];
const figures: Figure[] = [];
const started = Date.now();
for (const [name, figure] of all) {
  if (only !== undefined && !only.includes(name)) continue;
  const at = Date.now();
  figures.push(...[await figure()].flat());
  console.error(`${name}: ${((Date.now() - at) / 1000).toFixed(1)} s`);
}

const pass = (f: Figure) => (f.atLeast === true ? f.ratio >= f.target : f.ratio <= f.target);
console.log(`\nhabilitations bench${quick ? " (quick)" : ""}: node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}\n`);
console.table(
  figures.map((f) => ({
    figure: f.name,
    layer: f.layer,
    ratio: round(f.ratio),
    target: `${f.atLeast === true ? "≥" : "≤"} ${f.target}${f.stretch === undefined ? "" : ` (aim ${f.stretch})`}`,
    pass: pass(f) ? "yes" : "NO",
    ...Object.fromEntries(Object.entries(f.details).slice(0, 3).map(([k, v], i) => [`m${i + 1}`, `${k}: ${v}`])),
  })),
);
// The full run's figures are the ones kept (bench/results.json, committed); a quick run's
// go to reports/, so that a smoke check never overwrites them.
const out = new URL(quick ? "../reports/bench-quick.json" : "./results.json", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      quick,
      rounds: ROUNDS,
      node: process.version,
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
      seconds: Math.round((Date.now() - started) / 1000),
      figures: figures.map((f) => ({ ...f, ratio: round(f.ratio), pass: pass(f) })),
    },
    null,
    2,
  )}\n`,
);
console.log(`written ${out.pathname}`);

