// A world of three structures whose members overlap, built through the app, and a
// catalogue of every application operation as data, for the reliability properties
// (disclosure, outbox, junk at every operation, store failures). Guide §2 is in it:
// spaces opened on some structures and services, grants, pending subscription requests;
// and the accounts of guide §3 B and §5: two accounts « En cours d'activation »; and the
// transfer of the primary role of guide §6 (transfers, deactivations, reactivations, the
// structures one is primary manager of).
import fc from "fast-check";
import {
  createHabilitations,
  type ChorusProNumbering,
  type DomainError,
  type Habilitations,
  type HabilitationsStore,
  type IdKind,
  type Result,
  type ServiceId,
  type StructureId,
  type UserId,
} from "../../src/index.js";
import { createMemoryStore, type MemoryStore } from "../../src/memory/index.js";

export const START = "2026-11-27T08:00:00.000Z";

export interface World {
  readonly store: MemoryStore;
  readonly app: Habilitations;
  appOver(store: HabilitationsStore, extra?: Partial<Parameters<typeof createHabilitations>[0]>): Habilitations;
  tick(minutes?: number): void;
  setNow(iso: string): void;
  readonly users: Record<"alice" | "victor" | "sam" | "mia" | "noe" | "zoe" | "ivy", UserId>;
  /** Accounts « En cours d'activation »: Hugo, created by Alice for A (attached to nothing); Lou, created by Victor for C and attached to it. */
  readonly pending: Record<"hugo" | "lou", UserId>;
  readonly structures: readonly [StructureId, StructureId, StructureId];
  /** Services per structure. */
  readonly services: ReadonlyMap<StructureId, readonly ServiceId[]>;
  /** Pending requests made while building (by id), with their structure. */
  readonly requests: Map<string, StructureId>;
  /** Pending subscription requests made while building (by id), with their structure. */
  readonly subscriptions: Map<string, StructureId>;
}

/** The number in an id of the world (`structure-2` → 2), or `undefined`. */
const numberIn = (id: string, kind: IdKind): number | undefined => {
  const match = new RegExp(`^${kind}-(\\d+)$`).exec(id);
  return match === null ? undefined : Number(match[1]);
};

/** The world's Chorus Pro numbering, both ways: `structure-2` is structure 2, `service-4` service 4, `user-3` user 3. */
export const WORLD_NUMBERS: ChorusProNumbering = {
  structure: (id) => numberIn(id, "structure"),
  service: (id) => numberIn(id, "service"),
  structureIdOf: (n) => `structure-${n}` as StructureId,
  serviceIdOf: (n) => `service-${n}` as ServiceId,
  userIdOf: (n) => `user-${n}` as UserId,
};

/** The Chorus Pro number of a record of the world. */
export const numberOf = (id: string): number => {
  const n = numberIn(id, "structure") ?? numberIn(id, "service") ?? numberIn(id, "user");
  if (n === undefined) throw new Error(`${id} is not an id of the world`);
  return n;
};

/** The spaces the world uses (Chorus Pro's catalogue, the default). */
export const SPACES = ["FACTURES_EMISES", "FACTURES_RECUES", "FACTURES_A_VALIDER"] as const;

function must<T>(r: Result<T, DomainError>): T {
  if (!r.ok) throw new Error(`setup refused: ${JSON.stringify(r.error)}`);
  return r.value;
}

/**
 * Alice is primary manager of A and B; Victor of C. Sam is secondary manager of A and a
 * simple user of C. Mia is a simple user of A (COMPTA), B and C, and asks for RH in A. Noé has no attachment; Zoé asks
 * to join everything; Ivy is secondary manager of B only.
 * Spaces: « Factures reçues » is open on A, « Factures émises » on A's COMPTA, « Factures
 * reçues » on C's RH. Mia may write « Factures émises » of A's COMPTA and read « Factures
 * reçues » of C's RH. Subscription requests pending: Mia's in A and in C, Sam's in C, Ivy's in B.
 * Accounts « En cours d'activation » (their activation e-mails in the outbox): Hugo,
 * created by Alice for A; Lou, created by Victor for C and attached to C.
 */
