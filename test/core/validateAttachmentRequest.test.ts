import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  attachUser,
  attachmentRequestId,
  attachmentTo,
  deactivateService,
  defaultValidationScope,
  historyKindLabel,
  indexServices,
  localDate,
  refuseAttachmentRequest,
  requestAttachment,
  roleIn,
  ROLES,
  serviceId,
  servicesScope,
  userId,
  validateAttachmentRequest,
  WHOLE_STRUCTURE,
  type AttachmentRequest,
  type DecideRequestState,
  type User,
  type ValidateAttachmentRequest,
} from "../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  expectErr,
  hospitalOutsiders,
  replaceService,
  setupDay,
  today,
  unwrap,
  withFutureManager,
  withStatus,
  type Guide,
} from "./fixtures.js";

/** Alice opens Élodie's request (ACHATS + COMPTA asked, PAIE already held). */
function elodieState(g: Guide, overrides: Partial<DecideRequestState> = {}): DecideRequestState {
  return {
    actor: g.alice,
    structure: g.hospital,
    request: g.elodieRequest,
    requester: g.elodie,
    services: g.serviceIndex,
    ...overrides,
  };
}

function validate(g: Guide, command: Partial<ValidateAttachmentRequest> = {}, overrides: Partial<DecideRequestState> = {}) {
  return validateAttachmentRequest(elodieState(g, overrides), { requestId: g.elodieRequest.id, ...command }, ctx);
}

