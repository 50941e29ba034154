// The six request bodies: what the API description allows parses (random bodies the
// description itself validates), in the library's words; unknown codes, unknown fields,
// wrong types and criteria the library cannot honour are VALIDATION; nothing throws.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  CHORUS_PRO_DEFAULT_PAGE_SIZE,
  chorusProListing,
  chorusProStructureRef,
  structureCriteriaOf,
  CHORUS_PRO_MAX_PAGE_SIZE,
  chorusProAttachmentSort,
  chorusProIdentifierType,
  chorusProServiceSort,
  chorusProSortDirection,
  chorusProSpaceSort,
  chorusProStructureKind,
  chorusProStructureSort,
  chorusProStructureStatusFilter,
  parseConsulterServiceStructureRequest,
  parseConsulterStructureRequest,
  parseListerRattachementsUtilisateurRequest,
  parseRechercherEspacesRequest,
  parseRechercherServicesStructureRequest,
  parseRechercherStructureRequest,
  type ChorusProCodeTable,
  type DomainError,
  type Result,
} from "../../../src/core/index.js";
import { loadSwagger, schemaErrors } from "./swagger.js";

const schemaFor = (definition: string) => loadSwagger().swagger.definitions[definition] as object;

const parsers: readonly [string, string, (input: unknown) => Result<unknown, DomainError>][] = [
  ["/v1/rechercher", "RechercherStructureParam", parseRechercherStructureRequest],
  ["/v1/consulter", "ConsulterStructureAvecTVAIntraComParam", parseConsulterStructureRequest],
  ["/v1/consulter/service", "ConsulterServiceStructureParam", parseConsulterServiceStructureRequest],
  ["/v1/rechercher/services", "RechercherServicesStructureParam", parseRechercherServicesStructureRequest],
  ["/v1/lister/rattachementsutilisateur", "ListerRattachementsStructureUtilisateurParam", parseListerRattachementsUtilisateurRequest],
  ["/v1/rechercher/espaces", "RechercherEspacesParam", parseRechercherEspacesRequest],
];

function expectValidation(result: Result<unknown, DomainError>, path?: readonly (string | number)[]): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe("VALIDATION");
  if (path !== undefined && result.error.code === "VALIDATION") expect(result.error.issues.map((i) => i.path)).toContainEqual(path);
}

// ------------------------------------------------------------------ arbitraries

// The API description allows no null: an absent field is left out (nulls: a property below).
const code = <C extends string>(table: ChorusProCodeTable<string, C>) => fc.constantFrom(...table.codes);
const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const listing = <C extends string>(table: ChorusProCodeTable<string, C>) =>
  fc.record(
    {
      pageResultatDemandee: fc.integer({ min: 1, max: 2_147_483_647 }),
      nbResultatsParPage: fc.integer({ min: 1, max: 1_000_000 }),
      triColonne: code(table),
      triSens: code(chorusProSortDirection),
    },
    { requiredKeys: [] },
  );
const text = fc.string({ maxLength: 40 }).filter((s) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(s));
const siret = fc.constantFrom("26690027400017", "21690266600017", "73282932000074", "732 829 320 00074");
const structureRef = fc.oneof(
  fc.record({ idStructure: id }),
  fc.record({ identifiantStructure: siret, typeIdentifiantStructure: fc.constant("SIRET") }),
  fc.record({ identifiantStructure: fc.constantFrom("FR-42", "NC 123"), typeIdentifiantStructure: fc.constantFrom("UE_HORS_FRANCE", "RIDET", "AUTRE") }),
  fc.record({ idStructure: id, identifiantStructure: siret, typeIdentifiantStructure: fc.constant("SIRET") }),
);

