// fast-check is an optional peer dependency: the contract's property tests load it when
// they run, so that the rest of habilitations/testing loads and runs without it.
import type * as FastCheck from "fast-check";

/** fast-check's module, as the property tests use it. */
export type FastCheckModule = typeof FastCheck;

/** What a property test says when fast-check is not installed. */
export const FAST_CHECK_MISSING =
  "This property test of habilitations/testing needs fast-check, an optional peer dependency: " +
  "install it (npm install --save-dev fast-check), or pass `properties: false` to runStoreContract " +
  "to run the example-based contract alone.";

let loading: Promise<FastCheckModule> | undefined;

/** fast-check, loaded on first use; rejects with {@link FAST_CHECK_MISSING} when it cannot be. */
export function loadFastCheck(): Promise<FastCheckModule> {
  loading ??= import("fast-check").catch((cause: unknown) => {
    loading = undefined;
    throw new Error(FAST_CHECK_MISSING, { cause });
  });
  return loading;
}
