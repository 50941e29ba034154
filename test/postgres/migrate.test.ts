// migrate(): idempotent, safe when several processes run it at once, refuses a newer schema.
import { afterAll, describe, expect, it } from "vitest";
import {
  localDate,
  searchKeyOf,
  searchReference,
  spaceCode,
  structureId,
  userId,
  type Instant,
  type RecordedEvent,
  type Service,
  type Structure,
  type User,
} from "../../src/core/index.js";
import { MIGRATIONS, SCHEMA_VERSION, createPostgresStore, migrate, schemaVersion } from "../../src/postgres/index.js";

import { searchColumnsOf } from "../../src/postgres/search-columns.js";
import type { UnitOfWork, Write } from "../../src/port/store.js";
import { accountFixtures } from "../../src/testing/contract-accounts.js";
import { contractFixtures as fx, instant } from "../../src/testing/fixtures.js";
import { createPool, uniqueSchema } from "./helpers.js";
import { snapshotOf } from "./snapshot.js";

/** The migrations a schema at `version` gets from migrate(): every later one. */
const laterThan = (version: number) => MIGRATIONS.map((m) => m.version).filter((v) => v > version);

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
        "subscription_requests",
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

const unitOf = (...writes: Write[]): UnitOfWork => ({ writes, reads: [], history: [], events: [] });

/**
 * A schema as migrate() left it at `version` (2: the release before subscription requests;
 * 3: before accounts…), or, with `from`, one at version `from` taken to `version` as that
 * release's migrate() would.
 */
