import { runStoreContract } from "../store/contract.js";
import { openRealWorkerStore } from "./built.js";

// The real thing: a worker_threads worker running the built node-host, one per test.
runStoreContract("memory via node worker", async () => await openRealWorkerStore("memory:"));
