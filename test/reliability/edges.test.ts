// The edges of the library, attacked from outside (SPEC §4: a person's record is theirs,
// rights are judged at use, minimal disclosure, plain data at the boundary). Each test
// here is a defect an outside attack found, stated as the behaviour that closes it.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import {
  MAX_INPUT_NODES,
  type DomainError,
  type HabilitationsStore,
  type RecordedEvent,
  type Result,
  type StructureId,
  type UserId,
} from "../../src/index.js";
import { migrate, type PostgresPool, type PostgresPoolClient } from "../../src/postgres/index.js";
import { expectErr, expectRefused, guide, must, TODAY, untyped, WHOLE, type Harness } from "../application/harness.js";

/** Every event the outbox holds, as the relay would hand them (tokens included). */
const outbox = (h: Harness): readonly RecordedEvent[] => h.snapshot().outbox;
/** The token of the newest event of a type for a user, as the outbox holds it. */
function tokenOf(h: Harness, type: "ActivationEmailRequested" | "ContactEmailConfirmationRequested", userId: string): string {
  const e = outbox(h).filter((x) => x.type === type && x.userId === userId).at(-1) as { token?: string } | undefined;
  if (e?.token === undefined) throw new Error(`no ${type} for ${userId}`);
  return e.token;
}
/** Every token the outbox holds for a user, newest last. */
const tokensOf = (h: Harness, userId: string) =>
  outbox(h)
    .filter((x) => x.type === "ActivationEmailRequested" && x.userId === userId)
    .map((x) => (x as { token?: string }).token as string);

/** Eve: any active user, who creates her own structure. */
async function eve(h: Harness) {
  const id = must(await h.app.registerUser({ login: "eve@evil.example", lastName: "Eve", firstName: "Eve" })).user.id;
  const structure = must(
    await h.app.createStructure(id, { designation: "Eve SARL", kind: "private", identifier: { type: "other", value: "EVE" } }),
  ).structure.id;
  return { id, structure };
}