async function atVersion(schema: string, version: number, from = 0): Promise<void> {
  const s = `"${schema}"`;
  if (from === 0) {
    await pool.query(`CREATE SCHEMA ${s}`);
    await pool.query(
      `CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  }
  for (const m of MIGRATIONS.filter((m) => m.version > from && m.version <= version)) {
    await pool.query(m.sql(s));
    await pool.query(`INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`, [m.version, m.description]);
  }
}

/** The activation of a user as releases 4 to 6 wrote it: one token, and when it was used. */
interface ActivationV6 {
  readonly tokenHash: string;
  readonly issuedAt: Instant;
  readonly expiresAt: Instant;
  readonly usedAt: Instant | null;
}

/** A user as releases 4 to 6 wrote it (before migration 7). */
type UserV6 = Omit<User, "accountEmails" | "activation" | "contactEmailChange"> & {
  readonly accountEmailsAt: readonly Instant[];
  readonly activation: ActivationV6 | null;
};

/**
 * A user as releases 4 to 6 wrote it: the instants of its e-mails (`accountEmailsAt`), its
 * one activation token (the first), no `contactEmailChange`. Typed `User` to be written
 * through the store as those releases did.
 */
const beforeV7 = (value: User): User => {
  const { accountEmails, activation, contactEmailChange: _c, ...rest } = value;
  const token = activation?.tokens[0];
  const old: UserV6 = {
    ...rest,
    accountEmailsAt: accountEmails.map((e) => e.at),
    activation:
      activation === null || token === undefined
        ? null
        : { tokenHash: token.tokenHash, issuedAt: token.issuedAt, expiresAt: token.expiresAt, usedAt: activation.usedAt },
  };
  return old as unknown as User;
};

/**
 * What migration 7 makes of a user in that shape (the reference, written here): each
 * e-mail, and the token, from the structure the account was created for, else from the
 * public side; no contact address waiting; every other field as it was.
 */
const afterV7 = (value: User): User => {
  const { accountEmailsAt, activation, ...rest } = value as unknown as UserV6;
  const by = rest.createdFor === null ? "public" : (`structure:${rest.createdFor}` as const);
  return {
    ...rest,
    accountEmails: accountEmailsAt.map((at) => ({ at, by })),
    activation:
      activation === null
        ? null
        : { tokens: [{ tokenHash: activation.tokenHash, issuedAt: activation.issuedAt, expiresAt: activation.expiresAt, by }], usedAt: activation.usedAt },
    contactEmailChange: null,
  };
};

/** Records as the release before wrote them: no openSpaces, no grants (and no deactivatedAt, migration 6's; the account fields as migration 4 knew them). */
const withoutSpaces = <T extends Structure | Service>(value: T): T => {
  const { openSpaces: _, ...old } = value;
  return old as T;
};
const withoutGrants = (value: User): User => {
  const { grants: _, deactivatedAt: _d, ...old } = beforeV7(value);
  return old as User;
};

/** Rows written through the version-2 commit_unit: some moved past version 1, one already with the new field. */
async function seedVersion2(schema: string): Promise<void> {
  const store = createPostgresStore(pool, { schema });
  const s1 = structureId("s-1");
  const opened: Structure = { ...fx.structure("s-2"), openSpaces: [spaceCode("FACTURES_EMISES")] };
  const results = [
    await store.commit(
      unitOf(
        { kind: "structure", value: withoutSpaces(fx.structure("s-1", "u-1")), expectedVersion: null },
        { kind: "structure", value: opened, expectedVersion: null },
        { kind: "service", value: withoutSpaces(fx.service("svc-1", "s-1", "COMPTA")), expectedVersion: null },
        { kind: "user", value: withoutGrants(fx.user("u-1", [s1])), expectedVersion: null },
        { kind: "user", value: withoutGrants(fx.user("u-2")), expectedVersion: null },
        { kind: "attachmentRequest", value: fx.pendingRequest("r-1", "u-2", "s-1"), expectedVersion: null },
      ),
    ),
    await store.commit(unitOf({ kind: "user", value: withoutGrants({ ...fx.user("u-2", [s1]), lastName: "Lefèvre" }), expectedVersion: 1 })),
  ];
  expect(results.map((r) => r.ok)).toEqual([true, true]);
}

describe("migration 3: subscription requests", () => {
  it("applies on a schema at version 2, fills openSpaces and grants where missing, and keeps every version and everything else", async () => {
    const schema = uniqueSchema("mig3");
    await dropping(schema, async () => {
      await atVersion(schema, 2);
      await seedVersion2(schema);
      expect(await schemaVersion(pool, { schema })).toBe(2);
      const store = createPostgresStore(pool, { schema });
      // The version-2 commit_unit does not know the kind.
      await expect(store.commit(unitOf({ kind: "subscriptionRequest", value: fx.pendingSubscription("sub-0", "u-1", "s-1"), expectedVersion: null }))).rejects.toThrow(
        /unknown aggregate kind "subscriptionRequest"/,
      );
      expect(await tablesOf(schema)).not.toContain("subscription_requests");

      expect(await migrate(pool, { schema })).toEqual({ from: 2, to: SCHEMA_VERSION, applied: laterThan(2) });
      const s1 = structureId("s-1");
      const after = await snapshotOf(pool, schema);
      expect(after).toEqual({
        structures: [
          { value: fx.structure("s-1", "u-1"), version: 1 },
          { value: { ...fx.structure("s-2"), openSpaces: ["FACTURES_EMISES"] }, version: 1 },
        ],
        services: [{ value: fx.service("svc-1", "s-1", "COMPTA"), version: 1 }],
        users: [
          { value: fx.user("u-1", [s1]), version: 1 },
          { value: { ...fx.user("u-2", [s1]), lastName: "Lefèvre" }, version: 2 },
        ],
        attachmentRequests: [{ value: fx.pendingRequest("r-1", "u-2", "s-1"), version: 1 }],
        subscriptionRequests: [],
        history: [],
        outbox: [],
        idempotency: [],
      });
      // The keys and derived rows are untouched, and the store works on the migrated rows.
      expect((await store.findUserByLogin("u-2@example.fr"))?.version).toBe(2);
      expect((await store.listMembers(s1, { limit: 10 })).map((u) => [u.id, u.grants])).toEqual([["u-1", []], ["u-2", []]]);
      const pending = fx.pendingSubscription("sub-1", "u-1", "s-1");
      const granted: User = {
        ...fx.user("u-1", [s1]),
        grants: [{ structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: userId("u-1"), grantedAt: pending.createdAt, validUntil: null, endNotice: null }],
      };
      const committed = await store.commit({
        ...unitOf({ kind: "subscriptionRequest", value: pending, expectedVersion: null }, { kind: "user", value: granted, expectedVersion: 1 }),
        reads: [{ kind: "structure", id: "s-1", version: 1 }],
      });
      expect(committed).toMatchObject({ ok: true, value: { versions: [1, 2] } });
      expect(await store.listPendingSubscriptionRequests(s1, { limit: 10 })).toEqual([pending]);
      expect(await store.getUser(granted.id)).toEqual({ value: granted, version: 2 });
    });
  });

  it("is idempotent: its row updates find nothing left to fill, and a second migrate() is a no-op", async () => {
    const schema = uniqueSchema("mig3idem");
    await dropping(schema, async () => {
      await atVersion(schema, 2);
      await seedVersion2(schema);
      await migrate(pool, { schema });
      const once = await snapshotOf(pool, schema);
      const s = `"${schema}"`;
      const fills = MIGRATIONS.find((m) => m.version === 3)?.sql(s).split("\n").filter((line) => line.startsWith("UPDATE ")) ?? [];
      expect(fills).toHaveLength(3);
      for (const fill of fills) expect((await pool.query(fill)).rowCount).toBe(0);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await snapshotOf(pool, schema)).toEqual(once);
      // Rows written without the fields after the migration (a process of the release
      // before, still running) are filled by the same statements, and only those.
      await pool.query(`UPDATE ${s}.users SET data = data - 'grants' WHERE id = 'u-2'`);
      expect((await Promise.all(fills.map((fill) => pool.query(fill)))).map((r) => r.rowCount)).toEqual([0, 0, 1]);
      expect(await snapshotOf(pool, schema)).toEqual(once);
    });
  });

  it("four concurrent runs on a schema at version 2: one applies it (and 4 to 7), once; the others find nothing to do", async () => {
    const schema = uniqueSchema("mig3conc");
    await dropping(schema, async () => {
      await atVersion(schema, 2);
      await seedVersion2(schema);
      const reports = await Promise.all([1, 2, 3, 4].map(() => migrate(pool, { schema })));
      expect(reports.filter((r) => r.applied.length > 0)).toEqual([{ from: 2, to: SCHEMA_VERSION, applied: laterThan(2) }]);
      expect(reports.filter((r) => r.applied.length === 0)).toEqual([1, 2, 3].map(() => ({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] })));
      const versions = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const { users, structures } = await snapshotOf(pool, schema);
      expect(users.map((u) => [u.value.grants, u.version])).toEqual([[[], 1], [[], 2]]);
      expect(structures.map((s) => s.value.openSpaces)).toEqual([[], ["FACTURES_EMISES"]]);
    });
  });

  it("its commit_unit() is migration 2's, word for word, plus the subscriptionRequest kind", () => {
    const v2 = MIGRATIONS.find((m) => m.version === 2)?.sql('"x"') ?? "";
    const v3 = MIGRATIONS.find((m) => m.version === 3)?.sql('"x"') ?? "";
    const fn3 = v3.slice(v3.indexOf("CREATE OR REPLACE FUNCTION"));
    const lock = `
      WHEN 'subscriptionRequest' THEN
        IF target.written THEN
          SELECT version INTO current_version FROM "x".subscription_requests WHERE id = target.id FOR UPDATE;
        ELSE
          SELECT version INTO current_version FROM "x".subscription_requests WHERE id = target.id FOR SHARE;
        END IF;`;
    const write = `
        WHEN 'subscriptionRequest' THEN
          IF creating THEN
            INSERT INTO "x".subscription_requests (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE "x".subscription_requests SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;`;
    const created = `'attachment_requests_pkey',
                        'subscription_requests_pkey')`;
    for (const added of [lock, write, created]) expect(fn3.split(added)).toHaveLength(2);
    expect("\n" + fn3.replace(lock, "").replace(write, "").replace(created, "'attachment_requests_pkey')")).toBe(v2);
  });
});

/** A user as the release before accounts wrote it: none of the account fields (nor deactivatedAt, migration 6's, nor migration 7's). */
const withoutAccountFields = (value: User): User => {
  const { phone: _p, postalAddress: _a, settings: _s, createdFor: _c, activation: _t, accountEmails: _e, contactEmailChange: _ce, deactivatedAt: _d, ...old } = value;
  return old as User;
};

/**
 * Rows written through the version-3 commit_unit: users without the account fields (one
 * moved past version 1), one with some of them, one with all of them (written by a
 * process of the new release before the migration).
 */
async function seedVersion3(schema: string): Promise<void> {
  const store = createPostgresStore(pool, { schema });
  const s1 = structureId("s-1");
  const partial = { ...withoutAccountFields(fx.user("u-3", [s1])), settings: { activityNotifications: "weekly" }, phone: "05 56 00 00 00" } as User;
  const results = [
    await store.commit(
      unitOf(
        { kind: "structure", value: fx.structure("s-1", "u-1"), expectedVersion: null },
        { kind: "user", value: withoutAccountFields(fx.user("u-1", [s1])), expectedVersion: null },
        { kind: "user", value: withoutAccountFields(fx.user("u-2")), expectedVersion: null },
        { kind: "user", value: partial, expectedVersion: null },
        { kind: "user", value: beforeV7(accountFixtures.pending("u-4", s1, [s1])), expectedVersion: null },
      ),
    ),
    await store.commit(unitOf({ kind: "user", value: withoutAccountFields({ ...fx.user("u-2", [s1]), lastName: "Lefèvre" }), expectedVersion: 1 })),
  ];
  expect(results.map((r) => r.ok)).toEqual([true, true]);
}

describe("migration 4: accounts", () => {
  const s1 = structureId("s-1");
  /** The users of seedVersion3 as migration 4 (and 7, to the shape of today) leaves them. */
  const migratedUsers = [
    { value: fx.user("u-1", [s1]), version: 1 },
    { value: { ...fx.user("u-2", [s1]), lastName: "Lefèvre" }, version: 2 },
    { value: { ...fx.user("u-3", [s1]), settings: { activityNotifications: "weekly" }, phone: "05 56 00 00 00" } as User, version: 1 },
    { value: afterV7(beforeV7(accountFixtures.pending("u-4", s1, [s1]))), version: 1 },
  ];

  it("applies on a schema at version 3, fills the account fields where missing, and keeps every version and everything else", async () => {
    const schema = uniqueSchema("mig4acc");
    await dropping(schema, async () => {
      await atVersion(schema, 3);
      await seedVersion3(schema);
      expect(await schemaVersion(pool, { schema })).toBe(3);
      expect(await migrate(pool, { schema })).toEqual({ from: 3, to: SCHEMA_VERSION, applied: laterThan(3) });
      expect(await snapshotOf(pool, schema)).toEqual({
        structures: [{ value: fx.structure("s-1", "u-1"), version: 1 }],
        services: [],
        users: migratedUsers,
        attachmentRequests: [],
        subscriptionRequests: [],
        history: [],
        outbox: [],
        idempotency: [],
      });
      // Every read gives the migrated users; keys and attachment rows are untouched.
      const store = createPostgresStore(pool, { schema });
      for (const row of migratedUsers) {
        expect(await store.getUser(row.value.id)).toEqual(row);
        expect(await store.findUserByLogin(row.value.login)).toEqual(row);
      }
      const ids = migratedUsers.map((row) => row.value.id);
      const byId = (rows: readonly { value: User }[]) => [...rows].sort((a, b) => (a.value.id < b.value.id ? -1 : 1));
      expect(byId(await store.getUsers(ids))).toEqual(migratedUsers);
      expect(byId((await store.getAggregates({ user: ids })).user)).toEqual(migratedUsers);
      expect(await store.listMembers(s1, { limit: 10 })).toEqual(migratedUsers.map((row) => row.value));

      // The new commit_unit(): an activation written at the migrated version, its e-mail's
      // token in the outbox only.
      const resent: User = { ...accountFixtures.pending("u-1", s1, [s1]), accountEmails: [] };
      const email = accountFixtures.activationEmail("e-1", resent);
      const committed = await store.commit({
        ...unitOf({ kind: "user", value: resent, expectedVersion: 1 }),
        reads: [{ kind: "user", id: "u-4", version: 1 }],
        events: [email],
        idempotency: fx.idempotency("u-4", "k-1"),
      });
      expect(committed).toMatchObject({ ok: true, value: { versions: [2] } });
      const { token: _secret, ...withoutToken } = email as Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;
      expect((await store.getIdempotencyRecord("u-4", "k-1"))?.events).toEqual([withoutToken]);
      expect((await store.claimOutbox({ limit: 10, now: fx.idempotency("u-4", "k-1").at, leaseUntil: "2026-11-27T10:00:00.000Z" as Instant })).map((m) => m.event)).toEqual([email]);
      expect(await store.getUser(resent.id)).toEqual({ value: resent, version: 2 });
    });
  });

  it("is idempotent: its row update finds nothing left to fill, and a second migrate() is a no-op", async () => {
    const schema = uniqueSchema("mig4idem");
    await dropping(schema, async () => {
      await atVersion(schema, 3);
      await seedVersion3(schema);
      // Migration 4 as its release's migrate() applied it (migration 7, later, reshapes
      // the fields it fills: its statement is about the shape of releases 4 to 6).
      await atVersion(schema, 4, 3);
      const once = await snapshotOf(pool, schema);
      const s = `"${schema}"`;
      const fills = MIGRATIONS.find((m) => m.version === 4)?.sql(s).split("\n").filter((line) => line.startsWith("UPDATE ")) ?? [];
      expect(fills).toHaveLength(1);
      for (const fill of fills) expect((await pool.query(fill)).rowCount).toBe(0);
      expect(await snapshotOf(pool, schema)).toEqual(once);
      // Rows written without the fields after the migration (a process of the release
      // before, still running) are filled by the same statement, and only those.
      await pool.query(`UPDATE ${s}.users SET data = data - 'phone' - 'activation' WHERE id = 'u-1'`);
      await pool.query(`UPDATE ${s}.users SET data = data - 'accountEmailsAt' WHERE id = 'u-2'`);
      expect((await Promise.all(fills.map((fill) => pool.query(fill)))).map((r) => r.rowCount)).toEqual([2]);
      expect(await snapshotOf(pool, schema)).toEqual(once);
      // Then the next releases' migrate(), once.
      expect(await migrate(pool, { schema })).toEqual({ from: 4, to: SCHEMA_VERSION, applied: laterThan(4) });
      expect((await snapshotOf(pool, schema)).users).toEqual(migratedUsers);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    });
  });

  it("its commit_unit() is migration 3's, word for word, but the idempotency record's events, without their token", () => {
    const v3 = MIGRATIONS.find((m) => m.version === 3)?.sql('"x"') ?? "";
    const v4 = MIGRATIONS.find((m) => m.version === 4)?.sql('"x"') ?? "";
    const fn3 = v3.slice(v3.indexOf("CREATE OR REPLACE FUNCTION"));
    const fn4 = v4.slice(v4.indexOf("CREATE OR REPLACE FUNCTION"));
    const whole = `'events', unit -> 'events')`;
    const withoutSecret =
      `'events', (SELECT coalesce(jsonb_agg(CASE WHEN x ->> 'type' = 'ActivationEmailRequested' THEN x - 'token' ELSE x END ORDER BY n), '[]'::jsonb)` +
      ` FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n)))`;
    expect(fn3.split(whole)).toHaveLength(2);
    expect(fn4.split(withoutSecret)).toHaveLength(2);
    expect(fn4.replace(withoutSecret, whole)).toBe(fn3);
    // Before the function: the row update, and nothing else.
    expect(v4.slice(0, v4.indexOf("CREATE OR REPLACE FUNCTION")).split("\n").filter((line) => line !== "" && !line.startsWith("--"))).toEqual([
      `UPDATE "x".users SET data = '{"phone": null, "postalAddress": null, "settings": {"activityNotifications": "never"}, "createdFor": null, "activation": null, "accountEmailsAt": []}'::jsonb || data WHERE NOT data ?& ARRAY['phone', 'postalAddress', 'settings', 'createdFor', 'activation', 'accountEmailsAt'];`,
    ]);
  });
});

/** What migration 5's columns hold for each user, and whether each attachment row carries its user's key. */
async function searchColumnsIn(schema: string) {
  const s = `"${schema}"`;
  const users = await pool.query<{ id: string; searchKey: string | null; searchLast: string | null; searchFirst: string | null; searchLogin: string | null; createdFor: string | null }>(
    `SELECT id, search_key AS "searchKey", search_last AS "searchLast", search_first AS "searchFirst", search_login AS "searchLogin", created_for AS "createdFor"
     FROM ${s}.users ORDER BY id`,
  );
  const { rows: [mismatched] } = await pool.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM ${s}.attachments a JOIN ${s}.users u ON u.id = a.user_id WHERE a.search_key IS DISTINCT FROM u.search_key`,
  );
  return { users: users.rows, mismatchedAttachmentRows: mismatched?.n };
}

