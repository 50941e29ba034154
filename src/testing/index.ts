/**
 * The repository contract: one suite every store adapter must pass. It takes the test
 * functions from its caller, so it runs under vitest, node:test or jest, and bundles
 * no test runner.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { createMemoryStore } from "habilitations/memory";
 * import { runStoreContract } from "habilitations/testing";
 *
 * runStoreContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
 * ```
 */
import { contractFixtures } from "./fixtures.js";
import { contractTest, type StoreContractOptions } from "./helpers.js";
import { aggregatesAndVersions } from "./contract-aggregates.js";
import { atomicity } from "./contract-atomicity.js";
import { concurrency } from "./contract-concurrency.js";
import { uniqueKeys } from "./contract-unique-keys.js";
import { outbox } from "./contract-outbox.js";
import { queries } from "./contract-queries.js";
import { accounts } from "./contract-accounts.js";
import { search } from "./contract-search.js";
import { exportRows } from "./contract-export.js";
import { expiries } from "./contract-expiries.js";

export { contractFixtures };
export type { StoreContractOptions };

/**
 * Registers the contract's tests with the caller's `describe` and `it`.
 *
 * @example
 * ```ts
 * runStoreContract({ name: "postgres", createStore: () => createPostgresStore(pool), describe, it });
 * ```
 */
export function runStoreContract(options: StoreContractOptions): void {
  const test = contractTest(options);
  options.describe(`store contract: ${options.name}`, () => {
    aggregatesAndVersions(options.describe, test);
    atomicity(options.describe, test);
    concurrency(options.describe, test);
    uniqueKeys(options.describe, test);
    outbox(options.describe, test);
    queries(options.describe, test);
    accounts(options.describe, test);
    search(options.describe, test, options.propertyRuns, options.properties ?? true);
    exportRows(options.describe, test, options.propertyRuns, options.properties ?? true);
    expiries(options.describe, test);
  });
}
export { runApplicationContract } from "./application.js";
