// Guide §6 on the core fixture: Alice, primary manager of three structures (the hospital
// and the town hall of the guide's cast, and a bookshop she founded too), ready to hand
// them over; helpers to build the states the transfer rules take.
import {
  attachUser,
  createStructure,
  localDate,
  servicesScope,
  structureId,
  WHOLE_STRUCTURE,
  type LocalDate,
  type Structure,
  type StructureId,
  type TransferState,
  type User,
  type UserId,
} from "../../../src/core/index.js";
import { buildGuide, ctx, setupNow, unwrap, type Guide } from "../fixtures.js";

/** The default window: the guide's « 60 jours », read as 60 × 24 hours. */
export const WINDOW_HOURS = 60 * 24;
/** `ctx` with the default reactivation window. */
export const wctx = { ...ctx, reactivationWindowHours: WINDOW_HOURS } as const;

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** An instant `ms` after `from`. */
export const after = (from: Date, ms: number): Date => new Date(from.getTime() + ms);

export interface World extends Guide {
  /** « Librairie des Canuts »: a private structure Alice founded; her third. */
  readonly bookshop: Structure;
  /** Every structure, by id. */
  readonly structures: ReadonlyMap<StructureId, Structure>;
  /** Every user, by id. */
  readonly users: ReadonlyMap<UserId, User>;
}

export const bookshopId = structureId("s-librairie-canuts");

/**
 * The guide's cast, with Alice primary manager of a third structure, « Librairie des
 * Canuts » (private, no services), founded at the setup.
 */
export function buildWorld(): World {
  const g = buildGuide();
  const founded = unwrap(
    createStructure(
      { founder: g.alice },
      { designation: "Librairie des Canuts", kind: "private", viaPigp: false, identifier: { type: "siret", value: "55242162200010" } },
      { now: setupNow, structureId: bookshopId },
    ),
  );
  const alice = founded.founder;
  const bookshop = founded.structure;
  const world = { ...g, alice, bookshop };
  return {
    ...world,
    structures: new Map([g.hospital, g.townHall, g.acme, bookshop].map((s) => [s.id, s])),
    users: new Map([alice, g.bruno, g.elodie, g.chloe, g.david, g.zoe, g.victor].map((u) => [u.id, u])),
  };
}

/**
 * The state of a transfer by `actor` (as given): every structure of the world and every
 * user as a possible successor, with the actor's record and these replaced.
 */
export function stateOf(w: World, actor: User, ...replaced: (User | Structure)[]): TransferState {
  const structures = new Map(w.structures);
  const users = new Map(w.users).set(actor.id, actor);
  for (const r of replaced) {
    if ("primaryManagerId" in r) structures.set(r.id, r);
    else users.set(r.id, r);
  }
  return { actor, structures, successors: users };
}

/** A user attached by Alice to the hospital as `role` with `scope`, from `validFrom` (at `ctx`). */
export function attachedToHospital(
  w: World,
  user: User,
  role: "user" | "secondaryManager",
  scope: ReturnType<typeof servicesScope> | typeof WHOLE_STRUCTURE,
  validFrom: LocalDate,
): User {
  return unwrap(
    attachUser(
      { actor: w.alice, structure: w.hospital, user, services: w.serviceIndex },
      { structureId: w.hospital.id, userId: user.id, role, validFrom, comment: "Arrivée", scope },
      ctx,
    ),
  ).user;
}

/** A calendar date. */
export const day = localDate;

/** Freezes a value and everything reachable from it (Maps' entries included): a rule that mutated its input would throw. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) for (const [k, v] of value) (deepFreeze(k), deepFreeze(v));
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/** The calendar date `days` after the tests' today (2026-11-27). */
export function localDateAfter(days: number): LocalDate {
  return localDate(new Date(Date.UTC(2026, 10, 27 + days)).toISOString().slice(0, 10));
}
