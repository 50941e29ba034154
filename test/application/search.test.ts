// Guide §5, « Rechercher et gérer des utilisateurs », through the application layer on
// the memory store: searchUsers (each criterion, accents, case, partial; order, pages
// and cursor; a manager's structures only, merged), lookupPerson (exact login or names;
// a card, never structures) and exportUsers (CSV read back with csv-parse; neutralised
// cells; streamed, reading the store a page at a time).
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  accountStatusLabel,
  maskLogin,
  MAX_LOOKUP_RESULTS,
  csvLine,
  USER_EXPORT_HEADERS,
  type HabilitationsStore,
  type StructureId,
  type User,
  type UserId,
  type UserSearchHit,
  type UserSearchPage,
  type UserSearchQuery,
  type Habilitations,
  type ActorId,
  type SearchUsersInput,
} from "../../src/index.js";
import {
  expectDeepFrozen,
  expectForbidden,
  expectInvalid,
  expectNotFound,
  expectRefused,
  expectUnknownActor,
  FORBIDDEN_ACTORS,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  services,
  START,
  TODAY,
  TOMORROW,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
  type Guide,
  type Harness,
} from "./harness.js";

// ----------------------------------------------------------------------- the world

/**
 * The guide's cast, and: Élodie attached to the town hall (PAIE); Farid attached to the
 * bookshop and the town hall (RH), by Alice; Chloé also at ACME (by Victor); Gaëlle
 * N'Diaye, an account Alice created for the town hall (not attached, pending activation,
 * a phone « +33 … »); Élodie's homonym at ACME only.
 */
interface World extends Guide {
  readonly gaelle: UserId;
  readonly acmeElodie: UserId;
}

async function world() {
  const { h, g, app } = await guide();
  const attach = async (actor: UserId, structureId: StructureId, userId: UserId, scope = WHOLE) =>
    must(await app.attachUser(actor, { structureId, userId, role: "user", validFrom: TODAY, comment: "Arrivée", scope }));
  await attach(g.alice, g.townHall, g.elodie, services(g.paie));
  await attach(g.alice, g.bookshop, g.farid);
  await attach(g.alice, g.townHall, g.farid, services(g.rh));
  await attach(g.victor, g.acme, g.chloe, services(g.ventes));
  const gaelle = must(
    await app.createAccount(g.alice, {
      structureId: g.townHall,
      login: "gaelle.ndiaye@mairie-lyon.fr",
      lastName: "N’Diaye",
      firstName: "Gaëlle",
      phone: "+33 4 72 10 30 30",
    }),
  ).member.id as UserId;
  const acmeElodie = must(await app.registerUser({ login: "elodie.lefevre@acme.fr", lastName: "LEFEVRE", firstName: "ELODIE" })).user.id;
  await attach(g.victor, g.acme, acmeElodie);
  const w: World = { ...g, gaelle, acmeElodie };
  return { h, w, app };
}

/** Alice's users (bookshop and town hall), in search order: normalised last name, first name, login. */
const alicesUsers = (w: World) => [w.farid, w.hugo, w.chloe, w.elodie, w.alice, w.david, w.gaelle, w.bruno, w.denis];
/** The town hall's users (Bruno's), in search order. */
const townHallUsers = (w: World) => [w.farid, w.hugo, w.chloe, w.elodie, w.alice, w.gaelle, w.bruno, w.denis];

type Criteria = NonNullable<SearchUsersInput["criteria"]>;

