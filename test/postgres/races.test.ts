// Races through the application layer on PostgreSQL (SPEC §4, §7): 8 applications, each
// over its own store on its own pool, as 8 stateless backend processes would be, on one
// schema, all firing at once, round after round. Whatever the interleaving: exactly the
// acts a serial order allows win, the losers are told why, the records, the history and
// the outbox agree with the winners' outcomes (nothing lost, nothing doubled), and the
// invariants hold (one primary manager per structure, no attachment without its history).
// Guide §6 too: two transfers of one structure, a transfer against a change of its
// successor, a deactivation against a transfer by or to the account leaving.
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
 * whole structure and in force; the membership rows the store keeps agree with the users' records;
 * every attachment is explained by the history (the last membership entry about the user
 * gives their role, and is not a removal) and every removal too.
 */
async function expectInvariants(s: StructureId) {
  const structureRow = await store.getStructure(s);
  if (structureRow === null) throw new Error(`structure ${s} lost`);
  const primary = await store.getUser(structureRow.value.primaryManagerId);
  expect(primary?.value.status).toBe("active");
  expect(primary && attachmentTo(primary.value, s)?.scope).toEqual({ kind: "structure" });
  expect(primary && (attachmentTo(primary.value, s)?.validFrom ?? "9999") <= TODAY, "the primary manager's attachment is in force").toBe(true);

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
  // Per user, the last entry about their attachment: its kind and the role it recorded. A
  // transfer attaches the successor to the whole structure and keeps the former primary
  // manager attached, both as simple users on record (the primary role is the structure's
  // primaryManagerId, never stored on an attachment).
  const last = new Map<string, { kind: HistoryKind; role: unknown }>();
  for (const e of history) {
    if (MEMBERSHIP.includes(e.kind) && e.targetUserId !== null) last.set(e.targetUserId, { kind: e.kind, role: e.details.role });
    if (e.kind === "primaryRoleTransferred") {
      if (e.targetUserId !== null) last.set(e.targetUserId, { kind: e.kind, role: "user" });
      if (e.details.formerPrimaryManagerId !== undefined) last.set(e.details.formerPrimaryManagerId, { kind: e.kind, role: "user" });
    }
  }
  for (const member of members) {
    const entry = last.get(member.id);
    expect(entry, `${member.id}'s attachment has a history entry`).toBeDefined();
    expect(entry?.kind).not.toBe("attachmentRemoved");
    if (member.id !== structureRow.value.primaryManagerId) expect(entry?.role, `${member.id}'s role`).toBe(attachmentTo(member, s)?.role);
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
      // A user who is not a member is NOT_FOUND, as an unknown id.
      judge: (s) => (s.M === null ? { refused: "NOT_FOUND" } : s.M === "user" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, M: "user" } }),
    };
    const removeM: MiniAct = {
      name: "P removes M",
      actor: "P",
      judge: (s) => (s.M === null ? { refused: "NOT_FOUND" } : { next: { ...s, M: null } }),
    };
    const others: MiniAct[] = [
      // M holds the role, so re-promoting is ROLE_UNCHANGED; once demoted, M may not manage.
      byM("M re-promotes M", () => ({ refused: "ROLE_UNCHANGED" })),
      byM("M removes M", (s) => ({ next: { ...s, M: null } })),
      byM("M attaches X as manager", (s) => (s.X !== null ? { refused: "ALREADY_ATTACHED" } : { next: { ...s, X: "secondaryManager" } })),
      byM("M promotes Y", (s) =>
        s.Y === null ? { refused: "NOT_FOUND" } : s.Y === "secondaryManager" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, Y: "secondaryManager" } },
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
          s.M === null ? { refused: "NOT_FOUND" } : s.M === "secondaryManager" ? { refused: "ROLE_UNCHANGED" } : { next: { ...s, M: "secondaryManager" } },
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

// ------------------------------------------------------------------------ guide §6

