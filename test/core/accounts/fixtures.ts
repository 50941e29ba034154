// Accounts (guide §3 B and §5) on the core fixture: tokens made and hashed as the
// application makes them (node:crypto, SHA-256 base64url), and the guide's account
// « créé par le gestionnaire » for the hospital, built through the real transitions.
import { createHash } from "node:crypto";
import {
  createAccount,
  DEFAULT_ACTIVATION_POLICY,
  servicesScope,
  structureId,
  createStructure,
  userId,
  type AccountCreated,
  type ActivationPolicy,
  type CreateAccount,
  type CreateAccountState,
  type IssuedToken,
  type Structure,
  type User,
} from "../../../src/core/index.js";
import { ctx, now, setupNow, today, unwrap, type Guide } from "../fixtures.js";

/** The policy the tests act under: the default (60 minutes; one e-mail per 2 minutes, 5 per 24 hours). */
export const policy: ActivationPolicy = DEFAULT_ACTIVATION_POLICY;

/** What the store keeps of a token: its SHA-256, base64url (as `hashActivationToken`). */
export const hashOf = (token: string): string => createHash("sha256").update(token, "utf8").digest("base64url");

/**
 * A token as the application makes them (43 base64url characters), derived from a label
 * so tests are deterministic, and its hash.
 */
export function issued(label: string): IssuedToken {
  const token = createHash("sha256").update(`activation token ${label}`, "utf8").digest("base64url");
  return { token, tokenHash: hashOf(token) };
}

/** The first token of Hugo's account. */
export const firstToken = issued("first");
/** The token of the activation e-mail sent again. */
export const secondToken = issued("second");
/** The token of the e-mail confirming a contact address other than the login. */
export const contactToken = issued("contact");

/** Minutes after `from`. */
export const minutesAfter = (from: Date, minutes: number): Date => new Date(from.getTime() + minutes * 60_000);

/** Hugo: the person without an account Alice creates one for. */
export const hugoId = userId("u-hugo");

/** Alice's command: Hugo's account for the hospital, with phone, postal address and settings. */
export function hugoCommand(g: Guide, extra: Partial<CreateAccount> = {}): CreateAccount {
  return {
    structureId: g.hospital.id,
    login: "Hugo.Martin@chu-lyon.fr",
    contactEmail: "secretariat.compta@chu-lyon.fr",
    lastName: "Martin",
    firstName: "Hugo",
    phone: "+33 4 72 11 00 00",
    postalAddress: { street: "3 quai des Célestins", complement: null, postalCode: "69002", city: "Lyon", countryCode: "FR" },
    settings: { activityNotifications: "weekly" },
    ...extra,
  };
}

/**
 * The context of a new account: Hugo's id, a token, the token confirming a contact
 * address other than the login, the default policy, at `now` (or `at`).
 */
export function newAccountCtx(token: IssuedToken = firstToken, at: Date = now) {
  return { ...ctx, now: at, userId: hugoId, issued: token, contactToken, policy };
}

/** The context of `updateUser`: the token of a contact confirmation, the default policy, at `now` (or `at`). */
export function updateCtx(at: Date = now, token: IssuedToken = contactToken) {
  return { ...ctx, now: at, contactToken: token, policy };
}

/** Alice creates Hugo's account for the hospital (no attachment unless `extra.attach`). */
export function createHugo(
  g: Guide,
  extra: Partial<CreateAccount> = {},
  state: Partial<CreateAccountState> = {},
  token: IssuedToken = firstToken,
  at: Date = now,
) {
  return createAccount(
    { actor: g.alice, structure: g.hospital, services: g.serviceIndex, ...state },
    hugoCommand(g, extra),
    newAccountCtx(token, at),
  );
}

/** Hugo's account « En cours d'activation », created by Alice for the hospital and attached to COMPTA from today. */
export function hugoPending(g: Guide): User {
  return unwrap(createHugo(g, { attach: attachToCompta(g) })).user;
}

/** The attachment given in the same act: simple user on COMPTA from today. */
export function attachToCompta(g: Guide): NonNullable<CreateAccount["attach"]> {
  return { role: "user", scope: servicesScope([g.compta.id]), validFrom: today, comment: "Nouvel agent comptable" };
}

/** Hugo's account created without attachment (what `createAccount` decided). */
export function hugoCreated(g: Guide): AccountCreated {
  return unwrap(createHugo(g));
}

/**
 * « Mairie de Bron »: a public structure using the PIGP, founded by Alice (its accounts
 * come from the DGFiP referential). Returns Alice as its primary manager too.
 */
export function pigpStructure(g: Guide): { structure: Structure; alice: User } {
  const created = unwrap(
    createStructure(
      { founder: g.alice },
      { designation: "Mairie de Bron", kind: "public", viaPigp: true, identifier: { type: "siret", value: "21690029000018" } },
      { now: setupNow, structureId: structureId("s-mairie-bron") },
    ),
  );
  return { structure: created.structure, alice: created.founder };
}
