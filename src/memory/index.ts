/**
 * The in-memory store: the embedded default, and the one the demo uses. This file
 * composes what it keeps, one file each: the records (`records.ts`), the indexes
 * (`indexes.ts`, `search.ts`, `expiries.ts`), the history (`history.ts`) and the outbox
 * (`outbox.ts`).
 *
 * - **Indexed**: members and pending requests per structure in ordered sets of bounded
 *   chunks, services per structure, logins, history per structure and per kind and
 *   target user; no operation scans the whole store, and adding or removing a member
 *   costs the same in a structure of 100 or of 100 000; rights' ends by date, for the
 *   expiry sweep.
 * - **Isolated**: what is saved is copied once and deep-frozen (what is frozen already by
 *   the library, such as what the application layer has just built, is kept as it is);
 *   rows handed out are frozen too, so a reader cannot change what the store keeps, and
 *   later changes to the caller's objects do not leak in.
 * - **Atomic**: a commit checks every version and unique key first, copies everything,
 *   and only then applies, with no `await` in between, so a refused unit of work leaves
 *   nothing.
 */
import type {
  AttachmentRequest,
  HistoryEntry,
  NewHistoryEntry,
  PendingAttachmentRequest,
  PendingSubscriptionRequest,
  RecordedEvent,
  Service,
  Structure,
  SubscriptionRequest,
  User,
} from "../core/index.js";
import { withoutSecret } from "../core/events.js";
import { freezeOwned, frozenCopy } from "../internal/frozen.js";
import { attachmentRequestContextRefs, refsOf } from "../port/store.js";
import type {
  AggregateRefs,
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
import { ExpiryIndex } from "./expiries.js";
import { HistoryIndex } from "./history.js";
import { idOfPendingKey, Indexes, normalizedLogin, pendingOrderKey } from "./indexes.js";
import { Outbox } from "./outbox.js";
import { Records, UserSlot } from "./records.js";
import { SearchIndex } from "./search.js";

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

const idempotencyKey = (owner: string, key: string) => `${owner}\u0000${key}`;

/**
 * A history entry as stored: the entry's fields and its sequence, in one literal (every
 * field in the object itself, none in a separate property store), frozen. An entry with
 * other fields than a history entry's (a caller's own store contract test) is copied
 * whole.
 */
function numberedEntry(entry: NewHistoryEntry, sequence: number): HistoryEntry {
  const keys = Object.keys(entry);
  if (keys.length !== 7 || !ENTRY_KEYS.every((k, i) => keys[i] === k)) return freezeOwned({ ...entry, sequence });
  return freezeOwned({
    structureId: entry.structureId,
    kind: entry.kind,
    at: entry.at,
    actorId: entry.actorId,
    targetUserId: entry.targetUserId,
    requestId: entry.requestId,
    details: entry.details,
    sequence,
  });
}

/** The fields of a history entry the core makes, in the order it makes them. */
const ENTRY_KEYS = ["structureId", "kind", "at", "actorId", "targetUserId", "requestId", "details"] as const;

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
  const records = new Records();
  const indexes = new Indexes();
  const search = new SearchIndex();
  const expiries = new ExpiryIndex();
  const history = new HistoryIndex();
  const outbox = new Outbox();
  const idempotency = new Map<string, IdempotencyRecord>();
  const get = records.get.bind(records);
  const getMany = records.getMany.bind(records);

  /** The write of an aggregate in a unit, if it writes it. */
  function writeOf(writes: readonly Write[], written: Map<string, Write> | undefined, kind: string, id: string): Write | undefined {
    if (written !== undefined) return written.get(`${kind}:${id}`);
    for (const w of writes) if (w.kind === kind && w.value.id === id) return w;
    return undefined;
  }

  /** Checks versions and unique keys; returns the first problem, or null. */
  function check(unit: UnitOfWork): CommitError | null {
    // The idempotency key first: a twin that committed with it wins over any version check.
    const claim = unit.idempotency;
    if (claim !== undefined && idempotency.has(idempotencyKey(claim.owner, claim.key)))
      return { code: "IDEMPOTENCY_KEY_TAKEN", owner: claim.owner, key: claim.key };
    const writes = unit.writes;
    // A unit writes each aggregate once. Small units (a command's) are checked pair by
    // pair; large ones (a bulk load) through a map.
    const written = writes.length > 8 ? new Map<string, Write>() : undefined;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i] as Write;
      if (written !== undefined) {
        const key = `${w.kind}:${w.value.id}`;
        if (written.has(key)) throw new TypeError(`unit of work writes ${key} twice`);
        written.set(key, w);
      } else
        for (let j = 0; j < i; j++)
          if ((writes[j] as Write).kind === w.kind && (writes[j] as Write).value.id === w.value.id)
            throw new TypeError(`unit of work writes ${w.kind}:${w.value.id} twice`);
    }
    for (const r of unit.reads) {
      // One aggregate has one version in a unit: a read and a write of it must agree.
      const write = writeOf(writes, written, r.kind, r.id);
      if (write !== undefined && write.expectedVersion !== r.version) return { code: "VERSION_CONFLICT", kind: r.kind, id: r.id };
      if (get(r.kind, r.id)?.version !== r.version) return { code: "VERSION_CONFLICT", kind: r.kind, id: r.id };
    }
    for (const w of writes) {
      const current = get(w.kind, w.value.id);
      const ok = w.expectedVersion === null ? current === null : current?.version === w.expectedVersion;
      if (!ok) return { code: "VERSION_CONFLICT", kind: w.kind, id: w.value.id };
    }
    return indexes.uniqueKeyProblem(unit, records);
  }

  /** Saves a write's value (a private frozen copy) at its next version. */
  function apply(write: Write, value: Write["value"]): number {
    const version = (write.expectedVersion ?? 0) + 1;
    switch (write.kind) {
      case "structure":
        records.set("structure", Object.freeze({ value: value as Structure, version }));
        break;
      case "service":
        indexes.indexService(get("service", value.id)?.value, value as Service);
        records.set("service", Object.freeze({ value: value as Service, version }));
        break;
      case "user": {
        const row = Object.freeze({ value: value as User, version });
        let slot = records.users.get(value.id);
        const before = slot?.row.value;
        if (slot === undefined) {
          slot = new UserSlot(row, "");
          records.users.set(value.id, slot);
        } else slot.row = row;
        indexes.indexUser(before, value as User);
        search.index(slot, before, value as User);
        expiries.index(before, value as User);
        break;
      }
      case "attachmentRequest":
        indexes.indexRequest(get("attachmentRequest", value.id)?.value, value as AttachmentRequest);
        records.set("attachmentRequest", Object.freeze({ value: value as AttachmentRequest, version }));
        break;
      case "subscriptionRequest":
        indexes.indexSubscription(get("subscriptionRequest", value.id)?.value, value as SubscriptionRequest);
        records.set("subscriptionRequest", Object.freeze({ value: value as SubscriptionRequest, version }));
        break;
    }
    return version;
  }

  const aggregates = (refs: AggregateRefs) => ({
    structure: getMany("structure", refsOf(refs, "structure")),
    service: getMany("service", refsOf(refs, "service")),
    user: getMany("user", refsOf(refs, "user")),
    attachmentRequest: getMany("attachmentRequest", refsOf(refs, "attachmentRequest")),
    subscriptionRequest: getMany("subscriptionRequest", refsOf(refs, "subscriptionRequest")),
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
          ? { ...also, attachmentRequest: [...refsOf(also, "attachmentRequest"), requestId] }
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
      const rows = getMany("service", [...(indexes.servicesOf.get(structureId) ?? [])]);
      return rows.sort((a, b) => (a.value.code < b.value.code ? -1 : a.value.code > b.value.code ? 1 : 0));
    },
    async getUser(id) {
      return get("user", id);
    },
    async getUsers(ids) {
      return getMany("user", ids);
    },
    async findUserByLogin(login) {
      const id = indexes.logins.get(normalizedLogin(login));
      return id === undefined ? null : get("user", id);
    },
    async searchUsers(query) {
      return search.page(query);
    },
    async exportRows(query) {
      return search.exportRows(query);
    },
    async findUsersByName(lastName, firstName, limit) {
      return search.byNames(lastName, firstName, limit);
    },
    async findDueExpiries(query) {
      return expiries.due(query).map((id) => (records.users.get(id) as UserSlot).row);
    },
    async listMembers(structureId, page) {
      const ids = indexes.members.get(structureId)?.page(page.after, page.limit) ?? [];
      return ids.map((id) => (records.users.get(id) as UserSlot).row.value);
    },
    async getAttachmentRequest(id) {
      return get("attachmentRequest", id);
    },
    async findPendingRequest(userId, structureId) {
      const id = indexes.pendingRequestOf(userId, structureId);
      return id === undefined ? null : (get("attachmentRequest", id) as Versioned<PendingAttachmentRequest>);
    },
    async listPendingRequests(structureId, page: { readonly limit: number; readonly after?: PendingCursor }) {
      const after = page.after === undefined ? undefined : pendingOrderKey(page.after.createdAt, page.after.id);
      const keys = indexes.pendingOf.get(structureId)?.page(after, page.limit) ?? [];
      return keys.map(
        (key) => (get("attachmentRequest", idOfPendingKey(key)) as Versioned<AttachmentRequest>).value as PendingAttachmentRequest,
      );
    },
    async listPendingSubscriptionRequests(structureId, page: { readonly limit: number; readonly after?: PendingCursor }) {
      const after = page.after === undefined ? undefined : pendingOrderKey(page.after.createdAt, page.after.id);
      const keys = indexes.pendingSubscriptionsOf.get(structureId)?.page(after, page.limit) ?? [];
      return keys.map(
        (key) => (get("subscriptionRequest", idOfPendingKey(key)) as Versioned<SubscriptionRequest>).value as PendingSubscriptionRequest,
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
      // What the library froze itself (a command's records) is kept as it is.
      const writes = unit.writes;
      const values = writes.map((w) => frozenCopy(w.value));
      const entries = frozenCopy(unit.history);
      const events = frozenCopy(unit.events);
      const claim = unit.idempotency === undefined ? undefined : frozenCopy(unit.idempotency);
      // From here on nothing can fail: apply everything, synchronously.
      const versions = writes.map((w, i) => apply(w, values[i] as Write["value"]));
      const numbered = entries.map((entry) => {
        const stored = numberedEntry(entry, history.nextSequence);
        history.append(stored);
        return stored;
      });
      outbox.add(events);
      if (claim !== undefined)
        idempotency.set(
          idempotencyKey(claim.owner, claim.key),
          freezeOwned({ ...claim, history: numbered, events: events.map(withoutSecret) }),
        );
      return { ok: true, value: freezeOwned({ history: numbered, versions }) };
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
      return outbox.claim(claim);
    },
    async acknowledgeOutbox(eventIds) {
      outbox.acknowledge(eventIds);
    },
    snapshot(): MemoryStoreSnapshot {
      return {
        structures: records.rows("structure"),
        services: records.rows("service"),
        users: records.rows("user"),
        attachmentRequests: records.rows("attachmentRequest"),
        subscriptionRequests: records.rows("subscriptionRequest"),
        history: [...history.all],
        outbox: outbox.pending(),
        idempotency: [...idempotency.values()],
      };
    },
  };
}
