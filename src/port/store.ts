/**
 * The repository port: what a store must do for the application layer. An adapter is
 * a factory returning an object of this shape (`createMemoryStore()`,
 * `createPostgresStore(pool)`); one contract suite (`habilitations/testing`) checks
 * every adapter.
 *
 * The rules every store keeps (SPEC §4 and §5):
 * - **All or nothing**: a unit of work (aggregates, history, events, idempotency record)
 *   is saved whole or not at all.
 * - **Versions**: each aggregate has a version; a write names the version it was read
 *   at (`null` to create), and every aggregate the decision read is checked at commit,
 *   *also when the same aggregate is written*. If a read and a write of one aggregate
 *   name different versions, or any version moved, the commit is a `VERSION_CONFLICT`.
 * - **Unique keys** for the rules that span aggregates: one login per account, one
 *   pending request per user and structure, one service code per structure, one
 *   idempotency key per owner. Two new aggregates never conflict on versions, so these
 *   are checked at commit and reported as {@link CommitError}s. They are checked write by
 *   write, in the unit's order (each write frees its previous key, then takes its new
 *   one), as SQL constraints see them: a key moved within one unit is freed first.
 * - **No hotspot**: membership changes write the User, never the Structure; history and
 *   outbox are numbered by one global sequence each.
 * - **Isolation**: what a store hands out cannot change what it keeps, and later changes
 *   to the caller's objects do not leak in.
 * - **Failures**: an infrastructure failure (connection lost, disk full, timeout)
 *   rejects the returned promise. After a rejected `commit` the outcome is unknown; the
 *   application layer reports it as `STORE_FAILURE` and idempotency keys make the retry
 *   safe.
 *
 * - **Round trip**: what a unit writes is read back equal, every field included, by
 *   every read that finds it (single, batch, `getAggregates`, the queries), at version 1
 *   after creation and one more after each update.
 * - **Reads**: an unknown id reads as `null`; a batch read (`getUsers`, `getStructures`,
 *   `getServices`, `getAggregates`) leaves missing ids out, returns **each id once**
 *   however often it is asked for, in any order, and `[]` for `[]`; `getAggregates`
 *   answers as the single reads do, each id looked up in its own kind only.
 * - **Read checks**: a read check of an aggregate that does not exist is a
 *   `VERSION_CONFLICT`; a read check of an aggregate written in the same unit passes at
 *   the version the write names.
 * - **Concurrency**: of concurrent commits at the same version, or taking the same unique
 *   key, exactly one is saved, with its history and events alone; two concurrent outbox
 *   claims get disjoint events.
 * - **Idempotency keys first**: a unit whose idempotency key is taken is refused with
 *   `IDEMPOTENCY_KEY_TAKEN`, even when its versions are stale too (a retry is told it
 *   was saved, not that it conflicts).
 * - **History**: entries are numbered from one global sequence in the order of their
 *   unit, read newest first per structure, and paged with `before` so that every entry
 *   comes once whatever the page size and filters.
 * - **Outbox**: events are saved with their unit (a refused unit saves none), claimed
 *   oldest first in commit order, hidden while leased, then claimed again with one more
 *   attempt; acknowledged events never come back; unknown ids are ignored. An
 *   idempotency record keeps its unit's events without the activation token; the outbox
 *   keeps the token.
 * - **Queries** answer as their documentation below says (orders, positions, filters):
 *   services by code with inactive ones; members by id, following attachment changes;
 *   pending requests oldest first, decided ones left out; the search as the core's
 *   `searchReference`, each user once, page by page; the export's rows, where a store
 *   gives them, as `userExportRow` of what the search finds, after every change; the users
 *   whose rights' ends are due for a notice as {@link dueExpiryOf} says, from an index.
 *
 * `habilitations/testing` (`runStoreContract`, `runApplicationContract`) checks each of
 * these rules; a failure names the rule it broke.
 *
 * Pagination positions are plain values here (an id, a sequence number); the
 * application layer turns them into opaque, checked cursors.
 */
