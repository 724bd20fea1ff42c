/**
 * The store contract: one suite every {@link TrackingStore} backend runs (memory, Arrow files,
 * IndexedDB, the worker proxy, the MLflow REST client), so they all mean the same thing.
 *
 * @example
 * ```ts
 * // test/store/memory.test.ts
 * runStoreContract("memory", async () => new MemoryStore());
 * ```
 *
 * Each test gets a fresh store from the factory and closes it afterwards. The parts live in
 * `contract-*.ts`; this file only composes them.
 *
 * @module
 */
import { afterEach, beforeEach, describe } from "vitest";
import type { TrackingStore } from "../../src/store/store.js";
import { artifactContract } from "./contract-artifacts.js";
import { atomicityContract } from "./contract-atomicity.js";
import { concurrencyContract } from "./contract-concurrency.js";
import { experimentContract } from "./contract-experiments.js";
import type { ContractContext, ContractOptions } from "./contract-helpers.js";
import { loggingContract } from "./contract-logging.js";
import { runContract } from "./contract-runs.js";
import { searchContract } from "./contract-search.js";
import { summaryContract } from "./contract-summaries.js";
import { wholeRunContract } from "./contract-whole-runs.js";

export { expectTrackerError } from "./contract-helpers.js";
export type { ContractOptions } from "./contract-helpers.js";

/** Makes a fresh, empty store (holding only experiment "0"). */
export type StoreFactory = () => Promise<TrackingStore>;

/** Registers the whole contract suite for one backend. */
export function runStoreContract(name: string, factory: StoreFactory, options: ContractOptions = {}): void {
  describe(`store contract: ${name}`, () => {
    let current: TrackingStore | undefined;
    let closed = false;

    beforeEach(async () => {
      current = await factory();
      closed = false;
    });

    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store !== undefined && !closed) await store.close();
    });

    const ctx: ContractContext = {
      get store(): TrackingStore {
        if (current === undefined) throw new Error("The store is only available inside a test.");
        return current;
      },
      markClosed(): void {
        closed = true;
      },
      options,
    };

    experimentContract(ctx);
    runContract(ctx);
    loggingContract(ctx);
    searchContract(ctx);
    concurrencyContract(ctx);
    atomicityContract(ctx);
    artifactContract(ctx);
    summaryContract(ctx);
    wholeRunContract(ctx);
  });
}
