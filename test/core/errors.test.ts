import type { Instant } from "../../src/core/index.js";
import { describe, expect, it } from "vitest";
import {
  attachmentRequestId,
  errorMessage,
  localDate,
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

const s = structureId("s-lyon");
const u = userId("u-elodie");
const req = attachmentRequestId("req-1");
const svc = serviceId("svc-compta");
const sub = subscriptionRequestId("sub-7");
const recues = spaceCode("FACTURES_RECUES");

/**
 * One example per error code. The mapped type makes this exhaustive at compile time:
 * a new member of DomainError without an example here breaks `tsc`.
 */
const examples: { readonly [C in DomainErrorCode]: DomainErrorOf<C> } = {
  VALIDATION: { code: "VALIDATION", issues: [{ path: ["identifier", "value"], code: "custom", message: "la clé de contrôle du SIRET est fausse" }] },
  NOT_FOUND: { code: "NOT_FOUND", entity: "attachmentRequest", id: "req-404" },
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
  PIGP_ACCOUNT: { code: "PIGP_ACCOUNT", userId: u, structureIds: [s] },
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
  ACCOUNT_NOT_ACTIVE: { code: "ACCOUNT_NOT_ACTIVE", userId: u, status: "deactivated" },
  ROLE_UNCHANGED: { code: "ROLE_UNCHANGED", structureId: s, userId: u, role: "secondaryManager" },
  LOGIN_TAKEN: { code: "LOGIN_TAKEN", login: "elodie@example.fr" },
  SERVICE_CODE_TAKEN: { code: "SERVICE_CODE_TAKEN", structureId: s, serviceCode: "COMPTA" },
  CONCURRENT_MODIFICATION: { code: "CONCURRENT_MODIFICATION", attempts: 3 },
  IDEMPOTENCY_KEY_REUSED: { code: "IDEMPOTENCY_KEY_REUSED", key: "cle-7f3a" },
  OUTCOME_WITHHELD: { code: "OUTCOME_WITHHELD", key: "cle-9b2c", committedAt: "2026-11-27T08:59:00.000Z" as Instant },
  STORE_FAILURE: { code: "STORE_FAILURE", stage: "commit" },
  NOT_ATTEMPTED: { code: "NOT_ATTEMPTED", reason: "storeFailure" },
  CONFIGURATION: { code: "CONFIGURATION", option: "clock", message: "l'horloge a donné une date invalide" },
  SPACE_NOT_OPEN: { code: "SPACE_NOT_OPEN", structureId: s, serviceId: svc, space: recues },
  SPACE_ALREADY_OPEN: { code: "SPACE_ALREADY_OPEN", structureId: s, serviceId: null, space: recues },
  EMPTY_SELECTION: { code: "EMPTY_SELECTION", requestId: sub },
  ITEM_NOT_REQUESTED: { code: "ITEM_NOT_REQUESTED", requestId: sub, space: recues, serviceId: svc },
};

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

  it("names the ids the error is about", () => {
    expect(errorMessage(examples.NOT_FOUND)).toContain("req-404");
    expect(errorMessage(examples.FORBIDDEN)).toContain("u-elodie");
    expect(errorMessage(examples.TRANSFER_REQUIRED)).toContain("s-lyon");
    expect(errorMessage(examples.SERVICE_INACTIVE)).toContain("svc-compta");
    expect(errorMessage(examples.IDEMPOTENCY_KEY_REUSED)).toContain("cle-7f3a");
    expect(errorMessage(examples.CONFIGURATION)).toContain("clock");
    expect(errorMessage(examples.CONFIGURATION)).toContain("l'horloge a donné une date invalide");
    expect(errorMessage(examples.LOGIN_TAKEN)).toContain("elodie@example.fr");
    expect(errorMessage(examples.SERVICE_CODE_TAKEN)).toContain("COMPTA");
    expect(errorMessage(examples.VALID_FROM_IN_THE_PAST)).toContain("2026-11-26");
    expect(errorMessage(examples.CONCURRENT_MODIFICATION)).toContain("3");
    expect(errorMessage(examples.CONFIRMATION_TOKEN_EXPIRED)).toContain("2026-12-04T09:00:00.000Z");
    expect(errorMessage(examples.CONFIRMATION_EMAIL_THROTTLED)).toContain("2026-11-27T09:04:00.000Z");
    // A receipt: when it was done, nothing of the outcome.
    expect(errorMessage(examples.OUTCOME_WITHHELD)).toContain("2026-11-27T08:59:00.000Z");
  });

  it("SELF_DECISION_FORBIDDEN without a request is the self-grant: no request named", () => {
    const message = errorMessage({ code: "SELF_DECISION_FORBIDDEN", requestId: null, userId: u });
    expect(message).toBe("Un gestionnaire ne peut pas s'accorder lui-même des habilitations.");
    expect(errorMessage(examples.SELF_DECISION_FORBIDDEN)).toContain("req-1");
  });

  it("SERVICE_NOT_IN_STRUCTURE is gone: a service of another structure is NOT_FOUND service", () => {
    expect(Object.keys(examples)).not.toContain("SERVICE_NOT_IN_STRUCTURE");
    expect(errorMessage({ code: "NOT_FOUND", entity: "service", id: "svc-acme-ventes" })).toBe(
      "Le service svc-acme-ventes est introuvable.",
    );
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
  ] satisfies [EntityKind, string][])("NOT_FOUND %s names the kind of record in French (%s)", (entity, label) => {
    expect(errorMessage({ code: "NOT_FOUND", entity, id: "x-1" })).toBe(`${label} x-1 est introuvable.`);
  });

  it("REQUEST_ALREADY_DECIDED for a subscription request says « Désactivée » for a refused one, « Validée » for a validated one", () => {
    const refused = errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: sub, status: "refused", request: "subscription" });
    expect(refused).toContain("« Désactivée »");
    expect(refused).toContain("sub-7");
    expect(refused).not.toContain("Refusée");
    expect(errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: sub, status: "validated", request: "subscription" })).toContain("« Validée »");
    // Without the mark, an attachment request: « Refusée », never « Désactivée ».
    expect(errorMessage({ code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "refused" })).not.toContain("Désactivée");
  });

  it("the errors of guide §2 name the space, and the service or the structure where it is (not) open", () => {
    expect(errorMessage(examples.SPACE_NOT_OPEN)).toBe("L'espace FACTURES_RECUES n'est pas ouvert sur le service svc-compta.");
    expect(errorMessage({ ...examples.SPACE_NOT_OPEN, serviceId: null })).toBe("L'espace FACTURES_RECUES n'est pas ouvert sur la structure s-lyon.");
    expect(errorMessage(examples.SPACE_ALREADY_OPEN)).toBe("L'espace FACTURES_RECUES est déjà ouvert sur la structure s-lyon.");
    expect(errorMessage({ ...examples.SPACE_ALREADY_OPEN, serviceId: svc })).toBe("L'espace FACTURES_RECUES est déjà ouvert sur le service svc-compta.");
    expect(errorMessage(examples.EMPTY_SELECTION)).toContain("sub-7");
    expect(errorMessage(examples.ITEM_NOT_REQUESTED)).toBe("L'espace FACTURES_RECUES n'a pas été demandé pour le service svc-compta (demande sub-7).");
    expect(errorMessage({ ...examples.ITEM_NOT_REQUESTED, serviceId: null })).toBe("L'espace FACTURES_RECUES n'a pas été demandé (demande sub-7).");
  });

  it("NOT_ATTACHED names the service when the user is attached to the structure but not to it", () => {
    expect(errorMessage(examples.NOT_ATTACHED)).toBe("L'utilisateur u-elodie n'est pas rattaché à la structure s-lyon.");
    expect(errorMessage({ ...examples.NOT_ATTACHED, serviceId: svc })).toBe("L'utilisateur u-elodie n'est pas rattaché au service svc-compta.");
  });
});
