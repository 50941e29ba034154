// The build step that lets a consumer's bundler drop the module-level values it does not
// use (scripts/pure-module-init.ts): what it wraps, what it leaves, and that the module
// still computes the same values in the same order.
import { describe, expect, it } from "vitest";
import { markModuleInitPure } from "../../scripts/pure-module-init.js";

const PURE = "/* @__PURE__ */ (() => (";

describe("markModuleInitPure", () => {
  it("wraps computed module-level initialisers and leaves literals, functions and other statements alone", () => {
    const source = [
      'import { z } from "zod";',
      "export const Schema: z.ZodType<string> = z.string().min(1);",
      "const codes = { read: 'R' };",
      "export const toCode = codes.read;",
      "const table = { a: z.string() };",
      "const list = [1, 2, 3];",
      "const fn = (x: number) => helper(x);",
      "function helper(x: number) { const inner = Object.freeze([x]); return inner; }",
      "export let frozen = Object.freeze({ a: 1 }) as const;",
      "check();",
      "declare const ambient: number;",
    ].join("\n");
    const out = markModuleInitPure(source).split("\n");
    expect(out).toEqual([
      'import { z } from "zod";',
      `export const Schema: z.ZodType<string> = ${PURE}z.string().min(1)))();`,
      "const codes = { read: 'R' };",
      `export const toCode = ${PURE}codes.read))();`,
      `const table = ${PURE}{ a: z.string() }))();`,
      "const list = [1, 2, 3];",
      "const fn = (x: number) => helper(x);",
      "function helper(x: number) { const inner = Object.freeze([x]); return inner; }",
      `export let frozen = ${PURE}Object.freeze({ a: 1 }) as const))();`,
      "check();",
      "declare const ambient: number;",
    ]);
  });

  it("gives a module that computes the same values, in the same order", async () => {
    const source = [
      "const order: string[] = [];",
      "const note = (s: string) => { order.push(s); return s; };",
      "export const first = note('first');",
      "export const second = { value: note('second') };",
      "export const third = [note('third')].length;",
      "export const seen = order.join(',');",
    ].join("\n");
    const ts = await import("typescript");
    const load = async (text: string) => {
      const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      return (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as Record<string, unknown>;
    };
    const before = await load(source);
    const after = await load(markModuleInitPure(source));
    expect(after).toEqual(before);
    expect(after.seen).toBe("first,second,third");
  });
});
