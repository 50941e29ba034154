// Junk at every operation (SPEC §4, §7): anything at a boundary gives VALIDATION (an
// actor that is not an id, UNKNOWN_ACTOR), never a throw, never a change; only plain data
// is read (no inherited fields, no class instances, no getters), even with
// Object.prototype polluted by some other library. Guide §6 too: the transfer and the
// deactivation (junk input, actor or options), the reactivation and the listing of one's
// primary structures (junk actor or options). Every call goes through the app's untyped
// view, as an HTTP host passes what it has not checked.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isId, type Habilitations } from "../../src/index.js";
import { untyped } from "../application/harness.js";
import { buildWorld, type World } from "./world.js";
import { A, ACCOUNT_OPS, OPS, request, subscription, TRANSFER_OPS } from "./operations.js";

class Shape {
  constructor(readonly structureId = "x") {}
}

/** The refusal of an actor that is junk: not an id, `malformed`; an id nobody has, `unknown`. */
/**
 * No options: `undefined`, or a plain object (of either prototype) whose every key holds
 * `undefined` — a field given as `undefined` is absent, so `{ "": undefined }` is `{}`
 * and the valid act would be done.
 */
const isNoOptions = (x: unknown): boolean =>
  x === undefined ||
  (typeof x === "object" &&
    x !== null &&
    !Array.isArray(x) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(x)) &&
    Reflect.ownKeys(x).every((k) => {
      const d = Object.getOwnPropertyDescriptor(x, k);
      return typeof k === "string" && d !== undefined && "value" in d && d.value === undefined;
    }));
const junkActorError = (actor: unknown) => ({ code: "UNKNOWN_ACTOR", reason: isId(actor) ? "unknown" : "malformed" });

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
    const r = await run(untyped(w.app), w, valid(w));
    expect(r.ok || r.error?.code, `${name} refused its valid input: ${JSON.stringify(r)}`).toBe(true);
  });

  it("refuses non-plain inputs with VALIDATION and changes nothing", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    for (const [what, input] of nonPlain(valid(w))) {
      const r = await run(untyped(w.app), w, input);
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
        const r = await run(untyped(w.app), w, junk);
        if (!r.ok) expect(["VALIDATION", "NOT_FOUND", "FORBIDDEN"]).toContain(r.error?.code);
        else expect(["listPendingAttachmentRequests", "listPendingSubscriptionRequests", "claimEvents", "acknowledgeEvents", "searchUsers", "chorusProRechercherStructure", "recordExpiries"]).toContain(name);
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
  it.each(OPS.filter(([n]) => !["registerUser", "claimEvents", "acknowledgeEvents", "purgeIdempotencyRecords", "mayAccess", "registerAccount", "activateAccount", "recordExpiries"].includes(n)))(
    "%s refuses a non-plain or junk actor with UNKNOWN_ACTOR (malformed), changing nothing",
    async (name) => {
      const w = await buildWorld();
      const before = w.store.snapshot();
      const app = untyped(w.app) as unknown as Record<string, (a: unknown, i: unknown) => Promise<{ ok: boolean; error?: { code: string } }>>;
      for (const actor of [undefined, null, 42, "", " ", {}, new String(w.users.alice), [w.users.alice], Object.create({ id: w.users.alice })]) {
        const r = await app[name]?.(actor, {});
        expect(r?.error, `${name} with ${String(actor)}`).toEqual({ code: "UNKNOWN_ACTOR", reason: "malformed" });
      }
      expect(w.store.snapshot()).toEqual(before);
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
  const junkOptions = anything.filter((x) => !isNoOptions(x));

  it.each([...ACCOUNT_OPS, ...TRANSFER_OPS].filter(([, , , actor]) => actor !== null))("%s: junk for the actor is UNKNOWN_ACTOR (malformed; an id nobody has, unknown), never a throw nor a change", async (_name, run, valid) => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await run(untyped(w.app), valid(w), actor, undefined);
        expect(r.ok && "accepted").toBe(false);
        expect(r.error).toEqual(junkActorError(actor));
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
          const r = await run(untyped(w.app), valid(w), actor?.(w), options);
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

  it.each(TRANSFER_OPS)("%s: anything as the input is VALIDATION, never a throw nor a change", async (_name, run, _valid, actor) => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (junk) => {
        const r = await run(untyped(w.app), junk, actor?.(w), undefined);
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
      const r = await run(untyped(w.app), input, actor?.(w), undefined);
      expect(r.ok && "accepted", JSON.stringify(input)).toBe(false);
      expect(r.error?.code, String(JSON.stringify(input))).toBe("VALIDATION");
    }
    expect(w.store.snapshot()).toEqual(before);
  });

  it("reactivateAccount: anything as the actor (UNKNOWN_ACTOR) or the options (VALIDATION) is refused, never a throw nor a change; the valid call then works", async () => {
    const w = await buildWorld();
    const left = await w.app.deactivateAccount(w.users.sam, { transfers: [] });
    expect(left.ok).toBe(true);
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await untyped(w.app).reactivateAccount(actor);
        expect(r.ok && "accepted").toBe(false);
        expect(!r.ok && r.error).toEqual(junkActorError(actor));
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(anything.filter((x) => !isNoOptions(x)), async (options) => {
        const r = await untyped(w.app).reactivateAccount(w.users.sam, options);
        expect(r.ok && "accepted").toBe(false);
        expect(!r.ok && r.error.code).toBe("VALIDATION");
      }),
      { numRuns: 100 },
    );
    for (const actor of [new String(w.users.sam), [w.users.sam], { id: w.users.sam }, Object.create({ id: w.users.sam })]) {
      const r = await untyped(w.app).reactivateAccount(actor);
      expect(!r.ok && r.error).toEqual({ code: "UNKNOWN_ACTOR", reason: "malformed" });
    }
    expect(w.store.snapshot()).toEqual(before);
    expect((await w.app.reactivateAccount(w.users.sam)).ok).toBe(true);
  });

  it("listPrimaryStructures: anything as the actor is refused (UNKNOWN_ACTOR: malformed; an id nobody has, unknown), never a throw nor a change", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    await fc.assert(
      fc.asyncProperty(anything, async (actor) => {
        const r = await untyped(w.app).listPrimaryStructures(actor);
        expect(r.ok && "accepted").toBe(false);
        expect(!r.ok && r.error).toEqual(junkActorError(actor));
      }),
      { numRuns: 100 },
    );
    expect(w.store.snapshot()).toEqual(before);
    const mine = await w.app.listPrimaryStructures(w.users.alice);
    expect(mine.ok && mine.value.map((s) => s.designation)).toEqual(["Structure A", "Structure B"]);
  });
});
