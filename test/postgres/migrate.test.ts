// migrate(): idempotent, safe when several processes run it at once, refuses a newer schema.
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS, SCHEMA_VERSION, createPostgresStore, migrate, schemaVersion } from "../../src/postgres/index.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, uniqueSchema } from "./helpers.js";

const pool = createPool(12);
afterAll(() => pool.end());

async function dropping<T>(schema: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

const tablesOf = async (schema: string) =>
  (
    await pool.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [schema],
    )
  ).rows.map((r) => r.name);

describe("migrate", () => {
  it("creates the schema at the library's version, and a second run is a no-op", async () => {
    const schema = uniqueSchema("mig");
    await dropping(schema, async () => {
      expect(await schemaVersion(pool, { schema })).toBe(0);
      expect(await migrate(pool, { schema })).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      const tables = await tablesOf(schema);
      expect(tables).toEqual([
        "attachment_requests",
        "attachments",
        "history",
        "idempotency_records",
        "outbox",
        "schema_migrations",
        "services",
        "structures",
        "users",
      ]);
      const store = createPostgresStore(pool, { schema });
      expect((await store.commit({ writes: [{ kind: "user", value: fx.user("u-1"), expectedVersion: null }], reads: [], history: [], events: [] })).ok).toBe(true);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await tablesOf(schema)).toEqual(tables);
      expect((await store.getUser(fx.user("u-1").id))?.version).toBe(1);
      const versions = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await schemaVersion(pool, { schema })).toBe(SCHEMA_VERSION);
    });
  });

  it("four concurrent runs on a fresh schema all succeed, and the migrations are applied once", async () => {
    const schema = uniqueSchema("mig4");
    await dropping(schema, async () => {
      const reports = await Promise.all([1, 2, 3, 4].map(() => migrate(pool, { schema })));
      expect(reports.filter((r) => r.applied.length > 0)).toEqual([{ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) }]);
      expect(reports.filter((r) => r.applied.length === 0)).toHaveLength(3);
      const versions = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });

  it("refuses a database whose schema is newer than the library, and changes nothing", async () => {
    const schema = uniqueSchema("mignew");
    await dropping(schema, async () => {
      await migrate(pool, { schema });
      await pool.query(`INSERT INTO "${schema}".schema_migrations (version, description) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
      await expect(migrate(pool, { schema })).rejects.toThrow(
        new RegExp(`at version ${SCHEMA_VERSION + 1}, newer than this library knows \\(${SCHEMA_VERSION}\\)`),
      );
      expect(await schemaVersion(pool, { schema })).toBe(SCHEMA_VERSION + 1);
      // The connection went back to the pool in a usable state.
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    });
  });

  it("a failing migration leaves nothing behind (one transaction)", async () => {
    const schema = uniqueSchema("migfail");
    await dropping(schema, async () => {
      await pool.query(`CREATE SCHEMA "${schema}"`);
      // A table in the way of migration 1.
      await pool.query(`CREATE TABLE "${schema}".history (x int)`);
      await expect(migrate(pool, { schema })).rejects.toThrow(/already exists/);
      expect(await tablesOf(schema)).toEqual(["history"]);
    });
  });

  it("quotes the schema name", async () => {
    const schema = `${uniqueSchema("odd")} "quoted"`;
    await dropping(schema.replaceAll('"', '""'), async () => {
      await migrate(pool, { schema });
      const store = createPostgresStore(pool, { schema });
      expect(await store.getUser(fx.user("u-1").id)).toBeNull();
    });
    expect(() => createPostgresStore(pool, { schema: "" })).toThrow(TypeError);
  });
});