describe("a person's record is theirs", () => {
  it("attached by a stranger from a date to come, Chloé's record stays closed to him: her information, her structures and her record are NOT_FOUND, as for an unknown id; she is told, and leaves", async () => {
    const { h, g, app } = await guide();
    must(await app.updateUser(g.chloe, { userId: g.chloe, changes: { phone: "+33 4 72 10 30 30" } }));
    const e = await eve(h);
    const found = must(await app.lookupPerson(e.id, { structureId: e.structure, login: "chloe.durand@mairie-lyon.fr" }));
    expect(found.map((p) => p.id)).toEqual([g.chloe]);
    const attached = must(
      await app.attachUser(e.id, { structureId: e.structure, userId: g.chloe, role: "user", validFrom: "2099-12-31", comment: "Bienvenue", scope: WHOLE }),
    );
    // She is told, at her login.
    expect(attached.events.filter((x) => x.type === "UserAttached")).toEqual([
      expect.objectContaining({ type: "UserAttached", userId: g.chloe, login: "chloe.durand@mairie-lyon.fr", structureId: e.structure }),
    ]);
    type Ref = { readonly structureId: string; readonly userId: string };
    const ref: Ref = { structureId: e.structure, userId: g.chloe };
    const unknown: Ref = { structureId: e.structure, userId: "usr-unknown" };
    for (const [what, read] of [
      ["personal information", (r: Ref) => app.getPersonalInformation(e.id, r)],
      ["structures", (r: Ref) => app.listUserStructures(e.id, r)],
      ["record changed", (r: Ref) => app.updateUser(e.id, { ...r, changes: { lastName: "Hacked", contactEmail: "eve@evil.example" } })],
    ] as const) {
      const error = await expectRefused(h, () => read(ref), "NOT_FOUND");
      const other = await expectRefused(h, () => read(unknown), "NOT_FOUND");
      expect({ ...error, id: "?" }, what).toEqual({ ...other, id: "?" });
    }
    // Her managers still see her own values.
    const mine = must(await app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: g.chloe }));
    expect(mine.general).toMatchObject({ lastName: "Durand", contactEmail: "chloe.durand@mairie-lyon.fr", phone: "+33 4 72 10 30 30" });
    // The person can always leave.
    const left = must(await app.leaveStructure(g.chloe, { structureId: e.structure }));
    expect(left.member.attachment).toBeNull();
    expect(left.history).toEqual([expect.objectContaining({ kind: "attachmentRemoved", actorId: g.chloe, targetUserId: g.chloe, structureId: e.structure })]);
    await expectRefused(h, () => app.leaveStructure(g.chloe, { structureId: e.structure }), "NOT_FOUND");
  });

  it("attached in force by a stranger, her record is read but never written by him: FORBIDDEN notTheUser, nothing changed", async () => {
    const { h, g, app } = await guide();
    const e = await eve(h);
    must(await app.attachUser(e.id, { structureId: e.structure, userId: g.chloe, role: "user", validFrom: TODAY, comment: "Bienvenue", scope: WHOLE }));
    expect(must(await app.getPersonalInformation(e.id, { structureId: e.structure, userId: g.chloe })).general.lastName).toBe("Durand");
    const error = await expectRefused(
      h,
      () => app.updateUser(e.id, { structureId: e.structure, userId: g.chloe, changes: { lastName: "Hacked", contactEmail: "eve@evil.example" } }),
      "FORBIDDEN",
    );
    expect(error).toEqual({ code: "FORBIDDEN", actorId: e.id, structureId: e.structure, reason: "notTheUser" });
    // Nor by her own structure's primary manager.
    await expectRefused(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: g.chloe, changes: { lastName: "X" } }), "FORBIDDEN");
  });

  it("an account created by a stranger for someone else's login: the link goes to the login only, her address is never used, the real owner takes it over and it is his alone", async () => {
    const { h, app } = await guide();
    const e = await eve(h);
    const created = must(
      await app.createAccount(e.id, {
        structureId: e.structure,
        login: "victor.vrai@example.fr",
        contactEmail: "eve@evil.example",
        lastName: "Vrai",
        firstName: "Victor",
        attach: { role: "user", scope: WHOLE, validFrom: TODAY, comment: "Compte préparé" },
      }),
    );
    const victim = created.member.id;
    // No event carrying a token is addressed to Eve: the activation goes to the login.
    const activation = outbox(h).filter((x) => x.type === "ActivationEmailRequested" && x.userId === victim);
    expect(activation).toHaveLength(1);
    expect(JSON.stringify(activation)).not.toContain("eve@evil.example");
    const record = must(await app.getPersonalInformation(e.id, { structureId: e.structure, userId: victim }));
    expect(record.general.contactEmail).toBe("victor.vrai@example.fr");
    expect(record.general.pendingContactEmail).toBe("eve@evil.example");
    // Eve holds the confirmation token of her address, and cannot use it: it is not her record.
    const hers = tokenOf(h, "ContactEmailConfirmationRequested", victim);
    await expectRefused(h, () => app.confirmContactEmail(e.id, { token: hers }), "CONFIRMATION_TOKEN_INVALID");

    // The real owner registers: a link of his own, beside Eve's (which keeps working).
    h.tick(3);
    expect(must(await app.registerAccount({ login: "victor.vrai@example.fr", lastName: "Vrai", firstName: "Victor" }))).toEqual({ login: "victor.vrai@example.fr" });
    const [managers, his] = tokensOf(h, victim);
    must(await app.activateAccount({ userId: victim, token: his as string }));
    // His record is his: Eve may no longer write it, and his notices go to his login.
    await expectRefused(h, () => app.updateUser(e.id, { structureId: e.structure, userId: victim, changes: { lastName: "Hacked" } }), "FORBIDDEN");
    await expectRefused(h, () => app.activateAccount({ userId: victim, token: managers as string }), "ACTIVATION_TOKEN_USED");
    // Eve cannot confirm her address on his record either, and neither can he without her token.
    await expectRefused(h, () => app.confirmContactEmail(victim, { token: "pas-le-bon-jeton-0000" }), "CONFIRMATION_TOKEN_INVALID");
    h.tick(3);
    must(await app.registerAccount({ login: "victor.vrai@example.fr", lastName: "X", firstName: "Y" }));
    const notice = outbox(h).filter((x) => x.type === "RegistrationAttemptedForExistingAccount").at(-1);
    expect(notice).toEqual(expect.objectContaining({ login: "victor.vrai@example.fr" }));
    expect(JSON.stringify(notice)).not.toContain("eve@evil.example");
    // He leaves Eve's structure.
    must(await app.leaveStructure(victim, { structureId: e.structure }));
  });

  it("a new contact address is used only once the person confirms it, signed in; the old one is told", async () => {
    const { h, g, app } = await guide();
    const asked = must(await app.updateUser(g.chloe, { userId: g.chloe, changes: { contactEmail: "chloe.perso@example.fr", phone: "+33 6 12 34 56 78" } }));
    expect(asked.fields).toEqual(["phone"]);
    expect(asked.pendingContactEmail).toBe("chloe.perso@example.fr");
    expect(asked.user.general.contactEmail).toBe("chloe.durand@mairie-lyon.fr");
    const token = tokenOf(h, "ContactEmailConfirmationRequested", g.chloe);
    expect(JSON.stringify(asked)).not.toContain(token);
    const done = must(await app.confirmContactEmail(g.chloe, { token }));
    expect(done.contactEmail).toBe("chloe.perso@example.fr");
    expect(done.events).toEqual([
      expect.objectContaining({ type: "ContactEmailChanged", previousContactEmail: "chloe.durand@mairie-lyon.fr", contactEmail: "chloe.perso@example.fr" }),
    ]);
    await expectRefused(h, () => app.confirmContactEmail(g.chloe, { token }), "CONFIRMATION_TOKEN_INVALID");
  });

  it("a manager writes the record of an account pending activation created for their structure, and no other", async () => {
    const { h, g, app } = await guide();
    const hugo2 = must(await app.createAccount(g.alice, { structureId: g.townHall, login: "h2@mairie-lyon.fr", lastName: "Blanc", firstName: "Hugo" })).member.id;
    must(await app.updateUser(g.bruno, { structureId: g.townHall, userId: hugo2, changes: { firstName: "Hugues" } }));
    await expectRefused(h, () => app.updateUser(g.victor, { structureId: g.acme, userId: hugo2, changes: { firstName: "X" } }), "NOT_FOUND");
    must(await app.activateAccount({ userId: hugo2, token: tokenOf(h, "ActivationEmailRequested", hugo2) }));
    await expectRefused(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: hugo2, changes: { firstName: "Y" } }), "NOT_FOUND");
  });
});