import type {
  UserSearchQuery,
  AttachmentRequest,
  AttachmentRequestId,
  HistoryEntry,
  HistoryKind,
  Instant,
  LocalDate,
  NewHistoryEntry,
  PendingAttachmentRequest,
  RecordedEvent,
  Service,
  ServiceId,
  Structure,
  StructureId,
  SubscriptionRequest,
  PendingSubscriptionRequest,
  User,
  UserExportRow,
  UserId,
} from "../core/index.js";

/** The aggregates a store keeps, by kind. */
export interface AggregateTypes {
  readonly structure: Structure;
  readonly service: Service;
  readonly user: User;
  readonly attachmentRequest: AttachmentRequest;
  readonly subscriptionRequest: SubscriptionRequest;
}

/** The kind of an aggregate. */
export type AggregateKind = keyof AggregateTypes;

/** Every aggregate kind. */
export const AGGREGATE_KINDS: readonly AggregateKind[] = ["structure", "service", "user", "attachmentRequest", "subscriptionRequest"];

/** Ids of aggregates to read in one go, by kind. */
export type AggregateRefs = { readonly [K in AggregateKind]?: readonly string[] };

/** What {@link HabilitationsStore.getAggregates} found, by kind (missing ids left out, each id once, any order). */
export type AggregateRows = { readonly [K in AggregateKind]: readonly Versioned<AggregateTypes[K]>[] };

/** An aggregate with the version the store holds it at (1 after creation). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/**
 * One aggregate to save. `expectedVersion` is the version it was read at, or `null` to
 * create it (it must not exist yet).
 */
export type Write = {
  [K in AggregateKind]: {
    readonly kind: K;
    readonly value: AggregateTypes[K];
    readonly expectedVersion: number | null;
  };
}[AggregateKind];

/** An aggregate read to decide: its version must be unchanged at commit. */
export interface ReadCheck {
  readonly kind: AggregateKind;
  readonly id: string;
  readonly version: number;
}

/**
 * What a command saves beside its change when the caller gave an idempotency key: the
 * outcome the caller got, so that a retry with the same key gets it again. Unique per
 * (`owner`, `key`).
 */
export interface IdempotencyClaim {
  /** Whose key it is: the actor's id, or `"-"` for an act without actor. */
  readonly owner: string;
  readonly key: string;
  /** A digest of the operation and its parsed input: a retry must match it. */
  readonly fingerprint: string;
  /** The outcome given back, as plain JSON data, without its history and events. */
  readonly outcome: unknown;
  readonly at: Instant;
}

/** An idempotency record as stored: the claim, with the history and events of its unit. */
export interface IdempotencyRecord extends IdempotencyClaim {
  /** The history entries the unit appended, numbered. */
  readonly history: readonly HistoryEntry[];
  /**
   * The events the unit saved, without their secret: an `ActivationEmailRequested` or a
   * `ContactEmailConfirmationRequested` is kept here without its `token` (only the outbox
   * holds it; `withoutSecret`).
   */
  readonly events: readonly RecordedEvent[];
}

/**
 * Everything one command changes, saved all or nothing: the aggregates written, the
 * versions of what was read to decide, the history entries and events appended, and
 * the idempotency record when the caller gave a key.
 */
export interface UnitOfWork {
  readonly writes: readonly Write[];
  readonly reads: readonly ReadCheck[];
  readonly history: readonly NewHistoryEntry[];
  /** The events to keep in the outbox until the host acknowledges them. */
  readonly events: readonly RecordedEvent[];
  readonly idempotency?: IdempotencyClaim;
}

/** What a successful commit gives back. */
export interface CommitReceipt {
  /** The history entries appended, numbered, in the order given. */
  readonly history: readonly HistoryEntry[];
  /** The new version of each aggregate written, in the order given. */
  readonly versions: readonly number[];
}

/** Why a commit was refused. Nothing of the unit of work is saved. */
export type CommitError =
  | {
      /** A written or read aggregate is not at the expected version (or exists already). */
      readonly code: "VERSION_CONFLICT";
      readonly kind: AggregateKind;
      readonly id: string;
    }
  | { readonly code: "LOGIN_TAKEN"; readonly login: string }
  | { readonly code: "PENDING_REQUEST_EXISTS"; readonly userId: UserId; readonly structureId: StructureId }
  | { readonly code: "SERVICE_CODE_TAKEN"; readonly structureId: StructureId; readonly serviceCode: string }
  | { readonly code: "IDEMPOTENCY_KEY_TAKEN"; readonly owner: string; readonly key: string };

