// Chorus Pro's « Structures » API through the application layer (issue 21): one query per
// operation, judged as every other read. On the guide's cast (harness.ts: Alice manages the
// town hall and the bookshop, Bruno is a secondary manager of the town hall, Chloé a
// simple user of its COMPTA, Victor manages ACME, Denis is deactivated, Hugo's
// attachments start tomorrow, Élodie and Farid have none), with the harness's numbering
// (`str-002` is structure 2). Every payload an operation gives is checked against the
// published API description (ajv, test/core/chorus-pro/swagger.ts) and is deep-frozen.
import { describe, expect, it } from "vitest";
import {
  CHORUS_PRO_MAX_ATTACHMENT_FACTS,
  createHabilitations,
  DECIMAL_CHORUS_PRO_IDS,
  type ChorusProNumbering,
  type DomainError,
  type Habilitations,
  type HabilitationsStore,
  type Result,
  type StructureId,
  type WsRetourListerRattachementsStructureUtilisateur,
} from "../../src/index.js";
import { schemaErrors } from "../core/chorus-pro/swagger.js";
import {
  ask,
  expectDeepFrozen,
  expectErr,
  expectForbidden,
  expectInvalid,
  expectNotFound,
  expectUnknownActor,
  guide,
  HARNESS_NUMBERS,
  must,
  numberOf,
  services,
  SPACE,
  TOMORROW,
  UNKNOWN,
  untyped,
  type Guide,
  type Harness,
} from "./harness.js";

/** The response definition of each query, in the API description. */
const DEFINITION = {
  chorusProRechercherStructure: "WsRetourRechercherStructure",
  chorusProConsulterStructure: "WsRetourConsulterStructureTVAIntraCom",
  chorusProConsulterServiceStructure: "WsRetourConsulterServiceStructure",
  chorusProRechercherServicesStructure: "WsRetourRechercherServicesStructure",
  chorusProListerRattachementsUtilisateur: "WsRetourListerRattachementsStructureUtilisateur",
  chorusProRechercherEspaces: "WsRetourRechercherEspacesFo",
} as const;
type Query = keyof typeof DEFINITION;

/** The payload of a query that must succeed: valid against the API description, and deep-frozen. */
function payload<T>(query: Query, result: Result<T, DomainError>): T {
  const value = must(result);
  expect(schemaErrors(DEFINITION[query], value), `${query}'s payload against ${DEFINITION[query]}`).toEqual([]);
  expectDeepFrozen(value, query);
  return value;
}

/** The first page's paging, as the API answers it for `total` rows (100 a page). */
const firstPage = (total: number) => ({ nbResultatsParPage: 100, pageCourante: 1, pages: total === 0 ? 0 : Math.ceil(total / 100), total });

