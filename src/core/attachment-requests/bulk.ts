import type { DomainEvent } from "../events.js";
import type { DomainError } from "../errors.js";
import type { NewHistoryEntry } from "../history.js";
import type { AttachmentRequestId, ServiceId, StructureId, UserId } from "../ids.js";
import type { AttachmentRequest, Service, Structure, User } from "../model.js";
import { err, type Result } from "../result.js";
import { todayOf, type TransitionContext } from "../time.js";
import { authorizeManager } from "../authorization.js";
import { refuseAttachmentRequest, type AttachmentRequestRefused } from "./refuseAttachmentRequest.js";
import {
  validateAttachmentRequest,
  type AttachmentRequestValidated,
  type ValidateAttachmentRequest,
} from "./validateAttachmentRequest.js";

/** What a bulk decision needs to know: every record the requests name. */
export interface BulkDecisionState {
  readonly actor: User;
  readonly structures: ReadonlyMap<StructureId, Structure>;
  readonly requests: ReadonlyMap<AttachmentRequestId, AttachmentRequest>;
  readonly users: ReadonlyMap<UserId, User>;
  readonly services: ReadonlyMap<ServiceId, Service>;
}

/** Validate several requests at once (the guide's check boxes). */
export interface ValidateAttachmentRequests {
  readonly items: readonly ValidateAttachmentRequest[];
}

/** Refuse several requests at once with one shared reason. */
export interface RefuseAttachmentRequests {
  readonly requestIds: readonly AttachmentRequestId[];
  readonly reason: string;
}

/** The outcome of one request in a bulk decision. */
export interface BulkItemResult<T> {
  readonly requestId: AttachmentRequestId;
  readonly result: Result<T, DomainError>;
}

/**
 * What a bulk decision decided: one result per request, in the order given, and the
 * accumulated changes of the successful ones (each user and request once, in its final
 * state), ready to be saved together.
 */
export interface BulkDecision<T> {
  readonly results: readonly BulkItemResult<T>[];
  readonly users: readonly User[];
  readonly requests: readonly AttachmentRequest[];
  readonly history: readonly NewHistoryEntry[];
  readonly events: readonly DomainEvent[];
}

function decideEach<C extends { readonly requestId: AttachmentRequestId }, T extends {
  readonly request: AttachmentRequest;
  readonly history: readonly NewHistoryEntry[];
  readonly events: readonly DomainEvent[];
  readonly requester?: User;
}>(
  state: BulkDecisionState,
  commands: readonly C[],
  ctx: TransitionContext,
  decide: (one: {
    actor: User;
    structure: Structure;
    request: AttachmentRequest;
    requester: User;
    services: ReadonlyMap<ServiceId, Service>;
  }, command: C) => Result<T, DomainError>,
): BulkDecision<T> {
  // Later items see the effects of earlier ones: a request decided twice in one batch
  // is refused the second time, and a user named by two requests keeps both attachments.
  const requests = new Map(state.requests);
  const users = new Map(state.users);
  const changedUsers = new Map<UserId, User>();
  const changedRequests = new Map<AttachmentRequestId, AttachmentRequest>();
  const history: NewHistoryEntry[] = [];
  const events: DomainEvent[] = [];
  const results = commands.map((command): BulkItemResult<T> => {
    const request = requests.get(command.requestId);
    const structure = request === undefined ? undefined : state.structures.get(request.structureId);
    // Nothing about a request is told to someone who may not manage its structure, not
    // even which records are missing: the same NOT_FOUND as for an unknown request.
    if (request === undefined || structure === undefined || !authorizeManager(state.actor, structure, todayOf(ctx)).ok)
      return { requestId: command.requestId, result: err({ code: "NOT_FOUND", entity: "attachmentRequest", id: command.requestId }) };
    const requester = users.get(request.userId);
    if (requester === undefined)
      return { requestId: command.requestId, result: err({ code: "NOT_FOUND", entity: "user", id: request.userId }) };
    const result = decide(
      { actor: state.actor, structure, request, requester, services: state.services },
      command,
    );
    if (result.ok) {
      const outcome = result.value;
      requests.set(outcome.request.id, outcome.request);
      changedRequests.set(outcome.request.id, outcome.request);
      if (outcome.requester !== undefined) {
        users.set(outcome.requester.id, outcome.requester);
        changedUsers.set(outcome.requester.id, outcome.requester);
      }
      history.push(...outcome.history);
      events.push(...outcome.events);
    }
    return { requestId: command.requestId, result };
  });
  return {
    results,
    users: [...changedUsers.values()],
    requests: [...changedRequests.values()],
    history,
    events,
  };
}

/**
 * Validates several requests, each decided on its own: one bad request never blocks or
 * changes the others. Each item may change the role and the checked services like
 * {@link validateAttachmentRequest}.
 *
 * @example
 * ```ts
 * const bulk = validateAttachmentRequests(
 *   { actor: alice, structures, requests, users, services },
 *   { items: [{ requestId: r1.id }, { requestId: r2.id, role: "secondaryManager" }] },
 *   { now },
 * );
 * bulk.results.map((r) => r.result.ok); // [true, true]
 * ```
 */
export function validateAttachmentRequests(
  state: BulkDecisionState,
  command: ValidateAttachmentRequests,
  ctx: TransitionContext,
): BulkDecision<AttachmentRequestValidated> {
  return decideEach(state, command.items, ctx, (one, item) => validateAttachmentRequest(one, item, ctx));
}

/**
 * Refuses several requests with one shared reason, each decided on its own.
 *
 * @example
 * ```ts
 * const bulk = refuseAttachmentRequests(
 *   { actor: alice, structures, requests, users, services: new Map() },
 *   { requestIds: [r1.id, r2.id], reason: "Demandes en double" },
 *   { now },
 * );
 * bulk.requests.every((r) => r.status === "refused"); // true
 * ```
 */
export function refuseAttachmentRequests(
  state: BulkDecisionState,
  command: RefuseAttachmentRequests,
  ctx: TransitionContext,
): BulkDecision<AttachmentRequestRefused> {
  return decideEach(
    state,
    command.requestIds.map((requestId) => ({ requestId })),
    ctx,
    (one, item) => refuseAttachmentRequest(one, { requestId: item.requestId, reason: command.reason }, ctx),
  );
}
