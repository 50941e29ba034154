// habilitations: the public API, by name. Internals stay out.

// Results and errors
export { ok, err } from "./core/result.js";
export type { Result, Ok, Err } from "./core/result.js";
export { errorMessage } from "./core/errors.js";
export type {
  DomainError,
  DomainErrorCode,
  DomainErrorOf,
  EntityKind,
  ForbiddenReason,
  ValidationIssue,
} from "./core/errors.js";

// HTTP glue: the status and the problem details (RFC 9457) of every error code
export { ERROR_CODES, httpStatusOf, problemDetails, PROBLEM_CONTENT_TYPE } from "./core/http.js";
export type { HttpErrorStatus, ProblemDetails, ProblemDetailsOptions } from "./core/http.js";

// Ids, time and text
export { structureId, serviceId, userId, attachmentRequestId, subscriptionRequestId, spaceCode } from "./core/ids.js";
export type { Brand, StructureId, ServiceId, UserId, AttachmentRequestId, SubscriptionRequestId, SpaceCode } from "./core/ids.js";
export {
  toInstant,
  todayOf,
  localDate,
  isLocalDate,
  isInForce,
  hasEnded,
  addCalendarDays,
  calendarDaysBetween,
  calendarDate,
  frenchInstant,
  DEFAULT_TIME_ZONE,
} from "./core/time.js";
export type { Instant, LocalDate, TransitionContext } from "./core/time.js";
export {
  isBlank,
  visibleText,
  textProblem,
  normalizeServiceCode,
  SERVICE_CODE_PATTERN,
} from "./core/text.js";
export type { TextProblem } from "./core/text.js";

// Vocabulary: values, French labels, Chorus Pro codes
export {
  ROLES,
  ATTACHMENT_ROLES,
  roleLabel,
  roleToApiCode,
  roleFromApiCode,
  ATTACHMENT_REQUEST_STATUSES,
  attachmentRequestStatusLabel,
  attachmentRequestStatusToApiCode,
  attachmentRequestStatusFromApiCode,
  serviceAttachmentStatusLabel,
  ACCOUNT_STATUSES,
  accountStatusLabel,
  STRUCTURE_KINDS,
  structureKindLabel,
  structureKindToApiCode,
  structureKindFromApiCode,
  IDENTIFIER_TYPES,
  identifierTypeLabel,
  identifierTypeToApiCode,
  identifierTypeFromApiCode,
  ACCESS_LEVELS,
  accessLevelLabel,
  accessLevelToApiCode,
  accessLevelFromApiCode,
  SUBSCRIPTION_REQUEST_STATUSES,
  subscriptionRequestStatusLabel,
  SUBSCRIPTION_SCOPES,
  subscriptionScopeLabel,
  ACTIVITY_NOTIFICATIONS,
  activityNotificationsLabel,
} from "./core/vocabulary.js";
export type {
  Role,
  AttachmentRole,
  AttachmentRequestStatus,
  ServiceAttachmentStatus,
  AccountStatus,
  StructureKind,
  IdentifierType,
  AccessLevel,
  SubscriptionRequestStatus,
  SubscriptionScope,
  ActivityNotifications,
} from "./core/vocabulary.js";
export {
  checkIdentifier,
  isValidSiret,
  normalizeIdentifierValue,
  MAX_IDENTIFIER_LENGTH,
} from "./core/identifier.js";
export type { StructureIdentifier, IdentifierProblem } from "./core/identifier.js";

// The model, history and events
export type {
  Structure,
  Service,
  User,
  Attachment,
  AttachmentScope,
  AttachmentRequest,
  PendingAttachmentRequest,
  ValidatedAttachmentRequest,
  RefusedAttachmentRequest,
  SpaceGrant,
  SubscriptionItem,
  SubscriptionRequest,
  PendingSubscriptionRequest,
  ValidatedSubscriptionRequest,
  RefusedSubscriptionRequest,
  PostalAddress,
  UserSettings,
  Activation,
  ActivationToken,
  AccountEmail,
  EmailInitiator,
  ContactEmailChange,
  EndNotice,
} from "./core/model.js";
export { HISTORY_KINDS, historyKindLabel } from "./core/history.js";
export type { HistoryKind, HistoryDetails, NewHistoryEntry, HistoryEntry } from "./core/history.js";
export type { DomainEvent, DomainEventType, RecordedEvent } from "./core/events.js";
export { withoutSecret } from "./core/events.js";

