// Properties of the accounts' rules (fast-check), against reference models written here:
//   (a) the throttle: over random send attempts by random initiators under random
//       policies, an e-mail goes exactly when the reference allows it, so never more than
//       maxEmailsPer24Hours from one initiator in any 24 hours nor two of its e-mails
//       closer than minMinutesBetweenEmails, whatever the others sent; a refusal's retryAt
//       is the first instant it may go;
//   (b) activation succeeds iff the hash presented is that of a live token (the newest of
//       its initiator: the hospital's managers, the public side), unused, before its
//       expiry; otherwise it fails with the code saying which, and changes nothing; what
//       the store keeps (the hash) never activates.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  activateAccount,
  createAccount,
  DEFAULT_ACTIVATION_POLICY,
  nextEmailAllowedAt,
  registerAccount,
  sendActivationEmail,
  toInstant,
  userId,
  withEmailCounted,
  type ActivationPolicy,
  type EmailInitiator,
  type User,
} from "../../../src/core/index.js";
import { buildGuide, now, type Guide } from "../fixtures.js";
import { contactToken, hashOf, hugoCommand, hugoId, issued } from "./fixtures.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const policyArb: fc.Arbitrary<ActivationPolicy> = fc.record({
  tokenLifetimeMinutes: fc.integer({ min: 1, max: 180 }),
  contactTokenLifetimeMinutes: fc.constant(DEFAULT_ACTIVATION_POLICY.contactTokenLifetimeMinutes),
  minMinutesBetweenEmails: fc.integer({ min: 0, max: 60 }),
  maxEmailsPer24Hours: fc.integer({ min: 1, max: 8 }),
});

/** Gaps between attempts, in ms: often within the interval, sometimes hours or a day apart. */
const gapArb = fc.oneof(
  fc.integer({ min: 0, max: 3 * MINUTE }),
  fc.integer({ min: 0, max: 90 * MINUTE }),
  fc.integer({ min: 0, max: 26 * 60 * MINUTE }),
  fc.constantFrom(0, 1, MINUTE, 2 * MINUTE, DAY, DAY - 1, DAY + 1),
);

/** A user with no e-mail yet, whatever else (the throttle looks at accountEmails only). */
const blank = (): User => ({ ...buildGuide().elodie, accountEmails: [] });

/** The initiators the properties draw from: two structures' managers, the public side, the person. */
const INITIATORS: readonly EmailInitiator[] = ["structure:s-chu-lyon", "structure:s-acme", "public", "self"];

/** Attempts: a gap in ms and who asks. */
const attemptArb = fc.record({ gap: gapArb, by: fc.constantFrom(...INITIATORS) });

