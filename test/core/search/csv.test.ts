// SPEC §3.5, the CSV export: RFC 4180, `;` by default or `,`, cells starting with `=`,
// `+`, `-`, `@`, a tab or a carriage return — or with a character a spreadsheet may
// normalise to one (full-width ＝＋－＠, small ﹦﹢﹣﹫, the minus sign −) — neutralised
// with a leading `'`. What we write is read back with a real CSV parser (csv-parse),
// never with our own.
import { fc, test } from "@fast-check/vitest";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  csvCell,
  csvLine,
  DEFAULT_CSV_OPTIONS,
  exportDate,
  exportStructuresOf,
  neutralizeCell,
  structureId,
  USER_EXPORT_HEADERS,
  userExportCells,
  userExportLine,
  userExportRow,
  userId,
  localDate,
  type Instant,
  type LocalDate,
  type Structure,
  type User,
} from "../../../src/core/index.js";

const SEPARATORS = [";", ","] as const;
const read = (text: string, separator: ";" | ","): string[][] => parse(text, { delimiter: separator, bom: true });

describe("neutralizeCell", () => {
  it.each([
    ["+33 4 72 10 30 30", "'+33 4 72 10 30 30"],
    ["=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"],
    ["=1+1", "'=1+1"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", "'\rcmd"],
    // Characters a spreadsheet may normalise to a formula starter.
    ["＝1+1", "'＝1+1"],
    ["＋33 4 72 10 30 30", "'＋33 4 72 10 30 30"],
    ["－2", "'－2"],
    ["＠SUM(A1)", "'＠SUM(A1)"],
    ["﹦1+1", "'﹦1+1"],
    ["﹢1", "'﹢1"],
    ["﹣1", "'﹣1"],
    ["﹫SUM(A1)", "'﹫SUM(A1)"],
    ["−2", "'−2"],
  ])("neutralises %j as %j", (value, expected) => {
    expect(neutralizeCell(value)).toBe(expected);
  });

  it.each(["", "Lefèvre", "Jean-Pierre", " =1+1", "a=b", "'=1", "0472103030", "\n=1", "élodie@mairie-lyon.fr", "Ｌｅｆèｖｒｅ", "（1）", "a＝b", "–2", "—2"])("leaves %j alone", (value) => {
    expect(neutralizeCell(value)).toBe(value);
  });
});

describe("csvCell and csvLine", () => {
  it("quotes a cell holding the separator, a double quote, CR or LF, double quotes doubled", () => {
    expect(csvCell("Dupont; fils", ";")).toBe('"Dupont; fils"');
    expect(csvCell("Dupont; fils", ",")).toBe("Dupont; fils");
    expect(csvCell("Dupont, fils", ",")).toBe('"Dupont, fils"');
    expect(csvCell('Le "Grand"', ";")).toBe('"Le ""Grand"""');
    expect(csvCell("a\nb", ";")).toBe('"a\nb"');
    expect(csvCell("a\rb", ";")).toBe('"a\rb"');
    expect(csvCell("Lefèvre", ";")).toBe("Lefèvre");
  });

  it("neutralises before quoting", () => {
    expect(csvCell('=cmd|"/c calc"!A1', ";")).toBe(`"'=cmd|""/c calc""!A1"`);
    expect(csvCell("\r\n=1", ";")).toBe(`"'\r\n=1"`);
  });

  it("ends a record with CRLF and joins with the separator", () => {
    expect(csvLine(["Lefèvre", "Élodie"], ";")).toBe("Lefèvre;Élodie\r\n");
    expect(csvLine(["Lefèvre", "Élodie"], ",")).toBe("Lefèvre,Élodie\r\n");
    expect(csvLine(["+33 6", "a;b", ""], ";")).toBe(`'+33 6;"a;b";\r\n`);
  });

  it("defaults to `;` and a byte order mark, for French spreadsheets", () => {
    expect(DEFAULT_CSV_OPTIONS).toEqual({ separator: ";", bom: true });
  });

  it("writes French headers that csv-parse reads back", () => {
    expect(read(`\uFEFF${csvLine(USER_EXPORT_HEADERS, ";")}`, ";")).toEqual([[...USER_EXPORT_HEADERS]]);
    expect(USER_EXPORT_HEADERS).toEqual([
      "nom",
      "prénom",
      "adresse de connexion",
      "adresse de contact",
      "téléphone",
      "statut",
      "structures (rôle)",
      "date de création",
    ]);
  });
});

// ------------------------------------------------------------------------ properties

/** Units that stress RFC 4180 and formula injection: quotes, both separators, line ends, formula starters, accents, emoji. */
const UNITS = [
  '"', ";", ",", "\r", "\n", "\r\n", "\t", "=", "+", "-", "@", "'", " ", "a", "Z", "0", "é", "É", "œ", "ß", "😀", "👩‍💻", "中",
  "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫", "−", "Ａ", "–",
] as const;
const cellArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
);
const cellsArb = fc.array(cellArb, { minLength: 1, maxLength: 8 });

