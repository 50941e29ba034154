// The library's one freezing policy (docs/reliability.md): the core never freezes nor
// changes what it is given; what a caller receives from the application layer or a
// store is deep-frozen data it cannot change; a store copies what it keeps once.
//
// Two ways to get there:
// - `frozenCopy` copies what it is given (a store receiving a caller's objects, a value
//   of unknown origin);
// - `freezeOwned` freezes in place what the library has just built itself (an outcome,
//   the records a command wrote), copying only the parts that are not plain objects.
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

const hasOwn = Object.prototype.hasOwnProperty;

/** Whether a value is deep-frozen data this module made, or a frozen array of such values. */
function immutable(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (!Array.isArray(value)) return Made.has(value);
  if (!Object.isFrozen(value)) return false;
  for (let i = 0; i < value.length; i++) if (!immutable(value[i])) return false;
  return true;
}

/** Sets an own data property, an own "__proto__" key (JSON.parse makes them) included. */
function setOwn(object: Record<string, unknown>, key: string, part: unknown): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value: part, enumerable: true, writable: true, configurable: true });
  else object[key] = part;
}

/**
 * A deep-frozen copy of plain data, made of ordinary objects and arrays (whatever the
 * prototypes of the source). Parts made before are reused as they are. A plain object is
 * copied with its source's shape (one spread), so the copy has the hidden class and
 * in-object storage of an object literal rather than one built key by key.
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    if (immutable(value)) return value;
    const array = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) array[i] = frozenCopy(value[i]);
    return Object.freeze(array) as T;
  }
  if (Made.has(value)) return value;
  let copy: Record<string, unknown>;
  if (Object.getPrototypeOf(value) === Object.prototype && Object.getOwnPropertySymbols(value).length === 0) {
    copy = { ...(value as Record<string, unknown>) };
    for (const key in copy) {
      if (!hasOwn.call(copy, key)) continue;
      const part = copy[key];
      if (typeof part === "object" && part !== null) {
        const made = frozenCopy(part);
        if (made !== part) setOwn(copy, key, made);
      }
    }
  } else {
    copy = {};
    for (const key of Object.keys(value)) setOwn(copy, key, frozenCopy((value as Record<string, unknown>)[key]));
  }
  Made.add(copy);
  return Object.freeze(copy) as T;
}

/**
 * Deep-freezes, in place, plain data the library has just built and nobody else holds
 * (an outcome, the records a command wrote): its plain objects and arrays are frozen as
 * they are, not copied. Parts made before are reused; a part that is not a plain object
 * or array (another prototype, a frozen or sealed object made elsewhere) is copied as
 * {@link frozenCopy} does, so what comes out is the same as `frozenCopy` would give, at
 * the cost of a freeze. Never give it a caller's objects: they would be frozen in the
 * caller's hands.
 */
export function freezeOwned<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    if (Object.isFrozen(value)) return frozenCopy(value);
    for (let i = 0; i < value.length; i++) {
      const part = value[i] as unknown;
      if (typeof part === "object" && part !== null) {
        const made = freezeOwned(part);
        if (made !== part) value[i] = made;
      }
    }
    return Object.freeze(value);
  }
  if (Made.has(value)) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype || !Object.isExtensible(value) || Object.getOwnPropertySymbols(value).length > 0)
    return frozenCopy(value);
  const object = value as Record<string, unknown>;
  // for-in over a plain object walks its enum cache without allocating; inherited keys (a
  // polluted Object.prototype) are skipped.
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    const part = object[key];
    if (typeof part === "object" && part !== null) {
      const made = freezeOwned(part);
      if (made !== part) setOwn(object, key, made);
    }
  }
  Made.add(object);
  return Object.freeze(object) as T;
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