const bodies = {
  "/v1/rechercher": fc.record(
    {
      structure: fc.record(
        {
          identifiantStructure: text,
          libelleStructure: text,
          raisonSocialeStructure: text,
          estMOA: fc.constant(false),
          estMOAUniquement: fc.constant(false),
          statutStructure: code(chorusProStructureStatusFilter),
          typeIdentifiantStructure: code(chorusProIdentifierType),
          typeStructure: code(chorusProStructureKind),
        },
        { requiredKeys: [] },
      ),
      restreindreStructuresPrivees: fc.constant(false),
      parametres: listing(chorusProStructureSort),
    },
    { requiredKeys: [] },
  ),
  "/v1/consulter": fc.record({ idStructureCPP: id, codeLangue: fc.constantFrom("FR", "fr", "en-GB") }, { requiredKeys: ["idStructureCPP"] }),
  "/v1/consulter/service": fc.record({ idStructure: id, idService: id, codeLangue: fc.constantFrom("FR", "EN") }, { requiredKeys: ["idStructure", "idService"] }),
  "/v1/rechercher/services": fc.record(
    { idStructure: id, parametresRechercherServicesStructure: listing(chorusProServiceSort) },
    { requiredKeys: ["idStructure"] },
  ),
  "/v1/lister/rattachementsutilisateur": fc
    .tuple(
      structureRef,
      fc.record(
        {
          idUtilisateur: id,
          adresseEmailConnexionUtilisateur: fc.constantFrom("Elodie.Lefevre@chu-lyon.fr", "a@b.fr"),
          parametresListerRattachementsStructureUtilisateur: listing(chorusProAttachmentSort),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([ref, rest]) => ({ ...ref, ...rest })),
  "/v1/rechercher/espaces": fc.record(
    { structure: structureRef, idService: id, parametresRechercherEspaces: listing(chorusProSpaceSort) },
    { requiredKeys: ["structure"] },
  ),
} as const;

// ------------------------------------------------------------------ properties

describe.each(parsers)("%s (%s)", (path, definition, parse) => {
  test.prop([bodies[path as keyof typeof bodies]])("a body the API description accepts parses", (body) => {
    expect(schemaErrors(definition, body)).toEqual([]);
    const parsed = parse(body);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  });

  test.prop([bodies[path as keyof typeof bodies]])("null reads as absent (clients send nulls for the fields they leave empty)", (body) => {
    const withNulls = (value: unknown): unknown => {
      if (typeof value !== "object" || value === null) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNulls(v)]));
    };
    const nulled = JSON.parse(JSON.stringify(withNulls(body))) as Record<string, unknown>;
    // Every optional field of the API absent from the body, sent as null instead.
    const optional = Object.keys((schemaFor(definition) as { properties: object }).properties).filter((k) => !(k in nulled));
    for (const k of optional) if (!["idStructureCPP", "idStructure", "idService", "structure"].includes(k)) nulled[k] = null;
    expect(parse(nulled)).toEqual(parse(body));
  });

  test.prop([bodies[path as keyof typeof bodies]])("what it gives back parses again to itself", (body) => {
    const once = parse(body);
    if (!once.ok) throw new Error(JSON.stringify(once.error));
    expect(parse(JSON.parse(JSON.stringify(once.value)))).toEqual(once);
  });

  test.prop([fc.anything()])("anything else: a result, VALIDATION when refused, never an exception", (input) => {
    const r = parse(input);
    if (!r.ok) expect(r.error.code).toBe("VALIDATION");
  });

  test.prop([bodies[path as keyof typeof bodies], fc.constantFrom("pageResultatDemande", "idStructureCpp", "extra")])(
    "a field the API does not define is VALIDATION",
    (body, field) => {
      expectValidation(parse({ ...body, [field]: 1 }));
    },
  );
});

// ------------------------------------------------------------------ examples

describe("paging and sorting", () => {
  it("defaults: page 1, 100 a page, the operation's column, ascending", () => {
    expect(parseRechercherServicesStructureRequest({ idStructure: 1 })).toEqual({
      ok: true,
      value: {
        idStructure: 1,
        parametresRechercherServicesStructure: {
          pageResultatDemandee: 1,
          nbResultatsParPage: CHORUS_PRO_DEFAULT_PAGE_SIZE,
          triColonne: "CodeService",
          triSens: "Ascendant",
        },
      },
    });
    expect(parseRechercherServicesStructureRequest({ idStructure: 1, parametresRechercherServicesStructure: null })).toEqual(
      parseRechercherServicesStructureRequest({ idStructure: 1, parametresRechercherServicesStructure: {} }),
    );
  });

  it("keeps the codes, and chorusProListing says them in the library's words", () => {
    const r = parseRechercherEspacesRequest({
      structure: { idStructure: 1 },
      parametresRechercherEspaces: { pageResultatDemandee: 3, nbResultatsParPage: 25, triColonne: "TypeHabilitation", triSens: "Descendant" },
    });
    if (!r.ok) throw new Error("expected ok");
    expect(chorusProListing(r.value.parametresRechercherEspaces, chorusProSpaceSort)).toEqual({
      page: 3,
      pageSize: 25,
      sortBy: "access",
      direction: "descending",
    });
  });

  it("serves a page larger than the maximum at the maximum", () => {
    const r = parseRechercherStructureRequest({ parametres: { nbResultatsParPage: 9_999_999_999 } });
    expect(r.ok && r.value.parametres.nbResultatsParPage).toBe(CHORUS_PRO_MAX_PAGE_SIZE);
  });

  it.each([
    [{ pageResultatDemandee: 0 }, "pageResultatDemandee"],
    [{ pageResultatDemandee: 2 ** 31 }, "pageResultatDemandee"],
    [{ pageResultatDemandee: 1.5 }, "pageResultatDemandee"],
    [{ nbResultatsParPage: 0 }, "nbResultatsParPage"],
    [{ nbResultatsParPage: "10" }, "nbResultatsParPage"],
    [{ triColonne: "NomService" }, "triColonne"],
    [{ triSens: "ASC" }, "triSens"],
  ])("refuses %j", (parametres, field) => {
    expectValidation(parseRechercherStructureRequest({ parametres }), ["parametres", field]);
  });
});