/** The outcome of {@link HabilitationsStore.commit}. */
export type CommitResult =
  | { readonly ok: true; readonly value: CommitReceipt }
  | { readonly ok: false; readonly error: CommitError };

/** A page of results, and the opaque cursor of the next page (`null` on the last one). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Where a listing of pending requests (attachment or subscription) resumes: after this (createdAt, id). */
export interface PendingCursor {
  readonly createdAt: Instant;
  readonly id: string;
}

/** Filters and position of a history read. Newest first. */
export interface HistoryQuery {
  /** Entries at or after this instant. */
  readonly from?: Instant;
  /** Entries strictly before this instant. */
  readonly to?: Instant;
  /** Only these kinds. */
  readonly kinds?: readonly HistoryKind[];
  /** Only entries about this user. */
  readonly targetUserId?: UserId;
  /** At most this many entries. */
  readonly limit: number;
  /** Only entries whose sequence is lower than this (the last one of the previous page). */
  readonly before?: number;
}

/** A saved event waiting for delivery. */
export interface OutboxMessage {
  readonly event: RecordedEvent;
  /** Its place in the global outbox sequence (the order events were committed in). */
  readonly sequence: number;
  /** How many times it has been claimed, this claim included. */
  readonly attempts: number;
}

/** A claim on a batch of undelivered events. */
export interface OutboxClaim {
  /** At most this many events. */
  readonly limit: number;
  /** The current instant: leases ending at or before it have expired. */
  readonly now: Instant;
  /** Until when the claimed events are hidden from other claims. */
  readonly leaseUntil: Instant;
}

/**
 * What {@link HabilitationsStore.findDueExpiries} looks for (the core's `dueThrough`
 * gives both dates from today and the warning policy).
 */
export interface DueExpiriesQuery {
  /** A right with an end and no notice yet is due once its `validUntil` is at most this date. */
  readonly warnThrough: LocalDate;
  /** A right already warned is due once its `validUntil` is at most this date (today). */
  readonly expireThrough: LocalDate;
  /** At most this many users. */
  readonly limit: number;
}

