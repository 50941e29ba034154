// The reactivation window is 60 × 24 hours after the deactivation instant, whatever the
// process time zone and the daylight-saving changes in between (SPEC §3.6, docs §6):
// the application layer (memory store, fake clock) is run in child processes under
// TZ=UTC and TZ=Europe/Paris, across the October 2026 and March 2027 changes, one minute
// each side of the end of the window, and both must decide the same at the same instants.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CASES, PROBES, runCases, type Report } from "./transfer-timezone.script.js";

const SCRIPT = fileURLToPath(new URL("./transfer-timezone.script.ts", import.meta.url));
const WINDOW_MS = 60 * 24 * 3_600_000;

/** Runs the script in a child process under `tz`, and returns its report. */
function runUnder(tz: string): Report {
  const child = spawnSync(process.execPath, ["--import", "tsx", SCRIPT], {
    env: { ...process.env, TZ: tz },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`the script failed under TZ=${tz}: ${child.stderr}`);
  return JSON.parse(child.stdout) as Report;
}

/** What every run must decide: the window closes 1 440 hours after the instant, reactivation only before it. */
function expectedCases() {
  return CASES.map((c) => {
    const deactivated = Date.parse(c.deactivatedAt);
    const until = new Date(deactivated + WINDOW_MS).toISOString();
    return {
      name: c.name,
      deactivatedAt: new Date(deactivated).toISOString(),
      reactivableUntil: until,
      eventReactivableUntil: until,
      decisions: PROBES.map((p) => {
        const ok = p.offsetMs < 0;
        return {
          probe: p.name,
          at: new Date(deactivated + WINDOW_MS + p.offsetMs).toISOString(),
          ok,
          code: ok ? null : "REACTIVATION_WINDOW_EXPIRED",
          expiredAt: ok ? null : until,
          status: ok ? "active" : "deactivated",
        };
      }),
    };
  });
}

const withoutOffsets = (report: Report) => report.cases.map(({ processOffsets: _o, ...rest }) => rest);

describe("the reactivation window, whatever the process time zone (child processes under TZ=UTC and TZ=Europe/Paris)", () => {
  let utc: Report;
  let paris: Report;
  beforeAll(() => {
    utc = runUnder("UTC");
    paris = runUnder("Europe/Paris");
  });

  it("each child ran in the time zone it was given (its offsets say so, summer and winter time in Paris)", () => {
    expect(utc.resolvedTimeZone).toBe("UTC");
    expect(paris.resolvedTimeZone).toBe("Europe/Paris");
    expect(utc.cases.map((c) => c.processOffsets)).toEqual(CASES.map(() => [0, 0]));
    // Paris: -120 in summer time, -60 in winter time (Date#getTimezoneOffset is UTC minus local).
    expect(paris.cases.map((c) => c.processOffsets)).toEqual([
      [-120, -60], // 2026-09-20 → 2026-11-18: across the October change
      [-120, -60], // the first 02:30 of 2026-10-25 was still summer time
      [-60, -60], // the second one, winter time
      [-60, -120], // 2027-02-01 → 2027-04-02: across the March change
      [-60, -60], // the window ends 2027-03-28 01:30 in Paris, before the change
      [-60, -120], // …and 03:30, after it
    ]);
  });

  it("both decide the same, at the same instants", () => {
    expect(withoutOffsets(paris)).toEqual(withoutOffsets(utc));
  });

  it("both close the window 1 440 hours after the deactivation instant: reactivated a minute before, refused at the instant and a minute after", () => {
    expect(withoutOffsets(utc)).toEqual(expectedCases());
  });

  it("in Paris wall-clock time, 1 440 hours is 60 days less an hour across the October change, and 60 days and an hour across the March one", () => {
    const [october, , , march] = utc.cases;
    expect(october).toMatchObject({ deactivatedAt: "2026-09-19T23:30:00.000Z", reactivableUntil: "2026-11-18T23:30:00.000Z" }); // 2026-11-19 00:30 in Paris
    expect(march).toMatchObject({ deactivatedAt: "2027-02-01T11:00:00.000Z", reactivableUntil: "2027-04-02T11:00:00.000Z" }); // 2027-04-02 13:00 in Paris
  });

  it("this process, whatever its own zone, decides the same", async () => {
    expect(withoutOffsets(await runCases())).toEqual(withoutOffsets(utc));
  });
});
