import { freezeOwned, frozenCopy } from "../internal/frozen.js";
import { accountOperations } from "./accounts.js";
import { attachmentRequestOperations } from "./attachment-requests.js";
import { attachmentOperations } from "./attachments.js";
import { chorusProOperations } from "./chorus-pro.js";
import { expiryOperations } from "./expiries.js";
import { historyOperations } from "./history.js";
import { outboxOperations } from "./outbox.js";
import { pendingRequestOperations } from "./pending-requests.js";
import { spaceOperations } from "./spaces.js";
import { subscriptionQueryOperations } from "./subscription-queries.js";
import { subscriptionOperations } from "./subscriptions.js";
import { resolveOptions, type HabilitationsOptions } from "./runner.js";
import { searchOperations } from "./search.js";
import { structureOperations } from "./structures.js";
import { transferOperations } from "./transfer.js";
import { userOperations } from "./users.js";

/**
 * The application layer: one async function per business act of the guide, composed
 * from one module per guide section. Each act parses its input (junk gives
 * `VALIDATION`), loads what the rule needs, runs the pure transition with the injected
 * clock and ids, saves everything in one unit of work with its history and events
 * (retrying on a version conflict), and returns `Result<{ …outcome, history, events }>`
 * holding only what the actor may see. Nothing is ever half-written, and no domain
 * rule throws.
 */
export type Habilitations = ReturnType<typeof structureOperations> &
  ReturnType<typeof userOperations> &
  ReturnType<typeof accountOperations> &
  ReturnType<typeof attachmentRequestOperations> &
  ReturnType<typeof pendingRequestOperations> &
  ReturnType<typeof subscriptionOperations> &
  ReturnType<typeof subscriptionQueryOperations> &
  ReturnType<typeof spaceOperations> &
  ReturnType<typeof attachmentOperations> &
  ReturnType<typeof historyOperations> &
  ReturnType<typeof searchOperations> &
  ReturnType<typeof transferOperations> &
  ReturnType<typeof outboxOperations> &
  ReturnType<typeof chorusProOperations> &
  ReturnType<typeof expiryOperations>;

/**
 * Creates the application over a store. Throws (`RangeError`, `TypeError`) only for
 * options that can never work: a `maxAttempts` below 1, an unknown time zone, a store
 * missing methods.
 *
 * @example
 * ```ts
 * import { createHabilitations, errorMessage } from "habilitations";
 * import { createMemoryStore } from "habilitations/memory";
 *
 * const app = createHabilitations({ store: createMemoryStore() });
 * const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
 * if (!alice.ok) throw new Error(errorMessage(alice.error));
 * const acme = await app.createStructure(alice.value.user.id, {
 *   designation: "ACME", kind: "private", identifier: { type: "siret", value: "73282932000074" },
 * });
 * ```
 */
export function createHabilitations(options: HabilitationsOptions): Habilitations {
  const deps = resolveOptions(options);
  const operations = {
    ...structureOperations(deps),
    ...userOperations(deps),
    ...accountOperations(deps),
    ...attachmentRequestOperations(deps),
    ...pendingRequestOperations(deps),
    ...subscriptionOperations(deps),
    ...subscriptionQueryOperations(deps),
    ...spaceOperations(deps),
    ...attachmentOperations(deps),
    ...historyOperations(deps),
    ...searchOperations(deps),
    ...transferOperations(deps),
    ...outboxOperations(deps),
    ...chorusProOperations(deps),
    ...expiryOperations(deps),
  };
  // Whatever an operation gives back — success or refusal, every level — the caller
  // cannot change (what is already frozen is reused as it is).
  const frozen: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(operations))
    frozen[name] =
      // (The relay loop is a controller, not an outcome.)
      name === "listSpaces" || name === "startRelay"
        ? operation
        : name === "exportUsers"
          ? // The export's body is a stream: freeze the envelope, not the iterator.
            async (...args: unknown[]) => {
              const r = (await (operation as (...a: unknown[]) => Promise<{ ok: boolean; value?: object }>)(...args)) as {
                ok: boolean;
                value?: object;
              };
              if (r.ok && r.value !== undefined) Object.freeze(r.value);
              return Object.freeze(r.ok ? r : frozenCopy(r));
            }
        : // What an operation gives back it has just built (its parts from a store already frozen):
          // frozen in place, not copied.
          async (...args: unknown[]) => freezeOwned(await (operation as (...a: unknown[]) => Promise<unknown>)(...args));
  return Object.freeze(frozen) as Habilitations;
}

export type { ActorId, HabilitationsOptions, IdKind, CommandOptions, Outcome } from "./runner.js";
export type { MemberView } from "./views.js";
export type { StructureCreatedOutcome, ServiceChangedOutcome } from "./structures.js";
export type { UserRegisteredOutcome } from "./users.js";
export type {
  AccountCreatedOutcome,
  RegistrationReceipt,
  ActivationEmailOutcome,
  ActivationEmailResultItem,
  ActivationEmailsOutcome,
  AccountActivatedOutcome,
  UserUpdatedOutcome,
  ContactEmailConfirmedOutcome,
} from "./accounts.js";
export type { ListMembersInput } from "./attachments.js";
export type { ReadHistoryInput } from "./history.js";
export type { ListPendingAttachmentRequestsInput, ConsultAttachmentRequestInput } from "./pending-requests.js";
export type { ListPendingSubscriptionRequestsInput, ConsultSubscriptionRequestInput } from "./subscription-queries.js";
export type { ListMemberGrantsInput } from "./spaces.js";
export { hashActivationToken } from "./options.js";
export type {
  AttachmentRequestedOutcome,
  AttachmentRequestValidatedOutcome,
  AttachmentRequestRefusedOutcome,
} from "./attachment-requests.js";
export type { BulkOutcome, BulkResultItem } from "./runner.js";
export type { PendingRequestSummary } from "./pending-requests.js";
export { MAX_PAGE_SIZE } from "./cursor.js";
export type { MemberChangedOutcome, MemberSummary } from "./attachments.js";
export type {
  RelayReport,
  DeliveryFailure,
  RelayFailure,
  RelayLoop,
  RelayLoopOptions,
  ClaimEventsInput,
  AcknowledgeEventsInput,
  PurgeIdempotencyRecordsInput,
} from "./outbox.js";
export type { UserSearchHit, UserSearchPage, UserExport } from "./search.js";
export { MAX_LOOKUP_RESULTS } from "./search.js";
export type { PrimaryRoleTransferredOutcome, AccountDeactivatedOutcome, AccountReactivatedOutcome } from "./transfer.js";
export { MAX_OUTBOX_BATCH } from "./outbox.js";
export { CHORUS_PRO_MAX_ATTACHMENT_FACTS } from "./chorus-pro.js";
export { MAX_EXPIRY_BATCH } from "./expiries.js";
export type { RecordExpiriesInput, ExpiriesOutcome } from "./expiries.js";
export type { SubscriptionRequestedOutcome, SubscriptionRequestValidatedOutcome, SubscriptionRequestRefusedOutcome } from "./subscriptions.js";
export type { PendingSubscriptionSummary } from "./subscription-queries.js";
export type { SpaceChangedOutcome, GrantsChangedOutcome, GrantResultItem, MemberGrants } from "./spaces.js";
