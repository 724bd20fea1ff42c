import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArrowStore } from "../src/store/arrow/index.js";
import { ensureBuilt, ROOT } from "./helpers/build.js";

describe("tracker at process exit", () => {
  const dir = mkdtempSync(join(tmpdir(), "trackbook-exit-"));
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores what a script logged, ends its run FINISHED and releases the writer lock when the script just returns", async () => {
    // The timeout is a hang guard: the script must exit by itself, not be killed.
    const r = spawnSync(process.execPath, [resolve(ROOT, "test/fixtures/exit-without-end.mjs"), dir, "25000"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.signal, `the script did not exit by itself: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const runId = r.stdout.trim();
    // A lock left behind would greet the next process (the next notebook's kernel) with a takeover warning.
    expect(existsSync(join(dir, ".lock"))).toBe(false);
    const store = await openArrowStore(dir, { readOnly: true });
    try {
      const run = await store.getRun(runId);
      expect(run.info.status).toBe("FINISHED");
      expect(run.info.endTime).not.toBeNull();
      expect(run.data.params.n).toBe("25000");
      const h = await store.getMetricHistory(runId, "x");
      expect(h.values.length).toBe(25000);
      expect(h.values[24999]).toBe(24999);
    } finally {
      await store.close();
    }
  });
});
