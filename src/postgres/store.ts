import type {
  AttachmentRequest,
  HistoryEntry,
  PendingAttachmentRequest,
  PendingSubscriptionRequest,
  RecordedEvent,
  Service,
  Structure,
  User,
} from "../core/index.js";
import { normalizeLogin } from "../core/users/registerUser.js";
import { AGGREGATE_KINDS } from "../port/store.js";
import type {
  AggregateKind,
  AggregateRefs,
  AggregateRows,
  CommitError,
  CommitResult,
  HabilitationsStore,
  HistoryQuery,
  IdempotencyRecord,
  OutboxMessage,
  UnitOfWork,
  Versioned,
  Write,
} from "../port/store.js";
import { deepFreeze } from "./freeze.js";
import { DEFAULT_SCHEMA, quoteIdentifier, type PostgresPool, type SchemaOptions } from "./migrate.js";

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions extends SchemaOptions {
  /**
   * How many more times `commit` runs a unit of work that PostgreSQL aborted with a
   * serialization failure (40001) or a deadlock (40P01); then the commit rejects with
   * that error. Nothing of an aborted attempt is saved, so running it again is safe.
   * Default 3.
   */
  readonly retries?: number;
}

interface Row<T> {
  readonly data: T;
  readonly version: number;
}

/** What `commit_unit()` answers. */
type UnitAnswer =
  | { readonly ok: true; readonly versions: number[]; readonly sequences: number[] }
  | { readonly ok: false; readonly error: CommitError };

const RETRYABLE = new Set(["40001", "40P01"]);

/** A service code as stores compare it within a structure (as the memory store does). */
const serviceCodeKey = (code: string): string => code.toLowerCase();

/** A page size as the memory store counts it: `limit` rounded up, none for NaN or less than 1. */
function pageSize(limit: number): number | null {
  if (!(limit > 0)) return 0;
  return Number.isFinite(limit) ? Math.ceil(limit) : null;
}

const versioned = <T>(row: Row<T> | undefined): Versioned<T> | null =>
  row === undefined ? null : deepFreeze({ value: row.data, version: row.version });

/**
 * The unique key a write carries beside its JSON, computed here in JavaScript (the core's
 * `normalizeLogin`), never by the database's locale-dependent `lower()`.
 */
function keyOf(write: Write): string | undefined {
  if (write.kind === "user") return normalizeLogin(write.value.login);
  if (write.kind === "service") return serviceCodeKey(write.value.code);
  return undefined;
}

/**
 * A {@link HabilitationsStore} over PostgreSQL, on the host's `pg.Pool` (the library never
 * opens connections of its own). Run {@link migrate} first.
 *
 * - `commit` is one statement, `SELECT schema.commit_unit($1::jsonb)`: one round trip
 *   and one transaction, under the pool's default isolation (READ COMMITTED is enough:
 *   the function locks what it checks).
 * - Reads are single statements on indexes; pages are keyset ranges, so a page costs the
 *   same wherever it starts.
 * - Infrastructure failures (connection refused, timeouts, lost connection) reject the
 *   returned promise with `pg`'s error; set `connectionTimeoutMillis` and
 *   `statement_timeout`/`query_timeout` on the pool so they come quickly.
 * - Rows handed out are deep-frozen objects built for the caller alone.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createHabilitations } from "habilitations";
 * import { createPostgresStore, migrate } from "habilitations/postgres";
 *
 * const pool = new pg.Pool({
 *   connectionString: process.env.DATABASE_URL,
 *   connectionTimeoutMillis: 5_000, // fail fast when the database is unreachable
 *   statement_timeout: 10_000,
 * });
 * await migrate(pool);
 * const app = createHabilitations({ store: createPostgresStore(pool) });
 * ```
 */
