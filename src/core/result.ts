/**
 * A computation that either succeeded with a value or failed with an error value.
 * Domain rules never throw: every transition and every application operation returns
 * a `Result`.
 */
export type Result<T, E> = Ok<T> | Err<E>;

/** The success branch of a {@link Result}. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** The failure branch of a {@link Result}. */
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

/**
 * Wraps a value as a success.
 *
 * @example
 * ```ts
 * const r = ok(42);
 * if (r.ok) r.value; // 42
 * ```
 */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/**
 * Wraps an error value as a failure.
 *
 * @example
 * ```ts
 * const r = err({ code: "NOT_FOUND", entity: "user", id: "u-1" });
 * r.ok; // false
 * ```
 */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
