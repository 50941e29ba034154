// The session of one attempt: each aggregate loaded once, every read checked at commit.
import {
  authorizeManager,
  err,
  ok,
  type AttachmentRequest,
  type AttachmentRequestId,
  type DomainError,
  type EntityKind,
  type LocalDate,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type RecordedEvent,
  type Result,
  type Service,
  type ServiceId,
  type Structure,
  type StructureId,
  type SubscriptionRequest,
  type SubscriptionRequestId,
  type User,
  type UserId,
} from "../core/index.js";
import { AGGREGATE_KINDS, attachmentRequestContextRefs, refsOf } from "../port/store.js";
import type {
  AggregateKind,
  AggregateRefs,
  AggregateRows,
  AggregateTypes,
  HabilitationsStore,
  ReadCheck,
  UnitOfWork,
  Versioned,
  Write,
} from "../port/store.js";

/** An aggregate to save: its new value, and whether it is created. */
export interface Staged {
  readonly kind: AggregateKind;
  readonly value: AggregateTypes[AggregateKind];
  /** `true` when the aggregate is new (it must not exist yet). */
  readonly create?: boolean;
}

type Row = Versioned<{ readonly id: string }>;

/** The ids `refs` names of a kind, read from its own fields only (an absent kind is not read from Object.prototype). */
const idsOf = (refs: AggregateRefs, kind: AggregateKind): readonly string[] | undefined =>
  Object.hasOwn(refs, kind) ? refs[kind] : undefined;

/**
 * What one attempt of a command reads: each aggregate is loaded once (an identity map),
 * so the actor and the target of an act can never be two versions of one user, and
 * every aggregate read is checked at commit, whether it is also written or not.
 *
 * The map is kept per kind, by id (no key built per read); what it holds is also given
 * synchronously ({@link Session.cached}), so a decision whose reads were prefetched does
 * not wait for a promise per record.
 */
export class Session {
  // Every kind an own field (never a field read from a polluted Object.prototype).
  private readonly byKind: { [K in AggregateKind]: Map<string, Row | null> | undefined } = {
    structure: undefined,
    service: undefined,
    user: undefined,
    attachmentRequest: undefined,
    subscriptionRequest: undefined,
  };
  /** Every aggregate found, in the order it was first read: the reads checked at commit. */
  private readonly found: { readonly kind: AggregateKind; readonly row: Row }[] = [];

  constructor(private readonly store: HabilitationsStore) {}

  private mapOf(kind: AggregateKind): Map<string, Row | null> {
    let map = this.byKind[kind];
    if (map === undefined) this.byKind[kind] = map = new Map();
    return map;
  }

  /**
   * The aggregate of this kind and id as this session holds it: the row, `null` when it
   * was looked for and not found, `undefined` when it was not read yet.
   */
  cached<K extends AggregateKind>(kind: K, id: string): Versioned<AggregateTypes[K]> | null | undefined {
    return this.byKind[kind]?.get(id) as Versioned<AggregateTypes[K]> | null | undefined;
  }

  private note<T extends { readonly id: string }>(kind: AggregateKind, id: string, row: Versioned<T> | null): Versioned<T> | null {
    const map = this.mapOf(kind);
    const known = map.get(id);
    if (known !== undefined) return known as Versioned<T> | null;
    map.set(id, row);
    if (row !== null) this.found.push({ kind, row });
    return row;
  }

  private async one<K extends AggregateKind>(
    kind: K,
    id: string,
    load: (id: string) => Promise<Versioned<AggregateTypes[K]> | null>,
  ): Promise<Versioned<AggregateTypes[K]> | null> {
    const known = this.cached(kind, id);
    if (known !== undefined) return known;
    return this.note(kind, id, await load(id));
  }

  private async many<K extends AggregateKind>(
    kind: K,
    ids: readonly string[],
    load: (ids: string[]) => Promise<Versioned<AggregateTypes[K]>[]>,
  ): Promise<Versioned<AggregateTypes[K]>[]> {
    const unique = ids.length > 1 ? [...new Set(ids)] : ids;
    const missing = unique.filter((id) => this.cached(kind, id) === undefined);
    if (missing.length > 0) {
      const found = new Map<string, Versioned<AggregateTypes[K]>>((await load(missing)).map((row) => [row.value.id, row]));
      for (const id of missing) this.note(kind, id, found.get(id) ?? null);
    }
    const rows: Versioned<AggregateTypes[K]>[] = [];
    for (const id of unique) {
      const row = this.cached(kind, id);
      if (row !== null && row !== undefined) rows.push(row);
    }
    return rows;
  }

  /** Notes what a store call found for the ids asked: each id asked is found, or known absent. */
  private noteFound(asked: AggregateRefs, found: AggregateRows): void {
    for (const kind of AGGREGATE_KINDS) {
      const ids = idsOf(asked, kind);
      if (ids === undefined || ids.length === 0) continue;
      const rows = found[kind] as readonly Row[];
      // A command's few rows are searched; a batch's are put in a map first.
      const byId = rows.length > 8 ? new Map(rows.map((r) => [r.value.id, r])) : undefined;
      for (const id of ids) {
        if (this.cached(kind, id) !== undefined) continue;
        const row = byId !== undefined ? byId.get(id) : rows.find((r) => r.value.id === id);
        this.note(kind, id, row ?? null);
      }
    }
  }

