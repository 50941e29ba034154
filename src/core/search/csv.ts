// The CSV export of users (guide §5, « Exporter un fichier CSV »): RFC 4180, with cells
// neutralised against formula injection. Pure formatting; the streaming is the
// application layer's.
import type { StructureId } from "../ids.js";
import type { Attachment, Structure, User } from "../model.js";
import { calendarDate, isInForce, type Instant, type LocalDate } from "../time.js";
import { parseISO } from "date-fns/parseISO";
import { isUserInForceOf } from "../accounts/activation.js";
import { roleIn } from "../authorization.js";
import { accountStatusLabel, roleLabel } from "../vocabulary.js";

/** How the CSV is written: `;` and a UTF-8 byte order mark by default, for French spreadsheets. */
export interface CsvOptions {
  /** The field separator: `;` (default) or `,`. */
  readonly separator: ";" | ",";
  /** Start with a UTF-8 byte order mark (default `true`), so that spreadsheets read accents right. */
  readonly bom: boolean;
}

/** The default {@link CsvOptions}. */
export const DEFAULT_CSV_OPTIONS: CsvOptions = Object.freeze({ separator: ";", bom: true });

/** The export's columns, with their French headers. */
export const USER_EXPORT_HEADERS = [
  "nom",
  "prénom",
  "adresse de connexion",
  "adresse de contact",
  "téléphone",
  "statut",
  "structures (rôle)",
  "date de création",
] as const;

/**
 * What the CSV export reads of a user, and nothing more: the cells it writes (names,
 * logins, phone, status, creation date) and what its judgments read (the attachments'
 * structures, roles and validity starts, the structure the account was created for, the
 * id: whether the user is one of the actor's, in force, primary manager). A store gives
 * these for a search page (`HabilitationsStore.exportRows`); a {@link User} is one too.
 */
export interface UserExportRow {
  readonly id: User["id"];
  readonly lastName: string;
  readonly firstName: string;
  readonly login: string;
  readonly contactEmail: string;
  readonly phone: string | null;
  readonly status: User["status"];
  readonly createdAt: Instant;
  readonly createdFor: StructureId | null;
  readonly attachments: readonly ExportedAttachment[];
}

/** What the export reads of an attachment: its structure, stored role and validity (start and end). */
export type ExportedAttachment = Pick<Attachment, "structureId" | "role" | "validFrom" | "validUntil">;

/**
 * The export's projection of a user: a new object with exactly the fields of
 * {@link UserExportRow}, the attachments reduced to theirs, in their order. What a store's
 * `exportRows` must give for each user `searchUsers` finds.
 *
 * @example
 * ```ts
 * userExportRow(elodie);
 * // { id, lastName: "Lefèvre", firstName: "Élodie", login, contactEmail, phone: null, status: "active",
 * //   createdAt, createdFor: null, attachments: [{ structureId: mairie.id, role: "user", validFrom: "2026-11-27", validUntil: null }] }
 * ```
 */
export function userExportRow(user: UserExportRow): UserExportRow {
  return {
    id: user.id,
    lastName: user.lastName,
    firstName: user.firstName,
    login: user.login,
    contactEmail: user.contactEmail,
    phone: user.phone,
    status: user.status,
    createdAt: user.createdAt,
    createdFor: user.createdFor,
    attachments: user.attachments.map((a) => ({ structureId: a.structureId, role: a.role, validFrom: a.validFrom, validUntil: a.validUntil })),
  };
}

/** Whether a character code is `=`, `+`, `-`, `@`, a tab or a carriage return. */
const isFormulaStart = (c: number) => c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;

/**
 * Whether a value starts with `=`, `+`, `-`, `@`, a tab or a carriage return, or with a
 * character a spreadsheet may read as one of them: one whose compatibility form (NFKC)
 * is one (full-width ＝＋－＠, small ﹦﹢﹣﹫), or the minus sign −.
 */
