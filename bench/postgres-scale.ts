// PostgreSQL at national scale (issue 20, SPEC §6 « at 1 000 000 users vs 10 000 the reads
// stay flat »): two schemas seeded by bench/seed-postgres.ts, one 100 times the other
// (1 000 000 users, 100 000 structures, 10 000 000 history entries against 10 000 / 1 000 /
// 100 000; a quick run: 30 000 users against 3 000), the same reads through the application on
// each, side by side, and every statement those reads send checked with EXPLAIN ANALYZE on
// the large one: no sequential scan, a bounded number of rows. Then the CSV export of every
// user of the large one, streamed, against a hand-written `COPY … TO STDOUT` of the same
// columns in the same order, with the heap held measured every 100 000 rows.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { createHabilitations, type Habilitations, type ReadHistoryInput, type SearchUsersInput } from "habilitations";
import { createPostgresStore, type PostgresPool, type PostgresQuery } from "habilitations/postgres";
import { seedNational, type Seeded, type SeedSizes } from "./seed-postgres.js";

/** One figure of the bench (the shape bench/run.ts prints). */
export interface ScaleFigure {
  readonly name: string;
  readonly layer: string;
  readonly ratioOf: string;
  readonly ratio: number;
  readonly target: number;
  readonly atLeast?: boolean;
  readonly stretch?: number;
  readonly details: Record<string, number | string>;
}

const NOW = new Date("2026-12-01T09:00:00.000Z");
/** The item at `i`, cycling (the lists are never empty). */
const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** What a plan reads: sequential scans by table, and the rows its scans produced or removed. */
function planCost(node: PlanNode, acc = { seqScans: [] as string[], rows: 0 }) {
  if (node["Node Type"] === "Seq Scan" && node["Relation Name"] !== undefined) acc.seqScans.push(node["Relation Name"]);
  if (/Scan/.test(node["Node Type"]))
    acc.rows += (node["Actual Rows"] + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0)) * node["Actual Loops"];
  for (const child of node.Plans ?? []) planCost(child, acc);
  return acc;
}

/** A pool that notes the statements sent while `capturing` is on. */
function capturingPool(pool: pg.Pool) {
  const sent: { text: string; values: unknown[] }[] = [];
  let capturing = false;
  const wrapped: PostgresPool = {
    query: ((statement: string | PostgresQuery, values?: unknown[]) => {
      if (capturing) sent.push(typeof statement === "string" ? { text: statement, values: values ?? [] } : { text: statement.text, values: statement.values });
      return typeof statement === "string" ? pool.query(statement, values) : pool.query({ ...statement });
    }) as PostgresPool["query"],
    connect: () => pool.connect(),
  };
  return {
    pool: wrapped,
    async capture(run: () => Promise<unknown>) {
      sent.length = 0;
      capturing = true;
      try {
        await run();
      } finally {
        capturing = false;
      }
      return [...sent];
    },
  };
}