  /** The ids of `refs` this session has not read yet, by kind, or `null` when it has them all. */
  private missing(refs: AggregateRefs): AggregateRefs | null {
    let missing: { -readonly [K in AggregateKind]?: string[] } | null = null;
    for (const kind of AGGREGATE_KINDS) {
      const ids = idsOf(refs, kind);
      if (ids === undefined) continue;
      for (const id of ids) {
        if (this.cached(kind, id) !== undefined) continue;
        missing ??= Object.create(null) as { -readonly [K in AggregateKind]?: string[] };
        const list = (missing[kind] ??= []);
        if (!list.includes(id)) list.push(id);
      }
    }
    return missing;
  }

  /**
   * Reads, in one call to the store, the aggregates named that this session has not read
   * yet (the later `user(id)`, `structure(id)`… of them cost nothing).
   */
  async prefetch(refs: AggregateRefs): Promise<void> {
    const missing = this.missing(refs);
    if (missing === null) return;
    this.noteFound(missing, await this.store.getAggregates(missing));
  }

  /**
   * Reads an attachment request with what a decision on it reads (its structure, and with
   * `withRequester` its requester and the services of the request's scope and of the
   * requester's attachment to the structure), plus `also`: one call to the store when it
   * has `getAttachmentRequestContext`, else a `prefetch` of the request and `also`, then
   * one of the rest. Only what is asked is kept (and so checked at commit).
   */
  async prefetchRequestContext(requestId: AttachmentRequestId, also: AggregateRefs, withRequester: boolean): Promise<void> {
    const read = this.store.getAttachmentRequestContext;
    if (read === undefined || this.cached("attachmentRequest", requestId) !== undefined) {
      await this.prefetch({ ...also, attachmentRequest: [...refsOf(also, "attachmentRequest"), requestId] });
      const request = await this.request(requestId);
      if (request === null) return;
      const requester = withRequester ? await this.user(request.value.userId) : null;
      await this.prefetch(withRequester ? attachmentRequestContextRefs(request.value, requester?.value ?? null, also) : { structure: [request.value.structureId] });
      return;
    }
    const found = await read.call(this.store, requestId, also);
    const request = (found.attachmentRequest as readonly Versioned<AttachmentRequest>[]).find((r) => r.value.id === requestId);
    const requester = request === undefined ? undefined : found.user.find((u) => u.value.id === request.value.userId);
    const wanted: AggregateRefs =
      request === undefined
        ? { ...also, attachmentRequest: [...refsOf(also, "attachmentRequest"), requestId] }
        : withRequester
          ? attachmentRequestContextRefs(request.value, requester?.value ?? null, also)
          : { ...also, attachmentRequest: [...refsOf(also, "attachmentRequest"), requestId], structure: [...refsOf(also, "structure"), request.value.structureId] };
    this.noteFound(wanted, found);
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
  subscriptionRequest(id: SubscriptionRequestId): Promise<Versioned<SubscriptionRequest> | null> {
    return this.one("subscriptionRequest", id, async (i) => (await this.store.getAggregates({ subscriptionRequest: [i] })).subscriptionRequest[0] ?? null);
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
    const staged: Write[] = writes.map((w) => {
      if (w.create === true) return { kind: w.kind, value: w.value, expectedVersion: null } as Write;
      const row = this.cached(w.kind, w.value.id);
      if (row === undefined || row === null) throw new Error(`habilitations: ${w.kind}:${w.value.id} is written without having been read`);
      return { kind: w.kind, value: w.value, expectedVersion: row.version } as Write;
    });
    // A written aggregate is checked by its write's expected version, which is this very
    // read: one version per aggregate in a unit.
    const reads: ReadCheck[] = this.found.map(({ kind, row }) => ({ kind, id: row.value.id, version: row.version }));
    return idempotency === undefined
      ? { writes: staged, reads, history, events }
      : { writes: staged, reads, history, events, idempotency };
  }
}

/**
 * The answer to an actor that names no account (the host's authentication gave an id the
 * library does not know): an error of its own, that a host answers with 401, never a
 * target's `NOT_FOUND`.
 */
export const UNKNOWN_ACTOR: DomainError = Object.freeze({ code: "UNKNOWN_ACTOR", reason: "unknown" });

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
  // What the session holds already is taken as it is (a decision's reads are prefetched).
  const knownActor = session.cached("user", actorId);
  const actor = knownActor !== undefined ? knownActor : await session.user(actorId);
  if (actor === null) return err(UNKNOWN_ACTOR);
  const knownStructure = session.cached("structure", structureId);
  const structure = knownStructure !== undefined ? knownStructure : await session.structure(structureId);
  const allowed = structure === null ? null : authorizeManager(actor.value, structure.value, today);
  if (structure !== null && allowed?.ok === true) return ok({ actor: actor.value, structure: structure.value });
  if (reachedBy !== undefined) return err({ code: "NOT_FOUND", entity: reachedBy.entity, id: reachedBy.id });
  if (allowed !== null && !allowed.ok) return allowed;
  return err({ code: "FORBIDDEN", actorId, structureId, reason: "notAManager" });
}


/**
 * Loads the actor of a read that is not a manager's act (a search, a Chorus Pro query):
 * `UNKNOWN_ACTOR` for an id no account holds, `FORBIDDEN` (`accountNotActive`, naming no
 * structure) for an account that is not active.
 */
export async function activeActor(session: Session, actorId: UserId): Promise<Result<User, DomainError>> {
  const actor = await session.user(actorId);
  if (actor === null) return err(UNKNOWN_ACTOR);
  if (actor.value.status !== "active") return err({ code: "FORBIDDEN", actorId, structureId: null, reason: "accountNotActive" });
  return ok(actor.value);
}
