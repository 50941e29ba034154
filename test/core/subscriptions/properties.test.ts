// Properties of guide §2 in the core (fast-check), over random worlds of structures,
// services, users, attachments, grants and opened spaces:
//   (a) mayAccess agrees with a reference model written independently here;
//   (b) a usable grant is always in a structure the user is attached to, on one of its
//       services, with the space open where it points;
//   (c) write implies read;
//   (d) removing an attachment leaves no grant on that structure; deactivating a service
//       or closing a space leaves no usable grant there;
//   (e) every transition of §2 either succeeds or returns an error (never throws), and
//       never mutates nor freezes what it is given.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  attachmentTo,
  CHORUS_PRO_SPACES,
  closeSpace,
  consultSubscriptionRequest,
  deactivateService,
  errorMessage,
  grantSpaces,
  indexServices,
  isSpaceOpen,
  localDate,
  mayAccess,
  openSpace,
  refuseSubscriptionRequest,
  removeAttachment,
  requestSubscription,
  revokeSpaceGrant,
  serviceId,
  structureId,
  subscriptionRequestId,
  usableGrants,
  userId,
  validateSubscriptionRequest,
  type AccessLevel,
  type Attachment,
  type DomainError,
  type LocalDate,
  type Result,
  type Service,
  type ServiceId,
  type SpaceCode,
  type SpaceGrant,
  type Structure,
  type StructureId,
  type SubscriptionItem,
  type SubscriptionRequest,
  type User,
  type UserId,
} from "../../../src/core/index.js";
import { ctx, setupAt, space, today, tomorrow, yesterday } from "../fixtures.js";

// ------------------------------------------------------------------------ a world

const SPACES: readonly SpaceCode[] = [space.emises, space.recues, space.aValider];
const STRUCTURES: readonly StructureId[] = [structureId("s-0"), structureId("s-1")];
const SERVICES_OF: Readonly<Record<string, readonly ServiceId[]>> = Object.fromEntries(
  STRUCTURES.map((s) => [s, [0, 1, 2].map((i) => serviceId(`${s}-svc-${i}`))]),
);
const ALL_SERVICES: readonly ServiceId[] = STRUCTURES.flatMap((s) => SERVICES_OF[s]!);
const UNKNOWN_SERVICE = serviceId("svc-unknown");
const DAYS: readonly LocalDate[] = [yesterday, today, tomorrow];
/** The end dates a right may have (the first day without it): on each day asked about, and after them all. */
const ENDS: readonly LocalDate[] = [...DAYS, localDate("2026-12-31")];
const BOSS = userId("u-boss");
const USERS: readonly UserId[] = [0, 1, 2, 3].map((i) => userId(`u-${i}`));

interface World {
  readonly structures: Structure[];
  readonly services: Service[];
  /** The boss (primary manager of every structure) first, then the random users. */
  readonly users: User[];
}

const subset = <T>(values: readonly T[]) => fc.subarray([...values]);
const sortedSpaces = subset(SPACES).map((s) => [...s].sort());

const attachmentArb = (s: StructureId): fc.Arbitrary<Attachment> =>
  fc.record({
    structureId: fc.constant(s),
    role: fc.constantFrom("user" as const, "secondaryManager" as const),
    scope: fc.oneof(
      fc.constant({ kind: "structure" as const }),
      subset(SERVICES_OF[s]!)
        .filter((ids) => ids.length > 0)
        .map((ids) => ({ kind: "services" as const, serviceIds: [...ids].sort() })),
    ),
    validFrom: fc.constantFrom(...DAYS),
    attachedBy: fc.constant(BOSS),
    attachedAt: fc.constant(setupAt),
    // Rights with an end (issue 21): none, or an end around the days asked about.
    validUntil: fc.constantFrom<LocalDate | null>(null, null, ...ENDS),
    endNotice: fc.constant(null),
  });

const grantArb: fc.Arbitrary<SpaceGrant> = fc.record({
  structureId: fc.constantFrom(...STRUCTURES),
  space: fc.constantFrom(...SPACES),
  // Any service, also one of the other structure or an unknown one: the rules must hold whatever the records say.
  serviceId: fc.oneof(fc.constant(null), fc.constantFrom(...ALL_SERVICES), fc.constant(UNKNOWN_SERVICE)),
  access: fc.constantFrom<AccessLevel>("read", "write"),
  grantedBy: fc.constant(BOSS),
  grantedAt: fc.constant(setupAt),
  validUntil: fc.constantFrom<LocalDate | null>(null, null, ...ENDS),
  endNotice: fc.constant(null),
});

