// Minimal disclosure (SPEC §4): whatever a random actor does, what comes back about a
// structure's business names that structure only — never another structure, never an
// attachment to another one — and an outsider cannot tell a record of a structure they
// do not manage from one that does not exist. For the acts on accounts: a manager acting
// for S on someone who is not a user of S gets exactly what an unknown id gets; a user's
// structures name the others by designation only; nobody can tell from the public acts
// (registration, activation) which logins or accounts exist. Guide §6: a transfer names no
// structure but those it named; a deactivation, those and the actor's own; a reactivation,
// the actor's own; the listing, those the actor is primary manager of; an unknown structure
// and another's get the same answer.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canManage, localDate, type StructureId, type UserId } from "../../src/index.js";
import {
  buildWorld,
  callArb,
  CHORUS_PRO_QUERIES,
  chorusProCall,
  newestToken,
  structureIdsIn,
  UNKNOWN_STRUCTURE,
  UNKNOWN_USER,
  type Call,
  type World,
} from "./world.js";

const REACHED_BY_ID: Record<string, "attachmentRequest" | "subscriptionRequest" | "service"> = {
  validateAttachmentRequest: "attachmentRequest",
  refuseAttachmentRequest: "attachmentRequest",
  consultAttachmentRequest: "attachmentRequest",
  renameService: "service",
  deactivateService: "service",
  validateSubscriptionRequest: "subscriptionRequest",
  refuseSubscriptionRequest: "subscriptionRequest",
  consultSubscriptionRequest: "subscriptionRequest",
};
/** Bulk acts: each item reached through its request's id. */
const BULK: Record<string, "attachmentRequest" | "subscriptionRequest"> = {
  validateAttachmentRequests: "attachmentRequest",
  validateSubscriptionRequests: "subscriptionRequest",
  refuseSubscriptionRequests: "subscriptionRequest",
};
const NAMING_THE_STRUCTURE = new Set([
  "attachUser",
  "changeMemberRole",
  "removeAttachment",
  "addService",
  "listMembers",
  "readHistory",
  "openSpace",
  "closeSpace",
  "revokeSpaceGrant",
  "listMemberGrants",
  "createAccount",
  "updateUser",
  "getPersonalInformation",
  "listUserStructures",
]);
/** Acts on one user of the structure named: for anyone else, with the right, NOT_FOUND for that user. */
const ON_A_USER = new Set(["updateUser", "getPersonalInformation", "listUserStructures"]);

/** Whether the actor may manage the structure, read from the store as it stands (stated independently). */
function manages(w: World, actor: UserId, structure: StructureId): boolean {
  const snap = w.store.snapshot();
  const user = snap.users.find((u) => u.value.id === actor)?.value;
  const s = snap.structures.find((x) => x.value.id === structure)?.value;
  return user !== undefined && s !== undefined && canManage(user, s, localDate("2026-11-27"));
}

/** Whether a user is one of a structure's users: attached to it (its primary manager is), or created for it (stated independently). */
function isUserOf(w: World, user: string, structure: StructureId): boolean {
  const snap = w.store.snapshot();
  const u = snap.users.find((x) => x.value.id === user)?.value;
  const s = snap.structures.find((x) => x.value.id === structure)?.value;
  if (u === undefined) return false;
  return u.createdFor === structure || s?.primaryManagerId === user || u.attachments.some((a) => a.structureId === structure);
}

/** The structures of an account: those it is attached to, and the one it was created for. */
function structuresOf(w: World, user: string): Set<string> {
  const u = w.store.snapshot().users.find((x) => x.value.id === user)?.value;
  return new Set([...(u?.attachments.map((a) => a.structureId) ?? []), ...(u?.createdFor === null || u === undefined ? [] : [u.createdFor])]);
}

/** The structures a user is primary manager of. */
function primaryOf(w: World, user: string): Set<string> {
  return new Set(w.store.snapshot().structures.filter((s) => s.value.primaryManagerId === user).map((s) => s.value.id as string));
}

