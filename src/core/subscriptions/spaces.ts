import { entry, type Recorded } from "../_lib.js";
import { authorizeManager } from "../authorization.js";
import type { DomainError } from "../errors.js";
import type { ServiceId, SpaceCode, StructureId } from "../ids.js";
import type { Service, Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import { checkSpaces, type SpaceCatalogue } from "./catalogue.js";

/** A manager opens (or closes) a space on the whole structure, or on one of its services. */
export interface SpaceOnStructure {
  readonly structureId: StructureId;
  readonly space: SpaceCode;
  /** `null` (or absent at the boundary): on the whole structure. */
  readonly serviceId: ServiceId | null;
}

/** What opening or closing a space needs to know. */
export interface SpaceState {
  readonly actor: User;
  readonly structure: Structure;
  /** The service named, if the command names one. */
  readonly service: Service | null;
}

/** What opening or closing a space decided: the one record changed. */
export interface SpaceChanged extends Recorded {
  /** The structure when the space was opened or closed on it, else `null`. */
  readonly structure: Structure | null;
  /** The service when the space was opened or closed on it, else `null`. */
  readonly service: Service | null;
}

function check(
  state: SpaceState,
  command: SpaceOnStructure,
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<{ open: boolean }, DomainError> {
  const { actor, structure, service } = state;
  if (command.structureId !== structure.id) return err({ code: "NOT_FOUND", entity: "structure", id: command.structureId });
  const allowed = authorizeManager(actor, structure, todayOf(ctx));
  if (!allowed.ok) return allowed;
  const known = checkSpaces(ctx.catalogue, [command.space], [], null);
  if (!known.ok) return err({ code: "VALIDATION", issues: [{ path: ["space"], code: "unknown_space", message: "n'est pas un espace du catalogue" }] });
  if (command.serviceId === null) return ok({ open: structure.openSpaces.includes(command.space) });
  if (service === null || service.id !== command.serviceId || service.structureId !== structure.id)
    return err({ code: "NOT_FOUND", entity: "service", id: command.serviceId });
  return ok({ open: service.openSpaces.includes(command.space) });
}

function record(
  kind: "spaceOpened" | "spaceClosed",
  state: SpaceState,
  command: SpaceOnStructure,
  spaces: (current: readonly SpaceCode[]) => SpaceCode[],
  ctx: TransitionContext,
): SpaceChanged {
  const at = toInstant(ctx.now);
  const { structure, service, actor } = state;
  const onService = command.serviceId !== null && service !== null;
  return {
    structure: onService ? null : { ...structure, openSpaces: spaces(structure.openSpaces) },
    service: onService ? { ...service, openSpaces: spaces(service.openSpaces) } : null,
    history: [
      entry(kind, at, structure.id, actor.id, null, { space: command.space, ...(command.serviceId === null ? {} : { serviceId: command.serviceId }) }),
    ],
    events: [
      { type: kind === "spaceOpened" ? "SpaceOpened" : "SpaceClosed", at, structureId: structure.id, serviceId: command.serviceId, space: command.space, by: actor.id },
    ],
  };
}

/**
 * Opens a space on the whole structure or on one service (one record written, never one
 * per member): grants pointing there become usable. Any manager of the structure may.
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND` (a service of another structure), `VALIDATION`
 * (a space not in the catalogue), `SPACE_ALREADY_OPEN`.
 *
 * @example
 * ```ts
 * const r = openSpace({ actor: alice, structure: mairie, service: null },
 *   { structureId: mairie.id, space: spaceCode("FACTURES_RECUES"), serviceId: null }, { now, catalogue: CHORUS_PRO_SPACES });
 * if (r.ok) r.value.structure?.openSpaces; // ["FACTURES_RECUES"]
 * ```
 */
export function openSpace(
  state: SpaceState,
  command: SpaceOnStructure,
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<SpaceChanged, DomainError> {
  const checked = check(state, command, ctx);
  if (!checked.ok) return checked;
  if (checked.value.open)
    return err({ code: "SPACE_ALREADY_OPEN", structureId: state.structure.id, serviceId: command.serviceId, space: command.space });
  return ok(record("spaceOpened", state, command, (current) => [...current, command.space].sort(), ctx));
}

/**
 * Closes a space on the structure or on one service: the grants pointing there stop
 * giving access (they are kept, and give access again if it is opened again).
 *
 * Refusals: `FORBIDDEN`, `NOT_FOUND`, `VALIDATION`, `SPACE_NOT_OPEN`.
 *
 * @example
 * ```ts
 * closeSpace({ actor: alice, structure: mairie, service: compta },
 *   { structureId: mairie.id, space: spaceCode("FACTURES_RECUES"), serviceId: compta.id }, { now, catalogue: CHORUS_PRO_SPACES });
 * ```
 */
export function closeSpace(
  state: SpaceState,
  command: SpaceOnStructure,
  ctx: TransitionContext & { readonly catalogue: SpaceCatalogue },
): Result<SpaceChanged, DomainError> {
  const checked = check(state, command, ctx);
  if (!checked.ok) return checked;
  if (!checked.value.open)
    return err({ code: "SPACE_NOT_OPEN", structureId: state.structure.id, serviceId: command.serviceId, space: command.space });
  return ok(record("spaceClosed", state, command, (current) => current.filter((s) => s !== command.space), ctx));
}
