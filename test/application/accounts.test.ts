// Guide §3 B and the account side of §5 through the application layer, on the memory
// store: a manager creates an account (and attaches it), sends its activation e-mail
// again, the person activates it with the newest token; public registration that tells
// nobody which logins exist; a user's record, personal information and structures. The
// activation token is a secret: only the outbox's event holds it.
import { describe, expect, it } from "vitest";
import {
  accountStatusLabel,
  errorMessage,
  hashActivationToken,
  historyKindLabel,
  type CreateAccountInput,
  type RecordedEvent,
  type UserId,
} from "../../src/index.js";
import {
  deactivate,
  expectAppended,
  expectDeepFrozen,
  expectDisclosesOnly,
  expectErr,
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
  proxyStore,
  services,
  START,
  TODAY,
  TOMORROW,
  UNKNOWN,
  untyped,
  userRow,
  WHOLE,
  YESTERDAY,
  type AppOptions,
  type Guide,
  type Harness,
} from "./harness.js";
import type { MemoryStoreSnapshot } from "../../src/memory/index.js";

// ------------------------------------------------------------------------ helpers

type ActivationEmail = Extract<RecordedEvent, { type: "ActivationEmailRequested" }>;
type ContactConfirmation = Extract<RecordedEvent, { type: "ContactEmailConfirmationRequested" }>;

/** Inès, who has no account yet: Alice creates hers for the town hall, attached to COMPTA. */
const INES_LOGIN = "ines.garcia@mairie-lyon.fr";
const ines = (g: Guide, extra: Partial<CreateAccountInput> = {}): CreateAccountInput => ({
  structureId: g.townHall,
  login: " Ines.Garcia@Mairie-Lyon.fr ",
  lastName: "Garcia",
  firstName: "Inès",
  phone: "+33 4 72 10 30 30",
  attach: { role: "user", scope: services(g.compta), validFrom: TODAY, comment: "Nouvel agent comptable" },
  ...extra,
});

/** Inès's account with fields a host's untyped body may hold and the input type does not (for the untyped view). */
const inesWith = (g: Guide, extra: Record<string, unknown>): unknown => ({ ...ines(g), ...extra });

/** The host's mailer: claims what the outbox holds, acknowledges it, and keeps the activation e-mails. */
async function deliver(h: Harness): Promise<ActivationEmail[]> {
  const claimed = must(await h.app.claimEvents({ limit: 1000 }));
  must(await h.app.acknowledgeEvents(claimed.map((m) => m.event.id)));
  return claimed.map((m) => m.event).filter((e): e is ActivationEmail => e.type === "ActivationEmailRequested");
}

/** The token of the newest activation e-mail delivered to `userId`. */
const tokenOf = (emails: readonly ActivationEmail[], userId: UserId): string => {
  const mine = emails.filter((e) => e.userId === userId);
  const token = mine[mine.length - 1]?.token;
  if (token === undefined) throw new Error(`no activation e-mail for ${userId}`);
  return token;
};

/** The guide seeded, its outbox delivered (so the e-mails a test looks at are its own), and an app with these options. */
async function setup(options: AppOptions = {}) {
  const { h, g } = await guide();
  await deliver(h);
  const app = Object.keys(options).length === 0 ? h.app : h.appOver(h.store, options);
  return { h, g, app };
}

/** Alice creates Inès's account (must succeed); returns her id. */
async function createInes(h: Harness, g: Guide, extra: Partial<CreateAccountInput> = {}): Promise<UserId> {
  return must(await h.app.createAccount(g.alice, ines(g, extra))).member.id;
}

/**
 * Asserts the events returned are those the outbox saved since `before`, the activation
 * and contact confirmation e-mails without their token there.
 */
function expectSavedWithTokens(h: Harness, before: MemoryStoreSnapshot, returned: readonly RecordedEvent[]) {
  const saved = h.snapshot().outbox.slice(before.outbox.length);
  expect(saved.length).toBe(returned.length);
  saved.forEach((event, i) => {
    if (event.type === "ActivationEmailRequested" || event.type === "ContactEmailConfirmationRequested") {
      const { token, ...rest } = event;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
      expect(rest).toEqual(returned[i]);
      expect(returned[i]).not.toHaveProperty("token");
    } else expect(event).toEqual(returned[i]);
  });
}

/** Everything the store holds but the outbox, as JSON: where a token must never be. */
const storedButOutbox = (h: Harness) => JSON.stringify({ ...h.snapshot(), outbox: [] });

/** A copy of an object without one of its keys (an absent key, not `undefined`). */
const without = <T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> => {
  const { [key]: _dropped, ...rest } = value;
  return rest;
};

const minutes = (n: number) => new Date(Date.parse(START) + n * 60_000).toISOString();

// ----------------------------------------------------------------- the guide's scenario

