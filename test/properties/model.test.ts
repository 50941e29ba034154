// Model-based test (SPEC §7): random sequences of application-layer commands against a
// *simplified* model of the rules. The model states each rule independently of the
// code and computes the set of rules a command breaks; the system must refuse with one
// of those codes, or succeed when the set is empty, and its state must follow the model.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  createHabilitations,
  roleIn,
  type DomainErrorCode,
  type Habilitations,
  type Role,
  type ServiceId,
  type StructureId,
  type UserId,
} from "../../src/index.js";
import { createMemoryStore, type MemoryStore } from "../../src/memory/index.js";

const NOW = new Date("2026-11-27T09:00:00Z");
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
}
const key = (u: string, s: string) => `${u}|${s}`;

interface Real {
  app: Habilitations;
  store: MemoryStore;
}

const USERS = ["u0", "u1", "u2", "u3", "u4", "u5"];
const STRUCTURES = ["s1", "s2"];
const SERVICES = ["svA", "svB", "svC", "svX"]; // svX does not exist

function managerViolations(m: Model, actor: string, structure: string): DomainErrorCode[] {
  if (m.active.get(actor) !== true) return ["FORBIDDEN"];
  const a = m.attachments.get(key(actor, structure));
  const isManager = m.primary.get(structure) === actor || a?.role === "secondaryManager";
  if (!isManager) return ["FORBIDDEN"];
  if (a !== undefined && a.validFrom > TODAY) return ["FORBIDDEN"];
  return [];
}

function scopeViolations(m: Model, structure: string, scope: MScope): DomainErrorCode[] {
  if (scope === "structure") return [];
  if (scope.length === 0) return ["EMPTY_SCOPE"];
  const v: DomainErrorCode[] = [];
  for (const id of scope) {
    const s = m.services.get(id);
    if (s === undefined) v.push("NOT_FOUND");
    else if (s.structure !== structure) v.push("SERVICE_NOT_IN_STRUCTURE");
    else if (!s.active) v.push("SERVICE_INACTIVE");
  }
  return v;
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

// ------------------------------------------------------------------ checking a step

async function outcome(
  m: Model,
  r: Real,
  violations: DomainErrorCode[],
  act: () => Promise<{ ok: true } | { ok: false; error: { code: DomainErrorCode } }>,
  apply: () => void,
) {
  const before = r.store.snapshot();
  const result = await act();
  if (result.ok) {
    expect(violations, "the command succeeded although the model says it breaks these rules").toEqual([]);
    apply();
  } else {
    expect(violations, `refused with ${result.error.code}, which the model does not see broken`).toContain(
      result.error.code,
    );
    expect(r.store.snapshot(), "a refused command changes nothing").toEqual(before);
  }
  await compare(m, r);
}

async function compare(m: Model, r: Real) {
  const snap = r.store.snapshot();
  expect(snap.history.length).toBe(m.history);
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
      expect(actual?.scope).toEqual(
        expected.scope === "structure" ? { kind: "structure" } : { kind: "services", serviceIds: sorted(expected.scope) },
      );
    }
  }
  const requests = new Map(snap.attachmentRequests.map((x) => [x.value.id as string, x.value.status]));
  for (const q of m.requests) expect(requests.get(q.id)).toBe(q.status);
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
    let id = "";
    await outcome(m, r, v, async () => {
      const res = await r.app.requestAttachment(this.user, { structureId: this.structure, scope: toScope(this.scope) });
      if (res.ok) id = res.value.request.id;
      return res;
    }, () => {
      // Without a role asked for, a request asks for the role already held there.
      m.requests.push({ id, user: this.user, structure: this.structure, scope: this.scope, requestedRole: a?.role ?? "user", status: "pending" });
      m.history += 1;
    });
  }
  toString = () => `request(${this.user}, ${this.structure}, ${JSON.stringify(this.scope)})`;
}

function decideViolations(m: Model, actor: string, q: MRequest): DomainErrorCode[] {
  const v = managerViolations(m, actor, q.structure);
  if (q.status !== "pending") v.push("REQUEST_ALREADY_DECIDED");
  if (q.user === actor) v.push("SELF_DECISION_FORBIDDEN");
  return v;
}

