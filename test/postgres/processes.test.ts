// Races between separate Node.js processes (issue 20, SPEC §1 « several stateless backend
// processes over one database »): each racer is a child process of its own
// (test/postgres/worker.ts), with its own pool and application, released at once by a
// barrier, round after round. Deciding one request, transferring one structure,
// registering one login: one winner, the losers told why, the history and the outbox
// holding exactly the winners' entries and events, one primary manager per structure.
// Then relays in several processes: every event delivered at least once, none twice
// while its lease holds, also when a relay dies holding a batch.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attachmentTo,
  createHabilitations,
  type DomainError,
  type Habilitations,
  type HistoryEntry,
  type RecordedEvent,
  type Result,
  type StructureId,
  type UserId,
} from "../../src/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, databaseUrl, freshStore } from "./helpers.js";
import type { WorkerAct, WorkerJob } from "./worker.js";

const PROCESSES = 4;
const NOW = "2026-11-27T09:00:00.000Z";
const TODAY = "2026-11-27";
const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

const admin = createPool(4);
let schema: string;
let drop: () => Promise<void>;
let store: HabilitationsStore;
let app: Habilitations;

beforeAll(async () => {
  ({ store, schema, drop } = await freshStore(admin, "procs"));
  app = createHabilitations({ store, clock: () => new Date(NOW) });
});
afterAll(async () => {
  await drop();
  await admin.end();
});

type Outcome = Result<{ readonly history: readonly HistoryEntry[]; readonly events: readonly RecordedEvent[] }, DomainError>;

/** A child process running test/postgres/worker.ts, talking in lines. */
function worker(job: WorkerJob) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", WORKER], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stdin.write(`${JSON.stringify(job)}\n`);
  return {
    async line(): Promise<string> {
      const next = await lines.next();
      if (next.done === true) throw new Error(`worker ended early (exit ${await exited}): ${stderr}`);
      return next.value as string;
    },
    send: (line: string) => child.stdin.write(`${line}\n`),
    async end(): Promise<number | null> {
      child.stdin.end();
      return exited;
    },
  };
}

/**
 * Runs round r of every process at once: each process prints "ready", then all get "go"
 * together; gives `between` each process's outcome per round. Fails unless some round saw
 * several processes reach the commit.
 */
async function raceInProcesses(rounds: readonly (readonly WorkerAct[])[], between: (round: number, outcomes: Outcome[]) => Promise<void>): Promise<void> {
  let raced = 0;
  const workers = Array.from({ length: PROCESSES }, (_, p) =>
    worker({ mode: "acts", url: databaseUrl(), schema, now: NOW, rounds: rounds.map((acts) => acts[p] as WorkerAct) }),
  );
  try {
    for (let r = 0; r < rounds.length; r++) {
      for (const w of workers) expect(await w.line()).toBe("ready");
      for (const w of workers) w.send("go");
      const answers = (await Promise.all(workers.map((w) => w.line()))).map((line) => JSON.parse(line) as { outcome: Outcome; commits: number });
      if (answers.filter((a) => a.commits > 0).length > 1) raced++;
      await between(
        r,
        answers.map((a) => a.outcome),
      );
    }
  } finally {
    expect(await Promise.all(workers.map((w) => w.end()))).toEqual(Array(PROCESSES).fill(0));
  }
  // The processes raced: in some round several of them reached the commit (and the losers learnt there).
  expect(raced, "rounds where several processes reached the commit").toBeGreaterThan(0);
}

function must<T>(r: Result<T, DomainError>): T {
  if (!r.ok) throw new Error(`setup refused: ${JSON.stringify(r.error)}`);
  return r.value;
}
const code = (r: Outcome) => (r.ok ? "ok" : r.error.code);
const sq = (name: string) => `"${schema}".${name}`;
let tags = 0;
const tag = () => `${++tags}`;

async function register(name: string): Promise<UserId> {
  return must(await app.registerUser({ login: `${name}@example.fr`, lastName: name, firstName: name })).user.id;
}
async function structure(primary: UserId, label: string): Promise<StructureId> {
  return must(await app.createStructure(primary, { designation: label, kind: "private", identifier: { type: "siret", value: "73282932000074" } })).structure.id;
}
async function attach(by: UserId, s: StructureId, user: UserId, role: "secondaryManager" | "user"): Promise<void> {
  must(await app.attachUser(by, { structureId: s, userId: user, role, validFrom: TODAY, comment: "Mise en place", scope: { kind: "structure" } }));
}