describe("the guide's scenario: create an account for the structure, resend its e-mail, activate with the newest token", () => {
  it("given Inès has no account, when Alice creates it attached to COMPTA, sends the e-mail again and Inès follows the newest link, then she is active; the older link and the used one fail", async () => {
    const { h, g, app } = await setup();

    // Alice creates the account, attached to COMPTA in the same act.
    const created = must(await app.createAccount(g.alice, ines(g)));
    const id = created.member.id;
    expect(created.member).toMatchObject({ login: INES_LOGIN, status: "pendingActivation", role: "user" });
    expect(created.history.map((e) => historyKindLabel[e.kind])).toEqual(["Compte créé par le gestionnaire", "Rattaché par le gestionnaire"]);
    const first = tokenOf(await deliver(h), id);

    // A minute later the e-mail may not go again yet; five minutes later it does.
    h.tick(1);
    const early = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(expectErr(early.results[0]!.result, "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe(minutes(2));
    h.tick(4);
    const resent = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(must(resent.results[0]!.result).history.map((e) => historyKindLabel[e.kind])).toEqual(["Courriel d’activation envoyé"]);
    const newest = tokenOf(await deliver(h), id);
    expect(newest).not.toBe(first);

    // The older token stopped working when the newer was sent.
    await expectRefused(h, () => app.activateAccount({ userId: id, token: first }), "ACTIVATION_TOKEN_INVALID");

    // The newest activates the account.
    h.tick(3);
    const activated = must(await app.activateAccount({ userId: id, token: newest }));
    expect(activated).toMatchObject({ userId: id, login: INES_LOGIN });
    expect(activated.history).toEqual([
      expect.objectContaining({ kind: "accountActivated", structureId: g.townHall, actorId: id, targetUserId: id }),
    ]);
    expect((await userRow(h, id)).value.status).toBe("active");

    // It works once; the older one is still refused.
    await expectRefused(h, () => app.activateAccount({ userId: id, token: newest }), "ACTIVATION_TOKEN_USED");
    await expectRefused(h, () => app.activateAccount({ userId: id, token: first }), "ACTIVATION_TOKEN_INVALID");
    // The town hall's history tells the story, newest first.
    const history = must(await app.readHistory(g.alice, { structureId: g.townHall }));
    expect(history.items.slice(0, 4).map((e) => e.kind)).toEqual(["accountActivated", "activationEmailSent", "userAttached", "accountCreated"]);
  });

  it("an unused token expires: 60 minutes after it was sent it is ACTIVATION_TOKEN_EXPIRED; one minute before it works", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const token = tokenOf(await deliver(h), id);
    h.tick(60);
    const e = await expectRefused(h, () => app.activateAccount({ userId: id, token }), "ACTIVATION_TOKEN_EXPIRED");
    expect(e.expiredAt).toBe(minutes(60));
    h.setNow(minutes(59));
    expect(must(await app.activateAccount({ userId: id, token })).userId).toBe(id);
  });

  it("the token's lifetime is the host's: with tokenLifetimeMinutes 5, six minutes is too late", async () => {
    const { h, g, app } = await setup({ activation: { tokenLifetimeMinutes: 5 } });
    const id = must(await app.createAccount(g.alice, ines(g))).member.id;
    const token = tokenOf(await deliver(h), id);
    h.tick(6);
    await expectRefused(h, () => app.activateAccount({ userId: id, token }), "ACTIVATION_TOKEN_EXPIRED");
    // A fresh e-mail gives a token that works.
    must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    must(await app.activateAccount({ userId: id, token: tokenOf(await deliver(h), id) }));
  });
});

// ------------------------------------------------------------------------ createAccount

describe("createAccount", () => {
  it("creates the account « En cours d'activation », attached as asked; history on the structure; the e-mail event without its token", async () => {
    const { h, g, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.createAccount(g.alice, ines(g)));
    const attachment = { structureId: g.townHall, role: "user", scope: services(g.compta), validFrom: TODAY, attachedBy: g.alice, attachedAt: START, validUntil: null, endNotice: null };
    expect(r.member).toEqual({
      id: "usr-010",
      login: INES_LOGIN,
      lastName: "Garcia",
      firstName: "Inès",
      status: "pendingActivation",
      role: "user",
      attachment,
    });
    expect(Object.keys(r).sort()).toEqual(["events", "history", "member"]);
    expect(r.history).toEqual([
      { sequence: expect.any(Number), structureId: g.townHall, kind: "accountCreated", at: START, actorId: g.alice, targetUserId: "usr-010", requestId: null, details: {} },
      expect.objectContaining({ kind: "userAttached", targetUserId: "usr-010", details: { role: "user", scope: services(g.compta), comment: "Nouvel agent comptable" } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events.map((e) => e.type)).toEqual(["AccountCreated", "ActivationEmailRequested", "UserAttached"]);
    expect(r.events[1]).toEqual({
      id: expect.any(String),
      type: "ActivationEmailRequested",
      at: START,
      userId: "usr-010",
      login: INES_LOGIN, // where the link goes: the login only
      expiresAt: minutes(60),
    });
    expectSavedWithTokens(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);

    const stored = await userRow(h, "usr-010" as UserId);
    expect(stored.version).toBe(1);
    const token = (h.snapshot().outbox.find((e) => e.type === "ActivationEmailRequested") as ActivationEmail).token!;
    expect(stored.value).toMatchObject({
      status: "pendingActivation",
      phone: "+33 4 72 10 30 30",
      createdFor: g.townHall,
      attachments: [attachment],
      activation: { tokens: [{ tokenHash: hashActivationToken(token), issuedAt: START, expiresAt: minutes(60), by: `structure:${g.townHall}` }], usedAt: null },
      contactEmailChange: null,
      accountEmails: [{ at: START, by: `structure:${g.townHall}` }],
    });
    expect((await h.store.findUserByLogin(INES_LOGIN))?.value.id).toBe("usr-010");
  });

  it("a contact address other than the login waits for Inès's confirmation: the login is her contact address, a confirmation link goes to the address given (its token in the outbox only)", async () => {
    const { h, g, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.createAccount(g.alice, ines(g, { contactEmail: "ines.perso@example.fr" })));
    expect(r.events.map((e) => e.type)).toEqual(["AccountCreated", "ActivationEmailRequested", "ContactEmailConfirmationRequested", "UserAttached"]);
    expect(r.events[2]).toEqual({
      id: expect.any(String),
      type: "ContactEmailConfirmationRequested",
      at: START,
      userId: r.member.id,
      login: INES_LOGIN,
      address: "ines.perso@example.fr",
      expiresAt: "2026-12-04T08:00:00.000Z",
    });
    expectSavedWithTokens(h, before, r.events);
    const stored = (await userRow(h, r.member.id)).value;
    const token = (h.snapshot().outbox.find((e) => e.type === "ContactEmailConfirmationRequested") as ContactConfirmation).token!;
    expect(stored).toMatchObject({
      contactEmail: INES_LOGIN,
      contactEmailChange: { address: "ines.perso@example.fr", tokenHash: hashActivationToken(token), requestedBy: g.alice },
    });
    expect(stored.accountEmails).toHaveLength(2); // both e-mails in the town hall's budget
    expect(must(await app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: r.member.id })).general).toMatchObject({
      contactEmail: INES_LOGIN,
      pendingContactEmail: "ines.perso@example.fr",
    });
  });

  it("without attach: the account is the structure's (created for it) but not attached", async () => {
    const { h, g, app } = await setup();
    const r = must(await app.createAccount(g.bruno, without(ines(g), "attach")));
    expect(r.member).toMatchObject({ status: "pendingActivation", role: null, attachment: null });
    expect(r.history.map((e) => e.kind)).toEqual(["accountCreated"]);
    expect((await userRow(h, r.member.id)).value).toMatchObject({ createdFor: g.townHall, attachments: [], settings: { activityNotifications: "never" } });
  });

  it.each(JUNK_ACTORS)("refuses the junk actor %s with UNKNOWN_ACTOR (malformed)", async (_label, actor) => {
    const { h, g, app } = await setup();
    await expectUnknownActor(h, () => untyped(app).createAccount(actor, ines(g)), "malformed");
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await setup();
    await expectInvalid(h, () => untyped(app).createAccount(g.alice, input));
  });

  it.each([
    ["an extra key", { status: "active" }],
    ["a login that is not an e-mail", { login: "ines" }],
    ["a blank last name", { lastName: " \u200B " }],
    ["a phone with letters", { phone: "04 72 IO 30 30" }],
    ["a country code of three letters", { postalAddress: { street: "1 rue", complement: null, postalCode: "69001", city: "Lyon", countryCode: "FRA" } }],
    ["unknown settings", { settings: { activityNotifications: "hourly" } }],
    ["an activation to set", { activation: null }],
  ])("refuses a command with %s with VALIDATION", async (_label, override) => {
    const { h, g, app } = await setup();
    await expectInvalid(h, () => untyped(app).createAccount(g.alice, inesWith(g, override)));
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s with FORBIDDEN (%s)", async (_label, who, reason) => {
    const { h, g, app } = await setup();
    await expectForbidden(h, () => app.createAccount(g[who], ines(g)), g[who], reason, g.townHall);
  });

  it("refuses an unknown actor with UNKNOWN_ACTOR, an unknown structure with FORBIDDEN as any structure one does not manage", async () => {
    const { h, g, app } = await setup();
    await expectUnknownActor(h, () => app.createAccount(UNKNOWN, ines(g)), "unknown");
    await expectForbidden(h, () => app.createAccount(g.alice, ines(g, { structureId: UNKNOWN })), g.alice, "notAManager");
  });

  it("given a public structure using the PIGP, its manager is refused with PIGP_REFERENT_REQUIRED: ask the DGFiP referent of MADHRAS", async () => {
    const { h, g, app } = await setup();
    const bron = must(
      await app.createStructure(g.alice, { designation: "Mairie de Bron", kind: "public", viaPigp: true, identifier: { type: "siret", value: "21690029000018" } }),
    ).structure.id;
    const e = await expectRefused(h, () => app.createAccount(g.alice, without(ines(g, { structureId: bron }), "attach")), "PIGP_REFERENT_REQUIRED");
    expect(e.structureId).toBe(bron);
    expect(errorMessage(e)).toBe(
      "Pour les structures publiques (utilisatrices du PIGP), il faut réaliser une demande au référent de la DGFiP en charge du référentiel MADHRAS afin de créer l'utilisateur.",
    );
    await expectRefused(h, () => app.createAccount(g.alice, ines(g, { structureId: bron, attach: { role: "user", scope: WHOLE, validFrom: TODAY, comment: "x" } })), "PIGP_REFERENT_REQUIRED");
  });

  it.each([
    ["an active account's", "CHLOE.DURAND@mairie-lyon.fr"],
    ["a deactivated account's", "denis.roux@mairie-lyon.fr"],
  ])("refuses %s login with LOGIN_TAKEN (a manager may learn it: lookup tells as much)", async (_label, login) => {
    const { h, g, app } = await setup();
    await expectRefused(h, () => app.createAccount(g.alice, ines(g, { login })), "LOGIN_TAKEN");
  });

  it("refuses the login of an account still « En cours d'activation » with LOGIN_TAKEN", async () => {
    const { h, g, app } = await setup();
    await createInes(h, g);
    await expectRefused(h, () => app.createAccount(g.bruno, without(ines(g), "attach")), "LOGIN_TAKEN");
  });

  it("refuses an attachment with the primary role (which the type refuses: an untyped body) with CANNOT_GRANT_PRIMARY, and creates no account", async () => {
    const { h, g, app } = await setup();
    const attach = { role: "primaryManager", scope: WHOLE, validFrom: TODAY, comment: "x" };
    await expectRefused(h, () => untyped(app).createAccount(g.alice, inesWith(g, { attach })), "CANNOT_GRANT_PRIMARY");
    expect(await h.store.findUserByLogin(INES_LOGIN)).toBeNull();
  });

  type Attach = NonNullable<CreateAccountInput["attach"]>;
  it.each([
    ["a start date in the past", (g: Guide): Attach => ({ role: "user", scope: services(g.compta), validFrom: YESTERDAY, comment: "x" }), "VALID_FROM_IN_THE_PAST"],
    ["a blank comment", (_g: Guide): Attach => ({ role: "user", scope: WHOLE, validFrom: TOMORROW, comment: "  " }), "COMMENT_REQUIRED"],
    ["no service", (_g: Guide): Attach => ({ role: "user", scope: services(), validFrom: TODAY, comment: "x" }), "EMPTY_SCOPE"],
    ["a service of ACME", (g: Guide): Attach => ({ role: "user", scope: services(g.ventes), validFrom: TODAY, comment: "x" }), "NOT_FOUND"],
  ] as const)("refuses an attachment with %s as attachUser does, and creates no account", async (_label, attach, code) => {
    const { h, g, app } = await setup();
    await expectRefused(h, () => app.createAccount(g.alice, ines(g, { attach: attach(g) })), code);
    expect(await h.store.findUserByLogin(INES_LOGIN)).toBeNull();
  });

  it("refuses an attachment to a deactivated service with SERVICE_INACTIVE", async () => {
    const { h, g, app } = await setup();
    must(await app.deactivateService(g.alice, { serviceId: g.rh }));
    await expectRefused(h, () => app.createAccount(g.alice, ines(g, { attach: { role: "user", scope: services(g.rh), validFrom: TODAY, comment: "x" } })), "SERVICE_INACTIVE");
  });

  it("a retry with the same idempotency key gets the first outcome (without the token) and creates nothing more", async () => {
    const { h, g, app } = await setup();
    const first = must(await app.createAccount(g.alice, ines(g), { idempotencyKey: "create-ines" }));
    const after = h.snapshot();
    const again = must(await app.createAccount(g.alice, ines(g), { idempotencyKey: "create-ines" }));
    expect(again).toEqual(first);
    expect(h.snapshot()).toEqual(after);
    expect(again.events[1]).not.toHaveProperty("token");
    expectErr(await app.createAccount(g.alice, ines(g, { phone: "01 02 03 04 05" }), { idempotencyKey: "create-ines" }), "IDEMPOTENCY_KEY_REUSED");
  });

  it("a retry by a manager who has since lost the right gets OUTCOME_WITHHELD: a receipt that it was done, nothing of the outcome", async () => {
    const { h, g, app } = await setup();
    const first = must(await app.createAccount(g.bruno, ines(g), { idempotencyKey: "create-ines" }));
    h.tick(1);
    must(await app.changeMemberRole(g.alice, { structureId: g.townHall, userId: g.bruno, role: "user" }));
    const e = await expectRefused(h, () => app.createAccount(g.bruno, ines(g), { idempotencyKey: "create-ines" }), "OUTCOME_WITHHELD");
    expect(e).toEqual({ code: "OUTCOME_WITHHELD", key: "create-ines", committedAt: START });
    expect(JSON.stringify(e)).not.toContain(first.member.id);
  });
});

// ------------------------------------------------------------------------ registerAccount

describe("registerAccount — « depuis l'accueil déconnecté », telling nobody which logins exist", () => {
  const farAway = (login: string) => ({ login, lastName: "Garcia", firstName: "Inès" });

  it("a new login: an account « En cours d'activation » for no structure, and its activation e-mail in the outbox", async () => {
    const { h, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.registerAccount(farAway(" Ines.Garcia@Example.fr ")));
    expect(r).toEqual({ login: "ines.garcia@example.fr" });
    expectDeepFrozen(r);
    const user = (await h.store.findUserByLogin("ines.garcia@example.fr"))!.value;
    expect(user).toMatchObject({ status: "pendingActivation", createdFor: null, attachments: [] });
    expect(h.snapshot().history).toEqual(before.history); // no structure concerned
    const saved = h.snapshot().outbox.slice(before.outbox.length);
    expect(saved.map((e) => e.type)).toEqual(["AccountCreated", "ActivationEmailRequested"]);
    expect(saved[0]).toMatchObject({ createdBy: null, structureId: null });
    // Inès activates it from the e-mail.
    must(await app.activateAccount({ userId: user.id, token: tokenOf(await deliver(h), user.id) }));
  });

  it.each([
    ["active (Chloé)", "Chloe.Durand@Mairie-Lyon.fr", "RegistrationAttemptedForExistingAccount"],
    ["deactivated (Denis)", "denis.roux@mairie-lyon.fr", "RegistrationAttemptedForExistingAccount"],
    ["« En cours d'activation » (Inès, created by Alice)", INES_LOGIN, "ActivationEmailRequested"],
  ])(
    "a login held by an account %s gets the very answer a new login gets; only the outbox tells its owner",
    async (_label, login, told) => {
      const { h, g, app } = await setup();
      await createInes(h, g);
      await deliver(h);
      h.tick(10); // beyond the throttle
      const fresh = await app.registerAccount(farAway("nobody.yet@example.fr"));
      const before = h.snapshot();
      const taken = await app.registerAccount(farAway(login));
      // The same answer, but for the login it repeats.
      const canonical = login.trim().toLowerCase();
      expect(taken).toEqual({ ok: true, value: { login: canonical } });
      expect({ ...taken, value: { login: "x" } }).toEqual({ ...fresh, value: { login: "x" } });
      expect(Object.isFrozen(taken.ok && taken.value)).toBe(Object.isFrozen(fresh.ok && fresh.value));
      // No account made, no history; the owner is told through the outbox.
      const after = h.snapshot();
      expect(after.users.length).toBe(before.users.length);
      expect(after.history).toEqual(before.history);
      const owner = (await h.store.findUserByLogin(canonical))!.value;
      expect(after.outbox.slice(before.outbox.length)).toEqual([expect.objectContaining({ type: told, userId: owner.id, login: canonical })]);
      // Counted in the public side's budget only.
      expect(owner.accountEmails[owner.accountEmails.length - 1]).toEqual({ at: h.now().toISOString(), by: "public" });
    },
  );

  it("a pending account registered from the public side gets one more link: the manager's keeps working (an anonymous act never undoes a manager's)", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const managers = tokenOf(await deliver(h), id);
    h.tick(5);
    must(await app.registerAccount(farAway(INES_LOGIN)));
    const publicOne = tokenOf(await deliver(h), id);
    expect(publicOne).not.toBe(managers);
    // Nothing else of the record changes: the stranger's names are ignored.
    expect((await userRow(h, id)).value).toMatchObject({ lastName: "Garcia", firstName: "Inès", phone: "+33 4 72 10 30 30", contactEmailChange: null });
    must(await app.activateAccount({ userId: id, token: managers }));
    await expectRefused(h, () => app.activateAccount({ userId: id, token: publicOne }), "ACTIVATION_TOKEN_USED");
  });

  it("registered again from the public side, the newer public link replaces the older public one only", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const managers = tokenOf(await deliver(h), id);
    h.tick(5);
    must(await app.registerAccount(farAway(INES_LOGIN)));
    const older = tokenOf(await deliver(h), id);
    h.tick(5);
    must(await app.registerAccount(farAway(INES_LOGIN)));
    const newer = tokenOf(await deliver(h), id);
    await expectRefused(h, () => app.activateAccount({ userId: id, token: older }), "ACTIVATION_TOKEN_INVALID");
    expect((await userRow(h, id)).value.activation?.tokens.map((t) => t.tokenHash)).toEqual([hashActivationToken(managers), hashActivationToken(newer)]);
  });

  it("anonymous callers share no idempotency namespace: a key someone used for another registration does not block Inès's", async () => {
    const { h, app } = await setup();
    must(await app.registerAccount(farAway("eve@example.fr"), { idempotencyKey: "inscription-1" }));
    expect(must(await app.registerAccount(farAway("ines.garcia@example.fr"), { idempotencyKey: "inscription-1" }))).toEqual({ login: "ines.garcia@example.fr" });
    expect(await h.store.findUserByLogin("ines.garcia@example.fr")).not.toBeNull();
    // The same registration retried with its key is its first outcome, and makes nothing more.
    const after = h.snapshot();
    expect(must(await app.registerAccount(farAway("ines.garcia@example.fr"), { idempotencyKey: "inscription-1" }))).toEqual({ login: "ines.garcia@example.fr" });
    expect(h.snapshot()).toEqual(after);
  });

  it("throttled: a second attempt right after still answers the same, and nothing at all is written or sent", async () => {
    const { h, app } = await setup();
    const answer = must(await app.registerAccount(farAway("chloe.durand@mairie-lyon.fr")));
    const before = h.snapshot();
    h.tick(1);
    expect(must(await app.registerAccount(farAway("chloe.durand@mairie-lyon.fr")))).toEqual(answer);
    expect(h.snapshot()).toEqual(before);
    // New logins are never throttled: each gets its account.
    expect(must(await app.registerAccount(farAway("a.new.one@example.fr")))).toEqual({ login: "a.new.one@example.fr" });
  });

  it("the throttle's daily limit holds too: the 6th attempt of the day does nothing", async () => {
    const { h, app } = await setup();
    for (let i = 0; i < 5; i++) {
      must(await app.registerAccount(farAway("chloe.durand@mairie-lyon.fr")));
      h.tick(10);
    }
    const before = h.snapshot();
    expect(must(await app.registerAccount(farAway("chloe.durand@mairie-lyon.fr")))).toEqual({ login: "chloe.durand@mairie-lyon.fr" });
    expect(h.snapshot()).toEqual(before);
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, app } = await setup();
    await expectInvalid(h, () => untyped(app).registerAccount(input));
  });

  it("refuses a registration that tries to attach or name a structure with VALIDATION", async () => {
    const { h, g, app } = await setup();
    // The type has no such fields: a host's untyped body.
    await expectInvalid(h, () => untyped(app).registerAccount({ ...farAway("x@example.fr"), structureId: g.townHall }));
    await expectInvalid(h, () => untyped(app).registerAccount({ ...farAway("x@example.fr"), attach: { role: "user" } }));
    await expectInvalid(h, () => app.registerAccount(farAway("x@example.fr"), { idempotencyKey: "" }));
  });
});