const grantKeyOf = (g: Pick<SpaceGrant, "structureId" | "space" | "serviceId">) => `${g.structureId}|${g.space}|${g.serviceId ?? "*"}`;

const userArb = (id: UserId): fc.Arbitrary<User> =>
  fc
    .record({
      status: fc.constantFrom("active", "active", "active", "deactivated", "pendingActivation") as fc.Arbitrary<User["status"]>,
      attachments: fc.tuple(...STRUCTURES.map((s) => fc.option(attachmentArb(s), { nil: undefined }))),
      grants: fc.uniqueArray(grantArb, { selector: grantKeyOf, maxLength: 8 }),
    })
    .map(({ status, attachments, grants }) => ({
      id,
      login: `${id}@example.fr`,
      contactEmail: `${id}@example.fr`,
      lastName: "Nom",
      firstName: "Prénom",
      status,
      attachments: attachments.filter((a): a is Attachment => a !== undefined),
      grants,
      phone: null, postalAddress: null, settings: { activityNotifications: "never" }, createdFor: null, activation: null, contactEmailChange: null, accountEmails: [],
    deactivatedAt: null,
      createdAt: setupAt,
    }));

const worldArb: fc.Arbitrary<World> = fc
  .record({
    structureSpaces: fc.tuple(...STRUCTURES.map(() => sortedSpaces)),
    services: fc.tuple(...ALL_SERVICES.map(() => fc.record({ active: fc.boolean(), openSpaces: sortedSpaces }))),
    users: fc.tuple(...USERS.map(userArb)),
  })
  .map(({ structureSpaces, services, users }) => {
    const boss: User = {
      id: BOSS,
      login: "boss@example.fr",
      contactEmail: "boss@example.fr",
      lastName: "Chef",
      firstName: "Alice",
      status: "active",
      attachments: STRUCTURES.map((s) => ({ structureId: s, role: "user", scope: { kind: "structure" }, validFrom: yesterday, attachedBy: BOSS, attachedAt: setupAt, validUntil: null, endNotice: null })),
      grants: [],
      phone: null, postalAddress: null, settings: { activityNotifications: "never" }, createdFor: null, activation: null, contactEmailChange: null, accountEmails: [],
    deactivatedAt: null,
      createdAt: setupAt,
    };
    return {
      structures: STRUCTURES.map((id, i) => ({
        id,
        designation: `Structure ${i}`,
        kind: "private",
        viaPigp: false,
        identifier: { type: "siret", value: "73282932000074" },
        primaryManagerId: BOSS,
        openSpaces: structureSpaces[i]!,
        createdAt: setupAt,
      })),
      services: ALL_SERVICES.map((id, i) => ({
        id,
        structureId: STRUCTURES.find((s) => SERVICES_OF[s]!.includes(id))!,
        code: `SVC${i}`,
        label: `Service ${i}`,
        active: services[i]!.active,
        openSpaces: services[i]!.openSpaces,
        createdAt: setupAt,
      })),
      users: [boss, ...users],
    };
  });

// ---------------------------------------------------------- the reference model

/**
 * Every access a world gives on a day, as keys « user|structure|space|service|access »
 * (« * » for the structure as a whole), computed the obvious way from the rules as the
 * guide and the SPEC state them — not from the library's code.
 */
