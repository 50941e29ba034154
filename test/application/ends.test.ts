// Rights with an end (issue 21) through the application layer: end dates given and
// changed, access refused from the end on, the expiry sweep (once per notice, whatever the
// number of runs), and « dupliquer les habilitations ».
import { describe, expect, it } from "vitest";
import { createHabilitations, historyKindLabel } from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import { expectErr, guide, must, services, SPACE, TODAY, type Guide, type Harness } from "./harness.js";

const kinds = (r: { readonly history: readonly { readonly kind: keyof typeof historyKindLabel }[] }) => r.history.map((e) => historyKindLabel[e.kind]);

/** Farid attached to the town hall's COMPTA until `validUntil`, reading « Factures reçues » on the whole structure until `grantUntil`. */
async function temporary(h: Harness, g: Guide, validUntil: string, grantUntil?: string) {
  must(await h.app.openSpace(g.alice, { structureId: g.townHall, space: SPACE.recues }));
  must(await h.app.attachUser(g.alice, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, validUntil, comment: "Renfort", scope: services(g.compta) }));
  const granted = must(
    await h.app.grantSpaces(g.alice, {
      structureId: g.townHall,
      userIds: [g.farid],
      items: [{ space: SPACE.recues, access: "read" }],
      ...(grantUntil === undefined ? {} : { validUntil: grantUntil }),
    }),
  );
  expect(granted.results[0]?.result.ok).toBe(true);
}

const mayRead = (h: Harness, g: Guide) => h.app.mayAccess({ userId: g.farid, structureId: g.townHall, space: SPACE.recues, access: "read" });

describe("an end date given through the app", () => {
  it("no access from the end date on; the members' list says the member is no longer in force", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2026-12-10");
    expect(must(await mayRead(h, g))).toBe(true);
    h.setNow("2026-12-09T22:30:00.000Z"); // 23:30 in Paris, the 9th: the last day
    expect(must(await mayRead(h, g))).toBe(true);
    h.setNow("2026-12-09T23:30:00.000Z"); // 00:30 in Paris, the 10th
    expect(must(await mayRead(h, g))).toBe(false);
    const members = must(await h.app.listMembers(g.alice, { structureId: g.townHall })).items;
    expect(members.find((m) => m.userId === g.farid)).toMatchObject({ validUntil: "2026-12-10", inForce: false });
  });
  it("an end on or before today is refused (VALID_UNTIL_TOO_EARLY), and a malformed date is VALIDATION", async () => {
    const { h, g } = await guide();
    const attach = (validUntil: string) =>
      h.app.attachUser(g.alice, { structureId: g.townHall, userId: g.farid, role: "user", validFrom: TODAY, validUntil, comment: "Renfort", scope: services(g.compta) });
    expectErr(await attach(TODAY), "VALID_UNTIL_TOO_EARLY");
    expectErr(await attach("2026-13-01"), "VALIDATION");
  });
});

describe("changeAttachmentEnd and changeGrantEnd", () => {
  it("a manager extends an attachment whose end has passed: access comes back; history « Date de fin modifiée »", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2026-12-10");
    h.setNow("2026-12-15T09:00:00.000Z");
    expect(must(await mayRead(h, g))).toBe(false);
    const r = must(await h.app.changeAttachmentEnd(g.bruno, { structureId: g.townHall, userId: g.farid, validUntil: "2027-06-30", comment: "Prolongé" }));
    expect(kinds(r)).toEqual(["Date de fin modifiée"]);
    expect(r.events.map((e) => e.type)).toEqual(["AttachmentEndChanged"]);
    expect(must(await mayRead(h, g))).toBe(true);
    expectErr(await h.app.changeAttachmentEnd(g.bruno, { structureId: g.townHall, userId: g.farid, validUntil: "2027-06-30" }), "VALID_UNTIL_UNCHANGED");
    expectErr(await h.app.changeAttachmentEnd(g.bruno, { structureId: g.townHall, userId: g.alice, validUntil: "2027-06-30" }), "TRANSFER_REQUIRED");
    expectErr(await h.app.changeAttachmentEnd(g.chloe, { structureId: g.townHall, userId: g.farid, validUntil: null }), "FORBIDDEN");
  });
  it("a manager shortens a grant: no access from its new end, the attachment still in force", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2027-06-30");
    const r = must(await h.app.changeGrantEnd(g.alice, { structureId: g.townHall, userId: g.farid, space: SPACE.recues, validUntil: "2026-12-01" }));
    expect(kinds(r)).toEqual(["Date de fin d’habilitation modifiée"]);
    expect(r.member.grants).toEqual([expect.objectContaining({ space: SPACE.recues, validUntil: "2026-12-01" })]);
    h.setNow("2026-12-01T09:00:00.000Z");
    expect(must(await mayRead(h, g))).toBe(false);
    expectErr(await h.app.changeGrantEnd(g.alice, { structureId: g.townHall, userId: g.farid, space: SPACE.emises, validUntil: null }), "NOT_FOUND");
    expectErr(await h.app.changeGrantEnd(g.alice, { structureId: g.townHall, userId: g.farid, space: "NOPE", validUntil: null }), "VALIDATION");
  });
});

