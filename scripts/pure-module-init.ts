/**
 * A build step (an esbuild plugin, run by tsup): every module-level `const` or `let` of
 * `src/` whose value is computed (a call, a `new`, a property read, an object or array
 * holding any of those) is evaluated through a function marked `/* @__PURE__ *\/`, so a
 * bundler drops it when the consumer does not use it.
 *
 * Why: the package says `"sideEffects": false`, but a bundler still keeps every module-level
 * statement it cannot prove free of effects, and to esbuild or Rollup `z.strictObject(…)`,
 * `Object.freeze(…)` or `codes.toCode` may have some. Without this, a consumer importing one
 * label function got every schema of the library, and zod with them (470 KiB minified).
 * The claim it writes is the one `"sideEffects": false` already makes: nothing in `src/`
 * is evaluated for an effect; a module-level initialiser only builds a value. (Statements
 * that are not declarations, such as `migrations.ts`'s load-time checks, are left as they
 * are.) The value is computed once, when the module loads, in the same order as before.
 *
 * @example
 * ```ts
 * // tsup.config.ts
 * export default defineConfig({ esbuildPlugins: [pureModuleInit()] });
 * // src: export const RoleSchema = z.enum(ROLES);
 * // dist: var RoleSchema = /* @__PURE__ *\/ (() => z.enum(ROLES))();
 * ```
 */
import { readFile } from "node:fs/promises";
import ts from "typescript";

/** The esbuild plugin. */
export function pureModuleInit(): { name: string; setup(build: EsbuildLike): void } {
  return {
    name: "pure-module-init",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const text = await readFile(args.path, "utf8");
        return { contents: markModuleInitPure(text, args.path), loader: "ts" };
      });
    },
  };
}

/** The part of esbuild's plugin API this plugin uses (esbuild is tsup's, not imported here). */
interface EsbuildLike {
  onLoad(
    options: { filter: RegExp },
    callback: (args: { path: string }) => Promise<{ contents: string; loader: "ts" }>,
  ): void;
}

/**
 * The module's text with each computed module-level initialiser wrapped in a pure IIFE.
 * Only the initialisers are touched (inserted text, nothing removed), so every other
 * position of the file, and its type annotations, are kept.
 */
export function markModuleInitPure(text: string, fileName = "module.ts"): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { at: number; insert: string }[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const value = declaration.initializer;
      if (value === undefined || !computed(value)) continue;
      edits.push({ at: value.getStart(source), insert: "/* @__PURE__ */ (() => (" });
      edits.push({ at: value.getEnd(), insert: "))()" });
    }
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, edit.at) + edit.insert + out.slice(edit.at);
  return out;
}

/** Whether evaluating an expression may call or read something (outside function bodies). */
function computed(node: ts.Node): boolean {
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) return false;
  if (
    ts.isCallExpression(node) ||
    ts.isNewExpression(node) ||
    ts.isPropertyAccessExpression(node) ||
    ts.isElementAccessExpression(node) ||
    ts.isTaggedTemplateExpression(node) ||
    ts.isSpreadElement(node) ||
    ts.isSpreadAssignment(node)
  ) {
    return true;
  }
  return ts.forEachChild(node, (child) => (computed(child) ? true : undefined)) ?? false;
}
