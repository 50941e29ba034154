// The « as shipped » figures of SPEC §6 (issue 19): the built package against hand-written
// code doing the same work on Maps, side by side in one run, with production-like inputs
// (random ids and names, records frozen as the store hands them out, several states
// cycled, varying users); and what a host pays to load it (import time, bundle size).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import {
  createHabilitations,
  servicesScope,
  structureId,
  validateAttachmentRequest,
  type Attachment,
  type AttachmentRequest,
  type AttachmentScope,
  type HistoryEntry,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type User,
  type UserId,
  type Write,
} from "habilitations";
import { createMemoryStore } from "habilitations/memory";
import { AT, NOW, attachment, clock, randomId, randomNames, seedStructure, service, structure, TODAY, user } from "./fixtures.js";
import { median, quick, round, ROUNDS, sideBySide, type Figure } from "./measure.js";

const root = fileURLToPath(new URL("..", import.meta.url));

// ------------------------------------------------------------ the hand-written model

interface Row<T> {
  value: T;
  version: number;
}
interface HandEntry {
  readonly sequence: number;
  readonly structureId: StructureId;
  readonly kind: string;
  readonly at: string;
  readonly actorId: UserId;
  readonly targetUserId: UserId | null;
  readonly requestId: string | null;
  readonly details: object;
}

/**
 * What a careful engineer would write by hand for the same acts, on Maps: the same reads,
 * checks (the actor manages the structure, the request is pending and not theirs, the
 * requester is active and not the primary manager, the services are the structure's and
 * active), records (spreads), indexes (members, pending requests by user and structure),
 * version checks, history entry (global sequence, per structure and per target user) and
 * event. No parsing, no freezing, no isolation, no idempotency: the limit to close in on.
 */
class HandModel {
  readonly users = new Map<string, Row<User>>();
  readonly structures = new Map<string, Row<Structure>>();
  readonly services = new Map<string, Row<Service>>();
  readonly requests = new Map<string, Row<AttachmentRequest>>();
  readonly members = new Map<string, Set<string>>();
  readonly pendingKeys = new Map<string, string>();
  readonly history: HandEntry[] = [];
  readonly historyOf = new Map<string, HandEntry[]>();
  readonly historyOfUser = new Map<string, HandEntry[]>();
  readonly outbox: object[] = [];
  private ids = 0;

  load(writes: readonly Write[]): void {
    for (const w of writes) {
      const row = { value: w.value, version: 1 };
      if (w.kind === "user") {
        this.users.set(w.value.id, row as Row<User>);
        for (const a of (w.value as User).attachments) this.memberSet(a.structureId).add(w.value.id);
      } else if (w.kind === "structure") this.structures.set(w.value.id, row as Row<Structure>);
      else if (w.kind === "service") this.services.set(w.value.id, row as Row<Service>);
      else if (w.kind === "attachmentRequest") {
        this.requests.set(w.value.id, row as Row<AttachmentRequest>);
        const r = w.value as AttachmentRequest;
        if (r.status === "pending") this.pendingKeys.set(`${r.userId}|${r.structureId}`, r.id);
      }
    }
  }

  private memberSet(s: string): Set<string> {
    let set = this.members.get(s);
    if (set === undefined) this.members.set(s, (set = new Set()));
    return set;
  }

  private manages(actor: User, structure: Structure): boolean {
    if (actor.status !== "active") return false;
    if (structure.primaryManagerId === actor.id) return true;
    const a = actor.attachments.find((x) => x.structureId === structure.id);
    return a !== undefined && a.role === "secondaryManager" && a.validFrom <= TODAY;
  }

  private record(structureId: StructureId, kind: string, at: string, actorId: UserId, target: UserId, requestId: string | null, details: object): void {
    const entry: HandEntry = { sequence: this.history.length + 1, structureId, kind, at, actorId, targetUserId: target, requestId, details };
    this.history.push(entry);
    let list = this.historyOf.get(structureId);
    if (list === undefined) this.historyOf.set(structureId, (list = []));
    list.push(entry);
    let mine = this.historyOfUser.get(target);
    if (mine === undefined) this.historyOfUser.set(target, (mine = []));
    mine.push(entry);
  }

