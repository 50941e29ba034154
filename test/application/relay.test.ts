// The relay, as a host runs it in production: delivery errors reach the host, the loop
// never overlaps itself, backs off while the store fails and drains on shutdown, and bad
// arguments are VALIDATION that lease nothing.
import { describe, expect, it } from "vitest";
import type { HabilitationsStore, RecordedEvent, RelayFailure } from "../../src/index.js";
import { createHarness, expectErr, must, untyped, type Harness } from "./harness.js";

/** `n` events in the outbox (one registration each). */
async function withEvents(h: Harness, n: number): Promise<string[]> {
  for (let i = 0; i < n; i++) must(await h.app.registerUser({ login: `u${i}@example.fr`, lastName: "Martin", firstName: `U${i}` }));
  return h.snapshot().outbox.map((e) => e.id);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds (or fails after `ms`). */
async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(2);
  }
}

/** Every event claimable now, with its attempts (a lease of one second). */
async function claimable(h: Harness): Promise<[string, number][]> {
  return (await h.store.claimOutbox({ limit: 1000, now: h.now().toISOString() as never, leaseUntil: new Date(h.now().getTime() + 1000).toISOString() as never })).map(
    (m) => [m.event.id, m.attempts],
  );
}

/** A store whose outbox claims go through `claim` (the rest is the harness's store). */
function claimingVia(h: Harness, claim: HabilitationsStore["claimOutbox"]): HabilitationsStore {
  return { ...h.store, claimOutbox: claim };
}

describe("relayEvents: what the host is told, what it may not give", () => {
  it("refuses a delivery that is not a function with VALIDATION, and leases nothing", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 3);
    for (const deliver of ["x", undefined, null, {}, 42])
      expect(expectErr(await h.app.relayEvents(deliver as never), "VALIDATION").issues[0]?.path).toEqual(["deliver"]);
    for (const input of [{ limit: 0 }, { limit: "all" }, { leaseSeconds: -1 }, { unknown: 1 }, "x", null])
      expectErr(await untyped(h.app).relayEvents(() => undefined, input), "VALIDATION");
    // Nothing was claimed: every event is there, never attempted.
    expect(await claimable(h)).toEqual(ids.map((id) => [id, 1]));
  });

  it("reports each failed delivery with its event, its attempts and the error as thrown", async () => {
    const h = createHarness();
    await withEvents(h, 3);
    class MailerDown extends Error {}
    const thrown = new MailerDown("mailer down");
    const report = must(
      await h.app.relayEvents((event) => {
        if (event.id === h.snapshot().outbox[1]?.id) throw thrown;
      }),
    );
    expect(report.delivered).toBe(2);
    expect(report.failed).toBe(1);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]?.event.type).toBe("UserRegistered");
    expect(report.failures[0]?.attempts).toBe(1);
    expect(report.failures[0]?.error).toBe(thrown);
    expect(report.failures[0]?.error).toBeInstanceOf(MailerDown);
    expect(Object.isFrozen(report) && Object.isFrozen(report.failures) && Object.isFrozen(report.failures[0])).toBe(true);
  });
});