/** What a store must do. Every method is async, so an SQL store fits as well as memory. */
export interface HabilitationsStore {
  /**
   * Aggregates of several kinds at once (the application reads what a decision needs in
   * as few round trips as it can). Missing ids are left out; each found id comes once.
   */
  getAggregates(refs: AggregateRefs): Promise<AggregateRows>;
  /**
   * An attachment request with what a decision on it reads, in one go (one round trip on
   * PostgreSQL): what `getAggregates(also)` finds, plus the request, its structure, its
   * requester, and the services of the request's scope and of the requester's attachment
   * to that structure ({@link attachmentRequestContextRefs}). An unknown request: what
   * `also` names only. Optional: without it, the application reads the same in two calls.
   */
  getAttachmentRequestContext?(requestId: AttachmentRequestId, also: AggregateRefs): Promise<AggregateRows>;
  getStructure(id: StructureId): Promise<Versioned<Structure> | null>;
  /** The structures found among these ids (missing ones left out, each once), in any order. */
  getStructures(ids: readonly StructureId[]): Promise<Versioned<Structure>[]>;
  getService(id: ServiceId): Promise<Versioned<Service> | null>;
  /** The services found among these ids (missing ones left out, each once), in any order. */
  getServices(ids: readonly ServiceId[]): Promise<Versioned<Service>[]>;
  /** Every service of a structure, active or not, by code. */
  listServices(structureId: StructureId): Promise<Versioned<Service>[]>;
  getUser(id: UserId): Promise<Versioned<User> | null>;
  /** The users found among these ids (missing ones left out, each once), in any order. */
  getUsers(ids: readonly UserId[]): Promise<Versioned<User>[]>;
  /** The account with this login (compared trimmed and in lower case), if any. */
  findUserByLogin(login: string): Promise<Versioned<User> | null>;
  /**
   * A page of a user search (guide §5): the users of `query.structureIds` (attached to
   * one, or created for one) that match the query, in search order (`searchKeyOf`),
   * after `query.after`, at most `query.limit`, each once. The answer must equal the
   * core's `searchReference` over every user; a store answers from indexes, in time
   * that depends on the members of the structures searched, never on all users.
   */
  searchUsers(query: UserSearchQuery): Promise<User[]>;
  /**
   * The CSV export's rows of a search page (guide §5): for each user `searchUsers(query)`
   * finds, in the same order, what `userExportRow` keeps of them — the cells the export
   * writes and what its judgments read, nothing more (no grants, address, settings,
   * activation). Each row is new, or frozen: changing one changes nothing kept. Optional:
   * a store without it is exported through `searchUsers`; a store gives it to read less
   * than whole users (the memory store from rows it keeps per chunk of its search index,
   * PostgreSQL from those columns alone).
   */
  exportRows?(query: UserSearchQuery): Promise<UserExportRow[]>;
  /**
   * The users whose normalised last and first names (`normalizeForSearch`) are exactly
   * these, in search order, at most `limit`: the lookup by names. From an index.
   */
  findUsersByName(lastName: string, firstName: string, limit: number): Promise<User[]>;
  /**
   * The users with a right (an attachment or a space grant) whose end is due for a notice
   * of the expiry sweep, as {@link dueExpiryOf} defines it, at their versions: ordered by
   * that date, then by id; each once; at most `limit`. A store answers from an index of
   * the rights' ends (a user leaves it once their notices are recorded), in time that
   * depends on the users returned, never on all users.
   */
  findDueExpiries(query: DueExpiriesQuery): Promise<Versioned<User>[]>;
  /** Up to `limit` users attached to a structure, by id, after `after`. */
  listMembers(structureId: StructureId, page: { readonly limit: number; readonly after?: UserId }): Promise<User[]>;
  getAttachmentRequest(id: AttachmentRequestId): Promise<Versioned<AttachmentRequest> | null>;
  /** The user's pending request for the structure, if any. */
  findPendingRequest(userId: UserId, structureId: StructureId): Promise<Versioned<PendingAttachmentRequest> | null>;
  /** A structure's pending requests, oldest first (by createdAt, then id), after `after`. */
  listPendingRequests(
    structureId: StructureId,
    page: { readonly limit: number; readonly after?: PendingCursor },
  ): Promise<PendingAttachmentRequest[]>;
  /** A structure's pending subscription requests, oldest first (by createdAt, then id), after `after`. */
  listPendingSubscriptionRequests(
    structureId: StructureId,
    page: { readonly limit: number; readonly after?: PendingCursor },
  ): Promise<PendingSubscriptionRequest[]>;
  /**
   * A structure's history, newest first (by global sequence), filtered. A filtered read
   * costs the same whatever the length of the structure's history.
   */
  readHistory(structureId: StructureId, query: HistoryQuery): Promise<HistoryEntry[]>;
  /** Saves a unit of work atomically, or nothing of it. */
  commit(unit: UnitOfWork): Promise<CommitResult>;
  /** The idempotency record of an owner's key, if a unit of work saved one. */
  getIdempotencyRecord(owner: string, key: string): Promise<IdempotencyRecord | null>;
  /** Deletes the idempotency records saved before an instant; returns how many. */
  purgeIdempotencyRecords(before: Instant): Promise<number>;
  /**
   * Claims up to `limit` undelivered events, oldest first, that no live lease holds:
   * each is leased until `leaseUntil` and its attempt count goes up. Two concurrent
   * claims never get the same event while its lease lasts.
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxMessage[]>;
  /** Marks events delivered: they are never claimed again. Unknown ids are ignored. */
  acknowledgeOutbox(eventIds: readonly string[]): Promise<void>;
}

/**
 * The id an aggregate is stored under.
 *
 * @example
 * ```ts
 * aggregateId({ kind: "user", value: user, expectedVersion: 3 }); // user.id
 * ```
 */
