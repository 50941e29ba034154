/**
 * A user's attachment to a structure as Chorus Pro keeps it: one row per service, each
 * with its own status (`statutRattachement`), derived from the library's records.
 *
 * The library keeps one attachment per user and structure (a scope: the whole structure
 * or some services), the requests, and the history of removals. Each service's row says
 * what holds for that service, first match winning:
 *
 * 1. **attached** — the attachment covers the service: `validated`; `deactivated` when
 *    the service is inactive or the account deactivated (the attachment comes back with
 *    a reactivated account);
 * 2. **asked** — a pending request covers it: `pending`; `deactivated` when the service
 *    is inactive (it can no longer be granted);
 * 3. **ended** — the latest of: a refused request covering it (`refused`, with the
 *    reason); a validated request that asked for it and did not grant it (`refused`,
 *    without reason: the manager unchecked it); a removal of the attachment, or of the
 *    service from it (`removed`, ended at the removal). At the same instant a removal
 *    wins.
 *
 * A whole-structure fact covers every service of the structure (a past one, those that
 * existed then); a structure without services has one row for itself (no service).
 * docs/decisions.md says why.
 */
import { attachmentTo } from "../authorization.js";
import type { NewHistoryEntry } from "../history.js";
import type { AttachmentRequestId, ServiceId } from "../ids.js";
import type { AttachmentRequest, AttachmentScope, Service, Structure, User } from "../model.js";
import { isBlank } from "../text.js";
import type { Instant, LocalDate } from "../time.js";
import type { AttachmentRowStatus } from "./codes.js";

/** A history entry as `attachmentRows` reads it (a stored `HistoryEntry` will do). */
export type AttachmentHistoryFact = Pick<NewHistoryEntry, "structureId" | "kind" | "at" | "targetUserId" | "details">;

/** What a user's attachment rows are derived from. */
export interface AttachmentRowsInput {
  readonly structure: Structure;
  /**
   * The structure's services — all of them: a whole-structure fact shows on each. A
   * service of another structure is ignored; a service the records name and this list
   * lacks has no row.
   */
  readonly services: readonly Service[];
  readonly user: User;
  /** The user's attachment requests to the structure (any others are ignored). */
  readonly requests?: readonly AttachmentRequest[];
  /**
   * The structure's history about the user: removals (`attachmentRemoved`), services
   * taken away (`servicesRemoved`, a validation's `previousScope`). Other entries are
   * ignored; without them no row is `removed`.
   */
  readonly history?: readonly AttachmentHistoryFact[];
  /**
   * When the user's attachment to the structure ends (`dateFin`): the first day it gives
   * no right. Left out: the attachment's own `validUntil` (issue 21); `null`: no end.
   */
  readonly validUntil?: LocalDate | null;
}

/** One row of a user's attachment (`ServiceOutputListerRattachementsStructureUtilisateur`), in the library's words. */
export interface AttachmentRow {
  /** The service, or `null` for the structure itself (a structure without services). */
  readonly service: Service | null;
  readonly status: AttachmentRowStatus;
  /** When the row starts (`dateDebut`): the attachment's validity date, or when the request was made. */
  readonly start: LocalDate | Instant | null;
  /** When the row ends (`dateFin`): when it was removed, or the attachment's end date. */
  readonly end: LocalDate | Instant | null;
  /** `commentaire`: the user's comment on a pending request, or the reason of a refusal. */
  readonly comment: string | null;
  /** The request the row comes from, if any. */
  readonly requestId: AttachmentRequestId | null;
}

/** A past fact that ended rows, with the rows it covers. */
interface Ended {
  readonly at: Instant;
  readonly covers: (service: Service | null) => boolean;
  readonly status: "refused" | "removed";
  readonly start: Instant | null;
  readonly comment: string | null;
  readonly requestId: AttachmentRequestId | null;
}

/**
 * Whether a scope covers a row: the structure row only for a whole-structure scope; a
 * service when named, or for a whole-structure scope (a past fact: only services that
 * existed at that instant).
 */
function covers(scope: AttachmentScope, service: Service | null, at?: Instant): boolean {
  if (service === null) return scope.kind === "structure";
  if (scope.kind === "services") return idsOf(scope.serviceIds).has(service.id);
  return at === undefined || service.createdAt <= at;
}

// A scope may name thousands of services, and a structure have thousands: one set per list.
const sets = new WeakMap<readonly ServiceId[], ReadonlySet<ServiceId>>();
function idsOf(ids: readonly ServiceId[]): ReadonlySet<ServiceId> {
  let set = sets.get(ids);
  if (set === undefined) sets.set(ids, (set = new Set(ids)));
  return set;
}

