// Guide §5, per user of one's structures: « Consulter les informations personnelles
// (informations générales, adresse postale et paramètres) » and « Afficher la liste de
// toutes les structures pour lesquelles l'utilisateur est rattaché » (another structure:
// its designation only).
import { describe, expect, it } from "vitest";
import {
  attachUser,
  canManage,
  deactivateService,
  indexServices,
  personalInformation,
  servicesScope,
  userStructures,
  type Structure,
  type StructureId,
  type User,
} from "../../../src/core/index.js";
import { at, buildGuide, ctx, setupDay, today, unwrap, type Guide } from "../fixtures.js";
import { contactToken, firstToken, hugoId, hugoPending } from "./fixtures.js";

describe("personalInformation — « Consulter les informations personnelles »", () => {
  it("given Hugo's account awaits activation, it shows his general information (the contact address Alice typed as pending), postal address and settings", () => {
    const g = buildGuide();
    expect(personalInformation(hugoPending(g))).toEqual({
      general: {
        id: hugoId,
        login: "hugo.martin@chu-lyon.fr",
        contactEmail: "hugo.martin@chu-lyon.fr",
        pendingContactEmail: "secretariat.compta@chu-lyon.fr",
        lastName: "Martin",
        firstName: "Hugo",
        phone: "+33 4 72 11 00 00",
        status: "pendingActivation",
        createdAt: at,
      },
      postalAddress: { street: "3 quai des Célestins", complement: null, postalCode: "69002", city: "Lyon", countryCode: "FR" },
      settings: { activityNotifications: "weekly" },
    });
  });

  it("never the activation data: no token hash, no expiry, no e-mail count, no attachment", () => {
    const g = buildGuide();
    const shown = JSON.stringify(personalInformation(hugoPending(g)));
    for (const t of [firstToken, contactToken]) {
      expect(shown).not.toContain(t.tokenHash);
      expect(shown).not.toContain(t.token);
    }
    for (const key of ["activation", "tokens", "tokenHash", "expiresAt", "accountEmails", "contactEmailChange", "requestedBy", "attachments", "grants", "createdFor"])
      expect(shown).not.toContain(`"${key}"`);
  });
});

/** Élodie (simple user of the hospital on PAIE) also attached to ACME by Victor, on VENTES. */
function elodieAlsoAtAcme(g: Guide): User {
  return unwrap(
    attachUser(
      { actor: g.victor, structure: g.acme, user: g.elodie, services: g.serviceIndex },
      { structureId: g.acme.id, userId: g.elodie.id, role: "secondaryManager", validFrom: today, comment: "Commerciale", scope: servicesScope([g.ventes.id]) },
      ctx,
    ),
  ).user;
}

const structuresOf = (g: Guide) => new Map<StructureId, Structure>([g.hospital, g.townHall, g.acme].map((s) => [s.id, s]));
const managedBy = (viewer: User) => (s: Structure) => canManage(viewer, s, today);

describe("userStructures — « la liste de toutes les structures pour lesquelles l'utilisateur est rattaché »", () => {
  it("given Élodie belongs to the hospital and to ACME, Alice sees the hospital in full and ACME by its designation only", () => {
    const g = buildGuide();
    const lines = userStructures(elodieAlsoAtAcme(g), structuresOf(g), g.serviceIndex, managedBy(g.alice));
    expect(lines).toEqual([
      { managed: false, designation: "ACME Industrie" }, // sorted by designation
      {
        managed: true,
        structureId: g.hospital.id,
        designation: "Centre hospitalier de Lyon",
        role: "user",
        scope: { kind: "services", services: [{ id: g.paie.id, code: "PAIE", label: "Paie", active: true }] },
        validFrom: setupDay,
        validUntil: null,
      },
    ]);
  });

  it("the other structure's line names nothing else: no id, no role, no service", () => {
    const g = buildGuide();
    const lines = userStructures(elodieAlsoAtAcme(g), structuresOf(g), g.serviceIndex, managedBy(g.alice));
    const acme = lines.find((l) => !l.managed);
    expect(Object.keys(acme!)).toEqual(["managed", "designation"]);
    const shown = JSON.stringify(lines);
    for (const secret of [g.acme.id, g.ventes.id, "VENTES", "secondaryManager"]) expect(shown).not.toContain(secret);
  });

  it("Victor sees the same user the other way round: ACME in full, the hospital by its designation", () => {
    const g = buildGuide();
    const lines = userStructures(elodieAlsoAtAcme(g), structuresOf(g), g.serviceIndex, managedBy(g.victor));
    expect(lines).toEqual([
      {
        managed: true,
        structureId: g.acme.id,
        designation: "ACME Industrie",
        role: "secondaryManager",
        scope: { kind: "services", services: [{ id: g.ventes.id, code: "VENTES", label: "Ventes", active: true }] },
        validFrom: today,
        validUntil: null,
      },
      { managed: false, designation: "Centre hospitalier de Lyon" },
    ]);
  });

  it("the primary role comes from the structure: Bruno sees Alice primary manager of the hospital, the town hall by its designation", () => {
    const g = buildGuide();
    const lines = userStructures(g.alice, structuresOf(g), g.serviceIndex, managedBy(g.bruno));
    expect(lines).toEqual([
      { managed: true, structureId: g.hospital.id, designation: "Centre hospitalier de Lyon", role: "primaryManager", scope: { kind: "structure" }, validFrom: setupDay, validUntil: null },
      { managed: false, designation: "Mairie de Villeurbanne" },
    ]);
  });

  it("a deactivated service is still listed, marked inactive", () => {
    const g = buildGuide();
    const paie = unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.paie }, { serviceId: g.paie.id }, ctx)).service;
    const lines = userStructures(g.elodie, structuresOf(g), indexServices([paie]), managedBy(g.alice));
    expect(lines).toEqual([expect.objectContaining({ managed: true, scope: { kind: "services", services: [{ id: g.paie.id, code: "PAIE", label: "Paie", active: false }] } })]);
  });

  it("a structure or a service whose record was not given is left out rather than guessed", () => {
    const g = buildGuide();
    expect(userStructures(elodieAlsoAtAcme(g), new Map([[g.hospital.id, g.hospital]]), new Map(), managedBy(g.alice))).toEqual([
      expect.objectContaining({ managed: true, structureId: g.hospital.id, scope: { kind: "services", services: [] } }),
    ]);
  });

  it("an account created for a structure and not attached yet belongs to no structure in this list", () => {
    const g = buildGuide();
    const hugo = { ...hugoPending(g), attachments: [] };
    expect(userStructures(hugo, structuresOf(g), g.serviceIndex, managedBy(g.alice))).toEqual([]);
  });
});
