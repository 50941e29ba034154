// HTTP glue, framework-free: the status of every error code, and its problem details
// (RFC 9457). One table, keyed by every code of DomainError, so the list of codes, the
// statuses and the union cannot drift apart: the compiler refuses a missing or an
// unknown code, and a new code is one line here.
import { errorMessage, type DomainError, type DomainErrorCode } from "./errors.js";

/** The HTTP statuses errors map to. */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 422 | 429 | 500 | 503;

/**
 * Each code's status. 400: the input does not parse; 403: the actor may not; 404: no
 * such thing (or none the actor may see); 409: the current state refuses it (it may
 * succeed once that state changes); 410: gone for good; 422: the input parses but a rule
 * refuses what it asks, whatever the state; 429: too soon; 500: the host's configuration;
 * 503: the store (retry).
 */
const STATUS = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  UNKNOWN_ACTOR: 401,
  FORBIDDEN: 403,
  SELF_DECISION_FORBIDDEN: 403,
  REQUEST_ALREADY_DECIDED: 409,
  REFUSAL_REASON_REQUIRED: 422,
  COMMENT_REQUIRED: 422,
  CANNOT_GRANT_PRIMARY: 422,
  TRANSFER_REQUIRED: 409,
  PENDING_REQUEST_EXISTS: 409,
  ALREADY_ATTACHED: 409,
  NOT_ATTACHED: 409,
  SPACE_NOT_OPEN: 409,
  SPACE_ALREADY_OPEN: 409,
  EMPTY_SELECTION: 422,
  ITEM_NOT_REQUESTED: 422,
  SERVICE_INACTIVE: 409,
  EMPTY_SCOPE: 422,
  VALID_FROM_IN_THE_PAST: 422,
  VALID_UNTIL_TOO_EARLY: 422,
  VALID_UNTIL_UNCHANGED: 409,
  ACCOUNT_NOT_ACTIVE: 409,
  ROLE_UNCHANGED: 409,
  LOGIN_TAKEN: 409,
  SUCCESSOR_REQUIRED: 409,
  SUCCESSOR_IS_PRIMARY_MANAGER: 422,
  PIGP_ACCOUNT: 403,
  REACTIVATION_WINDOW_EXPIRED: 410,
  ACCOUNT_NOT_DEACTIVATED: 409,
  PIGP_REFERENT_REQUIRED: 403,
  ACTIVATION_TOKEN_INVALID: 400,
  ACTIVATION_TOKEN_USED: 409,
  ACTIVATION_TOKEN_EXPIRED: 410,
  ACCOUNT_NOT_PENDING_ACTIVATION: 409,
  ACTIVATION_EMAIL_THROTTLED: 429,
  CONFIRMATION_TOKEN_INVALID: 400,
  CONFIRMATION_TOKEN_EXPIRED: 410,
  CONFIRMATION_EMAIL_THROTTLED: 429,
  SERVICE_CODE_TAKEN: 409,
  CONCURRENT_MODIFICATION: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  OUTCOME_WITHHELD: 403,
  STORE_FAILURE: 503,
  NOT_ATTEMPTED: 503,
  CONFIGURATION: 500,
} as const satisfies { readonly [C in DomainErrorCode]: HttpErrorStatus };

/**
 * Every error code, in the order of the status table (for hosts that document or map
 * them exhaustively). Derived from the same table as {@link httpStatusOf}, which the
 * compiler checks against the `DomainError` union.
 *
 * @example
 * ```ts
 * ERROR_CODES.includes("NOT_FOUND"); // true
 * ```
 */
export const ERROR_CODES: readonly DomainErrorCode[] = Object.freeze(Object.keys(STATUS) as DomainErrorCode[]);

/**
 * The HTTP status to answer an error with.
 *
 * @example
 * ```ts
 * httpStatusOf({ code: "NOT_FOUND", entity: "attachmentRequest", id: "req-1" }); // 404
 * httpStatusOf({ code: "STORE_FAILURE", stage: "commit" }); // 503
 * ```
 */
export function httpStatusOf(error: { readonly code: DomainErrorCode }): HttpErrorStatus {
  return STATUS[error.code];
}

/** The title of each status (RFC 9457 `title`: the same for every occurrence of a code), in French. */
const TITLE: { readonly [S in HttpErrorStatus]: string } = {
  400: "Requête invalide",
  401: "Authentification requise",
  403: "Action interdite",
  404: "Introuvable",
  409: "Conflit avec l'état actuel",
  410: "Délai dépassé",
  422: "Demande non recevable",
  429: "Trop de demandes",
  500: "Erreur de configuration",
  503: "Service indisponible",
};

/** The media type of a problem details document (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * An error as problem details (RFC 9457): the standard members, the error's `code`, and
 * the error itself, as data, in `error` (its own members could clash with the standard
 * ones: `REQUEST_ALREADY_DECIDED` has a `status` of its own). Plain JSON data.
 */
export interface ProblemDetails {
  /** `about:blank`, or `typeBase` followed by the code. */
  readonly type: string;
  /** The same for every occurrence of a code (its status, in French). */
  readonly title: string;
  readonly status: HttpErrorStatus;
  /** {@link errorMessage}'s sentence. */
  readonly detail: string;
  /** The occurrence, when the host names one (the request's path, a trace id). */
  readonly instance?: string;
  readonly code: DomainErrorCode;
  /** The error as the library gave it; left out for `CONFIGURATION` (the host's logs keep it). */
  readonly error?: DomainError;
}

/** Options of {@link problemDetails}. */
export interface ProblemDetailsOptions {
  /**
   * A URI each code is appended to, to make the problem's `type` (a page of the host's API
   * documentation: `"https://api.example.fr/problems/"`). Without it, `type` is
   * `about:blank` and `code` tells the problems apart.
   */
  readonly typeBase?: string;
  /** The `instance` member: a URI reference naming this occurrence. */
  readonly instance?: string;
}

/**
 * The problem details to answer an error with, as `application/problem+json`
 * ({@link PROBLEM_CONTENT_TYPE}) with the status {@link httpStatusOf}. Discloses nothing
 * the error does not already carry: beside `type`, `title`, `status`, `detail` and
 * `instance`, it holds the error's `code` and the error as it is. A `CONFIGURATION`
 * error is a fault of the host, not of the caller: its problem says only that the
 * service is misconfigured.
 *
 * @example
 * ```ts
 * problemDetails({ code: "NOT_FOUND", entity: "attachmentRequest", id: "req-1" }, { instance: "/requests/req-1" });
 * // { type: "about:blank", title: "Introuvable", status: 404,
 * //   detail: "La demande de rattachement req-1 est introuvable.", instance: "/requests/req-1",
 * //   code: "NOT_FOUND", error: { code: "NOT_FOUND", entity: "attachmentRequest", id: "req-1" } }
 * ```
 */
export function problemDetails(error: DomainError, options: ProblemDetailsOptions = {}): ProblemDetails {
  const status = httpStatusOf(error);
  const disclosed = error.code !== "CONFIGURATION";
  return {
    type: options.typeBase === undefined ? "about:blank" : `${options.typeBase}${error.code}`,
    title: TITLE[status],
    status,
    detail: disclosed ? errorMessage(error) : "Le service est mal configuré : voir ses journaux.",
    ...(options.instance === undefined ? {} : { instance: options.instance }),
    code: error.code,
    ...(disclosed ? { error } : {}),
  };
}
