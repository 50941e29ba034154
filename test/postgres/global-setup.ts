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
  const server = await startThrowawayPostgres();
  project.provide("databaseUrl", server.url);
  return () => server.stop();
}
