// The guide's scenario, spoken in Chorus Pro's Structures API: the hospital and the
// town hall after a morning of decisions, rendered as each of the six responses, every
// payload exact and valid against the API description.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  attachmentRows,
  CHORUS_PRO_CODE_TABLES,
  closeSpace,
  deactivateService,
  grantSpaces,
  indexServices,
  openSpace,
  parseListerRattachementsUtilisateurRequest,
  parseRechercherEspacesRequest,
  parseRechercherServicesStructureRequest,
  parseRechercherStructureRequest,
  refuseAttachmentRequest,
  removeAttachment,
  renderConsulterServiceStructure,
  renderConsulterStructure,
  renderListerRattachementsUtilisateur,
  renderRechercherEspaces,
  renderRechercherServicesStructure,
  renderRechercherStructure,
  servicesScope,
  toInstant,
  validateAttachmentRequest,
  type AttachmentHistoryFact,
  type AttachmentRequest,
  type ChorusProCodeTable,
  type ChorusProIds,
  type NewHistoryEntry,
  type Service,
  type User,
} from "../../../src/core/index.js";
import { buildGuide, ctx, sctx, space, unwrap, withSimpleUser } from "../fixtures.js";
import { schemaErrors } from "./swagger.js";

const g = buildGuide();
const history: NewHistoryEntry[] = [...g.produced.history];
const keep = <T extends { history: readonly NewHistoryEntry[] }>(r: T): T => {
  history.push(...r.history);
  return r;
};

// The hospital's and the town hall's Chorus Pro numbers, as a host keeps them.
const numbers = new Map<string, number>([
  [g.hospital.id, 26346724],
  [g.townHall.id, 26300989],
  [g.acme.id, 663192],
  [g.achats.id, 101],
  [g.compta.id, 102],
  [g.paie.id, 103],
  [g.rh.id, 104],
]);
const ids: ChorusProIds = { structure: (id) => numbers.get(id), service: (id) => numbers.get(id), space: (code) => ({ FACTURES_RECUES: 2, SOLLICITATIONS_EMISES: 4, FACTURES_A_VALIDER: 3 })[code as string] };
const options = { ids };
const byCode = { parametresListerRattachementsStructureUtilisateur: { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "CodeService", triSens: "Ascendant" } } as const;

// 09:00 — Alice validates Élodie's request for ACHATS and COMPTA, checking COMPTA and PAIE only.
const validated = keep(
  unwrap(
    validateAttachmentRequest(
      { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id, scope: servicesScope([g.compta.id, g.paie.id]) },
      ctx,
    ),
  ),
);
let elodie: User = validated.requester;
// 09:00 — she refuses Chloé's request for the town hall.
const refused = keep(
  unwrap(
    refuseAttachmentRequest(
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "Aucun poste d'accueil ouvert" },
      ctx,
    ),
  ),
);
// 09:30 — David, attached to RH this morning, is removed; 10:00 — RH is deactivated.
const davidOnRh = withSimpleUser(g);
const removed = keep(
  unwrap(
    removeAttachment(
      { actor: g.alice, structure: g.hospital, member: davidOnRh },
      { structureId: g.hospital.id, userId: g.david.id },
      { now: new Date("2026-11-27T09:30:00Z") },
    ),
  ),
);
const rh: Service = keep(
  unwrap(deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, { now: new Date("2026-11-27T10:00:00Z") })),
).service;
const hospitalServices = [g.achats, g.compta, g.paie, rh];

// Spaces: « Factures reçues » on PAIE and « Factures à valider » on COMPTA, « Sollicitations
// émises » on the whole hospital; Élodie gets all three; « Factures à valider » is closed on COMPTA later.
const hospital = unwrap(
  openSpace({ actor: g.alice, structure: g.hospital, service: null }, { structureId: g.hospital.id, space: space.sollicitationsEmises, serviceId: null }, sctx),
).structure!;
const paie = unwrap(openSpace({ actor: g.alice, structure: hospital, service: g.paie }, { structureId: hospital.id, space: space.recues, serviceId: g.paie.id }, sctx)).service!;
let compta = unwrap(
  openSpace({ actor: g.alice, structure: hospital, service: g.compta }, { structureId: hospital.id, space: space.aValider, serviceId: g.compta.id }, sctx),
).service!;
elodie = unwrap(
  grantSpaces(
    { actor: g.alice, structure: hospital, user: elodie, services: indexServices([g.achats, compta, paie, rh]) },
    {
      structureId: hospital.id,
      userId: elodie.id,
      items: [
        { space: space.recues, serviceId: paie.id, access: "write" },
        { space: space.aValider, serviceId: compta.id, access: "read" },
        { space: space.sollicitationsEmises, serviceId: null, access: "read" },
      ],
    },
    sctx,
  ),
).user;
compta = unwrap(closeSpace({ actor: g.alice, structure: hospital, service: compta }, { structureId: hospital.id, space: space.aValider, serviceId: compta.id }, sctx)).service!;
const spaceServices = [g.achats, compta, paie, rh];

