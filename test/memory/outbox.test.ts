// The memory store's outbox order when an id comes back: acknowledged, then committed
// again (the differential test against PostgreSQL found it, seed -456771966).
import { describe, expect, it } from "vitest";
import type { Instant, RecordedEvent } from "../../src/index.js";
import { Outbox } from "../../src/memory/outbox.js";

const event = (id: string): RecordedEvent =>
  ({ id, type: "ServiceDeactivated", at: "2026-11-27T09:00:00.000Z", structureId: "s-1", serviceId: `svc-${id}`, deactivatedBy: "u-1" }) as unknown as RecordedEvent;
const T0 = "2026-11-27T09:00:00.000Z" as Instant;
const T1 = "2026-11-27T09:00:01.000Z" as Instant;
const ids = (messages: readonly { readonly event: RecordedEvent }[]) => messages.map((m) => m.event.id);

describe("the memory outbox", () => {
  it("an id acknowledged and committed again comes after what was committed before it, and once", () => {
    const outbox = new Outbox();
    outbox.add([event("e-2"), event("e-1")]);
    expect(ids(outbox.claim({ limit: 1, now: T0, leaseUntil: T1 }))).toEqual(["e-2"]);
    outbox.acknowledge(["e-1"]); // e-1's old place stays in the order behind the leased e-2
    outbox.add([event("e-3"), event("e-1")]);
    expect(outbox.pending().map((e) => e.id)).toEqual(["e-2", "e-3", "e-1"]);
    // e-2 is leased: the claim takes e-3 then e-1, in commit order, each once.
    expect(ids(outbox.claim({ limit: 5, now: T0, leaseUntil: T0 }))).toEqual(["e-3", "e-1"]);
  });
});
