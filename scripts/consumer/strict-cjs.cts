// The same package, required from a CommonJS module: the require condition's types.
import habilitations = require("habilitations");
import memory = require("habilitations/memory");

const app = habilitations.createHabilitations({ store: memory.createMemoryStore() });
async function first(): Promise<number> {
  const r = await app.registerUser({ login: "alice@example.fr", lastName: "Martin", firstName: "Alice" });
  return r.ok ? 201 : habilitations.httpStatusOf(r.error);
}
void first();
