/**
 * The in-memory store: the embedded default, and the one the demo uses.
 *
 * - **Indexed**: members and pending requests per structure in ordered sets of bounded
 *   chunks, services and history per structure, logins; no operation scans the whole
 *   store, and adding or removing a member costs the same in a structure of 100 or of
 *   100 000. (A history read with filters walks that structure's history.)
 * - **Isolated**: what is saved is copied and deep-frozen; what is read cannot be
 *   changed by the caller, and later changes to the caller's objects do not leak in.
 * - **Atomic**: a commit checks every version and unique key first and only then
 *   applies, with no `await` in between, so a refused unit of work leaves nothing.
 */
import { freeze } from "immer";
import type {
  AttachmentRequest,
  AttachmentRequestId,
  HistoryEntry,
  PendingAttachmentRequest,
  Service,
  ServiceId,
  Structure,
  StructureId,
  User,
  UserId,
} from "../core/index.js";
import {
  historyCursor,
  matchesHistoryQuery,
  parseHistoryCursor,
  type AggregateKind,
  type AggregateTypes,
  type CommitError,
  type CommitResult,
  type HabilitationsStore,
  type HistoryQuery,
  type Page,
  type PendingCursor,
  type UnitOfWork,
  type Versioned,
  type Write,
} from "../port/store.js";
import { SortedSet } from "./sorted.js";

/** Everything a memory store holds, for inspection in tests and demos. */
export interface MemoryStoreSnapshot {
  readonly structures: readonly Versioned<Structure>[];
  readonly services: readonly Versioned<Service>[];
  readonly users: readonly Versioned<User>[];
  readonly attachmentRequests: readonly Versioned<AttachmentRequest>[];
  readonly history: readonly HistoryEntry[];
}

