// The freezing policy of the core: it never freezes nor mutates what it is given, and
// what it returns is plain data (new objects that may share unchanged parts with the
// inputs). Freezing is the application layer's business (tested there).
//
// A reported bug motivates this file: the old core deep-froze its outputs, and since
// outputs share parts with the inputs, it froze the caller's own objects too (a caller
// could no longer sort the array it had passed in).
import { describe, expect, it } from "vitest";
import {
  addService,
  attachUser,
  attachmentRequestId,
  changeMemberRole,
  checkGrantableScope,
  CHORUS_PRO_SPACES,
  closeSpace,
  consultAttachmentRequest,
  consultSubscriptionRequest,
  createStructure,
  deactivateService,
  defaultValidationScope,
  grantSpaces,
  managedStructureIds,
  mayAccess,
  openSpace,
  pendingRequestsForManager,
  refuseAttachmentRequest,
  refuseAttachmentRequests,
  refuseSubscriptionRequest,
  registerUser,
  removeAttachment,
  renameService,
  requestAttachment,
  requestSubscription,
  revokeSpaceGrant,
  serviceId,
  servicesScope,
  structureId,
  subscriptionRequestId,
  usableGrants,
  userId,
  validateAttachmentRequest,
  validateAttachmentRequests,
  validateSubscriptionRequest,
  WHOLE_STRUCTURE,
  type Attachment,
  type AttachmentRequest,
  type AttachmentRequestId,
  type BulkDecisionState,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type User,
  type UserId,
  type ValidateAttachmentRequest,
} from "../../src/core/index.js";
import { buildGuide, ctx, elodieItems, elodieSubscription, grantOf, holding, openedOn, space, today, tomorrow, unwrap, type Guide } from "./fixtures.js";

/**
 * The context of guide §2's transitions, with the catalogue added at the call (a
 * catalogue holds lookup functions, which structuredClone cannot copy: it stays out of
 * the arguments checked).
 */
const withCatalogue = <T extends object>(c: T) => ({ ...c, catalogue: CHORUS_PRO_SPACES });

interface Case {
  readonly args: readonly unknown[];
  readonly run: (args: readonly unknown[]) => unknown;
}

/** A core function and the arguments to call it with, kept together so both stay typed. */
function call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Case {
  return { args, run: (a) => fn(...(a as A)) };
}

function bulkState(g: Guide): BulkDecisionState {
  return {
    actor: g.alice,
    structures: new Map<StructureId, Structure>([g.hospital, g.townHall].map((s) => [s.id, s])),
    requests: new Map<AttachmentRequestId, AttachmentRequest>([g.elodieRequest, g.chloeRequest].map((r) => [r.id, r])),
    users: new Map<UserId, User>([g.elodie, g.chloe].map((u) => [u.id, u])),
    services: g.serviceIndex,
  };
}

