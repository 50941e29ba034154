// The application layer on PostgreSQL (SPEC §7): conflicting commands from two "processes"
// (two applications over two pools): exactly one decision per request wins, the loser is
// told why, and no history entry or event is lost or doubled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHabilitations } from "../../src/application/index.js";
import { structureId, type RecordedEvent, type StructureId, type UserId } from "../../src/core/index.js";
import { createPostgresStore } from "../../src/postgres/index.js";
import type { HabilitationsStore } from "../../src/port/store.js";
import { createPool, freshStore } from "./helpers.js";

const NOW = new Date("2026-11-27T09:00:00.000Z");
const REQUESTERS = 10;
const poolA = createPool(6);
const poolB = createPool(6);
let store: HabilitationsStore;
let drop: () => Promise<void>;
let appA: ReturnType<typeof createHabilitations>;
let appB: ReturnType<typeof createHabilitations>;

beforeAll(async () => {
  let schema: string;
  ({ store, schema, drop } = await freshStore(poolA, "app"));
  appA = createHabilitations({ store, clock: () => NOW });
  appB = createHabilitations({ store: createPostgresStore(poolB, { schema }), clock: () => NOW });
});
afterAll(async () => {
  await drop();
  await Promise.all([poolA.end(), poolB.end()]);
});

function must<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** A structure managed by alice (primary) and bruno (secondary), and pending requests. */
async function world(tag: string) {
  const register = async (name: string) =>
    must(await appA.registerUser({ login: `${name}.${tag}@example.fr`, lastName: name, firstName: name })).user.id as UserId;
  const alice = await register("alice");
  const bruno = await register("bruno");
  const s = must(
    await appA.createStructure(alice, { designation: `Mairie ${tag}`, kind: "private", identifier: { type: "siret", value: "73282932000074" } }),
  ).structure.id as StructureId;
  must(
    await appA.attachUser(alice, {
      structureId: s,
      userId: bruno,
      role: "secondaryManager",
      validFrom: "2026-11-27",
      comment: "Gestionnaire secondaire",
      scope: { kind: "structure" },
    }),
  );
  const requests: { user: UserId; request: string }[] = [];
  for (let i = 0; i < REQUESTERS; i++) {
    const user = await register(`user${i}`);
    const req = must(await appA.requestAttachment(user, { structureId: s, scope: { kind: "structure" } }));
    requests.push({ user, request: req.request.id });
  }
  return { alice, bruno, s, requests };
}

/** Every event waiting in the outbox, delivered once and acknowledged. */
async function drain(): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const r = must(await appA.relayEvents((event) => void events.push(event), { limit: 50 }));
    if (r.delivered === 0) return events;
  }
}

describe("two managers deciding the same requests at once, from two processes", () => {
  it("each request is decided once: validated or refused, with one history entry and one event", async () => {
    const { alice, bruno, s, requests } = await world("race");
    await drain();
    const outcomes = await Promise.all(
      requests.map(({ request }) =>
        Promise.all([
          appA.validateAttachmentRequest(alice, { requestId: request }),
          appB.refuseAttachmentRequest(bruno, { requestId: request, reason: "Inconnu" }),
        ]),
      ),
    );
    const history = must(await appA.readHistory(alice, { structureId: s, limit: 500 }));
    const entries = history.items.filter((e) => e.kind === "attachmentRequestValidated" || e.kind === "attachmentRequestRefused");
    const events = (await drain()).filter((e) => e.type === "AttachmentRequestValidated" || e.type === "AttachmentRequestRefused");
    for (const [i, [validated, refused]] of outcomes.entries()) {
      const { user, request } = requests[i] as { user: UserId; request: string };
      expect([validated.ok, refused.ok].filter(Boolean), `request ${i}`).toHaveLength(1);
      const loser = validated.ok ? refused : validated;
      expect(!loser.ok && loser.error.code).toMatch(/^(REQUEST_ALREADY_DECIDED|CONCURRENT_MODIFICATION)$/);
      const mine = entries.filter((e) => e.targetUserId === user);
      expect(mine.map((e) => e.kind)).toEqual([validated.ok ? "attachmentRequestValidated" : "attachmentRequestRefused"]);
      expect(events.filter((e) => "requestId" in e && e.requestId === request).map((e) => e.type)).toEqual([
        validated.ok ? "AttachmentRequestValidated" : "AttachmentRequestRefused",
      ]);
      const row = await store.getUser(user);
      expect(row?.value.attachments.some((a) => a.structureId === s)).toBe(validated.ok);
      expect((await store.getAttachmentRequest(request as never))?.value.status).toBe(validated.ok ? "validated" : "refused");
    }
    expect(await store.listPendingRequests(structureId(s), { limit: 10 })).toEqual([]);
  });

  it("a command retried with its idempotency key while the first is committing gets the same outcome, committed once", async () => {
    const { alice, s, requests } = await world("idem");
    await drain();
    const { request, user } = requests[0] as { user: UserId; request: string };
    const [first, retry] = await Promise.all([
      appA.validateAttachmentRequest(alice, { requestId: request }, { idempotencyKey: "k-1" }),
      appB.validateAttachmentRequest(alice, { requestId: request }, { idempotencyKey: "k-1" }),
    ]);
    expect(first.ok).toBe(true);
    expect(retry).toEqual(first);
    const entries = must(await appA.readHistory(alice, { structureId: s, limit: 500 })).items.filter((e) => e.targetUserId === user);
    expect(entries.map((e) => e.kind)).toEqual(["attachmentRequestValidated", "attachmentRequested"]);
    expect((await drain()).filter((e) => e.type === "AttachmentRequestValidated")).toHaveLength(1);
  });
});
