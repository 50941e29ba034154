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
  // One message for every way a page size can be wrong (`?limit=abc`, `true`, `0`, `20.5`),
  // saying what is expected rather than how the union failed.
  const expected = `doit être un nombre entier de 1 à ${max} (un nombre, ou ses chiffres décimaux)`;
  return z
    .union([z.number(), z.string().regex(DECIMAL).transform(Number)], { error: expected })
    .pipe(z.number({ error: expected }).int({ error: expected }).min(1, { error: expected }).max(max, { error: expected }))
    .default(fallback);
}
