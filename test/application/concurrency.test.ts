// Retries on version conflicts, bounded; write skew (a manager demoted between read and
// commit loses the race); units of work carry the read versions.
import { describe, expect, it } from "vitest";
import {
  createHabilitations,
  type DomainError,
  type HistoryEntry,
  type RecordedEvent,
  type Result,
  type UnitOfWork,
} from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import {
  ask,
  createHarness,
  expectAppended,
  expectDeepFrozen,
  expectErr,
  flakyStore,
  guide,
  must,
  proxyStore,
  requestRow,
  services,
  userRow,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";
import type { Habilitations } from "../../src/index.js";

type Run = (
  app: Habilitations,
) => Promise<Result<{ readonly history: readonly HistoryEntry[]; readonly events: readonly RecordedEvent[] }, DomainError>>;

/**
 * Every command, as a set-up (committed through the plain app) returning the call to
 * make through the app under test; each is expected to succeed.
 */
const COMMANDS: readonly [string, (h: Harness, g: Guide) => Promise<Run>][] = [
  ["registerUser", async () => (app) => app.registerUser({ login: "new@example.fr", lastName: "Neuf", firstName: "Nina" })],
  [
    "createStructure",
    async (_h, g) => (app) =>
      app.createStructure(g.farid, { designation: "Neuve", kind: "private", identifier: { type: "other", value: "X1" } }),
  ],
  ["addService", async (_h, g) => (app) => app.addService(g.alice, { structureId: g.townHall, code: "URBA", label: "Urbanisme" })],
  ["renameService", async (_h, g) => (app) => app.renameService(g.alice, { serviceId: g.rh, label: "RH" })],
  ["deactivateService", async (_h, g) => (app) => app.deactivateService(g.alice, { serviceId: g.rh })],
  ["requestAttachment", async (_h, g) => (app) => app.requestAttachment(g.farid, { structureId: g.townHall, scope: WHOLE })],
  [
    "validateAttachmentRequest",
    async (h, g) => {
      const requestId = await ask(h, g.farid, g.townHall);
      return (app) => app.validateAttachmentRequest(g.bruno, { requestId });
    },
  ],
  [
    "refuseAttachmentRequest",
    async (h, g) => {
      const requestId = await ask(h, g.farid, g.townHall);
      return (app) => app.refuseAttachmentRequest(g.bruno, { requestId, reason: "Non" });
    },
  ],
  [
    "attachUser",
    async (_h, g) => (app) =>
      app.attachUser(g.alice, { structureId: g.bookshop, userId: g.farid, role: "user", validFrom: "2026-11-27", comment: "Oui", scope: WHOLE }),
  ],
  [
    "changeMemberRole",
    async (_h, g) => (app) => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.chloe, role: "secondaryManager" }),
  ],
  ["removeAttachment", async (_h, g) => (app) => app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe })],
];

describe("retries on a version conflict", () => {
  it.each(COMMANDS)("%s succeeds when fewer commits than maxAttempts conflict, appending its history once", async (_name, setup) => {
    const { h, g } = await guide();
    const run = await setup(h, g);
    const flaky = flakyStore(h.store, 2);
    const before = h.snapshot();
    const r = must(await run(h.appOver(flaky, { maxAttempts: 3 })));
    expect(flaky.commits()).toBe(3);
    expectAppended(h, before, r.history);
    // Its events are saved once, as returned (ids included).
    expect(r.events.length).toBeGreaterThan(0);
    expect(h.snapshot().outbox.slice(before.outbox.length)).toEqual(r.events);
    expectDeepFrozen(r);
  });

  it.each(COMMANDS)("%s gives up with CONCURRENT_MODIFICATION after maxAttempts, writing nothing", async (_name, setup) => {
    const { h, g } = await guide();
    const run = await setup(h, g);
    const flaky = flakyStore(h.store, 3);
    const before = h.snapshot();
    const r = await run(h.appOver(flaky, { maxAttempts: 3 }));
    expect(expectErr(r, "CONCURRENT_MODIFICATION")).toEqual({ code: "CONCURRENT_MODIFICATION", attempts: 3 });
    expect(flaky.commits()).toBe(3);
    expect(h.snapshot()).toEqual(before);
  });

  it("uses 5 attempts by default: 4 conflicts pass, 5 do not", async () => {
    const h = createHarness();
    const four = flakyStore(h.store, 4);
    must(await h.appOver(four).registerUser({ login: "a@example.fr", lastName: "A", firstName: "A" }));
    expect(four.commits()).toBe(5);
    const five = flakyStore(h.store, 5);
    const before = h.snapshot();
    const r = await h.appOver(five).registerUser({ login: "b@example.fr", lastName: "B", firstName: "B" });
    expect(expectErr(r, "CONCURRENT_MODIFICATION").attempts).toBe(5);
    expect(five.commits()).toBe(5);
    expect(h.snapshot()).toEqual(before);
  });

  it("rejects a maxAttempts that is not a positive integer", () => {
    for (const maxAttempts of [0, -1, 1.5, Number.NaN])
      expect(() => createHabilitations({ store: createMemoryStore(), maxAttempts })).toThrow(RangeError);
  });

  it("does not retry a refusal that is not a version conflict", async () => {
    const { h, g } = await guide();
    const counting = proxyStore(h.store, (unit) => h.store.commit(unit));
    const app = h.appOver(counting);
    const r = await app.addService(g.alice, { structureId: g.townHall, code: "compta", label: "Doublon" });
    expectErr(r, "SERVICE_CODE_TAKEN");
    expect(counting.commits()).toBe(1);
  });
});

