// A polluted Object.prototype decides nothing (SPEC §4, plain data at the boundary; issue
// 17): some other library of the host sets fields on Object.prototype (a prototype
// pollution bug), with the names of the library's own fields and plausible values (ids of
// the world, roles, scopes, dates). For every operation, with its valid input, the answer
// and everything the store holds after it are exactly what they are in an identical world
// without the pollution: no field that is absent is ever read from the prototype, at the
// boundary, in a transform, in the rules, in the queries given to the store or in the
// store itself. The field names are every key of every operation's valid input (and the
// options'), so an operation added to operations.ts is polluted with its own fields too.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as core from "../../src/core/index.js";
import type { MayAccessInput } from "../../src/index.js";
import { untyped } from "../application/harness.js";
import { buildWorld, type World } from "./world.js";
import { OPS } from "./operations.js";

/**
 * Every field name the library's schemas know (commands, queries, records), walked from
 * every exported schema: optional ones included, which no valid input may hold.
 */
function schemaFieldNames(): Set<string> {
  const seen = new Set<object>();
  const names = new Set<string>();
  const walk = (x: unknown) => {
    if (x === null || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    const def = (x as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (def === undefined) return;
    const shape = def["shape"] as Record<string, unknown> | undefined;
    if (shape !== undefined)
      for (const [k, v] of Object.entries(shape)) {
        names.add(k);
        walk(v);
      }
    for (const v of Object.values(def)) (Array.isArray(v) ? v : [v]).forEach(walk);
  };
  for (const [name, value] of Object.entries(core)) if (name.endsWith("Schema")) walk(value);
  // The application's own query schemas (history, outbox) and the options.
  for (const k of ["from", "to", "kinds", "leaseSeconds", "olderThan", "idempotencyKey"]) names.add(k);
  return names;
}

/** Every key, at any depth, of a plain value. */
function keysIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysIn(v, into));
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysIn(v, into);
    }
  return into;
}

/** Every value each key has, at any depth, in a plain value. */
function valuesIn(value: unknown, into: Map<string, unknown[]>): Map<string, unknown[]> {
  if (Array.isArray(value)) value.forEach((v) => valuesIn(v, into));
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) {
      into.set(k, [...(into.get(k) ?? []), v]);
      valuesIn(v, into);
    }
  return into;
}

/**
 * The values a key is polluted with: what the valid inputs give that key (another
 * operation's structure, service, user, request…), ids of other records of the world, and
 * values that would change a decision if read (a role, a whole-structure scope, a date far
 * ahead, write access, another space).
 */
function candidates(w: World, byKey: Map<string, unknown[]>, key: string): unknown[] {
  const [A, B, C] = w.structures;
  const rhOfC = w.services.get(C)?.[1];
  const extra: Record<string, unknown[]> = {
    structureId: [B, C],
    serviceId: [rhOfC, w.services.get(A)?.[1]],
    userId: [w.users.noe, w.users.victor],
    successorId: [w.users.noe],
    requestId: [...w.requests.keys()].slice(1, 2),
    role: ["secondaryManager", "primaryManager"],
    requestedRole: ["secondaryManager"],
    scope: [{ kind: "structure" }, "structure"],
    validFrom: ["2099-12-31"],
    access: ["write"],
    space: ["FACTURES_A_VALIDER"],
    at: ["2099-01-01T00:00:00.000Z"],
    contactEmail: ["eve@evil.example"],
    lastName: ["Hacked"],
    phone: ["+33 6 00 00 00 00"],
    comment: ["pollué"],
    reason: ["pollué"],
    limit: [1],
    cursor: ["AAAA"],
    idempotencyKey: ["polluted-key"],
    attach: [{ role: "secondaryManager", scope: { kind: "structure" }, validFrom: "2026-11-27", comment: "pollué" }],
    criteria: [{ lastName: "zzz" }],
    changes: [{ contactEmail: "eve@evil.example" }],
    items: [[{ space: "FACTURES_A_VALIDER", access: "write" }]],
    userIds: [[w.users.noe]],
    transfers: [[{ structureId: C, successorId: w.users.noe }]],
    structureIds: [[C]],
    separator: [","],
    bom: [false],
  };
  const seen = (byKey.get(key) ?? []).filter((v) => v !== undefined);
  const found = [...(extra[key] ?? []), ...seen].filter((v) => v !== undefined);
  // A field no valid input holds (an optional one): values of every kind.
  return found.length > 0 ? found : ["pollué", true, 1, [B], { kind: "structure" }, "2099-01-01T00:00:00.000Z"];
}

/** Names never set on Object.prototype: they change what JavaScript itself does (thenables, JSON, coercions). */
const UNTOUCHABLE = new Set(["then", "toJSON", "toString", "valueOf", "constructor", "__proto__"]);

const proto = Object.prototype as Record<string, unknown>;