// ------------------------------------------------------------------------ sendActivationEmails

describe("sendActivationEmails — « Renvoyer un courriel d'activation » to the users checked", () => {
  it("one result per user, in order: sent to the pending, a per-user error for the others", async () => {
    const { h, g, app } = await setup();
    const a = await createInes(h, g);
    const b = must(await app.createAccount(g.alice, { structureId: g.townHall, login: "jules.roy@mairie-lyon.fr", lastName: "Roy", firstName: "Jules" })).member.id;
    await deliver(h);
    h.tick(5);
    const before = h.snapshot();
    const r = must(await app.sendActivationEmails(g.bruno, { structureId: g.townHall, userIds: [a, g.chloe, g.elodie, UNKNOWN, b] }));
    expect(r.results.map((x) => [x.userId, x.result.ok ? "ok" : x.result.error.code])).toEqual([
      [a, "ok"],
      [g.chloe, "ACCOUNT_NOT_PENDING_ACTIVATION"], // active, attached to the town hall
      [g.elodie, "NOT_FOUND"], // not a user of the town hall: as an unknown id
      [UNKNOWN, "NOT_FOUND"],
      [b, "ok"], // created for the town hall, not attached
    ]);
    expect(r.results[1]!.result).toEqual({ ok: false, error: { code: "ACCOUNT_NOT_PENDING_ACTIVATION", userId: g.chloe, status: "active" } });
    expect(r.results[2]!.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: g.elodie } });
    expect(r.results[3]!.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: UNKNOWN } });
    const sent = must(r.results[0]!.result);
    expect(sent).toMatchObject({ userId: a, expiresAt: minutes(65) });
    expect(sent.history).toEqual([
      expect.objectContaining({ kind: "activationEmailSent", structureId: g.townHall, actorId: g.bruno, targetUserId: a, details: { expiresAt: minutes(65) } }),
    ]);
    expect(r.events.map((e) => [e.type, (e as ActivationEmail).userId])).toEqual([
      ["ActivationEmailRequested", a],
      ["ActivationEmailRequested", b],
    ]);
    expectSavedWithTokens(h, before, r.events);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
    const emails = await deliver(h);
    // The town hall's one token, replaced by the newest.
    expect((await userRow(h, a)).value.activation?.tokens.map((t) => t.tokenHash)).toEqual([hashActivationToken(tokenOf(emails, a))]);
  });

  it("given Denis is deactivated, he gets ACCOUNT_NOT_PENDING_ACTIVATION naming « Désactivé », and nothing changes", async () => {
    const { h, g, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [g.denis] }));
    const e = expectErr(r.results[0]!.result, "ACCOUNT_NOT_PENDING_ACTIVATION");
    expect(errorMessage(e)).toContain(accountStatusLabel.deactivated);
    expect(r.events).toEqual([]);
    expect(h.snapshot()).toEqual(before);
  });

  it("the issue's scenario: after a resend and three anonymous registrations two minutes apart, Alice's next e-mail still goes, and no link she sent was revoked by them", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g); // the town hall's e-mail #1 at 08:00
    const send = () => app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] });
    h.setNow(minutes(5));
    must(must(await send()).results[0]!.result); // #2
    const resent = tokenOf(await deliver(h), id);
    for (const at of [6, 8, 10]) {
      h.setNow(minutes(at));
      must(await app.registerAccount({ login: INES_LOGIN, lastName: "X", firstName: "Y" }));
    }
    expect((await userRow(h, id)).value.activation?.tokens.map((t) => t.by)).toEqual([`structure:${g.townHall}`, "public"]);
    h.setNow(minutes(12));
    must(must(await send()).results[0]!.result); // #3 of the town hall: the public side's spent nothing of it
    const newest = tokenOf(await deliver(h), id);
    expect(newest).not.toBe(resent);
    must(await app.activateAccount({ userId: id, token: newest }));
  });

  it("throttled per user and per initiator: retryAt for the minimum interval, then for the daily limit", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g); // e-mail #1 at 08:00
    const send = () => app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] });
    h.tick(1);
    const before = h.snapshot();
    const early = must(await send());
    expect(early.results[0]!.result).toEqual({ ok: false, error: { code: "ACTIVATION_EMAIL_THROTTLED", userId: id, retryAt: minutes(2) } });
    expect(h.snapshot()).toEqual(before);
    for (const at of [10, 20, 30, 40]) {
      h.setNow(minutes(at));
      must(must(await send()).results[0]!.result); // e-mails #2 to #5
    }
    h.setNow(minutes(50));
    const sixth = must(await send());
    expect(expectErr(sixth.results[0]!.result, "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe(minutes(24 * 60));
  });

  it("the throttle is the host's: a minimum of 10 minutes between e-mails", async () => {
    const { h, g, app } = await setup({ activation: { minMinutesBetweenEmails: 10 } });
    const id = must(await app.createAccount(g.alice, ines(g))).member.id;
    h.tick(5);
    const r = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(expectErr(r.results[0]!.result, "ACTIVATION_EMAIL_THROTTLED").retryAt).toBe(minutes(10));
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s per user with FORBIDDEN (%s), and nothing changes", async (_label, who, reason) => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    h.tick(5);
    const before = h.snapshot();
    const r = must(await app.sendActivationEmails(g[who], { structureId: g.townHall, userIds: [id, g.chloe] }));
    for (const item of r.results) expect(item.result).toEqual({ ok: false, error: { code: "FORBIDDEN", actorId: g[who], structureId: g.townHall, reason } });
    expect(h.snapshot()).toEqual(before);
  });

  it("given Inès registered from the public side, the town hall's manager gets NOT_FOUND until she is attached to it", async () => {
    const { h, g, app } = await setup();
    must(await app.registerAccount({ login: "ines@example.fr", lastName: "Garcia", firstName: "Inès" }));
    const id = (await h.store.findUserByLogin("ines@example.fr"))!.value.id;
    h.tick(5);
    const before = h.snapshot();
    const r = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(r.results[0]!.result).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id } });
    expect(h.snapshot()).toEqual(before);
    must(await app.attachUser(g.alice, { structureId: g.townHall, userId: id, role: "user", validFrom: TODAY, comment: "Stagiaire", scope: WHOLE }));
    must(must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] })).results[0]!.result);
  });

  it("refuses the whole call: junk, duplicates, no user, an unknown actor", async () => {
    const { h, g, app } = await setup();
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).sendActivationEmails(g.alice, input));
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).sendActivationEmails(actor, { structureId: g.townHall, userIds: [g.chloe] }), "malformed");
    await expectInvalid(h, () => app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [g.chloe, g.chloe] }));
    await expectInvalid(h, () => app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [] }));
    await expectUnknownActor(h, () => app.sendActivationEmails(UNKNOWN, { structureId: g.townHall, userIds: [g.chloe] }), "unknown");
  });

  it("a retry with the same key gives the first results again and sends nothing more", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    h.tick(5);
    const first = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }, { idempotencyKey: "resend-1" }));
    const after = h.snapshot();
    h.tick(5);
    const again = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }, { idempotencyKey: "resend-1" }));
    expect(again).toEqual(first);
    expect(h.snapshot()).toEqual(after);
  });
});