/** The columns migration 5 should give these users: the core's values, computed in TypeScript. */
const expectedColumns = (users: readonly User[]) =>
  [...users]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((u) => ({ id: u.id, ...searchColumnsOf(u), createdFor: u.createdFor ?? null }));

describe("migration 5: user search", () => {
  const s1 = structureId("s-1");
  const s2 = structureId("s-2");
  const big = structureId("s-big");
  /** 2 500 members of s-big (more than one batch of the fill), names with accents and ligatures. */
  const bulk = Array.from({ length: 2_500 }, (_, i) => ({
    ...fx.user(`b-${String(i).padStart(4, "0")}`, [big]),
    lastName: ["Lefèvre", "Œhler", "D'Arc", "Müller"][i % 4] as string,
    firstName: `Élo ${i % 7}`,
  }));
  const named = [
    { ...fx.user("u-1", [s1, s2]), lastName: "Lefèvre", firstName: "Élodie" },
    { ...accountFixtures.pending("u-2", s1), lastName: "Œhler", firstName: "Anne-Marie" },
    { ...fx.user("u-3", [s2]), lastName: "Dupont", firstName: "Jean" },
  ];
  /** Users as a release before migration 5 wrote them (its commit_unit stores no search values). */
  async function seedVersion4(schema: string): Promise<User[]> {
    const store = createPostgresStore(pool, { schema });
    const renamed = { ...(named[2] as User), lastName: "Lefebvre" };
    // Written in the shape of releases 4 to 6 (migration 7 reshapes them).
    const results = [
      await store.commit(unitOf(...[...named, ...bulk].map((value): Write => ({ kind: "user", value: beforeV7(value), expectedVersion: null })))),
      await store.commit(unitOf({ kind: "user", value: beforeV7(renamed), expectedVersion: 1 })),
    ];
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    return [named[0] as User, named[1] as User, renamed, ...bulk];
  }

  it("applies on a schema at version 4: every user gets the core's search values, on its attachment rows too; data and versions are kept", async () => {
    const schema = uniqueSchema("mig5");
    await dropping(schema, async () => {
      await atVersion(schema, 4);
      const users = await seedVersion4(schema);
      const before = await snapshotOf(pool, schema);
      expect(await migrate(pool, { schema })).toEqual({ from: 4, to: SCHEMA_VERSION, applied: laterThan(4) });
      // The data and versions are kept, but for the account fields migration 7 reshapes.
      expect(await snapshotOf(pool, schema)).toEqual({ ...before, users: before.users.map((u) => ({ ...u, value: afterV7(u.value) })) });
      expect(before.users.find((u) => u.value.id === "u-3")?.version).toBe(2);
      expect(await searchColumnsIn(schema)).toEqual({ users: expectedColumns(users), mismatchedAttachmentRows: 0 });

      // The store searches the migrated rows.
      const store = createPostgresStore(pool, { schema });
      expect((await store.searchUsers({ structureIds: [s1, s2], lastName: "lef", limit: 10 })).map((u) => u.id)).toEqual(["u-3", "u-1"]);
      expect((await store.searchUsers({ structureIds: [s1], lastName: "oehl", limit: 10 })).map((u) => u.id)).toEqual(["u-2"]);
      expect((await store.findUsersByName("oehler", "anne marie", 20)).map((u) => u.id)).toEqual(["u-2"]);
      const query = { structureIds: [big], lastName: "d arc", firstName: "elo 3", after: searchKeyOf(bulk[3] as User), limit: 7 };
      expect((await store.searchUsers(query)).map((u) => u.id)).toEqual(searchReference(users, query).map((u) => u.id));
    });
  }, 60_000);

  it("users written without search values (by a process of the release before) are filled by the next migrate(), and only they", async () => {
    const schema = uniqueSchema("mig5fill");
    await dropping(schema, async () => {
      await atVersion(schema, 4);
      const users = await seedVersion4(schema);
      await migrate(pool, { schema });
      const s = `"${schema}"`;
      // A user created and one renamed by commit_unit() as a process of the release
      // before calls it: the write's JSON without the search values.
      const old = { ...fx.user("u-old", [s1]), lastName: "Lefèvre", firstName: "Ancien" };
      const renamed = { ...(users[0] as User), lastName: "Zola" };
      const oldUnit = {
        writes: [
          { kind: "user", id: old.id, expectedVersion: null, value: old, key: old.login },
          { kind: "user", id: renamed.id, expectedVersion: 1, value: renamed, key: renamed.login },
        ],
        reads: [],
        history: [],
        events: [],
        idempotency: null,
      };
      const { rows } = await pool.query(`SELECT ${s}.commit_unit($1::jsonb) AS answer`, [JSON.stringify(oldUnit)]);
      expect(rows[0].answer).toEqual({ ok: true, versions: [1, 2], sequences: [] });
      const store = createPostgresStore(pool, { schema });
      // Not found by search until filled.
      expect((await store.searchUsers({ structureIds: [s1], lastName: "lef", limit: 10 })).map((u) => u.id)).toEqual([]);
      const now = [renamed, ...users.slice(1), old];
      const before = await snapshotOf(pool, schema);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await snapshotOf(pool, schema)).toEqual(before);
      expect(await searchColumnsIn(schema)).toEqual({ users: expectedColumns(now), mismatchedAttachmentRows: 0 });
      expect((await store.searchUsers({ structureIds: [s1], lastName: "lef", limit: 10 })).map((u) => u.id)).toEqual(["u-old"]);
      expect((await store.searchUsers({ structureIds: [s1, s2], lastName: "zola", limit: 10 })).map((u) => u.id)).toEqual(["u-1"]);
      // Nothing left to fill: the partial index of missing values is empty.
      const { rows: missing } = await pool.query(`SELECT count(*)::integer AS n FROM ${s}.users WHERE search_key IS NULL`);
      expect(missing).toEqual([{ n: 0 }]);
    });
  }, 60_000);

  it("its commit_unit() is migration 4's, word for word, but where it writes a user and its attachment rows", () => {
    const v4 = MIGRATIONS.find((m) => m.version === 4)?.sql('"x"') ?? "";
    const v5 = MIGRATIONS.find((m) => m.version === 5)?.sql('"x"') ?? "";
    const fn4 = v4.slice(v4.indexOf("CREATE OR REPLACE FUNCTION"));
    const fn5 = v5.slice(v5.indexOf("CREATE OR REPLACE FUNCTION"));
    const replaced: [string, string][] = [
      [
        `INSERT INTO "x".users (data, version, login_key) VALUES (w -> 'value', 1, w ->> 'key');`,
        `INSERT INTO "x".users (data, version, login_key, search_key, search_last, search_first, search_login)
              VALUES (w -> 'value', 1, w ->> 'key', w ->> 'searchKey', w ->> 'searchLast', w ->> 'searchFirst', w ->> 'searchLogin');`,
      ],
      [
        `UPDATE "x".users SET data = w -> 'value', version = next_version, login_key = w ->> 'key'
`,
        `UPDATE "x".users SET data = w -> 'value', version = next_version, login_key = w ->> 'key',
              search_key = w ->> 'searchKey', search_last = w ->> 'searchLast', search_first = w ->> 'searchFirst',
              search_login = w ->> 'searchLogin'
`,
      ],
      [
        `INSERT INTO "x".attachments AS a (structure_id, user_id, role, valid_from, scope)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope
            WHERE (a.role, a.valid_from, a.scope) IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope);`,
        `INSERT INTO "x".attachments AS a (structure_id, user_id, role, valid_from, scope, search_key)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope',
              w ->> 'searchKey'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope, search_key = excluded.search_key
            WHERE (a.role, a.valid_from, a.scope, a.search_key)
              IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope, excluded.search_key);`,
      ],
    ];
    let back = fn5;
    for (const [before, after] of replaced) {
      expect(fn4.split(before)).toHaveLength(2);
      expect(fn5.split(after)).toHaveLength(2);
      back = back.replace(after, before);
    }
    expect(back).toBe(fn4);
    // Before the function: the columns and the indexes, and nothing else.
    expect(v5.slice(0, v5.indexOf("CREATE OR REPLACE FUNCTION")).split("\n").filter((line) => line !== "" && !line.startsWith("--"))).toEqual([
      `ALTER TABLE "x".users`,
      `  ADD COLUMN search_key text COLLATE "C",`,
      `  ADD COLUMN search_last text COLLATE "C",`,
      `  ADD COLUMN search_first text COLLATE "C",`,
      `  ADD COLUMN search_login text COLLATE "C",`,
      `  ADD COLUMN created_for text COLLATE "C" GENERATED ALWAYS AS (data ->> 'createdFor') STORED;`,
      `ALTER TABLE "x".attachments ADD COLUMN search_key text COLLATE "C";`,
      `CREATE INDEX attachments_search ON "x".attachments (structure_id, search_key) INCLUDE (user_id);`,
      `CREATE INDEX users_created_for_search ON "x".users (created_for, search_key) WHERE created_for IS NOT NULL;`,
      `CREATE INDEX users_search_names ON "x".users (search_last, search_first, search_key);`,
      `CREATE INDEX users_search_missing ON "x".users (id) WHERE search_key IS NULL;`,
    ]);
  });
});

