// Validity dates are French calendar dates (SPEC §4): « today » is the Europe/Paris
// date by default, whatever the process time zone, on both sides of midnight and of a
// daylight-saving change; another zone can be chosen for structures elsewhere.
import { afterAll, describe, expect, it } from "vitest";
import { calendarDate, createHabilitations, todayOf } from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";
import { buildWorld, type World } from "./world.js";

const original = process.env["TZ"];
afterAll(() => {
  if (original === undefined) delete process.env["TZ"];
  else process.env["TZ"] = original;
});

/** The date the app takes for « today » at this instant: a new structure's founder is attached from today. */
async function appToday(w: World, iso: string): Promise<string | undefined> {
  w.setNow(iso);
  const r = await w.app.createStructure(w.users.noe, { designation: `S ${iso}`, kind: "private", identifier: { type: "other", value: iso } });
  return r.ok ? r.value.founder.attachment?.validFrom : undefined;
}

// [instant, Paris date]: one minute each side of midnight in winter, of the spring and the
// autumn changes, and across the spring change itself (01:59 CET → 03:00 CEST).
const CASES: readonly (readonly [string, string])[] = [
  ["2026-11-27T22:59:00.000Z", "2026-11-27"],
  ["2026-11-27T23:00:00.000Z", "2026-11-28"],
  ["2026-03-28T22:59:00.000Z", "2026-03-28"],
  ["2026-03-28T23:00:00.000Z", "2026-03-29"],
  ["2026-03-29T00:59:00.000Z", "2026-03-29"],
  ["2026-03-29T01:00:00.000Z", "2026-03-29"],
  ["2026-10-24T21:59:00.000Z", "2026-10-24"],
  ["2026-10-24T22:00:00.000Z", "2026-10-25"],
  ["2026-10-25T00:59:00.000Z", "2026-10-25"],
  ["2026-10-25T01:00:00.000Z", "2026-10-25"],
];

describe.each(["UTC", "Pacific/Noumea", "America/Los_Angeles"])("with the process in %s", (zone) => {
  it("takes the Paris date for today, one minute each side of midnight and of the clock changes", async () => {
    process.env["TZ"] = zone;
    const w = await buildWorld();
    for (const [instant, paris] of CASES) {
      expect(await appToday(w, instant), instant).toBe(paris);
      expect(todayOf({ now: new Date(instant) }), instant).toBe(paris);
    }
  });

  it("lets a manager attached from tomorrow act at Paris midnight, not a minute before", async () => {
    process.env["TZ"] = zone;
    const w = await buildWorld();
    const [A] = w.structures;
    w.setNow("2026-11-27T12:00:00.000Z");
    const attached = await w.app.attachUser(w.users.alice, {
      structureId: A,
      userId: w.users.noe,
      role: "secondaryManager",
      validFrom: "2026-11-28",
      comment: "À partir de demain",
      scope: { kind: "structure" },
    });
    expect(attached.ok).toBe(true);
    w.setNow("2026-11-27T22:59:00.000Z");
    const before = await w.app.listMembers(w.users.noe, { structureId: A });
    expect(!before.ok && before.error).toMatchObject({ code: "FORBIDDEN", reason: "attachmentNotInForce" });
    w.setNow("2026-11-27T23:01:00.000Z");
    expect((await w.app.listMembers(w.users.noe, { structureId: A })).ok).toBe(true);
  });
});

describe("another calendar", () => {
  it("follows the time zone given to createHabilitations", async () => {
    process.env["TZ"] = "UTC";
    expect(calendarDate(new Date("2026-11-27T12:30:00Z"), "Pacific/Noumea")).toBe("2026-11-27");
    expect(calendarDate(new Date("2026-11-27T13:30:00Z"), "Pacific/Noumea")).toBe("2026-11-28");
    expect(() => createHabilitations({ store: createMemoryStore(), timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });

  it("reports a clock giving an invalid date, and a today that is not a date, as CONFIGURATION", async () => {
    const store = createMemoryStore();
    const bad = createHabilitations({ store, clock: () => new Date("nope") });
    expect(await bad.registerUser({ login: "a@example.fr", lastName: "A", firstName: "A" })).toEqual({
      ok: false,
      error: { code: "CONFIGURATION", option: "clock", message: "l'horloge n'a pas donné de Date valide" },
    });
    const badToday = createHabilitations({ store, today: () => "27/11/2026" as never });
    const r = await badToday.registerUser({ login: "a@example.fr", lastName: "A", firstName: "A" });
    expect(!r.ok && r.error).toMatchObject({ code: "CONFIGURATION", option: "today" });
    const throwing = createHabilitations({ store, clock: () => { throw new Error("boom"); } });
    expect(!((await throwing.claimEvents()).ok)).toBe(true);
    const badId = createHabilitations({ store, newId: () => "" });
    const s = await badId.registerUser({ login: "b@example.fr", lastName: "B", firstName: "B" });
    expect(!s.ok && s.error).toMatchObject({ code: "CONFIGURATION", option: "newId" });
    expect(store.snapshot().users).toEqual([]);
  });
});
