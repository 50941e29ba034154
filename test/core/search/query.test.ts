// The search as a store runs it (matchesSearch, searchReference, searchKeyOf) and the
// boundary of search, lookup and export (parseSearchUsers, parseLookupPerson,
// parseExportUsers): criteria normalised once, blank ones dropped, bad ones VALIDATION.
import { describe, expect, it } from "vitest";
import {
  matchesSearch,
  parseExportUsers,
  parseLookupPerson,
  parseSearchUsers,
  searchKeyOf,
  searchReference,
  serviceId,
  structureId,
  userId,
  type Attachment,
  type User,
  type UserSearchQuery,
} from "../../../src/core/index.js";

const S1 = structureId("s-1");
const S2 = structureId("s-2");
const COMPTA = serviceId("svc-compta");
const PAIE = serviceId("svc-paie");

const attached = (structure: typeof S1, scope: Attachment["scope"] = { kind: "structure" }): Attachment => ({
  structureId: structure,
  role: "user",
  scope,
  validFrom: "2026-11-27" as Attachment["validFrom"],
  attachedBy: userId("u-p"),
  attachedAt: "2026-11-27T08:00:00.000Z" as Attachment["attachedAt"],
  validUntil: null,
  endNotice: null,
});

const person = (id: string, lastName: string, firstName: string, extra: Partial<User> = {}): User => ({
  id: userId(id),
  login: `${id}@mairie-lyon.fr`,
  contactEmail: `${id}@mairie-lyon.fr`,
  lastName,
  firstName,
  status: "active",
  attachments: [attached(S1)],
  grants: [],
  phone: null,
  postalAddress: null,
  settings: { activityNotifications: "never" },
  createdFor: null,
  activation: null,
  contactEmailChange: null,
  accountEmails: [],
  deactivatedAt: null,
  createdAt: "2026-11-27T08:00:00.000Z" as User["createdAt"],
  ...extra,
});

const elodie = person("elodie.lefevre", "Lefèvre", "Élodie");
const chloe = person("chloe.durand", "Durand", "Chloé", { attachments: [attached(S1, { kind: "services", serviceIds: [COMPTA] })] });
const other = person("zoe.autre", "Autre", "Zoé", { attachments: [attached(S2)] });
const created = person("paul.cree", "Créé", "Paul", { attachments: [], createdFor: S1, status: "pendingActivation" });
const both = person("anne.deux", "Deux", "Anne", { attachments: [attached(S1), attached(S2)] });
const all = [elodie, chloe, other, created, both];
const q = (extra: Partial<UserSearchQuery> = {}): UserSearchQuery => ({ structureIds: [S1], limit: 50, ...extra });
const ids = (users: readonly User[]) => users.map((u) => u.id);

describe("searchKeyOf", () => {
  it("orders by normalised last name, then first name, then login, then id", () => {
    const a = person("b", "Lefèvre", "Élodie");
    const b = person("a", "LEFEVRE", "Emma");
    const c = person("c", "lefèvre", "élodie", { login: "a@x.fr" });
    expect([a, b, c].map(searchKeyOf).sort()).toEqual([c, a, b].map(searchKeyOf));
    expect(searchKeyOf(elodie)).toBe("lefevre\u0000elodie\u0000elodie.lefevre@mairie-lyon.fr\u0000elodie.lefevre");
  });
});

describe("matchesSearch and searchReference", () => {
  it("finds the users of the structures searched, attached or created for one, each once, in search order", () => {
    expect(ids(searchReference(all, q()))).toEqual(ids([created, both, chloe, elodie]));
    expect(ids(searchReference(all, q({ structureIds: [S1, S2] })))).toEqual(ids([other, created, both, chloe, elodie]));
    expect(ids(searchReference([...all, both], q({ structureIds: [S1, S2] })))).toEqual(ids([other, created, both, chloe, elodie]));
  });

  it("matches normalised substrings of names and login, and the status", () => {
    expect(matchesSearch(elodie, q({ lastName: "lef" }))).toBe(true);
    expect(matchesSearch(elodie, q({ firstName: "elodie", lastName: "lefevre" }))).toBe(true);
    expect(matchesSearch(elodie, q({ lastName: "elodie" }))).toBe(false);
    expect(matchesSearch(elodie, q({ login: "lefevre@mairie" }))).toBe(true);
    expect(matchesSearch(elodie, q({ status: "active" }))).toBe(true);
    expect(matchesSearch(elodie, q({ status: "deactivated" }))).toBe(false);
  });

  it("with a service: its members and the whole structure's, not other services' nor accounts only created for it", () => {
    const service = { structureId: S1, serviceId: COMPTA };
    expect(ids(searchReference(all, q({ service })))).toEqual(ids([both, chloe, elodie]));
    expect(ids(searchReference(all, q({ service: { structureId: S1, serviceId: PAIE } })))).toEqual(ids([both, elodie]));
  });

  it("starts after the position and stops at the limit", () => {
    expect(ids(searchReference(all, q({ after: searchKeyOf(both) })))).toEqual(ids([chloe, elodie]));
    expect(ids(searchReference(all, q({ limit: 2 })))).toEqual(ids([created, both]));
  });
});