describe("/v1/rechercher", () => {
  it("keeps the criteria it can match (identifier normalised; blank, null and neutral ones left out); structureCriteriaOf says them in the library's words", () => {
    const r = parseRechercherStructureRequest({
      structure: {
        typeStructure: "PRIVEE",
        statutStructure: "INACTIF",
        typeIdentifiantStructure: "UE_HORS_FRANCE",
        identifiantStructure: " be 0123.456.789 ",
        raisonSocialeStructure: "Société  GÉNÉRALE",
        libelleStructure: "  ",
        estMOA: false,
        adresseVille: null,
      },
      restreindreStructuresPrivees: false,
    });
    if (!r.ok) throw new Error("expected ok");
    expect(r.value.structure).toEqual({
      typeStructure: "PRIVEE",
      statutStructure: "INACTIF",
      typeIdentifiantStructure: "UE_HORS_FRANCE",
      identifiantStructure: "BE0123456789",
      raisonSocialeStructure: "Société  GÉNÉRALE",
    });
    expect(structureCriteriaOf(r.value.structure)).toEqual({
      identifier: "BE0123456789",
      identifierType: "euOutsideFrance",
      designation: ["societe generale"],
      kind: "private",
      status: "inactive",
    });
  });

  it("an empty body searches everything", () => {
    expect(parseRechercherStructureRequest({})).toEqual({
      ok: true,
      value: {
        structure: {},
        parametres: { pageResultatDemandee: 1, nbResultatsParPage: 100, triColonne: "DesignationStructure", triSens: "Ascendant" },
      },
    });
    expect(structureCriteriaOf({})).toEqual({ identifier: null, identifierType: null, designation: [], kind: null, status: null });
  });

  it.each([
    ["adresseVille", "Lyon"],
    ["adresseCodePostal", "69003"],
    ["adresseCodePays", "FR"],
    ["nomStructure", "Dupont"],
    ["prenomStructure", "Jean"],
    ["estMOA", true],
    ["estMOAUniquement", true],
  ])("refuses a criterion the library cannot match rather than ignore it: %s", (field, value) => {
    expectValidation(parseRechercherStructureRequest({ structure: { [field]: value } }), ["structure", field]);
  });

  it("refuses restreindreStructuresPrivees true (the description does not say what it restricts)", () => {
    expectValidation(parseRechercherStructureRequest({ restreindreStructuresPrivees: true }), ["restreindreStructuresPrivees"]);
  });

  it("refuses unknown codes with VALIDATION, naming the field", () => {
    expectValidation(parseRechercherStructureRequest({ structure: { typeStructure: "ASSOCIATION" } }), ["structure", "typeStructure"]);
    expectValidation(parseRechercherStructureRequest({ structure: { statutStructure: "ACTIVE" } }), ["structure", "statutStructure"]);
    expectValidation(parseRechercherStructureRequest({ structure: { typeIdentifiantStructure: "SIREN" } }), ["structure", "typeIdentifiantStructure"]);
  });

  it("refuses a search text with a control character or a bidirectional override", () => {
    expectValidation(parseRechercherStructureRequest({ structure: { raisonSocialeStructure: "ACME\u202E" } }), ["structure", "raisonSocialeStructure"]);
  });
});

