// Properties of accounts through the application layer, on the memory store (fast-check):
//   (a) a token cannot be reused: once an account is activated, no token activates it
//       again, whatever was sent before; a refused activation changes nothing;
//   (b) a token cannot be used after its expiry, whatever the policy's lifetime;
//   (c) over random acts, what the store keeps (outbox aside) never contains a token, and
//       a stored hash presented as a token is refused;
//   (d) only managers of a structure act on its users: for random actors, structures,
//       users and account acts, the answer is the one the rights give (success only for
//       a manager in force of that structure, acting on one of its users; a record
//       written only while it is an account pending activation created for that
//       structure), and a refusal changes nothing.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { DomainError, Habilitations, RecordedEvent, Result, UserId } from "../../src/index.js";
import { guide, must, UNKNOWN, type Guide, type Harness } from "./harness.js";

type ActivationEmail = Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;

const MINUTE = 60_000;
/** No throttle: the properties follow tokens and rights, not the e-mail limits (tested on their own). */
const UNTHROTTLED = { minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 1000 } as const;

/** The host's mailer: claims and acknowledges what the outbox holds; the activation e-mails it found. */
async function deliver(h: Harness): Promise<ActivationEmail[]> {
  const claimed = must(await h.app.claimEvents({ limit: 1000 }));
  must(await h.app.acknowledgeEvents(claimed.map((m) => m.event.id)));
  return claimed.map((m) => m.event).filter((e): e is ActivationEmail => e.type === "ActivationEmailRequested");
}

const code = (r: Result<unknown, DomainError>) => (r.ok ? "ok" : r.error.code);

/** Everything the store holds but the outbox, as JSON. */
const storedButOutbox = (h: Harness) => JSON.stringify({ ...h.snapshot(), outbox: [] });

/** The guide, an app with `activation`, and Inès's account created by Alice for the town hall, its first token delivered. */
async function withInes(activation: Record<string, number> = {}) {
  const { h, g } = await guide();
  const app = h.appOver(h.store, { activation: { ...UNTHROTTLED, ...activation } });
  await deliver(h);
  const id = must(
    await app.createAccount(g.alice, { structureId: g.townHall, login: "ines.garcia@mairie-lyon.fr", lastName: "Garcia", firstName: "Inès" }),
  ).member.id;
  const tokens = (await deliver(h)).map((e) => e.token!);
  return { h, g, app, id, tokens };
}

/** Sends Inès's e-mail again; returns the new token. */
async function resend(h: Harness, g: Guide, app: Habilitations, id: UserId): Promise<string> {
  const r = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
  must(r.results[0]!.result);
  const emails = await deliver(h);
  return emails[emails.length - 1]!.token!;
}

/** Runs an activation that the property expects to be refused, and checks it changed nothing. */
async function refusedActivation(h: Harness, app: Habilitations, userId: UserId, token: string): Promise<string> {
  const before = h.snapshot();
  const r = await app.activateAccount({ userId, token });
  expect(r.ok).toBe(false);
  expect(h.snapshot()).toEqual(before);
  return code(r);
}

