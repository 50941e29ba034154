// Guide §3 B, « Rattacher un utilisateur n'ayant pas de compte Chorus Pro : création d'un
// utilisateur »: the manager creates the account, optionally attaches it in the same act;
// not for a public structure using the PIGP.
import { describe, expect, it } from "vitest";
import {
  createAccount,
  deactivateService,
  errorMessage,
  historyKindLabel,
  servicesScope,
  structureId,
  WHOLE_STRUCTURE,
} from "../../../src/core/index.js";
import {
  at,
  buildGuide,
  ctx,
  expectErr,
  hospitalOutsiders,
  replaceService,
  today,
  tomorrow,
  unwrap,
  yesterday,
} from "../fixtures.js";
import { attachToCompta, contactToken, createHugo, firstToken, hugoCommand, hugoId, newAccountCtx, pigpStructure } from "./fixtures.js";

const in60Minutes = "2026-11-27T10:00:00.000Z";
/** When the token confirming a contact address expires: 7 days (the default policy). */
const in7Days = "2026-12-04T09:00:00.000Z";

describe("createAccount — « Créer le compte utilisateur » by the manager", () => {
  it("given Hugo has no account, when Alice creates it for the hospital, then it is « En cours d'activation » with what she typed, the contact address she gave waiting for Hugo's confirmation", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g));
    expect(r.user).toEqual({
      id: hugoId,
      login: "hugo.martin@chu-lyon.fr", // trimmed, lower case
      // Whoever creates an account never chooses where its owner's notices go: the login
      // until Hugo confirms the address Alice typed.
      contactEmail: "hugo.martin@chu-lyon.fr",
      lastName: "Martin",
      firstName: "Hugo",
      status: "pendingActivation",
      attachments: [],
      grants: [],
      phone: "+33 4 72 11 00 00",
      postalAddress: { street: "3 quai des Célestins", complement: null, postalCode: "69002", city: "Lyon", countryCode: "FR" },
      settings: { activityNotifications: "weekly" },
      createdFor: g.hospital.id,
      // One live token, the hospital's managers'.
      activation: {
        tokens: [{ tokenHash: firstToken.tokenHash, issuedAt: at, expiresAt: in60Minutes, by: `structure:${g.hospital.id}` }],
        usedAt: null,
      },
      contactEmailChange: {
        address: "secretariat.compta@chu-lyon.fr",
        tokenHash: contactToken.tokenHash,
        requestedAt: at,
        expiresAt: in7Days,
        requestedBy: g.alice.id,
      },
      // The activation e-mail and the confirmation e-mail count in the hospital's budget.
      accountEmails: [
        { at, by: `structure:${g.hospital.id}` },
        { at, by: `structure:${g.hospital.id}` },
      ],
      deactivatedAt: null,
      createdAt: at,
    });
  });

  it("history records « Compte créé par le gestionnaire » on the structure it was created for", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g));
    expect(r.history).toEqual([
      { structureId: g.hospital.id, kind: "accountCreated", at, actorId: g.alice.id, targetUserId: hugoId, requestId: null, details: {} },
    ]);
    expect(historyKindLabel.accountCreated).toBe("Compte créé par le gestionnaire");
  });

  it("asks for the activation e-mail to the login: AccountCreated, then ActivationEmailRequested carrying the token (never its hash), then the confirmation of the contact address given", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g));
    expect(r.events).toEqual([
      { type: "AccountCreated", at, userId: hugoId, login: "hugo.martin@chu-lyon.fr", createdBy: g.alice.id, structureId: g.hospital.id },
      {
        type: "ActivationEmailRequested",
        at,
        userId: hugoId,
        login: "hugo.martin@chu-lyon.fr", // the address the link is sent to: never another one
        expiresAt: in60Minutes,
        token: firstToken.token,
      },
      {
        type: "ContactEmailConfirmationRequested",
        at,
        userId: hugoId,
        login: "hugo.martin@chu-lyon.fr",
        address: "secretariat.compta@chu-lyon.fr",
        expiresAt: in7Days,
        token: contactToken.token,
      },
    ]);
    // The account keeps the hashes only; the history never names a token.
    for (const t of [firstToken, contactToken]) {
      expect(JSON.stringify(r.user)).not.toContain(t.token);
      expect(JSON.stringify(r.history)).not.toContain(t.token);
      expect(JSON.stringify(r.events)).not.toContain(t.tokenHash);
    }
  });

  it("a contact address that is the login (whatever its case and spaces) is the contact address at once: no confirmation, one e-mail", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g, { contactEmail: "  HUGO.Martin@chu-lyon.fr " }));
    expect(r.user.contactEmail).toBe("hugo.martin@chu-lyon.fr");
    expect(r.user.contactEmailChange).toBeNull();
    expect(r.user.accountEmails).toEqual([{ at, by: `structure:${g.hospital.id}` }]);
    expect(r.events.map((e) => e.type)).toEqual(["AccountCreated", "ActivationEmailRequested"]);
  });

  it("without contact e-mail, phone, address or settings: the login is the contact address, no phone nor address, no periodic notification", () => {
    const g = buildGuide();
    const { contactEmail: _c, phone: _p, postalAddress: _a, settings: _s, ...bare } = hugoCommand(g);
    const r = unwrap(createAccount({ actor: g.alice, structure: g.hospital, services: g.serviceIndex }, bare, newAccountCtx()));
    expect(r.user).toMatchObject({
      contactEmail: "hugo.martin@chu-lyon.fr",
      contactEmailChange: null,
      phone: null,
      postalAddress: null,
      settings: { activityNotifications: "never" },
    });
  });

  it("a secondary manager (Bruno) creates accounts for his structure too", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g, {}, { actor: g.bruno }));
    expect(r.user.createdFor).toBe(g.hospital.id);
    expect(r.history[0]?.actorId).toBe(g.bruno.id);
  });

  it("given the structure has no services, the account is created for it all the same (the town hall)", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g, { structureId: g.townHall.id, attach: { ...attachToCompta(g), scope: WHOLE_STRUCTURE } }, { structure: g.townHall }));
    expect(r.user.attachments).toEqual([
      { structureId: g.townHall.id, role: "user", scope: WHOLE_STRUCTURE, validFrom: today, attachedBy: g.alice.id, attachedAt: at, validUntil: null, endNotice: null },
    ]);
  });
});