  /** Validates a pending request: the requester attached on the request's scope. */
  validate(actorId: string, requestId: string, now: Date): void {
    const requestRow = this.requests.get(requestId);
    if (requestRow === undefined) throw new Error("NOT_FOUND");
    const request = requestRow.value;
    const actorRow = this.users.get(actorId);
    const structureRow = this.structures.get(request.structureId);
    if (actorRow === undefined || structureRow === undefined || !this.manages(actorRow.value, structureRow.value)) throw new Error("NOT_FOUND");
    if (request.status !== "pending") throw new Error("REQUEST_ALREADY_DECIDED");
    if (request.userId === actorId) throw new Error("SELF_DECISION_FORBIDDEN");
    const requesterRow = this.users.get(request.userId);
    if (requesterRow === undefined) throw new Error("NOT_FOUND");
    const requester = requesterRow.value;
    if (structureRow.value.primaryManagerId === requester.id) throw new Error("TRANSFER_REQUIRED");
    if (requester.status === "deactivated") throw new Error("ACCOUNT_NOT_ACTIVE");
    const scope = request.scope;
    if (scope.kind === "services")
      for (const id of scope.serviceIds) {
        const svc = this.services.get(id);
        if (svc === undefined || svc.value.structureId !== request.structureId) throw new Error("NOT_FOUND");
        if (!svc.value.active) throw new Error("SERVICE_INACTIVE");
      }
    const at = now.toISOString();
    const current = requester.attachments.find((a) => a.structureId === request.structureId);
    const role = current?.role ?? "user";
    const attachments = requester.attachments.filter((a) => a.structureId !== request.structureId);
    attachments.push({ structureId: request.structureId, role, scope, validFrom: current?.validFrom ?? TODAY, validUntil: current?.validUntil ?? null, endNotice: current?.endNotice ?? null, attachedBy: actorRow.value.id, attachedAt: at as typeof AT });
    const decided = { ...request, status: "validated", decidedBy: actorRow.value.id, decidedAt: at, grantedRole: role, grantedScope: scope } as AttachmentRequest;
    const attached: User = { ...requester, attachments };
    // Version checks of what was read, then the writes and the indexes.
    if (this.requests.get(requestId) !== requestRow || this.users.get(requester.id) !== requesterRow) throw new Error("VERSION_CONFLICT");
    if (this.users.get(actorId) !== actorRow || this.structures.get(request.structureId) !== structureRow) throw new Error("VERSION_CONFLICT");
    this.requests.set(requestId, { value: decided, version: requestRow.version + 1 });
    this.users.set(requester.id, { value: attached, version: requesterRow.version + 1 });
    this.pendingKeys.delete(`${request.userId}|${request.structureId}`);
    this.memberSet(request.structureId).add(requester.id);
    this.record(request.structureId, "attachmentRequestValidated", at, actorRow.value.id, requester.id, requestId, { role, scope });
    this.outbox.push({ id: `evt-${++this.ids}`, type: "AttachmentRequestValidated", at, requestId, structureId: request.structureId, userId: requester.id, decidedBy: actorRow.value.id, role, scope });
  }

