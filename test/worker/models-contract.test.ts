/**
 * The model-store contract through the real worker boundary: each ModelStore method is one
 * `callModel` round trip to the store in a worker thread (memory and Arrow).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runModelStoreContract } from "../store/contract-models.js";
import { openRealWorkerStore } from "./built.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-models-worker-"));
let n = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

runModelStoreContract("memory via node worker", async () => await openRealWorkerStore("memory:"));
runModelStoreContract("arrow via node worker", async () => await openRealWorkerStore(`arrow:${join(base, `root-${n++}`)}`));