/** One successful call of every transition. */
const successes: Record<string, (g: Guide) => Case> = {
  createStructure: (g) =>
    call(
      createStructure,
      { founder: g.alice },
      { designation: "Mairie de Bron", kind: "public", viaPigp: false, identifier: { type: "siret", value: "21690029000018" } },
      { ...ctx, structureId: structureId("s-bron") },
    ),
  addService: (g) =>
    call(
      addService,
      { actor: g.alice, structure: g.hospital },
      { structureId: g.hospital.id, code: "dsi", label: "Informatique" },
      { ...ctx, serviceId: serviceId("svc-dsi") },
    ),
  renameService: (g) =>
    call(renameService, { actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id, label: "RH" }, ctx),
  deactivateService: (g) =>
    call(deactivateService, { actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
  registerUser: () =>
    call(registerUser, { login: "X@Y.fr", lastName: "Y", firstName: "X" }, { ...ctx, userId: userId("u-x") }),
  requestAttachment: (g) =>
    call(
      requestAttachment,
      { user: g.elodie, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
      { structureId: g.townHall.id, scope: WHOLE_STRUCTURE, comment: "Bonjour" },
      { ...ctx, requestId: attachmentRequestId("req-x") },
    ),
  validateAttachmentRequest: (g) =>
    call(
      validateAttachmentRequest,
      { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id, role: "secondaryManager", scope: servicesScope([g.achats.id, g.rh.id]) },
      ctx,
    ),
  refuseAttachmentRequest: (g) =>
    call(
      refuseAttachmentRequest,
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "Non" },
      ctx,
    ),
  validateAttachmentRequests: (g) =>
    call(
      validateAttachmentRequests,
      bulkState(g),
      { items: [{ requestId: g.elodieRequest.id, scope: servicesScope([g.achats.id]) }, { requestId: g.chloeRequest.id }] },
      ctx,
    ),
  refuseAttachmentRequests: (g) =>
    call(refuseAttachmentRequests, bulkState(g), { requestIds: [g.elodieRequest.id, g.chloeRequest.id], reason: "Non" }, ctx),
  attachUser: (g) =>
    call(
      attachUser,
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      {
        structureId: g.hospital.id,
        userId: g.david.id,
        role: "user",
        validFrom: tomorrow,
        comment: "Renfort",
        scope: servicesScope([g.paie.id, g.rh.id]),
      },
      ctx,
    ),
  changeMemberRole: (g) =>
    call(
      changeMemberRole,
      { actor: g.alice, structure: g.hospital, member: g.elodie },
      { structureId: g.hospital.id, userId: g.elodie.id, role: "secondaryManager" },
      ctx,
    ),
  removeAttachment: (g) =>
    call(
      removeAttachment,
      { actor: g.alice, structure: g.hospital, member: g.elodie },
      { structureId: g.hospital.id, userId: g.elodie.id },
      ctx,
    ),
  // Reads: they build views and lists out of what they are given.
  consultAttachmentRequest: (g) =>
    call(
      consultAttachmentRequest,
      { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: [g.rh, g.paie, g.achats, g.compta] },
      ctx,
    ),
  pendingRequestsForManager: (g) =>
    call(pendingRequestsForManager, g.alice, [g.townHall, g.hospital], [g.chloeRequest, g.elodieRequest], ctx),
  managedStructureIds: (g) => call(managedStructureIds, g.alice, [g.townHall, g.acme, g.hospital], ctx),
  defaultValidationScope: (g) => call(defaultValidationScope, g.elodieRequest, g.elodie, g.serviceIndex),
  checkGrantableScope: (g) =>
    call(checkGrantableScope, g.hospital.id, { kind: "services", serviceIds: [g.rh.id, g.achats.id, g.rh.id] }, g.serviceIndex),
  // Guide §2.
  requestSubscription: (g) =>
    call(
      (state: Parameters<typeof requestSubscription>[0], command: Parameters<typeof requestSubscription>[1], c: typeof ctx) =>
        requestSubscription(state, command, { ...withCatalogue(c), requestId: subscriptionRequestId("sub-x") }),
      { user: g.elodie, structure: g.hospital, services: g.serviceIndex },
      { structureId: g.hospital.id, items: [...elodieItems(g)].reverse(), comment: "Bonjour" },
      ctx,
    ),
  "validateSubscriptionRequest (scope services)": (g) =>
    call(
      (state: Parameters<typeof validateSubscriptionRequest>[0], command: Parameters<typeof validateSubscriptionRequest>[1], c: typeof ctx) =>
        validateSubscriptionRequest(state, command, withCatalogue(c)),
      { actor: g.alice, structure: openedOn(g.hospital, space.emises), request: elodieSubscription(g), requester: g.elodie, services: g.serviceIndex },
      { requestId: elodieSubscription(g).id, items: [...elodieItems(g)].reverse().slice(0, 2), scope: "services", comment: "OK" },
      ctx,
    ),
  refuseSubscriptionRequest: (g) =>
    call(refuseSubscriptionRequest, { actor: g.alice, structure: g.hospital, request: elodieSubscription(g) }, { requestId: elodieSubscription(g).id }, ctx),
  consultSubscriptionRequest: (g) =>
    call(
      (state: Parameters<typeof consultSubscriptionRequest>[0], c: typeof ctx) => consultSubscriptionRequest(state, withCatalogue(c)),
      { actor: g.alice, structure: g.hospital, request: elodieSubscription(g), requester: holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "read")), services: g.serviceIndex },
      ctx,
    ),
  openSpace: (g) =>
    call(
      (state: Parameters<typeof openSpace>[0], command: Parameters<typeof openSpace>[1], c: typeof ctx) => openSpace(state, command, withCatalogue(c)),
      { actor: g.alice, structure: g.hospital, service: openedOn(g.paie, space.recues, space.emises) },
      { structureId: g.hospital.id, space: space.aValider, serviceId: g.paie.id },
      ctx,
    ),
  closeSpace: (g) =>
    call(
      (state: Parameters<typeof closeSpace>[0], command: Parameters<typeof closeSpace>[1], c: typeof ctx) => closeSpace(state, command, withCatalogue(c)),
      { actor: g.alice, structure: openedOn(g.hospital, space.recues, space.emises), service: null },
      { structureId: g.hospital.id, space: space.emises, serviceId: null },
      ctx,
    ),
  grantSpaces: (g) =>
    call(
      (state: Parameters<typeof grantSpaces>[0], command: Parameters<typeof grantSpaces>[1], c: typeof ctx) => grantSpaces(state, command, withCatalogue(c)),
      { actor: g.alice, structure: openedOn(g.hospital, space.recues, space.emises), user: holding(g.elodie, grantOf(g.hospital.id, space.recues, null, "read")), services: g.serviceIndex },
      { structureId: g.hospital.id, userId: g.elodie.id, items: [{ space: space.recues, serviceId: null, access: "write" }, { space: space.emises, serviceId: g.paie.id, access: "read" }] },
      ctx,
    ),
  revokeSpaceGrant: (g) =>
    call(
      revokeSpaceGrant,
      { actor: g.alice, structure: g.hospital, user: holding(g.elodie, grantOf(g.hospital.id, space.recues, null, "read"), grantOf(g.hospital.id, space.emises, null, "read")), services: new Map() },
      { structureId: g.hospital.id, userId: g.elodie.id, space: space.recues, serviceId: null },
      ctx,
    ),
  mayAccess: (g) =>
    call(
      mayAccess,
      { user: holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "read")), structure: openedOn(g.hospital, space.recues), service: g.paie },
      { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "read" },
      today,
    ),
  usableGrants: (g) =>
    call(usableGrants, holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "read")), openedOn(g.hospital, space.recues), g.serviceIndex, today),
};