const facts: readonly AttachmentHistoryFact[] = history;

describe("the guide's scenario as Chorus Pro's responses", () => {
  it("/v1/rechercher: the public structures, by designation", () => {
    const request = unwrap(parseRechercherStructureRequest({ structure: { typeStructure: "PUBLIQUE", statutStructure: "ACTIF" } }));
    const payload = renderRechercherStructure([g.acme, g.townHall, g.hospital], request, options);
    expect(payload).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeStructures: [
        {
          designationStructure: "Centre hospitalier de Lyon",
          idStructureCPP: 26346724,
          identifiantStructure: "26690027400017",
          statut: "ACTIVE",
          typeIdentifiantStructure: "SIRET",
        },
        {
          designationStructure: "Mairie de Villeurbanne",
          idStructureCPP: 26300989,
          identifiantStructure: "21690266600017",
          statut: "ACTIVE",
          typeIdentifiantStructure: "SIRET",
        },
      ],
      parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 2 },
    });
    expect(schemaErrors("WsRetourRechercherStructure", payload)).toEqual([]);
    // By SIRET typed with spaces; an inactive structure is nowhere.
    const bySiret = unwrap(parseRechercherStructureRequest({ structure: { identifiantStructure: "732 829 320 00074", typeIdentifiantStructure: "SIRET" } }));
    expect(renderRechercherStructure([g.acme, g.townHall, g.hospital], bySiret, options).listeStructures?.map((s) => s.designationStructure)).toEqual(["ACME Industrie"]);
    const inactive = unwrap(parseRechercherStructureRequest({ structure: { statutStructure: "INACTIF" } }));
    expect(renderRechercherStructure([g.acme, g.townHall, g.hospital], inactive, options).parametresRetour?.total).toBe(0);
  });

  it("/v1/consulter: the hospital's general information", () => {
    const payload = renderConsulterStructure(hospital, options);
    expect(payload).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      informationGenerales: {
        idStructureCPP: 26346724,
        identifiantStructure: "26690027400017",
        typeIdentifiantStructure: "SIRET",
        raisonSocialeStructure: "Centre hospitalier de Lyon",
        structurePriveePublique: "PUBLIQUE",
      },
    });
    expect(schemaErrors("WsRetourConsulterStructureTVAIntraCom", payload)).toEqual([]);
    expect(renderConsulterStructure(g.acme, options).informationGenerales?.structurePriveePublique).toBe("PRIVEE");
  });

  it("/v1/consulter/service: COMPTA", () => {
    const payload = renderConsulterServiceStructure(compta, options);
    expect(payload).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      informationsGenerales: { codeService: "COMPTA", nomService: "Comptabilité" },
      parametres: { dateCreation: "2026-11-02T08:30:00.000Z" },
    });
    expect(schemaErrors("WsRetourConsulterServiceStructure", payload)).toEqual([]);
  });

  it("/v1/rechercher/services: the hospital's four services, RH inactive; inactive first when sorted by EstActif", () => {
    const request = unwrap(parseRechercherServicesStructureRequest({ idStructure: 26346724 }));
    const payload = renderRechercherServicesStructure(hospitalServices, request, options);
    expect(payload).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeServices: [
        { codeService: "ACHATS", libelleService: "Achats", estActif: true, statutService: "ACTIF", idService: 101 },
        { codeService: "COMPTA", libelleService: "Comptabilité", estActif: true, statutService: "ACTIF", idService: 102 },
        { codeService: "PAIE", libelleService: "Paie", estActif: true, statutService: "ACTIF", idService: 103 },
        { codeService: "RH", libelleService: "Ressources humaines", estActif: false, statutService: "INACTIF", idService: 104 },
      ],
      parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 4 },
    });
    expect(schemaErrors("WsRetourRechercherServicesStructure", payload)).toEqual([]);
    const byState = unwrap(
      parseRechercherServicesStructureRequest({
        idStructure: 26346724,
        parametresRechercherServicesStructure: { triColonne: "EstActif", nbResultatsParPage: 2, pageResultatDemandee: 1 },
      }),
    );
    const page = renderRechercherServicesStructure(hospitalServices, byState, options);
    expect(page.listeServices?.map((s) => s.codeService)).toEqual(["RH", "ACHATS"]);
    expect(page.parametresRetour).toEqual({ nbResultatsParPage: 2, pageCourante: 1, pages: 2, total: 4 });
  });

  describe("/v1/lister/rattachementsutilisateur: one row per service", () => {
    const list = (
      user: User,
      structure = g.hospital,
      servicesOf: readonly Service[] = hospitalServices,
      requests: readonly AttachmentRequest[] = [validated.request, refused.request],
    ) => {
      const payload = renderListerRattachementsUtilisateur({ structure, services: servicesOf, user, requests, history: facts }, byCode, options);
      expect(schemaErrors("WsRetourListerRattachementsStructureUtilisateur", payload)).toEqual([]);
      return payload;
    };

    it("Élodie: ACHATS asked and left unchecked (REFUSEE), COMPTA and PAIE attached (VALIDEE)", () => {
      expect(list(elodie)).toEqual({
        codeRetour: 0,
        libelle: "TRA_MSG_00.000",
        designationStructure: "Centre hospitalier de Lyon",
        identifiantStructure: "26690027400017",
        idStructure: 26346724,
        listeServices: [
          { codeService: "ACHATS", nomService: "Achats", idService: 101, statutRattachement: "REFUSEE", dateDebut: "2026-11-20T10:00:00.000Z" },
          { codeService: "COMPTA", nomService: "Comptabilité", idService: 102, statutRattachement: "VALIDEE", dateDebut: "2026-11-02T00:00:00+01:00" },
          { codeService: "PAIE", nomService: "Paie", idService: 103, statutRattachement: "VALIDEE", dateDebut: "2026-11-02T00:00:00+01:00" },
        ],
        parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 3 },
      });
    });

    it("Bruno, attached to the whole hospital: every service, RH deactivated (DESACTIVEE)", () => {
      expect(list(g.bruno).listeServices?.map((r) => [r.codeService, r.statutRattachement])).toEqual([
        ["ACHATS", "VALIDEE"],
        ["COMPTA", "VALIDEE"],
        ["PAIE", "VALIDEE"],
        ["RH", "DESACTIVEE"],
      ]);
      // The primary manager too.
      expect(list(g.alice).listeServices?.map((r) => r.statutRattachement)).toEqual(["VALIDEE", "VALIDEE", "VALIDEE", "DESACTIVEE"]);
    });

    it("David, removed from RH at 09:30: SUPPRIMEE, ended then", () => {
      expect(list(removed.member).listeServices).toEqual([
        { codeService: "RH", nomService: "Ressources humaines", idService: 104, statutRattachement: "SUPPRIMEE", dateFin: "2026-11-27T09:30:00.000Z" },
      ]);
    });

    it("Chloé, refused by the town hall (no services): one row for the structure, with the reason", () => {
      expect(list(g.chloe, g.townHall, []).listeServices).toEqual([
        { statutRattachement: "REFUSEE", dateDebut: "2026-11-21T14:00:00.000Z", commentaire: "Aucun poste d'accueil ouvert" },
      ]);
    });

    it("before the decisions: Élodie's request is EN_COURS_DE_VALIDATION with her comment", () => {
      const rows = attachmentRows({ structure: g.hospital, services: g.hospitalServices, user: g.elodie, requests: [g.elodieRequest] });
      expect(rows.map((r) => [r.service?.code, r.status, r.comment])).toEqual([
        ["ACHATS", "pending", "Je rejoins aussi les achats et la comptabilité"],
        ["COMPTA", "pending", "Je rejoins aussi les achats et la comptabilité"],
        ["PAIE", "validated", null],
      ]);
      expect(list(g.elodie, g.hospital, g.hospitalServices, [g.elodieRequest]).listeServices?.[0]).toEqual({
        codeService: "ACHATS",
        nomService: "Achats",
        idService: 101,
        statutRattachement: "EN_COURS_DE_VALIDATION",
        dateDebut: "2026-11-20T10:00:00.000Z",
        commentaire: "Je rejoins aussi les achats et la comptabilité",
      });
    });

    it("sorted by status, descending, two a page", () => {
      const request = unwrap(
        parseListerRattachementsUtilisateurRequest({
          idStructure: 26346724,
          adresseEmailConnexionUtilisateur: "Elodie.Lefevre@chu-lyon.fr",
          parametresListerRattachementsStructureUtilisateur: { triColonne: "StatutRattachement", triSens: "Descendant", nbResultatsParPage: 2, pageResultatDemandee: 2 },
        }),
      );
      expect(request.adresseEmailConnexionUtilisateur).toBe("elodie.lefevre@chu-lyon.fr");
      expect(request.parametresListerRattachementsStructureUtilisateur).toEqual({
        pageResultatDemandee: 2,
        nbResultatsParPage: 2,
        triColonne: "StatutRattachement",
        triSens: "Descendant",
      });
      const payload = renderListerRattachementsUtilisateur({ structure: g.hospital, services: hospitalServices, user: elodie, requests: [validated.request], history: facts }, request, options);
      // VALIDEE > REFUSEE: COMPTA, PAIE on page 1; ACHATS on page 2.
      expect(payload.listeServices?.map((r) => r.codeService)).toEqual(["ACHATS"]);
      expect(payload.parametresRetour).toEqual({ nbResultatsParPage: 2, pageCourante: 2, pages: 2, total: 3 });
    });
  });

  it("/v1/rechercher/espaces: Élodie's spaces in the hospital, one closed since", () => {
    const request = unwrap(parseRechercherEspacesRequest({ structure: { idStructure: 26346724 } }));
    const payload = renderRechercherEspaces({ structure: hospital, services: spaceServices, user: elodie }, request, options);
    expect(payload).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeEspace: [
        { codeEspace: 4, libelleEspace: "Sollicitations émises", typeHabilitation: "CONSULTATION_UNIQUEMENT", etatCourant: "ACTIVE" },
        {
          codeEspace: 3,
          libelleEspace: "Factures à valider",
          codeService: "COMPTA",
          libelleService: "Comptabilité",
          idService: 102,
          typeHabilitation: "CONSULTATION_UNIQUEMENT",
          etatCourant: "SUPPRIME",
        },
        {
          codeEspace: 2,
          libelleEspace: "Factures reçues",
          codeService: "PAIE",
          libelleService: "Paie",
          idService: 103,
          typeHabilitation: "MODIFICATION",
          etatCourant: "ACTIVE",
        },
      ],
      parametresRetour: { nbResultatsParPage: 100, pageCourante: 1, pages: 1, total: 3 },
    });
    expect(schemaErrors("WsRetourRechercherEspacesFo", payload)).toEqual([]);
    // For PAIE only: its own space, and the one on all services.
    const paieOnly = unwrap(parseRechercherEspacesRequest({ structure: { idStructure: 26346724 }, idService: 103, parametresRechercherEspaces: { triColonne: "LibelleEspace" } }));
    expect(renderRechercherEspaces({ structure: hospital, services: spaceServices, user: elodie }, paieOnly, options).listeEspace?.map((e) => e.libelleEspace)).toEqual([
      "Factures reçues",
      "Sollicitations émises",
    ]);
  });

  it("the instants used above are the acts' own", () => {
    expect(refused.request.decidedAt).toBe(toInstant(ctx.now));
  });
});