describe("the throttle — nextEmailAllowedAt", () => {
  test.prop([policyArb, fc.array(attemptArb, { minLength: 1, maxLength: 40 })])(
    "over random attempts by random initiators, an e-mail goes iff the reference allows it for that initiator; per initiator, never more than the daily limit in any 24 hours, never two closer than the interval",
    (policy, attempts) => {
      let user = blank();
      let t = now.getTime();
      // Every e-mail ever sent, in ms, per initiator (the reference keeps them all).
      const sent = new Map<EmailInitiator, number[]>(INITIATORS.map((by) => [by, []]));
      for (const { gap, by } of attempts) {
        t += gap;
        const at = new Date(t);
        const mine = sent.get(by)!;
        const last = mine[mine.length - 1];
        const inDay = mine.filter((s) => s > t - DAY).length;
        const referenceAllows =
          (last === undefined || t - last >= policy.minMinutesBetweenEmails * MINUTE) && inDay < policy.maxEmailsPer24Hours;
        const retryAt = nextEmailAllowedAt(user, at, policy, by);
        expect(retryAt === null).toBe(referenceAllows);
        if (retryAt === null) {
          user = withEmailCounted(user, at, by);
          mine.push(t);
        } else {
          // retryAt is later, and the first instant it may go (with no e-mail in between).
          const retry = Date.parse(retryAt);
          expect(retry).toBeGreaterThan(t);
          expect(nextEmailAllowedAt(user, new Date(retry), policy, by)).toBeNull();
          expect(nextEmailAllowedAt(user, new Date(retry - 1), policy, by)).not.toBeNull();
        }
        // What the account keeps is the last 24 hours of e-mails, oldest first, each with who asked.
        expect(user.accountEmails.every((x, i, all) => i === 0 || all[i - 1]!.at <= x.at)).toBe(true);
        expect(user.accountEmails.every((x) => INITIATORS.includes(x.by))).toBe(true);
      }
      for (const mine of sent.values())
        for (let i = 0; i < mine.length; i++) {
          if (i > 0) expect(mine[i]! - mine[i - 1]!).toBeGreaterThanOrEqual(policy.minMinutesBetweenEmails * MINUTE);
          // The fullest 24-hour window ends at an e-mail: count those in (e − 24 h, e].
          const window = mine.filter((s) => s > mine[i]! - DAY && s <= mine[i]!).length;
          expect(window).toBeLessThanOrEqual(policy.maxEmailsPer24Hours);
        }
    },
  );

  test.prop([policyArb, fc.array(fc.record({ gap: gapArb, public: fc.boolean() }), { minLength: 1, maxLength: 30 })])(
    "sendActivationEmail and registerAccount each apply their initiator's throttle: the manager refused with ACTIVATION_EMAIL_THROTTLED, a registration answered with nothing, exactly when nextEmailAllowedAt says so for that initiator",
    (policy, attempts) => {
      const g = buildGuide();
      let user = hugo(g, issued("0"), policy);
      let t = now.getTime();
      attempts.forEach((attempt, i) => {
        t += attempt.gap;
        const at = new Date(t);
        const by: EmailInitiator = attempt.public ? "public" : `structure:${g.hospital.id}`;
        const expected = nextEmailAllowedAt(user, at, policy, by);
        if (attempt.public) {
          const r = register(user, at, issued(`${i + 1}`), policy);
          if (expected === null) {
            expect(r.events.map((e) => e.type)).toEqual(["ActivationEmailRequested"]);
            user = r.user!;
          } else expect(r).toEqual({ user: null, created: false, history: [], events: [] });
          return;
        }
        const r = sendActivationEmail({ actor: g.alice, structure: g.hospital, user }, { now: at, issued: issued(`${i + 1}`), policy });
        if (expected === null) {
          expect(r.ok).toBe(true);
          if (r.ok) user = r.value.user;
        } else expect(r).toEqual({ ok: false, error: { code: "ACTIVATION_EMAIL_THROTTLED", userId: hugoId, retryAt: expected } });
      });
    },
  );
});

/** Hugo's account, created by Alice for the hospital at `now` with `first`. */
function hugo(g: Guide, first: ReturnType<typeof issued>, policy: ActivationPolicy): User {
  const created = createAccount(
    { actor: g.alice, structure: g.hospital, services: g.serviceIndex },
    hugoCommand(g),
    { now, userId: hugoId, issued: first, contactToken, policy },
  );
  if (!created.ok) throw new Error(created.error.code);
  return created.value.user;
}

/** Hugo's login registered from the public side at `at` with `token`. */
function register(user: User, at: Date, token: ReturnType<typeof issued>, policy: ActivationPolicy) {
  const r = registerAccount(user, { login: user.login, lastName: "Martin", firstName: "Hugo" }, { now: at, userId: userId("u-unused"), issued: token, contactToken, policy });
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

// ---------------------------------------------------------------------- activation

/** A step of an account's life: an e-mail sent again (by a manager or a public registration), or an activation attempt. */
type Step =
  | { readonly kind: "send"; readonly gap: number; readonly public: boolean }
  | {
      readonly kind: "activate";
      readonly gap: number;
      /** Which token is presented: the n-th issued (counted from the newest), a stranger's guess, or what the store keeps. */
      readonly token: { readonly issued: number } | { readonly guess: string } | "storedHash";
    };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), gap: fc.integer({ min: 0, max: 120 * MINUTE }), public: fc.boolean() }),
  fc.record({
    kind: fc.constant("activate" as const),
    gap: fc.oneof(fc.integer({ min: 0, max: 120 * MINUTE }), fc.constantFrom(0, 1)),
    token: fc.oneof(
      { weight: 4, arbitrary: fc.record({ issued: fc.nat({ max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ guess: fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/) }) },
      { weight: 1, arbitrary: fc.constant("storedHash" as const) },
    ),
  }),
);

