// Running a command: idempotency, load and decide, one unit of work, bounded retries;
// parsing an act's actor, input and options; bulk acts item by item.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  err,
  ok,
  parseWith,
  quickId,
  UserIdSchema,
  withoutSecret,
  type AttachmentRequestId,
  type DomainError,
  type StructureId,
  type DomainEvent,
  type HistoryEntry,
  type NewHistoryEntry,
  type RecordedEvent,
  type Result,
  type UserId,
} from "../core/index.js";
import { freezeOwned, frozenCopy, type Copies } from "../internal/frozen.js";
import type { CommitError, IdempotencyRecord } from "../port/store.js";
import { clocked, mintId, shielded, type Clocked, type CommandOptions, type Deps, type IdKind } from "./options.js";
import { judge, Session, UNKNOWN_ACTOR, type Staged } from "./session.js";

export { clocked, dated, dayOf, hashActivationToken, issueToken, mintId, resolveOptions, shielded } from "./options.js";
export type { ActorId, Clocked, CommandOptions, Deps, HabilitationsOptions, IdKind } from "./options.js";
export { activeActor, judge, Session, UNKNOWN_ACTOR } from "./session.js";
export type { Staged } from "./session.js";

/** What an operation gives back: what the actor may see of the outcome, with its history and events. */
export type Outcome<V> = V & {
  /** The history entries appended, as stored (numbered). */
  readonly history: readonly HistoryEntry[];
  /**
   * The events saved in the outbox, with their ids: deliver them now, or let the relay
   * do it. An `ActivationEmailRequested` comes without its token, which only the outbox
   * holds: deliver activation e-mails from the relay (`claimEvents`).
   */
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

/**
 * Whether the actor may still see an act's outcome, judged when a retry replays it (a
 * right is judged when it is used): the same right the act needed, read afresh.
 */
export type Entitlement = (session: Session, ctx: Clocked, record: IdempotencyRecord) => Promise<boolean>;

/**
 * The entitlement of a manager act: the actor still manages the structure it acted on
 * (found by `structureOf`: named by the command, reached through a request or a
 * service, or read from the history the act appended).
 */
export function managerVia(
  actorId: UserId,
  structureOf: (session: Session, record: IdempotencyRecord) => Promise<StructureId | null>,
): Entitlement {
  return async (session, ctx, record) => {
    const structureId = await structureOf(session, record);
    return structureId !== null && (await judge(session, actorId, structureId, ctx.today)).ok;
  };
}

/** The entitlement of a manager act on a structure the command names. */
export function managerOf(actorId: UserId, structureId: StructureId): Entitlement {
  return managerVia(actorId, async () => structureId);
}

/**
 * The entitlement of the person's act on their own account or requests (a request, a
 * transfer, a deactivation): the outcome is about what they did themself, and stays theirs.
 */
export function selfActor(actorId: UserId): Entitlement {
  return async (session) => (await session.user(actorId)) !== null;
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
  /**
   * Whether the actor may still see the outcome when a retry replays it (`null` for the
   * public side, whose outcomes tell nothing beyond the input): without the right, the
   * retry gets `OUTCOME_WITHHELD`, a receipt that the act was done.
   */
  readonly entitled: Entitlement | null;
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

/**
 * The first outcome of a retried command, as its actor may see it now: the actor's right
 * is judged again (a replay is a read), and without it the retry gets a receipt,
 * `OUTCOME_WITHHELD`, naming nothing of the outcome.
 */
async function replay<V>(
  deps: Deps,
  act: { readonly entitled: Entitlement | null },
  record: IdempotencyRecord,
  fingerprint: string,
  key: string,
): Promise<Result<Outcome<V>, DomainError>> {
  if (record.fingerprint !== fingerprint) return err({ code: "IDEMPOTENCY_KEY_REUSED", key });
  if (act.entitled !== null && !(await act.entitled(new Session(deps.store), clocked(deps), record)))
    return err({ code: "OUTCOME_WITHHELD", key, committedAt: record.at });
  return ok(frozenCopy({ ...(record.outcome as V), history: record.history, events: record.events.map(withoutSecret) }));
}

/**
 * Whose namespace an idempotency key lives in: the actor's, or for an act of the public
 * side, that of its very input (operation and fingerprint): anonymous callers share no
 * namespace, so nobody can claim a key in advance to make another's act fail.
 */
function ownerOf(actorId: UserId | null, fingerprint: string): string {
  return actorId ?? `-${fingerprint}`;
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
    const key = act.idempotencyKey;
    const fingerprint = key === undefined ? "" : fingerprintOf(act.operation, act.command);
    const owner = ownerOf(act.actorId, fingerprint);
    let ids: Map<IdKind, string> | undefined;
    const newId = (kind: IdKind) => {
      let id = ids?.get(kind);
      if (id === undefined) {
        id = mintId(deps, kind);
        (ids ??= new Map()).set(kind, id);
      }
      return id;
    };
    for (let n = 1; n <= deps.maxAttempts; n++) {
      if (key !== undefined) {
        // A first try (or a concurrent twin) with this key may have committed: its outcome is ours.
        const record = await deps.store.getIdempotencyRecord(owner, key);
        if (record !== null) return replay<V>(deps, act, record, fingerprint, key);
      }
      const session = new Session(deps.store);
      const decided = await act.decide({ session, ctx, newId });
      if (!decided.ok) {
        // A twin with the same key may have committed between our look-up and our reads
        // (the request we read is then already decided): its outcome is ours.
        if (key !== undefined) {
          const record = await deps.store.getIdempotencyRecord(owner, key);
          if (record !== null) return replay<V>(deps, act, record, fingerprint, key);
        }
        return decided;
      }
      // Freeze in place (issue 19): what this attempt built, nobody else holds; frozen now,
      // the store keeps it as it is and the caller gets it as it is, instead of two copies.
      // One copy of each object however often the outcome reaches it (a record written and shown).
      const copies: Copies = new Map();
      const writes = decided.value.writes.map((w) => {
        const value = freezeOwned(w.value, copies);
        return value === w.value ? w : { ...w, value };
      });
      const outcome = decided.value.outcome;
      const shown = freezeOwned(act.show(outcome), copies);
      const events: RecordedEvent[] = freezeOwned(outcome.events.map((event) => ({ id: mintId(deps, "event"), ...event })), copies);
      const unit = session.unit(
        writes,
        freezeOwned(outcome.history, copies),
        events,
        key === undefined ? undefined : { owner, key, fingerprint, outcome: shown, at: ctx.at },
      );
      const committed = await deps.store.commit(unit);
      // The outbox has the events whole; the caller gets them without their secret (an activation token).
      if (committed.ok) return ok(freezeOwned({ ...shown, history: committed.value.history, events: events.map(withoutSecret) }, copies));
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

/**
 * A command the application builds itself (a bulk act's item, a direct grant to one of its
 * users) as the boundary gives commands: its own fields in an object without prototype,
 * so an optional field left out reads as absent to the rules, whatever a polluted
 * `Object.prototype` holds.
 */
export function builtCommand<T extends object>(fields: T): T {
  return Object.assign(Object.create(null) as T, fields);
}

const KeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/, "des caractères ASCII imprimables, sans espace");
const CommandOptionsSchema = z.strictObject({ idempotencyKey: KeySchema.exactOptional() });

/**
 * Parses the actor's id. Anything that is not an id (a number, an empty or a blank
 * string, an object) is `UNKNOWN_ACTOR` (`malformed`), never a body's `VALIDATION`: it is
 * the host's authentication that gave it, and a host answers it with 401.
 */
export function parseActor(actor: unknown): Result<UserId, DomainError> {
  // An id as the schema takes it, as it is (the common case), without zod.
  if (quickId(actor)) return ok(actor as UserId);
  const parsed = parseWith(UserIdSchema, actor);
  return parsed.ok ? parsed : err({ code: "UNKNOWN_ACTOR", reason: "malformed" });
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

/**
 * The idempotency key of the `index`-th item of a bulk act whose key is `key`: joined by a
 * space, which a caller's key cannot hold (keys are printable ASCII without spaces), so
 * no single command's key can ever be an item's.
 */
export function itemKey(key: string | undefined, index: number): string | undefined {
  return key === undefined ? undefined : `${key} #${index}`;
}

/** One item's outcome in a bulk act, each item committed on its own. */
export interface BulkResultItem<T, Id extends string = AttachmentRequestId> {
  readonly requestId: Id;
  readonly result: Result<T, DomainError>;
}

/** The outcome of a bulk act: one result per item, in order, and all the events saved. */
export interface BulkOutcome<T, Id extends string = AttachmentRequestId> {
  readonly results: readonly BulkResultItem<T, Id>[];
  readonly events: readonly RecordedEvent[];
}

/**
 * Decides each request of a bulk act on its own, in order: one unit of work each, so
 * one bad or conflicting request never blocks or corrupts the others. An unknown actor
 * fails the whole call; rights are judged per request (each may belong to another
 * structure). Item `i` is keyed `${idempotencyKey}#${i}`.
 */
export function decideEach<
  C extends { readonly requestId: string },
  T extends { readonly events: readonly RecordedEvent[] },
>(
  deps: Deps,
  operation: string,
  actorId: UserId,
  items: readonly C[],
  idempotencyKey: string | undefined,
  decide: (actorId: UserId, item: C, key: string | undefined) => Promise<Result<T, DomainError>>,
): Promise<Result<BulkOutcome<T, C["requestId"]>, DomainError>> {
  return shielded(deps, operation, async () => {
    const known = await deps.store.getUser(actorId);
    if (known === null) return err(UNKNOWN_ACTOR);
    const results = await eachItem(items, (item, i) => decide(actorId, item, itemKey(idempotencyKey, i)));
    return ok({
      results: results.map((result, i) => ({ requestId: (items[i] as C).requestId, result })),
      events: results.flatMap((r) => (r.ok ? r.value.events : [])),
    });
  });
}
