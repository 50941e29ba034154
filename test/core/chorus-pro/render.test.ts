// The six renderers on random library states: every payload valid against the API
// description's response schema (whatever the numbering of ids gives), paging that
// loses and repeats nothing, and inputs never written to.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  chorusProAttachmentSort,
  chorusProServiceSort,
  chorusProSortDirection,
  chorusProSpaceSort,
  chorusProStructureKind,
  chorusProStructureSort,
  chorusProStructureStatusFilter,
  renderConsulterServiceStructure,
  renderConsulterStructure,
  renderListerRattachementsUtilisateur,
  renderRechercherEspaces,
  renderRechercherServicesStructure,
  renderRechercherStructure,
  type ChorusProCodeTable,
  type ChorusProPaging,
  type RechercherStructureRequest,
} from "../../../src/core/index.js";
import { schemaErrors } from "./swagger.js";
import { deepFrozen, world, type World } from "./world.js";

const paging = <C extends string>(columns: ChorusProCodeTable<string, C>): fc.Arbitrary<ChorusProPaging<C>> =>
  fc.record({
    pageResultatDemandee: fc.integer({ min: 1, max: 4 }),
    nbResultatsParPage: fc.integer({ min: 1, max: 5 }),
    triColonne: fc.constantFrom(...columns.codes),
    triSens: fc.constantFrom(...chorusProSortDirection.codes),
  });
const criteria: fc.Arbitrary<RechercherStructureRequest["structure"]> = fc.record(
  {
    identifiantStructure: fc.constantFrom("26690027400017", "X"),
    typeIdentifiantStructure: fc.constantFrom("SIRET" as const, "AUTRE" as const),
    raisonSocialeStructure: fc.constantFrom("a", "e", "É"),
    libelleStructure: fc.constantFrom("a", "e"),
    typeStructure: fc.constantFrom(...chorusProStructureKind.codes),
    statutStructure: fc.constantFrom(...chorusProStructureStatusFilter.codes),
  },
  { requiredKeys: [] },
);

const own = (w: World) => w.services.filter((s) => s.structureId === w.structure.id);
const opts = (w: World) => (w.ids === undefined ? {} : { ids: w.ids });

/** Every payload of the six operations for a world. */
type Pagings = {
  s: ChorusProPaging<(typeof chorusProStructureSort.codes)[number]>;
  v: ChorusProPaging<(typeof chorusProServiceSort.codes)[number]>;
  a: ChorusProPaging<(typeof chorusProAttachmentSort.codes)[number]>;
  e: ChorusProPaging<(typeof chorusProSpaceSort.codes)[number]>;
};
function payloads(w: World, l: Pagings, c: RechercherStructureRequest["structure"]) {
  const o = opts(w);
  return [
    ["WsRetourRechercherStructure", renderRechercherStructure([w.structure], { structure: c, parametres: l.s }, o)],
    ["WsRetourConsulterStructureTVAIntraCom", renderConsulterStructure(w.structure, o)],
    ...w.services.map((s) => ["WsRetourConsulterServiceStructure", renderConsulterServiceStructure(s, o)] as const),
    ["WsRetourRechercherServicesStructure", renderRechercherServicesStructure(own(w), { parametresRechercherServicesStructure: l.v }, o)],
    [
      "WsRetourListerRattachementsStructureUtilisateur",
      renderListerRattachementsUtilisateur(
        { structure: w.structure, services: w.services, user: w.user, requests: w.requests, history: w.history, validUntil: w.validUntil },
        { parametresListerRattachementsStructureUtilisateur: l.a },
        o,
      ),
    ],
    ["WsRetourRechercherEspacesFo", renderRechercherEspaces({ structure: w.structure, services: w.services, user: w.user }, { parametresRechercherEspaces: l.e }, o)],
    ["WsRetourRechercherEspacesFo", renderRechercherEspaces({ structure: w.structure, services: w.services, user: w.user }, { idService: 1001, parametresRechercherEspaces: l.e }, o)],
  ] as const;
}

const listings: fc.Arbitrary<Pagings> = fc.record({
  s: paging(chorusProStructureSort),
  v: paging(chorusProServiceSort),
  a: paging(chorusProAttachmentSort),
  e: paging(chorusProSpaceSort),
});