// Rules
export {
  WHOLE_STRUCTURE,
  servicesScope,
  normalizeScope,
  scopeServiceIds,
  sameScope,
  effectiveScope,
  checkGrantableScope,
  indexServices,
} from "./core/scope.js";
export { attachmentTo, roleIn, authorizeManager, canManage } from "./core/authorization.js";
export type { ManagerRole } from "./core/authorization.js";
export type { StructureCard, RequesterCard } from "./core/_lib.js";

// Pure transitions and queries
export { createStructure } from "./core/structures/createStructure.js";
export type { CreateStructure, CreateStructureState, StructureCreated } from "./core/structures/createStructure.js";
export { addService, renameService, deactivateService } from "./core/structures/services.js";
export type {
  AddService,
  RenameService,
  DeactivateService,
  ManagerState,
  ServiceState,
  ServiceChanged,
} from "./core/structures/services.js";
export { registerUser, normalizeLogin } from "./core/users/registerUser.js";
export type { RegisterUser, UserRegistered } from "./core/users/registerUser.js";
export {
  DEFAULT_ACTIVATION_POLICY,
  nextEmailAllowedAt,
  withEmailCounted,
  freshActivationToken,
  withToken,
  initiatorOf,
} from "./core/accounts/policy.js";
export type { ActivationPolicy, IssuedToken } from "./core/accounts/policy.js";
export {
  createAccount,
  registerAccount,
  activationEmail,
  withFreshActivation,
  DEFAULT_USER_SETTINGS,
} from "./core/accounts/createAccount.js";
export type {
  AccountDetails,
  CreateAccount,
  CreateAccountState,
  AccountCreated,
  RegisterAccount,
  AccountRegistration,
  NewAccountContext,
} from "./core/accounts/createAccount.js";
export {
  sendActivationEmail,
  activateAccount,
  isUserOf,
  isUserInForceOf,
  isPendingAccountOf,
  accountStructures,
} from "./core/accounts/activation.js";
export { withContactEmailChange, confirmContactEmail } from "./core/accounts/contactEmail.js";
export type { ConfirmContactEmail, ContactEmailConfirmed } from "./core/accounts/contactEmail.js";
export type {
  SendActivationEmails,
  SendActivationEmailState,
  ActivationEmailSent,
  ActivateAccount,
  AccountActivated,
} from "./core/accounts/activation.js";
export { updateUser } from "./core/accounts/updateUser.js";
export type { UpdateUser, UserChanges, UpdateUserState, UserUpdated, UpdateUserContext } from "./core/accounts/updateUser.js";
export { personalInformation, userStructures } from "./core/accounts/views.js";
export { transferPrimaryRole, deactivateAccount, reactivateAccount, primaryStructuresOf } from "./core/transfer/transfer.js";
export type {
  Succession,
  TransferPrimaryRole,
  DeactivateAccount,
  TransferState,
  PrimaryRoleTransferred,
  AccountDeactivated,
  AccountReactivated,
} from "./core/transfer/transfer.js";
export {
  TransferPrimaryRoleSchema,
  DeactivateAccountSchema,
  parseTransferPrimaryRole,
  parseDeactivateAccount,
} from "./core/transfer/schemas.js";
export type { TransferPrimaryRoleInput, DeactivateAccountInput, DeactivateAccountCommand } from "./core/transfer/schemas.js";
export type { PersonalInformation, UserStructureLine, ServiceLine } from "./core/accounts/views.js";