describe("createAccount — attached to the structure in the same act", () => {
  it("given Alice checks COMPTA, when she creates Hugo's account, then it is attached as a simple user, still « En cours d'activation »", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g, { attach: attachToCompta(g) }));
    expect(r.user.status).toBe("pendingActivation");
    expect(r.user.attachments).toEqual([
      {
        structureId: g.hospital.id,
        role: "user",
        scope: servicesScope([g.compta.id]),
        validFrom: today,
        attachedBy: g.alice.id,
        attachedAt: at,
        validUntil: null,
        endNotice: null,
      },
    ]);
    expect(r.history.map((h) => h.kind)).toEqual(["accountCreated", "userAttached"]);
    expect(r.history[1]).toMatchObject({
      structureId: g.hospital.id,
      targetUserId: hugoId,
      details: { role: "user", scope: servicesScope([g.compta.id]), comment: "Nouvel agent comptable" },
    });
    expect(r.events.map((e) => e.type)).toEqual(["AccountCreated", "ActivationEmailRequested", "ContactEmailConfirmationRequested", "UserAttached"]);
  });

  it("as a secondary manager of the whole structure, from a later date", () => {
    const g = buildGuide();
    const r = unwrap(createHugo(g, { attach: { ...attachToCompta(g), role: "secondaryManager", scope: WHOLE_STRUCTURE, validFrom: tomorrow } }));
    expect(r.user.attachments[0]).toMatchObject({ role: "secondaryManager", scope: WHOLE_STRUCTURE, validFrom: tomorrow });
  });

  it.each([
    ["the primary role", (g: ReturnType<typeof buildGuide>) => ({ ...attachToCompta(g), role: "primaryManager" as const }), "CANNOT_GRANT_PRIMARY"],
    ["a start date in the past", (g: ReturnType<typeof buildGuide>) => ({ ...attachToCompta(g), validFrom: yesterday }), "VALID_FROM_IN_THE_PAST"],
    ["a blank comment", (g: ReturnType<typeof buildGuide>) => ({ ...attachToCompta(g), comment: " \u200B " }), "COMMENT_REQUIRED"],
    ["no service checked", (g: ReturnType<typeof buildGuide>) => ({ ...attachToCompta(g), scope: servicesScope([]) }), "EMPTY_SCOPE"],
    ["a service of another structure (ACME's VENTES)", (g: ReturnType<typeof buildGuide>) => ({ ...attachToCompta(g), scope: servicesScope([g.ventes.id]) }), "NOT_FOUND"],
  ] as const)("refuses an attachment with %s, as attachUser does: no account is created", (_, attach, code) => {
    const g = buildGuide();
    expectErr(createHugo(g, { attach: attach(g) }), code);
  });

  it("refuses an attachment to a deactivated service with SERVICE_INACTIVE", () => {
    const g = buildGuide();
    const rh = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx)).service;
    const e = expectErr(
      createHugo(g, { attach: { ...attachToCompta(g), scope: servicesScope([rh.id]) } }, { services: replaceService(g.serviceIndex, rh) }),
      "SERVICE_INACTIVE",
    );
    expect(e.serviceId).toBe(g.rh.id);
  });
});

