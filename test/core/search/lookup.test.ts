// SPEC §3.5, the lookup of a person to attach or to name as successor: it reveals only
// id, names, masked login and status. maskLogin keeps the first and last character of
// the local part, the first of the domain name and the top-level domain; nothing else.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { maskLogin, personCard, userId, type User } from "../../../src/core/index.js";

describe("maskLogin", () => {
  it.each([
    ["elodie.lefevre@mairie-lyon.fr", "e************e@m**********.fr"],
    ["hugo.moreau@mairie-lyon.fr", "h*********u@m**********.fr"],
    ["abc@x.fr", "a*c@x.fr"],
    ["ab@example.com", "a*@e******.com"],
    ["a@example.com", "a@e******.com"],
    ["jean@sous.domaine.gouv.fr", "j**n@s****************.fr"],
    ["jean@localhost", "j**n@l********"],
    ["é😀x😀@été.fr", "é**😀@é**.fr"],
  ])("%s → %s", (login, masked) => {
    expect(maskLogin(login)).toBe(masked);
  });

  it("hides a text without @ but its first and last characters", () => {
    expect(maskLogin("elodie")).toBe("e****e");
  });
});

const LOCAL_UNITS = [..."abcdefghijklmnopqrstuvwxyz0123456789._+-", "é", "😀", "*"];
const part = (min: number) => fc.string({ unit: fc.constantFrom(...LOCAL_UNITS), minLength: min, maxLength: 30 });
const domainName = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-", "é"), minLength: 1, maxLength: 30 });
const tld = fc.constantFrom("fr", "com", "gouv.fr", "eu");

describe("maskLogin — properties", () => {
  test.prop([part(1), domainName, tld])(
    "reveals of the local part only its first and last characters, of the domain only its first character and the top-level domain, keeping lengths",
    (local, name, top) => {
      const masked = maskLogin(`${local}@${name}.${top}`);
      const at = masked.lastIndexOf("@");
      const maskedLocal = [...masked.slice(0, at)];
      const chars = [...local];
      expect(maskedLocal.length).toBe(chars.length);
      expect(maskedLocal[0]).toBe(chars[0]);
      if (chars.length >= 3) expect(maskedLocal[chars.length - 1]).toBe(chars[chars.length - 1]);
      // Everything else is a star, whatever the local part held.
      const inner = chars.length >= 3 ? maskedLocal.slice(1, -1) : maskedLocal.slice(1);
      expect(inner.every((c) => c === "*")).toBe(true);
      // The domain: its name's first character, stars, then the last label.
      const lastDot = top.lastIndexOf(".");
      const shownTld = lastDot < 0 ? `.${top}` : top.slice(lastDot);
      const hiddenName = lastDot < 0 ? name : `${name}.${top.slice(0, lastDot)}`;
      const domain = [...hiddenName];
      expect(masked.slice(at + 1)).toBe(`${domain[0]}${"*".repeat(domain.length - 1)}${shownTld}`);
    },
  );

  test.prop([part(3), domainName])("never shows two neighbouring characters of a local part of 3 or more", (local, name) => {
    const masked = maskLogin(`${local}@${name}.fr`);
    const chars = [...local];
    for (let i = 0; i + 1 < chars.length; i++) {
      const pair = `${chars[i]}${chars[i + 1]}`;
      if (!pair.includes("*")) expect(masked.slice(0, masked.lastIndexOf("@"))).not.toContain(pair);
    }
  });
});

describe("personCard", () => {
  const user: User = {
    id: userId("u-1"),
    login: "elodie.lefevre@mairie-lyon.fr",
    contactEmail: "elodie@perso.fr",
    lastName: "Lefèvre",
    firstName: "Élodie",
    status: "pendingActivation",
    attachments: [],
    grants: [],
    phone: "+33 4 72 10 30 30",
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: null,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: "2026-11-27T08:00:00.000Z" as User["createdAt"],
  };

  it("gives exactly id, names, masked login and status: no structure, contact, phone nor full login", () => {
    const card = personCard(user);
    expect(card).toEqual({
      id: "u-1",
      lastName: "Lefèvre",
      firstName: "Élodie",
      maskedLogin: "e************e@m**********.fr",
      status: "pendingActivation",
    });
    const shown = JSON.stringify(card);
    for (const secret of [user.login, user.contactEmail, "+33", "attachments", "createdFor", "grants"]) expect(shown).not.toContain(secret);
  });
});
