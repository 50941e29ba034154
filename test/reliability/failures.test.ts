// Store failures and idempotent retries: a store that fails never makes an operation
// throw; it surfaces as STORE_FAILURE (stage read: nothing saved; stage commit: outcome
// unknown), bulk acts report what they committed, and a retry with the same
// idempotency key gets the first outcome instead of acting twice. An activation token
// whose unit of work failed is nowhere; one whose answer was lost is in the outbox only.
// A transfer of several structures (guide §6), and a deactivation with its transfers, are
// one unit of work: a commit that fails leaves all of it or none, and a retry with the same
// key gets the first outcome.
import { describe, expect, it } from "vitest";
import type { AttachUserInput, HabilitationsStore } from "../../src/index.js";
import { buildWorld, type World } from "./world.js";

const methods = (inner: HabilitationsStore) =>
  Object.fromEntries(Object.keys(inner).map((k) => [k, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[k]?.bind(inner)]));

/** A store every method of which rejects. */
function brokenStore(inner: HabilitationsStore): HabilitationsStore {
  return Object.fromEntries(
    Object.keys(methods(inner)).map((k) => [k, async () => Promise.reject(new Error(`ECONNRESET in ${k}`))]),
  ) as unknown as HabilitationsStore;
}

/** Commits numbered in `failing` (1-based) reject, before (`"before"`) or after (`"after"`) saving. */
function failingCommits(inner: HabilitationsStore, failing: ReadonlySet<number>, when: "before" | "after"): HabilitationsStore {
  let n = 0;
  return {
    ...methods(inner),
    commit: async (unit) => {
      const fail = failing.has(++n);
      if (fail && when === "before") throw new Error("disk full");
      const result = await inner.commit(unit);
      if (fail) throw new Error("connection lost after COMMIT");
      return result;
    },
  } as HabilitationsStore;
}

