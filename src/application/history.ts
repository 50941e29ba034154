// Guide §4, « Obtenir l'historique »: every action on a structure, newest first,
// filtered and paginated.
import { z } from "zod";
import {
  HISTORY_KINDS,
  InstantSchema,
  ok,
  quickArray,
  quickFields,
  quickId,
  quickly,
  StructureIdSchema,
  UserIdSchema,
  type DomainError,
  type HistoryEntry,
  type Result,
  type DeepReadonly,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { HistoryQuery, Page } from "../port/store.js";
import { CursorSchema, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, PageLimitSchema } from "./cursor.js";
import { clocked, judge, parseActor, Session, shielded, type Deps, type ActorId } from "./runner.js";

/** The history query a `readHistory` takes, as its schema reads it (exported for the property test of its quick reading). */
export const HistoryQuerySchema = z.strictObject({
  structureId: StructureIdSchema,
  from: InstantSchema.exactOptional(),
  to: InstantSchema.exactOptional(),
  kinds: z.array(z.enum(HISTORY_KINDS)).min(1).max(HISTORY_KINDS.length * 2).exactOptional(),
  targetUserId: UserIdSchema.exactOptional(),
  limit: PageLimitSchema,
  cursor: CursorSchema.exactOptional(),
});
/** What `readHistory` takes: the structure, the filters (period, kinds, target user), a page size and the cursor of the page before. */
export type ReadHistoryInput = DeepReadonly<z.input<typeof HistoryQuerySchema>>;

type HistoryQueryInput = z.output<typeof HistoryQuerySchema>;

const HISTORY_QUERY_KEYS: ReadonlySet<string> = new Set(["structureId", "from", "to", "kinds", "targetUserId", "limit", "cursor"]);

/**
 * The common history query read without zod (core/quick.ts): a structure, maybe kinds, a
 * target user, a page size given as a number and a cursor; exactly what the schema gives
 * (the default page size included), or null for the schema to read (a period, whose
 * instants the schema normalises, or a page size given as digits).
 *
 * @example
 * ```ts
 * quickHistoryQuery({ structureId: "s-1", limit: "20" }); // null: the schema reads digits
 * ```
 */
export function quickHistoryQuery(input: unknown): HistoryQueryInput | null {
  const f = quickFields(input, HISTORY_QUERY_KEYS);
  if (f === null || !quickId(f["structureId"]) || f["from"] !== undefined || f["to"] !== undefined) return null;
  const { kinds, targetUserId, limit, cursor } = f;
  const kindList = kinds === undefined ? undefined : quickArray(kinds, HISTORY_KINDS.length * 2);
  if (kindList === null || (kindList !== undefined && (kindList.length === 0 || !kindList.every((k) => (HISTORY_KINDS as readonly unknown[]).includes(k)))))
    return null;
  if (targetUserId !== undefined && !quickId(targetUserId)) return null;
  if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) return null;
  if (cursor !== undefined && (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[\x21-\x7E]*$/.test(cursor)))
    return null;
  const query = Object.create(null) as Record<string, unknown>;
  query["structureId"] = f["structureId"];
  if (kindList !== undefined) query["kinds"] = kindList;
  if (targetUserId !== undefined) query["targetUserId"] = targetUserId;
  query["limit"] = limit ?? DEFAULT_PAGE_SIZE;
  if (cursor !== undefined) query["cursor"] = cursor;
  return query as HistoryQueryInput;
}

/**
 * Parses a history query: the common one quickly, anything else with its schema, to the
 * same result.
 *
 * @example
 * ```ts
 * parseHistoryQuery({ structureId: "s-1", targetUserId: "u-2", limit: 20 });
 * // ok({ structureId: "s-1", targetUserId: "u-2", limit: 20 })
 * ```
 */
export function parseHistoryQuery(input: unknown): Result<HistoryQueryInput, DomainError> {
  return quickly(quickHistoryQuery, HistoryQuerySchema, input);
}

const SequenceSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Builds the operations of guide §4. */
export function historyOperations(deps: Deps) {
  return {
    /**
     * The history of a structure the actor manages, newest first, filtered by period
     * (`from` inclusive, `to` exclusive), kinds and target user, a page at a time. A
     * filtered page costs the same whatever the length of the history.
     *
     * Refusals: `VALIDATION` (also a cursor of another list), `FORBIDDEN`,
     * `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const page = await app.readHistory(alice.id, { structureId, kinds: ["attachmentRequestRefused"], limit: 20 });
     * if (page.ok && page.value.nextCursor) await app.readHistory(alice.id, { structureId, cursor: page.value.nextCursor });
     * ```
     */
    async readHistory(actor: ActorId, input: ReadHistoryInput): Promise<Result<Page<HistoryEntry>, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const query = parseHistoryQuery(input);
      if (!query.ok) return query;
      const { structureId, cursor, limit, from, to, kinds, targetUserId } = query.value;
      let before: number | undefined;
      if (cursor !== undefined) {
        const decoded = decodeCursor(cursor, "history", structureId, SequenceSchema);
        if (!decoded.ok) return decoded;
        before = decoded.value;
      }
      const storeQuery: HistoryQuery = {
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(kinds === undefined ? {} : { kinds: [...kinds] }),
        ...(targetUserId === undefined ? {} : { targetUserId }),
      };
      return shielded(deps, "readHistory", async () => {
        const ctx = clocked(deps);
        // The actor and the structure in one read.
        const session = new Session(deps.store);
        await session.prefetch({ user: [actorId.value], structure: [structureId] });
        const judged = await judge(session, actorId.value, structureId, ctx.today);
        if (!judged.ok) return judged;
        const entries = await deps.store.readHistory(structureId, storeQuery);
        const more = entries.length > limit;
        const items = more ? entries.slice(0, limit) : entries;
        const last = items[items.length - 1];
        return ok(
          frozenCopy({ items, nextCursor: more && last !== undefined ? encodeCursor("history", structureId, last.sequence) : null }),
        );
      });
    },
  };
}
