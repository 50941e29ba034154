// Model-based test (SPEC §7): random sequences of application-layer commands against a
// *simplified* model of the rules. The model states each rule independently of the
// code and computes the set of rules a command breaks; the system must refuse with one
// of those codes, or succeed when the set is empty, and its state must follow the model.
// Minimal disclosure is part of the rules: someone who may not manage the structure of
// a record they reached by its id (a request, a service) gets NOT_FOUND for that id and
// nothing else; someone who may not manage a structure they named gets FORBIDDEN and
// nothing else (no rule about its members shows through). After every step the store's
// outbox holds exactly the events of the accepted commands, in order, ids included.
// The same property runs over the memory store and over PostgreSQL (fewer runs, a fresh
// schema each); on PostgreSQL every command is also given to a memory store, which must
// give the same answer and then hold the same records, history, outbox and keys.
import { afterAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  createHabilitations,
  roleIn,
  type DomainError,
  type DomainErrorCode,
  type DomainEvent,
  type ForbiddenReason,
  type Habilitations,
  type HabilitationsStore,
  type RecordedEvent,
  type Result,
  type Role,
  type ServiceId,
  type StructureId,
  type UserId,
} from "../../src/index.js";
import type { MemoryStoreSnapshot } from "../../src/memory/index.js";
import { memoryTwin, storeKinds, type OpenStore, type Twin } from "./stores.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const AT = NOW.toISOString();
/** The date of {@link NOW} in Paris. */
const TODAY = "2026-11-27";

// ------------------------------------------------------------------------ the model

type MScope = "structure" | readonly string[];
interface MAttachment {
  role: "secondaryManager" | "user";
  scope: MScope;
  validFrom: string;
}
interface MRequest {
  id: string;
  user: string;
  structure: string;
  scope: MScope;
  requestedRole: "secondaryManager" | "user";
  status: "pending" | "validated" | "refused";
}
interface Model {
  active: Map<string, boolean>;
  primary: Map<string, string>;
  services: Map<string, { structure: string; active: boolean }>;
  attachments: Map<string, MAttachment>; // key `${user}|${structure}`
  requests: MRequest[];
  history: number;
  /** The events of the accepted commands, in order, as the system returned them. */
  outbox: RecordedEvent[];
}
const key = (u: string, s: string) => `${u}|${s}`;

interface Real {
  app: Habilitations;
  /** Everything the store holds. */
  snapshot: () => Promise<MemoryStoreSnapshot>;
  /** On a store other than the memory store: a memory store given the same commands, and its app. */
  twin?: { app: Habilitations; store: Twin };
}

const USERS = ["u0", "u1", "u2", "u3", "u4", "u5"];
const STRUCTURES = ["s1", "s2"];
const SERVICES = ["svA", "svB", "svC", "svX"]; // svX does not exist

/** The right to manage a structure: an active account, primary manager or secondary manager in force today. */
function hasRight(m: Model, actor: string, structure: string): boolean {
  if (m.active.get(actor) !== true) return false;
  if (m.primary.get(structure) === actor) return true;
  const a = m.attachments.get(key(actor, structure));
  return a?.role === "secondaryManager" && a.validFrom <= TODAY;
}

function forbiddenReason(m: Model, actor: string, structure: string): ForbiddenReason {
  if (m.active.get(actor) !== true) return "accountNotActive";
  const a = m.attachments.get(key(actor, structure));
  if (m.primary.get(structure) !== actor && a?.role !== "secondaryManager") return "notAManager";
  return "attachmentNotInForce";
}

/** Blank: no visible character (white space and zero-width characters are not visible). */
const isBlank = (text: string) => text.replace(/[\s\u200B-\u200D\u2060\uFEFF]/g, "") === "";

