// The boundary (SPEC §4): unknown input goes through zod, never throws, and gives a
// VALIDATION error listing the issues; everything the transitions produce survives
// JSON and comes back through its schema unchanged.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import * as core from "../../src/core/index.js";
import {
  changeMemberRole,
  deactivateService,
  InstantSchema,
  NewHistoryEntrySchema,
  parseAttachmentRequest,
  parseCreateStructure,
  parseDomainEvent,
  parseHistoryEntry,
  parseRegisterUser,
  parseService,
  parseStructure,
  parseUser,
  parseWith,
  refuseAttachmentRequest,
  removeAttachment,
  renameService,
  validateAttachmentRequest,
  validateAttachmentRequests,
  type AttachmentRequest,
  type AttachmentRequestId,
  type DomainError,
  type Result,
  type Structure,
  type StructureId,
  type User,
  type UserId,
} from "../../src/core/index.js";
import { buildGuide, ctx, elodieItems, elodieSubscription, ids, openedOn, sctx, space, today, unwrap, type Guide, type Produced } from "./fixtures.js";
import { attachToCompta, contactToken, createHugo, hugoId, issued, minutesAfter, policy, secondToken, updateCtx } from "./accounts/fixtures.js";

type Parser = (input: unknown) => Result<unknown, DomainError>;

const json = <T>(x: T): unknown => JSON.parse(JSON.stringify(x));

/**
 * Every `parse…` function the core exports (new ones are picked up automatically), but
 * `parseWith`, which takes the schema as first argument.
 */
const parsers: [string, Parser][] = Object.entries(core)
  .filter(([name, value]) => /^parse[A-Z]/.test(name) && name !== "parseWith" && typeof value === "function")
  .map(([name, value]) => [name, value as Parser]);

// Nothing below runs the core's transitions while vitest collects the tests (at import,
// in a describe block, for the rows of an it.each): StrykerJS counts code run then as
// covered by no test ("static"), and its mutants could not be traced to the tests that
// catch them. The guide's records are built inside the tests, once per file (memo).

/** One valid input per parser, to derive near-valid junk from. */
function validInputs(): Record<string, unknown> {
  const g = buildGuide();
  return {
    parseCreateStructure: {
      designation: "ACME",
      kind: "private",
      identifier: { type: "siret", value: "732 829 320 00074" },
    },
    parseAddService: { structureId: "s-1", code: "COMPTA", label: "Comptabilité" },
    parseRenameService: { serviceId: "svc-1", label: "Comptabilité générale" },
    parseDeactivateService: { serviceId: "svc-1" },
    parseRegisterUser: { login: "Elodie@Example.fr", lastName: "Lefèvre", firstName: "Élodie" },
    parseRequestAttachment: { structureId: "s-1", scope: { kind: "services", serviceIds: ["b", "a"] }, comment: "Bonjour" },
    parseValidateAttachmentRequest: { requestId: "req-1", role: "secondaryManager", scope: { kind: "structure" } },
    parseRefuseAttachmentRequest: { requestId: "req-1", reason: "Doublon" },
    parseValidateAttachmentRequests: { items: [{ requestId: "req-1" }, { requestId: "req-2", role: "user" }] },
    parseRefuseAttachmentRequests: { requestIds: ["req-1", "req-2"], reason: "Doublon" },
    parseAttachUser: {
      structureId: "s-1",
      userId: "u-2",
      role: "user",
      validFrom: "2026-12-01",
      validUntil: "2027-06-01",
      comment: "Renfort",
      scope: { kind: "structure" },
    },
    parseChangeMemberRole: { structureId: "s-1", userId: "u-2", role: "secondaryManager" },
    parseRemoveAttachment: { structureId: "s-1", userId: "u-2" },
    parseLeaveStructure: { structureId: "s-1" },
    parseCopyMemberRights: { structureId: "s-1", modelUserId: "u-3", userId: "u-2", comment: "Même poste que Chloé" },
    parseChangeAttachmentEnd: { structureId: "s-1", userId: "u-2", validUntil: "2027-06-30", comment: "Fin de mission" },
    parseChangeGrantEnd: { structureId: "s-1", userId: "u-2", space: "FACTURES_RECUES", serviceId: "svc-1", validUntil: null },
    parseStructure: json(g.hospital),
    parseService: json(g.compta),
    parseUser: json(g.elodie),
    parseAttachmentRequest: json(g.elodieRequest),
    parseHistoryEntry: { ...(json(g.produced.history[0]) as object), sequence: 1 },
    parseNewHistoryEntry: json(g.produced.history[0]),
    parseDomainEvent: json(g.produced.events[0]),
    parseRecordedEvent: { ...(json(g.produced.events[0]) as object), id: "evt-001" },
    parseSubscriptionRequest: json(elodieSubscription(g)),
    parseRequestSubscription: {
      structureId: "s-1",
      items: [
        { space: "FACTURES_RECUES", serviceId: "svc-1", access: "write" },
        { space: "FACTURES_EMISES", access: "read" },
      ],
      comment: "Je traite les factures",
    },
    parseValidateSubscriptionRequest: {
      requestId: "sub-1",
      items: [{ space: "FACTURES_RECUES", serviceId: "svc-1", access: "read" }],
      scope: "structure",
      comment: "Accordé en consultation",
    },
    parseRefuseSubscriptionRequest: { requestId: "sub-1", comment: "Voyez votre chef de service" },
    parseSpaceOnStructure: { structureId: "s-1", space: "FACTURES_RECUES", serviceId: "svc-1" },
    parseRevokeSpaceGrant: { structureId: "s-1", userId: "u-2", space: "FACTURES_RECUES", serviceId: null },
    parseAccessQuery: {
      userId: "u-1",
      structureId: "s-1",
      space: "FACTURES_RECUES",
      serviceId: "svc-1",
      access: "write",
      at: "2026-11-27T10:00:00+01:00",
    },
    parseCreateAccount: {
      structureId: "s-1",
      login: "Hugo.Martin@Example.fr",
      contactEmail: "secretariat@example.fr",
      lastName: "Martin",
      firstName: "Hugo",
      phone: "+33 4 72 11 00 00",
      postalAddress: { street: "3 quai des Célestins", complement: null, postalCode: "69002", city: "Lyon", countryCode: "fr" },
      settings: { activityNotifications: "weekly" },
      attach: { role: "user", scope: { kind: "services", serviceIds: ["b", "a"] }, validFrom: "2026-12-01", comment: "Nouvel agent comptable" },
    },
    parseRegisterAccount: {
      login: "Hugo.Martin@Example.fr",
      contactEmail: "hugo@example.fr",
      lastName: "Martin",
      firstName: "Hugo",
      phone: "04 72 11 00 00",
      postalAddress: { street: "3 quai des Célestins", complement: "Bâtiment B", postalCode: "69002", city: "Lyon", countryCode: "FR" },
      settings: { activityNotifications: "never" },
    },
    parseSendActivationEmails: { structureId: "s-1", userIds: ["u-2", "u-3"] },
    parseActivateAccount: { userId: "u-2", token: "k3JmY2Fzc2VydGlvbi10b2tlbi1mb3ItdGVzdHMtb25seQ" },
    parseConfirmContactEmail: { token: "k3JmY2Fzc2VydGlvbi10b2tlbi1mb3ItdGVzdHMtb25seQ" },
    parseUpdateUser: {
      userId: "u-2",
      structureId: "s-1",
      changes: {
        lastName: "Martin",
        contactEmail: "hugo@example.fr",
        phone: null,
        postalAddress: { street: "1 place Bellecour", complement: null, postalCode: "69002", city: "Lyon", countryCode: "FR" },
        settings: { activityNotifications: "daily" },
      },
    },
    parseSearchUsers: {
      criteria: { lastName: "LEFÈ", firstName: "élodie", login: "mairie-lyon", status: "active", designation: "Mairie", structureId: "s-1", serviceId: "svc-1" },
      limit: 20,
      cursor: "WzEsInVzZXJTZWFyY2giXQ",
    },
    parseLookupPerson: { structureId: "s-1", lastName: "Lefèvre", firstName: "Élodie" },
    parseExportUsers: { criteria: { lastName: "lef" }, separator: ",", bom: false },
    parseTransferPrimaryRole: { structureIds: ["s-1", "s-2"], successorId: "u-2" },
    parseDeactivateAccount: { transfers: [{ structureId: "s-1", successorId: "u-2" }, { structureId: "s-2", successorId: "u-3" }] },
    // Chorus Pro's Structures API (issue 21): request bodies as the API names their fields.
    parseRechercherStructureRequest: {
      structure: { raisonSocialeStructure: "Hôpital", typeStructure: "PUBLIQUE", statutStructure: "ACTIF", identifiantStructure: "266 900 274 00017", typeIdentifiantStructure: "SIRET" },
      parametres: { pageResultatDemandee: 1, nbResultatsParPage: 20, triColonne: "DesignationStructure", triSens: "Descendant" },
    },
    parseConsulterStructureRequest: { idStructureCPP: 26346724, codeLangue: "FR" },
    parseConsulterServiceStructureRequest: { idStructure: 26346724, idService: 7 },
    parseRechercherServicesStructureRequest: { idStructure: 26346724, parametresRechercherServicesStructure: { triColonne: "EstActif" } },
    parseListerRattachementsUtilisateurRequest: {
      idStructure: 26346724,
      adresseEmailConnexionUtilisateur: "Elodie.Lefevre@chu-lyon.fr",
      parametresListerRattachementsStructureUtilisateur: { nbResultatsParPage: 50, triColonne: "StatutRattachement" },
    },
    parseRechercherEspacesRequest: {
      structure: { identifiantStructure: "26690027400017", typeIdentifiantStructure: "SIRET" },
      idService: 7,
      parametresRechercherEspaces: { triColonne: "LibelleEspace", triSens: "Ascendant" },
    },
  };
}


