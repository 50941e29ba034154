// SPEC §4: « Inputs are never mutated; returned state is immutable (immer freeze). »
// Every transition runs on deep clones of its inputs (structuredClone: plain, unfrozen
// objects, so a write would go through silently instead of throwing); the clones must
// still equal an untouched copy afterwards, and what comes back must be frozen all the
// way down.
import { describe, expect, it } from "vitest";
import {
  addService,
  attachUser,
  attachmentRequestId,
  changeMemberRole,
  createStructure,
  deactivateService,
  refuseAttachmentRequest,
  refuseAttachmentRequests,
  registerUser,
  removeAttachment,
  renameService,
  requestAttachment,
  serviceId,
  servicesScope,
  structureId,
  userId,
  validateAttachmentRequest,
  validateAttachmentRequests,
  WHOLE_STRUCTURE,
  type AttachmentRequest,
  type AttachmentRequestId,
  type BulkDecisionState,
  type DomainError,
  type Result,
  type Structure,
  type StructureId,
  type User,
  type UserId,
} from "../../src/core/index.js";
import { buildGuide, ctx, isDeepFrozen, today, tomorrow, type Guide } from "./fixtures.js";

interface Case {
  readonly args: readonly unknown[];
  readonly run: (args: readonly unknown[]) => unknown;
}

/** A transition and the arguments to call it with, kept together so both stay typed. */
function call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Case {
  return { args, run: (a) => fn(...(a as A)) };
}

function bulkState(g: Guide): BulkDecisionState {
  return {
    actor: g.alice,
    structures: new Map<StructureId, Structure>([g.hospital, g.townHall].map((s) => [s.id, s])),
    requests: new Map<AttachmentRequestId, AttachmentRequest>([g.elodieRequest, g.chloeRequest].map((r) => [r.id, r])),
    users: new Map<UserId, User>([g.elodie, g.chloe].map((u) => [u.id, u])),
    services: g.serviceIndex,
  };
}

/** One successful call of every transition. */
const successes: Record<string, (g: Guide) => Case> = {
  createStructure: (g) =>
    call(
      createStructure,
      { founder: g.alice },
      { designation: "Mairie de Bron", kind: "public", viaPigp: false, identifier: { type: "siret", value: "21690029000018" } },
      { ...ctx, structureId: structureId("s-bron") },
    ),
  addService: (g) =>
    call(
      addService,
      { actor: g.alice, structure: g.hospital },
      { structureId: g.hospital.id, code: "DSI", label: "Informatique" },
      { ...ctx, serviceId: serviceId("svc-dsi") },
    ),
  renameService: (g) =>
    call(renameService, { actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id, label: "RH" }, ctx),
  deactivateService: (g) =>
    call(deactivateService, { actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
  registerUser: () =>
    call(registerUser, { login: "X@Y.fr", lastName: "Y", firstName: "X" }, { ...ctx, userId: userId("u-x") }),
  requestAttachment: (g) =>
    call(
      requestAttachment,
      { user: g.elodie, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
      { structureId: g.townHall.id, scope: WHOLE_STRUCTURE, comment: "Bonjour" },
      { ...ctx, requestId: attachmentRequestId("req-x") },
    ),
  validateAttachmentRequest: (g) =>
    call(
      validateAttachmentRequest,
      { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id, role: "secondaryManager", scope: servicesScope([g.achats.id, g.rh.id]) },
      ctx,
    ),
  refuseAttachmentRequest: (g) =>
    call(
      refuseAttachmentRequest,
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "Non" },
      ctx,
    ),
  validateAttachmentRequests: (g) =>
    call(
      validateAttachmentRequests,
      bulkState(g),
      { items: [{ requestId: g.elodieRequest.id, scope: servicesScope([g.achats.id]) }, { requestId: g.chloeRequest.id }] },
      ctx,
    ),
  refuseAttachmentRequests: (g) =>
    call(refuseAttachmentRequests, bulkState(g), { requestIds: [g.elodieRequest.id, g.chloeRequest.id], reason: "Non" }, ctx),
  attachUser: (g) =>
    call(
      attachUser,
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      {
        structureId: g.hospital.id,
        userId: g.david.id,
        role: "user",
        validFrom: tomorrow,
        comment: "Renfort",
        scope: servicesScope([g.paie.id, g.rh.id]),
      },
      ctx,
    ),
  changeMemberRole: (g) =>
    call(
      changeMemberRole,
      { actor: g.alice, structure: g.hospital, member: g.elodie },
      { structureId: g.hospital.id, userId: g.elodie.id, role: "secondaryManager" },
      ctx,
    ),
  removeAttachment: (g) =>
    call(
      removeAttachment,
      { actor: g.alice, structure: g.hospital, member: g.elodie },
      { structureId: g.hospital.id, userId: g.elodie.id },
      ctx,
    ),
};

/** Refused calls: a refused command changes nothing either. */
const refusals: Record<string, (g: Guide) => Case> = {
  "validateAttachmentRequest (FORBIDDEN)": (g) =>
    call(
      validateAttachmentRequest,
      { actor: g.victor, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id },
      ctx,
    ),
  "refuseAttachmentRequest (REFUSAL_REASON_REQUIRED)": (g) =>
    call(
      refuseAttachmentRequest,
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "  " },
      ctx,
    ),
  "attachUser (COMMENT_REQUIRED)": (g) =>
    call(
      attachUser,
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: today, comment: " ", scope: WHOLE_STRUCTURE },
      ctx,
    ),
  "removeAttachment (TRANSFER_REQUIRED)": (g) =>
    call(
      removeAttachment,
      { actor: g.bruno, structure: g.hospital, member: g.alice },
      { structureId: g.hospital.id, userId: g.alice.id },
      ctx,
    ),
};

const bulkNames = new Set(["validateAttachmentRequests", "refuseAttachmentRequests"]);

describe("every transition does not mutate its input", () => {
  it.each(Object.entries({ ...successes, ...refusals }))("%s", (_, make) => {
    const { args, run } = make(buildGuide());
    const input = structuredClone(args);
    const untouched = structuredClone(args);
    expect(isDeepFrozen(input)).toBe(false); // the clones really are writable
    run(input);
    expect(input).toEqual(untouched);
  });
});

describe("every transition returns deeply frozen state", () => {
  const single = Object.entries(successes).filter(([name]) => !bulkNames.has(name));
  it.each(single)("%s", (_, make) => {
    const { args, run } = make(buildGuide());
    const result = run(structuredClone(args)) as Result<unknown, DomainError>;
    expect(result.ok).toBe(true);
    if (result.ok) expect(isDeepFrozen(result.value)).toBe(true);
  });

  it.each([...bulkNames])("%s: every item's outcome and every changed record is frozen", (name) => {
    const { args, run } = successes[name]!(buildGuide());
    const bulk = run(structuredClone(args)) as {
      results: { result: Result<unknown, DomainError> }[];
      users: unknown[];
      requests: unknown[];
      history: unknown[];
      events: unknown[];
    };
    expect(bulk.results.every((r) => r.result.ok)).toBe(true);
    for (const r of bulk.results) if (r.result.ok) expect(isDeepFrozen(r.result.value)).toBe(true);
    for (const x of [...bulk.users, ...bulk.requests, ...bulk.history, ...bulk.events]) expect(isDeepFrozen(x)).toBe(true);
  });

  it.each([...bulkNames])("%s: the bulk decision itself is frozen, lists included", (name) => {
    const { args, run } = successes[name]!(buildGuide());
    expect(isDeepFrozen(run(structuredClone(args)))).toBe(true);
  });
});
