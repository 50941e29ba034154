import { describe, it } from "vitest";
import { createMemoryStore } from "../../src/memory/index.js";
import { runStoreContract } from "../../src/testing/index.js";

runStoreContract({ name: "memory", createStore: async () => createMemoryStore(), describe, it });
