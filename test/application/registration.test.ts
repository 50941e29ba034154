// registerUser and createStructure through the application layer.
import { describe, expect, it } from "vitest";
import type { CreateStructureInput } from "../../src/index.js";
import {
  createHarness,
  deactivate,
  expectAppended,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectEventsSaved,
  expectInvalid,
  expectRefused,
  expectUnknownActor,
  guide,
  JUNK_ACTORS,
  JUNK_INPUTS,
  must,
  START,
  TODAY,
  UNKNOWN,
  untyped,
  userRow,
} from "./harness.js";

const elodie = { login: "  Elodie.Lefevre@Mairie-Lyon.FR ", lastName: " Lefèvre ", firstName: "Élodie" };
const acme: CreateStructureInput = { designation: "  ACME Industrie ", kind: "private", identifier: { type: "siret", value: "732 829 320 00074" } };

describe("registerUser", () => {
  it("registers an active account with a normalised login, no history, one UserRegistered event", async () => {
    const h = createHarness();
    const before = h.snapshot();
    const r = must(await h.app.registerUser(elodie));
    expect(r.user).toEqual({
      id: "usr-001",
      login: "elodie.lefevre@mairie-lyon.fr",
      contactEmail: "elodie.lefevre@mairie-lyon.fr",
      lastName: "Lefèvre",
      firstName: "Élodie",
      status: "active",
      attachments: [],
      grants: [], // no space yet
      phone: null,
      postalAddress: null,
      settings: { activityNotifications: "never" },
      createdFor: null, // registered by the person, not created by a manager
      activation: null, // active from the start: nothing to activate
      contactEmailChange: null,
      accountEmails: [],
      deactivatedAt: null,
      createdAt: START,
    });
    expect(r.history).toEqual([]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: "evt-001", type: "UserRegistered", at: START, userId: "usr-001", login: "elodie.lefevre@mairie-lyon.fr" }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expect(await h.store.getUser(r.user.id)).toEqual({ value: r.user, version: 1 });
    expect((await h.store.findUserByLogin("ELODIE.LEFEVRE@mairie-lyon.fr"))?.value.id).toBe("usr-001");
  });

  it("keeps a contact e-mail distinct from the login", async () => {
    const h = createHarness();
    const r = must(await h.app.registerUser({ ...elodie, contactEmail: "secretariat@mairie-lyon.fr" }));
    expect(r.user.contactEmail).toBe("secretariat@mairie-lyon.fr");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra unknown key", { ...elodie, admin: true }],
    ["a login that is not an e-mail", { ...elodie, login: "elodie" }],
    ["a blank last name", { ...elodie, lastName: "   " }],
    ["a missing first name", { login: elodie.login, lastName: elodie.lastName }],
    ["a number as login", { ...elodie, login: 42 }],
  ])("refuses %s with VALIDATION and writes nothing", async (_label, input) => {
    const h = createHarness();
    must(await h.app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" }));
    await expectInvalid(h, () => untyped(h.app).registerUser(input));
  });

  it("refuses a second registration of the same login in another case with LOGIN_TAKEN", async () => {
    const h = createHarness();
    must(await h.app.registerUser(elodie));
    const error = await expectRefused(
      h,
      () => h.app.registerUser({ login: "ELODIE.lefevre@mairie-lyon.fr", lastName: "Autre", firstName: "Personne" }),
      "LOGIN_TAKEN",
    );
    expect(error.login).toBe("elodie.lefevre@mairie-lyon.fr");
  });

  it("lets exactly one of two concurrent registrations of the same login through", async () => {
    const h = createHarness();
    const [a, b] = await Promise.all([
      h.app.registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" }),
      h.app.registerUser({ login: "Elodie@Example.fr", lastName: "Lefèvre", firstName: "Élodie" }),
    ]);
    const results = [a, b];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    expect(refused?.ok === false && refused.error).toEqual({ code: "LOGIN_TAKEN", login: "elodie@example.fr" });
    expect(h.snapshot().users).toHaveLength(1);
    // Only the winner's event is saved.
    const winner = results.find((r) => r.ok);
    expect(h.snapshot().outbox).toEqual(winner?.ok === true ? winner.value.events : null);
  });
});

describe("createStructure", () => {
  it("creates a structure whose primary manager is the actor, attached to the whole structure", async () => {
    const h = createHarness();
    const alice = must(await h.app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" })).user.id;
    h.tick(5);
    const at = h.now().toISOString();
    const before = h.snapshot();
    const r = must(await h.app.createStructure(alice, acme));
    expect(r.structure).toEqual({
      id: "str-001",
      designation: "ACME Industrie",
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
      primaryManagerId: alice,
      openSpaces: [], // no space opened yet
      createdAt: at,
    });
    const attachment = { structureId: "str-001", role: "user", scope: { kind: "structure" }, validFrom: TODAY, attachedBy: alice, attachedAt: at, validUntil: null, endNotice: null };
    // The founder as seen from the new structure: its primary manager.
    expect(r.founder).toEqual({
      id: alice,
      login: "alice@example.fr",
      lastName: "Martin",
      firstName: "Alice",
      status: "active",
      role: "primaryManager",
      attachment,
    });
    expect(r.history).toEqual([
      {
        structureId: "str-001",
        kind: "structureCreated",
        at,
        actorId: alice,
        targetUserId: alice,
        requestId: null,
        details: { label: "ACME Industrie" },
        sequence: 1,
      },
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([{ id: "evt-002", type: "StructureCreated", at, structureId: "str-001", primaryManagerId: alice }]);
    expectEventsSaved(h, before, r.events);
    expectDeepFrozen(r);
    expect((await h.store.getStructure(r.structure.id))?.value).toEqual(r.structure);
    expect((await userRow(h, alice)).value.attachments).toEqual([attachment]);
    const members = must(await h.app.listMembers(alice, { structureId: r.structure.id }));
    expect(members.items.map((m) => [m.userId, m.role])).toEqual([[alice, "primaryManager"]]);
  });

  it("numbers the history of successive structures with one increasing global sequence", async () => {
    const { h, g } = await guide();
    const before = h.snapshot();
    const first = must(await h.app.createStructure(g.farid, { ...acme, designation: "Un" }));
    const second = must(await h.app.createStructure(g.farid, { ...acme, designation: "Deux" }));
    expectAppended(h, before, [...first.history, ...second.history]);
    expect(second.history[0]!.sequence).toBe(first.history[0]!.sequence + 1);
  });

  it("shows the founder only as seen from the new structure, whatever else they manage", async () => {
    const { h, g } = await guide();
    const before = h.snapshot();
    const r = must(await h.app.createStructure(g.alice, { ...acme, designation: "Trois" }));
    expect(r.founder).toMatchObject({ id: g.alice, role: "primaryManager", attachment: { structureId: r.structure.id, scope: { kind: "structure" } } });
    expectDisclosesOnly(h, r.structure.id, r);
    expectEventsSaved(h, before, r.events);
    expect((await userRow(h, g.alice)).value.attachments.map((a) => a.structureId).sort()).toEqual(
      [g.bookshop, g.townHall, r.structure.id].sort(),
    );
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h } = await guide();
    await expectUnknownActor(h, () => untyped(h.app).createStructure(actor, acme), "malformed");
  });

  it.each([
    ...JUNK_INPUTS,
    ["an extra unknown key", { ...acme, siren: "732829320" }],
    ["a SIRET with a wrong key", { ...acme, identifier: { type: "siret", value: "73282932000075" } }],
    ["a private structure via the PIGP", { ...acme, viaPigp: true }],
    ["an unknown kind", { ...acme, kind: "association" }],
    ["a blank designation", { ...acme, designation: " " }],
  ])("refuses %s with VALIDATION and writes nothing", async (_label, input) => {
    const { h, g } = await guide();
    await expectInvalid(h, () => untyped(h.app).createStructure(g.farid, input));
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h } = await guide();
    await expectUnknownActor(h, () => h.app.createStructure(UNKNOWN, acme), "unknown");
  });

  it("refuses a deactivated founder (FORBIDDEN accountNotActive, like every act) and writes nothing", async () => {
    const { h, g } = await guide();
    await deactivate(h, g.farid);
    const error = await expectRefused(h, () => h.app.createStructure(g.farid, acme), "FORBIDDEN");
    expect(error).toEqual({ code: "FORBIDDEN", actorId: g.farid, structureId: null, reason: "accountNotActive" });
  });
});