/**
 * Guide §6: what each act may name, from what it named and the actor's structures before
 * it (`own`: attached to or created for; `primary`: primary manager of).
 */
const MAY_NAME: Record<string, (call: Call, own: ReadonlySet<string>, primary: ReadonlySet<string>) => Iterable<string>> = {
  transferPrimaryRole: (call) => call.named ?? [],
  deactivateAccount: (call, own, primary) => [...(call.named ?? []), ...own, ...primary],
  reactivateAccount: (_call, own) => own,
  listPrimaryStructures: (_call, _own, primary) => primary,
};

/** Whether a user's account is active and attached to the structure in force (stated independently). */
function memberInForce(w: World, user: string, structure: string): boolean {
  const u = w.store.snapshot().users.find((x) => x.value.id === user)?.value;
  return u?.status === "active" && u.attachments.some((a) => a.structureId === structure && a.validFrom <= "2026-11-27");
}

/** Whether a user has anything in a structure: an attachment, a request, a removal or decision about them (stated independently). */
function hasSomethingIn(w: World, user: string, structure: string): boolean {
  const snap = w.store.snapshot();
  return (
    isUserOf(w, user, structure as StructureId) ||
    snap.attachmentRequests.some((r) => r.value.userId === user && r.value.structureId === structure) ||
    snap.history.some((e) => e.targetUserId === user && e.structureId === structure && ["attachmentRemoved", "servicesRemoved"].includes(e.kind))
  );
}

/** Every number a Chorus Pro payload gives under one of these keys. */
function numbersUnder(value: unknown, keys: readonly string[]): number[] {
  const found: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null)
      for (const [k, x] of Object.entries(v)) {
        if (keys.includes(k) && typeof x === "number") found.push(x);
        else walk(x);
      }
  };
  walk(value);
  return found;
}

/**
 * The Chorus Pro queries (issue 21): a payload numbers only structures the actor may see
 * (a member in force; for one's own attachment rows, a structure one has something in;
 * for another's, one the actor manages, about a user in force there) and only their
 * services; a structure the actor may not see gets exactly the answer a number nobody has
 * gets.
 */
function checkChorusPro(w: World, call: Call, result: { ok: boolean; error?: unknown; value?: unknown }): void {
  const snap = w.store.snapshot();
  const actor = snap.users.find((u) => u.value.id === call.actor)?.value;
  const structures = numbersUnder(result, ["idStructureCPP", "idStructure"]).map((n) => `structure-${n}`);
  const services = numbersUnder(result, ["idService"]).map((n) => `service-${n}`);
  const ofStructure = servicesOf(w);
  if (actor?.status !== "active") {
    expect(result, `${call.op} by an account not active`).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: call.actor, structureId: null, reason: "accountNotActive" } });
    return;
  }
  if (call.op === "chorusProRechercherStructure") {
    expect(result.ok).toBe(true);
    for (const s of structures) expect(memberInForce(w, call.actor, s), `the search by ${call.actor} numbers ${s}`).toBe(true);
    expect(new Set(structures)).toEqual(new Set(w.structures.filter((s) => memberInForce(w, call.actor, s))));
    return;
  }
  const s = call.structure as string;
  const target = call.users?.[0];
  const visible =
    call.op !== "chorusProListerRattachementsUtilisateur"
      ? memberInForce(w, call.actor, s)
      : target === call.actor
        ? hasSomethingIn(w, call.actor, s)
        : manages(w, call.actor, s as StructureId);
  if (!visible) {
    expect(result, `${call.op} by ${call.actor} on ${s}: as a number nobody has`).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "structure", id: call.id } });
    return;
  }
  for (const x of structures) expect(x, `${call.op} on ${s} numbers ${x}`).toBe(s);
  for (const sv of services) expect(ofStructure.get(sv), `${call.op} on ${s} numbers the service ${sv}`).toBe(s);
  if (call.op === "chorusProListerRattachementsUtilisateur" && target !== call.actor) {
    const u = snap.users.find((x) => x.value.id === target)?.value;
    // In force: attached from today at the latest, or an account pending activation created for it.
    const inForce = u !== undefined && (u.attachments.some((a) => a.structureId === s && a.validFrom <= "2026-11-27") || (u.createdFor === s && u.status === "pendingActivation"));
    if (!inForce) expect(result.ok, `a manager of ${s} about ${target}, not in force there`).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: "NOT_FOUND", entity: "user" });
    else expect(inForce).toBe(true);
    return;
  }
  if (call.op !== "chorusProConsulterServiceStructure") expect(result.ok, `${call.op} by ${call.actor}, a member of ${s}`).toBe(true);
}

