// Random library states for the Chorus Pro renderers: a structure with services (and a
// service of another structure), a user with an attachment and grants, their requests
// and removals in the history, and a numbering of ids (decimal, a host's table, or one
// that goes wrong).
import { fc } from "@fast-check/vitest";
import {
  CHORUS_PRO_SPACES,
  localDate,
  serviceId,
  structureId,
  userId,
  type AttachmentHistoryFact,
  type AttachmentRequest,
  type AttachmentRequestId,
  type AttachmentScope,
  type ChorusProIds,
  type Instant,
  type LocalDate,
  type Service,
  type ServiceId,
  type SpaceCode,
  type SpaceGrant,
  type Structure,
  type User,
} from "../../../src/core/index.js";

const MIN = Date.UTC(2020, 0, 1);
const MAX = Date.UTC(2030, 0, 1);
export const instant = fc.integer({ min: MIN, max: MAX }).map((ms) => new Date(ms).toISOString() as Instant);
export const calendarDay = fc.integer({ min: MIN, max: MAX }).map((ms) => localDate(new Date(ms).toISOString().slice(0, 10)));
const label = fc.string({ unit: "grapheme-composite", minLength: 1, maxLength: 16 });
const SPACES = CHORUS_PRO_SPACES.spaces.map((s) => s.code);

/** The ids a world uses: decimal (Chorus Pro's own numbers) or opaque. */
export type IdStyle = "decimal" | "opaque";

export interface World {
  readonly structure: Structure;
  /** The structure's services, then one of another structure. */
  readonly services: readonly Service[];
  readonly user: User;
  readonly requests: readonly AttachmentRequest[];
  readonly history: readonly AttachmentHistoryFact[];
  readonly validUntil: LocalDate | null;
  readonly ids: ChorusProIds | undefined;
  readonly idStyle: IdStyle;
}

const scopeOf = (serviceIds: readonly ServiceId[]) =>
  fc.oneof(
    fc.constant<AttachmentScope>({ kind: "structure" }),
    ...(serviceIds.length === 0
      ? []
      : [fc.subarray([...serviceIds], { minLength: 1 }).map((ids): AttachmentScope => ({ kind: "services", serviceIds: [...ids].sort() }))]),
  );

/** A numbering: none (the decimal default), a host's table, or one returning what the API cannot carry. */
const numbering = (idsOf: readonly string[]): fc.Arbitrary<ChorusProIds | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant<ChorusProIds>({
      structure: (id) => idsOf.indexOf(id) + 1,
      service: (id) => idsOf.indexOf(id) + 1,
      space: (code) => SPACES.indexOf(code) + 1,
    }),
    fc
      .constantFrom(-1, 1.5, Number.NaN, 2 ** 60, Number.POSITIVE_INFINITY, 2 ** 31, undefined)
      .map((bad): ChorusProIds => ({ structure: () => bad, service: () => bad, space: () => bad })),
  );