describe("validateAttachmentRequest — « Valider la demande »", () => {
  describe("the guide's scenario: Élodie asks for 2 of 4 services and is already attached to a third", () => {
    it("given the default checks, when Alice validates, then Élodie is attached to those 3 services", () => {
      const g = buildGuide();
      const r = unwrap(validate(g));
      const three = { kind: "services", serviceIds: [g.achats.id, g.compta.id, g.paie.id] };
      expect(r.requester.attachments).toEqual([
        {
          structureId: g.hospital.id,
          role: "user",
          scope: three,
          validFrom: setupDay, // she was attached before: her start date stays
          attachedBy: g.alice.id,
          attachedAt: at,
          validUntil: null,
          endNotice: null,
        },
      ]);
      expect(r.removedServiceIds).toEqual([]);
      expect(r.request).toEqual({
        ...g.elodieRequest,
        status: "validated",
        decidedBy: g.alice.id,
        decidedAt: at,
        grantedRole: "user",
        grantedScope: three,
      });
    });

    it("the default scope is what the consultation screen checks: asked for + already attached", () => {
      const g = buildGuide();
      expect(defaultValidationScope(g.elodieRequest, g.elodie, g.serviceIndex)).toEqual({
        kind: "services",
        serviceIds: [g.achats.id, g.compta.id, g.paie.id],
      });
    });

    it("history records « Validée » with actor, target, request and what was granted", () => {
      const g = buildGuide();
      const r = unwrap(validate(g));
      expect(r.history).toEqual([
        {
          structureId: g.hospital.id,
          kind: "attachmentRequestValidated",
          at,
          actorId: g.alice.id,
          targetUserId: g.elodie.id,
          requestId: g.elodieRequest.id,
          details: {
            role: "user",
            scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id, g.paie.id] },
            previousScope: { kind: "services", serviceIds: [g.paie.id] },
          },
        },
      ]);
      expect(historyKindLabel[r.history[0]!.kind]).toBe("Validée");
    });

    it("emits AttachmentRequestValidated telling Élodie what she got", () => {
      const g = buildGuide();
      expect(unwrap(validate(g)).events).toEqual([
        {
          type: "AttachmentRequestValidated",
          at,
          requestId: g.elodieRequest.id,
          structureId: g.hospital.id,
          userId: g.elodie.id,
          decidedBy: g.alice.id,
          role: "user",
          scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id, g.paie.id] },
        },
      ]);
    });
  });

  it("given the manager changes the role to « Gestionnaire secondaire », then Élodie manages the structure and the history names the previous role", () => {
    const g = buildGuide();
    const r = unwrap(validate(g, { role: "secondaryManager" }));
    expect(attachmentTo(r.requester, g.hospital.id)?.role).toBe("secondaryManager");
    expect(roleIn(g.hospital, r.requester)).toBe("secondaryManager");
    expect(r.request.grantedRole).toBe("secondaryManager");
    expect(r.history[0]?.details).toEqual({
      role: "secondaryManager",
      previousRole: "user",
      scope: { kind: "services", serviceIds: [g.achats.id, g.compta.id, g.paie.id] },
      previousScope: { kind: "services", serviceIds: [g.paie.id] },
    });
    expect(r.events[0]).toMatchObject({ type: "AttachmentRequestValidated", role: "secondaryManager" });
  });

  it("refuses the role « Gestionnaire principal »: CANNOT_GRANT_PRIMARY", () => {
    const g = buildGuide();
    const e = expectErr(validate(g, { role: "primaryManager" }), "CANNOT_GRANT_PRIMARY");
    expect(e).toEqual({ code: "CANNOT_GRANT_PRIMARY", structureId: g.hospital.id, userId: g.elodie.id });
  });

  it("given the manager unchecks PAIE, which Élodie already had, then PAIE is removed and the history says so", () => {
    const g = buildGuide();
    const r = unwrap(validate(g, { scope: servicesScope([g.achats.id, g.compta.id]) }));
    expect(attachmentTo(r.requester, g.hospital.id)?.scope).toEqual({
      kind: "services",
      serviceIds: [g.achats.id, g.compta.id],
    });
    expect(r.removedServiceIds).toEqual([g.paie.id]);
    expect(r.history).toHaveLength(2);
    expect(r.history[1]).toEqual({
      structureId: g.hospital.id,
      kind: "servicesRemoved",
      at,
      actorId: g.alice.id,
      targetUserId: g.elodie.id,
      requestId: g.elodieRequest.id,
      details: { removedServiceIds: [g.paie.id] },
    });
    expect(historyKindLabel.servicesRemoved).toBe("Services retirés");
  });

  it("given the manager checks « Rattacher à la structure », then Élodie gets the whole structure and nothing is reported removed", () => {
    const g = buildGuide();
    const r = unwrap(validate(g, { scope: WHOLE_STRUCTURE }));
    expect(attachmentTo(r.requester, g.hospital.id)?.scope).toEqual({ kind: "structure" });
    expect(r.request.grantedScope).toEqual({ kind: "structure" });
    expect(r.removedServiceIds).toEqual([]);
    expect(r.history.map((h) => h.kind)).toEqual(["attachmentRequestValidated"]);
  });

  it("given a request for a structure without services, the default is the whole structure and a newcomer starts today", () => {
    const g = buildGuide();
    const r = unwrap(
      validateAttachmentRequest(
        { actor: g.alice, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: new Map() },
        { requestId: g.chloeRequest.id },
        ctx,
      ),
    );
    expect(r.requester.attachments).toEqual([
      {
        structureId: g.townHall.id,
        role: "user",
        scope: { kind: "structure" },
        validFrom: today,
        attachedBy: g.alice.id,
        attachedAt: at,
        validUntil: null,
        endNotice: null,
      },
    ]);
    expect(r.history[0]?.details).toEqual({ role: "user", scope: { kind: "structure" } });
  });

  it("a secondary manager may validate (Bruno)", () => {
    const g = buildGuide();
    const r = unwrap(validate(g, {}, { actor: g.bruno }));
    expect(r.request.decidedBy).toBe(g.bruno.id);
    expect(r.history[0]?.actorId).toBe(g.bruno.id);
  });

  it("refuses a manager deciding their own request: SELF_DECISION_FORBIDDEN", () => {
    const g = buildGuide();
    // David manages the hospital on RH only, and asks for COMPTA too.
    const david = unwrap(
      attachUser(
        { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
        {
          structureId: g.hospital.id,
          userId: g.david.id,
          role: "secondaryManager",
          validFrom: today,
          comment: "Responsable RH",
          scope: servicesScope([g.rh.id]),
        },
        ctx,
      ),
    ).user;
    const request = unwrap(
      requestAttachment(
        { user: david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.compta.id]) },
        { ...ctx, requestId: attachmentRequestId("req-david") },
      ),
    ).request;
    const e = expectErr(
      validateAttachmentRequest(
        { actor: david, structure: g.hospital, request, requester: david, services: g.serviceIndex },
        { requestId: request.id },
        ctx,
      ),
      "SELF_DECISION_FORBIDDEN",
    );
    expect(e).toEqual({ code: "SELF_DECISION_FORBIDDEN", requestId: request.id, userId: david.id });
  });

  it("refuses a request already validated, naming its status: REQUEST_ALREADY_DECIDED validated", () => {
    const g = buildGuide();
    const first = unwrap(validate(g));
    const e = expectErr(validate(g, {}, { request: first.request, requester: first.requester }), "REQUEST_ALREADY_DECIDED");
    expect(e).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: g.elodieRequest.id, status: "validated" });
  });

  it("refuses a request already refused, naming its status: REQUEST_ALREADY_DECIDED refused", () => {
    const g = buildGuide();
    const refused = unwrap(
      refuseAttachmentRequest(
        { actor: g.alice, structure: g.hospital, request: g.elodieRequest },
        { requestId: g.elodieRequest.id, reason: "Doublon" },
        ctx,
      ),
    ).request;
    const e = expectErr(validate(g, {}, { request: refused }), "REQUEST_ALREADY_DECIDED");
    expect(e.status).toBe("refused");
  });

  it("refuses when the requester has become primary manager meanwhile: TRANSFER_REQUIRED", () => {
    const g = buildGuide();
    // The primary role was transferred to Élodie after she asked; Bruno opens her request.
    const transferred = { ...g.hospital, primaryManagerId: g.elodie.id };
    const e = expectErr(validate(g, {}, { actor: g.bruno, structure: transferred }), "TRANSFER_REQUIRED");
    expect(e).toEqual({ code: "TRANSFER_REQUIRED", structureId: g.hospital.id, userId: g.elodie.id });
  });

  it("refuses a requester whose account was deactivated meanwhile: ACCOUNT_NOT_ACTIVE", () => {
    const g = buildGuide();
    const e = expectErr(validate(g, {}, { requester: withStatus(g.elodie, "deactivated") }), "ACCOUNT_NOT_ACTIVE");
    expect(e).toEqual({ code: "ACCOUNT_NOT_ACTIVE", userId: g.elodie.id, status: "deactivated" });
  });

  describe("a service deactivated after the request", () => {
    function withAchatsOff(g: Guide) {
      const off = unwrap(
        deactivateService({ actor: g.alice, structure: g.hospital, service: g.achats }, { serviceId: g.achats.id }, ctx),
      ).service;
      return replaceService(g.serviceIndex, off);
    }

    it("checked explicitly: SERVICE_INACTIVE", () => {
      const g = buildGuide();
      const e = expectErr(
        validate(g, { scope: servicesScope([g.achats.id, g.compta.id]) }, { services: withAchatsOff(g) }),
        "SERVICE_INACTIVE",
      );
      expect(e).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.achats.id });
    });

    it("left out of the default checks", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, {}, { services: withAchatsOff(g) }));
      expect(r.request.grantedScope).toEqual({ kind: "services", serviceIds: [g.compta.id, g.paie.id] });
    });
  });

  it("refuses a service of another structure as if it did not exist: NOT_FOUND service naming it (ACME's VENTES)", () => {
    const g = buildGuide();
    const e = expectErr(validate(g, { scope: servicesScope([g.compta.id, g.ventes.id]) }), "NOT_FOUND");
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
  });

  it("refuses an unknown service: NOT_FOUND service", () => {
    const g = buildGuide();
    const e = expectErr(validate(g, { scope: servicesScope([serviceId("svc-ghost")]) }), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "service", id: "svc-ghost" });
  });

  it("refuses an empty set of checked services: EMPTY_SCOPE", () => {
    const g = buildGuide();
    const e = expectErr(validate(g, { scope: servicesScope([]) }), "EMPTY_SCOPE");
    expect(e).toEqual({ code: "EMPTY_SCOPE", structureId: g.hospital.id });
  });

  it("accepts a manager not in force yet once the start date is reached (David, 2026-12-15)", () => {
    const g = buildGuide();
    const david = withFutureManager(g);
    const before = validateAttachmentRequest(elodieState(g, { actor: david }), { requestId: g.elodieRequest.id }, ctx);
    expect(expectErr(before, "NOT_FOUND")).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
    const later = { now: new Date("2026-12-15T08:00:00Z") };
    const r = validateAttachmentRequest(elodieState(g, { actor: david }), { requestId: g.elodieRequest.id }, later);
    expect(unwrap(r).request.decidedBy).toBe(david.id);
  });

  describe("an actor who may not manage the request's structure cannot tell it from a request that does not exist", () => {
    it.each(hospitalOutsiders)("given $who, when validating Élodie's request, then NOT_FOUND attachmentRequest naming only the id given", ({ actor }) => {
      const g = buildGuide();
      const e = expectErr(validate(g, {}, { actor: actor(g) }), "NOT_FOUND");
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
    });

    it("given a manager of the hospital only (Bruno), when validating Chloé's request to the town hall, then NOT_FOUND attachmentRequest", () => {
      const g = buildGuide();
      const e = expectErr(
        validateAttachmentRequest(
          { actor: g.bruno, structure: g.townHall, request: g.chloeRequest, requester: g.chloe, services: new Map() },
          { requestId: g.chloeRequest.id },
          ctx,
        ),
        "NOT_FOUND",
      );
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.chloeRequest.id });
    });

    it("the outsider's error is exactly the one for an unknown id, but for the id itself", () => {
      const g = buildGuide();
      const unknown = expectErr(validate(g, { requestId: attachmentRequestId("req-ghost") }), "NOT_FOUND");
      const outsider = expectErr(validate(g, {}, { actor: g.victor }), "NOT_FOUND");
      expect(outsider).toStrictEqual({ ...unknown, id: g.elodieRequest.id });
    });

    // Any other refusal would tell the outsider something about the request (its status,
    // its requester, its structure's services): NOT_FOUND must come first, whatever the command.
    test.prop(
      [
        fc.constantFrom(...hospitalOutsiders),
        fc.constantFrom("pending", "validated", "refused", "own request", "other requester"),
        fc.option(fc.constantFrom(...ROLES), { nil: undefined }),
        fc.option(fc.constantFrom("whole", "empty", "foreign", "ghost", "inactive", "valid"), { nil: undefined }),
      ],
      { numRuns: 60 },
    )("for every outsider, request state and command, the answer is NOT_FOUND attachmentRequest", (outsider, situation, role, scopeKind) => {
      const g = buildGuide();
      const actor = outsider.actor(g);
      const services = replaceService(g.serviceIndex, { ...g.rh, active: false });
      let request: AttachmentRequest = g.elodieRequest;
      let requester: User = g.elodie;
      if (situation === "validated" || situation === "refused")
        request = { ...g.elodieRequest, status: situation === "validated" ? "validated" : "refused", decidedBy: g.alice.id, decidedAt: at, ...(situation === "validated" ? { grantedRole: "user", grantedScope: WHOLE_STRUCTURE } : { reason: "Non" }) } as AttachmentRequest;
      if (situation === "own request") request = { ...g.elodieRequest, userId: actor.id };
      if (situation === "other requester") requester = { ...g.david, id: userId("u-someone") };
      const scope = {
        whole: WHOLE_STRUCTURE,
        empty: servicesScope([]),
        foreign: servicesScope([g.ventes.id]),
        ghost: servicesScope([serviceId("svc-ghost")]),
        inactive: servicesScope([g.rh.id]),
        valid: servicesScope([g.paie.id]),
      };
      const command: ValidateAttachmentRequest = {
        requestId: request.id,
        ...(role === undefined ? {} : { role }),
        ...(scopeKind === undefined ? {} : { scope: scope[scopeKind] }),
      };
      const r = validateAttachmentRequest({ actor, structure: g.hospital, request, requester, services }, command, ctx);
      expect(r).toStrictEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id } });
    });
  });

  describe("records that do not match the command: NOT_FOUND", () => {
    it("another request than the one named", () => {
      const g = buildGuide();
      const e = expectErr(validate(g, { requestId: attachmentRequestId("req-other") }), "NOT_FOUND");
      expect(e).toEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: "req-other" });
    });

    it("a request of another structure than the one loaded, even one the actor also manages: NOT_FOUND attachmentRequest", () => {
      const g = buildGuide();
      // Alice manages both the hospital and the town hall.
      const e = expectErr(validate(g, {}, { structure: g.townHall }), "NOT_FOUND");
      expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "attachmentRequest", id: g.elodieRequest.id });
    });

    it("another requester than the request's user", () => {
      const g = buildGuide();
      const e = expectErr(validate(g, {}, { requester: { ...g.david, id: userId("u-someone") } }), "NOT_FOUND");
      expect(e).toEqual({ code: "NOT_FOUND", entity: "user", id: g.elodie.id });
    });
  });
});

