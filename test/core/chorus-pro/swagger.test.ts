// The API description the payloads are checked against, and the conversion that lets
// ajv read it: each step of toJsonSchema asserted on its own, then on the real file.
import { describe, expect, it } from "vitest";
import {
  gitBlobHash,
  loadSwagger,
  requestDefinitionOf,
  responseDefinitionOf,
  schemaErrors,
  SOURCE,
  toJsonSchema,
  toJsonSchemaDocument,
} from "./swagger.js";

describe("the file", () => {
  it("is the one SOURCE.md names (its git blob hash), a Swagger 2.0 « Structures » description", () => {
    const { swagger } = loadSwagger();
    expect(swagger.swagger).toBe("2.0");
    expect(SOURCE.blob).toBe("cfe37666b7d07a7e8f9afe27bc51bb8855b0b567");
    expect(gitBlobHash(Buffer.from("hello\n"))).toBe("ce013625030ba8dba906f756967f9e9ca394464a"); // git hash-object
  });

  it("has the six operations, each a POST with a body and a 200 response", () => {
    const paths = Object.keys(loadSwagger().swagger.paths).sort();
    expect(paths).toEqual([
      "/v1/consulter",
      "/v1/consulter/service",
      "/v1/lister/rattachementsutilisateur",
      "/v1/rechercher",
      "/v1/rechercher/espaces",
      "/v1/rechercher/services",
    ]);
    expect(paths.map(responseDefinitionOf)).toEqual([
      "WsRetourConsulterStructureTVAIntraCom",
      "WsRetourConsulterServiceStructure",
      "WsRetourListerRattachementsStructureUtilisateur",
      "WsRetourRechercherStructure",
      "WsRetourRechercherEspacesFo",
      "WsRetourRechercherServicesStructure",
    ]);
    expect(paths.map(requestDefinitionOf)).toEqual([
      "ConsulterStructureAvecTVAIntraComParam",
      "ConsulterServiceStructureParam",
      "ListerRattachementsStructureUtilisateurParam",
      "RechercherStructureParam",
      "RechercherEspacesParam",
      "RechercherServicesStructureParam",
    ]);
  });
});

describe("toJsonSchema", () => {
  it("drops `example`, keeps the rest", () => {
    expect(toJsonSchema({ type: "string", example: "TRA_MSG_00.000", description: "le libellé" })).toEqual({
      type: "string",
      description: "le libellé",
    });
  });

  it("turns int32 and int64 into ranges (int64: what JSON carries exactly)", () => {
    expect(toJsonSchema({ type: "integer", format: "int32" })).toEqual({
      type: "integer",
      minimum: -2147483648,
      maximum: 2147483647,
    });
    expect(toJsonSchema({ type: "integer", format: "int64" })).toEqual({
      type: "integer",
      minimum: -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
    expect(toJsonSchema({ type: "string", format: "date-time" })).toEqual({ type: "string", format: "date-time" });
  });

  it("closes objects that list their properties, recursing into properties and items", () => {
    expect(
      toJsonSchema({
        type: "object",
        properties: { list: { type: "array", items: { type: "object", properties: { n: { type: "integer", format: "int32" } } } } },
      }),
    ).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        list: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            properties: { n: { type: "integer", minimum: -2147483648, maximum: 2147483647 } },
          },
        },
      },
    });
    // An object without properties (the API's TriColonne) stays open.
    expect(toJsonSchema({ type: "object" })).toEqual({ type: "object" });
  });

  it("keeps references, resolved against the converted definitions", () => {
    const doc = toJsonSchemaDocument({
      swagger: "2.0",
      paths: {},
      definitions: { A: { type: "object", properties: { b: { $ref: "#/definitions/B" } } }, B: { type: "string" } },
    });
    expect(doc).toEqual({
      $id: "chorus-pro-structures",
      definitions: {
        A: { type: "object", additionalProperties: false, properties: { b: { $ref: "#/definitions/B" } } },
        B: { type: "string" },
      },
    });
  });
});

describe("validation against the real definitions", () => {
  const envelope = { codeRetour: 0, libelle: "TRA_MSG_00.000" };

  it("compiles every definition in ajv's strict mode", () => {
    for (const name of Object.keys(loadSwagger().swagger.definitions)) expect(schemaErrors(name, {}), name).toBeInstanceOf(Array);
  });

  it("accepts what the API defines", () => {
    expect(
      schemaErrors("WsRetourRechercherStructure", {
        ...envelope,
        listeStructures: [{ designationStructure: "X", idStructureCPP: 663192, statut: "ACTIVE", typeIdentifiantStructure: "SIRET" }],
        parametresRetour: { nbResultatsParPage: 3, pageCourante: 1, pages: 1, total: 1 },
      }),
    ).toEqual([]);
  });

  it("refuses what it does not: a missing codeRetour, an unknown field, a code off the enum, null, a wrong date, an int32 overflow", () => {
    expect(schemaErrors("WsRetourRechercherStructure", { libelle: "x" })).not.toEqual([]);
    expect(schemaErrors("WsRetourRechercherStructure", { ...envelope, listeStructure: [] })).not.toEqual([]);
    expect(schemaErrors("WsRetourRechercherStructure", { ...envelope, listeStructures: [{ statut: "ACTIF" }] })).not.toEqual([]);
    expect(schemaErrors("WsRetourRechercherStructure", { ...envelope, listeStructures: [{ designationStructure: null }] })).not.toEqual([]);
    expect(
      schemaErrors("WsRetourListerRattachementsStructureUtilisateur", { ...envelope, listeServices: [{ dateDebut: "2026-12-01" }] }),
    ).not.toEqual([]);
    expect(
      schemaErrors("WsRetourRechercherStructure", { ...envelope, parametresRetour: { total: 2 ** 31 } }),
    ).not.toEqual([]);
    expect(
      schemaErrors("WsRetourListerRattachementsStructureUtilisateur", {
        ...envelope,
        listeServices: [{ dateDebut: "2026-12-01T00:00:00+01:00", statutRattachement: "SUPPRIMEE" }],
      }),
    ).toEqual([]);
  });
});
