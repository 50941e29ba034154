// Docs that compile: every TypeScript block of README.md and docs/*.md, type-checked
// against the built package (its `exports`, dist/*.d.ts: what a host imports), each block
// a module of its own, under a strict configuration. The placeholders a block may use
// without declaring them (the acting user's id, a logger, a request) are declared once,
// in scripts/doc-prelude.d.ts. Run after the build: `npm run build && npm run check:docs`.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
if (!existsSync(join(root, "dist/index.d.ts"))) {
  console.error("check:docs: dist/ is missing: run `npm run build` first.");
  process.exit(1);
}

/** A fenced TypeScript block: where it stands, and its code. */
interface Block {
  readonly file: string;
  /** The line of the block's first line of code (1-based). */
  readonly line: number;
  readonly code: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i] as string);
    if (open === null) continue;
    const indent = (open[1] as string).length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] as string)) end++;
    blocks.push({ file, line: start + 1, code: lines.slice(start, end).map((l) => l.slice(indent)).join("\n") });
    i = end;
  }
  return blocks;
}

const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const blocks = files.flatMap(blocksOf);

// Inside the repository, so that `habilitations` resolves to the package itself through
// its `exports` (a self-reference: dist/, as a host gets it), and `pg`, `vitest` and
// Node's types from its node_modules.
const dir = join(root, "reports/doc-blocks");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const names = new Map<string, Block>();
const fileNames = blocks.map((block, i) => {
  const name = join(dir, `${String(i).padStart(3, "0")}-${block.file.replace(/[/.]/g, "_")}-${block.line}.ts`);
  // Each block a module: its names are its own, top-level await allowed.
  writeFileSync(name, `${block.code}\nexport {};\n`);
  names.set(name, block);
  return name;
});

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
};
const program = ts.createProgram([join(root, "scripts/doc-prelude.d.ts"), ...fileNames], options);
const diagnostics = ts.getPreEmitDiagnostics(program);

let failed = 0;
const failedBlocks = new Set<string>();
for (const d of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
  const block = d.file === undefined ? undefined : names.get(resolve(d.file.fileName));
  if (d.file === undefined || block === undefined) {
    console.error(`${d.file === undefined ? "" : `${relative(root, d.file.fileName)}: `}${message}`);
    failed++;
    continue;
  }
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  console.error(`${block.file}:${block.line + line}:${character + 1}: TS${d.code}: ${message}`);
  failedBlocks.add(`${block.file}:${block.line}`);
  failed++;
}
console.log(`check:docs: ${blocks.length - failedBlocks.size} of ${blocks.length} TypeScript blocks of README.md and docs/ compile against the built package`);
if (failed > 0) process.exit(1);
