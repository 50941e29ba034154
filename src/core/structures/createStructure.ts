import { entry, withAttachment, type Recorded } from "../_lib.js";
import type { DomainError } from "../errors.js";
import type { StructureIdentifier } from "../identifier.js";
import type { StructureId } from "../ids.js";
import type { Structure, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { WHOLE_STRUCTURE } from "../scope.js";
import { visibleText } from "../text.js";
import { toInstant, todayOf, type TransitionContext } from "../time.js";
import type { StructureKind } from "../vocabulary.js";

/** Create a structure whose primary manager is the user creating it. */
export interface CreateStructure {
  readonly designation: string;
  readonly kind: StructureKind;
  /** Only for a public structure: its accounts come from the DGFiP referential. */
  readonly viaPigp: boolean;
  /** Already normalised and checked (see `checkIdentifier`; the boundary schema does it). */
  readonly identifier: StructureIdentifier;
}

/** What {@link createStructure} needs to know. */
export interface CreateStructureState {
  /** The user creating the structure: they become its primary manager. */
  readonly founder: User;
}

/** What {@link createStructure} decided. */
export interface StructureCreated extends Recorded {
  readonly structure: Structure;
  /** The founder, now attached to the whole structure. */
  readonly founder: User;
}

/**
 * Creates a structure with its primary manager: the founder, whose account must be
 * active, is attached to the whole structure from today, and the structure names them
 * as `primaryManagerId`.
 *
 * @param ctx time, and the id the new structure gets.
 *
 * @example
 * ```ts
 * const r = createStructure(
 *   { founder: alice },
 *   { designation: "Mairie de Lyon", kind: "public", viaPigp: false,
 *     identifier: { type: "siret", value: "21690123100011" } },
 *   { now: new Date("2026-11-27T09:00:00Z"), structureId: structureId("s-lyon") },
 * );
 * if (r.ok) r.value.structure.primaryManagerId; // alice.id
 * ```
 */
export function createStructure(
  state: CreateStructureState,
  command: CreateStructure,
  ctx: TransitionContext & { readonly structureId: StructureId },
): Result<StructureCreated, DomainError> {
  const { founder } = state;
  if (founder.status !== "active")
    return err({ code: "FORBIDDEN", actorId: founder.id, structureId: null, reason: "accountNotActive" });
  const at = toInstant(ctx.now);
  const structure: Structure = {
    id: ctx.structureId,
    designation: visibleText(command.designation) ?? "",
    kind: command.kind,
    viaPigp: command.kind === "public" && command.viaPigp,
    identifier: command.identifier,
    primaryManagerId: founder.id,
    openSpaces: [],
    createdAt: at,
  };
  const updatedFounder = withAttachment(founder, {
    structureId: structure.id,
    role: "user",
    scope: WHOLE_STRUCTURE,
    validFrom: todayOf(ctx),
    // The primary manager's attachment never ends.
    validUntil: null,
    endNotice: null,
    attachedBy: founder.id,
    attachedAt: at,
  });
  return ok({
    structure,
    founder: updatedFounder,
    history: [
      entry("structureCreated", at, structure.id, founder.id, founder.id, {
        label: structure.designation,
      }),
    ],
    events: [
      { type: "StructureCreated", at, structureId: structure.id, primaryManagerId: founder.id },
    ],
  });
}
