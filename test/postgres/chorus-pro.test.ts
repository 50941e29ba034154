// The Chorus Pro queries (issue 21) on PostgreSQL: the guide's morning played through the
// application on a PostgreSQL store and on a memory store (the same clock, ids and
// numbering), then every query — answered and refused — asked of both: the same answers,
// each payload valid against the published API description.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainError, Habilitations, Result } from "../../src/index.js";
import type { MemoryStore } from "../../src/memory/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { createHarness, must, numberOf, seedGuide, services, SPACE, type Guide, type Harness } from "../application/harness.js";
import { schemaErrors } from "../core/chorus-pro/swagger.js";
import { createPool, freshStore } from "./helpers.js";

const pool = createPool(4);
let drop: () => Promise<void>;
let store: HabilitationsStore;
beforeAll(async () => {
  ({ store, drop } = await freshStore(pool, "chorus"));
});
afterAll(async () => {
  await drop();
  await pool.end();
});

/** A harness whose app works on another store (its clock and ids, the harness's numbering); it has no snapshot. */
function harnessOver(other: HabilitationsStore): Harness {
  const h = createHarness();
  return {
    ...h,
    store: other as unknown as MemoryStore,
    app: h.appOver(other),
    snapshot: () => {
      throw new Error("no snapshot of a PostgreSQL store");
    },
  };
}

/**
 * The guide's cast, then: Élodie's request validated with COMPTA and PAIE checked (ACHATS
 * unchecked), Farid's refused, Chloé removed, RH deactivated, « Factures reçues » opened
 * on the town hall and given to Bruno on every service, « Factures émises » on COMPTA to
 * Élodie, and closed there.
 */
async function morning(h: Harness): Promise<Guide> {
  const g = await seedGuide(h);
  const { app } = h;
  const elodie = must(await app.requestAttachment(g.elodie, { structureId: g.townHall, scope: services(g.achats, g.compta), comment: "Je rejoins les achats" })).request.id;
  const farid = must(await app.requestAttachment(g.farid, { structureId: g.townHall, scope: services(g.paie) })).request.id;
  h.tick(60);
  must(await app.validateAttachmentRequest(g.alice, { requestId: elodie, scope: services(g.compta, g.paie) }));
  must(await app.refuseAttachmentRequest(g.alice, { requestId: farid, reason: "Aucun poste ouvert" }));
  h.tick(30);
  must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.chloe }));
  must(await app.deactivateService(g.alice, { serviceId: g.rh }));
  must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
  must(await app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
  for (const [userId, items] of [
    [g.bruno, [{ space: SPACE.recues, access: "read" as const }]],
    [g.elodie, [{ space: SPACE.emises, serviceId: g.compta, access: "write" as const }]],
  ] as const)
    for (const r of must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [userId], items })).results) must(r.result);
  must(await app.closeSpace(g.alice, { structureId: g.townHall, space: SPACE.emises, serviceId: g.compta }));
  return g;
}

type Ask = readonly [label: string, definition: string, run: (app: Habilitations, g: Guide) => Promise<Result<unknown, DomainError>>];

