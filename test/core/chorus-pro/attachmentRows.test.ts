// The per-service statutRattachement rows: each rule of attachmentRows stated on its own
// and checked on random states (fast-check), then the cases the rules decide between.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  attachmentRows,
  localDate,
  serviceId,
  servicesScope,
  structureId,
  userId,
  WHOLE_STRUCTURE,
  type AttachmentHistoryFact,
  type AttachmentRequest,
  type AttachmentRequestId,
  type AttachmentScope,
  type Instant,
  type Service,
  type Structure,
  type User,
} from "../../../src/core/index.js";
import { world, type World } from "./world.js";

const input = (w: World) => ({ structure: w.structure, services: w.services, user: w.user, requests: w.requests, history: w.history, validUntil: w.validUntil });
const own = (w: World) => w.services.filter((s) => s.structureId === w.structure.id);
const coversNow = (scope: AttachmentScope, s: Service | null) =>
  s === null ? scope.kind === "structure" : scope.kind === "structure" || scope.serviceIds.includes(s.id);
const attachment = (w: World) => w.user.attachments.find((a) => a.structureId === w.structure.id);
const pendingOf = (w: World) =>
  w.requests
    .filter((r) => r.structureId === w.structure.id && r.status === "pending")
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];

describe("the rules, on random states", () => {
  test.prop([world])("one row at most per service of the structure, in code order; a structure without services has only its own row", (w) => {
    const rows = attachmentRows(input(w));
    const services = own(w);
    if (services.length === 0) expect(rows.every((r) => r.service === null)).toBe(true);
    else {
      expect(rows.every((r) => r.service !== null && r.service.structureId === w.structure.id)).toBe(true);
      const codes = rows.map((r) => r.service!.code);
      expect(codes).toEqual([...new Set(codes)].sort());
    }
    expect(rows.length).toBeLessThanOrEqual(Math.max(1, services.length));
  });

  test.prop([world])("attached: a row validated, or deactivated when the service is inactive or the account deactivated, from validFrom", (w) => {
    const a = attachment(w);
    for (const s of own(w).length === 0 ? [null] : own(w)) {
      const row = attachmentRows(input(w)).find((r) => r.service?.id === s?.id);
      if (a === undefined || !coversNow(a.scope, s)) {
        // Not attached there: never validated; deactivated only as an asked-for service since deactivated.
        expect(row?.status).not.toBe("validated");
        if (row?.status === "deactivated") expect(row.requestId).not.toBeNull();
        continue;
      }
      const off = (s !== null && !s.active) || w.user.status === "deactivated";
      expect(row).toMatchObject({ status: off ? "deactivated" : "validated", start: a.validFrom, end: w.validUntil, comment: null });
    }
  });

  test.prop([world])("asked: not attached and a pending request covers it: pending (deactivated on an inactive service), with the user's comment", (w) => {
    const a = attachment(w);
    const p = pendingOf(w);
    for (const s of own(w).length === 0 ? [null] : own(w)) {
      if ((a !== undefined && coversNow(a.scope, s)) || p === undefined || !coversNow(p.scope, s)) continue;
      const row = attachmentRows(input(w)).find((r) => r.service?.id === s?.id);
      expect(row).toMatchObject({ status: s !== null && !s.active ? "deactivated" : "pending", start: p.createdAt, end: null, requestId: p.id });
      expect(row?.comment).toBe(p.comment.trim() === "" ? null : p.comment);
    }
  });

  test.prop([world])("ended: refused and removed rows only where nothing holds now; removed ends at the removal, refused has no end", (w) => {
    const a = attachment(w);
    const p = pendingOf(w);
    for (const row of attachmentRows(input(w))) {
      if (row.status !== "refused" && row.status !== "removed") continue;
      expect(a !== undefined && coversNow(a.scope, row.service)).toBe(false);
      expect(p !== undefined && coversNow(p.scope, row.service)).toBe(false);
      if (row.status === "removed") {
        expect(row.end).not.toBeNull();
        expect(row.start).toBeNull();
        expect(w.history.some((e) => e.at === row.end)).toBe(true);
      } else {
        expect(row.end).toBeNull();
        expect(w.requests.some((r) => r.id === row.requestId && r.status !== "pending")).toBe(true);
      }
    }
  });

  test.prop([world])("without requests nor history, the rows are exactly what the attachment covers", (w) => {
    const rows = attachmentRows({ structure: w.structure, services: w.services, user: w.user });
    const a = attachment(w);
    const byCode = [...own(w)].sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
    const covered = (byCode.length === 0 ? [null] : byCode).filter((s) => a !== undefined && coversNow(a.scope, s));
    expect(rows.map((r) => r.service?.id ?? null)).toEqual(covered.map((s) => s?.id ?? null));
    expect(rows.every((r) => r.status === "validated" || r.status === "deactivated")).toBe(true);
  });

  test.prop([world, fc.integer({ min: 1, max: 10_000 })])("a later removal of the whole attachment ends every row not held now", (w, later) => {
    const latest = [
      ...w.history.map((e) => e.at),
      ...w.requests.flatMap((r) => (r.status === "pending" ? [] : [r.decidedAt])),
      ...w.services.map((s) => s.createdAt),
    ].sort().at(-1);
    const at = new Date(new Date(latest ?? "2030-01-01T00:00:00.000Z").getTime() + later).toISOString() as Instant;
    const removal: AttachmentHistoryFact = { structureId: w.structure.id, kind: "attachmentRemoved", at, targetUserId: w.user.id, details: { scope: WHOLE_STRUCTURE } };
    const before = attachmentRows(input(w));
    const after = attachmentRows({ ...input(w), history: [...w.history, removal] });
    for (const row of after) {
      const was = before.find((r) => r.service?.id === row.service?.id);
      if (was?.status === "refused" || was?.status === "removed") expect(row).toMatchObject({ status: "removed", end: at });
      if (was?.status === "validated" || was?.status === "pending" || was?.status === "deactivated") expect(row).toEqual(was);
    }
  });
});

