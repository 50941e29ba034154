/**
 * The in-memory store: the embedded default, and the one the demo uses.
 *
 * - **Indexed**: members and pending requests per structure in ordered sets of bounded
 *   chunks, services per structure, logins, history per structure and per kind and
 *   target user; no operation scans the whole store, and adding or removing a member
 *   costs the same in a structure of 100 or of 100 000.
 * - **Isolated**: what is saved is copied once and deep-frozen; rows handed out are
 *   frozen too, so a reader cannot change what the store keeps, and later changes to the
 *   caller's objects do not leak in.
 * - **Atomic**: a commit checks every version and unique key first, copies everything,
 *   and only then applies, with no `await` in between, so a refused unit of work leaves
 *   nothing.
 */
import type {
  AttachmentRequest,
  AttachmentRequestId,
  HistoryEntry,
  PendingAttachmentRequest,
  PendingSubscriptionRequest,
  RecordedEvent,
  Service,
  ServiceId,
  Structure,
  StructureId,
  SubscriptionRequest,
  User,
  UserId,
} from "../core/index.js";
import { withoutSecret } from "../core/events.js";
import { normalizeForSearch } from "../core/search/normalize.js";
import { searchKeyOf, searchStructuresOf, type UserSearchQuery } from "../core/search/query.js";
import { frozenCopy } from "../internal/frozen.js";
import { attachmentRequestContextRefs } from "../port/store.js";
import type {
  AggregateKind,
  AggregateRefs,
  AggregateTypes,
  CommitError,
  CommitResult,
  HabilitationsStore,
  HistoryQuery,
  IdempotencyRecord,
  OutboxClaim,
  OutboxMessage,
  PendingCursor,
  UnitOfWork,
  Versioned,
  Write,
} from "../port/store.js";
import { HistoryIndex } from "./history.js";
import { SortedSet } from "./sorted.js";

/** Everything a memory store holds, for inspection in tests and demos. */
export interface MemoryStoreSnapshot {
  readonly structures: readonly Versioned<Structure>[];
  readonly services: readonly Versioned<Service>[];
  readonly users: readonly Versioned<User>[];
  readonly attachmentRequests: readonly Versioned<AttachmentRequest>[];
  readonly subscriptionRequests: readonly Versioned<SubscriptionRequest>[];
  readonly history: readonly HistoryEntry[];
  /** Events saved and not yet acknowledged, in outbox order. */
  readonly outbox: readonly RecordedEvent[];
  /** Idempotency records, in the order they were saved. */
  readonly idempotency: readonly IdempotencyRecord[];
}

/** A {@link HabilitationsStore} in memory, with a snapshot for inspection. */
export interface MemoryStore extends HabilitationsStore {
  /**
   * Every record, history entry, pending event and idempotency record, as stored
   * (frozen; cheap: nothing is copied).
   *
   * @example
   * ```ts
   * const before = store.snapshot();
   * await app.refuseAttachmentRequest(actor, { requestId, reason: "" }); // refused
   * expect(store.snapshot()).toEqual(before); // nothing changed
   * ```
   */
  snapshot(): MemoryStoreSnapshot;
}

type Tables = { [K in AggregateKind]: Map<string, Versioned<AggregateTypes[K]>> };

interface OutboxEntry {
  readonly event: RecordedEvent;
  readonly sequence: number;
  attempts: number;
  leaseUntil: string | null;
}

const pendingKey = (userId: UserId, structureId: StructureId) => `${userId}\u0000${structureId}`;
const serviceCodeKey = (structureId: StructureId, code: string) => `${structureId}\u0000${code.toLowerCase()}`;
const idempotencyKey = (owner: string, key: string) => `${owner}\u0000${key}`;
const normalizedLogin = (login: string) => login.trim().toLowerCase();

/** The normalised "last\u0000first" part of a search key. */
const nameKeyOf = (key: string) => key.slice(0, key.indexOf("\u0000", key.indexOf("\u0000") + 1));

const STATUS_CODE = { pendingActivation: "p", active: "a", deactivated: "d" } as const;

/**
 * A user's entry in a structure's search index: the core's search key, then U+0001 and
 * the account status's letter. Ids hold no U+0001, so entries sort as their keys do, and
 * a page decides names and status from the entry alone, touching the user records only
 * of what it keeps (or when the query needs more than names and status).
 */