export function aggregateId(write: Write): string {
  return write.value.id;
}

/**
 * The ids of one kind that refs name: its own field only, so that an object literal of
 * refs that leaves a kind out names none of it, whatever a polluted `Object.prototype`
 * holds (another library's bug must not make a read read more, or fail).
 *
 * @example
 * ```ts
 * refsOf({ user: [actorId] }, "user"); // [actorId]
 * refsOf({ user: [actorId] }, "structure"); // []
 * ```
 */
export function refsOf(refs: AggregateRefs, kind: AggregateKind): readonly string[] {
  return Object.hasOwn(refs, kind) ? (refs[kind] ?? []) : [];
}

/**
 * What {@link HabilitationsStore.getAttachmentRequestContext} reads beside `also`, once
 * the request and its requester are known: the request, its structure, its requester, and
 * the services of the request's scope and of the requester's attachment to the structure.
 * One definition for every store (the memory store reads these refs; PostgreSQL follows
 * the same links in SQL, and the contract compares the two).
 *
 * @example
 * ```ts
 * attachmentRequestContextRefs(request, requester, { user: [actorId] });
 * // { attachmentRequest: [request.id], structure: [request.structureId], user: [actorId, request.userId], service: [...] }
 * ```
 */
export function attachmentRequestContextRefs(
  request: AttachmentRequest,
  requester: User | null,
  also: AggregateRefs,
): AggregateRefs {
  const current = requester?.attachments.find((a) => a.structureId === request.structureId);
  const serviceIds = (scope: AttachmentRequest["scope"]) => (scope.kind === "services" ? scope.serviceIds : []);
  return {
    ...also,
    attachmentRequest: [...refsOf(also, "attachmentRequest"), request.id],
    structure: [...refsOf(also, "structure"), request.structureId],
    user: [...refsOf(also, "user"), request.userId],
    service: [...refsOf(also, "service"), ...serviceIds(request.scope), ...(current === undefined ? [] : serviceIds(current.scope))],
  };
}

/**
 * Whether a history entry passes a query's filters (not its position or limit).
 *
 * @example
 * ```ts
 * matchesHistoryQuery(entry, { kinds: ["attachmentRequestRefused"], limit: 20 }); // true for a « Refusée »
 * ```
 */
export function matchesHistoryQuery(entry: HistoryEntry, query: HistoryQuery): boolean {
  if (query.before !== undefined && entry.sequence >= query.before) return false;
  if (query.from !== undefined && entry.at < query.from) return false;
  if (query.to !== undefined && entry.at >= query.to) return false;
  if (query.kinds !== undefined && !query.kinds.includes(entry.kind)) return false;
  if (query.targetUserId !== undefined && entry.targetUserId !== query.targetUserId) return false;
  return true;
}

/**
 * When a user is due for the expiry sweep: the earliest `validUntil` among their rights
 * (attachments and space grants) that are due a notice — no notice yet and an end at most
 * `warnThrough`, or warned and an end at most `expireThrough` —, or `null` when none is.
 * One definition for every store (the memory store's index and PostgreSQL's generated
 * columns keep the same two dates per user; the contract compares them with this).
 *
 * @example
 * ```ts
 * dueExpiryOf(bruno, { warnThrough: localDate("2026-12-12"), expireThrough: localDate("2026-11-27") });
 * // "2026-12-01" when his attachment ends then and was not warned yet
 * ```
 */
export function dueExpiryOf(user: User, query: Pick<DueExpiriesQuery, "warnThrough" | "expireThrough">): LocalDate | null {
  let earliest: LocalDate | null = null;
  const consider = (right: { readonly validUntil: LocalDate | null; readonly endNotice: "warned" | "expired" | null }) => {
    const { validUntil, endNotice } = right;
    if (validUntil === null || endNotice === "expired") return;
    const bound = endNotice === null ? query.warnThrough : query.expireThrough;
    if (validUntil <= bound && (earliest === null || validUntil < earliest)) earliest = validUntil;
  };
  for (const a of user.attachments) consider(a);
  for (const g of user.grants) consider(g);
  return earliest;
}
