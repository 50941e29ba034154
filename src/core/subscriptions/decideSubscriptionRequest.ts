import { entry, type Recorded } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { NewHistoryEntry } from "../history.js";
import type { ServiceId, SpaceCode, SubscriptionRequestId } from "../ids.js";
import type {
  PendingSubscriptionRequest,
  RefusedSubscriptionRequest,
  Service,
  Structure,
  SubscriptionItem,
  SubscriptionRequest,
  User,
  ValidatedSubscriptionRequest,
} from "../model.js";
import { err, ok, type Result } from "../result.js";
import { visibleText } from "../text.js";
import { toInstant, todayOf, type Instant, type LocalDate, type TransitionContext } from "../time.js";
import type { SubscriptionScope } from "../vocabulary.js";
import { checkValidUntil } from "../ends/rules.js";
import { grantKey, isSpaceOpen, withGrants } from "./access.js";
import { newGrants } from "./grants.js";
import type { SpaceCatalogue } from "./catalogue.js";
import { checkItems } from "./items.js";

/** A manager validates a subscription request. */
export interface ValidateSubscriptionRequest {
  readonly requestId: SubscriptionRequestId;
  /**
   * The items left checked, each one the request asked for (same space and service),
   * with the access the manager gives. When not given: every item, as asked.
   */
  readonly items?: readonly SubscriptionItem[];
  /**
   * `user`: grants only (each item's space must already be open where it points);
   * `services`: also opens each space on the service concerned (on the structure for an
   * item on all services); `structure`: also opens each space on the whole structure.
   */
  readonly scope: SubscriptionScope;
  /** The manager's comment (may be empty). */
  readonly comment?: string;
  /** The grants' end date: the first day without them, after today; absent or `null`: no end. */
  readonly validUntil?: LocalDate | null;
}

/** A manager refuses a subscription request (« Désactivée »). */
export interface RefuseSubscriptionRequest {
  readonly requestId: SubscriptionRequestId;
  /** The manager's comment (may be empty). */
  readonly comment?: string;
}

