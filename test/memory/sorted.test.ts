import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { SortedSet } from "../../src/memory/sorted.js";

// The reference: a plain sorted array without duplicates.
const reference = (values: Iterable<string>) => [...new Set(values)].sort();

describe("SortedSet (the memory store's ordered index)", () => {
  const value = fc.string({ maxLength: 4, unit: fc.constantFrom("a", "b", "c", "d", "\u0000", "é") });
  const op = fc.oneof(
    fc.record({ add: fc.constant(true), value }),
    fc.record({ add: fc.constant(false), value }),
  );

  test.prop([fc.array(op, { maxLength: 3000 }), fc.option(value, { nil: undefined }), fc.integer({ min: 1, max: 2000 })], { numRuns: 60 })(
    "after any adds and deletes it holds what a sorted array would, and pages like it",
    (ops, after, limit) => {
      const set = new SortedSet();
      const model = new Set<string>();
      for (const o of ops) {
        if (o.add) {
          set.add(o.value);
          model.add(o.value);
        } else {
          set.delete(o.value);
          model.delete(o.value);
        }
      }
      const expected = reference(model);
      expect(set.size).toBe(expected.length);
      expect(set.page(undefined, expected.length + 1)).toEqual(expected);
      expect(set.page(after, limit)).toEqual(expected.filter((v) => after === undefined || v > after).slice(0, limit));
    },
  );

  test.prop([fc.uniqueArray(fc.integer({ min: 0, max: 99_999 }), { minLength: 1500, maxLength: 4000 })], { numRuns: 10 })(
    "splits into chunks and still pages through every value exactly once",
    (numbers) => {
      const set = new SortedSet();
      const values = numbers.map((n) => String(n).padStart(5, "0"));
      for (const v of values) set.add(v);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = set.page(cursor, 97);
        if (page.length === 0) break;
        seen.push(...page);
        cursor = page[page.length - 1];
      }
      expect(seen).toEqual(reference(values));
      for (const v of values.filter((_, i) => i % 2 === 0)) set.delete(v);
      expect(set.page(undefined, values.length)).toEqual(reference(values.filter((_, i) => i % 2 === 1)));
    },
  );
});