class ValidateCmd implements Cmd {
  constructor(readonly actor: string, readonly pick: number, readonly role: Role | undefined, readonly scope: MScope | undefined) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const q = m.requests[this.pick % m.requests.length] as MRequest;
    const v = decideViolations(m, this.actor, q);
    if (this.role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
    if (m.primary.get(q.structure) === q.user) v.push("TRANSFER_REQUIRED");
    if (m.active.get(q.user) !== true) v.push("ACCOUNT_NOT_ACTIVE");
    const current = m.attachments.get(key(q.user, q.structure));
    const scope: MScope =
      this.scope ??
      (q.scope === "structure" || current?.scope === "structure"
        ? "structure"
        : sorted([...q.scope, ...(current?.scope ?? [])]).filter((id) => m.services.get(id)?.active === true));
    v.push(...scopeViolations(m, q.structure, scope));
    // The manager's choice, else the role already held, else simple user: never what was asked.
    const role = (this.role ?? current?.role ?? "user") as "secondaryManager" | "user";
    await outcome(m, r, v, () => r.app.validateAttachmentRequest(this.actor, {
      requestId: q.id,
      ...(this.role === undefined ? {} : { role: this.role }),
      ...(this.scope === undefined ? {} : { scope: toScope(this.scope) }),
    }), () => {
      const removed =
        current !== undefined && current.scope !== "structure" && scope !== "structure"
          ? current.scope.filter((id) => !scope.includes(id))
          : [];
      m.attachments.set(key(q.user, q.structure), {
        role,
        scope,
        validFrom: current?.validFrom ?? TODAY,
      });
      q.status = "validated";
      m.history += removed.length > 0 ? 2 : 1;
    });
  }
  toString = () => `validate(${this.actor}, #${this.pick}, ${this.role}, ${JSON.stringify(this.scope)})`;
}

class RefuseCmd implements Cmd {
  constructor(readonly actor: string, readonly pick: number, readonly reason: string) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const q = m.requests[this.pick % m.requests.length] as MRequest;
    const v = decideViolations(m, this.actor, q);
    if (this.reason.trim() === "") v.push("REFUSAL_REASON_REQUIRED");
    await outcome(m, r, v, () => r.app.refuseAttachmentRequest(this.actor, { requestId: q.id, reason: this.reason }), () => {
      q.status = "refused";
      m.history += 1;
    });
  }
  toString = () => `refuse(${this.actor}, #${this.pick}, ${JSON.stringify(this.reason)})`;
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
    const v = managerViolations(m, this.actor, this.structure);
    if (this.role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
    if (this.validFrom < TODAY) v.push("VALID_FROM_IN_THE_PAST");
    if (this.comment.trim() === "") v.push("COMMENT_REQUIRED");
    if (m.primary.get(this.structure) === this.user || m.attachments.has(key(this.user, this.structure)))
      v.push("ALREADY_ATTACHED");
    if (m.active.get(this.user) !== true) v.push("ACCOUNT_NOT_ACTIVE");
    v.push(...scopeViolations(m, this.structure, this.scope));
    await outcome(m, r, v, () => r.app.attachUser(this.actor, {
      structureId: this.structure,
      userId: this.user,
      role: this.role,
      validFrom: this.validFrom,
      comment: this.comment,
      scope: toScope(this.scope),
    }), () => {
      m.attachments.set(key(this.user, this.structure), {
        role: this.role as "secondaryManager" | "user",
        scope: this.scope === "structure" ? "structure" : sorted(this.scope),
        validFrom: this.validFrom,
      });
      m.history += 1;
    });
  }
  toString = () => `attach(${this.actor} → ${this.user} @${this.structure} ${this.role} from ${this.validFrom} ${JSON.stringify(this.scope)})`;
}

class ChangeRoleCmd implements Cmd {
  constructor(readonly actor: string, readonly user: string, readonly structure: string, readonly role: Role) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const v = managerViolations(m, this.actor, this.structure);
    if (this.role === "primaryManager") v.push("CANNOT_GRANT_PRIMARY");
    const a = m.attachments.get(key(this.user, this.structure));
    if (m.primary.get(this.structure) === this.user) v.push("TRANSFER_REQUIRED");
    else if (a === undefined) v.push("NOT_ATTACHED");
    else if (a.role === this.role) v.push("ROLE_UNCHANGED");
    await outcome(m, r, v, () => r.app.changeMemberRole(this.actor, { structureId: this.structure, userId: this.user, role: this.role }), () => {
      (a as MAttachment).role = this.role as "secondaryManager" | "user";
      m.history += 1;
    });
  }
  toString = () => `changeRole(${this.actor} → ${this.user} @${this.structure} ${this.role})`;
}