// Guide §5: search, lookup and CSV export
export { normalizeForSearch } from "./core/search/normalize.js";
export { searchKeyOf, searchStructuresOf, matchesSearch, searchReference } from "./core/search/query.js";
export type { UserSearchQuery } from "./core/search/query.js";
export { maskLogin, personCard } from "./core/search/lookup.js";
export type { PersonCard } from "./core/search/lookup.js";
export {
  DEFAULT_CSV_OPTIONS,
  USER_EXPORT_HEADERS,
  neutralizeCell,
  csvCell,
  csvLine,
  exportDate,
  userExportCells,
  userExportLine,
  userExportRow,
  exportStructuresOf,
} from "./core/search/csv.js";
export type { CsvOptions, ExportedAttachment, UserExportRow } from "./core/search/csv.js";
export { requestAttachment } from "./core/attachment-requests/requestAttachment.js";
export type {
  RequestAttachment,
  RequestAttachmentState,
  AttachmentRequested,
} from "./core/attachment-requests/requestAttachment.js";
export {
  validateAttachmentRequest,
  defaultValidationScope,
} from "./core/attachment-requests/validateAttachmentRequest.js";
export type {
  ValidateAttachmentRequest,
  DecideRequestState,
  AttachmentRequestValidated,
} from "./core/attachment-requests/validateAttachmentRequest.js";
export { refuseAttachmentRequest } from "./core/attachment-requests/refuseAttachmentRequest.js";
export type {
  RefuseAttachmentRequest,
  RefuseRequestState,
  AttachmentRequestRefused,
} from "./core/attachment-requests/refuseAttachmentRequest.js";
export {
  validateAttachmentRequests,
  refuseAttachmentRequests,
} from "./core/attachment-requests/bulk.js";
export type {
  BulkDecisionState,
  ValidateAttachmentRequests,
  RefuseAttachmentRequests,
  BulkItemResult,
  BulkDecision,
} from "./core/attachment-requests/bulk.js";
export { consultAttachmentRequest } from "./core/attachment-requests/consultAttachmentRequest.js";
export type {
  AttachmentRequestView,
  RequestServiceLine,
  ConsultRequestState,
} from "./core/attachment-requests/consultAttachmentRequest.js";
export {
  managedStructureIds,
  pendingRequestsForManager,
} from "./core/attachment-requests/pendingRequests.js";
export { attachUser } from "./core/attachments/attachUser.js";
export type { AttachUser, AttachUserState, UserAttached } from "./core/attachments/attachUser.js";
export { changeMemberRole, removeAttachment } from "./core/attachments/memberChanges.js";
export type {
  ChangeMemberRole,
  RemoveAttachment,
  MemberState,
  MemberChanged,
} from "./core/attachments/memberChanges.js";
export { checkMember } from "./core/attachments/memberChanges.js";
export { copyMemberRights } from "./core/attachments/copyMemberRights.js";
export type { CopyMemberRights, CopyRightsState, MemberRightsCopied } from "./core/attachments/copyMemberRights.js";

// Rights with an end (issue 21): end dates, their changes, the expiry sweep
export { checkValidUntil, withEnd } from "./core/ends/rules.js";
export { changeAttachmentEnd, changeGrantEnd } from "./core/ends/changeEnds.js";
export type { ChangeAttachmentEnd, ChangeGrantEnd } from "./core/ends/changeEnds.js";
export {
  DEFAULT_EXPIRY_WARNING_DAYS,
  EXPIRY_WARNING_DAYS_RANGE,
  dueThrough,
  noticeDue,
  recordExpiries,
} from "./core/ends/expiries.js";
export type { ExpiryContext, ExpiriesRecorded } from "./core/ends/expiries.js";
export {
  ChangeAttachmentEndSchema,
  ChangeGrantEndSchema,
  parseChangeAttachmentEnd,
  parseChangeGrantEnd,
} from "./core/ends/schemas.js";

