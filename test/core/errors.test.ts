import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  attachmentRequestId,
  errorMessage,
  localDate,
  type AttachmentRequestId,
  type Instant,
  type ServiceId,
  type StructureId,
  type SubscriptionRequestId,
  type UserId,
  serviceId,
  spaceCode,
  structureId,
  subscriptionRequestId,
  userId,
  type DomainError,
  type DomainErrorCode,
  type DomainErrorOf,
  type ForbiddenReason,
  type EntityKind,
} from "../../src/core/index.js";

/** The ids (and keys) an error may carry: each stays in the error's data, never in its message. */
interface Ids {
  readonly structure: StructureId;
  readonly otherStructure: StructureId;
  readonly user: UserId;
  readonly request: AttachmentRequestId;
  readonly service: ServiceId;
  readonly subscription: SubscriptionRequestId;
  /** An id the caller gave that names nothing (`NOT_FOUND`). */
  readonly missing: string;
  /** An idempotency key. */
  readonly key: string;
}

const recues = spaceCode("FACTURES_RECUES");

/**
 * One example per error code, built on the ids given. The mapped type makes this
 * exhaustive at compile time: a new member of DomainError without an example here breaks
 * `tsc`, and the property below then covers it.
 */
const examplesWith = (ids: Ids): { readonly [C in DomainErrorCode]: DomainErrorOf<C> } => {
  const { structure: s, user: u, request: req, service: svc, subscription: sub } = ids;
  return {
    VALIDATION: { code: "VALIDATION", issues: [{ path: ["identifier", "value"], code: "custom", message: "la clé de contrôle du SIRET est fausse" }] },
    NOT_FOUND: { code: "NOT_FOUND", entity: "attachmentRequest", id: ids.missing },
    UNKNOWN_ACTOR: { code: "UNKNOWN_ACTOR", reason: "unknown" },
    FORBIDDEN: { code: "FORBIDDEN", actorId: u, structureId: s, reason: "notAManager" },
    SELF_DECISION_FORBIDDEN: { code: "SELF_DECISION_FORBIDDEN", requestId: req, userId: u },
    REQUEST_ALREADY_DECIDED: { code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "validated" },
    REFUSAL_REASON_REQUIRED: { code: "REFUSAL_REASON_REQUIRED", requestId: req },
    COMMENT_REQUIRED: { code: "COMMENT_REQUIRED", structureId: s, userId: u },
    CANNOT_GRANT_PRIMARY: { code: "CANNOT_GRANT_PRIMARY", structureId: s, userId: u },
    TRANSFER_REQUIRED: { code: "TRANSFER_REQUIRED", structureId: s, userId: u },
    PENDING_REQUEST_EXISTS: { code: "PENDING_REQUEST_EXISTS", structureId: s, userId: u },
    ALREADY_ATTACHED: { code: "ALREADY_ATTACHED", structureId: s, userId: u },
    PIGP_REFERENT_REQUIRED: { code: "PIGP_REFERENT_REQUIRED", structureId: s },
    SUCCESSOR_REQUIRED: { code: "SUCCESSOR_REQUIRED", userId: u, structureIds: [s] },
    SUCCESSOR_IS_PRIMARY_MANAGER: { code: "SUCCESSOR_IS_PRIMARY_MANAGER", structureId: s, userId: u },
    PIGP_ACCOUNT: { code: "PIGP_ACCOUNT", userId: u, structureIds: [s, ids.otherStructure] },
    REACTIVATION_WINDOW_EXPIRED: { code: "REACTIVATION_WINDOW_EXPIRED", userId: u, expiredAt: "2027-01-26T10:00:00.000Z" as Instant },
    ACCOUNT_NOT_DEACTIVATED: { code: "ACCOUNT_NOT_DEACTIVATED", userId: u, status: "active" },
    ACTIVATION_TOKEN_INVALID: { code: "ACTIVATION_TOKEN_INVALID", userId: u },
    ACTIVATION_TOKEN_USED: { code: "ACTIVATION_TOKEN_USED", userId: u },
    ACTIVATION_TOKEN_EXPIRED: { code: "ACTIVATION_TOKEN_EXPIRED", userId: u, expiredAt: "2026-11-27T10:00:00.000Z" as Instant },
    ACCOUNT_NOT_PENDING_ACTIVATION: { code: "ACCOUNT_NOT_PENDING_ACTIVATION", userId: u, status: "active" },
    ACTIVATION_EMAIL_THROTTLED: { code: "ACTIVATION_EMAIL_THROTTLED", userId: u, retryAt: "2026-11-27T09:02:00.000Z" as Instant },
    CONFIRMATION_TOKEN_INVALID: { code: "CONFIRMATION_TOKEN_INVALID", userId: u },
    CONFIRMATION_TOKEN_EXPIRED: { code: "CONFIRMATION_TOKEN_EXPIRED", userId: u, expiredAt: "2026-12-04T09:00:00.000Z" as Instant },
    CONFIRMATION_EMAIL_THROTTLED: { code: "CONFIRMATION_EMAIL_THROTTLED", userId: u, retryAt: "2026-11-27T09:04:00.000Z" as Instant },
    NOT_ATTACHED: { code: "NOT_ATTACHED", structureId: s, userId: u },
    SERVICE_INACTIVE: { code: "SERVICE_INACTIVE", serviceId: svc },
    EMPTY_SCOPE: { code: "EMPTY_SCOPE", structureId: s },
    VALID_FROM_IN_THE_PAST: { code: "VALID_FROM_IN_THE_PAST", validFrom: localDate("2026-11-26"), today: localDate("2026-11-27") },
    VALID_UNTIL_TOO_EARLY: { code: "VALID_UNTIL_TOO_EARLY", validUntil: localDate("2026-12-01"), validFrom: localDate("2026-12-15"), today: localDate("2026-11-27") },
    VALID_UNTIL_UNCHANGED: { code: "VALID_UNTIL_UNCHANGED", structureId: s, userId: u, validUntil: localDate("2027-06-30") },
    ACCOUNT_NOT_ACTIVE: { code: "ACCOUNT_NOT_ACTIVE", userId: u, status: "deactivated" },
    ROLE_UNCHANGED: { code: "ROLE_UNCHANGED", structureId: s, userId: u, role: "secondaryManager" },
    LOGIN_TAKEN: { code: "LOGIN_TAKEN", login: "elodie@example.fr" },
    SERVICE_CODE_TAKEN: { code: "SERVICE_CODE_TAKEN", structureId: s, serviceCode: "COMPTA" },
    CONCURRENT_MODIFICATION: { code: "CONCURRENT_MODIFICATION", attempts: 3 },
    IDEMPOTENCY_KEY_REUSED: { code: "IDEMPOTENCY_KEY_REUSED", key: ids.key },
    OUTCOME_WITHHELD: { code: "OUTCOME_WITHHELD", key: ids.key, committedAt: "2026-11-27T08:59:00.000Z" as Instant },
    STORE_FAILURE: { code: "STORE_FAILURE", stage: "commit" },
    NOT_ATTEMPTED: { code: "NOT_ATTEMPTED", reason: "storeFailure" },
    CONFIGURATION: { code: "CONFIGURATION", option: "clock", message: "l'horloge a donné une date invalide" },
    SPACE_NOT_OPEN: { code: "SPACE_NOT_OPEN", structureId: s, serviceId: svc, space: recues },
    SPACE_ALREADY_OPEN: { code: "SPACE_ALREADY_OPEN", structureId: s, serviceId: null, space: recues },
    EMPTY_SELECTION: { code: "EMPTY_SELECTION", requestId: sub },
    ITEM_NOT_REQUESTED: { code: "ITEM_NOT_REQUESTED", requestId: sub, space: recues, serviceId: svc },
  };
};

