import fc from "fast-check";

// Only for mutation testing (vitest.mutation.config.ts), after test/setup.ts.
//
// A fixed seed, CI's unless FC_SEED gives another: @fast-check/vitest writes the seed into
// each property's name ("… (with seed=…)"), and StrykerJS runs a mutant's tests by the
// names it saw in its first run; with a fresh seed per run those names would not match,
// the properties would not run, and their mutants would wrongly survive.
//
// And a mutant is killed by a property's first counterexample, so fast-check stops there
// instead of shrinking it (shrinking a world of structures and users can outlast
// Stryker's timeout, and every timeout costs a restart of the test runner).
const current = fc.readConfigureGlobal();
fc.configureGlobal({
  ...current,
  seed: current.seed ?? 20261127,
  numRuns: current.numRuns ?? 100,
  endOnFailure: true,
});
