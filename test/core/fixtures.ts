// The guide's scenarios, built through the real transitions (registerUser,
// createStructure, addService, attachUser, requestAttachment), plus a few assertion
// helpers shared by the core tests.
import { expect } from "vitest";
import {
  addService,
  attachUser,
  attachmentRequestId,
  CHORUS_PRO_SPACES,
  createStructure,
  errorMessage,
  indexServices,
  localDate,
  registerUser,
  requestAttachment,
  requestSubscription,
  serviceId,
  servicesScope,
  spaceCode,
  structureId,
  subscriptionRequestId,
  toInstant,
  userId,
  WHOLE_STRUCTURE,
  type AttachmentRequest,
  type DomainError,
  type DomainErrorCode,
  type DomainErrorOf,
  type DomainEvent,
  type ForbiddenReason,
  type NewHistoryEntry,
  type PendingAttachmentRequest,
  type PendingSubscriptionRequest,
  type Result,
  type Service,
  type ServiceId,
  type SpaceCode,
  type SpaceGrant,
  type Structure,
  type SubscriptionItem,
  type TransitionContext,
  type User,
} from "../../src/core/index.js";

// ------------------------------------------------------------------------- clock

/** The instant the tests act at (the guide's manager opens the screen). */
export const now = new Date("2026-11-27T09:00:00Z");
/** `now` as stored in aggregates, history and events. */
export const at = toInstant(now);
/** The calendar date of `now`. */
export const today = localDate("2026-11-27");
export const yesterday = localDate("2026-11-26");
export const tomorrow = localDate("2026-11-28");
/** The context every act of the tests runs in. */
export const ctx: TransitionContext = { now };

/** When the fixtures were set up: earlier than `now`, so their attachments are in force. */
export const setupNow = new Date("2026-11-02T08:30:00Z");
export const setupAt = toInstant(setupNow);
export const setupDay = localDate("2026-11-02");

// ------------------------------------------------------------------------ helpers