const nonBlank = (text: string | undefined): string | null => (text === undefined || isBlank(text) ? null : text);

/** The past facts about the user in the structure, from their requests and the history. */
function endedFacts(input: AttachmentRowsInput, requests: readonly AttachmentRequest[]): Ended[] {
  const facts: Ended[] = [];
  for (const r of requests) {
    if (r.status === "refused")
      facts.push({
        at: r.decidedAt,
        covers: (s) => covers(r.scope, s, r.decidedAt),
        status: "refused",
        start: r.createdAt,
        comment: nonBlank(r.reason),
        requestId: r.id,
      });
    else if (r.status === "validated")
      facts.push({
        at: r.decidedAt,
        covers: (s) => covers(r.scope, s, r.decidedAt) && !covers(r.grantedScope, s),
        status: "refused",
        start: r.createdAt,
        comment: null,
        requestId: r.id,
      });
  }
  for (const e of input.history ?? []) {
    if (e.structureId !== input.structure.id || e.targetUserId !== input.user.id) continue;
    const removed = (coversRow: (s: Service | null) => boolean): void => {
      facts.push({ at: e.at, covers: coversRow, status: "removed", start: null, comment: null, requestId: null });
    };
    if (e.kind === "attachmentRemoved") {
      const scope = e.details.scope ?? { kind: "structure" };
      removed((s) => covers(scope, s, e.at));
    } else if (e.kind === "servicesRemoved") {
      const gone = idsOf(e.details.removedServiceIds ?? []);
      removed((s) => s !== null && gone.has(s.id));
    } else if (e.kind === "attachmentRequestValidated" && e.details.previousScope !== undefined && e.details.scope !== undefined) {
      const before = e.details.previousScope;
      const after = e.details.scope;
      removed((s) => covers(before, s, e.at) && !covers(after, s));
    }
  }
  return facts;
}

/**
 * The rows of a user's attachment to a structure, one per service of the structure that
 * something happened on (or one for the structure itself when it has no service), in
 * service code order. Pure: reads only what it is given.
 *
 * @example
 * ```ts
 * attachmentRows({ structure: hospital, services: [achats, compta, paie, rh], user: elodie,
 *   requests: [elodieRequest] });
 * // [{ service: achats, status: "pending", start: "2026-11-20T10:00:00.000Z", comment: "Je rejoins…", … },
 * //  { service: compta, status: "pending", … },
 * //  { service: paie, status: "validated", start: "2026-11-02", end: null, … }]
 * ```
 */
export function attachmentRows(input: AttachmentRowsInput): AttachmentRow[] {
  const { structure, user } = input;
  const services = input.services
    .filter((s) => s.structureId === structure.id)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const keys: readonly (Service | null)[] = services.length === 0 ? [null] : services;
  const attachment = attachmentTo(user, structure.id);
  const requests = (input.requests ?? []).filter((r) => r.structureId === structure.id && r.userId === user.id);
  // At most one is pending (a store's unique key); should there be more, the newest speaks.
  const pending = requests
    .filter((r) => r.status === "pending")
    .reduce<AttachmentRequest | undefined>((newest, r) => (newest === undefined || r.createdAt > newest.createdAt ? r : newest), undefined);
  const ended = endedFacts(input, requests);
  const end = input.validUntil !== undefined ? input.validUntil : (attachment?.validUntil ?? null);

  const rows: AttachmentRow[] = [];
  for (const service of keys) {
    const inactive = service !== null && !service.active;
    if (attachment !== undefined && covers(attachment.scope, service)) {
      rows.push({
        service,
        status: inactive || user.status === "deactivated" ? "deactivated" : "validated",
        start: attachment.validFrom,
        end,
        comment: null,
        requestId: null,
      });
      continue;
    }
    if (pending !== undefined && covers(pending.scope, service)) {
      rows.push({
        service,
        status: inactive ? "deactivated" : "pending",
        start: pending.createdAt,
        end: null,
        comment: nonBlank(pending.comment),
        requestId: pending.id,
      });
      continue;
    }
    let last: Ended | undefined;
    for (const fact of ended) {
      if (!fact.covers(service)) continue;
      if (last === undefined || fact.at > last.at || (fact.at === last.at && fact.status === "removed")) last = fact;
    }
    if (last !== undefined)
      rows.push({
        service,
        status: last.status,
        start: last.start,
        end: last.status === "removed" ? last.at : null,
        comment: last.comment,
        requestId: last.requestId,
      });
  }
  return rows;
}