function scopeViolations(m: Model, structure: string, scope: MScope): DomainErrorCode[] {
  if (scope === "structure") return [];
  if (scope.length === 0) return ["EMPTY_SCOPE"];
  const v: DomainErrorCode[] = [];
  for (const id of scope) {
    const s = m.services.get(id);
    // A service of another structure is, from that structure, one that does not exist.
    if (s === undefined || s.structure !== structure) v.push("NOT_FOUND");
    else if (!s.active) v.push("SERVICE_INACTIVE");
  }
  return v;
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();
const canonical = (scope: MScope) =>
  scope === "structure" ? { kind: "structure" as const } : { kind: "services" as const, serviceIds: sorted(scope) };

/**
 * What the model says of one act: the rules it breaks (empty: it must succeed), the
 * exact error when only one answer discloses nothing, and how the model changes when it
 * succeeds, giving the events it must have saved (without their ids).
 */
interface Judgement {
  readonly broken: DomainErrorCode[];
  readonly exactly?: DomainError;
  readonly apply: (result: unknown) => DomainEvent[];
}

const never = (): DomainEvent[] => {
  throw new Error("applied a refused act");
};

/** An act reached through a record's id: without the right, NOT_FOUND for that id, nothing else. */
function reached(m: Model, actor: string, structure: string, entity: "attachmentRequest" | "service", id: string, rules: () => Judgement): Judgement {
  if (hasRight(m, actor, structure)) return rules();
  return { broken: ["NOT_FOUND"], exactly: { code: "NOT_FOUND", entity, id }, apply: never };
}

/** An act naming the structure: without the right, FORBIDDEN naming it, nothing else. */
function named(m: Model, actor: string, structure: string, rules: () => Judgement): Judgement {
  if (hasRight(m, actor, structure)) return rules();
  return {
    broken: ["FORBIDDEN"],
    exactly: { code: "FORBIDDEN", actorId: actor as UserId, structureId: structure as StructureId, reason: forbiddenReason(m, actor, structure) },
    apply: never,
  };
}

// ------------------------------------------------------------------ checking a step

type Outcome = Result<{ readonly events: readonly RecordedEvent[] }, DomainError>;
/** A command given to an app (the store's, and its memory twin's). */
type Act<T> = (app: Habilitations) => Promise<T>;

/** Runs a command; on a store with a memory twin, the twin must answer the same. */
async function run<T>(r: Real, act: Act<T>): Promise<T> {
  const result = await act(r.app);
  if (r.twin !== undefined) expect(result, "the memory store gives the same answer").toEqual(await act(r.twin.app));
  return result;
}

/** Checks the events an accepted act returned against the model's, and records them. */
function accept(m: Model, judgement: Judgement, value: { readonly events: readonly RecordedEvent[] }) {
  expect(judgement.broken, "the command succeeded although the model says it breaks these rules").toEqual([]);
  const expected = judgement.apply(value);
  expect(value.events.map(({ id: _id, ...event }) => event)).toEqual(expected);
  const ids = value.events.map((e) => e.id);
  expect(new Set(ids).size, "event ids are distinct").toBe(ids.length);
  const known = new Set(m.outbox.map((e) => e.id));
  for (const id of ids) expect(known.has(id), `event id ${id} is new`).toBe(false);
  m.outbox.push(...value.events);
}

function refused(judgement: Judgement, error: DomainError) {
  expect(judgement.broken, `refused with ${error.code}, which the model does not see broken`).toContain(error.code);
  if (judgement.exactly !== undefined) expect(error).toEqual(judgement.exactly);
}

async function step(m: Model, r: Real, judgement: Judgement, act: Act<Outcome>) {
  const before = await r.snapshot();
  const result = await run(r, act);
  if (result.ok) accept(m, judgement, result.value);
  else {
    refused(judgement, result.error);
    expect(await r.snapshot(), "a refused command changes nothing").toEqual(before);
  }
  await compare(m, r);
}

async function compare(m: Model, r: Real) {
  const snap = await r.snapshot();
  if (r.twin !== undefined) expect(snap, "the store holds what the memory store holds").toEqual(r.twin.store.snapshot());
  expect(snap.history.length).toBe(m.history);
  expect(snap.outbox, "the outbox holds exactly the events of the accepted commands").toEqual(m.outbox);
  const users = new Map(snap.users.map((u) => [u.value.id as string, u.value]));
  for (const s of snap.structures) {
    const structure = s.value;
    // Exactly one primary manager, attached to the whole structure, with an active account.
    const primary = users.get(structure.primaryManagerId);
    expect(primary?.status).toBe("active");
    expect(primary?.attachments.find((a) => a.structureId === structure.id)?.scope.kind).toBe("structure");
    expect(structure.primaryManagerId).toBe(m.primary.get(structure.id));
    for (const user of users.values()) {
      const expected = m.attachments.get(key(user.id, structure.id));
      const actual = user.attachments.find((a) => a.structureId === structure.id);
      const role: Role | null = roleIn(structure, user);
      if (expected === undefined) {
        expect(actual, `${user.id} in ${structure.id}`).toBeUndefined();
        continue;
      }
      expect(role).toBe(m.primary.get(structure.id) === user.id ? "primaryManager" : expected.role);
      expect(actual?.validFrom).toBe(expected.validFrom);
      expect(actual?.scope).toEqual(canonical(expected.scope));
    }
  }
  const requests = new Map(snap.attachmentRequests.map((x) => [x.value.id as string, x.value.status]));
  for (const q of m.requests) expect(requests.get(q.id)).toBe(q.status);
  for (const [id, s] of m.services) expect(snap.services.find((x) => x.value.id === id)?.value.active).toBe(s.active);
}

// ------------------------------------------------------------------------ the rules

function validateRules(m: Model, actor: string, q: MRequest, role: Role | undefined, scopeGiven: MScope | undefined): Judgement {
  return reached(m, actor, q.structure, "attachmentRequest", q.id, () => {
    const v: DomainErrorCode[] = [];
    if (q.status !== "pending") v.push("REQUEST_ALREADY_DECIDED");
    if (q.user === actor) v.push("SELF_DECISION_FORBIDDEN");
    if (role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
    if (m.primary.get(q.structure) === q.user) v.push("TRANSFER_REQUIRED");
    if (m.active.get(q.user) !== true) v.push("ACCOUNT_NOT_ACTIVE");
    const current = m.attachments.get(key(q.user, q.structure));
    const scope: MScope =
      scopeGiven ??
      (q.scope === "structure" || current?.scope === "structure"
        ? "structure"
        : sorted([...q.scope, ...(current?.scope ?? [])]).filter((id) => m.services.get(id)?.active === true));
    v.push(...scopeViolations(m, q.structure, scope));
    // The manager's choice, else the role already held, else simple user: never what was asked.
    const granted = (role ?? current?.role ?? "user") as "secondaryManager" | "user";
    return {
      broken: v,
      apply: () => {
        const removed =
          current !== undefined && current.scope !== "structure" && scope !== "structure"
            ? current.scope.filter((id) => !scope.includes(id))
            : [];
        m.attachments.set(key(q.user, q.structure), { role: granted, scope, validFrom: current?.validFrom ?? TODAY });
        q.status = "validated";
        m.history += removed.length > 0 ? 2 : 1;
        return [
          {
            type: "AttachmentRequestValidated",
            at: AT,
            requestId: q.id,
            structureId: q.structure,
            userId: q.user,
            decidedBy: actor,
            role: granted,
            scope: canonical(scope),
          } as DomainEvent,
        ];
      },
    };
  });
}

function refuseRules(m: Model, actor: string, q: MRequest, reason: string): Judgement {
  return reached(m, actor, q.structure, "attachmentRequest", q.id, () => {
    const v: DomainErrorCode[] = [];
    if (q.status !== "pending") v.push("REQUEST_ALREADY_DECIDED");
    if (q.user === actor) v.push("SELF_DECISION_FORBIDDEN");
    if (isBlank(reason)) v.push("REFUSAL_REASON_REQUIRED");
    return {
      broken: v,
      apply: () => {
        q.status = "refused";
        m.history += 1;
        return [
          { type: "AttachmentRequestRefused", at: AT, requestId: q.id, structureId: q.structure, userId: q.user, decidedBy: actor, reason: reason.trim() } as DomainEvent,
        ];
      },
    };
  });
}

// ---------------------------------------------------------------------- the commands

type Cmd = fc.AsyncCommand<Model, Real>;
const scopeArb: fc.Arbitrary<MScope> = fc.oneof(
  fc.constant("structure" as const),
  fc.uniqueArray(fc.constantFrom(...SERVICES), { maxLength: 3 }),
);
// Mostly valid scopes (real services of s1), sometimes any scope at all.
const likelyScope: fc.Arbitrary<MScope> = fc.oneof(
  { arbitrary: fc.uniqueArray(fc.constantFrom("svA", "svB", "svC"), { minLength: 1, maxLength: 2 }), weight: 3 },
  { arbitrary: scopeArb, weight: 2 },
);
const toScope = (scope: MScope) =>
  scope === "structure" ? { kind: "structure" as const } : { kind: "services" as const, serviceIds: [...scope] };

class RequestCmd implements Cmd {
  constructor(readonly user: string, readonly structure: string, readonly scope: MScope) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const v: DomainErrorCode[] = [];
    if (m.active.get(this.user) !== true) v.push("FORBIDDEN");
    const a = m.attachments.get(key(this.user, this.structure));
    if (m.primary.get(this.structure) === this.user || a?.scope === "structure") v.push("ALREADY_ATTACHED");
    if (m.requests.some((q) => q.user === this.user && q.structure === this.structure && q.status === "pending"))
      v.push("PENDING_REQUEST_EXISTS");
    v.push(...scopeViolations(m, this.structure, this.scope));
    await step(m, r, {
      broken: v,
      apply: (value) => {
        const id = (value as { request: { id: string } }).request.id;
        // Without a role asked for, a request asks for the role already held there.
        m.requests.push({ id, user: this.user, structure: this.structure, scope: this.scope, requestedRole: a?.role ?? "user", status: "pending" });
        m.history += 1;
        return [{ type: "AttachmentRequested", at: AT, requestId: id, structureId: this.structure, userId: this.user } as DomainEvent];
      },
    }, (app) => app.requestAttachment(this.user, { structureId: this.structure, scope: toScope(this.scope) }));
  }
  toString = () => `request(${this.user}, ${this.structure}, ${JSON.stringify(this.scope)})`;
}

class ValidateCmd implements Cmd {
  constructor(readonly actor: string, readonly pick: number, readonly role: Role | undefined, readonly scope: MScope | undefined) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const q = m.requests[this.pick % m.requests.length] as MRequest;
    await step(m, r, validateRules(m, this.actor, q, this.role, this.scope), (app) =>
      app.validateAttachmentRequest(this.actor, {
        requestId: q.id,
        ...(this.role === undefined ? {} : { role: this.role }),
        ...(this.scope === undefined ? {} : { scope: toScope(this.scope) }),
      }),
    );
  }
  toString = () => `validate(${this.actor}, #${this.pick}, ${this.role}, ${JSON.stringify(this.scope)})`;
}

