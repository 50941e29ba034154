// The example service, end to end: real HTTP requests (fetch) to a Fastify server
// listening on a free port, over the PostgreSQL store on the test server (in a schema of
// this file's own), the library imported by its package name (dist/, built first when
// missing or stale). The guide's scenario over HTTP; bad bodies and queries; no actor;
// retries with one Idempotency-Key; 8 concurrent decisions; the relay; the shutdown.
import { parse } from "csv-parse/sync";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { RecordedEvent } from "habilitations";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadSwagger, requestDefinitionOf, responseDefinitionOf, schemaErrors } from "../test/core/chorus-pro/swagger.js";
import "../test/postgres/global-setup.js";
import { ensureDist, ROOT } from "./ensure-dist.js";

type Lib = typeof import("habilitations");
type ServiceModule = typeof import("./service.js");
/** A JSON response body, read as the test expects it. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let lib: Lib;
let createService: ServiceModule["createService"];
let pool: pg.Pool;
let server: Awaited<ReturnType<ServiceModule["createService"]>>["server"];
let base = "";
const schema = `t_example_${process.pid}_${Date.now().toString(36)}`;
/** What the relay delivered to the test's mailer, in order. */
const delivered: RecordedEvent[] = [];

/** A pool on the test server. */
const newPool = (max = 10) => {
  const p = new pg.Pool({ connectionString: inject("databaseUrl"), max, connectionTimeoutMillis: 10_000 });
  p.on("error", () => undefined);
  return p;
};

beforeAll(async () => {
  ensureDist(); // the package's exports point to dist/
  lib = await import("habilitations");
  ({ createService } = await import("./service.js"));
  pool = newPool();
  ({ server } = await createService({
    pool,
    schema,
    deliver: (event) => void delivered.push(event),
    relay: { idleMs: 20, drainMs: 5_000 },
  }));
  await server.listen({ port: 0, host: "127.0.0.1" });
  const address = server.addresses()[0];
  if (address === undefined || typeof address === "string") throw new Error("no address");
  base = `http://127.0.0.1:${address.port}`;
}, 240_000); // a stale dist/ is built first (about a minute on a busy machine)

