import { describe, it } from "vitest";
import { createMemoryStore } from "../../src/memory/index.js";
import { runApplicationContract, runStoreContract } from "../../src/testing/index.js";

runStoreContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
runApplicationContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