class RefuseCmd implements Cmd {
  constructor(readonly actor: string, readonly pick: number, readonly reason: string) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const q = m.requests[this.pick % m.requests.length] as MRequest;
    await step(m, r, refuseRules(m, this.actor, q, this.reason), (app) =>
      app.refuseAttachmentRequest(this.actor, { requestId: q.id, reason: this.reason }),
    );
  }
  toString = () => `refuse(${this.actor}, #${this.pick}, ${JSON.stringify(this.reason)})`;
}

/**
 * A bulk decision: each item judged on the model as it stands after the items before
 * it; the accepted ones' events, in order, are the outcome's events and the outbox's.
 */
async function bulkStep(
  m: Model,
  r: Real,
  items: readonly { readonly q: MRequest; readonly judge: () => Judgement }[],
  act: Act<Result<{ readonly results: readonly { readonly requestId: string; readonly result: Outcome }[]; readonly events: readonly RecordedEvent[] }, DomainError>>,
) {
  const result = await run(r, act);
  if (!result.ok) throw new Error(`bulk call refused as a whole: ${JSON.stringify(result.error)}`);
  const { results, events } = result.value;
  expect(results.map((x) => x.requestId)).toEqual(items.map((i) => i.q.id));
  const accepted: RecordedEvent[] = [];
  items.forEach((item, i) => {
    const judgement = item.judge();
    const one = (results[i] as { result: Outcome }).result;
    if (one.ok) {
      accept(m, judgement, one.value);
      accepted.push(...one.value.events);
    } else refused(judgement, one.error);
  });
  expect(events).toEqual(accepted);
  await compare(m, r);
}