// Guide §2: spaces and subscription requests
export { CHORUS_PRO_SPACES, spaceCatalogue, checkSpaces, SPACE_CODE_PATTERN } from "./core/subscriptions/catalogue.js";
export type { SpaceCatalogue, SpaceDefinition } from "./core/subscriptions/catalogue.js";
export { mayAccess, usableGrants, isSpaceOpen, accessCovers, withGrants, grantKey } from "./core/subscriptions/access.js";
export type { AccessQuery, AccessState } from "./core/subscriptions/access.js";
export { canonicalItems, checkItems } from "./core/subscriptions/items.js";
export { requestSubscription } from "./core/subscriptions/requestSubscription.js";
export type { RequestSubscription, RequestSubscriptionState, SubscriptionRequested } from "./core/subscriptions/requestSubscription.js";
export {
  validateSubscriptionRequest,
  refuseSubscriptionRequest,
  checkSubscriptionDecidable,
} from "./core/subscriptions/decideSubscriptionRequest.js";
export type {
  ValidateSubscriptionRequest,
  RefuseSubscriptionRequest,
  DecideSubscriptionState,
  SubscriptionRequestValidated,
  SubscriptionRequestRefused,
} from "./core/subscriptions/decideSubscriptionRequest.js";
export { openSpace, closeSpace } from "./core/subscriptions/spaces.js";
export type { SpaceOnStructure, SpaceState, SpaceChanged } from "./core/subscriptions/spaces.js";
export { grantSpaces, revokeSpaceGrant, newGrants, checkManagerOnMember } from "./core/subscriptions/grants.js";
export type { GrantSpaces, RevokeSpaceGrant, GrantState, GrantsChanged } from "./core/subscriptions/grants.js";
export { consultSubscriptionRequest, ALL_SERVICES_LABEL } from "./core/subscriptions/consultSubscriptionRequest.js";
export type { SubscriptionRequestView, SubscriptionItemLine } from "./core/subscriptions/consultSubscriptionRequest.js";
export {
  MAX_SUBSCRIPTION_ITEMS,
  MAX_GRANT_USERS,
  SpaceCodeSchema,
  SubscriptionRequestIdSchema,
  AccessLevelSchema,
  SubscriptionItemSchema,
  RequestSubscriptionSchema,
  ValidateSubscriptionRequestSchema,
  RefuseSubscriptionRequestSchema,
  ValidateSubscriptionRequestsSchema,
  RefuseSubscriptionRequestsSchema,
  SpaceOnStructureSchema,
  GrantSpacesSchema,
  RevokeSpaceGrantSchema,
  AccessQuerySchema,
  parseRequestSubscription,
  parseValidateSubscriptionRequest,
  parseRefuseSubscriptionRequest,
  parseSpaceOnStructure,
  parseRevokeSpaceGrant,
  parseAccessQuery,
} from "./core/subscriptions/schemas.js";
export type { ParsedAccessQuery } from "./core/subscriptions/schemas.js";

