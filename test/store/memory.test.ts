import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { runStoreContract } from "./contract.js";

runStoreContract("memory", async () => new MemoryStore());
