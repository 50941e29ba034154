// The business acts that change state: parse, load, decide with the pure core, commit.
import {
  addService as addServiceRule,
  attachUser as attachUserRule,
  attachmentTo,
  changeMemberRole as changeMemberRoleRule,
  createStructure as createStructureRule,
  deactivateService as deactivateServiceRule,
  err,
  ok,
  parseAddService,
  parseAttachUser,
  parseChangeMemberRole,
  parseCreateStructure,
  parseDeactivateService,
  parseRefuseAttachmentRequest,
  parseRefuseAttachmentRequests,
  parseRegisterUser,
  parseRemoveAttachment,
  parseRenameService,
  parseRequestAttachment,
  parseValidateAttachmentRequest,
  parseValidateAttachmentRequests,
  refuseAttachmentRequest as refuseRule,
  registerUser as registerUserRule,
  removeAttachment as removeAttachmentRule,
  renameService as renameServiceRule,
  requestAttachment as requestAttachmentRule,
  scopeServiceIds,
  validateAttachmentRequest as validateRule,
  type AttachmentRequestId,
  type AttachmentRequestRefused,
  type AttachmentRequested,
  type AttachmentRequestValidated,
  type DomainError,
  type DomainEvent,
  type MemberChanged,
  type RefuseAttachmentRequest,
  type Result,
  type ServiceChanged,
  type StructureCreated,
  type UserAttachedOutcome,
  type UserId,
  type UserRegistered,
  type ValidateAttachmentRequest,
} from "../core/index.js";
import type {
  AttachmentRequest,
  MemberState,
  Service,
  ServiceState,
  StructureId,
  TransitionContext,
} from "../core/index.js";
import { freeze } from "immer";
import type { Versioned } from "../port/store.js";
import {
  contextOf,
  execute,
  loadServices,
  loadJudged,
  loadStructure,
  loadUser,
  parseActor,
  readOf,
  plan,
  type Committed,
  type Deps,
} from "./runner.js";

/** One request's outcome in a bulk decision, each request committed on its own. */
export interface BulkResultItem<T> {
  readonly requestId: AttachmentRequestId;
  readonly result: Result<T, DomainError>;
}

/** The outcome of a bulk decision: one result per request, and all the events to deliver. */
export interface BulkOutcome<T> {
  readonly results: readonly BulkResultItem<T>[];
  readonly events: readonly DomainEvent[];
}

async function loadRequest(deps: Deps, id: AttachmentRequestId): Promise<Result<Versioned<AttachmentRequest>, DomainError>> {
  const row = await deps.store.getAttachmentRequest(id);
  return row === null ? err({ code: "NOT_FOUND", entity: "attachmentRequest", id }) : ok(row);
}

async function loadServiceRow(deps: Deps, id: Service["id"]): Promise<Result<Versioned<Service>, DomainError>> {
  const row = await deps.store.getService(id);
  return row === null ? err({ code: "NOT_FOUND", entity: "service", id }) : ok(row);
}

/** Parses the actor and the input, then runs the act: junk in either is `VALIDATION`. */
async function act<C, T>(
  actor: unknown,
  input: unknown,
  parse: (input: unknown) => Result<C, DomainError>,
  run: (actorId: UserId, command: C) => Promise<Result<T, DomainError>>,
): Promise<Result<T, DomainError>> {
  const actorId = parseActor(actor);
  if (!actorId.ok) return actorId;
  const command = parse(input);
  if (!command.ok) return command;
  return run(actorId.value, command.value);
}

