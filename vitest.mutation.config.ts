import { defineConfig } from "vitest/config";

// The vitest run StrykerJS uses for mutation testing (stryker.config.mjs): only the tests
// that exercise the core purely, test/core/**. No PostgreSQL global setup, no store or
// application tests: they would run the same rules far more slowly, for every mutant.
// test/setup.ts is kept, so FC_SEED fixes fast-check's seed here as in the normal run;
// test/mutation-setup.ts then stops properties at their first counterexample.
export default defineConfig({
  test: {
    include: ["test/core/**/*.test.ts"],
    setupFiles: ["test/setup.ts", "test/mutation-setup.ts"],
    testTimeout: 60_000,
  },
});
