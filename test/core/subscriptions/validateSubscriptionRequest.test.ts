// validateSubscriptionRequest — « Valider » a subscription request after checking or
// unchecking its lines, with a comment and a scope (guide §2).
import { describe, expect, it } from "vitest";
import {
  deactivateService,
  errorMessage,
  historyKindLabel,
  indexServices,
  mayAccess,
  refuseSubscriptionRequest,
  removeAttachment,
  requestSubscription,
  servicesScope,
  spaceCatalogue,
  spaceCode,
  subscriptionRequestId,
  validateSubscriptionRequest,
  WHOLE_STRUCTURE,
  type DecideSubscriptionState,
  type ValidateSubscriptionRequest,
} from "../../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  elodieItems,
  elodieSubscription,
  expectErr,
  grantOf,
  holding,
  hospitalOutsiders,
  openedOn,
  replaceService,
  sctx,
  space,
  today,
  unwrap,
  withStatus,
  type Guide,
} from "../fixtures.js";

function state(g: Guide, overrides: Partial<DecideSubscriptionState> = {}): DecideSubscriptionState {
  const request = elodieSubscription(g);
  return { actor: g.alice, structure: g.hospital, request, requester: g.elodie, services: g.serviceIndex, ...overrides };
}

function validate(g: Guide, command: Partial<ValidateSubscriptionRequest> = {}, overrides: Partial<DecideSubscriptionState> = {}) {
  const s = state(g, overrides);
  return validateSubscriptionRequest(s, { requestId: s.request.id, scope: "structure", ...command }, sctx);
}

/** The lines Alice leaves checked in the guide's scenario: « Factures à valider » unchecked. */
const kept = (g: Guide) => elodieItems(g).slice(1);