// ------------------------------------------------------------------------ activateAccount

describe("activateAccount — refusals", () => {
  it("an unknown user gets the very answer a wrong token gets (ACTIVATION_TOKEN_INVALID)", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const token = tokenOf(await deliver(h), id);
    const unknown = await expectRefused(h, () => app.activateAccount({ userId: UNKNOWN, token }), "ACTIVATION_TOKEN_INVALID");
    const wrong = await expectRefused(h, () => app.activateAccount({ userId: id, token: `${token.slice(1)}x` }), "ACTIVATION_TOKEN_INVALID");
    expect({ ...unknown, userId: id }).toEqual(wrong);
    expect(errorMessage(unknown)).toBe(errorMessage(wrong));
  });

  it("an active account (never pending) gets ACTIVATION_TOKEN_INVALID", async () => {
    const { h, g, app } = await setup();
    await expectRefused(h, () => app.activateAccount({ userId: g.chloe, token: "x".repeat(43) }), "ACTIVATION_TOKEN_INVALID");
  });

  it("what the store keeps (the hash) is no token: ACTIVATION_TOKEN_INVALID", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const hash = (await userRow(h, id)).value.activation!.tokens[0]!.tokenHash;
    await expectRefused(h, () => app.activateAccount({ userId: id, token: hash }), "ACTIVATION_TOKEN_INVALID");
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, app } = await setup();
    await expectInvalid(h, () => untyped(app).activateAccount(input));
  });

  it.each([
    ["a token with a space", { token: "abc def" }],
    ["an empty token", { token: "" }],
    ["a token of 201 characters", { token: "a".repeat(201) }],
    ["an extra key", { password: "secret" }],
  ])("refuses %s with VALIDATION", async (_label, override) => {
    const { h, g, app } = await setup();
    await expectInvalid(h, () => app.activateAccount({ userId: g.chloe, token: "x".repeat(43), ...override }));
  });

  it("a retry with the same key gets the first outcome; the key with another token is another act (ACTIVATION_TOKEN_INVALID), never IDEMPOTENCY_KEY_REUSED: a public key is scoped by its input", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const token = tokenOf(await deliver(h), id);
    const first = must(await app.activateAccount({ userId: id, token }, { idempotencyKey: "activate-1" }));
    const after = h.snapshot();
    expect(must(await app.activateAccount({ userId: id, token }, { idempotencyKey: "activate-1" }))).toEqual(first);
    expect(h.snapshot()).toEqual(after);
    await expectRefused(h, () => app.activateAccount({ userId: id, token: "y".repeat(43) }, { idempotencyKey: "activate-1" }), "ACTIVATION_TOKEN_INVALID");
    // The fingerprint kept holds the token's hash, never the token.
    expect(JSON.stringify(h.snapshot().idempotency)).not.toContain(token);
  });
});