/** Refused calls: a refused command changes nothing either. */
const refusals: Record<string, (g: Guide) => Case> = {
  "validateAttachmentRequest (NOT_FOUND: an outsider)": (g) =>
    call(
      validateAttachmentRequest,
      { actor: g.victor, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id },
      ctx,
    ),
  "refuseAttachmentRequest (REFUSAL_REASON_REQUIRED)": (g) =>
    call(
      refuseAttachmentRequest,
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "\u200B " },
      ctx,
    ),
  "attachUser (COMMENT_REQUIRED)": (g) =>
    call(
      attachUser,
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: today, comment: " ", scope: WHOLE_STRUCTURE },
      ctx,
    ),
  "removeAttachment (TRANSFER_REQUIRED)": (g) =>
    call(
      removeAttachment,
      { actor: g.bruno, structure: g.hospital, member: g.alice },
      { structureId: g.hospital.id, userId: g.alice.id },
      ctx,
    ),
  "renameService (NOT_FOUND: a service of another structure)": (g) =>
    call(renameService, { actor: g.alice, structure: g.hospital, service: g.ventes }, { serviceId: g.ventes.id, label: "Ventes" }, ctx),
  "consultAttachmentRequest (NOT_FOUND: an outsider)": (g) =>
    call(consultAttachmentRequest, { actor: g.elodie, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: [g.rh] }, ctx),
  "validateSubscriptionRequest (SPACE_NOT_OPEN)": (g) =>
    call(
      (state: Parameters<typeof validateSubscriptionRequest>[0], command: Parameters<typeof validateSubscriptionRequest>[1], c: typeof ctx) =>
        validateSubscriptionRequest(state, command, withCatalogue(c)),
      { actor: g.alice, structure: g.hospital, request: elodieSubscription(g), requester: g.elodie, services: g.serviceIndex },
      { requestId: elodieSubscription(g).id, scope: "user" },
      ctx,
    ),
  "validateSubscriptionRequest (EMPTY_SELECTION)": (g) =>
    call(
      (state: Parameters<typeof validateSubscriptionRequest>[0], command: Parameters<typeof validateSubscriptionRequest>[1], c: typeof ctx) =>
        validateSubscriptionRequest(state, command, withCatalogue(c)),
      { actor: g.alice, structure: g.hospital, request: elodieSubscription(g), requester: g.elodie, services: g.serviceIndex },
      { requestId: elodieSubscription(g).id, items: [], scope: "structure" },
      ctx,
    ),
  "grantSpaces (SPACE_NOT_OPEN)": (g) =>
    call(
      (state: Parameters<typeof grantSpaces>[0], command: Parameters<typeof grantSpaces>[1], c: typeof ctx) => grantSpaces(state, command, withCatalogue(c)),
      { actor: g.alice, structure: g.hospital, user: g.elodie, services: g.serviceIndex },
      { structureId: g.hospital.id, userId: g.elodie.id, items: [{ space: space.emises, serviceId: g.paie.id, access: "read" }] },
      ctx,
    ),
  "closeSpace (SPACE_NOT_OPEN)": (g) =>
    call(
      (state: Parameters<typeof closeSpace>[0], command: Parameters<typeof closeSpace>[1], c: typeof ctx) => closeSpace(state, command, withCatalogue(c)),
      { actor: g.alice, structure: openedOn(g.hospital, space.emises), service: g.paie },
      { structureId: g.hospital.id, space: space.emises, serviceId: g.paie.id },
      ctx,
    ),
  "revokeSpaceGrant (NOT_FOUND spaceGrant)": (g) =>
    call(
      revokeSpaceGrant,
      { actor: g.alice, structure: g.hospital, user: holding(g.elodie, grantOf(g.acme.id, space.recues, null, "read", g.victor.id)), services: new Map() },
      { structureId: g.hospital.id, userId: g.elodie.id, space: space.recues, serviceId: null },
      ctx,
    ),
  "refuseSubscriptionRequest (NOT_FOUND: an outsider)": (g) =>
    call(refuseSubscriptionRequest, { actor: g.victor, structure: g.hospital, request: elodieSubscription(g) }, { requestId: elodieSubscription(g).id }, ctx),
};