/** Attaches `user` with a role, a scope and a validity start of its own. */
async function attachWith(by: UserId, s: StructureId, user: UserId, role: "secondaryManager" | "user", scope: AttachmentScope, validFrom = TODAY): Promise<void> {
  must(await setupApp.attachUser(by, { structureId: s, userId: user, role, validFrom, comment: "Mise en place", scope }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** The sequence of the history entry an outcome reported first. */
const sequenceOf = (r: Outcome) => (r.ok ? (r.value.history[0] as HistoryEntry).sequence : Number.POSITIVE_INFINITY);
/** A user's record apart from one structure's attachment (what a transfer or a member change of that structure must leave alone). */
const apartFrom = (user: User | undefined, s: StructureId) => user && { ...user, attachments: user.attachments.filter((a) => a.structureId !== s) };

/** The structures of the whole schema whose primary manager is not an active account: none, ever. */
async function primaryManagersNotActive(): Promise<unknown[]> {
  const { rows } = await admin.query(
    `SELECT s.id, s.primary_manager_id, u.data ->> 'status' AS status
     FROM ${sq("structures")} s LEFT JOIN ${sq("users")} u ON u.id = s.primary_manager_id
     WHERE u.id IS NULL OR u.data ->> 'status' <> 'active'`,
  );
  return rows;
}

/** How a successor stands in the structure before the transfer. */
type Standing = "none" | "userOnServices" | "secondaryManager" | "userWhole" | "notYetInForce";
const STANDINGS: readonly Standing[] = ["none", "userOnServices", "secondaryManager", "userWhole", "notYetInForce"];

async function place(p: UserId, s: StructureId, service: ServiceId, x: UserId, standing: Standing): Promise<void> {
  switch (standing) {
    case "none":
      return;
    case "userOnServices":
      return attachWith(p, s, x, "user", { kind: "services", serviceIds: [service] });
    case "secondaryManager":
      return attach(p, s, x, "secondaryManager");
    case "userWhole":
      return attach(p, s, x, "user");
    case "notYetInForce":
      return attachWith(p, s, x, "user", { kind: "structure" }, "2026-12-01");
  }
}

/** What a transfer must leave on its successor: attached to the whole structure, in force, a simple user on record. */
function expectSuccessorAttached(user: User | undefined, s: StructureId) {
  const a = user && attachmentTo(user, s);
  expect(a, `${user?.id} attached to ${s}`).toMatchObject({ role: "user", scope: { kind: "structure" } });
  expect((a?.validFrom ?? "9999") <= TODAY, `${user?.id}'s attachment in force`).toBe(true);
}

describe(`guide §6 on ${CLIENTS} applications: transfers and deactivations racing`, () => {
  it("two transfers of one structure by its primary manager, to two successors at once (4 structures a round): one wins, one primary manager, one history entry, one event", async () => {
    const seen: unknown[] = (report["two transfers of one structure"] = []);
    const ROUNDS = 25;
    const GROUPS = CLIENTS / 2;
    for (let round = 0; round < ROUNDS; round++) {
      const groups = await Promise.all(
        range(GROUPS).map(async (k) => {
          const t = tag();
          const [p, x, y] = (await Promise.all(["p", "x", "y"].map((n) => register(`${n}.${t}`)))) as [UserId, UserId, UserId];
          const { id: s, services: [svA] } = await structure(p, `Transfert ${t}`);
          const standings = [STANDINGS[(round + k) % STANDINGS.length], STANDINGS[(round + 2 * k + 1) % STANDINGS.length]] as [Standing, Standing];
          await place(p, s, svA, x, standings[0]);
          await place(p, s, svA, y, standings[1]);
          return { p, s, successors: [x, y] as const, standings };
        }),
      );
      const before = new Map(await Promise.all(groups.flatMap((g) => g.successors).map(async (id) => [id, await store.getUser(id)] as const)));
      // Client 2k + j transfers group k's structure to its successor (j + round) % 2; from
      // round 10 on, one of each pair starts a few milliseconds late in some rounds.
      const successorOf = (i: number) => {
        const g = groups[i >> 1] as (typeof groups)[number];
        return { g, j: (i + round) % 2, x: g.successors[(i + round) % 2] as UserId };
      };
      const lag = (i: number) => (round < 10 || round % 3 === 0 ? 0 : (i % 2) * ((round % 4) + 1));
      const since = await mark();
      const { results, atCommit, refusedAtCommit, commits: seenAtCommit } = await race(
        range(CLIENTS).map((i): Act => async (app) => {
          const { g, x } = successorOf(i);
          if (lag(i) > 0) await sleep(lag(i));
          return app.transferPrimaryRole(g.p, { structureIds: [g.s], successorId: x });
        }),
      );

      let bothAtCommit = 0;
      for (let k = 0; k < GROUPS; k++) {
        const pair = [2 * k, 2 * k + 1];
        const won = pair.filter((i) => (results[i] as Outcome).ok);
        expect(won, `round ${round}, structure ${k}: ${pair.map((i) => code(results[i] as Outcome))}`).toHaveLength(1);
        const w = won[0] as number;
        const l = pair.find((i) => i !== w) as number;
        const { g, j, x: winner } = successorOf(w);
        const loserSuccessor = successorOf(l).x;
        const loser = results[l] as Outcome;
        if (!loser.ok && loser.error.code === "FORBIDDEN")
          expect(loser.error).toEqual({ code: "FORBIDDEN", actorId: g.p, structureId: g.s, reason: "notThePrimaryManager" });
        else expect(code(loser)).toBe("CONCURRENT_MODIFICATION");
        // One primary manager: the winner's successor, attached to the whole structure.
        expect((await store.getStructure(g.s))?.value.primaryManagerId).toBe(winner);
        const successor = await store.getUser(winner);
        expectSuccessorAttached(successor?.value, g.s);
        const was = before.get(winner);
        expect(successor?.version, `standing ${g.standings[j]}`).toBe((was?.version ?? 0) + (g.standings[j] === "userWhole" ? 0 : 1));
        expect(apartFrom(successor?.value, g.s)).toEqual(apartFrom(was?.value, g.s));
        // The other successor's record is untouched: the losing transfer left nothing.
        expect(await store.getUser(loserSuccessor)).toEqual(before.get(loserSuccessor));
        // The former primary manager stays, a simple user of the whole structure.
        expect(attachmentTo((await store.getUser(g.p))?.value as User, g.s)).toMatchObject({ role: "user", scope: { kind: "structure" } });
        // One history entry and one event for the transfer, the winner's.
        const entries = await store.readHistory(g.s, { kinds: ["primaryRoleTransferred"], limit: 10 });
        expect(entries.map((e) => [e.actorId, e.targetUserId, e.details.formerPrimaryManagerId])).toEqual([[g.p, winner, g.p]]);
        const outcome = (results[w] as Outcome & { ok: true }).value;
        expect(outcome.history).toEqual(entries);
        expect(outcome.events.map((e) => (e.type === "PrimaryRoleTransferred" ? [e.type, e.structureId, e.formerPrimaryManagerId, e.primaryManagerId] : [e.type]))).toEqual([
          ["PrimaryRoleTransferred", g.s, g.p, winner],
        ]);
        await expectInvariants(g.s);
        if ((seenAtCommit[l] as string[]).length > 0) bothAtCommit++;
      }
      await expectSavedExactlyWhatWinnersGot(since, results);
      expect(await primaryManagersNotActive()).toEqual([]);
      seen.push({ round, atCommit, refusedAtCommit, bothAtCommit, codes: results.map(code) });
    }
    // Both transfers of some structure reached the commit: the second learned there that the role had moved.
    expect(seen.some((r) => (r as { bothAtCommit: number }).bothAtCommit > 0), JSON.stringify(seen)).toBe(true);
  });

  it("a transfer to X racing a secondary manager's change of X (demotion, promotion, removal, X's own): a serial order explains both outcomes, and the structure keeps one primary manager", async () => {
    interface Variant {
      readonly name: string;
      /** How X stands before; `self`: X is the secondary manager acting. */
      readonly standing: Standing | "managerOnServices";
      readonly self: boolean;
      readonly act: (m: UserId, s: StructureId, x: UserId) => Act;
    }
    const demote = (m: UserId, s: StructureId, x: UserId): Act => (app) => app.changeMemberRole(m, { structureId: s, userId: x, role: "user" });
    const promote = (m: UserId, s: StructureId, x: UserId): Act => (app) => app.changeMemberRole(m, { structureId: s, userId: x, role: "secondaryManager" });
    const remove = (m: UserId, s: StructureId, x: UserId): Act => (app) => app.removeAttachment(m, { structureId: s, userId: x });
    const variants: Variant[] = [
      { name: "M demotes X, a secondary manager", standing: "secondaryManager", self: false, act: demote },
      { name: "M promotes X, a simple user of one service", standing: "userOnServices", self: false, act: promote },
      { name: "M removes X, a secondary manager of one service", standing: "managerOnServices", self: false, act: remove },
      { name: "M removes X, a simple user of the whole structure", standing: "userWhole", self: false, act: remove },
      { name: "X, a secondary manager, removes themself", standing: "secondaryManager", self: true, act: remove },
      { name: "X, a secondary manager, demotes themself", standing: "secondaryManager", self: true, act: demote },
    ];
    const seen: unknown[] = (report["transfer against a change of the successor"] = []);
    const ROUNDS = 30;
    const GROUPS = CLIENTS / 2;
    for (let round = 0; round < ROUNDS; round++) {
      const groups = await Promise.all(
        range(GROUPS).map(async (k) => {
          const variant = variants[(round * GROUPS + k) % variants.length] as Variant;
          const t = tag();
          const [p, m, other] = (await Promise.all(["p", "m", "x"].map((n) => register(`${n}.${t}`)))) as [UserId, UserId, UserId];
          const x = variant.self ? m : other;
          const { id: s, services: [svA] } = await structure(p, `Succession ${t}`);
          if (!variant.self) await attach(p, s, m, "secondaryManager");
          if (variant.standing === "managerOnServices") await attachWith(p, s, x, "secondaryManager", { kind: "services", serviceIds: [svA] });
          else await place(p, s, svA, x, variant.standing);
          return { variant, p, m, x, s };
        }),
      );
      const before = new Map(await Promise.all(groups.map(async (g) => [g.x, await store.getUser(g.x)] as const)));
      // Client 2k (or 2k + 1, alternately) transfers, the other changes X. Rounds with a
      // lag start one side a few milliseconds late, so that either may commit first.
      const transferAt = (k: number) => 2 * k + ((round + k) % 2);
      const lagged = round % 3; // 0: none; 1: the transfer late; 2: the change late
      const since = await mark();
      const { results, atCommit, refusedAtCommit } = await race(
        range(CLIENTS).map((i): Act => {
          const k = i >> 1;
          const g = groups[k] as (typeof groups)[number];
          const isTransfer = i === transferAt(k);
          const act: Act = isTransfer ? (app) => app.transferPrimaryRole(g.p, { structureIds: [g.s], successorId: g.x }) : g.variant.act(g.m, g.s, g.x);
          const late = (lagged === 1 && isTransfer) || (lagged === 2 && !isTransfer) ? 2 + ((round + k) % 4) : 0;
          return async (app) => {
            if (late > 0) await sleep(late);
            return act(app);
          };
        }),
      );

      const orders: string[] = [];
      for (let k = 0; k < GROUPS; k++) {
        const g = groups[k] as (typeof groups)[number];
        const t = results[transferAt(k)] as Outcome;
        const c = results[transferAt(k) ^ 1] as Outcome;
        const label = `round ${round}, « ${g.variant.name} »: transfer ${code(t)}, change ${code(c)}`;
        // The transfer never has a reason to be refused (X's account stays active): only
        // running out of retries could stop it.
        if (!t.ok) expect(code(t), label).toBe("CONCURRENT_MODIFICATION");
        if (!c.ok) {
          // Refused once X is primary manager: a change of X waits for a transfer.
          if (c.error.code === "TRANSFER_REQUIRED") expect(c.error, label).toEqual({ code: "TRANSFER_REQUIRED", structureId: g.s, userId: g.x });
          else expect(code(c), label).toBe("CONCURRENT_MODIFICATION");
          expect(t.ok || code(c) === "CONCURRENT_MODIFICATION", label).toBe(true);
        }
        // Both committed: the change came first (after the transfer it is refused).
        if (t.ok && c.ok) expect(sequenceOf(c), label).toBeLessThan(sequenceOf(t));
        orders.push(t.ok && c.ok ? "change, transfer" : t.ok ? "transfer" : c.ok ? "change" : "none");

        // The end state: one primary manager, X if the transfer committed, attached to the whole structure.
        const pm = (await store.getStructure(g.s))?.value.primaryManagerId;
        expect(pm, label).toBe(t.ok ? g.x : g.p);
        const x = await store.getUser(g.x);
        if (t.ok) {
          expectSuccessorAttached(x?.value, g.s);
          expect(attachmentTo((await store.getUser(g.p))?.value as User, g.s)).toMatchObject({ role: "user", scope: { kind: "structure" } });
        }
        // Nothing but X's attachment to this structure changed on X's record.
        expect(apartFrom(x?.value, g.s)).toEqual(apartFrom(before.get(g.x)?.value, g.s));
        // Each act left exactly its own entry on the structure, or none.
        const entries = await store.readHistory(g.s, { targetUserId: g.x, limit: 20 });
        const recent = entries.filter((e) => e.sequence > since.history).map((e) => e.kind).reverse();
        const changeKind = g.variant.act === remove ? "attachmentRemoved" : "roleChanged";
        expect(recent, label).toEqual(
          t.ok && c.ok ? [changeKind, "primaryRoleTransferred"] : t.ok ? ["primaryRoleTransferred"] : c.ok ? [changeKind] : [],
        );
        await expectInvariants(g.s);
      }
      await expectSavedExactlyWhatWinnersGot(since, results);
      expect(await primaryManagersNotActive()).toEqual([]);
      seen.push({ round, lagged, atCommit, refusedAtCommit, orders, codes: results.map(code) });
    }
    const all = seen.flatMap((r) => (r as { orders: string[] }).orders);
    // Both serial orders happened, and some loser learned at commit that the other had won.
    expect(all.includes("transfer") && all.includes("change, transfer"), JSON.stringify(seen)).toBe(true);
    expect(seen.some((r) => (r as { refusedAtCommit: number }).refusedAtCommit > 0), JSON.stringify(seen)).toBe(true);
  });

  it("a deactivation racing a transfer of one of the account's structures (by it, or to it): a serial order explains both outcomes, and a deactivated account is primary manager of nothing", async () => {
    type Name = "P" | "A" | "B" | "C" | "Q";
    type Key = "S1" | "S2" | "S3";
    /** Who is primary manager of what, and whether P's account is active. */
    interface Mini {
      readonly pm: Readonly<Record<Key, Name>>;
      readonly active: boolean;
    }
    type Judged = { readonly refused: string } | { readonly next: Mini };
    interface Variant {
      readonly name: string;
      /** P names one successor for everything (`successorId: A`), or S1 → A and S2 → B. */
      readonly oneSuccessor: boolean;
      /** P hands S1 to C, or Q hands S3 to P. */
      readonly transferByP: boolean;
      /** P is a simple user of S3 before (else not attached to it). */
      readonly inS3: boolean;
    }
    const variants: Variant[] = [
      { name: "P leaves (A for all) while P hands S1 to C", oneSuccessor: true, transferByP: true, inS3: false },
      { name: "P leaves (S1 → A, S2 → B) while P hands S1 to C", oneSuccessor: false, transferByP: true, inS3: false },
      { name: "P leaves (A for all) while Q hands S3 to P, a member of S3", oneSuccessor: true, transferByP: false, inS3: true },
      { name: "P leaves (S1 → A, S2 → B) while Q hands S3 to P, not yet attached", oneSuccessor: false, transferByP: false, inS3: false },
    ];
    /** The rules of the two acts, on the mini state (the order of their checks as the core's). */
    const deactivate = (v: Variant) => (s: Mini): Judged => {
      if (!s.active) return { refused: "FORBIDDEN" };
      const primaries = (["S1", "S2", "S3"] as const).filter((key) => s.pm[key] === "P");
      const named: Partial<Record<Key, Name>> = v.oneSuccessor ? Object.fromEntries(primaries.map((key) => [key, "A"])) : { S1: "A", S2: "B" };
      if (primaries.some((key) => named[key] === undefined)) return { refused: "SUCCESSOR_REQUIRED" };
      if (Object.keys(named).some((key) => s.pm[key as Key] !== "P")) return { refused: "FORBIDDEN" };
      return { next: { pm: { ...s.pm, ...named }, active: false } };
    };
    const transfer = (v: Variant) => (s: Mini): Judged => {
      if (v.transferByP) {
        if (!s.active || s.pm.S1 !== "P") return { refused: "FORBIDDEN" };
        return { next: { ...s, pm: { ...s.pm, S1: "C" } } };
      }
      // P's status is told to Q only if P is a member of S3; else P is as unknown as an id that names no one.
      if (!s.active) return { refused: v.inS3 ? "ACCOUNT_NOT_ACTIVE" : "NOT_FOUND" };
      return { next: { ...s, pm: { ...s.pm, S3: "P" } } };
    };

    const seen: unknown[] = (report["deactivation against a transfer"] = []);
    const ROUNDS = 30;
    const GROUPS = CLIENTS / 2;
    for (let round = 0; round < ROUNDS; round++) {
      const groups = await Promise.all(
        range(GROUPS).map(async (k) => {
          const variant = variants[(round + k) % variants.length] as Variant;
          const t = tag();
          const ids = (await Promise.all(["p", "a", "b", "c", "q"].map((n) => register(`${n}.${t}`)))) as UserId[];
          const who = { P: ids[0], A: ids[1], B: ids[2], C: ids[3], Q: ids[4] } as Record<Name, UserId>;
          const [s1, s2] = [await structure(who.P, `Départ ${t} 1`), await structure(who.P, `Départ ${t} 2`)];
          const s3 = await structure(who.Q, `Départ ${t} 3`);
          if (variant.inS3) await attach(who.Q, s3.id, who.P, "user");
          // A is already a member of S1, on one service: the deactivation widens it.
          await attachWith(who.P, s1.id, who.A, "user", { kind: "services", serviceIds: [s1.services[0]] });
          const where: Record<Key, StructureId> = { S1: s1.id, S2: s2.id, S3: s3.id };
          return { variant, who, where };
        }),
      );
      const deactivateAt = (k: number) => 2 * k + ((round + k) % 2);
      const lagged = round % 3; // 0: none; 1: the deactivation late; 2: the transfer late
      const since = await mark();
      const { results, atCommit, refusedAtCommit } = await race(
        range(CLIENTS).map((i): Act => {
          const k = i >> 1;
          const { variant: v, who, where } = groups[k] as (typeof groups)[number];
          const isDeactivation = i === deactivateAt(k);
          const act: Act = isDeactivation
            ? (app) =>
                app.deactivateAccount(
                  who.P,
                  v.oneSuccessor
                    ? { successorId: who.A }
                    : { transfers: [{ structureId: where.S1, successorId: who.A }, { structureId: where.S2, successorId: who.B }] },
                )
            : v.transferByP
              ? (app) => app.transferPrimaryRole(who.P, { structureIds: [where.S1], successorId: who.C })
              : (app) => app.transferPrimaryRole(who.Q, { structureIds: [where.S3], successorId: who.P });
          const late = (lagged === 1 && isDeactivation) || (lagged === 2 && !isDeactivation) ? 2 + ((round + k) % 4) : 0;
          return async (app) => {
            if (late > 0) await sleep(late);
            return act(app);
          };
        }),
      );

      const orders: string[] = [];
      for (let k = 0; k < GROUPS; k++) {
        const { variant: v, who, where } = groups[k] as (typeof groups)[number];
        const d = results[deactivateAt(k)] as Outcome;
        const t = results[deactivateAt(k) ^ 1] as Outcome;
        const label = `round ${round}, « ${v.name} »: deactivation ${code(d)}, transfer ${code(t)}`;
        // The serial order: the committed acts by the sequence of their history entries.
        const acts = [
          { name: "deactivation", result: d, judge: deactivate(v) },
          { name: "transfer", result: t, judge: transfer(v) },
        ];
        const committed = acts.filter((a) => a.result.ok).sort((a, b) => sequenceOf(a.result) - sequenceOf(b.result));
        const states: Mini[] = [{ pm: { S1: "P", S2: "P", S3: "Q" }, active: true }];
        for (const a of committed) {
          const judged = a.judge(states[states.length - 1] as Mini);
          expect("next" in judged, `${label}: the ${a.name} committed where the rules refuse it (${JSON.stringify(judged)})`).toBe(true);
          if ("next" in judged) states.push(judged.next);
        }
        // Each refusal is what the rules give at some point of that order, or the retries ran out.
        for (const a of acts) {
          if (a.result.ok || a.result.error.code === "CONCURRENT_MODIFICATION") continue;
          const possible = states.map((st) => a.judge(st)).flatMap((j) => ("refused" in j ? [j.refused] : []));
          expect(possible, `${label}: the ${a.name}`).toContain(a.result.error.code);
        }
        // And the refusals name what they are about.
        if (!t.ok && t.error.code === "FORBIDDEN") expect(t.error, label).toEqual({ code: "FORBIDDEN", actorId: who.P, structureId: null, reason: "accountNotActive" });
        if (!t.ok && t.error.code === "ACCOUNT_NOT_ACTIVE") expect(t.error, label).toEqual({ code: "ACCOUNT_NOT_ACTIVE", userId: who.P, status: "deactivated" });
        if (!t.ok && t.error.code === "NOT_FOUND") expect(t.error, label).toEqual({ code: "NOT_FOUND", entity: "user", id: who.P });
        if (!d.ok && d.error.code === "FORBIDDEN")
          expect(d.error, label).toEqual({ code: "FORBIDDEN", actorId: who.P, structureId: where.S1, reason: "notThePrimaryManager" });
        if (!d.ok && d.error.code === "SUCCESSOR_REQUIRED") expect(d.error, label).toEqual({ code: "SUCCESSOR_REQUIRED", userId: who.P, structureIds: [where.S3] });
        orders.push(committed.map((a) => a.name).join(", ") || "none");

        // The end state is the one that order leads to.
        const end = states[states.length - 1] as Mini;
        for (const key of ["S1", "S2", "S3"] as const)
          expect((await store.getStructure(where[key]))?.value.primaryManagerId, `${label}: ${key}`).toBe(who[end.pm[key]]);
        const p = (await store.getUser(who.P))?.value as User;
        expect(p.status, label).toBe(end.active ? "active" : "deactivated");
        expect(p.deactivatedAt, label).toBe(end.active ? null : NOW.toISOString());
        // P keeps every attachment, a simple user of the whole structure where it was primary manager.
        for (const key of ["S1", "S2", "S3"] as const) {
          const attached = key !== "S3" || v.inS3 || (t.ok && !v.transferByP);
          if (attached) expect(attachmentTo(p, where[key]), `${label}: P in ${key}`).toMatchObject({ role: "user", scope: { kind: "structure" } });
          else expect(attachmentTo(p, where[key]), `${label}: P in ${key}`).toBeUndefined();
        }
        for (const key of ["S1", "S2", "S3"] as const) await expectInvariants(where[key]);
        // The deactivation's history: one « Compte désactivé » on each structure P is attached to.
        if (d.ok) {
          const deactivated = (d.value.history as HistoryEntry[]).filter((e) => e.kind === "accountDeactivated").map((e) => e.structureId);
          expect([...deactivated].sort(), label).toEqual(p.attachments.map((a) => a.structureId).sort());
        }
      }
      await expectSavedExactlyWhatWinnersGot(since, results);
      // Across the whole schema: every primary manager's account is active.
      expect(await primaryManagersNotActive()).toEqual([]);
      seen.push({ round, lagged, atCommit, refusedAtCommit, orders, codes: results.map(code) });
    }
    const all = seen.flatMap((r) => (r as { orders: string[] }).orders);
    expect(all.includes("deactivation") && all.includes("transfer, deactivation"), JSON.stringify(seen)).toBe(true);
    expect(seen.some((r) => (r as { refusedAtCommit: number }).refusedAtCommit > 0), JSON.stringify(seen)).toBe(true);
  });
});