// The boundary: plain data in, schemas and parse functions
export {
  parseWith,
  MAX_VALIDATION_ISSUES,
  MAX_INPUT_NODES,
  MAX_INPUT_DEPTH,
  MAX_KEY_LENGTH,
} from "./core/boundary.js";
export {
  isId,
  MAX_TEXT_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SCOPE_SERVICES,
  MAX_BULK_ITEMS,
  StructureIdSchema,
  ServiceIdSchema,
  UserIdSchema,
  AttachmentRequestIdSchema,
  InstantSchema,
  LocalDateSchema,
  MultilineTextSchema,
  NameSchema,
  ServiceCodeSchema,
  EmailSchema,
  RoleSchema,
  AttachmentRoleSchema,
  AttachmentScopeSchema,
  StructureIdentifierSchema,
} from "./core/schemas.js";
export {
  StructureSchema,
  ServiceSchema,
  UserSchema,
  AttachmentRequestSchema,
  SubscriptionRequestSchema,
  NewHistoryEntrySchema,
  HistoryEntrySchema,
  DomainEventSchema,
  RecordedEventSchema,
  parseStructure,
  parseService,
  parseUser,
  parseAttachmentRequest,
  parseSubscriptionRequest,
  parseHistoryEntry,
  parseNewHistoryEntry,
  parseDomainEvent,
  parseRecordedEvent,
} from "./core/records.js";
export {
  CreateStructureSchema,
  AddServiceSchema,
  RenameServiceSchema,
  DeactivateServiceSchema,
  parseCreateStructure,
  parseAddService,
  parseRenameService,
  parseDeactivateService,
} from "./core/structures/schemas.js";
export { RegisterUserSchema, parseRegisterUser } from "./core/users/schemas.js";
export {
  PhoneSchema,
  PostalAddressSchema,
  UserSettingsSchema,
  TokenHashSchema,
  AccountDetailsSchema,
  CreateAccountSchema,
  RegisterAccountSchema,
  SendActivationEmailsSchema,
  ActivationTokenSchema,
  ActivateAccountSchema,
  UserChangesSchema,
  UpdateUserSchema,
  UserRefSchema,
  parseCreateAccount,
  parseRegisterAccount,
  parseSendActivationEmails,
  parseActivateAccount,
  parseUpdateUser,
} from "./core/accounts/schemas.js";
export {
  UserSearchCriteriaSchema,
  SearchUsersSchema,
  LookupPersonSchema,
  ExportUsersSchema,
  parseSearchUsers,
  parseLookupPerson,
  parseExportUsers,
} from "./core/search/schemas.js";
export type { UserSearchCriteria, SearchUsers, LookupPerson, ExportUsers } from "./core/search/schemas.js";
export {
  RequestAttachmentSchema,
  ValidateAttachmentRequestSchema,
  RefuseAttachmentRequestSchema,
  ValidateAttachmentRequestsSchema,
  RefuseAttachmentRequestsSchema,
  parseRequestAttachment,
  parseValidateAttachmentRequest,
  parseRefuseAttachmentRequest,
  parseValidateAttachmentRequests,
  parseRefuseAttachmentRequests,
} from "./core/attachment-requests/schemas.js";
export {
  AttachUserSchema,
  ChangeMemberRoleSchema,
  RemoveAttachmentSchema,
  CopyMemberRightsSchema,
  parseAttachUser,
  parseChangeMemberRole,
  parseRemoveAttachment,
  parseCopyMemberRights,
} from "./core/attachments/schemas.js";

