import { describe, expect, it } from "vitest";
import { normalizeLogin, registerUser, userId } from "../../src/core/index.js";
import { at, ctx, unwrap } from "./fixtures.js";

const id = userId("u-elodie");

describe("registerUser — créer son compte", () => {
  it("given a login typed with capitals and spaces, when the account is registered, then the login is stored trimmed and in lower case", () => {
    const r = unwrap(
      registerUser(
        { login: "  Elodie.Lefevre@Example.FR ", lastName: " Lefèvre ", firstName: " Élodie " },
        { ...ctx, userId: id },
      ),
    );
    expect(r.user).toEqual({
      id,
      login: "elodie.lefevre@example.fr",
      contactEmail: "elodie.lefevre@example.fr",
      lastName: "Lefèvre",
      firstName: "Élodie",
      status: "active",
      attachments: [],
      grants: [], // no space yet
      phone: null,
      postalAddress: null,
      settings: { activityNotifications: "never" },
      createdFor: null, // registered by the person, not created by a manager
      activation: null, // active from the start: nothing to activate
      contactEmailChange: null,
      accountEmails: [],
      deactivatedAt: null,
      createdAt: at,
    });
  });

  it("keeps a separate contact address when one is given (trimmed)", () => {
    const r = unwrap(
      registerUser(
        { login: "elodie@example.fr", contactEmail: " Secretariat@Example.fr ", lastName: "Lefèvre", firstName: "Élodie" },
        { ...ctx, userId: id },
      ),
    );
    expect(r.user.contactEmail).toBe("Secretariat@Example.fr");
    expect(r.user.login).toBe("elodie@example.fr");
  });

  it("writes no history (the account concerns no structure yet) and emits UserRegistered with the canonical login", () => {
    const r = unwrap(
      registerUser({ login: "Elodie@Example.fr", lastName: "Lefèvre", firstName: "Élodie" }, { ...ctx, userId: id }),
    );
    expect(r.history).toEqual([]);
    expect(r.events).toEqual([{ type: "UserRegistered", at, userId: id, login: "elodie@example.fr" }]);
  });

  it("normalizeLogin trims and lower-cases, and is idempotent", () => {
    expect(normalizeLogin("  Elodie.Lefevre@Example.FR ")).toBe("elodie.lefevre@example.fr");
    expect(normalizeLogin(normalizeLogin(" A@B.FR "))).toBe(normalizeLogin(" A@B.FR "));
  });
});
