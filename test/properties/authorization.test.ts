// Authorization property (SPEC §7): for random actors, worlds and manager acts, success
// implies the actor had the right — an active account and a manager attachment to
// *that* structure, in force today — as stated here independently of the code.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  addService,
  attachmentRequestId,
  attachUser,
  changeMemberRole,
  consultAttachmentRequest,
  deactivateService,
  localDate,
  refuseAttachmentRequest,
  removeAttachment,
  serviceId,
  structureId,
  userId,
  validateAttachmentRequest,
  type AccountStatus,
  type Attachment,
  type PendingAttachmentRequest,
  type Service,
  type Structure,
  type User,
} from "../../src/index.js";

const now = new Date("2026-11-27T09:00:00Z");
const S = structureId("s-1");
const OTHER = structureId("s-2");
const svc: Service = { id: serviceId("svc-1"), structureId: S, code: "A", label: "A", active: true, createdAt: "2026-01-01T00:00:00.000Z" as Service["createdAt"] };

const attachmentArb = (structure: typeof S) =>
  fc.option(
    fc.record({
      role: fc.constantFrom("secondaryManager" as const, "user" as const),
      validFrom: fc.constantFrom("2026-11-01", "2026-11-27", "2026-11-28", "2027-01-01"),
      services: fc.boolean(),
    }).map(({ role, validFrom, services }): Attachment => ({
      structureId: structure,
      role,
      scope: services ? { kind: "services", serviceIds: [svc.id] } : { kind: "structure" },
      validFrom: localDate(validFrom),
      attachedBy: userId("u-p"),
      attachedAt: "2026-01-01T00:00:00.000Z" as Attachment["attachedAt"],
    })),
    { nil: undefined },
  );

const actorArb = fc
  .record({
    status: fc.constantFrom<AccountStatus>("active", "active", "deactivated", "pendingActivation"),
    here: attachmentArb(S),
    elsewhere: attachmentArb(OTHER),
    isPrimary: fc.boolean(),
  })
  .map(({ status, here, elsewhere, isPrimary }) => {
    const attachments = [here, elsewhere].filter((a): a is Attachment => a !== undefined);
    const actor: User = {
      id: userId("u-actor"),
      login: "actor@example.fr",
      contactEmail: "actor@example.fr",
      lastName: "A",
      firstName: "A",
      status,
      attachments: isPrimary
        ? [{ structureId: S, role: "user", scope: { kind: "structure" }, validFrom: localDate("2026-01-01"), attachedBy: userId("u-actor"), attachedAt: "2026-01-01T00:00:00.000Z" as Attachment["attachedAt"] }, ...(elsewhere ? [elsewhere] : [])]
        : attachments,
      createdAt: "2026-01-01T00:00:00.000Z" as User["createdAt"],
    };
    const structure: Structure = {
      id: S,
      designation: "S",
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
      primaryManagerId: isPrimary ? actor.id : userId("u-p"),
      createdAt: "2026-01-01T00:00:00.000Z" as Structure["createdAt"],
    };
    return { actor, structure };
  });

/** The right, stated from the guide: active, and primary or secondary manager of S in force today. */
function hasRight(actor: User, structure: Structure): boolean {
  if (actor.status !== "active") return false;
  if (structure.primaryManagerId === actor.id) return true;
  const a = actor.attachments.find((x) => x.structureId === structure.id);
  return a !== undefined && a.role === "secondaryManager" && a.validFrom <= "2026-11-27";
}

const member: User = {
  id: userId("u-member"),
  login: "m@example.fr",
  contactEmail: "m@example.fr",
  lastName: "M",
  firstName: "M",
  status: "active",
  attachments: [{ structureId: S, role: "user", scope: { kind: "structure" }, validFrom: localDate("2026-01-01"), attachedBy: userId("u-p"), attachedAt: "2026-01-01T00:00:00.000Z" as Attachment["attachedAt"] }],
  createdAt: "2026-01-01T00:00:00.000Z" as User["createdAt"],
};
const newcomer: User = { ...member, id: userId("u-new"), login: "n@example.fr", attachments: [] };
const request: PendingAttachmentRequest = {
  id: attachmentRequestId("r-1"),
  structureId: S,
  userId: newcomer.id,
  requestedRole: "user",
  scope: { kind: "services", serviceIds: [svc.id] },
  comment: "",
  createdAt: "2026-11-20T00:00:00.000Z" as PendingAttachmentRequest["createdAt"],
  status: "pending",
};
/** The records an act reads beside the actor and the structure; fresh for each run. */
interface World {
  readonly member: User;
  readonly newcomer: User;
  readonly request: PendingAttachmentRequest;
  readonly svc: Service;
}
const world = (): World => structuredClone({ member, newcomer, request, svc });
const index = (w: World) => new Map([[w.svc.id, w.svc]]);

const acts = {
  validate: (actor: User, structure: Structure, w: World) =>
    validateAttachmentRequest({ actor, structure, request: w.request, requester: w.newcomer, services: index(w) }, { requestId: w.request.id }, { now }),
  refuse: (actor: User, structure: Structure, w: World) =>
    refuseAttachmentRequest({ actor, structure, request: w.request }, { requestId: w.request.id, reason: "Non" }, { now }),
  consult: (actor: User, structure: Structure, w: World) =>
    consultAttachmentRequest({ actor, structure, request: w.request, requester: w.newcomer, services: [w.svc] }, { now }),
  attach: (actor: User, structure: Structure, w: World) =>
    attachUser({ actor, structure, user: w.newcomer, services: index(w) }, { structureId: S, userId: w.newcomer.id, role: "user", validFrom: localDate("2026-11-27"), comment: "Oui", scope: { kind: "structure" } }, { now }),
  changeRole: (actor: User, structure: Structure, w: World) =>
    changeMemberRole({ actor, structure, member: w.member }, { structureId: S, userId: w.member.id, role: "secondaryManager" }, { now }),
  remove: (actor: User, structure: Structure, w: World) =>
    removeAttachment({ actor, structure, member: w.member }, { structureId: S, userId: w.member.id }, { now }),
  addService: (actor: User, structure: Structure) =>
    addService({ actor, structure }, { structureId: S, code: "B", label: "B" }, { now, serviceId: serviceId("svc-2") }),
  deactivateService: (actor: User, structure: Structure, w: World) =>
    deactivateService({ actor, structure, service: w.svc }, { serviceId: w.svc.id }, { now }),
};

describe("authorization", () => {
  test.prop([actorArb, fc.constantFrom(...(Object.keys(acts) as (keyof typeof acts)[]))], { numRuns: 500 })(
    "a manager act succeeds only for an active manager of that structure, in force today; otherwise it is FORBIDDEN",
    ({ actor, structure }, act) => {
      const result = acts[act](actor, structure, world());
      const right = hasRight(actor, structure);
      expect(result.ok).toBe(right);
      if (!result.ok) expect(result.error.code).toBe("FORBIDDEN");
    },
  );
});

describe("immutability", () => {
  test.prop([actorArb, fc.constantFrom(...(Object.keys(acts) as (keyof typeof acts)[]))], { numRuns: 300 })(
    "no transition changes its inputs, whether it succeeds or refuses",
    ({ actor, structure }, act) => {
      const w = world();
      const before = structuredClone({ actor, structure, w });
      acts[act](actor, structure, w);
      expect({ actor, structure, w }).toEqual(before);
    },
  );
});
