// A unit of work as one statement specialised to its shape (issue 20): the kinds of its
// writes, which are created, which users have attachment rows, and whether it appends
// history or events. The statement locks and checks every version first
// (`lock_and_check()`, migration 8), then writes with plain INSERTs and UPDATEs on typed
// parameters, gated on that check: no JSON walked in loops, no savepoint. Units this does
// not cover (an idempotency claim, two writes of one kind) go to `commit_unit()`, whose
// order of checks and errors they keep.
import type { CommitError, UnitOfWork, Write } from "../port/store.js";
import type { User } from "../core/model.js";
import { normalizeLogin } from "../core/users/registerUser.js";
import { searchColumnsOf } from "./search-columns.js";

/** A compiled unit: its statement (the same text for every unit of its shape) and its values. */
export interface CompiledUnit {
  readonly text: string;
  readonly values: unknown[];
  /** The version each write gets, in the unit's order. */
  readonly versions: number[];
  /** Maps a unique violation (constraint name) to the port's error, as `commit_unit()` would. */
  readonly violation: (constraint: string | undefined) => CommitError | undefined;
}

const TABLES = {
  structure: "structures",
  service: "services",
  user: "users",
  attachmentRequest: "attachment_requests",
  subscriptionRequest: "subscription_requests",
} as const;

/**
 * Code-point order of two strings, as PostgreSQL's `COLLATE "C"` compares them (UTF-8 bytes).
 *
 * @example
 * ```ts
 * codePointOrder("\u{1F600}", "\uFFFD") > 0; // true, where "\u{1F600}" < "\uFFFD" in UTF-16
 * ```
 */
export function codePointOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Whether the store runs this unit as a specialised statement: no idempotency claim, at
 * most one write per kind (so that a unique violation names its write, and no key moves
 * between two writes of one statement).
 *
 * @example
 * ```ts
 * specialisable({ writes: [requestWrite, userWrite], reads, history, events }); // true
 * specialisable({ ...unit, idempotency: claim }); // false: commit_unit() claims the key first
 * ```
 */
export function specialisable(unit: UnitOfWork): boolean {
  if (unit.idempotency !== undefined && unit.idempotency !== null) return false;
  const kinds = new Set<string>();
  for (const w of unit.writes) {
    if (!(w.kind in TABLES) || kinds.has(w.kind)) return false;
    kinds.add(w.kind);
  }
  for (const r of unit.reads) if (!(r.kind in TABLES)) return false;
  return true;
}

/**
 * The statement and values of a unit {@link specialisable} accepts, for schema `s`
 * (quoted). The text depends only on the unit's shape, so the store prepares it once per
 * connection and shape.
 *
 * @example
 * ```ts
 * const { text, values, versions } = compileUnit('"habilitations"', unit);
 * await pool.query({ name: nameOf(text), text, values }); // versions: [2, 4] for writes read at 1 and 3
 * ```
 */
