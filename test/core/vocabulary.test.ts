import { describe, expect, it } from "vitest";
import {
  ACCESS_LEVELS,
  ACCOUNT_STATUSES,
  SUBSCRIPTION_REQUEST_STATUSES,
  SUBSCRIPTION_SCOPES,
  accessLevelFromApiCode,
  accessLevelLabel,
  accessLevelToApiCode,
  subscriptionRequestStatusLabel,
  subscriptionScopeLabel,
  ATTACHMENT_REQUEST_STATUSES,
  ATTACHMENT_ROLES,
  HISTORY_KINDS,
  IDENTIFIER_TYPES,
  ROLES,
  STRUCTURE_KINDS,
  accountStatusLabel,
  attachmentRequestStatusFromApiCode,
  attachmentRequestStatusLabel,
  attachmentRequestStatusToApiCode,
  historyKindLabel,
  identifierTypeFromApiCode,
  identifierTypeLabel,
  identifierTypeToApiCode,
  roleFromApiCode,
  roleLabel,
  roleToApiCode,
  serviceAttachmentStatusLabel,
  structureKindFromApiCode,
  structureKindLabel,
  structureKindToApiCode,
} from "../../src/core/index.js";

describe("French labels, exactly as the guide writes them", () => {
  it("roles: « Gestionnaire principal », « Gestionnaire secondaire », « Utilisateur simple »", () => {
    expect(roleLabel).toEqual({
      primaryManager: "Gestionnaire principal",
      secondaryManager: "Gestionnaire secondaire",
      user: "Utilisateur simple",
    });
  });

  it("request statuses: « En cours de validation », « Validée », « Refusée »", () => {
    expect(attachmentRequestStatusLabel).toEqual({
      pending: "En cours de validation",
      validated: "Validée",
      refused: "Refusée",
    });
  });

  it("a service's attachment status on the consultation screen: « En cours de validation », « Validé »", () => {
    expect(serviceAttachmentStatusLabel).toEqual({ requested: "En cours de validation", attached: "Validé" });
  });

  it("account statuses: « En cours d'activation », « Actif », « Désactivé »", () => {
    // The guide prints a typographic apostrophe (« En cours d’activation »); the SPEC and the
    // library use the ASCII one. Compare with apostrophes folded so either spelling passes.
    const fold = (s: string) => s.replace(/[’']/g, "'");
    expect(fold(accountStatusLabel.pendingActivation)).toBe(fold("En cours d’activation"));
    expect(accountStatusLabel.active).toBe("Actif");
    expect(accountStatusLabel.deactivated).toBe("Désactivé");
  });

  it("history « Commentaires »: exactly « Validée », « Refusée », « Supprimé »", () => {
    expect(historyKindLabel.attachmentRequestValidated).toBe("Validée");
    expect(historyKindLabel.attachmentRequestRefused).toBe("Refusée");
    expect(historyKindLabel.attachmentRemoved).toBe("Supprimé");
  });

  it("« Validée » is the label of a validated request, attachment or subscription, and of nothing else", () => {
    // The guide's « Validée » means « demande de rattachement ou d'abonnement validée »:
    // both kinds share it on purpose, and no other kind uses it.
    expect(HISTORY_KINDS.filter((k) => historyKindLabel[k] === "Validée").sort()).toEqual(
      ["attachmentRequestValidated", "subscriptionRequestValidated"].sort(),
    );
  });

  it("« Désactivée » is the label of a refused subscription request and of nothing else; « Refusée » and « Supprimé » have one owner each", () => {
    const owners = (label: string) => HISTORY_KINDS.filter((k) => historyKindLabel[k] === label);
    expect(owners("Désactivée")).toEqual(["subscriptionRequestRefused"]);
    expect(owners("Refusée")).toEqual(["attachmentRequestRefused"]);
    expect(owners("Supprimé")).toEqual(["attachmentRemoved"]);
  });

  it("every history kind has a non-empty label, and only « Validée » is shared (by the two validations)", () => {
    const labels = HISTORY_KINDS.map((k) => historyKindLabel[k]);
    expect(labels.every((l) => l.trim() !== "")).toBe(true);
    const shared = [...new Set(labels)].filter((l) => labels.filter((x) => x === l).length > 1);
    expect(shared).toEqual(["Validée"]);
    expect(new Set(labels).size).toBe(labels.length - 1);
    expect(Object.keys(historyKindLabel).sort()).toEqual([...HISTORY_KINDS].sort());
  });

  it("the history labels of guide §2: « Demande d’abonnement », « Espace ouvert », « Espace fermé », the manager's grants", () => {
    expect(historyKindLabel.subscriptionRequested).toBe("Demande d’abonnement");
    expect(historyKindLabel.subscriptionRequestValidated).toBe("Validée");
    expect(historyKindLabel.subscriptionRequestRefused).toBe("Désactivée");
    expect(historyKindLabel.spaceOpened).toBe("Espace ouvert");
    expect(historyKindLabel.spaceClosed).toBe("Espace fermé");
    expect(historyKindLabel.spacesGranted).toBe("Habilitation accordée par le gestionnaire");
    expect(historyKindLabel.spaceGrantRevoked).toBe("Habilitation retirée");
  });

  it("subscription request statuses: « En cours de validation », « Validée », « Désactivée » (refused)", () => {
    expect(subscriptionRequestStatusLabel).toEqual({
      pending: "En cours de validation",
      validated: "Validée",
      refused: "Désactivée",
    });
    expect(Object.keys(subscriptionRequestStatusLabel).sort()).toEqual([...SUBSCRIPTION_REQUEST_STATUSES].sort());
  });

  it("access levels: « Consultation » (read), « Modification » (write)", () => {
    expect(accessLevelLabel).toEqual({ read: "Consultation", write: "Modification" });
    expect(Object.keys(accessLevelLabel).sort()).toEqual([...ACCESS_LEVELS].sort());
  });

  it("subscription scopes: the user only, the services concerned, the whole structure", () => {
    expect(Object.keys(subscriptionScopeLabel).sort()).toEqual([...SUBSCRIPTION_SCOPES].sort());
    expect(subscriptionScopeLabel.structure).toBe("Toute la structure");
    expect(new Set(Object.values(subscriptionScopeLabel)).size).toBe(SUBSCRIPTION_SCOPES.length);
  });

  it("structure kinds and identifier types have French labels for every value", () => {
    expect(structureKindLabel).toEqual({ public: "Structure publique", private: "Structure privée" });
    expect(Object.keys(identifierTypeLabel).sort()).toEqual([...IDENTIFIER_TYPES].sort());
    expect(identifierTypeLabel.siret).toBe("SIRET");
    expect(Object.keys(accountStatusLabel).sort()).toEqual([...ACCOUNT_STATUSES].sort());
  });

  it("the attachment roles are the roles minus the primary one", () => {
    expect([...ATTACHMENT_ROLES].sort()).toEqual(ROLES.filter((r) => r !== "primaryManager").sort());
  });
});

/** A value set, its expected Chorus Pro codes, and the two conversion functions. */
function roundTrip<V extends string>(
  name: string,
  values: readonly V[],
  expected: Record<V, string>,
  toCode: (v: V) => string,
  fromCode: (c: string) => V | undefined,
) {
  describe(`${name} ⇄ Chorus Pro API code`, () => {
    it("maps every value to its published code", () => {
      expect(Object.fromEntries(values.map((v) => [v, toCode(v)]))).toEqual(expected);
    });

    it.each([...values])("round trips %s (toApiCode then fromApiCode)", (v) => {
      expect(fromCode(toCode(v))).toBe(v);
    });

    it("codes are distinct", () => {
      expect(new Set(values.map(toCode)).size).toBe(values.length);
    });

    it.each(["", "INCONNU", "toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", values[0]!, toCode(values[0]!).toLowerCase()])(
      "an unknown code %j gives undefined",
      (code) => {
        expect(fromCode(code)).toBeUndefined();
      },
    );

    // Object.prototype's members are no values: no inherited function or object comes back.
    it.each(["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", "", "INCONNU"])(
      "a value %j that is none of the enumeration's gives undefined as its code",
      (value) => {
        expect(toCode(value as never)).toBeUndefined();
      },
    );
  });
}

roundTrip(
  "roles",
  ROLES,
  { primaryManager: "GESTIONNAIRE_PRINCIPAL", secondaryManager: "GESTIONNAIRE_SECONDAIRE", user: "UTILISATEUR_SIMPLE" },
  roleToApiCode,
  roleFromApiCode,
);
roundTrip(
  "attachment request statuses",
  ATTACHMENT_REQUEST_STATUSES,
  { pending: "EN_COURS_DE_VALIDATION", validated: "VALIDEE", refused: "REFUSEE" },
  attachmentRequestStatusToApiCode,
  attachmentRequestStatusFromApiCode,
);
roundTrip("structure kinds", STRUCTURE_KINDS, { public: "PUBLIQUE", private: "PRIVEE" }, structureKindToApiCode, structureKindFromApiCode);
roundTrip(
  "identifier types",
  IDENTIFIER_TYPES,
  {
    siret: "SIRET",
    euOutsideFrance: "UE_HORS_FRANCE",
    outsideEu: "HORS_UE",
    ridet: "RIDET",
    tahiti: "TAHITI",
    other: "AUTRE",
    individual: "PARTICULIER",
  },
  identifierTypeToApiCode,
  identifierTypeFromApiCode,
);
roundTrip(
  "access levels",
  ACCESS_LEVELS,
  { read: "CONSULTATION_UNIQUEMENT", write: "MODIFICATION" },
  accessLevelToApiCode,
  accessLevelFromApiCode,
);