// ------------------------------------------------------------------ the cases

const S = structureId("s-1");
const structure: Structure = {
  id: S,
  designation: "Mairie",
  kind: "public",
  viaPigp: false,
  identifier: { type: "siret", value: "21690266600017" },
  primaryManagerId: userId("u-boss"),
  openSpaces: [],
  createdAt: "2026-01-01T00:00:00.000Z" as Instant,
};
const service = (id: string, code: string, createdAt = "2026-01-01T00:00:00.000Z", active = true): Service => ({
  id: serviceId(id),
  structureId: S,
  code,
  label: code,
  active,
  openSpaces: [],
  createdAt: createdAt as Instant,
});
const a = service("a", "A");
const b = service("b", "B");
const late = service("c", "C", "2026-06-01T00:00:00.000Z");
const user: User = {
  id: userId("u-1"),
  login: "u@x.fr",
  contactEmail: "u@x.fr",
  lastName: "U",
  firstName: "U",
  status: "active",
  attachments: [],
  grants: [],
  phone: null,
  postalAddress: null,
  settings: { activityNotifications: "never" },
  createdFor: null,
  activation: null,
  accountEmails: [],
  contactEmailChange: null,
  deactivatedAt: null,
  createdAt: "2026-01-01T00:00:00.000Z" as Instant,
};
const attached = (scope: AttachmentScope, status: User["status"] = "active"): User => ({
  ...user,
  status,
  attachments: [{ structureId: S, role: "user", scope, validFrom: localDate("2026-02-01"), attachedBy: structure.primaryManagerId, attachedAt: "2026-02-01T00:00:00.000Z" as Instant, validUntil: null, endNotice: null }],
});
const request = (id: string, scope: AttachmentScope, createdAt: string): AttachmentRequest => ({
  id: id as AttachmentRequestId,
  structureId: S,
  userId: user.id,
  requestedRole: "user",
  scope,
  comment: "  ",
  createdAt: createdAt as Instant,
  status: "pending",
});
const removal = (at: string, scope: AttachmentScope = WHOLE_STRUCTURE): AttachmentHistoryFact => ({
  structureId: S,
  kind: "attachmentRemoved",
  at: at as Instant,
  targetUserId: user.id,
  details: { scope },
});
const statuses = (rows: ReturnType<typeof attachmentRows>) => rows.map((r) => `${r.service?.code ?? "-"}:${r.status}`);