const everyCall = Object.entries({ ...successes, ...refusals });

// ------------------------------------------------------------------------- probes

/**
 * Where, in a value, something was locked: an object made non-extensible (frozen,
 * sealed, preventExtensions) or an own property made read-only or non-configurable.
 * Walks plain objects, arrays, Maps (keys and values), Sets and Dates.
 */
function lockedParts(value: unknown, path = "$", seen = new Set<object>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  if (!Object.isExtensible(value)) found.push(path);
  for (const key of Reflect.ownKeys(value)) {
    if (Array.isArray(value) && key === "length") continue;
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    if (d.configurable === false || d.writable === false) found.push(`${path}.${String(key)} (read-only)`);
    if ("value" in d) found.push(...lockedParts(d.value, `${path}.${String(key)}`, seen));
  }
  if (value instanceof Map)
    for (const [k, v] of value) found.push(...lockedParts(k, `${path}<key>`, seen), ...lockedParts(v, `${path}.get(${String(k)})`, seen));
  if (value instanceof Set) for (const v of value) found.push(...lockedParts(v, `${path}<item>`, seen));
  return found;
}

/** A Map that records every change made to it once built. */
class WatchedMap<K, V> extends Map<K, V> {
  private ready = false;
  constructor(
    entries: Iterable<readonly [K, V]>,
    private readonly writes: string[],
    private readonly path: string,
  ) {
    super(entries);
    this.ready = true;
  }
  override set(key: K, value: V): this {
    if (this.ready) this.writes.push(`${this.path}.set(${String(key)})`);
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.writes.push(`${this.path}.delete(${String(key)})`);
    return super.delete(key);
  }
  override clear(): void {
    this.writes.push(`${this.path}.clear()`);
    super.clear();
  }
}

/**
 * A deep view of `value` that records every write, deletion, property definition,
 * prototype change and freeze attempted through it (`value` must hold no frozen object:
 * pass a structuredClone).
 */
