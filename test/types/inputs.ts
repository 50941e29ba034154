// Typed inputs (issue 18): every operation's parameters are typed from its schema, so what
// a host gets wrong in a literal is a compile error, not a VALIDATION found at run time.
// This file is checked by `npm run typecheck` (tsconfig includes test/): each line marked
// `@ts-expect-error` must NOT compile — if the library ever accepted it, the directive
// itself would fail the check. It is never run.
import {
  createHabilitations,
  type ActorId,
  type CommandOptions,
  type ValidateAttachmentRequestInput,
} from "../../src/index.js";
import { createMemoryStore } from "../../src/memory/index.js";

const app = createHabilitations({ store: createMemoryStore() });
const actor: ActorId = "usr_1";

export async function typedInputs(): Promise<void> {
  // What compiles: the inputs as the guide's acts give them, `as const` literals included.
  await app.validateAttachmentRequest(actor, { requestId: "req_1", role: "secondaryManager", scope: { kind: "services", serviceIds: ["svc_1"] } });
  const services = ["svc_1", "svc_2"] as const;
  await app.attachUser(actor, { structureId: "str_1", userId: "usr_2", role: "user", validFrom: "2026-12-01", comment: "Renfort", scope: { kind: "services", serviceIds: services } });
  await app.listMembers(actor, { structureId: "str_1", limit: "20" }); // a query string's page size
  await app.refuseAttachmentRequest(actor, { requestId: "req_1", reason: "Doublon" }, { idempotencyKey: "9b1c" });
  await app.transferPrimaryRole(actor, { structureIds: ["str_1"], successorId: "usr_3" });
  await app.transferPrimaryRole(actor, { transfers: [{ structureId: "str_1", successorId: "usr_3" }] });
  await app.mayAccess({ userId: "usr_2", structureId: "str_1", space: "FACTURES_RECUES", access: "read" });
  // An optional field built from an optional value of the host's: `undefined` is absent.
  const target: string | undefined = undefined;
  await app.readHistory(actor, { structureId: "str_1", targetUserId: target, limit: undefined });
  // An untyped body (an HTTP request's): one cast, and the run-time parse still checks it.
  const body: unknown = JSON.parse('{"requestId":"req_1"}');
  await app.validateAttachmentRequest(actor, body as ValidateAttachmentRequestInput);

  // Rights with an end (issue 21): an end date on the acts that give a right, and its change.
  await app.attachUser(actor, { structureId: "str_1", userId: "usr_2", role: "user", validFrom: "2026-12-01", validUntil: "2027-06-01", comment: "Renfort", scope: { kind: "structure" } });
  await app.changeAttachmentEnd(actor, { structureId: "str_1", userId: "usr_2", validUntil: null });
  await app.changeGrantEnd(actor, { structureId: "str_1", userId: "usr_2", space: "FACTURES_RECUES", validUntil: "2027-01-01" });
  await app.copyMemberRights(actor, { structureId: "str_1", modelUserId: "usr_3", userId: "usr_2" });
  await app.recordExpiries({ limit: 500 });

  // What does not compile.
  // @ts-expect-error an end's change says the end: null to remove it, never left out
  await app.changeAttachmentEnd(actor, { structureId: "str_1", userId: "usr_2" });
  // @ts-expect-error the sweep has no actor
  await app.recordExpiries(actor, { limit: 10 });
  // @ts-expect-error a misspelt field
  await app.validateAttachmentRequest(actor, { reqestId: "req_1" });
  // @ts-expect-error a role that does not exist
  await app.validateAttachmentRequest(actor, { requestId: "req_1", role: "boss" });
  // @ts-expect-error the primary role is never granted by validating (it is transferred)
  await app.validateAttachmentRequest(actor, { requestId: "req_1", role: "primaryManager" });
  // @ts-expect-error nor by attaching
  await app.attachUser(actor, { structureId: "str_1", userId: "usr_2", role: "primaryManager", validFrom: "2026-12-01", comment: "c", scope: { kind: "structure" } });
  // @ts-expect-error nor by changing a role
  await app.changeMemberRole(actor, { structureId: "str_1", userId: "usr_2", role: "primaryManager" });
  // @ts-expect-error options are an object
  await app.validateAttachmentRequest(actor, { requestId: "req_1" }, "not-options");
  // @ts-expect-error an option that does not exist
  await app.validateAttachmentRequest(actor, { requestId: "req_1" }, { idempotency: "k" } satisfies CommandOptions);
  // @ts-expect-error the actor is an id (a string)
  await app.validateAttachmentRequest(42, { requestId: "req_1" });
  // @ts-expect-error a scope kind that does not exist
  await app.requestAttachment(actor, { structureId: "str_1", scope: { kind: "everything" } });
  // @ts-expect-error services without their ids
  await app.requestAttachment(actor, { structureId: "str_1", scope: { kind: "services" } });
  // @ts-expect-error an access level that does not exist
  await app.grantSpaces(actor, { structureId: "str_1", userIds: ["usr_2"], items: [{ space: "FACTURES_RECUES", access: "admin" }] });
  // @ts-expect-error the login is immutable: not a field of the changes
  await app.updateUser(actor, { userId: "usr_2", changes: { login: "x@example.fr" } });
  // @ts-expect-error a service's id is never undefined: absent, it means the whole structure (a failed lookup must not widen a grant)
  await app.grantSpaces(actor, { structureId: "str_1", userIds: ["usr_2"], items: [{ space: "FACTURES_RECUES", access: "read", serviceId: target }] });
  // @ts-expect-error the outbox's options are typed too: a misspelt one
  await app.claimEvents({ limt: 10 });
  // @ts-expect-error event ids are strings
  await app.acknowledgeEvents([1, 2]);
  // @ts-expect-error a purge names its instant
  await app.purgeIdempotencyRecords({});
  // @ts-expect-error a required field is never undefined
  await app.refuseAttachmentRequest(actor, { requestId: "req_1", reason: undefined });
  // @ts-expect-error a required field missing (the reason of a refusal)
  await app.refuseAttachmentRequest(actor, { requestId: "req_1" });
  // @ts-expect-error the page size is a number (or its digits), not a boolean
  await app.listMembers(actor, { structureId: "str_1", limit: true });
  // @ts-expect-error a transfer names a successor
  await app.transferPrimaryRole(actor, { structureIds: ["str_1"] });
}