function referenceAccess(world: World, day: LocalDate): Set<string> {
  const keys = new Set<string>();
  const services = new Map(world.services.map((s) => [s.id, s]));
  for (const user of world.users) {
    if (user.status !== "active") continue;
    for (const attachment of user.attachments) {
      if (attachment.validFrom > day) continue; // not in force yet
      if (attachment.validUntil !== null && attachment.validUntil <= day) continue; // ended: its end is the first day without it
      const structure = world.structures.find((s) => s.id === attachment.structureId)!;
      const inScope = (id: ServiceId) => attachment.scope.kind === "structure" || attachment.scope.serviceIds.includes(id);
      const reachable = world.services.filter((s) => s.structureId === structure.id && s.active && inScope(s.id));
      for (const grant of user.grants) {
        if (grant.structureId !== structure.id) continue;
        if (grant.validUntil !== null && grant.validUntil <= day) continue; // the grant has ended
        const levels: AccessLevel[] = grant.access === "write" ? ["read", "write"] : ["read"];
        const add = (where: string) => levels.forEach((level) => keys.add(`${user.id}|${structure.id}|${grant.space}|${where}|${level}`));
        if (grant.serviceId === null) {
          // For all services: the space must be open on the structure; it reaches the structure and its services in scope.
          if (!structure.openSpaces.includes(grant.space)) continue;
          add("*");
          reachable.forEach((s) => add(s.id));
        } else {
          const service = services.get(grant.serviceId);
          if (service === undefined || !reachable.includes(service)) continue;
          if (structure.openSpaces.includes(grant.space) || service.openSpaces.includes(grant.space)) add(service.id);
        }
      }
    }
  }
  return keys;
}

/** Every query the world can be asked: each user, structure, space, service (or none, or unknown), access. */
function* everyQuery(world: World) {
  for (const user of world.users)
    for (const structure of world.structures)
      for (const spaceAsked of SPACES)
        for (const service of [null, ...ALL_SERVICES, UNKNOWN_SERVICE])
          for (const access of ["read", "write"] as const) yield { user, structure, space: spaceAsked, serviceId: service, access };
}

function ask(world: World, q: ReturnType<typeof everyQuery> extends Generator<infer Q> ? Q : never, day: LocalDate, access = q.access) {
  const service = q.serviceId === null ? null : (world.services.find((s) => s.id === q.serviceId) ?? null);
  return mayAccess({ user: q.user, structure: q.structure, service }, { structureId: q.structure.id, space: q.space, serviceId: q.serviceId, access }, day);
}

const dayArb = fc.constantFrom(...DAYS);

describe("(a) mayAccess agrees with a reference model", () => {
  test.prop([worldArb, dayArb])("for every user, structure, space, service and access of a random world", (world, day) => {
    const expected = referenceAccess(world, day);
    const disagreements: string[] = [];
    for (const q of everyQuery(world)) {
      const key = `${q.user.id}|${q.structure.id}|${q.space}|${q.serviceId ?? "*"}|${q.access}`;
      if (ask(world, q, day) !== expected.has(key)) disagreements.push(`${key}: model ${expected.has(key)}`);
    }
    expect(disagreements).toEqual([]);
  });

  test.prop([worldArb, dayArb])("a query naming another structure than the record given is always false", (world, day) => {
    for (const q of everyQuery(world)) {
      const other = world.structures.find((s) => s.id !== q.structure.id)!;
      const service = q.serviceId === null ? null : (world.services.find((s) => s.id === q.serviceId) ?? null);
      expect(mayAccess({ user: q.user, structure: q.structure, service }, { structureId: other.id, space: q.space, serviceId: q.serviceId, access: q.access }, day)).toBe(false);
    }
  });

  test.prop([worldArb, dayArb])("the model is not trivial: the worlds give some access and refuse some", (world, day) => {
    // Not a check of the library: a guard that the generator makes worlds worth testing.
    fc.pre(referenceAccess(world, day).size > 0);
    expect(referenceAccess(world, day).size).toBeLessThan(world.users.length * STRUCTURES.length * SPACES.length * 8 * 2);
  });
});