describe("write skew: the units of work carry what authorized them", () => {
  it("a secondary manager demoted between his read and his commit loses: the request is no longer his to see (NOT_FOUND), still pending", async () => {
    const { h, g } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.paie));
    const pendingBefore = await requestRow(h, requestId);
    const elodieBefore = await userRow(h, g.elodie);
    let demoted = false;
    const racing = proxyStore(h.store, async (unit) => {
      if (!demoted) {
        demoted = true;
        // Alice demotes Bruno while Bruno's validation is on its way to the store.
        must(await h.app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
      }
      return h.store.commit(unit);
    });
    const bruno = h.appOver(racing);
    const outboxBefore = h.snapshot().outbox;
    const r = await bruno.validateAttachmentRequest(g.bruno, { requestId });
    const error = expectErr(r, "NOT_FOUND");
    expect(error).toEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: requestId });
    // His first commit conflicted; the retry re-read, decided again and was refused
    // before reaching the store.
    expect(racing.commits()).toBe(1);
    expect(await requestRow(h, requestId)).toEqual(pendingBefore);
    expect(await userRow(h, g.elodie)).toEqual(elodieBefore);
    const history = h.snapshot().history;
    expect(history.at(-1)).toMatchObject({ kind: "roleChanged", targetUserId: g.bruno, details: { role: "user", previousRole: "secondaryManager" } });
    expect(history.filter((e) => e.kind === "attachmentRequestValidated")).toEqual([]);
    // Only Alice's change reached the outbox.
    expect(h.snapshot().outbox.slice(outboxBefore.length).map((e) => e.type)).toEqual(["MemberRoleChanged"]);
    // Alice can still decide it.
    must(await h.app.validateAttachmentRequest(g.alice, { requestId }));
  });

  /** A store whose first commit is preceded by Alice demoting Bruno. */
  function demotingBrunoFirst(h: Harness, g: Guide) {
    let fired = false;
    return proxyStore(h.store, async (unit) => {
      if (!fired) {
        fired = true;
        must(await h.app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
      }
      return h.store.commit(unit);
    });
  }

  it("the same race on a refusal", async () => {
    const { h, g } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    const pending = await requestRow(h, requestId);
    const r = await h.appOver(demotingBrunoFirst(h, g)).refuseAttachmentRequest(g.bruno, { requestId, reason: "Non" });
    expect(expectErr(r, "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: requestId });
    expect(await requestRow(h, requestId)).toEqual(pending);
    expect(h.snapshot().history.filter((e) => e.kind === "attachmentRequestRefused")).toEqual([]);
  });

  it("the same race on a service added (nothing but the actor's account changed meanwhile): FORBIDDEN, the structure was named", async () => {
    const { h, g } = await guide();
    const r = await h.appOver(demotingBrunoFirst(h, g)).addService(g.bruno, { structureId: g.townHall, code: "URBA", label: "Urbanisme" });
    expect(expectErr(r, "FORBIDDEN")).toEqual({ code: "FORBIDDEN", actorId: g.bruno, structureId: g.townHall, reason: "notAManager" });
    expect(h.snapshot().services.map((s) => s.value.code)).not.toContain("URBA");
  });

  it("the same race on a service renamed: NOT_FOUND, the service was reached by its id", async () => {
    const { h, g } = await guide();
    const rh = (await h.store.getService(g.rh))!;
    const r = await h.appOver(demotingBrunoFirst(h, g)).renameService(g.bruno, { serviceId: g.rh, label: "RH" });
    expect(expectErr(r, "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "service", id: g.rh });
    expect(await h.store.getService(g.rh)).toEqual(rh);
  });

  it("a unit of work names the actor and the structure among its reads", async () => {
    const { h, g } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall);
    const units: UnitOfWork[] = [];
    const spy = proxyStore(h.store, (unit) => {
      units.push(unit);
      return h.store.commit(unit);
    });
    const before = h.snapshot();
    const r = must(await h.appOver(spy).validateAttachmentRequest(g.bruno, { requestId }));
    expectAppended(h, before, r.history);
    expect(units).toHaveLength(1);
    const unit = units[0] as UnitOfWork;
    const reads = unit.reads.map((x) => `${x.kind}:${x.id}`);
    expect(reads).toEqual(expect.arrayContaining([`user:${g.bruno}`, `structure:${g.townHall}`]));
    expect(unit.writes.map((w) => `${w.kind}:${w.value.id}`)).toEqual([`attachmentRequest:${requestId}`, `user:${g.elodie}`]);
    // What is written was read, and is checked at the very version the write names.
    for (const w of unit.writes) expect(unit.reads).toContainEqual({ kind: w.kind, id: w.value.id, version: w.expectedVersion });
    expect(new Set(reads).size).toBe(reads.length);
    // The unit carries the events the caller got, ids included.
    expect(unit.events).toEqual(r.events);
  });

  it("an actor acting on themself is one version of one user in the unit", async () => {
    const { h, g } = await guide();
    const units: UnitOfWork[] = [];
    const spy = proxyStore(h.store, (unit) => {
      units.push(unit);
      return h.store.commit(unit);
    });
    const bruno = await userRow(h, g.bruno);
    must(await h.appOver(spy).changeMemberRole(g.bruno, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    const unit = units[0] as UnitOfWork;
    expect(unit.writes.map((w) => [w.kind, w.value.id, w.expectedVersion])).toEqual([["user", g.bruno, bruno.version]]);
    expect(unit.reads.filter((x) => x.kind === "user")).toEqual([{ kind: "user", id: g.bruno, version: bruno.version }]);
  });

  it("retries when an aggregate it only read moved, and decides on the new state", async () => {
    const { h, g } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.paie));
    // PAIE is deactivated between Alice's read and her commit: the retry refuses.
    const racing = proxyStore(h.store, async (unit, n) => {
      if (n === 1) must(await h.app.deactivateService(g.bruno, { serviceId: g.paie }));
      return h.store.commit(unit);
    });
    const r = await h.appOver(racing).validateAttachmentRequest(g.alice, { requestId, scope: services(g.paie) });
    expect(expectErr(r, "SERVICE_INACTIVE")).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.paie });
    expect(racing.commits()).toBe(1);
    expect((await requestRow(h, requestId)).value.status).toBe("pending");
  });
});