describe("validateAttachmentRequest — what a validation keeps", () => {
  it("a secondary manager asking for more services stays secondary manager by default", () => {
    const g = buildGuide();
    // Bruno manages the hospital from the COMPTA service only, and asks for ACHATS too.
    const bruno = {
      ...g.bruno,
      attachments: g.bruno.attachments.map((a) => (a.structureId === g.hospital.id ? { ...a, scope: servicesScope([g.compta.id]) } : a)),
    };
    const asked = unwrap(
      requestAttachment(
        { user: bruno, structure: g.hospital, services: indexServices([g.achats]), pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.achats.id]) },
        { ...ctx, requestId: attachmentRequestId("req-bruno") },
      ),
    );
    expect(asked.request.requestedRole).toBe("secondaryManager");
    const r = unwrap(
      validateAttachmentRequest(
        { actor: g.alice, structure: g.hospital, request: asked.request, requester: bruno, services: g.serviceIndex },
        { requestId: asked.request.id },
        ctx,
      ),
    );
    expect(attachmentTo(r.requester, g.hospital.id)?.role).toBe("secondaryManager");
  });

  it("keeps the validity date of an attachment that starts later", () => {
    const g = buildGuide();
    const later = localDate("2026-12-15");
    const requester = {
      ...g.elodie,
      attachments: g.elodie.attachments.map((a) => (a.structureId === g.hospital.id ? { ...a, validFrom: later } : a)),
    };
    const r = unwrap(validate(g, {}, { requester }));
    expect(attachmentTo(r.requester, g.hospital.id)?.validFrom).toBe(later);
  });

  it("records the previous scope when narrowing from the whole structure to some services", () => {
    const g = buildGuide();
    const requester = {
      ...g.elodie,
      attachments: g.elodie.attachments.map((a) => (a.structureId === g.hospital.id ? { ...a, scope: WHOLE_STRUCTURE } : a)),
    };
    const r = unwrap(validate(g, { scope: servicesScope([g.paie.id]) }, { requester }));
    expect(r.history[0]?.details.previousScope).toEqual(WHOLE_STRUCTURE);
    expect(r.history[0]?.details.scope).toEqual(servicesScope([g.paie.id]));
  });
});

describe("validateAttachmentRequest — only the manager grants a role", () => {
  it("a user asking to be secondary manager becomes a simple user unless the manager grants it", () => {
    const g = buildGuide();
    const asked = unwrap(
      requestAttachment(
        { user: g.david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: WHOLE_STRUCTURE, requestedRole: "secondaryManager" },
        { ...ctx, requestId: attachmentRequestId("req-david") },
      ),
    );
    expect(asked.request.requestedRole).toBe("secondaryManager");
    const state = { actor: g.alice, structure: g.hospital, request: asked.request, requester: g.david, services: g.serviceIndex };
    const byDefault = unwrap(validateAttachmentRequest(state, { requestId: asked.request.id }, ctx));
    expect(roleIn(g.hospital, byDefault.requester)).toBe("user");
    expect(byDefault.request.grantedRole).toBe("user");
    const granted = unwrap(validateAttachmentRequest(state, { requestId: asked.request.id, role: asked.request.requestedRole }, ctx));
    expect(roleIn(g.hospital, granted.requester)).toBe("secondaryManager");
  });
});
