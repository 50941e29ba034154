// Races through the application layer on PostgreSQL (SPEC §4, §7): 8 applications, each
// over its own store on its own pool, as 8 stateless backend processes would be, on one
// schema, all firing at once, round after round. Whatever the interleaving: exactly the
// acts a serial order allows win, the losers are told why, the records, the history and
// the outbox agree with the winners' outcomes (nothing lost, nothing doubled), and the
// invariants hold (one primary manager per structure, no attachment without its history).
//
// Each round counts how far the clients got: a round where a single client reached the
// commit proves nothing, so each race must show rounds where several did (the losers then
// learn at commit that someone else won). RACES_REPORT=1 prints what each race saw.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attachmentTo,
  createHabilitations,
  type AttachmentRequestId,
  type AttachmentScope,
  type DomainError,
  type Habilitations,
  type HistoryEntry,
  type HistoryKind,
  type RecordedEvent,
  type Result,
  type ServiceId,
  type StructureId,
  type User,
  type UserId,
} from "../../src/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";
import type { CommitResult, HabilitationsStore, UnitOfWork } from "../../src/port/store.js";
import { createPool, freshStore } from "./helpers.js";

const CLIENTS = 8;
const NOW = new Date("2026-11-27T09:00:00.000Z");
const TODAY = "2026-11-27";

const admin = createPool(4);
const pools = Array.from({ length: CLIENTS }, () => createPool(2));
let schema: string;
let drop: () => Promise<void>;
/** The store the tests set up and read back through (on a pool of its own). */
let store: HabilitationsStore;
let setupApp: Habilitations;
/** What each client's store saw at commit during the current race: "ok" or the refusal's code. */
const commits: string[][] = Array.from({ length: CLIENTS }, () => []);
let clients: Habilitations[];

/** A client's store: its own pool, each commit's answer noted. */
function counted(inner: HabilitationsStore, log: string[]): HabilitationsStore {
  return {
    ...inner,
    async commit(unit: UnitOfWork): Promise<CommitResult> {
      const result = await inner.commit(unit);
      log.push(result.ok ? "ok" : result.error.code);
      return result;
    },
  };
}

beforeAll(async () => {
  ({ store, schema, drop } = await freshStore(admin, "races"));
  setupApp = createHabilitations({ store, clock: () => NOW });
  clients = pools.map((pool, i) =>
    createHabilitations({ store: counted(createPostgresStore(pool, { schema }), commits[i] as string[]), clock: () => NOW }),
  );
  // Every connection open before the first race, so the racers really run side by side.
  await Promise.all(pools.map(async (pool) => (await Promise.all([pool.connect(), pool.connect()])).forEach((c) => c.release())));
});
afterAll(async () => {
  await drop();
  await Promise.all([admin, ...pools].map((pool) => pool.end()));
  if (process.env["RACES_REPORT"]) console.info(JSON.stringify(report, null, 1));
});

// ------------------------------------------------------------------------ helpers

type Outcome = Result<{ readonly history: readonly HistoryEntry[]; readonly events: readonly RecordedEvent[] }, DomainError>;
type Act = (app: Habilitations) => Promise<Outcome>;

/** What one race's rounds showed, for RACES_REPORT. */
const report: Record<string, unknown[]> = {};

interface Race {
  readonly results: Outcome[];
  /** How many clients reached the commit (once at least). */
  readonly atCommit: number;
  /** Commits refused by the store (a version moved, a key taken): each a client that lost at commit. */
  readonly refusedAtCommit: number;
  /** Per client, what its store answered at each commit. */
  readonly commits: readonly (readonly string[])[];
}

/** Fires act i from client i, all at once. */
async function race(acts: readonly Act[]): Promise<Race> {
  expect(acts).toHaveLength(CLIENTS);
  for (const log of commits) log.length = 0;
  const results = await Promise.all(acts.map((act, i) => act(clients[i] as Habilitations)));
  const seen = commits.map((log) => [...log]);
  return {
    results,
    atCommit: seen.filter((log) => log.length > 0).length,
    refusedAtCommit: seen.flat().filter((code) => code !== "ok").length,
    commits: seen,
  };
}