  /** A user asks to be attached to a structure. */
  request(actorId: string, structureId: StructureId, scope: AttachmentScope, now: Date): string {
    const actorRow = this.users.get(actorId);
    if (actorRow === undefined || actorRow.value.status !== "active") throw new Error("FORBIDDEN");
    const structureRow = this.structures.get(structureId);
    if (structureRow === undefined) throw new Error("NOT_FOUND");
    if (actorRow.value.attachments.some((a) => a.structureId === structureId)) throw new Error("ALREADY_ATTACHED");
    if (this.pendingKeys.has(`${actorId}|${structureId}`)) throw new Error("PENDING_REQUEST_EXISTS");
    if (scope.kind === "services")
      for (const id of scope.serviceIds) {
        const svc = this.services.get(id);
        if (svc === undefined || svc.value.structureId !== structureId || !svc.value.active) throw new Error("NOT_FOUND");
      }
    const at = now.toISOString();
    const id = `req-${++this.ids}`;
    const request = { id, structureId, userId: actorRow.value.id, requestedRole: "user", scope, comment: "", createdAt: at, status: "pending" } as AttachmentRequest;
    if (this.users.get(actorId) !== actorRow || this.structures.get(structureId) !== structureRow) throw new Error("VERSION_CONFLICT");
    this.requests.set(id, { value: request, version: 1 });
    this.pendingKeys.set(`${actorId}|${structureId}`, id);
    this.record(structureId, "attachmentRequested", at, actorRow.value.id, actorRow.value.id, id, { requestedRole: "user", scope });
    this.outbox.push({ id: `evt-${++this.ids}`, type: "AttachmentRequested", at, requestId: id, structureId, userId: actorId });
    return id;
  }

  /** Refuses a pending request with a reason. */
  refuse(actorId: string, requestId: string, reason: string, now: Date): void {
    const requestRow = this.requests.get(requestId);
    if (requestRow === undefined) throw new Error("NOT_FOUND");
    const request = requestRow.value;
    const actorRow = this.users.get(actorId);
    const structureRow = this.structures.get(request.structureId);
    if (actorRow === undefined || structureRow === undefined || !this.manages(actorRow.value, structureRow.value)) throw new Error("NOT_FOUND");
    if (request.status !== "pending") throw new Error("REQUEST_ALREADY_DECIDED");
    if (reason.trim() === "") throw new Error("REFUSAL_REASON_REQUIRED");
    const at = now.toISOString();
    const decided = { ...request, status: "refused", decidedBy: actorRow.value.id, decidedAt: at, reason } as AttachmentRequest;
    if (this.requests.get(requestId) !== requestRow || this.users.get(actorId) !== actorRow) throw new Error("VERSION_CONFLICT");
    this.requests.set(requestId, { value: decided, version: requestRow.version + 1 });
    this.pendingKeys.delete(`${request.userId}|${request.structureId}`);
    this.record(request.structureId, "attachmentRequestRefused", at, actorRow.value.id, request.userId, requestId, { reason });
    this.outbox.push({ id: `evt-${++this.ids}`, type: "AttachmentRequestRefused", at, requestId, structureId: request.structureId, userId: request.userId, reason });
  }

  /** A manager removes a member's attachment. */
  remove(actorId: string, structureId: StructureId, userId: string, now: Date): void {
    const actorRow = this.users.get(actorId);
    const structureRow = this.structures.get(structureId);
    if (actorRow === undefined || structureRow === undefined || !this.manages(actorRow.value, structureRow.value)) throw new Error("FORBIDDEN");
    const targetRow = this.users.get(userId);
    if (targetRow === undefined) throw new Error("NOT_FOUND");
    if (structureRow.value.primaryManagerId === userId) throw new Error("TRANSFER_REQUIRED");
    const current = targetRow.value.attachments.find((a) => a.structureId === structureId);
    if (current === undefined) throw new Error("NOT_A_MEMBER");
    const at = now.toISOString();
    const detached: User = { ...targetRow.value, attachments: targetRow.value.attachments.filter((a) => a !== current), grants: targetRow.value.grants.filter((g) => g.structureId !== structureId) };
    if (this.users.get(actorId) !== actorRow || this.users.get(userId) !== targetRow || this.structures.get(structureId) !== structureRow) throw new Error("VERSION_CONFLICT");
    this.users.set(userId, { value: detached, version: targetRow.version + 1 });
    this.members.get(structureId)?.delete(userId);
    this.record(structureId, "attachmentRemoved", at, actorRow.value.id, detached.id, null, { role: current.role });
    this.outbox.push({ id: `evt-${++this.ids}`, type: "AttachmentRemoved", at, structureId, userId });
  }