describe("store failures", () => {
  it("every operation returns STORE_FAILURE (read) instead of throwing when the store is down, and tells onStoreError", async () => {
    const w = await buildWorld();
    const told: string[] = [];
    const app = w.appOver(brokenStore(w.store), { onStoreError: (e, c) => told.push(`${c.operation}:${c.stage}:${(e as Error).message}`) });
    const [A] = w.structures;
    const request = [...w.requests.keys()][0] as string;
    const subscription = [...w.subscriptions.keys()][0] as string;
    const compta = w.services.get(A)?.[0] as string;
    const runs = [
      app.registerUser({ login: "x@example.fr", lastName: "X", firstName: "X" }),
      app.createStructure(w.users.alice, { designation: "D", kind: "private", identifier: { type: "other", value: "D" } }),
      app.addService(w.users.alice, { structureId: A, code: "X", label: "X" }),
      app.requestAttachment(w.users.noe, { structureId: A, scope: { kind: "structure" } }),
      app.validateAttachmentRequest(w.users.alice, { requestId: request }),
      app.refuseAttachmentRequest(w.users.alice, { requestId: request, reason: "Non" }),
      app.validateAttachmentRequests(w.users.alice, { items: [{ requestId: request }] }),
      app.attachUser(w.users.alice, { structureId: A, userId: w.users.noe, role: "user", validFrom: "2026-11-27", comment: "c", scope: { kind: "structure" } }),
      app.changeMemberRole(w.users.alice, { structureId: A, userId: w.users.mia, role: "secondaryManager" }),
      app.removeAttachment(w.users.alice, { structureId: A, userId: w.users.mia }),
      app.consultAttachmentRequest(w.users.alice, { requestId: request }),
      app.listPendingAttachmentRequests(w.users.alice, {}),
      app.listMembers(w.users.alice, { structureId: A }),
      app.readHistory(w.users.alice, { structureId: A }),
      app.claimEvents({}),
      app.acknowledgeEvents(["evt"]),
      app.purgeIdempotencyRecords({ olderThan: "2026-01-01T00:00:00Z" }),
      // Guide §2.
      app.requestSubscription(w.users.mia, { structureId: A, items: [{ space: "FACTURES_RECUES", access: "read" }] }),
      app.validateSubscriptionRequest(w.users.alice, { requestId: subscription, scope: "structure" }),
      app.refuseSubscriptionRequest(w.users.alice, { requestId: subscription }),
      app.validateSubscriptionRequests(w.users.alice, { items: [{ requestId: subscription }] }),
      app.refuseSubscriptionRequests(w.users.alice, { requestIds: [subscription] }),
      app.consultSubscriptionRequest(w.users.alice, { requestId: subscription }),
      app.listPendingSubscriptionRequests(w.users.alice, {}),
      app.openSpace(w.users.alice, { structureId: A, space: "FACTURES_A_VALIDER" }),
      app.closeSpace(w.users.alice, { structureId: A, space: "FACTURES_RECUES" }),
      app.grantSpaces(w.users.alice, { structureId: A, userIds: [w.users.sam], items: [{ space: "FACTURES_RECUES", access: "read" }] }),
      app.revokeSpaceGrant(w.users.alice, { structureId: A, userId: w.users.mia, space: "FACTURES_EMISES", serviceId: compta }),
      app.listMemberGrants(w.users.alice, { structureId: A, userId: w.users.mia }),
      app.mayAccess({ userId: w.users.mia, structureId: A, space: "FACTURES_EMISES", serviceId: compta, access: "write" }),
      // Guide §3 B and §5.
      app.createAccount(w.users.alice, { structureId: A, login: "n@example.fr", lastName: "N", firstName: "N" }),
      app.registerAccount({ login: "n@example.fr", lastName: "N", firstName: "N" }),
      app.sendActivationEmails(w.users.alice, { structureId: A, userIds: [w.pending.hugo] }),
      app.activateAccount({ userId: w.pending.hugo, token: "x".repeat(43) }),
      app.updateUser(w.users.alice, { userId: w.users.mia, structureId: A, changes: { phone: "+33 4 72 10 30 30" } }),
      app.getPersonalInformation(w.users.alice, { userId: w.users.mia, structureId: A }),
      app.listUserStructures(w.users.alice, { userId: w.users.mia, structureId: A }),
      // Guide §6.
      app.transferPrimaryRole(w.users.alice, { structureIds: [A], successorId: w.users.sam }),
      app.deactivateAccount(w.users.sam, { transfers: [] }),
      app.reactivateAccount(w.users.sam),
      app.listPrimaryStructures(w.users.alice),
    ];
    const results = await Promise.all(runs);
    for (const r of results) expect(r).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "read" } });
    expect(told.length).toBe(results.length);
    expect(told).toContain("registerUser:read:ECONNRESET in findUserByLogin");
    // A validation reads the request with all it names in one call.
    expect(told).toContain("validateAttachmentRequest:read:ECONNRESET in getAttachmentRequestContext");
  });

  it("a commit that fails before saving leaves nothing, and says the outcome is unknown", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    const [A] = w.structures;
    const r = await w.appOver(failingCommits(w.store, new Set([1]), "before")).changeMemberRole(w.users.alice, {
      structureId: A,
      userId: w.users.mia,
      role: "secondaryManager",
    });
    expect(r).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    expect(w.store.snapshot()).toEqual(before);
  });

  it("a bulk decision whose store fails on the third of six reports the two committed, the failure, and the rest not attempted", async () => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    // Six pending requests Alice may decide (A and B are hers).
    const ids: string[] = [...w.requests].filter(([, s]) => s === A || s === B).map(([id]) => id);
    for (const who of [w.users.noe, w.users.victor, w.users.ivy]) {
      const r = await w.app.requestAttachment(who, { structureId: A, scope: { kind: "structure" } });
      if (r.ok) ids.push(r.value.request.id);
    }
    const six = ids.slice(0, 6);
    expect(six.length).toBe(6);
    const app = w.appOver(failingCommits(w.store, new Set([3]), "before"));
    const r = await app.validateAttachmentRequests(w.users.alice, { items: six.map((requestId) => ({ requestId })) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual([
      "ok",
      "ok",
      "STORE_FAILURE",
      "NOT_ATTEMPTED",
      "NOT_ATTEMPTED",
      "NOT_ATTEMPTED",
    ]);
    // The events of the two committed decisions reach the host, and are in the outbox.
    expect(r.value.events.length).toBe(2);
    const kept = new Set(w.store.snapshot().outbox.map((e) => e.id));
    for (const e of r.value.events) expect(kept.has(e.id)).toBe(true);
    for (const id of six.slice(2)) expect(w.store.snapshot().attachmentRequests.find((x) => x.value.id === id)?.value.status).toBe("pending");
  });
});

