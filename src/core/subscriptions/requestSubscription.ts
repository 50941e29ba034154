import { entry, type Recorded } from "../_lib.js";
import { attachmentTo } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, StructureId, SubscriptionRequestId } from "../ids.js";
import type { PendingSubscriptionRequest, Service, Structure, SubscriptionItem, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { visibleText } from "../text.js";
import { hasEnded, todayOf, toInstant, type TransitionContext } from "../time.js";
import type { SpaceCatalogue } from "./catalogue.js";
import { checkItems } from "./items.js";

/** A user asks for access to spaces of a structure they are attached to. */
export interface RequestSubscription {
  readonly structureId: StructureId;
  /** One or more spaces, each for all services or one service, with read or write access. */
  readonly items: readonly SubscriptionItem[];
  /** The user's comment, shown to the managers (may be empty). */
  readonly comment?: string;
}

/** What {@link requestSubscription} needs to know. */
export interface RequestSubscriptionState {
  /** The user asking. */
  readonly user: User;
  readonly structure: Structure;
  /** The records of (at least) the services the items name. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link requestSubscription} decided. */
export interface SubscriptionRequested extends Recorded {
  readonly request: PendingSubscriptionRequest;
}

/**
 * A user's own request for spaces (« demande d'abonnement à des espaces »). An extension:
 * Chorus Pro does not let users send these yet (the guide says so), but the manager's
 * side cannot be used without it. The account must be active and attached to the
 * structure (an attachment whose end, `validUntil`, has passed does not count); each item names a space of the catalogue, and for one service an active
 * service of the structure within the user's attachment.
 *
 * Refusals: `NOT_FOUND` (a structure the user is not attached to, as an unknown one; a
 * service), `FORBIDDEN` (account not active), `NOT_ATTACHED` (a service outside the
 * user's scope), `SERVICE_INACTIVE`, `VALIDATION` (a space not in the catalogue).
 *
 * @param ctx time, the id the new request gets, and the catalogue of spaces.
 *
 * @example
 * ```ts
 * const r = requestSubscription(
 *   { user: elodie, structure: mairie, services: indexServices([compta]) },
 *   { structureId: mairie.id, items: [{ space: spaceCode("FACTURES_RECUES"), serviceId: compta.id, access: "write" }] },
 *   { now, requestId: subscriptionRequestId("sub-1"), catalogue: CHORUS_PRO_SPACES },
 * );
 * if (r.ok) r.value.request.status; // "pending"
 * ```
 */
export function requestSubscription(
  state: RequestSubscriptionState,
  command: RequestSubscription,
  ctx: TransitionContext & { readonly requestId: SubscriptionRequestId; readonly catalogue: SpaceCatalogue },
): Result<SubscriptionRequested, DomainError> {
  const { user, structure } = state;
  if (command.structureId !== structure.id) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  if (user.status !== "active")
    return err({ code: "FORBIDDEN", actorId: user.id, structureId: structure.id, reason: "accountNotActive" });
  // A structure one is not attached to (or no more: the attachment's end has passed) is,
  // to the user, as unknown as an id that names none.
  const attachment = attachmentTo(user, structure.id);
  if (attachment === undefined || hasEnded(attachment.validUntil, todayOf(ctx)))
    return err({ code: "NOT_FOUND", entity: "structure", id: structure.id });
  const items = checkItems(ctx.catalogue, structure, user, state.services, command.items);
  if (!items.ok) return items;
  const at = toInstant(ctx.now);
  const request: PendingSubscriptionRequest = {
    id: ctx.requestId,
    structureId: structure.id,
    userId: user.id,
    items: items.value,
    comment: visibleText(command.comment) ?? "",
    createdAt: at,
    status: "pending",
  };
  return ok({
    request,
    history: [
      entry("subscriptionRequested", at, structure.id, user.id, user.id, { items: request.items, comment: request.comment }, request.id),
    ],
    events: [{ type: "SubscriptionRequested", at, requestId: request.id, structureId: structure.id, userId: user.id }],
  });
}
