// The application-layer test harness: an app over a fresh memory store, with a fixed,
// movable clock and deterministic ids, and the guide's cast seeded *through the app*.
import { expect } from "vitest";
import {
  createHabilitations,
  errorMessage,
  type AttachmentRequestId,
  type AttachmentScope,
  type DomainError,
  type DomainErrorCode,
  type DomainErrorOf,
  type ForbiddenReason,
  type Habilitations,
  type HabilitationsOptions,
  type HabilitationsStore,
  type HistoryEntry,
  type IdKind,
  type RecordedEvent,
  type Result,
  type ServiceId,
  type StructureId,
  type SubscriptionRequestId,
  type UserId,
} from "../../src/index.js";
import { createMemoryStore, type MemoryStore, type MemoryStoreSnapshot } from "../../src/memory/index.js";

/** When every harness starts: the guide's manager opens the screen. */
export const START = "2026-11-27T08:00:00.000Z";
/** The calendar date of {@link START} in Paris (the default `today` is the Europe/Paris date). */
export const TODAY = "2026-11-27";
export const YESTERDAY = "2026-11-26";
export const TOMORROW = "2026-11-28";

const prefix: Record<IdKind, string> = {
  structure: "str",
  service: "svc",
  user: "usr",
  attachmentRequest: "req",
  subscriptionRequest: "sub",
  event: "evt",
};

/** The options of an app the harness makes, beside its store, clock and ids. */
export type AppOptions = Omit<HabilitationsOptions, "store" | "clock" | "newId">;

export interface Harness {
  /** The memory store every app of this harness shares (directly or behind a proxy). */
  readonly store: MemoryStore;
  /** The app over {@link store}. */
  readonly app: Habilitations;
  /** Another app sharing the clock and ids, over another store (a proxy of {@link store}). */
  appOver(store: HabilitationsStore, options?: AppOptions): Habilitations;
  /** The current instant of the fixed clock. */
  now(): Date;
  /** Sets the clock. */
  setNow(iso: string): void;
  /** Moves the clock forward. */
  tick(minutes?: number): void;
  snapshot(): MemoryStoreSnapshot;
}

/** A fresh memory store and an app over it, with a fixed clock and readable, sortable ids. */
export function createHarness(options: { readonly maxAttempts?: number } = {}): Harness {
  let now = new Date(START);
  const counters = new Map<IdKind, number>();
  const newId = (kind: IdKind) => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${prefix[kind]}-${String(n).padStart(3, "0")}`;
  };
  const clock = () => now;
  const store = createMemoryStore();
  const make = (s: HabilitationsStore, o: AppOptions = {}) => createHabilitations({ ...o, store: s, clock, newId });
  return {
    store,
    app: make(store, options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    appOver: (s, o = {}) => make(s, o),
    now: () => now,
    setNow: (iso) => {
      now = new Date(iso);
    },
    tick: (minutes = 1) => {
      now = new Date(now.getTime() + minutes * 60_000);
    },
    snapshot: () => store.snapshot(),
  };
}

// ------------------------------------------------------------------- untyped bodies

/** A function with every parameter `unknown` (their number and optionality kept). */
type UntypedOperation<F> = F extends (...args: infer P) => infer R ? (...args: { [I in keyof P]: unknown }) => R : F;

/**
 * Every operation of `T` with its parameters `unknown`: what an HTTP host holds before the
 * run-time parse (a JSON body, a query, the actor its authentication gave).
 */
export type Untyped<T> = { readonly [K in keyof T]: UntypedOperation<T[K]> };

/**
 * The app as a host passing untyped bodies sees it: for the junk and bad-input tests, which
 * give wrong things on purpose (the run-time parse, not the compiler, must refuse them).
 */
export const untyped = (app: Habilitations): Untyped<Habilitations> => app as unknown as Untyped<Habilitations>;

// ----------------------------------------------------------------------- assertions

/** The value of a successful result; fails the test with the French message otherwise. */
export function must<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${errorMessage(result.error)}`);
  return result.value;
}