const picksArb = fc.array(fc.nat(), { minLength: 1, maxLength: 3 });

class ValidateManyCmd implements Cmd {
  constructor(readonly actor: string, readonly picks: readonly number[], readonly role: Role | undefined) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const qs = this.picks.map((p) => m.requests[p % m.requests.length] as MRequest);
    await bulkStep(
      m,
      r,
      qs.map((q) => ({ q, judge: () => validateRules(m, this.actor, q, this.role, undefined) })),
      (app) => app.validateAttachmentRequests(this.actor, { items: qs.map((q) => ({ requestId: q.id, ...(this.role === undefined ? {} : { role: this.role }) })) }),
    );
  }
  toString = () => `validateMany(${this.actor}, ${JSON.stringify(this.picks)}, ${this.role})`;
}

class RefuseManyCmd implements Cmd {
  constructor(readonly actor: string, readonly picks: readonly number[], readonly reason: string) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const qs = this.picks.map((p) => m.requests[p % m.requests.length] as MRequest);
    await bulkStep(
      m,
      r,
      qs.map((q) => ({ q, judge: () => refuseRules(m, this.actor, q, this.reason) })),
      (app) => app.refuseAttachmentRequests(this.actor, { requestIds: qs.map((q) => q.id), reason: this.reason }),
    );
  }
  toString = () => `refuseMany(${this.actor}, ${JSON.stringify(this.picks)}, ${JSON.stringify(this.reason)})`;
}