/** An app over the harness's store that records every store method called, with its arguments. */
function watched(h: Harness, numbering: ChorusProNumbering = HARNESS_NUMBERS): { app: Habilitations; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const store = Object.fromEntries(
    Object.keys(h.store).map((k) => [
      k,
      (...args: unknown[]) => {
        calls.push([k, args]);
        return (h.store as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.(...args);
      },
    ]),
  ) as unknown as HabilitationsStore;
  return { app: h.appOver(store, { chorusProIds: numbering }), calls };
}

/** The town hall's number, and its services'. */
const n = (g: Guide) => ({
  townHall: numberOf(g.townHall),
  bookshop: numberOf(g.bookshop),
  acme: numberOf(g.acme),
  achats: numberOf(g.achats),
  compta: numberOf(g.compta),
  paie: numberOf(g.paie),
  rh: numberOf(g.rh),
  ventes: numberOf(g.ventes),
});

const TOWN_HALL = { designationStructure: "Mairie de Lyon", identifiantStructure: "21690123100011", statut: "ACTIVE", typeIdentifiantStructure: "SIRET" };
const BOOKSHOP = { designationStructure: "Librairie Dupont", identifiantStructure: "55242162200010", statut: "ACTIVE", typeIdentifiantStructure: "SIRET" };

// ---------------------------------------------------------------- /v1/rechercher

describe("chorusProRechercherStructure — the structures the actor is attached to in force, never another", () => {
  it("gives Alice her two structures, by designation, numbered; Victor's ACME is not among them", async () => {
    const { g, app } = await guide();
    const r = payload("chorusProRechercherStructure", await app.chorusProRechercherStructure(g.alice, {}));
    expect(r).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeStructures: [
        { ...BOOKSHOP, idStructureCPP: n(g).bookshop },
        { ...TOWN_HALL, idStructureCPP: n(g).townHall },
      ],
      parametresRetour: firstPage(2),
    });
  });

  it("finds by the API's criteria: kind, designation (partial, accents and case folded), identifier as typed, status", async () => {
    const { g, app } = await guide();
    const designations = async (structure: object) =>
      payload("chorusProRechercherStructure", await app.chorusProRechercherStructure(g.alice, { structure })).listeStructures?.map((s) => s.designationStructure);
    expect(await designations({ typeStructure: "PUBLIQUE" })).toEqual(["Mairie de Lyon"]);
    expect(await designations({ raisonSocialeStructure: "LIBRAIRIE" })).toEqual(["Librairie Dupont"]);
    expect(await designations({ libelleStructure: "mairie de ly" })).toEqual(["Mairie de Lyon"]);
    expect(await designations({ identifiantStructure: "552 421 622 00010", typeIdentifiantStructure: "SIRET" })).toEqual(["Librairie Dupont"]);
    expect(await designations({ statutStructure: "INACTIF" })).toEqual([]);
    // ACME's SIRET, which Alice has nothing to do with: nothing, as for a SIRET nobody has.
    expect(await designations({ identifiantStructure: "73282932000074" })).toEqual([]);
  });

  it("sorts and pages as asked: one a page, descending; a page past the end is empty with the same totals", async () => {
    const { g, app } = await guide();
    const page = async (pageResultatDemandee: number) =>
      payload(
        "chorusProRechercherStructure",
        await app.chorusProRechercherStructure(g.alice, { parametres: { pageResultatDemandee, nbResultatsParPage: 1, triColonne: "DesignationStructure", triSens: "Descendant" } }),
      );
    const first = await page(1);
    expect(first.listeStructures?.map((s) => s.designationStructure)).toEqual(["Mairie de Lyon"]);
    expect(first.parametresRetour).toEqual({ nbResultatsParPage: 1, pageCourante: 1, pages: 2, total: 2 });
    expect((await page(2)).listeStructures?.map((s) => s.designationStructure)).toEqual(["Librairie Dupont"]);
    const past = await page(3);
    expect(past.listeStructures).toEqual([]);
    expect(past.parametresRetour).toEqual({ nbResultatsParPage: 1, pageCourante: 3, pages: 2, total: 2 });
  });

  it("gives each actor their own: Chloé (a simple user) the town hall, Victor ACME, Élodie (attached nowhere) nothing", async () => {
    const { g, app } = await guide();
    const found = async (actor: string) =>
      payload("chorusProRechercherStructure", await app.chorusProRechercherStructure(actor, {})).listeStructures?.map((s) => s.designationStructure);
    expect(await found(g.chloe)).toEqual(["Mairie de Lyon"]);
    expect(await found(g.victor)).toEqual(["ACME Industrie"]);
    expect(await found(g.elodie)).toEqual([]);
  });

  it("leaves out a structure whose attachment is not in force yet (Hugo's start tomorrow), and gives it once it is", async () => {
    const { h, g, app } = await guide();
    const found = async () => payload("chorusProRechercherStructure", await app.chorusProRechercherStructure(g.hugo, {})).parametresRetour?.total;
    expect(await found()).toBe(0);
    h.setNow(`${TOMORROW}T08:00:00.000Z`);
    expect(await found()).toBe(2);
  });

  it("refuses a deactivated account (FORBIDDEN accountNotActive, naming no structure) and an unknown actor", async () => {
    const { h, g, app } = await guide();
    const e = await expectForbidden(h, () => app.chorusProRechercherStructure(g.denis, {}), g.denis, "accountNotActive");
    expect(e.structureId).toBeNull();
    await expectUnknownActor(h, () => app.chorusProRechercherStructure(UNKNOWN, {}), "unknown");
  });

  it("reads the actor and their own structures only, whatever else the store holds", async () => {
    const { h, g } = await guide();
    const { app, calls } = watched(h);
    must(await app.chorusProRechercherStructure(g.alice, { structure: { typeStructure: "PRIVEE" } }));
    expect(calls.map(([name]) => name).sort()).toEqual(["getStructures", "getUser"]);
    expect(calls.find(([name]) => name === "getStructures")?.[1]).toEqual([[g.bookshop, g.townHall]]);
  });
});

// ---------------------------------------------------------------- /v1/consulter

