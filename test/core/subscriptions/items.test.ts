// canonicalItems (core/subscriptions/items.ts): the canonical form of subscription items,
// what requests, validations and grants store and compare: one line per space and service
// with the highest access asked, sorted by space, then the whole structure first, then
// the services by id, whatever the order the lines arrived in.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { canonicalItems, serviceId, spaceCode, type AccessLevel, type SubscriptionItem } from "../../../src/core/index.js";

const item = (space: string, service: string | null, access: AccessLevel): SubscriptionItem => ({
  space: spaceCode(space),
  serviceId: service === null ? null : serviceId(service),
  access,
});

/** The lines of the canonical form, in its order: ids sorting before and after the letter S, the whole structure first. */
const ORDERED: readonly [string, string | null][] = [
  ["FACTURES_EMISES", null],
  ["FACTURES_EMISES", "0"],
  ["FACTURES_EMISES", "A"],
  ["FACTURES_EMISES", "Z"],
  ["FACTURES_EMISES", "svc-b"],
  ["FACTURES_RECUES", null],
  ["FACTURES_RECUES", "B"],
  ["SOLLICITATIONS_EMISES", "svc-a"],
];

describe("canonicalItems", () => {
  it("keeps one line per space and service, with the highest access asked, in either order", () => {
    expect(canonicalItems([item("FACTURES_RECUES", null, "read"), item("FACTURES_RECUES", null, "write")])).toEqual([item("FACTURES_RECUES", null, "write")]);
    expect(canonicalItems([item("FACTURES_RECUES", null, "write"), item("FACTURES_RECUES", null, "read")])).toEqual([item("FACTURES_RECUES", null, "write")]);
    expect(canonicalItems([item("FACTURES_RECUES", "A", "read"), item("FACTURES_RECUES", "A", "read")])).toEqual([item("FACTURES_RECUES", "A", "read")]);
  });

  it("keeps the whole structure and a service of one space as two lines", () => {
    expect(canonicalItems([item("FACTURES_RECUES", "A", "read"), item("FACTURES_RECUES", null, "write")])).toEqual([
      item("FACTURES_RECUES", null, "write"),
      item("FACTURES_RECUES", "A", "read"),
    ]);
  });

  /** Each line asked one to three times, with any access each time; all the items, in any order of arrival. */
  const asked = fc
    .array(fc.array(fc.constantFrom<AccessLevel>("read", "write"), { minLength: 1, maxLength: 3 }), {
      minLength: ORDERED.length,
      maxLength: ORDERED.length,
    })
    .chain((accesses) => {
      const items = ORDERED.flatMap(([space, service], i) => (accesses[i] as AccessLevel[]).map((access) => item(space, service, access)));
      return fc.tuple(fc.constant(accesses), fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }));
    });

  test.prop([asked])(
    "whatever the order of arrival and the repeats: sorted by space, whole structure first, then services by id, the highest access per line",
    ([accesses, arrived]) => {
      expect(canonicalItems(arrived)).toEqual(
        ORDERED.map(([space, service], i) => item(space, service, (accesses[i] as AccessLevel[]).includes("write") ? "write" : "read")),
      );
    },
  );

  it("does not change the items it is given", () => {
    const given = [item("FACTURES_RECUES", "B", "read"), item("FACTURES_EMISES", null, "write")];
    const copy = given.map((i) => ({ ...i }));
    canonicalItems(given);
    expect(given).toEqual(copy);
  });
});
