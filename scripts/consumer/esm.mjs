// Every entry of the installed package, imported as an ES module, and a first act.
import assert from "node:assert/strict";
import * as core from "habilitations";
import * as memory from "habilitations/memory";
import * as postgres from "habilitations/postgres";
import * as testing from "habilitations/testing";

assert.equal(typeof core.createHabilitations, "function");
assert.equal(typeof core.httpStatusOf, "function");
assert.ok(core.ERROR_CODES.includes("NOT_FOUND"));
assert.equal(typeof memory.createMemoryStore, "function");
assert.equal(typeof postgres.createPostgresStore, "function");
assert.equal(typeof postgres.migrate, "function");
assert.equal(typeof testing.runStoreContract, "function");
assert.equal(typeof testing.runApplicationContract, "function");

const app = core.createHabilitations({ store: memory.createMemoryStore() });
const alice = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
assert.ok(alice.ok);
const missing = await app.consultAttachmentRequest(alice.value.user.id, { requestId: "req-unknown" });
assert.ok(!missing.ok);
assert.equal(core.httpStatusOf(missing.error), 404);
assert.equal(core.problemDetails(missing.error).status, 404);
console.log("esm: every entry imports; an act and its problem details work");
