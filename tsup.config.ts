import { defineConfig } from "tsup";

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
  splitting: false,
  treeshake: true,
  target: "es2022",
  platform: "node",
  // Optional peer dependencies, the host's, never bundled: pg for habilitations/postgres,
  // fast-check for the property tests of habilitations/testing.
  external: ["pg", "fast-check"],
});