describe("the cases the rules decide", () => {
  it("a user attached to the whole structure: every service, inactive ones deactivated", () => {
    expect(statuses(attachmentRows({ structure, services: [b, a, service("z", "Z", undefined, false)], user: attached(WHOLE_STRUCTURE) }))).toEqual([
      "A:validated",
      "B:validated",
      "Z:deactivated",
    ]);
  });

  it("a deactivated account: its attachment's rows are deactivated (they come back on reactivation)", () => {
    expect(statuses(attachmentRows({ structure, services: [a, b], user: attached(servicesScope([a.id]), "deactivated") }))).toEqual(["A:deactivated"]);
  });

  it("an end date given (validUntil) is the attached rows' end", () => {
    const [row] = attachmentRows({ structure, services: [a], user: attached(WHOLE_STRUCTURE), validUntil: localDate("2027-01-31") });
    expect(row).toMatchObject({ start: "2026-02-01", end: "2027-01-31" });
  });

  it("left out, the end is the attachment's own (validUntil on the attachment, issue 21); null says no end", () => {
    const ending = attached(WHOLE_STRUCTURE);
    const user = { ...ending, attachments: ending.attachments.map((x) => ({ ...x, validUntil: localDate("2027-03-01") })) };
    expect(attachmentRows({ structure, services: [a], user })[0]).toMatchObject({ end: "2027-03-01" });
    expect(attachmentRows({ structure, services: [a], user, validUntil: null })[0]).toMatchObject({ end: null });
  });

  it("a pending whole-structure request: every service; a blank comment is none", () => {
    const rows = attachmentRows({ structure, services: [a, service("z", "Z", undefined, false)], user, requests: [request("r", WHOLE_STRUCTURE, "2026-03-01T00:00:00.000Z")] });
    expect(statuses(rows)).toEqual(["A:pending", "Z:deactivated"]);
    expect(rows[0]?.comment).toBeNull();
  });

  it("two pending requests (a store would not keep both): the newer speaks", () => {
    const rows = attachmentRows({
      structure,
      services: [a, b],
      user,
      requests: [request("old", servicesScope([a.id]), "2026-03-01T00:00:00.000Z"), request("new", servicesScope([b.id]), "2026-04-01T00:00:00.000Z")],
    });
    expect(statuses(rows)).toEqual(["B:pending"]);
  });

  it("a removal of the whole attachment covers the services that existed then, not those created after", () => {
    const rows = attachmentRows({ structure, services: [a, late], user, history: [removal("2026-05-01T00:00:00.000Z")] });
    expect(rows).toEqual([{ service: a, status: "removed", start: null, end: "2026-05-01T00:00:00.000Z", comment: null, requestId: null }]);
  });

  it("a refusal and a removal at the same instant: removed", () => {
    const at = "2026-05-01T00:00:00.000Z";
    const refused: AttachmentRequest = { ...request("r", servicesScope([a.id]), "2026-04-01T00:00:00.000Z"), status: "refused", decidedBy: structure.primaryManagerId, decidedAt: at as Instant, reason: "Non" };
    for (const requests of [[refused]]) {
      const rows = attachmentRows({ structure, services: [a], user, requests, history: [removal(at, servicesScope([a.id]))] });
      expect(statuses(rows)).toEqual(["A:removed"]);
    }
    // Otherwise the later one.
    const earlier = attachmentRows({ structure, services: [a], user, requests: [refused], history: [removal("2026-04-15T00:00:00.000Z")] });
    expect(earlier[0]).toMatchObject({ status: "refused", comment: "Non", start: "2026-04-01T00:00:00.000Z", end: null, requestId: "r" });
  });

  it("a validation that narrowed the whole structure to some services removed the others", () => {
    const narrowed: AttachmentHistoryFact = {
      structureId: S,
      kind: "attachmentRequestValidated",
      at: "2026-05-01T00:00:00.000Z" as Instant,
      targetUserId: user.id,
      details: { scope: servicesScope([a.id]), previousScope: WHOLE_STRUCTURE },
    };
    expect(statuses(attachmentRows({ structure, services: [a, b, late], user: attached(servicesScope([a.id])), history: [narrowed] }))).toEqual([
      "A:validated",
      "B:removed",
    ]);
  });

  it("a service unchecked at validation (servicesRemoved) is removed; asked and not granted is refused", () => {
    const validated: AttachmentRequest = {
      ...request("r", servicesScope([a.id, b.id]), "2026-04-01T00:00:00.000Z"),
      status: "validated",
      decidedBy: structure.primaryManagerId,
      decidedAt: "2026-05-01T00:00:00.000Z" as Instant,
      grantedRole: "user",
      grantedScope: servicesScope([a.id]),
    };
    const taken: AttachmentHistoryFact = { structureId: S, kind: "servicesRemoved", at: "2026-05-01T00:00:00.000Z" as Instant, targetUserId: user.id, details: { removedServiceIds: [late.id] } };
    expect(statuses(attachmentRows({ structure, services: [a, b, late], user: attached(servicesScope([a.id])), requests: [validated], history: [taken] }))).toEqual([
      "A:validated",
      "B:refused",
      "C:removed",
    ]);
  });

  it("ignores what is not about this user in this structure", () => {
    const elsewhere = { ...request("x", WHOLE_STRUCTURE, "2026-03-01T00:00:00.000Z"), structureId: structureId("s-2") };
    const someoneElse = { ...request("y", WHOLE_STRUCTURE, "2026-03-01T00:00:00.000Z"), userId: userId("u-2") };
    const otherRemoval = { ...removal("2026-05-01T00:00:00.000Z"), targetUserId: userId("u-2") };
    expect(attachmentRows({ structure, services: [a, { ...b, structureId: structureId("s-2") }], user, requests: [elsewhere, someoneElse], history: [otherRemoval] })).toEqual([]);
  });

  it("a structure without services: one row for the structure itself, for whole-structure facts only", () => {
    expect(statuses(attachmentRows({ structure, services: [], user: attached(WHOLE_STRUCTURE) }))).toEqual(["-:validated"]);
    expect(statuses(attachmentRows({ structure, services: [], user, history: [removal("2026-05-01T00:00:00.000Z")] }))).toEqual(["-:removed"]);
    expect(attachmentRows({ structure, services: [], user })).toEqual([]);
  });
});
