// Where a command's time goes on the memory store (docs/performance.md): the mixed load of
// the bench (ask, validate or refuse, read the history, detach) through the built package,
// on a 10 000-member structure, for a number of seconds, then the µs per command. With
// `profile`, the timed part alone is profiled (the inspector's profiler, started after the
// seeding) into reports/commands.cpuprofile:
// `npm run build && NODE_ENV=production node --expose-gc --import tsx bench/profile-commands.ts [seconds] [validate] [profile]`
// (`allocations` instead of `profile`: reports/commands.heapprofile, where it allocates)
// (`validate`: validations alone, as the appVsHand figure runs them).
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createHabilitations, servicesScope, structureId, type AttachmentScope, type ServiceId, type User, type Write } from "habilitations";
import { createMemoryStore } from "habilitations/memory";
import { attachment, clock, randomId, randomNames, seedStructure, user } from "./fixtures.js";

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
const validateOnly = process.argv.includes("validate");
const store = createMemoryStore();
const name = randomId("str");
const s = structureId(name);
const seeded = await seedStructure(store, name, 10_000, validateOnly ? 200_000 : 0);
const outsiders = Array.from({ length: 1_000 }, () => ({ ...user(randomId("usr"), [attachment(structureId(randomId("str")))]), ...randomNames() }));
await store.commit({ writes: outsiders.map((value): Write => ({ kind: "user", value, expectedVersion: null })), reads: [], history: [], events: [] });
const app = createHabilitations({ store, clock });
const scopeOf = (k: number): AttachmentScope => (k % 2 === 0 ? { kind: "structure" } : servicesScope([seeded.services[k % 4 === 1 ? 0 : 1] as ServiceId]));

let k = 0;
let commands = 0;
async function cycle(): Promise<void> {
  const u = outsiders[k % outsiders.length] as User;
  const n = k++;
  const asked = await app.requestAttachment(u.id, { structureId: s, scope: scopeOf(n), comment: "Bonjour" });
  if (!asked.ok) throw new Error(asked.error.code);
  const requestId = asked.value.request.id;
  if (n % 4 === 3) {
    const refused = await app.refuseAttachmentRequest(seeded.manager, { requestId, reason: "Pas dans ce service" });
    if (!refused.ok) throw new Error(refused.error.code);
    commands += 2;
    return;
  }
  const validated = await app.validateAttachmentRequest(seeded.manager, { requestId });
  if (!validated.ok) throw new Error(validated.error.code);
  const page = await app.readHistory(seeded.manager, { structureId: s, targetUserId: outsiders[(n * 7919) % outsiders.length]?.id, limit: 20 });
  if (!page.ok) throw new Error(page.error.code);
  const removed = await app.removeAttachment(seeded.manager, { structureId: s, userId: u.id });
  if (!removed.ok) throw new Error(removed.error.code);
  commands += 4;
}
let v = 0;
async function validation(): Promise<void> {
  const requestId = seeded.requestIds[v++];
  if (requestId === undefined) throw new Error("request pool exhausted");
  const r = await app.validateAttachmentRequest(seeded.manager, { requestId });
  if (!r.ok) throw new Error(r.error.code);
  commands++;
}

// `allocations`: where the timed part allocates (sampled, collected objects included).
const allocations = process.argv.includes("allocations");
const inspector = process.argv.includes("profile") || allocations ? new Session() : undefined;
if (inspector !== undefined) {
  inspector.connect();
  if (allocations)
    await inspector.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
  else {
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.start");
  }
}
const cpu = process.cpuUsage();
const started = performance.now();
const until = started + seconds * 1000;
while (performance.now() < until) for (let i = 0; i < 100; i++) await (validateOnly ? validation() : cycle());
const elapsed = performance.now() - started;
const used = process.cpuUsage(cpu);
if (inspector !== undefined) {
  mkdirSync("reports", { recursive: true });
  if (allocations) {
    const { profile } = await inspector.post("HeapProfiler.stopSampling");
    writeFileSync("reports/commands.heapprofile", JSON.stringify(profile));
  } else {
    const { profile } = await inspector.post("Profiler.stop");
    writeFileSync("reports/commands.cpuprofile", JSON.stringify(profile));
  }
}
console.log(
  `${commands} ${validateOnly ? "validations" : "commands"} in ${(elapsed / 1000).toFixed(1)} s: ${((elapsed * 1000) / commands).toFixed(2)} µs each, ` +
    `${((used.user + used.system) / commands).toFixed(2)} µs of CPU each (a figure a loaded machine moves less)`,
);