/** Asserts a result failed with `code`, and returns the error narrowed. */
export function expectErr<C extends DomainErrorCode>(result: Result<unknown, DomainError>, code: C): DomainErrorOf<C> {
  if (result.ok) throw new Error(`expected ${code}, got success`);
  expect(result.error.code, errorMessage(result.error)).toBe(code);
  return result.error as DomainErrorOf<C>;
}

/**
 * Runs an operation that must be refused with `code`, and asserts the store is exactly
 * as it was before (a refused command changes nothing).
 */
export async function expectRefused<C extends DomainErrorCode>(
  h: Harness,
  run: () => Promise<Result<unknown, DomainError>>,
  code: C,
): Promise<DomainErrorOf<C>> {
  const before = h.snapshot();
  const result = await run();
  const error = expectErr(result, code);
  expect(h.snapshot()).toEqual(before);
  return error;
}

/** Asserts a `VALIDATION` refusal listing at least one issue, and nothing changed. */
export async function expectInvalid(h: Harness, run: () => Promise<Result<unknown, DomainError>>) {
  const error = await expectRefused(h, run, "VALIDATION");
  expect(error.issues.length).toBeGreaterThan(0);
  return error;
}

/** Asserts a `FORBIDDEN` refusal with this actor and reason, and nothing changed. */
export async function expectForbidden(
  h: Harness,
  run: () => Promise<Result<unknown, DomainError>>,
  actorId: UserId,
  reason: ForbiddenReason,
  structureId?: StructureId,
) {
  const error = await expectRefused(h, run, "FORBIDDEN");
  expect(error.actorId).toBe(actorId);
  expect(error.reason).toBe(reason);
  if (structureId !== undefined) expect(error.structureId).toBe(structureId);
  return error;
}

/** Asserts a `NOT_FOUND` refusal naming this entity and id, and nothing changed. */
export async function expectNotFound(
  h: Harness,
  run: () => Promise<Result<unknown, DomainError>>,
  entity: DomainErrorOf<"NOT_FOUND">["entity"],
  id: string,
) {
  const error = await expectRefused(h, run, "NOT_FOUND");
  expect(error).toEqual({ code: "NOT_FOUND", entity, id });
  return error;
}

/**
 * Asserts an act reached through a record's id (a request, a service) is refused to
 * someone who may not manage that record's structure with `NOT_FOUND` naming exactly
 * the id they gave, the same error as for an id that exists nowhere, and nothing
 * changed: they cannot tell one from the other.
 */
export async function expectHidden(
  h: Harness,
  run: (id: string) => Promise<Result<unknown, DomainError>>,
  entity: "attachmentRequest" | "service" | "subscriptionRequest",
  id: string,
) {
  const error = await expectNotFound(h, () => run(id), entity, id);
  const unknown = await expectNotFound(h, () => run(UNKNOWN), entity, UNKNOWN);
  expect({ ...error, id: UNKNOWN }).toEqual(unknown);
  return error;
}

/** Asserts that a value, and everything reachable from it, is frozen. */
export function expectDeepFrozen(value: unknown, path = "outcome"): void {
  if (typeof value !== "object" || value === null) return;
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
  for (const [key, part] of Object.entries(value)) expectDeepFrozen(part, `${path}.${key}`);
}

/** Asserts a bulk outcome is frozen in every part a caller reaches, results and errors included. */
export function expectBulkFrozen(outcome: {
  readonly results: readonly { readonly result: { readonly ok: boolean } }[];
  readonly events: readonly unknown[];
}): void {
  expectDeepFrozen(outcome, "bulk outcome");
}

/** Every string (values and keys) in plain data, deeply. */
function stringsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") into.add(value);
  else if (typeof value === "object" && value !== null)
    for (const [key, part] of Object.entries(value)) {
      into.add(key);
      stringsIn(part, into);
    }
  return into;
}

/**
 * Asserts that `value` (an outcome of a manager act on `structureId`) names no other
 * structure nor any service of another structure, as the store holds them now.
 */