function startsLikeFormula(value: string): boolean {
  const c = value.charCodeAt(0);
  // Stryker disable next-line EqualityOperator: the >= made > is equivalent: it changes the path of U+0080 alone, whose NFKC form is itself, so both paths answer isFormulaStart(0x80), false. (The < is killed; it shares the line.)
  if (!(c >= 0x80)) return isFormulaStart(c); // ASCII, or NaN for ""
  if (c === 0x2212) return true;
  return isFormulaStart(String.fromCodePoint(value.codePointAt(0) as number).normalize("NFKC").charCodeAt(0));
}

const NEEDS_QUOTES: Readonly<Record<";" | ",", RegExp>> = { ";": /[";\r\n]/, ",": /[",\r\n]/ };

/**
 * A cell made inert for spreadsheets (OWASP, CSV injection): a value starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return — or with a character a spreadsheet may
 * normalise to one of them (full-width ＝＋－＠, small ﹦﹢﹣﹫, the minus sign −) — gets
 * a leading `'`, so a phone « +33 … » is exported as « '+33 … ». Other values are
 * unchanged.
 *
 * @example
 * ```ts
 * neutralizeCell("=HYPERLINK(\"http://x\")"); // "'=HYPERLINK(\"http://x\")"
 * neutralizeCell("+33 4 72 10 30 30"); // "'+33 4 72 10 30 30"
 * neutralizeCell("＝1+1"); // "'＝1+1"
 * ```
 */
export function neutralizeCell(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}

/**
 * One cell as RFC 4180 writes it: neutralised, then quoted when it holds the separator,
 * a double quote, a carriage return or a line feed (double quotes doubled).
 *
 * @example
 * ```ts
 * csvCell("Dupont; fils", ";"); // "\"Dupont; fils\""
 * csvCell("Le \"Grand\"", ";"); // "\"Le \"\"Grand\"\"\""
 * ```
 */
export function csvCell(value: string, separator: ";" | ","): string {
  const safe = neutralizeCell(value);
  return NEEDS_QUOTES[separator].test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * One CSV record, ended by CRLF.
 *
 * @example
 * ```ts
 * csvLine(["Lefèvre", "Élodie"], ";"); // "Lefèvre;Élodie\r\n"
 * ```
 */
export function csvLine(cells: readonly string[], separator: ";" | ","): string {
  let line = "";
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += separator;
    line += csvCell(cells[i] as string, separator);
  }
  return `${line}\r\n`;
}

/**
 * The creation date of the export: the French calendar date (`dd/mm/yyyy`) of an instant
 * in `timeZone`.
 *
 * @example
 * ```ts
 * exportDate("2026-11-27T23:30:00.000Z" as Instant, "Europe/Paris"); // "28/11/2026"
 * ```
 */