async function mark(): Promise<{ history: number; outbox: number }> {
  const { rows } = await admin.query<{ history: string; outbox: string }>(
    `SELECT (SELECT coalesce(max(sequence), 0) FROM ${sq("history")}) AS history, (SELECT coalesce(max(sequence), 0) FROM ${sq("outbox")}) AS outbox`,
  );
  return { history: Number(rows[0]?.history), outbox: Number(rows[0]?.outbox) };
}

/** What was saved since `since` is exactly what the winners were told: entries and events, none lost, none doubled. */
async function expectSavedExactlyWhatWinnersGot(since: { history: number; outbox: number }, outcomes: readonly Outcome[]) {
  const history = await admin.query<{ entry: HistoryEntry }>(
    `SELECT data || jsonb_build_object('sequence', sequence) AS entry FROM ${sq("history")} WHERE sequence > $1 ORDER BY sequence`,
    [since.history],
  );
  const outbox = await admin.query<{ event: RecordedEvent }>(`SELECT event FROM ${sq("outbox")} WHERE sequence > $1 ORDER BY sequence`, [since.outbox]);
  const won = outcomes.flatMap((r) => (r.ok ? [r.value] : []));
  expect(history.rows.map((r) => r.entry)).toEqual(won.flatMap((w) => w.history).sort((a, b) => a.sequence - b.sequence));
  const byId = (events: readonly RecordedEvent[]) => [...events].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(byId(outbox.rows.map((r) => r.event))).toEqual(byId(won.flatMap((w) => w.events)));
}

/** One primary manager per structure: an active account attached to the whole structure. */
async function expectOnePrimary(s: StructureId, expected: UserId) {
  const row = await store.getStructure(s);
  expect(row?.value.primaryManagerId).toBe(expected);
  const primary = await store.getUser(expected);
  expect(primary?.value.status).toBe("active");
  expect(primary && attachmentTo(primary.value, s)?.scope).toEqual({ kind: "structure" });
}