describe("chorusProConsulterStructure — a structure its members in force may see", () => {
  it("gives the town hall's general information to its primary manager, a secondary manager and a simple user alike", async () => {
    const { g, app } = await guide();
    for (const actor of [g.alice, g.bruno, g.chloe]) {
      const r = payload("chorusProConsulterStructure", await app.chorusProConsulterStructure(actor, { idStructureCPP: n(g).townHall, codeLangue: "FR" }));
      expect(r).toEqual({
        codeRetour: 0,
        libelle: "TRA_MSG_00.000",
        informationGenerales: {
          idStructureCPP: n(g).townHall,
          identifiantStructure: "21690123100011",
          typeIdentifiantStructure: "SIRET",
          raisonSocialeStructure: "Mairie de Lyon",
          structurePriveePublique: "PUBLIQUE",
        },
      });
    }
  });

  it.each([
    ["the manager of another structure", "victor"],
    ["a user attached nowhere", "elodie"],
    ["a manager whose attachment starts tomorrow", "hugo"],
  ] as const)("answers %s NOT_FOUND, exactly as for a number that names no structure", async (_label, who) => {
    const { h, g, app } = await guide();
    const hidden = await expectNotFound(h, () => app.chorusProConsulterStructure(g[who], { idStructureCPP: n(g).townHall }), "structure", String(n(g).townHall));
    const unknown = await expectNotFound(h, () => app.chorusProConsulterStructure(g[who], { idStructureCPP: 999 }), "structure", "999");
    expect({ ...hidden, id: "999" }).toEqual(unknown);
  });

  it("refuses a deactivated account before looking at the structure", async () => {
    const { h, g, app } = await guide();
    await expectForbidden(h, () => app.chorusProConsulterStructure(g.denis, { idStructureCPP: n(g).townHall }), g.denis, "accountNotActive");
    await expectForbidden(h, () => app.chorusProConsulterStructure(g.denis, { idStructureCPP: 999 }), g.denis, "accountNotActive");
  });
});

// ------------------------------------------------------------ /v1/consulter/service

describe("chorusProConsulterServiceStructure — a service of a structure one is a member of", () => {
  it("gives a member any service of the structure, active or not (Chloé, attached to COMPTA, sees PAIE and RH)", async () => {
    const { g, app } = await guide();
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    const consult = async (idService: number) =>
      payload("chorusProConsulterServiceStructure", await app.chorusProConsulterServiceStructure(g.chloe, { idStructure: n(g).townHall, idService }));
    expect(await consult(n(g).paie)).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      informationsGenerales: { codeService: "PAIE", nomService: "Paie" },
      parametres: { dateCreation: "2026-11-27T08:00:00.000Z" },
    });
    expect((await consult(n(g).rh)).informationsGenerales).toEqual({ codeService: "RH", nomService: "Ressources humaines" });
  });

  it("answers a service of another structure NOT_FOUND, as a number that names no service", async () => {
    const { h, g, app } = await guide();
    const ventes = await expectNotFound(h, () => app.chorusProConsulterServiceStructure(g.alice, { idStructure: n(g).townHall, idService: n(g).ventes }), "service", String(n(g).ventes));
    const unknown = await expectNotFound(h, () => app.chorusProConsulterServiceStructure(g.alice, { idStructure: n(g).townHall, idService: 999 }), "service", "999");
    expect({ ...ventes, id: "999" }).toEqual(unknown);
  });

  it("answers a non-member about the structure, before the service: NOT_FOUND structure", async () => {
    const { h, g, app } = await guide();
    await expectNotFound(h, () => app.chorusProConsulterServiceStructure(g.victor, { idStructure: n(g).townHall, idService: n(g).compta }), "structure", String(n(g).townHall));
    // Victor's own service, named under the town hall's number: the town hall is not his.
    await expectNotFound(h, () => app.chorusProConsulterServiceStructure(g.victor, { idStructure: n(g).townHall, idService: n(g).ventes }), "structure", String(n(g).townHall));
  });
});

// ------------------------------------------------------------ /v1/rechercher/services

