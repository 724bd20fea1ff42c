import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { runStoreContract } from "./contract.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-contract-"));
let n = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

// A small compaction threshold so the suite's many-batch tests also exercise compaction.
runStoreContract("arrow", async () => openArrowStore(join(base, `root-${n++}`), { compactAfterFrames: 4, onWarning: () => undefined }));