// Chorus Pro's « Structures » API (issue 21): codes both ways, request parsers, payload renderers
export {
  ATTACHMENT_ROW_STATUSES,
  attachmentRowStatusLabel,
  SERVICE_STATUSES,
  serviceStatusLabel,
  STRUCTURE_STATUSES,
  structureStatusLabel,
  SPACE_STATUSES,
  spaceStatusLabel,
  SORT_DIRECTIONS,
  STRUCTURE_SORT_COLUMNS,
  SERVICE_SORT_COLUMNS,
  ATTACHMENT_SORT_COLUMNS,
  SPACE_SORT_COLUMNS,
  chorusProAttachmentStatus,
  chorusProServiceStatus,
  chorusProStructureStatus,
  chorusProStructureStatusFilter,
  chorusProStructureKind,
  chorusProIdentifierType,
  chorusProAccess,
  chorusProSpaceStatus,
  chorusProSortDirection,
  chorusProStructureSort,
  chorusProServiceSort,
  chorusProAttachmentSort,
  chorusProSpaceSort,
  CHORUS_PRO_CODE_TABLES,
} from "./core/chorus-pro/codes.js";
export type {
  ChorusProCodeTable,
  AttachmentRowStatus,
  ServiceStatus,
  StructureStatus,
  SpaceStatus,
  SortDirection,
  StructureSortColumn,
  ServiceSortColumn,
  AttachmentSortColumn,
  SpaceSortColumn,
} from "./core/chorus-pro/codes.js";
export { decimalId, DECIMAL_CHORUS_PRO_IDS, chorusProStructureRef } from "./core/chorus-pro/options.js";
export type { ChorusProIds, ChorusProNumbering, ChorusProOptions, ChorusProStructureRef, ChorusProStructureFields } from "./core/chorus-pro/options.js";
export {
  CHORUS_PRO_DEFAULT_PAGE_SIZE,
  CHORUS_PRO_MAX_PAGE_SIZE,
  CHORUS_PRO_MAX_PAGE,
  CHORUS_PRO_SUCCESS,
  chorusProListing,
} from "./core/chorus-pro/listing.js";
export type { ChorusProListing, ChorusProPaging } from "./core/chorus-pro/listing.js";
export type * from "./core/chorus-pro/payloads.js";
export { attachmentRows } from "./core/chorus-pro/attachmentRows.js";
export type { AttachmentRow, AttachmentRowsInput, AttachmentHistoryFact } from "./core/chorus-pro/attachmentRows.js";
export {
  RechercherStructureRequestSchema,
  parseRechercherStructureRequest,
  structureCriteriaOf,
  matchesStructureCriteria,
  renderRechercherStructure,
} from "./core/chorus-pro/rechercherStructure.js";
export type { RechercherStructureRequest, StructureCriteria, ChorusProRechercherStructureInput } from "./core/chorus-pro/rechercherStructure.js";
export {
  ConsulterStructureRequestSchema,
  LanguageCodeSchema,
  parseConsulterStructureRequest,
  renderConsulterStructure,
} from "./core/chorus-pro/consulterStructure.js";
export type { ConsulterStructureRequest, ChorusProConsulterStructureInput } from "./core/chorus-pro/consulterStructure.js";
export {
  ConsulterServiceStructureRequestSchema,
  parseConsulterServiceStructureRequest,
  renderConsulterServiceStructure,
} from "./core/chorus-pro/consulterServiceStructure.js";
export type { ConsulterServiceStructureRequest, ChorusProConsulterServiceStructureInput } from "./core/chorus-pro/consulterServiceStructure.js";
export {
  RechercherServicesStructureRequestSchema,
  parseRechercherServicesStructureRequest,
  renderRechercherServicesStructure,
} from "./core/chorus-pro/rechercherServicesStructure.js";
export type { RechercherServicesStructureRequest, ChorusProRechercherServicesStructureInput } from "./core/chorus-pro/rechercherServicesStructure.js";
export {
  ListerRattachementsUtilisateurRequestSchema,
  parseListerRattachementsUtilisateurRequest,
  renderListerRattachementsUtilisateur,
} from "./core/chorus-pro/listerRattachementsUtilisateur.js";
export type { ListerRattachementsUtilisateurRequest, ChorusProListerRattachementsUtilisateurInput } from "./core/chorus-pro/listerRattachementsUtilisateur.js";
export {
  RechercherEspacesRequestSchema,
  parseRechercherEspacesRequest,
  renderRechercherEspaces,
} from "./core/chorus-pro/rechercherEspaces.js";
export type { RechercherEspacesRequest, SpacesInput, ChorusProRechercherEspacesInput } from "./core/chorus-pro/rechercherEspaces.js";

// The repository port
export { AGGREGATE_KINDS, aggregateId, attachmentRequestContextRefs, matchesHistoryQuery, refsOf, dueExpiryOf } from "./port/store.js";
export type {
  HabilitationsStore,
  AggregateKind,
  AggregateTypes,
  Versioned,
  Write,
  ReadCheck,
  UnitOfWork,
  CommitReceipt,
  CommitError,
  CommitResult,
  Page,
  PendingCursor,
  HistoryQuery,
  IdempotencyClaim,
  IdempotencyRecord,
  OutboxMessage,
  OutboxClaim,
  AggregateRefs,
  AggregateRows,
  DueExpiriesQuery,
} from "./port/store.js";