describe("startRelay: the loop a host runs", () => {
  it("refuses bad arguments with VALIDATION and starts nothing", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 2);
    expect(expectErr(h.app.startRelay("x" as never), "VALIDATION").issues[0]?.path).toEqual(["deliver"]);
    const bad: unknown[] = [
      null,
      "fast",
      { limit: 0 },
      { limit: "20" },
      { idleMs: -5 },
      { maxBackoffMs: 1.5 },
      { drainMs: "forever" },
      { intervalMs: 1000 },
      { onError: "log" },
      { signal: { aborted: false } },
    ];
    for (const options of bad) expectErr(h.app.startRelay(() => undefined, options as never), "VALIDATION");
    await sleep(20);
    expect(await claimable(h)).toEqual(ids.map((id) => [id, 1]));
  });

  it("delivers every event, then waits; stop() resolves once it has stopped", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 5);
    const delivered: string[] = [];
    const relay = must(h.app.startRelay((event) => void delivered.push(event.id), { idleMs: 5 }));
    await until(() => delivered.length === 5);
    await sleep(30); // a few idle rounds: nothing more to deliver
    await relay.stop();
    expect(delivered).toEqual(ids);
    expect(h.snapshot().outbox).toEqual([]);
    await relay.stopped;
    expect(relay.stop()).toBe(relay.stop());
  });

  it("never runs two batches at once, however slow the store and the delivery", async () => {
    const h = createHarness();
    await withEvents(h, 30);
    let running = 0;
    let most = 0;
    let claims = 0;
    const slow: HabilitationsStore["claimOutbox"] = async (claim) => {
      running++;
      claims++;
      most = Math.max(most, running);
      await sleep(15);
      try {
        return await h.store.claimOutbox(claim);
      } finally {
        running--;
      }
    };
    const delivered: string[] = [];
    const relay = must(
      h.appOver(claimingVia(h, slow)).startRelay(
        async (event) => {
          await sleep(2);
          delivered.push(event.id);
        },
        { limit: 4, idleMs: 1 },
      ),
    );
    await sleep(400);
    await relay.stop();
    expect(claims).toBeGreaterThan(5);
    expect(most).toBe(1);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it("backs off while the store fails, telling the host each time, and delivers once it is back", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 3);
    const attempts: number[] = [];
    let fail = 7;
    const flaky: HabilitationsStore["claimOutbox"] = async (claim) => {
      attempts.push(performance.now());
      if (fail-- > 0) throw new Error("connection refused");
      return h.store.claimOutbox(claim);
    };
    const failures: RelayFailure[] = [];
    const delivered: RecordedEvent[] = [];
    const relay = must(
      h.appOver(claimingVia(h, flaky)).startRelay((event) => void delivered.push(event), {
        idleMs: 20,
        maxBackoffMs: 80,
        onError: (f) => failures.push(f),
      }),
    );
    await until(() => delivered.length === 3);
    await relay.stop();
    expect(delivered.map((e) => e.id)).toEqual(ids);
    expect(failures.map((f) => (f.kind === "outbox" ? f.error : f.kind))).toEqual(Array.from({ length: 7 }, () => ({ code: "STORE_FAILURE", stage: "read" })));
    // The pauses double from idleMs up to maxBackoffMs: 20, 40, 80, 80, 80, 80, 80 ms
    // (timers may be late, never early)…
    const gaps = attempts.slice(1, 8).map((t, i) => t - (attempts[i] as number));
    [20, 40, 80, 80, 80, 80, 80].forEach((least, i) => expect(gaps[i]).toBeGreaterThanOrEqual(least - 2));
    // …and stay capped: doubling on would make the last three 320, 640 and 1280 ms.
    expect(Math.max(...gaps.slice(4))).toBeLessThan(320);
  });

  it("tells the host of every failed delivery, with the event and the error, and goes on", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 4);
    const failures: RelayFailure[] = [];
    const boom = new Error("smtp 451");
    const delivered: string[] = [];
    const relay = must(
      h.app.startRelay(
        (event) => {
          if (event.id === ids[1]) throw boom;
          delivered.push(event.id);
        },
        { idleMs: 5, onError: (f) => failures.push(f) },
      ),
    );
    await until(() => delivered.length === 3);
    await relay.stop();
    expect(failures).toEqual([{ kind: "delivery", event: h.snapshot().outbox[0], attempts: 1, error: boom }]);
    expect(h.snapshot().outbox.map((e) => e.id)).toEqual([ids[1]]);
  });

  it("tells a failed delivery even when the acknowledgement then fails, and the outbox failure after it", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 2);
    const failures: RelayFailure[] = [];
    const boom = new Error("smtp 451");
    const noAck: HabilitationsStore = {
      ...h.store,
      acknowledgeOutbox: async () => {
        throw new Error("connection lost");
      },
    };
    const relay = must(
      h.appOver(noAck).startRelay(
        (event) => {
          if (event.id === ids[0]) throw boom;
        },
        { idleMs: 60_000, onError: (f) => failures.push(f) },
      ),
    );
    await until(() => failures.length === 2);
    await relay.stop();
    expect(failures.map((f) => f.kind)).toEqual(["delivery", "outbox"]);
    expect(failures[0]).toMatchObject({ kind: "delivery", error: boom, attempts: 1 });
    expect(failures[1]).toEqual({ kind: "outbox", error: { code: "STORE_FAILURE", stage: "read" } });
  });

  it("goes on when the host's onError throws", async () => {
    const h = createHarness();
    await withEvents(h, 3);
    const delivered: string[] = [];
    const relay = must(
      h.app.startRelay(
        (event) => {
          if (delivered.length === 0 && !event.id.endsWith("x")) {
            delivered.push("thrown");
            throw new Error("first delivery fails");
          }
          delivered.push(event.id);
        },
        {
          idleMs: 5,
          onError: () => {
            throw new Error("the logger is broken too");
          },
        },
      ),
    );
    await until(() => delivered.length === 3);
    await relay.stop();
    expect(delivered).toHaveLength(3);
  });

  it("does not pause while batches come back full", async () => {
    const h = createHarness();
    await withEvents(h, 250);
    let delivered = 0;
    const relay = must(h.app.startRelay(() => void delivered++, { limit: 50, idleMs: 60_000 }));
    await until(() => delivered === 250, 3000);
    await relay.stop();
    expect(h.snapshot().outbox).toEqual([]);
  });

  it("drains on stop: the batch in hand and what is left are delivered and acknowledged before stop() resolves", async () => {
    const h = createHarness();
    await withEvents(h, 25);
    let delivered = 0;
    const relay = must(
      h.app.startRelay(
        async () => {
          await sleep(1);
          delivered++;
        },
        { limit: 10, idleMs: 60_000 },
      ),
    );
    await until(() => delivered > 0);
    await relay.stop();
    expect(delivered).toBe(25);
    expect(h.snapshot().outbox).toEqual([]);
  });

  it("with drainMs 0, stop() finishes the batch in hand only: the rest stays unclaimed, ready for the next start", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 25);
    let delivered = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const relay = must(
      h.app.startRelay(
        async () => {
          await gate;
          delivered++;
        },
        { limit: 10, drainMs: 0 },
      ),
    );
    await sleep(20); // the first batch is in hand, its first delivery waiting
    const stopping = relay.stop();
    release();
    await stopping;
    expect(delivered).toBe(10);
    expect(await claimable(h)).toEqual(ids.slice(10).map((id) => [id, 1]));
  });

  it("stops when its AbortSignal is aborted, draining first; an aborted signal drains and stops at once", async () => {
    const h = createHarness();
    await withEvents(h, 3);
    const controller = new AbortController();
    const delivered: string[] = [];
    const relay = must(h.app.startRelay((event) => void delivered.push(event.id), { idleMs: 60_000, signal: controller.signal }));
    await until(() => delivered.length === 3);
    must(await h.app.registerUser({ login: "late@example.fr", lastName: "Late", firstName: "L" }));
    controller.abort();
    await relay.stopped;
    expect(delivered).toHaveLength(4); // the event that came during the pause, drained

    must(await h.app.registerUser({ login: "later@example.fr", lastName: "Later", firstName: "L" }));
    const again = must(h.app.startRelay((event) => void delivered.push(event.id), { signal: AbortSignal.abort() }));
    await again.stopped;
    expect(delivered).toHaveLength(5);
    expect(h.snapshot().outbox).toEqual([]);
  });

  it("does not drain against a failing store: it stops at once, leaving the events for the next start", async () => {
    const h = createHarness();
    const ids = await withEvents(h, 3);
    const failures: RelayFailure[] = [];
    const down: HabilitationsStore["claimOutbox"] = async () => {
      throw new Error("down");
    };
    const relay = must(h.appOver(claimingVia(h, down)).startRelay(() => undefined, { idleMs: 60_000, onError: (f) => failures.push(f) }));
    await until(() => failures.length === 1);
    const started = performance.now();
    await relay.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await claimable(h)).toEqual(ids.map((id) => [id, 1]));
  });
});
