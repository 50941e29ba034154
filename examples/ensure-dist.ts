// The example imports the library by its package name, which resolves through the
// package's `exports` to dist/, as a host's does. dist/ is built by `npm ci` (prepare);
// after an edit of src/ it is stale. This builds it again when it is missing or older
// than what it is built from, before the example (or its test) loads the package.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The repository's root (the package the example consumes). */
export const ROOT = path.resolve(import.meta.dirname, "..");

/** What the build writes: the entries the example loads, ESM code and types. */
const OUTPUTS = ["index", "memory", "postgres", "testing"].flatMap((e) => [`dist/${e}.js`, `dist/${e}.d.ts`]);
/** What the build reads besides src/. */
const INPUTS = ["package.json", "tsup.config.ts", "tsconfig.json"];

/** The newest modification time of a file or, recursively, of a folder's files. */
function newest(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((f) => newest(path.join(file, f))));
}

/** Why dist/ must be built, or `null` when it is current. */
export function distStaleness(root = ROOT): string | null {
  const missing = OUTPUTS.find((f) => !existsSync(path.join(root, f)));
  if (missing !== undefined) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((f) => statSync(path.join(root, f)).mtimeMs));
  const source = Math.max(newest(path.join(root, "src")), ...INPUTS.map((f) => newest(path.join(root, f))));
  return source > built ? "src/ changed since dist/ was built" : null;
}

/**
 * Builds dist/ (`npm run build`) when it is missing or stale; does nothing otherwise.
 * Throws with the build's output when the build fails.
 */
export function ensureDist(root = ROOT, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const why = distStaleness(root);
  if (why === null) return;
  log(`[example] building dist/ (${why})…`);
  const started = Date.now();
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  log(`[example] dist/ built in ${Date.now() - started} ms`);
}
