// The database itself keeps the rules, also against SQL that does not go through the store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { structureId, userId, type User } from "../../src/core/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { contractFixtures as fx } from "../../src/testing/fixtures.js";
import { createPool, freshStore } from "./helpers.js";

const pool = createPool();
let store: HabilitationsStore;
let schema: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ store, schema, drop } = await freshStore(pool, "constraints"));
});
afterAll(async () => {
  await drop();
  await pool.end();
});

const sql = (text: string, values: unknown[] = []) => pool.query(text.replaceAll("@s", `"${schema}"`), values);
const json = (value: unknown) => JSON.stringify(value);
/** The SQLSTATE and constraint of the error a statement fails with. */
async function failure(text: string, values: unknown[] = []) {
  try {
    await sql(text, values);
  } catch (error) {
    const e = error as { code?: string; constraint?: string };
    return { code: e.code, constraint: e.constraint };
  }
  throw new Error("the statement succeeded");
}
const attachmentRows = async (user: string) =>
  (await sql("SELECT structure_id, role, valid_from, scope FROM @s.attachments WHERE user_id = $1 ORDER BY structure_id", [user])).rows;

describe("constraints against direct SQL", () => {
  it("two pending requests of one user for one structure cannot both be inserted", async () => {
    const insert = "INSERT INTO @s.attachment_requests (data, version) VALUES ($1, 1)";
    await sql(insert, [json(fx.pendingRequest("r-sql-1", "u-sql", "s-sql"))]);
    expect(await failure(insert, [json(fx.pendingRequest("r-sql-2", "u-sql", "s-sql"))])).toEqual({
      code: "23505",
      constraint: "attachment_requests_one_pending",
    });
    // A decided request does not hold the key.
    await sql(insert, [json({ ...fx.pendingRequest("r-sql-3", "u-sql", "s-sql"), status: "refused" })]);
    // Nor does switching one back to pending get around it.
    expect(
      await failure(`UPDATE @s.attachment_requests SET data = jsonb_set(data, '{status}', '"pending"') WHERE id = 'r-sql-3'`),
    ).toEqual({ code: "23505", constraint: "attachment_requests_one_pending" });
  });

  it("one account per login key, one service code key per structure", async () => {
    const user = "INSERT INTO @s.users (data, version, login_key) VALUES ($1, 1, $2)";
    await sql(user, [json(fx.user("u-sql-1")), "same@example.fr"]);
    expect(await failure(user, [json(fx.user("u-sql-2")), "same@example.fr"])).toEqual({ code: "23505", constraint: "users_login_key" });
    const service = "INSERT INTO @s.services (data, version, code_key) VALUES ($1, 1, $2)";
    await sql(service, [json(fx.service("svc-sql-1", "s-sql", "COMPTA")), "compta"]);
    await sql(service, [json(fx.service("svc-sql-2", "s-sql-other", "COMPTA")), "compta"]);
    expect(await failure(service, [json(fx.service("svc-sql-3", "s-sql", "compta")), "compta"])).toEqual({
      code: "23505",
      constraint: "services_code_key",
    });
  });

  it("a structure has a primary manager; versions are positive; keys follow the JSON", async () => {
    const { primaryManagerId: _, ...headless } = fx.structure("s-sql-headless");
    expect((await failure("INSERT INTO @s.structures (data, version) VALUES ($1, 1)", [json(headless)])).code).toBe("23502");
    expect((await failure("INSERT INTO @s.structures (data, version) VALUES ($1, 0)", [json(fx.structure("s-sql-0"))])).code).toBe("23514");
    // Key columns are generated from the JSON: they cannot be set apart from it.
    expect(
      (await failure("INSERT INTO @s.structures (data, version, id) VALUES ($1, 1, 'other')", [json(fx.structure("s-sql-id"))])).code,
    ).toBe("428C9");
    await sql("INSERT INTO @s.structures (data, version) VALUES ($1, 1)", [json(fx.structure("s-sql-ok", "u-9"))]);
    expect((await sql("SELECT id, primary_manager_id FROM @s.structures WHERE id = 's-sql-ok'")).rows).toEqual([
      { id: "s-sql-ok", primary_manager_id: "u-9" },
    ]);
  });

  it("a subscription request row has its structure, user, status and date; its key columns follow the JSON; no key per user and structure", async () => {
    const insert = "INSERT INTO @s.subscription_requests (data, version) VALUES ($1, $2)";
    for (const field of ["structureId", "userId", "status", "createdAt"] as const) {
      const { [field]: _, ...partial } = fx.pendingSubscription(`sub-sql-no-${field}`, "u-sql", "s-sql");
      expect((await failure(insert, [json(partial), 1])).code, field).toBe("23502");
    }
    expect((await failure(insert, [json(fx.pendingSubscription("sub-sql-0", "u-sql", "s-sql")), 0])).code).toBe("23514");
    await sql(insert, [json(fx.pendingSubscription("sub-sql-1", "u-sql", "s-sql", 1)), 1]);
    expect(await failure(insert, [json(fx.pendingSubscription("sub-sql-1", "u-other", "s-other")), 1])).toEqual({
      code: "23505",
      constraint: "subscription_requests_pkey",
    });
    // The port names no unique key for subscription requests: two pending ones of one user and structure coexist.
    await sql(insert, [json(fx.pendingSubscription("sub-sql-2", "u-sql", "s-sql", 0)), 1]);
    await sql(`UPDATE @s.subscription_requests SET data = jsonb_set(data, '{status}', '"refused"') WHERE id = 'sub-sql-2'`);
    expect(
      (await sql("SELECT id, structure_id, user_id, status, created_at FROM @s.subscription_requests WHERE user_id = 'u-sql' ORDER BY id")).rows,
    ).toEqual([
      { id: "sub-sql-1", structure_id: "s-sql", user_id: "u-sql", status: "pending", created_at: fx.pendingSubscription("x", "u", "s", 1).createdAt },
      { id: "sub-sql-2", structure_id: "s-sql", user_id: "u-sql", status: "refused", created_at: fx.pendingSubscription("x", "u", "s", 0).createdAt },
    ]);
  });

  it("an attachment row belongs to an existing user, and goes with it", async () => {
    expect(
      await failure(
        `INSERT INTO @s.attachments (structure_id, user_id, role, valid_from, scope) VALUES ('s-1', 'u-ghost', 'user', '2026-11-27', '{"kind":"structure"}')`,
      ),
    ).toEqual({ code: "23503", constraint: "attachments_user_id_fkey" });
    await store.commit({ writes: [{ kind: "user", value: fx.user("u-gone", [structureId("s-a")]), expectedVersion: null }], reads: [], history: [], events: [] });
    expect(await attachmentRows("u-gone")).toHaveLength(1);
    await sql("DELETE FROM @s.users WHERE id = 'u-gone'");
    expect(await attachmentRows("u-gone")).toEqual([]);
  });

  it("attachment rows follow the user's attachments at every write", async () => {
    const [a, b, c] = [structureId("s-a"), structureId("s-b"), structureId("s-c")];
    const v1 = fx.user("u-att", [a, b]);
    const commit = async (value: User, expectedVersion: number | null) => {
      const result = await store.commit({ writes: [{ kind: "user", value, expectedVersion }], reads: [], history: [], events: [] });
      expect(result.ok).toBe(true);
    };
    await commit(v1, null);
    expect((await attachmentRows("u-att")).map((r) => [r.structure_id, r.role])).toEqual([["s-a", "user"], ["s-b", "user"]]);
    const promoted = v1.attachments.map((x) =>
      x.structureId === b ? { ...x, role: "secondaryManager" as const, scope: { kind: "services" as const, serviceIds: [] } } : x,
    );
    const v2: User = { ...v1, attachments: [...promoted.filter((x) => x.structureId !== a), { ...(v1.attachments[0] as User["attachments"][number]), structureId: c }] };
    await commit(v2, 1);
    expect(await attachmentRows("u-att")).toEqual([
      { structure_id: "s-b", role: "secondaryManager", valid_from: "2026-11-27", scope: { kind: "services", serviceIds: [] } },
      { structure_id: "s-c", role: "user", valid_from: "2026-11-27", scope: { kind: "structure" } },
    ]);
    await commit({ ...v2, attachments: [] }, 2);
    expect(await attachmentRows("u-att")).toEqual([]);
    expect(await store.listMembers(b, { limit: 10 })).toEqual([]);
    expect((await store.getUser(userId("u-att")))?.version).toBe(3);
  });
});
