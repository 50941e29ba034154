/**
 * The boundary every input crosses: unknown data in, typed data or a bounded
 * `VALIDATION` error out. Never throws.
 *
 * 1. **Plain data only.** The input is walked once and copied: objects must be plain
 *    (`{}` literals or `JSON.parse` output, prototype `Object.prototype` or `null`),
 *    arrays real arrays; inherited fields, getters, symbols, class instances (`Date`,
 *    `Map`, `RegExp`), boxed values and functions are refused. Nothing is read twice,
 *    and no getter runs. A field given as `undefined` is absent.
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
import fr from "zod/v4/locales/fr.js";

/**
 * zod's French messages, given to every parse (never set globally: the host's own zod
 * configuration is left alone, and does not change the library's messages).
 */
const FRENCH = fr().localeError;

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
        if (value.length > MAX_STRING_LENGTH) issues.add(path, "too_long", `un texte de plus de ${MAX_STRING_LENGTH} caractères`);
        else if (!isWellFormed(value)) issues.add(path, "ill_formed_text", "un texte avec un demi-caractère (surrogate isolé) n'est pas de l'Unicode bien formé");
        return value;
      case "number":
      case "boolean":
      case "undefined":
        return value;
      case "object":
        break;
      default:
        issues.add(path, "not_plain_data", `une valeur de type ${typeof value} n'est pas une donnée simple`);
        return undefined;
    }
    if (value === null) return null;
    if (depth >= MAX_INPUT_DEPTH) {
      issues.add(path, "too_deep", `plus de ${MAX_INPUT_DEPTH} niveaux d'imbrication`);
      return undefined;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) {
        issues.add(path, "not_plain_data", "n'est pas un tableau simple");
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
        } else if (d.get !== undefined || d.set !== undefined) issues.add(path, "not_plain_data", "un accesseur n'est pas une donnée simple");
        else copy[i] = visit(d.value, depth + 1);
        path.pop();
      }
      return copy;
    }
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      issues.add(path, "not_plain_data", `n'est pas un objet simple${typeof name === "string" && name !== "" ? ` (${clip(name, 40)})` : ""}`);
      return undefined;
    }
    const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const keys = Reflect.ownKeys(value);
    if (keys.length > MAX_INPUT_NODES - nodes) throw new TooLarge();
    for (const key of keys) {
      if (typeof key === "symbol") {
        issues.add(path, "not_plain_data", "une clé symbole n'est pas une donnée simple");
        continue;
      }
      const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      if (!d.enumerable) continue;
      path.push(key);
      if (key.length > MAX_KEY_LENGTH) issues.add(path, "key_too_long", `une clé de plus de ${MAX_KEY_LENGTH} caractères`);
      else if (!isWellFormed(key)) issues.add(path, "ill_formed_text", "une clé avec un demi-caractère (surrogate isolé) n'est pas de l'Unicode bien formé");
      else if (d.get !== undefined || d.set !== undefined) issues.add(path, "not_plain_data", "un accesseur n'est pas une donnée simple");
      // A field given as `undefined` is absent (JSON never holds one; a host building an
      // input from optional values means « none » by it): the schema sees no key.
      else if (d.value !== undefined) copy[key] = visit(d.value, depth + 1);
      path.pop();
    }
    return copy;
  };
  try {
    return visit(input, 0);
  } catch (thrown) {
    if (thrown instanceof TooLarge) {
      issues.add([], "too_large", `plus de ${MAX_INPUT_NODES} valeurs`);
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
 * Read-only at every level (arrays and objects): what a caller may pass, `as const`
 * literals included. An optional field also admits `undefined`, which the parse reads as
 * absent, so a host may build an input from optional values of its own.
 */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: {} extends Pick<T, K> ? DeepReadonly<T[K]> | undefined : DeepReadonly<T[K]> }
    : T;

/**
 * Types a schema with what it gives, `O` (the library's command or record: branded ids,
 * normalised values), and what a caller may pass: its zod input type, read-only at every
 * level so a host's `as const` literals fit. The one schema both parses at run time and
 * types the operation's parameter (`z.input<typeof S>`), so the two never disagree.
 *
 * @example
 * ```ts
 * const Rename = typed<RenameService>()(z.strictObject({ serviceId: ServiceIdSchema, label: NameSchema }));
 * type RenameInput = z.input<typeof Rename>; // { readonly serviceId: string; readonly label: string }
 * ```
 */
export function typed<O>() {
  return <S extends z.ZodType>(schema: S): z.ZodType<O, DeepReadonly<z.input<S>>> =>
    schema as unknown as z.ZodType<O, DeepReadonly<z.input<S>>>;
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
    const parsed = schema.safeParse(copy, { error: FRENCH });
    if (parsed.success) return ok(sealed(parsed.data));
    for (const issue of parsed.error.issues) issues.add(issue.path, issue.code, issue.message);
    return err(issues.toError());
  } catch {
    // A hostile input (a revoked proxy, a trap that throws) is still just bad input.
    issues.add([], "unreadable", "la saisie n'a pas pu être lue");
    return err(issues.toError());
  }
}
