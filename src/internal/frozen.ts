// The library's one freezing policy (docs/reliability.md): the core never freezes nor
// changes what it is given; what a caller receives from the application layer or a
// store is a deep-frozen copy it cannot change; a store copies what it keeps once.
//
// `frozenCopy` makes that copy. Objects it made are remembered, so a value that shares
// most of its parts with one already copied (a user with one attachment changed) only
// copies the new parts.
//
// They are remembered by a private field stamped on each copy, not in a `WeakSet`: a
// `WeakSet` of millions of objects made every garbage collection walk it (its entries
// are ephemerons), and a memory store of 1 000 000 users spent minutes in the GC. A
// private field costs the collector nothing and cannot be forged from outside: no code
// but this module's can read or add it.

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
  /** Whether `frozenCopy` made this object. */
  static has(value: object): boolean {
    return #made in value;
  }
  /** Stamps an object `frozenCopy` made (before it is frozen). */
  static add(value: object): void {
    void new Made(value).#made;
  }
}

/**
 * A deep-frozen copy of plain data, made of ordinary objects and arrays (whatever the
 * prototypes of the source). Parts this function made before are reused as they are.
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Made.has(value)) return value;
  let copy: object;
  if (Array.isArray(value)) {
    const array = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) array[i] = frozenCopy(value[i]);
    copy = array;
  } else {
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const part = frozenCopy((value as Record<string, unknown>)[key]);
      // An own "__proto__" key (JSON.parse makes them) stays a key, never a prototype.
      if (key === "__proto__") Object.defineProperty(object, key, { value: part, enumerable: true, writable: true, configurable: true });
      else object[key] = part;
    }
    copy = object;
  }
  Made.add(copy);
  Object.freeze(copy);
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
