import { authorizeManager } from "../authorization.js";
import type { StructureId } from "../ids.js";
import type { AttachmentRequest, PendingAttachmentRequest, Structure, User } from "../model.js";
import { todayOf, type TransitionContext } from "../time.js";

/**
 * The structures an actor may manage today, among the given ones (pass the structures
 * the actor is attached to: a user has a few).
 *
 * @example
 * ```ts
 * managedStructureIds(alice, [lyon, villeurbanne], { now }); // ["s-lyon"]
 * ```
 */
export function managedStructureIds(
  actor: User,
  structures: Iterable<Structure>,
  ctx: TransitionContext,
): StructureId[] {
  const today = todayOf(ctx);
  const ids: StructureId[] = [];
  for (const structure of structures) if (authorizeManager(actor, structure, today).ok) ids.push(structure.id);
  return ids;
}

/**
 * The pending requests of the structures the actor manages, oldest first (the guide's
 * « Les demandes de rattachement à une structure » block). Requests of other
 * structures, decided ones, and requests the actor made themself are left out.
 *
 * @param structures the structures the actor is attached to.
 * @param requests candidate requests (e.g. the pending requests of those structures).
 *
 * @example
 * ```ts
 * pendingRequestsForManager(alice, [lyon], [req1, req2, decided], { now }).map((r) => r.id);
 * // ["req-1", "req-2"]
 * ```
 */
export function pendingRequestsForManager(
  actor: User,
  structures: Iterable<Structure>,
  requests: Iterable<AttachmentRequest>,
  ctx: TransitionContext,
): PendingAttachmentRequest[] {
  const managed = new Set(managedStructureIds(actor, structures, ctx));
  const pending: PendingAttachmentRequest[] = [];
  for (const r of requests)
    if (r.status === "pending" && managed.has(r.structureId) && r.userId !== actor.id) pending.push(r);
  return pending.sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}