const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** Asserts the shape of a parse result: ok, or VALIDATION with a well-formed issue list. */
function expectOkOrValidation(result: Result<unknown, DomainError>) {
  if (result.ok) return;
  expect(result.error.code).toBe("VALIDATION");
  if (result.error.code !== "VALIDATION") return;
  expect(result.error.issues.length).toBeGreaterThan(0);
  for (const issue of result.error.issues) {
    expect(Array.isArray(issue.path)).toBe(true);
    expect(issue.path.every((p) => typeof p === "string" || typeof p === "number")).toBe(true);
    expect(typeof issue.code).toBe("string");
    expect(typeof issue.message).toBe("string");
  }
}

/** Every path to a value inside a JSON value (the root included). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with the value at `path` replaced (or deleted when `replacement` is the DELETE mark). */
const DELETE = Symbol("delete");
function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement === DELETE ? undefined : replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  if (rest.length === 0 && replacement === DELETE) delete copy[head!];
  else copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

let validMemo: Record<string, unknown> | undefined;
/** {@link validInputs}, built on first use (inside a test). */
const valids = (): Record<string, unknown> => (validMemo ??= validInputs());

describe("the boundary parsers", () => {
  it("cover every parse… function the core exports", () => {
    expect(parsers.map(([name]) => name).sort()).toEqual(Object.keys(valids()).sort());
  });

  it.each(parsers.map(([name]) => name))("%s accepts its valid example", (name) => {
    const parse = parsers.find(([n]) => n === name)![1];
    expect(parse(valids()[name]).ok).toBe(true);
  });

  describe.each(parsers)("%s", (name, parse) => {
    test.prop([anything])("never throws on anything, and fails only with VALIDATION", (input) => {
      expectOkOrValidation(parse(input));
    });

    test.prop([anything.filter((x) => x === null || typeof x !== "object")])(
      "refuses any primitive with VALIDATION",
      (input) => {
        const r = parse(input);
        expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
      },
    );

    const valid = () => valids()[name];
    // The spots are drawn from the valid input when the property runs (chain), not at collection.
    const spotArb = fc.constant(null).chain(() => fc.constantFrom(...paths(valid())));
    test.prop([spotArb, fc.oneof(anything, fc.constant<unknown>(DELETE), fc.string())])(
      "junk anywhere inside a valid input: no throw, VALIDATION or a value that re-parses to itself",
      (path, junk) => {
        const r = parse(replaceAt(valid(), path, junk));
        expectOkOrValidation(r);
        if (r.ok) expect(parse(json(r.value))).toEqual(r);
      },
    );

    const unknownKey = fc.string().filter((k) => !Object.keys(valid() as object).includes(k));
    test.prop([unknownKey, anything.filter((x) => x !== undefined)])(
      "an unknown extra key is refused (strict objects)",
      (key, junk) => {
        const input = Object.assign(Object.create(null) as Record<string, unknown>, valid(), { [key]: junk });
        const r = parse(input);
        expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
      },
    );

    test.prop([unknownKey])("an unknown key given as undefined is absent, as JSON has it: the input parses as without it", (key) => {
      const input = Object.assign(Object.create(null) as Record<string, unknown>, valid(), { [key]: undefined });
      expect(parse(input)).toEqual(parse(valid()));
    });
  });

  // `at: null` is « now », as the parser gives it back: a parsed query sent on (JSON, a
  // queue) parses again to itself.
  it("parseAccessQuery: a query without `at` parses back to itself (at: null is now)", () => {
    const first = core.parseAccessQuery({ userId: "u-1", structureId: "s-1", space: "FACTURES_RECUES", access: "read" });
    expect(first).toEqual({ ok: true, value: { userId: "u-1", structureId: "s-1", space: "FACTURES_RECUES", serviceId: null, access: "read", at: null } });
    expect(core.parseAccessQuery(json(unwrap(first)))).toEqual(first);
  });

  it("parseAccessQuery: a query with `at` parses back to itself (the instant in UTC)", () => {
    const first = unwrap(core.parseAccessQuery(validInputs()["parseAccessQuery"]));
    expect(first).toEqual({ userId: "u-1", structureId: "s-1", space: "FACTURES_RECUES", serviceId: "svc-1", access: "write", at: "2026-11-27T09:00:00.000Z" });
    expect(core.parseAccessQuery(json(first))).toEqual({ ok: true, value: first });
  });

  it("a hostile input (a getter that throws, a revoked proxy) is just bad input", () => {
    const getter = Object.defineProperty({}, "designation", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const [, parse] of parsers) {
      for (const input of [getter, proxy]) {
        const r = parse(input);
        expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
      }
    }
  });

  it("normalises at the boundary: SIRET spaces out, login in lower case, scope sorted", () => {
    expect(unwrap(parseCreateStructure(validInputs()["parseCreateStructure"]))).toEqual({
      designation: "ACME",
      kind: "private",
      viaPigp: false,
      identifier: { type: "siret", value: "73282932000074" },
    });
    expect(unwrap(parseRegisterUser(validInputs()["parseRegisterUser"]))).toMatchObject({ login: "elodie@example.fr" });
    expect(
      unwrap(parseWith(core.AttachmentScopeSchema, { kind: "services", serviceIds: ["b", "a", "b"] })),
    ).toEqual({ kind: "services", serviceIds: ["a", "b"] });
  });

  it("accounts at the boundary: login in lower case, country code in upper case, each user once, never a login among the changes", () => {
    expect(unwrap(core.parseCreateAccount(validInputs()["parseCreateAccount"]))).toMatchObject({
      login: "hugo.martin@example.fr",
      postalAddress: { countryCode: "FR" },
      attach: { scope: { kind: "services", serviceIds: ["a", "b"] } },
    });
    expect(unwrap(core.parseRegisterAccount(validInputs()["parseRegisterAccount"]))).toMatchObject({ login: "hugo.martin@example.fr" });
    expect(issuesOf(core.parseSendActivationEmails({ structureId: "s-1", userIds: ["u-2", "u-2"] })).map((i) => i.path)).toEqual([["userIds"]]);
    expect(issuesOf(core.parseSendActivationEmails({ structureId: "s-1", userIds: [] })).length).toBeGreaterThan(0);
    expect(core.parseUpdateUser({ userId: "u-2", changes: { login: "x@example.fr" } }).ok).toBe(false);
    expect(core.parseUpdateUser({ userId: "u-2", changes: {} }).ok).toBe(false);
    expect(core.parseUpdateUser({ userId: "u-2", changes: { phone: "+33 (0)4 72.11-00-00" } }).ok).toBe(true);
    expect(core.parseActivateAccount({ userId: "u-2", token: "with a space" }).ok).toBe(false);
  });

  it("refuses a wrong SIRET key with an issue on identifier.value saying so", () => {
    const r = parseCreateStructure({ designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000075" } });
    expect(issuesOf(r)).toEqual([{ path: ["identifier", "value"], code: "custom", message: "la clé de contrôle du SIRET est fausse" }]);
  });

  it("refuses viaPigp on a private structure", () => {
    const r = parseCreateStructure({ ...(validInputs()["parseCreateStructure"] as object), viaPigp: true });
    expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
  });

  it("normalises instants with an offset to UTC", () => {
    expect(unwrap(parseWith(InstantSchema, "2026-11-27T10:00:00+01:00"))).toBe("2026-11-27T09:00:00.000Z");
  });

  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  test.prop([
    fc.date({ min: new Date("0001-01-02T00:00:00Z"), max: new Date("9998-12-30T00:00:00Z"), noInvalidDate: true }),
    fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
  ])("an instant written with any offset is the same instant in UTC, and parses back to itself", (date, offset) => {
    const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23);
    const sign = offset < 0 ? "-" : "+";
    const written = `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    const first = parseWith(InstantSchema, written);
    expect(first).toEqual({ ok: true, value: date.toISOString() });
    if (first.ok) expect(parseWith(InstantSchema, first.value)).toEqual(first);
  });

  // Date#toISOString writes years outside 0000–9999 in an expanded form ("-000001-…")
  // that is no ISO-8601 instant of this schema: such instants are refused, so whatever
  // is accepted parses back to itself.
  it.each(["0000-01-01T00:30:00+01:00", "9999-12-31T23:59:59-23:59"])(
    "an instant whose UTC year leaves 0000–9999 (%s) is refused",
    (input) => {
      const r = parseWith(InstantSchema, input);
      expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
    },
  );
  it.each(["0000-01-01T01:30:00+01:00", "9999-12-31T23:59:59+00:00"])(
    "an instant at the edges of 0000–9999 (%s) parses back to itself",
    (input) => {
      const first = parseWith(InstantSchema, input);
      expect(first.ok).toBe(true);
      if (first.ok) expect(parseWith(InstantSchema, first.value)).toEqual(first);
    },
  );
});

/** Runs the rest of the guide on the fixture and collects everything produced. */
function guideScenario(): Produced & { readonly subscriptions: core.SubscriptionRequest[] } {
  const g = buildGuide();
  const all: Produced & { subscriptions: core.SubscriptionRequest[] } = {
    subscriptions: [],
    structures: [...g.produced.structures],
    services: [...g.produced.services],
    users: [...g.produced.users],
    requests: [...g.produced.requests],
    history: [...g.produced.history],
    events: [...g.produced.events],
  };
  const add = (x: { history: readonly core.NewHistoryEntry[]; events: readonly core.DomainEvent[] }) => {
    all.history.push(...x.history);
    all.events.push(...x.events);
  };

  // Élodie's request validated with PAIE unchecked and a role change (« Services retirés »).
  const validated = unwrap(
    validateAttachmentRequest(
      { actor: g.alice, structure: g.hospital, request: g.elodieRequest, requester: g.elodie, services: g.serviceIndex },
      { requestId: g.elodieRequest.id, role: "secondaryManager", scope: core.servicesScope([g.achats.id, g.compta.id]) },
      ctx,
    ),
  );
  add(validated);
  all.users.push(validated.requester);
  all.requests.push(validated.request);

  const refused = unwrap(
    refuseAttachmentRequest(
      { actor: g.alice, structure: g.townHall, request: g.chloeRequest },
      { requestId: g.chloeRequest.id, reason: "Personne inconnue" },
      ctx,
    ),
  );
  add(refused);
  all.requests.push(refused.request);

  const demoted = unwrap(
    changeMemberRole(
      { actor: g.alice, structure: g.hospital, member: g.bruno },
      { structureId: g.hospital.id, userId: g.bruno.id, role: "user" },
      ctx,
    ),
  );
  add(demoted);
  all.users.push(demoted.member);

  const removed = unwrap(
    removeAttachment(
      { actor: g.alice, structure: g.hospital, member: validated.requester },
      { structureId: g.hospital.id, userId: g.elodie.id },
      ctx,
    ),
  );
  add(removed);
  all.users.push(removed.member);

  for (const r of [
    renameService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id, label: "RH & paie" }, ctx),
    deactivateService({ actor: g.alice, structure: g.hospital, service: g.rh }, { serviceId: g.rh.id }, ctx),
  ]) {
    const v = unwrap(r);
    add(v);
    all.services.push(v.service);
  }

  const bulk = validateAttachmentRequests(
    {
      actor: g.alice,
      structures: new Map<StructureId, Structure>([[g.townHall.id, g.townHall]]),
      requests: new Map<AttachmentRequestId, AttachmentRequest>([[g.chloeRequest.id, g.chloeRequest]]),
      users: new Map<UserId, User>([[g.chloe.id, g.chloe]]),
      services: g.serviceIndex,
    },
    { items: [{ requestId: g.chloeRequest.id }] },
    ctx,
  );
  all.users.push(...bulk.users);
  all.requests.push(...bulk.requests);
  all.history.push(...bulk.history);
  all.events.push(...bulk.events);

  // Guide §2, on a fresh cast: Élodie's subscription request validated with one line
  // unchecked and scope « toute la structure », a second one refused (« Désactivée »), a
  // space opened on a service and one closed on the structure, a direct grant and a revocation.
  const s = buildGuide();
  all.history.push(...s.produced.history);
  all.events.push(...s.produced.events);
  const asked = elodieSubscription(s);
  all.subscriptions.push(asked);
  const askedAgain = unwrap(
    core.requestSubscription(
      { user: s.elodie, structure: s.hospital, services: s.serviceIndex },
      { structureId: s.hospital.id, items: [{ space: space.emises, serviceId: null, access: "write" }] },
      { ...sctx, requestId: core.subscriptionRequestId("sub-elodie-2") },
    ),
  );
  add(askedAgain);
  all.subscriptions.push(askedAgain.request);
  const granted = unwrap(
    core.validateSubscriptionRequest(
      { actor: s.alice, structure: s.hospital, request: asked, requester: s.elodie, services: s.serviceIndex },
      { requestId: asked.id, items: elodieItems(s).slice(1), scope: "structure", comment: "Accordé" },
      sctx,
    ),
  );
  add(granted);
  all.subscriptions.push(granted.request);
  all.users.push(granted.requester);
  all.structures.push(granted.structure);
  const refusedSub = unwrap(
    core.refuseSubscriptionRequest(
      { actor: s.bruno, structure: granted.structure, request: askedAgain.request },
      { requestId: askedAgain.request.id, comment: "Pas les factures émises" },
      ctx,
    ),
  );
  add(refusedSub);
  all.subscriptions.push(refusedSub.request);
  const openedOnPaie = unwrap(
    core.openSpace(
      { actor: s.alice, structure: granted.structure, service: s.paie },
      { structureId: s.hospital.id, space: space.emises, serviceId: s.paie.id },
      sctx,
    ),
  );
  add(openedOnPaie);
  all.services.push(openedOnPaie.service!);
  const closed = unwrap(
    core.closeSpace(
      { actor: s.alice, structure: granted.structure, service: null },
      { structureId: s.hospital.id, space: space.sollicitationsEmises, serviceId: null },
      sctx,
    ),
  );
  add(closed);
  all.structures.push(closed.structure!);
  const direct = unwrap(
    core.grantSpaces(
      { actor: s.alice, structure: granted.structure, user: s.bruno, services: core.indexServices([openedOnPaie.service!]) },
      { structureId: s.hospital.id, userId: s.bruno.id, items: [{ space: space.emises, serviceId: s.paie.id, access: "write" }], comment: "Renfort" },
      sctx,
    ),
  );
  add(direct);
  all.users.push(direct.user);
  const revoked = unwrap(
    core.revokeSpaceGrant(
      { actor: s.alice, structure: granted.structure, user: granted.requester, services: new Map() },
      { structureId: s.hospital.id, userId: s.elodie.id, space: space.recues, serviceId: s.paie.id },
      ctx,
    ),
  );
  add(revoked);
  all.users.push(revoked.user);

  // Guide §3 B and §5, on a fresh cast: Alice creates Hugo's account for the hospital and
  // attaches it to COMPTA in the same act (the contact address she typed waits for
  // Hugo's confirmation); his login is registered from the public side (a second link);
  // she sends the activation e-mail again; she corrects his record while it is pending;
  // Hugo activates with the newest token; someone registers his login again (his owner
  // is told); Hugo asks for another contact address, confirms it, and leaves the
  // hospital; a stranger registers a new login.
  const a = buildGuide();
  all.history.push(...a.produced.history);
  all.events.push(...a.produced.events);
  const created = unwrap(createHugo(a, { attach: attachToCompta(a) }));
  add(created);
  all.users.push(created.user);
  const publicLink = unwrap(
    core.registerAccount(
      created.user,
      { login: "hugo.martin@chu-lyon.fr", lastName: "Martin", firstName: "Hugo" },
      { now: minutesAfter(ctx.now, 1), userId: core.userId("u-unused"), issued: issued("public"), contactToken, policy },
    ),
  );
  add(publicLink);
  all.users.push(publicLink.user!);
  const resent = unwrap(
    core.sendActivationEmail(
      { actor: a.alice, structure: a.hospital, user: publicLink.user! },
      { now: minutesAfter(ctx.now, 3), issued: secondToken, policy },
    ),
  );
  add(resent);
  all.users.push(resent.user);
  const modified = unwrap(
    core.updateUser(
      { actor: a.alice, structure: a.hospital, user: resent.user },
      { userId: hugoId, structureId: a.hospital.id, changes: { firstName: "Hugues", phone: null } },
      updateCtx(minutesAfter(ctx.now, 3)),
    ),
  );
  add(modified);
  all.users.push(modified.user);
  const activated = unwrap(
    core.activateAccount(modified.user, { userId: hugoId, token: secondToken.token }, { now: minutesAfter(ctx.now, 4), tokenHash: secondToken.tokenHash }),
  );
  add(activated);
  all.users.push(activated.user);
  const attempted = unwrap(
    core.registerAccount(
      activated.user,
      { login: "hugo.martin@chu-lyon.fr", lastName: "Martin", firstName: "Hugo" },
      { now: minutesAfter(ctx.now, 10), userId: core.userId("u-unused"), issued: issued("attempt"), contactToken, policy },
    ),
  );
  add(attempted);
  all.users.push(attempted.user!);
  const ownContact = issued("own contact");
  const newContact = unwrap(
    core.updateUser(
      { actor: attempted.user!, structure: null, user: attempted.user! },
      { userId: hugoId, changes: { contactEmail: "hugo.perso@example.fr" } },
      updateCtx(minutesAfter(ctx.now, 20), ownContact),
    ),
  );
  add(newContact);
  all.users.push(newContact.user);
  const confirmed = unwrap(
    core.confirmContactEmail(newContact.user, { token: ownContact.token }, { now: minutesAfter(ctx.now, 21), tokenHash: ownContact.tokenHash }),
  );
  add(confirmed);
  all.users.push(confirmed.user);
  const gone = unwrap(core.leaveStructure({ user: confirmed.user, structure: a.hospital }, { structureId: a.hospital.id }, { now: minutesAfter(ctx.now, 22) }));
  add(gone);
  all.users.push(gone.member);
  const registered = unwrap(
    core.registerAccount(
      null,
      { login: "ines.garcia@example.fr", contactEmail: "ines.perso@example.fr", lastName: "Garcia", firstName: "Inès", settings: { activityNotifications: "daily" } },
      { ...ctx, userId: core.userId("u-ines"), issued: issued("ines"), contactToken: issued("ines contact"), policy },
    ),
  );
  add(registered);
  all.users.push(registered.user!);

  // Guide §6, on a fresh cast: Alice hands the hospital over to Bruno and keeps her
  // access; then she deactivates her account naming David for the town hall, and comes
  // back a day later, inside the window.
  const t = buildGuide();
  all.history.push(...t.produced.history);
  all.events.push(...t.produced.events);
  const handed = unwrap(
    core.transferPrimaryRole(
      { actor: t.alice, structures: new Map([[t.hospital.id, t.hospital]]), successors: new Map([[t.bruno.id, t.bruno]]) },
      { transfers: [{ structureId: t.hospital.id, successorId: t.bruno.id }] },
      ctx,
    ),
  );
  add(handed);
  all.structures.push(...handed.structures);
  all.users.push(...handed.successors);
  const window = { reactivationWindowHours: 60 * 24 };
  const left = unwrap(
    core.deactivateAccount(
      {
        actor: t.alice,
        structures: new Map<StructureId, Structure>([...handed.structures, t.townHall].map((x) => [x.id, x])),
        successors: new Map([[t.david.id, t.david]]),
      },
      { transfers: [{ structureId: t.townHall.id, successorId: t.david.id }] },
      { now: minutesAfter(ctx.now, 5), ...window },
    ),
  );
  add(left);
  all.structures.push(...left.structures);
  all.users.push(...left.successors, left.user);
  const back = unwrap(core.reactivateAccount(left.user, { now: minutesAfter(ctx.now, 24 * 60), ...window }));
  add(back);
  all.users.push(back.user);

  // Issue 21, on a fresh cast: Alice attaches David until a date and gives Bruno a grant
  // until a date; she moves both ends; she copies Élodie's rights to David; the sweep
  // warns about each end, then records each one passed (« Expiré »).
  const e = buildGuide();
  all.history.push(...e.produced.history);
  all.events.push(...e.produced.events);
  const hospital = openedOn(e.hospital, space.recues);
  const temporary = unwrap(
    core.attachUser(
      { actor: e.alice, structure: hospital, user: e.david, services: e.serviceIndex },
      { structureId: hospital.id, userId: e.david.id, role: "user", validFrom: today, validUntil: core.localDate("2026-12-10"), comment: "Renfort", scope: core.WHOLE_STRUCTURE },
      ctx,
    ),
  );
  add(temporary);
  const lent = unwrap(
    core.grantSpaces(
      { actor: e.alice, structure: hospital, user: e.bruno, services: e.serviceIndex },
      { structureId: hospital.id, userId: e.bruno.id, items: [{ space: space.recues, serviceId: null, access: "read" }], validUntil: core.localDate("2026-12-05") },
      sctx,
    ),
  );
  add(lent);
  const extended = unwrap(
    core.changeAttachmentEnd(
      { actor: e.alice, structure: hospital, member: temporary.user },
      { structureId: hospital.id, userId: e.david.id, validUntil: core.localDate("2026-12-20"), comment: "Prolongé" },
      ctx,
    ),
  );
  add(extended);
  const shortened = unwrap(
    core.changeGrantEnd(
      { actor: e.alice, structure: hospital, user: lent.user, services: new Map() },
      { structureId: hospital.id, userId: e.bruno.id, space: space.recues, serviceId: null, validUntil: core.localDate("2026-12-03") },
      ctx,
    ),
  );
  add(shortened);
  all.users.push(temporary.user, lent.user, extended.member, shortened.user);
  const copied = unwrap(
    core.copyMemberRights(
      { actor: e.alice, structure: hospital, model: e.elodie, member: extended.member, services: e.serviceIndex },
      { structureId: hospital.id, modelUserId: e.elodie.id, userId: e.david.id },
      ctx,
    ),
  );
  add(copied);
  all.users.push(copied.member);
  const sweep = (user: User, day: string) => {
    const swept = core.recordExpiries(user, { now: new Date(`${day}T09:00:00Z`), warningDays: 15 });
    if (swept === null) throw new Error(`nothing due on ${day}`);
    add(swept);
    all.users.push(swept.user);
    return swept.user;
  };
  sweep(sweep(shortened.user, "2026-11-27"), "2026-12-03");
  sweep(sweep(copied.member, "2026-12-10"), "2026-12-20");
  return all;
}

/** Every event type, checked exhaustive by the compiler. */
const EVENT_TYPES: { readonly [T in core.DomainEventType]: true } = {
  StructureCreated: true,
  ServiceAdded: true,
  ServiceRenamed: true,
  ServiceDeactivated: true,
  UserRegistered: true,
  AccountCreated: true,
  ActivationEmailRequested: true,
  AccountActivated: true,
  RegistrationAttemptedForExistingAccount: true,
  ContactEmailConfirmationRequested: true,
  ContactEmailChanged: true,
  UserModified: true,
  PrimaryRoleTransferred: true,
  AccountDeactivated: true,
  AccountReactivated: true,
  AttachmentRequested: true,
  AttachmentRequestValidated: true,
  AttachmentRequestRefused: true,
  UserAttached: true,
  MemberRoleChanged: true,
  AttachmentRemoved: true,
  SubscriptionRequested: true,
  SubscriptionRequestValidated: true,
  SubscriptionRequestRefused: true,
  SpaceOpened: true,
  SpaceClosed: true,
  SpacesGranted: true,
  SpaceGrantRevoked: true,
  AttachmentEndChanged: true,
  GrantEndChanged: true,
  MemberRightsCopied: true,
  AttachmentExpiringSoon: true,
  GrantExpiringSoon: true,
  AttachmentExpired: true,
  GrantExpired: true,
};

describe("everything the transitions produce survives JSON through its schema, unchanged", () => {
  let memo: ReturnType<typeof guideScenario> | undefined;
  const scenario = () => (memo ??= guideScenario());

  it("the scenario produced every kind of history entry and event the transitions know", () => {
    const all = scenario();
    expect(new Set(all.history.map((h) => h.kind))).toEqual(
      new Set(core.HISTORY_KINDS), // every kind of history entry
    );
    expect(new Set(all.events.map((e) => e.type))).toEqual(new Set(Object.keys(EVENT_TYPES))); // every kind of event
    expect(all.requests.map((r) => r.status)).toEqual(expect.arrayContaining(["pending", "validated", "refused"]));
    expect(all.subscriptions.map((r) => r.status)).toEqual(expect.arrayContaining(["pending", "validated", "refused"]));
    // Spaces opened on a structure and on a service, grants for all services and for one.
    expect(all.structures.some((x) => x.openSpaces.length > 0)).toBe(true);
    expect(all.services.some((x) => x.openSpaces.length > 0)).toBe(true);
    expect(all.users.flatMap((u) => u.grants.map((gr) => gr.serviceId === null))).toEqual(expect.arrayContaining([true, false]));
    expect(all.users.some((u) => u.status === "deactivated")).toBe(true);
  });

  // One test per kind of record, each record checked in turn (named in the failure).
  it("every structure", () => {
    for (const s of scenario().structures) expect(parseStructure(json(s)), `structure ${s.id}`).toEqual({ ok: true, value: s });
  });
  it("every service", () => {
    scenario().services.forEach((s, i) => expect(parseService(json(s)), `service ${s.id}#${i}`).toEqual({ ok: true, value: s }));
  });
  it("every user", () => {
    scenario().users.forEach((u, i) => expect(parseUser(json(u)), `user ${u.id}#${i}`).toEqual({ ok: true, value: u }));
  });
  it("every attachment request", () => {
    for (const r of scenario().requests)
      expect(parseAttachmentRequest(json(r)), `attachment request ${r.id} (${r.status})`).toEqual({ ok: true, value: r });
  });
  it("every subscription request", () => {
    for (const r of scenario().subscriptions)
      expect(core.parseSubscriptionRequest(json(r)), `subscription request ${r.id} (${r.status})`).toEqual({ ok: true, value: r });
  });
  it("every history entry", () => {
    scenario().history.forEach((h, i) => {
      expect(parseWith(NewHistoryEntrySchema, json(h)), `history entry #${i} ${h.kind}`).toEqual({ ok: true, value: h });
      const stored = { ...h, sequence: 42 };
      expect(parseHistoryEntry(json(stored)), `history entry #${i} ${h.kind}`).toEqual({ ok: true, value: stored });
    });
  });
  it("every event", () => {
    scenario().events.forEach((e, i) => {
      const where = `event #${i} ${e.type}`;
      expect(parseDomainEvent(json(e)), where).toEqual({ ok: true, value: e });
      const recorded = { ...e, id: `evt-${String(i + 1).padStart(3, "0")}` };
      expect(core.parseRecordedEvent(json(recorded)), where).toEqual({ ok: true, value: recorded });
      // A domain event is no recorded event without its id, and the reverse.
      expect(core.parseRecordedEvent(json(e)).ok, where).toBe(false);
      expect(parseDomainEvent(json(recorded)).ok, where).toBe(false);
    });
  });
});

describe("commands, typed as the transitions take them, survive JSON through their parser unchanged", () => {
  // Only the cast's ids are needed (g.hospital.id, …): the fixture's stable ids, shaped as
  // its records, so that no transition runs while the table is collected.
  const g = Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, { id }])) as unknown as Guide;
  const commands: [string, Parser, unknown][] = [
    [
      "CreateStructure",
      core.parseCreateStructure,
      { designation: "Mairie de Bron", kind: "public", viaPigp: true, identifier: { type: "siret", value: "21690029000018" } },
    ],
    ["AddService", core.parseAddService, { structureId: g.hospital.id, code: "DSI", label: "Informatique" }],
    ["RenameService", core.parseRenameService, { serviceId: g.rh.id, label: "Ressources humaines et paie" }],
    ["DeactivateService", core.parseDeactivateService, { serviceId: g.rh.id }],
    ["RegisterUser", core.parseRegisterUser, { login: "elodie@example.fr", contactEmail: "Secretariat@Example.fr", lastName: "Lefèvre", firstName: "Élodie" }],
    [
      "RequestAttachment",
      core.parseRequestAttachment,
      { structureId: g.hospital.id, scope: core.servicesScope([g.compta.id, g.achats.id]), requestedRole: "secondaryManager", comment: "" },
    ],
    [
      "ValidateAttachmentRequest",
      core.parseValidateAttachmentRequest,
      { requestId: g.elodieRequest.id, role: "primaryManager", scope: core.servicesScope([g.paie.id]) },
    ],
    ["RefuseAttachmentRequest", core.parseRefuseAttachmentRequest, { requestId: g.elodieRequest.id, reason: "   " }],
    [
      "ValidateAttachmentRequests",
      core.parseValidateAttachmentRequests,
      { items: [{ requestId: g.elodieRequest.id }, { requestId: g.chloeRequest.id, scope: core.WHOLE_STRUCTURE }] },
    ],
    ["RefuseAttachmentRequests", core.parseRefuseAttachmentRequests, { requestIds: [g.chloeRequest.id], reason: "Doublon" }],
    [
      "AttachUser",
      core.parseAttachUser,
      { structureId: g.hospital.id, userId: g.david.id, role: "user", validFrom: "2026-12-01", comment: "Renfort", scope: core.WHOLE_STRUCTURE },
    ],
    ["ChangeMemberRole", core.parseChangeMemberRole, { structureId: g.hospital.id, userId: g.elodie.id, role: "secondaryManager" }],
    ["RemoveAttachment", core.parseRemoveAttachment, { structureId: g.hospital.id, userId: g.elodie.id }],
    [
      "RequestSubscription",
      core.parseRequestSubscription,
      { structureId: g.hospital.id, items: elodieItems(g), comment: "Je traite les factures de la paie" },
    ],
    [
      "ValidateSubscriptionRequest",
      core.parseValidateSubscriptionRequest,
      { requestId: core.subscriptionRequestId("sub-elodie"), items: elodieItems(g).slice(1), scope: "services", comment: "" },
    ],
    ["ValidateSubscriptionRequest (every item)", core.parseValidateSubscriptionRequest, { requestId: core.subscriptionRequestId("sub-elodie"), scope: "user" }],
    ["RefuseSubscriptionRequest", core.parseRefuseSubscriptionRequest, { requestId: core.subscriptionRequestId("sub-elodie"), comment: "Non" }],
    ["SpaceOnStructure (structure)", core.parseSpaceOnStructure, { structureId: g.hospital.id, space: space.recues, serviceId: null }],
    ["SpaceOnStructure (service)", core.parseSpaceOnStructure, { structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id }],
    ["RevokeSpaceGrant", core.parseRevokeSpaceGrant, { structureId: g.hospital.id, userId: g.elodie.id, space: space.recues, serviceId: g.paie.id }],
    [
      "AccessQuery (at an instant)",
      core.parseAccessQuery,
      { userId: g.elodie.id, structureId: g.hospital.id, space: space.recues, serviceId: g.paie.id, access: "write", at: "2026-11-27T09:00:00.000Z" },
    ],
    [
      "CreateAccount (attached in the same act)",
      core.parseCreateAccount,
      {
        structureId: g.hospital.id,
        login: "hugo.martin@chu-lyon.fr",
        lastName: "Martin",
        firstName: "Hugo",
        postalAddress: { street: "3 quai des Célestins", complement: null, postalCode: "69002", city: "Lyon", countryCode: "FR" },
        attach: { role: "user", scope: core.servicesScope([g.compta.id]), validFrom: "2026-11-27", comment: "Nouvel agent comptable" },
      },
    ],
    ["RegisterAccount", core.parseRegisterAccount, { login: "hugo.martin@chu-lyon.fr", lastName: "Martin", firstName: "Hugo", phone: "+33 4 72 11 00 00" }],
    ["SendActivationEmails", core.parseSendActivationEmails, { structureId: g.hospital.id, userIds: [g.david.id, g.elodie.id] }],
    ["ActivateAccount", core.parseActivateAccount, { userId: g.david.id, token: "k3JmY2Fzc2VydGlvbi10b2tlbi1mb3ItdGVzdHMtb25seQ" }],
    ["UpdateUser (by a manager)", core.parseUpdateUser, { userId: g.david.id, structureId: g.hospital.id, changes: { phone: null, postalAddress: null } }],
    ["UpdateUser (one's own)", core.parseUpdateUser, { userId: g.david.id, changes: { settings: { activityNotifications: "weekly" } } }],
    [
      "TransferPrimaryRole",
      core.parseTransferPrimaryRole,
      { transfers: [{ structureId: g.hospital.id, successorId: g.bruno.id }, { structureId: g.townHall.id, successorId: g.david.id }] },
    ],
    ["DeactivateAccount (one successor per structure)", core.parseDeactivateAccount, { transfers: [{ structureId: g.hospital.id, successorId: g.bruno.id }] }],
    ["DeactivateAccount (primary manager of nothing)", core.parseDeactivateAccount, { transfers: [] }],
    ["DeactivateAccount (the same successor for all)", core.parseDeactivateAccount, { successorId: g.bruno.id }],
  ];

  it.each(commands)("%s", (_, parse, command) => {
    expect(parse(json(command))).toEqual({ ok: true, value: command });
  });

  it("rule-level refusals stay with the rules: a blank reason, a blank comment and the primary role pass the boundary", () => {
    expect(core.parseRefuseAttachmentRequest({ requestId: "req-1", reason: "  " }).ok).toBe(true);
    expect(core.parseAttachUser({ ...(commands[10]![2] as object), comment: " " }).ok).toBe(true);
    expect(core.parseChangeMemberRole({ structureId: "s", userId: "u", role: "primaryManager" }).ok).toBe(true);
  });

  it("…but the primary role cannot even be asked for in a request", () => {
    const r = core.parseRequestAttachment({ structureId: "s", scope: { kind: "structure" }, requestedRole: "primaryManager" });
    expect(r.ok ? "ok" : r.error.code).toBe("VALIDATION");
  });
});