  /** The newest page of a structure's history about one user. */
  historyPage(structureId: StructureId, target: string, limit: number): HandEntry[] {
    const list = this.historyOfUser.get(target) ?? [];
    const out: HandEntry[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < limit; i--) if ((list[i] as HandEntry).structureId === structureId) out.push(list[i] as HandEntry);
    return out;
  }
}

/** A structure seeded in a memory store and the same records in a hand-written model. */
async function seededPair(members: number, requests: number) {
  const store = createMemoryStore();
  const name = randomId("str");
  const seeded = await seedStructure(store, name, members, requests);
  const hand = new HandModel();
  const snapshot = store.snapshot();
  // The hand-written side gets the very records the store holds (frozen as it hands them out).
  hand.load([
    ...snapshot.structures.map((r): Write => ({ kind: "structure", value: r.value, expectedVersion: null })),
    ...snapshot.services.map((r): Write => ({ kind: "service", value: r.value, expectedVersion: null })),
    ...snapshot.users.map((r): Write => ({ kind: "user", value: r.value, expectedVersion: null })),
    ...snapshot.attachmentRequests.map((r): Write => ({ kind: "attachmentRequest", value: r.value, expectedVersion: null })),
  ]);
  return { store, hand, seeded, structureId: structureId(name) };
}

// ------------------------------------------------------------------ the figures

/**
 * The pure validate transition against the same state change written by hand *with the
 * same checks*, on inputs frozen as the memory store hands them out (read back from one),
 * cycling through several states (a new member on services, one whose scope changes, a
 * whole-structure request).
 */