function watched<T>(value: T, writes: string[], path = "$", cache = new WeakMap<object, unknown>()): T {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value;
  if (cache.has(value)) return cache.get(value) as T;
  let view: unknown;
  if (value instanceof Map) {
    view = new WatchedMap(
      [...value].map(([k, v]) => [k, watched(v, writes, `${path}.get(${String(k)})`, cache)] as const),
      writes,
      path,
    );
  } else {
    view = new Proxy(value, {
      get: (target, key, receiver) => {
        const got = Reflect.get(target, key, receiver) as unknown;
        return typeof key === "symbol" ? got : watched(got, writes, `${path}.${key}`, cache);
      },
      set: (target, key, v, receiver) => {
        writes.push(`set ${path}.${String(key)}`);
        return Reflect.set(target, key, v, receiver);
      },
      defineProperty: (target, key, d) => {
        writes.push(`define ${path}.${String(key)}`);
        return Reflect.defineProperty(target, key, d);
      },
      deleteProperty: (target, key) => {
        writes.push(`delete ${path}.${String(key)}`);
        return Reflect.deleteProperty(target, key);
      },
      setPrototypeOf: (target, proto) => {
        writes.push(`setPrototypeOf ${path}`);
        return Reflect.setPrototypeOf(target, proto);
      },
      preventExtensions: (target) => {
        writes.push(`preventExtensions ${path}`);
        return Reflect.preventExtensions(target);
      },
    });
  }
  cache.set(value, view);
  return view as T;
}

/** Where a value is other than JSON data (plain objects, arrays, strings, finite numbers, booleans, null). */
function nonPlainParts(value: unknown, path = "$"): string[] {
  if (value === null || typeof value === "string" || typeof value === "boolean") return [];
  if (typeof value === "number") return Number.isFinite(value) ? [] : [`${path} (${value})`];
  if (typeof value !== "object") return [`${path} (${typeof value})`];
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return [`${path} (array subclass)`];
    return Array.from(value, (v, i) => nonPlainParts(v, `${path}[${i}]`)).flat();
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return [`${path} (${value.constructor?.name ?? "no prototype"})`];
  if (Object.getOwnPropertySymbols(value).length > 0) return [`${path} (symbol keys)`];
  return Object.entries(value).flatMap(([k, v]) => nonPlainParts(v, `${path}.${k}`));
}

/** Every object reachable from a value that is frozen. */
function frozenObjects(value: unknown, seen = new Set<object>()): object[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const here = Object.isFrozen(value) ? [value] : [];
  return [...here, ...Object.values(value).flatMap((v) => frozenObjects(v, seen))];
}

describe("the probes this file relies on", () => {
  it("lockedParts finds a frozen object, a sealed one, a read-only property, inside arrays and Maps", () => {
    const value = { a: [1, Object.freeze({ b: 2 })], m: new Map([["k", Object.seal({ c: 3 })]]), d: {} };
    Object.defineProperty(value.d, "e", { value: 1, writable: false, configurable: true, enumerable: true });
    expect(lockedParts(value)).toEqual(
      expect.arrayContaining(["$.a.1", "$.a.1.b (read-only)", "$.m.get(k)", "$.m.get(k).c (read-only)", "$.d.e (read-only)"]),
    );
    expect(lockedParts(structuredClone(value))).toEqual([]);
  });

  it("watched records a write, a push, a deletion, a freeze and a Map change, and reads through unchanged", () => {
    const writes: string[] = [];
    const view = watched(structuredClone({ a: [1, { b: 2 }], m: new Map([["k", { c: 3 }]]) }), writes);
    expect(view.a[1]).toEqual({ b: 2 });
    expect(view.m.get("k")).toEqual({ c: 3 });
    expect(writes).toEqual([]);
    (view.a[1] as { b: number }).b = 5;
    view.a.push(3);
    delete (view.a[1] as { b?: number }).b;
    Object.freeze(view.m.get("k"));
    view.m.set("z", { c: 0 });
    expect(writes).toEqual(
      expect.arrayContaining(["set $.a.1.b", "set $.a.2", "delete $.a.1.b", "preventExtensions $.m.get(k)", "$.m.set(z)"]),
    );
  });

  it("nonPlainParts and frozenObjects see what they look for", () => {
    expect(nonPlainParts({ a: [new Date(0), undefined, Number.NaN, new Map()], b: () => 1 })).toHaveLength(5);
    const inner = Object.freeze({ x: 1 });
    expect(frozenObjects({ a: [inner], b: {} })).toEqual([inner]);
  });
});

