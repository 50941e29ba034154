// HTTP glue: every error code has a status, its problem details (RFC 9457) disclose
// nothing the error does not carry, and docs/http.md's table is the code's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fc, test as prop } from "@fast-check/vitest";
import {
  attachmentRequestId,
  ERROR_CODES,
  errorMessage,
  httpStatusOf,
  problemDetails,
  PROBLEM_CONTENT_TYPE,
  structureId,
  userId,
  type DomainError,
  type DomainErrorCode,
  type HttpErrorStatus,
  type Instant,
} from "../../src/core/index.js";

const STATUSES: readonly HttpErrorStatus[] = [400, 401, 403, 404, 409, 410, 422, 429, 500, 503];

const s = structureId("s-lyon");
const u = userId("u-elodie");
const req = attachmentRequestId("req-1");

/** Errors of several shapes: ids, a status of their own, lists, nested issues, the host's fault. */
const samples: readonly DomainError[] = [
  { code: "VALIDATION", issues: [{ path: ["limit"], code: "too_big", message: "500 au plus" }], omittedIssues: 2 },
  { code: "NOT_FOUND", entity: "attachmentRequest", id: "req-404" },
  { code: "FORBIDDEN", actorId: u, structureId: s, reason: "notAManager" },
  { code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "refused" },
  { code: "ACCOUNT_NOT_ACTIVE", userId: u, status: "deactivated" },
  { code: "SUCCESSOR_REQUIRED", userId: u, structureIds: [s] },
  { code: "ACTIVATION_EMAIL_THROTTLED", userId: u, retryAt: "2026-11-27T09:02:00.000Z" as Instant },
  { code: "IDEMPOTENCY_KEY_REUSED", key: "cle-7f3a" },
  { code: "STORE_FAILURE", stage: "commit" },
  { code: "CONFIGURATION", option: "clock", message: "l'horloge a donné une date invalide" },
];

describe("ERROR_CODES and httpStatusOf", () => {
  // The status table is typed `{ [C in DomainErrorCode]: HttpErrorStatus }`: a new code of
  // DomainError without its status line does not compile. This walk fails as well if a
  // code ever came without a status.
  it.each(ERROR_CODES.map((code) => [code]))("%s has a status", (code) => {
    const status = httpStatusOf({ code });
    expect(STATUSES).toContain(status);
  });

  it("lists each code once, frozen", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
    expect(ERROR_CODES.length).toBeGreaterThanOrEqual(39);
  });

  it("maps the codes a host meets most to the usual statuses", () => {
    const expected: Partial<Record<DomainErrorCode, HttpErrorStatus>> = {
      VALIDATION: 400,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      REQUEST_ALREADY_DECIDED: 409,
      CONCURRENT_MODIFICATION: 409,
      IDEMPOTENCY_KEY_REUSED: 422,
      ACTIVATION_EMAIL_THROTTLED: 429,
      CONFIGURATION: 500,
      STORE_FAILURE: 503,
    };
    for (const [code, status] of Object.entries(expected)) expect([code, httpStatusOf({ code: code as DomainErrorCode })]).toEqual([code, status]);
  });
});

describe("problemDetails", () => {
  it("renders the standard members, the code and the error as it is", () => {
    const error: DomainError = { code: "NOT_FOUND", entity: "attachmentRequest", id: "req-1" };
    expect(problemDetails(error, { instance: "/requests/req-1" })).toEqual({
      type: "about:blank",
      title: "Introuvable",
      status: 404,
      detail: errorMessage(error),
      instance: "/requests/req-1",
      code: "NOT_FOUND",
      error,
    });
    expect(PROBLEM_CONTENT_TYPE).toBe("application/problem+json");
  });

  it("makes the type from the host's base and the code; no instance unless given", () => {
    const problem = problemDetails({ code: "STORE_FAILURE", stage: "read" }, { typeBase: "https://api.example.fr/problems/" });
    expect(problem.type).toBe("https://api.example.fr/problems/STORE_FAILURE");
    expect("instance" in problem).toBe(false);
  });

  it("keeps an error's own status apart from the HTTP status", () => {
    const problem = problemDetails({ code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "validated" });
    expect(problem.status).toBe(409);
    expect(problem.error).toEqual({ code: "REQUEST_ALREADY_DECIDED", requestId: req, status: "validated" });
  });

  it("says nothing of a CONFIGURATION error but its code: the host's fault, for its logs", () => {
    const problem = problemDetails({ code: "CONFIGURATION", option: "newId", message: "secret detail of the host" });
    expect(problem).toEqual({ type: "about:blank", title: "Erreur de configuration", status: 500, detail: expect.any(String), code: "CONFIGURATION" });
    expect(JSON.stringify(problem)).not.toMatch(/secret|newId/);
  });

  it("does not mutate the error", () => {
    const error = { code: "NOT_FOUND", entity: "user", id: "u-1" } as const;
    const copy = structuredClone(error);
    problemDetails(error, { instance: "/x" });
    expect(error).toEqual(copy);
  });

  // Whatever the values an error carries: the members are the standard ones, the code and
  // the error (nothing else), the error's values unchanged, type/title/status fixed by the
  // code alone, and it all survives JSON.
  prop.prop([fc.constantFrom(...samples), fc.string(), fc.string({ minLength: 1 }), fc.option(fc.webUrl(), { nil: undefined })])(
    "discloses nothing but the error itself, whatever its values",
    (sample, text, other, instance) => {
      const error = JSON.parse(JSON.stringify(sample, (k, v) => (typeof v === "string" && k !== "code" && k !== "stage" && k !== "reason" && k !== "entity" && k !== "status" && k !== "option" ? text + v + other : v))) as DomainError;
      const problem = problemDetails(error, instance === undefined ? {} : { instance });
      const disclosed = error.code !== "CONFIGURATION";
      expect(Object.keys(problem).sort()).toEqual(
        ["type", "title", "status", "detail", "code", ...(instance === undefined ? [] : ["instance"]), ...(disclosed ? ["error"] : [])].sort(),
      );
      if (disclosed) expect(problem.error).toEqual(error);
      expect(problem.code).toBe(error.code);
      const again = problemDetails({ ...sample } as DomainError);
      expect([problem.type, problem.title, problem.status]).toEqual([again.type, again.title, again.status]);
      expect(JSON.parse(JSON.stringify(problem))).toEqual(problem);
    },
  );
});

describe("docs", () => {
  it("docs/http.md's status table is the code's: every code, its status", () => {
    const rows = [...readFileSync("docs/http.md", "utf8").matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(ERROR_CODES.map((code) => [code, httpStatusOf({ code })]));
  });

  it("docs/errors.md names every code", () => {
    const text = readFileSync("docs/errors.md", "utf8");
    for (const code of ERROR_CODES) expect(text, code).toContain(`\`${code}\``);
  });
});