/** A structure's services, by id. */
const servicesOf = (w: World) => new Map([...w.services].flatMap(([s, ids]) => ids.map((id) => [id as string, s] as const)));

function check(w: World, call: Call, result: unknown, ownBefore: ReadonlySet<string>, primaryBefore: ReadonlySet<string>): void {
  if (call.op.startsWith("chorusPro")) return checkChorusPro(w, call, result as { ok: boolean });
  const known = new Set<string>(w.structures);
  const mayName = MAY_NAME[call.op];
  if (mayName !== undefined) {
    const may = new Set(mayName(call, ownBefore, primaryBefore));
    const services = servicesOf(w);
    for (const s of structureIdsIn(result, known)) expect(may.has(s), `${call.op} by ${call.actor} names ${s}: ${JSON.stringify(result)}`).toBe(true);
    for (const sv of structureIdsIn(result, new Set(services.keys()))) expect(may.has(services.get(sv) as string), `${call.op} names the service ${sv}`).toBe(true);
    return;
  }
  if (call.op === "activateAccount") {
    // The person themself (with their e-mail's token): their own structures only, as they
    // were before (an account never attached stops being its creating structure's then).
    const own = ownBefore;
    for (const s of structureIdsIn(result, known)) expect(own.has(s), `activating ${call.actor} names ${s}`).toBe(true);
    return;
  }
  if (call.op === "listUserStructures") {
    // The structure named (a refusal names it), a structure the actor manages in full; any
    // other by its designation only.
    const services = servicesOf(w);
    for (const s of structureIdsIn(result, known)) expect(s === call.structure || manages(w, call.actor, s as StructureId), `lists ${s} in full`).toBe(true);
    for (const sv of structureIdsIn(result, new Set(services.keys())))
      expect(manages(w, call.actor, services.get(sv) as StructureId), `lists the service ${sv}`).toBe(true);
    const r = result as { ok: boolean; value?: readonly { managed: boolean }[] };
    for (const line of r.value ?? []) if (!line.managed) expect(Object.keys(line).sort()).toEqual(["designation", "managed"]);
    return;
  }
  if (BULK[call.op] !== undefined) {
    const r = result as { ok: boolean; value?: { results: { requestId: string; result: unknown }[] } };
    const own = new Map(call.items);
    for (const item of r.value?.results ?? []) {
      const named = structureIdsIn(item.result, known);
      for (const s of named) expect(s, `bulk item ${item.requestId} names ${s}`).toBe(own.get(item.requestId));
    }
    return;
  }
  if (call.op === "listPendingSubscriptionRequests") {
    // Only structures the actor manages, and their requests.
    const r = result as { ok: boolean; value?: { items: { request: { structureId: string } }[] } };
    expect(r.ok).toBe(true);
    for (const s of structureIdsIn(result, known)) expect(manages(w, call.actor, s as StructureId), `listed a request of ${s}`).toBe(true);
    return;
  }
  const named = structureIdsIn(result, known);
  for (const s of named) expect(s, `${call.op} on ${call.structure} names ${s}: ${JSON.stringify(result)}`).toBe(call.structure);
}

