// What every operation runs on: the resolved options, the time of a command, ids, and
// how infrastructure failures become error values.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  CHORUS_PRO_SPACES,
  DECIMAL_CHORUS_PRO_IDS,
  type ChorusProNumbering,
  DEFAULT_ACTIVATION_POLICY,
  DEFAULT_EXPIRY_WARNING_DAYS,
  EXPIRY_WARNING_DAYS_RANGE,
  type ActivationPolicy,
  type IssuedToken,
  spaceCatalogue,
  type SpaceCatalogue,
  calendarDate,
  DEFAULT_TIME_ZONE,
  err,
  isLocalDate,
  toInstant,
  type DomainError,
  type Instant,
  type LocalDate,
  type Result,
  type TransitionContext,
} from "../core/index.js";
import type { HabilitationsStore } from "../port/store.js";

/** The kinds of record the application layer creates ids for. */
export type IdKind = "structure" | "service" | "user" | "attachmentRequest" | "subscriptionRequest" | "event";

/** Options of {@link createHabilitations}. Everything but the store has a default. */
export interface HabilitationsOptions {
  /** Where aggregates, history and events are kept (`createMemoryStore()`, `createPostgresStore(pool)`). */
  readonly store: HabilitationsStore;
  /** The clock. Default: the system clock. */
  readonly clock?: () => Date;
  /** Makes a new id. Default: a prefixed random UUID (`usr_…`, `str_…`, `svc_…`, `req_…`, `evt_…`). */
  readonly newId?: (kind: IdKind) => string;
  /**
   * The IANA time zone whose calendar validity dates follow (« date de début de
   * validité », « today »). Default: `"Europe/Paris"`. Never the process time zone.
   */
  readonly timeZone?: string;
  /** The calendar date of an instant, for rules on validity dates. Default: the date in `timeZone`. */
  readonly today?: (now: Date) => LocalDate;
  /** How many times a command is tried when another one changed what it read. Default 5. */
  readonly maxAttempts?: number;
  /**
   * How activation tokens and account e-mails are limited (each field defaults to
   * {@link DEFAULT_ACTIVATION_POLICY}'s: activation tokens live 60 minutes, contact
   * confirmations 7 days; per account and initiator, one e-mail every 2 minutes at most,
   * 5 per 24 hours).
   */
  readonly activation?: Partial<ActivationPolicy>;
  /**
   * Makes an activation token (default: 32 random bytes from `node:crypto`, base64url).
   * Only its SHA-256 is stored. Replace it in tests only: a guessable token lets anyone
   * activate an account.
   */
  readonly newToken?: () => string;
  /**
   * How long a deactivated account may be reactivated, in hours after the deactivation
   * instant (default 60 × 24: the guide's « 60 jours », counted in hours so that a change
   * of daylight saving time moves nothing).
   */
  readonly reactivationWindowHours?: number;
  /**
   * How many days before a right's end (`validUntil`) the expiry sweep (`recordExpiries`)
   * gives its warning event (`AttachmentExpiringSoon`, `GrantExpiringSoon`): from
   * `validUntil − expiryWarningDays` on. An integer from 1 to 366; default
   * {@link DEFAULT_EXPIRY_WARNING_DAYS} (15).
   */
  readonly expiryWarningDays?: number;
  /**
   * The spaces (« espaces ») this deployment knows. Default: Chorus Pro's
   * (`CHORUS_PRO_SPACES`). Build your own with `spaceCatalogue([...])`.
   */
  readonly spaces?: SpaceCatalogue;
  /**
   * Told about every store failure (with what the store threw), for the host's logs;
   * the operation itself returns a `STORE_FAILURE` error.
   */
  readonly onStoreError?: (error: unknown, context: { readonly operation: string; readonly stage: "read" | "commit" }) => void;
  /**
   * How the library's ids and Chorus Pro's numbers (`idStructureCPP`, `idService`,
   * `idUtilisateur`, `codeEspace`) map to each other, both ways, for the Chorus Pro
   * queries (`chorusProRechercherStructure`, …): a request naming `idStructureCPP: 42`
   * finds the structure `structureIdOf(42)` names, and the response numbers records with
   * `structure(id)`. Default: `DECIMAL_CHORUS_PRO_IDS` (an id made of digits is its own
   * number). A function of it that throws, or gives an id that is not a string, makes the
   * query fail with `CONFIGURATION` (`chorusProIds`).
   */
  readonly chorusProIds?: ChorusProNumbering;
}