describe("idempotency keys", () => {
  it("a retry after a lost response gets the first outcome, and nothing is done twice", async () => {
    const w = await buildWorld();
    const request = [...w.requests.keys()][0] as string;
    const lossy = w.appOver(failingCommits(w.store, new Set([1]), "after"));
    const first = await lossy.validateAttachmentRequest(w.users.alice, { requestId: request }, { idempotencyKey: "k-1" });
    expect(first).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    const afterFirst = w.store.snapshot();
    const retry = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request }, { idempotencyKey: "k-1" });
    expect(retry.ok).toBe(true);
    expect(w.store.snapshot()).toEqual(afterFirst);
    // Without the key, the same retry is refused as a second decision.
    const plain = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request });
    expect(!plain.ok && plain.error.code).toBe("REQUEST_ALREADY_DECIDED");
    // The replay gives the outcome as first committed: its history and event ids.
    const history = afterFirst.history.slice(-1);
    if (retry.ok) {
      expect(retry.value.history).toEqual(history);
      expect(retry.value.events.map((e) => e.id)).toEqual(afterFirst.outbox.slice(-1).map((e) => e.id));
      expect(Object.isFrozen(retry.value) && Object.isFrozen(retry.value.requester)).toBe(true);
    }
  });

  it("the same key with another input is IDEMPOTENCY_KEY_REUSED, and changes nothing", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    const ok = await w.app.addService(w.users.alice, { structureId: A, code: "URBA", label: "Urbanisme" }, { idempotencyKey: "k" });
    expect(ok.ok).toBe(true);
    const before = w.store.snapshot();
    const again = await w.app.addService(w.users.alice, { structureId: A, code: "urba", label: "Urbanisme" }, { idempotencyKey: "k" });
    expect(again.ok && again.value).toEqual(ok.ok && ok.value); // same parsed input (the code is normalised)
    const other = await w.app.addService(w.users.alice, { structureId: A, code: "VOIRIE", label: "Voirie" }, { idempotencyKey: "k" });
    expect(other).toEqual({ ok: false, error: { code: "IDEMPOTENCY_KEY_REUSED", key: "k" } });
    const otherOp = await w.app.renameService(w.users.alice, { serviceId: "x", label: "y" }, { idempotencyKey: "k" });
    expect(!otherOp.ok && otherOp.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(w.store.snapshot()).toEqual(before);
  });

  it("keys belong to their actor: another actor's same key acts on its own and learns nothing", async () => {
    const w = await buildWorld();
    const [A, , C] = w.structures;
    const a = await w.app.addService(w.users.alice, { structureId: A, code: "URBA", label: "Urbanisme" }, { idempotencyKey: "same" });
    const v = await w.app.addService(w.users.victor, { structureId: C, code: "URBA", label: "Urbanisme" }, { idempotencyKey: "same" });
    expect(a.ok && v.ok).toBe(true);
    if (a.ok && v.ok) expect(v.value.service.structureId).toBe(C);
  });

  it("concurrent duplicates with one key commit once and both get the outcome", async () => {
    const w = await buildWorld();
    const [A] = w.structures;
    const input: AttachUserInput = { structureId: A, userId: w.users.noe, role: "user", validFrom: "2026-11-27", comment: "Arrivée", scope: { kind: "structure" } };
    const [x, y] = await Promise.all([
      w.app.attachUser(w.users.alice, input, { idempotencyKey: "dup" }),
      w.app.attachUser(w.users.alice, input, { idempotencyKey: "dup" }),
    ]);
    expect(x.ok && y.ok).toBe(true);
    expect(x).toEqual(y);
    expect(w.store.snapshot().history.filter((e) => e.kind === "userAttached" && e.targetUserId === w.users.noe).length).toBe(1);
  });

  it("a twin that commits between a retry's key look-up and its reads gives the retry its outcome, not a refusal", async () => {
    const w = await buildWorld();
    const request = [...w.requests.keys()][0] as string;
    let first: Awaited<ReturnType<typeof w.app.validateAttachmentRequest>> | undefined;
    let paused = false;
    // The retry looks its key up (nothing yet), then, before it reads the request, the first
    // try with the same key commits.
    const pausing = {
      ...methods(w.store),
      getIdempotencyRecord: async (owner: string, key: string) => {
        const found = await w.store.getIdempotencyRecord(owner, key);
        if (!paused && found === null) {
          paused = true;
          first = await w.app.validateAttachmentRequest(w.users.alice, { requestId: request }, { idempotencyKey: "twin" });
        }
        return found;
      },
    } as HabilitationsStore;
    const retry = await w.appOver(pausing).validateAttachmentRequest(w.users.alice, { requestId: request }, { idempotencyKey: "twin" });
    expect(paused).toBe(true);
    expect(first?.ok).toBe(true);
    expect(retry).toEqual(first);
  });

  it("a bulk retried with the same key after a store failure completes, giving back what was already committed", async () => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    const ids = [...w.requests].filter(([, s]) => s === A || s === B).map(([id]) => id);
    const items = ids.map((requestId) => ({ requestId }));
    const first = await w.appOver(failingCommits(w.store, new Set([2]), "after")).validateAttachmentRequests(w.users.alice, { items }, { idempotencyKey: "bulk" });
    expect(first.ok && first.value.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual(
      ["ok", "STORE_FAILURE", ...ids.slice(2).map(() => "NOT_ATTEMPTED")],
    );
    const retry = await w.app.validateAttachmentRequests(w.users.alice, { items }, { idempotencyKey: "bulk" });
    expect(retry.ok && retry.value.results.every((x) => x.result.ok)).toBe(true);
    if (first.ok && retry.ok) expect(retry.value.results[0]).toEqual(first.value.results[0]);
    expect(w.store.snapshot().history.filter((e) => e.kind === "attachmentRequestValidated").length).toBe(ids.length);
  });

  it("refuses a malformed key with VALIDATION on the options", async () => {
    const w = await buildWorld();
    for (const options of [{ idempotencyKey: "" }, { idempotencyKey: "a b" }, { idempotencyKey: "x".repeat(201) }, { other: 1 }, 42, Object.create({ idempotencyKey: "k" })]) {
      const r = await w.app.registerUser({ login: "o@example.fr", lastName: "O", firstName: "O" }, options);
      expect(!r.ok && r.error.code).toBe("VALIDATION");
    }
  });
});