/** The issues of a VALIDATION result (fails the test on anything else). */
function issuesOf(result: Result<unknown, DomainError>) {
  if (result.ok) throw new Error(`expected VALIDATION, got ${JSON.stringify(result.value)}`);
  if (result.error.code !== "VALIDATION") throw new Error(`expected VALIDATION, got ${result.error.code}`);
  return result.error.issues;
}

const INVISIBLE_EDGE = /^[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]|[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800\u180E]$/u;

describe("NameSchema — names, labels, designations: one line with something visible", () => {
  const parseName = (input: unknown) => parseWith(core.NameSchema, input);

  it.each([
    ["empty", ""],
    ["spaces", "   "],
    ["zero-width spaces", "\u200B\u200B"],
    ["a byte-order mark", "\uFEFF"],
    ["non-breaking spaces", "\u00A0\u202F"],
    ["a Hangul filler", "\u3164"],
    ["a braille blank", "\u2800"],
  ])("refuses a blank name (%s): « est vide »", (_, name) => {
    expect(issuesOf(parseName(name))).toEqual([{ path: [], code: "custom", message: "est vide" }]);
  });

  it.each([
    ["a NUL", "Lef\u0000èvre"],
    ["a line break", "Lefèvre\nÉlodie"],
    ["a tab", "Lefèvre\tÉlodie"],
    ["a carriage return", "Lefèvre\r"],
    ["an escape", "\u001B[31mLefèvre"],
    ["DEL", "Lefèvre\u007F"],
    ["a C1 control", "Lef\u0085èvre"],
  ])("refuses a control character (%s)", (_, name) => {
    expect(issuesOf(parseName(name))).toEqual([{ path: [], code: "custom", message: "contient un caractère de contrôle" }]);
  });

  it.each([
    ["a right-to-left override", "Lef\u202Eèvre"],
    ["a left-to-right embedding", "\u202ALefèvre"],
    ["a first-strong isolate", "Lef\u2068èvre\u2069"],
    ["a left-to-right isolate", "\u2066Lefèvre"],
    ["a pop directional formatting", "Lefèvre\u202C"],
  ])("refuses a bidirectional override or isolate (%s)", (_, name) => {
    expect(issuesOf(parseName(name))).toEqual([{ path: [], code: "custom", message: "contient un caractère de contrôle bidirectionnel" }]);
  });

  it.each([
    ["\u200B Comptabilité \uFEFF", "Comptabilité"],
    ["\u00A0Paie\u3164", "Paie"],
    ["  Ressources\u00A0humaines  ", "Ressources\u00A0humaines"],
    ["Jean\u200DPierre", "Jean\u200DPierre"],
  ])("trims invisible characters at the edges of %j, keeping its inside", (name, kept) => {
    expect(unwrap(parseName(name))).toBe(kept);
  });

  it(`accepts ${core.MAX_NAME_LENGTH} visible characters, even with invisible edges around, and no more`, () => {
    const longest = "é".repeat(core.MAX_NAME_LENGTH);
    expect(unwrap(parseName(longest))).toBe(longest);
    expect(unwrap(parseName(`\u200B${" ".repeat(100)}${longest}\uFEFF`))).toBe(longest);
    expect(issuesOf(parseName(`${longest}x`)).length).toBeGreaterThan(0);
  });

  test.prop([fc.string({ unit: "grapheme", maxLength: 40 })])(
    "whatever is typed, what passes is visible, one line, free of overrides and invisible edges, and passes again unchanged",
    (typed) => {
      const r = parseName(typed);
      if (!r.ok) return;
      expect(core.isBlank(r.value)).toBe(false);
      expect(core.textProblem(r.value, "line")).toBeNull();
      expect(r.value).not.toMatch(INVISIBLE_EDGE);
      expect(typed).toContain(r.value);
      expect(parseName(r.value)).toEqual(r);
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom(" ", "\u200B", "\uFEFF", "\u00A0", "\u3164", "\u2060"), minLength: 0, maxLength: 12 })])(
    "a name made only of invisible characters never passes",
    (blank) => {
      expect(parseName(blank).ok).toBe(false);
    },
  );

  it("guards every name of the commands: the issue names the field", () => {
    expect(issuesOf(core.parseRenameService({ serviceId: "svc-1", label: "\u200B" })).map((i) => i.path)).toEqual([["label"]]);
    expect(
      issuesOf(core.parseRegisterUser({ login: "a@b.fr", lastName: "Lef\u202Eèvre", firstName: "Élodie" })).map((i) => i.path),
    ).toEqual([["lastName"]]);
    expect(
      issuesOf(core.parseAddService({ structureId: "s-1", code: "RH", label: "Ressources\nhumaines" })).map((i) => i.path),
    ).toEqual([["label"]]);
    expect(
      unwrap(
        core.parseCreateStructure({
          designation: "\uFEFF Mairie de Bron\u200B",
          kind: "public",
          identifier: { type: "siret", value: "21690029000018" },
        }),
      ).designation,
    ).toBe("Mairie de Bron");
  });
});

