// core/time.ts: the calendar date rules use. Without `ctx.today`, « today » is the date
// of `now` on the French calendar (Europe/Paris), never the process time zone's.
import { fc, test } from "@fast-check/vitest";
import { isMainThread } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  calendarDate,
  DEFAULT_TIME_ZONE,
  frenchInstant,
  isInForce,
  isLocalDate,
  localDate,
  LocalDateSchema,
  parseWith,
  todayOf,
  type Instant,
} from "../../src/core/index.js";

const at = (iso: string) => new Date(iso);

describe("calendarDate — the date of an instant in a time zone", () => {
  it.each([
    // Winter time, UTC+1.
    ["2026-11-27T22:59:59.999Z", "Europe/Paris", "2026-11-27"],
    ["2026-11-27T23:00:00Z", "Europe/Paris", "2026-11-28"],
    ["2026-11-27T23:30:00Z", "Europe/Paris", "2026-11-28"],
    ["2026-11-27T23:30:00Z", "UTC", "2026-11-27"],
    // Summer time starts on 2026-03-29 at 01:00 UTC: 23:30 UTC the day before is still UTC+1.
    ["2026-03-28T22:59:00Z", "Europe/Paris", "2026-03-28"],
    ["2026-03-28T23:30:00Z", "Europe/Paris", "2026-03-29"],
    // Summer time, UTC+2, until 2026-10-25 at 01:00 UTC.
    ["2026-10-24T21:59:00Z", "Europe/Paris", "2026-10-24"],
    ["2026-10-24T22:30:00Z", "Europe/Paris", "2026-10-25"],
    ["2026-07-14T22:00:00Z", "Europe/Paris", "2026-07-15"],
    // Other calendars a host may choose.
    ["2026-11-27T12:00:00Z", "Pacific/Noumea", "2026-11-27"],
    ["2026-11-27T13:00:00Z", "Pacific/Noumea", "2026-11-28"],
    ["2026-11-27T03:00:00Z", "America/Cayenne", "2026-11-27"],
    ["2026-11-27T02:59:00Z", "America/Cayenne", "2026-11-26"],
  ])("%s in %s is %s", (instant, zone, date) => {
    expect(calendarDate(at(instant), zone)).toBe(date);
  });

  it("is null for an invalid date, an unknown zone, or a year with no YYYY form", () => {
    expect(calendarDate(new Date(Number.NaN), "Europe/Paris")).toBeNull();
    expect(calendarDate(at("2026-11-27T09:00:00Z"), "Europe/Lyon")).toBeNull();
    expect(calendarDate(at("2026-11-27T09:00:00Z"), "")).toBeNull();
    expect(calendarDate(new Date(8.64e15), "UTC")).toBeNull(); // year 275760
    expect(calendarDate(new Date(Date.UTC(-1, 0, 1)), "UTC")).toBeNull();
  });

  const instants = fc.date({ min: at("0001-01-02T00:00:00Z"), max: at("9998-12-30T00:00:00Z"), noInvalidDate: true });

  test.prop([instants])("in UTC it is the date part of the ISO form", (date) => {
    expect(calendarDate(date, "UTC")).toBe(date.toISOString().slice(0, 10));
  });

  test.prop([fc.date({ min: at("1980-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z"), noInvalidDate: true })])(
    "in Paris (since 1980: UTC+1 in winter, UTC+2 in summer) it is the UTC date one or two hours later",
    (date) => {
      const later = (hours: number) => new Date(date.getTime() + hours * 3_600_000).toISOString().slice(0, 10);
      expect([later(1), later(2)]).toContain(calendarDate(date, "Europe/Paris"));
    },
  );
});