async function pureFrozen(): Promise<Figure> {
  const store = createMemoryStore();
  const s = structureId(randomId("str"));
  const primary = randomId("usr");
  const svcA = service(randomId("svc"), s, "COMPTA");
  const svcB = service(randomId("svc"), s, "RH");
  const cases: { requester: User; request: AttachmentRequest }[] = [];
  const writes: Write[] = [
    { kind: "structure", value: structure(s, primary), expectedVersion: null },
    { kind: "service", value: svcA, expectedVersion: null },
    { kind: "service", value: svcB, expectedVersion: null },
    { kind: "user", value: { ...user(primary, [attachment(s)]), ...randomNames() }, expectedVersion: null },
  ];
  const shapes: { services?: string[]; current?: Attachment }[] = [
    { services: [svcA.id, svcB.id] },
    { services: [svcB.id], current: attachment(s, "user", [svcA.id]) },
    {},
    { services: [svcA.id], current: attachment(s, "secondaryManager") },
  ];
  for (const shape of shapes) {
    const id = randomId("usr");
    const other = attachment(structureId(randomId("str")));
    const requester = { ...user(id, shape.current === undefined ? [other] : [other, shape.current]), ...randomNames() };
    const request: AttachmentRequest = {
      id: randomId("req") as AttachmentRequest["id"],
      structureId: s,
      userId: requester.id,
      requestedRole: "user",
      scope: shape.services === undefined ? { kind: "structure" } : servicesScope(shape.services.map((x) => x as ServiceId)),
      comment: "",
      createdAt: AT,
      status: "pending",
    };
    writes.push({ kind: "user", value: requester, expectedVersion: null }, { kind: "attachmentRequest", value: request, expectedVersion: null });
    cases.push({ requester, request });
  }
  await store.commit({ writes, reads: [], history: [], events: [] });
  // Everything read back from the store: deep-frozen records, as a host's application gets them.
  const rows = await store.getAggregates({
    structure: [s],
    service: [svcA.id, svcB.id],
    user: [primary, ...cases.map((c) => c.requester.id)],
    attachmentRequest: cases.map((c) => c.request.id),
  });
  const byId = <T extends { id: string }>(xs: readonly { value: T }[]) => new Map(xs.map((r) => [r.value.id as string, r.value]));
  const users = byId(rows.user);
  const requests = byId(rows.attachmentRequest);
  const theStructure = rows.structure[0]?.value as Structure;
  const services = new Map<ServiceId, Service>(rows.service.map((r) => [r.value.id, r.value]));
  const actor = users.get(primary) as User;
  const states = cases.map((c) => ({
    actor,
    structure: theStructure,
    request: requests.get(c.request.id) as AttachmentRequest,
    requester: users.get(c.requester.id) as User,
    services,
  }));
  const commands = states.map((st) => ({ requestId: st.request.id }));
  const ctx = { now: NOW, today: TODAY };
  const N = 1000;
  let sink: unknown;
  const ours = (k: number) => {
    const r = validateAttachmentRequest(states[k] as (typeof states)[number], commands[k] as (typeof commands)[number], ctx);
    if (!r.ok) throw new Error(r.error.code);
    return r.value;
  };
  const byHand = (k: number) => {
    const { actor: a, structure: st, request, requester, services: svcs } = states[k] as (typeof states)[number];
    if (request.id !== (commands[k] as (typeof commands)[number]).requestId || request.structureId !== st.id) throw new Error("NOT_FOUND");
    if (a.status !== "active") throw new Error("FORBIDDEN");
    const mine = a.attachments.find((x) => x.structureId === st.id);
    const manager = st.primaryManagerId === a.id || mine?.role === "secondaryManager";
    if (!manager || (mine !== undefined && mine.validFrom > TODAY)) throw new Error("NOT_FOUND");
    if (request.status !== "pending") throw new Error("REQUEST_ALREADY_DECIDED");
    if (request.userId === a.id) throw new Error("SELF_DECISION_FORBIDDEN");
    if (requester.id !== request.userId) throw new Error("NOT_FOUND");
    const current = requester.attachments.find((x) => x.structureId === st.id);
    const role = current?.role ?? "user";
    if (st.primaryManagerId === requester.id) throw new Error("TRANSFER_REQUIRED");
    if (requester.status === "deactivated") throw new Error("ACCOUNT_NOT_ACTIVE");
    const scope = request.scope.kind === "structure" || current?.scope.kind === "structure" ? request.scope : request.scope;
    if (scope.kind === "services") {
      if (scope.serviceIds.length === 0) throw new Error("EMPTY_SCOPE");
      for (const id of scope.serviceIds) {
        const svc = svcs.get(id);
        if (svc === undefined || svc.structureId !== st.id) throw new Error("NOT_FOUND");
        if (!svc.active) throw new Error("SERVICE_INACTIVE");
      }
    }
    const at = NOW.toISOString();
    const kept = new Set(scope.kind === "services" ? scope.serviceIds : []);
    const removedServiceIds = current !== undefined && current.scope.kind === "services" && scope.kind === "services" ? current.scope.serviceIds.filter((id) => !kept.has(id)) : [];
    const attachments = requester.attachments.filter((x) => x.structureId !== st.id);
    attachments.push({ structureId: st.id, role, scope, validFrom: current?.validFrom ?? TODAY, validUntil: current?.validUntil ?? null, endNotice: current?.endNotice ?? null, attachedBy: a.id, attachedAt: at as typeof AT });
    const history: object[] = [
      { structureId: st.id, kind: "attachmentRequestValidated", at, actorId: a.id, targetUserId: requester.id, requestId: request.id, details: { role, scope } },
    ];
    if (removedServiceIds.length > 0)
      history.push({ structureId: st.id, kind: "servicesRemoved", at, actorId: a.id, targetUserId: requester.id, requestId: request.id, details: { removedServiceIds } });
    return {
      request: { ...request, status: "validated", decidedBy: a.id, decidedAt: at, grantedRole: role, grantedScope: scope },
      requester: { ...requester, attachments },
      removedServiceIds,
      history,
      events: [{ type: "AttachmentRequestValidated", at, requestId: request.id, structureId: st.id, userId: requester.id, decidedBy: a.id, role, scope }],
    };
  };
  const result = await sideBySide(
    { name: "validate transition (frozen inputs)", fn: () => { for (let i = 0; i < N; i++) sink = ours(i & 3); } },
    { name: "hand-written with the same checks", fn: () => { for (let i = 0; i < N; i++) sink = byHand(i & 3); } },
    { time: quick ? 150 : 500, iterations: 20, batch: N },
  );
  void sink;
  return {
    name: "validate: pure transition vs hand-written with the same checks, inputs frozen as the store hands them out, 4 states cycled",
    layer: "pure",
    ratioOf: "transition µs / hand-written µs",
    ratio: result.ratio,
    target: 1.5,
    stretch: 1.2,
    details: { "transition µs": round(result.a), "hand-written µs": round(result.b) },
  };
}