describe("MultilineTextSchema — comments and reasons: lines allowed, may be blank", () => {
  const parseText = (input: unknown) => parseWith(core.MultilineTextSchema, input);

  it.each(["Ligne 1\nLigne 2", "Col 1\tCol 2", "Windows\r\nligne", "", "   ", "\u200B"])("accepts %j as typed", (text) => {
    expect(unwrap(parseText(text))).toBe(text);
  });

  it.each([
    ["a NUL", "Doublon\u0000", "contient un caractère de contrôle"],
    ["an escape", "\u001B[2J", "contient un caractère de contrôle"],
    ["a vertical tab", "a\u000Bb", "contient un caractère de contrôle"],
    ["a form feed", "a\u000Cb", "contient un caractère de contrôle"],
    ["a C1 control", "a\u009Bb", "contient un caractère de contrôle"],
    ["a right-to-left override", "Motif \u202Eeriovni", "contient un caractère de contrôle bidirectionnel"],
    ["a right-to-left isolate", "Motif \u2067x\u2069", "contient un caractère de contrôle bidirectionnel"],
  ])("refuses %s", (_, text, message) => {
    expect(issuesOf(parseText(text))).toEqual([{ path: [], code: "custom", message }]);
  });

  it(`accepts ${core.MAX_TEXT_LENGTH} characters and no more`, () => {
    expect(parseText("x".repeat(core.MAX_TEXT_LENGTH)).ok).toBe(true);
    expect(parseText("x".repeat(core.MAX_TEXT_LENGTH + 1)).ok).toBe(false);
  });

  it("guards reasons and comments of the commands, naming the field", () => {
    expect(issuesOf(core.parseRefuseAttachmentRequest({ requestId: "req-1", reason: "Non\u202E" })).map((i) => i.path)).toEqual([
      ["reason"],
    ]);
    expect(
      issuesOf(core.parseRequestAttachment({ structureId: "s-1", scope: { kind: "structure" }, comment: "\u0007" })).map((i) => i.path),
    ).toEqual([["comment"]]);
  });
});