describe("createAccount — refusals", () => {
  it.each(hospitalOutsiders.map((o) => [o.who, o] as const))("refuses %s with FORBIDDEN", (_, outsider) => {
    const g = buildGuide();
    const actor = outsider.actor(g);
    const e = expectErr(createHugo(g, {}, { actor }), "FORBIDDEN");
    expect(e).toEqual({ code: "FORBIDDEN", actorId: actor.id, structureId: g.hospital.id, reason: outsider.reason });
  });

  it("refuses a command naming another structure than the one loaded with NOT_FOUND", () => {
    const g = buildGuide();
    const e = expectErr(createHugo(g, { structureId: structureId("s-elsewhere") }), "NOT_FOUND");
    expect(e).toEqual({ code: "NOT_FOUND", entity: "structure", id: "s-elsewhere" });
  });

  it("given a public structure using the PIGP, when its manager creates an account, then PIGP_REFERENT_REQUIRED tells her to ask the DGFiP referent (MADHRAS)", () => {
    const g = buildGuide();
    const { structure, alice } = pigpStructure(g);
    const e = expectErr(createHugo(g, { structureId: structure.id }, { actor: alice, structure }), "PIGP_REFERENT_REQUIRED");
    expect(e).toEqual({ code: "PIGP_REFERENT_REQUIRED", structureId: structure.id });
    const message = errorMessage(e);
    expect(message).toContain("Pour les structures publiques (utilisatrices du PIGP)");
    expect(message).toContain("référent de la DGFiP en charge du référentiel MADHRAS afin de créer l'utilisateur");
  });

  it("…also when it would attach in the same act", () => {
    const g = buildGuide();
    const { structure, alice } = pigpStructure(g);
    expectErr(
      createHugo(g, { structureId: structure.id, attach: { ...attachToCompta(g), scope: WHOLE_STRUCTURE } }, { actor: alice, structure }),
      "PIGP_REFERENT_REQUIRED",
    );
  });

  it("…but someone who may not manage it gets FORBIDDEN, which tells nothing of the structure", () => {
    const g = buildGuide();
    const { structure } = pigpStructure(g);
    expectErr(createHugo(g, { structureId: structure.id }, { actor: g.victor, structure }), "FORBIDDEN");
  });
});