describe("chorusProRechercherServicesStructure — a structure's services, to its members", () => {
  it("lists the four services of the town hall, active and not, by code, numbered", async () => {
    const { g, app } = await guide();
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    const r = payload("chorusProRechercherServicesStructure", await app.chorusProRechercherServicesStructure(g.chloe, { idStructure: n(g).townHall }));
    expect(r).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeServices: [
        { codeService: "ACHATS", libelleService: "Achats publics", estActif: true, statutService: "ACTIF", idService: n(g).achats },
        { codeService: "COMPTA", libelleService: "Comptabilité", estActif: true, statutService: "ACTIF", idService: n(g).compta },
        { codeService: "PAIE", libelleService: "Paie", estActif: true, statutService: "ACTIF", idService: n(g).paie },
        { codeService: "RH", libelleService: "Ressources humaines", estActif: false, statutService: "INACTIF", idService: n(g).rh },
      ],
      parametresRetour: firstPage(4),
    });
  });

  it("sorts by the column asked (inactive first by EstActif ascending; by label descending) and pages", async () => {
    const { g, app } = await guide();
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    const codes = async (parametresRechercherServicesStructure: object) => {
      const r = payload(
        "chorusProRechercherServicesStructure",
        await app.chorusProRechercherServicesStructure(g.alice, { idStructure: n(g).townHall, parametresRechercherServicesStructure }),
      );
      return [r.listeServices?.map((s) => s.codeService), r.parametresRetour];
    };
    expect(await codes({ triColonne: "EstActif" })).toEqual([["RH", "ACHATS", "COMPTA", "PAIE"], firstPage(4)]);
    expect(await codes({ triColonne: "LibelleService", triSens: "Descendant", nbResultatsParPage: 3, pageResultatDemandee: 1 })).toEqual([
      ["RH", "PAIE", "COMPTA"],
      { nbResultatsParPage: 3, pageCourante: 1, pages: 2, total: 4 },
    ]);
    expect(await codes({ triColonne: "LibelleService", triSens: "Descendant", nbResultatsParPage: 3, pageResultatDemandee: 2 })).toEqual([
      ["ACHATS"],
      { nbResultatsParPage: 3, pageCourante: 2, pages: 2, total: 4 },
    ]);
  });

  it("lists a structure without services as empty, and answers a non-member NOT_FOUND", async () => {
    const { h, g, app } = await guide();
    const empty = payload("chorusProRechercherServicesStructure", await app.chorusProRechercherServicesStructure(g.david, { idStructure: n(g).bookshop }));
    expect(empty).toEqual({ codeRetour: 0, libelle: "TRA_MSG_00.000", listeServices: [], parametresRetour: firstPage(0) });
    await expectNotFound(h, () => app.chorusProRechercherServicesStructure(g.victor, { idStructure: n(g).townHall }), "structure", String(n(g).townHall));
    await expectNotFound(h, () => app.chorusProRechercherServicesStructure(g.chloe, { idStructure: n(g).bookshop }), "structure", String(n(g).bookshop));
  });
});

// ---------------------------------------------------- /v1/lister/rattachementsutilisateur