function must<T>(r: Result<T, DomainError>): T {
  if (!r.ok) throw new Error(`setup refused: ${JSON.stringify(r.error)}`);
  return r.value;
}

const code = (r: Outcome) => (r.ok ? "ok" : r.error.code);
const winners = (results: readonly Outcome[]) => results.flatMap((r, i) => (r.ok ? [i] : []));
const sq = (name: string) => `"${schema}".${name}`;

let tags = 0;
const tag = () => `${++tags}`;

async function register(name: string): Promise<UserId> {
  return must(await setupApp.registerUser({ login: `${name}@example.fr`, lastName: name, firstName: name })).user.id;
}

/** A structure whose primary manager is `primary`, with services A and B. */
async function structure(primary: UserId, label: string): Promise<{ id: StructureId; services: [ServiceId, ServiceId] }> {
  const id = must(
    await setupApp.createStructure(primary, { designation: label, kind: "private", identifier: { type: "siret", value: "73282932000074" } }),
  ).structure.id;
  const a = must(await setupApp.addService(primary, { structureId: id, code: "A", label: "A" })).service.id;
  const b = must(await setupApp.addService(primary, { structureId: id, code: "B", label: "B" })).service.id;
  return { id, services: [a, b] };
}

async function attach(by: UserId, s: StructureId, user: UserId, role: "secondaryManager" | "user"): Promise<void> {
  must(await setupApp.attachUser(by, { structureId: s, userId: user, role, validFrom: TODAY, comment: "Mise en place", scope: { kind: "structure" } }));
}

/** Where the history and the outbox stand before a race. */
async function mark(): Promise<{ history: number; outbox: number }> {
  const { rows } = await admin.query<{ history: string; outbox: string }>(
    `SELECT (SELECT coalesce(max(sequence), 0) FROM ${sq("history")}) AS history,
            (SELECT coalesce(max(sequence), 0) FROM ${sq("outbox")}) AS outbox`,
  );
  return { history: Number(rows[0]?.history), outbox: Number(rows[0]?.outbox) };
}

