import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runStoreContract } from "../store/contract.js";
import { openRealWorkerStore } from "./built.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-worker-contract-"));
let n = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }), 120_000);

// The default Node setup (openTracker("arrow:…")): the Arrow store in a worker thread, one per test.
runStoreContract("arrow via node worker", async () => await openRealWorkerStore(`arrow:${join(base, `root-${n++}`)}`));

// The same with every metric write through the shared journal (src/store/arrow/journal.ts).
runStoreContract("arrow (journal) via node worker", async () => await openRealWorkerStore(`arrow:${join(base, `root-${n++}`)}?journalMinRuns=1`));