describe("minimal disclosure", () => {
  it("nothing returned for an act on structure S names another structure, over random actors and commands", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const w = await buildWorld();
        const calls = fc.sample(fc.array(callArb(w), { minLength: 1, maxLength: 25 }), { seed, numRuns: 1 })[0] ?? [];
        for (const call of calls) {
          const allowed = call.structure !== null && manages(w, call.actor, call.structure);
          // For a bulk act, which items the actor may decide, judged before it runs.
          const decidable = (call.items ?? []).map(([, s]) => manages(w, call.actor, s));
          // For an act on users, which are users of the structure named, judged before it runs.
          const usersOf = (call.users ?? []).map((u) => call.structure !== null && isUserOf(w, u, call.structure));
          const ownBefore = structuresOf(w, call.actor);
          const primaryBefore = primaryOf(w, call.actor);
          const result = await call.run(w.app);
          check(w, call, result, ownBefore, primaryBefore);
          const entity = REACHED_BY_ID[call.op];
          if (!allowed && entity !== undefined) {
            // An outsider learns nothing: the very answer an unknown id gets.
            expect(result.ok).toBe(false);
            if (!result.ok) expect(Object.keys(result.error).sort()).toEqual(["code", "entity", "id"]);
            if (!result.ok) expect([result.error.code, (result.error as { entity?: string }).entity]).toEqual(["NOT_FOUND", entity]);
            if (!result.ok) expect(result.error, "naming only the id given").toEqual({ code: "NOT_FOUND", entity, id: call.id });
          }
          const bulk = BULK[call.op];
          if (bulk !== undefined && result.ok) {
            const { results } = result.value as { results: readonly { requestId: string; result: { ok: boolean; error?: unknown } }[] };
            results.forEach((item, i) => {
              if (decidable[i] === false) expect(item.result, `bulk item ${item.requestId}`).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: bulk, id: item.requestId } });
            });
          }
          if (!allowed && NAMING_THE_STRUCTURE.has(call.op)) {
            expect(!result.ok && result.error.code).toBe("FORBIDDEN");
          }
          if (allowed && ON_A_USER.has(call.op) && usersOf[0] === false)
            expect(result, "not a user of the structure: as an unknown id").toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: call.users?.[0] } });
          if (call.op === "sendActivationEmails") {
            // Judged per user: without the right, FORBIDDEN naming the structure; with it,
            // someone who is not a user of it is NOT_FOUND (whatever their status or e-mails).
            expect(result.ok).toBe(true);
            const { results } = (result as { value: { results: readonly { userId: string; result: { ok: boolean; error?: { code: string } } }[] } }).value;
            results.forEach((item, i) => {
              if (!allowed) expect(!item.result.ok && item.result.error?.code).toBe("FORBIDDEN");
              else if (usersOf[i] === false) expect(item.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: item.userId } });
            });
          }
          if (!allowed && call.op === "grantSpaces") {
            // Judged per user, each refused naming the structure.
            expect(result.ok).toBe(true);
            const { results } = (result as { value: { results: readonly { result: { ok: boolean; error?: { code: string } } }[] } }).value;
            for (const item of results) expect(!item.result.ok && item.result.error?.code).toBe("FORBIDDEN");
          }
          w.tick();
        }
      }),
      // As many runs again since guide §2's operations joined the catalogue (about half the
      // calls), a third more since those of accounts did (about a fifth), and an eighth more
      // since those of guide §6 did (about a ninth).
      { numRuns: 125 },
    );
  });

  it("the Chorus Pro queries, by every actor on every structure about every user (by number and by login), disclose as the rules say", async () => {
    const w = await buildWorld();
    // A removal and a refusal, so that rows of former members and refused requesters exist.
    const [A] = w.structures;
    expect((await w.app.removeAttachment(w.users.alice, { structureId: A, userId: w.users.sam })).ok).toBe(true);
    const zoes = [...w.requests].find(([, s]) => s === A)?.[0] as string;
    expect((await w.app.refuseAttachmentRequest(w.users.alice, { requestId: zoes, reason: "Non" })).ok).toBe(true);
    const everyone = [...Object.values(w.users), ...Object.values(w.pending), UNKNOWN_USER];
    const services = [...[...w.services.values()].flat(), "service-999"];
    let calls = 0;
    for (const op of CHORUS_PRO_QUERIES)
      for (const actor of Object.values(w.users))
        for (const s of [...w.structures, UNKNOWN_STRUCTURE]) {
          const variants =
            op === "chorusProListerRattachementsUtilisateur"
              ? [{}, ...everyone.flatMap((user) => [{ user }, { user, byLogin: true }])]
              : op === "chorusProConsulterServiceStructure"
                ? services.map((service) => ({ service }))
                : [{}];
          for (const options of variants) {
            const call = chorusProCall(w, op, actor, s, options);
            check(w, call, await call.run(w.app), new Set(), new Set());
            calls++;
          }
        }
    expect(calls).toBeGreaterThan(500);
  });

  it("the requester of a validation is shown as seen from the structure, though attached to two others", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    const mias = [...w.requests].find(([, s]) => s === A && true);
    expect(mias).toBeDefined();
    // Mia's own request in A (she is attached to A, B and C).
    const request = [...w.requests.keys()].at(-1) as string;
    const r = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.requester.attachment?.structureId).toBe(A);
    expect(Object.keys(r.value.requester).sort()).toEqual(["attachment", "firstName", "id", "lastName", "login", "role", "status"]);
    expect([...structureIdsIn(r.value, new Set(w.structures))]).toEqual([A]);
  });

  it("an outsider gets the same answer for a request of another structure as for an unknown one", async () => {
    const w = await buildWorld();
    const [, , C] = w.structures;
    const foreign = [...w.requests].find(([, s]) => s === C)?.[0] as string;
    const a = await w.app.consultAttachmentRequest(w.users.alice, { requestId: foreign });
    const b = await w.app.consultAttachmentRequest(w.users.alice, { requestId: "no-such-request" });
    expect(a).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: foreign } });
    expect(b).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: "no-such-request" } });
    const serviceOfC = w.services.get(C)?.[0] as string;
    expect(await w.app.renameService(w.users.alice, { serviceId: serviceOfC, label: "X" })).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: serviceOfC },
    });
    expect(await w.app.renameService(w.users.alice, { serviceId: "no-such-service", label: "X" })).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: "no-such-service" },
    });
  });

  it("a manager cannot read another structure's memberships by attaching and removing a user", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    // Noé manages nothing yet; Alice attaches Mia's colleague to A with a far validity date and removes him.
    const attached = await w.app.attachUser(w.users.alice, {
      structureId: A,
      userId: w.users.sam,
      role: "user",
      validFrom: "2030-01-01",
      comment: "sonde",
      scope: { kind: "structure" },
    });
    // Sam is already attached to A: refused, naming A only.
    expect([...structureIdsIn(attached, new Set(w.structures))]).toEqual([A]);
    const removed = await w.app.removeAttachment(w.users.alice, { structureId: A, userId: w.users.mia });
    expect(removed.ok).toBe(true);
    expect([...structureIdsIn(removed, new Set(w.structures))]).toEqual([A]);
    if (removed.ok) expect(removed.value.member.attachment).toBeNull();
  });
});

