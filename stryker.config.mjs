// @ts-check
// Mutation testing of the pure core (issue 12, "show the proof has teeth"): StrykerJS
// changes the rules and transitions of src/core one small edit (a mutant) at a time and
// runs the core's tests against each; a mutant no test notices shows a rule the tests
// do not pin down. Run with `npm run mutation`; reports land in reports/mutation/
// (git-ignored). docs/testing.md explains the score and the surviving mutants.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // Only test/core/** (vitest.mutation.config.ts): the pure tests, no PostgreSQL.
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: [
    "src/core/**/*.ts",
    // Re-exports only: no code of its own.
    "!src/core/index.ts",
    // Types only (the records' interfaces): nothing to mutate.
    "!src/core/model.ts",
    // Brand types and identity casts (`value as UserId`): no behaviour to change.
    "!src/core/ids.ts",
    // Constant catalogues: the guide's French labels and Chorus Pro API codes
    // (vocabulary.ts, with the two-way code lookup) and the history kinds with their
    // labels (history.ts). Their tests restate the guide's text value by value, so a
    // mutant there only measures that restating, not a rule.
    "!src/core/vocabulary.ts",
    "!src/core/history.ts",
    // The French sentences of errorMessage, one template per error code: formatting
    // kept apart from the error data ("match on code, never on this text"), no rule.
    "!src/core/errors.ts",
  ],
  coverageAnalysis: "perTest",
  // Static mutants are those hit while modules load or tests are collected, outside any
  // test: the zod schemas built at import, and fixtures some describe blocks build while
  // collecting (schemas.test.ts runs the whole guide so). Each would need every test run
  // again with the modules reloaded (minutes each on 2 cores). With ignoreStatic, a
  // mutant that some test also covers is still run against those tests; only one no
  // test covers at run time is ignored (reported as Ignored, outside the score).
  ignoreStatic: true,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 90, low: 85, break: 85 },
};
