// Where the CSV export's time goes (docs/performance.md): seeds the export figure's
// population, then measures, per row, reading the search pages alone, writing the rows
// alone (in the order the records were written, and in search order), and the whole
// export through the application. `npm run bench:export-profile [-- users]`
// (default 1 000 000). Add `node --cpu-prof` to see the functions.
import { createHabilitations, exportDate, searchKeyOf, structureId, userExportLine, type Instant, type User } from "habilitations";
import { createMemoryStore } from "habilitations/memory";
import { clock, seedPopulation, TODAY } from "./fixtures.js";

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const store = createMemoryStore();
const seededAt = Date.now();
const seeded = await seedPopulation(store, "exp", total, total);
console.log(`seeded ${total.toLocaleString("en")} users in ${((Date.now() - seededAt) / 1000).toFixed(1)} s`);

const snapshot = store.snapshot();
const written = snapshot.users.map((r) => r.value);
const structures = new Map(snapshot.structures.map((r) => [r.value.id, r.value]));
const days = new Map<string, string>();
const dateOf = (at: Instant) => {
  let d = days.get(at);
  if (d === undefined) days.set(at, (d = exportDate(at, "Europe/Paris")));
  return d;
};
const query = { structureIds: [structureId(seeded.structures[0] as string)], limit: 1000 };
const inSearchOrder: User[] = [];
for (let after: string | undefined; ; ) {
  const page = await store.searchUsers(after === undefined ? query : { ...query, after });
  inSearchOrder.push(...page);
  if (page.length < 1000) break;
  after = searchKeyOf(page[page.length - 1] as User);
}
const app = createHabilitations({ store, clock });

const perRow = async (what: string, rows: number, run: () => Promise<unknown> | unknown) => {
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e3 / rows);
  }
  times.sort((a, b) => a - b);
  console.log(`${what.padEnd(52)} ${(times[1] as number).toFixed(2)} µs per row`);
};
let sink = 0;
await perRow("search pages alone (the memory store)", inSearchOrder.length, async () => {
  for (let after: string | undefined; ; ) {
    const page = await store.searchUsers(after === undefined ? query : { ...query, after });
    sink += page.length;
    if (page.length < 1000) break;
    after = searchKeyOf(page[page.length - 1] as User);
  }
});
await perRow("rows alone, in the order the records were written", written.length, () => {
  for (const u of written) sink += userExportLine(u, structures, dateOf, ";", TODAY).length;
});
await perRow("rows alone, in search order", inSearchOrder.length, () => {
  for (const u of inSearchOrder) sink += userExportLine(u, structures, dateOf, ";", TODAY).length;
});
await perRow("the whole export through the application", inSearchOrder.length, async () => {
  const r = await app.exportUsers(seeded.manager, { criteria: {} });
  if (!r.ok) throw new Error(r.error.code);
  for await (const chunk of r.value.body) sink += chunk.length;
});
void sink;
