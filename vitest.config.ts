import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // examples/: the example service, tested end to end over HTTP (examples/README.md).
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // A throwaway PostgreSQL for the store tests, unless DATABASE_URL names one.
    globalSetup: ["test/postgres/global-setup.ts"],
    testTimeout: 60_000,
    // In CI, also a JSON report, from which .ci/run prints a plain "N passed, N failed".
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: "reports/vitest.json" }]] : ["default"],
    // `npm test` measures what the tests run of the core (the pure rules and transitions)
    // and fails under 90 % of its lines or branches (docs/testing.md).
    coverage: {
      provider: "v8",
      include: ["src/core/**/*.ts"],
      reporter: ["text-summary", "json-summary", "html"],
      reportsDirectory: "reports/coverage",
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