describe("public acts never undo a manager's act", () => {
  it("anonymous registrations of a pending account's login neither kill the manager's link nor spend his budget", async () => {
    const { h, g, app } = await guide();
    const id = must(await app.createAccount(g.alice, { structureId: g.townHall, login: "ines@mairie-lyon.fr", lastName: "Ines", firstName: "I" })).member.id;
    h.tick(3);
    must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    const managers = tokenOf(h, "ActivationEmailRequested", id);
    for (let i = 0; i < 3; i++) {
      h.tick(2);
      must(await app.registerAccount({ login: "ines@mairie-lyon.fr", lastName: "X", firstName: "Y" }));
    }
    // The manager sends again: not throttled by the anonymous ones.
    h.tick(2);
    const again = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(again.results.map((r) => r.result.ok)).toEqual([true]);
    // The link the manager sent before is replaced by his own newer one only.
    await expectRefused(h, () => app.activateAccount({ userId: id, token: managers }), "ACTIVATION_TOKEN_INVALID");
    must(await app.activateAccount({ userId: id, token: tokenOf(h, "ActivationEmailRequested", id) }));
  });
});

describe("rights are judged when they are used", () => {
  it("an export held open yields nothing once its holder lost the right, though users were attached meanwhile", async () => {
    const { g, app } = await guide();
    const opened = must(await app.exportUsers(g.bruno, { criteria: {} }));
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.bruno }));
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: g.elodie, role: "user", validFrom: TODAY, comment: "Arrivée", scope: WHOLE }));
    let text = "";
    for await (const chunk of opened.body) text += chunk;
    expect(text).toBe("");
  });

  it("an export stops at the page after its holder lost the right", async () => {
    const { h, g, app } = await guide();
    for (let i = 0; i < 1100; i++) {
      const u = must(await app.registerUser({ login: `agent${i}@mairie-lyon.fr`, lastName: `Agent${String(i).padStart(4, "0")}`, firstName: "A" })).user.id;
      must(await app.attachUser(g.alice, { structureId: g.townHall, userId: u, role: "user", validFrom: TODAY, comment: "c", scope: WHOLE }));
    }
    const opened = must(await app.exportUsers(g.bruno, { criteria: {} }));
    const iterator = opened.body[Symbol.asyncIterator]();
    let text = ((await iterator.next()).value as string) ?? "";
    must(await app.removeAttachment(g.alice, { structureId: g.townHall, userId: g.bruno }));
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) text += r.value;
    const rows = text.split("\r\n").filter((l) => l !== "").length - 1;
    expect(rows).toBe(1000); // the first page, read before; none of the next
    expect(h.snapshot().users.length).toBeGreaterThan(1100);
  });

  it("a retry with an idempotency key by a manager who lost the right gets a receipt, OUTCOME_WITHHELD, naming nothing of the outcome", async () => {
    const { h, g, app } = await guide();
    const requestId = must(await app.requestAttachment(g.elodie, { structureId: g.townHall, scope: WHOLE, comment: "Bonjour" })).request.id;
    const first = must(await app.validateAttachmentRequest(g.bruno, { requestId }, { idempotencyKey: "k-1" }));
    expect(must(await app.validateAttachmentRequest(g.bruno, { requestId }, { idempotencyKey: "k-1" }))).toEqual(first);
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    const receipt = await expectRefused(h, () => app.validateAttachmentRequest(g.bruno, { requestId }, { idempotencyKey: "k-1" }), "OUTCOME_WITHHELD");
    expect(receipt).toEqual({ code: "OUTCOME_WITHHELD", key: "k-1", committedAt: first.history[0]?.at });
    expect(JSON.stringify(receipt)).not.toContain(g.elodie);
  });
});