describe("chorusProListerRattachementsUtilisateur — one's own rows, or a manager's view of a user in force", () => {
  /** Élodie asked for ACHATS and COMPTA; Alice validated with COMPTA and PAIE checked (the guide's scenario). */
  async function validated() {
    const world = await guide();
    const { h, g, app } = world;
    const requestId = await ask(h, g.elodie, g.townHall, services(g.achats, g.compta), { comment: "Je rejoins les achats" });
    h.tick(60);
    must(await app.validateAttachmentRequest(g.alice, { requestId, scope: services(g.compta, g.paie) }));
    return world;
  }
  const rows = (r: WsRetourListerRattachementsStructureUtilisateur) => r.listeServices?.map((row) => [row.codeService, row.statutRattachement]);

  it("shows Élodie's pending request to herself, by the structure's number, with her comment", async () => {
    const { h, g, app } = await guide();
    await ask(h, g.elodie, g.townHall, services(g.achats, g.compta), { comment: "Je rejoins les achats" });
    const r = payload("chorusProListerRattachementsUtilisateur", await app.chorusProListerRattachementsUtilisateur(g.elodie, { idStructure: n(g).townHall }));
    expect(r).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      designationStructure: "Mairie de Lyon",
      identifiantStructure: "21690123100011",
      idStructure: n(g).townHall,
      listeServices: [
        { codeService: "ACHATS", nomService: "Achats publics", idService: n(g).achats, statutRattachement: "EN_COURS_DE_VALIDATION", dateDebut: "2026-11-27T08:00:00.000Z", commentaire: "Je rejoins les achats" },
        { codeService: "COMPTA", nomService: "Comptabilité", idService: n(g).compta, statutRattachement: "EN_COURS_DE_VALIDATION", dateDebut: "2026-11-27T08:00:00.000Z", commentaire: "Je rejoins les achats" },
      ],
      parametresRetour: firstPage(2),
    });
  });

  it("after the validation: ACHATS unchecked (REFUSEE), COMPTA and PAIE attached from today (VALIDEE), the same for her and for Alice", async () => {
    const { g, app } = await validated();
    const expected = {
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      designationStructure: "Mairie de Lyon",
      identifiantStructure: "21690123100011",
      idStructure: n(g).townHall,
      listeServices: [
        { codeService: "ACHATS", nomService: "Achats publics", idService: n(g).achats, statutRattachement: "REFUSEE", dateDebut: "2026-11-27T08:00:00.000Z" },
        { codeService: "COMPTA", nomService: "Comptabilité", idService: n(g).compta, statutRattachement: "VALIDEE", dateDebut: "2026-11-27T00:00:00+01:00" },
        { codeService: "PAIE", nomService: "Paie", idService: n(g).paie, statutRattachement: "VALIDEE", dateDebut: "2026-11-27T00:00:00+01:00" },
      ],
      parametresRetour: firstPage(3),
    };
    const own = await app.chorusProListerRattachementsUtilisateur(g.elodie, { identifiantStructure: "216 901 231 00011", typeIdentifiantStructure: "SIRET" });
    expect(payload("chorusProListerRattachementsUtilisateur", own)).toEqual(expected);
    for (const body of [
      { idStructure: n(g).townHall, adresseEmailConnexionUtilisateur: "Elodie.Lefevre@Mairie-Lyon.fr" },
      { idStructure: n(g).townHall, idUtilisateur: numberOf(g.elodie) },
      { idStructure: n(g).townHall, idUtilisateur: numberOf(g.elodie), adresseEmailConnexionUtilisateur: "elodie.lefevre@mairie-lyon.fr" },
      { identifiantStructure: "21690123100011", typeIdentifiantStructure: "SIRET", idUtilisateur: numberOf(g.elodie) },
    ] as const)
      expect(payload("chorusProListerRattachementsUtilisateur", await app.chorusProListerRattachementsUtilisateur(g.bruno, body)), JSON.stringify(body)).toEqual(expected);
  });

  it("sorts by status descending and pages one row at a time", async () => {
    const { g, app } = await validated();
    const page = async (pageResultatDemandee: number) =>
      payload(
        "chorusProListerRattachementsUtilisateur",
        await app.chorusProListerRattachementsUtilisateur(g.elodie, {
          idStructure: n(g).townHall,
          parametresListerRattachementsStructureUtilisateur: { triColonne: "StatutRattachement", triSens: "Descendant", nbResultatsParPage: 1, pageResultatDemandee },
        }),
      );
    expect([rows(await page(1)), rows(await page(2)), rows(await page(3))]).toEqual([[["COMPTA", "VALIDEE"]], [["PAIE", "VALIDEE"]], [["ACHATS", "REFUSEE"]]]);
    expect((await page(3)).parametresRetour).toEqual({ nbResultatsParPage: 1, pageCourante: 3, pages: 3, total: 3 });
  });

  it("shows a removal to the person removed (SUPPRIMEE, ended when removed), and a deactivated service as DESACTIVEE", async () => {
    const { h, g, app } = await validated();
    h.tick(30);
    must(await app.deactivateService(g.alice, { serviceId: g.paie }));
    h.tick(30);
    must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe }));
    const chloe = payload("chorusProListerRattachementsUtilisateur", await app.chorusProListerRattachementsUtilisateur(g.chloe, { idStructure: n(g).townHall }));
    expect(chloe.listeServices).toEqual([
      { codeService: "COMPTA", nomService: "Comptabilité", idService: n(g).compta, statutRattachement: "SUPPRIMEE", dateFin: "2026-11-27T10:00:00.000Z" },
    ]);
    const elodie = payload("chorusProListerRattachementsUtilisateur", await app.chorusProListerRattachementsUtilisateur(g.elodie, { idStructure: n(g).townHall }));
    expect(rows(elodie)).toEqual([["ACHATS", "REFUSEE"], ["COMPTA", "VALIDEE"], ["PAIE", "DESACTIVEE"]]);
  });

  it("gives a structure without services one row of its own, without service fields", async () => {
    const { g, app } = await guide();
    const r = payload("chorusProListerRattachementsUtilisateur", await app.chorusProListerRattachementsUtilisateur(g.david, { idStructure: n(g).bookshop }));
    expect(r.listeServices).toEqual([{ statutRattachement: "VALIDEE", dateDebut: "2026-11-27T00:00:00+01:00" }]);
  });

  it("answers NOT_FOUND for one's own rows in a structure one has nothing in, as for a number that names none", async () => {
    const { h, g, app } = await guide();
    const hidden = await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.farid, { idStructure: n(g).townHall }), "structure", String(n(g).townHall));
    const unknown = await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.farid, { idStructure: 999 }), "structure", "999");
    expect({ ...hidden, id: "999" }).toEqual(unknown);
  });

  it("finds by identifier alone only among the actor's structures: Élodie, who only asked, names the town hall by its number", async () => {
    const { h, g, app } = await guide();
    await ask(h, g.elodie, g.townHall, services(g.achats));
    await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.elodie, { identifiantStructure: "21690123100011", typeIdentifiantStructure: "SIRET" }), "structure", "21690123100011");
    must(await app.chorusProListerRattachementsUtilisateur(g.elodie, { idStructure: n(g).townHall }));
  });

  it.each([
    ["a simple user of the structure", "chloe"],
    ["the manager of another structure", "victor"],
    ["a manager whose attachment starts tomorrow", "hugo"],
  ] as const)("answers %s about another user NOT_FOUND structure, whoever the user is (an existing login or not)", async (_label, who) => {
    const { h, g, app } = await validated();
    const existing = await expectNotFound(
      h,
      () => app.chorusProListerRattachementsUtilisateur(g[who], { idStructure: n(g).townHall, adresseEmailConnexionUtilisateur: "elodie.lefevre@mairie-lyon.fr" }),
      "structure",
      String(n(g).townHall),
    );
    const nobody = await expectNotFound(
      h,
      () => app.chorusProListerRattachementsUtilisateur(g[who], { idStructure: n(g).townHall, adresseEmailConnexionUtilisateur: "personne@example.fr" }),
      "structure",
      String(n(g).townHall),
    );
    expect(existing).toEqual(nobody);
  });

  it.each([
    ["a user of another structure only (Victor)", () => ({ adresseEmailConnexionUtilisateur: "victor.hugo@acme.fr" }) as const, "victor.hugo@acme.fr"],
    ["a user whose attachment starts tomorrow (Hugo)", (g: Guide) => ({ idUtilisateur: numberOf(g.hugo) }) as const, "hugo"],
    ["a user who only asked (Farid)", () => ({ adresseEmailConnexionUtilisateur: "farid.benali@example.fr" }) as const, "farid.benali@example.fr"],
    ["a login nobody has", () => ({ adresseEmailConnexionUtilisateur: "personne@example.fr" }) as const, "personne@example.fr"],
    ["a number nobody has", () => ({ idUtilisateur: 999 }) as const, "999"],
    ["a number and a login of two different users", (g: Guide) => ({ idUtilisateur: numberOf(g.chloe), adresseEmailConnexionUtilisateur: "bruno.petit@mairie-lyon.fr" }) as const, "chloe"],
  ] as const)("answers a manager about %s NOT_FOUND user, naming what was given", async (_label, who, id) => {
    const { h, g, app } = await guide();
    await ask(h, g.farid, g.townHall);
    const expectedId = id === "hugo" ? String(numberOf(g.hugo)) : id === "chloe" ? String(numberOf(g.chloe)) : id;
    await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, ...who(g) }), "user", expectedId);
  });

  it("answers a manager about a member removed since NOT_FOUND user: a former member is no longer of the structure", async () => {
    const { h, g, app } = await guide();
    must(await app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, idUtilisateur: numberOf(g.chloe) }));
    must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe }));
    await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, idUtilisateur: numberOf(g.chloe) }), "user", String(numberOf(g.chloe)));
  });

  it("reads the user's history by target user, at most CHORUS_PRO_MAX_ATTACHMENT_FACTS entries, and nothing of the structure before judging", async () => {
    const { h, g } = await validated();
    const { app, calls } = watched(h);
    must(await app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, idUtilisateur: numberOf(g.elodie) }));
    const history = calls.filter(([name]) => name === "readHistory");
    expect(history).toHaveLength(1);
    expect(history[0]?.[1]).toEqual([g.townHall, expect.objectContaining({ targetUserId: g.elodie, limit: CHORUS_PRO_MAX_ATTACHMENT_FACTS })]);
    // A simple user asking about someone: refused before the user, the services or the history are read.
    calls.length = 0;
    expectErr(await app.chorusProListerRattachementsUtilisateur(g.chloe, { idStructure: n(g).townHall, idUtilisateur: numberOf(g.elodie) }), "NOT_FOUND");
    expect(calls.map(([name]) => name)).toEqual(["getUser", "getStructure"]);
  });
});