describe("(b) a usable grant is always somewhere the user may be", () => {
  test.prop([worldArb, dayArb])(
    "attached and in force, on a service of that structure, active, in scope, the space open where the grant points",
    (world, day) => {
      const services = indexServices(world.services);
      for (const user of world.users)
        for (const structure of world.structures)
          for (const grant of usableGrants(user, structure, services, day)) {
            expect(user.grants).toContain(grant);
            expect(grant.structureId).toBe(structure.id);
            expect(user.status).toBe("active");
            const attachment = attachmentTo(user, structure.id);
            expect(attachment).toBeDefined();
            expect(attachment!.validFrom <= day).toBe(true);
            expect(attachment!.validUntil === null || day < attachment!.validUntil).toBe(true);
            expect(grant.validUntil === null || day < grant.validUntil).toBe(true);
            if (grant.serviceId === null) {
              expect(structure.openSpaces).toContain(grant.space);
            } else {
              const service = services.get(grant.serviceId);
              expect(service?.structureId).toBe(structure.id);
              expect(service?.active).toBe(true);
              if (attachment!.scope.kind === "services") expect(attachment!.scope.serviceIds).toContain(grant.serviceId);
              expect(isSpaceOpen(structure, service!, grant.space)).toBe(true);
            }
          }
    },
  );

  test.prop([worldArb, dayArb])("usableGrants keeps exactly the grants not ended that mayAccess honours where they point", (world, day) => {
    const services = indexServices(world.services);
    for (const user of world.users)
      for (const structure of world.structures) {
        const usable = new Set(usableGrants(user, structure, services, day));
        for (const grant of user.grants.filter((g) => g.structureId === structure.id)) {
          const service = grant.serviceId === null ? null : (services.get(grant.serviceId) ?? null);
          const honoured = mayAccess({ user, structure, service }, { structureId: structure.id, space: grant.space, serviceId: grant.serviceId, access: grant.access }, day);
          // An ended grant is not usable, even where another grant (the whole structure's) answers the same question.
          const ended = grant.validUntil !== null && grant.validUntil <= day;
          expect(usable.has(grant)).toBe(honoured && !ended);
        }
      }
  });
});

describe("(c) write implies read", () => {
  test.prop([worldArb, dayArb])("whoever may write a space somewhere may read it there", (world, day) => {
    for (const q of everyQuery(world)) if (q.access === "write" && ask(world, q, day)) expect(ask(world, q, day, "read")).toBe(true);
  });
});

// --------------------------------------------------- (d) what removes access

const now = ctx.now;

describe("(d) removing an attachment, deactivating a service, closing a space", () => {
  test.prop([worldArb, fc.constantFrom(...USERS), fc.constantFrom(...STRUCTURES), dayArb])(
    "removing an attachment leaves the member no grant on that structure, the others untouched, and no access there",
    (world, memberId, structureIdRemoved, day) => {
      const member = world.users.find((u) => u.id === memberId)!;
      fc.pre(attachmentTo(member, structureIdRemoved) !== undefined);
      const structure = world.structures.find((s) => s.id === structureIdRemoved)!;
      const removed = removeAttachment({ actor: world.users[0]!, structure, member }, { structureId: structure.id, userId: member.id }, { now });
      expect(removed.ok).toBe(true);
      if (!removed.ok) return;
      const after = removed.value.member;
      expect(after.grants.filter((g) => g.structureId === structure.id)).toEqual([]);
      expect(after.grants).toEqual(member.grants.filter((g) => g.structureId !== structure.id));
      const next = { ...world, users: world.users.map((u) => (u.id === member.id ? after : u)) };
      for (const q of everyQuery(next)) if (q.user.id === member.id && q.structure.id === structure.id) expect(ask(next, q, day)).toBe(false);
    },
  );

  test.prop([worldArb, fc.constantFrom(...ALL_SERVICES), dayArb])(
    "deactivating a service leaves no usable grant on it and no access to it, for anyone",
    (world, deactivated, day) => {
      const service = world.services.find((s) => s.id === deactivated)!;
      fc.pre(service.active);
      const structure = world.structures.find((s) => s.id === service.structureId)!;
      const r = deactivateService({ actor: world.users[0]!, structure, service }, { serviceId: service.id }, { now });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const next = { ...world, services: world.services.map((s) => (s.id === service.id ? r.value.service : s)) };
      const services = indexServices(next.services);
      for (const user of next.users) expect(usableGrants(user, structure, services, day).filter((g) => g.serviceId === service.id)).toEqual([]);
      for (const q of everyQuery(next)) if (q.serviceId === service.id) expect(ask(next, q, day)).toBe(false);
    },
  );

  test.prop([worldArb, fc.constantFrom(...STRUCTURES), fc.constantFrom(...SPACES), fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), dayArb])(
    "closing a space on the structure or on a service leaves no usable grant whose only opening it was",
    (world, where, closedSpace, serviceIndex, day) => {
      const structure = world.structures.find((s) => s.id === where)!;
      const service = serviceIndex === null ? null : world.services.find((s) => s.id === SERVICES_OF[where]![serviceIndex])!;
      const r = closeSpace(
        { actor: world.users[0]!, structure, service },
        { structureId: structure.id, space: closedSpace, serviceId: service?.id ?? null },
        { now, catalogue: CHORUS_PRO_SPACES },
      );
      fc.pre(r.ok);
      if (!r.ok) return;
      const next = {
        ...world,
        structures: world.structures.map((s) => (r.value.structure !== null && s.id === r.value.structure.id ? r.value.structure : s)),
        services: world.services.map((s) => (r.value.service !== null && s.id === r.value.service.id ? r.value.service : s)),
      };
      const closedOn = next.structures.find((s) => s.id === where)!;
      const services = indexServices(next.services);
      for (const user of next.users)
        for (const grant of usableGrants(user, closedOn, services, day).filter((g) => g.space === closedSpace)) {
          if (service === null) {
            // Closed on the structure: only a grant on a service where the space is still open remains usable.
            expect(grant.serviceId).not.toBeNull();
            expect(services.get(grant.serviceId!)!.openSpaces).toContain(closedSpace);
          } else if (grant.serviceId === service.id) {
            // Closed on this service: usable only because the space is open on the whole structure.
            expect(closedOn.openSpaces).toContain(closedSpace);
          }
        }
    },
  );
});