class AttachCmd implements Cmd {
  constructor(
    readonly actor: string,
    readonly user: string,
    readonly structure: string,
    readonly role: Role,
    readonly validFrom: string,
    readonly comment: string,
    readonly scope: MScope,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const judgement = named(m, this.actor, this.structure, () => {
      const v: DomainErrorCode[] = [];
      if (this.role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
      if (this.validFrom < TODAY) v.push("VALID_FROM_IN_THE_PAST");
      if (isBlank(this.comment)) v.push("COMMENT_REQUIRED");
      if (m.primary.get(this.structure) === this.user || m.attachments.has(key(this.user, this.structure))) v.push("ALREADY_ATTACHED");
      if (m.active.get(this.user) !== true) v.push("ACCOUNT_NOT_ACTIVE");
      v.push(...scopeViolations(m, this.structure, this.scope));
      return {
        broken: v,
        apply: () => {
          const role = this.role as "secondaryManager" | "user";
          m.attachments.set(key(this.user, this.structure), { role, scope: this.scope === "structure" ? "structure" : sorted(this.scope), validFrom: this.validFrom });
          m.history += 1;
          return [
            {
              type: "UserAttached",
              at: AT,
              structureId: this.structure,
              userId: this.user,
              attachedBy: this.actor,
              role,
              scope: canonical(this.scope),
              validFrom: this.validFrom,
            } as DomainEvent,
          ];
        },
      };
    });
    await step(m, r, judgement, (app) =>
      app.attachUser(this.actor, {
        structureId: this.structure,
        userId: this.user,
        role: this.role,
        validFrom: this.validFrom,
        comment: this.comment,
        scope: toScope(this.scope),
      }),
    );
  }
  toString = () => `attach(${this.actor} → ${this.user} @${this.structure} ${this.role} from ${this.validFrom} ${JSON.stringify(this.scope)})`;
}

class ChangeRoleCmd implements Cmd {
  constructor(readonly actor: string, readonly user: string, readonly structure: string, readonly role: Role) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const judgement = named(m, this.actor, this.structure, () => {
      const v: DomainErrorCode[] = [];
      if (this.role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
      const a = m.attachments.get(key(this.user, this.structure));
      if (m.primary.get(this.structure) === this.user) v.push("TRANSFER_REQUIRED");
      else if (a === undefined) v.push("NOT_ATTACHED");
      else if (a.role === this.role) v.push("ROLE_UNCHANGED");
      return {
        broken: v,
        apply: () => {
          const attachment = a as MAttachment;
          const previousRole = attachment.role;
          attachment.role = this.role as "secondaryManager" | "user";
          m.history += 1;
          return [
            { type: "MemberRoleChanged", at: AT, structureId: this.structure, userId: this.user, changedBy: this.actor, previousRole, role: this.role } as DomainEvent,
          ];
        },
      };
    });
    await step(m, r, judgement, (app) => app.changeMemberRole(this.actor, { structureId: this.structure, userId: this.user, role: this.role }));
  }
  toString = () => `changeRole(${this.actor} → ${this.user} @${this.structure} ${this.role})`;
}

class RemoveCmd implements Cmd {
  constructor(readonly actor: string, readonly user: string, readonly structure: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const judgement = named(m, this.actor, this.structure, () => {
      const v: DomainErrorCode[] = [];
      if (m.primary.get(this.structure) === this.user) v.push("TRANSFER_REQUIRED");
      else if (!m.attachments.has(key(this.user, this.structure))) v.push("NOT_ATTACHED");
      return {
        broken: v,
        apply: () => {
          m.attachments.delete(key(this.user, this.structure));
          m.history += 1;
          return [{ type: "AttachmentRemoved", at: AT, structureId: this.structure, userId: this.user, removedBy: this.actor } as DomainEvent];
        },
      };
    });
    await step(m, r, judgement, (app) => app.removeAttachment(this.actor, { structureId: this.structure, userId: this.user }));
  }
  toString = () => `remove(${this.actor} → ${this.user} @${this.structure})`;
}

class DeactivateServiceCmd implements Cmd {
  constructor(readonly actor: string, readonly service: string) {}
  check = (m: Readonly<Model>) => m.services.has(this.service);
  async run(m: Model, r: Real) {
    const s = m.services.get(this.service) as { structure: string; active: boolean };
    const judgement = reached(m, this.actor, s.structure, "service", this.service, () => ({
      broken: s.active ? [] : ["SERVICE_INACTIVE"],
      apply: () => {
        s.active = false;
        m.history += 1;
        return [{ type: "ServiceDeactivated", at: AT, structureId: s.structure, serviceId: this.service } as DomainEvent];
      },
    }));
    await step(m, r, judgement, (app) => app.deactivateService(this.actor, { serviceId: this.service }));
  }
  toString = () => `deactivateService(${this.actor}, ${this.service})`;
}

class RenameServiceCmd implements Cmd {
  constructor(readonly actor: string, readonly service: string) {}
  check = (m: Readonly<Model>) => m.services.has(this.service);
  async run(m: Model, r: Real) {
    const s = m.services.get(this.service) as { structure: string; active: boolean };
    const judgement = reached(m, this.actor, s.structure, "service", this.service, () => ({
      broken: [],
      apply: () => {
        m.history += 1;
        return [{ type: "ServiceRenamed", at: AT, structureId: s.structure, serviceId: this.service } as DomainEvent];
      },
    }));
    await step(m, r, judgement, (app) => app.renameService(this.actor, { serviceId: this.service, label: "Renommé" }));
  }
  toString = () => `renameService(${this.actor}, ${this.service})`;
}

const user = fc.constantFrom(...USERS);
// Actors lean towards the managers, so that sequences go past the authorization rule.
const actor = fc.oneof({ arbitrary: fc.constantFrom("u0", "u1", "u2", "u3"), weight: 4 }, { arbitrary: user, weight: 1 });
const structure = fc.constantFrom(...STRUCTURES);
const role = fc.constantFrom<Role>("primaryManager", "secondaryManager", "user");
const reason = fc.constantFrom("Motif valable", "   ", "", "\u200B");
const commands = fc.commands(
  [
    fc.tuple(user, structure, likelyScope).map(([u, s, sc]) => new RequestCmd(u, s, sc)),
    fc.tuple(actor, fc.nat(), fc.option(role, { nil: undefined }), fc.option(likelyScope, { nil: undefined })).map(
      ([a, p, ro, sc]) => new ValidateCmd(a, p, ro, sc),
    ),
    fc.tuple(actor, fc.nat(), reason).map(([a, p, re]) => new RefuseCmd(a, p, re)),
    fc.tuple(actor, picksArb, fc.option(role, { nil: undefined })).map(([a, ps, ro]) => new ValidateManyCmd(a, ps, ro)),
    fc.tuple(actor, picksArb, reason).map(([a, ps, re]) => new RefuseManyCmd(a, ps, re)),
    fc.tuple(actor, user, structure, role, fc.constantFrom("2026-11-26", TODAY, "2026-12-15"), fc.constantFrom("Renfort", " ", "\u200B"), likelyScope).map(
      ([a, u, s, ro, vf, c, sc]) => new AttachCmd(a, u, s, ro, vf, c, sc),
    ),
    fc.tuple(actor, user, structure, role).map(([a, u, s, ro]) => new ChangeRoleCmd(a, u, s, ro)),
    fc.tuple(actor, user, structure).map(([a, u, s]) => new RemoveCmd(a, u, s)),
    fc.tuple(actor, fc.constantFrom("svA", "svB", "svC")).map(([a, s]) => new DeactivateServiceCmd(a, s)),
    fc.tuple(actor, fc.constantFrom("svA", "svB", "svC")).map(([a, s]) => new RenameServiceCmd(a, s)),
  ],
  { maxCommands: 60, size: "large" },
);

// --------------------------------------------------------------------------- setup

/**
 * s1 (primary u0) has services svA, svB, svC; s2 (primary u1) has none. u2 is
 * secondary manager of s1; u3 is secondary manager of s1 on svA only (so they can
 * ask for more, and must not decide their own request) and of s2 from a future date
 * (not in force yet); u4's account is deactivated although it holds a secondary-manager
 * attachment to s1; u5 is attached to nothing.
 */
async function setup(opened: OpenStore, withTwin: boolean): Promise<{ model: Model; real: Real }> {
  const app = await seed(opened.store);
  const twin = withTwin ? memoryTwin() : undefined;
  const real: Real = {
    app,
    snapshot: () => opened.snapshot(),
    ...(twin === undefined ? {} : { twin: { app: await seed(twin.store), store: twin } }),
  };
  const snapshot = await real.snapshot();
  if (real.twin !== undefined) expect(snapshot).toEqual(real.twin.store.snapshot());

  const model: Model = {
    active: new Map(USERS.map((u) => [u, u !== "u4"])),
    primary: new Map([["s1", "u0"], ["s2", "u1"]]),
    services: new Map([["svA", { structure: "s1", active: true }], ["svB", { structure: "s1", active: true }], ["svC", { structure: "s1", active: true }]]),
    attachments: new Map<string, MAttachment>([
      [key("u0", "s1"), { role: "user", scope: "structure", validFrom: TODAY }],
      [key("u1", "s2"), { role: "user", scope: "structure", validFrom: TODAY }],
      [key("u2", "s1"), { role: "secondaryManager", scope: "structure", validFrom: TODAY }],
      [key("u3", "s2"), { role: "secondaryManager", scope: "structure", validFrom: "2026-12-15" }],
      [key("u4", "s1"), { role: "secondaryManager", scope: "structure", validFrom: TODAY }],
      [key("u3", "s1"), { role: "secondaryManager", scope: ["svA"], validFrom: TODAY }],
    ]),
    requests: [],
    history: snapshot.history.length,
    outbox: [...snapshot.outbox],
  };
  // Every act of the setup saved its events.
  expect(model.outbox.map((e) => e.type)).toEqual([
    ...USERS.map(() => "UserRegistered"),
    "StructureCreated",
    "StructureCreated",
    "ServiceAdded",
    "ServiceAdded",
    "ServiceAdded",
    "UserAttached",
    "UserAttached",
    "UserAttached",
    "UserAttached",
  ]);
  return { model, real };
}

/** The world above, written through an app over the store (and u4 deactivated directly); the app. */
async function seed(store: HabilitationsStore): Promise<Habilitations> {
  let requests = 0;
  let events = 0;
  const ids: string[] = [];
  const app = createHabilitations({
    store,
    clock: () => NOW,
    newId: (kind) =>
      kind === "event" ? `evt-${++events}` : kind === "attachmentRequest" ? `req-${++requests}` : (ids.shift() ?? `${kind}-unexpected`),
  });
  const must = <T,>(r: { ok: boolean; value?: T }) => {
    if (!r.ok) throw new Error(`setup failed: ${JSON.stringify(r)}`);
    return r.value as T;
  };
  for (const u of USERS) {
    ids.push(u);
    must(await app.registerUser({ login: `${u}@example.fr`, lastName: u, firstName: u }));
  }
  ids.push("s1");
  must(await app.createStructure("u0", { designation: "S1", kind: "private", identifier: { type: "siret", value: "73282932000074" } }));
  ids.push("s2");
  must(await app.createStructure("u1", { designation: "S2", kind: "public", identifier: { type: "siret", value: "21690123100011" } }));
  for (const [id, code] of [["svA", "A"], ["svB", "B"], ["svC", "C"]]) {
    ids.push(id as string);
    must(await app.addService("u0", { structureId: "s1", code, label: code }));
  }
  const attach = (actor: string, u: string, s: string, validFrom: string) =>
    app.attachUser(actor, { structureId: s, userId: u, role: "secondaryManager", validFrom, comment: "setup", scope: { kind: "structure" } });
  must(await attach("u0", "u2", "s1", TODAY));
  must(await attach("u1", "u3", "s2", "2026-12-15"));
  must(await attach("u0", "u4", "s1", TODAY));
  must(await app.attachUser("u0", { structureId: "s1", userId: "u3", role: "secondaryManager", validFrom: TODAY, comment: "setup", scope: { kind: "services", serviceIds: ["svA"] } }));
  const u4 = (await store.getUser("u4" as UserId))!;
  const deactivated = await store.commit({
    writes: [{ kind: "user", value: { ...u4.value, status: "deactivated" }, expectedVersion: u4.version }],
    reads: [],
    history: [],
    events: [],
  });
  if (!deactivated.ok) throw new Error("setup: could not deactivate u4");
  return app;
}

// The memory store runs the property 100 times; PostgreSQL, slower, 15 times.
const RUNS = { memory: 100, postgres: 15 };
const stores = storeKinds();
afterAll(() => stores.end());

for (const kind of stores.kinds) {
  describe(`model-based: application layer + ${kind.name} store`, () => {
    test.prop([commands], { numRuns: RUNS[kind.name] })(
      "every command follows the rules the model states; refusals change nothing; the outbox holds the accepted commands' events; one primary manager per structure",
      async (cmds) => {
        const opened = await kind.open();
        try {
          await fc.asyncModelRun(() => setup(opened, !kind.reference), cmds);
        } finally {
          await opened.close();
        }
      },
    );
  });
}

// Typed only so the ids above stay honest if the id types change.
export type _Ids = [StructureId, ServiceId];