// The application layer
export { createHabilitations, MAX_PAGE_SIZE, MAX_OUTBOX_BATCH, MAX_EXPIRY_BATCH, MAX_LOOKUP_RESULTS, CHORUS_PRO_MAX_ATTACHMENT_FACTS, hashActivationToken } from "./application/index.js";
export type {
  Habilitations,
  HabilitationsOptions,
  ActorId,
  IdKind,
  CommandOptions,
  ContactEmailConfirmedOutcome,
  Outcome,
  MemberView,
  StructureCreatedOutcome,
  ServiceChangedOutcome,
  UserRegisteredOutcome,
  AccountCreatedOutcome,
  RegistrationReceipt,
  ActivationEmailOutcome,
  ActivationEmailResultItem,
  ActivationEmailsOutcome,
  AccountActivatedOutcome,
  UserUpdatedOutcome,
  PrimaryRoleTransferredOutcome,
  AccountDeactivatedOutcome,
  AccountReactivatedOutcome,
  AttachmentRequestedOutcome,
  AttachmentRequestValidatedOutcome,
  AttachmentRequestRefusedOutcome,
  MemberChangedOutcome,
  BulkOutcome,
  BulkResultItem,
  PendingRequestSummary,
  MemberSummary,
  RelayReport,
  DeliveryFailure,
  RelayFailure,
  RelayLoop,
  RelayLoopOptions,
  SubscriptionRequestedOutcome,
  SubscriptionRequestValidatedOutcome,
  SubscriptionRequestRefusedOutcome,
  PendingSubscriptionSummary,
  SpaceChangedOutcome,
  GrantsChangedOutcome,
  GrantResultItem,
  MemberGrants,
  UserSearchHit,
  UserSearchPage,
  UserExport,
  ExpiriesOutcome,
} from "./application/index.js";

// What every operation takes: each input's type, named after the operation (the schema's
// input type: a misspelt field or a wrong value in a literal does not compile; the same
// input is still parsed at run time, so an untyped body can be passed with a cast).
export type {
  ListMembersInput,
  ReadHistoryInput,
  ListPendingAttachmentRequestsInput,
  ConsultAttachmentRequestInput,
  ListPendingSubscriptionRequestsInput,
  ConsultSubscriptionRequestInput,
  ListMemberGrantsInput,
  RecordExpiriesInput,
} from "./application/index.js";
export type {
  RequestAttachmentInput,
  ValidateAttachmentRequestInput,
  RefuseAttachmentRequestInput,
  ValidateAttachmentRequestsInput,
  RefuseAttachmentRequestsInput,
} from "./core/attachment-requests/schemas.js";
export type { AttachUserInput, ChangeMemberRoleInput, RemoveAttachmentInput, LeaveStructureInput, CopyMemberRightsInput } from "./core/attachments/schemas.js";
export type { ChangeAttachmentEndInput, ChangeGrantEndInput } from "./core/ends/schemas.js";
export type { RegisterUserInput } from "./core/users/schemas.js";
export type { CreateStructureInput, AddServiceInput, RenameServiceInput, DeactivateServiceInput } from "./core/structures/schemas.js";
export type {
  CreateAccountInput,
  RegisterAccountInput,
  SendActivationEmailsInput,
  ActivateAccountInput,
  ConfirmContactEmailInput,
  UpdateUserInput,
  GetPersonalInformationInput,
  ListUserStructuresInput,
} from "./core/accounts/schemas.js";
export type { SearchUsersInput, LookupPersonInput, ExportUsersInput } from "./core/search/schemas.js";
export type {
  RequestSubscriptionInput,
  ValidateSubscriptionRequestInput,
  RefuseSubscriptionRequestInput,
  ValidateSubscriptionRequestsInput,
  RefuseSubscriptionRequestsInput,
  GrantSpacesInput,
  RevokeSpaceGrantInput,
  OpenSpaceInput,
  CloseSpaceInput,
  MayAccessInput,
} from "./core/subscriptions/schemas.js";
export { typed } from "./core/boundary.js";
export { GrantedRoleSchema } from "./core/schemas.js";
export type { DeepReadonly } from "./core/boundary.js";
