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

describe("SortedSet's per-chunk views (the memory store's export rows)", () => {
  const value = fc.string({ maxLength: 4, unit: fc.constantFrom("a", "b", "c", "d", "é") });
  const op = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), value }),
    fc.record({ kind: fc.constant("delete" as const), value }),
    fc.record({ kind: fc.constant("read" as const), value: fc.option(value, { nil: undefined }) }),
  );

  test.prop([fc.array(op, { maxLength: 2500 }), fc.integer({ min: 1, max: 1500 })], { numRuns: 40 })(
    "a view read is always made from the chunk's items as they are now: any add or delete in the chunk drops it",
    (ops, limit) => {
      // Items are objects keyed by a string, as the search index's slots are.
      const set = new SortedSet<{ key: string }, string[]>((item) => item.key);
      const model = new Set<string>();
      const derive = (items: readonly { key: string }[]) => items.map((i) => i.key);
      for (const o of ops) {
        if (o.kind === "add") {
          set.add({ key: o.value });
          model.add(o.value);
        } else if (o.kind === "delete") {
          set.delete(o.value);
          model.delete(o.value);
        } else {
          const into = { items: [] as { key: string }[], views: [] as string[][], at: [] as number[] };
          set.pageViews(o.value, limit, derive, into);
          const expected = reference(model).filter((v) => o.value === undefined || v > o.value).slice(0, limit);
          expect(into.items.map((i) => i.key)).toEqual(expected);
          expect(into.items.map((_, k) => into.views[k]?.[into.at[k] as number])).toEqual(expected);
        }
      }
    },
  );

  test.prop([fc.uniqueArray(fc.integer({ min: 0, max: 99_999 }), { minLength: 1100, maxLength: 2500 })], { numRuns: 5 })(
    "a view is made once per chunk, and again only for the chunk an item was touched in",
    (numbers) => {
      const set = new SortedSet<string, number>();
      const values = numbers.map((n) => String(n).padStart(5, "0")).sort();
      for (const v of values) set.add(v);
      let made = 0;
      const derive = () => made++;
      const read = () => {
        const into = { items: [] as string[], views: [] as number[], at: [] as number[] };
        set.pageViews(undefined, values.length, derive, into);
        return into;
      };
      const first = read();
      expect(first.items).toEqual(values);
      const chunks = made;
      expect(chunks).toBeGreaterThan(1);
      read();
      expect(made).toBe(chunks); // kept
      const middle = values[Math.floor(values.length / 2)] as string;
      set.touch(middle);
      set.touch("not there");
      const again = read();
      expect(made).toBe(chunks + 1); // the touched chunk's, only
      const at = values.indexOf(middle);
      expect(again.views[at]).toBe(chunks);
      expect(again.views[0]).toBe(first.views[0]);
    },
  );
});