// --------------------------------------------------------------------------- inputs

describe("the core never mutates nor freezes what it is given", () => {
  it.each(everyCall)(
    "%s: given writable deep copies of its inputs, they are unchanged afterwards and nothing in them got frozen or locked",
    (_, make) => {
      const { args, run } = make(buildGuide());
      const input = structuredClone(args);
      const untouched = structuredClone(args);
      expect(lockedParts(input)).toEqual([]); // the copies really are writable all the way down
      run(input);
      expect(input).toStrictEqual(untouched);
      expect(lockedParts(input)).toEqual([]);
    },
  );

  it.each(everyCall)("%s: no write of any kind reaches the inputs (not even one rewriting the same value)", (_, make) => {
    const { args, run } = make(buildGuide());
    const writes: string[] = [];
    run(watched(structuredClone(args), writes));
    expect(writes).toEqual([]);
  });

  it.each(everyCall)("%s: the fixture's own records are not frozen afterwards either (beyond the shared WHOLE_STRUCTURE)", (_, make) => {
    const { args, run } = make(buildGuide());
    const before = new Set(frozenObjects(args));
    run(args);
    expect(frozenObjects(args).filter((o) => !before.has(o))).toEqual([]);
    expect([...before].every((o) => o === WHOLE_STRUCTURE)).toBe(true);
  });
});

// -------------------------------------------------------------------------- outputs

describe("what the core returns is plain, unfrozen data", () => {
  it.each(everyCall)("%s: plain data that survives a JSON round trip exactly", (_, make) => {
    const { args, run } = make(buildGuide());
    const out = run(structuredClone(args));
    expect(nonPlainParts(out)).toEqual([]);
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
  });

  it.each(Object.entries(successes))("%s: nothing in the outcome is frozen but the shared WHOLE_STRUCTURE constant", (_, make) => {
    const { args, run } = make(buildGuide());
    const out = run(structuredClone(args));
    expect(frozenObjects(out).filter((o) => o !== WHOLE_STRUCTURE)).toEqual([]);
  });

  it("the successes really succeed, and the refusals really refuse (so the cases above test what they say)", () => {
    for (const [name, make] of Object.entries(successes)) {
      const { args, run } = make(buildGuide());
      const out = run(args) as { ok?: boolean; results?: { result: { ok: boolean } }[] };
      if (out !== null && typeof out === "object" && "ok" in out) expect([name, out.ok]).toEqual([name, true]);
      if (out !== null && typeof out === "object" && "results" in out)
        expect([name, out.results!.every((r) => r.result.ok)]).toEqual([name, true]);
    }
    for (const [name, make] of Object.entries(refusals)) {
      const { args, run } = make(buildGuide());
      expect([name, (run(args) as { ok: boolean }).ok]).toEqual([name, false]);
    }
  });
});

// --------------------------------------------------------- the caller's own objects

