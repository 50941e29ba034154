// A backend process of its own, for test/postgres/processes.test.ts: its own Node.js
// process, its own pool, its own application over the PostgreSQL store. It reads one job
// (JSON, first line of stdin), then:
// - "acts": for each round, prints "ready", waits for a line "go" (the parent releases
//   every process at once), runs its act through the application and prints the outcome
//   and how many times it reached the commit, as one JSON line;
// - "relay": claims, delivers (prints each event id as "delivered <id>") and acknowledges
//   batches until the outbox stays empty; with `crashAfterClaim`, exits right after its
//   first claim, leaving that batch leased and unacknowledged.
import { createInterface } from "node:readline";
import pg from "pg";
import {
  createHabilitations,
  type AttachUserInput,
  type Habilitations,
  type RefuseAttachmentRequestInput,
  type RegisterUserInput,
  type TransferPrimaryRoleInput,
  type ValidateAttachmentRequestInput,
} from "../../src/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";

export type WorkerAct =
  | { readonly op: "validateAttachmentRequest"; readonly actor: string; readonly input: ValidateAttachmentRequestInput }
  | { readonly op: "refuseAttachmentRequest"; readonly actor: string; readonly input: RefuseAttachmentRequestInput }
  | { readonly op: "transferPrimaryRole"; readonly actor: string; readonly input: TransferPrimaryRoleInput }
  | { readonly op: "attachUser"; readonly actor: string; readonly input: AttachUserInput }
  | { readonly op: "registerUser"; readonly input: RegisterUserInput };

export type WorkerJob =
  | { readonly mode: "acts"; readonly url: string; readonly schema: string; readonly now: string; readonly rounds: readonly WorkerAct[] }
  | { readonly mode: "relay"; readonly url: string; readonly schema: string; readonly leaseMs: number; readonly crashAfterClaim: boolean };

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => ((await lines.next()).value as string | undefined) ?? "";
const job = JSON.parse(await next()) as WorkerJob;
const pool = new pg.Pool({ connectionString: job.url, max: 2 });
pool.on("error", () => undefined);
const inner = createPostgresStore(pool, { schema: job.schema });
/** How many times this process reached the commit during the current act. */
let commits = 0;
const store = { ...inner, commit: (unit: Parameters<typeof inner.commit>[0]) => (commits++, inner.commit(unit)) };

function run(app: Habilitations, act: WorkerAct) {
  switch (act.op) {
    case "registerUser":
      return app.registerUser(act.input);
    case "validateAttachmentRequest":
      return app.validateAttachmentRequest(act.actor, act.input);
    case "refuseAttachmentRequest":
      return app.refuseAttachmentRequest(act.actor, act.input);
    case "transferPrimaryRole":
      return app.transferPrimaryRole(act.actor, act.input);
    case "attachUser":
      return app.attachUser(act.actor, act.input);
  }
}

if (job.mode === "acts") {
  const now = new Date(job.now);
  const app = createHabilitations({ store, clock: () => now });
  // One connection opened before the first round, so the rounds race on the database, not on connecting.
  (await pool.connect()).release();
  for (const act of job.rounds) {
    process.stdout.write("ready\n");
    if ((await next()) !== "go") break;
    commits = 0;
    const outcome = await run(app, act);
    process.stdout.write(`${JSON.stringify({ outcome, commits })}\n`);
  }
} else {
  process.stdout.write("ready\n");
  await next();
  // Until the outbox has stayed empty for longer than a lease (a crashed relay's batch comes back after one).
  let idle = 0;
  while (idle * 100 < job.leaseMs + 1000) {
    const now = new Date();
    const batch = await store.claimOutbox({
      limit: 7,
      now: now.toISOString() as never,
      leaseUntil: new Date(now.getTime() + job.leaseMs).toISOString() as never,
    });
    if (batch.length === 0) {
      idle++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    idle = 0;
    if (job.crashAfterClaim) process.exit(0); // the batch stays leased, unacknowledged
    for (const m of batch) process.stdout.write(`delivered ${m.event.id} ${m.attempts}\n`);
    await store.acknowledgeOutbox(batch.map((m) => m.event.id));
  }
}
await pool.end();
process.exit(0);
