// `npm run bench`: every figure of SPEC §6 built so far, each a ratio of two things
// measured side by side in the same run (warm-up first, median of several rounds).
// Prints a table and writes bench/results.json. `--quick` is a smoke check (< 1 min).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { Bench } from "tinybench";
import {
  attachmentRequestId,
  createHabilitations,
  servicesScope,

  structureId,
  userId,
  validateAttachmentRequest,
  type AttachmentRequest,
  type HabilitationsStore,
  type HistoryKind,
  type NewHistoryEntry,
  type Service,
  type User,
} from "../src/index.js";
import { createMemoryStore } from "../src/memory/index.js";
import { AT, attachment, NOW, pending, seedStructure, service, structure, TODAY, user } from "./fixtures.js";
import { postgresFigures } from "./postgres.js";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : 7;

/** One figure of the table. */
export interface Figure {
  readonly name: string;
  readonly layer: string;
  /** What is divided by what. */
  readonly ratioOf: string;
  readonly ratio: number;
  /** Pass when `ratio` is at most this (or at least, for `atLeast`). */
  readonly target: number;
  readonly atLeast?: boolean;
  readonly stretch?: number;
  readonly details: Record<string, number | string>;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Runs two tasks side by side for `ROUNDS` rounds and gives the median per-operation
 * latency (µs) of each and the median of the per-round ratios a/b.
 */
async function sideBySide(
  a: { name: string; fn: () => unknown; opts?: object },
  b: { name: string; fn: () => unknown; opts?: object },
  options: { time: number; iterations: number; batch?: number },
): Promise<{ a: number; b: number; ratio: number }> {
  const batch = options.batch ?? 1;
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({
      time: options.time,
      iterations: options.iterations,
      warmup: true,
      warmupTime: Math.min(200, options.time),
      warmupIterations: Math.min(50, options.iterations),
      throws: true,
    });
    // Alternate which runs first, so neither always gets the warmer machine.
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
    bench.add(first.name, first.fn, first.opts);
    bench.add(second.name, second.fn, second.opts);
    await bench.run();
    const p50 = (name: string) => {
      const r = bench.getTask(name)?.result as { latency?: { p50: number } } | undefined;
      if (r?.latency === undefined) throw new Error(`task ${name} did not complete`);
      return (r.latency.p50 * 1000) / batch;
    };
    as.push(p50(a.name));
    bs.push(p50(b.name));
    ratios.push(p50(a.name) / p50(b.name));
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

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
    attachments.push({ structureId: s, role: "user", scope, validFrom: TODAY, attachedBy: actor.id, attachedAt: at as typeof AT });
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
    const app = createHabilitations({ store, clock: () => NOW });
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
    name: `validate: application + memory store, ${big.toLocaleString("en")} vs ${small} members`,
    layer: "application + memory",
    ratioOf: `µs at ${big} / µs at ${small}`,
    ratio: result.ratio,
    target: 1.5,
    details: { [`µs at ${big}`]: round(result.a), [`µs at ${small}`]: round(result.b) },
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
  const seed = async (s: string, n: number) => {
    let batch: NewHistoryEntry[] = [];
    for (let i = 0; i < n; i++) {
      const at = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() as typeof AT;
      batch.push({
        structureId: structureId(s),
        kind: kinds[i % kinds.length] as HistoryKind,
        at,
        actorId: userId("u-primary"),
        targetUserId: userId(`u-${i % 500}`),
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
  const query = (s: string, n: number) => async () => {
    // The newest page of « Refusée » entries about one user, then a page of a period in the middle.
    const a = await store.readHistory(structureId(s), { kinds: ["attachmentRequestRefused"], targetUserId: userId("u-6"), limit: 20 });
    const mid = new Date(Date.UTC(2024, 0, 1) + Math.floor(n / 2) * 60_000);
    const b = await store.readHistory(structureId(s), {
      from: mid.toISOString() as typeof AT,
      to: new Date(mid.getTime() + 3_600_000).toISOString() as typeof AT,
      limit: 20,
    });
    if (a.length === 0 || b.length === 0) throw new Error("empty history page");
  };
  const result = await sideBySide(
    { name: `history of ${long}`, fn: query("s-long", long) },
    { name: `history of ${short}`, fn: query("s-short", short) },
    { time: quick ? 150 : 400, iterations: 50 },
  );
  return {
    name: `filtered history page: ${long.toLocaleString("en")} vs ${short.toLocaleString("en")} entries`,
    layer: "memory store",
    ratioOf: `µs at ${long} / µs at ${short}`,
    ratio: result.ratio,
    target: 1.5,
    details: { [`µs at ${long}`]: round(result.a), [`µs at ${short}`]: round(result.b) },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// ------------------------------------------------------------------------- main

const figures: Figure[] = [];
const started = Date.now();
figures.push(await pureValidate());
figures.push(await appValidate());
figures.push(await historyFiltered());
figures.push(...(await postgresFigures({ quick, rounds: ROUNDS })));

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
const out = new URL("./results.json", import.meta.url);
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