export function expectDisclosesOnly(h: Harness, structureId: StructureId, value: unknown): void {
  const snap = h.snapshot();
  const foreign = new Set<string>([
    ...snap.structures.map((s) => s.value.id as string).filter((id) => id !== structureId),
    ...snap.services.filter((s) => s.value.structureId !== structureId).map((s) => s.value.id as string),
  ]);
  const leaked = [...stringsIn(value)].filter((s) => foreign.has(s));
  expect(leaked, `ids of other structures in what a manager of ${structureId} got`).toEqual([]);
}

/** The id the harness gives the `n`-th event (1-based). */
export const eventId = (n: number) => `evt-${String(n).padStart(3, "0")}`;

/**
 * Asserts the events a successful command returned are exactly the ones saved in the
 * outbox since `before`, with their ids: the next ones the harness makes (when every
 * event made so far was saved).
 */
export function expectEventsSaved(h: Harness, before: MemoryStoreSnapshot, returned: readonly RecordedEvent[]) {
  expect(h.snapshot().outbox.slice(before.outbox.length)).toEqual(returned);
  expect(h.snapshot().outbox.slice(0, before.outbox.length)).toEqual(before.outbox);
  expect(returned.map((e) => e.id)).toEqual(returned.map((_e, i) => eventId(before.outbox.length + 1 + i)));
}

/**
 * Asserts that the entries a successful command returned are exactly the ones appended
 * to the store since `before`, numbered by the global sequence (contiguous, increasing).
 */
export function expectAppended(h: Harness, before: MemoryStoreSnapshot, returned: readonly HistoryEntry[]) {
  const after = h.snapshot().history;
  expect(after.slice(before.history.length)).toEqual(returned);
  returned.forEach((entry, i) => expect(entry.sequence).toBe(before.history.length + 1 + i));
}

/** Junk that no operation taking an object accepts. */
export const JUNK_INPUTS: readonly [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["42", 42],
  ["a string", "structure"],
  ["an array", []],
  ["{}", {}],
];

/** Junk actors: not a user id at all. */
export const JUNK_ACTORS: readonly [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["42", 42],
  ["an empty string", ""],
  ["{}", {}],
];

/** An id nothing in the store has. */
export const UNKNOWN = "nope-404";

// ---------------------------------------------------------------------------- writes

/** Deactivates an account by committing straight to the store (no app operation does it yet). */
export async function deactivate(h: Harness, id: UserId): Promise<void> {
  const row = await h.store.getUser(id);
  if (row === null) throw new Error(`no user ${id}`);
  const committed = await h.store.commit({
    writes: [{ kind: "user", value: { ...row.value, status: "deactivated" }, expectedVersion: row.version }],
    reads: [],
    history: [],
    events: [],
  });
  if (!committed.ok) throw new Error(`could not deactivate ${id}: ${committed.error.code}`);
}

/** The store's current record of a user. */
export async function userRow(h: Harness, id: UserId) {
  const row = await h.store.getUser(id);
  if (row === null) throw new Error(`no user ${id}`);
  return row;
}

/** The store's current record of a request. */
export async function requestRow(h: Harness, id: AttachmentRequestId) {
  const row = await h.store.getAttachmentRequest(id);
  if (row === null) throw new Error(`no request ${id}`);
  return row;
}

/** The store's current record of a subscription request. */
export async function subscriptionRow(h: Harness, id: SubscriptionRequestId) {
  const row = (await h.store.getAggregates({ subscriptionRequest: [id] })).subscriptionRequest[0];
  if (row === undefined) throw new Error(`no subscription request ${id}`);
  return row;
}

/** The store's current record of a structure. */
export async function structureRow(h: Harness, id: StructureId) {
  const row = await h.store.getStructure(id);
  if (row === null) throw new Error(`no structure ${id}`);
  return row;
}

/** The store's current record of a service. */
export async function serviceRow(h: Harness, id: ServiceId) {
  const row = await h.store.getService(id);
  if (row === null) throw new Error(`no service ${id}`);
  return row;
}

// ---------------------------------------------------------------------- the guide

