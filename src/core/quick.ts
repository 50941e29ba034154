/**
 * Quick readings of the hot commands' inputs (issue 19): the common, well-formed input
 * read without zod, giving exactly what `parseWith(schema, input)` gives; anything the
 * quick reading is not sure of (an unusual shape, a field it does not take, a value that
 * may be refused) gives `null`, and the caller parses it with the schema, which then says
 * what is wrong. So a quick reading can only ever *accept*, and only what the schema
 * accepts in the same form; every refusal, with its issues, is the schema's own.
 *
 * The boundary's rules (`boundary.ts`) hold on the quick path by construction: only
 * objects whose prototype is `Object.prototype` or `null` and real arrays are read;
 * every field is read once from its own data descriptor (no getter runs, no inherited
 * field is read, symbols and non-enumerable fields send the input to the schema); a field
 * given as `undefined` is absent; every string taken is well-formed Unicode within its
 * field's bound; what comes out is made of objects without prototype, never of the
 * caller's objects, and the input is neither changed nor frozen. A property test per
 * command compares the two readings on valid, invalid and junk inputs
 * (`test/core/quick.test.ts`).
 */
import type { z } from "zod";
import { parseWith } from "./boundary.js";
import type { DomainError } from "./errors.js";
import type { AttachmentScope } from "./model.js";
import { ok, type Result } from "./result.js";
import { isId } from "./schemas.js";
import { servicesScope } from "./scope.js";
import { textProblem } from "./text.js";

/** Most services a scope may name for the quick reading to take it (more go to the schema). */
const QUICK_SCOPE_SERVICES = 64;

/** Whether a text is well-formed Unicode (no lone surrogate). */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * An input's own fields, in an object without prototype, when it is a plain object (its
 * prototype `Object.prototype` or `null`) whose every key is one of `allowed` and holds
 * an enumerable data field; `null` otherwise. Fields given as `undefined` are left out.
 *
 * @example
 * ```ts
 * quickFields({ requestId: "req-1", role: undefined }, new Set(["requestId", "role"])); // { requestId: "req-1" }
 * quickFields(Object.create({ requestId: "req-1" }), new Set(["requestId"])); // null: its prototype is not a plain one
 * ```
 */
export function quickFields(input: unknown, allowed: ReadonlySet<string>): Record<string, unknown> | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return null;
  const proto = Object.getPrototypeOf(input) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  const keys = Reflect.ownKeys(input);
  if (keys.length > allowed.size) return null;
  const fields = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    if (typeof key !== "string" || !allowed.has(key)) return null;
    const d = Reflect.getOwnPropertyDescriptor(input, key);
    if (d === undefined || !d.enumerable || !("value" in d)) return null;
    if (d.value !== undefined) fields[key] = d.value;
  }
  return fields;
}

/**
 * A copy of a real array (prototype `Array.prototype`) of at most `max` elements, each
 * an own data element (no hole, no accessor); `null` otherwise.
 *
 * @example
 * ```ts
 * quickArray(["a", "b"], 64); // ["a", "b"] (a copy)
 * quickArray([, "b"], 64); // null: a hole
 * ```
 */
export function quickArray(value: unknown, max: number): unknown[] | null {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return null;
  const length = value.length;
  if (length > max) return null;
  const copy: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const d = Reflect.getOwnPropertyDescriptor(value, i);
    if (d === undefined || !("value" in d)) return null;
    copy.push(d.value);
  }
  return copy;
}

/**
 * Whether a value is an id the id schemas take as it is (see `isId`), and well-formed.
 *
 * @example
 * ```ts
 * quickId("req-1"); // true
 * quickId("req-\ud800"); // false: a lone surrogate
 * ```
 */
export function quickId(value: unknown): value is string {
  return isId(value) && wellFormed(value);
}

/**
 * Whether a value is a text `MultilineTextSchema` takes as it is: at most `max`
 * characters, well-formed, tab and line breaks the only control characters, no
 * bidirectional control.
 *
 * @example
 * ```ts
 * quickMultiline("Bonjour\nà tous", 2000); // true
 * quickMultiline("a\u202Eb", 2000); // false
 * ```
 */
export function quickMultiline(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length <= max && wellFormed(value) && textProblem(value, "multiline") === null;
}

const SCOPE_KEYS: ReadonlySet<string> = new Set(["kind", "serviceIds"]);

/**
 * A scope as `AttachmentScopeSchema` gives it (normalised, without prototype at every
 * level), or `null`.
 *
 * @example
 * ```ts
 * quickScope({ kind: "services", serviceIds: ["b", "a", "b"] }); // { kind: "services", serviceIds: ["a", "b"] }
 * ```
 */
export function quickScope(value: unknown): AttachmentScope | null {
  const fields = quickFields(value, SCOPE_KEYS);
  if (fields === null) return null;
  const scope = Object.create(null) as { kind: AttachmentScope["kind"]; serviceIds?: unknown };
  if (fields["kind"] === "structure") {
    if (fields["serviceIds"] !== undefined) return null;
    scope.kind = "structure";
    return scope as AttachmentScope;
  }
  if (fields["kind"] !== "services") return null;
  const ids = quickArray(fields["serviceIds"], QUICK_SCOPE_SERVICES);
  if (ids === null || !ids.every(quickId)) return null;
  scope.kind = "services";
  scope.serviceIds = (servicesScope(ids as never[]) as { serviceIds: unknown }).serviceIds;
  return scope as AttachmentScope;
}

/**
 * Parses `input` quickly when `quick` takes it, else with the schema: what comes out is
 * the same either way (see this module's comment). A quick reading that throws (a
 * hostile proxy) is as if it had not taken the input.
 *
 * @example
 * ```ts
 * const parse = (input: unknown) => quickly(quickRemoveAttachment, RemoveAttachmentSchema, input);
 * ```
 */
export function quickly<T>(quick: (input: unknown) => T | null, schema: z.ZodType<T>, input: unknown): Result<T, DomainError> {
  let value: T | null;
  try {
    value = quick(input);
  } catch {
    value = null;
  }
  return value !== null ? ok(value) : parseWith(schema, input);
}