describe("recordExpiries — the sweep the host runs", () => {
  it("warns once within the window, then records « Expiré » once, whatever the number of runs", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2026-12-20", "2026-12-05");
    const first = must(await h.app.recordExpiries());
    expect(first).toMatchObject({ users: 1, warned: 1, expired: 0, more: false });
    expect(first.events).toEqual([expect.objectContaining({ type: "GrantExpiringSoon", userId: g.farid, validUntil: "2026-12-05", daysLeft: 8 })]);
    expect(must(await h.app.recordExpiries())).toMatchObject({ users: 0, warned: 0, expired: 0, history: [], events: [] });
    h.setNow("2026-12-05T09:00:00.000Z");
    const second = must(await h.app.recordExpiries());
    expect(second.events.map((e) => e.type)).toEqual(["AttachmentExpiringSoon", "GrantExpired"]);
    expect(kinds(second)).toEqual(["Habilitation expirée"]);
    expect(second.history[0]).toMatchObject({ actorId: null, targetUserId: g.farid, structureId: g.townHall });
    h.setNow("2026-12-20T09:00:00.000Z");
    const third = must(await h.app.recordExpiries());
    expect(kinds(third)).toEqual(["Expiré"]);
    expect(must(await h.app.recordExpiries())).toMatchObject({ users: 0 });
    // The entries are in the structure's history, no one acting.
    const history = must(await h.app.readHistory(g.alice, { structureId: g.townHall, kinds: ["attachmentExpired", "grantExpired"] })).items;
    expect(history.map((e) => [e.kind, e.actorId])).toEqual([
      ["attachmentExpired", null],
      ["grantExpired", null],
    ]);
  });
  it("sweeps run at once by several processes give each notice once", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2026-12-20", "2026-12-05");
    for (const userId of [g.elodie, g.david])
      must(await h.app.attachUser(g.alice, { structureId: g.townHall, userId, role: "user", validFrom: TODAY, validUntil: "2026-12-02", comment: "Renfort", scope: services(g.compta) }));
    const apps = [h.app, h.appOver(h.store), h.appOver(h.store)];
    const runs = await Promise.all(apps.map((app) => app.recordExpiries()));
    const events = runs.flatMap((r) => must(r).events);
    expect(events.map((e) => e.type).sort()).toEqual(["AttachmentExpiringSoon", "AttachmentExpiringSoon", "GrantExpiringSoon"]);
    h.setNow("2026-12-21T09:00:00.000Z");
    const later = await Promise.all(apps.map((app) => app.recordExpiries()));
    const expired = later.flatMap((r) => must(r).history);
    expect(expired.map((e) => e.kind).sort()).toEqual(["attachmentExpired", "attachmentExpired", "attachmentExpired", "grantExpired"]);
    expect(h.snapshot().outbox.filter((e) => e.type.endsWith("Expired") || e.type.endsWith("ExpiringSoon"))).toHaveLength(7);
  });

  it("takes at most `limit` users a run and says when more are due", async () => {
    const { h, g } = await guide();
    for (const userId of [g.elodie, g.farid])
      must(await h.app.attachUser(g.alice, { structureId: g.townHall, userId, role: "user", validFrom: TODAY, validUntil: "2026-12-01", comment: "Renfort", scope: services(g.compta) }));
    const first = must(await h.app.recordExpiries({ limit: 1 }));
    expect(first).toMatchObject({ users: 1, warned: 1, more: true });
    expect(must(await h.app.recordExpiries({ limit: 1 }))).toMatchObject({ users: 1, more: false });
    expectErr(await h.app.recordExpiries({ limit: 0 }), "VALIDATION");
  });
  it("the warning window is the host's: expiryWarningDays (1 to 366, default 15)", async () => {
    const store = createMemoryStore();
    expect(() => createHabilitations({ store, expiryWarningDays: 0 })).toThrow(RangeError);
    expect(() => createHabilitations({ store, expiryWarningDays: 1.5 })).toThrow(RangeError);
    const { h, g } = await guide();
    await temporary(h, g, "2027-01-10");
    expect(must(await h.app.recordExpiries())).toMatchObject({ warned: 0 });
    const wide = h.appOver(h.store, { expiryWarningDays: 60 });
    expect(must(await wide.recordExpiries())).toMatchObject({ warned: 1 });
  });
});

describe("copyMemberRights — « dupliquer les habilitations »", () => {
  it("gives Farid Chloé's role, scope and grants in one act, with history", async () => {
    const { h, g } = await guide();
    await temporary(h, g, "2027-06-30");
    must(await h.app.attachUser(g.alice, { structureId: g.townHall, userId: g.elodie, role: "user", validFrom: TODAY, comment: "Arrivée", scope: services(g.paie, g.rh) }));
    const r = must(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.farid, userId: g.elodie, comment: "Même poste" }));
    expect(kinds(r)).toEqual(["Habilitations dupliquées"]);
    expect(r.member.attachment).toMatchObject({ role: "user", scope: services(g.compta) });
    const grants = must(await h.app.listMemberGrants(g.alice, { structureId: g.townHall, userId: g.elodie }));
    expect(grants.grants.map((x) => [x.space, x.validUntil])).toEqual([[SPACE.recues, null]]);
  });
  it("refuses the primary manager as model or member, across structures, and to oneself", async () => {
    const { h, g } = await guide();
    expectErr(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.alice, userId: g.chloe }), "CANNOT_GRANT_PRIMARY");
    expectErr(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.chloe, userId: g.alice }), "TRANSFER_REQUIRED");
    expectErr(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.david, userId: g.chloe }), "NOT_FOUND");
    expectErr(await h.app.copyMemberRights(g.victor, { structureId: g.townHall, modelUserId: g.chloe, userId: g.farid }), "FORBIDDEN");
    expectErr(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.chloe, userId: g.bruno }), "SELF_DECISION_FORBIDDEN");
    expectErr(await h.app.copyMemberRights(g.bruno, { structureId: g.townHall, modelUserId: g.chloe, userId: g.chloe }), "VALIDATION");
  });
});
