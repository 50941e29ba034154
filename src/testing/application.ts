// The contract's application-level part: what a store must get right for the application
// layer's guarantees to hold end to end (a write skew caught at commit). Kept apart from
// the store-level suite because it drives the application layer.
import assert from "node:assert/strict";
import { createHabilitations } from "../application/index.js";
import type { HabilitationsStore } from "../port/store.js";
import { contractTest, type StoreContractOptions } from "./helpers.js";

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

/**
 * Registers the application-level contract tests with the caller's `describe` and `it`:
 * run it beside {@link runStoreContract} with the same options.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { createMemoryStore } from "habilitations/memory";
 * import { runApplicationContract } from "habilitations/testing";
 *
 * runApplicationContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
 * ```
 */
export function runApplicationContract(options: StoreContractOptions): void {
  const test = contractTest(options);

  options.describe(`application contract: ${options.name}`, () => {
    test("a manager demoted between read and commit loses: the decision fails, the request stays pending", async (store) => {
      const app = createHabilitations({ store, clock: () => new Date(T0) });
      const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
      const bruno = await app.registerUser({ login: "bruno@example.fr", lastName: "Petit", firstName: "Bruno" });
      const elodie = await app.registerUser({ login: "elodie@example.fr", lastName: "Lefèvre", firstName: "Élodie" });
      assert.ok(alice.ok && bruno.ok && elodie.ok);
      const s = await app.createStructure(alice.value.user.id, {
        designation: "ACME",
        kind: "private",
        identifier: { type: "siret", value: "73282932000074" },
      });
      assert.ok(s.ok);
      const structure = s.value.structure.id;
      const attach = await app.attachUser(alice.value.user.id, {
        structureId: structure,
        userId: bruno.value.user.id,
        role: "secondaryManager",
        validFrom: "2026-11-27",
        comment: "Gestionnaire secondaire",
        scope: { kind: "structure" },
      });
      assert.ok(attach.ok);
      const req = await app.requestAttachment(elodie.value.user.id, { structureId: structure, scope: { kind: "structure" } });
      assert.ok(req.ok);
      // Bruno decides; between his reads and his commit, Alice demotes him.
      let interleaved = false;
      const racing: HabilitationsStore = {
        ...store,
        commit: async (unit) => {
          if (!interleaved) {
            interleaved = true;
            const demoted = await app.changeMemberRole(alice.value.user.id, {
              structureId: structure,
              userId: bruno.value.user.id,
              role: "user",
            });
            assert.ok(demoted.ok);
          }
          return store.commit(unit);
        },
      };
      const brunoApp = createHabilitations({ store: racing, clock: () => new Date(T0) });
      const decision = await brunoApp.validateAttachmentRequest(bruno.value.user.id, { requestId: req.value.request.id });
      assert.ok(interleaved);
      assert.equal(decision.ok, false);
      // Refused as a non-manager: FORBIDDEN, or NOT_FOUND where the application answers a
      // non-manager about a request as it would about an unknown id.
      assert.ok(!decision.ok && ["FORBIDDEN", "NOT_FOUND"].includes(decision.error.code), JSON.stringify(decision));
      assert.equal((await store.getAttachmentRequest(req.value.request.id))?.value.status, "pending");
      assert.equal((await store.getUser(elodie.value.user.id))?.value.attachments.length, 0);
    });

    test("the expiry sweep loses to an end changed between its read and its commit, and gives each notice once", async (store) => {
      const app = createHabilitations({ store, clock: () => new Date(T0) });
      const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
      const bruno = await app.registerUser({ login: "bruno@example.fr", lastName: "Petit", firstName: "Bruno" });
      assert.ok(alice.ok && bruno.ok);
      const s = await app.createStructure(alice.value.user.id, { designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" } });
      assert.ok(s.ok);
      const structureId = s.value.structure.id;
      const userId = bruno.value.user.id;
      const attach = await app.attachUser(alice.value.user.id, {
        structureId,
        userId,
        role: "user",
        validFrom: "2026-11-27",
        validUntil: "2026-12-05",
        comment: "Renfort",
        scope: { kind: "structure" },
      });
      assert.ok(attach.ok);
      // The sweep finds Bruno due (his end in 8 days); before it commits, Alice extends it.
      let interleaved = false;
      const racing: HabilitationsStore = {
        ...store,
        commit: async (unit) => {
          if (!interleaved) {
            interleaved = true;
            const extended = await app.changeAttachmentEnd(alice.value.user.id, { structureId, userId, validUntil: "2027-06-30" });
            assert.ok(extended.ok, JSON.stringify(extended));
          }
          return store.commit(unit);
        },
      };
      const swept = await createHabilitations({ store: racing, clock: () => new Date(T0) }).recordExpiries();
      assert.ok(interleaved && swept.ok, JSON.stringify(swept));
      assert.deepEqual([swept.value.warned, swept.value.events], [0, []]);
      const row = await store.getUser(userId);
      assert.deepEqual(
        row?.value.attachments.map((a) => [a.validUntil, a.endNotice]),
        [["2027-06-30", null]],
      );
      // Fifteen days before the new end: one warning, then none, whatever the runs.
      const june = createHabilitations({ store, clock: () => new Date(Date.UTC(2027, 5, 20, 9, 0, 0)) });
      const first = await june.recordExpiries();
      const second = await june.recordExpiries();
      assert.ok(first.ok && second.ok);
      assert.deepEqual(first.value.events.map((e) => e.type), ["AttachmentExpiringSoon"]);
      assert.deepEqual([second.value.warned, second.value.expired], [0, 0]);
    });
  });
}