class RemoveCmd implements Cmd {
  constructor(readonly actor: string, readonly user: string, readonly structure: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const v = managerViolations(m, this.actor, this.structure);
    if (m.primary.get(this.structure) === this.user) v.push("TRANSFER_REQUIRED");
    else if (!m.attachments.has(key(this.user, this.structure))) v.push("NOT_ATTACHED");
    await outcome(m, r, v, () => r.app.removeAttachment(this.actor, { structureId: this.structure, userId: this.user }), () => {
      m.attachments.delete(key(this.user, this.structure));
      m.history += 1;
    });
  }
  toString = () => `remove(${this.actor} → ${this.user} @${this.structure})`;
}

class DeactivateServiceCmd implements Cmd {
  constructor(readonly actor: string, readonly service: string) {}
  check = (m: Readonly<Model>) => m.services.has(this.service);
  async run(m: Model, r: Real) {
    const s = m.services.get(this.service) as { structure: string; active: boolean };
    const v = managerViolations(m, this.actor, s.structure);
    if (!s.active) v.push("SERVICE_INACTIVE");
    await outcome(m, r, v, () => r.app.deactivateService(this.actor, { serviceId: this.service }), () => {
      s.active = false;
      m.history += 1;
    });
  }
  toString = () => `deactivateService(${this.actor}, ${this.service})`;
}

const user = fc.constantFrom(...USERS);
// Actors lean towards the managers, so that sequences go past the authorization rule.
const actor = fc.oneof({ arbitrary: fc.constantFrom("u0", "u1", "u2", "u3"), weight: 4 }, { arbitrary: user, weight: 1 });
const structure = fc.constantFrom(...STRUCTURES);
const role = fc.constantFrom<Role>("primaryManager", "secondaryManager", "user");
const commands = fc.commands(
  [
    fc.tuple(user, structure, likelyScope).map(([u, s, sc]) => new RequestCmd(u, s, sc)),
    fc.tuple(actor, fc.nat(), fc.option(role, { nil: undefined }), fc.option(likelyScope, { nil: undefined })).map(
      ([a, p, ro, sc]) => new ValidateCmd(a, p, ro, sc),
    ),
    fc.tuple(actor, fc.nat(), fc.constantFrom("Motif valable", "   ", "")).map(([a, p, re]) => new RefuseCmd(a, p, re)),
    fc.tuple(actor, user, structure, role, fc.constantFrom("2026-11-26", TODAY, "2026-12-15"), fc.constantFrom("Renfort", " "), likelyScope).map(
      ([a, u, s, ro, vf, c, sc]) => new AttachCmd(a, u, s, ro, vf, c, sc),
    ),
    fc.tuple(actor, user, structure, role).map(([a, u, s, ro]) => new ChangeRoleCmd(a, u, s, ro)),
    fc.tuple(actor, user, structure).map(([a, u, s]) => new RemoveCmd(a, u, s)),
    fc.tuple(actor, fc.constantFrom("svA", "svB", "svC")).map(([a, s]) => new DeactivateServiceCmd(a, s)),
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
async function setup(): Promise<{ model: Model; real: Real }> {
  const store = createMemoryStore();
  let n = 0;
  const ids: string[] = [];
  const app = createHabilitations({
    store,
    clock: () => NOW,
    newId: (kind) => (kind === "attachmentRequest" ? `req-${++n}` : (ids.shift() ?? `${kind}-${++n}`)),
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
  });
  if (!deactivated.ok) throw new Error("setup: could not deactivate u4");

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
    history: store.snapshot().history.length,
  };
  return { model, real: { app, store } };
}

describe("model-based: application layer + memory store", () => {
  test.prop([commands], { numRuns: 100 })(
    "every command follows the rules the model states; refusals change nothing; one primary manager per structure",
    async (cmds) => {
      await fc.asyncModelRun(setup, cmds);
    },
  );
});

// Typed only so the ids above stay honest if the id types change.
export type _Ids = [StructureId, ServiceId];
