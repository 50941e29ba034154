// What the contract suites share: units of work, fixtures, paging, the per-test store.
import assert from "node:assert/strict";
import {
  type HistoryEntry,
  type StructureId,
  type User,
  type UserId,
} from "../core/index.js";
import type { CommitResult, HabilitationsStore, HistoryQuery, UnitOfWork, Write } from "../port/store.js";
import { at, contractFixtures } from "./fixtures.js";

export const fx = contractFixtures;

export const unit = (parts: Partial<UnitOfWork> = {}): UnitOfWork => ({ writes: [], reads: [], history: [], events: [], ...parts });

export const create = (...writes: Write["value"][]): UnitOfWork =>
  unit({ writes: writes.map((value) => ({ kind: kindOf(value), value, expectedVersion: null }) as Write) });

export const update = (value: Write["value"], expectedVersion: number, parts: Partial<UnitOfWork> = {}): UnitOfWork =>
  unit({ writes: [{ kind: kindOf(value), value, expectedVersion } as Write], ...parts });

export function kindOf(value: Write["value"]): Write["kind"] {
  if ("primaryManagerId" in value) return "structure";
  if ("login" in value) return "user";
  if ("items" in value) return "subscriptionRequest";
  if ("status" in value) return "attachmentRequest";
  return "service";
}

export function assertOk(result: CommitResult): asserts result is Extract<CommitResult, { ok: true }> {
  if (!result.ok) assert.fail(`commit refused: ${JSON.stringify(result.error)}`);
}

/** Every entry a query finds, page by page, each page starting before the last one read. */
export async function readAllHistory(
  store: HabilitationsStore,
  s: StructureId,
  limit: number,
  query: Omit<HistoryQuery, "limit" | "before"> = {},
) {
  const all: HistoryEntry[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.readHistory(s, before === undefined ? { ...query, limit } : { ...query, limit, before });
    assert.ok(page.length <= limit, "a page holds at most `limit` entries");
    all.push(...page);
    if (page.length < limit) return all;
    before = (page[page.length - 1] as HistoryEntry).sequence;
  }
  assert.fail("history pagination does not end");
}

/** Every member of a structure, page by page. */
export async function readAllMembers(store: HabilitationsStore, s: StructureId, limit: number) {
  const all: User[] = [];
  let after: UserId | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listMembers(s, after === undefined ? { limit } : { limit, after });
    assert.ok(page.length <= limit, "a page holds at most `limit` members");
    all.push(...page);
    if (page.length < limit) return all;
    after = (page[page.length - 1] as User).id;
  }
  assert.fail("member pagination does not end");
}

/** Tries to change a value handed out by a store (a frozen one throws: that is fine too). */
export function tamper(change: () => void): void {
  try {
    change();
  } catch {
    // A store may hand out frozen values.
  }
}

/** Everything left to claim now (with a lease of one second), by event id. */
export async function claimable(store: HabilitationsStore, seconds = 0) {
  return (await store.claimOutbox({ limit: 1000, now: at(seconds), leaseUntil: at(seconds + 1) })).map((m) => m.event.id);
}

/** A contract test: a body run on a fresh store, disposed of afterwards. */
export type ContractTest = (name: string, body: (store: HabilitationsStore) => Promise<void>) => void;

/** The options every contract suite takes. */
export interface StoreContractOptions {
  /** Shown in the suite's title. */
  readonly name: string;
  /** A fresh, empty store for each test. */
  readonly createStore: () => Promise<HabilitationsStore>;
  /** Called after each test with the store it used (close pools, drop schemas…). */
  readonly disposeStore?: (store: HabilitationsStore) => Promise<void>;
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
  /**
   * How many random cases each property of the contract tries (fast-check's `numRuns`):
   * by default fast-check's (100, or its global configuration); fewer on a store where
   * each case costs round trips.
   */
  readonly propertyRuns?: number;
  /**
   * Whether to register the contract's property tests (default `true`). They need
   * fast-check, an optional peer dependency: without it they fail, saying so; pass
   * `false` to run the example-based contract alone.
   */
  readonly properties?: boolean;
}

/** The caller's `it`, each test on a fresh store disposed of afterwards. */
export function contractTest(options: StoreContractOptions): ContractTest {
  return (name, body) =>
    options.it(name, async () => {
      const store = await options.createStore();
      try {
        await body(store);
      } finally {
        await options.disposeStore?.(store);
      }
    });
}