describe("the input bound counts work", () => {
  for (const length of [2 ** 32 - 1, 1e8, MAX_INPUT_NODES + 1]) {
    it(`an array of length ${length}, holes only, is VALIDATION (too_large) at once, and changes nothing`, async () => {
      const { h, g, app } = await guide();
      const items: unknown[] = [];
      items.length = length;
      const error = await expectRefused(h, () => untyped(app).validateAttachmentRequests(g.alice, { items }), "VALIDATION");
      expect(error.issues.map((i) => i.code)).toContain("too_large");
    });
  }

  it("holes count as values: an input of MAX_INPUT_NODES values, holes included, passes the bound, one more does not", async () => {
    const { g, app } = await guide();
    // The root object, its two keys' values (the array and the reason), and the slots.
    const under: unknown[] = [];
    under.length = MAX_INPUT_NODES - 3;
    const r1 = await untyped(app).refuseAttachmentRequests(g.alice, { requestIds: under, reason: "Non" });
    expect(r1.ok === false && r1.error.code === "VALIDATION" && r1.error.issues.every((i) => i.code !== "too_large")).toBe(true);
    const over: unknown[] = [];
    over.length = MAX_INPUT_NODES - 2;
    const r2 = await untyped(app).refuseAttachmentRequests(g.alice, { requestIds: over, reason: "Non" });
    expect(r2.ok === false && r2.error.code === "VALIDATION" && r2.error.issues.some((i) => i.code === "too_large")).toBe(true);
  });

  it("a lone surrogate (valid JSON) is refused wherever text is accepted: names, comments, ids, keys", async () => {
    const { h, g, app } = await guide();
    const lone = JSON.parse('"Lef\\ud800vre"') as string;
    for (const run of [
      () => app.registerAccount({ login: "x@example.fr", lastName: lone, firstName: "X" }),
      () => app.requestAttachment(g.elodie, { structureId: g.townHall, scope: WHOLE, comment: lone }),
      () => app.attachUser(g.alice, { structureId: lone, userId: g.elodie, role: "user", validFrom: TODAY, comment: "c", scope: WHOLE }),
      () => app.searchUsers(g.alice, { criteria: { lastName: lone } }),
      () => app.listMembers(g.alice, { structureId: g.townHall, [lone]: 1 }),
    ]) {
      const error = await expectRefused(h, run, "VALIDATION");
      expect(error.issues.map((i) => i.code)).toContain("ill_formed_text");
    }
  });
});

