// Structures and services (what the guide's sections need): create a structure with its
// primary manager, add, rename and deactivate services.
import {
  addService as addServiceRule,
  createStructure as createStructureRule,
  deactivateService as deactivateServiceRule,
  err,
  ok,
  parseAddService,
  parseCreateStructure,
  parseDeactivateService,
  parseRenameService,
  renameService as renameServiceRule,
  type DomainError,
  type Result,
  type Service,
  type ServiceChanged,
  type ServiceId,
  type ServiceState,
  type Structure,
  type StructureId,
  type TransitionContext,
  type UserId,
  type AddServiceInput,
  type CreateStructureInput,
  type DeactivateServiceInput,
  type RenameServiceInput,
} from "../core/index.js";
import { UNKNOWN_ACTOR, execute, judge, managerOf, managerVia, parseAct, type Deps, type Outcome, type ActorId, type CommandOptions } from "./runner.js";
import { memberView, type MemberView } from "./views.js";

/** What `createStructure` gives back. */
export type StructureCreatedOutcome = Outcome<{ readonly structure: Structure; readonly founder: MemberView }>;
/** What the service acts give back. */
export type ServiceChangedOutcome = Outcome<{ readonly service: Service }>;

/** Builds the operations on structures and services. */
export function structureOperations(deps: Deps) {
  /** Shared shape of the acts on one existing service (rename, deactivate). */
  function onService<C extends { readonly serviceId: ServiceId }>(
    operation: string,
    actorId: UserId,
    command: C,
    idempotencyKey: string | undefined,
    rule: (state: ServiceState, c: C, ctx: TransitionContext) => Result<ServiceChanged, DomainError>,
  ): Promise<Result<ServiceChangedOutcome, DomainError>> {
    return execute(deps, {
      operation,
      actorId,
      command,
      idempotencyKey,
      entitled: managerVia(actorId, async (s) => (await s.service(command.serviceId))?.value.structureId ?? null),
      async decide({ session, ctx }) {
        await session.prefetch({ service: [command.serviceId], user: [actorId] });
        const service = await session.service(command.serviceId);
        if (service === null) return err({ code: "NOT_FOUND", entity: "service", id: command.serviceId });
        const judged = await judge(session, actorId, service.value.structureId, ctx.today, {
          entity: "service",
          id: command.serviceId,
        });
        if (!judged.ok) return judged;
        const decided = rule({ ...judged.value, service: service.value }, command, ctx);
        if (!decided.ok) return decided;
        return ok({ outcome: decided.value, writes: [{ kind: "service", value: decided.value.service }] });
      },
      show: (o) => ({ service: o.service }),
    });
  }

  return {
    /**
     * Creates a structure whose primary manager is the actor (attached to the whole
     * structure from today).
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`, `FORBIDDEN` (inactive account).
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
    async createStructure(
      actor: ActorId,
      input: CreateStructureInput,
      options?: CommandOptions,
    ): Promise<Result<StructureCreatedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseCreateStructure);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "createStructure",
        actorId,
        command,
        idempotencyKey,
        entitled: managerVia(actorId, async (_s, record) => record.history[0]?.structureId ?? null),
        async decide({ session, ctx, newId }) {
          const founder = await session.user(actorId);
          if (founder === null) return err(UNKNOWN_ACTOR);
          const decided = createStructureRule({ founder: founder.value }, command, {
            ...ctx,
            structureId: newId("structure") as StructureId,
          });
          if (!decided.ok) return decided;
          return ok({
            outcome: decided.value,
            writes: [
              { kind: "structure", value: decided.value.structure, create: true },
              { kind: "user", value: decided.value.founder },
            ],
          });
        },
        show: (o) => ({ structure: o.structure, founder: memberView(o.founder, o.structure) }),
      });
    },

    /**
     * Adds a service to a structure the actor manages. The code is normalised
     * (`" compta "` is `"COMPTA"`); `SERVICE_CODE_TAKEN` if it is in use in that structure.
     *
     * Refusals: `VALIDATION`, `UNKNOWN_ACTOR`, `FORBIDDEN`, `SERVICE_CODE_TAKEN`.
     *
     * @example
     * ```ts
     * const r = await app.addService(alice.id, { structureId, code: "COMPTA", label: "Comptabilité" });
     * if (r.ok) r.value.service.id; // "svc_…"
     * ```
     */
    async addService(actor: ActorId, input: AddServiceInput, options?: CommandOptions): Promise<Result<ServiceChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseAddService);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return execute(deps, {
        operation: "addService",
        actorId,
        command,
        idempotencyKey,
        entitled: managerOf(actorId, command.structureId),
        async decide({ session, ctx, newId }) {
          await session.prefetch({ user: [actorId], structure: [command.structureId] });
          const judged = await judge(session, actorId, command.structureId, ctx.today);
          if (!judged.ok) return judged;
          const decided = addServiceRule(judged.value, command, { ...ctx, serviceId: newId("service") as ServiceId });
          if (!decided.ok) return decided;
          return ok({ outcome: decided.value, writes: [{ kind: "service", value: decided.value.service, create: true }] });
        },
        show: (o) => ({ service: o.service }),
      });
    },

    /**
     * Renames a service of a structure the actor manages.
     *
     * Refusals: `VALIDATION`, `NOT_FOUND` (unknown service, or one of a structure the
     * actor may not manage).
     *
     * @example
     * ```ts
     * await app.renameService(alice.id, { serviceId, label: "Comptabilité générale" });
     * ```
     */
    async renameService(actor: ActorId, input: RenameServiceInput, options?: CommandOptions): Promise<Result<ServiceChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseRenameService);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onService("renameService", actorId, command, idempotencyKey, renameServiceRule);
    },

    /**
     * Deactivates a service (no member record is touched: effective scopes leave it out).
     *
     * Refusals: `VALIDATION`, `NOT_FOUND`, `SERVICE_INACTIVE`.
     *
     * @example
     * ```ts
     * await app.deactivateService(alice.id, { serviceId });
     * ```
     */
    async deactivateService(
      actor: ActorId,
      input: DeactivateServiceInput,
      options?: CommandOptions,
    ): Promise<Result<ServiceChangedOutcome, DomainError>> {
      const parsed = parseAct(actor, input, options, parseDeactivateService);
      if (!parsed.ok) return parsed;
      const { actorId, command, idempotencyKey } = parsed.value;
      return onService("deactivateService", actorId, command, idempotencyKey, deactivateServiceRule);
    },
  };
}
