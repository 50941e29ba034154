// The example service: Fastify over habilitations/postgres, imported by the package's
// name as any host does. `createService` migrates the schema, builds the application and
// the routes of every guide section, starts the relay loop, and closes it all on
// `server.close()`.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { createHabilitations, errorMessage, type Habilitations, type HabilitationsOptions, type RelayLoopOptions } from "habilitations";
import { createPostgresStore, migrate } from "habilitations/postgres";
import type pg from "pg";
import { standInNumbering } from "./chorus-pro-numbers.js";
import { authenticate, problemHandlers } from "./http.js";
import { standInMailer, type Deliver } from "./mailer.js";
import { accountRoutes } from "./routes/accounts.js";
import { attachmentRequestRoutes } from "./routes/attachment-requests.js";
import { chorusProRoutes } from "./routes/chorus-pro.js";
import { historyRoutes } from "./routes/history.js";
import { memberRoutes } from "./routes/members.js";
import { searchRoutes } from "./routes/search.js";
import { structureRoutes } from "./routes/structures.js";
import { subscriptionRoutes } from "./routes/subscriptions.js";
import { transferRoutes } from "./routes/transfer.js";

/** Options of {@link createService}. */
export interface ServiceOptions {
  /** The pool the store works on. The service owns it from now on: `server.close()` ends it. */
  readonly pool: pg.Pool;
  /** The PostgreSQL schema of the tables (default: the store's own, `habilitations`). */
  readonly schema?: string;
  /** What the relay delivers each event to (default: the logging {@link standInMailer}). */
  readonly deliver?: Deliver;
  /** Options of the relay loop (`idleMs`, `drainMs`, …); `onError` defaults to the server's log. */
  readonly relay?: RelayLoopOptions;
  /** Fastify's logger option (default: off). */
  readonly logger?: FastifyServerOptions["logger"];
  /** Options of the application other than its store (clock, ids, policies). */
  readonly habilitations?: Omit<HabilitationsOptions, "store">;
}

/** A service ready to listen. */
export interface Service {
  readonly server: FastifyInstance;
  /** The application, for what a host does outside HTTP (provisioning, timers). */
  readonly app: Habilitations;
}

/**
 * Builds the service: runs the migrations (a no-op when the schema is current), builds
 * the application on the PostgreSQL store, registers the routes of every guide section,
 * starts the relay loop, and on `server.close()` (Fastify's `onClose`) stops the relay —
 * which delivers what it holds and drains the outbox — then ends the pool.
 *
 * @example
 * ```ts
 * const { server } = await createService({ pool: new pg.Pool({ connectionString }) });
 * await server.listen({ port: 3000 });
 * process.once("SIGTERM", () => void server.close());
 * ```
 */
export async function createService(options: ServiceOptions): Promise<Service> {
  const { pool } = options;
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  await migrate(pool, schema);
  const server = Fastify({ logger: options.logger ?? false });
  const app = createHabilitations({
    onStoreError: (error, { operation, stage }) => server.log.error({ err: error, operation, stage }, "store failure"),
    // The Chorus Pro numbers of the records (a stand-in kept in memory: chorus-pro-numbers.ts).
    chorusProIds: standInNumbering(),
    ...options.habilitations,
    store: createPostgresStore(pool, schema),
  });

  authenticate(server);
  problemHandlers(server);
  structureRoutes(server, app);
  attachmentRequestRoutes(server, app);
  subscriptionRoutes(server, app);
  memberRoutes(server, app);
  accountRoutes(server, app);
  searchRoutes(server, app);
  historyRoutes(server, app);
  transferRoutes(server, app);
  chorusProRoutes(server, app);

  const deliver =
    options.deliver ??
    standInMailer(
      (line) => server.log.info(line),
      () => {
        const address = server.addresses()[0];
        if (address === undefined || typeof address === "string") return "http://localhost";
        return `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      },
    );
  const relay = app.startRelay(deliver, {
    onError: (failure) =>
      failure.kind === "delivery"
        ? server.log.warn({ event: failure.event.id, attempts: failure.attempts, err: failure.error }, "delivery failed")
        : server.log.error({ failure }, "relay failure"),
    ...options.relay,
  });
  if (!relay.ok) {
    await pool.end();
    throw new Error(`the relay loop did not start: ${errorMessage(relay.error)}`);
  }
  server.addHook("onClose", async () => {
    // Stop the relay first: it delivers the batch in hand and drains the outbox while
    // the pool is still there; then end the pool.
    await relay.value.stop();
    await pool.end();
  });
  return { server, app };
}
