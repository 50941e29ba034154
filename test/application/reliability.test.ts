// Nothing lost, nothing doubled: idempotency keys, store failures as values (bulk acts
// report what they committed), the outbox, and options that misbehave.
import { describe, expect, it } from "vitest";
import { createHabilitations, type HabilitationsStore, type RecordedEvent } from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import {
  ask,
  createHarness,
  eventId,
  expectAppended,
  expectDeepFrozen,
  expectErr,
  expectEventsSaved,
  expectInvalid,
  expectRefused,
  guide,
  must,
  requestRow,
  services,
  START,
  UNKNOWN,
  untyped,
  WHOLE,
  type Harness,
} from "./harness.js";

/** A store like `inner` whose `method` rejects on the calls `failOn` picks (1-based), counting them. */
function failing<M extends keyof HabilitationsStore>(inner: HabilitationsStore, method: M, failOn: (n: number) => boolean) {
  let n = 0;
  const original = inner[method] as (...args: unknown[]) => Promise<unknown>;
  const store = {
    ...inner,
    [method]: (...args: unknown[]) => (failOn(++n) ? Promise.reject(new Error(`${String(method)} down`)) : original(...args)),
  } as HabilitationsStore;
  return { store, calls: () => n };
}

describe("idempotency keys", () => {
  it("gives a retry with the same key and input the first outcome, and changes nothing", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.elodie, g.townHall, services(g.paie));
    const before = h.snapshot();
    const first = must(await app.validateAttachmentRequest(g.alice, { requestId }, { idempotencyKey: "k-1" }));
    expectAppended(h, before, first.history);
    expectEventsSaved(h, before, first.events);
    const after = h.snapshot();
    expect(after.idempotency).toHaveLength(before.idempotency.length + 1);
    h.tick(5);
    const again = must(await app.validateAttachmentRequest(g.alice, { requestId }, { idempotencyKey: "k-1" }));
    expect(again).toEqual(first);
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(again.history.map((e) => e.sequence)).toEqual(first.history.map((e) => e.sequence));
    expectDeepFrozen(again);
    expect(h.snapshot()).toEqual(after);
  });

  it("compares the parsed input: the same command written differently is a retry", async () => {
    const { h, g, app } = await guide();
    const first = must(await app.addService(g.alice, { structureId: g.townHall, code: "urba", label: "Urbanisme" }, { idempotencyKey: "k" }));
    const after = h.snapshot();
    const again = must(await app.addService(g.alice, { label: " Urbanisme ", code: " URBA ", structureId: g.townHall }, { idempotencyKey: "k" }));
    expect(again).toEqual(first);
    expect(h.snapshot()).toEqual(after);
  });

  it("refuses the same key with another input (IDEMPOTENCY_KEY_REUSED), or another operation, changing nothing", async () => {
    const { h, g, app } = await guide();
    must(await app.addService(g.alice, { structureId: g.townHall, code: "URBA", label: "Urbanisme" }, { idempotencyKey: "k-2" }));
    const error = await expectRefused(
      h,
      () => app.addService(g.alice, { structureId: g.townHall, code: "VOIRIE", label: "Voirie" }, { idempotencyKey: "k-2" }),
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect(error).toEqual({ code: "IDEMPOTENCY_KEY_REUSED", key: "k-2" });
    await expectRefused(h, () => app.renameService(g.alice, { serviceId: g.rh, label: "RH" }, { idempotencyKey: "k-2" }), "IDEMPOTENCY_KEY_REUSED");
  });

  it("keeps keys per actor: another actor's same key acts anew", async () => {
    const { h, g, app } = await guide();
    const alice = must(await app.addService(g.alice, { structureId: g.townHall, code: "URBA", label: "Urbanisme" }, { idempotencyKey: "shared" }));
    const before = h.snapshot();
    const bruno = must(await app.addService(g.bruno, { structureId: g.townHall, code: "VOIRIE", label: "Voirie" }, { idempotencyKey: "shared" }));
    expect(bruno.service.id).not.toBe(alice.service.id);
    expectEventsSaved(h, before, bruno.events);
  });

  it("remembers only committed outcomes: a refused command is decided afresh", async () => {
    const { h, g, app } = await guide();
    const requestId = await ask(h, g.farid, g.townHall);
    await expectRefused(h, () => app.refuseAttachmentRequest(g.alice, { requestId, reason: " " }, { idempotencyKey: "r" }), "REFUSAL_REASON_REQUIRED");
    await expectRefused(h, () => app.refuseAttachmentRequest(g.alice, { requestId, reason: " " }, { idempotencyKey: "r" }), "REFUSAL_REASON_REQUIRED");
    must(await app.refuseAttachmentRequest(g.alice, { requestId, reason: "Non" }, { idempotencyKey: "r" }));
  });

  it("works on the public side too (registration)", async () => {
    const h = createHarness();
    const input = { login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" };
    const first = must(await h.app.registerUser(input, { idempotencyKey: "reg-1" }));
    const after = h.snapshot();
    expect(must(await h.app.registerUser(input, { idempotencyKey: "reg-1" }))).toEqual(first);
    expect(h.snapshot()).toEqual(after);
    // Without the key, the same registration is a second one, refused.
    await expectRefused(h, () => h.app.registerUser(input), "LOGIN_TAKEN");
  });

  it.each([
    ["an unknown option", { retry: true }],
    ["an empty key", { idempotencyKey: "" }],
    ["a key with spaces", { idempotencyKey: "a b" }],
    ["a key too long", { idempotencyKey: "k".repeat(201) }],
    ["a number as key", { idempotencyKey: 7 }],
    ["options that are not an object", "k"],
  ])("refuses %s as options with VALIDATION under the path options", async (_label, options) => {
    const { h, g, app } = await guide();
    const error = await expectInvalid(h, () => untyped(app).addService(g.alice, { structureId: g.townHall, code: "URBA", label: "U" }, options));
    for (const issue of error.issues) expect(issue.path[0]).toBe("options");
    const registration = await expectInvalid(h, () => untyped(app).registerUser({ login: "x@example.fr", lastName: "X", firstName: "X" }, options));
    for (const issue of registration.issues) expect(issue.path[0]).toBe("options");
  });
});

