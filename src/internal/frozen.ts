// The library's one freezing policy (docs/reliability.md): the core never freezes nor
// changes what it is given; what a caller receives from the application layer or a
// store is deep-frozen data it cannot change; a store copies what it keeps once.
//
// Two ways to get there:
// - `frozenCopy` copies what it is given (a store receiving a caller's objects, a value
//   of unknown origin);
// - `freezeOwned` freezes what the library has just built itself (an outcome, the
//   records a command wrote): its arrays in place, its objects copied once each into
//   objects with room for the stamp (internal/rooms.ts).
// Both reuse, as they are, the parts made before: a user with one attachment changed only
// costs the new parts.
//
// What was made is recognised by a private field stamped on each object, not a `WeakSet`:
// a `WeakSet` of millions of objects made every garbage collection walk it (its entries
// are ephemerons), and a memory store of 1 000 000 users spent minutes in the GC. A
// private field costs the collector nothing and cannot be forged from outside: no code
// but this module's can read or add it. Arrays carry no stamp (a property on an array
// costs a backing store of its own): a frozen array whose elements are all immutable
// (primitives, stamped objects, such arrays) cannot change, so it is reused as it is.
//
// The stamp is this module's state: the package's entries share one copy of it (tsup
// `splitting`), or the application layer would copy again every record a store hands out.

import { WHOLE_STRUCTURE } from "../core/scope.js";
import { roomFor } from "./rooms.js";

/** Returns the object it is given, so that a subclass's private field lands on it. */
class Carrier {
  constructor(target: object) {
    // biome-ignore lint: a constructor returning another object is the point here.
    return target;
  }
}

/** The stamp: `new Made(o)` adds the private field to `o` (not a copy of it). */
class Made extends Carrier {
  readonly #made = true;
  /** Whether `frozenCopy` or `freezeOwned` made this object. */
  static has(value: object): boolean {
    return #made in value;
  }
  /** Stamps an object (before it is frozen). */
  static add(value: object): void {
    void new Made(value).#made;
  }
}

/**
 * The one empty list every frozen record holds for an empty list (a user's grants, its
 * account e-mails…): 32 bytes an empty array, two a stored user, saved.
 */
const NONE: readonly never[] = Object.freeze([]);

/**
 * Whether this module made an object, or it is the core's whole-structure scope: a
 * constant of deep-frozen plain data that every whole-structure attachment, request and
 * history entry holds (copied, it was one copy per record).
 */
function made(value: object): boolean {
  return Made.has(value) || value === WHOLE_STRUCTURE;
}

/** Whether a value is deep-frozen data this module made, or a frozen array of such values. */
function immutable(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (!Array.isArray(value)) return made(value);
  if (!Object.isFrozen(value)) return false;
  for (let i = 0; i < value.length; i++) if (!immutable(value[i])) return false;
  return true;
}

const OBJECT = Object.prototype;
const hasOwn = OBJECT.hasOwnProperty;

/**
 * Sets an own data property: an own "__proto__" key (JSON.parse makes them) included, and
 * a key Object.prototype has (a setter or a read-only field put there by pollution, or a
 * frozen Object.prototype, would take or refuse an assignment; a definition is neither).
 */
function setOwn(object: Record<string, unknown>, key: string, part: unknown): void {
  if (key === "__proto__" || hasOwn.call(OBJECT, key))
    Object.defineProperty(object, key, { value: part, enumerable: true, writable: true, configurable: true });
  else object[key] = part;
}

/**
 * A deep-frozen copy of plain data, made of ordinary objects and arrays (whatever the
 * prototypes of the source). Parts made before are reused as they are. An object is
 * copied into one with room in itself for its fields and the stamp (internal/rooms.ts).
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    if (immutable(value)) return value;
    if (value.length === 0) return NONE as T;
    const array = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) array[i] = frozenCopy(value[i]);
    return Object.freeze(array) as T;
  }
  if (made(value)) return value;
  const keys = Object.keys(value);
  const copy = roomFor(keys.length + 1);
  for (const key of keys) {
    const part = (value as Record<string, unknown>)[key];
    setOwn(copy, key, typeof part === "object" && part !== null ? frozenCopy(part) : part);
  }
  Made.add(copy);
  return Object.freeze(copy) as T;
}

/**
 * Deep-freezes plain data the library has just built and nobody else holds (an outcome,
 * the records a command wrote): its arrays are frozen in place; its plain objects are
 * copied into objects with room for the stamp (internal/rooms.ts), each once however
 * often it is reached (`copies`, shared by the calls of one command, so that a record
 * written and shown is one object); its parts made before are reused as they are. What
 * comes out is what {@link frozenCopy} would give. Never give it a caller's objects:
 * their arrays would be frozen in the caller's hands.
 *
 * @example
 * ```ts
 * const copies: Copies = new Map();
 * const record = freezeOwned(decided.request, copies);
 * const shown = freezeOwned({ request: decided.request }, copies); // shown.request === record
 * ```
 */
export function freezeOwned<T>(value: T, copies?: Copies): T {
  if (typeof value !== "object" || value === null) return value;
  return owned(value, copies ?? new Map());
}

/**
 * The frozen objects made from the objects of one command's outcome (an object reached
 * twice, such as a record written and shown, is made once): give the same to every
 * {@link freezeOwned} of one command.
 */
export type Copies = Map<object, object>;

function owned<T extends object>(value: T, copies: Copies): T {
  if (Array.isArray(value)) {
    if (Object.isFrozen(value)) return frozenCopy(value);
    if (value.length === 0) return NONE as T;
    for (let i = 0; i < value.length; i++) {
      const part = value[i] as unknown;
      if (typeof part === "object" && part !== null) {
        const made = owned(part, copies);
        if (made !== part) value[i] = made;
      }
    }
    return Object.freeze(value);
  }
  if (made(value)) return value;
  const known = copies.get(value);
  if (known !== undefined) return known as T;
  if (Object.getPrototypeOf(value) !== Object.prototype || !Object.isExtensible(value) || Object.getOwnPropertySymbols(value).length > 0) {
    const copy = frozenCopy(value);
    copies.set(value, copy);
    return copy;
  }
  // Copied into an object with room for its fields and the stamp in itself: stamped in
  // place, a literal would get a separate property store for the stamp (about 60 bytes a
  // record, most of the heap a stored user used to cost beyond its fields).
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const copy = roomFor(keys.length + 1);
  for (const key of keys) {
    const part = object[key];
    setOwn(copy, key, typeof part === "object" && part !== null ? owned(part, copies) : part);
  }
  Made.add(copy);
  Object.freeze(copy);
  copies.set(value, copy);
  return copy as T;
}

/**
 * Freezes a record the application built and marks it as one `frozenCopy` made, so that
 * `frozenCopy` hands it on as it is instead of copying its parts: for a record holding
 * something that is not plain data and must reach the caller unchanged (the error a
 * host's delivery threw, with its class, message and stack).
 */
export function frozenAsIs<T extends object>(value: T): T {
  Made.add(value);
  return Object.freeze(value);
}
