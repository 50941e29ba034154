// What a manager (or the person) sees of an account: minimal disclosure (SPEC §4).
import type { StructureId, ServiceId, UserId } from "../ids.js";
import type { AttachmentScope, PostalAddress, Service, Structure, User, UserSettings } from "../model.js";
import type { Instant, LocalDate } from "../time.js";
import { roleIn } from "../authorization.js";
import type { AccountStatus, Role } from "../vocabulary.js";

/** A user's personal information (guide §5: « informations générales, adresse postale et paramètres »). */
export interface PersonalInformation {
  readonly general: {
    readonly id: UserId;
    readonly login: string;
    readonly contactEmail: string;
    /** A new contact address waiting for the person's confirmation, or `null`. */
    readonly pendingContactEmail: string | null;
    readonly lastName: string;
    readonly firstName: string;
    readonly phone: string | null;
    readonly status: AccountStatus;
    readonly createdAt: Instant;
  };
  readonly postalAddress: PostalAddress | null;
  readonly settings: UserSettings;
}

/**
 * A user's personal information, as the guide's « Consulter les informations
 * personnelles » shows it: never the activation data nor a token's hash.
 *
 * @example
 * ```ts
 * personalInformation(hugo).general.status; // "pendingActivation"
 * ```
 */
export function personalInformation(user: User): PersonalInformation {
  return {
    general: {
      id: user.id,
      login: user.login,
      contactEmail: user.contactEmail,
      pendingContactEmail: user.contactEmailChange?.address ?? null,
      lastName: user.lastName,
      firstName: user.firstName,
      phone: user.phone,
      status: user.status,
      createdAt: user.createdAt,
    },
    postalAddress: user.postalAddress,
    settings: user.settings,
  };
}

/** A service as the list of a user's structures names it. */
export interface ServiceLine {
  readonly id: ServiceId;
  readonly code: string;
  readonly label: string;
  readonly active: boolean;
}

/**
 * One line of « la liste de toutes les structures pour lesquelles l'utilisateur est
 * rattaché »: in full for a structure the viewer manages; the designation only for
 * another one (as the guide shows it).
 */
export type UserStructureLine =
  | {
      readonly managed: true;
      readonly structureId: StructureId;
      readonly designation: string;
      readonly role: Role;
      /** The whole structure, or the services of the attachment. */
      readonly scope:
        | { readonly kind: "structure" }
        | { readonly kind: "services"; readonly services: readonly ServiceLine[] };
      readonly validFrom: LocalDate;
      /** The first day without the right (`null`: no end). */
      readonly validUntil: LocalDate | null;
    }
  | { readonly managed: false; readonly designation: string };

/**
 * Every structure a user is attached to, sorted by designation: the structures the
 * viewer manages in full (role, services, validity), the others by designation only.
 * `structures` holds the records of the user's structures; `services` those of the
 * services their attachments name; `manages` tells whether the viewer manages one.
 *
 * @example
 * ```ts
 * userStructures(elodie, structuresById, servicesById, (s) => canManage(alice, s, today));
 * // [{ managed: true, designation: "Mairie de Lyon", role: "user", … }, { managed: false, designation: "SCI Les Tilleuls" }]
 * ```
 */
export function userStructures(
  user: User,
  structures: ReadonlyMap<StructureId, Structure>,
  services: ReadonlyMap<ServiceId, Service>,
  manages: (structure: Structure) => boolean,
): readonly UserStructureLine[] {
  const lines: UserStructureLine[] = [];
  for (const attachment of user.attachments) {
    const structure = structures.get(attachment.structureId);
    if (structure === undefined) continue;
    if (!manages(structure)) {
      lines.push({ managed: false, designation: structure.designation });
      continue;
    }
    lines.push({
      managed: true,
      structureId: structure.id,
      designation: structure.designation,
      role: roleIn(structure, user) ?? attachment.role,
      scope: scopeLines(attachment.scope, services),
      validFrom: attachment.validFrom,
      validUntil: attachment.validUntil,
    });
  }
  return lines.sort((a, b) => (a.designation < b.designation ? -1 : a.designation > b.designation ? 1 : 0));
}

function scopeLines(
  scope: AttachmentScope,
  services: ReadonlyMap<ServiceId, Service>,
): Extract<UserStructureLine, { managed: true }>["scope"] {
  if (scope.kind === "structure") return { kind: "structure" };
  const lines: ServiceLine[] = [];
  for (const id of scope.serviceIds) {
    const service = services.get(id);
    if (service !== undefined) lines.push({ id, code: service.code, label: service.label, active: service.active });
  }
  return { kind: "services", services: lines };
}