describe("store failures are values", () => {
  it("reports a failing read as STORE_FAILURE read, tells onStoreError, and writes nothing", async () => {
    const { h, g } = await guide();
    // A validation reads the request with all it names in one call.
    const { store } = failing(h.store, "getAttachmentRequestContext", () => true);
    const told: unknown[] = [];
    const app = h.appOver(store, { onStoreError: (error, context) => told.push([(error as Error).message, context]) });
    const requestId = await ask(h, g.farid, g.townHall);
    const error = await expectRefused(h, () => app.validateAttachmentRequest(g.alice, { requestId }), "STORE_FAILURE");
    expect(error).toEqual({ code: "STORE_FAILURE", stage: "read" });
    expect(told).toEqual([["getAttachmentRequestContext down", { operation: "validateAttachmentRequest", stage: "read" }]]);
    // Queries too.
    const members = failing(h.store, "listMembers", () => true);
    expect(expectErr(await h.appOver(members.store).listMembers(g.alice, { structureId: g.townHall }), "STORE_FAILURE").stage).toBe("read");
  });

  it("reports a failing commit as STORE_FAILURE commit, even when onStoreError throws", async () => {
    const { h, g } = await guide();
    const { store } = failing(h.store, "commit", () => true);
    const app = h.appOver(store, {
      onStoreError: () => {
        throw new Error("logger down");
      },
    });
    const error = await expectRefused(h, () => app.addService(g.alice, { structureId: g.townHall, code: "URBA", label: "U" }), "STORE_FAILURE");
    expect(error).toEqual({ code: "STORE_FAILURE", stage: "commit" });
  });

  it("reports every decision a bulk act committed before the store failed, the rest NOT_ATTEMPTED; a retry with the key completes it", async () => {
    const { h, g } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const b = await ask(h, g.elodie, g.townHall);
    const c = await ask(h, g.david, g.townHall, services(g.rh));
    const d = await ask(h, g.victor, g.townHall, services(g.paie));
    const { store } = failing(h.store, "commit", (n) => n === 2);
    const before = h.snapshot();
    const items = { items: [{ requestId: a }, { requestId: b }, { requestId: c }, { requestId: d }] };
    const r = must(await h.appOver(store).validateAttachmentRequests(g.alice, items, { idempotencyKey: "batch" }));
    expect(r.results.map((x) => x.requestId)).toEqual([a, b, c, d]);
    expect(r.results.map((x) => (x.result.ok ? "ok" : x.result.error))).toEqual([
      "ok",
      { code: "STORE_FAILURE", stage: "commit" },
      { code: "NOT_ATTEMPTED", reason: "storeFailure" },
      { code: "NOT_ATTEMPTED", reason: "storeFailure" },
    ]);
    const first = r.results[0]?.result;
    if (!first?.ok) throw new Error("first refused");
    expect(r.events).toEqual(first.value.events);
    expect(h.snapshot().outbox.slice(before.outbox.length)).toEqual(r.events);
    expect([b, c, d].map((id) => h.snapshot().attachmentRequests.find((x) => x.value.id === id)?.value.status)).toEqual([
      "pending",
      "pending",
      "pending",
    ]);

    // The host retries the whole batch with the same key once the store is back.
    const retry = must(await h.app.validateAttachmentRequests(g.alice, items, { idempotencyKey: "batch" }));
    expect(retry.results.every((x) => x.result.ok)).toBe(true);
    expect(retry.results[0]?.result).toEqual(first);
    expect((await requestRow(h, b)).value.status).toBe("validated");
    expect(h.snapshot().history.filter((e) => e.kind === "attachmentRequestValidated" && e.requestId === a)).toHaveLength(1);
    // The outbox holds each event once: the first item's from the first call, the others' from the retry.
    const outbox = h.snapshot().outbox.slice(before.outbox.length);
    expect(outbox).toEqual([...r.events, ...retry.results.slice(1).flatMap((x) => (x.result.ok ? x.result.value.events : []))]);
    expect(retry.events).toEqual(retry.results.flatMap((x) => (x.result.ok ? x.result.value.events : [])));
  });

  it("fails the whole bulk call with STORE_FAILURE when the actor cannot be read", async () => {
    const { h, g } = await guide();
    const a = await ask(h, g.farid, g.townHall);
    const { store } = failing(h.store, "getUser", () => true);
    const error = await expectRefused(h, () => h.appOver(store).refuseAttachmentRequests(g.alice, { requestIds: [a], reason: "Non" }), "STORE_FAILURE");
    expect(error.stage).toBe("read");
  });
});

