/**
 * The catalogue of spaces (« espaces »): the feature areas a user may be given access
 * to. Chorus Pro's defaults are built in; a host with other spaces (a plateforme agréée)
 * passes its own catalogue to `createHabilitations({ spaces })`.
 */
import type { DomainError, ValidationIssue } from "../errors.js";
import type { SpaceCode } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import { isBlank, textProblem } from "../text.js";

/** One space of a catalogue. */
export interface SpaceDefinition {
  /** The code the library stores (`A–Z`, `0–9`, `_`; 1 to 60 characters). */
  readonly code: SpaceCode;
  /** The French label screens show (« Factures émises »). */
  readonly label: string;
  /** The code of the same space in the portal's API. */
  readonly apiCode: string;
}

/** The spaces a deployment knows, in display order, with lookups by code and API code. */
export interface SpaceCatalogue {
  readonly spaces: readonly SpaceDefinition[];
  /** The space with this code, if the catalogue has it. */
  get(code: string): SpaceDefinition | undefined;
  /** The space whose API code this is, if any. */
  fromApiCode(apiCode: string): SpaceDefinition | undefined;
}

/** The pattern of a space code. */
export const SPACE_CODE_PATTERN = /^[A-Z0-9](?:[A-Z0-9_]{0,58}[A-Z0-9])?$/;

/**
 * Builds a catalogue from its spaces, checking them: codes well formed and unique, API
 * codes unique, labels one visible line.
 *
 * @example
 * ```ts
 * const mine = spaceCatalogue([
 *   { code: spaceCode("FACTURES_EMISES"), label: "Factures émises", apiCode: "FACTURES_EMISES" },
 *   { code: spaceCode("E_REPORTING"), label: "E-reporting", apiCode: "EREPORTING" },
 * ]);
 * if (mine.ok) mine.value.get("E_REPORTING")?.label; // "E-reporting"
 * ```
 */
export function spaceCatalogue(spaces: readonly SpaceDefinition[]): Result<SpaceCatalogue, DomainError> {
  const issues: ValidationIssue[] = [];
  const byCode = new Map<string, SpaceDefinition>();
  const byApi = new Map<string, SpaceDefinition>();
  if (!Array.isArray(spaces) || spaces.length === 0)
    return err({ code: "VALIDATION", issues: [{ path: ["spaces"], code: "too_small", message: "un catalogue a au moins un espace" }] });
  spaces.forEach((space, i) => {
    
    const code: unknown = space?.code;
    const apiCode: unknown = space?.apiCode;
    if (typeof code !== "string" || !SPACE_CODE_PATTERN.test(code))
      issues.push({ path: ["spaces", i, "code"], code: "invalid_format", message: "un code d'espace est fait de A-Z, 0-9 et _ (1 à 60)" });
    else if (byCode.has(code)) issues.push({ path: ["spaces", i, "code"], code: "duplicate", message: "deux espaces ont le même code" });
    if (typeof space?.label !== "string" || isBlank(space.label) || textProblem(space.label, "line") !== null || space.label.length > 200)
      issues.push({ path: ["spaces", i, "label"], code: "invalid_label", message: "un libellé est une ligne visible" });
    if (typeof apiCode !== "string" || apiCode.length === 0 || apiCode.length > 100 || textProblem(apiCode, "line") !== null)
      issues.push({ path: ["spaces", i, "apiCode"], code: "invalid_format", message: "un code d'API est une ligne de 1 à 100 caractères" });
    else if (byApi.has(apiCode)) issues.push({ path: ["spaces", i, "apiCode"], code: "duplicate", message: "deux espaces ont le même code d'API" });
    // Every code is remembered, so a duplicate is reported wherever it stands.
    const copy = Object.freeze({ code: code as SpaceCode, label: space?.label as string, apiCode: apiCode as string });
    // Stryker disable next-line ConditionalExpression,LogicalOperator: made true (or ||), equivalent: the test fails only for a code that is not a string or already taken, which has an issue above, so no catalogue comes out; a later space with that code still finds it taken. (Made false, killed; it shares the line.)
    if (typeof code === "string" && !byCode.has(code)) byCode.set(code, copy);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: made true (or ||), equivalent, as for the code above.
    if (typeof apiCode === "string" && !byApi.has(apiCode)) byApi.set(apiCode, copy);

  });
  if (issues.length > 0) return err({ code: "VALIDATION", issues });
  const list = Object.freeze([...byCode.values()]);
  return ok(
    Object.freeze({
      spaces: list,
      get: (code: string) => byCode.get(code),
      fromApiCode: (apiCode: string) => byApi.get(apiCode),
    }),
  );
}

const chorusPro = spaceCatalogue([
  { code: "FACTURES_EMISES" as SpaceCode, label: "Factures émises", apiCode: "FACTURES_EMISES" },
  { code: "FACTURES_RECUES" as SpaceCode, label: "Factures reçues", apiCode: "FACTURES_RECUES" },
  { code: "FACTURES_A_VALIDER" as SpaceCode, label: "Factures à valider", apiCode: "FACTURES_A_VALIDER" },
  { code: "SOLLICITATIONS_EMISES" as SpaceCode, label: "Sollicitations émises", apiCode: "SOLLICITATIONS_EMISES" },
  { code: "SOLLICITATIONS_RECUES" as SpaceCode, label: "Sollicitations reçues", apiCode: "SOLLICITATIONS_RECUES" },
]);

/**
 * Chorus Pro's spaces: « Factures émises », « Factures reçues », « Factures à valider »,
 * « Sollicitations émises », « Sollicitations reçues ». (The API codes follow the naming
 * of Chorus Pro's other codes; check them against the API description you integrate with.)
 *
 * @example
 * ```ts
 * CHORUS_PRO_SPACES.get("FACTURES_RECUES")?.label; // "Factures reçues"
 * ```
 */
export const CHORUS_PRO_SPACES: SpaceCatalogue = (chorusPro as { ok: true; value: SpaceCatalogue }).value;

/**
 * Checks that every space named is in the catalogue: `VALIDATION` naming each unknown one
 * (`path` ends with the position given), else the codes.
 *
 * @example
 * ```ts
 * checkSpaces(CHORUS_PRO_SPACES, [spaceCode("FACTURES_EMISES"), spaceCode("NOPE")], ["items"]);
 * // err({ code: "VALIDATION", issues: [{ path: ["items", 1, "space"], code: "unknown_space", … }] })
 * ```
 */
export function checkSpaces(
  catalogue: SpaceCatalogue,
  codes: readonly string[],
  path: readonly (string | number)[],
  field: string | null = "space",
): Result<readonly SpaceCode[], DomainError> {
  const issues: ValidationIssue[] = [];
  codes.forEach((code, i) => {
    if (catalogue.get(code) === undefined)
      issues.push({
        path: field === null ? [...path, i] : [...path, i, field],
        code: "unknown_space",
        message: `n'est pas un espace du catalogue : ${code.length > 60 ? `${code.slice(0, 59)}…` : code}`,
      });
  });
  return issues.length > 0 ? err({ code: "VALIDATION", issues: issues.slice(0, 20) }) : ok(codes as readonly SpaceCode[]);
}
