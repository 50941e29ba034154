// Shared by the PostgreSQL tests: a pool on the test server, and schemas of their own.
import pg from "pg";
import { inject } from "vitest";
import { createPostgresStore, migrate, type PostgresQuery, type PostgresStoreOptions } from "../../src/postgres/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import "./global-setup.js";

/** The test server's URL (from DATABASE_URL, or the throwaway server of global-setup.ts). */
export const databaseUrl = (): string => inject("databaseUrl");

/** A pool on the test server; the test file ends it. */
export function createPool(max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined); // an idle client lost (server stopped): nothing to do in tests
  return pool;
}

let counter = 0;
/** A schema name no other test uses (test files run in parallel on one server). */
export const uniqueSchema = (label: string): string =>
  `t_${label}_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`;

/** A migrated, empty store in a schema of its own, and how to drop it. */
export async function freshStore(
  pool: pg.Pool,
  label = "store",
  options: PostgresStoreOptions = {},
): Promise<{ store: HabilitationsStore; schema: string; drop: () => Promise<void> }> {
  const schema = uniqueSchema(label);
  await migrate(pool, { schema });
  return {
    store: createPostgresStore(pool, { ...options, schema }),
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}

/** A statement as the store sends it (a text, or a named statement), run on a pool or a client. */
export function forward(target: pg.Pool | pg.PoolClient, statement: string | PostgresQuery, values?: unknown[]) {
  return typeof statement === "string" ? target.query(statement, values) : target.query({ ...statement });
}

/** The text of a statement as the store sends it. */
export const textOf = (statement: string | PostgresQuery): string => (typeof statement === "string" ? statement : statement.text);
