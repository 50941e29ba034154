// The catalogue of spaces (« espaces »): Chorus Pro's defaults with their French labels
// and API codes, a host's own catalogue and what it refuses, and the access levels.
import { describe, expect, it } from "vitest";
import {
  accessCovers,
  accessLevelFromApiCode,
  accessLevelLabel,
  accessLevelToApiCode,
  checkSpaces,
  CHORUS_PRO_SPACES,
  spaceCatalogue,
  spaceCode,
  type SpaceDefinition,
} from "../../../src/core/index.js";
import { expectErr, unwrap } from "../fixtures.js";

const def = (code: string, label: string, apiCode = code): SpaceDefinition => ({ code: spaceCode(code), label, apiCode });

describe("CHORUS_PRO_SPACES — the guide's spaces", () => {
  it("lists the five spaces of Chorus Pro in display order, with their French labels and API codes", () => {
    expect(CHORUS_PRO_SPACES.spaces).toEqual([
      { code: "FACTURES_EMISES", label: "Factures émises", apiCode: "FACTURES_EMISES" },
      { code: "FACTURES_RECUES", label: "Factures reçues", apiCode: "FACTURES_RECUES" },
      { code: "FACTURES_A_VALIDER", label: "Factures à valider", apiCode: "FACTURES_A_VALIDER" },
      { code: "SOLLICITATIONS_EMISES", label: "Sollicitations émises", apiCode: "SOLLICITATIONS_EMISES" },
      { code: "SOLLICITATIONS_RECUES", label: "Sollicitations reçues", apiCode: "SOLLICITATIONS_RECUES" },
    ]);
  });

  it.each(CHORUS_PRO_SPACES.spaces.map((s) => [s.code, s] as const))("finds %s by its code and by its API code", (code, s) => {
    expect(CHORUS_PRO_SPACES.get(code)).toEqual(s);
    expect(CHORUS_PRO_SPACES.fromApiCode(s.apiCode)).toEqual(s);
  });

  it.each(["", "factures_emises", "FACTURES", "toString", "__proto__", "constructor", "Factures émises"])(
    "knows no space %j (neither as a code nor as an API code)",
    (code) => {
      expect(CHORUS_PRO_SPACES.get(code)).toBeUndefined();
      expect(CHORUS_PRO_SPACES.fromApiCode(code)).toBeUndefined();
    },
  );

  it("cannot be changed by a host (frozen, spaces included)", () => {
    expect(Object.isFrozen(CHORUS_PRO_SPACES)).toBe(true);
    expect(Object.isFrozen(CHORUS_PRO_SPACES.spaces)).toBe(true);
    expect(CHORUS_PRO_SPACES.spaces.every((s) => Object.isFrozen(s))).toBe(true);
  });
});