describe("validateSubscriptionRequest — « Valider la demande d'abonnement »", () => {
  describe("the guide's scenario: Élodie asks for three spaces; Alice unchecks one and chooses « toute la structure »", () => {
    it("opens the two spaces kept on the whole structure, one record, and the structure must be saved", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, { items: kept(g), comment: "Accordé pour la paie" }));
      expect(r.structure).toEqual({ ...g.hospital, openSpaces: [space.recues, space.sollicitationsEmises] });
      expect(r.structureChanged).toBe(true);
      expect(r.services).toEqual([]);
    });

    it("gives Élodie two grants, one per line kept, by Alice, now", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, { items: kept(g) }));
      expect(r.requester).toEqual({
        ...g.elodie,
        grants: [
          { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "write", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null },
          { structureId: g.hospital.id, space: space.sollicitationsEmises, serviceId: null, access: "read", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null },
        ],
      });
    });

    it("marks the request « Validée » with the lines granted, the scope and the manager's comment", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      const r = unwrap(validate(g, { items: kept(g), comment: "  Accordé pour la paie " }));
      expect(r.request).toEqual({
        ...request,
        status: "validated",
        decidedBy: g.alice.id,
        decidedAt: at,
        grantedItems: kept(g),
        scope: "structure",
        managerComment: "Accordé pour la paie",
      });
    });

    it("records « Espace ouvert » twice, then « Validée », in the hospital's history", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      const r = unwrap(validate(g, { items: kept(g), comment: "Accordé" }));
      expect(r.history).toEqual([
        { structureId: g.hospital.id, kind: "spaceOpened", at, actorId: g.alice.id, targetUserId: null, requestId: null, details: { space: space.recues } },
        {
          structureId: g.hospital.id,
          kind: "spaceOpened",
          at,
          actorId: g.alice.id,
          targetUserId: null,
          requestId: null,
          details: { space: space.sollicitationsEmises },
        },
        {
          structureId: g.hospital.id,
          kind: "subscriptionRequestValidated",
          at,
          actorId: g.alice.id,
          targetUserId: g.elodie.id,
          requestId: request.id,
          details: { items: kept(g), subscriptionScope: "structure", comment: "Accordé" },
        },
      ]);
      expect(r.history.map((h) => historyKindLabel[h.kind])).toEqual(["Espace ouvert", "Espace ouvert", "Validée"]);
    });

    it("emits SpaceOpened twice and SubscriptionRequestValidated telling Élodie what she got", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      expect(unwrap(validate(g, { items: kept(g) })).events).toEqual([
        { type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: null, space: space.recues, by: g.alice.id },
        { type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: null, space: space.sollicitationsEmises, by: g.alice.id },
        {
          type: "SubscriptionRequestValidated",
          at,
          requestId: request.id,
          structureId: g.hospital.id,
          userId: g.elodie.id,
          decidedBy: g.alice.id,
          items: kept(g),
          scope: "structure",
        },
      ]);
    });

    it("then Élodie may write « Factures reçues » of PAIE and read « Sollicitations émises », and nothing of the unchecked space", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, { items: kept(g) }));
      const may = (spaceAsked: typeof space.recues, serviceId: typeof g.paie.id | null, access: "read" | "write") =>
        mayAccess(
          { user: r.requester, structure: r.structure, service: serviceId === null ? null : g.serviceIndex.get(serviceId) ?? null },
          { structureId: g.hospital.id, space: spaceAsked, serviceId, access },
          today,
        );
      expect(may(space.recues, g.paie.id, "write")).toBe(true);
      expect(may(space.recues, g.paie.id, "read")).toBe(true);
      expect(may(space.sollicitationsEmises, null, "read")).toBe(true);
      expect(may(space.sollicitationsEmises, g.paie.id, "read")).toBe(true);
      expect(may(space.sollicitationsEmises, null, "write")).toBe(false);
      expect(may(space.aValider, g.paie.id, "read")).toBe(false);
      // COMPTA is outside her attachment: no grant reaches it.
      expect(may(space.sollicitationsEmises, g.compta.id, "read")).toBe(false);
    });
  });

  it("without items, validates every line as asked", () => {
    const g = buildGuide();
    const r = unwrap(validate(g));
    expect(r.request.grantedItems).toEqual(elodieItems(g));
    expect(r.requester.grants.map((x) => [x.space, x.serviceId, x.access])).toEqual(elodieItems(g).map((i) => [i.space, i.serviceId, i.access]));
    expect(r.structure.openSpaces).toEqual([space.aValider, space.recues, space.sollicitationsEmises]);
  });

  it("a space already open on the structure is not opened again: no « Espace ouvert » for it", () => {
    const g = buildGuide();
    const r = unwrap(validate(g, { items: kept(g) }, { structure: openedOn(g.hospital, space.recues) }));
    expect(r.history.map((h) => [h.kind, h.details.space])).toEqual([
      ["spaceOpened", space.sollicitationsEmises],
      ["subscriptionRequestValidated", undefined],
    ]);
    expect(r.structure.openSpaces).toEqual([space.recues, space.sollicitationsEmises]);
  });

  it("given the manager lowers « Modification » to « Consultation », then the grant is for reading only", () => {
    const g = buildGuide();
    const lowered = { space: space.recues, serviceId: g.paie.id, access: "read" as const };
    const r = unwrap(validate(g, { items: [lowered] }));
    expect(r.request.grantedItems).toEqual([lowered]);
    expect(r.requester.grants).toEqual([{ ...lowered, structureId: g.hospital.id, grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null }]);
    expect(r.events.at(-1)).toMatchObject({ type: "SubscriptionRequestValidated", items: [lowered] });
    expect(
      mayAccess({ user: r.requester, structure: r.structure, service: g.paie }, { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "write" }, today),
    ).toBe(false);
  });

  it("replaces a grant Élodie already held for the same space and service (one grant per space and service)", () => {
    const g = buildGuide();
    const before = holding(g.elodie, grantOf(g.hospital.id, space.recues, g.paie.id, "read"), grantOf(g.acme.id, space.recues, null, "read", g.victor.id));
    const r = unwrap(validate(g, { items: kept(g) }, { requester: before }));
    expect(r.requester.grants.filter((x) => x.structureId === g.hospital.id && x.space === space.recues)).toEqual([
      { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "write", grantedBy: g.alice.id, grantedAt: at, validUntil: null, endNotice: null },
    ]);
    // Her grant elsewhere is kept as it was.
    expect(r.requester.grants).toContainEqual(grantOf(g.acme.id, space.recues, null, "read", g.victor.id));
    expect(r.requester.grants).toHaveLength(3);
  });

  describe("scope « seulement l'utilisateur »: grants only, each space already open where it points", () => {
    it("given a line whose space is not open anywhere, then SPACE_NOT_OPEN naming the space and the service", () => {
      const g = buildGuide();
      expect(expectErr(validate(g, { scope: "user" }), "SPACE_NOT_OPEN")).toEqual({
        code: "SPACE_NOT_OPEN",
        structureId: g.hospital.id,
        serviceId: g.paie.id,
        space: space.aValider,
      });
    });

    it("given the spaces open (on the structure, or on PAIE for a line on PAIE), then grants only: nothing opened, the structure unchanged", () => {
      const g = buildGuide();
      const structure = openedOn(g.hospital, space.sollicitationsEmises, space.aValider);
      const paie = openedOn(g.paie, space.recues);
      const r = unwrap(validate(g, { scope: "user" }, { structure, services: replaceService(g.serviceIndex, paie) }));
      expect(r.structure).toBe(structure);
      expect(r.structureChanged).toBe(false);
      expect(r.services).toEqual([]);
      expect(r.history.map((h) => h.kind)).toEqual(["subscriptionRequestValidated"]);
      expect(r.history[0]?.details.subscriptionScope).toBe("user");
      expect(r.events.map((e) => e.type)).toEqual(["SubscriptionRequestValidated"]);
      expect(r.requester.grants).toHaveLength(3);
    });

    it("a space open on a service is not open for a line on all services: SPACE_NOT_OPEN on the structure", () => {
      const g = buildGuide();
      const paie = openedOn(g.paie, space.sollicitationsEmises);
      const e = expectErr(
        validate(g, { scope: "user", items: [elodieItems(g)[2]!] }, { services: replaceService(g.serviceIndex, paie) }),
        "SPACE_NOT_OPEN",
      );
      expect(e).toEqual({ code: "SPACE_NOT_OPEN", structureId: g.hospital.id, serviceId: null, space: space.sollicitationsEmises });
    });

    it("a space open on another service does not count for PAIE", () => {
      const g = buildGuide();
      const compta = openedOn(g.compta, space.recues);
      expect(
        expectErr(validate(g, { scope: "user", items: [elodieItems(g)[1]!] }, { services: replaceService(g.serviceIndex, compta) }), "SPACE_NOT_OPEN").serviceId,
      ).toBe(g.paie.id);
    });
  });

  describe("scope « tous les services concernés »: opens each space on the service of its line", () => {
    it("opens the lines on PAIE on PAIE, and the line on all services on the structure", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, { scope: "services" }));
      expect(r.services).toEqual([{ ...g.paie, openSpaces: [space.aValider, space.recues] }]);
      expect(r.structure).toEqual({ ...g.hospital, openSpaces: [space.sollicitationsEmises] });
      expect(r.structureChanged).toBe(true);
      expect(r.history.map((h) => [h.kind, h.details])).toEqual([
        ["spaceOpened", { space: space.aValider, serviceId: g.paie.id }],
        ["spaceOpened", { space: space.recues, serviceId: g.paie.id }],
        ["spaceOpened", { space: space.sollicitationsEmises }],
        ["subscriptionRequestValidated", { items: elodieItems(g), subscriptionScope: "services" }],
      ]);
      expect(r.events.slice(0, 3)).toEqual([
        { type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: g.paie.id, space: space.aValider, by: g.alice.id },
        { type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: g.paie.id, space: space.recues, by: g.alice.id },
        { type: "SpaceOpened", at, structureId: g.hospital.id, serviceId: null, space: space.sollicitationsEmises, by: g.alice.id },
      ]);
    });

    it("opens nothing on the structure when no line is for all services: the structure need not be saved", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, { scope: "services", items: kept(g).slice(0, 1) }));
      expect(r.structureChanged).toBe(false);
      expect(r.structure).toBe(g.hospital);
      expect(r.services).toEqual([{ ...g.paie, openSpaces: [space.recues] }]);
    });

    it("skips a space already open on the service, or on the whole structure", () => {
      const g = buildGuide();
      const paie = openedOn(g.paie, space.aValider);
      const structure = openedOn(g.hospital, space.recues);
      const r = unwrap(validate(g, { scope: "services" }, { structure, services: replaceService(g.serviceIndex, paie) }));
      expect(r.history.filter((h) => h.kind === "spaceOpened").map((h) => h.details)).toEqual([{ space: space.sollicitationsEmises }]);
      expect(r.services).toEqual([]);
      expect(r.structure.openSpaces).toEqual([space.recues, space.sollicitationsEmises]);
    });
  });

  describe("refusals", () => {
    it("a line the request did not ask for: ITEM_NOT_REQUESTED (another space, or the same space for another service)", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      expect(expectErr(validate(g, { items: [{ space: space.emises, serviceId: g.paie.id, access: "read" }] }), "ITEM_NOT_REQUESTED")).toEqual({
        code: "ITEM_NOT_REQUESTED",
        requestId: request.id,
        space: space.emises,
        serviceId: g.paie.id,
      });
      expect(expectErr(validate(g, { items: [{ space: space.recues, serviceId: null, access: "write" }] }), "ITEM_NOT_REQUESTED")).toMatchObject({
        space: space.recues,
        serviceId: null,
      });
    });

    it("nothing left checked: EMPTY_SELECTION (refuse the request instead)", () => {
      const g = buildGuide();
      expect(expectErr(validate(g, { items: [] }), "EMPTY_SELECTION")).toEqual({ code: "EMPTY_SELECTION", requestId: elodieSubscription(g).id });
    });

    it("a request already validated: REQUEST_ALREADY_DECIDED « Validée »", () => {
      const g = buildGuide();
      const done = unwrap(validate(g)).request;
      const e = expectErr(validate(g, {}, { request: done }), "REQUEST_ALREADY_DECIDED");
      expect(e).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: done.id, status: "validated", request: "subscription" });
      expect(errorMessage(e)).toContain("« Validée »");
    });

    it("a request refused: REQUEST_ALREADY_DECIDED, whose message says « Désactivée »", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      const refused = unwrap(refuseSubscriptionRequest({ actor: g.bruno, structure: g.hospital, request }, { requestId: request.id }, ctx)).request;
      const e = expectErr(validate(g, {}, { request: refused }), "REQUEST_ALREADY_DECIDED");
      expect(e).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: request.id, status: "refused", request: "subscription" });
      expect(errorMessage(e)).toContain("« Désactivée »");
      expect(errorMessage(e)).not.toContain("Refusée");
    });

    it("a manager's own request: SELF_DECISION_FORBIDDEN", () => {
      const g = buildGuide();
      const own = unwrap(
        requestSubscription(
          { user: g.bruno, structure: g.hospital, services: g.serviceIndex },
          { structureId: g.hospital.id, items: [{ space: space.emises, serviceId: null, access: "write" }] },
          { ...sctx, requestId: subscriptionRequestId("sub-bruno") },
        ),
      ).request;
      expect(expectErr(validate(g, {}, { actor: g.bruno, request: own, requester: g.bruno }), "SELF_DECISION_FORBIDDEN")).toEqual({
        code: "SELF_DECISION_FORBIDDEN",
        requestId: own.id,
        userId: g.bruno.id,
      });
      // Alice may decide it.
      expect(validate(g, {}, { request: own, requester: g.bruno }).ok).toBe(true);
    });

    it.each(hospitalOutsiders.map((o) => [o.who, o] as const))(
      "%s gets NOT_FOUND naming only the request id given, as for an unknown request",
      (_, outsider) => {
        const g = buildGuide();
        const actor = outsider.actor(g);
        const request = elodieSubscription(g);
        const e = expectErr(validate(g, {}, { actor }), "NOT_FOUND");
        expect(e).toEqual({ code: "NOT_FOUND", entity: "subscriptionRequest", id: request.id });
        // Even for a decided request, even with a bad selection: nothing of the request shows through.
        const done = unwrap(validate(g)).request;
        expect(validate(g, { items: [] }, { actor, request: done })).toEqual({ ok: false, error: e });
      },
    );

    it("a request of another structure than the one given: NOT_FOUND subscriptionRequest, not « structure »", () => {
      const g = buildGuide();
      const request = elodieSubscription(g);
      expect(expectErr(validate(g, {}, { structure: g.townHall }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "subscriptionRequest", id: request.id });
      // Victor, manager of ACME, with ACME as the structure.
      expect(expectErr(validate(g, {}, { actor: g.victor, structure: g.acme }), "NOT_FOUND")).toEqual({
        code: "NOT_FOUND",
        entity: "subscriptionRequest",
        id: request.id,
      });
    });

    it("a command naming another request than the one given: NOT_FOUND with the id named", () => {
      const g = buildGuide();
      const other = subscriptionRequestId("sub-404");
      expect(validateSubscriptionRequest(state(g), { requestId: other, scope: "structure" }, sctx)).toEqual({
        ok: false,
        error: { code: "NOT_FOUND", entity: "subscriptionRequest", id: other },
      });
    });

    it("a requester record that is not the request's user: NOT_FOUND user", () => {
      const g = buildGuide();
      expect(expectErr(validate(g, {}, { requester: g.bruno }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "user", id: g.elodie.id });
    });

    it("a requester whose account was deactivated meanwhile: ACCOUNT_NOT_ACTIVE", () => {
      const g = buildGuide();
      expect(expectErr(validate(g, {}, { requester: withStatus(g.elodie, "deactivated") }), "ACCOUNT_NOT_ACTIVE")).toEqual({
        code: "ACCOUNT_NOT_ACTIVE",
        userId: g.elodie.id,
        status: "deactivated",
      });
    });

    it("a requester no longer attached to the structure: NOT_ATTACHED", () => {
      const g = buildGuide();
      const gone = unwrap(removeAttachment({ actor: g.alice, structure: g.hospital, member: g.elodie }, { structureId: g.hospital.id, userId: g.elodie.id }, ctx)).member;
      expect(expectErr(validate(g, {}, { requester: gone }), "NOT_ATTACHED")).toEqual({ code: "NOT_ATTACHED", structureId: g.hospital.id, userId: g.elodie.id });
    });

    it("a requester no longer attached to the service of a line: NOT_ATTACHED naming the service", () => {
      const g = buildGuide();
      const moved = { ...g.elodie, attachments: g.elodie.attachments.map((a) => ({ ...a, scope: servicesScope([g.rh.id]) })) };
      expect(expectErr(validate(g, {}, { requester: moved }), "NOT_ATTACHED")).toEqual({
        code: "NOT_ATTACHED",
        structureId: g.hospital.id,
        userId: g.elodie.id,
        serviceId: g.paie.id,
      });
      // Attached to the whole structure instead: fine.
      const whole = { ...g.elodie, attachments: g.elodie.attachments.map((a) => ({ ...a, scope: WHOLE_STRUCTURE })) };
      expect(validate(g, {}, { requester: whole }).ok).toBe(true);
    });

    it("a service of a line deactivated meanwhile: SERVICE_INACTIVE", () => {
      const g = buildGuide();
      const paie = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.paie }, { serviceId: g.paie.id }, ctx)).service;
      expect(expectErr(validate(g, {}, { services: replaceService(g.serviceIndex, paie) }), "SERVICE_INACTIVE")).toEqual({
        code: "SERVICE_INACTIVE",
        serviceId: g.paie.id,
      });
      // Unchecking the lines on PAIE, the rest passes.
      expect(validate(g, { items: [elodieItems(g)[2]!] }, { services: replaceService(g.serviceIndex, paie) }).ok).toBe(true);
    });

    it("a service record missing from what the rule is given: NOT_FOUND service", () => {
      const g = buildGuide();
      expect(expectErr(validate(g, {}, { services: indexServices([g.compta]) }), "NOT_FOUND")).toEqual({ code: "NOT_FOUND", entity: "service", id: g.paie.id });
    });

    it("a space no longer in the catalogue: VALIDATION unknown_space", () => {
      const g = buildGuide();
      const s = state(g);
      const mine = unwrap(spaceCatalogue([{ code: spaceCode("FACTURES_RECUES"), label: "Factures reçues", apiCode: "FR" }]));
      const e = expectErr(validateSubscriptionRequest(s, { requestId: s.request.id, scope: "structure" }, { ...ctx, catalogue: mine }), "VALIDATION");
      expect(e.issues.map((i) => i.code)).toEqual(["unknown_space", "unknown_space"]);
    });

    it("any manager of the structure may decide: Bruno, secondary manager, validates, and the history names him", () => {
      const g = buildGuide();
      const r = unwrap(validate(g, {}, { actor: g.bruno }));
      expect(r.request.decidedBy).toBe(g.bruno.id);
      expect(r.history.every((h) => h.actorId === g.bruno.id)).toBe(true);
      expect(r.requester.grants.every((x) => x.grantedBy === g.bruno.id)).toBe(true);
    });
  });
});
