// Every entry of the installed package, required as CommonJS.
const assert = require("node:assert/strict");
const core = require("habilitations");
const memory = require("habilitations/memory");
const postgres = require("habilitations/postgres");
const testing = require("habilitations/testing");

assert.equal(typeof core.createHabilitations, "function");
assert.equal(typeof memory.createMemoryStore, "function");
assert.equal(typeof postgres.createPostgresStore, "function");
assert.equal(typeof testing.runStoreContract, "function");
assert.equal(core.httpStatusOf({ code: "VALIDATION" }), 400);

const app = core.createHabilitations({ store: memory.createMemoryStore() });
app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" }).then((r) => {
  assert.ok(r.ok);
  console.log("cjs: every entry requires; an act works");
});