describe("todayOf — the calendar date the rules use", () => {
  it("defaults to Europe/Paris", () => {
    expect(DEFAULT_TIME_ZONE).toBe("Europe/Paris");
  });

  it.each([
    ["2026-11-27T23:30:00Z", "2026-11-28"],
    ["2026-03-28T23:30:00Z", "2026-03-29"], // summer time starts on 03-29
    ["2026-10-24T22:30:00Z", "2026-10-25"], // still summer time, UTC+2
    ["2026-11-27T08:00:00Z", "2026-11-27"], // the application tests' START
    ["2026-12-31T23:00:00Z", "2027-01-01"],
  ])("given only now = %s, today is %s in Paris", (instant, date) => {
    expect(todayOf({ now: at(instant) })).toBe(date);
  });

  it("a time zone in the context gives that calendar instead", () => {
    const now = at("2026-11-27T23:30:00Z");
    expect(todayOf({ now, timeZone: "UTC" })).toBe("2026-11-27");
    expect(todayOf({ now, timeZone: "Pacific/Noumea" })).toBe("2026-11-28");
    expect(todayOf({ now, timeZone: "America/Cayenne" })).toBe("2026-11-27");
  });

  it("ctx.today, when given, wins over now and the time zone", () => {
    expect(todayOf({ now: at("2026-11-27T23:30:00Z"), today: localDate("2026-12-01"), timeZone: "UTC" })).toBe("2026-12-01");
  });

  it("throws a RangeError for an invalid now or an unknown zone (the application turns these into CONFIGURATION)", () => {
    expect(() => todayOf({ now: new Date(Number.NaN) })).toThrow(RangeError);
    expect(() => todayOf({ now: at("2026-11-27T09:00:00Z"), timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });

  // TZ takes effect only when set on the main thread: in a worker thread (StrykerJS's
  // vitest runner runs the tests in threads) process.env is the thread's own copy and
  // the zone cannot be changed, so there the test could prove nothing and is skipped.
  it.skipIf(!isMainThread)("does not depend on the process time zone", () => {
    const saved = process.env["TZ"];
    const noon = at("2026-11-27T12:00:00Z");
    try {
      process.env["TZ"] = "Pacific/Kiritimati"; // UTC+14: already the 28th there
      expect(noon.getDate()).toBe(28); // the process really reads this zone now
      expect(todayOf({ now: noon })).toBe("2026-11-27");
      process.env["TZ"] = "Pacific/Pago_Pago"; // UTC-11
      expect(at("2026-11-27T23:30:00Z").getDate()).toBe(27);
      expect(todayOf({ now: at("2026-11-27T23:30:00Z") })).toBe("2026-11-28");
    } finally {
      if (saved === undefined) delete process.env["TZ"];
      else process.env["TZ"] = saved;
    }
  });

  test.prop([fc.date({ min: at("1970-01-01T00:00:00Z"), max: at("2200-01-01T00:00:00Z"), noInvalidDate: true })])(
    "without today nor time zone, it is calendarDate(now, Europe/Paris), a real calendar date",
    (now) => {
      const today = todayOf({ now });
      expect(today).toBe(calendarDate(now, "Europe/Paris"));
      expect(isLocalDate(today)).toBe(true);
    },
  );
});

describe("isLocalDate — a real calendar date written YYYY-MM-DD", () => {
  it.each(["2026-11-27", "2028-02-29", "2000-02-29", "0000-01-01", "9999-12-31", "2026-12-31"])("%s is one", (value) => {
    expect(isLocalDate(value)).toBe(true);
  });

  it.each([
    ["2026-02-29", "not a leap year"],
    ["1900-02-29", "1900 was not a leap year"],
    ["2026-11-31", "November has 30 days"],
    ["2026-13-01", "no 13th month"],
    ["2026-00-10", "no month 0"],
    ["2026-11-00", "no day 0"],
    ["2026-1-01", "month on one digit"],
    ["26-11-27", "year on two digits"],
    [" 2026-11-27", "a leading space"],
    ["2026-11-27T00:00", "a time"],
    ["2026/11/27", "slashes"],
    ["", "empty"],
  ])("%j is not (%s)", (value) => {
    expect(isLocalDate(value)).toBe(false);
  });

  it.each([20261127, null, undefined, new Date("2026-11-27"), { year: 2026 }])("%j, not a string, is not", (value) => {
    expect(isLocalDate(value)).toBe(false);
  });

  test.prop([fc.date({ min: at("0000-01-01T00:00:00Z"), max: at("9999-12-31T00:00:00Z"), noInvalidDate: true })])(
    "the date part of any instant of years 0000–9999 is one",
    (date) => {
      expect(isLocalDate(date.toISOString().slice(0, 10))).toBe(true);
    },
  );

  test.prop([fc.stringMatching(/^\d{4}-(0\d|1[0-3])-([0-3]\d)$/)])(
    "agrees with the boundary's LocalDateSchema on every YYYY-MM-DD string",
    (value) => {
      expect(isLocalDate(value)).toBe(parseWith(LocalDateSchema, value).ok);
    },
  );
});

describe("isInForce — an attachment gives rights from its start date on", () => {
  it("from the start date itself, not the day before", () => {
    expect(isInForce(localDate("2026-12-15"), localDate("2026-12-14"))).toBe(false);
    expect(isInForce(localDate("2026-12-15"), localDate("2026-12-15"))).toBe(true);
    expect(isInForce(localDate("2026-12-15"), localDate("2027-01-01"))).toBe(true);
  });
});

describe("frenchInstant — an instant as a French reader reads it, for messages", () => {
  it.each([
    // Winter time, UTC+1 (the example of its documentation).
    ["2026-11-27T09:58:00.000Z", undefined, "le 27/11/2026 à 10:58"],
    // Summer time, UTC+2.
    ["2026-07-14T08:05:00.000Z", undefined, "le 14/07/2026 à 10:05"],
    // Already the next day, and the next year, in Paris.
    ["2026-12-31T23:30:00.000Z", undefined, "le 01/01/2027 à 00:30"],
    // Another time zone when asked.
    ["2026-11-27T09:58:00.000Z", "UTC", "le 27/11/2026 à 09:58"],
    ["2026-11-27T09:58:00.000Z", "America/Cayenne", "le 27/11/2026 à 06:58"],
  ] as const)("%s in %s is « %s »", (iso, zone, expected) => {
    expect(frenchInstant(iso as Instant, zone)).toBe(expected);
  });

  it("gives back as it is what is not an instant", () => {
    expect(frenchInstant("pas une date" as Instant)).toBe("pas une date");
  });
});