describe("ServiceCodeSchema — service codes in their canonical form", () => {
  const parseCode = (input: unknown) => parseWith(core.ServiceCodeSchema, input);

  it.each([
    ["compta", "COMPTA"],
    [" Compta ", "COMPTA"],
    ["\uFF21\uFF11", "A1"], // full-width « Ａ1 »
    ["\uFF43\uFF4F\uFF4D\uFF50\uFF54\uFF41", "COMPTA"],
    ["etat-civil", "ETAT-CIVIL"],
    ["rh.paie_2", "RH.PAIE_2"],
    ["A", "A"],
    ["7", "7"],
  ])("accepts %j as %j", (code, canonical) => {
    expect(unwrap(parseCode(code))).toBe(canonical);
  });

  it.each([
    ["a NUL at the end", "A1\u0000"],
    ["a NUL inside", "A\u00001"],
    ["an empty code", ""],
    ["only spaces", "   "],
    ["a leading hyphen", "-A"],
    ["a trailing dot", "A."],
    ["a space inside", "A B"],
    ["an accented letter", "É1"],
    ["a zero-width space", "A\u200B1"],
    ["a bidi override", "\u202EA1"],
    ["101 characters", "A".repeat(101)],
  ])("refuses %s", (_, code) => {
    expect(issuesOf(parseCode(code)).length).toBeGreaterThan(0);
  });

  it("accepts 100 characters", () => {
    expect(unwrap(parseCode("A".repeat(100)))).toBe("A".repeat(100));
  });

  it("addService's command keeps the code canonical: « compta » is « COMPTA »", () => {
    expect(unwrap(core.parseAddService({ structureId: "s-1", code: "compta", label: "Comptabilité" }))).toEqual({
      structureId: "s-1",
      code: "COMPTA",
      label: "Comptabilité",
    });
    expect(issuesOf(core.parseAddService({ structureId: "s-1", code: "A1\u0000", label: "x" })).map((i) => i.path)).toEqual([
      ["code"],
    ]);
  });

  test.prop([fc.oneof(fc.stringMatching(/^ ?[a-zA-Z0-9\uFF41-\uFF5A][a-zA-Z0-9_.\- ]{0,8} ?$/), fc.string({ unit: "grapheme", maxLength: 12 }))])(
    "whatever is typed, what passes is normalizeServiceCode of it, matches the pattern, and passes again unchanged",
    (typed) => {
      const r = parseCode(typed);
      if (!r.ok) return;
      expect(r.value).toBe(core.normalizeServiceCode(typed));
      expect(r.value).toMatch(core.SERVICE_CODE_PATTERN);
      expect(parseCode(r.value)).toEqual(r);
    },
  );

  test.prop([fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,20}[A-Za-z0-9])?$/), fc.constantFrom("", " ", "  \t")])(
    "every code of letters, digits, _ - . (starting and ending with a letter or digit) passes, in upper case, whatever the spaces around",
    (code, pad) => {
      expect(parseCode(`${pad}${code}${pad}`)).toEqual({ ok: true, value: code.toUpperCase() });
    },
  );
});

