import { cards, type RequesterCard, type StructureCard } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, SpaceCode } from "../ids.js";
import type { Service, Structure, SubscriptionRequest, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { todayOf, type TransitionContext } from "../time.js";
import { accessLevelLabel, type AccessLevel } from "../vocabulary.js";
import { grantKey, isSpaceOpen } from "./access.js";
import type { SpaceCatalogue } from "./catalogue.js";

/** One line of the consultation screen of a subscription request. */
export interface SubscriptionItemLine {
  readonly space: SpaceCode;
  readonly spaceLabel: string;
  /** `null`: « Tous les services ». */
  readonly serviceId: ServiceId | null;
  readonly serviceCode: string | null;
  /** The service's label, or « Tous les services ». */
  readonly serviceLabel: string;
  readonly access: AccessLevel;
  /** « Consultation » or « Modification ». */
  readonly accessLabel: string;
  /** Whether the space is already open where the item points (scope `user` needs it). */
  readonly open: boolean;
  /** The access the user already holds for this space and service, if any. */
  readonly held: AccessLevel | null;
}

/** Everything the guide's consultation screen of a subscription request shows. */
export interface SubscriptionRequestView {
  readonly request: SubscriptionRequest;
  readonly structure: StructureCard;
  /** The requester as seen from this structure. */
  readonly user: RequesterCard;
  /** The user's comment. */
  readonly comment: string;
  readonly items: readonly SubscriptionItemLine[];
}

/** The label of the « all services » line. */
export const ALL_SERVICES_LABEL = "Tous les services";

/**
 * The consultation view of a subscription request, for a manager of its structure: the
 * structure, the requester, and each space asked for with « tous les services » or one
 * service, « Consultation » or « Modification », the user's comment.
 *
 * Refusals: `NOT_FOUND` (also when the actor may not manage the request's structure).
 *
 * @example
 * ```ts
 * const r = consultSubscriptionRequest({ actor: alice, structure: mairie, request, requester: elodie, services },
 *   { now, catalogue: CHORUS_PRO_SPACES });
 * if (r.ok) r.value.items.map((i) => [i.spaceLabel, i.serviceLabel, i.accessLabel]);
 * // [["Factures reçues", "Comptabilité", "Modification"], …]
 * ```
 */
export function consultSubscriptionRequest(
  state: {
    readonly actor: User;
    readonly structure: Structure;
    readonly request: SubscriptionRequest;
    readonly requester: User;
    readonly services: ReadonlyMap<ServiceId, Service>;
  },
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<SubscriptionRequestView, DomainError> {
  const { actor, structure, request, requester, services } = state;
  if (request.structureId !== structure.id || !authorizeManager(actor, structure, todayOf(ctx)).ok)
    return err({ code: "NOT_FOUND", entity: "subscriptionRequest", id: request.id });
  if (requester.id !== request.userId) return err({ code: "NOT_FOUND", entity: "user", id: request.userId });
  const held = new Map(requester.grants.map((g) => [grantKey(g.structureId, g), g.access]));
  return ok({
    request,
    ...cards(structure, requester),
    comment: request.comment,
    items: request.items.map((item) => {
      const service = item.serviceId === null ? null : (services.get(item.serviceId) ?? null);
      return {
        space: item.space,
        spaceLabel: ctx.catalogue.get(item.space)?.label ?? item.space,
        serviceId: item.serviceId,
        serviceCode: service?.code ?? null,
        serviceLabel: item.serviceId === null ? ALL_SERVICES_LABEL : (service?.label ?? item.serviceId),
        access: item.access,
        accessLabel: accessLevelLabel[item.access],
        open: item.serviceId === null ? structure.openSpaces.includes(item.space) : isSpaceOpen(structure, service, item.space),
        held: held.get(grantKey(structure.id, item)) ?? null,
      };
    }),
  });
}
