/**
 * The boundary every input crosses: unknown data in, typed data or a bounded
 * `VALIDATION` error out. Never throws.
 *
 * 1. **Plain data only.** The input is walked once and copied: objects must be plain
 *    (`{}` literals or `JSON.parse` output, prototype `Object.prototype` or `null`),
 *    arrays real arrays; inherited fields, getters, symbols, class instances (`Date`,
 *    `Map`, `RegExp`), boxed values and functions are refused. Nothing is read twice,
 *    and no getter runs.
 * 2. **Bounded by the work, not only the values.** At most {@link MAX_INPUT_NODES}
 *    values, an array's holes counted as values, and an array longer than that is
 *    refused from its length alone, before anything is allocated or walked; nested at
 *    most {@link MAX_INPUT_DEPTH} deep; keys of at most {@link MAX_KEY_LENGTH} characters,
 *    strings of at most {@link MAX_STRING_LENGTH}. The error lists at most
 *    {@link MAX_VALIDATION_ISSUES} issues (with a count of the others), and never echoes
 *    more than a few dozen characters of what it was given.
 * 3. **Well-formed text.** Every string and key is well-formed Unicode: a lone surrogate
 *    (`"\ud800"`, which JSON allows) is refused here, once for every field, so no store
 *    is ever asked to keep text it cannot encode.
 * 4. **Typed.** The copy goes through the zod schema. The copy's objects have no
 *    prototype, and the schemas' own transforms and refinements read an object only
 *    after {@link sealedObject} has copied its own fields into one without prototype, so
 *    a polluted `Object.prototype` never fills a field that is absent.
 * 5. **Sealed.** What comes out is made of objects without prototype, so a field that
 *    is absent stays absent even if some other library polluted `Object.prototype`.
 */
import { z } from "zod";
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
/** Longest string accepted anywhere in an input (no field takes more; each field has its own, lower, bound). */
export const MAX_STRING_LENGTH = 10_000;

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
    return (
      this.listed.length === 0 &&
      // Stryker disable next-line ConditionalExpression: made true, equivalent: an issue is counted as omitted only once MAX_VALIDATION_ISSUES are listed, so nothing is omitted while nothing is listed. (Made false, killed by every parse that succeeds; it shares the line.)
      this.omitted === 0
    );
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
        if (value.length > MAX_STRING_LENGTH) issues.add(path, "too_long", `a text longer than ${MAX_STRING_LENGTH} characters`);
        else if (!isWellFormed(value)) issues.add(path, "ill_formed_text", "a text with an unpaired surrogate is not well-formed Unicode");
        return value;
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
      // Every slot is work, a hole as much as a value: an array longer than what is left
      // of the bound is refused from its length, before a copy is allocated or walked.
      const length = value.length;
      if (length > MAX_INPUT_NODES - nodes) throw new TooLarge();
      const copy = new Array<unknown>(length);
      for (let i = 0; i < length; i++) {
        const d = Object.getOwnPropertyDescriptor(value, i);
        path.push(i);
        if (d === undefined) {
          if (++nodes > MAX_INPUT_NODES) throw new TooLarge();
        } else if (d.get !== undefined || d.set !== undefined) issues.add(path, "not_plain_data", "an accessor is not plain data");
        else copy[i] = visit(d.value, depth + 1);
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
    const keys = Reflect.ownKeys(value);
    if (keys.length > MAX_INPUT_NODES - nodes) throw new TooLarge();
    for (const key of keys) {
      if (typeof key === "symbol") {
        issues.add(path, "not_plain_data", "a symbol key is not plain data");
        continue;
      }
      const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if (!d.enumerable) continue;
      path.push(key);
      if (key.length > MAX_KEY_LENGTH) issues.add(path, "key_too_long", `a key longer than ${MAX_KEY_LENGTH} characters`);
      else if (!isWellFormed(key)) issues.add(path, "ill_formed_text", "a key with an unpaired surrogate is not well-formed Unicode");
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

/**
 * A copy of a value made of prototype-less objects, with their own fields only: what
 * `parseWith` gives back, and the first step of every schema transform that reads an
 * object's fields (see {@link sealedObject}).
 *
 * @example
 * ```ts
 * Object.getPrototypeOf(ownFields({ a: 1 })); // null
 * ```
 */
export function ownFields<T>(value: T): T {
  return sealed(value);
}

function sealed<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sealed) as T;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = sealed((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** Whether a text is well-formed Unicode (no unpaired surrogate). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * An object schema whose output has no prototype: its own fields copied into an object
 * made with `Object.create(null)`. zod builds its outputs as ordinary objects, on which
 * reading a field the input did not have reads `Object.prototype`; every schema whose
 * transform or refinement reads an object's fields starts from this one, so a polluted
 * `Object.prototype` can never fill in a field that is absent.
 *
 * @example
 * ```ts
 * const Item = sealedObject({ space: z.string(), serviceId: z.string().optional() })
 *   .transform((item) => ({ space: item.space, serviceId: item.serviceId ?? null }));
 * // with Object.prototype.serviceId set by another library, an item without serviceId still gives serviceId: null
 * ```
 */
export function sealedObject<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape).transform(ownFields);
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
