import { describe, expect, it } from "vitest";
import {
  attachUser,
  attachmentRequestId,
  managedStructureIds,
  pendingRequestsForManager,
  refuseAttachmentRequest,
  requestAttachment,
  servicesScope,
  WHOLE_STRUCTURE,
  type PendingAttachmentRequest,
} from "../../src/core/index.js";
import { buildGuide, ctx, today, unwrap, withFutureManager, withStatus, type Guide } from "./fixtures.js";

/** Chloé also asks ACME for VENTES: a request Alice must never see. */
function acmeRequest(g: Guide): PendingAttachmentRequest {
  return unwrap(
    requestAttachment(
      { user: g.chloe, structure: g.acme, services: g.serviceIndex, pendingRequest: null },
      { structureId: g.acme.id, scope: servicesScope([g.ventes.id]) },
      { now: new Date("2026-11-19T08:00:00Z"), requestId: attachmentRequestId("req-chloe-acme") },
    ),
  ).request;
}

describe("pendingRequestsForManager — « Les demandes de rattachement à une structure »", () => {
  it("given requests in several structures, Alice sees only those of the structures she manages, oldest first", () => {
    const g = buildGuide();
    const list = pendingRequestsForManager(
      g.alice,
      [g.hospital, g.townHall, g.acme],
      [g.chloeRequest, acmeRequest(g), g.elodieRequest],
      ctx,
    );
    expect(list.map((r) => r.id)).toEqual([g.elodieRequest.id, g.chloeRequest.id]);
  });

  it("leaves decided requests out", () => {
    const g = buildGuide();
    const refused = unwrap(
      refuseAttachmentRequest(
        { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
        { requestId: g.chloeRequest.id, reason: "Non" },
        ctx,
      ),
    ).request;
    const list = pendingRequestsForManager(g.alice, [g.hospital, g.townHall], [refused, g.elodieRequest], ctx);
    expect(list.map((r) => r.id)).toEqual([g.elodieRequest.id]);
  });

  it("a secondary manager sees only the structures where he manages (Bruno: the hospital)", () => {
    const g = buildGuide();
    const list = pendingRequestsForManager(g.bruno, [g.hospital, g.townHall], [g.chloeRequest, g.elodieRequest], ctx);
    expect(list.map((r) => r.id)).toEqual([g.elodieRequest.id]);
  });

  it("Victor sees only ACME's request", () => {
    const g = buildGuide();
    const acme = acmeRequest(g);
    const list = pendingRequestsForManager(g.victor, [g.acme, g.hospital], [g.elodieRequest, acme, g.chloeRequest], ctx);
    expect(list).toEqual([acme]);
  });

  it("a simple user, a deactivated manager, and a manager not in force yet see nothing", () => {
    const g = buildGuide();
    const all = [g.elodieRequest, g.chloeRequest];
    expect(pendingRequestsForManager(g.elodie, [g.hospital], all, ctx)).toEqual([]);
    expect(pendingRequestsForManager(withStatus(g.alice, "deactivated"), [g.hospital, g.townHall], all, ctx)).toEqual([]);
    expect(pendingRequestsForManager(withFutureManager(g), [g.hospital], all, ctx)).toEqual([]);
  });

  it("leaves out the manager's own request", () => {
    const g = buildGuide();
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
    const own = unwrap(
      requestAttachment(
        { user: david, structure: g.hospital, services: g.serviceIndex, pendingRequest: null },
        { structureId: g.hospital.id, scope: servicesScope([g.paie.id]) },
        { ...ctx, requestId: attachmentRequestId("req-david") },
      ),
    ).request;
    const list = pendingRequestsForManager(david, [g.hospital], [own, g.elodieRequest], ctx);
    expect(list.map((r) => r.id)).toEqual([g.elodieRequest.id]);
  });

  it("sorts by creation instant, then by id for requests created at the same instant", () => {
    const g = buildGuide();
    const same = new Date("2026-11-25T10:00:00Z");
    const make = (id: string, user: typeof g.david) =>
      unwrap(
        requestAttachment(
          { user, structure: g.townHall, services: g.serviceIndex, pendingRequest: null },
          { structureId: g.townHall.id, scope: WHOLE_STRUCTURE },
          { now: same, requestId: attachmentRequestId(id) },
        ),
      ).request;
    const b = make("req-b", g.david);
    const a = make("req-a", g.bruno);
    const list = pendingRequestsForManager(g.alice, [g.townHall, g.hospital], [b, g.chloeRequest, a, g.elodieRequest], ctx);
    expect(list.map((r) => r.id)).toEqual([g.elodieRequest.id, g.chloeRequest.id, "req-a", "req-b"]);
  });

  it("managedStructureIds keeps the structures the actor manages today", () => {
    const g = buildGuide();
    expect(managedStructureIds(g.alice, [g.hospital, g.acme, g.townHall], ctx)).toEqual([g.hospital.id, g.townHall.id]);
    expect(managedStructureIds(g.bruno, [g.hospital, g.townHall], ctx)).toEqual([g.hospital.id]);
    expect(managedStructureIds(g.elodie, [g.hospital], ctx)).toEqual([]);
  });
});