describe("StructureIdentifierSchema — identifiers with invisible or control characters", () => {
  it.each([
    ["a control character", { type: "other", value: "AB\u0000CD" }],
    ["a bidi override", { type: "euOutsideFrance", value: "\u202EDE123" }],
    ["nothing visible", { type: "ridet", value: "\u200B" }],
    ["a SIRET with a control character", { type: "siret", value: "73282932000074\u0007" }],
  ])("refuses %s with an issue on identifier.value", (_, identifier) => {
    const issues = issuesOf(core.parseCreateStructure({ designation: "ACME", kind: "private", identifier }));
    expect(issues).toEqual([
      expect.objectContaining({ path: ["identifier", "value"], message: "l'identifiant contient des caractères invisibles ou de contrôle" }),
    ]);
  });
});

describe("isId — what an id is, also where no schema is run (the access query's quick reading)", () => {
  it.each([
    ["a one-character id", "u"],
    ["an id of 200 characters", "u".repeat(200)],
    ["an id with inner spaces and accents", "usr é 1"],
  ])("accepts %s", (_, id) => {
    expect(core.isId(id)).toBe(true);
  });

  it.each([
    ["a number", 42],
    ["null", null],
    ["an object", { id: "u-1" }],
    ["an empty string", ""],
    ["201 characters", "u".repeat(201)],
    ["a line break", "usr\n1"],
    ["a tab", "usr\t1"],
    ["a NUL", "usr\u00001"],
    ["a bidirectional override", "usr\u202E1"],
    ["spaces only", "   "],
    ["zero-width spaces only", "\u200B\u200B"],
  ])("refuses %s", (_, value) => {
    expect(core.isId(value)).toBe(false);
  });
});