describe("after a call, the caller can still sort and change what it passed in (the reported bug)", () => {
  const byCode = (a: Service, b: Service) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

  it("given its own list of services, consulting a request leaves the caller free to sort and extend it", () => {
    const g = buildGuide();
    const services = [g.rh, g.paie, g.achats, g.compta];
    unwrap(consultAttachmentRequest({ actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services }, ctx));
    services.sort(byCode);
    services.push(g.ventes);
    expect(services.map((s) => s.code)).toEqual(["ACHATS", "COMPTA", "PAIE", "RH", "VENTES"]);
  });

  it("given its own command and scope arrays, validating leaves them writable, and the requester record too", () => {
    const g = buildGuide();
    const unsorted: ServiceId[] = [g.compta.id, g.achats.id];
    const sorted: ServiceId[] = [g.achats.id, g.compta.id]; // already canonical: the fast path
    const requester: User = { ...g.elodie, attachments: [...g.elodie.attachments] };
    for (const serviceIds of [unsorted, sorted]) {
      const command: ValidateAttachmentRequest = { requestId: g.elodieRequest.id, scope: { kind: "services", serviceIds } };
      const r = unwrap(
        validateAttachmentRequest(
          { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester, services: g.serviceIndex },
          command,
          ctx,
        ),
      );
      expect(r.request.grantedScope).toEqual({ kind: "services", serviceIds: [g.achats.id, g.compta.id] });
      serviceIds.reverse();
      serviceIds.push(g.rh.id);
      (command as { role?: string }).role = "user";
      expect(command.role).toBe("user");
      // The caller's change to its own array does not rewrite the decision already taken.
      expect(r.request.grantedScope).toEqual({ kind: "services", serviceIds: [g.achats.id, g.compta.id] });
    }
    expect(unsorted).toEqual([g.achats.id, g.compta.id, g.rh.id]);
    expect(sorted).toEqual([g.compta.id, g.achats.id, g.rh.id]);
    (requester.attachments as Attachment[]).push({ ...requester.attachments[0]!, structureId: g.acme.id });
    (requester as { firstName: string }).firstName = "Elo";
    expect(requester.attachments).toHaveLength(2);
    expect(requester.firstName).toBe("Elo");
  });

  it("given its own lists of requests and of structures, listing the pending requests leaves them writable", () => {
    const g = buildGuide();
    const structures = [g.townHall, g.hospital];
    const requests = [g.chloeRequest, g.elodieRequest];
    const listed = pendingRequestsForManager(g.alice, structures, requests, ctx);
    expect(listed.map((r) => r.id)).toEqual([g.elodieRequest.id, g.chloeRequest.id]);
    requests.reverse();
    structures.sort((a, b) => (a.id < b.id ? -1 : 1));
    requests.pop();
    expect(requests.map((r) => r.id)).toEqual([g.elodieRequest.id]);
    expect(structures.map((s) => s.id)).toEqual([g.hospital.id, g.townHall.id]);
    listed.reverse(); // the list returned is the caller's to sort too
    expect(listed.map((r) => r.id)).toEqual([g.chloeRequest.id, g.elodieRequest.id]);
  });

  it("given its own bulk command, deciding leaves its items and ids writable, and the outcome's lists too", () => {
    const g = buildGuide();
    const items = [{ requestId: g.chloeRequest.id }, { requestId: g.elodieRequest.id }];
    const bulk = validateAttachmentRequests(bulkState(g), { items }, ctx);
    items.reverse();
    items.push({ requestId: attachmentRequestId("req-more") });
    expect(items.map((i) => i.requestId)).toEqual([g.elodieRequest.id, g.chloeRequest.id, "req-more"]);
    (bulk.users as User[]).sort((a, b) => (a.id < b.id ? 1 : -1)); // the outcome's lists are the caller's to rearrange
    expect(bulk.users.map((u) => u.id)).toEqual([g.elodie.id, g.chloe.id]);

    const requestIds = [g.elodieRequest.id, g.chloeRequest.id];
    refuseAttachmentRequests(bulkState(g), { requestIds, reason: "Doublon" }, ctx);
    requestIds.sort();
    requestIds.push(attachmentRequestId("req-more"));
    expect(requestIds).toEqual([g.chloeRequest.id, g.elodieRequest.id, "req-more"].sort());
  });

  it("given a user it registers and then attaches, the caller may still edit both the command and the records", () => {
    const g = buildGuide();
    const command = { login: "Marc@Exemple.fr", lastName: "Blanc", firstName: "Marc" };
    const marc = unwrap(registerUser(command, { ...ctx, userId: userId("u-marc") })).user;
    command.firstName = "Marc-Antoine";
    const attached = unwrap(
      attachUser(
        { actor: g.alice, structure: g.hospital, user: marc, services: g.serviceIndex },
        { structureId: g.hospital.id, userId: marc.id, role: "user", validFrom: today, comment: "Accueil", scope: servicesScope([g.rh.id]) },
        ctx,
      ),
    ).user;
    (marc.attachments as Attachment[]).push(attached.attachments[0]!);
    const scope = attached.attachments[0]!.scope;
    if (scope.kind !== "services") throw new Error("expected a scope of services");
    (scope.serviceIds as ServiceId[]).push(g.paie.id);
    expect(scope.serviceIds).toEqual([g.rh.id, g.paie.id]);
    expect(marc.attachments).toHaveLength(1);
    expect(command.firstName).toBe("Marc-Antoine");
  });
});