/** The value of a successful result; fails the test (with the French message) otherwise. */
export function unwrap<T>(result: Result<T, DomainError>): T {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${errorMessage(result.error)}`);
  return result.value;
}

/** Asserts that a result failed with `code` and returns the error, narrowed. */
export function expectErr<C extends DomainErrorCode>(
  result: Result<unknown, DomainError>,
  code: C,
): DomainErrorOf<C> {
  if (result.ok) throw new Error(`expected ${code}, got success`);
  expect(result.error.code).toBe(code);
  return result.error as DomainErrorOf<C>;
}

/** A copy of a user with another account status (the core has no deactivation transition yet). */
export function withStatus(user: User, status: User["status"]): User {
  return { ...user, status };
}

// ------------------------------------------------------------------------ the world

/** Ids of the guide's cast, stable across calls. */
export const ids = {
  alice: userId("u-alice"),
  bruno: userId("u-bruno"),
  elodie: userId("u-elodie"),
  chloe: userId("u-chloe"),
  david: userId("u-david"),
  zoe: userId("u-zoe"),
  victor: userId("u-victor"),
  /** Structure with four services (ACHATS, COMPTA, PAIE, RH). */
  hospital: structureId("s-chu-lyon"),
  /** Structure without services. */
  townHall: structureId("s-mairie-villeurbanne"),
  /** A structure none of Alice's, Victor's. */
  acme: structureId("s-acme"),
  achats: serviceId("svc-achats"),
  compta: serviceId("svc-compta"),
  paie: serviceId("svc-paie"),
  rh: serviceId("svc-rh"),
  ventes: serviceId("svc-acme-ventes"),
  elodieRequest: attachmentRequestId("req-elodie"),
  chloeRequest: attachmentRequestId("req-chloe"),
} as const;

/** Everything the fixture's transitions produced, for the boundary round-trip tests. */
export interface Produced {
  readonly structures: Structure[];
  readonly services: Service[];
  readonly users: User[];
  readonly requests: AttachmentRequest[];
  readonly history: NewHistoryEntry[];
  readonly events: DomainEvent[];
}

export interface Guide {
  /** Active; primary manager of the hospital and of the town hall (she created both). */
  readonly alice: User;
  /** Active; secondary manager of the hospital (whole structure), attached by Alice. */
  readonly bruno: User;
  /** Active; simple user of the hospital on PAIE; asks for ACHATS and COMPTA. */
  readonly elodie: User;
  /** Active; no attachment; asks for the whole town hall. */
  readonly chloe: User;
  /** Active; no attachment, no request: the one managers attach directly. */
  readonly david: User;
  /** Deactivated account, no attachment. */
  readonly zoe: User;
  /** Active; primary manager of ACME (another structure, one service VENTES). */
  readonly victor: User;
  /** « Centre hospitalier de Lyon »: a structure WITH four services. */
  readonly hospital: Structure;
  /** « Mairie de Villeurbanne »: a structure WITHOUT services. */
  readonly townHall: Structure;
  /** « ACME Industrie »: a private structure managed by Victor only. */
  readonly acme: Structure;
  readonly achats: Service;
  readonly compta: Service;
  readonly paie: Service;
  readonly rh: Service;
  /** ACME's only service. */
  readonly ventes: Service;
  /** The hospital's four services, in code order. */
  readonly hospitalServices: readonly Service[];
  /** Every service, by id (the `services` argument of the transitions). */
  readonly serviceIndex: ReadonlyMap<ServiceId, Service>;
  /** Élodie's pending request: ACHATS + COMPTA of the hospital, as a simple user. */
  readonly elodieRequest: PendingAttachmentRequest;
  /** Chloé's pending request: the whole town hall. */
  readonly chloeRequest: PendingAttachmentRequest;
  readonly produced: Produced;
}

/**
 * Builds the guide's cast through the real transitions. Everything is set up at
 * `setupNow` (2026-11-02), so every attachment is in force at `now` (2026-11-27).
 */
export function buildGuide(): Guide {
  const produced: Produced = {
    structures: [],
    services: [],
    users: [],
    requests: [],
    history: [],
    events: [],
  };
  const record = <T extends { history: readonly NewHistoryEntry[]; events: readonly DomainEvent[] }>(
    value: T,
  ): T => {
    produced.history.push(...value.history);
    produced.events.push(...value.events);
    return value;
  };
  const setup: TransitionContext = { now: setupNow };

  const register = (id: typeof ids.alice, login: string, lastName: string, firstName: string) =>
    record(unwrap(registerUser({ login, lastName, firstName }, { ...setup, userId: id }))).user;

  let alice = register(ids.alice, "Alice.Martin@chu-lyon.fr", "Martin", "Alice");
  let bruno = register(ids.bruno, "bruno.petit@chu-lyon.fr", "Petit", "Bruno");
  let elodie = register(ids.elodie, " Elodie.Lefevre@chu-lyon.fr ", "Lefèvre", "Élodie");
  const chloe = register(ids.chloe, "chloe.bernard@villeurbanne.fr", "Bernard", "Chloé");
  const david = register(ids.david, "david.moreau@chu-lyon.fr", "Moreau", "David");
  const zoeActive = register(ids.zoe, "zoe.roux@chu-lyon.fr", "Roux", "Zoé");
  let victor = register(ids.victor, "victor.hugo@acme.fr", "Hugo", "Victor");

  const hospitalCreated = record(
    unwrap(
      createStructure(
        { founder: alice },
        {
          designation: "Centre hospitalier de Lyon",
          kind: "public",
          viaPigp: false,
          identifier: { type: "siret", value: "26690027400017" },
        },
        { ...setup, structureId: ids.hospital },
      ),
    ),
  );
  alice = hospitalCreated.founder;
  const hospital = hospitalCreated.structure;

  const townHallCreated = record(
    unwrap(
      createStructure(
        { founder: alice },
        {
          designation: "Mairie de Villeurbanne",
          kind: "public",
          viaPigp: false,
          identifier: { type: "siret", value: "21690266600017" },
        },
        { ...setup, structureId: ids.townHall },
      ),
    ),
  );
  alice = townHallCreated.founder;
  const townHall = townHallCreated.structure;

  const acmeCreated = record(
    unwrap(
      createStructure(
        { founder: victor },
        {
          designation: "ACME Industrie",
          kind: "private",
          viaPigp: false,
          identifier: { type: "siret", value: "73282932000074" },
        },
        { ...setup, structureId: ids.acme },
      ),
    ),
  );
  victor = acmeCreated.founder;
  const acme = acmeCreated.structure;

  const service = (actor: User, structure: Structure, id: ServiceId, code: string, label: string) =>
    record(
      unwrap(addService({ actor, structure }, { structureId: structure.id, code, label }, { ...setup, serviceId: id })),
    ).service;
  const achats = service(alice, hospital, ids.achats, "ACHATS", "Achats");
  const compta = service(alice, hospital, ids.compta, "COMPTA", "Comptabilité");
  const paie = service(alice, hospital, ids.paie, "PAIE", "Paie");
  const rh = service(alice, hospital, ids.rh, "RH", "Ressources humaines");
  const ventes = service(victor, acme, ids.ventes, "VENTES", "Ventes");
  const serviceIndex = indexServices([achats, compta, paie, rh, ventes]);

  bruno = record(
    unwrap(
      attachUser(
        { actor: alice, structure: hospital, user: bruno, services: serviceIndex },
        {
          structureId: hospital.id,
          userId: bruno.id,
          role: "secondaryManager",
          validFrom: setupDay,
          comment: "Adjoint de la direction financière",
          scope: WHOLE_STRUCTURE,
        },
        setup,
      ),
    ),
  ).user;

  elodie = record(
    unwrap(
      attachUser(
        { actor: alice, structure: hospital, user: elodie, services: serviceIndex },
        {
          structureId: hospital.id,
          userId: elodie.id,
          role: "user",
          validFrom: setupDay,
          comment: "Gestionnaire de paie",
          scope: servicesScope([paie.id]),
        },
        setup,
      ),
    ),
  ).user;

  const elodieRequest = record(
    unwrap(
      requestAttachment(
        { user: elodie, structure: hospital, services: serviceIndex, pendingRequest: null },
        {
          structureId: hospital.id,
          scope: servicesScope([compta.id, achats.id]),
          comment: "Je rejoins aussi les achats et la comptabilité",
        },
        { now: new Date("2026-11-20T10:00:00Z"), requestId: ids.elodieRequest },
      ),
    ),
  ).request;

  const chloeRequest = record(
    unwrap(
      requestAttachment(
        { user: chloe, structure: townHall, services: serviceIndex, pendingRequest: null },
        { structureId: townHall.id, scope: WHOLE_STRUCTURE, comment: "Nouvelle agente d'accueil" },
        { now: new Date("2026-11-21T14:00:00Z"), requestId: ids.chloeRequest },
      ),
    ),
  ).request;

  const zoe = withStatus(zoeActive, "deactivated");

  produced.structures.push(hospital, townHall, acme);
  produced.services.push(achats, compta, paie, rh, ventes);
  produced.users.push(alice, bruno, elodie, chloe, david, zoe, victor);
  produced.requests.push(elodieRequest, chloeRequest);

  return {
    alice,
    bruno,
    elodie,
    chloe,
    david,
    zoe,
    victor,
    hospital,
    townHall,
    acme,
    achats,
    compta,
    paie,
    rh,
    ventes,
    hospitalServices: [achats, compta, paie, rh],
    serviceIndex,
    elodieRequest,
    chloeRequest,
    produced,
  };
}

/** A service index with one service replaced (e.g. by its deactivated version). */
export function replaceService(index: ReadonlyMap<ServiceId, Service>, service: Service): ReadonlyMap<ServiceId, Service> {
  return new Map(index).set(service.id, service);
}

/**
 * David attached to the hospital as secondary manager from 2026-12-15: a manager whose
 * attachment is not in force yet at `now`.
 */
export function withFutureManager(g: Guide): User {
  return unwrap(
    attachUser(
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      {
        structureId: g.hospital.id,
        userId: g.david.id,
        role: "secondaryManager",
        validFrom: localDate("2026-12-15"),
        comment: "Prendra ses fonctions le 15 décembre",
        scope: WHOLE_STRUCTURE,
      },
      ctx,
    ),
  ).user;
}

/** David attached to the hospital as a simple user on RH, from today. */
export function withSimpleUser(g: Guide): User {
  return unwrap(
    attachUser(
      { actor: g.alice, structure: g.hospital, user: g.david, services: g.serviceIndex },
      {
        structureId: g.hospital.id,
        userId: g.david.id,
        role: "user",
        validFrom: today,
        comment: "Gestionnaire RH",
        scope: servicesScope([g.rh.id]),
      },
      ctx,
    ),
  ).user;
}

/** Someone who may not manage the hospital, and why `authorizeManager` refuses them. */
export interface Outsider {
  /** Who they are, for test names. */
  readonly who: string;
  readonly actor: (g: Guide) => User;
  readonly reason: Extract<ForbiddenReason, "notAManager" | "accountNotActive" | "attachmentNotInForce">;
}

/**
 * Every kind of actor who may not manage the hospital today: acts on a record of the
 * hospital reached by id must treat each of them exactly as an unknown id, and acts
 * naming the hospital must refuse each with FORBIDDEN and the reason given here.
 */
export const hospitalOutsiders: readonly Outsider[] = [
  { who: "a simple user of the structure (Élodie, on PAIE)", actor: (g) => g.elodie, reason: "notAManager" },
  { who: "another simple user of the structure (David, on RH)", actor: (g) => withSimpleUser(g), reason: "notAManager" },
  { who: "a user with no attachment at all (Chloé)", actor: (g) => g.chloe, reason: "notAManager" },
  { who: "the manager of another structure (Victor, ACME)", actor: (g) => g.victor, reason: "notAManager" },
  { who: "a deactivated secondary manager (Bruno)", actor: (g) => withStatus(g.bruno, "deactivated"), reason: "accountNotActive" },
  { who: "a deactivated primary manager (Alice)", actor: (g) => withStatus(g.alice, "deactivated"), reason: "accountNotActive" },
  {
    who: "a secondary manager whose account awaits activation (Bruno)",
    actor: (g) => withStatus(g.bruno, "pendingActivation"),
    reason: "accountNotActive",
  },
  { who: "a secondary manager not in force yet (David, from 2026-12-15)", actor: (g) => withFutureManager(g), reason: "attachmentNotInForce" },
];

// ------------------------------------------------------------ guide §2: the spaces

/** Chorus Pro's five spaces, by short name. */
export const space = {
  /** « Factures émises ». */
  emises: spaceCode("FACTURES_EMISES"),
  /** « Factures reçues ». */
  recues: spaceCode("FACTURES_RECUES"),
  /** « Factures à valider ». */
  aValider: spaceCode("FACTURES_A_VALIDER"),
  /** « Sollicitations émises ». */
  sollicitationsEmises: spaceCode("SOLLICITATIONS_EMISES"),
  /** « Sollicitations reçues ». */
  sollicitationsRecues: spaceCode("SOLLICITATIONS_RECUES"),
} as const;

/** The context of the acts of guide §2: `ctx` with Chorus Pro's catalogue. */
export const sctx = { ...ctx, catalogue: CHORUS_PRO_SPACES } as const;

/** When Élodie sent her subscription request. */
export const subscriptionAsked = new Date("2026-11-25T10:00:00Z");

/**
 * The three lines of Élodie's subscription request to the hospital (she is a simple
 * user on PAIE), in canonical order: « Factures à valider » for PAIE in consultation,
 * « Factures reçues » for PAIE in modification, « Sollicitations émises » for all
 * services in consultation.
 */
export function elodieItems(g: Guide): SubscriptionItem[] {
  return [
    { space: space.aValider, serviceId: g.paie.id, access: "read" },
    { space: space.recues, serviceId: g.paie.id, access: "write" },
    { space: space.sollicitationsEmises, serviceId: null, access: "read" },
  ];
}

/** Élodie's pending subscription request for three spaces of the hospital, sent through the real transition. */
export function elodieSubscription(g: Guide): PendingSubscriptionRequest {
  const items = elodieItems(g);
  return unwrap(
    requestSubscription(
      { user: g.elodie, structure: g.hospital, services: g.serviceIndex },
      // Given out of order, with a duplicate line of lower access: the request keeps them canonical.
      { structureId: g.hospital.id, items: [items[2]!, items[1]!, items[0]!, { ...items[1]!, access: "read" }], comment: "Je traite les factures de la paie" },
      { now: subscriptionAsked, requestId: subscriptionRequestId("sub-elodie"), catalogue: CHORUS_PRO_SPACES },
    ),
  ).request;
}

/** A structure with these spaces opened on it (sorted, as the transitions keep them). */
export function openedOn<T extends Structure | Service>(record: T, ...spaces: SpaceCode[]): T {
  return { ...record, openSpaces: [...new Set([...record.openSpaces, ...spaces])].sort() };
}

/** A grant, given by Alice at the setup. */
export function grantOf(
  structureId: Structure["id"],
  spaceCode: SpaceCode,
  serviceId: ServiceId | null,
  access: SpaceGrant["access"],
  grantedBy: User["id"] = ids.alice,
): SpaceGrant {
  return { structureId, space: spaceCode, serviceId, access, grantedBy, grantedAt: setupAt, validUntil: null, endNotice: null };
}

/** A user holding these grants besides their own. */
export function holding(user: User, ...grants: SpaceGrant[]): User {
  return { ...user, grants: [...user.grants, ...grants] };
}

/** A user's subscription request to the hospital, through the real transition (must succeed). */
export function requestSubscriptionBy(
  g: Guide,
  user: User,
  items: SubscriptionItem[],
  id = subscriptionRequestId("sub-other"),
  structure: Structure = g.hospital,
): PendingSubscriptionRequest {
  return unwrap(
    requestSubscription(
      { user, structure, services: g.serviceIndex },
      { structureId: structure.id, items },
      { now: subscriptionAsked, requestId: id, catalogue: CHORUS_PRO_SPACES },
    ),
  ).request;
}