// ------------------------------------------ (e) no transition changes its inputs

/** Every object reachable from a value that is frozen, sealed or not extensible. */
function lockedParts(value: unknown, path = "$", seen = new Set<object>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const found = Object.isExtensible(value) ? [] : [path];
  const entries: [string, unknown][] = value instanceof Map ? [...value].map(([k, v]) => [`get(${String(k)})`, v]) : Object.entries(value);
  return [...found, ...entries.flatMap(([k, v]) => lockedParts(v, `${path}.${k}`, seen))];
}

/** A deep copy of plain data and Maps (what the transitions are given). */
function copy<T>(value: T): T {
  return structuredClone(value);
}

const itemArb: fc.Arbitrary<SubscriptionItem> = fc.record({
  space: fc.oneof(fc.constantFrom(...SPACES), fc.constant("E_REPORTING" as SpaceCode)),
  serviceId: fc.oneof(fc.constant(null), fc.constantFrom(...ALL_SERVICES), fc.constant(UNKNOWN_SERVICE)),
  access: fc.constantFrom<AccessLevel>("read", "write"),
});
const itemsArb = fc.array(itemArb, { maxLength: 4 });

const requestArb = (userIds: readonly UserId[]): fc.Arbitrary<SubscriptionRequest> =>
  fc
    .record({
      id: fc.constantFrom(subscriptionRequestId("sub-1"), subscriptionRequestId("sub-2")),
      structureId: fc.constantFrom(...STRUCTURES),
      userId: fc.constantFrom(...userIds),
      items: fc.uniqueArray(itemArb, { selector: (i) => `${i.space}|${i.serviceId}`, minLength: 1, maxLength: 4 }),
      status: fc.constantFrom("pending", "pending", "validated", "refused") as fc.Arbitrary<SubscriptionRequest["status"]>,
    })
    .map((r): SubscriptionRequest => {
      const base = { id: r.id, structureId: r.structureId, userId: r.userId, items: r.items, comment: "", createdAt: setupAt };
      if (r.status === "pending") return { ...base, status: "pending" };
      if (r.status === "refused") return { ...base, status: "refused", decidedBy: BOSS, decidedAt: setupAt, managerComment: "" };
      return { ...base, status: "validated", decidedBy: BOSS, decidedAt: setupAt, grantedItems: r.items, scope: "user", managerComment: "" };
    });

const everyone = [BOSS, ...USERS];
const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const scopeArb = fc.constantFrom("user" as const, "services" as const, "structure" as const);


/** One call of a transition of §2 on random (often wrong) arguments: its arguments, and how to run it on them. */
type Call = { readonly name: string; readonly args: unknown[]; readonly run: (args: unknown[]) => Result<unknown, DomainError> };

/**
 * The lines a user could be given in a structure: spaces of the catalogue, for all
 * services or an active service in their scope (or junk: an unknown space or service).
 */