/** A user as the release before the transfer (guide §6) wrote it: no deactivatedAt (and the account fields as migration 4 knew them). */
const withoutDeactivatedAt = (value: User): User => {
  const { deactivatedAt: _, ...old } = beforeV7(value);
  return old as User;
};

describe("migration 6: transfer of the primary role", () => {
  const s1 = structureId("s-1");
  /** A deactivated account written by a process of the new release before the migration. */
  const deactivated: User = { ...fx.user("u-3", [s1]), status: "deactivated", deactivatedAt: instant(5) };
  /** The users of seedVersion5 as migration 6 (and 7, to the shape of today) leaves them. */
  const migratedUsers = [
    { value: fx.user("u-1", [s1]), version: 1 },
    { value: { ...fx.user("u-2", [s1]), lastName: "Lefèvre" }, version: 2 },
    { value: deactivated, version: 1 },
    { value: afterV7(beforeV7(accountFixtures.pending("u-4", s1, [s1]))), version: 1 },
  ];

  /**
   * Rows written through the version-5 commit_unit: users without deactivatedAt (one moved
   * past version 1, one with every account field), one with it; a structure, a history
   * entry and an event, which the migration leaves alone.
   */
  async function seedVersion5(schema: string): Promise<void> {
    const store = createPostgresStore(pool, { schema });
    const results = [
      await store.commit({
        ...unitOf(
          { kind: "structure", value: fx.structure("s-1", "u-1"), expectedVersion: null },
          { kind: "user", value: withoutDeactivatedAt(fx.user("u-1", [s1])), expectedVersion: null },
          { kind: "user", value: withoutDeactivatedAt(fx.user("u-2")), expectedVersion: null },
          { kind: "user", value: beforeV7(deactivated), expectedVersion: null },
          { kind: "user", value: withoutDeactivatedAt(accountFixtures.pending("u-4", s1, [s1])), expectedVersion: null },
        ),
        history: [fx.history("s-1", "structureCreated", 0, "u-1")],
        events: [fx.event("e-1")],
      }),
      await store.commit(unitOf({ kind: "user", value: withoutDeactivatedAt({ ...fx.user("u-2", [s1]), lastName: "Lefèvre" }), expectedVersion: 1 })),
    ];
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  }

  it("applies on a schema at version 5, fills deactivatedAt where missing, and keeps every version and everything else", async () => {
    const schema = uniqueSchema("mig6");
    await dropping(schema, async () => {
      await atVersion(schema, 5);
      await seedVersion5(schema);
      expect(await schemaVersion(pool, { schema })).toBe(5);
      const before = await snapshotOf(pool, schema);
      expect(before.users.map((u) => [u.value.id, "deactivatedAt" in u.value])).toEqual([["u-1", false], ["u-2", false], ["u-3", true], ["u-4", false]]);
      const columnsBefore = await searchColumnsIn(schema);
      expect(await migrate(pool, { schema })).toEqual({ from: 5, to: SCHEMA_VERSION, applied: laterThan(5) });
      expect(await snapshotOf(pool, schema)).toEqual({ ...before, users: migratedUsers });
      // The search values and attachment rows are untouched.
      expect(await searchColumnsIn(schema)).toEqual(columnsBefore);

      // Every read gives the migrated users.
      const store = createPostgresStore(pool, { schema });
      for (const row of migratedUsers) {
        expect(await store.getUser(row.value.id)).toEqual(row);
        expect(await store.findUserByLogin(row.value.login)).toEqual(row);
      }
      const ids = migratedUsers.map((row) => row.value.id);
      const byId = (rows: readonly { value: User }[]) => [...rows].sort((a, b) => (a.value.id < b.value.id ? -1 : 1));
      expect(byId(await store.getUsers(ids))).toEqual(migratedUsers);
      expect(byId((await store.getAggregates({ user: ids })).user)).toEqual(migratedUsers);
      expect(await store.listMembers(s1, { limit: 10 })).toEqual(migratedUsers.map((row) => row.value));
      expect((await store.searchUsers({ structureIds: [s1], status: "deactivated", limit: 10 })).map((u) => u.id)).toEqual(["u-3"]);

      // A deactivation written at the migrated versions, as deactivateAccount writes one:
      // the structure handed over to u-2, and u-1 deactivated, in one unit.
      const handed = { ...fx.structure("s-1", "u-2") };
      const left: User = { ...fx.user("u-1", [s1]), status: "deactivated", deactivatedAt: instant(10) };
      const committed = await store.commit({
        ...unitOf({ kind: "structure", value: handed, expectedVersion: 1 }, { kind: "user", value: left, expectedVersion: 1 }),
        reads: [{ kind: "user", id: "u-2", version: 2 }],
        history: [fx.history("s-1", "primaryRoleTransferred", 10, "u-2"), fx.history("s-1", "accountDeactivated", 10, "u-1")],
      });
      expect(committed).toMatchObject({ ok: true, value: { versions: [2, 2] } });
      expect(await store.getUser(left.id)).toEqual({ value: left, version: 2 });
      expect(await store.getStructure(s1)).toEqual({ value: handed, version: 2 });
      expect((await store.readHistory(s1, { kinds: ["primaryRoleTransferred", "accountDeactivated"], limit: 10 })).map((e) => e.kind)).toEqual([
        "accountDeactivated",
        "primaryRoleTransferred",
      ]);
    });
  });

  it("is idempotent: its row update finds nothing left to fill, and a second migrate() is a no-op", async () => {
    const schema = uniqueSchema("mig6idem");
    await dropping(schema, async () => {
      await atVersion(schema, 5);
      await seedVersion5(schema);
      await migrate(pool, { schema });
      const once = await snapshotOf(pool, schema);
      const s = `"${schema}"`;
      const fills = MIGRATIONS.find((m) => m.version === 6)?.sql(s).split("\n").filter((line) => line.startsWith("UPDATE ")) ?? [];
      expect(fills).toHaveLength(1);
      for (const fill of fills) expect((await pool.query(fill)).rowCount).toBe(0);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await snapshotOf(pool, schema)).toEqual(once);
      // Rows written without the field after the migration (a process of the release
      // before, still running) are filled by the same statement, and only those; a value
      // already there is kept.
      await pool.query(`UPDATE ${s}.users SET data = data - 'deactivatedAt' WHERE id IN ('u-1', 'u-4')`);
      expect((await Promise.all(fills.map((fill) => pool.query(fill)))).map((r) => r.rowCount)).toEqual([2]);
      expect(await snapshotOf(pool, schema)).toEqual(once);
      expect((await createPostgresStore(pool, { schema }).getUser(deactivated.id))?.value.deactivatedAt).toBe(instant(5));
    });
  });

  it("is the row update and nothing else: commit_unit() stays migration 5's", () => {
    const v6 = MIGRATIONS.find((m) => m.version === 6)?.sql('"x"') ?? "";
    expect(v6.split("\n").filter((line) => line !== "" && !line.startsWith("--"))).toEqual([
      `UPDATE "x".users SET data = '{"deactivatedAt": null}'::jsonb || data WHERE NOT data ? 'deactivatedAt';`,
    ]);
  });
});