const FIXED: Ids = {
  structure: structureId("s-lyon"),
  otherStructure: structureId("s-ecole"),
  user: userId("u-elodie"),
  request: attachmentRequestId("req-1"),
  service: serviceId("svc-compta"),
  subscription: subscriptionRequestId("sub-7"),
  missing: "req-404",
  key: "cle-7f3a",
};
const examples = examplesWith(FIXED);
const { structure: s, user: u, request: req, service: svc, subscription: sub } = FIXED;

const all: DomainError[] = Object.values(examples);

describe("errorMessage — a French sentence for every error", () => {
  it.each(all.map((e) => [e.code, e] as const))("%s", (code, error) => {
    const message = errorMessage(error);
    expect(message.trim()).not.toBe("");
    expect(message).toBe(message.trim());
    expect(message).not.toMatch(/undefined|null|\[object Object\]/);
    expect(message).not.toContain(code); // a sentence for people, not the code
    expect(message).toMatch(/^[A-ZÀ-Ý«]/); // starts like a sentence
    expect(message).toMatch(/[.»]$/);
  });

  it("says each error as a French reader reads it: no raw id, dates and instants in the French way (Europe/Paris)", () => {
    const messages = Object.fromEntries(all.map((e) => [e.code, errorMessage(e)]));
    expect(messages).toEqual({
      VALIDATION: "Saisie invalide : identifier.value : la clé de contrôle du SIRET est fausse.",
      NOT_FOUND: "La demande de rattachement est introuvable.",
      UNKNOWN_ACTOR: "Utilisateur non reconnu : veuillez vous identifier de nouveau.",
      FORBIDDEN: "Action refusée : vous n'êtes pas gestionnaire de cette structure.",
      SELF_DECISION_FORBIDDEN: "Un gestionnaire ne peut pas statuer sur sa propre demande.",
      REQUEST_ALREADY_DECIDED: "Cette demande a déjà été traitée : elle est « Validée ».",
      REFUSAL_REASON_REQUIRED: "Le motif du refus est obligatoire.",
      COMMENT_REQUIRED: "Le commentaire est obligatoire pour rattacher un utilisateur.",
      CANNOT_GRANT_PRIMARY:
        "Le rôle « Gestionnaire principal » ne s'attribue pas ainsi : il se transfère par le gestionnaire principal en place.",
      TRANSFER_REQUIRED: "Cet utilisateur est le gestionnaire principal de la structure : il faut d'abord transférer ce rôle.",
      PENDING_REQUEST_EXISTS: "Une demande de rattachement à cette structure est déjà en cours de validation.",
      ALREADY_ATTACHED: "Cet utilisateur est déjà rattaché à la structure.",
      PIGP_REFERENT_REQUIRED:
        "Pour les structures publiques (utilisatrices du PIGP), il faut réaliser une demande au référent de la DGFiP en charge du référentiel MADHRAS afin de créer l'utilisateur.",
      SUCCESSOR_REQUIRED:
        "Désignez un nouveau gestionnaire principal pour toutes les structures dont vous êtes gestionnaire principal avant de désactiver votre compte (une structure reste sans successeur).",
      SUCCESSOR_IS_PRIMARY_MANAGER: "Ce successeur est déjà le gestionnaire principal de la structure.",
      PIGP_ACCOUNT:
        "Ce compte est rattaché à des structures publiques utilisatrices du PIGP : il est géré par la DGFiP et ne se désactive pas ici.",
      REACTIVATION_WINDOW_EXPIRED: "Le délai de réactivation du compte est dépassé depuis le 26/01/2027 à 11:00.",
      ACCOUNT_NOT_DEACTIVATED: "Ce compte est « Actif » : seul un compte désactivé se réactive.",
      ACTIVATION_TOKEN_INVALID: "Ce lien d'activation n'est pas valide : utilisez le lien du dernier courriel d'activation reçu.",
      ACTIVATION_TOKEN_USED: "Ce lien d'activation a déjà servi : le compte est activé.",
      ACTIVATION_TOKEN_EXPIRED:
        "Ce lien d'activation a expiré le 27/11/2026 à 11:00 : demandez l'envoi d'un nouveau courriel d'activation.",
      ACCOUNT_NOT_PENDING_ACTIVATION:
        "Le compte de cet utilisateur est « Actif » : le courriel d'activation ne s'envoie qu'aux comptes « En cours d’activation ».",
      ACTIVATION_EMAIL_THROTTLED:
        "Un courriel a déjà été envoyé récemment à cet utilisateur : nouvel envoi possible à partir du 27/11/2026 à 10:02.",
      CONFIRMATION_TOKEN_INVALID:
        "Ce lien de confirmation n'est pas valide : utilisez le lien du dernier courriel de confirmation reçu, connecté à votre compte.",
      CONFIRMATION_TOKEN_EXPIRED:
        "Ce lien de confirmation a expiré le 04/12/2026 à 10:00 : saisissez de nouveau l'adresse de contact pour recevoir un nouveau lien.",
      CONFIRMATION_EMAIL_THROTTLED:
        "Un courriel a déjà été envoyé récemment pour ce compte : nouvel envoi possible à partir du 27/11/2026 à 10:04.",
      NOT_ATTACHED: "Cet utilisateur n'est pas rattaché à la structure.",
      SERVICE_INACTIVE: "Ce service n'est pas actif.",
      EMPTY_SCOPE: "Cochez au moins un service, ou « Rattacher à la structure ».",
      VALID_FROM_IN_THE_PAST: "La date de début de validité (26/11/2026) ne peut pas précéder la date du jour (27/11/2026).",
      VALID_UNTIL_TOO_EARLY: "La date de fin de validité (01/12/2026) doit être postérieure à la date de début de validité (15/12/2026).",
      VALID_UNTIL_UNCHANGED: "Ce droit a déjà cette date de fin (30/06/2027).",
      ACCOUNT_NOT_ACTIVE: "Le compte de cet utilisateur est « Désactivé ».",
      ROLE_UNCHANGED: "Cet utilisateur a déjà le rôle « Gestionnaire secondaire ».",
      LOGIN_TAKEN: "L'adresse de connexion elodie@example.fr est déjà utilisée.",
      SERVICE_CODE_TAKEN: "Le code de service COMPTA existe déjà dans la structure.",
      CONCURRENT_MODIFICATION: "Les données ont été modifiées en même temps par une autre action (3 tentatives) : veuillez réessayer.",
      IDEMPOTENCY_KEY_REUSED: "Cette clé d'idempotence a déjà servi pour une autre demande.",
      OUTCOME_WITHHELD: "Cette action a déjà été enregistrée le 27/11/2026 à 09:59 ; son résultat ne vous est plus accessible.",
      STORE_FAILURE:
        "Le stockage a échoué pendant l'enregistrement : l'action a pu être enregistrée ou non ; réessayez avec la même clé d'idempotence.",
      NOT_ATTEMPTED: "Non traitée : le stockage a échoué sur une demande précédente du même lot.",
      CONFIGURATION: "Configuration invalide (clock) : l'horloge a donné une date invalide.",
      SPACE_NOT_OPEN: "L'espace FACTURES_RECUES n'est pas ouvert sur ce service.",
      SPACE_ALREADY_OPEN: "L'espace FACTURES_RECUES est déjà ouvert sur la structure.",
      EMPTY_SELECTION: "Cochez au moins un espace pour valider la demande, ou refusez-la.",
      ITEM_NOT_REQUESTED: "L'espace FACTURES_RECUES n'a pas été demandé pour ce service.",
    });
  });

  it("keeps what a reader needs and gave themself: the login, the service code, the space, the option, the count", () => {
    expect(errorMessage(examples.LOGIN_TAKEN)).toContain("elodie@example.fr");
    expect(errorMessage(examples.SERVICE_CODE_TAKEN)).toContain("COMPTA");
    expect(errorMessage(examples.SPACE_NOT_OPEN)).toContain("FACTURES_RECUES");
    expect(errorMessage(examples.CONFIGURATION)).toContain("clock");
    expect(errorMessage(examples.CONFIGURATION)).toContain("l'horloge a donné une date invalide");
    expect(errorMessage(examples.CONCURRENT_MODIFICATION)).toContain("3");
    expect(errorMessage({ ...examples.SUCCESSOR_REQUIRED, structureIds: [s, FIXED.otherStructure] })).toContain("2 structures restent");
  });

  /** Ids as hosts make them (prefixed UUIDs, short prefixed codes): text no French sentence holds. */
  const anId = fc.oneof(fc.uuid(), fc.stringMatching(/^(usr|str|svc|req|sub)[-_][0-9a-z]{6,12}$/));
  const anyIds = fc.record<Ids>({
    structure: anId.map(structureId),
    otherStructure: anId.map(structureId),
    user: anId.map(userId),
    request: anId.map(attachmentRequestId),
    service: anId.map(serviceId),
    subscription: anId.map(subscriptionRequestId),
    missing: anId,
    key: anId,
  });

  test.prop([anyIds])("names no raw id, for every error code: the ids (and keys) stay in the error's data, for logs", (ids) => {
    const given = Object.values(ids);
    for (const error of Object.values(examplesWith(ids)) as DomainError[]) {
      const message = errorMessage(error);
      for (const id of given) expect(message, `${error.code} names ${id}`).not.toContain(id);
    }
    // …and every one of them is in some error's data.
    const data = JSON.stringify(examplesWith(ids));
    for (const id of given) expect(data).toContain(id);
  });

  /** The French date and time of an instant in Paris, by the platform's own formatter (not the library's). */
  const parisOf = (at: Date) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("fr-FR", {
        timeZone: "Europe/Paris",
        day: "2-digit",
        month: "2-digit",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return `${parts["day"]}/${parts["month"]}/${parts["year"]} à ${parts["hour"]}:${parts["minute"]}`;
  };
  const anInstant = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true });

  test.prop([anInstant])("gives every instant as « 27/11/2026 à 10:58 » in Paris (summer and winter time), never in ISO form", (at) => {
    const instant = at.toISOString() as Instant;
    const withInstant: DomainError[] = [
      { ...examples.REACTIVATION_WINDOW_EXPIRED, expiredAt: instant },
      { ...examples.ACTIVATION_TOKEN_EXPIRED, expiredAt: instant },
      { ...examples.ACTIVATION_EMAIL_THROTTLED, retryAt: instant },
      { ...examples.CONFIRMATION_TOKEN_EXPIRED, expiredAt: instant },
      { ...examples.CONFIRMATION_EMAIL_THROTTLED, retryAt: instant },
      { ...examples.OUTCOME_WITHHELD, committedAt: instant },
    ];
    for (const error of withInstant) {
      const message = errorMessage(error);
      expect(message, error.code).toContain(parisOf(at));
      expect(message, error.code).not.toMatch(/\d{4}-\d{2}-\d{2}|T\d{2}:|Z\b/);
    }
  });

  it("gives calendar dates as « 26/11/2026 », never in ISO form", () => {
    const message = errorMessage({ code: "VALID_FROM_IN_THE_PAST", validFrom: localDate("2027-01-05"), today: localDate("2027-02-01") });
    expect(message).toBe("La date de début de validité (05/01/2027) ne peut pas précéder la date du jour (01/02/2027).");
  });

  it("VALID_UNTIL_TOO_EARLY names the date the end must come after: the start when it is to come, else today", () => {
    const early = (validFrom: string | null) =>
      errorMessage({ code: "VALID_UNTIL_TOO_EARLY", validUntil: localDate("2026-11-27"), validFrom: validFrom === null ? null : localDate(validFrom), today: localDate("2026-11-27") });
    expect(early(null)).toBe("La date de fin de validité (27/11/2026) doit être postérieure à la date du jour (27/11/2026).");
    expect(early("2026-01-01")).toBe("La date de fin de validité (27/11/2026) doit être postérieure à la date du jour (27/11/2026).");
    expect(early("2026-11-27")).toBe("La date de fin de validité (27/11/2026) doit être postérieure à la date de début de validité (27/11/2026).");
  });

  it("VALID_UNTIL_UNCHANGED says the end held, or that there is none", () => {
    expect(errorMessage({ ...examples.VALID_UNTIL_UNCHANGED, validUntil: null })).toBe("Ce droit n'a déjà pas de date de fin.");
  });

  it("SELF_DECISION_FORBIDDEN: deciding one's own request, or granting oneself spaces (no request)", () => {
    expect(errorMessage(examples.SELF_DECISION_FORBIDDEN)).toBe("Un gestionnaire ne peut pas statuer sur sa propre demande.");
    expect(errorMessage({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: u })).toBe(
      "Un gestionnaire ne peut pas s'accorder lui-même des habilitations.",
    );
  });

  it("SERVICE_NOT_IN_STRUCTURE is gone: a service of another structure is NOT_FOUND service", () => {
    expect(Object.keys(examples)).not.toContain("SERVICE_NOT_IN_STRUCTURE");
    expect(errorMessage({ code: "NOT_FOUND", entity: "service", id: "svc-acme-ventes" })).toBe("Le service est introuvable.");
  });

  it("UNKNOWN_ACTOR asks to sign in again, whether the actor was unknown or malformed (no id, no detail)", () => {
    const unknown = errorMessage({ code: "UNKNOWN_ACTOR", reason: "unknown" });
    expect(unknown).toBe("Utilisateur non reconnu : veuillez vous identifier de nouveau.");
    expect(errorMessage({ code: "UNKNOWN_ACTOR", reason: "malformed" })).toBe(unknown);
    // Not a target's NOT_FOUND.
    expect(unknown).not.toBe(errorMessage({ code: "NOT_FOUND", entity: "user", id: "u-x" }));
  });

  it("STORE_FAILURE says whether anything was saved: nothing at « read », unknown at « commit » (retry with the same key)", () => {
    const read = errorMessage({ code: "STORE_FAILURE", stage: "read" });
    const commit = errorMessage({ code: "STORE_FAILURE", stage: "commit" });
    expect(read).not.toBe(commit);
    expect(read).toContain("rien n'a été enregistré");
    expect(commit).toContain("idempotence");
  });

  it("VALIDATION counts the issues it does not list", () => {
    const issues = [{ path: ["requestIds", 0], code: "invalid_type", message: "texte attendu" }];
    expect(errorMessage({ code: "VALIDATION", issues, omittedIssues: 149_980 })).toBe(
      "Saisie invalide : requestIds.0 : texte attendu (et 149980 autres problèmes).",
    );
    expect(errorMessage({ code: "VALIDATION", issues })).toBe("Saisie invalide : requestIds.0 : texte attendu.");
  });

  it("REQUEST_ALREADY_DECIDED names the status with the guide's label", () => {
    expect(errorMessage(examples.REQUEST_ALREADY_DECIDED)).toContain("« Validée »");
    expect(errorMessage({ ...examples.REQUEST_ALREADY_DECIDED, status: "refused" })).toContain("« Refusée »");
  });

  it("labels roles and account statuses in French", () => {
    expect(errorMessage(examples.ROLE_UNCHANGED)).toContain("« Gestionnaire secondaire »");
    expect(errorMessage(examples.CANNOT_GRANT_PRIMARY)).toContain("« Gestionnaire principal »");
    expect(errorMessage(examples.ACCOUNT_NOT_ACTIVE)).toContain("« Désactivé »");
  });

  it("VALIDATION lists every issue with its path", () => {
    const message = errorMessage({
      code: "VALIDATION",
      issues: [
        { path: ["identifier", "value"], code: "custom", message: "clé fausse" },
        { path: [], code: "invalid_type", message: "objet attendu" },
      ],
    });
    expect(message).toContain("identifier.value : clé fausse");
    expect(message).toContain("objet attendu");
  });

  it.each(["accountNotActive", "notAManager", "attachmentNotInForce", "notTheUser"] satisfies ForbiddenReason[])(
    "FORBIDDEN %s has its own explanation",
    (reason) => {
      const messages = (["accountNotActive", "notAManager", "attachmentNotInForce", "notTheUser"] as const).map((r) =>
        errorMessage({ ...examples.FORBIDDEN, reason: r }),
      );
      expect(new Set(messages).size).toBe(4);
      expect(errorMessage({ ...examples.FORBIDDEN, reason })).not.toMatch(/undefined/);
    },
  );

  it.each([
    ["structure", "La structure"],
    ["service", "Le service"],
    ["user", "L'utilisateur"],
    ["attachmentRequest", "La demande de rattachement"],
    ["subscriptionRequest", "La demande d'abonnement"],
    ["spaceGrant", "L'habilitation"],
  ] satisfies [EntityKind, string][])("NOT_FOUND %s names the kind of record in French (%s), not its id", (entity, label) => {
    expect(errorMessage({ code: "NOT_FOUND", entity, id: "x-1" })).toBe(`${label} est introuvable.`);
  });

  it("REQUEST_ALREADY_DECIDED for a subscription request says « Désactivée » for a refused one, « Validée » for a validated one", () => {
    const refused = errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: sub, status: "refused", request: "subscription" });
    expect(refused).toBe("Cette demande a déjà été traitée : elle est « Désactivée ».");
    expect(errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: sub, status: "validated", request: "subscription" })).toContain("« Validée »");
    // Without the mark, an attachment request: « Refusée », never « Désactivée ».
    expect(errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "refused" })).not.toContain("Désactivée");
  });

  it("the errors of guide §2 name the space, and whether it is (not) open on the structure or on a service", () => {
    expect(errorMessage(examples.SPACE_NOT_OPEN)).toBe("L'espace FACTURES_RECUES n'est pas ouvert sur ce service.");
    expect(errorMessage({ ...examples.SPACE_NOT_OPEN, serviceId: null })).toBe("L'espace FACTURES_RECUES n'est pas ouvert sur la structure.");
    expect(errorMessage(examples.SPACE_ALREADY_OPEN)).toBe("L'espace FACTURES_RECUES est déjà ouvert sur la structure.");
    expect(errorMessage({ ...examples.SPACE_ALREADY_OPEN, serviceId: svc })).toBe("L'espace FACTURES_RECUES est déjà ouvert sur ce service.");
    expect(errorMessage(examples.EMPTY_SELECTION)).toBe("Cochez au moins un espace pour valider la demande, ou refusez-la.");
    expect(errorMessage(examples.ITEM_NOT_REQUESTED)).toBe("L'espace FACTURES_RECUES n'a pas été demandé pour ce service.");
    expect(errorMessage({ ...examples.ITEM_NOT_REQUESTED, serviceId: null })).toBe("L'espace FACTURES_RECUES n'a pas été demandé.");
  });

  it("NOT_ATTACHED says whether the user is not attached to the structure, or to the service", () => {
    expect(errorMessage(examples.NOT_ATTACHED)).toBe("Cet utilisateur n'est pas rattaché à la structure.");
    expect(errorMessage({ ...examples.NOT_ATTACHED, serviceId: svc })).toBe("Cet utilisateur n'est pas rattaché à ce service.");
  });
});