describe("parseSearchUsers", () => {
  it("normalises text criteria once, drops blank ones, defaults the limit to 50", () => {
    expect(parseSearchUsers({ criteria: { lastName: "LEFÈ", firstName: "  ", designation: " Mairie-de  LYON " } })).toEqual({
      ok: true,
      value: { criteria: { lastName: "lefe", designation: "mairie de lyon" }, limit: 50 },
    });
    expect(parseSearchUsers({})).toEqual({ ok: true, value: { criteria: {}, limit: 50 } });
  });

  it.each([
    ["an unknown criterion", { criteria: { email: "x" } }],
    ["an unknown status", { criteria: { status: "blocked" } }],
    ["a name that is not text", { criteria: { lastName: 3 } }],
    ["a name with a control character", { criteria: { lastName: "a\u0000b" } }],
    ["a name with a line break", { criteria: { lastName: "a\nb" } }],
    ["a name too long", { criteria: { lastName: "a".repeat(255) } }],
    ["a limit of 0", { limit: 0 }],
    ["a limit of 501", { limit: 501 }],
    ["a fractional limit", { limit: 1.5 }],
    ["an empty cursor", { cursor: "" }],
    ["an extra key", { page: 2 }],
  ])("refuses %s with VALIDATION", (_label, input) => {
    const r = parseSearchUsers(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("VALIDATION");
  });
});

describe("parseLookupPerson", () => {
  it("takes an exact login (lower-cased) or exact names (normalised)", () => {
    expect(parseLookupPerson({ structureId: "s-1", login: " Elodie.Lefevre@Mairie-Lyon.fr " })).toMatchObject({
      ok: true,
      value: { structureId: "s-1", login: "elodie.lefevre@mairie-lyon.fr" },
    });
    expect(parseLookupPerson({ structureId: "s-1", lastName: "LEFÈVRE", firstName: "élodie" })).toEqual({
      ok: true,
      value: { structureId: "s-1", lastName: "lefevre", firstName: "elodie" },
    });
  });

  it.each([
    ["no structure", { login: "a@b.fr" }],
    ["a login that is not an e-mail", { structureId: "s-1", login: "elodie" }],
    ["a last name alone", { structureId: "s-1", lastName: "Lefèvre" }],
    ["blank names", { structureId: "s-1", lastName: " - ", firstName: "Élodie" }],
    ["a login and names", { structureId: "s-1", login: "a@b.fr", lastName: "A", firstName: "B" }],
  ])("refuses %s with VALIDATION", (_label, input) => {
    const r = parseLookupPerson(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("VALIDATION");
  });
});

describe("parseExportUsers", () => {
  it("takes checked users or criteria, with a separator and a byte order mark or not", () => {
    expect(parseExportUsers({ userIds: ["u-1", "u-2"] }).ok).toBe(true);
    expect(parseExportUsers({ criteria: { firstName: "Élodie" }, separator: ",", bom: false })).toEqual({
      ok: true,
      value: { criteria: { firstName: "elodie" }, separator: ",", bom: false },
    });
  });

  it.each([
    ["no user checked", { userIds: [] }],
    ["a user checked twice", { userIds: ["u-1", "u-1"] }],
    ["both users and criteria", { userIds: ["u-1"], criteria: {} }],
    ["a tab separator", { criteria: {}, separator: "\t" }],
    ["a bom that is not a boolean", { criteria: {}, bom: "yes" }],
  ])("refuses %s with VALIDATION", (_label, input) => {
    const r = parseExportUsers(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("VALIDATION");
  });
});