describe("migration 7: a person's record is theirs", () => {
  const s1 = structureId("s-1");
  const HASH = "kdKxBqODuIq-P_2CIeSRbQ31lbIC5lzdFA0QOlOigdc";
  /** A pending account created for s-1, as release 6 wrote it: three e-mails, one token. */
  const pendingV6 = {
    ...fx.user("u-2", [s1]),
    status: "pendingActivation",
    createdFor: s1,
    activation: { tokenHash: HASH, issuedAt: instant(0), expiresAt: instant(60), usedAt: null },
    accountEmailsAt: [instant(0), instant(5), instant(10)],
    contactEmailChange: undefined,
    accountEmails: undefined,
  };
  /** An account registered from the public side and activated, as release 6 wrote it. */
  const activatedV6 = {
    ...fx.user("u-3"),
    activation: { tokenHash: HASH, issuedAt: instant(0), expiresAt: instant(60), usedAt: instant(30) },
    accountEmailsAt: [instant(0)],
    contactEmailChange: undefined,
    accountEmails: undefined,
  };
  /** The old shape, as JSON keeps it (no `undefined` keys). */
  const v6 = (value: object): User => JSON.parse(JSON.stringify(value)) as User;
  /** A user written in the new shape by a process of the new release before the migration. */
  const already = accountFixtures.pending("u-4", s1, [s1]);

  /** The users of seedVersion6 as migration 7 leaves them (written out, not derived). */
  const migratedUsers = [
    { value: fx.user("u-1", [s1]), version: 2 },
    {
      value: {
        ...fx.user("u-2", [s1]),
        status: "pendingActivation",
        createdFor: s1,
        activation: { tokens: [{ tokenHash: HASH, issuedAt: instant(0), expiresAt: instant(60), by: "structure:s-1" }], usedAt: null },
        accountEmails: [
          { at: instant(0), by: "structure:s-1" },
          { at: instant(5), by: "structure:s-1" },
          { at: instant(10), by: "structure:s-1" },
        ],
        contactEmailChange: null,
      } as User,
      version: 1,
    },
    {
      value: {
        ...fx.user("u-3"),
        activation: { tokens: [{ tokenHash: HASH, issuedAt: instant(0), expiresAt: instant(60), by: "public" }], usedAt: instant(30) },
        accountEmails: [{ at: instant(0), by: "public" }],
        contactEmailChange: null,
      } as User,
      version: 1,
    },
    { value: already, version: 1 },
  ];

  /**
   * Rows written through the version-6 commit_unit: users in the old shape (one moved past
   * version 1, one pending with a token and e-mails, one activated), one already in the new
   * shape; a structure, a history entry, an event and an idempotency record, which the
   * migration leaves alone.
   */
  async function seedVersion6(schema: string): Promise<void> {
    const store = createPostgresStore(pool, { schema });
    const results = [
      await store.commit({
        ...unitOf(
          { kind: "structure", value: fx.structure("s-1", "u-1"), expectedVersion: null },
          { kind: "user", value: beforeV7(fx.user("u-1")), expectedVersion: null },
          { kind: "user", value: v6(pendingV6), expectedVersion: null },
          { kind: "user", value: v6(activatedV6), expectedVersion: null },
          { kind: "user", value: already, expectedVersion: null },
        ),
        history: [fx.history("s-1", "structureCreated", 0, "u-1")],
        events: [fx.event("e-1")],
        idempotency: fx.idempotency("u-1", "k-0"),
      }),
      await store.commit(unitOf({ kind: "user", value: beforeV7(fx.user("u-1", [s1])), expectedVersion: 1 })),
    ];
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  }

  /** Migration 7's row update: one statement over several lines. */
  const reshapeOf = (s: string) => {
    const sql = MIGRATIONS.find((m) => m.version === 7)?.sql(s) ?? "";
    const start = sql.indexOf("UPDATE ");
    return sql.slice(start, sql.indexOf(";", start) + 1);
  };

  it("applies on a schema at version 6: accountEmailsAt and activation reshaped by initiator, contactEmailChange: null; every version and everything else kept", async () => {
    const schema = uniqueSchema("mig7");
    await dropping(schema, async () => {
      await atVersion(schema, 6);
      await seedVersion6(schema);
      expect(await schemaVersion(pool, { schema })).toBe(6);
      const before = await snapshotOf(pool, schema);
      expect(before.users.map((u) => [u.value.id, "accountEmailsAt" in u.value, u.version])).toEqual([
        ["u-1", true, 2],
        ["u-2", true, 1],
        ["u-3", true, 1],
        ["u-4", false, 1],
      ]);
      const columnsBefore = await searchColumnsIn(schema);
      expect(await migrate(pool, { schema })).toEqual({ from: 6, to: SCHEMA_VERSION, applied: laterThan(6) });
      expect(await snapshotOf(pool, schema)).toEqual({ ...before, users: migratedUsers });
      // The reference the other migrations' tests use says the same.
      expect(before.users.slice(0, 3).map((u) => afterV7(u.value))).toEqual(migratedUsers.slice(0, 3).map((u) => u.value));
      // The search values and attachment rows are untouched.
      expect(await searchColumnsIn(schema)).toEqual(columnsBefore);

      // Every read gives the migrated users.
      const store = createPostgresStore(pool, { schema });
      for (const row of migratedUsers) {
        expect(await store.getUser(row.value.id)).toEqual(row);
        expect(await store.findUserByLogin(row.value.login)).toEqual(row);
      }
      const ids = migratedUsers.map((row) => row.value.id);
      const byId = (rows: readonly { value: User }[]) => [...rows].sort((a, b) => (a.value.id < b.value.id ? -1 : 1));
      expect(byId(await store.getUsers(ids))).toEqual(migratedUsers);

      // The new commit_unit(): a contact address to confirm, its token in the outbox only
      // (the idempotency record keeps the event without it, as the activation e-mail's).
      const changed: User = {
        ...(migratedUsers[2]!.value as User),
        contactEmailChange: { address: "u-3@perso.example", tokenHash: HASH, requestedAt: instant(20), expiresAt: instant(20 + 7 * 24 * 60), requestedBy: userId("u-3") },
        accountEmails: [{ at: instant(0), by: "public" }, { at: instant(20), by: "self" }],
      };
      const confirmation: RecordedEvent = {
        id: "e-2",
        type: "ContactEmailConfirmationRequested",
        at: instant(20),
        userId: changed.id,
        login: changed.login,
        address: "u-3@perso.example",
        expiresAt: instant(20 + 7 * 24 * 60),
        token: "jeton-de-confirmation-secret",
      };
      const email = accountFixtures.activationEmail("e-3", migratedUsers[1]!.value as User, "jeton-d-activation-secret");
      const committed = await store.commit({
        ...unitOf({ kind: "user", value: changed, expectedVersion: 1 }),
        events: [confirmation, email],
        idempotency: fx.idempotency("u-3", "k-1"),
      });
      expect(committed).toMatchObject({ ok: true, value: { versions: [2] } });
      const { token: _c, ...confirmationWithoutToken } = confirmation as Extract<RecordedEvent, { type: "ContactEmailConfirmationRequested" }>;
      const { token: _a, ...emailWithoutToken } = email as Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;
      expect((await store.getIdempotencyRecord("u-3", "k-1"))?.events).toEqual([confirmationWithoutToken, emailWithoutToken]);
      const claimed = await store.claimOutbox({ limit: 10, now: instant(20), leaseUntil: "2026-11-27T10:00:00.000Z" as Instant });
      expect(claimed.map((m) => m.event)).toEqual([fx.event("e-1"), confirmation, email]);
      expect(await store.getUser(changed.id)).toEqual({ value: changed, version: 2 });
    });
  });

  it("is idempotent: its row update finds nothing left to reshape, and a second migrate() is a no-op", async () => {
    const schema = uniqueSchema("mig7idem");
    await dropping(schema, async () => {
      await atVersion(schema, 6);
      await seedVersion6(schema);
      await migrate(pool, { schema });
      const once = await snapshotOf(pool, schema);
      const s = `"${schema}"`;
      const reshape = reshapeOf(s);
      expect(reshape.startsWith(`UPDATE ${s}.users SET data = (data - 'accountEmailsAt') ||`)).toBe(true);
      expect(reshape.endsWith("WHERE data ? 'accountEmailsAt';")).toBe(true);
      expect((await pool.query(reshape)).rowCount).toBe(0);
      expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await snapshotOf(pool, schema)).toEqual(once);
      // A row written in the old shape after the migration (a process of the release
      // before, still running) is reshaped by the same statement, and only it; the
      // versions are left alone.
      await pool.query(`UPDATE ${s}.users SET data = $1::jsonb WHERE id = 'u-2'`, [JSON.stringify(v6(pendingV6))]);
      expect((await pool.query(reshape)).rowCount).toBe(1);
      expect(await snapshotOf(pool, schema)).toEqual(once);
    });
  });

  it("its commit_unit() is migration 5's, word for word, but the idempotency record's events, without the token of a contact confirmation either", () => {
    const v5 = MIGRATIONS.find((m) => m.version === 5)?.sql('"x"') ?? "";
    const v7 = MIGRATIONS.find((m) => m.version === 7)?.sql('"x"') ?? "";
    const fn5 = v5.slice(v5.indexOf("CREATE OR REPLACE FUNCTION"));
    const fn7 = v7.slice(v7.indexOf("CREATE OR REPLACE FUNCTION"));
    const tail = ` FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n))`;
    const activationOnly = `'events', (SELECT coalesce(jsonb_agg(CASE WHEN x ->> 'type' = 'ActivationEmailRequested' THEN x - 'token' ELSE x END ORDER BY n), '[]'::jsonb)${tail}`;
    const both = `'events', (SELECT coalesce(jsonb_agg(CASE WHEN x ->> 'type' IN ('ActivationEmailRequested', 'ContactEmailConfirmationRequested') THEN x - 'token' ELSE x END ORDER BY n), '[]'::jsonb)${tail}`;
    expect(fn5.split(activationOnly)).toHaveLength(2);
    expect(fn7.split(both)).toHaveLength(2);
    expect(fn7.replace(both, activationOnly)).toBe(fn5);
    // Before the function: the row update, and nothing else.
    const before = v7.slice(0, v7.indexOf("CREATE OR REPLACE FUNCTION")).trim();
    expect(before.split("\n").filter((line) => line !== "" && !line.startsWith("--")).join("\n")).toBe(reshapeOf('"x"'));
  });
});