const bySequence = (entries: readonly HistoryEntry[]) => [...entries].sort((a, b) => a.sequence - b.sequence);
const byId = (events: readonly RecordedEvent[]) => [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * What the race saved is exactly what its winners were told: the history entries
 * appended since the mark are their entries (numbers included), the events saved in the
 * outbox are their events (ids included), none lost, none doubled.
 */
async function expectSavedExactlyWhatWinnersGot(since: { history: number; outbox: number }, results: readonly Outcome[]) {
  const history = await admin.query<{ entry: HistoryEntry }>(
    `SELECT data || jsonb_build_object('sequence', sequence) AS entry FROM ${sq("history")} WHERE sequence > $1 ORDER BY sequence`,
    [since.history],
  );
  const outbox = await admin.query<{ event: RecordedEvent }>(`SELECT event FROM ${sq("outbox")} WHERE sequence > $1 ORDER BY sequence`, [
    since.outbox,
  ]);
  const won = results.flatMap((r) => (r.ok ? [r.value] : []));
  expect(history.rows.map((r) => r.entry), "history = the winners' entries").toEqual(bySequence(won.flatMap((w) => w.history)));
  const saved = outbox.rows.map((r) => r.event);
  expect(new Set(saved.map((e) => e.id)).size, "no event saved twice").toBe(saved.length);
  expect(byId(saved), "outbox = the winners' events").toEqual(byId(won.flatMap((w) => w.events)));
}

const MEMBERSHIP: readonly HistoryKind[] = ["structureCreated", "userAttached", "attachmentRequestValidated", "roleChanged", "attachmentRemoved"];

/**
 * The invariants of a structure: one primary manager, an active account attached to the
 * whole structure; the membership rows the store keeps agree with the users' records;
 * every attachment is explained by the history (the last membership entry about the user
 * gives their role, and is not a removal) and every removal too.
 */
async function expectInvariants(s: StructureId) {
  const structureRow = await store.getStructure(s);
  if (structureRow === null) throw new Error(`structure ${s} lost`);
  const primary = await store.getUser(structureRow.value.primaryManagerId);
  expect(primary?.value.status).toBe("active");
  expect(primary && attachmentTo(primary.value, s)?.scope).toEqual({ kind: "structure" });

  const members = (
    await admin.query<{ data: User }>(
      `SELECT data FROM ${sq("users")} u
       WHERE EXISTS (SELECT FROM jsonb_array_elements(u.data -> 'attachments') e WHERE e ->> 'structureId' = $1) ORDER BY id`,
      [s],
    )
  ).rows.map((r) => r.data);
  const rows = await admin.query<{ user_id: string; role: string; scope: AttachmentScope; valid_from: string }>(
    `SELECT user_id, role, scope, valid_from FROM ${sq("attachments")} WHERE structure_id = $1 ORDER BY user_id`,
    [s],
  );
  expect(rows.rows, "attachment rows = the users' attachments").toEqual(
    members.map((u) => {
      const a = attachmentTo(u, s);
      return { user_id: u.id, role: a?.role, scope: a?.scope, valid_from: a?.validFrom };
    }),
  );

  const history = (
    await admin.query<{ entry: HistoryEntry }>(
      `SELECT data || jsonb_build_object('sequence', sequence) AS entry FROM ${sq("history")} WHERE structure_id = $1 ORDER BY sequence`,
      [s],
    )
  ).rows.map((r) => r.entry);
  const last = new Map<string, HistoryEntry>();
  for (const e of history) if (MEMBERSHIP.includes(e.kind) && e.targetUserId !== null) last.set(e.targetUserId, e);
  for (const member of members) {
    const entry = last.get(member.id);
    expect(entry, `${member.id}'s attachment has a history entry`).toBeDefined();
    expect(entry?.kind).not.toBe("attachmentRemoved");
    if (member.id !== structureRow.value.primaryManagerId) expect(entry?.details.role, `${member.id}'s role`).toBe(attachmentTo(member, s)?.role);
  }
  const attached = new Set(members.map((m) => m.id as string));
  for (const [user, entry] of last) if (!attached.has(user)) expect(entry.kind, `${user} is not attached`).toBe("attachmentRemoved");
}

/** The role a user holds in a structure now (null: not attached), read back from the store. */
async function roleOf(user: UserId, s: StructureId): Promise<"secondaryManager" | "user" | null> {
  const row = await store.getUser(user);
  return row === null ? null : (attachmentTo(row.value, s)?.role ?? null);
}

// ------------------------------------------------------------------------ the races

describe(`${CLIENTS} applications on ${CLIENTS} pools, one schema`, () => {
  it("the same pending request decided 8 ways (4 validations, 4 refusals, by 3 managers): exactly one decision wins", async () => {
    const t = tag();
    const [p, m1, m2] = [await register(`p.${t}`), await register(`m1.${t}`), await register(`m2.${t}`)];
    const { id: s, services: [svA, svB] } = await structure(p, `Décisions ${t}`);
    await attach(p, s, m1, "secondaryManager");
    await attach(p, s, m2, "secondaryManager");
    type Decision =
      | { by: UserId; validate: { role: "user" | "secondaryManager"; scope?: AttachmentScope } }
      | { by: UserId; refuse: string };
    const decisions: Decision[] = [
      { by: p, validate: { role: "user" } }, // the scope asked for
      { by: m1, validate: { role: "secondaryManager", scope: { kind: "services", serviceIds: [svA] } } },
      { by: m2, validate: { role: "user", scope: { kind: "structure" } } },
      { by: p, validate: { role: "secondaryManager", scope: { kind: "services", serviceIds: [svB] } } },
      { by: m1, refuse: "Inconnu du service" },
      { by: m2, refuse: "Doublon" },
      { by: p, refuse: "Hors périmètre" },
      { by: m2, refuse: "Non" },
    ];
    const seen: unknown[] = (report["one request, 8 decisions"] = []);
    const ROUNDS = 6;
    for (let round = 0; round < ROUNDS; round++) {
      const requester = await register(`requester.${t}.${round}`);
      const asked: AttachmentScope = { kind: "services", serviceIds: [svA, svB] };
      const requestId = must(await setupApp.requestAttachment(requester, { structureId: s, scope: asked })).request.id as AttachmentRequestId;
      const since = await mark();
      // Client i takes decision (i + round) % 8: every client decides every way over the rounds.
      const order = decisions.map((_, i) => decisions[(i + round) % CLIENTS] as Decision);
      const { results, atCommit, refusedAtCommit } = await race(
        order.map((d): Act => (app) =>
          "validate" in d
            ? app.validateAttachmentRequest(d.by, { requestId, role: d.validate.role, ...(d.validate.scope ? { scope: d.validate.scope } : {}) })
            : app.refuseAttachmentRequest(d.by, { requestId, reason: d.refuse }),
        ),
      );

      expect(winners(results), `round ${round}: ${results.map(code)}`).toHaveLength(1);
      const w = winners(results)[0] as number;
      const won = order[w] as Decision;
      const status = "validate" in won ? "validated" : "refused";
      for (const [i, r] of results.entries()) {
        if (i === w || r.ok) continue;
        if (r.error.code === "REQUEST_ALREADY_DECIDED") expect(r.error).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId, status });
        else expect(r.error.code).toBe("CONCURRENT_MODIFICATION");
      }
      // The request, the requester's attachment, the history and the outbox agree with the winner.
      const request = await store.getAttachmentRequest(requestId);
      expect(request?.value.status).toBe(status);
      expect(request?.value.status !== "pending" && request?.value.decidedBy).toBe(won.by);
      const attachment = attachmentTo((await store.getUser(requester))?.value as User, s);
      if ("validate" in won) {
        expect(attachment?.role).toBe(won.validate.role);
        const scope = won.validate.scope ?? asked;
        expect(attachment?.scope.kind).toBe(scope.kind);
        if (scope.kind === "services" && attachment?.scope.kind === "services") expect([...attachment.scope.serviceIds].sort()).toEqual([...scope.serviceIds].sort());
        const winner = results[w] as Outcome & { ok: true; value: { requester: { attachment: unknown } } };
        expect(attachment).toEqual(winner.value.requester.attachment);
      } else expect(attachment).toBeUndefined();
      const decided = await store.readHistory(s, { kinds: ["attachmentRequestValidated", "attachmentRequestRefused"], targetUserId: requester, limit: 10 });
      expect(decided.map((e) => [e.kind, e.requestId, e.actorId])).toEqual([
        ["validate" in won ? "attachmentRequestValidated" : "attachmentRequestRefused", requestId, won.by],
      ]);
      await expectSavedExactlyWhatWinnersGot(since, results);
      const events = (results[w] as Outcome & { ok: true }).value.events;
      expect(events.map((e) => e.type)).toEqual(["validate" in won ? "AttachmentRequestValidated" : "AttachmentRequestRefused"]);
      await expectInvariants(s);
      seen.push({ round, won: "validate" in won ? `validate ${won.validate.role}` : "refuse", atCommit, refusedAtCommit, codes: results.map(code) });
    }
    // The clients raced: in some round several of them reached the commit (and lost there).
    expect(seen.some((r) => (r as { atCommit: number }).atCommit > 1), JSON.stringify(seen)).toBe(true);
  });

  it("self-demotion: the primary manager demotes (or removes) M while M re-promotes, removes, grants, decides, and another manager re-grants M: a serial order explains every outcome", async () => {
    type Role = "secondaryManager" | "user" | null;
    /** What matters in the structure: the roles of M, X, Y and Z, and Z's request. */
    interface Mini {
      readonly M: Role;
      readonly X: Role;
      readonly Y: Role;
      readonly Z: Role;
      readonly request: "pending" | "validated";
    }
    type Judged = { readonly refused: string } | { readonly next: Mini };
    interface MiniAct {
      readonly name: string;
      readonly actor: "P" | "M" | "N";
      /** What the act does in this state: refused with a code, or the next state. */
      judge(s: Mini): Judged;
    }
    const MANAGES = (s: Mini, actor: "P" | "M" | "N") => actor !== "M" || s.M === "secondaryManager";
    const byM = (name: string, judge: (s: Mini) => Judged, refusedWithoutRight = "FORBIDDEN"): MiniAct => ({
      name,
      actor: "M",
      judge: (s) => (MANAGES(s, "M") ? judge(s) : { refused: refusedWithoutRight }),
    });
    const demote: MiniAct = {
      name: "P demotes M",
      actor: "P",
      judge: (s) => (s.M === null ? { refused: "NOT_ATTACHED" } : s.M === "user" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, M: "user" } }),
    };
    const removeM: MiniAct = {
      name: "P removes M",
      actor: "P",
      judge: (s) => (s.M === null ? { refused: "NOT_ATTACHED" } : { next: { ...s, M: null } }),
    };
    const others: MiniAct[] = [
      // M holds the role, so re-promoting is ROLE_UNCHANGED; once demoted, M may not manage.
      byM("M re-promotes M", () => ({ refused: "ROLE_UNCHANGED" })),
      byM("M removes M", (s) => ({ next: { ...s, M: null } })),
      byM("M attaches X as manager", (s) => (s.X !== null ? { refused: "ALREADY_ATTACHED" } : { next: { ...s, X: "secondaryManager" } })),
      byM("M promotes Y", (s) =>
        s.Y === null ? { refused: "NOT_ATTACHED" } : s.Y === "secondaryManager" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, Y: "secondaryManager" } },
      ),
      // Reached through the request's id: without the right, the request is NOT_FOUND.
      byM(
        "M validates Z as manager",
        (s) => (s.request !== "pending" ? { refused: "REQUEST_ALREADY_DECIDED" } : { next: { ...s, request: "validated", Z: "secondaryManager" } }),
        "NOT_FOUND",
      ),
      {
        name: "N re-promotes M",
        actor: "N",
        judge: (s) =>
          s.M === null ? { refused: "NOT_ATTACHED" } : s.M === "secondaryManager" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, M: "secondaryManager" } },
      },
      {
        name: "N re-attaches M",
        actor: "N",
        judge: (s) => (s.M !== null ? { refused: "ALREADY_ATTACHED" } : { next: { ...s, M: "secondaryManager" } }),
      },
    ];

    const seen: unknown[] = (report["self-demotion"] = []);
    const ROUNDS = 12;
    for (let round = 0; round < ROUNDS; round++) {
      const t = tag();
      const [P, M, N, X, Y, Z] = (await Promise.all(["p", "m", "n", "x", "y", "z"].map((n) => register(`${n}.${t}`)))) as [
        UserId, UserId, UserId, UserId, UserId, UserId,
      ];
      const u = { P, M, N };
      const { id: s } = await structure(P, `Rétrogradation ${t}`);
      await attach(P, s, M, "secondaryManager");
      await attach(P, s, N, "secondaryManager");
      await attach(P, s, Y, "user");
      const requestId = must(await setupApp.requestAttachment(Z, { structureId: s, scope: { kind: "structure" } })).request.id;
      const initial: Mini = { M: "secondaryManager", X: null, Y: "user", Z: null, request: "pending" };
      const acts: MiniAct[] = [round % 2 === 0 ? demote : removeM, ...others];
      const run = (a: MiniAct): Act => {
        const actor = u[a.actor];
        switch (a.name) {
          case "P demotes M":
            return (app) => app.changeMemberRole(actor, { structureId: s, userId: M, role: "user" });
          case "P removes M":
            return (app) => app.removeAttachment(actor, { structureId: s, userId: M });
          case "M re-promotes M":
            return (app) => app.changeMemberRole(actor, { structureId: s, userId: M, role: "secondaryManager" });
          case "M removes M":
            return (app) => app.removeAttachment(actor, { structureId: s, userId: M });
          case "M attaches X as manager":
            return (app) =>
              app.attachUser(actor, { structureId: s, userId: X, role: "secondaryManager", validFrom: TODAY, comment: "Renfort", scope: { kind: "structure" } });
          case "M promotes Y":
            return (app) => app.changeMemberRole(actor, { structureId: s, userId: Y, role: "secondaryManager" });
          case "M validates Z as manager":
            return (app) => app.validateAttachmentRequest(actor, { requestId, role: "secondaryManager" });
          case "N re-promotes M":
            return (app) => app.changeMemberRole(actor, { structureId: s, userId: M, role: "secondaryManager" });
          case "N re-attaches M":
            return (app) =>
              app.attachUser(actor, { structureId: s, userId: M, role: "secondaryManager", validFrom: TODAY, comment: "Retour", scope: { kind: "structure" } });
        }
        throw new Error(a.name);
      };
      // Client i runs act (i + round) % 8. Every act starts at once, or a few milliseconds
      // later in some rounds, so that some reach the store after others have committed
      // (another manager then finds M demoted, and may give the role back).
      const order = acts.map((_, i) => acts[(i + round) % CLIENTS] as MiniAct);
      const lag = (i: number) => (round < 4 ? 0 : ((i * 5 + round * 3) % 4) * 3);
      const since = await mark();
      const { results, atCommit, refusedAtCommit, commits: seenAtCommit } = await race(
        order.map((a, i): Act => {
          const act = run(a);
          return async (app) => {
            if (lag(i) > 0) await new Promise((resolve) => setTimeout(resolve, lag(i)));
            return act(app);
          };
        }),
      );

      // The serial order: the committed acts by the sequence of their history entries.
      const committed = results
        .flatMap((r, i) => (r.ok ? [{ act: order[i] as MiniAct, at: (r.value.history[0] as HistoryEntry).sequence }] : []))
        .sort((a, b) => a.at - b.at);
      const states: Mini[] = [initial];
      for (const { act } of committed) {
        const judged = act.judge(states[states.length - 1] as Mini);
        expect("next" in judged, `round ${round}: « ${act.name} » committed where the rules refuse it (${JSON.stringify(judged)}); order: ${committed.map((c) => c.act.name)}`).toBe(true);
        if ("next" in judged) states.push(judged.next);
      }
      // Each refusal is what the rules give at some point of that order (the act read
      // that state), or the retries ran out.
      for (const [i, r] of results.entries()) {
        if (r.ok) continue;
        const act = order[i] as MiniAct;
        const possible = new Set(states.map((st) => act.judge(st)).flatMap((j) => ("refused" in j ? [j.refused] : [])));
        if (r.error.code !== "CONCURRENT_MODIFICATION")
          expect([...possible], `round ${round}: « ${act.name} » refused with ${r.error.code}; order: ${committed.map((c) => c.act.name)}`).toContain(r.error.code);
      }
      // The end state is the one that order leads to.
      const end = states[states.length - 1] as Mini;
      const request = await store.getAttachmentRequest(requestId);
      expect({ M: await roleOf(M, s), X: await roleOf(X, s), Y: await roleOf(Y, s), Z: await roleOf(Z, s), request: request?.value.status }).toEqual(end);
      // Said plainly: once the demotion (or removal) committed, M acts as a manager again and
      // ends a manager only after another manager gave the role back.
      const cut = committed.findIndex((c) => c.act === acts[0]);
      if (cut >= 0) {
        const regrants = committed.slice(cut + 1).filter((c) => c.act.actor === "N");
        const firstRegrant = regrants[0]?.at ?? Number.POSITIVE_INFINITY;
        for (const c of committed.slice(cut + 1)) if (c.act.actor === "M") expect(c.at).toBeGreaterThan(firstRegrant);
        if (end.M === "secondaryManager") expect(regrants.length).toBeGreaterThan(0);
      }
      await expectSavedExactlyWhatWinnersGot(since, results);
      await expectInvariants(s);
      seen.push({
        round,
        order: committed.map((c) => c.act.name),
        end,
        atCommit,
        refusedAtCommit,
        // Acts of M that reached the commit and lost there, then were refused: M's record
        // changed between what they read and their commit (the read check caught it).
        caughtAtCommit: results.flatMap((r, i) =>
          !r.ok && (order[i] as MiniAct).actor === "M" && (seenAtCommit[i] as string[]).includes("VERSION_CONFLICT") ? [(order[i] as MiniAct).name] : [],
        ),
      });
    }
    expect(seen.some((r) => (r as { atCommit: number }).atCommit > 1), JSON.stringify(seen)).toBe(true);
    // Some act of M was decided while M was a manager and refused once the demotion (or a
    // removal) had committed: the race was run, and lost at commit.
    expect(seen.some((r) => (r as { caughtAtCommit: string[] }).caughtAtCommit.length > 0), JSON.stringify(seen)).toBe(true);
  });

  it("mutual demotions: secondary managers demoting each other in pairs, at once: one of each pair wins, never both", async () => {
    const seen: unknown[] = (report["mutual demotions"] = []);
    const ROUNDS = 5;
    for (let round = 0; round < ROUNDS; round++) {
      const t = tag();
      const p = await register(`p.${t}`);
      const managers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => register(`a${i}.${t}`)));
      const { id: s } = await structure(p, `Mutuelle ${t}`);
      for (const m of managers) await attach(p, s, m, "secondaryManager");
      const partner = (i: number) => managers[i ^ 1] as UserId;
      const since = await mark();
      const { results, atCommit, commits: seenAtCommit } = await race(
        managers.map((m, i): Act => (app) => app.changeMemberRole(m, { structureId: s, userId: partner(i), role: "user" })),
      );
      let bothAtCommit = 0;
      for (let pair = 0; pair < CLIENTS; pair += 2) {
        const [a, b] = [results[pair] as Outcome, results[pair + 1] as Outcome];
        expect([a.ok, b.ok].filter(Boolean), `round ${round}, pair ${pair / 2}: ${code(a)} / ${code(b)}`).toHaveLength(1);
        const [w, l] = a.ok ? [pair, pair + 1] : [pair + 1, pair];
        const loser = results[l] as Outcome;
        if (!loser.ok && loser.error.code === "FORBIDDEN")
          expect(loser.error).toEqual({ code: "FORBIDDEN", actorId: managers[l], structureId: s, reason: "notAManager" });
        else expect(code(loser)).toBe("CONCURRENT_MODIFICATION");
        expect(await roleOf(managers[w] as UserId, s)).toBe("secondaryManager");
        expect(await roleOf(managers[l] as UserId, s)).toBe("user");
        if ((seenAtCommit[l] as string[]).length > 0) bothAtCommit++;
      }
      // Exactly the committed demotions are in the history.
      const entries = await store.readHistory(s, { kinds: ["roleChanged"], limit: 100 });
      expect(entries.map((e) => [e.actorId, e.targetUserId]).sort()).toEqual(
        winners(results)
          .map((w) => [managers[w], partner(w)])
          .sort(),
      );
      await expectSavedExactlyWhatWinnersGot(since, results);
      await expectInvariants(s);
      seen.push({ round, atCommit, bothAtCommit, codes: results.map(code) });
    }
    // Some pair raced to the commit: both had read each other as managers, and the read
    // check of the actor stopped the second demotion (write skew caught).
    expect(seen.some((r) => (r as { bothAtCommit: number }).bothAtCommit > 0), JSON.stringify(seen)).toBe(true);
  });

  it("8 managers attaching the same user with different roles: one attachment, one history entry, one event", async () => {
    const t = tag();
    const p = await register(`p.${t}`);
    const secondaries = await Promise.all(Array.from({ length: CLIENTS - 1 }, (_, i) => register(`m${i}.${t}`)));
    const { id: s, services: [svA, svB] } = await structure(p, `Rattachements ${t}`);
    for (const m of secondaries) await attach(p, s, m, "secondaryManager");
    const managers = [p, ...secondaries];
    const scopes: AttachmentScope[] = [{ kind: "structure" }, { kind: "services", serviceIds: [svA] }, { kind: "services", serviceIds: [svA, svB] }];
    const seen: unknown[] = (report["8 attachments of one user"] = []);
    const ROUNDS = 5;
    for (let round = 0; round < ROUNDS; round++) {
      const user = await register(`u.${t}.${round}`);
      const commands = managers.map((m, i) => ({
        by: m,
        role: i % 2 === 0 ? ("user" as const) : ("secondaryManager" as const),
        scope: scopes[i % scopes.length] as AttachmentScope,
        validFrom: i % 3 === 0 ? "2026-12-01" : TODAY,
      }));
      const since = await mark();
      const { results, atCommit, refusedAtCommit } = await race(
        commands.map((c): Act => (app) =>
          app.attachUser(c.by, { structureId: s, userId: user, role: c.role, validFrom: c.validFrom, comment: `Par ${c.by}`, scope: c.scope }),
        ),
      );
      expect(winners(results), results.map(code).join()).toHaveLength(1);
      const w = winners(results)[0] as number;
      for (const r of results) {
        if (r.ok) continue;
        if (r.error.code === "ALREADY_ATTACHED") expect(r.error).toEqual({ code: "ALREADY_ATTACHED", structureId: s, userId: user });
        else expect(r.error.code).toBe("CONCURRENT_MODIFICATION");
      }
      const won = commands[w] as (typeof commands)[number];
      const attachment = attachmentTo((await store.getUser(user))?.value as User, s);
      expect(attachment).toMatchObject({ role: won.role, validFrom: won.validFrom, attachedBy: won.by });
      expect(attachment?.scope.kind).toBe(won.scope.kind);
      const entries = await store.readHistory(s, { targetUserId: user, limit: 10 });
      expect(entries.map((e) => [e.kind, e.actorId, e.details.role])).toEqual([["userAttached", won.by, won.role]]);
      expect((results[w] as Outcome & { ok: true }).value.events.map((e) => e.type)).toEqual(["UserAttached"]);
      await expectSavedExactlyWhatWinnersGot(since, results);
      await expectInvariants(s);
      seen.push({ round, winner: w, atCommit, refusedAtCommit, codes: results.map(code) });
    }
    expect(seen.some((r) => (r as { atCommit: number }).atCommit > 1), JSON.stringify(seen)).toBe(true);
  });

  it("8 registrations of one login, differing in case and spaces: one account, 7 LOGIN_TAKEN", async () => {
    const seen: unknown[] = (report["8 registrations of one login"] = []);
    const ROUNDS = 5;
    for (let round = 0; round < ROUNDS; round++) {
      const login = `course.${tag()}@example.fr`;
      const spellings = [
        login,
        login.toUpperCase(),
        ` ${login}`,
        `${login}  `,
        `\t${login.replace("course", "Course")}`,
        login.replace("example", "Example"),
        ` ${login.toUpperCase()} `,
        login.replace("course", "COURSE"),
      ];
      const since = await mark();
      const { results, atCommit, refusedAtCommit } = await race(
        spellings.map((spelling, i): Act => (app) => app.registerUser({ login: spelling, lastName: `Nom ${i}`, firstName: "Prénom" })),
      );
      expect(winners(results), results.map(code).join()).toHaveLength(1);
      for (const r of results) if (!r.ok) expect(r.error).toEqual({ code: "LOGIN_TAKEN", login });
      const w = winners(results)[0] as number;
      const account = (results[w] as Outcome & { ok: true; value: { user: User } }).value.user;
      expect(account.login).toBe(login);
      expect((await store.findUserByLogin(` ${login.toUpperCase()}`))?.value).toEqual(account);
      const { rows } = await admin.query(`SELECT data FROM ${sq("users")} WHERE login_key = $1`, [login]);
      expect(rows.map((r) => r.data)).toEqual([account]);
      // A registration appends no history; its one event is the winner's.
      expect((results[w] as Outcome & { ok: true }).value.events.map((e) => e.type)).toEqual(["UserRegistered"]);
      await expectSavedExactlyWhatWinnersGot(since, results);
      seen.push({ round, winner: w, atCommit, refusedAtCommit });
    }
    // Several registrations got past the read of the login and met the unique key at commit.
    expect(seen.some((r) => (r as { refusedAtCommit: number }).refusedAtCommit > 0), JSON.stringify(seen)).toBe(true);
  });
});