/**
 * The application's validate (built package, memory store) against the hand-written Map
 * model validating the same requests, in structures of 10 000 members with random ids
 * and names.
 */
async function appVsHandValidate(): Promise<Figure> {
  const members = quick ? 2_000 : 10_000;
  const perRound = quick ? 150 : 400;
  const pool = (ROUNDS + 1) * (perRound + 60);
  const ours = await seededPair(members, pool);
  const theirs = await seededPair(members, pool);
  const app = createHabilitations({ store: ours.store, clock });
  let a = 0;
  let b = 0;
  const result = await sideBySide(
    {
      name: "application validate",
      fn: async () => {
        const requestId = ours.seeded.requestIds[a++];
        if (requestId === undefined) throw new Error("request pool exhausted");
        const r = await app.validateAttachmentRequest(ours.seeded.manager, { requestId });
        if (!r.ok) throw new Error(r.error.code);
      },
    },
    {
      name: "hand-written validate",
      fn: async () => {
        const requestId = theirs.seeded.requestIds[b++];
        if (requestId === undefined) throw new Error("request pool exhausted");
        theirs.hand.validate(theirs.seeded.manager, requestId, NOW);
      },
    },
    { time: 0, iterations: perRound },
  );
  return {
    name: `validate: application + memory store vs a hand-written Map model of the same change (${members.toLocaleString("en")} members, random ids)`,
    layer: "application + memory",
    ratioOf: "application µs / hand-written µs",
    ratio: result.ratio,
    target: 4,
    stretch: 2,
    details: { "application µs": round(result.a), "hand-written µs": round(result.b) },
  };
}

/**
 * A mixed command load on a 10 000-member structure: users cycle through the states of
 * guide §1 and §3 (ask to be attached; validated, or one in four refused; detached again),
 * and the manager reads the history page of a varying user — against the hand-written
 * model doing the same commands. Also the application's commands per second.
 */