/** Runs `body` with `fields` set on Object.prototype (not enumerable, as a polluting library's would often be not; enumerable too, in turn). */
async function polluted<T>(fields: readonly (readonly [string, unknown])[], enumerable: boolean, body: () => Promise<T>): Promise<T> {
  for (const [k, v] of fields) Object.defineProperty(proto, k, { value: v, enumerable, writable: true, configurable: true });
  try {
    return await body();
  } finally {
    for (const [k] of fields) delete proto[k];
  }
}

/** What an answer and the store's records are, for comparison (the outbox and records whole). */
const stateOf = (w: World) => w.store.snapshot();

describe("a polluted Object.prototype decides nothing", async () => {
  // The keys and values are read from a world built once (every world is built alike).
  const sample = await buildWorld();
  const inputs = OPS.map(([, , valid]) => valid(sample));
  const keys = [...keysIn(inputs, schemaFieldNames())].filter((k) => !UNTOUCHABLE.has(k)).sort();
  const byKey = valuesIn(inputs, new Map());
  const pollution = fc
    .uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: 6 })
    .chain((names) => fc.tuple(...names.map((k) => fc.constantFrom(...candidates(sample, byKey, k)).map((v) => [k, v] as const))));

  test.prop([fc.constantFrom(...OPS.map((_, i) => i)), pollution, fc.boolean()], { numRuns: 600 })(
    "every operation, with its valid input, answers and writes exactly as without the pollution",
    async (i, fields, enumerable) => {
      const [name, run, valid] = OPS[i] as (typeof OPS)[number];
      const clean = await buildWorld();
      const dirty = await buildWorld();
      const expected = await run(untyped(clean.app), clean, valid(clean));
      const got = await polluted(fields, enumerable, () => run(untyped(dirty.app), dirty, valid(dirty)));
      const consumed = async (r: unknown) => {
        // An export's body is read here, after the pollution (the next test reads one while polluted).
        const body = (r as { ok: boolean; value?: { body?: AsyncIterable<string> } }).value?.body;
        if (body === undefined) return r;
        let text = "";
        for await (const chunk of body) text += chunk;
        return { ...(r as object), value: { ...(r as { value: object }).value, body: text } };
      };
      expect(await consumed(got), `${name} with ${JSON.stringify(fields)}`).toEqual(await consumed(expected));
      expect(stateOf(dirty), `what ${name} wrote with ${JSON.stringify(fields)}`).toEqual(stateOf(clean));
    },
  );

  // Every field name at once, with each of its first values in turn, on every operation.
  const everything = [0, 1, 2].map((n) => keys.map((k) => {
    const values = candidates(sample, byKey, k);
    return [k, values[n % values.length]] as const;
  }));
  for (const [i, [name, run, valid]] of OPS.entries())
    test(`${name}: every field name polluted at once, with each of three values, changes nothing`, async () => {
      for (const [n, fields] of everything.entries()) {
        const clean = await buildWorld();
        const dirty = await buildWorld();
        const expected = await run(untyped(clean.app), clean, valid(clean));
        const got = await polluted(fields, n % 2 === 0, () => run(untyped(dirty.app), dirty, valid(dirty)));
        expect(JSON.stringify(got), `${name} (#${i}), values #${n}`).toEqual(JSON.stringify(expected));
        expect(stateOf(dirty), `what ${name} wrote, values #${n}`).toEqual(stateOf(clean));
      }
    });

  test.prop([pollution, fc.boolean()], { numRuns: 100 })(
    "an export read while polluted writes exactly the rows it writes without",
    async (fields, enumerable) => {
      const clean = await buildWorld();
      const dirty = await buildWorld();
      const read = async (w: World) => {
        const r = await w.app.exportUsers(w.users.alice, { criteria: {} });
        if (!r.ok) return r;
        let text = "";
        for await (const chunk of r.value.body) text += chunk;
        return text;
      };
      const expected = await read(clean);
      const got = await polluted(fields, enumerable, () => read(dirty));
      expect(got, JSON.stringify(fields)).toEqual(expected);
    },
  );

  test.prop([pollution, fc.boolean()], { numRuns: 100 })(
    "the access query answers exactly as without the pollution, for a grant on one service asked about the whole structure and about that service",
    async (fields, enumerable) => {
      const w = await buildWorld();
      const [A] = w.structures;
      const compta = w.services.get(A)?.[0];
      if (compta === undefined) throw new Error("the world has COMPTA in A");
      const queries: readonly MayAccessInput[] = [
        { userId: w.users.mia, structureId: A, space: "FACTURES_EMISES", access: "write" },
        { userId: w.users.mia, structureId: A, space: "FACTURES_EMISES", serviceId: compta, access: "write" },
        { userId: w.users.mia, structureId: A, space: "FACTURES_EMISES", serviceId: null, access: "read" },
      ];
      const expected = await Promise.all(queries.map((q) => w.app.mayAccess(q)));
      const got = await polluted(fields, enumerable, () => Promise.all(queries.map((q) => w.app.mayAccess(q))));
      expect(got, JSON.stringify(fields)).toEqual(expected);
    },
  );
});