const entryOf = (user: User) => `${searchKeyOf(user)}\u0001${STATUS_CODE[user.status]}`;
/** The user id in an entry (between the last U+0000 and the U+0001). */
const userIdOfEntry = (entry: string) => entry.slice(entry.lastIndexOf("\u0000") + 1, entry.lastIndexOf("\u0001")) as UserId;

/**
 * The part of `matchesSearch` an index entry decides alone: names and status (the
 * property tests compare the whole with the reference).
 */
function entryMatches(entry: string, query: UserSearchQuery): boolean {
  if (query.lastName !== undefined || query.firstName !== undefined) {
    const sep1 = entry.indexOf("\u0000");
    if (query.lastName !== undefined) {
      const at = entry.indexOf(query.lastName);
      if (at < 0 || at + query.lastName.length > sep1) return false;
    }
    if (query.firstName !== undefined) {
      const sep2 = entry.indexOf("\u0000", sep1 + 1);
      const at = entry.indexOf(query.firstName, sep1 + 1);
      if (at < 0 || at + query.firstName.length > sep2) return false;
    }
  }
  return query.status === undefined || entry.charCodeAt(entry.length - 1) === STATUS_CODE[query.status].charCodeAt(0);
}

/** The rest of `matchesSearch`, which needs the record: the service and the login. */
function recordMatches(user: User, query: UserSearchQuery): boolean {
  if (query.service !== undefined) {
    const { structureId, serviceId } = query.service;
    const attachment = user.attachments.find((a) => a.structureId === structureId);
    if (attachment === undefined) return false;
    if (attachment.scope.kind === "services" && !attachment.scope.serviceIds.includes(serviceId)) return false;
  }
  return query.login === undefined || normalizeForSearch(user.login).includes(query.login);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/**
 * The ordering key of a pending request: createdAt (fixed-width ISO) then id, joined by a
 * character below any other, so string order is (createdAt, id) order.
 */
const pendingOrderKey = (createdAt: string, id: string) => `${createdAt}\u0000${id}`;
const idOfPendingKey = (key: string) => key.slice(key.indexOf("\u0000") + 1);

/**
 * Creates an empty in-memory store.
 *
 * @example
 * ```ts
 * import { createHabilitations } from "habilitations";
 * import { createMemoryStore } from "habilitations/memory";
 *
 * const app = createHabilitations({ store: createMemoryStore() });
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const tables: Tables = {
    structure: new Map(),
    service: new Map(),
    user: new Map(),
    attachmentRequest: new Map(),
    subscriptionRequest: new Map(),
  };
  /** Per structure: the ids of its members, in order. */
  const members = new Map<StructureId, SortedSet>();
  /** Per structure: the search keys (`searchKeyOf`) of its users (attached, or created for it), in search order. */
  const searchIndex = new Map<StructureId, SortedSet>();
  /**
   * Each user's current record by their index entry (the very string the indexes hold,
   * whose hash is computed once), so a search page reaches a record without rebuilding
   * its id.
   */
  const recordOfEntry = new Map<string, User>();
  /** User id → its index entry now (so a write that keeps the names normalises nothing). */
  const entryOfUser = new Map<UserId, string>();
  /** Normalised "last\u0000first" → the users of those names (the lookup by names). */
  const nameIndex = new Map<string, Set<UserId>>();
  const servicesOf = new Map<StructureId, Set<ServiceId>>();
  /** Per structure: its pending requests, by (createdAt, id). */
  const pendingOf = new Map<StructureId, SortedSet>();
  /** Per structure: its pending subscription requests, by (createdAt, id). */
  const pendingSubscriptionsOf = new Map<StructureId, SortedSet>();
  const logins = new Map<string, UserId>();
  const pendingKeys = new Map<string, AttachmentRequestId>();
  const serviceCodes = new Map<string, ServiceId>();
  const history = new HistoryIndex();
  /** Undelivered events by id, and their ids in outbox order (acknowledged ones dropped lazily). */
  const outbox = new Map<string, OutboxEntry>();
  let outboxOrder: string[] = [];
  let outboxHead = 0;
  let outboxSequence = 0;
  const idempotency = new Map<string, IdempotencyRecord>();

  const get = <K extends AggregateKind>(kind: K, id: string) =>
    (tables[kind] as Map<string, Versioned<AggregateTypes[K]>>).get(id) ?? null;
  const getMany = <K extends AggregateKind>(kind: K, ids: readonly string[]) => {
    const found: Versioned<AggregateTypes[K]>[] = [];
    for (const id of new Set(ids)) {
      const row = get(kind, id);
      if (row !== null) found.push(row);
    }
    return found;
  };

  /** Checks versions and unique keys; returns the first problem, or null. */
  function check(unit: UnitOfWork): CommitError | null {
    // The idempotency key first: a twin that committed with it wins over any version check.
    const claim = unit.idempotency;
    if (claim !== undefined && idempotency.has(idempotencyKey(claim.owner, claim.key)))
      return { code: "IDEMPOTENCY_KEY_TAKEN", owner: claim.owner, key: claim.key };
    const written = new Map<string, Write>();
    for (const w of unit.writes) {
      const key = `${w.kind}:${w.value.id}`;
      if (written.has(key)) throw new TypeError(`unit of work writes ${key} twice`);
      written.set(key, w);
    }
    for (const r of unit.reads) {
      // One aggregate has one version in a unit: a read and a write of it must agree.
      const write = written.get(`${r.kind}:${r.id}`);
      if (write !== undefined && write.expectedVersion !== r.version) return { code: "VERSION_CONFLICT", kind: r.kind, id: r.id };
      if (get(r.kind, r.id)?.version !== r.version) return { code: "VERSION_CONFLICT", kind: r.kind, id: r.id };
    }
    for (const w of unit.writes) {
      const current = get(w.kind, w.value.id);
      const ok = w.expectedVersion === null ? current === null : current?.version === w.expectedVersion;
      if (!ok) return { code: "VERSION_CONFLICT", kind: w.kind, id: w.value.id };
    }
    // Unique keys, write by write in the unit's order, as `apply` will change the indexes
    // (and as an SQL store's constraints see them): each write frees its own previous key,
    // then takes its new one. A key moved within a unit must be freed before it is taken.
    const loginOwner = new Map<string, UserId | null>();
    const pendingOwner = new Map<string, AttachmentRequestId | null>();
    const codeOwner = new Map<string, ServiceId | null>();
    const owner = <V>(staged: Map<string, V | null>, index: Map<string, V>, key: string) =>
      staged.has(key) ? (staged.get(key) ?? null) : (index.get(key) ?? null);
    for (const w of unit.writes) {
      if (w.kind === "user") {
        const before = tables.user.get(w.value.id)?.value;
        if (before !== undefined) loginOwner.set(normalizedLogin(before.login), null);
        const login = normalizedLogin(w.value.login);
        const holder = owner(loginOwner, logins, login);
        if (holder !== null && holder !== w.value.id) return { code: "LOGIN_TAKEN", login: w.value.login };
        loginOwner.set(login, w.value.id);
      } else if (w.kind === "attachmentRequest") {
        const before = tables.attachmentRequest.get(w.value.id)?.value;
        if (before?.status === "pending") pendingOwner.set(pendingKey(before.userId, before.structureId), null);
        if (w.value.status !== "pending") continue;
        const key = pendingKey(w.value.userId, w.value.structureId);
        const holder = owner(pendingOwner, pendingKeys, key);
        if (holder !== null && holder !== w.value.id)
          return { code: "PENDING_REQUEST_EXISTS", userId: w.value.userId, structureId: w.value.structureId };
        pendingOwner.set(key, w.value.id);
      } else if (w.kind === "service") {
        const before = tables.service.get(w.value.id)?.value;
        if (before !== undefined) codeOwner.set(serviceCodeKey(before.structureId, before.code), null);
        const key = serviceCodeKey(w.value.structureId, w.value.code);
        const holder = owner(codeOwner, serviceCodes, key);
        if (holder !== null && holder !== w.value.id)
          return { code: "SERVICE_CODE_TAKEN", structureId: w.value.structureId, serviceCode: w.value.code };
        codeOwner.set(key, w.value.id);
      }
    }
    return null;
  }

  function indexUser(before: User | undefined, after: User): void {
    if (before !== undefined) logins.delete(normalizedLogin(before.login));
    logins.set(normalizedLogin(after.login), after.id);
    const was = new Set(before?.attachments.map((a) => a.structureId));
    const is = new Set(after.attachments.map((a) => a.structureId));
    for (const s of was) if (!is.has(s)) members.get(s)?.delete(after.id);
    for (const s of is) if (!was.has(s)) getOrCreate(members, s, () => new SortedSet()).add(after.id);
    indexForSearch(before, after);
  }

  function indexForSearch(before: User | undefined, after: User): void {
    const known = before === undefined ? undefined : entryOfUser.get(before.id);
    const keeps =
      before !== undefined &&
      before.lastName === after.lastName &&
      before.firstName === after.firstName &&
      before.login === after.login &&
      before.status === after.status;
    const afterEntry = keeps && known !== undefined ? known : entryOf(after);
    entryOfUser.set(after.id, afterEntry);
    const afterIn = searchStructuresOf(after);
    if (before !== undefined) {
      const beforeEntry = known ?? entryOf(before);
      const beforeIn = searchStructuresOf(before);
      const same = beforeEntry === afterEntry;
      if (!same) recordOfEntry.delete(beforeEntry);
      recordOfEntry.set(afterEntry, after);
      if (same && beforeIn.length === afterIn.length && beforeIn.every((s) => afterIn.includes(s))) return;
      for (const s of beforeIn) if (!same || !afterIn.includes(s)) searchIndex.get(s)?.delete(beforeEntry);
      nameIndex.get(nameKeyOf(beforeEntry))?.delete(before.id);
    }
    if (before === undefined) recordOfEntry.set(afterEntry, after);
    for (const s of afterIn) getOrCreate(searchIndex, s, () => new SortedSet()).add(afterEntry);
    getOrCreate(nameIndex, nameKeyOf(afterEntry), () => new Set()).add(after.id);
  }

  /**
   * A search page: a merge, in search order, of the searched structures' search indexes
   * from the position on, each user once, kept when it matches; it reads the members of
   * those structures only, and stops as soon as the page is full.
   */
  function searchPage(query: UserSearchQuery): User[] {
    const CHUNK = 256;
    // Entries are the keys with a suffix: start from `after`, and skip, at the start, the
    // entries whose key is not past it (the user at the position itself).
    const after = query.after;
    let atStart = after !== undefined;
    const start = after;
    const heads = query.structureIds.flatMap((s) => {
      const set = searchIndex.get(s);
      return set === undefined ? [] : [{ set, buf: [] as string[], pos: 0, after: start, done: false }];
    });
    const peek = (h: (typeof heads)[number]): string | undefined => {
      if (h.pos >= h.buf.length) {
        if (h.done) return undefined;
        h.buf = h.set.page(h.after, CHUNK);
        h.pos = 0;
        if (h.buf.length < CHUNK) h.done = true;
        if (h.buf.length === 0) return undefined;
        h.after = h.buf[h.buf.length - 1];
      }
      return h.buf[h.pos];
    };
    const found: User[] = [];
    const needsRecord = query.service !== undefined || query.login !== undefined;
    const single = heads.length === 1 ? heads[0] : undefined;
    while (found.length < query.limit) {
      let min: string | undefined;
      if (single !== undefined) {
        min = peek(single);
        if (min === undefined) break;
        single.pos++;
      } else {
        for (const h of heads) {
          const k = peek(h);
          if (k !== undefined && (min === undefined || k < min)) min = k;
        }
        if (min === undefined) break;
        for (const h of heads) if (peek(h) === min) h.pos++;
      }
      if (atStart) {
        if (min.slice(0, min.lastIndexOf("\u0001")) <= (after as string)) continue;
        atStart = false;
      }
      if (!entryMatches(min, query)) continue;
      const user = recordOfEntry.get(min) ?? (tables.user.get(userIdOfEntry(min)) as Versioned<User>).value;
      if (needsRecord && !recordMatches(user, query)) continue;
      found.push(user);
    }
    return found;
  }

  function indexRequest(before: AttachmentRequest | undefined, after: AttachmentRequest): void {
    if (before?.status === "pending") {
      pendingKeys.delete(pendingKey(before.userId, before.structureId));
      pendingOf.get(before.structureId)?.delete(pendingOrderKey(before.createdAt, before.id));
    }
    if (after.status === "pending") {
      pendingKeys.set(pendingKey(after.userId, after.structureId), after.id);
      getOrCreate(pendingOf, after.structureId, () => new SortedSet()).add(pendingOrderKey(after.createdAt, after.id));
    }
  }

  function indexSubscription(before: SubscriptionRequest | undefined, after: SubscriptionRequest): void {
    if (before?.status === "pending") pendingSubscriptionsOf.get(before.structureId)?.delete(pendingOrderKey(before.createdAt, before.id));
    if (after.status === "pending")
      getOrCreate(pendingSubscriptionsOf, after.structureId, () => new SortedSet()).add(pendingOrderKey(after.createdAt, after.id));
  }

  function indexService(before: Service | undefined, after: Service): void {
    if (before !== undefined) {
      serviceCodes.delete(serviceCodeKey(before.structureId, before.code));
      if (before.structureId !== after.structureId) servicesOf.get(before.structureId)?.delete(after.id);
    }
    serviceCodes.set(serviceCodeKey(after.structureId, after.code), after.id);
    getOrCreate(servicesOf, after.structureId, () => new Set()).add(after.id);
  }

  function apply(write: Write): number {
    const value = write.value;
    const version = (write.expectedVersion ?? 0) + 1;
    switch (write.kind) {
      case "structure":
        tables.structure.set(value.id, Object.freeze({ value: value as Structure, version }));
        break;
      case "service":
        indexService(tables.service.get(value.id)?.value, value as Service);
        tables.service.set(value.id, Object.freeze({ value: value as Service, version }));
        break;
      case "user":
        indexUser(tables.user.get(value.id)?.value, value as User);
        tables.user.set(value.id, Object.freeze({ value: value as User, version }));
        break;
      case "attachmentRequest":
        indexRequest(tables.attachmentRequest.get(value.id)?.value, value as AttachmentRequest);
        tables.attachmentRequest.set(value.id, Object.freeze({ value: value as AttachmentRequest, version }));
        break;
      case "subscriptionRequest":
        indexSubscription(tables.subscriptionRequest.get(value.id)?.value, value as SubscriptionRequest);
        tables.subscriptionRequest.set(value.id, Object.freeze({ value: value as SubscriptionRequest, version }));
        break;
    }
    return version;
  }

  /** The ids of undelivered events in outbox order, dropping acknowledged ones from the head. */
  function compactOutbox(): void {
    while (outboxHead < outboxOrder.length && !outbox.has(outboxOrder[outboxHead] as string)) outboxHead++;
    if (outboxHead > 1024 && outboxHead * 2 > outboxOrder.length) {
      outboxOrder = outboxOrder.slice(outboxHead);
      outboxHead = 0;
    }
  }

  const aggregates = (refs: AggregateRefs) => ({
    structure: getMany("structure", refs.structure ?? []),
    service: getMany("service", refs.service ?? []),
    user: getMany("user", refs.user ?? []),
    attachmentRequest: getMany("attachmentRequest", refs.attachmentRequest ?? []),
    subscriptionRequest: getMany("subscriptionRequest", refs.subscriptionRequest ?? []),
  });

  return {
    async getAggregates(refs) {
      return aggregates(refs);
    },
    async getAttachmentRequestContext(requestId, also) {
      // getAggregates over the ids the request leads to (or `also` alone, for an unknown request).
      const request = get("attachmentRequest", requestId);
      const refs: AggregateRefs =
        request === null
          ? { ...also, attachmentRequest: [...(also.attachmentRequest ?? []), requestId] }
          : attachmentRequestContextRefs(request.value, get("user", request.value.userId)?.value ?? null, also);
      return aggregates(refs);
    },
    async getStructure(id) {
      return get("structure", id);
    },
    async getStructures(ids) {
      return getMany("structure", ids);
    },
    async getService(id) {
      return get("service", id);
    },
    async getServices(ids) {
      return getMany("service", ids);
    },
    async listServices(structureId) {
      const rows = getMany("service", [...(servicesOf.get(structureId) ?? [])]);
      return rows.sort((a, b) => (a.value.code < b.value.code ? -1 : a.value.code > b.value.code ? 1 : 0));
    },
    async getUser(id) {
      return get("user", id);
    },
    async getUsers(ids) {
      return getMany("user", ids);
    },
    async findUserByLogin(login) {
      const id = logins.get(normalizedLogin(login));
      return id === undefined ? null : get("user", id);
    },
    async searchUsers(query) {
      return searchPage(query);
    },
    async findUsersByName(lastName, firstName, limit) {
      const ids = nameIndex.get(`${lastName}\u0000${firstName}`);
      if (ids === undefined) return [];
      const users = [...ids].map((id) => (tables.user.get(id) as Versioned<User>).value);
      return users
        .map((u) => ({ key: searchKeyOf(u), u }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .slice(0, limit)
        .map((x) => x.u);
    },
    async listMembers(structureId, page) {
      const ids = members.get(structureId)?.page(page.after, page.limit) ?? [];
      return ids.map((id) => (tables.user.get(id) as Versioned<User>).value);
    },
    async getAttachmentRequest(id) {
      return get("attachmentRequest", id);
    },
    async findPendingRequest(userId, structureId) {
      const id = pendingKeys.get(pendingKey(userId, structureId));
      return id === undefined ? null : (get("attachmentRequest", id) as Versioned<PendingAttachmentRequest>);
    },
    async listPendingRequests(structureId, page: { readonly limit: number; readonly after?: PendingCursor }) {
      const after = page.after === undefined ? undefined : pendingOrderKey(page.after.createdAt, page.after.id);
      const keys = pendingOf.get(structureId)?.page(after, page.limit) ?? [];
      return keys.map(
        (key) =>
          (tables.attachmentRequest.get(idOfPendingKey(key)) as Versioned<AttachmentRequest>).value as PendingAttachmentRequest,
      );
    },
    async listPendingSubscriptionRequests(structureId, page: { readonly limit: number; readonly after?: PendingCursor }) {
      const after = page.after === undefined ? undefined : pendingOrderKey(page.after.createdAt, page.after.id);
      const keys = pendingSubscriptionsOf.get(structureId)?.page(after, page.limit) ?? [];
      return keys.map(
        (key) =>
          (tables.subscriptionRequest.get(idOfPendingKey(key)) as Versioned<SubscriptionRequest>).value as PendingSubscriptionRequest,
      );
    },
    async readHistory(structureId, query: HistoryQuery) {
      return history.read(structureId, query);
    },
    async commit(unit: UnitOfWork): Promise<CommitResult> {
      const problem = check(unit);
      if (problem !== null) return { ok: false, error: problem };
      // Private, frozen copies, all made before anything is applied (the caller keeps no
      // handle on what is stored, and a value that cannot be copied fails the whole unit).
      const writes = unit.writes.map((w) => ({ ...w, value: frozenCopy(w.value) }) as Write);
      const entries = frozenCopy(unit.history);
      const events = frozenCopy(unit.events);
      const claim = unit.idempotency === undefined ? undefined : frozenCopy(unit.idempotency);
      // From here on nothing can fail: apply everything, synchronously.
      const versions = writes.map(apply);
      const numbered = entries.map((entry) => {
        const stored: HistoryEntry = Object.freeze({ ...entry, sequence: history.nextSequence });
        history.append(stored);
        return stored;
      });
      for (const event of events) {
        if (outbox.has(event.id)) continue;
        outbox.set(event.id, { event, sequence: ++outboxSequence, attempts: 0, leaseUntil: null });
        outboxOrder.push(event.id);
      }
      if (claim !== undefined)
        idempotency.set(
          idempotencyKey(claim.owner, claim.key),
          Object.freeze({ ...claim, history: Object.freeze(numbered), events: Object.freeze(events.map(withoutSecret)) }),
        );
      return { ok: true, value: Object.freeze({ history: Object.freeze(numbered), versions: Object.freeze(versions) }) };
    },
    async getIdempotencyRecord(owner, key) {
      return idempotency.get(idempotencyKey(owner, key)) ?? null;
    },
    async purgeIdempotencyRecords(before) {
      let purged = 0;
      for (const [key, record] of idempotency)
        if (record.at < before) {
          idempotency.delete(key);
          purged++;
        }
      return purged;
    },
    async claimOutbox(claim: OutboxClaim): Promise<OutboxMessage[]> {
      compactOutbox();
      const claimed: OutboxMessage[] = [];
      for (let i = outboxHead; i < outboxOrder.length && claimed.length < claim.limit; i++) {
        const entry = outbox.get(outboxOrder[i] as string);
        if (entry === undefined) continue;
        if (entry.leaseUntil !== null && entry.leaseUntil > claim.now) continue;
        entry.attempts++;
        entry.leaseUntil = claim.leaseUntil;
        claimed.push(Object.freeze({ event: entry.event, sequence: entry.sequence, attempts: entry.attempts }));
      }
      return claimed;
    },
    async acknowledgeOutbox(eventIds) {
      for (const id of eventIds) outbox.delete(id);
      compactOutbox();
    },
    snapshot(): MemoryStoreSnapshot {
      const pending: RecordedEvent[] = [];
      for (let i = outboxHead; i < outboxOrder.length; i++) {
        const entry = outbox.get(outboxOrder[i] as string);
        if (entry !== undefined) pending.push(entry.event);
      }
      return {
        structures: [...tables.structure.values()],
        services: [...tables.service.values()],
        users: [...tables.user.values()],
        attachmentRequests: [...tables.attachmentRequest.values()],
        subscriptionRequests: [...tables.subscriptionRequest.values()],
        history: [...history.all],
        outbox: pending,
        idempotency: [...idempotency.values()],
      };
    },
  };
}
