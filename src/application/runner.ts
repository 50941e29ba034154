// The machinery every application operation shares: context, loading, unit of work,
// commit with bounded retries on version conflicts.
import { randomUUID } from "node:crypto";
import { freeze } from "immer";
import {
  err,
  ok,
  type DomainError,
  type HistoryEntry,
  type LocalDate,
  type NewHistoryEntry,
  type Result,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type TransitionContext,
  type User,
  type UserId,
  parseWith,
  UserIdSchema,
} from "../core/index.js";
import type { CommitError, HabilitationsStore, ReadCheck, UnitOfWork, Versioned, Write } from "../port/store.js";

/** The kinds of record the application layer creates ids for. */
export type IdKind = "structure" | "service" | "user" | "attachmentRequest";

/** Options of {@link createHabilitations}. Everything but the store has a default. */
export interface HabilitationsOptions {
  /** Where aggregates and history are kept (`createMemoryStore()`, or an SQL adapter). */
  readonly store: HabilitationsStore;
  /** The clock. Default: the system clock. */
  readonly clock?: () => Date;
  /** Makes a new id. Default: a prefixed random UUID (`usr_…`, `str_…`, `svc_…`, `req_…`). */
  readonly newId?: (kind: IdKind) => string;
  /**
   * The calendar date of an instant, for rules on validity dates. Default: the UTC date.
   * A host whose users live in Europe/Paris passes a function giving the Paris date.
   */
  readonly today?: (now: Date) => LocalDate;
  /** How many times a command is tried when another one changed what it read. Default 5. */
  readonly maxAttempts?: number;
}

/** The resolved options, as every operation sees them. */
export interface Deps {
  readonly store: HabilitationsStore;
  readonly clock: () => Date;
  readonly newId: (kind: IdKind) => string;
  readonly today: ((now: Date) => LocalDate) | undefined;
  readonly maxAttempts: number;
}

const prefix: Record<IdKind, string> = {
  structure: "str",
  service: "svc",
  user: "usr",
  attachmentRequest: "req",
};

/** Applies defaults to the options. */
export function resolveOptions(options: HabilitationsOptions): Deps {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  return {
    store: options.store,
    clock: options.clock ?? (() => new Date()),
    newId: options.newId ?? ((kind) => `${prefix[kind]}_${randomUUID()}`),
    today: options.today,
    maxAttempts,
  };
}

/** The transition context of one command: the clock is read once. */
export function contextOf(deps: Deps): TransitionContext {
  const now = deps.clock();
  return deps.today === undefined ? { now } : { now, today: deps.today(now) };
}

/**
 * What an operation returns once committed: the transition's outcome, with its history
 * entries as stored (numbered) and its events for the host to deliver.
 */
export type Committed<T extends { readonly history: readonly NewHistoryEntry[] }> = Omit<T, "history"> & {
  readonly history: readonly HistoryEntry[];
};

/** What one attempt of a command decided: the unit of work to commit and the outcome. */
export interface Plan<T> {
  readonly unit: UnitOfWork;
  readonly outcome: T;
}

function fromCommitError(error: Exclude<CommitError, { code: "VERSION_CONFLICT" }>): DomainError {
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
 * Loads, decides and commits; on a version conflict, loads and decides again, up to
 * `maxAttempts` times, then gives up with `CONCURRENT_MODIFICATION`.
 */
export async function execute<T extends { readonly history: readonly NewHistoryEntry[] }>(
  deps: Deps,
  attempt: () => Promise<Result<Plan<T>, DomainError>>,
): Promise<Result<Committed<T>, DomainError>> {
  for (let n = 1; n <= deps.maxAttempts; n++) {
    const planned = await attempt();
    if (!planned.ok) return planned;
    const committed = await deps.store.commit(planned.value.unit);
    if (committed.ok) return ok(freeze({ ...planned.value.outcome, history: committed.value.history }));
    if (committed.error.code !== "VERSION_CONFLICT") return err(fromCommitError(committed.error));
  }
  return err({ code: "CONCURRENT_MODIFICATION", attempts: deps.maxAttempts });
}

/**
 * A unit of work; reads of aggregates that are also written are dropped (the write's
 * expected version checks them already).
 */
export function unitOf(
  writes: readonly Write[],
  reads: readonly (ReadCheck | null)[],
  history: readonly NewHistoryEntry[],
): UnitOfWork {
  const written = new Set(writes.map((w) => `${w.kind}:${w.value.id}`));
  const kept = new Map<string, ReadCheck>();
  for (const r of reads) {
    if (r === null) continue;
    const key = `${r.kind}:${r.id}`;
    if (!written.has(key)) kept.set(key, r);
  }
  return { writes, reads: [...kept.values()], history };
}

/** What an attempt decided: the outcome, and a unit of work saving it with its history. */
export function plan<T extends { readonly history: readonly NewHistoryEntry[] }>(
  outcome: T,
  writes: readonly Write[],
  reads: readonly (ReadCheck | null)[],
): Result<Plan<T>, DomainError> {
  return ok({ outcome, unit: unitOf(writes, reads, outcome.history) });
}

/** The read check of a loaded aggregate. */
export const readOf = (
  kind: ReadCheck["kind"],
  row: Versioned<{ readonly id: string }>,
): ReadCheck => ({ kind, id: row.value.id, version: row.version });

/** Parses the actor's id. */
export function parseActor(actor: unknown): Result<UserId, DomainError> {
  return parseWith(UserIdSchema, actor);
}

/** Loads a user, or `NOT_FOUND`. */
export async function loadUser(store: HabilitationsStore, id: UserId): Promise<Result<Versioned<User>, DomainError>> {
  const row = await store.getUser(id);
  return row === null ? err({ code: "NOT_FOUND", entity: "user", id }) : ok(row);
}

/** Loads a structure, or `NOT_FOUND`. */
export async function loadStructure(
  store: HabilitationsStore,
  id: StructureId,
): Promise<Result<Versioned<Structure>, DomainError>> {
  const row = await store.getStructure(id);
  return row === null ? err({ code: "NOT_FOUND", entity: "structure", id }) : ok(row);
}

/**
 * Loads what a manager act is judged on: the structure, then the actor, with the read
 * checks that make the decision fail at commit if either changed meanwhile (write skew).
 */
export async function loadJudged(
  store: HabilitationsStore,
  actorId: UserId,
  structureId: StructureId,
): Promise<Result<{ actor: Versioned<User>; structure: Versioned<Structure>; reads: ReadCheck[] }, DomainError>> {
  const structure = await loadStructure(store, structureId);
  if (!structure.ok) return structure;
  const actor = await loadUser(store, actorId);
  if (!actor.ok) return actor;
  return ok({
    actor: actor.value,
    structure: structure.value,
    reads: [readOf("user", actor.value), readOf("structure", structure.value)],
  });
}

/** Loads the services named (missing ones are left for the rule to report) and their read checks. */
export async function loadServices(
  store: HabilitationsStore,
  ids: Iterable<ServiceId>,
): Promise<{ services: ReadonlyMap<ServiceId, Service>; reads: ReadCheck[] }> {
  const unique = [...new Set(ids)];
  const rows = unique.length === 0 ? [] : await store.getServices(unique);
  return {
    services: new Map(rows.map((r) => [r.value.id, r.value])),
    reads: rows.map((r) => readOf("service", r)),
  };
}