/** An answer with one id written `<id>`, to compare the answers about two ids. */
const withId = (answer: unknown, id: string): unknown => JSON.parse(JSON.stringify(answer).replaceAll(JSON.stringify(id), '"<id>"'));

describe("minimal disclosure of accounts", () => {
  it("a manager acting for A gets, for a user of C only, exactly the answer an unknown id gets", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    w.tick(3); // past the throttle: Lou's e-mail could be sent, were she a user of A
    const before = w.store.snapshot();
    const acts: readonly (readonly [string, (u: UserId) => Promise<unknown>])[] = [
      ["sendActivationEmails", (u) => w.app.sendActivationEmails(w.users.alice, { structureId: A, userIds: [u] })],
      ["updateUser", (u) => w.app.updateUser(w.users.alice, { userId: u, structureId: A, changes: { phone: "+33 4 72 10 30 30" } })],
      ["getPersonalInformation", (u) => w.app.getPersonalInformation(w.users.alice, { userId: u, structureId: A })],
      ["listUserStructures", (u) => w.app.listUserStructures(w.users.alice, { userId: u, structureId: A })],
    ];
    // Lou: « En cours d'activation », created for C and attached to it; Victor: active, C's primary manager.
    for (const outsider of [w.pending.lou, w.users.victor])
      for (const [name, act] of acts) {
        const unknown = await act(UNKNOWN_USER);
        const notFound = { ok: false, error: { code: "NOT_FOUND", entity: "user", id: UNKNOWN_USER } };
        expect(unknown).toEqual(name === "sendActivationEmails" ? { ok: true, value: { results: [{ userId: UNKNOWN_USER, result: notFound }], events: [] } } : notFound);
        expect(withId(await act(outsider), outsider), `${name} on ${outsider}`).toEqual(withId(unknown, UNKNOWN_USER));
      }
    expect(w.store.snapshot()).toEqual(before);
  });

  it("the structures of a user name those the actor does not manage by their designation only", async () => {
    const w = await buildWorld();
    const [A, B, C] = w.structures;
    const idsOf = (...ss: StructureId[]) => new Set(ss.flatMap((s) => [s as string, ...(w.services.get(s) ?? [])]));
    // Mia is in A (COMPTA), B and C. Sam manages A only (a simple user of C); Alice manages A and B.
    const bySam = await w.app.listUserStructures(w.users.sam, { userId: w.users.mia, structureId: A });
    const byAlice = await w.app.listUserStructures(w.users.alice, { userId: w.users.mia, structureId: A });
    if (!bySam.ok || !byAlice.ok) throw new Error("refused");
    expect(bySam.value.map((l) => [l.designation, l.managed])).toEqual([["Structure A", true], ["Structure B", false], ["Structure C", false]]);
    expect(bySam.value.slice(1)).toEqual([{ managed: false, designation: "Structure B" }, { managed: false, designation: "Structure C" }]);
    expect([...structureIdsIn(bySam.value, idsOf(B, C))]).toEqual([]);
    expect(byAlice.value.map((l) => [l.designation, l.managed])).toEqual([["Structure A", true], ["Structure B", true], ["Structure C", false]]);
    expect([...structureIdsIn(byAlice.value, idsOf(C))]).toEqual([]);
  });

  it("a manager acting on a user who is also in other structures is shown the history of that structure only", async () => {
    const w = await buildWorld();
    const [A, B, C] = w.structures;
    const others = new Set<string>([B, C]);
    // Hugo, created for A, is attached to B too: Sam (who manages A only) corrects his name,
    // and e-mails him from A. A manager acts for one structure: recorded on A only, so B's
    // history never names a manager of another structure.
    const attachedFirst = await w.app.attachUser(w.users.alice, { structureId: B, userId: w.pending.hugo, role: "user", validFrom: "2026-11-27", comment: "Renfort", scope: { kind: "structure" } });
    expect(attachedFirst.ok).toBe(true);
    const updated = await w.app.updateUser(w.users.sam, { userId: w.pending.hugo, structureId: A, changes: { phone: "+33 4 72 10 30 30" } });
    expect(updated.ok && updated.value.history.map((h) => h.structureId)).toEqual([A]);
    expect([...structureIdsIn(updated, others)]).toEqual([]);
    expect(w.store.snapshot().history.filter((h) => h.kind === "userModified" && h.actorId === w.users.sam).map((h) => h.structureId)).toEqual([A]);
    // Mia's own change is hers: recorded on every structure of hers.
    const own = await w.app.updateUser(w.users.mia, { userId: w.users.mia, changes: { phone: "+33 4 72 10 30 31" } });
    expect(own.ok && own.value.history.map((h) => h.structureId).sort()).toEqual([A, B, C].sort());
    w.tick(3);
    const sent = await w.app.sendActivationEmails(w.users.sam, { structureId: A, userIds: [w.pending.hugo] }, { idempotencyKey: "k" });
    const item = sent.ok ? sent.value.results[0]?.result : undefined;
    expect(item?.ok && item.value.history.map((h) => h.structureId)).toEqual([A]);
    expect([...structureIdsIn(sent, others)]).toEqual([]);
    // A replay is shown alike.
    const replay = await w.app.sendActivationEmails(w.users.sam, { structureId: A, userIds: [w.pending.hugo] }, { idempotencyKey: "k" });
    expect(replay).toEqual(sent);
  });

  it("registerAccount answers the same for a new login and for one held by a pending, an active or a deactivated account, throttled or not", async () => {
    const input = { login: " Nouveau@Example.fr ", lastName: "Nouveau", firstName: "Compte" };
    const expected = { ok: true, value: { login: "nouveau@example.fr" } };
    // New.
    const w = await buildWorld();
    const answers: unknown[] = [await w.app.registerAccount(input)];
    // Held by that new account, pending: e-mailed a moment ago (throttled), then again later.
    answers.push(await w.app.registerAccount(input));
    w.tick(3);
    answers.push(await w.app.registerAccount(input));
    // Held by an active account (registered by the host), then deactivated.
    const v = await buildWorld();
    const id = await v.app.registerUser({ login: "nouveau@example.fr", lastName: "Déjà", firstName: "Là" });
    answers.push(await v.app.registerAccount(input));
    if (!id.ok) throw new Error("setup");
    const row = v.store.snapshot().users.find((u) => u.value.id === id.value.user.id);
    const deactivated = await v.store.commit({
      writes: [{ kind: "user", value: { ...row!.value, status: "deactivated" }, expectedVersion: row!.version }],
      reads: [],
      history: [],
      events: [],
    });
    expect(deactivated.ok).toBe(true);
    v.tick(3);
    answers.push(await v.app.registerAccount(input));
    for (const answer of answers) expect(answer).toEqual(expected);
    expect(answers.map((a) => Object.isFrozen((a as { value: object }).value))).toEqual(answers.map(() => true));
    // Only the outbox tells what happened (to the holder of the login).
    const told = (x: World) => x.store.snapshot().outbox.filter((e) => "login" in e && e.login === "nouveau@example.fr").map((e) => e.type);
    expect(told(w)).toEqual(["AccountCreated", "ActivationEmailRequested", "ActivationEmailRequested"]);
    expect(told(v)).toEqual(["UserRegistered", "RegistrationAttemptedForExistingAccount", "RegistrationAttemptedForExistingAccount"]);
  });

  it("activateAccount answers ACTIVATION_TOKEN_INVALID alike for an unknown user, a wrong token, another's token and an account never e-mailed", async () => {
    const w = await buildWorld();
    const { hugo, lou } = w.pending;
    const hugos = newestToken(w, hugo) as string;
    const before = w.store.snapshot();
    const answers: readonly (readonly [string, unknown])[] = [
      [UNKNOWN_USER, await w.app.activateAccount({ userId: UNKNOWN_USER, token: hugos })],
      [hugo, await w.app.activateAccount({ userId: hugo, token: "x".repeat(43) })],
      [lou, await w.app.activateAccount({ userId: lou, token: hugos })],
      [w.users.mia, await w.app.activateAccount({ userId: w.users.mia, token: hugos })], // active, never e-mailed
    ];
    for (const [id, answer] of answers) {
      expect(answer).toEqual({ ok: false, error: { code: "ACTIVATION_TOKEN_INVALID", userId: id } });
      expect(withId(answer, id)).toEqual(withId(answers[0]?.[1], UNKNOWN_USER));
    }
    expect(w.store.snapshot()).toEqual(before);
    // The right token still works.
    expect((await w.app.activateAccount({ userId: hugo, token: hugos })).ok).toBe(true);
  });
});

