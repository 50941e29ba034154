// Junk at every operation (SPEC §4, §7): anything at a boundary gives VALIDATION, never a
// throw, never a change; only plain data is read (no inherited fields, no class
// instances, no getters), even with Object.prototype polluted by some other library.
// Guide §6 too: the transfer and the deactivation (junk input, actor or options), the
// reactivation and the listing of one's primary structures (junk actor or options).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Habilitations } from "../../src/index.js";
import { buildWorld, newestToken, type World } from "./world.js";

type Op = readonly [name: string, run: (app: Habilitations, w: World, input: unknown) => Promise<{ ok: boolean; error?: { code: string } }>, valid: (w: World) => object];
type Answer = Promise<{ ok: boolean; error?: { code: string } }>;
/**
 * The operations on accounts, each with every argument open to junk: the actor (`null`
 * for the public ones, which have none), the input and the options.
 */
type AccountOp = readonly [
  name: string,
  run: (app: Habilitations, input: unknown, actor: unknown, options: unknown) => Answer,
  valid: (w: World) => object,
  actor: ((w: World) => string) | null,
];

const A = (w: World) => w.structures[0] as string;
const request = (w: World) => [...w.requests.keys()][0] as string;
const subscription = (w: World) => [...w.subscriptions.keys()][0] as string;
const compta = (w: World) => w.services.get(A(w) as never)?.[0] as string;
const alice = (w: World) => w.users.alice as string;

const ACCOUNT_OPS: readonly AccountOp[] = [
  [
    "createAccount",
    (app, i, a, o) => app.createAccount(a, i, o),
    (w) => ({ structureId: A(w), login: "nouveau@example.fr", lastName: "N", firstName: "N", attach: { role: "user", scope: { kind: "structure" }, validFrom: "2026-11-27", comment: "c" } }),
    alice,
  ],
  ["registerAccount", (app, i, _a, o) => app.registerAccount(i, o), () => ({ login: "public@example.fr", lastName: "P", firstName: "P" }), null],
  ["sendActivationEmails", (app, i, a, o) => app.sendActivationEmails(a, i, o), (w) => ({ structureId: A(w), userIds: [w.pending.hugo] }), alice],
  ["activateAccount", (app, i, _a, o) => app.activateAccount(i, o), (w) => ({ userId: w.pending.hugo, token: newestToken(w, w.pending.hugo) }), null],
  [
    "updateUser",
    (app, i, a, o) => app.updateUser(a, i, o),
    (w) => ({ userId: w.users.mia, structureId: A(w), changes: { phone: "+33 4 72 10 30 30", postalAddress: null } }),
    alice,
  ],
  ["getPersonalInformation", (app, i, a) => app.getPersonalInformation(a, i), (w) => ({ userId: w.users.mia, structureId: A(w) }), alice],
  ["listUserStructures", (app, i, a) => app.listUserStructures(a, i), (w) => ({ userId: w.users.mia, structureId: A(w) }), alice],
];

/** Guide §6, the acts with an input: a transfer (one successor each) and a deactivation (one successor for all). */
const TRANSFER_OPS: readonly AccountOp[] = [
  [
    "transferPrimaryRole",
    (app, i, a, o) => app.transferPrimaryRole(a, i, o),
    (w) => ({ transfers: [{ structureId: A(w), successorId: w.users.sam }, { structureId: w.structures[1], successorId: w.users.ivy }] }),
    alice,
  ],
  ["deactivateAccount", (app, i, a, o) => app.deactivateAccount(a, i, o), (w) => ({ successorId: w.users.sam }), alice],
];

