// The bad-input property at the application boundary: anything that is not a command
// gives VALIDATION, anything that is not an actor's id UNKNOWN_ACTOR (malformed), never a
// throw, never a write. Refusals change nothing, so one seeded store serves every run (a
// run that wrote would fail the next snapshot comparison). The app is called through its
// untyped view, as an HTTP host passes a body it has not checked.
import { fc, test } from "@fast-check/vitest";
import { beforeAll, describe, expect } from "vitest";
import type { DomainError, DomainErrorCode, Habilitations, Result } from "../../src/index.js";
import { guide, untyped, type Guide, type Harness, type Untyped } from "./harness.js";

type Op = (app: Untyped<Habilitations>, actor: unknown, input: unknown) => Promise<Result<unknown, DomainError>>;

const OPERATIONS: readonly [string, Op][] = [
  ["createStructure", (app, a, i) => app.createStructure(a, i)],
  ["addService", (app, a, i) => app.addService(a, i)],
  ["renameService", (app, a, i) => app.renameService(a, i)],
  ["deactivateService", (app, a, i) => app.deactivateService(a, i)],
  ["requestAttachment", (app, a, i) => app.requestAttachment(a, i)],
  ["validateAttachmentRequest", (app, a, i) => app.validateAttachmentRequest(a, i)],
  ["refuseAttachmentRequest", (app, a, i) => app.refuseAttachmentRequest(a, i)],
  ["validateAttachmentRequests", (app, a, i) => app.validateAttachmentRequests(a, i)],
  ["refuseAttachmentRequests", (app, a, i) => app.refuseAttachmentRequests(a, i)],
  ["attachUser", (app, a, i) => app.attachUser(a, i)],
  ["changeMemberRole", (app, a, i) => app.changeMemberRole(a, i)],
  ["removeAttachment", (app, a, i) => app.removeAttachment(a, i)],
  ["consultAttachmentRequest", (app, a, i) => app.consultAttachmentRequest(a, i)],
  ["readHistory", (app, a, i) => app.readHistory(a, i)],
  ["listMembers", (app, a, i) => app.listMembers(a, i)],
];

/** Anything at all, boxed values, null prototypes and sparse arrays included. */
const junk = fc.anything({ withBoxedValues: true, withNullPrototype: true, withSparseArray: true });
const notAnId = fc.anything().filter((x) => typeof x !== "string" || x.length === 0 || x.length > 200);

let h: Harness;
let g: Guide;
beforeAll(async () => {
  ({ h, g } = await guide());
});

async function expectRefusedOnly(run: () => Promise<Result<unknown, DomainError>>, code: DomainErrorCode, error?: DomainError): Promise<void> {
  const before = h.snapshot();
  const r = await run();
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error.code).toBe(code);
  if (!r.ok && error !== undefined) expect(r.error).toEqual(error);
  expect(h.snapshot()).toEqual(before);
}

const expectValidationOnly = (run: () => Promise<Result<unknown, DomainError>>) => expectRefusedOnly(run, "VALIDATION");

describe.each(OPERATIONS)("%s", (_name, op) => {
  test.prop([junk], { numRuns: 40 })("refuses any junk input with VALIDATION, writing nothing", (input) =>
    expectValidationOnly(() => op(untyped(h.app), g.alice, input)),
  );
  test.prop([notAnId, junk], { numRuns: 40 })(
    "refuses any junk actor with UNKNOWN_ACTOR (malformed), whatever the input, writing nothing",
    (actor, input) =>
      expectRefusedOnly(() => op(untyped(h.app), actor, input), "UNKNOWN_ACTOR", { code: "UNKNOWN_ACTOR", reason: "malformed" }),
  );
});

describe("registerUser", () => {
  test.prop([junk], { numRuns: 60 })("refuses any junk input with VALIDATION, writing nothing", (input) =>
    expectValidationOnly(() => untyped(h.app).registerUser(input)),
  );
});

describe("listPendingAttachmentRequests", () => {
  const notAQuery = junk.filter(
    (x) => !(x === undefined || (typeof x === "object" && x !== null && !Array.isArray(x) && Object.keys(x).length === 0)),
  );
  test.prop([notAQuery], { numRuns: 60 })("refuses any junk query with VALIDATION, writing nothing", (input) =>
    expectValidationOnly(() => untyped(h.app).listPendingAttachmentRequests(g.alice, input)),
  );
  test.prop([fc.string({ maxLength: 80 })], { numRuns: 60 })("refuses any string that is not one of its cursors", (cursor) =>
    expectValidationOnly(() => h.app.listPendingAttachmentRequests(g.alice, { cursor })),
  );
});
