// Guide §4, « Obtenir l'historique »: every action on a structure, newest first,
// filtered and paginated.
import { z } from "zod";
import {
  HISTORY_KINDS,
  InstantSchema,
  ok,
  parseWith,
  StructureIdSchema,
  UserIdSchema,
  type DomainError,
  type HistoryEntry,
  type Result,
  type DeepReadonly,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import type { HistoryQuery, Page } from "../port/store.js";
import { CursorSchema, decodeCursor, encodeCursor, PageLimitSchema } from "./cursor.js";
import { clocked, judge, parseActor, Session, shielded, type Deps, type ActorId } from "./runner.js";

const HistoryQuerySchema = z.strictObject({
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
      const query = parseWith(HistoryQuerySchema, input);
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
        const judged = await judge(new Session(deps.store), actorId.value, structureId, ctx.today);
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