const OPS: readonly Op[] = [
  ["registerUser", (app, _w, i) => app.registerUser(i), () => ({ login: "new@example.fr", lastName: "N", firstName: "N" })],
  ["createStructure", (app, w, i) => app.createStructure(w.users.noe, i), () => ({ designation: "D", kind: "private", identifier: { type: "other", value: "D" } })],
  ["addService", (app, w, i) => app.addService(w.users.alice, i), (w) => ({ structureId: A(w), code: "X", label: "X" })],
  ["renameService", (app, w, i) => app.renameService(w.users.alice, i), (w) => ({ serviceId: w.services.get(A(w) as never)?.[0], label: "X" })],
  ["deactivateService", (app, w, i) => app.deactivateService(w.users.alice, i), (w) => ({ serviceId: w.services.get(A(w) as never)?.[0] })],
  ["requestAttachment", (app, w, i) => app.requestAttachment(w.users.noe, i), (w) => ({ structureId: A(w), scope: { kind: "structure" } })],
  ["validateAttachmentRequest", (app, w, i) => app.validateAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w) })],
  ["refuseAttachmentRequest", (app, w, i) => app.refuseAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w), reason: "Non" })],
  ["validateAttachmentRequests", (app, w, i) => app.validateAttachmentRequests(w.users.alice, i), (w) => ({ items: [{ requestId: request(w) }] })],
  ["refuseAttachmentRequests", (app, w, i) => app.refuseAttachmentRequests(w.users.alice, i), (w) => ({ requestIds: [request(w)], reason: "Non" })],
  ["attachUser", (app, w, i) => app.attachUser(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.noe, role: "user", validFrom: "2026-11-27", comment: "c", scope: { kind: "structure" } })],
  ["changeMemberRole", (app, w, i) => app.changeMemberRole(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, role: "secondaryManager" })],
  ["removeAttachment", (app, w, i) => app.removeAttachment(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia })],
  ["consultAttachmentRequest", (app, w, i) => app.consultAttachmentRequest(w.users.alice, i), (w) => ({ requestId: request(w) })],
  ["listPendingAttachmentRequests", (app, w, i) => app.listPendingAttachmentRequests(w.users.alice, i), () => ({ limit: 10 })],
  ["listMembers", (app, w, i) => app.listMembers(w.users.alice, i), (w) => ({ structureId: A(w), limit: 10 })],
  ["readHistory", (app, w, i) => app.readHistory(w.users.alice, i), (w) => ({ structureId: A(w), limit: 10 })],
  ["claimEvents", (app, _w, i) => app.claimEvents(i), () => ({ limit: 10 })],
  ["acknowledgeEvents", (app, _w, i) => app.acknowledgeEvents(i), () => ["evt-x"]],
  ["purgeIdempotencyRecords", (app, _w, i) => app.purgeIdempotencyRecords(i), () => ({ olderThan: "2020-01-01T00:00:00Z" })],
  // Guide §2.
  ["requestSubscription", (app, w, i) => app.requestSubscription(w.users.mia, i), (w) => ({ structureId: A(w), items: [{ space: "FACTURES_RECUES", access: "read" }] })],
  ["validateSubscriptionRequest", (app, w, i) => app.validateSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w), scope: "structure" })],
  ["refuseSubscriptionRequest", (app, w, i) => app.refuseSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w), comment: "Non" })],
  ["validateSubscriptionRequests", (app, w, i) => app.validateSubscriptionRequests(w.users.alice, i), (w) => ({ items: [{ requestId: subscription(w) }] })],
  ["refuseSubscriptionRequests", (app, w, i) => app.refuseSubscriptionRequests(w.users.alice, i), (w) => ({ requestIds: [subscription(w)] })],
  ["consultSubscriptionRequest", (app, w, i) => app.consultSubscriptionRequest(w.users.alice, i), (w) => ({ requestId: subscription(w) })],
  ["listPendingSubscriptionRequests", (app, w, i) => app.listPendingSubscriptionRequests(w.users.alice, i), () => ({ limit: 10 })],
  ["openSpace", (app, w, i) => app.openSpace(w.users.alice, i), (w) => ({ structureId: A(w), space: "FACTURES_A_VALIDER" })],
  ["closeSpace", (app, w, i) => app.closeSpace(w.users.alice, i), (w) => ({ structureId: A(w), space: "FACTURES_RECUES" })],
  ["grantSpaces", (app, w, i) => app.grantSpaces(w.users.alice, i), (w) => ({ structureId: A(w), userIds: [w.users.sam], items: [{ space: "FACTURES_RECUES", access: "read" }] })],
  ["revokeSpaceGrant", (app, w, i) => app.revokeSpaceGrant(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia, space: "FACTURES_EMISES", serviceId: compta(w) })],
  ["listMemberGrants", (app, w, i) => app.listMemberGrants(w.users.alice, i), (w) => ({ structureId: A(w), userId: w.users.mia })],
  // No actor: the input is all there is.
  ["mayAccess", (app, _w, i) => app.mayAccess(i), (w) => ({ userId: w.users.mia, structureId: A(w), space: "FACTURES_EMISES", serviceId: compta(w), access: "write" })],
  // Guide §3 B and §5.
  ...ACCOUNT_OPS.map(([name, run, valid, actor]): Op => [name, (app, w, i) => run(app, i, actor?.(w), undefined), valid]),
  // Guide §6.
  ...TRANSFER_OPS.map(([name, run, valid, actor]): Op => [name, (app, w, i) => run(app, i, actor?.(w), undefined), valid]),
];

