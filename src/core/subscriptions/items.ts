// Checks shared by the acts on subscription items: the spaces are in the catalogue, the
// services are active services of the structure within the user's scope.
import { attachmentTo } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, StructureId } from "../ids.js";
import type { Service, Structure, SubscriptionItem, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { grantKey } from "./access.js";
import { checkSpaces, type SpaceCatalogue } from "./catalogue.js";

/**
 * Items in canonical form: one per space and service (the highest access kept), sorted
 * by space then service (all services first).
 *
 * @example
 * ```ts
 * canonicalItems([{ space: R, serviceId: null, access: "read" }, { space: R, serviceId: null, access: "write" }]);
 * // [{ space: R, serviceId: null, access: "write" }]
 * ```
 */
export function canonicalItems(items: readonly SubscriptionItem[]): SubscriptionItem[] {
  const byKey = new Map<string, SubscriptionItem>();
  for (const item of items) {
    const key = grantKey("" as StructureId, item);
    const seen = byKey.get(key);
    if (
      seen === undefined ||
      // Stryker disable next-line ConditionalExpression,LogicalOperator: the read test made true, or the && made ||, is equivalent: a line seen with write and asked again with write is replaced by the same line. (Made false, killed by test/core/subscriptions/items.test.ts; it shares the line.)
      (seen.access === "read" &&
        // Stryker disable next-line ConditionalExpression: made true, equivalent: a line seen with read and asked again with read is replaced by the same line (same space, service and access). (Made false, killed by test/core/subscriptions/items.test.ts; it shares the line.)
        item.access === "write")
    )
      byKey.set(key, { space: item.space, serviceId: item.serviceId, access: item.access });
  }
  return [...byKey.values()].sort((a, b) =>
    a.space < b.space
      ? -1
      : a.space > b.space
        ? 1
        : // Stryker disable next-line EqualityOperator: the < made <= is equivalent: two lines never share a space and a service (the map above), so the services compared here are never equal. (The >= is killed by test/core/subscriptions/items.test.ts; it shares the line.)
          (a.serviceId ?? "") < (b.serviceId ?? "")
          ? -1
          : // Stryker disable next-line all: equivalent. Reached only when a's service sorts after b's (never equal, see above), so the answer is 1; and made 0 it still changes nothing: Array.prototype.sort (V8) only asks whether a comparison is negative.
            (a.serviceId ?? "") > (b.serviceId ?? "")
            ? 1
            : 0,
  );
}

/**
 * Checks items for a user of a structure: every space in the catalogue (`VALIDATION`),
 * every service named an active service of the structure (`NOT_FOUND`,
 * `SERVICE_INACTIVE`) within the user's attachment (`NOT_ATTACHED`).
 *
 * @returns the items in canonical form.
 */
export function checkItems(
  catalogue: SpaceCatalogue,
  structure: Structure,
  user: User,
  services: ReadonlyMap<ServiceId, Service>,
  items: readonly SubscriptionItem[],
): Result<SubscriptionItem[], DomainError> {
  const spaces = checkSpaces(catalogue, items.map((i) => i.space), ["items"]);
  if (!spaces.ok) return spaces;
  const attachment = attachmentTo(user, structure.id);
  if (attachment === undefined) return err({ code: "NOT_ATTACHED", structureId: structure.id, userId: user.id });
  for (const item of items) {
    if (item.serviceId === null) continue;
    const service = services.get(item.serviceId);
    if (service === undefined || service.structureId !== structure.id)
      return err({ code: "NOT_FOUND", entity: "service", id: item.serviceId });
    if (!service.active) return err({ code: "SERVICE_INACTIVE", serviceId: service.id });
    if (attachment.scope.kind === "services" && !attachment.scope.serviceIds.includes(service.id))
      return err({ code: "NOT_ATTACHED", structureId: structure.id, userId: user.id, serviceId: service.id });
  }
  return ok(canonicalItems(items));
}