/** What deciding a subscription request needs to know. */
export interface DecideSubscriptionState {
  readonly actor: User;
  readonly structure: Structure;
  readonly request: SubscriptionRequest;
  /** The user who asked. */
  readonly requester: User;
  /** The records of (at least) the services the request names. */
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** What {@link validateSubscriptionRequest} decided. */
export interface SubscriptionRequestValidated extends Recorded {
  readonly request: ValidatedSubscriptionRequest;
  /** The requester with their grants. */
  readonly requester: User;
  /** The structure, with the spaces opened on it (the same record when none was). */
  readonly structure: Structure;
  /** Whether spaces were opened on the structure (it must then be saved). */
  readonly structureChanged: boolean;
  /** The services on which spaces were opened. */
  readonly services: readonly Service[];
}

/** What {@link refuseSubscriptionRequest} decided. */
export interface SubscriptionRequestRefused extends Recorded {
  readonly request: RefusedSubscriptionRequest;
}

/**
 * The checks shared by validation, refusal and consultation of a subscription request:
 * the actor manages the request's structure (else `NOT_FOUND`, as for an unknown
 * request), the request is pending, and it is not the actor's own.
 *
 * @example
 * ```ts
 * checkSubscriptionDecidable(chloe, mairie, request, request.id, today);
 * // err({ code: "NOT_FOUND", entity: "subscriptionRequest", id: request.id })
 * ```
 */
export function checkSubscriptionDecidable(
  actor: User,
  structure: Structure,
  request: SubscriptionRequest,
  requestId: SubscriptionRequestId,
  today: LocalDate,
): Result<PendingSubscriptionRequest, DomainError> {
  const notFound = err<DomainError>({ code: "NOT_FOUND", entity: "subscriptionRequest", id: requestId });
  if (request.id !== requestId || request.structureId !== structure.id) return notFound;
  if (!authorizeManager(actor, structure, today).ok) return notFound;
  if (request.status !== "pending")
    return err({ code: "REQUEST_ALREADY_DECIDED", requestId: request.id, status: request.status, request: "subscription" });
  if (request.userId === actor.id) return err({ code: "SELF_DECISION_FORBIDDEN", requestId: request.id, userId: actor.id });
  return ok(request);
}

/** Opens spaces on a structure and its services as a scope asks; the records changed and what to record. */
export function openFor(
  scope: SubscriptionScope,
  structure: Structure,
  services: ReadonlyMap<ServiceId, Service>,
  items: readonly SubscriptionItem[],
  by: User["id"],
  at: Instant,
): { structure: Structure; structureChanged: boolean; services: Service[]; history: NewHistoryEntry[]; events: DomainEvent[] } {
  let onStructure = new Set<SpaceCode>(structure.openSpaces);
  const onServices = new Map<ServiceId, Set<SpaceCode>>();
  const history: NewHistoryEntry[] = [];
  const events: DomainEvent[] = [];
  const record = (space: SpaceCode, serviceId: ServiceId | null) => {
    history.push(entry("spaceOpened", at, structure.id, by, null, { space, ...(serviceId === null ? {} : { serviceId }) }));
    events.push({ type: "SpaceOpened", at, structureId: structure.id, serviceId, space, by });
  };
  for (const item of items) {
    const service = item.serviceId === null ? null : (services.get(item.serviceId) ?? null);
    if (scope === "user" || isSpaceOpen({ ...structure, openSpaces: [...onStructure] }, null, item.space)) continue;
    if (scope === "structure" || service === null) {
      onStructure = new Set([...onStructure, item.space]);
      record(item.space, null);
      continue;
    }
    const opened = onServices.get(service.id) ?? new Set(service.openSpaces);
    if (opened.has(item.space)) continue;
    opened.add(item.space);
    onServices.set(service.id, opened);
    record(item.space, service.id);
  }
  const structureChanged = onStructure.size !== structure.openSpaces.length;
  return {
    structure: structureChanged ? { ...structure, openSpaces: [...onStructure].sort() } : structure,
    structureChanged,
    services: [...onServices].map(([id, spaces]) => ({ ...(services.get(id) as Service), openSpaces: [...spaces].sort() })),
    history,
    events,
  };
}

/**
 * Validates a subscription request after the manager checked or unchecked its items,
 * with a comment and a scope (guide §2): the requester gets one grant per item left
 * checked; with scope `services` or `structure` the spaces are opened where the scope
 * says first (one record on the structure or service, never one per member); with
 * scope `user`, an item whose space is not open where it points is refused
 * (`SPACE_NOT_OPEN`). History: « Validée », and « Espace ouvert » for each opening.
 *
 * Refusals: `NOT_FOUND` (also for a request of a structure the actor may not manage),
 * `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`, `EMPTY_SELECTION`,
 * `ITEM_NOT_REQUESTED`, `ACCOUNT_NOT_ACTIVE`, `NOT_ATTACHED`, `SERVICE_INACTIVE`,
 * `SPACE_NOT_OPEN`, `VALID_UNTIL_TOO_EARLY`, `VALIDATION` (a space no longer in the catalogue).
 *
 * @example
 * ```ts
 * const r = validateSubscriptionRequest(
 *   { actor: alice, structure: mairie, request, requester: elodie, services },
 *   { requestId: request.id, items: request.items.slice(1), scope: "structure", comment: "Accordé" },
 *   { now, catalogue: CHORUS_PRO_SPACES },
 * );
 * if (r.ok) r.value.requester.grants; // one grant per item kept
 * ```
 */
export function validateSubscriptionRequest(
  state: DecideSubscriptionState,
  command: ValidateSubscriptionRequest,
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<SubscriptionRequestValidated, DomainError> {
  const { actor, requester, services } = state;
  const decidable = checkSubscriptionDecidable(actor, state.structure, state.request, command.requestId, todayOf(ctx));
  if (!decidable.ok) return decidable;
  const request = decidable.value;
  if (requester.id !== request.userId) return err({ code: "NOT_FOUND", entity: "user", id: request.userId });
  if (requester.status === "deactivated") return err({ code: "ACCOUNT_NOT_ACTIVE", userId: requester.id, status: requester.status });
  const asked = new Set(request.items.map((i) => grantKey(request.structureId, i)));
  const checkedItems = command.items ?? request.items;
  for (const item of checkedItems)
    if (!asked.has(grantKey(request.structureId, item)))
      return err({ code: "ITEM_NOT_REQUESTED", requestId: request.id, space: item.space, serviceId: item.serviceId });
  if (checkedItems.length === 0) return err({ code: "EMPTY_SELECTION", requestId: request.id });
  const checked = checkItems(ctx.catalogue, state.structure, requester, services, checkedItems);
  if (!checked.ok) return checked;
  const items = checked.value;
  const validUntil = checkValidUntil(command.validUntil, null, todayOf(ctx));
  if (!validUntil.ok) return validUntil;
  if (command.scope === "user")
    for (const item of items) {
      const service = item.serviceId === null ? null : (services.get(item.serviceId) ?? null);
      const open = item.serviceId === null ? state.structure.openSpaces.includes(item.space) : isSpaceOpen(state.structure, service, item.space);
      if (!open) return err({ code: "SPACE_NOT_OPEN", structureId: state.structure.id, serviceId: item.serviceId, space: item.space });
    }
  const at = toInstant(ctx.now);
  const opened = openFor(command.scope, state.structure, services, items, actor.id, at);
  const grants = newGrants(request.structureId, items, actor.id, at, validUntil.value);
  const ends = validUntil.value === null ? {} : { validUntil: validUntil.value };
  const managerComment = visibleText(command.comment) ?? "";
  const validated: ValidatedSubscriptionRequest = {
    ...request,
    status: "validated",
    decidedBy: actor.id,
    decidedAt: at,
    grantedItems: items,
    scope: command.scope,
    managerComment,
  };
  return ok({
    request: validated,
    requester: withGrants(requester, grants),
    structure: opened.structure,
    structureChanged: opened.structureChanged,
    services: opened.services,
    history: [
      ...opened.history,
      entry(
        "subscriptionRequestValidated",
        at,
        request.structureId,
        actor.id,
        requester.id,
        { items, subscriptionScope: command.scope, ...(managerComment === "" ? {} : { comment: managerComment }), ...ends },
        request.id,
      ),
    ],
    events: [
      ...opened.events,
      {
        type: "SubscriptionRequestValidated",
        at,
        requestId: request.id,
        structureId: request.structureId,
        userId: requester.id,
        decidedBy: actor.id,
        items,
        scope: command.scope,
        ...ends,
      },
    ],
  });
}

/**
 * Refuses a subscription request. History: « Désactivée » (the only act recorded so).
 *
 * Refusals: `NOT_FOUND` (also for a request of a structure the actor may not manage),
 * `REQUEST_ALREADY_DECIDED`, `SELF_DECISION_FORBIDDEN`.
 *
 * @example
 * ```ts
 * const r = refuseSubscriptionRequest({ actor: alice, structure: mairie, request },
 *   { requestId: request.id, comment: "Pas pour ce service" }, { now });
 * if (r.ok) r.value.request.status; // "refused"
 * ```
 */
export function refuseSubscriptionRequest(
  state: { readonly actor: User; readonly structure: Structure; readonly request: SubscriptionRequest },
  command: RefuseSubscriptionRequest,
  ctx: TransitionContext,
): Result<SubscriptionRequestRefused, DomainError> {
  const decidable = checkSubscriptionDecidable(state.actor, state.structure, state.request, command.requestId, todayOf(ctx));
  if (!decidable.ok) return decidable;
  const request = decidable.value;
  const at = toInstant(ctx.now);
  const managerComment = visibleText(command.comment) ?? "";
  return ok({
    request: { ...request, status: "refused", decidedBy: state.actor.id, decidedAt: at, managerComment },
    history: [
      entry(
        "subscriptionRequestRefused",
        at,
        request.structureId,
        state.actor.id,
        request.userId,
        { items: request.items, ...(managerComment === "" ? {} : { comment: managerComment }) },
        request.id,
      ),
    ],
    events: [
      { type: "SubscriptionRequestRefused", at, requestId: request.id, structureId: request.structureId, userId: request.userId, decidedBy: state.actor.id },
    ],
  });
}