class Shape {
  constructor(readonly structureId = "x") {}
}

/** Inputs that are not plain data, built from a valid one. */
function nonPlain(valid: object): [string, unknown][] {
  const withGetter = { ...valid };
  let read = 0;
  Object.defineProperty(withGetter, "extra", { enumerable: true, get: () => ++read });
  return [
    ["inheriting every field", Object.create(valid)],
    ["a Date", new Date()],
    ["a Map", new Map(Object.entries(valid))],
    ["a RegExp", /x/],
    ["a boxed number", new Number(1)],
    ["a class instance", new Shape()],
    ["a function", () => valid],
    ["an object with a getter", withGetter],
    ["an object with a symbol key", { ...valid, [Symbol("s")]: 1 }],
    ["a nested class instance", { ...valid, scope: new Shape() }],
  ];
}

describe.each(OPS)("%s", (name, run, valid) => {
  it("takes its valid input (so the refusals below are about the junk)", async () => {
    const w = await buildWorld();
    const r = await run(w.app, w, valid(w));
    expect(r.ok || r.error?.code, `${name} refused its valid input: ${JSON.stringify(r)}`).toBe(true);
  });

  it("refuses non-plain inputs with VALIDATION and changes nothing", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    for (const [what, input] of nonPlain(valid(w))) {
      const r = await run(w.app, w, input);
      expect(r.ok, `${name} accepted ${what}`).toBe(false);
      expect(r.error?.code, `${name} with ${what}`).toBe("VALIDATION");
    }
    expect(w.store.snapshot()).toEqual(before);
  });

  it("never throws on anything, and refuses with VALIDATION what it does not take, changing nothing", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }), async (junk) => {
        const r = await run(w.app, w, junk);
        if (!r.ok) expect(["VALIDATION", "NOT_FOUND", "FORBIDDEN"]).toContain(r.error?.code);
        else expect(["listPendingAttachmentRequests", "listPendingSubscriptionRequests", "claimEvents", "acknowledgeEvents"]).toContain(name);
      }),
      { numRuns: 60 },
    );
    expect(w.store.snapshot()).toEqual(before);
  });
});

describe("a polluted Object.prototype", () => {
  it("does not give a validation without role the polluted role, nor any other absent field", async () => {
    const w = await buildWorld();
    const proto = Object.prototype as Record<string, unknown>;
    proto["role"] = "secondaryManager";
    proto["scope"] = { kind: "services", serviceIds: [] };
    proto["idempotencyKey"] = "polluted";
    try {
      const r = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request(w) });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value.requester.role).toBe("user");
      if (r.ok) expect(r.value.request.grantedScope).toEqual({ kind: "structure" });
    } finally {
      delete proto["role"];
      delete proto["scope"];
      delete proto["idempotencyKey"];
    }
    expect(w.store.snapshot().idempotency).toEqual([]);
  });
});

describe("junk actors and options", () => {
  it.each(OPS.filter(([n]) => !["registerUser", "claimEvents", "acknowledgeEvents", "purgeIdempotencyRecords", "mayAccess", "registerAccount", "activateAccount"].includes(n)))(
    "%s refuses a non-plain or junk actor with VALIDATION",
    async (name) => {
      const w = await buildWorld();
      const app = w.app as unknown as Record<string, (a: unknown, i: unknown) => Promise<{ ok: boolean; error?: { code: string } }>>;
      for (const actor of [undefined, null, 42, "", {}, new String(w.users.alice), [w.users.alice], Object.create({ id: w.users.alice })]) {
        const r = await app[name]?.(actor, {});
        expect(r?.error?.code).toBe("VALIDATION");
      }
    },
  );
});

