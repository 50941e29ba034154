// Properties of the accounts' rules (fast-check), against reference models written here:
//   (a) the throttle: over random send attempts under random policies, an e-mail goes
//       exactly when the reference allows it, so never more than maxEmailsPer24Hours in
//       any 24 hours nor two closer than minMinutesBetweenEmails; a refusal's retryAt is
//       the first instant it may go;
//   (b) activation succeeds iff the hash presented is that of the newest token, unused,
//       before its expiry; otherwise it fails with the code saying which, and changes
//       nothing; what the store keeps (the hash) never activates.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  activateAccount,
  createAccount,
  nextEmailAllowedAt,
  sendActivationEmail,
  toInstant,
  withEmailCounted,
  type ActivationPolicy,
  type User,
} from "../../../src/core/index.js";
import { buildGuide, now } from "../fixtures.js";
import { hashOf, hugoCommand, hugoId, issued } from "./fixtures.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const policyArb: fc.Arbitrary<ActivationPolicy> = fc.record({
  tokenLifetimeMinutes: fc.integer({ min: 1, max: 180 }),
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

/** A user with no e-mail yet, whatever else (the throttle looks at accountEmailsAt only). */
const blank = (): User => ({ ...buildGuide().elodie, accountEmailsAt: [] });

describe("the throttle — nextEmailAllowedAt", () => {
  test.prop([policyArb, fc.array(gapArb, { minLength: 1, maxLength: 40 })])(
    "over random attempts, an e-mail goes iff the reference allows it; never more than the daily limit in any 24 hours, never two closer than the interval",
    (policy, gaps) => {
      let user = blank();
      let t = now.getTime();
      const sent: number[] = []; // every e-mail ever sent, in ms (the reference keeps them all)
      for (const gap of gaps) {
        t += gap;
        const at = new Date(t);
        const last = sent[sent.length - 1];
        const inDay = sent.filter((s) => s > t - DAY).length;
        const referenceAllows =
          (last === undefined || t - last >= policy.minMinutesBetweenEmails * MINUTE) && inDay < policy.maxEmailsPer24Hours;
        const retryAt = nextEmailAllowedAt(user, at, policy);
        expect(retryAt === null).toBe(referenceAllows);
        if (retryAt === null) {
          user = withEmailCounted(user, at);
          sent.push(t);
        } else {
          // retryAt is later, and the first instant it may go (with no e-mail in between).
          const retry = Date.parse(retryAt);
          expect(retry).toBeGreaterThan(t);
          expect(nextEmailAllowedAt(user, new Date(retry), policy)).toBeNull();
          expect(nextEmailAllowedAt(user, new Date(retry - 1), policy)).not.toBeNull();
        }
        // What the account keeps is the last 24 hours of e-mails, oldest first.
        expect(user.accountEmailsAt.every((x, i, all) => i === 0 || all[i - 1]! <= x)).toBe(true);
      }
      for (let i = 0; i < sent.length; i++) {
        if (i > 0) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(policy.minMinutesBetweenEmails * MINUTE);
        // The fullest 24-hour window ends at an e-mail: count those in (e − 24 h, e].
        const window = sent.filter((s) => s > sent[i]! - DAY && s <= sent[i]!).length;
        expect(window).toBeLessThanOrEqual(policy.maxEmailsPer24Hours);
      }
    },
  );

  test.prop([policyArb, fc.array(gapArb, { minLength: 1, maxLength: 30 })])(
    "sendActivationEmail applies the same throttle: refused with ACTIVATION_EMAIL_THROTTLED exactly when nextEmailAllowedAt says so, with its retryAt",
    (policy, gaps) => {
      const g = buildGuide();
      const created = createAccount(
        { actor: g.alice, structure: g.hospital, services: g.serviceIndex },
        hugoCommand(g),
        { now, userId: hugoId, issued: issued("0"), policy },
      );
      if (!created.ok) throw new Error(created.error.code);
      let user = created.value.user;
      let t = now.getTime();
      gaps.forEach((gap, i) => {
        t += gap;
        const at = new Date(t);
        const expected = nextEmailAllowedAt(user, at, policy);
        const r = sendActivationEmail({ actor: g.alice, structure: g.hospital, user }, { now: at, issued: issued(`${i + 1}`), policy });
        if (expected === null) {
          expect(r.ok).toBe(true);
          if (r.ok) user = r.value.user;
        } else expect(r).toEqual({ ok: false, error: { code: "ACTIVATION_EMAIL_THROTTLED", userId: hugoId, retryAt: expected } });
      });
    },
  );
});

// ---------------------------------------------------------------------- activation

/** A step of an account's life: an e-mail sent again, or an activation attempt. */
type Step =
  | { readonly kind: "send"; readonly gap: number }
  | {
      readonly kind: "activate";
      readonly gap: number;
      /** Which token is presented: the n-th issued (counted from the newest), a stranger's guess, or what the store keeps. */
      readonly token: { readonly issued: number } | { readonly guess: string } | "storedHash";
    };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), gap: fc.integer({ min: 0, max: 120 * MINUTE }) }),
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
    "succeeds iff the token is the newest issued, unused and not expired; else INVALID, USED or EXPIRED as the reference says, and nothing changes",
    (lifetime, steps) => {
      // No throttle here: every send goes, so the reference only follows tokens.
      const policy: ActivationPolicy = { tokenLifetimeMinutes: lifetime, minMinutesBetweenEmails: 0, maxEmailsPer24Hours: 1000 };
      const g = buildGuide();
      const first = issued("0");
      const created = createAccount(
        { actor: g.alice, structure: g.hospital, services: g.serviceIndex },
        hugoCommand(g),
        { now, userId: hugoId, issued: first, policy },
      );
      if (!created.ok) throw new Error(created.error.code);
      let user = created.value.user;
      let t = now.getTime();
      // The reference: every token issued (newest last), when the newest expires, whether it was used.
      const tokens = [first.token];
      let expiresAt = t + lifetime * MINUTE;
      let used = false;

      steps.forEach((step, i) => {
        t += step.gap;
        const at = new Date(t);
        if (step.kind === "send") {
          const token = issued(`${i + 1}`);
          const r = sendActivationEmail({ actor: g.alice, structure: g.hospital, user }, { now: at, issued: token, policy });
          if (used) {
            // Active and never attached: no longer the hospital's account.
            expect(r.ok ? "ok" : r.error.code).toBe(user.attachments.length > 0 ? "ACCOUNT_NOT_PENDING_ACTIVATION" : "NOT_FOUND");
            return;
          }
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          user = r.value.user;
          tokens.push(token.token);
          expiresAt = t + lifetime * MINUTE;
          return;
        }
        const presented =
          step.token === "storedHash"
            ? user.activation!.tokenHash
            : "guess" in step.token
              ? step.token.guess
              : tokens[Math.max(0, tokens.length - 1 - step.token.issued)]!;
        const isNewest = presented === tokens[tokens.length - 1];
        const expected = !isNewest ? "ACTIVATION_TOKEN_INVALID" : used ? "ACTIVATION_TOKEN_USED" : t >= expiresAt ? "ACTIVATION_TOKEN_EXPIRED" : "ok";
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
      // Whatever happened, the account never holds a token, only the hash of the newest.
      const kept = JSON.stringify(user);
      for (const token of tokens) expect(kept).not.toContain(token);
      expect(user.activation?.tokenHash).toBe(hashOf(tokens[tokens.length - 1]!));
    },
  );
});