async function mixVsHand(): Promise<Figure[]> {
  const members = quick ? 2_000 : 10_000;
  const cyclers = 1_000;
  const ours = await seededPair(members, 0);
  const theirs = await seededPair(members, 0);
  // Users outside the structure who will cycle (the same records on both sides).
  const outsiders = Array.from({ length: cyclers }, () => ({ ...user(randomId("usr"), [attachment(structureId(randomId("str")))]), ...randomNames() }));
  await ours.store.commit({ writes: outsiders.map((value): Write => ({ kind: "user", value, expectedVersion: null })), reads: [], history: [], events: [] });
  theirs.hand.load(outsiders.map((value): Write => ({ kind: "user", value, expectedVersion: null })));
  const app = createHabilitations({ store: ours.store, clock });
  const scopeOf = (k: number): AttachmentScope => (k % 2 === 0 ? { kind: "structure" } : servicesScope([ours.seeded.services[k % 4 === 1 ? 0 : 1] as ServiceId]));
  const handScopeOf = (k: number): AttachmentScope => (k % 2 === 0 ? { kind: "structure" } : servicesScope([theirs.seeded.services[k % 4 === 1 ? 0 : 1] as ServiceId]));
  // One step of the mix is one command (or read); a user's cycle is 3 or 4 of them.
  const COMMANDS_PER_CYCLE = 3.75;
  let i = 0;
  const appCycle = async () => {
    const k = i++;
    const u = outsiders[k % cyclers] as User;
    const asked = await app.requestAttachment(u.id, { structureId: ours.structureId, scope: scopeOf(k), comment: "Bonjour" });
    if (!asked.ok) throw new Error(asked.error.code);
    const requestId = asked.value.request.id;
    if (k % 4 === 3) {
      const refused = await app.refuseAttachmentRequest(ours.seeded.manager, { requestId, reason: "Pas dans ce service" });
      if (!refused.ok) throw new Error(refused.error.code);
    } else {
      const validated = await app.validateAttachmentRequest(ours.seeded.manager, { requestId });
      if (!validated.ok) throw new Error(validated.error.code);
      const page = await app.readHistory(ours.seeded.manager, { structureId: ours.structureId, targetUserId: outsiders[(k * 7919) % cyclers]?.id, limit: 20 });
      if (!page.ok) throw new Error(page.error.code);
      const removed = await app.removeAttachment(ours.seeded.manager, { structureId: ours.structureId, userId: u.id });
      if (!removed.ok) throw new Error(removed.error.code);
    }
  };
  let j = 0;
  const handCycle = async () => {
    const k = j++;
    const u = outsiders[k % cyclers] as User;
    const requestId = theirs.hand.request(u.id, theirs.structureId, handScopeOf(k), NOW);
    if (k % 4 === 3) theirs.hand.refuse(theirs.seeded.manager, requestId, "Pas dans ce service", NOW);
    else {
      theirs.hand.validate(theirs.seeded.manager, requestId, NOW);
      theirs.hand.historyPage(theirs.structureId, (outsiders[(k * 7919) % cyclers] as User).id, 20);
      theirs.hand.remove(theirs.seeded.manager, theirs.structureId, u.id, NOW);
    }
  };
  // Four cycles a task (one of each kind), so every sample holds the same mix.
  const result = await sideBySide(
    { name: "application mix", fn: async () => { for (let n = 0; n < 4; n++) await appCycle(); } },
    { name: "hand-written mix", fn: async () => { for (let n = 0; n < 4; n++) await handCycle(); } },
    { time: quick ? 200 : 600, iterations: 50, batch: 4 * COMMANDS_PER_CYCLE },
  );
  const perSecond = 1e6 / result.a;
  return [
    {
      name: `mixed command load (ask, validate or refuse, read the history, detach) vs a hand-written Map model of the same commands (${members.toLocaleString("en")} members)`,
      layer: "application + memory",
      ratioOf: "application µs per command / hand-written µs per command",
      ratio: result.ratio,
      target: 4,
      stretch: 2,
      details: { "application µs per command": round(result.a), "hand-written µs per command": round(result.b) },
    },
    {
      name: `mixed command load: commands per second through the application (${members.toLocaleString("en")} members)`,
      layer: "application + memory",
      ratioOf: "commands per second",
      ratio: perSecond,
      target: 20_000,
      atLeast: true,
      stretch: 100_000,
      details: { "hand-written commands per second": Math.round(1e6 / result.b) },
    },
  ];
}

/**
 * The heap the memory store holds per user with one attachment and its history: each
 * user asks to be attached and is validated through the application (two history
 * entries, a decided request), the events delivered; `heapUsed` after a forced GC,
 * against the same before, divided by the users — beside the JSON size of the same records.
 */
