// The entry point's types accept the host's pg.Pool as it is.
import pg from "pg";
import { expect, expectTypeOf, it } from "vitest";
import { createPostgresStore, type PostgresPool } from "../../src/postgres/index.js";

it("a pg.Pool is a PostgresPool", () => {
  expectTypeOf<pg.Pool>().toMatchTypeOf<PostgresPool>();
  const pool = new pg.Pool({ connectionString: "postgres://127.0.0.1:1/none" });
  expect(typeof createPostgresStore(pool).commit).toBe("function");
  void pool.end();
});
