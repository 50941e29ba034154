/**
 * The boundary every input crosses: unknown data in, typed data or a bounded
 * `VALIDATION` error out. Never throws.
 *
 * 1. **Plain data only.** The input is walked once and copied: objects must be plain
 *    (`{}` literals or `JSON.parse` output, prototype `Object.prototype` or `null`),
 *    arrays real arrays; inherited fields, getters, symbols, class instances (`Date`,
 *    `Map`, `RegExp`), boxed values and functions are refused. Nothing is read twice,
 *    and no getter runs.
 * 2. **Bounded.** At most {@link MAX_INPUT_NODES} values, nested at most
 *    {@link MAX_INPUT_DEPTH} deep, keys of at most {@link MAX_KEY_LENGTH} characters.
 *    The error lists at most {@link MAX_VALIDATION_ISSUES} issues (with a count of the
 *    others), and never echoes more than a few dozen characters of what it was given.
 * 3. **Typed.** The copy goes through the zod schema.
 * 4. **Sealed.** What comes out is made of objects without prototype, so a field that
 *    is absent stays absent even if some other library polluted `Object.prototype`.
 */
import type { z } from "zod";
import type { DomainError, ValidationIssue } from "./errors.js";
import { err, ok, type Result } from "./result.js";

/** Most issues a `VALIDATION` error lists; the others are counted in `omittedIssues`. */
export const MAX_VALIDATION_ISSUES = 20;
/** Most values (objects, arrays, strings, numbers…) one input may hold. */
export const MAX_INPUT_NODES = 1_000_000;
/** Deepest nesting of objects and arrays accepted. */
export const MAX_INPUT_DEPTH = 32;
/** Longest object key accepted. */
export const MAX_KEY_LENGTH = 200;

const MAX_MESSAGE_LENGTH = 200;
const MAX_SEGMENT_LENGTH = 64;
const MAX_PATH_LENGTH = 12;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function boundedPath(path: readonly PropertyKey[]): (string | number)[] {
  const segments = path.slice(0, MAX_PATH_LENGTH).map((p) =>
    typeof p === "number" ? p : clip(typeof p === "symbol" ? "(symbol)" : String(p), MAX_SEGMENT_LENGTH),
  );
  if (path.length > MAX_PATH_LENGTH) segments.push("…");
  return segments;
}

/** Collects issues, keeping the first {@link MAX_VALIDATION_ISSUES} and counting the rest. */
class Issues {
  readonly listed: ValidationIssue[] = [];
  omitted = 0;

  add(path: readonly PropertyKey[], code: string, message: string): void {
    if (this.listed.length >= MAX_VALIDATION_ISSUES) {
      this.omitted++;
      return;
    }
    this.listed.push({ path: boundedPath(path), code: clip(code, 40), message: clip(message, MAX_MESSAGE_LENGTH) });
  }

  get empty(): boolean {
    return this.listed.length === 0 && this.omitted === 0;
  }

  toError(): DomainError {
    return this.omitted > 0
      ? { code: "VALIDATION", issues: this.listed, omittedIssues: this.omitted }
      : { code: "VALIDATION", issues: this.listed };
  }
}

class TooLarge extends Error {}

/**
 * A copy of `input` made of prototype-less objects, or the issues that make it other
 * than plain data.
 */
function plainCopy(input: unknown, issues: Issues): unknown {
  let nodes = 0;
  const path: PropertyKey[] = [];
  const visit = (value: unknown, depth: number): unknown => {
    if (++nodes > MAX_INPUT_NODES) throw new TooLarge();
    switch (typeof value) {
      case "string":
      case "number":
      case "boolean":
      case "undefined":
        return value;
      case "object":
        break;
      default:
        issues.add(path, "not_plain_data", `a ${typeof value} is not plain data`);
        return undefined;
    }
    if (value === null) return null;
    if (depth >= MAX_INPUT_DEPTH) {
      issues.add(path, "too_deep", `nested more than ${MAX_INPUT_DEPTH} levels`);
      return undefined;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) {
        issues.add(path, "not_plain_data", "not a plain array");
        return undefined;
      }
      const copy = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const d = Object.getOwnPropertyDescriptor(value, i);
        path.push(i);
        if (d !== undefined && (d.get !== undefined || d.set !== undefined)) issues.add(path, "not_plain_data", "an accessor is not plain data");
        else copy[i] = d === undefined ? undefined : visit(d.value, depth + 1);
        path.pop();
      }
      return copy;
    }
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      issues.add(path, "not_plain_data", `not a plain object${typeof name === "string" && name !== "" ? ` (${clip(name, 40)})` : ""}`);
      return undefined;
    }
    const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === "symbol") {
        issues.add(path, "not_plain_data", "a symbol key is not plain data");
        continue;
      }
      const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if (!d.enumerable) continue;
      path.push(key);
      if (key.length > MAX_KEY_LENGTH) issues.add(path, "key_too_long", `a key longer than ${MAX_KEY_LENGTH} characters`);
      else if (d.get !== undefined || d.set !== undefined) issues.add(path, "not_plain_data", "an accessor is not plain data");
      else copy[key] = visit(d.value, depth + 1);
      path.pop();
    }
    return copy;
  };
  try {
    return visit(input, 0);
  } catch (thrown) {
    if (thrown instanceof TooLarge) {
      issues.add([], "too_large", `more than ${MAX_INPUT_NODES} values`);
      return undefined;
    }
    throw thrown;
  }
}

/** A copy of what zod gave back, made of prototype-less objects. */
function sealed<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sealed) as T;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = sealed((value as Record<string, unknown>)[key]);
  return copy as T;
}

/**
 * Parses unknown input with a schema: the typed value (plain data, sealed), or a
 * `VALIDATION` error listing the first issues. Never throws.
 *
 * @example
 * ```ts
 * parseWith(UserIdSchema, 42);
 * // err({ code: "VALIDATION", issues: [{ path: [], code: "invalid_type", message: "…" }] })
 * parseWith(ValidateAttachmentRequestSchema, Object.create({ requestId: "req-1" }));
 * // err({ code: "VALIDATION", … }): inherited fields are not read
 * ```
 */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Result<T, DomainError> {
  const issues = new Issues();
  try {
    const copy = plainCopy(input, issues);
    if (!issues.empty) return err(issues.toError());
    const parsed = schema.safeParse(copy);
    if (parsed.success) return ok(sealed(parsed.data));
    for (const issue of parsed.error.issues) issues.add(issue.path, issue.code, issue.message);
    return err(issues.toError());
  } catch {
    // A hostile input (a revoked proxy, a trap that throws) is still just bad input.
    issues.add([], "unreadable", "the input could not be read");
    return err(issues.toError());
  }
}