let starters: ReadonlySet<number> | undefined;
/**
 * The reference's formula starters, drawn from the whole of Unicode once: every code point
 * whose compatibility form (NFKC, what a spreadsheet may apply) starts with =, +, -, @, a
 * tab or a carriage return, and the minus sign − (U+2212).
 */
function formulaStarters(): ReadonlySet<number> {
  if (starters !== undefined) return starters;
  const found = new Set<number>([0x2212]);
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if ("=+-@\t\r".includes(String.fromCodePoint(cp).normalize("NFKC")[0] ?? "")) found.add(cp);
  }
  return (starters = found);
}
const startsLikeFormula = (cell: string) => cell !== "" && formulaStarters().has(cell.codePointAt(0)!);

describe("csvLine — read back by csv-parse", () => {
  for (const separator of SEPARATORS) {
    test.prop([cellsArb])(`one record with "${separator}" gives exactly the neutralised cells`, (cells) => {
      expect(read(csvLine(cells, separator), separator)).toEqual([cells.map(neutralizeCell)]);
    });

    test.prop([cellsArb.chain((first) => fc.tuple(fc.constant(first), fc.array(fc.array(cellArb, { minLength: first.length, maxLength: first.length }), { maxLength: 5 }))), fc.boolean()])(
      `records after a byte order mark or not, with "${separator}", give exactly the neutralised rows`,
      ([first, rest], bom) => {
        const rows = [first, ...rest];
        const text = `${bom ? "\uFEFF" : ""}${rows.map((r) => csvLine(r, separator)).join("")}`;
        expect(read(text, separator)).toEqual(rows.map((r) => r.map(neutralizeCell)));
      },
    );
  }

  test.prop([cellArb])(
    "neutralizeCell prefixes `'` exactly to a cell starting with =, +, -, @, tab or CR or a character whose compatibility form starts with one (or −), and changes nothing else",
    (cell) => {
      const out = neutralizeCell(cell);
      if (startsLikeFormula(cell)) expect(out).toBe(`'${cell}`);
      else expect(out).toBe(cell);
      // What a spreadsheet would see first is never a formula starter, nor one it may normalise to.
      expect(startsLikeFormula(out)).toBe(false);
    },
  );

  it("the reference's starters hold the full-width and small forms and the minus sign", () => {
    for (const c of "=+-@\t\r＝＋－＠﹦﹢﹣﹫−") expect(formulaStarters().has(c.codePointAt(0)!), c).toBe(true);
    for (const c of "'aＡ–—（") expect(formulaStarters().has(c.codePointAt(0)!), c).toBe(false);
  });
});

// ----------------------------------------------------------------- a user's cells