describe("activation — activateAccount", () => {
  test.prop([fc.integer({ min: 1, max: 120 }), fc.array(stepArb, { minLength: 1, maxLength: 25 })])(
    "succeeds iff the token is a live one (the newest of its initiator, another's expired ones dropped when one is issued), unused and not expired; else INVALID, USED or EXPIRED as the reference says, and nothing changes",
    (lifetime, steps) => {
      // No throttle here: every send goes, so the reference only follows tokens.
      const policy: ActivationPolicy = { ...DEFAULT_ACTIVATION_POLICY, tokenLifetimeMinutes: lifetime, minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 1000 };
      const g = buildGuide();
      const first = issued("0");
      let user = hugo(g, first, policy);
      let t = now.getTime();
      const hospital: EmailInitiator = `structure:${g.hospital.id}`;
      // The reference: every token issued (newest last), and the live ones (one per
      // initiator, in the order issued) with when each expires; whether one was used.
      const tokens = [first.token];
      let live: { token: string; expiresAt: number; by: EmailInitiator }[] = [{ token: first.token, expiresAt: t + lifetime * MINUTE, by: hospital }];
      let used = false;

      steps.forEach((step, i) => {
        t += step.gap;
        const at = new Date(t);
        if (step.kind === "send") {
          const token = issued(`${i + 1}`);
          const by: EmailInitiator = step.public ? "public" : hospital;
          if (step.public) {
            const r = register(user, at, token, policy);
            if (used) {
              // Active: its owner is told at the login, and no token is issued.
              expect(r.events.map((e) => e.type)).toEqual(["RegistrationAttemptedForExistingAccount"]);
              user = r.user!;
              return;
            }
            user = r.user!;
          } else {
            const r = sendActivationEmail({ actor: g.alice, structure: g.hospital, user }, { now: at, issued: token, policy });
            if (used) {
              // Active and never attached: no longer the hospital's account.
              expect(r.ok ? "ok" : r.error.code).toBe(user.attachments.length > 0 ? "ACCOUNT_NOT_PENDING_ACTIVATION" : "NOT_FOUND");
              return;
            }
            expect(r.ok).toBe(true);
            if (!r.ok) return;
            user = r.value.user;
          }
          tokens.push(token.token);
          live = [...live.filter((l) => l.by !== by && l.expiresAt > t), { token: token.token, expiresAt: t + lifetime * MINUTE, by }];
          return;
        }
        const presented =
          step.token === "storedHash"
            ? user.activation!.tokens[user.activation!.tokens.length - 1]!.tokenHash
            : "guess" in step.token
              ? step.token.guess
              : tokens[Math.max(0, tokens.length - 1 - step.token.issued)]!;
        const found = live.find((l) => l.token === presented);
        const expected = found === undefined ? "ACTIVATION_TOKEN_INVALID" : used ? "ACTIVATION_TOKEN_USED" : t >= found.expiresAt ? "ACTIVATION_TOKEN_EXPIRED" : "ok";
        const before = structuredClone(user);
        const r = activateAccount(user, { userId: hugoId, token: presented }, { now: at, tokenHash: hashOf(presented) });
        expect(r.ok ? "ok" : r.error.code).toBe(expected);
        expect(user).toEqual(before); // the input is never changed
        if (r.ok) {
          expect(r.value.user.status).toBe("active");
          expect(r.value.user.activation?.usedAt).toBe(toInstant(at));
          user = r.value.user;
          used = true;
        }
      });
      // Whatever happened, the account never holds a token, only the hashes of the live ones.
      const kept = JSON.stringify(user);
      for (const token of [...tokens, contactToken.token]) expect(kept).not.toContain(token);
      expect(user.activation?.tokens.map((x) => x.tokenHash)).toEqual(live.map((l) => hashOf(l.token)));
    },
  );
});