describe("spaceCatalogue — a host's own catalogue", () => {
  it("given well-formed spaces, when built, then it keeps their order and finds each both ways", () => {
    const mine = unwrap(spaceCatalogue([def("FACTURES_EMISES", "Factures émises"), def("E_REPORTING", "E-reporting", "EREPORTING")]));
    expect(mine.spaces.map((s) => s.code)).toEqual(["FACTURES_EMISES", "E_REPORTING"]);
    expect(mine.get("E_REPORTING")).toEqual({ code: "E_REPORTING", label: "E-reporting", apiCode: "EREPORTING" });
    expect(mine.fromApiCode("EREPORTING")?.code).toBe("E_REPORTING");
    // Its own API code, not its code, names it on the API side.
    expect(mine.fromApiCode("E_REPORTING")).toBeUndefined();
    expect(mine.get("FACTURES_RECUES")).toBeUndefined();
  });

  it("copies what it is given: changing the definitions afterwards changes nothing", () => {
    const given = [{ code: spaceCode("A1"), label: "Espace A", apiCode: "A_1" }];
    const mine = unwrap(spaceCatalogue(given));
    given[0]!.label = "Autre";
    given.push({ code: spaceCode("B"), label: "B", apiCode: "B" });
    expect(mine.spaces).toEqual([{ code: "A1", label: "Espace A", apiCode: "A_1" }]);
    expect(Object.isFrozen(given[0])).toBe(false); // nor does it freeze the caller's objects
  });

  it("accepts the longest code (60 characters) and a one-character code", () => {
    expect(unwrap(spaceCatalogue([def("A".repeat(60), "Long"), def("7", "Court")])).spaces).toHaveLength(2);
  });

  it("reports a duplicate code or API code wherever it stands, also after a malformed space", () => {
    const e = expectErr(
      spaceCatalogue([
        { code: spaceCode("bad code"), label: "Mal formé", apiCode: "BAD" },
        { code: spaceCode("A"), label: "A", apiCode: "X" },
        { code: spaceCode("A"), label: "A bis", apiCode: "X" },
      ]),
      "VALIDATION",
    );
    expect(e.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["spaces.0.code", "invalid_format"],
      ["spaces.2.code", "duplicate"],
      ["spaces.2.apiCode", "duplicate"],
    ]);
  });

  it("refuses an empty catalogue", () => {
    expect(expectErr(spaceCatalogue([]), "VALIDATION").issues).toEqual([expect.objectContaining({ path: ["spaces"], code: "too_small" })]);
  });

  it.each([
    ["lower case", "factures"],
    ["a hyphen", "FACTURES-EMISES"],
    ["a leading underscore", "_FACTURES"],
    ["a trailing underscore", "FACTURES_"],
    ["an accent", "FACTURES_ÉMISES"],
    ["a space", "FACTURES EMISES"],
    ["61 characters", "A".repeat(61)],
    ["an empty code", ""],
  ])("refuses a bad code (%s), naming it", (_, code) => {
    const e = expectErr(spaceCatalogue([def("FACTURES_EMISES", "Factures émises"), def(code, "Espace", "API")]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 1, "code"], code: "invalid_format" })]);
  });

  it("refuses a code that is not a string", () => {
    const e = expectErr(spaceCatalogue([{ code: 42, label: "Espace", apiCode: "X" } as unknown as SpaceDefinition]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 0, "code"] })]);
  });

  it("refuses two spaces with one code", () => {
    const e = expectErr(spaceCatalogue([def("A", "Premier", "A1"), def("A", "Second", "A2")]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 1, "code"], code: "duplicate" })]);
  });

  it("refuses two spaces with one API code", () => {
    const e = expectErr(spaceCatalogue([def("A", "Premier", "SAME"), def("B", "Second", "SAME")]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 1, "apiCode"], code: "duplicate" })]);
  });

  it.each([
    ["empty", ""],
    ["spaces only", "   "],
    ["zero-width spaces only", "\u200B\u200B"],
    ["a line break", "Factures\némises"],
    ["a bidi override", "Factures \u202Eémises"],
    ["201 characters", "é".repeat(201)],
  ])("refuses a blank or bad label (%s)", (_, label) => {
    const e = expectErr(spaceCatalogue([def("A", label)]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 0, "label"], code: "invalid_label" })]);
  });

  it.each([
    ["empty", ""],
    ["a control character", "API\u0000"],
    ["101 characters", "A".repeat(101)],
  ])("refuses a bad API code (%s)", (_, apiCode) => {
    const e = expectErr(spaceCatalogue([def("A", "Espace", apiCode)]), "VALIDATION");
    expect(e.issues).toEqual([expect.objectContaining({ path: ["spaces", 0, "apiCode"], code: "invalid_format" })]);
  });

  it("lists every problem of a bad space at once, and refuses the catalogue", () => {
    const e = expectErr(spaceCatalogue([def("B", "B", "B"), def("a", " ", "")]), "VALIDATION");
    expect(e.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["spaces.1.code", "invalid_format"],
      ["spaces.1.label", "invalid_label"],
      ["spaces.1.apiCode", "invalid_format"],
    ]);
    // A duplicate after a bad space is refused too (reported or not, no catalogue comes out).
    expect(spaceCatalogue([def("a", "A"), def("B", "B"), def("B", "C")]).ok).toBe(false);
  });
});

describe("spaceCatalogue — what each refusal says, and its bounds exactly", () => {
  it("says why in each issue: the message of every refusal", () => {
    expect(expectErr(spaceCatalogue([]), "VALIDATION").issues).toEqual([
      { path: ["spaces"], code: "too_small", message: "un catalogue a au moins un espace" },
    ]);
    const e = expectErr(spaceCatalogue([def("A", "A", "X"), def("a", " ", ""), def("A", "A bis", "X")]), "VALIDATION");
    expect(e.issues).toEqual([
      { path: ["spaces", 1, "code"], code: "invalid_format", message: "un code d'espace est fait de A-Z, 0-9 et _ (1 à 60)" },
      { path: ["spaces", 1, "label"], code: "invalid_label", message: "un libellé est une ligne visible" },
      { path: ["spaces", 1, "apiCode"], code: "invalid_format", message: "un code d'API est une ligne de 1 à 100 caractères" },
      { path: ["spaces", 2, "code"], code: "duplicate", message: "deux espaces ont le même code" },
      { path: ["spaces", 2, "apiCode"], code: "duplicate", message: "deux espaces ont le même code d'API" },
    ]);
  });

  it("given a missing space (null) from a host's JavaScript, refuses each of its fields without throwing", () => {
    const e = expectErr(spaceCatalogue([def("A", "A"), null as unknown as SpaceDefinition]), "VALIDATION");
    expect(e.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["spaces.1.code", "invalid_format"],
      ["spaces.1.label", "invalid_label"],
      ["spaces.1.apiCode", "invalid_format"],
    ]);
  });

  it("refuses a label or an API code that is not a string", () => {
    const e = expectErr(spaceCatalogue([{ code: spaceCode("A"), label: 42, apiCode: 42 } as unknown as SpaceDefinition]), "VALIDATION");
    expect(e.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["spaces.0.label", "invalid_label"],
      ["spaces.0.apiCode", "invalid_format"],
    ]);
  });

  it("accepts a label of 200 characters and an API code of 100, and no more", () => {
    expect(spaceCatalogue([def("A", "é".repeat(200), "P".repeat(100))]).ok).toBe(true);
    expect(expectErr(spaceCatalogue([def("A", "é".repeat(201))]), "VALIDATION").issues.map((i) => i.path.join("."))).toEqual(["spaces.0.label"]);
    expect(expectErr(spaceCatalogue([def("A", "A", "P".repeat(101))]), "VALIDATION").issues.map((i) => i.path.join("."))).toEqual(["spaces.0.apiCode"]);
  });

  it("an API code is one line: a line break or a tab in it is refused", () => {
    for (const apiCode of ["API\nCODE", "API\tCODE", "API\rCODE"]) {
      expect(expectErr(spaceCatalogue([def("A", "A", apiCode)]), "VALIDATION").issues).toEqual([
        expect.objectContaining({ path: ["spaces", 0, "apiCode"], code: "invalid_format" }),
      ]);
    }
  });
});

