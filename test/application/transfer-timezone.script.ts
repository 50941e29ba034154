// The reactivation window through the application layer (memory store, fake clock),
// written to run in a process of its own: `TZ=Europe/Paris node --import tsx <this file>`
// prints, as JSON, the process time zone's offsets at the instants concerned and what
// the app decided, so that test/application/transfer-timezone.test.ts can compare runs
// under several time zones. Also imported by that test to run in its own process.
import { pathToFileURL } from "node:url";
import { createHabilitations, type Habilitations, type UserId } from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";

/** One deactivation instant (as a Parisian would write it) and why it is interesting. */
export interface WindowCase {
  readonly name: string;
  readonly deactivatedAt: string;
}

/** The cases: windows across the October 2026 and March 2027 changes, and windows ending right around the March change. */
export const CASES: readonly WindowCase[] = [
  { name: "deactivated in summer time, window across the October 2026 change", deactivatedAt: "2026-09-20T01:30:00+02:00" },
  { name: "deactivated in the repeated hour of 2026-10-25 (its first occurrence)", deactivatedAt: "2026-10-25T02:30:00+02:00" },
  { name: "deactivated in the repeated hour of 2026-10-25 (its second occurrence)", deactivatedAt: "2026-10-25T02:30:00+01:00" },
  { name: "deactivated in winter time, window across the March 2027 change", deactivatedAt: "2027-02-01T12:00:00+01:00" },
  { name: "window ending half an hour before the March 2027 change", deactivatedAt: "2027-01-27T01:30:00+01:00" },
  { name: "window ending half an hour after the March 2027 change", deactivatedAt: "2027-01-27T02:30:00+01:00" },
];

/** Where the reactivation is tried, relative to the end of the window. */
export const PROBES = [
  { name: "one minute before the window closes", offsetMs: -60_000 },
  { name: "at the instant it closes", offsetMs: 0 },
  { name: "one minute after it closed", offsetMs: 60_000 },
] as const;

export interface Decision {
  readonly probe: string;
  readonly at: string;
  readonly ok: boolean;
  readonly code: string | null;
  readonly expiredAt: string | null;
  /** The account's status in the store afterwards. */
  readonly status: string;
}

export interface CaseReport {
  readonly name: string;
  readonly deactivatedAt: string;
  readonly reactivableUntil: string;
  /** What the event told the host. */
  readonly eventReactivableUntil: string;
  readonly decisions: readonly Decision[];
  /** `Date#getTimezoneOffset()` at deactivation and at the end of the window, in this process: proves which zone ran. */
  readonly processOffsets: readonly [number, number];
}

export interface Report {
  readonly tz: string | undefined;
  readonly resolvedTimeZone: string;
  readonly cases: readonly CaseReport[];
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}`);
  return r.value;
}

/** A fresh app whose clock starts at `start`: Alice, primary manager of a structure, and Bruno. */
async function world(start: Date): Promise<{ app: Habilitations; setNow: (d: Date) => void; alice: UserId; bruno: UserId }> {
  let now = start;
  const counters = new Map<string, number>();
  const app = createHabilitations({
    store: createMemoryStore(),
    clock: () => now,
    newId: (kind) => {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${kind}-${n}`;
    },
  });
  const alice = must(await app.registerUser({ login: "alice.martin@mairie-lyon.fr", firstName: "Alice", lastName: "Martin" })).user.id;
  const bruno = must(await app.registerUser({ login: "bruno.petit@mairie-lyon.fr", firstName: "Bruno", lastName: "Petit" })).user.id;
  must(await app.createStructure(alice, { designation: "Mairie de Lyon", kind: "public", identifier: { type: "siret", value: "21690123100011" } }));
  return { app, setNow: (d) => (now = d), alice, bruno };
}

/** Runs every case: deactivation at the case's instant, then one fresh world per probe. */
export async function runCases(): Promise<Report> {
  const cases: CaseReport[] = [];
  for (const c of CASES) {
    const start = new Date(c.deactivatedAt);
    const decisions: Decision[] = [];
    let reactivableUntil = "";
    let eventReactivableUntil = "";
    let deactivatedAt = "";
    for (const probe of PROBES) {
      const w = await world(start);
      const left = must(await w.app.deactivateAccount(w.alice, { successorId: w.bruno }));
      reactivableUntil = left.reactivableUntil;
      const event = left.events.find((e) => e.type === "AccountDeactivated");
      eventReactivableUntil = event?.type === "AccountDeactivated" ? event.reactivableUntil : "";
      deactivatedAt = event?.at ?? "";
      const at = new Date(Date.parse(left.reactivableUntil) + probe.offsetMs);
      w.setNow(at);
      const r = await w.app.reactivateAccount(w.alice);
      const info = must(await w.app.lookupPerson(w.bruno, { structureId: left.transfers[0]!.structureId, login: "alice.martin@mairie-lyon.fr" }));
      decisions.push({
        probe: probe.name,
        at: at.toISOString(),
        ok: r.ok,
        code: r.ok ? null : r.error.code,
        expiredAt: !r.ok && r.error.code === "REACTIVATION_WINDOW_EXPIRED" ? r.error.expiredAt : null,
        status: info[0]?.status ?? "unknown",
      });
    }
    cases.push({
      name: c.name,
      deactivatedAt,
      reactivableUntil,
      eventReactivableUntil,
      decisions,
      processOffsets: [start.getTimezoneOffset(), new Date(reactivableUntil).getTimezoneOffset()],
    });
  }
  return { tz: process.env["TZ"], resolvedTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, cases };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await runCases())}\n`);
}
