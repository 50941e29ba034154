// Everything a PostgreSQL schema holds, read back in the shape of the memory store's
// snapshot, so that tests compare the two stores the same way ("a refused command
// changes nothing", "the outbox holds exactly these events", "both stores hold the same").
import type { MemoryStoreSnapshot } from "../../src/memory/index.js";
import type { PostgresPool } from "../../src/postgres/index.js";

/** A schema name as an SQL identifier. */
const quoted = (schema: string) => `"${schema.replaceAll('"', '""')}"`;

/**
 * Reads every table of a schema in one statement (one consistent view), as a
 * {@link MemoryStoreSnapshot}: aggregates as `{ value, version }` by id, history by
 * sequence (numbered as the store numbers it), the outbox's undelivered events in
 * outbox order, idempotency records by owner then key.
 *
 * The memory store's own snapshot lists aggregates in the order they were created; pass
 * it through {@link normalizedSnapshot} to compare it with this one.
 *
 * @example
 * ```ts
 * const before = await snapshotOf(pool, schema);
 * await app.refuseAttachmentRequest(actor, { requestId, reason: "" }); // refused
 * expect(await snapshotOf(pool, schema)).toEqual(before);
 * ```
 */
export async function snapshotOf(pool: PostgresPool, schema: string): Promise<MemoryStoreSnapshot> {
  const s = quoted(schema);
  const aggregates = (table: string) =>
    `(SELECT coalesce(jsonb_agg(jsonb_build_object('value', data, 'version', version) ORDER BY id), '[]') FROM ${s}.${table})`;
  const { rows } = await pool.query<MemoryStoreSnapshot>(
    `SELECT ${aggregates("structures")} AS structures,
            ${aggregates("services")} AS services,
            ${aggregates("users")} AS users,
            ${aggregates("attachment_requests")} AS "attachmentRequests",
            ${aggregates("subscription_requests")} AS "subscriptionRequests",
            (SELECT coalesce(jsonb_agg(data || jsonb_build_object('sequence', sequence) ORDER BY sequence), '[]')
               FROM ${s}.history) AS history,
            (SELECT coalesce(jsonb_agg(event ORDER BY sequence), '[]') FROM ${s}.outbox) AS outbox,
            (SELECT coalesce(jsonb_agg(data ORDER BY owner, key), '[]') FROM ${s}.idempotency_records) AS idempotency`,
  );
  const [snapshot] = rows;
  if (snapshot === undefined) throw new Error(`could not read the schema ${schema}`);
  return snapshot;
}

/** Code-unit order, as `ORDER BY … COLLATE "C"` gives it for the ASCII ids tests use. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A snapshot in the order {@link snapshotOf} reads one: aggregates by id, history by
 * sequence, idempotency records by owner then key (the outbox keeps its order).
 *
 * @example
 * ```ts
 * expect(await snapshotOf(pool, schema)).toEqual(normalizedSnapshot(memory.snapshot()));
 * ```
 */
export function normalizedSnapshot(snapshot: MemoryStoreSnapshot): MemoryStoreSnapshot {
  const byId = <T extends { readonly value: { readonly id: string } }>(rows: readonly T[]) =>
    [...rows].sort((a, b) => byText(a.value.id, b.value.id));
  return {
    structures: byId(snapshot.structures),
    services: byId(snapshot.services),
    users: byId(snapshot.users),
    attachmentRequests: byId(snapshot.attachmentRequests),
    subscriptionRequests: byId(snapshot.subscriptionRequests),
    history: [...snapshot.history].sort((a, b) => a.sequence - b.sequence),
    outbox: [...snapshot.outbox],
    idempotency: [...snapshot.idempotency].sort((a, b) => byText(a.owner, b.owner) || byText(a.key, b.key)),
  };
}
