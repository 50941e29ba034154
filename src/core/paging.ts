// Page sizes as hosts receive them: a number from a JSON body, or the same number in
// decimal digits from a query string (`?limit=20`), so routes pass their query through
// as it is. Nothing else is read as a number: "20.5", "1e3", " 20", "020", "+20" stay
// refused.
import { z } from "zod";

/** Plain decimal digits, no sign, no leading zero, no space (at most 9 digits). */
const DECIMAL = /^(?:0|[1-9][0-9]{0,8})$/;

/**
 * The schema of a page size: an integer from 1 to `max`, given as a number or as its
 * decimal digits (`"20"`), `fallback` when absent.
 *
 * @example
 * ```ts
 * const limit = pageSizeSchema(500, 50);
 * limit.parse("20"); // 20
 * limit.parse(undefined); // 50
 * limit.safeParse("1e3").success; // false
 * ```
 */
export function pageSizeSchema(max: number, fallback: number) {
  return z
    .union([z.number(), z.string().regex(DECIMAL, "un nombre entier en chiffres décimaux").transform(Number)])
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);
}
