// Where the validate use case's time goes on PostgreSQL (docs/performance.md): the world
// of `npm run bench:postgres`'s throughput figures (a throwaway durable server, or
// DATABASE_URL), then the use case alone (or the store's commit, or the hand-written
// transaction) with 8 clients for some seconds: the rate, and the Node.js process's CPU
// per use case. Run it under `node --cpu-prof` to see the functions:
// `npm run build && NODE_ENV=production node --cpu-prof --import tsx bench/profile-postgres.ts [seconds] [app|store|hand]`
import pg from "pg";
import { startThrowawayPostgres, type Throwaway } from "../test/postgres/server.js";
import { concurrently, validateWorld } from "./postgres.js";

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
const which = (["app", "store", "hand"] as const).find((w) => process.argv.includes(w)) ?? "app";
const CLIENTS = 8;
const server: Throwaway | undefined = process.env["DATABASE_URL"]
  ? undefined
  : await startThrowawayPostgres({ durable: true, settings: ["shared_buffers=1GB", "max_wal_size=8GB", "checkpoint_timeout=30min"] });
const pool = new pg.Pool({ connectionString: process.env["DATABASE_URL"] ?? (server as Throwaway).url, max: CLIENTS });
pool.on("error", () => undefined);
const schema = `profile_${process.pid}`;
try {
  const world = await validateWorld(pool, schema, (seconds + 2) * 4_000);
  const work = { app: world.viaApplication, store: world.viaStore, hand: world.handWritten }[which];
  const counter = { next: 0 };
  const run = (s: number) => concurrently(work, s, counter);
  await run(1);
  world.reset();
  const cpu = process.cpuUsage();
  const done = await run(seconds);
  const used = process.cpuUsage(cpu);
  const trips = world.counted();
  console.log(
    `${which}: ${Math.round(done / seconds)}/s with ${CLIENTS} clients; Node.js CPU ${((used.user + used.system) / done).toFixed(0)} µs each` +
      (which === "app" ? `; ${(trips.queries / trips.useCases).toFixed(2)} statements each` : ""),
  );
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await server?.stop();
}