// ------------------------------------------------------------------------ token secrecy

describe("the activation token is in the outbox's event and nowhere else", () => {
  it("not in outcomes, history, idempotency replays, errors, nor any record the store keeps", async () => {
    const { h, g, app } = await setup();
    const seen: unknown[] = [];
    const withContact = ines(g, { contactEmail: "ines.perso@example.fr" });
    const created = must(await app.createAccount(g.alice, withContact, { idempotencyKey: "k1" }));
    seen.push(created, must(await app.createAccount(g.alice, withContact, { idempotencyKey: "k1" })));
    const id = created.member.id;
    h.tick(5);
    const resent = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }, { idempotencyKey: "k2" }));
    seen.push(resent, must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }, { idempotencyKey: "k2" })));
    // A third token, from the public side, at the same minute: its budget is its own.
    must(await app.registerAccount({ login: INES_LOGIN, lastName: "X", firstName: "Y" }, { idempotencyKey: "k3" }));

    // The outbox holds three activation e-mails and a contact confirmation, each with its own token, each token once.
    const outbox = h.snapshot().outbox;
    const emails = outbox.filter((e): e is ActivationEmail => e.type === "ActivationEmailRequested");
    const tokens = emails.map((e) => e.token!);
    expect(new Set(tokens).size).toBe(3);
    const contactToken = (outbox.find((e) => e.type === "ContactEmailConfirmationRequested") as ContactConfirmation).token!;
    for (const token of [...tokens, contactToken]) expect(JSON.stringify(outbox).split(token).length - 1).toBe(1);

    // Refusals along the way (the first token replaced, the town hall's e-mail a minute ago): errors name no token.
    h.tick(1);
    seen.push(await app.activateAccount({ userId: id, token: tokens[0]! }));
    const throttled = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expectErr(throttled.results[0]!.result, "ACTIVATION_EMAIL_THROTTLED");
    seen.push(throttled);
    seen.push(await app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: id }));
    seen.push(await app.listUserStructures(g.alice, { structureId: g.townHall, userId: id }));
    seen.push(await app.readHistory(g.alice, { structureId: g.townHall }));
    const activated = must(await app.activateAccount({ userId: id, token: tokens[2]! }, { idempotencyKey: "k4" }));
    seen.push(activated, await app.activateAccount({ userId: id, token: tokens[2]! }, { idempotencyKey: "k4" }));
    seen.push(await app.activateAccount({ userId: id, token: tokens[2]! })); // USED

    // Inès confirms her contact address, with a key, and retries.
    seen.push(must(await app.confirmContactEmail(id, { token: contactToken }, { idempotencyKey: "k5" })));
    seen.push(await app.confirmContactEmail(id, { token: contactToken }, { idempotencyKey: "k5" }));

    const everythingSeen = JSON.stringify(seen);
    const stored = storedButOutbox(h);
    for (const token of [...tokens, contactToken]) {
      expect(everythingSeen).not.toContain(token);
      expect(stored).not.toContain(token);
    }
    // The account keeps the hashes of its live tokens, one per initiator (the town hall's
    // newest, the public one), and when it was used.
    expect((await userRow(h, id)).value.activation).toEqual({
      tokens: [expect.objectContaining({ tokenHash: hashActivationToken(tokens[1]!), by: `structure:${g.townHall}` }), expect.objectContaining({ tokenHash: hashActivationToken(tokens[2]!), by: "public" })],
      usedAt: h.now().toISOString(),
    });
  });

  it("a store failure at commit: the error and what the host's log is told name no token", async () => {
    const { h, g } = await setup();
    const logged: unknown[] = [];
    let sent: readonly RecordedEvent[] = [];
    const failing = proxyStore(h.store, async (unit) => {
      sent = unit.events;
      throw new Error("connection reset");
    });
    const app = h.appOver(failing, { onStoreError: (error, context) => logged.push({ message: (error as Error).message, context }) });
    const r = await app.createAccount(g.alice, ines(g));
    expect(r).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    const token = (sent.find((e) => e.type === "ActivationEmailRequested") as ActivationEmail).token!;
    expect(token).toBeDefined(); // the store was handed the event whole, for its outbox
    expect(logged).toEqual([{ message: "connection reset", context: { operation: "createAccount", stage: "commit" } }]);
    expect(JSON.stringify([r, logged])).not.toContain(token);
  });

  it("a host's own newToken is used (and only its hash kept)", async () => {
    let n = 0;
    const { h, g, app } = await setup({ newToken: () => `host-token-${String(++n).padStart(8, "0")}` });
    const id = must(await app.createAccount(g.alice, ines(g))).member.id;
    expect(tokenOf(await deliver(h), id)).toBe("host-token-00000001");
    expect(storedButOutbox(h)).not.toContain("host-token-00000001");
    must(await app.activateAccount({ userId: id, token: "host-token-00000001" }));
  });

  it("a newToken that gives something too short is CONFIGURATION, and nothing is written", async () => {
    const { h, g } = await setup();
    const app = h.appOver(h.store, { newToken: () => "short" });
    const e = await expectRefused(h, () => app.createAccount(g.alice, ines(g)), "CONFIGURATION");
    expect(e.option).toBe("newToken");
  });
});