const townHall = (g: Guide) => numberOf(g.townHall);
const ASKS: readonly Ask[] = [
  ["Alice searches her structures", "WsRetourRechercherStructure", (app, g) => app.chorusProRechercherStructure(g.alice, {})],
  ["Bruno searches by SIRET, descending", "WsRetourRechercherStructure", (app, g) =>
    app.chorusProRechercherStructure(g.bruno, { structure: { identifiantStructure: "216 901 231 00011", typeIdentifiantStructure: "SIRET" }, parametres: { triSens: "Descendant" } })],
  ["Bruno consults the town hall", "WsRetourConsulterStructureTVAIntraCom", (app, g) => app.chorusProConsulterStructure(g.bruno, { idStructureCPP: townHall(g) })],
  ["Victor consults the town hall (not his)", "", (app, g) => app.chorusProConsulterStructure(g.victor, { idStructureCPP: townHall(g) })],
  ["Élodie consults RH, deactivated", "WsRetourConsulterServiceStructure", (app, g) => app.chorusProConsulterServiceStructure(g.elodie, { idStructure: townHall(g), idService: numberOf(g.rh) })],
  ["Élodie consults ACME's service under the town hall", "", (app, g) => app.chorusProConsulterServiceStructure(g.elodie, { idStructure: townHall(g), idService: numberOf(g.ventes) })],
  ["Élodie lists the town hall's services by state", "WsRetourRechercherServicesStructure", (app, g) =>
    app.chorusProRechercherServicesStructure(g.elodie, { idStructure: townHall(g), parametresRechercherServicesStructure: { triColonne: "EstActif", nbResultatsParPage: 3 } })],
  ["Élodie's own rows", "WsRetourListerRattachementsStructureUtilisateur", (app, g) => app.chorusProListerRattachementsUtilisateur(g.elodie, { idStructure: townHall(g) })],
  ["Alice about Élodie, by login", "WsRetourListerRattachementsStructureUtilisateur", (app, g) =>
    app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: townHall(g), adresseEmailConnexionUtilisateur: "elodie.lefevre@mairie-lyon.fr" })],
  ["Farid's own rows (refused)", "WsRetourListerRattachementsStructureUtilisateur", (app, g) => app.chorusProListerRattachementsUtilisateur(g.farid, { idStructure: townHall(g) })],
  ["Chloé's own rows (removed)", "WsRetourListerRattachementsStructureUtilisateur", (app, g) =>
    app.chorusProListerRattachementsUtilisateur(g.chloe, { idStructure: townHall(g), parametresListerRattachementsStructureUtilisateur: { triColonne: "StatutRattachement" } })],
  ["Alice about Chloé, removed", "", (app, g) => app.chorusProListerRattachementsUtilisateur(g.alice, { idStructure: townHall(g), idUtilisateur: numberOf(g.chloe) })],
  ["Bruno about Élodie by identifier", "WsRetourListerRattachementsStructureUtilisateur", (app, g) =>
    app.chorusProListerRattachementsUtilisateur(g.bruno, { identifiantStructure: "21690123100011", typeIdentifiantStructure: "SIRET", idUtilisateur: numberOf(g.elodie) })],
  ["David's rows in the bookshop", "WsRetourListerRattachementsStructureUtilisateur", (app, g) => app.chorusProListerRattachementsUtilisateur(g.david, { idStructure: numberOf(g.bookshop) })],
  ["Bruno's spaces", "WsRetourRechercherEspacesFo", (app, g) => app.chorusProRechercherEspaces(g.bruno, { structure: { idStructure: townHall(g) } })],
  ["Élodie's spaces on COMPTA", "WsRetourRechercherEspacesFo", (app, g) =>
    app.chorusProRechercherEspaces(g.elodie, { structure: { idStructure: townHall(g) }, idService: numberOf(g.compta) })],
  ["Victor's spaces in the town hall", "", (app, g) => app.chorusProRechercherEspaces(g.victor, { structure: { idStructure: townHall(g) } })],
];

describe("the Chorus Pro queries on PostgreSQL answer as on the memory store", () => {
  const answers: { memory: unknown[]; postgres: unknown[] } = { memory: [], postgres: [] };
  beforeAll(async () => {
    for (const [which, h] of [["memory", createHarness()], ["postgres", harnessOver(store)]] as const) {
      const g = await morning(h);
      for (const [, , run] of ASKS) answers[which].push(await run(h.app, g));
    }
  });

  it.each(ASKS.map(([label, definition], i) => [label, definition, i] as const))("%s", (_label, definition, i) => {
    const [memory, postgres] = [answers.memory[i], answers.postgres[i]] as [Result<unknown, DomainError>, Result<unknown, DomainError>];
    expect(postgres).toEqual(memory);
    if (definition === "") expect(postgres.ok, "refused").toBe(false);
    else {
      expect(postgres.ok, JSON.stringify(postgres)).toBe(true);
      if (postgres.ok) expect(schemaErrors(definition, postgres.value)).toEqual([]);
    }
  });

  it("the rows are the morning's: Élodie ACHATS refused, COMPTA attached, PAIE attached; Farid PAIE refused with the reason; Chloé COMPTA removed", () => {
    const rows = (i: number) =>
      ((answers.postgres[i] as { value: { listeServices: { codeService?: string; statutRattachement?: string; commentaire?: string }[] } }).value.listeServices ?? []).map((r) =>
        [r.codeService, r.statutRattachement, r.commentaire ?? null].filter((x) => x !== null),
      );
    const at = (label: string) => ASKS.findIndex(([l]) => l === label);
    expect(rows(at("Élodie's own rows"))).toEqual([["ACHATS", "REFUSEE"], ["COMPTA", "VALIDEE"], ["PAIE", "VALIDEE"]]);
    expect(rows(at("Farid's own rows (refused)"))).toEqual([["PAIE", "REFUSEE", "Aucun poste ouvert"]]);
    expect(rows(at("Chloé's own rows (removed)"))).toEqual([["COMPTA", "SUPPRIMEE"]]);
  });
});