function linesFor(world: World, user: User, structure: Structure, junk: boolean): fc.Arbitrary<SubscriptionItem[]> {
  if (junk) return itemsArb;
  const attachment = attachmentTo(user, structure.id);
  const reachable = world.services
    .filter((x) => x.structureId === structure.id && x.active)
    .filter((x) => attachment?.scope.kind === "structure" || (attachment?.scope.kind === "services" && attachment.scope.serviceIds.includes(x.id)))
    .map((x) => x.id);
  const line = fc.record({
    space: pick(SPACES),
    serviceId: reachable.length === 0 ? fc.constant(null) : fc.oneof(fc.constant(null), pick(reachable)),
    access: fc.constantFrom<AccessLevel>("read", "write"),
  });
  return fc.uniqueArray(line, { selector: (i) => `${i.space}|${i.serviceId}`, minLength: 1, maxLength: 3 });
}

/**
 * One call of a transition of §2: half the time on random arguments (mostly refused),
 * half the time on coherent ones (the boss acting, records that match the command),
 * which a rule of the world may still refuse.
 */
const callArb = (world: World): fc.Arbitrary<Call> => {
  const boss = world.users[0]!;
  const actor = fc.oneof(fc.constant(boss), pick(world.users));
  const user = pick(world.users);
  const member = pick(world.users.slice(1));
  const structure = pick(world.structures);
  const junk = fc.boolean();
  const allServices = indexServices(world.services);
  const someServices = subset(world.services).map((list) => indexServices(list));
  const services = fc.oneof(fc.constant(allServices), someServices);
  const sctx = { now, catalogue: CHORUS_PRO_SPACES };
  const call = <A extends unknown[]>(name: string, args: fc.Arbitrary<A>, run: (...a: A) => Result<unknown, DomainError>): fc.Arbitrary<Call> =>
    args.map((a) => ({ name, args: a, run: (x: unknown[]) => run(...(x as A)) }));
  /** A request of `requester` in `s`: pending and well formed, or anything. */
  const requestOf = (requester: User, s: Structure, j: boolean): fc.Arbitrary<SubscriptionRequest> =>
    j
      ? requestArb(everyone)
      : linesFor(world, requester, s, false).map((items) => ({
          id: subscriptionRequestId("sub-1"),
          structureId: s.id,
          userId: requester.id,
          items,
          comment: "",
          createdAt: setupAt,
          status: "pending" as const,
        }));
  /** A service of `s` (or of anywhere, or none) and the record the rule is given for it. */
  const placeIn = (s: Structure) =>
    fc.oneof(
      fc.constant({ named: null as ServiceId | null, record: null as Service | null }),
      pick(world.services.filter((x) => x.structureId === s.id)).map((x) => ({ named: x.id as ServiceId | null, record: x as Service | null })),
      fc.tuple(fc.option(pick(ALL_SERVICES), { nil: null }), fc.option(pick(world.services), { nil: null })).map(([named, record]) => ({ named, record })),
    );
  const spaceArb = fc.oneof({ weight: 5, arbitrary: pick(SPACES) }, { weight: 1, arbitrary: fc.constant("E_REPORTING" as SpaceCode) });

  return fc.oneof(
    call(
      "requestSubscription",
      fc.tuple(user, structure, services, junk).chain(([u, s, svc, j]) => fc.tuple(fc.constant(u), fc.constant(s), fc.constant(svc), linesFor(world, u, s, j))),
      (u, s, svc, items) => requestSubscription({ user: u, structure: s, services: svc }, { structureId: s.id, items }, { ...sctx, requestId: subscriptionRequestId("sub-new") }),
    ),
    call(
      "validateSubscriptionRequest",
      fc
        .tuple(actor, structure, member, services, junk, fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), scopeArb)
        .chain(([a, s, requester, svc, j, keep, scope]) =>
          requestOf(requester, s, j).map((request) => [a, s, request, requester, svc, keep === undefined ? undefined : request.items.slice(0, keep), scope] as const),
        ),
      (a, s, request, requester, svc, items, scope) =>
        validateSubscriptionRequest(
          { actor: a, structure: s, request, requester, services: svc },
          { requestId: request.id, scope, ...(items === undefined ? {} : { items }) },
          sctx,
        ),
    ),
    call(
      "refuseSubscriptionRequest",
      fc.tuple(actor, structure, member, junk).chain(([a, s, requester, j]) => requestOf(requester, s, j).map((request) => [a, s, request] as const)),
      (a, s, request) => refuseSubscriptionRequest({ actor: a, structure: s, request }, { requestId: request.id, comment: "Non" }, { now }),
    ),
    call(
      "consultSubscriptionRequest",
      fc
        .tuple(actor, structure, member, services, junk)
        .chain(([a, s, requester, svc, j]) => requestOf(requester, s, j).map((request) => [a, s, request, requester, svc] as const)),
      (a, s, request, requester, svc) => consultSubscriptionRequest({ actor: a, structure: s, request, requester, services: svc }, sctx),
    ),
    call(
      "openSpace",
      fc.tuple(actor, structure).chain(([a, s]) => fc.tuple(fc.constant(a), fc.constant(s), placeIn(s), spaceArb)),
      (a, s, place, sp) => openSpace({ actor: a, structure: s, service: place.record }, { structureId: s.id, space: sp, serviceId: place.named }, sctx),
    ),
    call(
      "closeSpace",
      fc.tuple(actor, structure).chain(([a, s]) =>
        fc.tuple(
          fc.constant(a),
          fc.constant(s),
          placeIn(s),
          // Often a space open there (else closing is refused).
          fc.oneof(spaceArb, s.openSpaces.length > 0 ? pick(s.openSpaces) : spaceArb),
        ),
      ),
      (a, s, place, sp) => closeSpace({ actor: a, structure: s, service: place.record }, { structureId: s.id, space: sp, serviceId: place.named }, sctx),
    ),
    call(
      "grantSpaces",
      fc.tuple(actor, structure, user, services, junk).chain(([a, s, u, svc, j]) => fc.tuple(fc.constant(a), fc.constant(s), fc.constant(u), fc.constant(svc), linesFor(world, u, s, j))),
      (a, s, u, svc, items) => {
        // Open every space named where it points half of the time, so that some grants pass.
        const opened = { ...s, openSpaces: [...new Set([...s.openSpaces, ...items.map((i) => i.space)])].sort() };
        return grantSpaces({ actor: a, structure: items.length % 2 === 0 ? s : opened, user: u, services: svc }, { structureId: s.id, userId: u.id, items }, sctx);
      },
    ),
    call(
      "revokeSpaceGrant",
      fc.tuple(actor, structure, user).chain(([a, s, u]) => {
        const held = u.grants.filter((g) => g.structureId === s.id);
        return fc.tuple(fc.constant(a), fc.constant(s), fc.constant(u), held.length === 0 ? grantArb : fc.oneof(grantArb, pick(held)));
      }),
      (a, s, u, g) => revokeSpaceGrant({ actor: a, structure: s, user: u, services: new Map() }, { structureId: s.id, userId: u.id, space: g.space, serviceId: g.serviceId }, { now }),
    ),
  );
};