/**
 * The acting user: the id of their account, as the host's authentication resolved it (its
 * session or token names the person; see docs/embedding.md for mapping a login to it).
 * An id that names no account, or that is not an id at all, is `UNKNOWN_ACTOR`.
 */
export type ActorId = string;

/** Options every command takes as its last argument. */
export interface CommandOptions {
  /**
   * A key of the caller's choosing (a UUID per user action): a retry with the same key
   * and the same input gets the first outcome again instead of acting twice; with
   * another input, `IDEMPOTENCY_KEY_REUSED`. Keys belong to the actor. Only committed
   * outcomes are remembered: a refused command is decided afresh.
   */
  readonly idempotencyKey?: string;
}

/** The resolved options, as every operation sees them. */
export interface Deps {
  readonly store: HabilitationsStore;
  readonly clock: () => Date;
  readonly newId: (kind: IdKind) => string;
  readonly timeZone: string;
  readonly today: ((now: Date) => LocalDate) | undefined;
  readonly maxAttempts: number;
  readonly onStoreError: HabilitationsOptions["onStoreError"];
  readonly catalogue: SpaceCatalogue;
  /** The calendar date of an instant in `timeZone`, remembered for the last second asked. */
  readonly calendar: (now: Date) => LocalDate | null;
  readonly activation: ActivationPolicy;
  readonly newToken: () => string;
  readonly reactivationWindowHours: number;
  /** The host's Chorus Pro numbering, each call checked (a failure is `CONFIGURATION`). */
  readonly chorusProIds: ChorusProNumbering;
  readonly expiryWarningDays: number;
}

const prefix: Record<IdKind, string> = {
  structure: "str",
  service: "svc",
  user: "usr",
  attachmentRequest: "req",
  subscriptionRequest: "sub",
  event: "evt",
};

/** Every method of the port, so each can be guarded. */
const STORE_METHODS = [
  "getAggregates",
  "getStructure",
  "getStructures",
  "getService",
  "getServices",
  "listServices",
  "getUser",
  "getUsers",
  "findUserByLogin",
  "searchUsers",
  "findUsersByName",
  "findDueExpiries",
  "listMembers",
  "getAttachmentRequest",
  "findPendingRequest",
  "listPendingRequests",
  "listPendingSubscriptionRequests",
  "readHistory",
  "commit",
  "getIdempotencyRecord",
  "purgeIdempotencyRecords",
  "claimOutbox",
  "acknowledgeOutbox",
] as const satisfies readonly (keyof HabilitationsStore)[];
/** The optional methods of the port: guarded when the store has them. */
const OPTIONAL_STORE_METHODS = ["getAttachmentRequestContext", "exportRows"] as const satisfies readonly (keyof HabilitationsStore)[];

/** A store call that rejected: infrastructure, not a domain rule. */
export class StoreFailure extends Error {
  constructor(
    readonly stage: "read" | "commit",
    override readonly cause: unknown,
  ) {
    super(`store failure at ${stage}`);
  }
}