describe("migration 8: the specialised commit's lock_and_check()", () => {
  it("adds the function and changes no row; a store started before it commits through commit_unit(), then through its statements once migrated", async () => {
    const schema = uniqueSchema("mig8");
    await dropping(schema, async () => {
      await atVersion(schema, 6);
      const s = `"${schema}"`;
      const found = async () => (await pool.query(`SELECT to_regproc($1) IS NOT NULL AS found`, [`${s}.lock_and_check`])).rows[0].found;
      expect(await found()).toBe(false);
      // A process of this release started before migrate(): its first commit finds no
      // lock_and_check() and goes through commit_unit(), without an error for the caller.
      const early = createPostgresStore(pool, { schema });
      const created = await early.commit(unitOf({ kind: "user", value: fx.user("u-1"), expectedVersion: null }));
      expect(created).toEqual({ ok: true, value: { history: [], versions: [1] } });
      expect(await early.commit(unitOf({ kind: "user", value: { ...fx.user("u-1"), lastName: "Lefèvre" }, expectedVersion: 1 }))).toEqual({
        ok: true,
        value: { history: [], versions: [2] },
      });
      const before = await snapshotOf(pool, schema);
      expect(await migrate(pool, { schema })).toEqual({ from: 6, to: SCHEMA_VERSION, applied: laterThan(6) });
      expect(await found()).toBe(true);
      expect(await snapshotOf(pool, schema)).toEqual(before);
      // A store created after it commits through its specialised statement, with the same answers.
      const late = createPostgresStore(pool, { schema });
      expect(await late.commit(unitOf({ kind: "user", value: { ...fx.user("u-1"), lastName: "Martin" }, expectedVersion: 1 }))).toEqual({
        ok: false,
        error: { code: "VERSION_CONFLICT", kind: "user", id: "u-1" },
      });
      expect(await late.commit(unitOf({ kind: "user", value: { ...fx.user("u-1"), lastName: "Martin" }, expectedVersion: 2 }))).toEqual({
        ok: true,
        value: { history: [], versions: [3] },
      });
    });
  });
});

