declare const brand: unique symbol;

/** A nominal type: a `T` that only code which knows what it means can create. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Identifies a {@link Structure} (Chorus Pro: `idStructureCPP`). */
export type StructureId = Brand<string, "StructureId">;
/** Identifies a {@link Service} of a structure. */
export type ServiceId = Brand<string, "ServiceId">;
/** Identifies a {@link User} account. */
export type UserId = Brand<string, "UserId">;
/** Identifies an {@link AttachmentRequest}. */
export type AttachmentRequestId = Brand<string, "AttachmentRequestId">;
/** Identifies a {@link SubscriptionRequest} (a request for spaces). */
export type SubscriptionRequestId = Brand<string, "SubscriptionRequestId">;
/** A space's code in the catalogue (`"FACTURES_EMISES"`, …). */
export type SpaceCode = Brand<string, "SpaceCode">;

/**
 * Treats a string as a structure id (no check: ids are opaque to the library).
 *
 * @example
 * ```ts
 * const id = structureId("s-acme");
 * ```
 */
export const structureId = (value: string): StructureId => value as StructureId;

/**
 * Treats a string as a service id.
 *
 * @example
 * ```ts
 * const id = serviceId("svc-compta");
 * ```
 */
export const serviceId = (value: string): ServiceId => value as ServiceId;

/**
 * Treats a string as a user id.
 *
 * @example
 * ```ts
 * const id = userId("u-elodie");
 * ```
 */
export const userId = (value: string): UserId => value as UserId;

/**
 * Treats a string as an attachment request id.
 *
 * @example
 * ```ts
 * const id = attachmentRequestId("req-1");
 * ```
 */
export const attachmentRequestId = (value: string): AttachmentRequestId =>
  value as AttachmentRequestId;

/**
 * Treats a string as a subscription request id.
 *
 * @example
 * ```ts
 * const id = subscriptionRequestId("sub-1");
 * ```
 */
export const subscriptionRequestId = (value: string): SubscriptionRequestId => value as SubscriptionRequestId;

/**
 * Treats a string as a space code (no check: the catalogue checks).
 *
 * @example
 * ```ts
 * const code = spaceCode("FACTURES_EMISES");
 * ```
 */
export const spaceCode = (value: string): SpaceCode => value as SpaceCode;