describe("on random library states", () => {
  test.prop([world, listings, criteria])("every payload is valid against the API description's response schema", (w, l, c) => {
    for (const [definition, payload] of payloads(w, l, c)) expect(schemaErrors(definition, payload), definition).toEqual([]);
  });

  test.prop([world, listings, criteria])("renderers never write into what they are given", (w, l, c) => {
    const { ids, ...data } = w;
    const before = JSON.stringify(data);
    const frozen = deepFrozen(structuredClone(data));
    expect(() => payloads({ ...frozen, ids }, l, c)).not.toThrow();
    expect(() => payloads(w, l, c)).not.toThrow();
    expect(JSON.stringify(data)).toBe(before);
  });

  test.prop([world])("numbers are the numbering's when the API can carry them, else left out", (w) => {
    const payload = renderConsulterStructure(w.structure, opts(w));
    const n = (w.ids ?? { structure: (id: string) => (/^\d+$/.test(id) ? Number(id) : undefined) }).structure(w.structure.id);
    const carried = n !== undefined && Number.isSafeInteger(n) && n >= 0;
    expect(payload.informationGenerales?.idStructureCPP).toBe(carried ? n : undefined);
  });
});

describe("paging", () => {
  // Every page, concatenated, is the whole list once: nothing lost, nothing twice, in one total order.
  test.prop([world, paging(chorusProAttachmentSort), paging(chorusProSpaceSort), paging(chorusProServiceSort)])(
    "the pages of a list are the list, in order, and the totals say so",
    (w, a, e, v) => {
      const lists = [
        (page: number, size: number) =>
          renderListerRattachementsUtilisateur(
            { structure: w.structure, services: w.services, user: w.user, requests: w.requests, history: w.history },
            { parametresListerRattachementsStructureUtilisateur: { ...a, pageResultatDemandee: page, nbResultatsParPage: size } },
            opts(w),
          ),
        (page: number, size: number) =>
          renderRechercherEspaces({ structure: w.structure, services: w.services, user: w.user }, { parametresRechercherEspaces: { ...e, pageResultatDemandee: page, nbResultatsParPage: size } }, opts(w)),
        (page: number, size: number) => renderRechercherServicesStructure(own(w), { parametresRechercherServicesStructure: { ...v, pageResultatDemandee: page, nbResultatsParPage: size } }, opts(w)),
      ];
      for (const render of lists) {
        const whole = render(1, 1000);
        const items = (p: ReturnType<typeof render>) =>
          ("listeServices" in p ? p.listeServices : "listeEspace" in p ? p.listeEspace : undefined) ?? [];
        const total = whole.parametresRetour?.total ?? -1;
        expect(items(whole)).toHaveLength(total);
        const size = a.nbResultatsParPage;
        const pages = Math.ceil(total / size);
        const concatenated: unknown[] = [];
        for (let page = 1; page <= pages + 1; page++) {
          const p = render(page, size);
          expect(p.parametresRetour).toEqual({ nbResultatsParPage: size, pageCourante: page, pages, total });
          expect(items(p).length).toBeLessThanOrEqual(size);
          concatenated.push(...items(p));
        }
        expect(concatenated).toEqual(items(whole));
      }
    },
  );

  it("descending reverses the column, not the tie-breakers", () => {
    const base = { id: "s", structureId: "x", label: "L", openSpaces: [], createdAt: "2026-01-01T00:00:00.000Z" } as const;
    const services = [
      { ...base, id: "1", code: "B", active: true },
      { ...base, id: "2", code: "A", active: false },
      { ...base, id: "3", code: "C", active: true },
    ] as never[];
    const codes = (triSens: "Ascendant" | "Descendant") =>
      renderRechercherServicesStructure(services, {
        parametresRechercherServicesStructure: { pageResultatDemandee: 1, nbResultatsParPage: 10, triColonne: "EstActif", triSens },
      }).listeServices?.map((s) => s.codeService);
    expect(codes("Ascendant")).toEqual(["A", "B", "C"]);
    expect(codes("Descendant")).toEqual(["B", "C", "A"]);
  });
});