describe("same answer, same work", () => {
  /** A store recording the name of every method called, in order. */
  function recording(inner: HabilitationsStore, calls: string[]): HabilitationsStore {
    return Object.fromEntries(
      Object.keys(inner).map((k) => [
        k,
        (...args: unknown[]) => {
          calls.push(k);
          return (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.(...args);
        },
      ]),
    ) as unknown as HabilitationsStore;
  }

  it("a user who is not a member and an unknown id get the same answer after the same store calls, for every act naming a user", async () => {
    const { h, g } = await guide();
    const acts: [string, (app: typeof h.app, userId: string) => Promise<Result<unknown, DomainError>>][] = [
      ["changeMemberRole", (app, u) => app.changeMemberRole(g.alice, { structureId: g.townHall, userId: u, role: "secondaryManager" })],
      ["removeAttachment", (app, u) => app.removeAttachment(g.alice, { structureId: g.townHall, userId: u })],
      ["grantSpaces", async (app, u) => {
        const r = must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [u], items: [{ space: "FACTURES_RECUES", access: "read" }] }));
        return r.results[0]?.result as Result<unknown, DomainError>;
      }],
      ["revokeSpaceGrant", (app, u) => app.revokeSpaceGrant(g.alice, { structureId: g.townHall, userId: u, space: "FACTURES_RECUES" })],
      ["listMemberGrants", (app, u) => app.listMemberGrants(g.alice, { structureId: g.townHall, userId: u })],
      ["getPersonalInformation", (app, u) => app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: u })],
      ["listUserStructures", (app, u) => app.listUserStructures(g.alice, { structureId: g.townHall, userId: u })],
      ["updateUser", (app, u) => app.updateUser(g.alice, { structureId: g.townHall, userId: u, changes: { phone: "+33 1 23 45 67 89" } })],
    ];
    for (const [name, act] of acts) {
      const foreign: string[] = [];
      const unknown: string[] = [];
      const a = await act(h.appOver(recording(h.store, foreign)), g.victor);
      const b = await act(h.appOver(recording(h.store, unknown)), "usr-nobody");
      expect(a.ok, name).toBe(false);
      expect(a.ok ? null : { ...a.error, id: "?" }, name).toEqual(b.ok ? null : { ...b.error, id: "?" });
      expect(expectErr(a, "NOT_FOUND").entity, name).toBe("user");
      expect(foreign, `${name}: the store calls`).toEqual(unknown);
    }
  });

  it("asking for spaces of a structure one is not attached to is NOT_FOUND, as for an unknown one", async () => {
    const { h, g, app } = await guide();
    const a = await expectRefused(h, () => app.requestSubscription(g.elodie, { structureId: g.acme, items: [{ space: "FACTURES_RECUES", access: "read" }] }), "NOT_FOUND");
    const b = await expectRefused(h, () => app.requestSubscription(g.elodie, { structureId: "str-nowhere", items: [{ space: "FACTURES_RECUES", access: "read" }] }), "NOT_FOUND");
    expect({ ...a, id: "?" }).toEqual({ ...b, id: "?" });
    // An inactive account is told so first, whether the structure exists or not.
    await expectRefused(h, () => app.requestAttachment(g.denis, { structureId: "str-nowhere", scope: WHOLE }), "FORBIDDEN");
  });

  it("a transfer names an inactive account who is not a member like an unknown one: its status is not told", async () => {
    const { h, g, app } = await guide();
    const pending = must(await app.createAccount(g.victor, { structureId: g.acme, login: "p@acme.fr", lastName: "P", firstName: "P" })).member.id;
    const a = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: pending }), "NOT_FOUND");
    const b = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: "usr-nobody" }), "NOT_FOUND");
    expect({ ...a, id: "?" }).toEqual({ ...b, id: "?" });
    // A member of the structure without an active account: told, since the manager sees it.
    const denis = await expectRefused(h, () => app.transferPrimaryRole(g.alice, { structureIds: [g.bookshop], successorId: g.denis }), "ACCOUNT_NOT_ACTIVE");
    expect(denis.status).toBe("deactivated");
  });

  it("a search cursor holds no name nor login of anybody", async () => {
    const { g, app } = await guide();
    const page = must(await app.searchUsers(g.alice, { criteria: {}, limit: 2 }));
    const cursor = page.nextCursor as string;
    const decoded = Buffer.from(cursor, "base64url").toString("utf8");
    const last = page.items.at(-1);
    for (const text of [last?.lastName, last?.firstName, last?.login, "durand", "martin"]) expect(decoded.toLowerCase()).not.toContain(String(text).toLowerCase());
    const next = must(await app.searchUsers(g.alice, { criteria: {}, limit: 2, cursor }));
    expect(next.items[0]?.id).not.toBe(last?.id);
  });

  it("a manager's act on a shared member is recorded on their own structure only: another structure's history never names them", async () => {
    const { h, g, app } = await guide();
    const shared = must(await app.createAccount(g.victor, { structureId: g.acme, login: "partage@acme.fr", lastName: "Partagé", firstName: "P" })).member.id;
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: shared, role: "user", validFrom: TODAY, comment: "Aussi ici", scope: WHOLE }));
    h.tick(3);
    must(await app.sendActivationEmails(g.victor, { structureId: g.acme, userIds: [shared] }));
    must(await app.updateUser(g.victor, { structureId: g.acme, userId: shared, changes: { firstName: "Paul" } }));
    const townHall = must(await app.readHistory(g.alice, { structureId: g.townHall, limit: 100 }));
    expect(townHall.items.filter((e) => e.actorId === g.victor)).toEqual([]);
  });
});