describe("a space code the catalogue does not have", () => {
  const UNKNOWN = "ESPACE_INCONNU";
  /** The store, recording every method called on it. */
  const watched = (w: World, calls: string[]) =>
    w.appOver(
      Object.fromEntries(
        Object.keys(w.store).map((k) => [
          k,
          (...args: unknown[]) => {
            calls.push(k);
            return (w.store as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.(...args);
          },
        ]),
      ) as unknown as typeof w.store,
    );
  const naming: readonly [string, (app: Habilitations, w: World) => Promise<{ ok: boolean; error?: unknown }>][] = [
    ["requestSubscription", (app, w) => app.requestSubscription(w.users.mia, { structureId: A(w), items: [{ space: UNKNOWN, access: "read" }] })],
    ["validateSubscriptionRequest", (app, w) => app.validateSubscriptionRequest(w.users.alice, { requestId: subscription(w), scope: "user", items: [{ space: UNKNOWN, access: "read" }] })],
    ["validateSubscriptionRequests", (app, w) => app.validateSubscriptionRequests(w.users.alice, { items: [{ requestId: subscription(w), items: [{ space: UNKNOWN, access: "read" }] }] })],
    ["openSpace", (app, w) => app.openSpace(w.users.alice, { structureId: A(w), space: UNKNOWN })],
    ["closeSpace", (app, w) => app.closeSpace(w.users.alice, { structureId: A(w), space: UNKNOWN })],
    ["grantSpaces", (app, w) => app.grantSpaces(w.users.alice, { structureId: A(w), userIds: [w.users.mia], items: [{ space: UNKNOWN, access: "read" }] })],
    ["mayAccess", (app, w) => app.mayAccess({ userId: w.users.mia, structureId: A(w), space: UNKNOWN, access: "read" })],
  ];
  const unknownSpace = (r: { ok: boolean; error?: unknown }) => {
    expect(r.ok).toBe(false);
    const error = r.error as { code: string; issues?: readonly { code: string }[] };
    expect(error.code).toBe("VALIDATION");
    expect(error.issues?.map((i) => i.code)).toContain("unknown_space");
  };

  it.each(naming)("%s: VALIDATION (unknown_space) before anything is read", async (_name, run) => {
    const w = await buildWorld();
    const calls: string[] = [];
    const before = w.store.snapshot();
    unknownSpace(await run(watched(w, calls), w));
    expect(calls).toEqual([]);
    expect(w.store.snapshot()).toEqual(before);
  });

  it("revokeSpaceGrant: VALIDATION (unknown_space) before anything is read", async () => {
    const w = await buildWorld();
    const calls: string[] = [];
    unknownSpace(await watched(w, calls).revokeSpaceGrant(w.users.alice, { structureId: A(w), userId: w.users.mia, space: UNKNOWN }));
    expect(calls).toEqual([]);
  });
});

describe("the acts on accounts: anything as the actor or the options", () => {
  const anything = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true });
  // No options (`undefined`, an object without any key, of either prototype): the valid act would be done.
  const noOptions = (x: unknown) =>
    x === undefined ||
    (typeof x === "object" && x !== null && !Array.isArray(x) && [Object.prototype, null].includes(Object.getPrototypeOf(x)) && Reflect.ownKeys(x).length === 0);
  const junkOptions = anything.filter((x) => !noOptions(x));

  it.each([...ACCOUNT_OPS, ...TRANSFER_OPS].filter(([, , , actor]) => actor !== null))("%s: junk for the actor is VALIDATION (or an unknown actor's refusal), never a throw nor a change", async (_name, run, valid) => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await run(w.app, valid(w), actor, undefined);
        expect(r.ok && "accepted").toBe(false);
        expect(["VALIDATION", "NOT_FOUND", "FORBIDDEN"]).toContain(r.error?.code);
      }),
      { numRuns: 60 },
    );
    expect(w.store.snapshot()).toEqual(before);
  });

  it.each([...ACCOUNT_OPS, ...TRANSFER_OPS].filter(([name]) => !["getPersonalInformation", "listUserStructures"].includes(name)))(
    "%s: junk for the options is VALIDATION, never a throw nor a change",
    async (_name, run, valid, actor) => {
      const w = await buildWorld();
      const before = w.store.snapshot();
      await fc.assert(
        fc.asyncProperty(junkOptions, async (options) => {
          const r = await run(w.app, valid(w), actor?.(w), options);
          expect(r.ok && "accepted").toBe(false);
          expect(r.error?.code).toBe("VALIDATION");
        }),
        { numRuns: 60 },
      );
      expect(w.store.snapshot()).toEqual(before);
    },
  );
});