describe("the outbox", () => {
  /** Four events: a registration, a structure, a service, a request. */
  async function fourEvents(h: Harness) {
    const alice = must(await h.app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" })).user.id;
    const structureId = must(
      await h.app.createStructure(alice, { designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" } }),
    ).structure.id;
    must(await h.app.addService(alice, { structureId, code: "RH", label: "RH" }));
    const bob = must(await h.app.registerUser({ login: "bob@example.fr", lastName: "B", firstName: "Bob" })).user.id;
    must(await h.app.requestAttachment(bob, { structureId, scope: WHOLE }));
    return h.snapshot().outbox;
  }

  it("keeps every event of every committed command, in order, until acknowledged", async () => {
    const h = createHarness();
    const events = await fourEvents(h);
    expect(events.map((e) => [e.id, e.type])).toEqual([
      [eventId(1), "UserRegistered"],
      [eventId(2), "StructureCreated"],
      [eventId(3), "ServiceAdded"],
      [eventId(4), "UserRegistered"],
      [eventId(5), "AttachmentRequested"],
    ]);
    const claimed = must(await h.app.claimEvents({ limit: 2 }));
    expectDeepFrozen(claimed, "claimed");
    expect(claimed).toEqual([
      { event: events[0], sequence: 1, attempts: 1 },
      { event: events[1], sequence: 2, attempts: 1 },
    ]);
    // Leased: another claim gets the next ones.
    expect(must(await h.app.claimEvents({ limit: 10 })).map((m) => m.event.id)).toEqual([eventId(3), eventId(4), eventId(5)]);
    must(await h.app.acknowledgeEvents([eventId(1), eventId(3), UNKNOWN]));
    expect(h.snapshot().outbox.map((e) => e.id)).toEqual([eventId(2), eventId(4), eventId(5)]);
    // Once the lease ends, the unacknowledged ones come back, their attempts counted.
    h.tick(2);
    expect(must(await h.app.claimEvents({})).map((m) => [m.event.id, m.attempts])).toEqual([
      [eventId(2), 2],
      [eventId(4), 2],
      [eventId(5), 2],
    ]);
  });

  it("relays: delivers each event once, acknowledges those delivered, keeps those whose delivery threw", async () => {
    const h = createHarness();
    const events = await fourEvents(h);
    const delivered: RecordedEvent[] = [];
    const down = new Error("mailer down");
    const report = must(
      await h.app.relayEvents((event) => {
        if (event.type === "ServiceAdded") throw down;
        delivered.push(event);
      }),
    );
    expect(report).toEqual({ delivered: 4, failed: 1, failures: [{ event: events[2], attempts: 1, error: down }] });
    // The error reaches the host as thrown: the same object, not a copy.
    expect(report.failures[0]?.error).toBe(down);
    expect(delivered).toEqual(events.filter((e) => e.type !== "ServiceAdded"));
    expect(h.snapshot().outbox).toEqual(events.filter((e) => e.type === "ServiceAdded"));
    // Within its lease it is not relayed again; after, it is.
    expect(must(await h.app.relayEvents(() => undefined))).toEqual({ delivered: 0, failed: 0, failures: [] });
    h.tick(2);
    expect(must(await h.app.relayEvents(() => undefined))).toEqual({ delivered: 1, failed: 0, failures: [] });
    expect(h.snapshot().outbox).toEqual([]);
  });

  it("refuses junk claims and acknowledgements with VALIDATION", async () => {
    const h = createHarness();
    for (const input of [{ limit: 0 }, { limit: 1001 }, { leaseSeconds: 0 }, { extra: 1 }, null, []])
      expectErr(await untyped(h.app).claimEvents(input), "VALIDATION");
    for (const ids of [null, "evt-001", [""], [1]]) expectErr(await untyped(h.app).acknowledgeEvents(ids), "VALIDATION");
  });
});

describe("options that misbehave", () => {
  const base = () => ({ store: createMemoryStore(), newId: (() => { let n = 0; return (kind: string) => `${kind}-${++n}`; })() });

  it("gives CONFIGURATION, never a throw, for a clock, today or newId that misbehave, and writes nothing", async () => {
    const input = { login: "a@example.fr", lastName: "A", firstName: "A" };
    const invalidClock = createHabilitations({ ...base(), clock: () => new Date("nope") });
    expect(expectErr(await invalidClock.registerUser(input), "CONFIGURATION").option).toBe("clock");
    const throwingClock = createHabilitations({ ...base(), clock: () => { throw new Error("no time"); } });
    expect(expectErr(await throwingClock.registerUser(input), "CONFIGURATION").option).toBe("clock");
    const badToday = createHabilitations({ ...base(), today: () => "27/11/2026" as never });
    expect(expectErr(await badToday.registerUser(input), "CONFIGURATION").option).toBe("today");
    const store = createMemoryStore();
    const badId = createHabilitations({ store, newId: () => "" });
    expect(expectErr(await badId.registerUser(input), "CONFIGURATION").option).toBe("newId");
    expect(store.snapshot().users).toEqual([]);
    expect(store.snapshot().outbox).toEqual([]);
  });

  it("throws at construction for an unknown time zone or a store lacking methods", () => {
    expect(() => createHabilitations({ store: createMemoryStore(), timeZone: "Mars/Olympus" })).toThrow(RangeError);
    const { commit: _commit, ...partial } = createMemoryStore();
    expect(() => createHabilitations({ store: partial as unknown as HabilitationsStore })).toThrow(TypeError);
  });

  it("takes today from the time zone given, and the today option over it", async () => {
    const at = new Date("2026-11-27T12:00:00.000Z"); // already the 28th in Auckland
    const attach = async (options: { timeZone?: string; today?: (now: Date) => string }) => {
      const app = createHabilitations({ ...base(), clock: () => at, ...(options as object) });
      const alice = must(await app.registerUser({ login: "alice@example.fr", lastName: "M", firstName: "A" })).user.id;
      const bob = must(await app.registerUser({ login: "bob@example.fr", lastName: "B", firstName: "B" })).user.id;
      const s = must(await app.createStructure(alice, { designation: "S", kind: "private", identifier: { type: "other", value: "X" } })).structure.id;
      return app.attachUser(alice, { structureId: s, userId: bob, role: "user", validFrom: "2026-11-27", comment: "Oui", scope: WHOLE });
    };
    must(await attach({}));
    expect(expectErr(await attach({ timeZone: "Pacific/Auckland" }), "VALID_FROM_IN_THE_PAST")).toMatchObject({ today: "2026-11-28" });
    must(await attach({ timeZone: "Pacific/Auckland", today: () => "2026-11-27" }));
  });

  it("the harness's start is the 27th in Paris", () => {
    expect(new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short" }).format(new Date(START))).toBe("27/11/2026");
  });
});
