// withoutSecret (core/events.ts): an event as whoever called the act may see it. The
// activation and contact-confirmation tokens are kept by the outbox only: the outcome of
// an act, an idempotent replay, never carries them.
import { describe, expect, it } from "vitest";
import { userId, withoutSecret, type DomainEvent, type Instant } from "../../src/core/index.js";

const at = "2026-11-27T09:00:00.000Z" as Instant;
const expiresAt = "2026-11-28T09:00:00.000Z" as Instant;
const hugo = userId("u-hugo");

describe("withoutSecret", () => {
  it("takes the token out of an activation e-mail request, and keeps everything else", () => {
    const event: DomainEvent = { type: "ActivationEmailRequested", at, userId: hugo, login: "hugo@example.fr", expiresAt, token: "s3cr3t" };
    const shown = withoutSecret(event);
    expect(shown).toEqual({ type: "ActivationEmailRequested", at, userId: hugo, login: "hugo@example.fr", expiresAt });
    expect("token" in shown).toBe(false);
    // The outbox's event is left as it was.
    expect(event).toHaveProperty("token", "s3cr3t");
  });

  it("takes the token out of a contact address confirmation request, and keeps everything else", () => {
    const event: DomainEvent = {
      type: "ContactEmailConfirmationRequested",
      at,
      userId: hugo,
      login: "hugo@example.fr",
      address: "hugo.martin@example.fr",
      expiresAt,
      token: "s3cr3t",
    };
    const shown = withoutSecret(event);
    expect(shown).toEqual({
      type: "ContactEmailConfirmationRequested",
      at,
      userId: hugo,
      login: "hugo@example.fr",
      address: "hugo.martin@example.fr",
      expiresAt,
    });
    expect("token" in shown).toBe(false);
  });

  it("gives back the very event when it holds no secret: one already without its token, or any other kind", () => {
    const withoutToken: DomainEvent = { type: "ActivationEmailRequested", at, userId: hugo, login: "hugo@example.fr", expiresAt };
    const other: DomainEvent = { type: "AccountActivated", at, userId: hugo, login: "hugo@example.fr" };
    expect(withoutSecret(withoutToken)).toBe(withoutToken);
    expect(withoutSecret(other)).toBe(other);
  });
});
