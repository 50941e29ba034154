/**
 * The PostgreSQL store: what a production backend uses. Several stateless processes may
 * share one database; every rule the port states holds across them (docs/postgres.md).
 *
 * `pg` is an optional peer dependency of this entry point only: the library imports its
 * types, never the module, and works on the `pg.Pool` the host passes in.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createHabilitations } from "habilitations";
 * import { createPostgresStore, migrate } from "habilitations/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
 * await migrate(pool);
 * const app = createHabilitations({ store: createPostgresStore(pool) });
 * ```
 */
export { createPostgresStore } from "./store.js";
export type { PostgresStoreOptions } from "./store.js";
export { migrate, schemaVersion } from "./migrate.js";
export type { MigrationReport, PostgresPool, PostgresPoolClient, PostgresQuery, SchemaOptions } from "./migrate.js";
export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
export { userRowColumns } from "./search-columns.js";
export type { UserRowColumns, SearchColumns } from "./search-columns.js";
export type { Migration } from "./migrations.js";
