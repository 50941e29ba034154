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
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
  target: "es2022",
  platform: "node",
  // Optional peer dependencies, the host's, never bundled: pg for habilitations/postgres,
  // fast-check for the property tests of habilitations/testing.
  external: ["pg", "fast-check"],
});
