// The DGFiP referential has two spellings: the guide's « MADHRAS » (the message says it)
// and Chorus Pro's « MADRHAS ». A host searching the docs for either finds the error.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorMessage, structureId } from "../../../src/core/index.js";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");

describe("PIGP_REFERENT_REQUIRED and the referential's name", () => {
  it("the message keeps the guide's word", () => {
    const message = errorMessage({ code: "PIGP_REFERENT_REQUIRED", structureId: structureId("s-1") });
    expect(message).toContain("MADHRAS");
    expect(message).not.toContain("MADRHAS");
  });

  it.each(["docs/errors.md", "src/core/errors.ts"])("%s names both spellings beside the code", (path) => {
    const text = read(path);
    const at = text.indexOf(path.endsWith(".md") ? "| `PIGP_REFERENT_REQUIRED`" : 'readonly code: "PIGP_REFERENT_REQUIRED"');
    expect(at).toBeGreaterThan(-1);
    const near = text.slice(Math.max(0, at - 400), at + 400);
    expect(near).toContain("MADHRAS");
    expect(near).toContain("MADRHAS");
  });
});
