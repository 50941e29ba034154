import { commandOperations } from "./commands.js";
import { queryOperations } from "./queries.js";
import { resolveOptions, type HabilitationsOptions } from "./runner.js";

/**
 * The application layer: one async function per business act of the guide. Each
 * parses its input (junk gives `VALIDATION`), loads what the rule needs, runs the pure
 * transition with the injected clock and ids, saves everything in one unit of work
 * (retrying on a version conflict), and returns `Result<{ …outcome, history, events }>`.
 * Nothing is ever half-written, and no domain rule throws.
 */
export type Habilitations = ReturnType<typeof commandOperations> & ReturnType<typeof queryOperations>;

/**
 * Creates the application over a store.
 *
 * @example
 * ```ts
 * import { createHabilitations } from "habilitations";
 * import { createMemoryStore } from "habilitations/memory";
 *
 * const app = createHabilitations({ store: createMemoryStore() });
 * const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
 * if (!alice.ok) throw new Error(errorMessage(alice.error));
 * const acme = await app.createStructure(alice.value.user.id, {
 *   designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" },
 * });
 * ```
 */
export function createHabilitations(options: HabilitationsOptions): Habilitations {
  const deps = resolveOptions(options);
  return { ...commandOperations(deps), ...queryOperations(deps) };
}

export type { HabilitationsOptions, IdKind, Committed } from "./runner.js";
export type { BulkOutcome, BulkResultItem } from "./commands.js";
export type { PendingRequestSummary, MemberSummary } from "./queries.js";
export { MAX_PAGE_SIZE } from "./queries.js";
