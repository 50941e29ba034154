// The memory store's indexes other than search: the unique keys of the rules that span
// aggregates (one login per account, one pending request per user and structure, one
// service code per structure), each structure's members, services and pending requests.
// A write changes an index only when a field that index reads changed.
import type {
  AttachmentRequest,
  AttachmentRequestId,
  Service,
  ServiceId,
  StructureId,
  SubscriptionRequest,
  User,
  UserId,
} from "../core/index.js";
import type { CommitError, UnitOfWork } from "../port/store.js";
import type { Records } from "./records.js";
import { SortedSet } from "./sorted.js";

const pendingKey = (userId: UserId, structureId: StructureId) => `${userId}\u0000${structureId}`;
const serviceCodeKey = (structureId: StructureId, code: string) => `${structureId}\u0000${code.toLowerCase()}`;
/** A login as the unique key compares it: trimmed, in lower case. */
export const normalizedLogin = (login: string) => login.trim().toLowerCase();

/**
 * The ordering key of a pending request: createdAt (fixed-width ISO) then id, joined by a
 * character below any other, so string order is (createdAt, id) order.
 */
export const pendingOrderKey = (createdAt: string, id: string) => `${createdAt}\u0000${id}`;
/** The id in a pending request's ordering key. */
export const idOfPendingKey = (key: string) => key.slice(key.indexOf("\u0000") + 1);

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** Where each unique key stands while a unit's writes are checked in order (made only for the kinds written). */
class Staged<V> {
  private staged: Map<string, V | null> | undefined;
  constructor(private readonly index: Map<string, V>) {}
  owner(key: string): V | null {
    if (this.staged?.has(key) === true) return this.staged.get(key) ?? null;
    return this.index.get(key) ?? null;
  }
  set(key: string, owner: V | null): void {
    (this.staged ??= new Map()).set(key, owner);
  }
}

/** The unique keys and the per-structure indexes. */
export class Indexes {
  readonly logins = new Map<string, UserId>();
  readonly pendingKeys = new Map<string, AttachmentRequestId>();
  readonly serviceCodes = new Map<string, ServiceId>();
  /** Per structure: the ids of its members, in order. */
  readonly members = new Map<StructureId, SortedSet>();
  readonly servicesOf = new Map<StructureId, Set<ServiceId>>();
  /** Per structure: its pending requests, by (createdAt, id). */
  readonly pendingOf = new Map<StructureId, SortedSet>();
  /** Per structure: its pending subscription requests, by (createdAt, id). */
  readonly pendingSubscriptionsOf = new Map<StructureId, SortedSet>();

  /**
   * The first unique key a unit's writes would break, or null. Write by write, in the
   * unit's order (as `apply` changes the indexes, and as an SQL store's constraints see
   * them): each write frees its own previous key, then takes its new one.
   */
  uniqueKeyProblem(unit: UnitOfWork, records: Records): CommitError | null {
    let logins: Staged<UserId> | undefined;
    let pending: Staged<AttachmentRequestId> | undefined;
    let codes: Staged<ServiceId> | undefined;
    for (const w of unit.writes) {
      if (w.kind === "user") {
        const before = records.get("user", w.value.id)?.value;
        // A login kept is a key kept: nothing to check.
        if (before !== undefined && before.login === w.value.login) continue;
        logins ??= new Staged(this.logins);
        if (before !== undefined) logins.set(normalizedLogin(before.login), null);
        const login = normalizedLogin(w.value.login);
        const holder = logins.owner(login);
        if (holder !== null && holder !== w.value.id) return { code: "LOGIN_TAKEN", login: w.value.login };
        logins.set(login, w.value.id);
      } else if (w.kind === "attachmentRequest") {
        const before = records.get("attachmentRequest", w.value.id)?.value;
        if (before?.status !== "pending" && w.value.status !== "pending") continue;
        pending ??= new Staged(this.pendingKeys);
        if (before?.status === "pending") pending.set(pendingKey(before.userId, before.structureId), null);
        if (w.value.status !== "pending") continue;
        const key = pendingKey(w.value.userId, w.value.structureId);
        const holder = pending.owner(key);
        if (holder !== null && holder !== w.value.id)
          return { code: "PENDING_REQUEST_EXISTS", userId: w.value.userId, structureId: w.value.structureId };
        pending.set(key, w.value.id);
      } else if (w.kind === "service") {
        const before = records.get("service", w.value.id)?.value;
        codes ??= new Staged(this.serviceCodes);
        if (before !== undefined) codes.set(serviceCodeKey(before.structureId, before.code), null);
        const key = serviceCodeKey(w.value.structureId, w.value.code);
        const holder = codes.owner(key);
        if (holder !== null && holder !== w.value.id)
          return { code: "SERVICE_CODE_TAKEN", structureId: w.value.structureId, serviceCode: w.value.code };
        codes.set(key, w.value.id);
      }
    }
    return null;
  }

  /** The user's login and memberships, where they changed. */
  indexUser(before: User | undefined, after: User): void {
    if (before === undefined || before.login !== after.login) {
      if (before !== undefined) this.logins.delete(normalizedLogin(before.login));
      this.logins.set(normalizedLogin(after.login), after.id);
    }
    if (before?.attachments === after.attachments) return;
    const was = before?.attachments ?? [];
    for (const a of was)
      if (!after.attachments.some((b) => b.structureId === a.structureId)) this.members.get(a.structureId)?.delete(after.id);
    for (const a of after.attachments)
      if (!was.some((b) => b.structureId === a.structureId)) getOrCreate(this.members, a.structureId, () => new SortedSet()).add(after.id);
  }

  indexRequest(before: AttachmentRequest | undefined, after: AttachmentRequest): void {
    if (before?.status === "pending") {
      this.pendingKeys.delete(pendingKey(before.userId, before.structureId));
      this.pendingOf.get(before.structureId)?.delete(pendingOrderKey(before.createdAt, before.id));
    }
    if (after.status === "pending") {
      this.pendingKeys.set(pendingKey(after.userId, after.structureId), after.id);
      getOrCreate(this.pendingOf, after.structureId, () => new SortedSet()).add(pendingOrderKey(after.createdAt, after.id));
    }
  }

  indexSubscription(before: SubscriptionRequest | undefined, after: SubscriptionRequest): void {
    if (before?.status === "pending") this.pendingSubscriptionsOf.get(before.structureId)?.delete(pendingOrderKey(before.createdAt, before.id));
    if (after.status === "pending")
      getOrCreate(this.pendingSubscriptionsOf, after.structureId, () => new SortedSet()).add(pendingOrderKey(after.createdAt, after.id));
  }

  indexService(before: Service | undefined, after: Service): void {
    if (before !== undefined) {
      this.serviceCodes.delete(serviceCodeKey(before.structureId, before.code));
      if (before.structureId !== after.structureId) this.servicesOf.get(before.structureId)?.delete(after.id);
    }
    this.serviceCodes.set(serviceCodeKey(after.structureId, after.code), after.id);
    getOrCreate(this.servicesOf, after.structureId, () => new Set()).add(after.id);
  }

  /** The id of a user's pending request for a structure, if any. */
  pendingRequestOf(userId: UserId, structureId: StructureId): AttachmentRequestId | undefined {
    return this.pendingKeys.get(pendingKey(userId, structureId));
  }
}