describe("unique keys are the store's: a rival that commits between read and commit", () => {
  /** A store whose first commit is preceded by `rival` (run through the plain app). */
  function rivalFirst(h: Harness, rival: () => Promise<unknown>) {
    let fired = false;
    return proxyStore(h.store, async (unit) => {
      if (!fired) {
        fired = true;
        await rival();
      }
      return h.store.commit(unit);
    });
  }

  it("LOGIN_TAKEN from the store when another registration of the login lands first", async () => {
    const h = createHarness();
    const store = rivalFirst(h, async () => must(await h.app.registerUser({ login: "ELODIE@example.fr", lastName: "L", firstName: "É" })));
    const r = await h.appOver(store).registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" });
    expect(expectErr(r, "LOGIN_TAKEN")).toEqual({ code: "LOGIN_TAKEN", login: "elodie@example.fr" });
    expect(store.commits()).toBe(1);
    expect(h.snapshot().users.map((u) => u.value.lastName)).toEqual(["L"]);
  });

  it("PENDING_REQUEST_EXISTS from the store when the same user's other request lands first", async () => {
    const { h, g } = await guide();
    const store = rivalFirst(h, () => ask(h, g.elodie, g.townHall, services(g.rh)));
    const r = await h.appOver(store).requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.paie) });
    expect(expectErr(r, "PENDING_REQUEST_EXISTS")).toEqual({ code: "PENDING_REQUEST_EXISTS", userId: g.elodie, structureId: g.townHall });
    const pending = h.snapshot().attachmentRequests.filter((x) => x.value.userId === g.elodie);
    expect(pending.map((x) => x.value.scope)).toEqual([services(g.rh)]);
  });

  it("SERVICE_CODE_TAKEN from the store when a service with the code in another case lands first", async () => {
    const { h, g } = await guide();
    const store = rivalFirst(h, async () => must(await h.app.addService(g.alice, { structureId: g.townHall, code: "urba", label: "U" })));
    const r = await h.appOver(store).addService(g.bruno, { structureId: g.townHall, code: "URBA", label: "Urbanisme" });
    expect(expectErr(r, "SERVICE_CODE_TAKEN")).toEqual({ code: "SERVICE_CODE_TAKEN", structureId: g.townHall, serviceCode: "URBA" });
    expect(h.snapshot().services.filter((s) => s.value.code.toLowerCase() === "urba").map((s) => s.value.label)).toEqual(["U"]);
  });

  it("a service deactivated between read and commit is not granted: the retry sees SERVICE_INACTIVE", async () => {
    const { h, g } = await guide();
    const deactivatePaie = async () => must(await h.app.deactivateService(g.alice, { serviceId: g.paie }));
    const asked = await h.appOver(rivalFirst(h, deactivatePaie)).requestAttachment(g.elodie, {
      structureId: g.townHall,
      scope: services(g.paie),
    });
    expect(expectErr(asked, "SERVICE_INACTIVE").serviceId).toBe(g.paie);
    expect(h.snapshot().attachmentRequests).toEqual([]);
  });

  it("the same for a direct attachment", async () => {
    const { h, g } = await guide();
    const deactivateRh = async () => must(await h.app.deactivateService(g.alice, { serviceId: g.rh }));
    const farid = await userRow(h, g.farid);
    const attached = await h.appOver(rivalFirst(h, deactivateRh)).attachUser(g.bruno, {
      structureId: g.townHall,
      userId: g.farid,
      role: "user",
      validFrom: "2026-11-27",
      comment: "Renfort",
      scope: services(g.rh),
    });
    expectErr(attached, "SERVICE_INACTIVE");
    expect(await userRow(h, g.farid)).toEqual(farid);
  });
});

