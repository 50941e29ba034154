// The pure core: types, rules and transitions. No I/O, no clock, no randomness.
// (An internal barrel for the application layer and the adapters; the package's public
// API is listed by name in src/index.ts.)
export * from "./result.js";
export * from "./ids.js";
export * from "./time.js";
export * from "./text.js";
export * from "./vocabulary.js";
export * from "./identifier.js";
export type * from "./model.js";
export * from "./errors.js";
export * from "./history.js";
export type * from "./events.js";
export * from "./scope.js";
export * from "./authorization.js";
export * from "./boundary.js";
export * from "./schemas.js";
export * from "./records.js";
export * from "./structures/createStructure.js";
export * from "./structures/services.js";
export * from "./structures/schemas.js";
export * from "./users/registerUser.js";
export * from "./users/schemas.js";
export * from "./attachment-requests/requestAttachment.js";
export * from "./attachment-requests/validateAttachmentRequest.js";
export * from "./attachment-requests/refuseAttachmentRequest.js";
export * from "./attachment-requests/bulk.js";
export * from "./attachment-requests/consultAttachmentRequest.js";
export * from "./attachment-requests/pendingRequests.js";
export * from "./attachment-requests/schemas.js";
export * from "./attachments/attachUser.js";
export * from "./attachments/memberChanges.js";
export * from "./attachments/schemas.js";
