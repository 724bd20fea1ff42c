/**
 * How an import checks runs: into a store that can undo its writes exactly, each run is checked
 * as it is written and its metric files are read once; into one that cannot, every run is
 * checked before the first write (metric files scanned, then read again to be written). Either
 * way gives the same store, and runs are written a group at a time.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns } from "../../src/mlruns/export.js";
import { importMlruns } from "../../src/mlruns/import.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import type { WholeRun } from "../../src/store/store.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

/** A memory store that counts its putRuns calls and runs; `plain` hides putRuns, purgeRun and purgeExperiment. */
function counting(plain: boolean): { store: MemoryStore; calls: number[] } {
  const calls: number[] = [];
  const real = new MemoryStore();
  const hidden = new Set(plain ? ["putRuns", "purgeRun", "purgeExperiment"] : []);
  const store = new Proxy(real, {
    get: (t, k) => {
      if (hidden.has(k as string)) return undefined;
      if (k === "putRuns") return (runs: WholeRun[]) => (calls.push(runs.length), t.putRuns(runs));
      return Reflect.get(t, k, t);
    },
  });
  return { store, calls };
}

describe("mlruns import plan", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("checks runs as they are written where the store can undo, first where it cannot, to the same store", async () => {
    const { store } = await richStore();
    const dir = join(tmp.dir, "mlruns");
    await exportMlruns(store, dir);
    const runs = (await store.searchRuns({ experimentIds: (await store.searchExperiments({ viewType: "ALL" })).experiments.map((e) => e.experimentId), runViewType: "ALL" })).runs.length;
    const results = [];
    for (const plain of [false, true]) {
      const { store: into, calls } = counting(plain);
      const phases = new Set<string>();
      const r = await importMlruns(into, dir, { onProgress: (p) => phases.add(p.phase) });
      expect([...phases]).toEqual(plain ? ["scanning", "validating", "importing"] : ["scanning", "importing"]);
      // Runs go to a store with putRuns in groups of at most 8, every run once.
      if (!plain) {
        expect(calls.reduce((a, b) => a + b, 0)).toBe(runs);
        expect(Math.max(...calls)).toBeLessThanOrEqual(8);
      } else expect(calls).toEqual([]);
      results.push({ dump: await dumpStore(into), imported: r.imported, skipped: r.skipped, notes: r.notes });
    }
    expect(runs).toBeGreaterThan(1);
    expect(results[1]).toEqual(results[0]);
  });
});