describe("inputs and outputs", () => {
  const deepFreeze = <T>(value: T): T => {
    if (value !== null && typeof value === "object") {
      for (const v of Object.values(value)) deepFreeze(v);
      Object.freeze(value);
    }
    return value;
  };

  it("never mutates its input, and what it returns cannot be changed", async () => {
    const { h, g, app } = await guide();
    const command = deepFreeze({ structureId: g.townHall, scope: services(g.rh, g.paie), comment: " Bonjour " });
    const asked = must(await app.requestAttachment(g.elodie, command));
    expect(command.scope).toEqual({ kind: "services", serviceIds: [g.rh, g.paie] });
    const validated = must(
      await app.validateAttachmentRequests(g.alice, deepFreeze({ items: [{ requestId: asked.request.id, role: "secondaryManager" }] })),
    );
    const first = validated.results[0]?.result;
    if (!first?.ok) throw new Error("refused");
    expectDeepFrozen(first.value);
    expectDeepFrozen(validated.events, "events");
    const scope = first.value.requester.attachment?.scope as unknown as { serviceIds: string[] };
    expect(() => {
      scope.serviceIds.pop();
    }).toThrow(TypeError);
    expect((await userRow(h, g.elodie)).value.attachments[0]?.scope).toEqual(services(...[g.rh, g.paie].sort()));
    // Rows the store hands out are frozen too, their envelopes included.
    const row = await userRow(h, g.elodie);
    expectDeepFrozen(row);
  });

  it("gives back plain objects, never the caller's, and an input changed afterwards changes nothing", async () => {
    const { h, g, app } = await guide();
    const command = { structureId: g.townHall, code: "URBA", label: "Urbanisme" };
    const r = must(await app.addService(g.alice, command));
    command.label = "Changé";
    expect((await h.store.getService(r.service.id))?.value.label).toBe("Urbanisme");
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(r.service)).toBe(Object.prototype);
    // Ordinary objects all the way down: equal, strictly, to their JSON round trip.
    expect(r).toStrictEqual(JSON.parse(JSON.stringify(r)));
  });
});
