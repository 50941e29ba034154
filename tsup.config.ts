import { defineConfig } from "tsup";
import { pureModuleInit } from "./scripts/pure-module-init.js";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    memory: "src/memory/index.ts",
    postgres: "src/postgres/index.ts",
    testing: "src/testing/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: false, // none: the output is not minified (names kept, each module under a `// src/…` comment), so stack traces read as they are; maps doubled the package and pointed to a src/ it does not ship
  clean: true,
  // One chunk for the modules the entries share, so the library has one copy of its module
  // state (the freezing brand above all): a record frozen by the store is recognised by
  // the application layer and not copied again.
  splitting: true,
  treeshake: true,
  target: "es2022",
  platform: "node",
  // Optional peer dependencies, the host's, never bundled: pg for habilitations/postgres,
  // fast-check for the property tests of habilitations/testing.
  external: ["pg", "fast-check"],
  // Module-level values built through a pure-marked function, so a consumer's bundler drops
  // the ones it does not use (one label function does not bring every schema, nor zod).
  esbuildPlugins: [pureModuleInit()],
});