// ------------------------------------------------------------------------ updateUser

describe("updateUser — « Modifier l'utilisateur »", () => {
  const bellecour = { street: "1 place Bellecour", complement: null, postalCode: "69002", city: "Lyon", countryCode: "fr" };

  it("Alice changes the record of Inès (created for the town hall): the outcome shows it as it now is; history on the town hall", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    h.tick(2);
    const before = h.snapshot();
    const r = must(await app.updateUser(g.alice, { structureId: g.townHall, userId: id, changes: { phone: null, postalAddress: bellecour, firstName: "Inès" } }));
    expect(r.fields).toEqual(["phone", "postalAddress"]);
    expect(r.pendingContactEmail).toBeNull();
    expect(r.user).toEqual({
      general: { id, login: INES_LOGIN, contactEmail: INES_LOGIN, pendingContactEmail: null, lastName: "Garcia", firstName: "Inès", phone: null, status: "pendingActivation", createdAt: START },
      postalAddress: { ...bellecour, countryCode: "FR" },
      settings: { activityNotifications: "never" },
    });
    expect(r.history).toEqual([
      expect.objectContaining({ kind: "userModified", structureId: g.townHall, actorId: g.alice, targetUserId: id, details: { fields: ["phone", "postalAddress"] } }),
    ]);
    expectAppended(h, before, r.history);
    expect(r.events).toEqual([expect.objectContaining({ type: "UserModified", userId: id, modifiedBy: g.alice, fields: ["phone", "postalAddress"] })]);
    expectDeepFrozen(r);
    expect((await userRow(h, id)).version).toBe(2);
  });

  it("Chloé changes her own record (no structure named): recorded on her structure", async () => {
    const { g, app } = await setup();
    const r = must(await app.updateUser(g.chloe, { userId: g.chloe, changes: { settings: { activityNotifications: "weekly" } } }));
    expect(r.user.settings).toEqual({ activityNotifications: "weekly" });
    expect(r.history.map((e) => [e.structureId, e.actorId])).toEqual([[g.townHall, g.chloe]]);
  });

  it("changing nothing writes nothing", async () => {
    const { h, g, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.updateUser(g.chloe, { userId: g.chloe, changes: { lastName: "Durand" } }));
    expect(r).toMatchObject({ fields: [], pendingContactEmail: null, history: [], events: [] });
    expect(h.snapshot()).toEqual(before);
  });

  it("a person's record is theirs: Alice may not change Chloé's (active, a user of the town hall), even with her current values: FORBIDDEN (notTheUser), nothing written", async () => {
    const { h, g, app } = await setup();
    await expectForbidden(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: g.chloe, changes: { lastName: "Durand" } }), g.alice, "notTheUser", g.townHall);
    await expectForbidden(
      h,
      () => app.updateUser(g.alice, { structureId: g.townHall, userId: g.chloe, changes: { lastName: "Hacked", contactEmail: "eve@evil.example" } }),
      g.alice,
      "notTheUser",
      g.townHall,
    );
  });

  it("once Inès activated her account, Alice may no longer change it: FORBIDDEN (notTheUser)", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    must(await app.activateAccount({ userId: id, token: tokenOf(await deliver(h), id) }));
    await expectForbidden(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: id, changes: { phone: null } }), g.alice, "notTheUser", g.townHall);
  });

  it("an attachment dated in the future gives no hold: Victor attaches Chloé to ACME from tomorrow, and gets NOT_FOUND for her record", async () => {
    const { h, g, app } = await setup();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "user", validFrom: TOMORROW, comment: "Bienvenue", scope: WHOLE }));
    await expectNotFound(
      h,
      () => app.updateUser(g.victor, { structureId: g.acme, userId: g.chloe, changes: { lastName: "Hacked", contactEmail: "eve@evil.example" } }),
      "user",
      g.chloe,
    );
    await expectNotFound(h, () => app.getPersonalInformation(g.victor, { structureId: g.acme, userId: g.chloe }), "user", g.chloe);
    await expectNotFound(h, () => app.listUserStructures(g.victor, { structureId: g.acme, userId: g.chloe }), "user", g.chloe);
  });

  it("Chloé's new contact address waits for her confirmation: the link goes to it (its token in the outbox only); confirmed, it is hers and the previous one is told", async () => {
    const { h, g, app } = await setup();
    const before = h.snapshot();
    const r = must(await app.updateUser(g.chloe, { userId: g.chloe, changes: { contactEmail: "chloe.perso@example.fr" } }));
    expect(r.fields).toEqual([]);
    expect(r.pendingContactEmail).toBe("chloe.perso@example.fr");
    expect(r.user.general).toMatchObject({ contactEmail: "chloe.durand@mairie-lyon.fr", pendingContactEmail: "chloe.perso@example.fr" });
    expect(r.history).toEqual([expect.objectContaining({ kind: "userModified", structureId: g.townHall, actorId: g.chloe, details: { fields: ["contactEmailChange"] } })]);
    expect(r.events).toEqual([
      { id: expect.any(String), type: "ContactEmailConfirmationRequested", at: START, userId: g.chloe, login: "chloe.durand@mairie-lyon.fr", address: "chloe.perso@example.fr", expiresAt: "2026-12-04T08:00:00.000Z" },
    ]);
    expectSavedWithTokens(h, before, r.events);
    const token = (h.snapshot().outbox.find((e) => e.type === "ContactEmailConfirmationRequested") as ContactConfirmation).token!;
    // Another address a minute later is throttled (her own budget).
    h.tick(1);
    expect(expectErr(await app.updateUser(g.chloe, { userId: g.chloe, changes: { contactEmail: "autre@example.fr" } }), "CONFIRMATION_EMAIL_THROTTLED").retryAt).toBe(minutes(2));
    // Someone else holding the token cannot confirm it: only the owner, signed in.
    await expectRefused(h, () => app.confirmContactEmail(g.alice, { token }), "CONFIRMATION_TOKEN_INVALID");
    const confirmed = must(await app.confirmContactEmail(g.chloe, { token }));
    expect(confirmed).toMatchObject({ contactEmail: "chloe.perso@example.fr" });
    expect(confirmed.events).toEqual([
      expect.objectContaining({ type: "ContactEmailChanged", userId: g.chloe, previousContactEmail: "chloe.durand@mairie-lyon.fr", contactEmail: "chloe.perso@example.fr" }),
    ]);
    expect((await userRow(h, g.chloe)).value).toMatchObject({ contactEmail: "chloe.perso@example.fr", contactEmailChange: null });
  });

  it("refuses a login among the changes with VALIDATION: it is immutable", async () => {
    const { h, g, app } = await setup();
    // The type has no login to change (a compile error); a host's untyped body is refused at run time.
    await expectInvalid(h, () => untyped(app).updateUser(g.chloe, { userId: g.chloe, changes: { login: "chloe@example.fr" } }));
    await expectInvalid(h, () => untyped(app).updateUser(g.chloe, { userId: g.chloe, login: "chloe@example.fr", changes: { lastName: "D" } }));
    await expectInvalid(h, () => app.updateUser(g.chloe, { userId: g.chloe, changes: {} }));
  });

  it.each(JUNK_INPUTS)("refuses the junk input %s with VALIDATION", async (_label, input) => {
    const { h, g, app } = await setup();
    await expectInvalid(h, () => untyped(app).updateUser(g.alice, input));
  });

  it.each(FORBIDDEN_ACTORS)("refuses %s acting through the town hall with FORBIDDEN (%s)", async (_label, who, reason) => {
    const { h, g, app } = await setup();
    await expectForbidden(h, () => app.updateUser(g[who], { structureId: g.townHall, userId: g.chloe, changes: { phone: null, lastName: "X" } }), g[who], reason, g.townHall);
  });

  it("refuses someone else's record without a structure one manages with FORBIDDEN (notTheUser)", async () => {
    const { h, g, app } = await setup();
    await expectForbidden(h, () => app.updateUser(g.alice, { userId: g.chloe, changes: { lastName: "X" } }), g.alice, "notTheUser");
  });

  it("refuses an account not active changing its own record with FORBIDDEN (accountNotActive): Inès pending, Denis deactivated", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    await expectForbidden(h, () => app.updateUser(id, { userId: id, changes: { lastName: "X" } }), id, "accountNotActive");
    await expectForbidden(h, () => app.updateUser(g.denis, { userId: g.denis, changes: { lastName: "X" } }), g.denis, "accountNotActive");
  });

  it("refuses a user who is not of the structure, or unknown, with NOT_FOUND for that id; an unknown actor with UNKNOWN_ACTOR", async () => {
    const { h, g, app } = await setup();
    await expectNotFound(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: g.farid, changes: { lastName: "X" } }), "user", g.farid);
    await expectNotFound(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: g.david, changes: { lastName: "X" } }), "user", g.david); // the bookshop's
    await expectNotFound(h, () => app.updateUser(g.alice, { structureId: g.townHall, userId: UNKNOWN, changes: { lastName: "X" } }), "user", UNKNOWN);
    await expectNotFound(h, () => app.updateUser(g.victor, { structureId: g.acme, userId: g.chloe, changes: { lastName: "X" } }), "user", g.chloe);
    await expectUnknownActor(h, () => app.updateUser(UNKNOWN, { userId: UNKNOWN, changes: { lastName: "X" } }), "unknown");
  });
});