// ---------------------------------------------------------------- /v1/rechercher/espaces

describe("chorusProRechercherEspaces — the actor's own spaces in a structure", () => {
  /** Chloé reads « Factures reçues » on every service, and writes « Factures émises » on COMPTA. */
  async function spaces() {
    const world = await guide();
    const { g, app } = world;
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
    const granted = must(
      await app.grantSpaces(g.alice, {
        structureId: g.townHall,
        userIds: [g.chloe],
        items: [
          { space: SPACE.recues, access: "read" },
          { space: SPACE.emises, serviceId: g.compta, access: "write" },
        ],
      }),
    );
    for (const r of granted.results) must(r.result);
    return world;
  }
  const ALL = { libelleEspace: "Factures reçues", typeHabilitation: "CONSULTATION_UNIQUEMENT", etatCourant: "ACTIVE" };

  it("lists Chloé's two grants, the one on every service first; the catalogue's codes are words, so no codeEspace", async () => {
    const { g, app } = await spaces();
    const r = payload("chorusProRechercherEspaces", await app.chorusProRechercherEspaces(g.chloe, { structure: { idStructure: n(g).townHall } }));
    expect(r).toEqual({
      codeRetour: 0,
      libelle: "TRA_MSG_00.000",
      listeEspace: [
        ALL,
        { libelleEspace: "Factures émises", codeService: "COMPTA", libelleService: "Comptabilité", idService: n(g).compta, typeHabilitation: "MODIFICATION", etatCourant: "ACTIVE" },
      ],
      parametresRetour: firstPage(2),
    });
  });

  it("gives, for one service, the grants that apply to it; a space closed there is SUPPRIME", async () => {
    const { g, app } = await spaces();
    const forService = async (idService: number) =>
      payload("chorusProRechercherEspaces", await app.chorusProRechercherEspaces(g.chloe, { structure: { idStructure: n(g).townHall }, idService })).listeEspace;
    expect(await forService(n(g).paie)).toEqual([ALL]);
    must(await app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
    expect((await forService(n(g).compta))?.map((e) => [e.libelleEspace, e.etatCourant])).toEqual([
      ["Factures reçues", "ACTIVE"],
      ["Factures émises", "SUPPRIME"],
    ]);
  });

  it("numbers the spaces when the host's numbering does (codeEspace)", async () => {
    const { h, g } = await spaces();
    const app = h.appOver(h.store, { chorusProIds: { ...HARNESS_NUMBERS, space: (code) => ({ FACTURES_EMISES: 1, FACTURES_RECUES: 2 })[code as string] } });
    const r = payload("chorusProRechercherEspaces", await app.chorusProRechercherEspaces(g.chloe, { structure: { idStructure: n(g).townHall } }));
    expect(r.listeEspace?.map((e) => e.codeEspace)).toEqual([2, 1]);
  });

  it("gives a manager their own spaces (none here), never a member's; a non-member NOT_FOUND", async () => {
    const { h, g, app } = await spaces();
    expect(payload("chorusProRechercherEspaces", await app.chorusProRechercherEspaces(g.alice, { structure: { idStructure: n(g).townHall } })).listeEspace).toEqual([]);
    await expectNotFound(h, () => app.chorusProRechercherEspaces(g.victor, { structure: { idStructure: n(g).townHall } }), "structure", String(n(g).townHall));
    await expectNotFound(h, () => app.chorusProRechercherEspaces(g.victor, { structure: { identifiantStructure: "21690123100011", typeIdentifiantStructure: "SIRET" } }), "structure", "21690123100011");
  });
});

// ---------------------------------------------------------------- every query

/** Each query with a valid body naming the town hall, as Alice may call it. */
const VALID: readonly (readonly [Query, (g: Guide) => object])[] = [
  ["chorusProRechercherStructure", () => ({ structure: { typeStructure: "PUBLIQUE" } })],
  ["chorusProConsulterStructure", (g) => ({ idStructureCPP: numberOf(g.townHall) })],
  ["chorusProConsulterServiceStructure", (g) => ({ idStructure: numberOf(g.townHall), idService: numberOf(g.compta) })],
  ["chorusProRechercherServicesStructure", (g) => ({ idStructure: numberOf(g.townHall) })],
  ["chorusProListerRattachementsUtilisateur", (g) => ({ idStructure: numberOf(g.townHall), idUtilisateur: numberOf(g.chloe) })],
  ["chorusProRechercherEspaces", (g) => ({ structure: { idStructure: numberOf(g.townHall) } })],
];

describe.each(VALID)("%s", (query, valid) => {
  const call = (app: Habilitations, actor: unknown, body: unknown) =>
    (untyped(app)[query] as (a: unknown, b: unknown) => Promise<Result<unknown, DomainError>>)(actor, body);

  it("takes its valid body and answers a payload the API description accepts", async () => {
    const { g, app } = await guide();
    payload(query, (await call(app, g.alice, valid(g))) as Result<unknown, DomainError>);
  });

  it("refuses a body that is not the API's with VALIDATION, before reading anything", async () => {
    const { h, g } = await guide();
    const { app, calls } = watched(h);
    for (const junk of [null, 42, "x", [], { ...valid(g), inconnu: 1 }, { parametres: { triColonne: "Inconnue" } }])
      await expectInvalid(h, () => call(app, g.alice, junk));
    expect(calls).toEqual([]);
  });

  it("refuses an actor that is not an id (UNKNOWN_ACTOR malformed) before the body, reading nothing", async () => {
    const { h } = await guide();
    const { app, calls } = watched(h);
    await expectUnknownActor(h, () => call(app, 42, null), "malformed");
    expect(calls).toEqual([]);
  });

  it("answers a host whose numbering throws CONFIGURATION (chorusProIds), never a throw", async () => {
    const { h, g } = await guide();
    const broken = (): never => {
      throw new Error("table des numéros indisponible");
    };
    const app = h.appOver(h.store, { chorusProIds: { structure: broken, service: broken, structureIdOf: broken, serviceIdOf: broken, userIdOf: broken } });
    const e = expectErr(await call(app, g.alice, valid(g)), "CONFIGURATION");
    expect(e.option).toBe("chorusProIds");
  });
});

// ---------------------------------------------------------------- the numbering

describe("the host's numbering (chorusProIds), both ways", () => {
  it("by default reads decimal ids only: the harness's ids have no number, so no number names them and none is sent", async () => {
    const { h, g } = await guide();
    const app = h.appOver(h.store, { chorusProIds: DECIMAL_CHORUS_PRO_IDS });
    const found = payload("chorusProRechercherStructure", await app.chorusProRechercherStructure(g.alice, {}));
    expect(found.listeStructures).toEqual([BOOKSHOP, TOWN_HALL]);
    await expectNotFound(h, () => app.chorusProConsulterStructure(g.alice, { idStructureCPP: n(g).townHall }), "structure", String(n(g).townHall));
  });

  it("finds a structure whose id is its decimal number with the default numbering", async () => {
    const h = (await guide()).h;
    let count = 0;
    const app = createHabilitations({ store: h.store, clock: h.now, newId: (kind) => (kind === "structure" ? "26346724" : `${kind}-x${++count}`) });
    const founder = must(await app.registerUser({ login: "directrice@chu-lyon.fr", lastName: "Roche", firstName: "Anne" })).user.id;
    must(await app.createStructure(founder, { designation: "Centre hospitalier de Lyon", kind: "public", identifier: { type: "siret", value: "26690027400017" } }));
    const r = payload("chorusProConsulterStructure", await app.chorusProConsulterStructure(founder, { idStructureCPP: 26346724 }));
    expect(r.informationGenerales?.idStructureCPP).toBe(26346724);
  });

  it("does not find a record whose number does not come back (a numbering whose two ways disagree)", async () => {
    const { h, g } = await guide();
    const app = h.appOver(h.store, { chorusProIds: { ...HARNESS_NUMBERS, structure: (id) => (HARNESS_NUMBERS.structure(id) ?? 0) + 1000 } });
    await expectNotFound(h, () => app.chorusProConsulterStructure(g.alice, { idStructureCPP: n(g).townHall }), "structure", String(n(g).townHall));
  });

  it("answers CONFIGURATION when a reverse lookup gives something else than an id", async () => {
    const { h, g } = await guide();
    const app = h.appOver(h.store, { chorusProIds: { ...HARNESS_NUMBERS, structureIdOf: (n) => n as unknown as StructureId } });
    expect(expectErr(await app.chorusProConsulterStructure(g.alice, { idStructureCPP: n(g).townHall }), "CONFIGURATION").option).toBe("chorusProIds");
  });

  it("answers a user named by number NOT_FOUND when the numbering has no userIdOf (name them by login)", async () => {
    const { h, g } = await guide();
    const { userIdOf: _none, ...withoutUsers } = HARNESS_NUMBERS;
    const app = h.appOver(h.store, { chorusProIds: withoutUsers });
    await expectNotFound(h, () => app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, idUtilisateur: numberOf(g.chloe) }), "user", String(numberOf(g.chloe)));
    must(await app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: n(g).townHall, adresseEmailConnexionUtilisateur: "chloe.durand@mairie-lyon.fr" }));
  });

  it("refuses, when the application is made, a numbering that lacks a way (TypeError)", async () => {
    const { h } = await guide();
    const { structureIdOf: _none, ...oneWay } = HARNESS_NUMBERS;
    expect(() => h.appOver(h.store, { chorusProIds: oneWay as ChorusProNumbering })).toThrow(TypeError);
    expect(() => h.appOver(h.store, { chorusProIds: { ...HARNESS_NUMBERS, space: 3 } as unknown as ChorusProNumbering })).toThrow(TypeError);
  });
});
