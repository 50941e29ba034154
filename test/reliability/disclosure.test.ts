// Minimal disclosure (SPEC §4): whatever a random actor does, what comes back about a
// structure's business names that structure only — never another structure, never an
// attachment to another one — and an outsider cannot tell a record of a structure they
// do not manage from one that does not exist.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canManage, localDate, type StructureId, type UserId } from "../../src/index.js";
import { buildWorld, callArb, structureIdsIn, type Call, type World } from "./world.js";

const REACHED_BY_ID: Record<string, "attachmentRequest" | "subscriptionRequest" | "service"> = {
  validateAttachmentRequest: "attachmentRequest",
  refuseAttachmentRequest: "attachmentRequest",
  consultAttachmentRequest: "attachmentRequest",
  renameService: "service",
  deactivateService: "service",
  validateSubscriptionRequest: "subscriptionRequest",
  refuseSubscriptionRequest: "subscriptionRequest",
  consultSubscriptionRequest: "subscriptionRequest",
};
/** Bulk acts: each item reached through its request's id. */
const BULK: Record<string, "attachmentRequest" | "subscriptionRequest"> = {
  validateAttachmentRequests: "attachmentRequest",
  validateSubscriptionRequests: "subscriptionRequest",
  refuseSubscriptionRequests: "subscriptionRequest",
};
const NAMING_THE_STRUCTURE = new Set([
  "attachUser",
  "changeMemberRole",
  "removeAttachment",
  "addService",
  "listMembers",
  "readHistory",
  "openSpace",
  "closeSpace",
  "revokeSpaceGrant",
  "listMemberGrants",
]);

/** Whether the actor may manage the structure, read from the store as it stands (stated independently). */
function manages(w: World, actor: UserId, structure: StructureId): boolean {
  const snap = w.store.snapshot();
  const user = snap.users.find((u) => u.value.id === actor)?.value;
  const s = snap.structures.find((x) => x.value.id === structure)?.value;
  return user !== undefined && s !== undefined && canManage(user, s, localDate("2026-11-27"));
}

function check(w: World, call: Call, result: unknown): void {
  const known = new Set<string>(w.structures);
  if (BULK[call.op] !== undefined) {
    const r = result as { ok: boolean; value?: { results: { requestId: string; result: unknown }[] } };
    const own = new Map(call.items);
    for (const item of r.value?.results ?? []) {
      const named = structureIdsIn(item.result, known);
      for (const s of named) expect(s, `bulk item ${item.requestId} names ${s}`).toBe(own.get(item.requestId));
    }
    return;
  }
  if (call.op === "listPendingSubscriptionRequests") {
    // Only structures the actor manages, and their requests.
    const r = result as { ok: boolean; value?: { items: { request: { structureId: string } }[] } };
    expect(r.ok).toBe(true);
    for (const s of structureIdsIn(result, known)) expect(manages(w, call.actor, s as StructureId), `listed a request of ${s}`).toBe(true);
    return;
  }
  const named = structureIdsIn(result, known);
  for (const s of named) expect(s, `${call.op} on ${call.structure} names ${s}: ${JSON.stringify(result)}`).toBe(call.structure);
}

