// Query strings: a route passes `?limit=20` through as it is (every paged query reads
// "20" as 20); anything else that is not a size stays VALIDATION.
import { describe, expect, it } from "vitest";
import { expectErr, guide, must } from "./harness.js";

describe("page sizes from a query string", () => {
  it("every paged query reads a size in decimal digits as the number", async () => {
    const { h, g } = await guide();
    const app = h.app;
    expect(must(await app.listMembers(g.alice, { structureId: g.townHall, limit: "2" })).items).toHaveLength(2);
    expect(must(await app.readHistory(g.alice, { structureId: g.townHall, limit: "1" })).items).toHaveLength(1);
    expect(must(await app.searchUsers(g.alice, { limit: "1" })).items).toHaveLength(1);
    expect(must(await app.listPendingAttachmentRequests(g.alice, { limit: "3" }))).toEqual(
      must(await app.listPendingAttachmentRequests(g.alice, { limit: 3 })),
    );
    expect(must(await app.listPendingSubscriptionRequests(g.alice, { limit: "3" }))).toEqual(
      must(await app.listPendingSubscriptionRequests(g.alice, { limit: 3 })),
    );
  });

  it("refuses every other string with VALIDATION on `limit`", async () => {
    const { h, g } = await guide();
    for (const limit of ["20.5", "1e3", " 20", "020", "0", "501", "vingt"]) {
      const error = expectErr(await h.app.listMembers(g.alice, { structureId: g.townHall, limit }), "VALIDATION");
      expect(error.issues.map((i) => i.path), limit).toContainEqual(["limit"]);
      expectErr(await h.app.searchUsers(g.alice, { limit }), "VALIDATION");
    }
  });
});