describe("(e) the transitions of §2 never change what they are given", () => {
  const outcomes = new Map<string, { ok: number; refused: number }>();

  test.prop([worldArb.chain((world) => fc.tuple(fc.constant(world), fc.array(callArb(world), { minLength: 1, maxLength: 6 })))], { numRuns: 200 })(
    "each call succeeds or returns a domain error with a message, and leaves its arguments deep-equal and unfrozen",
    ([, calls]) => {
      for (const { name, args, run } of calls) {
        const given = copy(args);
        const before = copy(args);
        let result: Result<unknown, DomainError> | undefined;
        expect(() => {
          result = run(given);
        }, name).not.toThrow();
        expect(given, name).toStrictEqual(before);
        expect(lockedParts(given), name).toEqual([]);
        const tally = outcomes.get(name) ?? { ok: 0, refused: 0 };
        if (result!.ok) tally.ok++;
        else {
          tally.refused++;
          expect(typeof result!.error.code).toBe("string");
          expect(errorMessage(result!.error)).not.toMatch(/undefined/);
        }
        outcomes.set(name, tally);
      }
    },
  );

  test("the random calls above were both accepted and refused, for every transition (so they test both paths)", () => {
    // Runs after the property in this file (vitest runs a file's tests in order).
    expect([...outcomes.keys()].sort()).toEqual(
      [
        "closeSpace",
        "consultSubscriptionRequest",
        "grantSpaces",
        "openSpace",
        "refuseSubscriptionRequest",
        "requestSubscription",
        "revokeSpaceGrant",
        "validateSubscriptionRequest",
      ].sort(),
    );
    for (const [name, { ok, refused }] of outcomes) {
      expect([name, refused > 0]).toEqual([name, true]);
      expect([name, ok > 0]).toEqual([name, true]);
    }
  });
});

