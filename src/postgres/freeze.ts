/**
 * Freezes, in place, plain data this module has just built from the database (so nobody
 * else holds it): a reader cannot change a row through what the store handed out, as with
 * the memory store.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