describe("PhoneSchema — 3 to 20 digits, however they are written", () => {
  const parsePhone = (input: unknown) => parseWith(core.PhoneSchema, input);

  it.each(["112", "1".repeat(20), "+33 (0)4 72.11-00-00", " 04 72 11 00 00 "])("accepts %j", (phone) => {
    expect(unwrap(parsePhone(phone))).toBe(phone.trim());
  });

  it.each(["12", "+1 2", "1".repeat(21), "+33 472 110 000 000 000 000 0"])("refuses %j: « de 3 à 20 chiffres »", (phone) => {
    expect(issuesOf(parsePhone(phone))).toEqual([{ path: [], code: "custom", message: "de 3 à 20 chiffres" }]);
  });
});

describe("subscription commands at the boundary: one line per space and service, each user once", () => {
  it("refuses two lines for one space on the whole structure, serviceId absent or null alike", () => {
    const r = core.parseRequestSubscription({
      structureId: "s-1",
      items: [
        { space: "FACTURES_RECUES", access: "read" },
        { space: "FACTURES_RECUES", serviceId: null, access: "write" },
      ],
    });
    expect(issuesOf(r)).toEqual([{ path: ["items"], code: "custom", message: "une seule ligne par espace et service" }]);
  });

  it("refuses two lines for one space and one service; takes one space for two services and the whole structure", () => {
    expect(
      issuesOf(
        core.parseRequestSubscription({
          structureId: "s-1",
          items: [
            { space: "FACTURES_RECUES", serviceId: "svc-1", access: "read" },
            { space: "FACTURES_RECUES", serviceId: "svc-1", access: "write" },
          ],
        }),
      ).map((i) => i.path),
    ).toEqual([["items"]]);
    expect(
      unwrap(
        core.parseRequestSubscription({
          structureId: "s-1",
          items: [
            { space: "FACTURES_RECUES", serviceId: "svc-1", access: "read" },
            { space: "FACTURES_RECUES", serviceId: "svc-2", access: "read" },
            { space: "FACTURES_RECUES", access: "write" },
          ],
        }),
      ).items,
    ).toEqual([
      { space: "FACTURES_RECUES", serviceId: "svc-1", access: "read" },
      { space: "FACTURES_RECUES", serviceId: "svc-2", access: "read" },
      { space: "FACTURES_RECUES", serviceId: null, access: "write" },
    ]);
  });

  it("a direct grant names each user once", () => {
    const grant = (userIds: string[]) =>
      parseWith(core.GrantSpacesSchema, { structureId: "s-1", userIds, items: [{ space: "FACTURES_RECUES", access: "read" }] });
    expect(issuesOf(grant(["u-2", "u-3", "u-2"]))).toEqual([{ path: ["userIds"], code: "custom", message: "chaque utilisateur une seule fois" }]);
    expect(unwrap(grant(["u-2", "u-3"])).userIds).toEqual(["u-2", "u-3"]);
  });
});
