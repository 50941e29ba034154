import fc from "fast-check";

// CI fixes the seed through FC_SEED so a run is reproducible; a failing run prints its
// seed and path (fast-check does so in the error message), to replay with FC_SEED=<seed>.
const seed = process.env["FC_SEED"];
if (seed !== undefined && seed !== "") {
  const parsed = Number(seed);
  if (!Number.isInteger(parsed)) throw new Error(`FC_SEED must be an integer, got "${seed}"`);
  fc.configureGlobal({ seed: parsed, numRuns: Number(process.env["FC_NUM_RUNS"] ?? 100) });
}
