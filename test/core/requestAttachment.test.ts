import { describe, expect, it } from "vitest";
import {
  attachmentRequestId,
  deactivateService,
  historyKindLabel,
  requestAttachment,
  serviceId,
  servicesScope,
  WHOLE_STRUCTURE,
} from "../../src/core/index.js";
import { at, buildGuide, ctx, expectErr, replaceService, unwrap, type Guide } from "./fixtures.js";

const reqId = attachmentRequestId("req-david");

function davidAsks(g: Guide, scope = servicesScope([g.rh.id, g.paie.id])) {
  return requestAttachment(
    { user: g.david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
    { structureId: g.hospital.id, scope, comment: "  Arrivée au 1er décembre  " },
    { ...ctx, requestId: reqId },
  );
}

describe("requestAttachment — « demande de rattachement »", () => {
  it("given David without attachment, when he asks for RH and PAIE, then a pending request for a simple user is created with the services sorted", () => {
    const g = buildGuide();
    const r = unwrap(davidAsks(g));
    expect(r.request).toEqual({
      id: reqId,
      structureId: g.hospital.id,
      userId: g.david.id,
      requestedRole: "user",
      scope: { kind: "services", serviceIds: [g.paie.id, g.rh.id] },
      comment: "Arrivée au 1er décembre",
      createdAt: at,
      status: "pending",
    });
  });

  it("records « Demande de rattachement » with the user as actor and target, and the request id", () => {
    const g = buildGuide();
    const r = unwrap(davidAsks(g));
    expect(r.history).toEqual([
      {
        structureId: g.hospital.id,
        kind: "attachmentRequested",
        at,
        actorId: g.david.id,
        targetUserId: g.david.id,
        requestId: reqId,
        details: {
          role: "user",
          scope: { kind: "services", serviceIds: [g.paie.id, g.rh.id] },
          comment: "Arrivée au 1er décembre",
        },
      },
    ]);
    expect(historyKindLabel.attachmentRequested).toBe("Demande de rattachement");
  });

  it("emits AttachmentRequested so the managers can be told", () => {
    const g = buildGuide();
    expect(unwrap(davidAsks(g)).events).toEqual([
      { type: "AttachmentRequested", at, requestId: reqId, structureId: g.hospital.id, userId: g.david.id },
    ]);
  });

  it("keeps the role asked for (secondary manager) and stores an absent comment as empty", () => {
    const g = buildGuide();
    const r = unwrap(
      requestAttachment(
        { user: g.david, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.townHall.id, scope: WHOLE_STRUCTURE, requestedRole: "secondaryManager" },
        { ...ctx, requestId: reqId },
      ),
    );
    expect(r.request.requestedRole).toBe("secondaryManager");
    expect(r.request.comment).toBe("");
    expect(r.request.scope).toEqual({ kind: "structure" });
  });

  it("a user attached to some services may ask for more (Élodie, on PAIE, asks for RH)", () => {
    const g = buildGuide();
    const r = unwrap(
      requestAttachment(
        { user: g.elodie, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.rh.id]) },
        { ...ctx, requestId: reqId },
      ),
    );
    expect(r.request).toMatchObject({ userId: g.elodie.id, status: "pending", scope: { kind: "services", serviceIds: [g.rh.id] } });
  });

  it("refuses a command naming another structure than the one loaded: NOT_FOUND", () => {
    const g = buildGuide();
    const e = expectErr(
      requestAttachment(
        { user: g.david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.acme.id, scope: WHOLE_STRUCTURE },
        { ...ctx, requestId: reqId },
      ),
      "NOT_FOUND",
    );
    expect(e).toEqual({ code: "NOT_FOUND", entity: "structure", id: g.acme.id });
  });

  it("refuses a deactivated account: FORBIDDEN accountNotActive", () => {
    const g = buildGuide();
    const e = expectErr(
      requestAttachment(
        { user: g.zoe, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: WHOLE_STRUCTURE },
        { ...ctx, requestId: reqId },
      ),
      "FORBIDDEN",
    );
    expect(e).toEqual({ code: "FORBIDDEN", actorId: g.zoe.id, structureId: g.hospital.id, reason: "accountNotActive" });
  });

  it("refuses the primary manager: ALREADY_ATTACHED", () => {
    const g = buildGuide();
    const e = expectErr(
      requestAttachment(
        { user: g.alice, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.rh.id]) },
        { ...ctx, requestId: reqId },
      ),
      "ALREADY_ATTACHED",
    );
    expect(e).toEqual({ code: "ALREADY_ATTACHED", structureId: g.hospital.id, userId: g.alice.id });
  });

  it("refuses a user already attached to the whole structure (Bruno): ALREADY_ATTACHED", () => {
    const g = buildGuide();
    expectErr(
      requestAttachment(
        { user: g.bruno, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.rh.id]) },
        { ...ctx, requestId: reqId },
      ),
      "ALREADY_ATTACHED",
    );
  });

  it("refuses a second pending request for the same structure: PENDING_REQUEST_EXISTS", () => {
    const g = buildGuide();
    const e = expectErr(
      requestAttachment(
        { user: g.elodie, structure: g.hospital, services: g.serviceIndex, pendingRequest: g.elodieRequest },
        { structureId: g.hospital.id, scope: servicesScope([g.rh.id]) },
        { ...ctx, requestId: reqId },
      ),
      "PENDING_REQUEST_EXISTS",
    );
    expect(e).toEqual({ code: "PENDING_REQUEST_EXISTS", structureId: g.hospital.id, userId: g.elodie.id });
  });

  it("refuses an empty set of services: EMPTY_SCOPE", () => {
    const g = buildGuide();
    const e = expectErr(davidAsks(g, servicesScope([])), "EMPTY_SCOPE");
    expect(e).toEqual({ code: "EMPTY_SCOPE", structureId: g.hospital.id });
  });

  it("refuses an unknown service: NOT_FOUND service", () => {
    const g = buildGuide();
    const e = expectErr(davidAsks(g, servicesScope([serviceId("svc-ghost")])), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "service", id: "svc-ghost" });
  });

  it("refuses a service of another structure as if it did not exist: NOT_FOUND service naming it (ACME's VENTES)", () => {
    const g = buildGuide();
    const e = expectErr(davidAsks(g, servicesScope([g.rh.id, g.ventes.id])), "NOT_FOUND");
    expect(e).toStrictEqual({ code: "NOT_FOUND", entity: "service", id: g.ventes.id });
  });

  it.each(["\u200B", "\uFEFF\u00A0 ", "\u3164", " \n\t"])(
    "stores a comment with no visible character %j as empty (the comment is optional)",
    (comment) => {
      const g = buildGuide();
      const r = unwrap(
        requestAttachment(
          { user: g.david, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
          { structureId: g.townHall.id, scope: WHOLE_STRUCTURE, comment },
          { ...ctx, requestId: reqId },
        ),
      );
      expect(r.request.comment).toBe("");
      expect(r.history[0]?.details.comment).toBe("");
    },
  );

  it("stores a comment trimmed of invisible characters at its ends, its lines kept", () => {
    const g = buildGuide();
    const r = unwrap(
      requestAttachment(
        { user: g.david, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.townHall.id, scope: WHOLE_STRUCTURE, comment: "\u200B Bonjour,\nje suis à l'accueil.\uFEFF" },
        { ...ctx, requestId: reqId },
      ),
    );
    expect(r.request.comment).toBe("Bonjour,\nje suis à l'accueil.");
  });

  it("refuses an inactive service: SERVICE_INACTIVE", () => {
    const g = buildGuide();
    const rhOff = unwrap(
      deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
    ).service;
    const e = expectErr(
      requestAttachment(
        { user: g.david, structure: g.hospital, services: replaceService(g.serviceIndex, rhOff), pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.rh.id]) },
        { ...ctx, requestId: reqId },
      ),
      "SERVICE_INACTIVE",
    );
    expect(e).toEqual({ code: "SERVICE_INACTIVE", serviceId: g.rh.id });
  });
});
