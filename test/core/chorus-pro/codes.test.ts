// Every Chorus Pro code, both ways: each table's codes are exactly the API description's
// enumeration where it has one, every enumeration of the description is covered, each
// table round-trips (properties), and anything else is refused with VALIDATION.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  accessLevelFromApiCode,
  accessLevelToApiCode,
  ACCESS_LEVELS,
  attachmentRowStatusLabel,
  ATTACHMENT_ROW_STATUSES,
  CHORUS_PRO_CODE_TABLES,
  chorusProAttachmentStatus,
  chorusProServiceStatus,
  identifierTypeFromApiCode,
  identifierTypeToApiCode,
  IDENTIFIER_TYPES,
  structureKindFromApiCode,
  structureKindToApiCode,
  STRUCTURE_KINDS,
  type ChorusProCodeTable,
} from "../../../src/core/index.js";
import { loadSwagger } from "./swagger.js";

const tables = Object.entries(CHORUS_PRO_CODE_TABLES) as [string, ChorusProCodeTable<string, string>][];
const definitions = loadSwagger().swagger.definitions as Record<string, { properties?: Record<string, { enum?: string[]; type?: string }> }>;
const propertyAt = (location: string) => {
  const [definition, property] = location.split(".") as [string, string];
  return definitions[definition]?.properties?.[property];
};

describe("the codes are the API description's", () => {
  it.each(tables)("%s: exactly the enumeration, in its order, wherever the description enumerates it", (_, table) => {
    for (const location of table.enumeratedIn) expect(propertyAt(location)?.enum, location).toEqual([...table.codes]);
  });

  it.each(tables)("%s: a field the table fills without enumeration is a string there", (_, table) => {
    for (const location of table.alsoFills) {
      expect(propertyAt(location)?.type, location).toBe("string");
      expect(propertyAt(location)?.enum, location).toBeUndefined();
    }
    expect(table.enumeratedIn.length + table.alsoFills.length).toBeGreaterThan(0);
  });

  it("every enumeration of the description is one table's", () => {
    const covered = new Set(tables.flatMap(([, t]) => t.enumeratedIn));
    const enumerated: string[] = [];
    for (const [name, d] of Object.entries(definitions))
      for (const [property, p] of Object.entries(d.properties ?? {})) if (p.enum !== undefined) enumerated.push(`${name}.${property}`);
    expect(enumerated.length).toBe(20);
    expect(enumerated.filter((l) => !covered.has(l))).toEqual([]);
  });

  it("statutRattachement has all five, and the service's state is ACTIF / INACTIF", () => {
    expect(chorusProAttachmentStatus.codes).toEqual(["EN_COURS_DE_VALIDATION", "REFUSEE", "VALIDEE", "DESACTIVEE", "SUPPRIMEE"]);
    expect(ATTACHMENT_ROW_STATUSES.map((s) => chorusProAttachmentStatus.toCode(s))).toEqual([
      "EN_COURS_DE_VALIDATION",
      "VALIDEE",
      "REFUSEE",
      "DESACTIVEE",
      "SUPPRIMEE",
    ]);
    expect(chorusProServiceStatus.codes).toEqual(["ACTIF", "INACTIF"]);
  });

  it("labels the row statuses as the guide does (« Validé », « Supprimé »)", () => {
    expect(attachmentRowStatusLabel).toEqual({
      pending: "En cours de validation",
      validated: "Validé",
      refused: "Refusé",
      deactivated: "Désactivé",
      removed: "Supprimé",
    });
  });
});

describe("each table, both ways", () => {
  describe.each(tables)("%s", (_, table) => {
    it("is one to one: as many values as codes, none twice", () => {
      expect(new Set(table.values).size).toBe(table.values.length);
      expect(new Set(table.codes).size).toBe(table.codes.length);
      expect(table.values.length).toBe(table.codes.length);
    });

    test.prop([fc.constantFrom(...table.values)])("value → code → value", (value) => {
      expect(table.fromCode(table.toCode(value))).toEqual({ ok: true, value });
    });

    test.prop([fc.constantFrom(...table.codes)])("code → value → code", (code) => {
      const value = table.fromCode(code);
      expect(value.ok).toBe(true);
      if (value.ok) expect(table.toCode(value.value)).toBe(code);
      expect(table.isCode(code)).toBe(true);
    });

    test.prop([fc.oneof(fc.string(), fc.constantFrom("", "toString", "__proto__", "constructor", ...table.codes.map((c) => c.toLowerCase()), ...table.values))])(
      "anything else is VALIDATION (unknown_code), not an exception",
      (candidate) => {
        fc.pre(!table.codes.includes(candidate));
        const r = table.fromCode(candidate, ["body", "code"]);
        expect(r.ok).toBe(false);
        if (!r.ok && r.error.code === "VALIDATION") {
          expect(r.error.issues).toHaveLength(1);
          expect(r.error.issues[0]?.code).toBe("unknown_code");
          expect(r.error.issues[0]?.path).toEqual(["body", "code"]);
          expect(r.error.issues[0]?.message.length).toBeLessThan(400);
        } else throw new Error("expected VALIDATION");
        expect(table.isCode(candidate)).toBe(false);
      },
    );

    test.prop([fc.anything().filter((x) => typeof x !== "string")])("a non-string is VALIDATION", (candidate) => {
      const r = table.fromCode(candidate);
      expect(!r.ok && r.error.code).toBe("VALIDATION");
    });
  });
});

describe("agreement with the vocabulary's existing mappings", () => {
  it("identifier types, structure kinds and access levels map as vocabulary.ts does, both ways", () => {
    for (const type of IDENTIFIER_TYPES) {
      const code = CHORUS_PRO_CODE_TABLES.identifierType.toCode(type);
      expect(code).toBe(identifierTypeToApiCode(type));
      expect(identifierTypeFromApiCode(code)).toBe(type);
    }
    for (const kind of STRUCTURE_KINDS) {
      const code = CHORUS_PRO_CODE_TABLES.structureKind.toCode(kind);
      expect(code).toBe(structureKindToApiCode(kind));
      expect(structureKindFromApiCode(code)).toBe(kind);
    }
    for (const level of ACCESS_LEVELS) {
      const code = CHORUS_PRO_CODE_TABLES.access.toCode(level);
      expect(code).toBe(accessLevelToApiCode(level));
      expect(accessLevelFromApiCode(code)).toBe(level);
    }
  });
});