export function createPostgresStore(pool: PostgresPool, options: PostgresStoreOptions = {}): HabilitationsStore {
  const s = quoteIdentifier(options.schema ?? DEFAULT_SCHEMA);
  const retries = options.retries ?? 3;

  async function rows<R>(text: string, values: readonly unknown[]): Promise<R[]> {
    return (await pool.query<R>(text, values as unknown[])).rows;
  }

  const byId = <T>(table: string) => {
    const one = `SELECT data, version FROM ${s}.${table} WHERE id = $1`;
    const many = `SELECT data, version FROM ${s}.${table} WHERE id = ANY($1::text[])`;
    return {
      async get(id: string): Promise<Versioned<T> | null> {
        return versioned((await rows<Row<T>>(one, [id]))[0]);
      },
      async getMany(ids: readonly string[]): Promise<Versioned<T>[]> {
        if (ids.length === 0) return [];
        return (await rows<Row<T>>(many, [[...new Set(ids)]])).map((row) => versioned(row) as Versioned<T>);
      },
    };
  };
  const structures = byId<Structure>("structures");
  const services = byId<Service>("services");
  const users = byId<User>("users");
  const requests = byId<AttachmentRequest>("attachment_requests");

  const sql = {
    listServices: `SELECT data, version FROM ${s}.services WHERE structure_id = $1 ORDER BY code`,
    findUserByLogin: `SELECT data, version FROM ${s}.users WHERE login_key = $1`,
    // The page of attachment rows first (one index range), then one key lookup per member:
    // a plain join may be planned as a merge join walking the users table from the start.
    members: `SELECT u.data FROM (
                SELECT user_id FROM ${s}.attachments WHERE structure_id = $1 ORDER BY user_id LIMIT $2
              ) a CROSS JOIN LATERAL (SELECT data FROM ${s}.users WHERE id = a.user_id) u
              ORDER BY a.user_id`,
    membersAfter: `SELECT u.data FROM (
                     SELECT user_id FROM ${s}.attachments WHERE structure_id = $1 AND user_id > $3 ORDER BY user_id LIMIT $2
                   ) a CROSS JOIN LATERAL (SELECT data FROM ${s}.users WHERE id = a.user_id) u
                   ORDER BY a.user_id`,
    findPending: `SELECT data, version FROM ${s}.attachment_requests
                  WHERE user_id = $1 AND structure_id = $2 AND status = 'pending'`,
    pending: `SELECT data FROM ${s}.attachment_requests WHERE structure_id = $1 AND status = 'pending'
              ORDER BY created_at, id LIMIT $2`,
    pendingAfter: `SELECT data FROM ${s}.attachment_requests WHERE structure_id = $1 AND status = 'pending'
                   AND (created_at, id) > ($3, $4) ORDER BY created_at, id LIMIT $2`,
    pendingSubscriptions: `SELECT data FROM ${s}.subscription_requests WHERE structure_id = $1 AND status = 'pending'
                           ORDER BY created_at, id LIMIT $2`,
    pendingSubscriptionsAfter: `SELECT data FROM ${s}.subscription_requests WHERE structure_id = $1 AND status = 'pending'
                                AND (created_at, id) > ($3, $4) ORDER BY created_at, id LIMIT $2`,
    commit: `SELECT ${s}.commit_unit($1::jsonb) AS answer`,
    idempotency: `SELECT data FROM ${s}.idempotency_records WHERE owner = $1 AND key = $2`,
    purge: `DELETE FROM ${s}.idempotency_records WHERE at < $1`,
    claim: `WITH picked AS (
              SELECT sequence FROM ${s}.outbox
              WHERE lease_until IS NULL OR lease_until <= $1
              ORDER BY sequence LIMIT $2
              FOR UPDATE SKIP LOCKED
            )
            UPDATE ${s}.outbox o SET attempts = o.attempts + 1, lease_until = $3
            FROM picked WHERE o.sequence = picked.sequence
            RETURNING o.sequence, o.event, o.attempts`,
    acknowledge: `DELETE FROM ${s}.outbox WHERE event_id = ANY($1::text[])`,
  };

  async function runUnit(text: string): Promise<UnitAnswer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await rows<{ answer: UnitAnswer }>(sql.commit, [text]);
        if (row === undefined) throw new Error("habilitations: commit_unit() returned no row");
        return row.answer;
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (attempt >= retries || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  const tables: Record<AggregateKind, string> = {
    structure: "structures",
    service: "services",
    user: "users",
    attachmentRequest: "attachment_requests",
    subscriptionRequest: "subscription_requests",
  };

  return {
    async getAggregates(refs: AggregateRefs): Promise<AggregateRows> {
      // One statement, one round trip, whatever the kinds asked for.
      const values: unknown[] = [];
      const parts: string[] = [];
      for (const kind of AGGREGATE_KINDS) {
        const ids = refs[kind];
        if (ids === undefined || ids.length === 0) continue;
        values.push([...new Set(ids)]);
        parts.push(`SELECT '${kind}' AS kind, data, version FROM ${s}.${tables[kind]} WHERE id = ANY($${values.length}::text[])`);
      }
      const found: Record<AggregateKind, Versioned<unknown>[]> = {
        structure: [],
        service: [],
        user: [],
        attachmentRequest: [],
        subscriptionRequest: [],
      };
      if (parts.length > 0)
        for (const row of await rows<Row<unknown> & { kind: AggregateKind }>(parts.join(" UNION ALL "), values))
          found[row.kind].push(versioned(row) as Versioned<unknown>);
      return deepFreeze(found) as unknown as AggregateRows;
    },
    getStructure: (id) => structures.get(id),
    getStructures: (ids) => structures.getMany(ids),
    getService: (id) => services.get(id),
    getServices: (ids) => services.getMany(ids),
    async listServices(structureId) {
      return (await rows<Row<Service>>(sql.listServices, [structureId])).map((row) => versioned(row) as Versioned<Service>);
    },
    getUser: (id) => users.get(id),
    getUsers: (ids) => users.getMany(ids),
    async findUserByLogin(login) {
      return versioned((await rows<Row<User>>(sql.findUserByLogin, [normalizeLogin(login)]))[0]);
    },
    async listMembers(structureId, page) {
      const limit = pageSize(page.limit);
      if (limit === 0) return [];
      const found =
        page.after === undefined
          ? await rows<{ data: User }>(sql.members, [structureId, limit])
          : await rows<{ data: User }>(sql.membersAfter, [structureId, limit, page.after]);
      return found.map((row) => deepFreeze(row.data));
    },
    getAttachmentRequest: (id) => requests.get(id),
    async findPendingRequest(userId, structureId) {
      return versioned((await rows<Row<PendingAttachmentRequest>>(sql.findPending, [userId, structureId]))[0]);
    },
    async listPendingRequests(structureId, page) {
      const limit = pageSize(page.limit);
      if (limit === 0) return [];
      const found =
        page.after === undefined
          ? await rows<{ data: PendingAttachmentRequest }>(sql.pending, [structureId, limit])
          : await rows<{ data: PendingAttachmentRequest }>(sql.pendingAfter, [
              structureId,
              limit,
              page.after.createdAt,
              page.after.id,
            ]);
      return found.map((row) => deepFreeze(row.data));
    },
    async listPendingSubscriptionRequests(structureId, page) {
      const limit = pageSize(page.limit);
      if (limit === 0) return [];
      const found =
        page.after === undefined
          ? await rows<{ data: PendingSubscriptionRequest }>(sql.pendingSubscriptions, [structureId, limit])
          : await rows<{ data: PendingSubscriptionRequest }>(sql.pendingSubscriptionsAfter, [
              structureId,
              limit,
              page.after.createdAt,
              page.after.id,
            ]);
      return found.map((row) => deepFreeze(row.data));
    },
    async readHistory(structureId, query: HistoryQuery) {
      const limit = pageSize(query.limit);
      if (limit === 0) return [];
      const kinds = query.kinds === undefined ? undefined : [...new Set(query.kinds)];
      if (kinds !== undefined && kinds.length === 0) return [];
      const values: unknown[] = [structureId, limit];
      const param = (value: unknown) => `$${values.push(value)}`;
      const where = ["structure_id = $1"];
      if (query.before !== undefined) {
        // Sequences are integers: "< 5.5" is "< 6"; no bound at all is "< +Infinity".
        if (query.before === Number.NEGATIVE_INFINITY) return [];
        if (Number.isFinite(query.before)) where.push(`sequence < ${param(Math.ceil(query.before))}`);
      }
      if (query.from !== undefined) where.push(`at >= ${param(query.from)}`);
      if (query.to !== undefined) where.push(`at < ${param(query.to)}`);
      let text: string;
      if (query.targetUserId !== undefined) {
        // A user's entries in one structure are few: their index range, kinds filtered in it.
        where.push(`target_user_id = ${param(query.targetUserId)}`);
        if (kinds !== undefined) where.push(`kind = ANY(${param(kinds)}::text[])`);
        text = `SELECT sequence, data FROM ${s}.history WHERE ${where.join(" AND ")} ORDER BY sequence DESC LIMIT $2`;
      } else if (kinds !== undefined) {
        // One index range per kind, each newest first, merged: flat in the history's length.
        text = `SELECT h.sequence, h.data FROM unnest(${param(kinds)}::text[]) AS k(kind)
                CROSS JOIN LATERAL (
                  SELECT sequence, data FROM ${s}.history
                  WHERE ${where.join(" AND ")} AND kind = k.kind ORDER BY sequence DESC LIMIT $2
                ) h
                ORDER BY h.sequence DESC LIMIT $2`;
      } else {
        text = `SELECT sequence, data FROM ${s}.history WHERE ${where.join(" AND ")} ORDER BY sequence DESC LIMIT $2`;
      }
      const found = await rows<{ sequence: string; data: HistoryEntry }>(text, values);
      return found.map((row) => deepFreeze({ ...row.data, sequence: Number(row.sequence) }));
    },
    async commit(unit: UnitOfWork): Promise<CommitResult> {
      const seen = new Set<string>();
      for (const w of unit.writes) {
        const key = `${w.kind}:${w.value.id}`;
        if (seen.has(key)) throw new TypeError(`unit of work writes ${key} twice`);
        seen.add(key);
      }
      const history = unit.history ?? [];
      const events = unit.events ?? [];
      const text = JSON.stringify({
        writes: unit.writes.map((w) => ({
          kind: w.kind,
          id: w.value.id,
          expectedVersion: w.expectedVersion ?? null,
          value: w.value,
          key: keyOf(w),
        })),
        reads: unit.reads.map((r) => ({ kind: r.kind, id: r.id, version: r.version })),
        history,
        events,
        idempotency: unit.idempotency ?? null,
      });
      const answer = await runUnit(text);
      if (!answer.ok) return deepFreeze({ ok: false, error: answer.error });
      // The entries as stored: the JSON sent, numbered.
      const entries = JSON.parse(JSON.stringify(history)) as HistoryEntry[];
      const numbered = entries.map((entry, i) => ({ ...entry, sequence: Number(answer.sequences[i]) }));
      return deepFreeze({ ok: true, value: { history: numbered, versions: answer.versions } });
    },
    async getIdempotencyRecord(owner, key) {
      const [row] = await rows<{ data: IdempotencyRecord }>(sql.idempotency, [owner, key]);
      return row === undefined ? null : deepFreeze(row.data);
    },
    async purgeIdempotencyRecords(before) {
      return (await pool.query(sql.purge, [before])).rowCount ?? 0;
    },
    async claimOutbox(claim): Promise<OutboxMessage[]> {
      const limit = pageSize(claim.limit);
      if (limit === 0) return [];
      const found = await rows<{ sequence: string; event: RecordedEvent; attempts: number }>(sql.claim, [
        claim.now,
        limit,
        claim.leaseUntil,
      ]);
      return found
        .map((row) => deepFreeze({ event: row.event, sequence: Number(row.sequence), attempts: row.attempts }))
        .sort((a, b) => a.sequence - b.sequence);
    },
    async acknowledgeOutbox(eventIds) {
      if (eventIds.length === 0) return;
      await pool.query(sql.acknowledge, [[...new Set(eventIds)]]);
    },
  };
}