describe("smaller holes", () => {
  it("a manager does not grant themself spaces", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: "FACTURES_RECUES" }));
    const before = h.snapshot();
    const r = must(await app.grantSpaces(g.bruno, { structureId: g.townHall, userIds: [g.bruno], items: [{ space: "FACTURES_RECUES", access: "write" }] }));
    expect(r.results.map((x) => x.result)).toEqual([{ ok: false, error: { code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: g.bruno } }]);
    expect(h.snapshot()).toEqual(before);
  });

  it("a serviceId given as undefined (a host's lookup that found nothing) is refused, never read as the whole structure", async () => {
    const { h, g, app } = await guide();
    must(await app.openSpace(g.alice, { structureId: g.townHall, space: "FACTURES_RECUES" }));
    const loose = untyped(app);
    const grant = await expectRefused(
      h,
      () => loose.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: "FACTURES_RECUES", access: "write", serviceId: undefined }] }),
      "VALIDATION",
    );
    expect(grant).toMatchObject({ issues: [{ path: ["items", 0, "serviceId"], code: "undefined_service" }] });
    await expectRefused(h, () => loose.requestSubscription(g.chloe, { structureId: g.townHall, items: [{ space: "FACTURES_RECUES", access: "read", serviceId: undefined }] }), "VALIDATION");
    await expectRefused(h, () => loose.searchUsers(g.alice, { criteria: { serviceId: undefined } }), "VALIDATION");
    // The access question too, on its fast path as on the full one.
    expectErr(await loose.mayAccess({ userId: g.chloe, structureId: g.townHall, space: "FACTURES_RECUES", access: "read", serviceId: undefined }), "VALIDATION");
    // Absent, or null, it still means the whole structure, as documented.
    const granted = must(await app.grantSpaces(g.alice, { structureId: g.townHall, userIds: [g.chloe], items: [{ space: "FACTURES_RECUES", access: "write", serviceId: null }] }));
    expect(granted.results.map((x) => x.result.ok)).toEqual([true]);
  });

  it("anonymous callers share no idempotency namespace: a key claimed first by someone else never fails a registration", async () => {
    const { h, app } = await guide();
    must(await app.registerAccount({ login: "attaquant@example.fr", lastName: "A", firstName: "A" }, { idempotencyKey: "cle-devinee" }));
    must(await app.registerAccount({ login: "victime@example.fr", lastName: "V", firstName: "V" }, { idempotencyKey: "cle-devinee" }));
    expect(h.snapshot().users.some((u) => u.value.login === "victime@example.fr")).toBe(true);
  });

  it("a bulk key K never collides with a single act keyed K#0", async () => {
    const { h, g, app } = await guide();
    const r1 = must(await app.requestAttachment(g.elodie, { structureId: g.townHall, scope: WHOLE })).request.id;
    const r2 = must(await app.requestAttachment(g.farid, { structureId: g.townHall, scope: WHOLE })).request.id;
    must(await app.validateAttachmentRequest(g.alice, { requestId: r1 }, { idempotencyKey: "K#0" }));
    const bulk = must(await app.validateAttachmentRequests(g.alice, { items: [{ requestId: r2 }] }, { idempotencyKey: "K" }));
    expect(bulk.results.map((x) => x.result.ok)).toEqual([true]);
    expect((await h.store.getAttachmentRequest(r2 as never))?.value.status).toBe("validated");
  });

  it("cells starting with a full-width or small formula character are neutralised in the export", async () => {
    const { g, app } = await guide();
    for (const [i, start] of ["＝", "＋", "－", "＠", "﹦", "−"].entries()) {
      const u = must(await app.registerUser({ login: `f${i}@example.fr`, lastName: `${start}HYPERLINK("http://x")`, firstName: "F" })).user.id;
      must(await app.attachUser(g.alice, { structureId: g.townHall, userId: u, role: "user", validFrom: TODAY, comment: "c", scope: WHOLE }));
    }
    const r = must(await app.exportUsers(g.alice, { criteria: { firstName: "f" } }));
    let text = "";
    for await (const chunk of r.body) text += chunk;
    const names = text.split("\r\n").slice(1, -1).map((l) => l.split(";")[0] as string);
    expect(names).toHaveLength(6);
    for (const name of names) expect(name.replace(/^"/, "").startsWith("'")).toBe(true);
  });
});

describe("migrate() survives its connection dying", () => {
  /** A pool whose one connection dies during the migration: it emits 'error', then its query rejects. */
  function dyingPool(): { pool: PostgresPool; released: unknown[] } {
    const released: unknown[] = [];
    const client = Object.assign(new EventEmitter(), {
      query: async (text: string) => {
        if (/^BEGIN|^ROLLBACK/.test(text)) return { rows: [], rowCount: 0 };
        const death = new Error("terminating connection due to administrator command");
        (client as unknown as EventEmitter).emit("error", death);
        throw death;
      },
      release: (error?: unknown) => {
        released.push(error);
      },
    }) as unknown as PostgresPoolClient;
    return { pool: { query: async () => ({ rows: [], rowCount: 0 }), connect: async () => client }, released };
  }

  it("rejects with the connection's error and destroys the connection, instead of crashing the host on an unheard 'error' event", async () => {
    const { pool, released } = dyingPool();
    await expect(migrate(pool)).rejects.toThrow("terminating connection");
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);
  });
});

// Type-only use, so the imports the tests need for their signatures stay checked.
export type { StructureId, UserId };