describe("accounts through the application layer — properties", () => {
  test.prop(
    [fc.nat({ max: 3 }), fc.array(fc.record({ pick: fc.nat({ max: 4 }), gap: fc.integer({ min: 0, max: 30 * MINUTE }) }), { minLength: 1, maxLength: 6 })],
    { numRuns: 40 },
  )("(a) a token cannot be reused: after the activation, every token is refused (USED for the one used, INVALID for older ones)", async (resends, attempts) => {
    const { h, g, app, id, tokens } = await withInes();
    for (let i = 0; i < resends; i++) tokens.push(await resend(h, g, app, id));
    const newest = tokens[tokens.length - 1]!;
    must(await app.activateAccount({ userId: id, token: newest }));
    for (const { pick, gap } of attempts) {
      h.setNow(new Date(h.now().getTime() + gap).toISOString());
      const token = tokens[Math.min(pick, tokens.length - 1)]!;
      expect(await refusedActivation(h, app, id, token)).toBe(token === newest ? "ACTIVATION_TOKEN_USED" : "ACTIVATION_TOKEN_INVALID");
    }
    // Sending again is refused too: active and never attached, the account is no longer the
    // town hall's (NOT_FOUND, as any stranger's).
    const again = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(code(again.results[0]!.result)).toBe("NOT_FOUND");
  });

  test.prop([fc.integer({ min: 1, max: 180 }), fc.double({ min: 0, max: 2, noNaN: true }), fc.boolean()], { numRuns: 40 })(
    "(b) a token cannot be used after its expiry: it works iff used before issuedAt + tokenLifetimeMinutes",
    async (lifetime, fraction, resent) => {
      const { h, g, app, id, tokens } = await withInes({ tokenLifetimeMinutes: lifetime });
      if (resent) {
        h.tick(3);
        tokens.push(await resend(h, g, app, id));
      }
      const issuedAt = h.now().getTime();
      const delay = Math.round(fraction * lifetime * MINUTE);
      h.setNow(new Date(issuedAt + delay).toISOString());
      const token = tokens[tokens.length - 1]!;
      if (delay < lifetime * MINUTE) expect(code(await app.activateAccount({ userId: id, token }))).toBe("ok");
      else expect(await refusedActivation(h, app, id, token)).toBe("ACTIVATION_TOKEN_EXPIRED");
    },
  );

  const actArb = fc.oneof(
    fc.record({ kind: fc.constant("resend" as const), gap: fc.integer({ min: 0, max: 90 * MINUTE }) }),
    fc.record({ kind: fc.constant("register" as const), gap: fc.integer({ min: 0, max: 90 * MINUTE }) }),
    fc.record({
      kind: fc.constant("activate" as const),
      gap: fc.integer({ min: 0, max: 90 * MINUTE }),
      token: fc.oneof(fc.nat({ max: 5 }), fc.constant("hash" as const), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)),
    }),
  );

  test.prop([fc.array(actArb, { minLength: 1, maxLength: 10 })], { numRuns: 40 })(
    "(c) what the store keeps (outbox aside) and what callers are given never contain a token, and the stored hash is no token",
    async (acts) => {
      const { h, g, app, id, tokens } = await withInes();
      const answers: unknown[] = []; // everything the callers were given
      for (const act of acts) {
        h.setNow(new Date(h.now().getTime() + act.gap).toISOString());
        if (act.kind === "resend") {
          answers.push(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
        } else if (act.kind === "register") {
          answers.push(must(await app.registerAccount({ login: "ines.garcia@mairie-lyon.fr", lastName: "X", firstName: "Y" })));
        } else {
          const live = (await h.store.getUser(id))!.value.activation!.tokens;
          const token =
            act.token === "hash" ? live[live.length - 1]!.tokenHash : typeof act.token === "number" ? tokens[Math.min(act.token, tokens.length - 1)]! : act.token;
          answers.push(await app.activateAccount({ userId: id, token }));
        }
        // The outbox holds the tokens sent (delivered here); the rest of the store holds none.
        const outboxTokens = h.snapshot().outbox.filter((e): e is ActivationEmail => e.type === "ActivationEmailRequested").map((e) => e.token!);
        tokens.push(...outboxTokens);
        const stored = storedButOutbox(h);
        for (const token of tokens) expect(stored).not.toContain(token);
        await deliver(h);
      }
      const given = JSON.stringify(answers);
      for (const token of tokens) expect(given).not.toContain(token);
      for (const { tokenHash } of (await h.store.getUser(id))!.value.activation!.tokens)
        expect(await refusedActivation(h, app, id, tokenHash)).toBe("ACTIVATION_TOKEN_INVALID");
    },
  );
});

// ------------------------------------------------------------------------ (d) rights

const ACTORS = ["alice", "bruno", "chloe", "david", "elodie", "farid", "victor", "denis", "hugo", "unknown"] as const;
const STRUCTURES = ["townHall", "bookshop", "acme", "unknown"] as const;
type Actor = (typeof ACTORS)[number];
type Place = (typeof STRUCTURES)[number];
/** Who may manage each structure today (Hugo's attachments start tomorrow, Denis is deactivated). */
const MANAGERS: Readonly<Record<Place, readonly Actor[]>> = { townHall: ["alice", "bruno"], bookshop: ["alice"], acme: ["victor"], unknown: [] };

/** The users acted on: an account created for each structure (pending), two members (active), someone of no structure, an unknown id. */
const TARGETS = ["pendingTownHall", "pendingBookshop", "pendingAcme", "chloe", "david", "elodie", "unknown"] as const;
type Target = (typeof TARGETS)[number];
/** The structure each target is a user of (attached to, or created for). */
const USER_OF: Readonly<Record<Target, Place | null>> = {
  pendingTownHall: "townHall",
  pendingBookshop: "bookshop",
  pendingAcme: "acme",
  chloe: "townHall",
  david: "bookshop",
  elodie: null,
  unknown: null,
};
const PENDING: ReadonlySet<Target> = new Set(["pendingTownHall", "pendingBookshop", "pendingAcme"]);

