import { MIGRATIONS, SCHEMA_VERSION, type Migration } from "./migrations.js";
import type { UserId } from "../core/ids.js";
import { searchColumnsOf } from "./search-columns.js";

/** Where the library's tables live. */
export interface SchemaOptions {
  /** The PostgreSQL schema holding the tables (created if missing). Default `"habilitations"`. */
  readonly schema?: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** The schema's version before (0 for a new schema). */
  readonly from: number;
  /** Its version now: the library's {@link SCHEMA_VERSION}. */
  readonly to: number;
  /** The versions this call applied (empty when the schema was up to date). */
  readonly applied: readonly number[];
}

/**
 * What the library uses of a `pg.Pool` (a `pg.Pool` is one; so is anything with the same
 * `query` and `connect`). Declared here so the types of this entry point do not need
 * `@types/pg`.
 */
export interface PostgresPool {
  /**
   * A statement: its text and values, or a named statement (`pg`'s query config),
   * prepared once per connection, then only bound and executed (the store names its fixed
   * statements unless its `prepare` option is `false`).
   */
  query<R = any>(statement: string | PostgresQuery, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  connect(): Promise<PostgresPoolClient>;
}

/** A statement with a name, as `pg` takes it to prepare it once per connection. */
export interface PostgresQuery {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/** What the library uses of a `pg.PoolClient`: one connection, given back with `release`. */
export interface PostgresPoolClient {
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  /** Gives the connection back; with an error, the pool destroys it instead. */
  release(error?: Error | boolean): void;
  /**
   * Listens to the connection's `'error'` event (a `pg.PoolClient` is an event emitter):
   * a connection checked out of the pool has no listener of its own, and one that dies
   * (its backend killed, the server restarted) would otherwise crash the process.
   */
  on?(event: "error", listener: (error: Error) => void): unknown;
  removeListener?(event: "error", listener: (error: Error) => void): unknown;
}

export const DEFAULT_SCHEMA = "habilitations";

/** A schema name as an SQL identifier, quoted. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes("\u0000"))
    throw new TypeError(`habilitations: invalid PostgreSQL schema name ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** How many users {@link fillSearchColumns} reads and updates per statement. */
const FILL_BATCH = 1000;

/**
 * Migration 5's step in TypeScript: the search values of the users that lack them
 * (`search_key IS NULL`: every user the first time, then only users written by a process
 * of the release before migration 5), computed by the core's functions as the store
 * computes them at every write, and copied on their attachment rows. Batches of
 * {@link FILL_BATCH} users by id (a keyset on the partial index `users_search_missing`),
 * two statements each. Versions are left alone (the user's data has not changed), and a
 * row written meanwhile is left to its writer (the update names the version read).
 * Returns how many users it filled.
 */
async function fillSearchColumns(client: PostgresPoolClient, s: string): Promise<number> {
  let after = "";
  let filled = 0;
  for (;;) {
    const { rows } = await client.query<{ id: string; version: number; last_name: string | null; first_name: string | null; login: string | null }>(
      `SELECT id, version, data ->> 'lastName' AS last_name, data ->> 'firstName' AS first_name, data ->> 'login' AS login
       FROM ${s}.users WHERE search_key IS NULL AND id > $1 ORDER BY id LIMIT $2`,
      [after, FILL_BATCH],
    );
    if (rows.length === 0) return filled;
    const columns = rows.map((row) =>
      searchColumnsOf({ id: row.id as UserId, lastName: row.last_name ?? "", firstName: row.first_name ?? "", login: row.login ?? "" }),
    );
    const result = await client.query(
      `WITH v AS (
         SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS v(id, version, search_key, search_last, search_first, search_login)
       ), filled AS (
         UPDATE ${s}.users u
         SET search_key = v.search_key, search_last = v.search_last, search_first = v.search_first, search_login = v.search_login
         FROM v WHERE u.id = v.id AND u.version = v.version AND u.search_key IS NULL
         RETURNING u.id, u.search_key
       ), attached AS (
         UPDATE ${s}.attachments a SET search_key = filled.search_key FROM filled WHERE a.user_id = filled.id
       )
       SELECT count(*)::integer AS filled FROM filled`,
      [
        rows.map((row) => row.id),
        rows.map((row) => row.version),
        columns.map((c) => c.searchKey),
        columns.map((c) => c.searchLast),
        columns.map((c) => c.searchFirst),
        columns.map((c) => c.searchLogin),
      ],
    );
    filled += (result.rows[0] as { filled: number }).filled;
    after = (rows[rows.length - 1] as { id: string }).id;
  }
}

/**
 * Brings the schema up to the version this library knows, applying the missing
 * migrations in one transaction. Safe to call at every start, from several processes at
 * once (they take turns on a transaction-level advisory lock, and all but the first find
 * nothing to do). Refuses a schema newer than the library: a process running an older
 * release must not write to tables it does not know.
 *
 * Each run also fills the search values (migration 5) of users that lack them: all of
 * them when migration 5 is applied, later only those written by a process of the release
 * before (none, usually: one index probe).
 *
 * The pool is the host's; this takes one connection for the transaction and gives it back.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresStore, migrate } from "habilitations/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
 * await migrate(pool); // { from: 0, to: 7, applied: [1, 2, 3, 4, 5, 6, 7] } the first time, then applied: []
 * const store = createPostgresStore(pool);
 * ```
 */
export async function migrate(pool: PostgresPool, options: SchemaOptions = {}): Promise<MigrationReport> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const s = quoteIdentifier(schemaName);
  const client = await pool.connect();
  let broken: unknown;
  // While this connection is ours, its death is an error of the migration (the pending
  // query rejects), never an unhandled 'error' event that would crash the host.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on?.("error", onError);
  try {
    await client.query("BEGIN");
    try {
      // One lock per schema name, held until COMMIT/ROLLBACK: concurrent migrations queue.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`habilitations:migrate:${schemaName}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           version integer PRIMARY KEY,
           description text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${s}.schema_migrations`,
      );
      const from = rows[0]?.version ?? 0;
      if (from > SCHEMA_VERSION)
        throw new Error(
          `habilitations: the schema ${s} is at version ${from}, newer than this library knows (${SCHEMA_VERSION}). ` +
            "Upgrade the habilitations package before using this database; it was not changed.",
        );
      const pending: Migration[] = MIGRATIONS.filter((m) => m.version > from);
      for (const migration of pending) {
        await client.query(migration.sql(s));
        await client.query(`INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`, [
          migration.version,
          migration.description,
        ]);
      }
      // Migration 5's TypeScript step, when it was just applied and at every later run.
      await fillSearchColumns(client, s);
      await client.query("COMMIT");
      return { from, to: SCHEMA_VERSION, applied: pending.map((m) => m.version) };
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    client.removeListener?.("error", onError);
    // A connection whose ROLLBACK failed, or that died, is in an unknown state: destroy
    // it, never reuse it.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/**
 * The version of the schema in the database (0 when it holds no habilitations schema).
 *
 * @example
 * ```ts
 * if ((await schemaVersion(pool)) !== SCHEMA_VERSION) throw new Error("run migrate() first");
 * ```
 */
export async function schemaVersion(pool: PostgresPool, options: SchemaOptions = {}): Promise<number> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const s = quoteIdentifier(schemaName);
  const exists = await pool.query<{ found: boolean }>(
    "SELECT to_regclass($1) IS NOT NULL AS found",
    [`${s}.schema_migrations`],
  );
  if (exists.rows[0]?.found !== true) return 0;
  const { rows } = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_migrations`);
  return rows[0]?.version ?? 0;
}
