// Seeds a habilitations schema at national scale with COPY (issue 20): users, structures,
// services, memberships, grants, pending requests and history, production-like (random
// ids and names, skewed structure sizes, a history over five years), through the built
// package's public entries. Used by bench/postgres-scale.ts; alone:
//
//   DATABASE_URL=postgres://… npm run bench:seed -- --users=1000000 --structures=100000 --history=10000000 --schema=national
//
// Secondary indexes and keys are dropped during the load and built again after it
// (sorted builds, not ten million random inserts), then the tables are analysed.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type HistoryKind, type User } from "habilitations";
import { migrate, userRowColumns } from "habilitations/postgres";
import { contractFixtures as fx } from "habilitations/testing";

/** How much to seed. */
export interface SeedSizes {
  readonly users: number;
  readonly structures: number;
  readonly history: number;
}

/** The names the bench uses to reach the seeded data. */
export interface Seeded {
  /** Primary manager of the three searched structures (1 000 members each, whatever the size). */
  readonly manager: string;
  readonly searched: readonly [string, string, string];
  /** A service of the first searched structure. */
  readonly service: string;
  /** Primary manager of `all`, the structure every user is attached to (the export's). */
  readonly exporter: string;
  readonly all: string;
  /** Members of the first searched structure with grants, for `mayAccess`. */
  readonly granted: readonly string[];
  readonly seconds: number;
}

const LAST = ["Lefèvre", "Lefebvre", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "N'Diaye", "Œuvray"];
const FIRST = ["Élodie", "Hugo", "Léa", "Lucas", "Chloé", "Louis", "Emma", "Gabriel", "Manon", "Jules", "Camille", "Arthur", "Inès", "Raphaël", "Sarah", "Adam", "Jade", "Paul", "Louise", "Nathan", "Zoé", "Théo", "Alice", "Tom", "Lina", "Noah", "Juliette", "Ethan", "Anna", "Maël", "Jean-Pierre", "Marie-Hélène"];
const KINDS: readonly [HistoryKind, number][] = [
  ["userAttached", 0.55],
  ["attachmentRequestValidated", 0.2],
  ["attachmentRequestRefused", 0.05],
  ["roleChanged", 0.1],
  ["attachmentRemoved", 0.05],
  ["serviceRenamed", 0.05],
];
const SPACES = ["FACTURES_EMISES", "FACTURES_RECUES", "FACTURES_A_VALIDER"];
/** History from this instant, one entry every few seconds on average over five years. */
const T0 = Date.UTC(2022, 0, 1);
const SPAN = 5 * 365 * 86_400_000;
const SEARCHED_MEMBERS = 1000;

/** A small, fast, seeded PRNG (mulberry32): the same data for the same sizes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value in COPY's text format. */
const cell = (value: string | number | null): string =>
  value === null ? "\\N" : String(value).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));

/** Streams rows into `COPY table (columns) FROM STDIN`, about 1 MiB a write, waiting when the socket is full. */
async function copyInto(client: pg.PoolClient, table: string, columns: string, rows: Iterable<readonly (string | number | null)[]>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  let chunk = "";
  let count = 0;
  for (const row of rows) {
    chunk += `${row.map(cell).join("\t")}\n`;
    count++;
    if (chunk.length >= 1 << 20) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
      chunk = "";
    }
  }
  stream.end(chunk);
  await done;
  return count;
}

/**
 * Creates (or empties) `schema`, migrates it, and loads the sizes given. Deterministic:
 * the same sizes give the same data.
 */