// ------------------------------------------------------------------------ personal information and structures

describe("getPersonalInformation — « Consulter les informations personnelles »", () => {
  it("a manager sees the general information, postal address and settings of a user of her structure; never activation data", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    const r = must(await app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: id }));
    expect(r).toEqual({
      general: { id, login: INES_LOGIN, contactEmail: INES_LOGIN, pendingContactEmail: null, lastName: "Garcia", firstName: "Inès", phone: "+33 4 72 10 30 30", status: "pendingActivation", createdAt: START },
      postalAddress: null,
      settings: { activityNotifications: "never" },
    });
    expectDeepFrozen(r);
    const hash = (await userRow(h, id)).value.activation!.tokens[0]!.tokenHash;
    expect(JSON.stringify(r)).not.toContain(hash);
  });

  it("one's own, without a structure", async () => {
    const { g, app } = await setup();
    expect(must(await app.getPersonalInformation(g.chloe, { userId: g.chloe })).general.login).toBe("chloe.durand@mairie-lyon.fr");
  });

  it("refusals: junk, someone else's without a structure, non-managers, a user not of the structure", async () => {
    const { h, g, app } = await setup();
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).getPersonalInformation(g.alice, input));
    for (const [, actor] of JUNK_ACTORS) await expectUnknownActor(h, () => untyped(app).getPersonalInformation(actor, { userId: g.chloe }), "malformed");
    await expectForbidden(h, () => app.getPersonalInformation(g.alice, { userId: g.chloe }), g.alice, "notTheUser");
    for (const [, who, reason] of FORBIDDEN_ACTORS)
      await expectForbidden(h, () => app.getPersonalInformation(g[who], { structureId: g.townHall, userId: g.chloe }), g[who], reason, g.townHall);
    await expectNotFound(h, () => app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: g.farid }), "user", g.farid);
    await expectNotFound(h, () => app.getPersonalInformation(g.victor, { structureId: g.acme, userId: g.chloe }), "user", g.chloe);
    // Hugo is attached to the town hall from tomorrow only: not yet a user of it in force.
    await expectNotFound(h, () => app.getPersonalInformation(g.alice, { structureId: g.townHall, userId: g.hugo }), "user", g.hugo);
  });
});