describe("docs/chorus-pro.md", () => {
  const doc = readFileSync(new URL("../../../docs/chorus-pro.md", import.meta.url), "utf8");

  it("shows the payloads of this scenario, as rendered", () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
    const paging = <C extends string>(triColonne: C) => ({ pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne, triSens: "Ascendant" as const });
    expect(blocks).toEqual([
      renderRechercherStructure([g.acme, g.townHall, g.hospital], { structure: { typeStructure: "PUBLIQUE" }, parametres: paging("DesignationStructure") }, options),
      renderConsulterStructure(hospital, options),
      renderConsulterServiceStructure(compta, options),
      renderRechercherServicesStructure(hospitalServices, { parametresRechercherServicesStructure: paging("CodeService") }, options),
      renderListerRattachementsUtilisateur(
        { structure: g.hospital, services: hospitalServices, user: elodie, requests: [validated.request], history: facts },
        byCode,
        options,
      ),
      renderRechercherEspaces({ structure: hospital, services: spaceServices, user: elodie }, { parametresRechercherEspaces: paging("CodeService") }, options),
    ]);
  });

  it("has every code table, both ways", () => {
    const lines = doc.split("\n");
    for (const [name, table] of Object.entries(CHORUS_PRO_CODE_TABLES) as [string, ChorusProCodeTable<string, string>][])
      for (const value of table.values) {
        const code = table.toCode(value);
        const row = lines.some((l) => l.startsWith("|") && l.includes(`\`${value}\``) && l.includes(`\`${code}\``));
        expect(row, `${name}: ${value} ↔ ${code}`).toBe(true);
      }
  });
});