export function compileUnit(s: string, unit: UnitOfWork): CompiledUnit {
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => `$${values.push(value)}::${type}`;

  // 1. What to lock, in (kind, id) code-point order, and what to check, in commit_unit()'s order.
  const locks = new Map<string, { kind: string; id: string; written: boolean }>();
  const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;
  for (const w of unit.writes) locks.set(keyOf(w.kind, w.value.id), { kind: w.kind, id: w.value.id, written: true });
  for (const r of unit.reads) if (!locks.has(keyOf(r.kind, r.id))) locks.set(keyOf(r.kind, r.id), { kind: r.kind, id: r.id, written: false });
  const ordered = [...locks.values()].sort((a, b) => codePointOrder(a.kind, b.kind) || codePointOrder(a.id, b.id));
  const position = new Map(ordered.map((l, i) => [keyOf(l.kind, l.id), i + 1]));
  const checkAt: number[] = [];
  const checkExpected: (number | null)[] = [];
  const writeOf = new Map(unit.writes.map((w) => [keyOf(w.kind, w.value.id), w]));
  for (const r of unit.reads) {
    const w = writeOf.get(keyOf(r.kind, r.id));
    checkAt.push(position.get(keyOf(r.kind, r.id)) as number);
    // A write naming another version than the read: a conflict at this read, whatever is stored.
    checkExpected.push(w !== undefined && w.expectedVersion !== r.version ? -1 : r.version);
  }
  for (const w of unit.writes) {
    checkAt.push(position.get(keyOf(w.kind, w.value.id)) as number);
    checkExpected.push(w.expectedVersion);
  }
  const ctes: string[] = [
    `checked AS MATERIALIZED (SELECT ${s}.lock_and_check(${param(ordered.map((l) => l.kind), "text[]")}, ${param(
      ordered.map((l) => l.id),
      "text[]",
    )}, ${param(ordered.map((l) => l.written), "boolean[]")}, ${param(checkAt, "integer[]")}, ${param(checkExpected, "integer[]")}) AS ok)`,
  ];
  const gate = "(SELECT ok FROM checked)";

  // 2. The writes, each one statement on typed values.
  const versions: number[] = [];
  unit.writes.forEach((w, i) => {
    const creating = w.expectedVersion === null;
    const version = creating ? 1 : (w.expectedVersion as number) + 1;
    versions.push(version);
    const table = `${s}.${TABLES[w.kind]}`;
    const data = param(JSON.stringify(w.value), "jsonb");
    let idParam: string | undefined;
    const id = () => (idParam ??= param(w.value.id, "text"));
    const extra: [string, string][] = [];
    if (w.kind === "service") extra.push(["code_key", param(w.value.code.toLowerCase(), "text")]);
    let search: ReturnType<typeof searchColumnsOf> | undefined;
    if (w.kind === "user") {
      search = searchColumnsOf(w.value);
      extra.push(
        ["login_key", param(normalizeLogin(w.value.login), "text")],
        ["search_key", param(search.searchKey, "text")],
        ["search_last", param(search.searchLast, "text")],
        ["search_first", param(search.searchFirst, "text")],
        ["search_login", param(search.searchLogin, "text")],
      );
    }
    if (creating)
      ctes.push(
        `w${i} AS (INSERT INTO ${table} (data, version${extra.map(([c]) => `, ${c}`).join("")})
          SELECT ${data}, 1${extra.map(([, v]) => `, ${v}`).join("")} WHERE ${gate} RETURNING 1)`,
      );
    else
      ctes.push(
        `w${i} AS (UPDATE ${table} SET data = ${data}, version = ${param(version, "integer")}${extra.map(([c, v]) => `, ${c} = ${v}`).join("")}
          WHERE id = ${id()} AND ${gate} RETURNING 1)`,
      );
    if (w.kind === "user") attachmentRows(w.value, i, creating, id, (search as ReturnType<typeof searchColumnsOf>).searchKey);
  });

  /** A user's attachment rows: those it left deleted, the others written where they differ. */
  function attachmentRows(user: User, i: number, creating: boolean, id: () => string, searchKey: string) {
    const seen = new Set<string>();
    const rows = user.attachments.filter((a) => !seen.has(a.structureId) && seen.add(a.structureId) !== undefined);
    if (creating && rows.length === 0) return;
    const structures = param(
      rows.map((a) => a.structureId),
      "text[]",
    );
    if (!creating)
      ctes.push(`d${i} AS (DELETE FROM ${s}.attachments WHERE user_id = ${id()} AND structure_id <> ALL(${structures}) AND ${gate} RETURNING 1)`);
    if (rows.length === 0) return;
    ctes.push(
      `a${i} AS (INSERT INTO ${s}.attachments AS a (structure_id, user_id, role, valid_from, scope, search_key)
        SELECT x.structure_id, ${id()}, x.role, x.valid_from, x.scope, ${param(searchKey, "text")}
        FROM unnest(${structures}, ${param(
          rows.map((a) => a.role),
          "text[]",
        )}, ${param(
          rows.map((a) => a.validFrom),
          "text[]",
        )}, ${param(
          rows.map((a) => JSON.stringify(a.scope)),
          "jsonb[]",
        )}) AS x(structure_id, role, valid_from, scope)
        WHERE ${gate}
        ON CONFLICT (structure_id, user_id) DO UPDATE
          SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope, search_key = excluded.search_key
          WHERE (a.role, a.valid_from, a.scope, a.search_key)
            IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope, excluded.search_key)
        RETURNING 1)`,
    );
  }

  // 3. History (one identity value per entry, in the unit's order) and events, once every
  // write is done: the main query reads `h` first, so without this a unique violation in a
  // write would abort the statement after the history took its numbers (a gap that
  // commit_unit(), which appends after its writes, never leaves). Reading each write's
  // RETURNING runs it to completion, in the unit's order.
  const written = ctes.slice(1).map((cte) => `(SELECT count(*) FROM ${cte.slice(0, cte.indexOf(" AS ("))})`);
  ctes.push(`done AS MATERIALIZED (SELECT ${written.length === 0 ? "0" : written.join(" + ")} AS n)`);
  const after = `${gate} AND (SELECT n FROM done) >= 0`;
  const history = unit.history ?? [];
  const events = unit.events ?? [];
  /** Appends JSON values to a table in the unit's order (identity values follow it). */
  const appended = (table: string, column: string, items: readonly unknown[]) =>
    `INSERT INTO ${s}.${table} (${column})
        SELECT x FROM unnest(${param(
          items.map((x) => JSON.stringify(x)),
          "jsonb[]",
        )}) WITH ORDINALITY AS e(x, n) WHERE ${after} ORDER BY n`;
  if (history.length > 0) ctes.push(`h AS (${appended("history", "data", history)} RETURNING sequence)`);
  if (events.length > 0) ctes.push(`e AS (${appended("outbox", "event", events)} ON CONFLICT (event_id) DO NOTHING)`);
  const sequences = history.length > 0 ? "(SELECT array_agg(sequence ORDER BY sequence) FROM h)" : "'{}'::bigint[]";
  const text = `WITH ${ctes.join(",\n")}\nSELECT ${sequences} AS sequences, ${gate} AS ok`;

  const byKind = (kind: Write["kind"]) => unit.writes.find((w) => w.kind === kind);
  function violation(constraint: string | undefined): CommitError | undefined {
    const user = byKind("user");
    const request = byKind("attachmentRequest");
    const service = byKind("service");
    if (constraint === "users_login_key" && user?.kind === "user") return { code: "LOGIN_TAKEN", login: user.value.login };
    if (constraint === "attachment_requests_one_pending" && request?.kind === "attachmentRequest")
      return { code: "PENDING_REQUEST_EXISTS", userId: request.value.userId, structureId: request.value.structureId };
    if (constraint === "services_code_key" && service?.kind === "service")
      return { code: "SERVICE_CODE_TAKEN", structureId: service.value.structureId, serviceCode: service.value.code };
    for (const [kind, table] of Object.entries(TABLES)) {
      const w = byKind(kind as Write["kind"]);
      // Created meanwhile by a concurrent unit.
      if (constraint === `${table}_pkey` && w !== undefined) return { code: "VERSION_CONFLICT", kind: w.kind, id: w.value.id };
    }
    return undefined;
  }
  return { text, values, versions, violation };
}