/** An option given to `createHabilitations` that misbehaved. */
export class ConfigurationFailure extends Error {
  constructor(
    readonly option: "clock" | "today" | "newId" | "newToken" | "chorusProIds",
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * The prototype of the objects a store is given: empty, frozen, itself without
 * prototype. An object made on it reads an absent field as absent whatever
 * `Object.prototype` holds, as an object without prototype does, and keeps V8's fast
 * properties (an object without prototype is a hash table: several times slower to make
 * and to read, measured for issue 19).
 */
const SEALED: object = Object.freeze(Object.create(null) as object);

/**
 * An argument as a store is given it: an object's own fields in an object whose
 * prototype chain never reaches `Object.prototype` ({@link SEALED}), so that a field the
 * application left out (a query's `after`, a unit's `idempotency`) reads as absent in any
 * store, even with `Object.prototype` polluted by some other library. Every object a
 * store is given has its optional fields at the top (queries, pages, units, references);
 * what it holds deeper is complete records.
 */
function sealedArgument(arg: unknown): unknown {
  if (typeof arg !== "object" || arg === null || Array.isArray(arg)) return arg;
  const proto = Object.getPrototypeOf(arg) as unknown;
  if (proto === null || proto === SEALED) return arg;
  return Object.assign(Object.create(SEALED) as object, arg);
}

/**
 * The store, with every rejection turned into a {@link StoreFailure}, and every object it
 * is given sealed ({@link sealedArgument}).
 */
function guard(store: HabilitationsStore): HabilitationsStore {
  const guarded: Record<string, unknown> = {};
  for (const method of [...STORE_METHODS, ...OPTIONAL_STORE_METHODS]) {
    if (store[method] === undefined) continue;
    const stage = method === "commit" ? "commit" : "read";
    const call = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    const failed = (thrown: unknown): never => {
      throw new StoreFailure(stage, thrown);
    };
    guarded[method] = (...args: unknown[]) => {
      let answer: Promise<unknown>;
      try {
        for (let i = 0; i < args.length; i++) args[i] = sealedArgument(args[i]);
        answer = Promise.resolve(call(...args));
      } catch (thrown) {
        return Promise.reject(new StoreFailure(stage, thrown));
      }
      return answer.then(undefined, failed);
    };
  }
  return guarded as unknown as HabilitationsStore;
}

/**
 * The calendar date of an instant in a time zone, remembered for the second it was asked
 * for (time-zone offsets are whole seconds, so a date cannot change within one): the
 * access query is asked on every request of a host, and the zone arithmetic costs more
 * than the rest of it.
 */
function rememberedCalendar(timeZone: string): (now: Date) => LocalDate | null {
  let second = Number.NaN;
  let date: LocalDate | null = null;
  return (now) => {
    const s = Math.floor(now.getTime() / 1000);
    if (s !== second) {
      date = calendarDate(now, timeZone);
      second = s;
    }
    return date;
  };
}

/** The catalogue given, checked again (a hand-made object could break the lookups), or Chorus Pro's. */
function checkedCatalogue(catalogue: SpaceCatalogue | undefined): SpaceCatalogue {
  if (catalogue === undefined) return CHORUS_PRO_SPACES;
  const rebuilt = spaceCatalogue(Array.isArray(catalogue?.spaces) ? catalogue.spaces : []);
  if (!rebuilt.ok) throw new RangeError(`habilitations: the spaces catalogue is invalid (${JSON.stringify(rebuilt.error)})`);
  return rebuilt.value;
}

/** The activation policy with its defaults, checked (a `RangeError` for an impossible value). */
function checkedPolicy(policy: Partial<ActivationPolicy> | undefined): ActivationPolicy {
  const resolved = { ...DEFAULT_ACTIVATION_POLICY, ...policy };
  const bounds: Record<keyof ActivationPolicy, [number, number]> = {
    tokenLifetimeMinutes: [1, 60 * 24 * 30],
    contactTokenLifetimeMinutes: [1, 60 * 24 * 30],
    minMinutesBetweenEmails: [0, 60 * 24],
    maxEmailsPer24Hours: [1, 1000],
  };
  for (const [field, [min, max]] of Object.entries(bounds) as [keyof ActivationPolicy, [number, number]][]) {
    const value = resolved[field];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`activation.${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return Object.freeze(resolved);
}

/**
 * The host's Chorus Pro numbering, checked once (a `TypeError` when a method is missing:
 * it can never work) and guarded at every call: a method that throws, or a reverse lookup
 * that gives something else than a string or `undefined`, is a {@link ConfigurationFailure}.
 * What the forward methods give, the renderers check (a number the API cannot carry is
 * left out).
 */
function checkedNumbering(numbering: ChorusProNumbering | undefined): ChorusProNumbering {
  if (numbering === undefined) return DECIMAL_CHORUS_PRO_IDS;
  const held = numbering as unknown as Record<string, unknown>;
  const required = ["structure", "service", "structureIdOf", "serviceIdOf"];
  const missing = required.filter((m) => typeof held?.[m] !== "function");
  const optional = ["space", "userIdOf"].filter((m) => held?.[m] !== undefined && typeof held[m] !== "function");
  if (missing.length > 0 || optional.length > 0)
    throw new TypeError(`chorusProIds: ${[...missing, ...optional].join(", ")} must be functions`);
  const call = <T>(name: string, arg: unknown): T => {
    try {
      return (held[name] as (a: unknown) => T).call(numbering, arg);
    } catch {
      throw new ConfigurationFailure("chorusProIds", `chorusProIds.${name}() a levé une exception`);
    }
  };
  const reverse = <T extends string>(name: string) => (n: number): T | undefined => {
    const id = call<unknown>(name, n);
    if (id !== undefined && typeof id !== "string")
      throw new ConfigurationFailure("chorusProIds", `chorusProIds.${name}() n'a donné ni une chaîne ni undefined`);
    return id as T | undefined;
  };
  // Without prototype: a method the host left out (`space`, `userIdOf`) reads as absent,
  // whatever a polluted Object.prototype holds.
  return Object.freeze(Object.assign(Object.create(null) as object, {
    structure: (id) => call<number | undefined>("structure", id),
    service: (id) => call<number | undefined>("service", id),
    ...(held["space"] === undefined ? {} : { space: (code) => call<number | undefined>("space", code) }),
    structureIdOf: reverse("structureIdOf"),
    serviceIdOf: reverse("serviceIdOf"),
    ...(held["userIdOf"] === undefined ? {} : { userIdOf: reverse("userIdOf") }),
  } satisfies ChorusProNumbering));
}

function checkedWarningDays(days: number | undefined): number {
  const value = days ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const { min, max } = EXPIRY_WARNING_DAYS_RANGE;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`expiryWarningDays must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

function checkedWindow(hours: number | undefined): number {
  const value = hours ?? 60 * 24;
  if (!Number.isInteger(value) || value < 1 || value > 24 * 366 * 10)
    throw new RangeError(`reactivationWindowHours must be an integer from 1 to ${24 * 366 * 10}, got ${String(value)}`);
  return value;
}

/**
 * Applies defaults to the options, and checks those that can be checked once
 * (a `RangeError` at construction for an impossible value).
 */
export function resolveOptions(options: HabilitationsOptions): Deps {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (calendarDate(new Date(0), timeZone) === null) throw new RangeError(`unknown time zone: ${timeZone}`);
  const missing = STORE_METHODS.filter((m) => typeof (options.store as unknown as Record<string, unknown>)?.[m] !== "function");
  if (missing.length > 0) throw new TypeError(`the store lacks ${missing.join(", ")}`);
  return {
    store: guard(options.store),
    clock: options.clock ?? (() => new Date()),
    newId: options.newId ?? ((kind) => `${prefix[kind]}_${randomUUID()}`),
    timeZone,
    today: options.today,
    maxAttempts,
    onStoreError: options.onStoreError,
    catalogue: checkedCatalogue(options.spaces),
    calendar: rememberedCalendar(timeZone),
    activation: checkedPolicy(options.activation),
    newToken: options.newToken ?? (() => randomBytes(32).toString("base64url")),
    reactivationWindowHours: checkedWindow(options.reactivationWindowHours),
    chorusProIds: checkedNumbering(options.chorusProIds),
    expiryWarningDays: checkedWarningDays(options.expiryWarningDays),
  };
}

/** The time of one command: the clock is read once, its calendar date computed once. */
export interface Clocked extends TransitionContext {
  readonly today: LocalDate;
  readonly at: Instant;
}

/** Reads the clock and today's date, checking both. */
export function clocked(deps: Deps): Clocked {
  const { now, today } = dated(deps);
  return { now, today, at: toInstant(now), timeZone: deps.timeZone };
}

/** Reads the clock and today's date only (what a query needs), checking both. */
export function dated(deps: Deps): { readonly now: Date; readonly today: LocalDate } {
  let now: unknown;
  try {
    now = deps.clock();
  } catch {
    throw new ConfigurationFailure("clock", "l'horloge a levé une exception");
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new ConfigurationFailure("clock", "l'horloge n'a pas donné de Date valide");
  if (deps.today === undefined) {
    // The library's own calendar gives a real date or null (a year beyond 0000–9999).
    const today = deps.calendar(now);
    if (today === null) throw new ConfigurationFailure("clock", `l'horloge a donné une date hors limites (${now.getTime()})`);
    return { now, today };
  }
  const iso = now.toISOString();
  if (!/^\d{4}-/.test(iso)) throw new ConfigurationFailure("clock", `l'horloge a donné une date hors limites (${iso})`);
  let today: unknown;
  try {
    today = deps.today(now);
  } catch {
    throw new ConfigurationFailure("today", "la fonction today a levé une exception");
  }
  if (!isLocalDate(today)) throw new ConfigurationFailure("today", "today n'a pas donné de date AAAA-MM-JJ");
  return { now, today };
}

/**
 * The calendar date of a given instant (not the clock's): the host's `today` function
 * when it gave one (checked), else the date in `timeZone`; `null` when there is none (a
 * year beyond 9999 in that zone).
 */
export function dayOf(deps: Deps, instant: Date): LocalDate | null {
  if (deps.today === undefined) return calendarDate(instant, deps.timeZone);
  let today: unknown;
  try {
    today = deps.today(instant);
  } catch {
    throw new ConfigurationFailure("today", "la fonction today a levé une exception");
  }
  if (!isLocalDate(today)) throw new ConfigurationFailure("today", "today n'a pas donné de date AAAA-MM-JJ");
  return today;
}

/** Makes an id, checking what the host's `newId` gave. */
export function mintId(deps: Deps, kind: IdKind): string {
  let id: unknown;
  try {
    id = deps.newId(kind);
  } catch {
    throw new ConfigurationFailure("newId", `newId("${kind}") a levé une exception`);
  }
  if (typeof id !== "string" || id.length === 0 || id.length > 200)
    throw new ConfigurationFailure("newId", `newId("${kind}") n'a pas donné une chaîne de 1 à 200 caractères`);
  return id;
}

/**
 * Runs an operation body, turning infrastructure failures into error values: a store
 * failure is `STORE_FAILURE` (and told to `onStoreError`), a misbehaving option is
 * `CONFIGURATION`. Anything else is a bug and propagates.
 */
export async function shielded<T>(
  deps: Deps,
  operation: string,
  body: () => Promise<Result<T, DomainError>>,
): Promise<Result<T, DomainError>> {
  try {
    return await body();
  } catch (thrown) {
    if (thrown instanceof StoreFailure) {
      try {
        deps.onStoreError?.(thrown.cause, { operation, stage: thrown.stage });
      } catch {
        // A failing logger must not turn a reported failure into a crash.
      }
      return err({ code: "STORE_FAILURE", stage: thrown.stage });
    }
    if (thrown instanceof ConfigurationFailure)
      return err({ code: "CONFIGURATION", option: thrown.option, message: thrown.detail });
    throw thrown;
  }
}


/**
 * The SHA-256 of an activation token, base64url: what the store keeps instead of the
 * token. A token of 32 random bytes cannot be found again from it.
 *
 * @example
 * ```ts
 * hashActivationToken("k3JmY2"); // "…43 characters…"
 * ```
 */
export function hashActivationToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64url");
}

/** Makes an activation token with the host's `newToken` (checked) and its hash. */
export function issueToken(deps: Deps): IssuedToken {
  let token: unknown;
  try {
    token = deps.newToken();
  } catch {
    throw new ConfigurationFailure("newToken", "newToken() a levé une exception");
  }
  if (typeof token !== "string" || !/^[\x21-\x7E]{16,200}$/.test(token))
    throw new ConfigurationFailure("newToken", "newToken() n'a pas donné 16 à 200 caractères ASCII imprimables");
  return { token, tokenHash: hashActivationToken(token) };
}