const OPS = ["createAccount", "sendActivationEmails", "updateUser", "getPersonalInformation", "listUserStructures"] as const;
type Op = (typeof OPS)[number];

/** The answer the rights give (the code of the result, or of the one user's result for sendActivationEmails). */
function expected(op: Op, actor: Actor, place: Place, target: Target): string {
  if (actor === "unknown") return "UNKNOWN_ACTOR";
  if (!MANAGERS[place].includes(actor)) return "FORBIDDEN";
  if (op === "createAccount") return "ok";
  if (USER_OF[target] !== place) return "NOT_FOUND";
  if (op === "sendActivationEmails" && !PENDING.has(target)) return "ACCOUNT_NOT_PENDING_ACTIVATION";
  // A person's record is theirs: a manager writes only an account pending activation created for the structure.
  if (op === "updateUser" && !PENDING.has(target)) return "FORBIDDEN";
  return "ok";
}

describe("(d) only managers of that structure act on its users", () => {
  const phoneArb = fc.stringMatching(/^0[1-9]( [0-9]{2}){4}$/);
  /** Anyone, anywhere, on anyone. */
  const anyCommand = fc.record({
    op: fc.constantFrom(...OPS),
    actor: fc.constantFrom(...ACTORS),
    place: fc.constantFrom(...STRUCTURES),
    target: fc.constantFrom(...TARGETS),
    phone: phoneArb,
  });
  /** A manager of the structure on one of its users: what should succeed (so successes are common, not rare). */
  const rightfulCommand = fc.constantFrom<Place>("townHall", "bookshop", "acme").chain((place) =>
    fc.record({
      op: fc.constantFrom(...OPS),
      actor: fc.constantFrom(...MANAGERS[place]),
      place: fc.constant(place),
      target: fc.constantFrom(...TARGETS.filter((t) => USER_OF[t] === place)),
      phone: phoneArb,
    }),
  );
  const commandArb = fc.oneof(anyCommand, rightfulCommand);

  test.prop([fc.array(commandArb, { minLength: 1, maxLength: 6 })], { numRuns: 60 })(
    "random actors, structures, users and acts: the answer is the rights' one, and a refusal changes nothing",
    async (commands) => {
      const { h, g } = await guide();
      const app = h.appOver(h.store, { activation: UNTHROTTLED });
      const create = async (actor: UserId, structureId: string, login: string) =>
        must(await app.createAccount(actor, { structureId, login, lastName: "Nouveau", firstName: "Compte" })).member.id;
      const users: Record<Target, string> = {
        pendingTownHall: await create(g.alice, g.townHall, "p.townhall@example.fr"),
        pendingBookshop: await create(g.alice, g.bookshop, "p.bookshop@example.fr"),
        pendingAcme: await create(g.victor, g.acme, "p.acme@example.fr"),
        chloe: g.chloe,
        david: g.david,
        elodie: g.elodie,
        unknown: UNKNOWN,
      };
      const actorId = (a: Actor) => (a === "unknown" ? UNKNOWN : g[a]);
      const structureId = (p: Place) => (p === "unknown" ? "str-404" : g[p]);

      for (const [i, { op, actor, place, target, phone }] of commands.entries()) {
        const who = actorId(actor);
        const ref = { structureId: structureId(place), userId: users[target] };
        const before = h.snapshot();
        let answer: string;
        if (op === "createAccount") {
          answer = code(await app.createAccount(who, { structureId: ref.structureId, login: `new.${i}@example.fr`, lastName: "N", firstName: "C" }));
        } else if (op === "sendActivationEmails") {
          const r = await app.sendActivationEmails(who, { structureId: ref.structureId, userIds: [ref.userId] });
          answer = r.ok ? code(r.value.results[0]!.result) : r.error.code;
        } else if (op === "updateUser") {
          answer = code(await app.updateUser(who, { ...ref, changes: { phone } }));
        } else if (op === "getPersonalInformation") {
          answer = code(await app.getPersonalInformation(who, ref));
        } else {
          answer = code(await app.listUserStructures(who, ref));
        }
        expect(answer, `${op} by ${actor} on ${target} through ${place}`).toBe(expected(op, actor, place, target));
        if (answer !== "ok") expect(h.snapshot()).toEqual(before);
      }
      // Success only ever came from a manager in force: the history names no one else as actor of these acts.
      const actors = new Set(h.snapshot().history.map((e) => e.actorId));
      for (const a of actors) expect([g.alice, g.bruno, g.victor]).toContain(a);
    },
  );
});
