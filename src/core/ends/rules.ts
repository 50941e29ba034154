// Rights with an end (issue 21): the rules every act that sets an end date keeps, shared
// by the acts that create a right (attach, validate, grant) and those that change its end.
import type { DomainError } from "../errors.js";
import type { Attachment, SpaceGrant } from "../model.js";
import { err, ok, type Result } from "../result.js";
import type { LocalDate } from "../time.js";

/**
 * Checks an end date given by a manager: absent (`undefined`) or `null` means no end;
 * a date must come strictly after the right's start (`validFrom`, inclusive, for an
 * attachment; `null` for a grant, which starts when given) and strictly after today (an
 * end date given now is always to come: to end a right at once, remove it).
 *
 * Refusal: `VALID_UNTIL_TOO_EARLY`, with the dates it was compared to.
 *
 * @example
 * ```ts
 * checkValidUntil(localDate("2026-12-01"), localDate("2026-12-15"), localDate("2026-11-27"));
 * // err({ code: "VALID_UNTIL_TOO_EARLY", validUntil: "2026-12-01", validFrom: "2026-12-15", today: "2026-11-27" })
 * checkValidUntil(undefined, localDate("2026-12-15"), localDate("2026-11-27")); // ok(null)
 * ```
 */
export function checkValidUntil(
  validUntil: LocalDate | null | undefined,
  validFrom: LocalDate | null,
  today: LocalDate,
): Result<LocalDate | null, DomainError> {
  if (validUntil === undefined || validUntil === null) return ok(null);
  if (validUntil <= today || (validFrom !== null && validUntil <= validFrom))
    return err({ code: "VALID_UNTIL_TOO_EARLY", validUntil, validFrom, today });
  return ok(validUntil);
}

/**
 * A right (attachment or grant) with another end date: its sweep notice cleared, so the
 * new date is warned about and recorded once it passes, as a first one would be.
 *
 * @example
 * ```ts
 * withEnd(attachment, localDate("2027-06-30")); // { …attachment, validUntil: "2027-06-30", endNotice: null }
 * ```
 */
export function withEnd<R extends Attachment | SpaceGrant>(right: R, validUntil: LocalDate | null): R {
  return { ...right, validUntil, endNotice: null };
}