// ---- Issue 21, rights with an end (migration 9 on this branch; renumbered at merge if need be).
describe("migration 9: rights with an end", () => {
  const s1 = structureId("s-1");
  /** A user as the release before wrote them: attachments and grants without validUntil nor endNotice. */
  const beforeEnds = (user: User): User =>
    ({
      ...user,
      attachments: user.attachments.map(({ validUntil: _u, endNotice: _n, ...a }) => a),
      grants: user.grants.map(({ validUntil: _u, endNotice: _n, ...g }) => g),
    }) as unknown as User;
  const granted: User = {
    ...fx.user("u-2", [s1]),
    grants: [{ structureId: s1, space: spaceCode("FACTURES_RECUES"), serviceId: null, access: "read", grantedBy: userId("u-1"), grantedAt: instant(1), validUntil: null, endNotice: null }],
  };

  it("gives the rights written before it no end, keeps every version, and indexes the ends a process writes afterwards", async () => {
    const schema = uniqueSchema("mig9");
    await dropping(schema, async () => {
      await atVersion(schema, 8);
      const early = createPostgresStore(pool, { schema });
      const seeded = await early.commit(
        unitOf(
          { kind: "user", value: beforeEnds(fx.user("u-1", [s1])), expectedVersion: null },
          { kind: "user", value: beforeEnds(granted), expectedVersion: null },
          { kind: "user", value: fx.user("u-3"), expectedVersion: null },
        ),
      );
      expect(seeded.ok).toBe(true);
      expect(await early.commit(unitOf({ kind: "user", value: beforeEnds({ ...fx.user("u-1", [s1]), lastName: "Lefèvre" }), expectedVersion: 1 }))).toMatchObject({ ok: true });
      const before = await snapshotOf(pool, schema);
      expect(await migrate(pool, { schema })).toEqual({ from: 8, to: SCHEMA_VERSION, applied: laterThan(8) });
      expect((await snapshotOf(pool, schema)).users).toEqual([
        { value: { ...fx.user("u-1", [s1]), lastName: "Lefèvre" }, version: 2 },
        { value: granted, version: 1 },
        { value: fx.user("u-3"), version: 1 },
      ]);
      expect({ ...(await snapshotOf(pool, schema)), users: before.users }).toEqual(before);
      // An end written now is found by the sweep's query, through the generated columns.
      const store = createPostgresStore(pool, { schema });
      const ending: User = { ...granted, attachments: granted.attachments.map((a) => ({ ...a, validUntil: localDate("2026-12-05") })) };
      expect(await store.commit(unitOf({ kind: "user", value: ending, expectedVersion: 1 }))).toMatchObject({ ok: true });
      const due = await store.findDueExpiries({ warnThrough: localDate("2026-12-12"), expireThrough: localDate("2026-11-27"), limit: 10 });
      expect(due).toEqual([{ value: ending, version: 2 }]);
      const columns = await pool.query(`SELECT id, end_to_warn, end_to_expire FROM "${schema}".users ORDER BY id`);
      expect(columns.rows).toEqual([
        { id: "u-1", end_to_warn: null, end_to_expire: null },
        { id: "u-2", end_to_warn: "2026-12-05", end_to_expire: null },
        { id: "u-3", end_to_warn: null, end_to_expire: null },
      ]);
    });
  });
});