describe("/v1/consulter and /v1/consulter/service", () => {
  it("need their numbers", () => {
    expect(parseConsulterStructureRequest({ idStructureCPP: 26346724, codeLangue: "FR" })).toEqual({
      ok: true,
      value: { idStructureCPP: 26346724, codeLangue: "FR" },
    });
    expectValidation(parseConsulterStructureRequest({}), ["idStructureCPP"]);
    expectValidation(parseConsulterStructureRequest({ idStructureCPP: -1 }), ["idStructureCPP"]);
    expectValidation(parseConsulterStructureRequest({ idStructureCPP: 2 ** 53 }), ["idStructureCPP"]);
    expectValidation(parseConsulterStructureRequest({ idStructureCPP: 1, codeLangue: "français" }), ["codeLangue"]);
    expect(parseConsulterServiceStructureRequest({ idStructure: 1, idService: 2, codeLangue: null })).toEqual({
      ok: true,
      value: { idStructure: 1, idService: 2 },
    });
    expectValidation(parseConsulterServiceStructureRequest({ idService: 2 }), ["idStructure"]);
    expectValidation(parseConsulterServiceStructureRequest({ idStructure: 1 }), ["idService"]);
  });
});

describe("naming a structure (/v1/lister/rattachementsutilisateur, /v1/rechercher/espaces)", () => {
  it("by number, by identifier (checked and normalised), or both", () => {
    expect(parseListerRattachementsUtilisateurRequest({ idStructure: 7 })).toMatchObject({
      ok: true,
      value: { idStructure: 7 },
    });
    expect(parseRechercherEspacesRequest({ structure: { identifiantStructure: "266 900 274 00017", typeIdentifiantStructure: "SIRET" } })).toMatchObject({
      ok: true,
      value: { structure: { identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET" } },
    });
    expect(chorusProStructureRef({ identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET", idStructure: 4 })).toEqual({
      number: 4,
      identifier: { type: "siret", value: "26690027400017" },
    });
    expect(chorusProStructureRef({ idStructure: 4 })).toEqual({ number: 4, identifier: null });
  });

  it("refuses no structure, an identifier without its type (or the reverse), a wrong SIRET", () => {
    expectValidation(parseListerRattachementsUtilisateurRequest({ idUtilisateur: 3 }), []);
    // The issue names the field missing.
    expectValidation(parseListerRattachementsUtilisateurRequest({ identifiantStructure: "26690027400017" }), ["typeIdentifiantStructure"]);
    expectValidation(parseListerRattachementsUtilisateurRequest({ idStructure: 1, typeIdentifiantStructure: "SIRET" }), ["identifiantStructure"]);
    expectValidation(
      parseListerRattachementsUtilisateurRequest({ identifiantStructure: "26690027400018", typeIdentifiantStructure: "SIRET" }),
      ["identifiantStructure"],
    );
    expectValidation(parseRechercherEspacesRequest({ idService: 3 }), ["structure"]);
    expectValidation(parseRechercherEspacesRequest({ structure: { identifiantStructure: "x", typeIdentifiantStructure: "SIREN" } }), [
      "structure",
      "typeIdentifiantStructure",
    ]);
  });

  it("names the user by number and/or login (normalised); a login that is no e-mail address is VALIDATION", () => {
    expect(parseListerRattachementsUtilisateurRequest({ idStructure: 1, idUtilisateur: 9, adresseEmailConnexionUtilisateur: " A@B.FR " })).toMatchObject({
      ok: true,
      value: { idStructure: 1, idUtilisateur: 9, adresseEmailConnexionUtilisateur: "a@b.fr" },
    });
    expectValidation(parseListerRattachementsUtilisateurRequest({ idStructure: 1, adresseEmailConnexionUtilisateur: "elodie" }), ["adresseEmailConnexionUtilisateur"]);
  });
});

describe("an identifier criterion of only dots and spaces", () => {
  it("searches for an empty identifier (no structure has one), and reads again the same", () => {
    const r = parseRechercherStructureRequest({ structure: { identifiantStructure: " . " } });
    if (!r.ok) throw new Error("expected the body to parse");
    expect(r.value.structure).toEqual({ identifiantStructure: " . " });
    expect(structureCriteriaOf(r.value.structure).identifier).toBe("");
    const again = parseRechercherStructureRequest(r.value);
    expect(again.ok && again.value).toEqual(r.value);
    // What a blank one is instead: no criterion.
    const blank = parseRechercherStructureRequest({ structure: { identifiantStructure: "  " } });
    expect(blank.ok && blank.value.structure).toEqual({});
  });
});