export interface Guide {
  /** Primary manager of the bookshop and of the town hall (she created both). */
  readonly alice: UserId;
  /** Secondary manager of the town hall, whole structure, in force today. */
  readonly bruno: UserId;
  /** Simple user of the town hall on COMPTA. */
  readonly chloe: UserId;
  /** Simple user of the bookshop (whole structure). */
  readonly david: UserId;
  /** No attachment: she asks. */
  readonly elodie: UserId;
  /** No attachment: he asks. */
  readonly farid: UserId;
  /** Primary manager of ACME, another structure, and of nothing of Alice's. */
  readonly victor: UserId;
  /** Secondary manager of the town hall and the bookshop, account deactivated. */
  readonly denis: UserId;
  /** Secondary manager of the town hall and the bookshop from tomorrow only. */
  readonly hugo: UserId;
  /** « Librairie Dupont »: a structure without services. */
  readonly bookshop: StructureId;
  /** « Mairie de Lyon »: a structure with four services. */
  readonly townHall: StructureId;
  /** « ACME Industrie »: Victor's, with one service VENTES. */
  readonly acme: StructureId;
  readonly achats: ServiceId;
  readonly compta: ServiceId;
  readonly paie: ServiceId;
  readonly rh: ServiceId;
  readonly ventes: ServiceId;
}

/**
 * The actors who may not manage the town hall (nor the bookshop), by their key in
 * {@link Guide}, with the reason each gets `FORBIDDEN` for an act naming the structure.
 * For acts reached through a request or a service id they get `NOT_FOUND` instead,
 * exactly as for an unknown id. For `it.each`.
 */
export const FORBIDDEN_ACTORS: readonly (readonly [string, keyof Guide & ("chloe" | "elodie" | "victor" | "denis" | "hugo"), ForbiddenReason])[] = [
  ["a simple user of the structure", "chloe", "notAManager"],
  ["a user with no attachment", "elodie", "notAManager"],
  ["the manager of another structure", "victor", "notAManager"],
  ["a deactivated secondary manager", "denis", "accountNotActive"],
  ["a secondary manager not in force yet", "hugo", "attachmentNotInForce"],
];

export const services = (...ids: ServiceId[]): AttachmentScope => ({ kind: "services", serviceIds: ids });
export const WHOLE: AttachmentScope = { kind: "structure" };

/**
 * Seeds the guide's cast through the app: users registered, the two structures of
 * Alice (one without services, one with ACHATS/COMPTA/PAIE/RH), Victor's ACME, a
 * secondary manager, simple users, a deactivated manager and a manager not yet in force.
 * The clock is left where it was (the seed does not move it).
 */
export async function seedGuide(h: Harness): Promise<Guide> {
  const { app } = h;
  const register = async (login: string, firstName: string, lastName: string) =>
    must(await app.registerUser({ login, firstName, lastName })).user.id;

  const alice = await register("alice.martin@mairie-lyon.fr", "Alice", "Martin");
  const bruno = await register("bruno.petit@mairie-lyon.fr", "Bruno", "Petit");
  const chloe = await register("chloe.durand@mairie-lyon.fr", "Chloé", "Durand");
  const david = await register("david.moreau@librairie-dupont.fr", "David", "Moreau");
  const elodie = await register("elodie.lefevre@mairie-lyon.fr", "Élodie", "Lefèvre");
  const farid = await register("farid.benali@example.fr", "Farid", "Benali");
  const victor = await register("victor.hugo@acme.fr", "Victor", "Hugo");
  const denis = await register("denis.roux@mairie-lyon.fr", "Denis", "Roux");
  const hugo = await register("hugo.blanc@mairie-lyon.fr", "Hugo", "Blanc");

  const bookshop = must(
    await app.createStructure(alice, {
      designation: "Librairie Dupont",
      kind: "private",
      identifier: { type: "siret", value: "552 421 622 00010" },
    }),
  ).structure.id;
  const townHall = must(
    await app.createStructure(alice, {
      designation: "Mairie de Lyon",
      kind: "public",
      identifier: { type: "siret", value: "216 901 231 00011" },
    }),
  ).structure.id;
  const acme = must(
    await app.createStructure(victor, {
      designation: "ACME Industrie",
      kind: "private",
      identifier: { type: "siret", value: "73282932000074" },
    }),
  ).structure.id;

  const add = async (structureId: StructureId, code: string, label: string, actor = alice) =>
    must(await app.addService(actor, { structureId, code, label })).service.id;
  const achats = await add(townHall, "ACHATS", "Achats publics");
  const compta = await add(townHall, "COMPTA", "Comptabilité");
  const paie = await add(townHall, "PAIE", "Paie");
  const rh = await add(townHall, "RH", "Ressources humaines");
  const ventes = await add(acme, "VENTES", "Ventes", victor);

  const attach = async (
    structureId: StructureId,
    userId: UserId,
    role: "user" | "secondaryManager",
    scope: AttachmentScope,
    validFrom = TODAY,
  ) => {
    must(await app.attachUser(alice, { structureId, userId, role, validFrom, comment: "Arrivée", scope }));
  };
  await attach(townHall, bruno, "secondaryManager", WHOLE);
  await attach(townHall, chloe, "user", services(compta));
  await attach(bookshop, david, "user", WHOLE);
  await attach(townHall, denis, "secondaryManager", WHOLE);
  await attach(bookshop, denis, "secondaryManager", WHOLE);
  await attach(townHall, hugo, "secondaryManager", WHOLE, TOMORROW);
  await attach(bookshop, hugo, "secondaryManager", WHOLE, TOMORROW);
  await deactivate(h, denis);

  return {
    alice,
    bruno,
    chloe,
    david,
    elodie,
    farid,
    victor,
    denis,
    hugo,
    bookshop,
    townHall,
    acme,
    achats,
    compta,
    paie,
    rh,
    ventes,
  };
}