export async function scaleFigures(pool: pg.Pool, options: { quick: boolean; rounds: number; log: (line: string) => void }): Promise<ScaleFigure[]> {
  // The quick run compares 30 000 users with 3 000 (10×), so that the small one still holds the three searched structures of 1 000.
  const factor = options.quick ? 10 : 100;
  const big: SeedSizes = options.quick ? { users: 30_000, structures: 3_000, history: 300_000 } : { users: 1_000_000, structures: 100_000, history: 10_000_000 };
  const small: SeedSizes = { users: big.users / factor, structures: big.structures / factor, history: big.history / factor };
  const schemas = { big: `scale_big_${process.pid}`, small: `scale_small_${process.pid}` };
  try {
    const seeded: Record<"big" | "small", Seeded> = {
      small: await seedNational(pool, schemas.small, small, (l) => options.log(`  small: ${l}`)),
      big: await seedNational(pool, schemas.big, big, (l) => options.log(`  large: ${l}`)),
    };
    options.log(`  seeded with COPY: ${Math.round(seeded.small.seconds)} s (small), ${Math.round(seeded.big.seconds)} s (large)`);
    const sides = (["big", "small"] as const).map((side) => {
      const capturing = capturingPool(pool);
      const app = createHabilitations({ store: createPostgresStore(capturing.pool, { schema: schemas[side] }), clock: () => new Date(NOW) });
      return { side, app, capturing, seeded: seeded[side] };
    });

    /** The reads compared: each through the application, as a manager would send them. */
    type Read = (app: Habilitations, d: Seeded, i: number) => Promise<unknown>;
    const must = async (p: Promise<{ ok: boolean; error?: unknown }>) => {
      const r = await p;
      if (!r.ok) throw new Error(`bench read refused: ${JSON.stringify(r.error)}`);
      return r;
    };
    const searches = (d: Seeded): NonNullable<SearchUsersInput["criteria"]>[] => [
      { lastName: "lef" },
      { firstName: "elodie" },
      { status: "pendingActivation" },
      { serviceId: d.service },
      { lastName: "mar", status: "active" },
    ];
    const month = (i: number) => {
      const from = new Date(Date.UTC(2023, i % 36, 1));
      return { from: from.toISOString(), to: new Date(Date.UTC(2023, (i % 36) + 1, 1)).toISOString() };
    };
    const reads: [string, Read][] = [
      ["search mix (3 × 1 000 members)", (app, d, i) => must(app.searchUsers(d.manager, { criteria: at(searches(d), i), limit: 20 }))],
      [
        "history page (newest, by kind, by target user, by month)",
        (app, d, i) => {
          const base = { structureId: at(d.searched, 0), limit: 20 };
          const queries: ReadHistoryInput[] = [base, { ...base, kinds: ["attachmentRequestRefused", "roleChanged"] }, { ...base, targetUserId: at(d.granted, i) }, { ...base, ...month(i) }];
          return must(app.readHistory(d.manager, at(queries, i)));
        },
      ],
      ["members page (a structure of 1 000; the structure of every user)", (app, d, i) =>
        i % 2 === 0 ? must(app.listMembers(d.manager, { structureId: at(d.searched, 0), limit: 20 })) : must(app.listMembers(d.exporter, { structureId: d.all, limit: 20 }))],
      ["pending requests page", (app, d) => must(app.listPendingAttachmentRequests(d.manager, { limit: 20 }))],
      ["mayAccess", (app, d, i) =>
        must(app.mayAccess({ userId: at(d.granted, i), structureId: at(d.searched, 0), space: "FACTURES_RECUES", serviceId: null, access: "read" }))],
    ];

    const figures: ScaleFigure[] = [];
    const iterations = options.quick ? 40 : 200;
    for (const [name, read] of reads) {
      // Warm-up on both, then rounds alternating which side goes first; per round the median latency.
      for (const side of sides) for (let i = 0; i < iterations; i++) await read(side.app, side.seeded, i);
      const per = { big: [] as number[], small: [] as number[] };
      for (let round = 0; round < options.rounds; round++)
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          const times: number[] = [];
          for (let i = 0; i < iterations; i++) {
            const t0 = performance.now();
            await read(side.app, side.seeded, i);
            times.push(performance.now() - t0);
          }
          per[side.side].push(median(times) * 1000);
        }
      const ratios = per.big.map((b, i) => b / (per.small[i] as number));
      // Every statement these reads send, explained on the large schema.
      const large = sides[0] as (typeof sides)[number];
      let seqScans: string[] = [];
      let maxRows = 0;
      let statements = 0;
      for (let i = 0; i < 8; i++) {
        for (const sent of await large.capturing.capture(() => read(large.app, large.seeded, i))) {
          statements++;
          const { rows } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sent.text}`, sent.values);
          const cost = planCost((rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]?.Plan as PlanNode);
          seqScans = [...seqScans, ...cost.seqScans];
          maxRows = Math.max(maxRows, cost.rows);
        }
      }
      const ratio = median(ratios);
      figures.push({
        name: `${name} on PostgreSQL: ${big.users.toLocaleString("en")} users, ${big.structures.toLocaleString("en")} structures, ${big.history.toLocaleString("en")} history entries vs ${factor}× fewer`,
        layer: "application + PostgreSQL",
        ratioOf: "µs large / µs small",
        ratio,
        target: 1.5,
        stretch: 1.2,
        details: {
          "µs large": Math.round(median(per.big)),
          "µs small": Math.round(median(per.small)),
          "statements explained": statements,
          "sequential scans": seqScans.length === 0 ? "none" : [...new Set(seqScans)].join(", "),
          "most rows read by one statement": maxRows,
          "seconds to seed the large one (COPY)": Math.round(seeded.big.seconds),
        },
      });
      if (seqScans.length > 0) throw new Error(`${name}: sequential scans on ${[...new Set(seqScans)].join(", ")}`);
      options.log(`  ${name}: ${ratio.toFixed(2)} (${Math.round(median(per.big))} µs vs ${Math.round(median(per.small))} µs), rows ≤ ${maxRows}`);
    }

    figures.push(...(await exportFigures(pool, sides[0] as (typeof sides)[number], schemas.big, big.users, options)));
    return figures;
  } finally {
    for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  }
}

/** The export of every user of the large schema through the application, and the COPY anchor. */
async function exportFigures(
  pool: pg.Pool,
  large: { app: Habilitations; seeded: Seeded },
  schema: string,
  users: number,
  options: { quick: boolean; rounds: number; log: (line: string) => void },
): Promise<ScaleFigure[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  async function viaApplication(watchHeap: boolean) {
    const r = await large.app.exportUsers(large.seeded.exporter, { criteria: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    let rows = 0;
    let bytes = 0;
    let held = 0;
    const baseline = watchHeap ? heap() : 0;
    let next = 100_000;
    const t0 = performance.now();
    for await (const chunk of r.value.body) {
      bytes += chunk.length;
      for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) rows++;
      if (watchHeap && rows >= next) {
        held = Math.max(held, heap() - baseline);
        next += 100_000;
      }
    }
    return { rows: rows - 1, bytes, seconds: (performance.now() - t0) / 1000, held };
  }
  /** The same columns in the same order, written by PostgreSQL itself: the anchor. */
  async function viaCopy() {
    const client = await pool.connect();
    try {
      let rows = 0;
      const t0 = performance.now();
      const source = client.query(
        copyTo(`COPY (SELECT u.data ->> 'lastName', u.data ->> 'firstName', u.data ->> 'login', u.data ->> 'contactEmail', u.data ->> 'phone',
                 u.data ->> 'status', a.role, u.data ->> 'createdAt'
               FROM "${schema}".attachments a JOIN "${schema}".users u ON u.id = a.user_id
               WHERE a.structure_id = '${large.seeded.all}' ORDER BY a.search_key) TO STDOUT WITH (FORMAT csv, DELIMITER ';')`),
      );
      await pipeline(
        source,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
            callback();
          },
        }),
      );
      return { rows, seconds: (performance.now() - t0) / 1000 };
    } finally {
      client.release();
    }
  }
  await viaApplication(false);
  await viaCopy();
  const app: number[] = [];
  const copy: number[] = [];
  let held = 0;
  let rows = 0;
  const runs = options.quick ? 1 : 3;
  for (let i = 0; i < runs; i++) {
    const a = await viaApplication(i === 0);
    const c = await viaCopy();
    if (a.rows !== users + 1) throw new Error(`the export wrote ${a.rows} rows for ${users + 1} users`);
    rows = a.rows;
    held = Math.max(held, a.held);
    app.push(a.rows / a.seconds);
    copy.push(c.rows / c.seconds);
  }
  options.log(`  export: ${Math.round(median(app))} rows/s, COPY ${Math.round(median(copy))} rows/s, heap held ${(held / 2 ** 20).toFixed(1)} MiB`);
  return [
    {
      name: `CSV export of ${users.toLocaleString("en")} users from PostgreSQL, streamed, to a draining sink`,
      layer: "application + PostgreSQL",
      ratioOf: "rows per second",
      ratio: Math.round(median(app)),
      target: 100_000,
      atLeast: true,
      details: { rows, "COPY … TO STDOUT rows/s": Math.round(median(copy)), "export / COPY": Number((median(app) / median(copy)).toFixed(2)) },
    },
    {
      name: `CSV export of ${users.toLocaleString("en")} users from PostgreSQL: heap held after forced GCs every 100 000 rows, above the baseline`,
      layer: "application + PostgreSQL",
      ratioOf: "MiB held",
      ratio: Number((held / 2 ** 20).toFixed(2)),
      target: 64,
      details: { "forced GC": gc === undefined ? "unavailable (run with --expose-gc)" : "yes" },
    },
  ];
}