describe("userExportCells", () => {
  const mairie: Structure = {
    id: structureId("s-1"),
    designation: "Mairie de Lyon",
    kind: "public",
    viaPigp: false,
    identifier: { type: "siret", value: "21690123100011" },
    primaryManagerId: userId("u-alice"),
    openSpaces: [],
    createdAt: "2026-01-01T00:00:00.000Z" as Structure["createdAt"],
  };
  const librairie: Structure = { ...mairie, id: structureId("s-2"), designation: "Librairie Dupont", kind: "private" };
  const elodie: User = {
    id: userId("u-1"),
    login: "elodie.lefevre@mairie-lyon.fr",
    contactEmail: "elodie@perso.fr",
    lastName: "Lefèvre",
    firstName: "Élodie",
    status: "active",
    attachments: [
      {
        structureId: mairie.id,
        role: "user",
        scope: { kind: "structure" },
        validFrom: "2026-11-27" as User["attachments"][number]["validFrom"],
        attachedBy: userId("u-alice"),
        attachedAt: "2026-11-27T08:00:00.000Z" as User["attachments"][number]["attachedAt"],
        validUntil: null,
        endNotice: null,
      },
    ],
    grants: [],
    phone: "+33 4 72 10 30 30",
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: librairie.id,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: "2026-11-27T23:30:00.000Z" as User["createdAt"],
  };
  const structures = new Map([
    [mairie.id, mairie],
    [librairie.id, librairie],
  ]);

  /** The day Élodie's attachment to the town hall takes effect. */
  const today = localDate("2026-11-27");

  it("writes names, logins, phone, French status, the given structures with the role, the Paris creation date", () => {
    const cells = userExportCells(elodie, exportStructuresOf(elodie, structures), (at) => exportDate(at, "Europe/Paris"), today);
    expect(cells).toEqual([
      "Lefèvre",
      "Élodie",
      "elodie.lefevre@mairie-lyon.fr",
      "elodie@perso.fr",
      "+33 4 72 10 30 30",
      "Actif",
      "Mairie de Lyon (Utilisateur simple), Librairie Dupont (compte créé, non rattaché)",
      "28/11/2026",
    ]);
    expect(read(csvLine(cells, ";"), ";")[0]?.[4]).toBe("'+33 4 72 10 30 30");
  });

  it("names only the structures it is given: none of the others", () => {
    const cells = userExportCells(elodie, exportStructuresOf(elodie, new Map([[mairie.id, mairie]])), () => "", today);
    expect(cells[6]).toBe("Mairie de Lyon (Utilisateur simple)");
    expect(cells.join("|")).not.toContain("Librairie");
  });

  it("a user attached from a future date is listed, but without contact address nor phone until the attachment takes effect", () => {
    const cells = userExportCells(elodie, exportStructuresOf(elodie, structures), () => "", localDate("2026-11-26"));
    expect(cells.slice(2, 7)).toEqual(["elodie.lefevre@mairie-lyon.fr", "", "", "Actif", "Mairie de Lyon (Utilisateur simple), Librairie Dupont (compte créé, non rattaché)"]);
    expect(userExportLine(elodie, structures, () => "", ";", localDate("2026-11-26"))).toBe(
      "Lefèvre;Élodie;elodie.lefevre@mairie-lyon.fr;;;Actif;Mairie de Lyon (Utilisateur simple), Librairie Dupont (compte créé, non rattaché);\r\n",
    );
  });

  it("an account created for a structure shows its personal columns to that structure while pending activation only", () => {
    const librairieOnly = new Map([[librairie.id, librairie]]);
    const pending: User = { ...elodie, status: "pendingActivation", attachments: [] };
    expect(userExportCells(pending, exportStructuresOf(pending, librairieOnly), () => "", today).slice(3, 5)).toEqual(["elodie@perso.fr", "+33 4 72 10 30 30"]);
    const active: User = { ...pending, status: "active" };
    expect(userExportCells(active, exportStructuresOf(active, librairieOnly), () => "", today).slice(3, 5)).toEqual(["", ""]);
  });

  test.prop([
    fc.record({
      lastName: fc.string(),
      firstName: fc.string(),
      phone: fc.option(fc.string(), { nil: null }),
      primary: fc.boolean(),
      primaryOfLibrairie: fc.boolean(),
      role: fc.constantFrom("user" as const, "secondaryManager" as const),
      attachedToMairie: fc.boolean(),
      attachedToLibrairie: fc.boolean(),
      createdFor: fc.constantFrom(null, librairie.id, mairie.id),
      status: fc.constantFrom("pendingActivation" as const, "active" as const, "deactivated" as const),
      only: fc.boolean(),
      validFrom: fc.constantFrom("2026-11-26", "2026-11-27", "2026-11-28"),
      today: fc.constantFrom("2026-11-26", "2026-11-27", "2026-11-28"),
    }),
    fc.constantFrom(...SEPARATORS),
  ])("userExportLine writes exactly csvLine of userExportCells, whatever the user and the day", (u, separator) => {
    const user: User = {
      ...elodie,
      lastName: u.lastName,
      firstName: u.firstName,
      phone: u.phone,
      status: u.status,
      createdFor: u.createdFor,
      attachments: [
        ...(u.attachedToMairie ? [{ ...(elodie.attachments[0] as User["attachments"][number]), role: u.role, validFrom: localDate(u.validFrom) }] : []),
        ...(u.attachedToLibrairie ? [{ ...(elodie.attachments[0] as User["attachments"][number]), structureId: librairie.id }] : []),
      ],
    };
    const given = new Map(u.only ? [[mairie.id, { ...mairie, primaryManagerId: u.primary ? user.id : mairie.primaryManagerId }]] : [
      [mairie.id, { ...mairie, primaryManagerId: u.primary ? user.id : mairie.primaryManagerId }],
      [librairie.id, { ...librairie, primaryManagerId: u.primaryOfLibrairie ? user.id : librairie.primaryManagerId }],
    ]);
    const dateOf = (at: Instant) => exportDate(at, "Europe/Paris");
    const day: LocalDate = localDate(u.today);
    const line = csvLine(userExportCells(user, exportStructuresOf(user, given), dateOf, day), separator);
    expect(userExportLine(user, given, dateOf, separator, day)).toBe(line);
    // The export's projection of the user (what a store's exportRows gives) writes the same line.
    expect(userExportLine(userExportRow(user), given, dateOf, separator, day)).toBe(line);
    expect(exportStructuresOf(userExportRow(user), given)).toEqual(exportStructuresOf(user, given));
  });

  it("userExportRow keeps exactly what the export reads: the cells, the id, createdFor, and each attachment's structure, role, start and end", () => {
    const row = userExportRow(elodie);
    expect(row).toEqual({
      id: elodie.id,
      lastName: "Lefèvre",
      firstName: "Élodie",
      login: "elodie.lefevre@mairie-lyon.fr",
      contactEmail: "elodie@perso.fr",
      phone: "+33 4 72 10 30 30",
      status: "active",
      createdAt: elodie.createdAt,
      createdFor: librairie.id,
      attachments: [{ structureId: mairie.id, role: "user", validFrom: "2026-11-27", validUntil: null }],
    });
    // Nothing else of the person: no scope, grants, address, settings, activation, end notice.
    expect(Object.keys(row.attachments[0] ?? {}).sort()).toEqual(["role", "structureId", "validFrom", "validUntil"]);
    expect(JSON.stringify(row)).not.toMatch(/scope|grants|postalAddress|settings|activation|attachedBy|endNotice/);
    expect(userExportRow({ ...elodie, phone: null }).phone).toBeNull();
  });

  it("writes the creation date in the time zone given, not the process's", () => {
    expect(exportDate("2026-11-27T23:30:00.000Z" as Instant, "Europe/Paris")).toBe("28/11/2026");
    expect(exportDate("2026-11-27T23:30:00.000Z" as Instant, "UTC")).toBe("27/11/2026");
  });

  it("writes no creation date (an empty cell) for an instant it cannot place, or a time zone it does not know", () => {
    expect(exportDate("not an instant" as Instant, "Europe/Paris")).toBe("");
    expect(exportDate("2026-11-27T23:30:00.000Z" as Instant, "Europe/Nowhere")).toBe("");
  });

  it("names none of the structures given that the user does not belong to", () => {
    const other: Structure = { ...mairie, id: structureId("s-3"), designation: "Préfecture" };
    const stranger: User = { ...elodie, attachments: [], createdFor: null };
    expect(userExportCells(stranger, [other], () => "", today)[6]).toBe("");
    expect(userExportCells(elodie, [other, mairie], () => "", today)[6]).toBe("Mairie de Lyon (Utilisateur simple)");
  });

  it("exportStructuresOf gives the structures of the map the user belongs to, attachments first, then the one the account was created for", () => {
    expect(exportStructuresOf(elodie, structures)).toEqual([mairie, librairie]);
    expect(exportStructuresOf(elodie, new Map([[librairie.id, librairie]]))).toEqual([librairie]);
    expect(exportStructuresOf({ ...elodie, attachments: [], createdFor: null }, structures)).toEqual([]);
  });

  it("a pending account created for a structure and attached nowhere is written with that structure alone", () => {
    const pending: User = { ...elodie, status: "pendingActivation", attachments: [] };
    expect(userExportLine(pending, structures, () => "", ";", today)).toBe(
      "Lefèvre;Élodie;elodie.lefevre@mairie-lyon.fr;elodie@perso.fr;'+33 4 72 10 30 30;En cours d’activation;Librairie Dupont (compte créé, non rattaché);\r\n",
    );
  });
});
