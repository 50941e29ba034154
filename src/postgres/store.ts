import type {
  AttachmentRequest,
  HistoryEntry,
  UserSearchQuery,
  PendingAttachmentRequest,
  PendingSubscriptionRequest,
  RecordedEvent,
  Service,
  Structure,
  User,
} from "../core/index.js";
import { normalizeLogin } from "../core/users/registerUser.js";
import { AGGREGATE_KINDS, refsOf } from "../port/store.js";
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
import { createHash } from "node:crypto";
import { compileUnit, specialisable } from "./commit.js";
import { deepFreeze } from "./freeze.js";
import { DEFAULT_SCHEMA, quoteIdentifier, type PostgresPool, type SchemaOptions } from "./migrate.js";
import { searchColumnsOf, storedSearchKey } from "./search-columns.js";

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions extends SchemaOptions {
  /**
   * How many more times `commit` runs a unit of work that PostgreSQL aborted with a
   * serialization failure (40001) or a deadlock (40P01); then the commit rejects with
   * that error. Nothing of an aborted attempt is saved, so running it again is safe.
   * Default 3.
   */
  readonly retries?: number;
  /**
   * Whether the store names its fixed statements (the commands' reads and commits), so
   * that each connection parses and plans them once, then only binds and executes them.
   * Default `true`. Set `false` behind a connection pooler that cannot keep named
   * statements (PgBouncer before 1.21 in transaction mode, or without
   * `max_prepared_statements`).
   */
  readonly prepare?: boolean;
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

/** How many at most `slice(0, limit)` keeps, as the memory store's lookup by names counts them; `null`: all. */
function sliceSize(limit: number): number | null {
  if (!(limit > 0)) return 0;
  return Number.isFinite(limit) ? Math.floor(limit) : null;
}

/**
 * Whether a text holds NUL, which PostgreSQL text cannot hold (nor, therefore, any stored
 * id, name or login): a criterion holding it matches nothing, and is never sent.
 */
const hasNul = (text: string | undefined): boolean => text !== undefined && text.includes("\u0000");

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
  const prepare = options.prepare ?? true;
  /** Whether units go to their specialised statements (false once the schema is found without `lock_and_check()`). */
  let specialise = true;
  /** Statement names by text: a digest, so every process names one text alike. */
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `hb_${createHash("sha1").update(text).digest("base64url").slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };

  /** A statement whose text varies with its criteria (search, history filters): sent unnamed, planned for its values. */
  async function rows<R>(text: string, values: readonly unknown[]): Promise<R[]> {
    return (await pool.query<R>(text, values as unknown[])).rows;
  }
  /** A statement of fixed text: named (prepared once per connection) unless `prepare` is off. */
  async function prepared<R>(text: string, values: readonly unknown[]): Promise<R[]> {
    if (!prepare) return rows<R>(text, values);
    return (await pool.query<R>({ name: nameOf(text), text, values: values as unknown[] })).rows;
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
    // Every kind in one statement (empty arrays find nothing, at no cost): one text, prepared once.
    aggregates: `SELECT 'structure' AS kind, data, version FROM ${s}.structures WHERE id = ANY($1::text[])
      UNION ALL SELECT 'service', data, version FROM ${s}.services WHERE id = ANY($2::text[])
      UNION ALL SELECT 'user', data, version FROM ${s}.users WHERE id = ANY($3::text[])
      UNION ALL SELECT 'attachmentRequest', data, version FROM ${s}.attachment_requests WHERE id = ANY($4::text[])
      UNION ALL SELECT 'subscriptionRequest', data, version FROM ${s}.subscription_requests WHERE id = ANY($5::text[])`,
    // The request ($1) and what a decision on it reads (attachmentRequestContextRefs), with
    // the ids of $2–$6 (the kinds of AGGREGATE_KINDS): each a primary-key lookup.
    requestContext: `WITH r AS MATERIALIZED (SELECT data, version FROM ${s}.attachment_requests WHERE id = $1),
      q AS MATERIALIZED (SELECT u.data, u.version FROM ${s}.users u WHERE u.id = (SELECT data ->> 'userId' FROM r))
      SELECT 'attachmentRequest' AS kind, data, version FROM r
      UNION ALL SELECT 'attachmentRequest', data, version FROM ${s}.attachment_requests WHERE id = ANY($5::text[]) AND id <> $1
      UNION ALL SELECT 'structure', data, version FROM ${s}.structures
        WHERE id = ANY(array_append($2::text[], (SELECT data ->> 'structureId' FROM r)))
      UNION ALL SELECT 'user', data, version FROM q
      UNION ALL SELECT 'user', data, version FROM ${s}.users
        WHERE id = ANY($4::text[]) AND id IS DISTINCT FROM (SELECT data ->> 'userId' FROM r)
      UNION ALL SELECT 'service', data, version FROM ${s}.services WHERE id = ANY($3::text[]
        || ARRAY(SELECT jsonb_array_elements_text(data -> 'scope' -> 'serviceIds') FROM r WHERE data -> 'scope' ->> 'kind' = 'services')
        || ARRAY(SELECT jsonb_array_elements_text(e -> 'scope' -> 'serviceIds')
                 FROM q, jsonb_array_elements(q.data -> 'attachments') e
                 WHERE e ->> 'structureId' = (SELECT data ->> 'structureId' FROM r) AND e -> 'scope' ->> 'kind' = 'services'))
      UNION ALL SELECT 'subscriptionRequest', data, version FROM ${s}.subscription_requests WHERE id = ANY($6::text[])`,
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
    // The users due for the expiry sweep (migration 9): the front of each index range, at
    // most a page each, merged by each user's earliest due end, then id (see dueExpiryOf).
    dueExpiries: `SELECT u.data, u.version FROM (
                    SELECT id, min(due) AS due FROM (
                      (SELECT id, end_to_warn AS due FROM ${s}.users WHERE end_to_warn <= $1 ORDER BY end_to_warn, id LIMIT $3)
                      UNION ALL
                      (SELECT id, end_to_expire FROM ${s}.users WHERE end_to_expire <= $2 ORDER BY end_to_expire, id LIMIT $3)
                    ) d GROUP BY id ORDER BY min(due), id LIMIT $3
                  ) p CROSS JOIN LATERAL (SELECT data, version FROM ${s}.users WHERE id = p.id) u
                  ORDER BY p.due, p.id`,
    // The lookup by names: one range of users_search_names, already in search order.
    byName: `SELECT data FROM ${s}.users WHERE search_last = $1 AND search_first = $2 ORDER BY search_key LIMIT $3`,
  };

  /**
   * The statement of a search page, and its values (every value a parameter), or `null`
   * when the query can match nobody. Search order is `search_key` (migration 5), each
   * user's `searchKeyOf` as {@link storedSearchKey} stores it, so `search_key > $after`
   * is the reference's `key > after`.
   *
   * - Without a service: per structure searched (`unnest`), two index ranges from the
   *   position on, each with the criteria applied inside and at most a page long: the
   *   structure's attachment rows in search order (`attachments_search`), each member's
   *   row fetched by its key and filtered, and the users created for the structure
   *   (`users_created_for_search`). Then a merge of those few pages: ordered by key, each
   *   user once (a user's key is the same on all its rows), one page. At most a page per
   *   range is sorted, never all the members.
   * - The name criteria are also checked on the attachment rows' keys, which hold the
   *   normalised names: a member whose key lacks them is passed over in the index without
   *   fetching their row. A substring has no index range, so a rare one may still walk a
   *   structure's entries to the end: the cost depends on the members of the structures
   *   searched, never on all users.
   * - With a service: its structure's attachment rows only (a user of the service is
   *   attached there), those whose scope is the whole structure or includes the service.
   *   When that structure is not among those searched, the user must also belong to one
   *   of them (`matchesSearch`).
   *
   * The member's row is fetched in a subquery with `OFFSET 0`, so the planner keeps it a
   * lookup per index entry in key order (stopping when the page is full) rather than a
   * join that reads every member before sorting.
   */
  function searchSql(query: UserSearchQuery): { sql: string; values: unknown[] } | null {
    const structureIds = [...new Set(query.structureIds)].filter((id) => !hasNul(id));
    const texts = [query.lastName, query.firstName, query.login, query.status, query.service?.structureId, query.service?.serviceId];
    if (structureIds.length === 0 || texts.some(hasNul)) return null;
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const limit = param(pageSize(query.limit));
    const after = param(query.after === undefined ? "" : storedSearchKey(query.after));
    const criteria: string[] = [];
    if (query.status !== undefined) criteria.push(`u.data ->> 'status' = ${param(query.status)}`);
    if (query.lastName !== undefined) criteria.push(`strpos(u.search_last, ${param(query.lastName)}) > 0`);
    if (query.firstName !== undefined) criteria.push(`strpos(u.search_first, ${param(query.firstName)}) > 0`);
    if (query.login !== undefined) criteria.push(`strpos(u.search_login, ${param(query.login)}) > 0`);
    const and = (more: readonly string[]) => more.map((c) => ` AND ${c}`).join("");
    // The same name criteria on the attachment row's key, which holds the normalised names
    // (escaped as the key is): a member whose key lacks them is passed over in the index,
    // without fetching their row. The row's columns still decide.
    const onKey: string[] = [];
    for (const text of [query.lastName, query.firstName])
      if (text !== undefined && text !== "") onKey.push(`strpos(a.search_key, ${param(storedSearchKey(text))}) > 0`);
    if (query.service !== undefined) {
      if (!structureIds.includes(query.service.structureId)) {
        const searched = param(structureIds);
        criteria.push(`(u.created_for = ANY(${searched}::text[])
          OR EXISTS (SELECT FROM ${s}.attachments o WHERE o.user_id = u.id AND o.structure_id = ANY(${searched}::text[])))`);
      }
      const sql = `SELECT a.search_key, m.data FROM ${s}.attachments a
        CROSS JOIN LATERAL (SELECT u.data FROM ${s}.users u WHERE u.id = a.user_id${and(criteria)} OFFSET 0) m
        WHERE a.structure_id = ${param(query.service.structureId)} AND a.search_key > ${after}${and(onKey)}
          AND (a.scope ->> 'kind' IS DISTINCT FROM 'services' OR a.scope -> 'serviceIds' ? ${param(query.service.serviceId)})
        ORDER BY a.search_key LIMIT ${limit}`;
      return { sql, values };
    }
    const sql = `SELECT DISTINCT ON (c.search_key) c.search_key, c.data
      FROM unnest(${param(structureIds)}::text[]) AS t(structure_id)
      CROSS JOIN LATERAL (
        (SELECT a.search_key, m.data FROM ${s}.attachments a
          CROSS JOIN LATERAL (SELECT u.data FROM ${s}.users u WHERE u.id = a.user_id${and(criteria)} OFFSET 0) m
          WHERE a.structure_id = t.structure_id AND a.search_key > ${after}${and(onKey)}
          ORDER BY a.search_key LIMIT ${limit})
        UNION ALL
        (SELECT u.search_key, u.data FROM ${s}.users u
          WHERE u.created_for = t.structure_id AND u.search_key > ${after}${and(criteria)}
          ORDER BY u.search_key LIMIT ${limit})
      ) c
      ORDER BY c.search_key LIMIT ${limit}`;
    return { sql, values };
  }

  /**
   * A unit {@link specialisable} accepts, as the statement of its shape (`compileUnit`),
   * named so that each connection plans it once: a version conflict (HB409 from
   * `lock_and_check()`) or a unique violation aborts it whole and comes back as the port's
   * error; serialization failures and deadlocks are retried as for `commit_unit()`.
   */
  async function commitSpecialised(unit: UnitOfWork): Promise<CommitResult | undefined> {
    const compiled = compileUnit(s, unit);
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await prepared<{ sequences: string[] }>(compiled.text, compiled.values);
        if (row === undefined) throw new Error("habilitations: the commit statement returned no row");
        const entries = JSON.parse(JSON.stringify(unit.history ?? [])) as HistoryEntry[];
        const numbered = entries.map((entry, i) => ({ ...entry, sequence: Number(row.sequences[i]) }));
        return deepFreeze({ ok: true, value: { history: numbered, versions: compiled.versions } });
      } catch (error) {
        const failure = error as { code?: unknown; message?: unknown; constraint?: unknown } | null;
        if (failure?.code === "HB409" && typeof failure.message === "string")
          return deepFreeze({ ok: false, error: JSON.parse(failure.message) as CommitError });
        if (failure?.code === "23505") {
          const known = compiled.violation(typeof failure.constraint === "string" ? failure.constraint : undefined);
          if (known !== undefined) return deepFreeze({ ok: false, error: known });
        }
        // A schema before migration 8 (a process started before `migrate()` ran): commit_unit() from now on.
        if (failure?.code === "42883" && String(failure.message).includes("lock_and_check")) {
          specialise = false;
          return undefined;
        }
        const code = failure?.code;
        if (attempt >= retries || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  async function runUnit(text: string): Promise<UnitAnswer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await prepared<{ answer: UnitAnswer }>(sql.commit, [text]);
        if (row === undefined) throw new Error("habilitations: commit_unit() returned no row");
        return row.answer;
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (attempt >= retries || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  const emptyRows = (): AggregateRows =>
    deepFreeze({ structure: [], service: [], user: [], attachmentRequest: [], subscriptionRequest: [] }) as unknown as AggregateRows;
  /** The ids of each kind, deduplicated, as the statements' array parameters (in AGGREGATE_KINDS order). */
  const refValues = (refs: AggregateRefs): string[][] => AGGREGATE_KINDS.map((kind) => [...new Set(refsOf(refs, kind))]);
  function collect(found: readonly (Row<unknown> & { kind: AggregateKind })[]): AggregateRows {
    const rows: Record<AggregateKind, Versioned<unknown>[]> = { structure: [], service: [], user: [], attachmentRequest: [], subscriptionRequest: [] };
    const seen = new Set<string>();
    for (const row of found) {
      const id = (row.data as { id: string }).id;
      if (seen.has(`${row.kind}:${id}`)) continue;
      seen.add(`${row.kind}:${id}`);
      rows[row.kind].push(versioned(row) as Versioned<unknown>);
    }
    return deepFreeze(rows) as unknown as AggregateRows;
  }


  return {
    async getAggregates(refs: AggregateRefs): Promise<AggregateRows> {
      // One prepared statement, one round trip, whatever the kinds asked for.
      if (AGGREGATE_KINDS.every((kind) => refsOf(refs, kind).length === 0)) return emptyRows();
      return collect(await prepared<Row<unknown> & { kind: AggregateKind }>(sql.aggregates, refValues(refs)));
    },
    async getAttachmentRequestContext(requestId, also: AggregateRefs): Promise<AggregateRows> {
      // The request, and through it its structure, requester and services, with `also`: one statement.
      return collect(await prepared<Row<unknown> & { kind: AggregateKind }>(sql.requestContext, [requestId, ...refValues(also)]));
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
    async searchUsers(query) {
      const limit = pageSize(query.limit);
      if (limit === 0) return [];
      const text = searchSql(query);
      if (text === null) return [];
      const found = await rows<{ search_key: string; data: User }>(text.sql, text.values);
      return found.map((row) => deepFreeze(row.data));
    },
    async findUsersByName(lastName, firstName, limit) {
      const size = sliceSize(limit);
      if (size === 0 || hasNul(lastName) || hasNul(firstName)) return [];
      const found = await rows<{ data: User }>(sql.byName, [lastName, firstName, size]);
      return found.map((row) => deepFreeze(row.data));
    },
    async findDueExpiries(query) {
      const limit = pageSize(query.limit);
      if (limit === 0) return [];
      const found = await prepared<Row<User>>(sql.dueExpiries, [query.warnThrough, query.expireThrough, limit]);
      return found.map((row) => versioned(row) as Versioned<User>);
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
      if (query.targetUserId === undefined && query.from !== undefined && query.to !== undefined) {
        // A closed period: its entries by `(structure_id, at)`, then newest first. Walking back
        // from the newest entry would pass over everything after the period (a month three
        // years ago in a structure of a million entries); the fence (OFFSET 0) keeps the
        // planner from choosing that walk for the LIMIT. The cost is the period's entries.
        if (kinds !== undefined) where.push(`kind = ANY(${param(kinds)}::text[])`);
        text = `SELECT sequence, data FROM (SELECT sequence, data FROM ${s}.history WHERE ${where.join(" AND ")} OFFSET 0) h
                ORDER BY sequence DESC LIMIT $2`;
      } else if (query.targetUserId !== undefined) {
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
      if (specialise && specialisable(unit)) {
        const done = await commitSpecialised(unit);
        if (done !== undefined) return done;
      }
      const text = JSON.stringify({
        writes: unit.writes.map((w) => ({
          kind: w.kind,
          id: w.value.id,
          expectedVersion: w.expectedVersion ?? null,
          value: w.value,
          key: keyOf(w),
          // Migration 5's search values, which commit_unit() stores beside the user.
          ...(w.kind === "user" ? searchColumnsOf(w.value) : {}),
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
