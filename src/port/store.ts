/**
 * The repository port: what a store must do for the application layer. An adapter is
 * a factory returning an object of this shape (`createMemoryStore()`, later
 * `createPostgresStore(pool)`); one contract suite (`habilitations/testing`) checks
 * every adapter.
 *
 * Three rules every store keeps (SPEC §5):
 * - **Unique keys** for the rules that span aggregates: one login per account, one
 *   pending request per user and structure, one service code per structure. Two new
 *   aggregates never conflict on versions, so these are checked at commit and reported
 *   as {@link CommitError}s.
 * - **Read versions**: a unit of work carries the versions of what an authorization
 *   decision read without writing (the actor's account, the structure that says who
 *   its primary manager is); the commit fails if any of them moved.
 * - **No hotspot**: membership changes write the User, never the Structure, and
 *   history is numbered by one global sequence.
 */
import type {
  AttachmentRequest,
  AttachmentRequestId,
  HistoryEntry,
  HistoryKind,
  Instant,
  NewHistoryEntry,
  PendingAttachmentRequest,
  Service,
  ServiceId,
  Structure,
  StructureId,
  User,
  UserId,
} from "../core/index.js";

/** The aggregates a store keeps, by kind. */
export interface AggregateTypes {
  readonly structure: Structure;
  readonly service: Service;
  readonly user: User;
  readonly attachmentRequest: AttachmentRequest;
}

/** The kind of an aggregate. */
export type AggregateKind = keyof AggregateTypes;

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

/** An aggregate read (not written) to decide: its version must be unchanged at commit. */
export interface ReadCheck {
  readonly kind: AggregateKind;
  readonly id: string;
  readonly version: number;
}

/**
 * Everything one command changes, saved all or nothing: the aggregates written, the
 * versions of what was read to authorize, and the history entries appended.
 */
export interface UnitOfWork {
  readonly writes: readonly Write[];
  readonly reads: readonly ReadCheck[];
  readonly history: readonly NewHistoryEntry[];
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
  | { readonly code: "SERVICE_CODE_TAKEN"; readonly structureId: StructureId; readonly serviceCode: string };

/** A page of results, and the cursor of the next page (`null` on the last one). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Where a listing of pending requests resumes: after this (createdAt, id). */
export interface PendingCursor {
  readonly createdAt: Instant;
  readonly id: AttachmentRequestId;
}

/** Filters and page of a history read. Newest first. */
export interface HistoryQuery {
  /** Entries at or after this instant. */
  readonly from?: Instant;
  /** Entries strictly before this instant. */
  readonly to?: Instant;
  /** Only these kinds. */
  readonly kinds?: readonly HistoryKind[];
  /** Only entries about this user. */
  readonly targetUserId?: UserId;
  /** Page size. */
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** What a store must do. Every method is async, so an SQL store fits as well as memory. */
export interface HabilitationsStore {
  getStructure(id: StructureId): Promise<Versioned<Structure> | null>;
  /** The structures found among these ids (missing ones are left out), in any order. */
  getStructures(ids: readonly StructureId[]): Promise<Versioned<Structure>[]>;
  getService(id: ServiceId): Promise<Versioned<Service> | null>;
  /** The services found among these ids, in any order. */
  getServices(ids: readonly ServiceId[]): Promise<Versioned<Service>[]>;
  /** Every service of a structure, active or not, by code. */
  listServices(structureId: StructureId): Promise<Versioned<Service>[]>;
  getUser(id: UserId): Promise<Versioned<User> | null>;
  /** The users found among these ids, in any order. */
  getUsers(ids: readonly UserId[]): Promise<Versioned<User>[]>;
  /** The account with this login (compared in lower case), if any. */
  findUserByLogin(login: string): Promise<Versioned<User> | null>;
  /** The users attached to a structure, by id, a page at a time. */
  listMembers(structureId: StructureId, page: { readonly limit: number; readonly cursor?: string }): Promise<Page<User>>;
  getAttachmentRequest(id: AttachmentRequestId): Promise<Versioned<AttachmentRequest> | null>;
  /** The user's pending request for the structure, if any. */
  findPendingRequest(userId: UserId, structureId: StructureId): Promise<Versioned<PendingAttachmentRequest> | null>;
  /** A structure's pending requests, oldest first (by createdAt, then id), after `after`. */
  listPendingRequests(
    structureId: StructureId,
    page: { readonly limit: number; readonly after?: PendingCursor },
  ): Promise<PendingAttachmentRequest[]>;
  /** A structure's history, newest first (by global sequence), filtered, a page at a time. */
  readHistory(structureId: StructureId, query: HistoryQuery): Promise<Page<HistoryEntry>>;
  /** Saves a unit of work atomically, or nothing of it. */
  commit(unit: UnitOfWork): Promise<CommitResult>;
}

/** The outcome of {@link HabilitationsStore.commit}. */
export type CommitResult =
  | { readonly ok: true; readonly value: CommitReceipt }
  | { readonly ok: false; readonly error: CommitError };

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
 * The cursor of a history page that ended at the entry with this sequence number.
 * Cursors are opaque to callers; stores share this encoding.
 *
 * @example
 * ```ts
 * historyCursor(42); // "42"
 * ```
 */
export function historyCursor(sequence: number): string {
  return String(sequence);
}

/**
 * Reads a history cursor back; `null` when it is not one.
 *
 * @example
 * ```ts
 * parseHistoryCursor("42"); // 42
 * parseHistoryCursor("x"); // null
 * ```
 */
export function parseHistoryCursor(cursor: string): number | null {
  return /^[1-9]\d{0,15}$/.test(cursor) ? Number(cursor) : null;
}

/**
 * Whether a history entry passes a query's filters (not its page).
 *
 * @example
 * ```ts
 * matchesHistoryQuery(entry, { kinds: ["attachmentRequestRefused"], limit: 20 }); // true for a « Refusée »
 * ```
 */
export function matchesHistoryQuery(entry: HistoryEntry, query: HistoryQuery): boolean {
  if (query.from !== undefined && entry.at < query.from) return false;
  if (query.to !== undefined && entry.at >= query.to) return false;
  if (query.kinds !== undefined && !query.kinds.includes(entry.kind)) return false;
  if (query.targetUserId !== undefined && entry.targetUserId !== query.targetUserId) return false;
  return true;
}