/** Every page of a search, following the cursor. */
async function pages(app: Habilitations, actor: ActorId, criteria: Criteria, limit: number): Promise<UserSearchHit[][]> {
  const found: UserSearchHit[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page: UserSearchPage = must(await app.searchUsers(actor, cursor === undefined ? { criteria, limit } : { criteria, limit, cursor }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    found.push([...page.items]);
    if (page.nextCursor === null) return found;
    cursor = page.nextCursor;
  }
  throw new Error("the search never ends");
}

/** The ids a search finds, over all its pages. */
async function found(app: Habilitations, actor: ActorId, criteria: Criteria, limit = 500): Promise<UserId[]> {
  return (await pages(app, actor, criteria, limit)).flat().map((u) => u.id);
}

const NOTHING: UserSearchPage = { items: [], nextCursor: null };

async function text(body: AsyncIterable<string>): Promise<string> {
  let all = "";
  for await (const chunk of body) all += chunk;
  return all;
}

const readCsv = (csv: string, delimiter: ";" | "," = ";"): string[][] => parse(csv, { delimiter, bom: true });

// ------------------------------------------------------------------- searchUsers

describe("searchUsers — criteria", () => {
  it("without criteria: every user of the actor's structures, once, sorted by last name, first name, login", async () => {
    const { w, app } = await world();
    expect(await found(app, w.alice, {})).toEqual(alicesUsers(w));
  });

  it.each<[string, Criteria, (w: World) => UserId[]]>([
    ["last name", { lastName: "durand" }, (w) => [w.chloe]],
    ["last name, partial", { lastName: "lef" }, (w) => [w.elodie]],
    ["last name, capitals and accents", { lastName: "LEFÈVRE" }, (w) => [w.elodie]],
    ["last name with a typographic apostrophe, typed with a straight one", { lastName: "n'diaye" }, (w) => [w.gaelle]],
    ["last name with an apostrophe, typed with a space", { lastName: "N DIA" }, (w) => [w.gaelle]],
    ["first name without its accent", { firstName: "elodie" }, (w) => [w.elodie]],
    ["first name, partial and in capitals", { firstName: "CHLO" }, (w) => [w.chloe]],
    ["first name with an accent typed on a letter that has none", { firstName: "gäëlle" }, (w) => [w.gaelle]],
    ["login, partial", { login: "librairie-dupont" }, (w) => [w.david]],
    ["login, by its domain", { login: "@mairie-lyon.fr" }, (w) => [w.hugo, w.chloe, w.elodie, w.alice, w.gaelle, w.bruno, w.denis]],
    ["status active", { status: "active" }, (w) => [w.farid, w.hugo, w.chloe, w.elodie, w.alice, w.david, w.bruno]],
    ["status deactivated", { status: "deactivated" }, (w) => [w.denis]],
    ["status pending activation: an account created for the structure", { status: "pendingActivation" }, (w) => [w.gaelle]],
    ["designation, partial", { designation: "librairie" }, (w) => [w.farid, w.hugo, w.alice, w.david, w.denis]],
    ["designation, another case and hyphens", { designation: "MAIRIE-DE-LYON" }, (w) => townHallUsers(w)],
    ["designation that both structures share", { designation: "e" }, (w) => alicesUsers(w)],
    ["one of the actor's structures", { structureId: "BOOKSHOP" }, (w) => [w.farid, w.hugo, w.alice, w.david, w.denis]],
    ["a service: its members and the whole structure's", { serviceId: "COMPTA" }, (w) => [w.hugo, w.chloe, w.alice, w.bruno, w.denis]],
    ["another service", { serviceId: "RH" }, (w) => [w.farid, w.hugo, w.alice, w.bruno, w.denis]],
    ["last and first names", { lastName: "e", firstName: "e" }, (w) => [w.elodie, w.gaelle]],
    ["designation and status", { designation: "mairie", status: "active" }, (w) => [w.farid, w.hugo, w.chloe, w.elodie, w.alice, w.bruno]],
    ["service and login", { serviceId: "PAIE", login: "lefevre" }, (w) => [w.elodie]],
    ["structure and last name", { structureId: "TOWNHALL", lastName: "mo" }, () => []],
    ["blank criteria: none", { lastName: "  ", firstName: " - ", login: "" }, (w) => alicesUsers(w)],
  ])("by %s", async (_label, criteria, expected) => {
    const { h, w, app } = await world();
    const place: Record<string, string> = { BOOKSHOP: w.bookshop, TOWNHALL: w.townHall, COMPTA: w.compta, RH: w.rh, PAIE: w.paie };
    const at = (id: string) => place[id] ?? id;
    const resolved: Criteria = {
      ...criteria,
      ...(criteria.structureId === undefined ? {} : { structureId: at(criteria.structureId) }),
      ...(criteria.serviceId === undefined ? {} : { serviceId: at(criteria.serviceId) }),
    };
    const before = h.snapshot();
    expect(await found(app, w.alice, resolved)).toEqual(expected(w));
    expect(h.snapshot()).toEqual(before);
  });

  it("shows each hit's id, login, names, status and its roles in the actor's structures only", async () => {
    const { w, app } = await world();
    const page = must(await app.searchUsers(w.alice, { criteria: { lastName: "benali" } }));
    expect(page).toEqual({
      items: [
        {
          id: w.farid,
          login: "farid.benali@example.fr",
          lastName: "Benali",
          firstName: "Farid",
          status: "active",
          structures: [
            { structureId: w.bookshop, designation: "Librairie Dupont", role: "user" },
            { structureId: w.townHall, designation: "Mairie de Lyon", role: "user" },
          ],
        },
      ],
      nextCursor: null,
    });
    expectDeepFrozen(page);
    const [gaelle] = must(await app.searchUsers(w.alice, { criteria: { status: "pendingActivation" } })).items;
    expect(gaelle?.structures).toEqual([{ structureId: w.townHall, designation: "Mairie de Lyon", role: null }]);
    const [alice] = must(await app.searchUsers(w.alice, { criteria: { login: "alice" } })).items;
    expect(alice?.structures.map((s) => s.role)).toEqual(["primaryManager", "primaryManager"]);
  });

  it("never names another structure: Chloé, also at ACME, shows only the town hall to Alice and only ACME to Victor", async () => {
    const { w, app } = await world();
    const forAlice = must(await app.searchUsers(w.alice, { criteria: { firstName: "chloe" } }));
    expect(forAlice.items.map((u) => u.structures)).toEqual([[{ structureId: w.townHall, designation: "Mairie de Lyon", role: "user" }]]);
    expect(JSON.stringify(forAlice)).not.toMatch(new RegExp(`${w.acme}|ACME|${w.ventes}`));
    const forVictor = must(await app.searchUsers(w.victor, { criteria: { firstName: "chloe" } }));
    expect(forVictor.items.map((u) => u.structures)).toEqual([[{ structureId: w.acme, designation: "ACME Industrie", role: "user" }]]);
    expect(JSON.stringify(forVictor)).not.toMatch(new RegExp(`${w.townHall}|Mairie|${w.compta}`));
  });
});

describe("searchUsers — scope", () => {
  it("gives a manager of several structures one merged list, each user once (Farid is in both of Alice's)", async () => {
    const { w, app } = await world();
    for (const limit of [1, 2, 3, 4, 9, 10]) {
      const ids = await found(app, w.alice, {}, limit);
      expect(ids).toEqual(alicesUsers(w));
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("gives a secondary manager the users of the structure they manage, not those of the primary's other structure", async () => {
    const { w, app } = await world();
    expect(await found(app, w.bruno, {})).toEqual(townHallUsers(w));
    expect(await found(app, w.bruno, { lastName: "moreau" })).toEqual([]);
  });

  it("gives Victor only ACME's users: his homonym of Élodie, not Alice's", async () => {
    const { w, app } = await world();
    expect(await found(app, w.victor, {})).toEqual([w.chloe, w.victor, w.acmeElodie]);
    expect(await found(app, w.victor, { firstName: "elodie" })).toEqual([w.acmeElodie]);
    expect(await found(app, w.alice, { firstName: "elodie" })).toEqual([w.elodie]);
  });

  it("gives a secondary manager not in force yet nothing today, and the users from the day it starts", async () => {
    const { h, w, app } = await world();
    expect(must(await app.searchUsers(w.hugo, {}))).toEqual(NOTHING);
    h.setNow(`${TOMORROW}T08:00:00.000Z`);
    expect(await found(app, w.hugo, {})).toEqual(alicesUsers(w));
  });

  it("gives a simple user, or a user attached nowhere, an empty page", async () => {
    const { w, app } = await world();
    expect(must(await app.searchUsers(w.chloe, {}))).toEqual(NOTHING);
    expect(must(await app.searchUsers(w.david, { criteria: { lastName: "moreau" } }))).toEqual(NOTHING);
    const stranger = must(await app.registerUser({ login: "x@example.fr", lastName: "X", firstName: "Y" })).user.id;
    expect(must(await app.searchUsers(stranger, {}))).toEqual(NOTHING);
  });

  it.each<[string, (w: World) => Criteria]>([
    ["another structure's id", (w) => ({ structureId: w.acme })],
    ["an unknown structure's id", () => ({ structureId: UNKNOWN })],
    ["another structure's designation", () => ({ designation: "ACME" })],
    ["another structure's service", (w) => ({ serviceId: w.ventes })],
    ["an unknown service", () => ({ serviceId: UNKNOWN })],
    ["the actor's structure with the service of another of theirs", (w) => ({ structureId: w.bookshop, serviceId: w.compta })],
    ["the name of a user of another structure only", () => ({ lastName: "hugo" })],
    ["the login of a user of another structure only", () => ({ login: "acme.fr" })],
    ["the names of an ACME-only user", () => ({ lastName: "lefevre", firstName: "elodie", login: "acme" })],
  ])("names %s: an empty page, exactly like a search that matches nobody", async (_label, criteria) => {
    const { h, w, app } = await world();
    const noMatch = must(await app.searchUsers(w.alice, { criteria: { lastName: "zzzz" } }));
    expect(noMatch).toEqual(NOTHING);
    const before = h.snapshot();
    expect(must(await app.searchUsers(w.alice, { criteria: criteria(w) }))).toEqual(noMatch);
    expect(h.snapshot()).toEqual(before);
  });
});

describe("searchUsers — order and pages", () => {
  it.each([1, 2, 3, 4, 8, 9, 500])("gives every user exactly once across pages of %i, in order; the last page has no cursor", async (limit) => {
    const { w, app } = await world();
    const all = await pages(app, w.alice, {}, limit);
    expect(all.flat().map((u) => u.id)).toEqual(alicesUsers(w));
    all.forEach((p) => expect(p.length).toBeGreaterThan(0));
    all.slice(0, -1).forEach((p) => expect(p.length).toBe(limit));
  });

  it("sorts by normalised last name, then first name, then login: accents and case do not change the order", async () => {
    const { w, app } = await world();
    const add = async (login: string, lastName: string, firstName: string) => {
      const id = must(await app.registerUser({ login, lastName, firstName })).user.id;
      must(await app.attachUser(w.alice, { structureId: w.bookshop, userId: id, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
      return id;
    };
    const c = await add("c@example.fr", "Éclair", "Zoé");
    const a = await add("a@example.fr", "eclair", "Zoe");
    const b = await add("b@example.fr", "ECLAIR", "Anne");
    const d = await add("d@example.fr", "Eclair-Dupont", "Anne");
    expect(await found(app, w.alice, { lastName: "eclair" }, 1)).toEqual([b, a, c, d]);
  });

  it("goes on from its position when users are added before and after it: none twice, none skipped", async () => {
    const { w, app } = await world();
    const first = must(await app.searchUsers(w.alice, { limit: 3 }));
    expect(first.items.map((u) => u.id)).toEqual(alicesUsers(w).slice(0, 3));
    const add = async (login: string, lastName: string, firstName: string) => {
      const id = must(await app.registerUser({ login, lastName, firstName })).user.id;
      must(await app.attachUser(w.alice, { structureId: w.townHall, userId: id, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
      return id;
    };
    await add("aaron@example.fr", "Abadie", "Aaron"); // before the position
    const lea = await add("lea@example.fr", "Lefort", "Léa"); // after it
    const zoe = await add("zoe@example.fr", "Zola", "Zoé"); // at the end
    const rest: UserId[] = [];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = must(await app.searchUsers(w.alice, { limit: 3, cursor }));
      rest.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual([w.elodie, lea, w.alice, w.david, w.gaelle, w.bruno, w.denis, zoe]);
  });

  it("pages past users whose names grow under normalisation (NFKD) to far more than the names' 200 characters", async () => {
    const { w, app } = await world();
    // « ﷺ » is one character that NFKD makes 18; « ㌀ » makes 4 (アパート).
    const long = [
      ["ligature.a@example.fr", "\uFDFA".repeat(199), "\uFDFA".repeat(200)],
      ["ligature.b@example.fr", "\uFDFA".repeat(200), "\uFDFA".repeat(200)],
      ["katakana@example.fr", "\u3300".repeat(200), "\u3300".repeat(200)],
    ] as const;
    const ids: UserId[] = [];
    for (const [login, lastName, firstName] of long) {
      const id = must(await app.registerUser({ login, lastName, firstName })).user.id;
      must(await app.attachUser(w.alice, { structureId: w.bookshop, userId: id, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
      ids.push(id);
    }
    const all = await found(app, w.alice, {}, 1);
    expect(all).toHaveLength(alicesUsers(w).length + long.length);
    expect(all).toEqual(await found(app, w.alice, {}, 500));
    expect(all.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  });

  it("keeps the criteria out of the cursor: a cursor is a position in the actor's list", async () => {
    const { w, app } = await world();
    const first = must(await app.searchUsers(w.alice, { criteria: { designation: "mairie" }, limit: 2 }));
    if (first.nextCursor === null) throw new Error("a second page was expected");
    const next = must(await app.searchUsers(w.alice, { criteria: { designation: "mairie" }, limit: 2, cursor: first.nextCursor }));
    expect([...first.items, ...next.items].map((u) => u.id)).toEqual(townHallUsers(w).slice(0, 4));
  });
});

describe("searchUsers — refusals", () => {
  it("refuses an inactive actor with FORBIDDEN accountNotActive: a deactivated manager, an account pending activation", async () => {
    const { h, w, app } = await world();
    for (const actor of [w.denis, w.gaelle]) {
      const error = await expectRefused(h, () => app.searchUsers(actor, {}), "FORBIDDEN");
      expect(error).toEqual({ code: "FORBIDDEN", actorId: actor, structureId: null, reason: "accountNotActive" });
    }
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, app } = await world();
    await expectUnknownActor(h, () => app.searchUsers(UNKNOWN, {}), "unknown");
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, app } = await world();
    await expectUnknownActor(h, () => untyped(app).searchUsers(actor, {}), "malformed");
  });

  it.each(JUNK_INPUTS.filter(([label]) => label !== "{}"))("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, w, app } = await world();
    await expectInvalid(h, () => untyped(app).searchUsers(w.alice, input));
  });

  it.each<[string, unknown]>([
    ["an unknown criterion", { criteria: { email: "x" } }],
    ["an unknown status", { criteria: { status: "blocked" } }],
    ["a name that is not text", { criteria: { lastName: 42 } }],
    ["a name on two lines", { criteria: { lastName: "Le\nfèvre" } }],
    ["a name with a bidirectional override", { criteria: { lastName: "Le\u202Efèvre" } }],
    ["a name too long", { criteria: { lastName: "a".repeat(255) } }],
    ["a structure id that is not one", { criteria: { structureId: 42 } }],
    ["criteria that are not an object", { criteria: "lefèvre" }],
    ["a limit of 0", { limit: 0 }],
    ["a limit of 501", { limit: 501 }],
    ["a limit as text that is not decimal digits", { limit: "1e1" }],
    ["an extra key", { page: 2 }],
  ])("refuses %s with VALIDATION", async (_label, input) => {
    const { h, w, app } = await world();
    await expectInvalid(h, () => untyped(app).searchUsers(w.alice, input));
  });

  it("a cursor is opaque: no name nor login of anybody is readable in it", async () => {
    const { w, app } = await world();
    const first = must(await app.searchUsers(w.alice, { limit: 3 }));
    const decoded = Buffer.from(first.nextCursor!, "base64url").toString("utf8");
    for (const hit of first.items) for (const readable of [hit.lastName, hit.firstName, hit.login]) expect(decoded).not.toContain(readable);
  });

  it("a cursor whose last user was renamed since is stale: VALIDATION, never a guessed place", async () => {
    const { h, w, app } = await world();
    const first = must(await app.searchUsers(w.alice, { limit: 3 }));
    const last = first.items[2]!.id;
    must(await app.updateUser(last, { userId: last, changes: { lastName: "Zzz" } }));
    const error = await expectInvalid(h, () => app.searchUsers(w.alice, { limit: 3, cursor: first.nextCursor! }));
    expect(error.issues[0]?.path).toEqual(["cursor"]);
  });

  it("refuses a cursor of another actor, of another list, or junk, with VALIDATION", async () => {
    const { h, w, app } = await world();
    const brunos = must(await app.searchUsers(w.bruno, { limit: 1 })).nextCursor as string;
    const members = must(await app.listMembers(w.alice, { structureId: w.townHall, limit: 1 })).nextCursor as string;
    const forged = Buffer.from(JSON.stringify([1, "userSearch", w.alice, 42])).toString("base64url");
    for (const cursor of [brunos, members, forged, "junk", "!!!", "", "a".repeat(4001)]) {
      const error = await expectInvalid(h, () => app.searchUsers(w.alice, { limit: 1, cursor }));
      expect(error.issues[0]?.path).toEqual(["cursor"]);
    }
    // Bruno's own cursor still works for him.
    expect(must(await app.searchUsers(w.bruno, { limit: 1, cursor: brunos })).items).toHaveLength(1);
  });
});

// ------------------------------------------------------------------- lookupPerson

describe("lookupPerson", () => {
  it("finds a person by exact login, in any case, and reveals exactly id, names, masked login and status", async () => {
    const { h, w, app } = await world();
    const before = h.snapshot();
    const cards = must(await app.lookupPerson(w.alice, { structureId: w.townHall, login: " Elodie.Lefevre@ACME.fr " }));
    expect(cards).toEqual([
      { id: w.acmeElodie, lastName: "LEFEVRE", firstName: "ELODIE", maskedLogin: maskLogin("elodie.lefevre@acme.fr"), status: "active" },
    ]);
    expect(Object.keys(cards[0] ?? {}).sort()).toEqual(["firstName", "id", "lastName", "maskedLogin", "status"]);
    expect(cards[0]?.maskedLogin).toBe("e************e@a***.fr");
    // Nothing of the structures the person belongs to.
    expect(JSON.stringify(cards)).not.toMatch(new RegExp(`${w.acme}|ACME|acme|${w.ventes}|elodie\\.lefevre`));
    expectDeepFrozen(cards);
    expect(h.snapshot()).toEqual(before);
  });

  it("shows the status: a deactivated account, an account pending activation", async () => {
    const { w, app } = await world();
    expect(must(await app.lookupPerson(w.alice, { structureId: w.bookshop, login: "denis.roux@mairie-lyon.fr" }))[0]?.status).toBe("deactivated");
    expect(must(await app.lookupPerson(w.victor, { structureId: w.acme, login: "gaelle.ndiaye@mairie-lyon.fr" }))[0]?.status).toBe(
      "pendingActivation",
    );
  });

  it("finds by exact last and first names, accents, case and apostrophes aside; homonyms all, in search order", async () => {
    const { w, app } = await world();
    const both = must(await app.lookupPerson(w.alice, { structureId: w.townHall, lastName: "lefevre", firstName: "ÉLODIE" }));
    expect(both.map((c) => c.id)).toEqual([w.acmeElodie, w.elodie]); // by login: acme.fr < mairie-lyon.fr
    expect(both.map((c) => c.maskedLogin)).toEqual(["e************e@a***.fr", "e************e@m**********.fr"]);
    expect(JSON.stringify(both)).not.toMatch(new RegExp(`${w.acme}|ACME|${w.townHall}|Mairie`));
    const gaelle = must(await app.lookupPerson(w.victor, { structureId: w.acme, lastName: "n'diaye", firstName: "gaelle" }));
    expect(gaelle.map((c) => c.id)).toEqual([w.gaelle]);
  });

  it("is exact, not partial: a piece of a name or of a login finds nobody", async () => {
    const { w, app } = await world();
    for (const query of [
      { lastName: "lef", firstName: "elodie" },
      { lastName: "lefevre", firstName: "elo" },
      { lastName: "elodie", firstName: "lefevre" },
      { login: "elodie@acme.fr" },
      { login: "lefevre@acme.fr" },
    ])
      expect(must(await app.lookupPerson(w.alice, { structureId: w.townHall, ...query }))).toEqual([]);
  });

  it(`gives at most ${MAX_LOOKUP_RESULTS} homonyms, the first in search order`, async () => {
    const { w, app } = await world();
    const ids: UserId[] = [];
    for (let i = 1; i <= MAX_LOOKUP_RESULTS + 5; i++)
      ids.push(must(await app.registerUser({ login: `jean.dupont${String(i).padStart(2, "0")}@example.fr`, lastName: "Dupont", firstName: "Jean" })).user.id);
    const cards = must(await app.lookupPerson(w.alice, { structureId: w.townHall, lastName: "DUPONT", firstName: "jean" }));
    expect(cards.map((c) => c.id)).toEqual(ids.slice(0, MAX_LOOKUP_RESULTS));
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s (%s) with FORBIDDEN %s", async (_label, who, reason) => {
    const { h, w, app } = await world();
    await expectForbidden(h, () => app.lookupPerson(w[who], { structureId: w.townHall, login: "farid.benali@example.fr" }), w[who], reason, w.townHall);
  });

  it("refuses a lookup on behalf of an unknown structure with FORBIDDEN, and an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, w, app } = await world();
    await expectForbidden(h, () => app.lookupPerson(w.alice, { structureId: UNKNOWN, login: "farid.benali@example.fr" }), w.alice, "notAManager", UNKNOWN as StructureId);
    await expectUnknownActor(h, () => app.lookupPerson(UNKNOWN, { structureId: w.townHall, login: "farid.benali@example.fr" }), "unknown");
  });

  it.each<[string, unknown]>([
    ...JUNK_INPUTS,
    ["no structure", { login: "farid.benali@example.fr" }],
    ["a login that is not an e-mail", { structureId: "s", login: "farid" }],
    ["a last name alone", { structureId: "s", lastName: "Benali" }],
    ["blank names", { structureId: "s", lastName: " ", firstName: "Farid" }],
    ["a login and names", { structureId: "s", login: "farid.benali@example.fr", lastName: "Benali", firstName: "Farid" }],
  ])("refuses %s with VALIDATION", async (_label, input) => {
    const { h, w, app } = await world();
    const withStructure = typeof input === "object" && input !== null && "structureId" in input ? { ...input, structureId: w.townHall } : input;
    await expectInvalid(h, () => untyped(app).lookupPerson(w.alice, withStructure));
  });
});

// -------------------------------------------------------------------- exportUsers

describe("exportUsers — the guide's scenario", () => {
  it("searches an account by an accented partial name, checks it with two others, exports them: French headers, `;`, a BOM", async () => {
    const { h, w, app } = await world();
    // « Rechercher »: « lef » and « elodie » both find Élodie Lefèvre, and only her among Alice's users.
    const byLastName = must(await app.searchUsers(w.alice, { criteria: { lastName: "lef" } })).items;
    const byFirstName = must(await app.searchUsers(w.alice, { criteria: { firstName: "elodie" } })).items;
    expect(byLastName.map((u) => `${u.firstName} ${u.lastName}`)).toEqual(["Élodie Lefèvre"]);
    expect(byFirstName).toEqual(byLastName);
    // « Exporter un fichier CSV … dont les cases sont cochées ».
    const checked = [byLastName[0]?.id as UserId, w.gaelle, w.farid];
    const before = h.snapshot();
    const exported = must(await app.exportUsers(w.alice, { userIds: checked }));
    expect(exported.contentType).toBe("text/csv; charset=utf-8");
    expect(exported.fileName).toBe(`utilisateurs-${TODAY}.csv`);
    const csv = await text(exported.body);
    expect(csv.startsWith("\uFEFFnom;prénom;")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(readCsv(csv)).toEqual([
      [...USER_EXPORT_HEADERS],
      [
        "Benali",
        "Farid",
        "farid.benali@example.fr",
        "farid.benali@example.fr",
        "",
        "Actif",
        "Librairie Dupont (Utilisateur simple), Mairie de Lyon (Utilisateur simple)",
        "27/11/2026",
      ],
      ["Lefèvre", "Élodie", "elodie.lefevre@mairie-lyon.fr", "elodie.lefevre@mairie-lyon.fr", "", "Actif", "Mairie de Lyon (Utilisateur simple)", "27/11/2026"],
      [
        "N’Diaye",
        "Gaëlle",
        "gaelle.ndiaye@mairie-lyon.fr",
        "gaelle.ndiaye@mairie-lyon.fr",
        "'+33 4 72 10 30 30",
        accountStatusLabel.pendingActivation,
        "Mairie de Lyon (compte créé, non rattaché)",
        "27/11/2026",
      ],
    ]);
    expect(h.snapshot()).toEqual(before);
  });

  it("writes `,` and no byte order mark when asked, with the same cells", async () => {
    const { w, app } = await world();
    const semicolon = readCsv(await text(must(await app.exportUsers(w.alice, { userIds: [w.elodie, w.gaelle, w.farid] })).body));
    const csv = await text(must(await app.exportUsers(w.alice, { userIds: [w.elodie, w.gaelle, w.farid], separator: ",", bom: false })).body);
    expect(csv.startsWith("nom,prénom,adresse de connexion,")).toBe(true);
    expect(csv).not.toContain("\uFEFF");
    expect(readCsv(csv, ",")).toEqual(semicolon);
    // The structures cell holds a `,`: quoted with this separator.
    expect(csv).toContain('"Librairie Dupont (Utilisateur simple), Mairie de Lyon (Utilisateur simple)"');
  });
});

describe("exportUsers — cells neutralised against formula injection", () => {
  it("exports a phone « +33 … » as « '+33 … »", async () => {
    const { w, app } = await world();
    must(await app.updateUser(w.elodie, { userId: w.elodie, changes: { phone: "+33 6 12 34 56 78" } })); // her record is hers
    const csv = await text(must(await app.exportUsers(w.alice, { userIds: [w.elodie] })).body);
    expect(readCsv(csv)[1]?.[4]).toBe("'+33 6 12 34 56 78");
    expect(csv).toContain(";'+33 6 12 34 56 78;");
  });

  it("neutralises names starting with =, - or @, quoted where they hold the separator or quotes", async () => {
    const { w, app } = await world();
    const evil = must(
      await app.registerUser({ login: "formule@example.fr", lastName: '=HYPERLINK("http://evil.example";"Clic")', firstName: "-Jean" }),
    ).user.id;
    const at = must(await app.registerUser({ login: "arobase@example.fr", lastName: "@SOMME(A1:A9)", firstName: "+Paul" })).user.id;
    for (const id of [evil, at])
      must(await app.attachUser(w.alice, { structureId: w.bookshop, userId: id, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
    const csv = await text(must(await app.exportUsers(w.alice, { criteria: { login: "@example.fr", designation: "librairie" } })).body);
    const rows = readCsv(csv).slice(1);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ["'=HYPERLINK(\"http://evil.example\";\"Clic\")", "'-Jean"],
      ["'@SOMME(A1:A9)", "'+Paul"],
      ["Benali", "Farid"],
    ]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"";""Clic"")";'-Jean;`);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("neutralises names starting with a full-width or small formula starter, or the minus sign, which a spreadsheet may normalise", async () => {
    const { w, app } = await world();
    const people = [
      ["pleine@example.fr", "＝HYPERLINK(1)", "－Jean"],
      ["petite@example.fr", "﹫SOMME(A1)", "﹢Paul"],
      ["moins@example.fr", "−2", "＋Zoé"],
    ] as const;
    for (const [login, lastName, firstName] of people) {
      const id = must(await app.registerUser({ login, lastName, firstName })).user.id;
      must(await app.attachUser(w.alice, { structureId: w.bookshop, userId: id, role: "user", validFrom: TODAY, comment: "Oui", scope: WHOLE }));
    }
    const rows = readCsv(await text(must(await app.exportUsers(w.alice, { criteria: { login: "@example.fr", designation: "librairie" } })).body)).slice(1);
    const byLogin = new Map(rows.map((r) => [r[2], [r[0], r[1]]]));
    expect(people.map(([login]) => byLogin.get(login))).toEqual([
      ["'＝HYPERLINK(1)", "'－Jean"],
      ["'﹫SOMME(A1)", "'﹢Paul"],
      ["'−2", "'＋Zoé"],
    ]);
  });
});

describe("exportUsers — by criteria", () => {
  it.each<[string, (w: World) => Criteria]>([
    ["no criteria", () => ({})],
    ["a designation", () => ({ designation: "mairie" })],
    ["a service", (w) => ({ serviceId: w.compta })],
    ["a status", () => ({ status: "active" })],
    ["a partial accented name", () => ({ lastName: "LEFÈ" })],
    ["another structure: nobody", (w) => ({ structureId: w.acme })],
  ])("with %s: exactly the users the search finds over all its pages, in its order", async (_label, criteria) => {
    const { w, app } = await world();
    const hits = (await pages(app, w.alice, criteria(w), 2)).flat();
    const rows = readCsv(await text(must(await app.exportUsers(w.alice, { criteria: criteria(w) })).body));
    expect(rows[0]).toEqual([...USER_EXPORT_HEADERS]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual(hits.map((u) => [u.lastName, u.firstName, u.login]));
  });

  it("names in the structures column only the actor's structures: Chloé's ACME attachment never appears", async () => {
    const { w, app } = await world();
    const csv = await text(must(await app.exportUsers(w.alice, { criteria: { firstName: "chloe" } })).body);
    expect(readCsv(csv)[1]?.[6]).toBe("Mairie de Lyon (Utilisateur simple)");
    expect(csv).not.toMatch(/ACME/);
  });

  it("exports only the header for a simple user: they manage no structure, so there was nobody to export", async () => {
    const { w, app } = await world();
    expect(await text(must(await app.exportUsers(w.chloe, { criteria: {} })).body)).toBe(`\uFEFF${csvLine(USER_EXPORT_HEADERS, ";")}`);
  });

  it("shows a user's contact address and phone only once their attachment is in force: Hugo, attached from tomorrow, is listed without them", async () => {
    const { h, w, app } = await world();
    must(await app.updateUser(w.hugo, { userId: w.hugo, changes: { phone: "04 72 00 00 01" } }));
    const rowOf = async () => readCsv(await text(must(await app.exportUsers(w.alice, { criteria: { firstName: "hugo" } })).body))[1];
    expect(await rowOf()).toEqual(["Blanc", "Hugo", "hugo.blanc@mairie-lyon.fr", "", "", "Actif", "Mairie de Lyon (Gestionnaire secondaire), Librairie Dupont (Gestionnaire secondaire)", "27/11/2026"]);
    h.setNow("2026-11-28T08:00:00.000Z");
    expect((await rowOf())?.slice(3, 5)).toEqual(["hugo.blanc@mairie-lyon.fr", "04 72 00 00 01"]);
  });

  it("an export held open outlives no right: once its holder is demoted, the stream yields nothing", async () => {
    const { w, app } = await world();
    const held = must(await app.exportUsers(w.bruno, { criteria: {} }));
    must(await app.changeMemberRole(w.alice, { structureId: w.townHall, userId: w.bruno, role: "user" }));
    expect(await text(held.body)).toBe("");
    // The checked-users form reads its rows when they are reached too: Alice still manages
    // the town hall, but Chloé, removed meanwhile, is no longer one of hers: no row for her.
    const checked = must(await app.exportUsers(w.alice, { userIds: [w.chloe] }));
    must(await app.removeAttachment(w.alice, { structureId: w.townHall, userId: w.chloe }));
    expect(readCsv(await text(checked.body))).toEqual([[...USER_EXPORT_HEADERS]]);
  });
});

describe("exportUsers — refusals", () => {
  it.each<[string, (w: World) => UserId[]]>([
    ["a user of another structure", (w) => [w.elodie, w.victor]],
    ["a user of another structure only, homonym of one of the actor's", (w) => [w.acmeElodie]],
    ["a user attached nowhere", () => []],
    ["an unknown id", () => [UNKNOWN as UserId]],
  ])("refuses %s among the checked users with NOT_FOUND naming it, before anything is streamed", async (_label, checked) => {
    const { h, w, app } = await world();
    const stranger = must(await app.registerUser({ login: "x@example.fr", lastName: "X", firstName: "Y" })).user.id;
    const ids = checked(w).length === 0 ? [w.farid, stranger] : checked(w);
    const outsider = ids[ids.length - 1] as UserId;
    let searches = 0;
    const counting: HabilitationsStore = { ...h.store, searchUsers: (q) => (searches++, h.store.searchUsers(q)) };
    const r = await h.appOver(counting).exportUsers(w.alice, { userIds: ids });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ code: "NOT_FOUND", entity: "user", id: outsider });
    expect(searches).toBe(0);
    await expectNotFound(h, () => app.exportUsers(w.alice, { userIds: ids }), "user", outsider);
  });

  it("refuses a simple user's checked users, even themself, with NOT_FOUND", async () => {
    const { h, w, app } = await world();
    await expectNotFound(h, () => app.exportUsers(w.chloe, { userIds: [w.chloe] }), "user", w.chloe);
  });

  it("refuses an inactive actor with FORBIDDEN and an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, w, app } = await world();
    const error = await expectRefused(h, () => app.exportUsers(w.denis, { criteria: {} }), "FORBIDDEN");
    expect(error).toEqual({ code: "FORBIDDEN", actorId: w.denis, structureId: null, reason: "accountNotActive" });
    await expectUnknownActor(h, () => app.exportUsers(UNKNOWN, { userIds: [w.farid] }), "unknown");
  });

  it.each<[string, unknown]>([
    ...JUNK_INPUTS,
    ["no user checked", { userIds: [] }],
    ["a user checked twice", { userIds: ["u", "u"] }],
    ["both users and criteria", { userIds: ["u"], criteria: {} }],
    ["a tab separator", { criteria: {}, separator: "\t" }],
    ["a bom as text", { criteria: {}, bom: "true" }],
    ["an unknown criterion", { criteria: { email: "x" } }],
  ])("refuses %s with VALIDATION", async (_label, input) => {
    const { h, w, app } = await world();
    await expectInvalid(h, () => untyped(app).exportUsers(w.alice, input));
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, app } = await world();
    await expectUnknownActor(h, () => untyped(app).exportUsers(actor, { criteria: {} }), "malformed");
  });
});

// --------------------------------------------------------------------- streaming

/** Adds `count` simple users of a new structure of Alice's straight to the store (fast), and returns the structure. */
async function crowd(h: Harness, w: World, count: number): Promise<StructureId> {
  const structureId = must(
    await h.app.createStructure(w.alice, {
      designation: "Métropole de Lyon",
      kind: "public",
      identifier: { type: "siret", value: "200 046 977 00019" },
    }),
  ).structure.id;
  const template = (await userRow(h, w.farid)).value;
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(5, "0");
    users.push({
      ...template,
      id: `usr-crowd-${n}` as UserId,
      login: `agent.${n}@grandlyon.fr`,
      contactEmail: `agent.${n}@grandlyon.fr`,
      lastName: `Agent ${n}`,
      firstName: i % 2 === 0 ? "Émile" : "Zoé",
      phone: i % 3 === 0 ? `+33 4 78 63 ${n.slice(1, 3)} ${n.slice(3)}` : null,
      attachments: [
        { structureId, role: "user", scope: { kind: "structure" }, validFrom: TODAY as User["attachments"][number]["validFrom"], attachedBy: w.alice, attachedAt: START as User["attachments"][number]["attachedAt"], validUntil: null, endNotice: null },
      ],
      createdAt: START as User["createdAt"],
    });
  }
  const committed = await h.store.commit({ writes: users.map((value) => ({ kind: "user" as const, value, expectedVersion: null })), reads: [], history: [], events: [] });
  if (!committed.ok) throw new Error(committed.error.code);
  return structureId;
}

/**
 * The store the export reads its pages from, each page read going through `read`: the
 * store's export rows (`exportRows`), or, for a store without them, the search.
 */
const PAGE_READS = [
  ["the store's export rows", "exportRows"],
  ["the search, for a store without export rows", "searchUsers"],
] as const;

function readingThrough(store: HabilitationsStore, method: (typeof PAGE_READS)[number][1], read: <T>(query: UserSearchQuery, next: () => Promise<T>) => Promise<T>) {
  const { exportRows, ...withoutExportRows } = store;
  if (method === "searchUsers") return { ...withoutExportRows, searchUsers: (q: UserSearchQuery) => read(q, () => store.searchUsers(q)) };
  if (exportRows === undefined) throw new Error("the memory store gives export rows");
  return { ...store, exportRows: (q: UserSearchQuery) => read(q, () => exportRows.call(store, q)) };
}

describe.each(PAGE_READS)("exportUsers — streamed with back-pressure, through %s", (_label, method) => {
  it("reads the store a page at a time as the body is read: one chunk of a 5 000-user export reads one or two pages", async () => {
    const { h, w } = await world();
    const metropole = await crowd(h, w, 5000);
    const limits: number[] = [];
    const counting = readingThrough(h.store, method, (q, next) => (limits.push(q.limit), next()));
    const app = h.appOver(counting);
    const exported = must(await app.exportUsers(w.alice, { criteria: { structureId: metropole } }));
    expect(limits).toEqual([]); // nothing read before the body is
    const iterator = exported.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The first page, and the next one read while the first is written.
    expect(limits.length).toBeGreaterThanOrEqual(1);
    expect(limits.length).toBeLessThanOrEqual(2);
    expect(limits.every((l) => l <= 1000)).toBe(true);
    // The rest, then the whole file read back.
    let csv = first.value as string;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) csv += next.value;
    expect(limits.length).toBeLessThanOrEqual(6);
    const rows = readCsv(csv);
    // The header, the 5 000 agents, then Alice Martin, the structure's primary manager.
    expect(rows).toHaveLength(5002);
    expect(rows[1]?.slice(0, 2)).toEqual(["Agent 00000", "Émile"]);
    expect(rows[5000]?.slice(0, 3)).toEqual(["Agent 04999", "Zoé", "agent.04999@grandlyon.fr"]);
    expect(rows[5001]?.slice(0, 2)).toEqual(["Martin", "Alice"]);
    expect(rows[1]?.[4]).toBe("'+33 4 78 63 00 00");
    expect(new Set(rows.slice(1).map((r) => r[2])).size).toBe(5001);
  });

  it("ends the body with an error carrying the store's, and tells onStoreError, when the store fails mid-export", async () => {
    const { h, w } = await world();
    const metropole = await crowd(h, w, 2500);
    const boom = new Error("connection lost");
    let calls = 0;
    const failing = readingThrough(h.store, method, async (_q, next) => {
      if (++calls === 2) throw boom;
      return next();
    });
    const told: unknown[] = [];
    const app = h.appOver(failing, { onStoreError: (error, context) => told.push([error, context]) });
    const exported = must(await app.exportUsers(w.alice, { criteria: { structureId: metropole } }));
    const error = await text(exported.body).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).cause).toBe(boom);
    expect(told).toEqual([[boom, { operation: "exportUsers", stage: "read" }]]);
  });

  it("never writes the page read ahead when the judgment made on reaching it asks for another: a structure lost meanwhile is not read again", async () => {
    const { h, w } = await world();
    const metropole = await crowd(h, w, 2500);
    must(await h.app.attachUser(w.alice, { structureId: metropole, userId: w.bruno, role: "secondaryManager", validFrom: TODAY, comment: "Renfort", scope: WHOLE }));
    const reads: UserSearchQuery[] = [];
    const app = h.appOver(readingThrough(h.store, method, (q, next) => (reads.push(q), next())));
    const exported = must(await app.exportUsers(w.bruno, { criteria: {} }));
    const iterator = exported.body[Symbol.asyncIterator]();
    let csv = ((await iterator.next()).value as string) ?? "";
    // The first page was read, and the next one with it, both over the metropole and the town hall.
    expect(reads.map((q) => q.structureIds)).toEqual([
      [metropole, w.townHall].sort(),
      [metropole, w.townHall].sort(),
    ]);
    // Bruno is no longer a manager of the metropole: the next page is read again, over the town hall only.
    must(await h.app.changeMemberRole(w.alice, { structureId: metropole, userId: w.bruno, role: "user" }));
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) csv += r.value;
    expect(reads.slice(2).map((q) => q.structureIds)).toEqual([[w.townHall]]);
    const rows = readCsv(csv).slice(1);
    // The first page (read before), then the town hall's users only: no agent of the metropole after it.
    expect(rows.slice(0, 1000).every((r) => r[0]?.startsWith("Agent "))).toBe(true);
    expect(rows.slice(1000).map((r) => r[2])).toEqual(
      (await found(h.app, w.bruno, {})).map((id) => h.snapshot().users.find((u) => u.value.id === id)?.value.login),
    );
    expect(rows.slice(1000).some((r) => r[0]?.startsWith("Agent "))).toBe(false);
  });

  it("writes every row as the whole users would: the same file through the export rows and through the search", async () => {
    const { h, w } = await world();
    await crowd(h, w, 2500);
    must(await h.app.updateUser(w.hugo, { userId: w.hugo, changes: { phone: "+33 4 72 00 00 02" } }));
    const app = h.appOver(readingThrough(h.store, method, (_q, next) => next()));
    const reference = h.appOver(readingThrough(h.store, "searchUsers", (_q, next) => next()));
    for (const criteria of [{}, { lastName: "agent 01" }, { designation: "mairie" }, { serviceId: w.paie }, { status: "pendingActivation" as const }])
      expect(await text(must(await app.exportUsers(w.alice, { criteria })).body)).toBe(await text(must(await reference.exportUsers(w.alice, { criteria })).body));
  });
});