describe("minimal disclosure", () => {
  it("nothing returned for an act on structure S names another structure, over random actors and commands", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const w = await buildWorld();
        const calls = fc.sample(fc.array(callArb(w), { minLength: 1, maxLength: 25 }), { seed, numRuns: 1 })[0] ?? [];
        for (const call of calls) {
          const allowed = call.structure !== null && manages(w, call.actor, call.structure);
          // For a bulk act, which items the actor may decide, judged before it runs.
          const decidable = (call.items ?? []).map(([, s]) => manages(w, call.actor, s));
          const result = await call.run(w.app);
          check(w, call, result);
          const entity = REACHED_BY_ID[call.op];
          if (!allowed && entity !== undefined) {
            // An outsider learns nothing: the very answer an unknown id gets.
            expect(result.ok).toBe(false);
            if (!result.ok) expect(Object.keys(result.error).sort()).toEqual(["code", "entity", "id"]);
            if (!result.ok) expect([result.error.code, (result.error as { entity?: string }).entity]).toEqual(["NOT_FOUND", entity]);
            if (!result.ok) expect(result.error, "naming only the id given").toEqual({ code: "NOT_FOUND", entity, id: call.id });
          }
          const bulk = BULK[call.op];
          if (bulk !== undefined && result.ok) {
            const { results } = result.value as { results: readonly { requestId: string; result: { ok: boolean; error?: unknown } }[] };
            results.forEach((item, i) => {
              if (decidable[i] === false) expect(item.result, `bulk item ${item.requestId}`).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: bulk, id: item.requestId } });
            });
          }
          if (!allowed && NAMING_THE_STRUCTURE.has(call.op)) {
            expect(!result.ok && result.error.code).toBe("FORBIDDEN");
          }
          if (!allowed && call.op === "grantSpaces") {
            // Judged per user, each refused naming the structure.
            expect(result.ok).toBe(true);
            const { results } = (result as { value: { results: readonly { result: { ok: boolean; error?: { code: string } } }[] } }).value;
            for (const item of results) expect(!item.result.ok && item.result.error?.code).toBe("FORBIDDEN");
          }
          w.tick();
        }
      }),
      // As many runs again since guide §2's operations joined the catalogue (about half the calls).
      { numRuns: 80 },
    );
  });

  it("the requester of a validation is shown as seen from the structure, though attached to two others", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    const mias = [...w.requests].find(([, s]) => s === A && true);
    expect(mias).toBeDefined();
    // Mia's own request in A (she is attached to A, B and C).
    const request = [...w.requests.keys()].at(-1) as string;
    const r = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.requester.attachment?.structureId).toBe(A);
    expect(Object.keys(r.value.requester).sort()).toEqual(["attachment", "firstName", "id", "lastName", "login", "role", "status"]);
    expect([...structureIdsIn(r.value, new Set(w.structures))]).toEqual([A]);
  });

  it("an outsider gets the same answer for a request of another structure as for an unknown one", async () => {
    const w = await buildWorld();
    const [, , C] = w.structures;
    const foreign = [...w.requests].find(([, s]) => s === C)?.[0] as string;
    const a = await w.app.consultAttachmentRequest(w.users.alice, { requestId: foreign });
    const b = await w.app.consultAttachmentRequest(w.users.alice, { requestId: "no-such-request" });
    expect(a).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: foreign } });
    expect(b).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "attachmentRequest", id: "no-such-request" } });
    const serviceOfC = w.services.get(C)?.[0] as string;
    expect(await w.app.renameService(w.users.alice, { serviceId: serviceOfC, label: "X" })).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: serviceOfC },
    });
    expect(await w.app.renameService(w.users.alice, { serviceId: "no-such-service", label: "X" })).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", entity: "service", id: "no-such-service" },
    });
  });

  it("a manager cannot read another structure's memberships by attaching and removing a user", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    // Noé manages nothing yet; Alice attaches Mia's colleague to A with a far validity date and removes him.
    const attached = await w.app.attachUser(w.users.alice, {
      structureId: A,
      userId: w.users.sam,
      role: "user",
      validFrom: "2030-01-01",
      comment: "sonde",
      scope: { kind: "structure" },
    });
    // Sam is already attached to A: refused, naming A only.
    expect([...structureIdsIn(attached, new Set(w.structures))]).toEqual([A]);
    const removed = await w.app.removeAttachment(w.users.alice, { structureId: A, userId: w.users.mia });
    expect(removed.ok).toBe(true);
    expect([...structureIdsIn(removed, new Set(w.structures))]).toEqual([A]);
    if (removed.ok) expect(removed.value.member.attachment).toBeNull();
  });
});