export async function buildWorld(): Promise<World> {
  let now = new Date(START);
  const counters = new Map<IdKind, number>();
  const newId = (kind: IdKind) => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${kind}-${n}`;
  };
  // Numbered tokens: two worlds built alike hold the same records, hashes and outbox.
  let tokens = 0;
  const newToken = () => `token-${String(++tokens).padStart(12, "0")}`;
  const store = createMemoryStore();
  const make = (s: HabilitationsStore, extra: Partial<Parameters<typeof createHabilitations>[0]> = {}) =>
    createHabilitations({ store: s, clock: () => now, newId, newToken, chorusProIds: WORLD_NUMBERS, ...extra });
  const app = make(store);
  const register = async (name: string) =>
    must(await app.registerUser({ login: `${name}@example.fr`, lastName: name, firstName: name })).user.id;
  const users = {
    alice: await register("alice"),
    victor: await register("victor"),
    sam: await register("sam"),
    mia: await register("mia"),
    noe: await register("noe"),
    zoe: await register("zoe"),
    ivy: await register("ivy"),
  };
  const create = async (founder: UserId, designation: string) =>
    must(
      await app.createStructure(founder, { designation, kind: "private", identifier: { type: "other", value: designation } }),
    ).structure.id;
  const A = await create(users.alice, "Structure A");
  const B = await create(users.alice, "Structure B");
  const C = await create(users.victor, "Structure C");
  const services = new Map<StructureId, ServiceId[]>();
  for (const [s, manager] of [[A, users.alice], [B, users.alice], [C, users.victor]] as const) {
    const ids: ServiceId[] = [];
    for (const code of ["COMPTA", "RH"]) ids.push(must(await app.addService(manager, { structureId: s, code, label: code })).service.id);
    services.set(s, ids);
  }
  const attach = async (
    manager: UserId,
    s: StructureId,
    userId: UserId,
    role: "user" | "secondaryManager",
    scope: { kind: "structure" } | { kind: "services"; serviceIds: ServiceId[] } = { kind: "structure" },
  ) => must(await app.attachUser(manager, { structureId: s, userId, role, validFrom: "2026-11-27", comment: "ok", scope }));
  await attach(users.alice, A, users.sam, "secondaryManager");
  await attach(users.victor, C, users.sam, "user");
  await attach(users.alice, A, users.mia, "user", { kind: "services", serviceIds: [services.get(A)?.[0] as ServiceId] });
  await attach(users.alice, B, users.mia, "user");
  await attach(users.victor, C, users.mia, "user");
  await attach(users.alice, B, users.ivy, "secondaryManager");
  const requests = new Map<string, StructureId>();
  for (const s of [A, B, C]) {
    const id = must(await app.requestAttachment(users.zoe, { structureId: s, scope: { kind: "structure" }, comment: "Bonjour" })).request.id;
    requests.set(id, s);
  }
  const mias = must(
    await app.requestAttachment(users.mia, { structureId: A, scope: { kind: "services", serviceIds: [services.get(A)?.[1] as ServiceId] } }),
  ).request.id;
  requests.set(mias, A);
  // Looked up with a check: a service id that is not found must fail here, not be sent as
  // `undefined` (which the library refuses: absent, it would mean the whole structure).
  const serviceOf = (s: StructureId, i: number): ServiceId => {
    const id = services.get(s)?.[i];
    if (id === undefined) throw new Error(`no service ${i} in ${s}`);
    return id;
  };
  const compta = serviceOf(A, 0);
  const rhOfC = serviceOf(C, 1);
  must(await app.openSpace(users.alice, { structureId: A, space: "FACTURES_RECUES" }));
  must(await app.openSpace(users.alice, { structureId: A, space: "FACTURES_EMISES", serviceId: compta }));
  must(await app.openSpace(users.victor, { structureId: C, space: "FACTURES_RECUES", serviceId: rhOfC }));
  const granted = (r: Result<{ readonly results: readonly { readonly result: Result<unknown, DomainError> }[] }, DomainError>) =>
    must(r).results.forEach((x) => must(x.result));
  granted(await app.grantSpaces(users.alice, { structureId: A, userIds: [users.mia], items: [{ space: "FACTURES_EMISES", serviceId: compta, access: "write" }] }));
  granted(await app.grantSpaces(users.victor, { structureId: C, userIds: [users.mia], items: [{ space: "FACTURES_RECUES", serviceId: rhOfC, access: "read" }] }));
  const subscriptions = new Map<string, StructureId>();
  for (const [who, s, items] of [
    [users.mia, A, [{ space: "FACTURES_RECUES", access: "read" }]],
    [users.mia, C, [{ space: "FACTURES_EMISES", serviceId: rhOfC, access: "write" }, { space: "FACTURES_RECUES", serviceId: rhOfC, access: "write" }]],
    [users.sam, C, [{ space: "FACTURES_RECUES", access: "read" }]],
    [users.ivy, B, [{ space: "FACTURES_A_VALIDER", access: "write" }]],
  ] as const) {
    const id = must(await app.requestSubscription(who, { structureId: s, items, comment: "Merci" })).request.id;
    subscriptions.set(id, s);
  }
  const hugo = must(await app.createAccount(users.alice, { structureId: A, login: "hugo@example.fr", lastName: "Martin", firstName: "Hugo" })).member.id;
  const lou = must(
    await app.createAccount(users.victor, {
      structureId: C,
      login: "lou@example.fr",
      lastName: "Bernard",
      firstName: "Lou",
      attach: { role: "user", scope: { kind: "structure" }, validFrom: "2026-11-27", comment: "Arrivée" },
    }),
  ).member.id;
  // Mia asks for a new contact address: its confirmation link waits in the outbox.
  must(await app.updateUser(users.mia, { userId: users.mia, changes: { contactEmail: "mia.perso@example.fr" } }));
  return {
    store,
    app,
    appOver: make,
    tick: (minutes = 1) => {
      now = new Date(now.getTime() + minutes * 60_000);
    },
    setNow: (iso) => {
      now = new Date(iso);
    },
    users,
    pending: { hugo, lou },
    structures: [A, B, C],
    services,
    requests,
    subscriptions,
  };
}

/** A command of the catalogue, as data: which operation, by whom, on what. */
export interface Call {
  readonly op: string;
  /** Who acts (for the access query, which has no actor: the user asked about). */
  readonly actor: UserId;
  /** The structure the call concerns (named, or reached through a request or service). */
  readonly structure: StructureId | null;
  /** The id given, for a call that reaches its structure through a record's id. */
  readonly id?: string;
  /** For a bulk call: each item's id and structure, in order. */
  readonly items?: readonly (readonly [id: string, structure: StructureId])[];
  /** For an act on users (with `structure`, the one the actor acts for): the users named, in order. */
  readonly users?: readonly UserId[];
  /** For a transfer or a deactivation (guide §6): the structures it names, in order. */
  readonly named?: readonly StructureId[];
  readonly run: (app: Habilitations) => Promise<Result<unknown, DomainError>>;
}

/**
 * Random calls of every operation, with ids drawn from the whole world (other structures
 * included): the operations of attachments and services, and those of guide §2, about as
 * often each.
 */
export function callArb(w: World): fc.Arbitrary<Call> {
  return fc.oneof(
    { arbitrary: membershipCalls(w), weight: 13 },
    { arbitrary: subscriptionCalls(w), weight: 12 },
    { arbitrary: accountCalls(w), weight: 7 },
    { arbitrary: transferCalls(w), weight: 4 },
    { arbitrary: chorusProCalls(w), weight: 4 },
  );
}

/** The Chorus Pro number a call gives for a structure of the world (999: one nobody has). */
export const chorusProNumberOf = (s: StructureId): number => (s === UNKNOWN_STRUCTURE ? 999 : numberOf(s));

/** The Chorus Pro queries, by name. */
export const CHORUS_PRO_QUERIES = [
  "chorusProRechercherStructure",
  "chorusProConsulterStructure",
  "chorusProConsulterServiceStructure",
  "chorusProRechercherServicesStructure",
  "chorusProListerRattachementsUtilisateur",
  "chorusProRechercherEspaces",
] as const;

/**
 * One Chorus Pro query (issue 21) by `actor` on structure `s` (by number; 999 for
 * {@link UNKNOWN_STRUCTURE}): for a service, `service`; for attachment rows, those of
 * `user` (by login or by number; absent: the actor's own, naming nobody).
 */
export function chorusProCall(
  w: World,
  op: (typeof CHORUS_PRO_QUERIES)[number],
  actor: UserId,
  s: StructureId,
  options: { readonly service?: string; readonly user?: UserId; readonly byLogin?: boolean } = {},
): Call {
  const n = chorusProNumberOf(s);
  const { user, service = "service-999", byLogin = false } = options;
  const login = [...Object.entries(w.users), ...Object.entries(w.pending)].find(([, id]) => id === user)?.[0];
  const who =
    user === undefined ? {} : byLogin ? { adresseEmailConnexionUtilisateur: `${login ?? "personne"}@example.fr` } : { idUtilisateur: user === UNKNOWN_USER ? 999 : numberOf(user) };
  const run: Record<(typeof CHORUS_PRO_QUERIES)[number], (app: Habilitations) => Promise<Result<unknown, DomainError>>> = {
    chorusProRechercherStructure: (app) => app.chorusProRechercherStructure(actor, {}),
    chorusProConsulterStructure: (app) => app.chorusProConsulterStructure(actor, { idStructureCPP: n }),
    chorusProConsulterServiceStructure: (app) => app.chorusProConsulterServiceStructure(actor, { idStructure: n, idService: numberOf(service) }),
    chorusProRechercherServicesStructure: (app) => app.chorusProRechercherServicesStructure(actor, { idStructure: n }),
    chorusProListerRattachementsUtilisateur: (app) => app.chorusProListerRattachementsUtilisateur(actor, { idStructure: n, ...who }),
    chorusProRechercherEspaces: (app) => app.chorusProRechercherEspaces(actor, { structure: { idStructure: n } }),
  };
  return { op, actor, structure: s, id: String(n), users: [user ?? actor], run: run[op] };
}

/** The Chorus Pro queries on every structure (the actor's, another's, one nobody has); the rows of the actor or of anyone. */
function chorusProCalls(w: World): fc.Arbitrary<Call> {
  return fc
    .record({
      op: fc.constantFrom(...CHORUS_PRO_QUERIES),
      a: fc.constantFrom(...Object.values(w.users)),
      s: fc.constantFrom(...w.structures, UNKNOWN_STRUCTURE),
      service: fc.constantFrom(...[...w.services.values()].flat(), "service-999"),
      user: fc.option(fc.constantFrom(...Object.values(w.users), ...Object.values(w.pending), UNKNOWN_USER), { nil: undefined }),
      byLogin: fc.boolean(),
    })
    .map(({ op, a, s, service, user, byLogin }) => chorusProCall(w, op, a, s, { service, ...(user === undefined ? {} : { user }), byLogin }));
}

/** A structure id no record has. */
export const UNKNOWN_STRUCTURE = "structure-unknown" as StructureId;

/**
 * The calls of guide §6: transfers (one successor for all, or one each) and deactivations
 * naming structures of every kind (the actor's, another's, one nobody has) and successors
 * of every kind (active, « En cours d'activation », unknown, the actor); reactivations; the
 * structures one is primary manager of.
 */
function transferCalls(w: World): fc.Arbitrary<Call> {
  const actor = fc.constantFrom(...Object.values(w.users));
  const structure = fc.constantFrom(...w.structures, UNKNOWN_STRUCTURE);
  const successor = fc.constantFrom(...Object.values(w.users), ...Object.values(w.pending), UNKNOWN_USER);
  const lines = (minLength: number) =>
    fc.uniqueArray(fc.record({ structureId: structure, successorId: successor }), { minLength, maxLength: 3, selector: (l) => l.structureId });
  return fc.oneof(
    fc.record({ a: actor, ss: fc.uniqueArray(structure, { minLength: 1, maxLength: 3 }), u: successor }).map(({ a, ss, u }): Call => ({
      op: "transferPrimaryRole",
      actor: a,
      structure: null,
      named: ss,
      run: (app) => app.transferPrimaryRole(a, { structureIds: ss, successorId: u }),
    })),
    fc.record({ a: actor, ts: lines(1) }).map(({ a, ts }): Call => ({
      op: "transferPrimaryRole",
      actor: a,
      structure: null,
      named: ts.map((t) => t.structureId),
      run: (app) => app.transferPrimaryRole(a, { transfers: ts }),
    })),
    fc.record({ a: actor, u: successor }).map(({ a, u }): Call => ({
      op: "deactivateAccount",
      actor: a,
      structure: null,
      named: [],
      run: (app) => app.deactivateAccount(a, { successorId: u }),
    })),
    fc.record({ a: actor, ts: lines(0) }).map(({ a, ts }): Call => ({
      op: "deactivateAccount",
      actor: a,
      structure: null,
      named: ts.map((t) => t.structureId),
      run: (app) => app.deactivateAccount(a, { transfers: ts }),
    })),
    actor.map((a): Call => ({ op: "reactivateAccount", actor: a, structure: null, run: (app) => app.reactivateAccount(a) })),
    actor.map((a): Call => ({ op: "listPrimaryStructures", actor: a, structure: null, run: (app) => app.listPrimaryStructures(a) })),
  );
}

/** An id no record has. */
export const UNKNOWN_USER = "user-unknown" as UserId;

/** The newest activation token the outbox holds for a user (what their last e-mail carried), if any. */
export function newestToken(w: World, user: string): string | undefined {
  const emails = w.store.snapshot().outbox.filter((e) => e.type === "ActivationEmailRequested" && e.userId === user);
  const last = emails.at(-1);
  return last?.type === "ActivationEmailRequested" ? last.token : undefined;
}

/** The newest contact confirmation token the outbox holds for a user, if any. */
export function newestContactToken(w: World, user: string): string | undefined {
  const emails = w.store.snapshot().outbox.filter((e) => e.type === "ContactEmailConfirmationRequested" && e.userId === user);
  const last = emails.at(-1);
  return last?.type === "ContactEmailConfirmationRequested" ? last.token : undefined;
}

/** The calls of accounts (guide §3 B and §5), on users of every structure, and ids nobody has. */
function accountCalls(w: World): fc.Arbitrary<Call> {
  const actor = fc.constantFrom(...Object.values(w.users));
  const structure = fc.constantFrom(...w.structures);
  const someone = fc.constantFrom(...Object.values(w.users), ...Object.values(w.pending), UNKNOWN_USER);
  const login = fc.constantFrom("nouveau@example.fr", "Hugo@Example.fr", "mia@example.fr", "autre@example.fr");
  const names = { lastName: "Nouveau", firstName: "Compte" };
  const attach = { role: "user" as const, scope: { kind: "structure" as const }, validFrom: "2026-11-27", comment: "Arrivée" };
  return fc.oneof(
    fc.record({ a: actor, s: structure, l: login, attached: fc.boolean() }).map(({ a, s, l, attached }): Call => ({
      op: "createAccount",
      actor: a,
      structure: s,
      run: (app) => app.createAccount(a, { structureId: s, login: l, ...names, ...(attached ? { attach } : {}) }),
    })),
    login.map((l): Call => ({
      op: "registerAccount",
      actor: w.users.noe,
      structure: null,
      run: (app) => app.registerAccount({ login: l, ...names }),
    })),
    fc.record({ a: actor, s: structure, us: fc.uniqueArray(someone, { minLength: 1, maxLength: 3 }) }).map(({ a, s, us }): Call => ({
      op: "sendActivationEmails",
      actor: a,
      structure: s,
      users: us,
      run: (app) => app.sendActivationEmails(a, { structureId: s, userIds: us }),
    })),
    // The newest token of the user's last e-mail (when there is one), or one nobody was sent.
    fc.record({ u: someone, newest: fc.boolean() }).map(({ u, newest }): Call => ({
      op: "activateAccount",
      actor: u,
      structure: null,
      run: (app) => app.activateAccount({ userId: u, token: (newest ? newestToken(w, u) : undefined) ?? "jeton-jamais-envoye-0000" }),
    })),
    // (A few phone numbers, so that a change often changes something.)
    fc.record({ a: actor, s: structure, u: someone, phone: fc.constantFrom("+33 4 72 10 30 30", "04 72 10 30 31", "+33 1 23 45 67 89") }).map(({ a, s, u, phone }): Call => ({
      op: "updateUser",
      actor: a,
      structure: s,
      users: [u],
      run: (app) => app.updateUser(a, { userId: u, structureId: s, changes: { phone } }),
    })),
    fc.record({ a: actor, s: structure, u: someone }).map(({ a, s, u }): Call => ({
      op: "getPersonalInformation",
      actor: a,
      structure: s,
      users: [u],
      run: (app) => app.getPersonalInformation(a, { userId: u, structureId: s }),
    })),
    fc.record({ a: actor, s: structure, u: someone }).map(({ a, s, u }): Call => ({
      op: "listUserStructures",
      actor: a,
      structure: s,
      users: [u],
      run: (app) => app.listUserStructures(a, { userId: u, structureId: s }),
    })),
  );
}

/** The calls of attachment requests, members and services. */
function membershipCalls(w: World): fc.Arbitrary<Call> {
  const actor = fc.constantFrom(...Object.values(w.users));
  const structure = fc.constantFrom(...w.structures);
  const allServices = [...w.services.entries()].flatMap(([s, ids]) => ids.map((id) => [s, id] as const));
  const service = fc.constantFrom(...allServices);
  const request = fc.constantFrom(...w.requests.entries());
  const user = fc.constantFrom(...Object.values(w.users));
  const role = fc.constantFrom("user" as const, "secondaryManager" as const);
  const scopeIn = (s: StructureId) =>
    fc.oneof(
      fc.constant({ kind: "structure" as const }),
      fc.subarray(allServices.map(([, id]) => id), { minLength: 1 }).map((ids) => ({ kind: "services" as const, serviceIds: ids })),
      fc.constant({ kind: "services" as const, serviceIds: [...(w.services.get(s) ?? [])] }),
    );
  return fc.oneof(
    fc.record({ a: actor, s: structure }).chain(({ a, s }) =>
      scopeIn(s).map((scope): Call => ({
        op: "requestAttachment",
        actor: a,
        structure: s,
        run: (app) => app.requestAttachment(a, { structureId: s, scope, comment: "?" }),
      })),
    ),
    fc.record({ a: actor, r: request, role: fc.option(role, { nil: undefined }) }).map(({ a, r: [id, s], role: ro }): Call => ({
      op: "validateAttachmentRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.validateAttachmentRequest(a, ro === undefined ? { requestId: id } : { requestId: id, role: ro }),
    })),
    fc.record({ a: actor, r: request }).map(({ a, r: [id, s] }): Call => ({
      op: "refuseAttachmentRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.refuseAttachmentRequest(a, { requestId: id, reason: "Non" }),
    })),
    fc.record({ a: actor, r: request }).map(({ a, r: [id, s] }): Call => ({
      op: "consultAttachmentRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.consultAttachmentRequest(a, { requestId: id }),
    })),
    fc.record({ a: actor, rs: fc.subarray([...w.requests.entries()], { minLength: 1 }) }).map(({ a, rs }): Call => ({
      op: "validateAttachmentRequests",
      actor: a,
      structure: null,
      items: rs,
      run: (app) => app.validateAttachmentRequests(a, { items: rs.map(([id]) => ({ requestId: id })) }),
    })),
    fc.record({ a: actor, s: structure, u: user, role }).chain(({ a, s, u, role: ro }) =>
      scopeIn(s).map((scope): Call => ({
        op: "attachUser",
        actor: a,
        structure: s,
        run: (app) => app.attachUser(a, { structureId: s, userId: u, role: ro, validFrom: "2026-11-27", comment: "Renfort", scope }),
      })),
    ),
    fc.record({ a: actor, s: structure, u: user, role }).map(({ a, s, u, role: ro }): Call => ({
      op: "changeMemberRole",
      actor: a,
      structure: s,
      run: (app) => app.changeMemberRole(a, { structureId: s, userId: u, role: ro }),
    })),
    fc.record({ a: actor, s: structure, u: user }).map(({ a, s, u }): Call => ({
      op: "removeAttachment",
      actor: a,
      structure: s,
      run: (app) => app.removeAttachment(a, { structureId: s, userId: u }),
    })),
    fc.record({ a: actor, s: structure }).map(({ a, s }): Call => ({
      op: "addService",
      actor: a,
      structure: s,
      run: (app) => app.addService(a, { structureId: s, code: "NEW", label: "Nouveau" }),
    })),
    fc.record({ a: actor, sv: service }).map(({ a, sv: [s, id] }): Call => ({
      op: "renameService",
      actor: a,
      structure: s,
      id,
      run: (app) => app.renameService(a, { serviceId: id, label: "Renommé" }),
    })),
    fc.record({ a: actor, sv: service }).map(({ a, sv: [s, id] }): Call => ({
      op: "deactivateService",
      actor: a,
      structure: s,
      id,
      run: (app) => app.deactivateService(a, { serviceId: id }),
    })),
    fc.record({ a: actor, s: structure }).map(({ a, s }): Call => ({
      op: "listMembers",
      actor: a,
      structure: s,
      run: (app) => app.listMembers(a, { structureId: s, limit: 50 }),
    })),
    fc.record({ a: actor, s: structure }).map(({ a, s }): Call => ({
      op: "readHistory",
      actor: a,
      structure: s,
      run: (app) => app.readHistory(a, { structureId: s, limit: 50 }),
    })),
  );
}

/** The calls of guide §2, with ids drawn from every structure. */
function subscriptionCalls(w: World): fc.Arbitrary<Call> {
  const actor = fc.constantFrom(...Object.values(w.users));
  const structure = fc.constantFrom(...w.structures);
  const user = fc.constantFrom(...Object.values(w.users));
  const allServices = [...w.services.values()].flat();
  const subscription = fc.constantFrom(...w.subscriptions.entries());
  const space = fc.constantFrom(...SPACES);
  const serviceId = fc.option(fc.constantFrom(...allServices), { nil: undefined });
  // Lines mostly on the structure's own services (or all of them), now and then another's.
  const serviceIn = (s: StructureId) =>
    fc.oneof({ arbitrary: fc.option(fc.constantFrom(...(w.services.get(s) ?? [])), { nil: undefined }), weight: 4 }, { arbitrary: serviceId, weight: 1 });
  const lines = (s: StructureId) =>
    fc.uniqueArray(
      fc
        .record({ space, serviceId: serviceIn(s), access: fc.constantFrom("read" as const, "write" as const) })
        .map(({ serviceId: sv, ...rest }) => (sv === undefined ? rest : { ...rest, serviceId: sv })),
      { minLength: 1, maxLength: 3, selector: (l) => `${l.space}|${"serviceId" in l ? l.serviceId : ""}` },
    );
  const scope = fc.constantFrom("user" as const, "services" as const, "structure" as const);
  const onService = (sv: string | undefined) => (sv === undefined ? {} : { serviceId: sv });
  return fc.oneof(
    fc.record({ a: actor, s: structure }).chain(({ a, s }) => lines(s).map((is): Call => ({
      op: "requestSubscription",
      actor: a,
      structure: s,
      run: (app) => app.requestSubscription(a, { structureId: s, items: is, comment: "Pour mon travail" }),
    }))),
    fc.record({ a: actor, r: subscription, sc: scope }).map(({ a, r: [id, s], sc }): Call => ({
      op: "validateSubscriptionRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.validateSubscriptionRequest(a, { requestId: id, scope: sc, comment: "Accordé" }),
    })),
    fc.record({ a: actor, r: subscription }).map(({ a, r: [id, s] }): Call => ({
      op: "refuseSubscriptionRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.refuseSubscriptionRequest(a, { requestId: id, comment: "Non" }),
    })),
    fc.record({ a: actor, r: subscription }).map(({ a, r: [id, s] }): Call => ({
      op: "consultSubscriptionRequest",
      actor: a,
      structure: s,
      id,
      run: (app) => app.consultSubscriptionRequest(a, { requestId: id }),
    })),
    fc.record({ a: actor, rs: fc.subarray([...w.subscriptions.entries()], { minLength: 1 }), sc: scope }).map(({ a, rs, sc }): Call => ({
      op: "validateSubscriptionRequests",
      actor: a,
      structure: null,
      items: rs,
      run: (app) => app.validateSubscriptionRequests(a, { items: rs.map(([id]) => ({ requestId: id, scope: sc })) }),
    })),
    fc.record({ a: actor, rs: fc.subarray([...w.subscriptions.entries()], { minLength: 1 }) }).map(({ a, rs }): Call => ({
      op: "refuseSubscriptionRequests",
      actor: a,
      structure: null,
      items: rs,
      run: (app) => app.refuseSubscriptionRequests(a, { requestIds: rs.map(([id]) => id), comment: "Non" }),
    })),
    actor.map((a): Call => ({
      op: "listPendingSubscriptionRequests",
      actor: a,
      structure: null,
      run: (app) => app.listPendingSubscriptionRequests(a, { limit: 50 }),
    })),
    fc.record({ a: actor, s: structure, sp: space, sv: serviceId, open: fc.boolean() }).map(({ a, s, sp, sv, open }): Call => ({
      op: open ? "openSpace" : "closeSpace",
      actor: a,
      structure: s,
      run: (app) => {
        const input = { structureId: s, space: sp, ...onService(sv) };
        return open ? app.openSpace(a, input) : app.closeSpace(a, input);
      },
    })),
    fc.record({ a: actor, s: structure, us: fc.uniqueArray(user, { minLength: 1, maxLength: 3 }) }).chain(({ a, s, us }) =>
      lines(s).map((is): Call => ({
        op: "grantSpaces",
        actor: a,
        structure: s,
        run: (app) => app.grantSpaces(a, { structureId: s, userIds: us, items: is, comment: "Renfort" }),
      })),
    ),
    fc.record({ a: actor, s: structure, u: user, sp: space }).chain(({ a, s, u, sp }) => serviceIn(s).map((sv): Call => ({
      op: "revokeSpaceGrant",
      actor: a,
      structure: s,
      run: (app) => app.revokeSpaceGrant(a, { structureId: s, userId: u, space: sp, ...onService(sv) }),
    }))),
    fc.record({ a: actor, s: structure, u: user }).map(({ a, s, u }): Call => ({
      op: "listMemberGrants",
      actor: a,
      structure: s,
      run: (app) => app.listMemberGrants(a, { structureId: s, userId: u }),
    })),
    fc.record({ u: user, s: structure, sp: space, sv: serviceId, access: fc.constantFrom("read" as const, "write" as const) }).map(({ u, s, sp, sv, access }): Call => ({
      op: "mayAccess",
      actor: u,
      structure: s,
      run: (app) => app.mayAccess({ userId: u, structureId: s, space: sp, access, ...onService(sv) }),
    })),
  );
}

/** Every structure id found anywhere in a value (strings equal to a known structure id). */
export function structureIdsIn(value: unknown, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      if (known.has(v)) found.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}