describe(`${PROCESSES} backend processes on one database`, () => {
  it("one pending request decided by every process at once (validations and refusals by two managers): one decision wins, round after round", async () => {
    const t = tag();
    const [p, m] = [await register(`p.${t}`), await register(`m.${t}`)];
    const s = await structure(p, `Décisions ${t}`);
    await attach(p, s, m, "secondaryManager");
    const ROUNDS = 5;
    const requests: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const requester = await register(`req.${t}.${r}`);
      requests.push(must(await app.requestAttachment(requester, { structureId: s, scope: { kind: "structure" } })).request.id);
    }
    const rounds = requests.map((requestId, r) =>
      Array.from({ length: PROCESSES }, (_, i): WorkerAct => {
        const by = (i + r) % 2 === 0 ? p : m;
        return (i + r) % 3 === 0
          ? { op: "refuseAttachmentRequest", actor: by, input: { requestId, reason: `Refus ${i}` } }
          : { op: "validateAttachmentRequest", actor: by, input: { requestId, role: i % 2 === 0 ? "user" : "secondaryManager" } };
      }),
    );
    let since = await mark();
    await raceInProcesses(rounds, async (r, outcomes) => {
      const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
      expect(winners, `round ${r}: ${outcomes.map(code)}`).toHaveLength(1);
      for (const o of outcomes) if (!o.ok) expect(["REQUEST_ALREADY_DECIDED", "CONCURRENT_MODIFICATION"]).toContain(o.error.code);
      const w = rounds[r]?.[winners[0] as number] as WorkerAct & { actor: string };
      const request = await store.getAttachmentRequest(requests[r] as never);
      expect(request?.value.status).toBe(w.op === "validateAttachmentRequest" ? "validated" : "refused");
      expect(request?.value.status !== "pending" && request?.value.decidedBy).toBe(w.actor);
      await expectSavedExactlyWhatWinnersGot(since, outcomes);
      since = await mark();
    });
    await expectOnePrimary(s, p);
  });

  it("one structure transferred by its primary manager to a different successor in every process: one transfer wins", async () => {
    const ROUNDS = 3;
    const worlds: { p: UserId; s: StructureId; successors: UserId[] }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = tag();
      const p = await register(`p.${t}`);
      const s = await structure(p, `Transfert ${t}`);
      const successors: UserId[] = [];
      for (let i = 0; i < PROCESSES; i++) successors.push(await register(`succ.${t}.${i}`));
      worlds.push({ p, s, successors });
    }
    let since = await mark();
    await raceInProcesses(
      worlds.map(({ p, s, successors }) =>
        successors.map((successorId): WorkerAct => ({ op: "transferPrimaryRole", actor: p, input: { structureIds: [s], successorId } })),
      ),
      async (r, outcomes) => {
        const world = worlds[r] as (typeof worlds)[number];
        const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
        expect(winners, `round ${r}: ${outcomes.map(code)}`).toHaveLength(1);
        for (const o of outcomes) if (!o.ok) expect(["FORBIDDEN", "CONCURRENT_MODIFICATION"]).toContain(o.error.code);
        await expectOnePrimary(world.s, world.successors[winners[0] as number] as UserId);
        // The former primary manager stays, as a simple user.
        const former = await store.getUser(world.p);
        expect(former && attachmentTo(former.value, world.s)?.role).toBe("user");
        await expectSavedExactlyWhatWinnersGot(since, outcomes);
        since = await mark();
      },
    );
  });

  it("one login registered by every process at once, spelt differently: one account", async () => {
    const ROUNDS = 3;
    const logins = Array.from({ length: ROUNDS }, () => `Same.${tag()}@Example.fr`);
    let since = await mark();
    await raceInProcesses(
      logins.map((login) =>
        Array.from({ length: PROCESSES }, (_, i): WorkerAct => ({
          op: "registerUser",
          input: { login: i % 2 === 0 ? login.toLowerCase() : ` ${login} `, lastName: `Nom${i}`, firstName: "Prénom" },
        })),
      ),
      async (r, outcomes) => {
        expect(outcomes.filter((o) => o.ok), `round ${r}: ${outcomes.map(code)}`).toHaveLength(1);
        for (const o of outcomes) if (!o.ok) expect(o.error.code).toBe("LOGIN_TAKEN");
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${sq("users")} WHERE login_key = $1`, [(logins[r] as string).toLowerCase()]);
        expect(rows[0].n).toBe(1);
        await expectSavedExactlyWhatWinnersGot(since, outcomes);
        since = await mark();
      },
    );
  });

  it("relays in several processes deliver every event at least once, none twice while its lease holds, also when one dies holding a batch", async () => {
    // Drain what earlier tests left, then 300 events of our own.
    for (;;) {
      const batch = await store.claimOutbox({ limit: 1000, now: "2100-01-01T00:00:00.000Z" as never, leaseUntil: "2100-01-01T01:00:00.000Z" as never });
      if (batch.length === 0) break;
      await store.acknowledgeOutbox(batch.map((m) => m.event.id));
    }
    const events = Array.from({ length: 300 }, (_, i) => fx.event(`e-proc-${String(i).padStart(3, "0")}`));
    for (let i = 0; i < events.length; i += 25)
      expect((await store.commit({ writes: [], reads: [], history: [], events: events.slice(i, i + 25) })).ok).toBe(true);
    const LEASE = 1500;
    // The crashing relay claims first and dies: its batch must come back to another relay once its lease ends.
    const crashing = worker({ mode: "relay", url: databaseUrl(), schema, leaseMs: LEASE, crashAfterClaim: true });
    expect(await crashing.line()).toBe("ready");
    crashing.send("go");
    expect(await crashing.end()).toBe(0);
    const { rows: leased } = await admin.query<{ id: string }>(`SELECT event_id AS id FROM ${sq("outbox")} WHERE attempts = 1`);
    expect(leased.length).toBeGreaterThan(0);
    const relays = Array.from({ length: PROCESSES }, () => worker({ mode: "relay", url: databaseUrl(), schema, leaseMs: LEASE, crashAfterClaim: false }));
    for (const r of relays) expect(await r.line()).toBe("ready");
    for (const r of relays) r.send("go");
    const delivered: { id: string; attempts: number; relay: number }[] = [];
    await Promise.all(
      relays.map(async (r, relay) => {
        for (;;) {
          let line: string;
          try {
            line = await r.line();
          } catch {
            return;
          }
          const [, id, attempts] = line.split(" ");
          delivered.push({ id: id as string, attempts: Number(attempts), relay });
        }
      }),
    );
    expect(await Promise.all(relays.map((r) => r.end()))).toEqual(Array(PROCESSES).fill(0));
    const ids = delivered.map((d) => d.id);
    // At least once: every event; none twice: each delivered by one relay, once.
    expect([...new Set(ids)].sort()).toEqual(events.map((e) => e.id));
    expect(ids.length).toBe(new Set(ids).size);
    // The dead relay's batch came back after its lease, at its second attempt; the others at their first.
    const second = new Set(leased.map((l) => l.id));
    for (const d of delivered) expect(d.attempts, d.id).toBe(second.has(d.id) ? 2 : 1);
    // Several relays took part.
    expect(new Set(delivered.map((d) => d.relay)).size).toBeGreaterThan(1);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${sq("outbox")}`)).rows[0].n).toBe(0);
  });
});