afterAll(async () => {
  await server?.close();
  const admin = newPool(1);
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  readonly body: Json;
}

/** One HTTP request: the actor in X-User-Id, a JSON body, an Idempotency-Key. */
async function call(
  method: string,
  path: string,
  options: { actor?: string; body?: unknown; raw?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.actor !== undefined) headers["x-user-id"] = options.actor;
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  let payload: string | undefined;
  if (options.body !== undefined || options.raw !== undefined) {
    headers["content-type"] = "application/json";
    payload = options.raw ?? JSON.stringify(options.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const type = res.headers.get("content-type") ?? "";
  const text = await res.text();
  return { status: res.status, type, headers: res.headers, body: /json/.test(type) && text !== "" ? JSON.parse(text) : text };
}

/** Waits until the relay has delivered an event matching `match`, and gives it. */
async function deliveredEvent(match: (e: RecordedEvent) => boolean, timeoutMs = 15_000): Promise<RecordedEvent> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = delivered.find(match);
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`not delivered within ${timeoutMs} ms; delivered: ${delivered.map((e) => e.type).join(", ")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The activation link's token and user id for a login, from the outbox (through the relay). */
async function activationLink(login: string): Promise<{ userId: string; token: string }> {
  const e = await deliveredEvent((x) => x.type === "ActivationEmailRequested" && x.login === login && x.token !== undefined);
  if (e.type !== "ActivationEmailRequested" || e.token === undefined) throw new Error("unreachable");
  return { userId: e.userId, token: e.token };
}

/** An account from the public side: registered, activated from the e-mail's token. */
async function signUp(login: string, firstName: string, lastName: string): Promise<string> {
  const registered = await call("POST", "/registrations", { body: { login, firstName, lastName } });
  expect(registered.status).toBe(202);
  expect(registered.body).toEqual({ login });
  const link = await activationLink(login);
  const activated = await call("POST", "/activations", { body: link });
  expect(activated.status).toBe(200);
  return link.userId;
}

/** Today's calendar date in Paris (the library's default time zone), `YYYY-MM-DD`. */
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());

/** Expects a problem details response with that status and code. */
function expectProblem(r: Reply, status: number, code: string): void {
  expect(r.type).toContain("application/problem+json");
  expect(r.body).toMatchObject({ status, code });
  expect(r.status).toBe(status);
}

describe("the example consumes the package as a host does", () => {
  it("imports habilitations by its name, resolved through the package's exports to dist/, never src/", () => {
    expect(createRequire(import.meta.url).resolve("habilitations/postgres")).toBe(path.join(ROOT, "dist/postgres.cjs"));
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));
    for (const file of files(import.meta.dirname).filter((f) => f.endsWith(".ts"))) {
      const imports = [...readFileSync(file, "utf8").matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((m) => m[1] ?? "");
      expect(imports.filter((i) => /(^|\/)src(\/|$)/.test(i)), file).toEqual([]);
    }
  });
});

describe("the guide's scenario over HTTP", () => {
  let alice = "";
  let bruno = "";
  let elodie = "";
  let hugo = "";
  let mairie = "";
  const services: Record<string, string> = {};
  let brunoRequest = "";

  it("accounts from the public side: registered, activated from the outbox's token", async () => {
    alice = await signUp("alice.martin@mairie-lyon.fr", "Alice", "Martin");
    bruno = await signUp("bruno.petit@mairie-lyon.fr", "Bruno", "Petit");
    elodie = await signUp("elodie.lefevre@mairie-lyon.fr", "Élodie", "Lefèvre");
    // The same answer for a login already taken (no account enumeration).
    const again = await call("POST", "/registrations", { body: { login: "alice.martin@mairie-lyon.fr", firstName: "X", lastName: "Y" } });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ login: "alice.martin@mairie-lyon.fr" });
  });

  it("a structure and its services", async () => {
    const created = await call("POST", "/structures", {
      actor: alice,
      body: { designation: "Mairie de Lyon", kind: "public", identifier: { type: "siret", value: "216 901 231 00011" } },
    });
    expect(created.status).toBe(201);
    mairie = created.body.structure.id;
    expect(created.body.structure.primaryManagerId).toBe(alice);
    for (const [code, label] of [["COMPTA", "Comptabilité"], ["ACHATS", "Achats publics"]] as const) {
      const s = await call("POST", `/structures/${mairie}/services`, { actor: alice, body: { code, label } });
      expect(s.status).toBe(201);
      services[code] = s.body.service.id;
    }
    expect((await call("GET", "/me/primary-structures", { actor: alice })).body.map((s: Json) => s.id)).toEqual([mairie]);
  });

  it("§1 a request, listed with ?limit=20 as a query string gives it, consulted", async () => {
    const asked = await call("POST", "/attachment-requests", {
      actor: bruno,
      body: { structureId: mairie, scope: { kind: "structure" }, comment: "Responsable des achats." },
    });
    expect(asked.status).toBe(201);
    brunoRequest = asked.body.request.id;
    const pending = await call("GET", "/attachment-requests?limit=20", { actor: alice });
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((i: Json) => i.request.id)).toEqual([brunoRequest]);
    const view = await call("GET", `/attachment-requests/${brunoRequest}`, { actor: alice });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ comment: "Responsable des achats.", wholeStructureChecked: true });
    expect(view.body.services.map((s: Json) => s.code).sort()).toEqual(["ACHATS", "COMPTA"]);
    // The managers were told, through the relay.
    await deliveredEvent((e) => e.type === "AttachmentRequested" && e.requestId === brunoRequest);
  });

  it("bad bodies and bad queries: 400 as problem details, and nothing changed", async () => {
    const historyBefore = (await call("GET", `/structures/${mairie}/history?limit=500`, { actor: alice })).body.items.length;
    const path = `/attachment-requests/${brunoRequest}/validation`;
    const bad: Reply[] = [
      await call("POST", path, { actor: alice, body: { role: "boss" } }), // not a role
      await call("POST", path, { actor: alice, body: { rol: "user" } }), // a misspelled field
      await call("POST", path, { actor: alice, body: { role: "primaryManager" } }), // parses, but refused by a rule: 422
      await call("POST", path, { actor: alice, body: [1, 2] }), // not an object
      await call("POST", path, { actor: alice, raw: "{ not json" }), // not JSON: Fastify refuses it
      await call("POST", path, { actor: alice, key: "has a space", body: {} }), // a malformed Idempotency-Key
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 422, 400, 400, 400]);
    expect(bad.map((r) => r.body.code)).toEqual(["VALIDATION", "VALIDATION", "CANNOT_GRANT_PRIMARY", "VALIDATION", "MALFORMED_REQUEST", "VALIDATION"]);
    for (const r of bad) expect(r.type).toContain("application/problem+json");
    expect(bad[0]?.body).toMatchObject({ title: expect.any(String), detail: expect.any(String), instance: path });

    const queries = await Promise.all([
      call("GET", `/structures/${mairie}/members?limit=abc`, { actor: alice }),
      call("GET", `/structures/${mairie}/members?limit=20.5`, { actor: alice }),
      call("GET", `/structures/${mairie}/members?limit=0`, { actor: alice }),
      call("GET", `/structures/${mairie}/members?limt=20`, { actor: alice }),
      call("GET", `/structures/${mairie}/members?limit=20&limit=30`, { actor: alice }),
      call("GET", "/users?lastname=martin", { actor: alice }),
      call("GET", `/structures/${mairie}/history?kinds=nothing`, { actor: alice }),
      call("GET", `/structures/${mairie}/history?from=yesterday`, { actor: alice }),
      call("GET", "/attachment-requests?cursor=forged", { actor: alice }),
    ]);
    expect(queries.map((r) => r.status)).toEqual(Array(queries.length).fill(400));
    for (const r of queries) expectProblem(r, 400, "VALIDATION");
    expect((await call("GET", `/structures/${mairie}/members?limit=20`, { actor: alice })).status).toBe(200);

    // Nothing changed: the request is still pending, the history as long as before.
    expect((await call("GET", `/attachment-requests/${brunoRequest}`, { actor: alice })).body.request.status).toBe("pending");
    expect((await call("GET", `/structures/${mairie}/history?limit=500`, { actor: alice })).body.items.length).toBe(historyBefore);
  });

  it("no actor: 401 before the library is called, and nothing changed", async () => {
    const path = `/attachment-requests/${brunoRequest}/validation`;
    for (const r of [
      await call("POST", path, { body: { role: "secondaryManager" } }),
      await call("POST", path, { body: { role: "secondaryManager" }, headers: { "x-user-id": "" } }),
      await call("GET", "/attachment-requests"),
      await call("GET", "/users/export"),
    ]) {
      expectProblem(r, 401, "UNAUTHENTICATED");
      expect(r.headers.get("www-authenticate")).toContain("X-User-Id");
    }
    // An actor the library does not know, or cannot read: its own error, UNKNOWN_ACTOR,
    // whose status (httpStatusOf, never chosen by code here) is 401 too; nothing done.
    for (const [actor, reason] of [["usr_nobody", "unknown"], ["x".repeat(300), "malformed"]] as const) {
      const r = await call("POST", path, { actor, body: { role: "secondaryManager" } });
      expectProblem(r, 401, "UNKNOWN_ACTOR");
      expect(r.status).toBe(lib.httpStatusOf(r.body.error));
      expect(r.body.error.reason).toBe(reason);
    }
    expect((await call("GET", `/attachment-requests/${brunoRequest}`, { actor: alice })).body.request.status).toBe("pending");
  });

  it("a retry with the same Idempotency-Key gets the same response; another body with it is refused", async () => {
    const path = `/attachment-requests/${brunoRequest}/validation`;
    const body = { role: "secondaryManager" };
    const first = await call("POST", path, { actor: alice, key: "alice-click-1", body });
    expect(first.status).toBe(200);
    expect(first.body.requester).toMatchObject({ id: bruno, role: "secondaryManager" });
    const retries = await Promise.all([1, 2, 3].map(() => call("POST", path, { actor: alice, key: "alice-click-1", body })));
    for (const r of retries) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(first.body); // the same outcome: history entries and event ids
    }
    expectProblem(await call("POST", path, { actor: alice, key: "alice-click-1", body: { role: "user" } }), 422, "IDEMPOTENCY_KEY_REUSED");
    const fresh = await call("POST", path, { actor: alice, body });
    expectProblem(fresh, 409, "REQUEST_ALREADY_DECIDED");
    expect(fresh.body.detail).toEqual(expect.any(String));
    // Decided once: one « Validée » in the history, one event delivered.
    const validated = await call("GET", `/structures/${mairie}/history?kinds=attachmentRequestValidated`, { actor: alice });
    expect(validated.body.items).toHaveLength(1);
    await deliveredEvent((e) => e.type === "AttachmentRequestValidated" && e.requestId === brunoRequest);
    expect(delivered.filter((e) => e.type === "AttachmentRequestValidated" && e.requestId === brunoRequest)).toHaveLength(1);
  });

  it("§3 A a direct attachment, a role change; the members list", async () => {
    const attached = await call("POST", `/structures/${mairie}/members`, {
      actor: alice,
      body: { userId: elodie, role: "user", validFrom: today(), comment: "Arrivée au service comptable", scope: { kind: "services", serviceIds: [services["COMPTA"]] } },
    });
    expect(attached.status).toBe(201);
    expect(attached.body.member).toMatchObject({ id: elodie, role: "user" });
    await deliveredEvent((e) => e.type === "UserAttached" && e.userId === elodie);
    expectProblem(await call("PATCH", `/structures/${mairie}/members/${elodie}`, { actor: alice, body: { role: "user" } }), 409, "ROLE_UNCHANGED");
    const members = await call("GET", `/structures/${mairie}/members?limit=20`, { actor: alice });
    expect(members.body.items.map((m: Json) => [m.lastName, m.role]).sort()).toEqual([
      ["Lefèvre", "user"],
      ["Martin", "primaryManager"],
      ["Petit", "secondaryManager"],
    ]);
  });

  it("§3 B an account created by a manager, activated from the outbox's token", async () => {
    const created = await call("POST", `/structures/${mairie}/accounts`, {
      actor: alice,
      body: {
        login: "Hugo.Moreau@mairie-lyon.fr", lastName: "Moreau", firstName: "Hugo", phone: "+33 4 72 10 30 30",
        attach: { role: "user", scope: { kind: "services", serviceIds: [services["ACHATS"]] }, validFrom: today(), comment: "Nouvel acheteur" },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.member).toMatchObject({ login: "hugo.moreau@mairie-lyon.fr", status: "pendingActivation" });
    hugo = created.body.member.id;
    // The outcome never carries the token: only the outbox does.
    expect(JSON.stringify(created.body)).not.toContain('"token"');
    const link = await activationLink("hugo.moreau@mairie-lyon.fr");
    expect(link.userId).toBe(hugo);
    expect((await call("POST", "/activations", { body: link })).status).toBe(200);
    expectProblem(await call("POST", "/activations", { body: link }), 409, "ACTIVATION_TOKEN_USED");
    const info = await call("GET", `/structures/${mairie}/users/${hugo}`, { actor: alice });
    expect(info.status).toBe(200);
    expect(info.body.general).toMatchObject({ login: "hugo.moreau@mairie-lyon.fr", status: "active" });
  });

  it("§2 a subscription request validated for the whole structure; the host's route guarded by mayAccess", async () => {
    const asked = await call("POST", "/subscription-requests", {
      actor: elodie,
      body: { structureId: mairie, items: [{ space: "FACTURES_RECUES", access: "read" }], comment: "Pour la clôture" },
    });
    expect(asked.status).toBe(201);
    const requestId = asked.body.request.id;
    expect((await call("GET", "/subscription-requests?limit=20", { actor: alice })).body.items).toHaveLength(1);
    const ok = await call("POST", `/subscription-requests/${requestId}/validation`, { actor: alice, body: { scope: "structure" } });
    expect(ok.status).toBe(200);
    const may = await call("GET", `/me/access?structureId=${mairie}&space=FACTURES_RECUES&access=read`, { actor: elodie });
    expect(may.body).toEqual({ allowed: true });
    expect((await call("GET", `/structures/${mairie}/received-invoices`, { actor: elodie })).status).toBe(200);
    expectProblem(await call("GET", `/structures/${mairie}/received-invoices`, { actor: hugo }), 403, "SPACE_ACCESS_DENIED");
    const grants = await call("GET", `/structures/${mairie}/members/${elodie}/grants`, { actor: alice });
    expect(grants.body.grants.map((g: Json) => [g.space, g.usable])).toEqual([["FACTURES_RECUES", true]]);
  });

  describe("Chorus Pro's Structures API under its own paths (basePath /cpro/structures)", () => {
    /** The Chorus Pro numbers the town hall and its COMPTA service were given. */
    let idStructure = 0;
    let idService = 0;
    /** Zoé: attached nowhere at first, then the primary manager of a structure of her own. */
    let zoe = "";

    /** One operation: `POST /cpro/structures/v1…` with the API's body (checked against the API's request definition when it should be valid). */
    const cpro = (operation: string, actor: string | undefined, body: unknown, asTheApiWritesIt = true) => {
      if (asTheApiWritesIt) expect(schemaErrors(requestDefinitionOf(`/v1${operation}`), body), `${operation} ${JSON.stringify(body)}`).toEqual([]);
      return call("POST", `/cpro/structures/v1${operation}`, { ...(actor === undefined ? {} : { actor }), body });
    };
    /** A 200 whose body is valid against the operation's response definition in the API description, and says « no error ». */
    const valid = (operation: string, r: Reply): Json => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.type).toContain("application/json");
      expect(schemaErrors(responseDefinitionOf(`/v1${operation}`), r.body)).toEqual([]);
      expect(r.body).toMatchObject({ codeRetour: 0, libelle: "TRA_MSG_00.000" });
      return r.body;
    };
    /** A problem with the number or login the request gave left out (its `error.id`, echoed in `detail`): what would tell a hidden structure from one that does not exist. */
    const withoutId = (r: Reply) => {
      const id = String(r.body.error?.id ?? "");
      const detail = id === "" ? r.body.detail : String(r.body.detail).replaceAll(id, "?");
      return { status: r.status, type: r.type, body: { ...r.body, detail, error: { ...r.body.error, id: "?" } } };
    };

    /** The operations of the API description (`/rechercher`, …), as the example serves them below `/cpro/structures/v1`. */
    const operations = () => Object.keys(loadSwagger().swagger.paths).map((p) => p.replace(/^\/v1/, ""));

    it("every operation of the API description has its route", async () => {
      expect(loadSwagger().swagger).toMatchObject({ basePath: "/cpro/structures" });
      expect(operations()).toHaveLength(6);
      for (const operation of operations()) {
        const r = await call("POST", `/cpro/structures/v1${operation}`, { actor: elodie, body: {} });
        expect(r.body.code, operation).not.toBe("ROUTE_NOT_FOUND");
        expect([200, 400], `${operation} answered ${r.status}`).toContain(r.status);
      }
    });

    it("each operation answers a member: the API's bodies in, payloads valid against its description out", async () => {
      // Élodie (a simple user of COMPTA) finds her structure, and from its number the rest.
      const found = valid("/rechercher", await cpro("/rechercher", elodie, { structure: { raisonSocialeStructure: "mairie", typeStructure: "PUBLIQUE" } }));
      expect(found.listeStructures.map((s: Json) => [s.designationStructure, s.identifiantStructure, s.typeIdentifiantStructure])).toEqual([
        ["Mairie de Lyon", "21690123100011", "SIRET"],
      ]);
      idStructure = found.listeStructures[0].idStructureCPP;
      expect(Number.isSafeInteger(idStructure)).toBe(true);
      // An empty body is a search without criteria (Chorus Pro's body is all optional).
      expect(valid("/rechercher", await call("POST", "/cpro/structures/v1/rechercher", { actor: elodie })).listeStructures).toEqual(found.listeStructures);
      const general = valid("/consulter", await cpro("/consulter", elodie, { idStructureCPP: idStructure }));
      expect(general.informationGenerales).toMatchObject({ idStructureCPP: idStructure, raisonSocialeStructure: "Mairie de Lyon", structurePriveePublique: "PUBLIQUE" });
      const list = valid(
        "/rechercher/services",
        await cpro("/rechercher/services", elodie, { idStructure, parametresRechercherServicesStructure: { triColonne: "CodeService", triSens: "Descendant" } }),
      );
      expect(list.listeServices.map((s: Json) => [s.codeService, s.estActif])).toEqual([["COMPTA", true], ["ACHATS", true]]);
      idService = list.listeServices[0].idService;
      const compta = valid("/consulter/service", await cpro("/consulter/service", elodie, { idStructure, idService }));
      expect(compta.informationsGenerales).toEqual({ codeService: "COMPTA", nomService: "Comptabilité" });
      const mine = valid("/lister/rattachementsutilisateur", await cpro("/lister/rattachementsutilisateur", elodie, { idStructure }));
      expect(mine.listeServices.map((r: Json) => [r.codeService, r.idService, r.statutRattachement])).toEqual([["COMPTA", idService, "VALIDEE"]]);
      // Alice, who manages it, about Élodie by her login: the same rows.
      const hers = valid(
        "/lister/rattachementsutilisateur",
        await cpro("/lister/rattachementsutilisateur", alice, { idStructure, adresseEmailConnexionUtilisateur: "Elodie.Lefevre@mairie-lyon.fr" }),
      );
      expect(hers.listeServices).toEqual(mine.listeServices);
      const spaces = valid("/rechercher/espaces", await cpro("/rechercher/espaces", elodie, { structure: { idStructure } }));
      expect(spaces.listeEspace).toEqual([{ libelleEspace: "Factures reçues", typeHabilitation: "CONSULTATION_UNIQUEMENT", etatCourant: "ACTIVE" }]);
    });

    it("refusals: a structure the actor may not see answers, on every operation, as a number nobody has; another's rows as a login nobody has", async () => {
      const nobody = 987_654;
      // Zoé, attached nowhere, then to a structure of her own: the town hall stays, to her, as a number that names nothing.
      zoe = await signUp("zoe.martin@example.fr", "Zoé", "Martin");
      for (const stage of ["attached nowhere", "manager of her own structure"]) {
        const hiddenAndUnknown: [string, unknown, unknown][] = [
          ["/consulter", { idStructureCPP: idStructure }, { idStructureCPP: nobody }],
          ["/consulter/service", { idStructure, idService }, { idStructure: nobody, idService }],
          ["/rechercher/services", { idStructure }, { idStructure: nobody }],
          ["/lister/rattachementsutilisateur", { idStructure }, { idStructure: nobody }],
          ["/rechercher/espaces", { structure: { idStructure } }, { structure: { idStructure: nobody } }],
        ];
        for (const [operation, hiddenBody, unknownBody] of hiddenAndUnknown) {
          const hidden = await cpro(operation, zoe, hiddenBody);
          const unknown = await cpro(operation, zoe, unknownBody);
          expectProblem(hidden, 404, "NOT_FOUND");
          expect(hidden.body.error, `${stage} ${operation}`).toEqual({ code: "NOT_FOUND", entity: "structure", id: String(idStructure) });
          expect(withoutId(hidden), `${stage} ${operation}`).toEqual(withoutId(unknown));
        }
        // The search: by the town hall's own SIRET, nothing, as for a SIRET nobody has (another establishment of her own SIREN).
        const bySiret = valid("/rechercher", await cpro("/rechercher", zoe, { structure: { identifiantStructure: "21690123100011", typeIdentifiantStructure: "SIRET" } }));
        const byOther = valid("/rechercher", await cpro("/rechercher", zoe, { structure: { identifiantStructure: "73282932000017", typeIdentifiantStructure: "SIRET" } }));
        expect(bySiret.listeStructures).toEqual([]);
        expect(bySiret).toEqual(byOther);
        if (stage === "attached nowhere") {
          expect(valid("/rechercher", await cpro("/rechercher", zoe, {})).listeStructures).toEqual([]);
          const created = await call("POST", "/structures", {
            actor: zoe,
            body: { designation: "Boulangerie Martin", kind: "private", identifier: { type: "siret", value: "732 829 320 00074" } },
          });
          expect(created.status).toBe(201);
        }
      }
      // Her own structure, named with the town hall's service number: that service is not one of hers.
      const own = valid("/rechercher", await cpro("/rechercher", zoe, {})).listeStructures;
      expect(own.map((s: Json) => s.designationStructure)).toEqual(["Boulangerie Martin"]);
      const ownNumber: number = own[0].idStructureCPP;
      const otherService = await cpro("/consulter/service", zoe, { idStructure: ownNumber, idService });
      const noService = await cpro("/consulter/service", zoe, { idStructure: ownNumber, idService: nobody });
      expectProblem(otherService, 404, "NOT_FOUND");
      expect(withoutId(otherService)).toEqual(withoutId(noService));

      // Élodie, a simple user, about Alice: not hers to read — the structure, for another's rows, is a manager's
      // (judged before the login is looked up: she learns nothing of who exists), as for a login nobody has.
      const aboutAlice = await cpro("/lister/rattachementsutilisateur", elodie, { idStructure, adresseEmailConnexionUtilisateur: "alice.martin@mairie-lyon.fr" });
      const aboutNobody = await cpro("/lister/rattachementsutilisateur", elodie, { idStructure, adresseEmailConnexionUtilisateur: "personne@mairie-lyon.fr" });
      expectProblem(aboutAlice, 404, "NOT_FOUND");
      expect(aboutAlice.body.error).toEqual({ code: "NOT_FOUND", entity: "structure", id: String(idStructure) });
      expect(withoutId(aboutAlice)).toEqual(withoutId(aboutNobody));
      // Zoé, manager of her own structure, about Élodie there: a user not in force in it, as a login nobody has.
      const elsewhere = await cpro("/lister/rattachementsutilisateur", zoe, { idStructure: ownNumber, adresseEmailConnexionUtilisateur: "elodie.lefevre@mairie-lyon.fr" });
      const noOne = await cpro("/lister/rattachementsutilisateur", zoe, { idStructure: ownNumber, adresseEmailConnexionUtilisateur: "personne@mairie-lyon.fr" });
      expectProblem(elsewhere, 404, "NOT_FOUND");
      expect(elsewhere.body.error).toMatchObject({ entity: "user" });
      expect(withoutId(elsewhere)).toEqual(withoutId(noOne));
      // No actor: 401 before the library is asked, on every operation.
      for (const operation of operations()) expectProblem(await cpro(operation, undefined, {}, false), 401, "UNAUTHENTICATED");
      // An actor id that names no one: 401 as well (UNKNOWN_ACTOR).
      expectProblem(await cpro("/consulter", "usr_nobody", { idStructureCPP: idStructure }), 401, "UNKNOWN_ACTOR");
    });

    it("junk bodies: 400 problem details whose detail names the field and what was wrong, on every operation", async () => {
      const junk: [string, unknown, RegExp][] = [
        ["/rechercher", { structure: { adresseVille: "Lyon" } }, /structure\.adresseVille/], // a criterion the library cannot match (no address kept)
        ["/rechercher", { structure: { typeStructure: "MIXTE" } }, /structure\.typeStructure.*"PRIVEE"\|"PUBLIQUE"/], // not a code of the API
        ["/rechercher", { parametres: { nbResultatsParPage: "dix" } }, /parametres\.nbResultatsParPage/],
        ["/rechercher", [1, 2], /objet attendu, tableau reçu/],
        ["/consulter", { idStructureCpp: idStructure }, /idStructureCPP.*Clé non reconnue : "idStructureCpp"/], // a misspelt field
        ["/consulter", { idStructureCPP: String(idStructure) }, /idStructureCPP : .*nombre attendu, chaîne de caractères reçu/],
        ["/consulter/service", { idStructure }, /idService : .*nombre attendu, indéfini reçu/],
        ["/rechercher/services", { idStructure, parametresRechercherServicesStructure: { triColonne: "Couleur" } }, /parametresRechercherServicesStructure\.triColonne/],
        ["/rechercher/services", { idStructure: -1 }, /idStructure : .*>=0/],
        ["/lister/rattachementsutilisateur", {}, /idStructure/],
        ["/lister/rattachementsutilisateur", { idStructure, adresseEmailConnexionUtilisateur: "pas un courriel" }, /adresseEmailConnexionUtilisateur/],
        ["/rechercher/espaces", { idService }, /structure : .*idStructure/],
      ];
      for (const [operation, body, detail] of junk) {
        const r = await cpro(operation, elodie, body, false);
        expectProblem(r, 400, "VALIDATION");
        expect(r.body.detail, `${operation} ${JSON.stringify(body)}`).toMatch(detail);
        expect(r.body.instance).toBe(`/cpro/structures/v1${operation}`);
      }
      // No body where one is required; a body that is not JSON (Fastify refuses it before the library).
      const none = await call("POST", "/cpro/structures/v1/consulter", { actor: elodie });
      expectProblem(none, 400, "VALIDATION");
      expect(none.body.detail).toMatch(/objet attendu, indéfini reçu/);
      expectProblem(await call("POST", "/cpro/structures/v1/consulter", { actor: elodie, raw: "{ idStructureCPP: 1" }), 400, "MALFORMED_REQUEST");
      // A GET on an operation's path is no route (every operation is a POST, as in the API).
      expectProblem(await call("GET", "/cpro/structures/v1/consulter", { actor: elodie }), 404, "ROUTE_NOT_FOUND");
    });
  });

  it("§5 a search, a lookup, and the CSV export streamed and parsed back", async () => {
    const found = await call("GET", "/users?lastName=lef&firstName=elodie&limit=20", { actor: alice });
    expect(found.status).toBe(200);
    expect(found.body.items.map((u: Json) => u.id)).toEqual([elodie]);
    const page = await call("GET", "/users?limit=2", { actor: alice });
    expect(page.body.items).toHaveLength(2);
    const next = await call("GET", `/users?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`, { actor: alice });
    expect(next.body.items.map((u: Json) => u.lastName)).toEqual(["Moreau", "Petit"]);

    const lookup = await call("GET", `/structures/${mairie}/people?login=bruno.petit@mairie-lyon.fr`, { actor: alice });
    expect(lookup.body).toEqual([expect.objectContaining({ id: bruno, maskedLogin: expect.stringContaining("*") })]);

    const res = await fetch(`${base}/users/export?structureId=${mairie}`, { headers: { "x-user-id": alice } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="utilisateurs-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows: string[][] = parse(await res.text(), { delimiter: ";", bom: true });
    expect(rows[0]).toEqual([...lib.USER_EXPORT_HEADERS]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["Lefèvre", "Martin", "Moreau", "Petit"]);
    const hugoRow = rows.find((r) => r[0] === "Moreau");
    expect(hugoRow?.[4]).toBe("'+33 4 72 10 30 30"); // formula-safe

    const checked = await fetch(`${base}/users/export`, {
      method: "POST",
      headers: { "x-user-id": alice, "content-type": "application/json" },
      body: JSON.stringify({ userIds: [hugo, bruno], separator: ",", bom: false }),
    });
    const checkedRows: string[][] = parse(await checked.text(), { delimiter: "," });
    expect(checkedRows.slice(1).map((r) => r[0])).toEqual(["Moreau", "Petit"]);
    // A refusal comes before any byte of CSV: problem details.
    expectProblem(await call("GET", "/users/export?bom=maybe", { actor: alice }), 400, "VALIDATION");
  });

  it("§4 the history, newest first, filtered by kind", async () => {
    const all = await call("GET", `/structures/${mairie}/history?limit=50`, { actor: alice });
    expect(all.status).toBe(200);
    const kinds = all.body.items.map((e: Json) => e.kind);
    for (const kind of ["structureCreated", "serviceAdded", "attachmentRequestValidated", "userAttached", "accountCreated", "accountActivated"])
      expect(kinds).toContain(kind);
    const sequences = all.body.items.map((e: Json) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a: number, b: number) => b - a));
    const some = await call("GET", `/structures/${mairie}/history?kinds=userAttached,structureCreated`, { actor: alice });
    expect(some.body.items.map((e: Json) => e.kind).sort()).toEqual(["structureCreated", "userAttached", "userAttached"]);
    expectProblem(await call("GET", `/structures/${mairie}/history`, { actor: hugo }), 403, "FORBIDDEN");
  });

  it("8 concurrent decisions of one request: one 200, seven 409", async () => {
    const farid = await signUp("farid.benali@example.fr", "Farid", "Benali");
    const asked = await call("POST", "/attachment-requests", { actor: farid, body: { structureId: mairie, scope: { kind: "structure" } } });
    const path = `/attachment-requests/${asked.body.request.id}/validation`;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call("POST", path, { actor: alice, key: `race-${i}`, body: {} })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.status === 409)) expectProblem(r, 409, "REQUEST_ALREADY_DECIDED");
    const history = await call("GET", `/structures/${mairie}/history?kinds=attachmentRequestValidated&targetUserId=${farid}`, { actor: alice });
    expect(history.body.items).toHaveLength(1);
  });

  it("§6 a transfer of the primary role, a deactivation and a reactivation", async () => {
    const transfer = await call("POST", "/transfers", { actor: alice, key: "hand-over", body: { structureIds: [mairie], successorId: bruno } });
    expect(transfer.status).toBe(200);
    expect(transfer.body.transfers[0].primaryManager).toMatchObject({ id: bruno, role: "primaryManager" });
    expect((await call("GET", "/me/primary-structures", { actor: alice })).body).toEqual([]);
    expect((await call("GET", "/me/primary-structures", { actor: bruno })).body.map((s: Json) => s.id)).toEqual([mairie]);
    expectProblem(await call("POST", "/transfers", { actor: alice, body: { structureIds: [mairie], successorId: elodie } }), 403, "FORBIDDEN");
    await deliveredEvent((e) => e.type === "PrimaryRoleTransferred" && e.structureId === mairie);

    expectProblem(await call("POST", "/me/deactivation", { actor: bruno, body: { transfers: [] } }), 409, "SUCCESSOR_REQUIRED");
    const gone = await call("POST", "/me/deactivation", { actor: alice, body: { transfers: [] } });
    expect(gone.status).toBe(200);
    expect(gone.body.reactivableUntil).toEqual(expect.any(String));
    expectProblem(await call("GET", "/users?limit=5", { actor: alice }), 403, "FORBIDDEN");
    expect((await call("POST", "/me/reactivation", { actor: alice })).status).toBe(200);
    // Elodie leaves the structure on her own.
    expect((await call("DELETE", `/me/structures/${mairie}`, { actor: elodie })).status).toBe(200);
    expect((await call("GET", `/structures/${mairie}/members`, { actor: bruno })).body.items.map((m: Json) => m.lastName).sort()).toEqual([
      "Benali",
      "Martin",
      "Moreau",
      "Petit",
    ]);
  });

  it("the relay delivered every act's events, each once", async () => {
    await deliveredEvent((e) => e.type === "AttachmentRemoved" && e.userId === elodie);
    const types = new Set(delivered.map((e) => e.type));
    for (const t of ["AccountCreated", "ActivationEmailRequested", "AccountActivated", "StructureCreated", "AttachmentRequested", "AttachmentRequestValidated", "UserAttached", "SubscriptionRequestValidated", "PrimaryRoleTransferred", "AccountDeactivated", "AccountReactivated"])
      expect(types).toContain(t);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
  });
});

describe("shutdown", () => {
  it("closing the server stops the relay and ends the pool; the port no longer answers", async () => {
    await server.close();
    expect(pool.ended).toBe(true);
    expect(pool.totalCount).toBe(0);
    await expect(fetch(`${base}/spaces`)).rejects.toThrow();
  });

  it("the relay drains on shutdown: an event saved while it sleeps is delivered before close resolves", async () => {
    // An event saved while no relay runs (the library used directly, as a host's script would).
    const { createPostgresStore } = await import("habilitations/postgres");
    const seedPool = newPool(1);
    const seeded = await lib.createHabilitations({ store: createPostgresStore(seedPool, { schema }) })
      .registerAccount({ login: "gabriel.fontaine@example.fr", firstName: "Gabriel", lastName: "Fontaine" });
    await seedPool.end();
    expect(seeded.ok).toBe(true);

    const mine: RecordedEvent[] = [];
    const second = await createService({ pool: newPool(), schema, deliver: (e) => void mine.push(e), relay: { idleMs: 60_000 } });
    await second.server.listen({ port: 0, host: "127.0.0.1" });
    const address = second.server.addresses()[0];
    if (address === undefined || typeof address === "string") throw new Error("no address");
    const isFor = (login: string) => (e: RecordedEvent) => e.type === "ActivationEmailRequested" && e.login === login;
    // Its first batch delivers the seeded events; the outbox then empty, it sleeps a minute.
    for (let i = 0; i < 750 && !mine.some(isFor("gabriel.fontaine@example.fr")); i++) await new Promise((r) => setTimeout(r, 20));
    expect(mine.some(isFor("gabriel.fontaine@example.fr"))).toBe(true);
    const registered = await fetch(`http://127.0.0.1:${address.port}/registrations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "ines.roux@example.fr", firstName: "Inès", lastName: "Roux" }),
    });
    expect(registered.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(mine.some(isFor("ines.roux@example.fr"))).toBe(false); // asleep
    const started = Date.now();
    await second.server.close();
    expect(mine.some(isFor("ines.roux@example.fr"))).toBe(true); // drained by stop()
    expect(Date.now() - started).toBeLessThan(10_000); // the minute's pause was cut short
  });
});
