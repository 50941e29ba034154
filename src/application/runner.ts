// The machinery every application operation shares: options, the time of a command,
// the session that loads each aggregate once, the unit of work, the commit with
// bounded retries, idempotency keys, and how store failures surface.
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import {
  authorizeManager,
  calendarDate,
  DEFAULT_TIME_ZONE,
  err,
  isLocalDate,
  ok,
  parseWith,
  toInstant,
  UserIdSchema,
  type AttachmentRequest,
  type AttachmentRequestId,
  type DomainError,
  type EntityKind,
  type HistoryEntry,
  type Instant,
  type LocalDate,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type RecordedEvent,
  type DomainEvent,
  type Result,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type TransitionContext,
  type User,
  type UserId,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type {
  AggregateKind,
  AggregateTypes,
  CommitError,
  HabilitationsStore,
  IdempotencyRecord,
  ReadCheck,
  UnitOfWork,
  Versioned,
  Write,
} from "../port/store.js";

/** The kinds of record the application layer creates ids for. */
export type IdKind = "structure" | "service" | "user" | "attachmentRequest" | "event";

/** Options of {@link createHabilitations}. Everything but the store has a default. */
export interface HabilitationsOptions {
  /** Where aggregates, history and events are kept (`createMemoryStore()`, `createPostgresStore(pool)`). */
  readonly store: HabilitationsStore;
  /** The clock. Default: the system clock. */
  readonly clock?: () => Date;
  /** Makes a new id. Default: a prefixed random UUID (`usr_…`, `str_…`, `svc_…`, `req_…`, `evt_…`). */
  readonly newId?: (kind: IdKind) => string;
  /**
   * The IANA time zone whose calendar validity dates follow (« date de début de
   * validité », « today »). Default: `"Europe/Paris"`. Never the process time zone.
   */
  readonly timeZone?: string;
  /** The calendar date of an instant, for rules on validity dates. Default: the date in `timeZone`. */
  readonly today?: (now: Date) => LocalDate;
  /** How many times a command is tried when another one changed what it read. Default 5. */
  readonly maxAttempts?: number;
  /**
   * Told about every store failure (with what the store threw), for the host's logs;
   * the operation itself returns a `STORE_FAILURE` error.
   */
  readonly onStoreError?: (error: unknown, context: { readonly operation: string; readonly stage: "read" | "commit" }) => void;
}

/** Options every command takes as its last argument. */
export interface CommandOptions {
  /**
   * A key of the caller's choosing (a UUID per user action): a retry with the same key
   * and the same input gets the first outcome again instead of acting twice; with
   * another input, `IDEMPOTENCY_KEY_REUSED`. Keys belong to the actor. Only committed
   * outcomes are remembered: a refused command is decided afresh.
   */
  readonly idempotencyKey?: string;
}

/** The resolved options, as every operation sees them. */
export interface Deps {
  readonly store: HabilitationsStore;
  readonly clock: () => Date;
  readonly newId: (kind: IdKind) => string;
  readonly timeZone: string;
  readonly today: ((now: Date) => LocalDate) | undefined;
  readonly maxAttempts: number;
  readonly onStoreError: HabilitationsOptions["onStoreError"];
}

const prefix: Record<IdKind, string> = {
  structure: "str",
  service: "svc",
  user: "usr",
  attachmentRequest: "req",
  event: "evt",
};

/** Every method of the port, so each can be guarded. */
const STORE_METHODS = [
  "getStructure",
  "getStructures",
  "getService",
  "getServices",
  "listServices",
  "getUser",
  "getUsers",
  "findUserByLogin",
  "listMembers",
  "getAttachmentRequest",
  "findPendingRequest",
  "listPendingRequests",
  "readHistory",
  "commit",
  "getIdempotencyRecord",
  "purgeIdempotencyRecords",
  "claimOutbox",
  "acknowledgeOutbox",
] as const satisfies readonly (keyof HabilitationsStore)[];

/** A store call that rejected: infrastructure, not a domain rule. */
export class StoreFailure extends Error {
  constructor(
    readonly stage: "read" | "commit",
    override readonly cause: unknown,
  ) {
    super(`store failure at ${stage}`);
  }
}

/** An option given to `createHabilitations` that misbehaved. */
export class ConfigurationFailure extends Error {
  constructor(
    readonly option: "clock" | "today" | "newId",
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The store, with every rejection turned into a {@link StoreFailure}. */
function guard(store: HabilitationsStore): HabilitationsStore {
  const guarded: Record<string, unknown> = {};
  for (const method of STORE_METHODS) {
    const stage = method === "commit" ? "commit" : "read";
    const call = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    guarded[method] = async (...args: unknown[]) => {
      try {
        return await call(...args);
      } catch (thrown) {
        throw new StoreFailure(stage, thrown);
      }
    };
  }
  return guarded as unknown as HabilitationsStore;
}

/**
 * Applies defaults to the options, and checks those that can be checked once
 * (a `RangeError` at construction for an impossible value).
 */
export function resolveOptions(options: HabilitationsOptions): Deps {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (calendarDate(new Date(0), timeZone) === null) throw new RangeError(`unknown time zone: ${timeZone}`);
  const missing = STORE_METHODS.filter((m) => typeof (options.store as unknown as Record<string, unknown>)?.[m] !== "function");
  if (missing.length > 0) throw new TypeError(`the store lacks ${missing.join(", ")}`);
  return {
    store: guard(options.store),
    clock: options.clock ?? (() => new Date()),
    newId: options.newId ?? ((kind) => `${prefix[kind]}_${randomUUID()}`),
    timeZone,
    today: options.today,
    maxAttempts,
    onStoreError: options.onStoreError,
  };
}

/** The time of one command: the clock is read once, its calendar date computed once. */
export interface Clocked extends TransitionContext {
  readonly today: LocalDate;
  readonly at: Instant;
}

/** Reads the clock and today's date, checking both. */
export function clocked(deps: Deps): Clocked {
  let now: unknown;
  try {
    now = deps.clock();
  } catch {
    throw new ConfigurationFailure("clock", "the clock threw");
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new ConfigurationFailure("clock", "the clock did not give a valid Date");
  const iso = now.toISOString();
  if (!/^\d{4}-/.test(iso)) throw new ConfigurationFailure("clock", `the clock gave a date out of range (${iso})`);
  let today: unknown;
  try {
    today = deps.today === undefined ? calendarDate(now, deps.timeZone) : deps.today(now);
  } catch {
    throw new ConfigurationFailure("today", "the today function threw");
  }
  if (!isLocalDate(today)) throw new ConfigurationFailure("today", "today did not give a YYYY-MM-DD calendar date");
  return { now, today, at: toInstant(now), timeZone: deps.timeZone };
}

/** Makes an id, checking what the host's `newId` gave. */
export function mintId(deps: Deps, kind: IdKind): string {
  let id: unknown;
  try {
    id = deps.newId(kind);
  } catch {
    throw new ConfigurationFailure("newId", `newId("${kind}") threw`);
  }
  if (typeof id !== "string" || id.length === 0 || id.length > 200)
    throw new ConfigurationFailure("newId", `newId("${kind}") did not give a string of 1 to 200 characters`);
  return id;
}

/**
 * Runs an operation body, turning infrastructure failures into error values: a store
 * failure is `STORE_FAILURE` (and told to `onStoreError`), a misbehaving option is
 * `CONFIGURATION`. Anything else is a bug and propagates.
 */
export async function shielded<T>(
  deps: Deps,
  operation: string,
  body: () => Promise<Result<T, DomainError>>,
): Promise<Result<T, DomainError>> {
  try {
    return await body();
  } catch (thrown) {
    if (thrown instanceof StoreFailure) {
      try {
        deps.onStoreError?.(thrown.cause, { operation, stage: thrown.stage });
      } catch {
        // A failing logger must not turn a reported failure into a crash.
      }
      return err({ code: "STORE_FAILURE", stage: thrown.stage });
    }
    if (thrown instanceof ConfigurationFailure)
      return err({ code: "CONFIGURATION", option: thrown.option, message: thrown.detail });
    throw thrown;
  }
}

// ------------------------------------------------------------------------ session

/** An aggregate to save: its new value, and whether it is created. */
export interface Staged {
  readonly kind: AggregateKind;
  readonly value: AggregateTypes[AggregateKind];
  /** `true` when the aggregate is new (it must not exist yet). */
  readonly create?: boolean;
}

/**
 * What one attempt of a command reads: each aggregate is loaded once (an identity map),
 * so the actor and the target of an act can never be two versions of one user, and
 * every aggregate read is checked at commit, whether it is also written or not.
 */
export class Session {
  private readonly rows = new Map<string, Versioned<{ readonly id: string }> | null>();

  constructor(private readonly store: HabilitationsStore) {}

  private note<T extends { readonly id: string }>(kind: AggregateKind, id: string, row: Versioned<T> | null): Versioned<T> | null {
    const key = `${kind}:${id}`;
    const known = this.rows.get(key);
    if (known !== undefined) return known as Versioned<T> | null;
    this.rows.set(key, row);
    return row;
  }

  private async one<K extends AggregateKind>(
    kind: K,
    id: string,
    load: (id: string) => Promise<Versioned<AggregateTypes[K]> | null>,
  ): Promise<Versioned<AggregateTypes[K]> | null> {
    const key = `${kind}:${id}`;
    if (this.rows.has(key)) return this.rows.get(key) as Versioned<AggregateTypes[K]> | null;
    return this.note(kind, id, await load(id));
  }

  private async many<K extends AggregateKind>(
    kind: K,
    ids: readonly string[],
    load: (ids: string[]) => Promise<Versioned<AggregateTypes[K]>[]>,
  ): Promise<Versioned<AggregateTypes[K]>[]> {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !this.rows.has(`${kind}:${id}`));
    if (missing.length > 0) {
      const found = new Map<string, Versioned<AggregateTypes[K]>>((await load(missing)).map((row) => [row.value.id, row]));
      for (const id of missing) this.note(kind, id, found.get(id) ?? null);
    }
    const rows: Versioned<AggregateTypes[K]>[] = [];
    for (const id of unique) {
      const row = this.rows.get(`${kind}:${id}`) as Versioned<AggregateTypes[K]> | null;
      if (row !== null) rows.push(row);
    }
    return rows;
  }

  user(id: UserId): Promise<Versioned<User> | null> {
    return this.one("user", id, (i) => this.store.getUser(i as UserId));
  }
  users(ids: readonly UserId[]): Promise<Versioned<User>[]> {
    return this.many("user", ids, (i) => this.store.getUsers(i as UserId[]));
  }
  structure(id: StructureId): Promise<Versioned<Structure> | null> {
    return this.one("structure", id, (i) => this.store.getStructure(i as StructureId));
  }
  service(id: ServiceId): Promise<Versioned<Service> | null> {
    return this.one("service", id, (i) => this.store.getService(i as ServiceId));
  }
  /** The services found among these ids, by id. */
  async services(ids: Iterable<ServiceId>): Promise<ReadonlyMap<ServiceId, Service>> {
    const rows = await this.many("service", [...ids], (i) => this.store.getServices(i as ServiceId[]));
    return new Map(rows.map((r) => [r.value.id, r.value]));
  }
  request(id: AttachmentRequestId): Promise<Versioned<AttachmentRequest> | null> {
    return this.one("attachmentRequest", id, (i) => this.store.getAttachmentRequest(i as AttachmentRequestId));
  }
  /** The user's pending request for a structure (a read like the others). */
  async pendingRequest(userId: UserId, structureId: StructureId): Promise<PendingAttachmentRequest | null> {
    const row = await this.store.findPendingRequest(userId, structureId);
    if (row === null) return null;
    return (this.note("attachmentRequest", row.value.id, row) as Versioned<PendingAttachmentRequest>).value;
  }

  /**
   * The unit of work saving `writes`: each written aggregate at the version this
   * session read it at (or created), and every other aggregate read checked.
   */
  unit(
    writes: readonly Staged[],
    history: readonly NewHistoryEntry[],
    events: readonly RecordedEvent[],
    idempotency: UnitOfWork["idempotency"],
  ): UnitOfWork {
    const written = new Set<string>();
    const staged: Write[] = writes.map((w) => {
      const key = `${w.kind}:${w.value.id}`;
      written.add(key);
      if (w.create === true) return { kind: w.kind, value: w.value, expectedVersion: null } as Write;
      const row = this.rows.get(key);
      if (row === undefined || row === null) throw new Error(`habilitations: ${key} is written without having been read`);
      return { kind: w.kind, value: w.value, expectedVersion: row.version } as Write;
    });
    const reads: ReadCheck[] = [];
    for (const [key, row] of this.rows) {
      if (row === null) continue;
      const kind = key.slice(0, key.indexOf(":")) as AggregateKind;
      // A written aggregate is checked by its write's expected version, which is this
      // very read: one version per aggregate in a unit.
      reads.push({ kind, id: row.value.id, version: row.version });
    }
    return idempotency === undefined
      ? { writes: staged, reads, history, events }
      : { writes: staged, reads, history, events, idempotency };
  }
}

// ------------------------------------------------------------------------ judging

/**
 * Loads and judges the actor of a manager act on a structure. When the structure was
 * reached through another record (a request, a service), an actor who may not manage
 * it gets `NOT_FOUND` for that record, exactly as for an unknown one: nobody learns what
 * exists in a structure they do not manage. When the actor named the structure, they
 * get `FORBIDDEN` naming it, whether it exists or not.
 */
export async function judge(
  session: Session,
  actorId: UserId,
  structureId: StructureId,
  today: LocalDate,
  reachedBy?: { readonly entity: EntityKind; readonly id: string },
): Promise<Result<{ actor: User; structure: Structure }, DomainError>> {
  const actor = await session.user(actorId);
  if (actor === null) return err({ code: "NOT_FOUND", entity: "user", id: actorId });
  const structure = await session.structure(structureId);
  const allowed = structure === null ? null : authorizeManager(actor.value, structure.value, today);
  if (structure !== null && allowed?.ok === true) return ok({ actor: actor.value, structure: structure.value });
  if (reachedBy !== undefined) return err({ code: "NOT_FOUND", entity: reachedBy.entity, id: reachedBy.id });
  if (allowed !== null && !allowed.ok) return allowed;
  return err({ code: "FORBIDDEN", actorId, structureId, reason: "notAManager" });
}

// ------------------------------------------------------------------------ execute

/** What an operation gives back: what the actor may see of the outcome, with its history and events. */
export type Outcome<V> = V & {
  /** The history entries appended, as stored (numbered). */
  readonly history: readonly HistoryEntry[];
  /** The events saved in the outbox, with their ids: deliver them now, or let the relay do it. */
  readonly events: readonly RecordedEvent[];
};

/** What one attempt decided. */
export interface Decision<O> {
  readonly outcome: O;
  readonly writes: readonly Staged[];
}

/** What every attempt of a command is given. */
export interface Attempt {
  readonly session: Session;
  readonly ctx: Clocked;
  /** The id of the new record of this kind (the same on every attempt of the command). */
  readonly newId: (kind: IdKind) => string;
}

/** One command, as {@link execute} runs it. */
export interface Act<O extends { readonly history: readonly NewHistoryEntry[]; readonly events: readonly DomainEvent[] }, V> {
  /** The operation's name (part of the idempotency fingerprint). */
  readonly operation: string;
  /** Who acts (the idempotency key's owner), or `null` for the public side. */
  readonly actorId: UserId | null;
  /** The parsed command (part of the idempotency fingerprint). */
  readonly command: unknown;
  readonly idempotencyKey: string | undefined;
  /** Loads and decides; called again after a version conflict. */
  decide(attempt: Attempt): Promise<Result<Decision<O>, DomainError>>;
  /** What the actor may see of the outcome (plain data, no history or events). */
  show(outcome: O): V;
}

/** The fingerprint of an operation and its parsed input: canonical JSON, hashed. */
function fingerprintOf(operation: string, command: unknown): string {
  return createHash("sha256").update(canonicalJson([operation, command])).digest("base64url");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

function fromCommitError(error: Exclude<CommitError, { code: "VERSION_CONFLICT" | "IDEMPOTENCY_KEY_TAKEN" }>): DomainError {
  switch (error.code) {
    case "LOGIN_TAKEN":
      return { code: "LOGIN_TAKEN", login: error.login };
    case "PENDING_REQUEST_EXISTS":
      return { code: "PENDING_REQUEST_EXISTS", userId: error.userId, structureId: error.structureId };
    case "SERVICE_CODE_TAKEN":
      return { code: "SERVICE_CODE_TAKEN", structureId: error.structureId, serviceCode: error.serviceCode };
  }
}

function replay<V>(record: IdempotencyRecord, fingerprint: string, key: string): Result<Outcome<V>, DomainError> {
  if (record.fingerprint !== fingerprint) return err({ code: "IDEMPOTENCY_KEY_REUSED", key });
  return ok(frozenCopy({ ...(record.outcome as V), history: record.history, events: record.events }));
}

/**
 * Runs a command: reads the clock once; with an idempotency key, gives back the first
 * outcome of a retry; loads and decides; commits one unit of work (aggregates, history,
 * events, idempotency record); on a version conflict, loads and decides again, up to
 * `maxAttempts` times, then gives up with `CONCURRENT_MODIFICATION`. What it returns is
 * a deep-frozen copy the caller cannot change.
 */
export function execute<O extends { readonly history: readonly NewHistoryEntry[]; readonly events: readonly DomainEvent[] }, V>(
  deps: Deps,
  act: Act<O, V>,
): Promise<Result<Outcome<V>, DomainError>> {
  return shielded(deps, act.operation, async () => {
    const ctx = clocked(deps);
    const owner = act.actorId ?? "-";
    const key = act.idempotencyKey;
    const fingerprint = key === undefined ? "" : fingerprintOf(act.operation, act.command);
    const ids = new Map<IdKind, string>();
    const newId = (kind: IdKind) => {
      let id = ids.get(kind);
      if (id === undefined) {
        id = mintId(deps, kind);
        ids.set(kind, id);
      }
      return id;
    };
    for (let n = 1; n <= deps.maxAttempts; n++) {
      if (key !== undefined) {
        // A first try (or a concurrent twin) with this key may have committed: its outcome is ours.
        const record = await deps.store.getIdempotencyRecord(owner, key);
        if (record !== null) return replay<V>(record, fingerprint, key);
      }
      const session = new Session(deps.store);
      const decided = await act.decide({ session, ctx, newId });
      if (!decided.ok) return decided;
      const { outcome, writes } = decided.value;
      const shown = act.show(outcome);
      const events: RecordedEvent[] = outcome.events.map((event) => ({ id: mintId(deps, "event"), ...event }));
      const unit = session.unit(
        writes,
        outcome.history,
        events,
        key === undefined ? undefined : { owner, key, fingerprint, outcome: frozenCopy(shown), at: ctx.at },
      );
      const committed = await deps.store.commit(unit);
      if (committed.ok) return ok(frozenCopy({ ...shown, history: committed.value.history, events }));
      const error = committed.error;
      if (error.code === "VERSION_CONFLICT") continue;
      // A concurrent twin with the same key committed first: the next attempt replays it.
      if (error.code === "IDEMPOTENCY_KEY_TAKEN") continue;
      return err(fromCommitError(error));
    }
    return err({ code: "CONCURRENT_MODIFICATION", attempts: deps.maxAttempts });
  });
}

// ------------------------------------------------------------------------ parsing

const KeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/, "printable ASCII without spaces");
const CommandOptionsSchema = z.strictObject({ idempotencyKey: KeySchema.exactOptional() });

/** Parses the actor's id. */
export function parseActor(actor: unknown): Result<UserId, DomainError> {
  return parseWith(UserIdSchema, actor);
}

/** Parses a command's options (`undefined` is no option). */
export function parseCommandOptions(options: unknown): Result<CommandOptions, DomainError> {
  // No options: an object without prototype, so a polluted Object.prototype adds no key.
  if (options === undefined) return ok(Object.create(null) as CommandOptions);
  const parsed = parseWith(CommandOptionsSchema, options);
  if (parsed.ok) return parsed;
  return err({
    code: "VALIDATION",
    issues: parsed.error.code === "VALIDATION" ? parsed.error.issues.map((i) => ({ ...i, path: ["options", ...i.path] })) : [],
  });
}

/** The parsed actor, command and options of an act by someone: junk in any is `VALIDATION`. */
export function parseAct<C>(
  actor: unknown,
  input: unknown,
  options: unknown,
  parse: (input: unknown) => Result<C, DomainError>,
): Result<{ actorId: UserId; command: C; idempotencyKey: string | undefined }, DomainError> {
  const actorId = parseActor(actor);
  if (!actorId.ok) return actorId;
  const command = parse(input);
  if (!command.ok) return command;
  const opts = parseCommandOptions(options);
  if (!opts.ok) return opts;
  return ok({ actorId: actorId.value, command: command.value, idempotencyKey: opts.value.idempotencyKey });
}

// ------------------------------------------------------------------------ bulk

/**
 * Runs each item on its own, in order. After a store failure the remaining items are
 * not tried (each reports `NOT_ATTEMPTED`): what was committed before is reported, the
 * failing item says why, and the host may retry the rest (with the same idempotency
 * key, the committed ones give back their first outcome).
 */
export async function eachItem<I, T>(
  items: readonly I[],
  run: (item: I, index: number) => Promise<Result<T, DomainError>>,
): Promise<Result<T, DomainError>[]> {
  const results: Result<T, DomainError>[] = [];
  let storeFailed = false;
  for (let i = 0; i < items.length; i++) {
    if (storeFailed) {
      results.push(err({ code: "NOT_ATTEMPTED", reason: "storeFailure" }));
      continue;
    }
    const result = await run(items[i] as I, i);
    if (!result.ok && result.error.code === "STORE_FAILURE") storeFailed = true;
    results.push(result);
  }
  return results;
}

/** The idempotency key of the `index`-th item of a bulk act whose key is `key`. */
export function itemKey(key: string | undefined, index: number): string | undefined {
  return key === undefined ? undefined : `${key}#${index}`;
}
