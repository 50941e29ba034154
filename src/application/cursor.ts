// Paging: page sizes, and opaque, checked cursors: a cursor names the list it belongs to, so a
// cursor of another list, or anything else, is a VALIDATION error, never a guess.
import { z } from "zod";
import { err, ok, parseWith, type DomainError, type Result } from "../core/index.js";
import { pageSizeSchema } from "../core/paging.js";

/** The lists that are read a page at a time. */
export type CursorList = "members" | "history" | "pending" | "pendingSubscriptions" | "userSearch";

/** Longest cursor accepted. */
export const MAX_CURSOR_LENGTH = 4000;

/** A cursor for the page after `position` in the list `list` of `scope` (a structure, an actor). */
export function encodeCursor(list: CursorList, scope: string, position: unknown): string {
  return Buffer.from(JSON.stringify([1, list, scope, position]), "utf8").toString("base64url");
}

const invalid = (): Result<never, DomainError> =>
  err({ code: "VALIDATION", issues: [{ path: ["cursor"], code: "invalid_cursor", message: "n'est pas un curseur de cette liste" }] });

/** The position a cursor of `list` for `scope` holds, checked with `schema`. */
export function decodeCursor<T>(cursor: string, list: CursorList, scope: string, schema: z.ZodType<T>): Result<T, DomainError> {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return invalid();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return invalid();
  }
  if (!Array.isArray(raw) || raw.length !== 4 || raw[0] !== 1 || raw[1] !== list || raw[2] !== scope) return invalid();
  const position = parseWith(schema, raw[3]);
  return position.ok ? ok(position.value) : invalid();
}

/** Largest page a query returns. */
export const MAX_PAGE_SIZE = 500;
/** The page size of a query that gives none. */
export const DEFAULT_PAGE_SIZE = 50;
/** The `limit` of a page query: 1 to {@link MAX_PAGE_SIZE}, {@link DEFAULT_PAGE_SIZE} by default; `"20"` (a query string's) is 20. */
export const PageLimitSchema = pageSizeSchema(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);

/** The schema of a cursor field in a query. */
export const CursorSchema = z.string().min(1).max(MAX_CURSOR_LENGTH);