export async function seedNational(pool: pg.Pool, schema: string, sizes: SeedSizes, log: (line: string) => void = () => undefined): Promise<Seeded> {
  const started = performance.now();
  const s = `"${schema}"`;
  await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await migrate(pool, { schema });
  const random = prng(sizes.users * 31 + sizes.structures);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const tail = () => Math.floor(random() * 36 ** 6).toString(36).padStart(6, "0");

  const S = Math.max(sizes.structures, 4);
  const structureIds = Array.from({ length: S }, (_, k) => `s-${tail()}-${k}`);
  const searched = [structureIds[0], structureIds[1], structureIds[2]] as [string, string, string];
  const all = "s-national";
  const manager = "u-manager";
  const exporter = "u-exporter";
  /** Skewed: a few large structures, many small ones (the searched three excepted). */
  const homeOf = (i: number) => (i < 3 * SEARCHED_MEMBERS ? Math.floor(i / SEARCHED_MEMBERS) : 3 + Math.floor((S - 3) * random() ** 3));
  const userIds: string[] = [];
  const granted: string[] = [];

  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query("SET synchronous_commit = off");
    // Keys and indexes dropped for the load, built again after it.
    const { rows: indexes } = await client.query<{ table: string; name: string; def: string; constraint: boolean }>(
      `SELECT c.relname AS table, i.relname AS name,
              coalesce((SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conindid = i.oid), pg_get_indexdef(i.oid)) AS def,
              EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.oid) AS constraint
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname IN ('users', 'attachments', 'structures', 'services', 'attachment_requests', 'history')
         AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.oid)`,
      [schema],
    );
    await client.query(`ALTER TABLE ${s}.attachments DROP CONSTRAINT IF EXISTS attachments_user_id_fkey`);
    for (const index of indexes)
      await client.query(index.constraint ? `ALTER TABLE ${s}.${index.table} DROP CONSTRAINT ${index.name}` : `DROP INDEX ${s}.${index.name}`);

    // Users, their memberships and grants.
    function* users(): Generator<(string | number | null)[]> {
      const specials: [string, string[]][] = [
        [manager, searched],
        [exporter, [all]],
      ];
      for (let i = 0; i < sizes.users + specials.length; i++) {
        const special = i >= sizes.users ? specials[i - sizes.users] : undefined;
        const id = special?.[0] ?? `u-${tail()}-${i}`;
        const home = special === undefined ? structureIds[homeOf(i)] as string : undefined;
        const attachedTo = special?.[1] ?? [home as string, all];
        const base = fx.user(id, attachedTo as never, `${id}@${pick(["mairie", "impots", "ars", "cnam", "univ"])}.example.fr`);
        const lastName = random() < 0.15 ? `${pick(LAST)}-${pick(LAST)}` : pick(LAST);
        const user: User = {
          ...base,
          lastName,
          firstName: pick(FIRST),
          status: special === undefined && random() < 0.1 ? "pendingActivation" : "active",
          attachments: base.attachments.map((a) =>
            a.structureId === searched[0] && i % 2 === 1
              ? { ...a, scope: { kind: "services" as const, serviceIds: [`svc-${searched[0]}-a`] as never } }
              : a,
          ),
          grants:
            special === undefined && home !== undefined
              ? [{ structureId: home as never, space: pick(SPACES) as never, serviceId: null, access: "read" as const, grantedBy: manager as never, grantedAt: base.createdAt, validUntil: null, endNotice: null }]
              : [],
        };
        if (special === undefined) userIds.push(id);
        if (home === searched[0] && granted.length < 200) granted.push(id);
        const columns = userRowColumns(user);
        yield [JSON.stringify(user), 1, columns.loginKey, columns.searchKey, columns.searchLast, columns.searchFirst, columns.searchLogin];
        for (const a of user.attachments) pendingAttachments.push([a.structureId, id, a.role, a.validFrom, JSON.stringify(a.scope), columns.searchKey]);
        if (pendingAttachments.length >= 10_000) flushAttachments.push(pendingAttachments.splice(0));
      }
    }
    // Attachment rows are gathered while users are generated, then copied.
    let pendingAttachments: (string | number | null)[][] = [];
    const flushAttachments: (string | number | null)[][][] = [];
    const n = await copyInto(client, `${s}.users`, "data, version, login_key, search_key, search_last, search_first, search_login", users());
    log(`users ${n}`);
    const attachmentRows = function* () {
      for (const batch of flushAttachments) yield* batch;
      yield* pendingAttachments;
    };
    log(`attachments ${await copyInto(client, `${s}.attachments`, "structure_id, user_id, role, valid_from, scope, search_key", attachmentRows())}`);
    flushAttachments.length = 0;
    pendingAttachments = [];

    // Structures (every one with spaces opened) and two services each.
    const primaryOf = (k: number) => (k < 3 ? manager : (userIds[Math.floor(random() * userIds.length)] ?? manager));
    function* structures() {
      for (let k = 0; k < S; k++)
        yield [JSON.stringify({ ...fx.structure(structureIds[k] as string, primaryOf(k)), designation: `Structure ${k}`, openSpaces: SPACES }), 1];
      yield [JSON.stringify({ ...fx.structure(all, exporter), designation: "Administration nationale", openSpaces: SPACES }), 1];
    }
    log(`structures ${await copyInto(client, `${s}.structures`, "data, version", structures())}`);
    function* services() {
      for (const id of [...structureIds, all])
        for (const code of ["a", "b"]) {
          const service = { ...fx.service(`svc-${id}-${code}`, id, code.toUpperCase()), openSpaces: SPACES };
          yield [JSON.stringify(service), 1, code];
        }
    }
    log(`services ${await copyInto(client, `${s}.services`, "data, version, code_key", services())}`);

    // Pending requests: one per ten users, in skewed structures; the first searched one has 500.
    function* requests() {
      // Each user asks once at most: one pending request per user and structure.
      const count = Math.min(Math.max(Math.floor(sizes.users / 10), 600), userIds.length);
      for (let i = 0; i < count; i++) {
        const structure = i < 500 ? searched[0] : (structureIds[3 + Math.floor((S - 3) * random() ** 3)] as string);
        const request = { ...fx.pendingRequest(`r-${tail()}-${i}`, userIds[i] as string, structure, i % 100_000) };
        yield [JSON.stringify(request), 1];
      }
    }
    log(`requests ${await copyInto(client, `${s}.attachment_requests`, "data, version", requests())}`);

    // History: in time order (the global sequence follows time), skewed over structures.
    function* history() {
      for (let i = 0; i < sizes.history; i++) {
        const r = random();
        let acc = 0;
        let kind: HistoryKind = "userAttached";
        for (const [k, p] of KINDS) if (r < (acc += p)) { kind = k; break; }
        const structure = structureIds[Math.floor(S * random() ** 3)] as string;
        const at = new Date(T0 + Math.floor((i / sizes.history) * SPAN)).toISOString();
        const target = kind === "serviceRenamed" ? null : (userIds[Math.floor(random() * userIds.length)] as string);
        yield [JSON.stringify({ ...fx.history(structure, kind, 0, target), at, actorId: manager })];
      }
    }
    log(`history ${await copyInto(client, `${s}.history`, "data", history())}`);

    for (const index of indexes) {
      const t0 = performance.now();
      await client.query(index.constraint ? `ALTER TABLE ${s}.${index.table} ADD CONSTRAINT ${index.name} ${index.def}` : index.def);
      log(`index ${index.name} ${Math.round(performance.now() - t0)} ms`);
    }
    await client.query(`ALTER TABLE ${s}.attachments ADD CONSTRAINT attachments_user_id_fkey FOREIGN KEY (user_id) REFERENCES ${s}.users (id) ON DELETE CASCADE`);
    await client.query(`VACUUM ANALYZE ${s}.users, ${s}.attachments, ${s}.structures, ${s}.services, ${s}.attachment_requests, ${s}.history`);
  } finally {
    client.release();
  }
  return { manager, searched, service: `svc-${searched[0]}-a`, exporter, all, granted, seconds: (performance.now() - started) / 1000 };
}

// `npm run bench:seed -- --users=… --structures=… --history=… --schema=…` on DATABASE_URL.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  const schema = process.argv.find((a) => a.startsWith("--schema="))?.split("=")[1] ?? "national";
  const url = process.env["DATABASE_URL"];
  if (url === undefined) throw new Error("Set DATABASE_URL to the server to seed.");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    const seeded = await seedNational(pool, schema, { users: arg("users", 1_000_000), structures: arg("structures", 100_000), history: arg("history", 10_000_000) }, console.log);
    console.log(`seeded ${schema} in ${seeded.seconds.toFixed(0)} s`);
  } finally {
    await pool.end();
  }
}