describe("accounts: a commit that fails", () => {
  /** An app over `store` that keeps every token it issues. */
  const issuing = (w: World, store: HabilitationsStore) => {
    const issued: string[] = [];
    const app = w.appOver(store, {
      newToken: () => {
        const token = `jeton-${issued.length}-${"x".repeat(30)}`;
        issued.push(token);
        return token;
      },
    });
    return { app, issued };
  };
  const input = (w: World) => ({ structureId: w.structures[0] as string, login: "nouveau@example.fr", lastName: "Nouveau", firstName: "Compte" });
  /** Where a token shows in a value (the snapshot, an answer), if anywhere. */
  const holds = (value: unknown, token: string) => JSON.stringify(value).includes(token);
  const outboxOf = (w: World, user: string) =>
    w.store.snapshot().outbox.filter((e) => e.type === "ActivationEmailRequested" && e.userId === user) as readonly { id: string; token?: string }[];

  it("createAccount: a commit lost before saving leaves no account and no token anywhere", async () => {
    const w = await buildWorld();
    const before = w.store.snapshot();
    const { app, issued } = issuing(w, failingCommits(w.store, new Set([1]), "before"));
    const r = await app.createAccount(w.users.alice, input(w), { idempotencyKey: "acc" });
    expect(r).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    // The activation token, and the one a contact address other than the login would need.
    expect(issued.length).toBe(2);
    expect(w.store.snapshot()).toEqual(before);
    // A retry with the same key acts afresh (only committed outcomes are remembered), with a token of its own.
    const retry = await w.app.createAccount(w.users.alice, input(w), { idempotencyKey: "acc" });
    expect(retry.ok).toBe(true);
    expect(holds(w.store.snapshot(), issued[0] as string)).toBe(false);
  });

  it("createAccount: a commit whose answer is lost keeps its token in the outbox only, and a retry with the key gets the first outcome", async () => {
    const w = await buildWorld();
    const { app, issued } = issuing(w, failingCommits(w.store, new Set([1]), "after"));
    const first = await app.createAccount(w.users.alice, input(w), { idempotencyKey: "acc" });
    expect(first).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    const token = issued[0] as string;
    const saved = w.store.snapshot();
    const account = saved.users.find((u) => u.value.login === "nouveau@example.fr")?.value;
    if (account === undefined) throw new Error("the account was saved");
    expect(account.status).toBe("pendingActivation");
    // The retry (another process, another token maker) gets the first outcome: nothing done twice.
    const retry = issuing(w, w.store);
    const again = await retry.app.createAccount(w.users.alice, input(w), { idempotencyKey: "acc" });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.value.member.id).toBe(account.id);
    expect(retry.issued).toEqual([]);
    expect(w.store.snapshot()).toEqual(saved);
    expect(again.value.events.map((e) => e.id)).toEqual(saved.outbox.slice(-2).map((e) => e.id));
    // The token: in the outbox's e-mail, nowhere else (the replay, the records, the keys, the history).
    expect(outboxOf(w, account.id).map((e) => e.token)).toEqual([token]);
    expect(holds(again, token) || holds(first, token)).toBe(false);
    expect(holds({ ...saved, outbox: [] }, token)).toBe(false);
    expect((await w.app.activateAccount({ userId: account.id, token })).ok).toBe(true);
  });

  it("sendActivationEmails: a commit lost before saving leaves no new token, and the earlier one still works", async () => {
    const w = await buildWorld();
    const { hugo } = w.pending;
    const earlier = outboxOf(w, hugo).at(-1)?.token as string;
    w.tick(3);
    const before = w.store.snapshot();
    const { app, issued } = issuing(w, failingCommits(w.store, new Set([1]), "before"));
    const r = await app.sendActivationEmails(w.users.alice, { structureId: w.structures[0], userIds: [hugo, w.pending.lou] }, { idempotencyKey: "mail" });
    expect(r.ok && r.value.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual(["STORE_FAILURE", "NOT_ATTEMPTED"]);
    expect(r.ok && r.value.events).toEqual([]);
    const [lost] = issued;
    if (issued.length !== 1 || lost === undefined) throw new Error(`one token issued, not ${issued.length}`);
    expect(w.store.snapshot()).toEqual(before);
    expect(holds(w.store.snapshot(), lost)).toBe(false);
    expect((await w.app.activateAccount({ userId: hugo, token: lost })).ok).toBe(false);
    expect((await w.app.activateAccount({ userId: hugo, token: earlier })).ok).toBe(true);
  });

  it("sendActivationEmails: a commit whose answer is lost keeps its token in the outbox only, and a retry with the key gets the first outcome", async () => {
    const w = await buildWorld();
    const { hugo } = w.pending;
    const [A] = w.structures;
    const earlier = outboxOf(w, hugo).at(-1)?.token as string;
    w.tick(3);
    const { app, issued } = issuing(w, failingCommits(w.store, new Set([1]), "after"));
    const first = await app.sendActivationEmails(w.users.alice, { structureId: A, userIds: [hugo] }, { idempotencyKey: "mail" });
    expect(first.ok && first.value.results.map((x) => (x.result.ok ? "ok" : x.result.error.code))).toEqual(["STORE_FAILURE"]);
    const token = issued[0] as string;
    const saved = w.store.snapshot();
    expect(outboxOf(w, hugo).map((e) => e.token)).toEqual([earlier, token]);
    // A moment later the throttle would refuse a new e-mail; the retry with the key gets the first one's outcome instead.
    w.tick(1);
    const retry = issuing(w, w.store);
    const again = await retry.app.sendActivationEmails(w.users.alice, { structureId: A, userIds: [hugo] }, { idempotencyKey: "mail" });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    const item = again.value.results[0]?.result;
    expect(item?.ok).toBe(true);
    expect(again.value.events.map((e) => e.id)).toEqual([outboxOf(w, hugo).at(-1)?.id]);
    expect(again.value.events.every((e) => !("token" in e))).toBe(true);
    expect(retry.issued).toEqual([]);
    expect(w.store.snapshot()).toEqual(saved);
    // Without the key, the same e-mail now is throttled.
    const plain = await w.app.sendActivationEmails(w.users.alice, { structureId: A, userIds: [hugo] });
    expect(plain.ok && plain.value.results[0]?.result.ok === false && plain.value.results[0].result.error.code).toBe("ACTIVATION_EMAIL_THROTTLED");
    // The token: in the outbox only; it is the newest, so the earlier one stopped working.
    expect(holds({ ...saved, outbox: [] }, token) || holds(first, token) || holds(again, token)).toBe(false);
    expect((await w.app.activateAccount({ userId: hugo, token: earlier })).ok).toBe(false);
    expect((await w.app.activateAccount({ userId: hugo, token })).ok).toBe(true);
  });
});