/** A fresh harness with the guide seeded. */
export async function guide(options: { readonly maxAttempts?: number } = {}) {
  const h = createHarness(options);
  const g = await seedGuide(h);
  return { h, g, app: h.app };
}

/** A user's own request, which must succeed; returns its id. */
export async function ask(
  h: Harness,
  userId: UserId,
  structureId: StructureId,
  scope: AttachmentScope = WHOLE,
  extra: { readonly requestedRole?: "user" | "secondaryManager"; readonly comment?: string } = {},
): Promise<AttachmentRequestId> {
  return must(await h.app.requestAttachment(userId, { structureId, scope, ...extra })).request.id;
}

// ------------------------------------------------------------------ guide §2: spaces

/** Chorus Pro's spaces, by short name (the codes the app takes). */
export const SPACE = {
  emises: "FACTURES_EMISES",
  recues: "FACTURES_RECUES",
  aValider: "FACTURES_A_VALIDER",
  sollicitationsEmises: "SOLLICITATIONS_EMISES",
  sollicitationsRecues: "SOLLICITATIONS_RECUES",
} as const;

/** One line of a subscription request or a direct grant, as the app takes it (`serviceId` absent: all services). */
export interface Line {
  readonly space: string;
  readonly serviceId?: ServiceId | null;
  readonly access: "read" | "write";
}

/** A user's own subscription request, which must succeed; returns its id. */
export async function askSpaces(
  h: Harness,
  userId: UserId,
  structureId: StructureId,
  items: readonly Line[],
  comment?: string,
): Promise<SubscriptionRequestId> {
  return must(await h.app.requestSubscription(userId, { structureId, items, ...(comment === undefined ? {} : { comment }) })).request.id;
}

/**
 * A store that behaves like `inner` except for `commit`, which `onCommit` decides; it
 * counts the commits asked for.
 */
export function proxyStore(
  inner: HabilitationsStore,
  onCommit: (unit: Parameters<HabilitationsStore["commit"]>[0], n: number) => ReturnType<HabilitationsStore["commit"]>,
): HabilitationsStore & { readonly commits: () => number } {
  let n = 0;
  return {
    ...inner,
    commit: (unit) => onCommit(unit, ++n),
    commits: () => n,
  };
}

/** A store whose first `failures` commits report a version conflict, then delegates. */
export function flakyStore(inner: HabilitationsStore, failures: number) {
  return proxyStore(inner, async (unit, n) =>
    n <= failures ? { ok: false, error: { code: "VERSION_CONFLICT", kind: "user", id: "x" } } : inner.commit(unit),
  );
}