async function heapPerUser(): Promise<Figure> {
  const users = quick ? 5_000 : 50_000;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the bench with node --expose-gc");
  const store = createMemoryStore();
  const s = structureId(randomId("str"));
  const primary = randomId("usr");
  const svc = [service(randomId("svc"), s, "COMPTA"), service(randomId("svc"), s, "RH")];
  await store.commit({
    writes: [
      { kind: "structure", value: structure(s, primary), expectedVersion: null },
      ...svc.map((value): Write => ({ kind: "service", value, expectedVersion: null })),
      { kind: "user", value: { ...user(primary, [attachment(s)]), ...randomNames() }, expectedVersion: null },
    ],
    reads: [],
    history: [],
    events: [],
  });
  const app = createHabilitations({ store, clock });
  // Every account a host would hold anyway is counted too: registered through the application.
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let k = 0; k < users; k++) {
    const names = randomNames();
    const registered = await app.registerUser({ login: `${randomId("l")}@example.fr`, ...names });
    if (!registered.ok) throw new Error(registered.error.code);
    const id = registered.value.user.id;
    const scope: AttachmentScope = k % 2 === 0 ? { kind: "structure" } : servicesScope([svc[k % 4 === 1 ? 0 : 1]?.id as ServiceId]);
    const asked = await app.requestAttachment(id, { structureId: s, scope, comment: "Bonjour" });
    if (!asked.ok) throw new Error(asked.error.code);
    const validated = await app.validateAttachmentRequest(primary, { requestId: asked.value.request.id });
    if (!validated.ok) throw new Error(validated.error.code);
    if (k % 500 === 499) await deliver();
  }
  async function deliver() {
    for (;;) {
      const claimed = await app.claimEvents({ limit: 500 });
      if (!claimed.ok) throw new Error(claimed.error.code);
      if (claimed.value.length === 0) break;
      const acked = await app.acknowledgeEvents(claimed.value.map((m) => m.event.id));
      if (!acked.ok) throw new Error(acked.error.code);
    }
  }
  await deliver();
  gc();
  gc();
  const held = process.memoryUsage().heapUsed - before;
  // The records' JSON: each user, their request, their history entries.
  const snapshot = store.snapshot();
  let json = 0;
  for (const r of snapshot.users) if (r.value.id !== primary) json += JSON.stringify(r.value).length;
  for (const r of snapshot.attachmentRequests) json += JSON.stringify(r.value).length;
  for (const h of snapshot.history as readonly HistoryEntry[]) json += JSON.stringify(h).length;
  const perUser = held / users;
  return {
    name: `heap per user with one attachment and its history (registered, asked, validated; events delivered), memory store, ${users.toLocaleString("en")} users`,
    layer: "application + memory",
    ratioOf: "heap bytes per user",
    ratio: perUser,
    target: 1200,
    stretch: 700,
    details: { "JSON bytes per user": round(json / users), "heap / JSON": round(perUser / (json / users)), "history entries": snapshot.history.length },
  };
}

/** The main entry's import time in a fresh Node.js process (median of several). */
async function importTime(): Promise<Figure> {
  const script = "const t = performance.now(); await import('habilitations'); console.log(performance.now() - t);";
  const empty = "const t = performance.now(); await import('node:path'); console.log(performance.now() - t);";
  const times: number[] = [];
  const baselines: number[] = [];
  for (let k = 0; k < (quick ? 3 : 9); k++) {
    times.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })));
    baselines.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", empty], { cwd: root, encoding: "utf8" })));
  }
  return {
    name: "import time of the main entry (`import(\"habilitations\")` in a fresh Node.js process)",
    layer: "package",
    ratioOf: "ms",
    ratio: median(times),
    target: 80,
    details: { "ms (median)": round(median(times)), "ms for a built-in module (the floor)": round(median(baselines)) },
  };
}

/** The minified size of a consumer bundling one pure function of the main entry (esbuild). */
async function bundleSize(): Promise<Figure> {
  const out = await build({
    stdin: { contents: 'import { historyKindLabel } from "habilitations";\nconsole.log(historyKindLabel("userAttached"));\n', resolveDir: root, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const bytes = out.outputFiles[0]?.contents.length ?? 0;
  return {
    name: "one pure function (`historyKindLabel`) bundled by a consumer, minified (esbuild)",
    layer: "package",
    ratioOf: "KiB",
    ratio: bytes / 1024,
    target: 30,
    details: { bytes },
  };
}

/** The « as shipped » figures, by name for `--only=`. */
export const shippedFigures: [string, () => Promise<Figure | Figure[]>][] = [
  ["pureFrozen", pureFrozen],
  ["appVsHand", appVsHandValidate],
  ["mix", mixVsHand],
  ["heap", heapPerUser],
  ["import", importTime],
  ["bundle", bundleSize],
];