/** A {@link HabilitationsStore} in memory, with a snapshot for inspection. */
export interface MemoryStore extends HabilitationsStore {
  /**
   * Every record and history entry, as stored (frozen; cheap: nothing is copied).
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

const pendingKey = (userId: UserId, structureId: StructureId) => `${userId}\u0000${structureId}`;
const serviceCodeKey = (structureId: StructureId, code: string) =>
  `${structureId}\u0000${code.toLowerCase()}`;

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
const idOfPendingKey = (key: string) => key.slice(key.indexOf("\u0000") + 1) as AttachmentRequestId;

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
  };
  /** Per structure: the ids of its members, in order. */
  const members = new Map<StructureId, SortedSet>();
  const servicesOf = new Map<StructureId, Set<ServiceId>>();
  /** Per structure: its pending requests, by (createdAt, id). */
  const pendingOf = new Map<StructureId, SortedSet>();
  const logins = new Map<string, UserId>();
  const pendingKeys = new Map<string, AttachmentRequestId>();
  const serviceCodes = new Map<string, ServiceId>();
  const history: HistoryEntry[] = [];
  const historyOf = new Map<StructureId, HistoryEntry[]>();

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
    const seen = new Set<string>();
    for (const w of unit.writes) {
      const key = `${w.kind}:${w.value.id}`;
      if (seen.has(key)) throw new TypeError(`unit of work writes ${key} twice`);
      seen.add(key);
    }
    for (const r of unit.reads) {
      if (get(r.kind, r.id)?.version !== r.version) return { code: "VERSION_CONFLICT", kind: r.kind, id: r.id };
    }
    for (const w of unit.writes) {
      const current = get(w.kind, w.value.id);
      const ok = w.expectedVersion === null ? current === null : current?.version === w.expectedVersion;
      if (!ok) return { code: "VERSION_CONFLICT", kind: w.kind, id: w.value.id };
    }
    // Unique keys, as they will stand once every write of the unit is applied.
    const loginOwner = new Map<string, UserId | null>();
    const pendingOwner = new Map<string, AttachmentRequestId | null>();
    const codeOwner = new Map<string, ServiceId | null>();
    const owner = <V>(staged: Map<string, V | null>, index: Map<string, V>, key: string) =>
      staged.has(key) ? staged.get(key) ?? null : index.get(key) ?? null;
    for (const w of unit.writes) {
      if (w.kind === "user") {
        const before = tables.user.get(w.value.id)?.value;
        if (before !== undefined && before.login !== w.value.login) loginOwner.set(before.login, null);
      } else if (w.kind === "attachmentRequest") {
        const before = tables.attachmentRequest.get(w.value.id)?.value;
        if (before?.status === "pending") pendingOwner.set(pendingKey(before.userId, before.structureId), null);
      } else if (w.kind === "service") {
        const before = tables.service.get(w.value.id)?.value;
        if (before !== undefined) codeOwner.set(serviceCodeKey(before.structureId, before.code), null);
      }
    }
    for (const w of unit.writes) {
      if (w.kind === "user") {
        const holder = owner(loginOwner, logins, w.value.login);
        if (holder !== null && holder !== w.value.id) return { code: "LOGIN_TAKEN", login: w.value.login };
        loginOwner.set(w.value.login, w.value.id);
      } else if (w.kind === "attachmentRequest" && w.value.status === "pending") {
        const key = pendingKey(w.value.userId, w.value.structureId);
        const holder = owner(pendingOwner, pendingKeys, key);
        if (holder !== null && holder !== w.value.id)
          return { code: "PENDING_REQUEST_EXISTS", userId: w.value.userId, structureId: w.value.structureId };
        pendingOwner.set(key, w.value.id);
      } else if (w.kind === "service") {
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
    if (before !== undefined && before.login !== after.login) logins.delete(before.login);
    logins.set(after.login, after.id);
    const was = new Set(before?.attachments.map((a) => a.structureId));
    const is = new Set(after.attachments.map((a) => a.structureId));
    for (const s of was) if (!is.has(s)) members.get(s)?.delete(after.id);
    for (const s of is) if (!was.has(s)) getOrCreate(members, s, () => new SortedSet()).add(after.id);
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

  function indexService(before: Service | undefined, after: Service): void {
    if (before !== undefined) serviceCodes.delete(serviceCodeKey(before.structureId, before.code));
    serviceCodes.set(serviceCodeKey(after.structureId, after.code), after.id);
    getOrCreate(servicesOf, after.structureId, () => new Set()).add(after.id);
  }

  function apply(write: Write): number {
    const value = write.value;
    const version = (write.expectedVersion ?? 0) + 1;
    switch (write.kind) {
      case "structure":
        tables.structure.set(value.id, { value: value as Structure, version });
        break;
      case "service":
        indexService(tables.service.get(value.id)?.value, value as Service);
        tables.service.set(value.id, { value: value as Service, version });
        break;
      case "user":
        indexUser(tables.user.get(value.id)?.value, value as User);
        tables.user.set(value.id, { value: value as User, version });
        break;
      case "attachmentRequest":
        indexRequest(tables.attachmentRequest.get(value.id)?.value, value as AttachmentRequest);
        tables.attachmentRequest.set(value.id, { value: value as AttachmentRequest, version });
        break;
    }
    return version;
  }

  return {
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
      const id = logins.get(login.trim().toLowerCase());
      return id === undefined ? null : get("user", id);
    },
    async listMembers(structureId, page): Promise<Page<User>> {
      const ids = members.get(structureId)?.page(page.cursor, page.limit + 1) ?? [];
      const more = ids.length > page.limit;
      const slice = more ? ids.slice(0, page.limit) : ids;
      const items = slice.map((id) => (tables.user.get(id) as Versioned<User>).value);
      return { items, nextCursor: more ? (slice[slice.length - 1] ?? null) : null };
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
        (key) => (tables.attachmentRequest.get(idOfPendingKey(key)) as Versioned<AttachmentRequest>).value as PendingAttachmentRequest,
      );
    },
    async readHistory(structureId, query: HistoryQuery): Promise<Page<HistoryEntry>> {
      const entries = historyOf.get(structureId) ?? [];
      let i = entries.length - 1;
      if (query.cursor !== undefined) {
        const before = parseHistoryCursor(query.cursor);
        if (before === null) throw new TypeError(`not a history cursor: ${query.cursor}`);
        // Entries are in sequence order: find the last one older than the cursor.
        let lo = 0;
        let hi = entries.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((entries[mid] as HistoryEntry).sequence < before) lo = mid + 1;
          else hi = mid;
        }
        i = lo - 1;
      }
      const items: HistoryEntry[] = [];
      let more = false;
      for (; i >= 0; i--) {
        const e = entries[i] as HistoryEntry;
        if (!matchesHistoryQuery(e, query)) continue;
        if (items.length === query.limit) {
          more = true;
          break;
        }
        items.push(e);
      }
      const last = items[items.length - 1];
      return { items, nextCursor: more && last !== undefined ? historyCursor(last.sequence) : null };
    },
    async commit(unit: UnitOfWork): Promise<CommitResult> {
      const problem = check(unit);
      if (problem !== null) return { ok: false, error: problem };
      // Private, frozen copies, all made before anything is applied (the caller keeps no
      // handle on what is stored, and a value that cannot be copied fails the whole unit).
      const writes = unit.writes.map((w) => ({ ...w, value: freeze(structuredClone(w.value), true) }) as Write);
      const entries = unit.history.map((e) => freeze(structuredClone(e), true));
      // From here on nothing can fail: apply everything, synchronously.
      const versions = writes.map(apply);
      const numbered = entries.map((entry) => {
        const stored: HistoryEntry = freeze({ ...entry, sequence: history.length + 1 });
        history.push(stored);
        getOrCreate(historyOf, stored.structureId, () => []).push(stored);
        return stored;
      });
      return { ok: true, value: { history: numbered, versions } };
    },
    snapshot(): MemoryStoreSnapshot {
      return {
        structures: [...tables.structure.values()],
        services: [...tables.service.values()],
        users: [...tables.user.values()],
        attachmentRequests: [...tables.attachmentRequest.values()],
        history: [...history],
      };
    },
  };
}