describe("minimal disclosure of the transfer of the primary role (guide §6)", () => {
  /** Every way an actor may name a structure in a transfer or a deactivation, `X` the structure tried. */
  const acts = (w: World): readonly (readonly [string, UserId, (x: StructureId) => Promise<unknown>])[] => {
    const [A, B] = w.structures;
    const { alice, sam, ivy, noe, mia } = w.users;
    return [
      ["Alice transfers X (one successor)", alice, (x) => w.app.transferPrimaryRole(alice, { structureIds: [x], successorId: sam })],
      ["Alice transfers A and X", alice, (x) => w.app.transferPrimaryRole(alice, { structureIds: [A, x], successorId: sam })],
      ["Alice transfers X then A (one each)", alice, (x) => w.app.transferPrimaryRole(alice, { transfers: [{ structureId: x, successorId: ivy }, { structureId: A, successorId: sam }] })],
      ["Alice transfers X to someone « En cours d'activation »", alice, (x) => w.app.transferPrimaryRole(alice, { structureIds: [x], successorId: w.pending.hugo })],
      ["Sam (secondary manager of A, in C) transfers X", sam, (x) => w.app.transferPrimaryRole(sam, { structureIds: [x], successorId: mia })],
      ["Noé (in nothing) transfers X", noe, (x) => w.app.transferPrimaryRole(noe, { transfers: [{ structureId: x, successorId: mia }] })],
      [
        "Alice leaves, naming successors for A, B and X",
        alice,
        (x) => w.app.deactivateAccount(alice, { transfers: [{ structureId: A, successorId: sam }, { structureId: B, successorId: ivy }, { structureId: x, successorId: sam }] }),
      ],
      ["Sam leaves, naming a successor for X", sam, (x) => w.app.deactivateAccount(sam, { transfers: [{ structureId: x, successorId: mia }] })],
    ];
  };

  it("an unknown structure and another's (C, Victor's) get the same answer, naming only the structure tried, and change nothing", async () => {
    const w = await buildWorld();
    const [A, B, C] = w.structures;
    const before = w.store.snapshot();
    for (const [what, actor, act] of acts(w)) {
      const another = await act(C);
      const unknown = await act(UNKNOWN_STRUCTURE);
      expect(withId(another, C), what).toEqual(withId(unknown, UNKNOWN_STRUCTURE));
      expect(unknown, what).toMatchObject({ ok: false, error: { code: "FORBIDDEN", actorId: actor, structureId: UNKNOWN_STRUCTURE, reason: "notThePrimaryManager" } });
      // Nothing of A, B or C beyond the structure tried (C is Sam's, as a simple user: his own).
      expect([...structureIdsIn(unknown, new Set([A, B, C]))], what).toEqual([]);
    }
    expect(w.store.snapshot()).toEqual(before);
  });

  it("a transfer shows each new primary manager as seen from that structure only, though attached elsewhere", async () => {
    const w = await buildWorld();
    const [A, B, C] = w.structures;
    // Mia is in A (COMPTA), B and C; Alice hands her B.
    const r = await w.app.transferPrimaryRole(w.users.alice, { structureIds: [B], successorId: w.users.mia });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transfers.map((t) => [t.structureId, t.primaryManager.id, t.primaryManager.role, t.primaryManager.attachment?.structureId])).toEqual([[B, w.users.mia, "primaryManager", B]]);
    expect([...structureIdsIn(r.value, new Set([A, B, C]))]).toEqual([B]);
    expect([...structureIdsIn(r.value, new Set([...(w.services.get(A) ?? []), ...(w.services.get(C) ?? [])]))]).toEqual([]);
  });

  it("a deactivation refused for want of successors names the actor's own structures only; the listing, those they are primary manager of", async () => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    const r = await w.app.deactivateAccount(w.users.alice, { transfers: [{ structureId: A, successorId: w.users.sam }] });
    expect(r).toEqual({ ok: false, error: { code: "SUCCESSOR_REQUIRED", userId: w.users.alice, structureIds: [B] } });
    const mine = await w.app.listPrimaryStructures(w.users.sam);
    expect(mine).toEqual({ ok: true, value: [] });
    const victors = await w.app.listPrimaryStructures(w.users.victor);
    expect(victors.ok && victors.value.map((s) => s.id)).toEqual([w.structures[2]]);
  });
});
