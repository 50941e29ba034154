// The package as a host gets it: the built entries (`habilitations`,
// `habilitations/memory`), imported by name from a separate Node.js process, as a consumer
// imports them. The entries share one copy of the library's module state (tsup
// `splitting`), so a record frozen by the memory store is recognised by the application
// layer and handed out as it is, never copied again.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The newest modification time of the files the build reads. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the package when `dist/` is missing or older than what it is built from. */
function ensureBuilt(): void {
  const built = join(root, "dist", "index.js");
  const inputs = Math.max(
    newestSource(join(root, "src")),
    ...["tsup.config.ts", "package.json", "scripts/pure-module-init.ts"].map((file) => statSync(join(root, file)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= inputs) return;
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "pipe" });
}

/** Runs an ES module script in a fresh Node.js process inside the package; gives its JSON output. */
function runAsConsumer(script: string, type: "module" | "commonjs" = "module"): unknown {
  const out = execFileSync(process.execPath, [`--input-type=${type}`, "-e", script], { cwd: root, encoding: "utf8" });
  return JSON.parse(out);
}

const scenario = `
const store = createMemoryStore();
const app = createHabilitations({ store });
const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
const acme = await app.createStructure(alice.value.user.id, {
  designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" },
});
const snapshot = store.snapshot();
const stored = snapshot.structures.find((r) => r.value.id === acme.value.structure.id).value;
const read = await store.getStructure(acme.value.structure.id);
const page = await app.readHistory(alice.value.user.id, { structureId: acme.value.structure.id });
const claimed = await app.claimEvents({ limit: 10 });
console.log(JSON.stringify({
  outcomeIsStored: acme.value.structure === stored,
  frozen: Object.isFrozen(stored) && Object.isFrozen(page.value.items[0]) && Object.isFrozen(page.value),
  historyEntryIsStored: page.value.items[0] === snapshot.history[snapshot.history.length - 1],
  readIsStored: read.value === stored,
  eventIsStored: claimed.value[0].event === snapshot.outbox[0],
}));
`;

describe("the built package", () => {
  beforeAll(ensureBuilt, 300_000);

  it("has one copy of the freezing brand, in a chunk both entries import", () => {
    const files = readdirSync(join(root, "dist")).filter((f) => f.endsWith(".js"));
    const holders = files.filter((f) => readFileSync(join(root, "dist", f), "utf8").includes("#made"));
    expect(holders).toHaveLength(1);
    for (const entry of ["index.js", "memory.js"])
      expect(readFileSync(join(root, "dist", entry), "utf8")).toContain(`from './${holders[0]}'`);
  });

  it("imports date-fns by its per-function subpaths only: its root entry costs a consumer every function at load", () => {
    const files = readdirSync(join(root, "dist")).filter((f) => f.endsWith(".js") || f.endsWith(".cjs"));
    const rootImports = files.filter((f) => /(?:from|require\()\s*["']date-fns["']/.test(readFileSync(join(root, "dist", f), "utf8")));
    expect(rootImports).toEqual([]);
    expect(files.some((f) => readFileSync(join(root, "dist", f), "utf8").includes("date-fns/parseISO"))).toBe(true);
  });

  it("hands out the memory store's frozen records as they are, never copied again (ESM)", () => {
    const seen = runAsConsumer(`
      import { createHabilitations } from "habilitations";
      import { createMemoryStore } from "habilitations/memory";
      ${scenario}`);
    expect(seen).toEqual({ outcomeIsStored: true, frozen: true, historyEntryIsStored: true, readIsStored: true, eventIsStored: true });
  });

  it("does the same through require (CommonJS)", () => {
    const seen = runAsConsumer(
      `(async () => {
        const { createHabilitations } = require("habilitations");
        const { createMemoryStore } = require("habilitations/memory");
        ${scenario}
      })().catch((e) => { console.error(e); process.exit(1); });`,
      "commonjs",
    );
    expect(seen).toEqual({ outcomeIsStored: true, frozen: true, historyEntryIsStored: true, readIsStored: true, eventIsStored: true });
  });

  it("lets a consumer's bundler keep only what it uses: one label function brings no schema and no zod", async () => {
    const bundled = async (contents: string) => {
      const out = await build({
        stdin: { contents, resolveDir: root, loader: "js" },
        bundle: true,
        minify: true,
        format: "esm",
        platform: "node",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      // The modules that put bytes in the output (an input tree-shaken away is listed with 0).
      const kept = Object.values(out.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
      return { bytes: out.outputFiles[0]?.contents.length ?? 0, zod: kept.some((path) => path.includes("node_modules/zod/")) };
    };
    const label = await bundled('import { historyKindLabel } from "habilitations";\nconsole.log(historyKindLabel.userAttached);\n');
    expect(label.zod).toBe(false);
    expect(label.bytes).toBeLessThan(30 * 1024);
    // What uses a schema still gets it (and zod): nothing the library needs is dropped.
    const parse = await bundled('import { parseValidateAttachmentRequest } from "habilitations";\nconsole.log(parseValidateAttachmentRequest({ requestId: "r" }));\n');
    expect(parse.zod).toBe(true);
  });
});