describe("guide §6: junk into the transfer, the deactivation, the reactivation and the listing", () => {
  const anything = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true });
  const noOptions = (x: unknown) =>
    x === undefined ||
    (typeof x === "object" && x !== null && !Array.isArray(x) && [Object.prototype, null].includes(Object.getPrototypeOf(x)) && Reflect.ownKeys(x).length === 0);
  /** An actor that is junk: a string may be a well-formed id nobody has (NOT_FOUND); anything else is VALIDATION. */
  const junkActorCodes = (actor: unknown) => (typeof actor === "string" ? ["VALIDATION", "NOT_FOUND"] : ["VALIDATION"]);

  it.each(TRANSFER_OPS)("%s: anything as the input is VALIDATION, never a throw nor a change", async (_name, run, _valid, actor) => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (junk) => {
        const r = await run(w.app, junk, actor?.(w), undefined);
        expect(r.ok && "accepted").toBe(false);
        expect(r.error?.code).toBe("VALIDATION");
      }),
      { numRuns: 150 },
    );
    expect(w.store.snapshot()).toEqual(before);
  });

  it.each(TRANSFER_OPS)("%s: lines that are not plain data, ids that are not strings, a structure named twice, extra keys: VALIDATION, nothing changed", async (_name, run, valid, actor) => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    const line = { structureId: A(w), successorId: w.users.sam };
    const inputs: unknown[] = [
      { transfers: [Object.create(line)] },
      { transfers: [new Shape()] },
      { transfers: [{ ...line, structureId: new String(A(w)) }] },
      { transfers: [{ ...line, successorId: [w.users.sam] }] },
      { transfers: [line, { ...line }] },
      { transfers: [{ ...line, role: "primaryManager" }] },
      { transfers: new Set([line]) },
      { transfers: { 0: line, length: 1 } },
      { structureIds: [A(w), A(w)], successorId: w.users.sam },
      { structureIds: [A(w)], successorId: w.users.sam, transfers: [line] },
      { structureIds: A(w), successorId: w.users.sam },
      { successorId: new String(w.users.sam) },
      { ...valid(w), idempotencyKey: "k" },
      Object.create(valid(w)),
    ];
    for (const input of inputs) {
      const r = await run(w.app, input, actor?.(w), undefined);
      expect(r.ok && "accepted", JSON.stringify(input)).toBe(false);
      expect(r.error?.code, String(JSON.stringify(input))).toBe("VALIDATION");
    }
    expect(w.store.snapshot()).toEqual(before);
  });

  it("reactivateAccount: anything as the actor or the options is refused (VALIDATION; a string nobody has, NOT_FOUND), never a throw nor a change; the valid call then works", async () => {
    const w = await buildWorld();
    const left = await w.app.deactivateAccount(w.users.sam, { transfers: [] });
    expect(left.ok).toBe(true);
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await w.app.reactivateAccount(actor);
        expect(r.ok && "accepted").toBe(false);
        expect(junkActorCodes(actor)).toContain(!r.ok && r.error.code);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(anything.filter((x) => !noOptions(x)), async (options) => {
        const r = await w.app.reactivateAccount(w.users.sam, options);
        expect(r.ok && "accepted").toBe(false);
        expect(!r.ok && r.error.code).toBe("VALIDATION");
      }),
      { numRuns: 100 },
    );
    for (const actor of [new String(w.users.sam), [w.users.sam], { id: w.users.sam }, Object.create({ id: w.users.sam })]) {
      const r = await w.app.reactivateAccount(actor);
      expect(!r.ok && r.error.code).toBe("VALIDATION");
    }
    expect(w.store.snapshot()).toEqual(before);
    expect((await w.app.reactivateAccount(w.users.sam)).ok).toBe(true);
  });

  it("listPrimaryStructures: anything as the actor is refused (VALIDATION; a string nobody has, NOT_FOUND), never a throw nor a change", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await w.app.listPrimaryStructures(actor);
        expect(r.ok && "accepted").toBe(false);
        expect(junkActorCodes(actor)).toContain(!r.ok && r.error.code);
      }),
      { numRuns: 100 },
    );
    expect(w.store.snapshot()).toEqual(before);
    const mine = await w.app.listPrimaryStructures(w.users.alice);
    expect(mine.ok && mine.value.map((s) => s.designation)).toEqual(["Structure A", "Structure B"]);
  });
});