export function exportDate(at: Instant, timeZone: string): string {
  const day = calendarDate(parseISO(at), timeZone);
  return day === null ? "" : `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

/**
 * Whether the export may show a user's personal columns (contact address, phone) to the
 * managers of `structures`: the user is one of theirs in force (`isUserInForceOf`) in one
 * of them. A user attached from a future date is listed, as a member is, but their
 * personal information is not read before the attachment takes effect.
 */
function personalColumnsShown(user: User, structures: Iterable<Structure>, today: LocalDate): boolean {
  for (const s of structures) if (isUserInForceOf(user, s.id, today)) return true;
  return false;
}

/**
 * The cells of one user in the export: names, logins, phone, status (French label), the
 * structures of the exporting manager the user belongs to with their role, the creation
 * date as `dateOf` writes it ({@link exportDate}, which a caller may memoise). Only the
 * structures given appear: the manager's own. The contact address and the phone are
 * empty unless the user is one of those structures' users in force on `today`.
 *
 * @example
 * ```ts
 * userExportCells(elodie, [mairie], (at) => exportDate(at, "Europe/Paris"), localDate("2026-11-27"));
 * // ["Lefèvre", "Élodie", "elodie.lefevre@…", "elodie.lefevre@…", "", "Actif", "Mairie de Lyon (Utilisateur simple)", "27/11/2026"]
 * ```
 */
export function userExportCells(user: User, structures: readonly Structure[], dateOf: (at: Instant) => string, today: LocalDate): string[] {
  const memberships: string[] = [];
  for (const structure of structures) {
    const role = roleIn(structure, user);
    if (role !== null) memberships.push(`${structure.designation} (${roleLabel[role]})`);
    else if (user.createdFor === structure.id) memberships.push(`${structure.designation} (compte créé, non rattaché)`);
  }
  const personal = personalColumnsShown(user, structures, today);
  return [
    user.lastName,
    user.firstName,
    user.login,
    personal ? user.contactEmail : "",
    personal ? (user.phone ?? "") : "",
    accountStatusLabel[user.status],
    memberships.join(", "),
    dateOf(user.createdAt),
  ];
}

/**
 * The structures among `structures` (by id) a user belongs to (attached, or created for),
 * for {@link userExportCells}: an export row of the actor's only when this is not empty.
 *
 * @example
 * ```ts
 * exportStructuresOf(farid, new Map([[mairie.id, mairie], [librairie.id, librairie]])); // [librairie, mairie]
 * ```
 */
export function exportStructuresOf(user: UserExportRow, structures: ReadonlyMap<StructureId, Structure>): Structure[] {
  const found: Structure[] = [];
  for (const a of user.attachments) {
    const s = structures.get(a.structureId);
    if (s !== undefined) found.push(s);
  }
  // The structure the account was created for, unless attached to it (as `accountStructures`).
  const createdFor = user.createdFor === null ? undefined : structures.get(user.createdFor);
  if (createdFor !== undefined && !user.attachments.some((a) => a.structureId === user.createdFor)) found.push(createdFor);
  return found;
}

/**
 * One user's CSV record, as `csvLine(userExportCells(user, exportStructuresOf(user,
 * structures), dateOf, today), separator)` writes it, in one pass and without
 * intermediate arrays: what the export writes a million times.
 *
 * @example
 * ```ts
 * userExportLine(elodie, new Map([[mairie.id, mairie]]), (at) => exportDate(at, "Europe/Paris"), ";", localDate("2026-11-27"));
 * // "Lefèvre;Élodie;elodie.lefevre@…;…;;Actif;Mairie de Lyon (Utilisateur simple);27/11/2026\r\n"
 * ```
 */
export function userExportLine(
  user: UserExportRow,
  structures: ReadonlyMap<StructureId, Structure>,
  dateOf: (at: Instant) => string,
  separator: ";" | ",",
  today: LocalDate,
): string {
  let memberships = "";
  let personal = false;
  for (const a of user.attachments) {
    const s = structures.get(a.structureId);
    if (s === undefined) continue;
    if (isInForce(a.validFrom, today, a.validUntil)) personal = true;
    const role = s.primaryManagerId === user.id ? "primaryManager" : a.role;
    memberships += `${memberships === "" ? "" : ", "}${s.designation} (${roleLabel[role]})`;
  }
  // Stryker disable next-line ConditionalExpression: made true, equivalent: structures.get(null) is undefined (a map of structures has no null key), and both uses below need a structure. (Made false, killed; it shares the line.)
  if (user.createdFor !== null) {
    const s = structures.get(user.createdFor);
    if (s !== undefined && user.status === "pendingActivation") personal = true;
    if (s !== undefined && !user.attachments.some((a) => a.structureId === user.createdFor)) {
      // Not attached to it: primary manager if the structure names them (as `roleIn`), else no role.
      const role = s.primaryManagerId === user.id ? roleLabel.primaryManager : "compte créé, non rattaché";
      memberships += `${memberships === "" ? "" : ", "}${s.designation} (${role})`;
    }
  }
  return (
    csvCell(user.lastName, separator) +
    separator +
    csvCell(user.firstName, separator) +
    separator +
    csvCell(user.login, separator) +
    separator +
    (personal ? csvCell(user.contactEmail, separator) : "") +
    separator +
    (personal ? csvCell(user.phone ?? "", separator) : "") +
    separator +
    csvCell(accountStatusLabel[user.status], separator) +
    separator +
    csvCell(memberships, separator) +
    separator +
    csvCell(dateOf(user.createdAt), separator) +
    "\r\n"
  );
}