export const world: fc.Arbitrary<World> = fc
  .record({
    idStyle: fc.constantFrom<IdStyle>("decimal", "opaque"),
    designation: label,
    kind: fc.constantFrom("public" as const, "private" as const),
    identifier: fc.oneof(
      fc.constant({ type: "siret" as const, value: "26690027400017" }),
      fc.record({ type: fc.constantFrom("euOutsideFrance" as const, "ridet" as const, "other" as const, "individual" as const), value: label }),
    ),
    structureOpen: fc.subarray(SPACES),
    services: fc.uniqueArray(
      fc.record({ code: fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/), label, active: fc.boolean(), open: fc.subarray(SPACES), createdAt: instant }),
      { maxLength: 5, selector: (s) => s.code },
    ),
    createdAt: instant,
  })
  .chain((base) => {
    const n = (i: number, prefix: string) => (base.idStyle === "decimal" ? String(1000 + i) : `${prefix}-${i}`);
    const structure: Structure = {
      id: structureId(n(0, "s")),
      designation: base.designation,
      kind: base.kind,
      viaPigp: false,
      identifier: base.identifier,
      primaryManagerId: userId(n(99, "u")),
      openSpaces: [...base.structureOpen].sort(),
      createdAt: base.createdAt,
    };
    const own: Service[] = base.services.map((s, i) => ({
      id: serviceId(n(i + 1, "svc")),
      structureId: structure.id,
      code: s.code,
      label: s.label,
      active: s.active,
      openSpaces: [...s.open].sort(),
      createdAt: s.createdAt,
    }));
    const elsewhere: Service = { ...(own[0] ?? { code: "AUTRE", label: "Autre", active: true, openSpaces: [], createdAt: base.createdAt }), id: serviceId(n(50, "svc")), structureId: structureId(n(51, "s")) } as Service;
    const serviceIds = own.map((s) => s.id);
    const uid = userId(n(7, "u"));
    const request = (i: number) =>
      fc
        .record({
          status: fc.constantFrom("pending" as const, "validated" as const, "refused" as const),
          scope: scopeOf(serviceIds),
          granted: scopeOf(serviceIds),
          comment: fc.oneof(fc.constant(""), label),
          createdAt: instant,
          decidedAt: instant,
          reason: label,
          other: fc.boolean(),
        })
        .map(({ status, scope, granted, comment, createdAt, decidedAt, reason, other }): AttachmentRequest => {
          const base = {
            id: `req-${i}` as AttachmentRequestId,
            structureId: other ? structureId("s-other") : structure.id,
            userId: uid,
            requestedRole: "user" as const,
            scope,
            comment,
            createdAt,
          };
          if (status === "pending") return { ...base, status };
          const decided = { decidedBy: structure.primaryManagerId, decidedAt: decidedAt < createdAt ? createdAt : decidedAt };
          return status === "validated"
            ? { ...base, status, ...decided, grantedRole: "user", grantedScope: granted }
            : { ...base, status, ...decided, reason };
        });
    const fact = fc.oneof(
      fc.record({ at: instant, scope: scopeOf(serviceIds) }).map(
        ({ at, scope }): AttachmentHistoryFact => ({ structureId: structure.id, kind: "attachmentRemoved", at, targetUserId: uid, details: { role: "user", scope } }),
      ),
      fc.record({ at: instant, gone: fc.subarray(serviceIds) }).map(
        ({ at, gone }): AttachmentHistoryFact => ({ structureId: structure.id, kind: "servicesRemoved", at, targetUserId: uid, details: { removedServiceIds: gone } }),
      ),
      fc.record({ at: instant, before: scopeOf(serviceIds), after: scopeOf(serviceIds) }).map(
        ({ at, before, after }): AttachmentHistoryFact => ({
          structureId: structure.id,
          kind: "attachmentRequestValidated",
          at,
          targetUserId: uid,
          details: { role: "user", scope: after, previousScope: before },
        }),
      ),
      // Entries the rows do not read: another user, another structure, another kind.
      instant.map((at): AttachmentHistoryFact => ({ structureId: structure.id, kind: "attachmentRemoved", at, targetUserId: userId("u-else"), details: {} })),
      instant.map((at): AttachmentHistoryFact => ({ structureId: structureId("s-other"), kind: "attachmentRemoved", at, targetUserId: uid, details: {} })),
      instant.map((at): AttachmentHistoryFact => ({ structureId: structure.id, kind: "roleChanged", at, targetUserId: uid, details: {} })),
    );
    const grant = fc
      .record({ space: fc.constantFrom<SpaceCode>(...SPACES), service: fc.option(fc.constantFrom(...serviceIds, elsewhere.id), { nil: null }), access: fc.constantFrom("read" as const, "write" as const), other: fc.boolean() })
      .map(({ space, service, access, other }): SpaceGrant => ({
        structureId: other ? elsewhere.structureId : structure.id,
        space,
        serviceId: service,
        access,
        grantedBy: structure.primaryManagerId,
        grantedAt: base.createdAt,
        validUntil: null,
        endNotice: null,
      }));
    return fc.record({
      attachment: fc.option(fc.record({ scope: scopeOf(serviceIds), validFrom: calendarDay }), { nil: null }),
      status: fc.constantFrom("active" as const, "pendingActivation" as const, "deactivated" as const),
      grants: fc.uniqueArray(grant, { maxLength: 8, selector: (g) => `${g.structureId}/${g.space}/${g.serviceId ?? ""}` }),
      requests: fc.tuple(...[0, 1, 2, 3].map(request)).chain((all) => fc.subarray(all)),
      history: fc.array(fact, { maxLength: 4 }),
      validUntil: fc.option(calendarDay, { nil: null }),
      ids: numbering([structure.id, ...own.map((s) => s.id), elsewhere.id]),
    }).map(({ attachment, status, grants, requests, history, validUntil, ids }): World => ({
      structure,
      services: [...own, elsewhere],
      user: {
        id: uid,
        login: "someone@example.fr",
        contactEmail: "someone@example.fr",
        lastName: "Martin",
        firstName: "Alice",
        status,
        attachments:
          attachment === null
            ? []
            : [{ structureId: structure.id, role: "user", scope: attachment.scope, validFrom: attachment.validFrom, attachedBy: structure.primaryManagerId, attachedAt: base.createdAt, validUntil: null, endNotice: null }],
        grants,
        phone: null,
        postalAddress: null,
        settings: { activityNotifications: "never" },
        createdFor: null,
        activation: null,
        accountEmails: [],
        contactEmailChange: null,
        deactivatedAt: null,
        createdAt: base.createdAt,
      },
      requests,
      history,
      validUntil,
      ids,
      idStyle: base.idStyle,
    }));
  });

/** A deep-frozen copy: a renderer that writes into its input throws on it. */
export function deepFrozen<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFrozen(v);
  return Object.freeze(value);
}