describe("guide §6: a store failing at commit during a transfer of several structures", () => {
  /** What the transfer (or the deactivation) changes: each structure's primary manager, the actor's status, history and outbox. */
  const state = (w: World) => {
    const snap = w.store.snapshot();
    return {
      primary: Object.fromEntries(snap.structures.map((s) => [s.value.id, s.value.primaryManagerId])),
      alice: snap.users.find((u) => u.value.id === w.users.alice)?.value.status,
      history: snap.history.length,
      outbox: snap.outbox.length,
    };
  };
  /** A store that keeps the units committed through it. */
  const spying = (inner: HabilitationsStore, units: Parameters<HabilitationsStore["commit"]>[0][]) =>
    ({ ...methods(inner), commit: async (unit: Parameters<HabilitationsStore["commit"]>[0]) => (units.push(unit), inner.commit(unit)) }) as HabilitationsStore;

  const ACTS = [
    [
      "transferPrimaryRole (A to Sam, B to Ivy)",
      (app: World["app"], w: World, key?: string) =>
        app.transferPrimaryRole(
          w.users.alice,
          { transfers: [{ structureId: w.structures[0], successorId: w.users.sam }, { structureId: w.structures[1], successorId: w.users.ivy }] },
          key === undefined ? undefined : { idempotencyKey: key },
        ),
      "active",
    ],
    [
      "deactivateAccount (A to Sam, B to Ivy, and Alice's account)",
      (app: World["app"], w: World, key?: string) =>
        app.deactivateAccount(
          w.users.alice,
          { transfers: [{ structureId: w.structures[0], successorId: w.users.sam }, { structureId: w.structures[1], successorId: w.users.ivy }] },
          key === undefined ? undefined : { idempotencyKey: key },
        ),
      "deactivated",
    ],
  ] as const;

  it.each(ACTS)("%s is one unit of work: every structure and the successors in one commit", async (_what, act, status) => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    const units: Parameters<HabilitationsStore["commit"]>[0][] = [];
    const r = await act(w.appOver(spying(w.store, units)), w);
    expect(r.ok).toBe(true);
    expect(units.length).toBe(1);
    expect(units[0]?.writes.filter((x) => x.kind === "structure").map((x) => x.value.id)).toEqual([A, B]);
    expect(state(w).alice).toBe(status);
  });

  it.each(ACTS)("%s: a commit lost before saving leaves none of it; a retry with the key then does all of it", async (_what, act) => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    const before = w.store.snapshot();
    const first = await act(w.appOver(failingCommits(w.store, new Set([1]), "before")), w, "hand-over");
    expect(first).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    expect(w.store.snapshot()).toEqual(before);
    const retry = await act(w.app, w, "hand-over");
    expect(retry.ok).toBe(true);
    expect(state(w).primary).toMatchObject({ [A]: w.users.sam, [B]: w.users.ivy });
  });

  it.each(ACTS)("%s: a commit whose answer is lost leaves all of it, and a retry with the key gets the first outcome without acting twice", async (_what, act, status) => {
    const w = await buildWorld();
    const [A, B, C] = w.structures;
    const before = state(w);
    const first = await act(w.appOver(failingCommits(w.store, new Set([1]), "after")), w, "hand-over");
    expect(first).toEqual({ ok: false, error: { code: "STORE_FAILURE", stage: "commit" } });
    const saved = w.store.snapshot();
    const after = state(w);
    // All of it: both structures, the account when it leaves, their history and events.
    expect(after.primary).toEqual({ [A]: w.users.sam, [B]: w.users.ivy, [C]: w.users.victor });
    expect(after.alice).toBe(status);
    expect(after.history).toBeGreaterThanOrEqual(before.history + 2);
    w.tick(5);
    const retry = await act(w.app, w, "hand-over");
    expect(retry.ok).toBe(true);
    expect(w.store.snapshot(), "nothing done twice").toEqual(saved);
    if (!retry.ok) return;
    // The outcome as first committed: its history, its events' ids, what it showed.
    expect(retry.value.history).toEqual(saved.history.slice(before.history));
    expect(retry.value.events.map((e) => e.id)).toEqual(saved.outbox.slice(before.outbox).map((e) => e.id));
    expect(retry.value.transfers.map((t) => [t.structureId, t.primaryManager.id, t.primaryManager.role])).toEqual([
      [A, w.users.sam, "primaryManager"],
      [B, w.users.ivy, "primaryManager"],
    ]);
    // 60 × 24 hours after the first try (at the world's start), not after the retry.
    if ("reactivableUntil" in retry.value) expect(retry.value.reactivableUntil).toBe("2027-01-26T08:00:00.000Z");
    expect(Object.isFrozen(retry.value)).toBe(true);
    // Without the key, the same act now is refused: Alice is no longer their primary manager (or active).
    const plain = await act(w.app, w);
    expect(!plain.ok && plain.error.code).toBe("FORBIDDEN");
    expect(w.store.snapshot()).toEqual(saved);
  });

  it("a transfer refused on its second structure (a successor « En cours d'activation », not a member of it: as unknown) leaves the first unchanged too", async () => {
    const w = await buildWorld();
    const [A, B] = w.structures;
    const before = w.store.snapshot();
    const r = await w.app.transferPrimaryRole(w.users.alice, {
      transfers: [{ structureId: A, successorId: w.users.sam }, { structureId: B, successorId: w.pending.hugo }],
    });
    expect(r).toEqual({ ok: false, error: { code: "NOT_FOUND", entity: "user", id: w.pending.hugo } });
    expect(w.store.snapshot()).toEqual(before);
  });
});