describe("checkSpaces — the codes a command names, against the catalogue", () => {
  it("echoes an unknown code of up to 60 characters whole, a longer one cut to 59 and an ellipsis", () => {
    const e = expectErr(checkSpaces(CHORUS_PRO_SPACES, ["N".repeat(60), "N".repeat(61)], ["items"]), "VALIDATION");
    expect(e.issues).toEqual([
      { path: ["items", 0, "space"], code: "unknown_space", message: `n'est pas un espace du catalogue : ${"N".repeat(60)}` },
      { path: ["items", 1, "space"], code: "unknown_space", message: `n'est pas un espace du catalogue : ${"N".repeat(59)}…` },
    ]);
  });

  it("lists the first 20 unknown codes, no more", () => {
    const codes = Array.from({ length: 25 }, (_, i) => `NOPE_${i}`);
    const e = expectErr(checkSpaces(CHORUS_PRO_SPACES, codes, ["items"]), "VALIDATION");
    expect(e.issues.map((i) => i.path)).toEqual(Array.from({ length: 20 }, (_, i) => ["items", i, "space"]));
  });

  it("gives back the codes when each is in the catalogue", () => {
    expect(unwrap(checkSpaces(CHORUS_PRO_SPACES, ["FACTURES_RECUES", "FACTURES_EMISES"], ["items"]))).toEqual(["FACTURES_RECUES", "FACTURES_EMISES"]);
  });

  it("names each unknown code at its position, with the code unknown_space", () => {
    const e = expectErr(checkSpaces(CHORUS_PRO_SPACES, ["FACTURES_RECUES", "E_REPORTING", "NOPE"], ["items"]), "VALIDATION");
    expect(e.issues.map((i) => [i.path, i.code])).toEqual([
      [["items", 1, "space"], "unknown_space"],
      [["items", 2, "space"], "unknown_space"],
    ]);
    expect(e.issues[0]?.message).toContain("E_REPORTING");
  });

  it("a custom catalogue knows its own spaces only: Chorus Pro's are then unknown", () => {
    const mine = unwrap(spaceCatalogue([def("E_REPORTING", "E-reporting")]));
    expect(checkSpaces(mine, ["E_REPORTING"], []).ok).toBe(true);
    expect(expectErr(checkSpaces(mine, ["FACTURES_RECUES"], ["space"], null), "VALIDATION").issues).toEqual([
      expect.objectContaining({ path: ["space", 0], code: "unknown_space" }),
    ]);
  });
});

describe("access levels — « Consultation » and « Modification »", () => {
  it("labels read « Consultation » and write « Modification »", () => {
    expect(accessLevelLabel.read).toBe("Consultation");
    expect(accessLevelLabel.write).toBe("Modification");
  });

  it("maps to Chorus Pro's codes and back", () => {
    expect(accessLevelToApiCode("read")).toBe("CONSULTATION_UNIQUEMENT");
    expect(accessLevelToApiCode("write")).toBe("MODIFICATION");
    expect(accessLevelFromApiCode("CONSULTATION_UNIQUEMENT")).toBe("read");
    expect(accessLevelFromApiCode("MODIFICATION")).toBe("write");
    expect(accessLevelFromApiCode("LECTURE")).toBeUndefined();
    expect(accessLevelFromApiCode("read")).toBeUndefined();
  });

  it("write includes read; read does not give write", () => {
    expect(accessCovers("write", "write")).toBe(true);
    expect(accessCovers("write", "read")).toBe(true);
    expect(accessCovers("read", "read")).toBe(true);
    expect(accessCovers("read", "write")).toBe(false);
  });
});
