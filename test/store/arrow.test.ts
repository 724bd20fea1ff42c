import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { runStoreContract } from "./contract.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-contract-"));
let n = 0;
// Two suites of roots: removing them takes a while on a busy disk.
afterAll(() => rmSync(base, { recursive: true, force: true }), 120_000);

// A small compaction threshold so the suite's many-batch tests also exercise compaction.
runStoreContract("arrow", async () => openArrowStore(join(base, `root-${n++}`), { compactAfterFrames: 4, onWarning: () => undefined }));

// Every metric write through the shared journal (journal.ts), whatever the number of runs: reads
// then see points still in the journal, and the background moves to the histories run beside the suite.
runStoreContract("arrow (journal)", async () => openArrowStore(join(base, `root-${n++}`), { compactAfterFrames: 4, journalMinRuns: 1, onWarning: () => undefined }));