/** Builds the state-changing operations over resolved dependencies. */
export function commandOperations(deps: Deps) {
  const { store } = deps;

  async function validateOne(
    actorId: UserId,
    command: ValidateAttachmentRequest,
  ): Promise<Result<Committed<AttachmentRequestValidated>, DomainError>> {
    const ctx = contextOf(deps);
    return execute(deps, async () => {
      const request = await loadRequest(deps, command.requestId);
      if (!request.ok) return request;
      const judged = await loadJudged(store, actorId, request.value.value.structureId);
      if (!judged.ok) return judged;
      const { actor, structure } = judged.value;
      const requester = await loadUser(store, request.value.value.userId);
      if (!requester.ok) return requester;
      const current = attachmentTo(requester.value.value, structure.value.id);
      const { services, reads } = await loadServices(store, [
        ...scopeServiceIds(request.value.value.scope),
        ...(current ? scopeServiceIds(current.scope) : []),
        ...(command.scope ? scopeServiceIds(command.scope) : []),
      ]);
      const decided = validateRule(
        {
          actor: actor.value,
          structure: structure.value,
          request: request.value.value,
          requester: requester.value.value,
          services,
        },
        command,
        ctx,
      );
      if (!decided.ok) return decided;
      const o = decided.value;
      return plan(
        o,
        [
          { kind: "attachmentRequest", value: o.request, expectedVersion: request.value.version },
          { kind: "user", value: o.requester, expectedVersion: requester.value.version },
        ],
        [...judged.value.reads, ...reads],
      );
    });
  }

  async function refuseOne(
    actorId: UserId,
    command: RefuseAttachmentRequest,
  ): Promise<Result<Committed<AttachmentRequestRefused>, DomainError>> {
    const ctx = contextOf(deps);
    return execute(deps, async () => {
      const request = await loadRequest(deps, command.requestId);
      if (!request.ok) return request;
      const judged = await loadJudged(store, actorId, request.value.value.structureId);
      if (!judged.ok) return judged;
      const { actor, structure, reads } = judged.value;
      const decided = refuseRule(
        { actor: actor.value, structure: structure.value, request: request.value.value },
        command,
        ctx,
      );
      if (!decided.ok) return decided;
      return plan(
        decided.value,
        [{ kind: "attachmentRequest", value: decided.value.request, expectedVersion: request.value.version }],
        reads,
      );
    });
  }

  /** Shared shape of the acts on one member (role change, removal). */
  async function onMember<C extends { readonly structureId: StructureId; readonly userId: UserId }>(
    actorId: UserId,
    command: C,
    rule: (state: MemberState, c: C, ctx: TransitionContext) => Result<MemberChanged, DomainError>,
  ): Promise<Result<Committed<MemberChanged>, DomainError>> {
    const ctx = contextOf(deps);
    return execute(deps, async () => {
      const judged = await loadJudged(store, actorId, command.structureId);
      if (!judged.ok) return judged;
      const { actor, structure, reads } = judged.value;
      const member = await loadUser(store, command.userId);
      if (!member.ok) return member;
      const decided = rule({ actor: actor.value, structure: structure.value, member: member.value.value }, command, ctx);
      if (!decided.ok) return decided;
      return plan(
        decided.value,
        [{ kind: "user", value: decided.value.member, expectedVersion: member.value.version }],
        reads,
      );
    });
  }

  /** Shared shape of the acts on one existing service (rename, deactivate). */
  async function onService<C extends { readonly serviceId: Service["id"] }>(
    actorId: UserId,
    command: C,
    rule: (state: ServiceState, c: C, ctx: TransitionContext) => Result<ServiceChanged, DomainError>,
  ): Promise<Result<Committed<ServiceChanged>, DomainError>> {
    const ctx = contextOf(deps);
    return execute(deps, async () => {
      const service = await loadServiceRow(deps, command.serviceId);
      if (!service.ok) return service;
      const judged = await loadJudged(store, actorId, service.value.value.structureId);
      if (!judged.ok) return judged;
      const { actor, structure, reads } = judged.value;
      const decided = rule({ actor: actor.value, structure: structure.value, service: service.value.value }, command, ctx);
      if (!decided.ok) return decided;
      return plan(
        decided.value,
        [{ kind: "service", value: decided.value.service, expectedVersion: service.value.version }],
        reads,
      );
    });
  }

  /**
   * Decides each request on its own, in order: one unit of work each, so one bad or
   * conflicting request never blocks or corrupts the others. An unknown actor fails
   * the whole call; rights are judged per request (each may belong to another structure).
   */
  async function decideEach<C extends { readonly requestId: AttachmentRequestId }, T extends { readonly events: readonly DomainEvent[] }>(
    actorId: UserId,
    items: readonly C[],
    decide: (actorId: UserId, item: C) => Promise<Result<T, DomainError>>,
  ): Promise<Result<BulkOutcome<T>, DomainError>> {
    const known = await loadUser(store, actorId);
    if (!known.ok) return known;
    const results: BulkResultItem<T>[] = [];
    const events: DomainEvent[] = [];
    for (const item of items) {
      const result = await decide(actorId, item);
      if (result.ok) events.push(...result.value.events);
      results.push({ requestId: item.requestId, result });
    }
    return ok(freeze({ results, events }));
  }

  return {
    /**
     * Registers an active user account (public side, no actor). Refused with
     * `LOGIN_TAKEN` when the login is in use, even by a concurrent registration.
     *
     * @example
     * ```ts
     * const r = await app.registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" });
     * if (r.ok) r.value.user.id; // "usr_…"
     * ```
     */
    async registerUser(input: unknown): Promise<Result<Committed<UserRegistered>, DomainError>> {
      const command = parseRegisterUser(input);
      if (!command.ok) return command;
      const ctx = contextOf(deps);
      const userId = deps.newId("user") as UserId;
      return execute(deps, async () => {
        const existing = await store.findUserByLogin(command.value.login);
        if (existing !== null) return err({ code: "LOGIN_TAKEN", login: command.value.login });
        const decided = registerUserRule(command.value, { ...ctx, userId });
        if (!decided.ok) return decided;
        return plan(decided.value, [{ kind: "user", value: decided.value.user, expectedVersion: null }], []);
      });
    },

    /**
     * Creates a structure whose primary manager is the actor.
     *
     * @example
     * ```ts
     * const r = await app.createStructure(alice.id, {
     *   designation: "Mairie de Lyon", kind: "public",
     *   identifier: { type: "siret", value: "216 901 231 00011" },
     * });
     * if (r.ok) r.value.structure.primaryManagerId; // alice.id
     * ```
     */
    async createStructure(actor: unknown, input: unknown): Promise<Result<Committed<StructureCreated>, DomainError>> {
      return act(actor, input, parseCreateStructure, async (actorId, command) => {
        const ctx = contextOf(deps);
        const structureId = deps.newId("structure") as StructureId;
        return execute(deps, async () => {
          const founder = await loadUser(store, actorId);
          if (!founder.ok) return founder;
          const decided = createStructureRule({ founder: founder.value.value }, command, { ...ctx, structureId });
          if (!decided.ok) return decided;
          return plan(
            decided.value,
            [
                { kind: "structure", value: decided.value.structure, expectedVersion: null },
                { kind: "user", value: decided.value.founder, expectedVersion: founder.value.version },
              ],
            [],
          );
        });
      });
    },

    /**
     * Adds a service to a structure the actor manages. `SERVICE_CODE_TAKEN` if the code
     * is in use in that structure (case-insensitive).
     *
     * @example
     * ```ts
     * const r = await app.addService(alice.id, { structureId, code: "COMPTA", label: "Comptabilité" });
     * ```
     */
    async addService(actor: unknown, input: unknown): Promise<Result<Committed<ServiceChanged>, DomainError>> {
      return act(actor, input, parseAddService, async (actorId, command) => {
        const ctx = contextOf(deps);
        const serviceId = deps.newId("service") as Service["id"];
        return execute(deps, async () => {
          const judged = await loadJudged(store, actorId, command.structureId);
          if (!judged.ok) return judged;
          const { actor, structure, reads } = judged.value;
          const decided = addServiceRule({ actor: actor.value, structure: structure.value }, command, { ...ctx, serviceId });
          if (!decided.ok) return decided;
          return plan(decided.value, [{ kind: "service", value: decided.value.service, expectedVersion: null }], reads);
        });
      });
    },

    /**
     * Renames a service.
     *
     * @example
     * ```ts
     * await app.renameService(alice.id, { serviceId, label: "Comptabilité générale" });
     * ```
     */
    async renameService(actor: unknown, input: unknown): Promise<Result<Committed<ServiceChanged>, DomainError>> {
      return act(actor, input, parseRenameService, (actorId, command) => onService(actorId, command, renameServiceRule));
    },

    /**
     * Deactivates a service (no member record is touched).
     *
     * @example
     * ```ts
     * await app.deactivateService(alice.id, { serviceId });
     * ```
     */
    async deactivateService(actor: unknown, input: unknown): Promise<Result<Committed<ServiceChanged>, DomainError>> {
      return act(actor, input, parseDeactivateService, (actorId, command) => onService(actorId, command, deactivateServiceRule));
    },

    /**
     * The actor asks to be attached to a structure or some of its services.
     *
     * @example
     * ```ts
     * const r = await app.requestAttachment(elodie.id, {
     *   structureId, scope: { kind: "services", serviceIds: [compta, achats] }, comment: "Arrivée au 1er décembre",
     * });
     * if (r.ok) r.value.events[0]?.type; // "AttachmentRequested": tell the managers
     * ```
     */
    async requestAttachment(actor: unknown, input: unknown): Promise<Result<Committed<AttachmentRequested>, DomainError>> {
      return act(actor, input, parseRequestAttachment, async (actorId, command) => {
        const ctx = contextOf(deps);
        const requestId = deps.newId("attachmentRequest") as AttachmentRequestId;
        return execute(deps, async () => {
          const user = await loadUser(store, actorId);
          if (!user.ok) return user;
          const structure = await loadStructure(store, command.structureId);
          if (!structure.ok) return structure;
          const { services, reads } = await loadServices(store, scopeServiceIds(command.scope));
          const pending = await store.findPendingRequest(actorId, command.structureId);
          const decided = requestAttachmentRule(
            { user: user.value.value, structure: structure.value.value, services, pendingRequest: pending?.value ?? null },
            command,
            { ...ctx, requestId },
          );
          if (!decided.ok) return decided;
          return plan(
            decided.value,
            [{ kind: "attachmentRequest", value: decided.value.request, expectedVersion: null }],
            [readOf("user", user.value), readOf("structure", structure.value), ...reads],
          );
        });
      });
    },

    /**
     * Validates a request, optionally changing the role and the checked services.
     *
     * @example
     * ```ts
     * const r = await app.validateAttachmentRequest(alice.id, { requestId, role: "secondaryManager" });
     * if (r.ok) for (const e of r.value.events) await mailer.send(e); // tell the requester
     * ```
     */
    async validateAttachmentRequest(
      actor: unknown,
      input: unknown,
    ): Promise<Result<Committed<AttachmentRequestValidated>, DomainError>> {
      return act(actor, input, parseValidateAttachmentRequest, validateOne);
    },

    /**
     * Refuses a request with a mandatory reason.
     *
     * @example
     * ```ts
     * const r = await app.refuseAttachmentRequest(alice.id, { requestId, reason: "Personne inconnue" });
     * if (!r.ok && r.error.code === "REFUSAL_REASON_REQUIRED") askForReason();
     * ```
     */
    async refuseAttachmentRequest(
      actor: unknown,
      input: unknown,
    ): Promise<Result<Committed<AttachmentRequestRefused>, DomainError>> {
      return act(actor, input, parseRefuseAttachmentRequest, refuseOne);
    },

    /**
     * Validates several requests; each is its own unit of work, so one bad or
     * conflicting request never blocks or corrupts the others.
     *
     * @example
     * ```ts
     * const r = await app.validateAttachmentRequests(alice.id, { items: [{ requestId: a }, { requestId: b }] });
     * if (r.ok) r.value.results.filter((x) => !x.result.ok); // the ones refused, with why
     * ```
     */
    async validateAttachmentRequests(
      actor: unknown,
      input: unknown,
    ): Promise<Result<BulkOutcome<Committed<AttachmentRequestValidated>>, DomainError>> {
      return act(actor, input, parseValidateAttachmentRequests, (actorId, command) =>
        decideEach(actorId, command.items, validateOne),
      );
    },

    /**
     * Refuses several requests with one shared reason, each on its own.
     *
     * @example
     * ```ts
     * await app.refuseAttachmentRequests(alice.id, { requestIds: [a, b], reason: "Doublons" });
     * ```
     */
    async refuseAttachmentRequests(
      actor: unknown,
      input: unknown,
    ): Promise<Result<BulkOutcome<Committed<AttachmentRequestRefused>>, DomainError>> {
      return act(actor, input, parseRefuseAttachmentRequests, (actorId, command) =>
        decideEach(
          actorId,
          command.requestIds.map((requestId) => ({ requestId, reason: command.reason })),
          refuseOne,
        ),
      );
    },

    /**
     * Attaches a user who has an account, on the manager's initiative (guide §3 A).
     *
     * @example
     * ```ts
     * const r = await app.attachUser(alice.id, {
     *   structureId, userId: bruno.id, role: "user", validFrom: "2026-12-01",
     *   comment: "Renfort pour la clôture", scope: { kind: "structure" },
     * });
     * ```
     */
    async attachUser(actor: unknown, input: unknown): Promise<Result<Committed<UserAttachedOutcome>, DomainError>> {
      return act(actor, input, parseAttachUser, async (actorId, command) => {
        const ctx = contextOf(deps);
        return execute(deps, async () => {
          const judged = await loadJudged(store, actorId, command.structureId);
          if (!judged.ok) return judged;
          const { actor, structure } = judged.value;
          const target = await loadUser(store, command.userId);
          if (!target.ok) return target;
          const { services, reads } = await loadServices(store, scopeServiceIds(command.scope));
          const decided = attachUserRule(
            { actor: actor.value, structure: structure.value, user: target.value.value, services },
            command,
            ctx,
          );
          if (!decided.ok) return decided;
          return plan(
            decided.value,
            [{ kind: "user", value: decided.value.user, expectedVersion: target.value.version }],
            [...judged.value.reads, ...reads],
          );
        });
      });
    },

    /**
     * Changes a member's role (secondary manager ↔ simple user).
     *
     * @example
     * ```ts
     * await app.changeMemberRole(alice.id, { structureId, userId: bruno.id, role: "secondaryManager" });
     * ```
     */
    async changeMemberRole(actor: unknown, input: unknown): Promise<Result<Committed<MemberChanged>, DomainError>> {
      return act(actor, input, parseChangeMemberRole, (actorId, command) => onMember(actorId, command, changeMemberRoleRule));
    },

    /**
     * Removes a member's attachment (history: « Supprimé »).
     *
     * @example
     * ```ts
     * await app.removeAttachment(alice.id, { structureId, userId: bruno.id });
     * ```
     */
    async removeAttachment(actor: unknown, input: unknown): Promise<Result<Committed<MemberChanged>, DomainError>> {
      return act(actor, input, parseRemoveAttachment, (actorId, command) => onMember(actorId, command, removeAttachmentRule));
    },
  };
}