describe("listUserStructures — « toutes les structures pour lesquelles l'utilisateur est rattaché »", () => {
  it("given Chloé is also at ACME, Alice sees the town hall in full and ACME by its designation only", async () => {
    const { h, g, app } = await setup();
    must(await app.attachUser(g.victor, { structureId: g.acme, userId: g.chloe, role: "secondaryManager", validFrom: TODAY, comment: "Oui", scope: services(g.ventes) }));
    const r = must(await app.listUserStructures(g.alice, { structureId: g.townHall, userId: g.chloe }));
    expect(r).toEqual([
      { managed: false, designation: "ACME Industrie" },
      {
        managed: true,
        structureId: g.townHall,
        designation: "Mairie de Lyon",
        role: "user",
        scope: { kind: "services", services: [{ id: g.compta, code: "COMPTA", label: "Comptabilité", active: true }] },
        validFrom: TODAY,
        validUntil: null,
      },
    ]);
    expectDeepFrozen(r);
    expectDisclosesOnly(h, g.townHall, r);
  });

  it("Alice, manager of both, sees Denis's two structures in full", async () => {
    const { g, app } = await setup();
    const r = must(await app.listUserStructures(g.alice, { structureId: g.bookshop, userId: g.denis }));
    expect(r.map((l) => [l.designation, l.managed])).toEqual([
      ["Librairie Dupont", true],
      ["Mairie de Lyon", true],
    ]);
  });

  it("refusals: a structure is required, non-managers, a user not of the structure", async () => {
    const { h, g, app } = await setup();
    // The type requires it (a compile error without); a host's untyped body is refused at run time.
    await expectInvalid(h, () => untyped(app).listUserStructures(g.chloe, { userId: g.chloe }));
    for (const [, input] of JUNK_INPUTS) await expectInvalid(h, () => untyped(app).listUserStructures(g.alice, input));
    for (const [, who, reason] of FORBIDDEN_ACTORS)
      await expectForbidden(h, () => app.listUserStructures(g[who], { structureId: g.townHall, userId: g.chloe }), g[who], reason, g.townHall);
    await expectNotFound(h, () => app.listUserStructures(g.victor, { structureId: g.acme, userId: g.chloe }), "user", g.chloe);
    await expectNotFound(h, () => app.listUserStructures(g.alice, { structureId: g.townHall, userId: UNKNOWN }), "user", UNKNOWN);
    await expectNotFound(h, () => app.listUserStructures(g.alice, { structureId: g.townHall, userId: g.hugo }), "user", g.hugo); // from tomorrow
  });
});

describe("deactivated accounts and the lists", () => {
  it("a user deactivated after creation can no longer be e-mailed (ACCOUNT_NOT_PENDING_ACTIVATION)", async () => {
    const { h, g, app } = await setup();
    const id = await createInes(h, g);
    await deactivate(h, id);
    h.tick(5);
    const r = must(await app.sendActivationEmails(g.alice, { structureId: g.townHall, userIds: [id] }));
    expect(r.results[0]!.result).toEqual({ ok: false, error: { code: "ACCOUNT_NOT_PENDING_ACTIVATION", userId: id, status: "deactivated" } });
  });
});
