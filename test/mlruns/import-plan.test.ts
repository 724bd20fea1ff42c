/**
 * The checking pass keeps runs for the writes within the memory budget: whole in its first half,
 * without their histories (checked, not parsed) past that, and not at all once it is spent. Every
 * way gives the same store.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns } from "../../src/mlruns/export.js";
import { importMlruns } from "../../src/mlruns/import.js";
import { planImport } from "../../src/mlruns/import-plan.js";
import { scanBundle } from "../../src/mlruns/import-scan.js";
import { ProgressReporter } from "../../src/mlruns/progress.js";
import { openSource } from "../../src/mlruns/sources.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

describe("mlruns import plan", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("keeps runs whole, then without their histories, then not at all, as the memory budget fills; the store is the same", async () => {
    const { store } = await richStore();
    const dir = join(tmp.dir, "mlruns");
    await exportMlruns(store, dir);
    const bundle = await openSource(dir, {});
    const kinds = async (memoryBudget: number) => {
      const scan = await scanBundle(bundle);
      const plan = await planImport(new MemoryStore(), bundle, scan, "skip", new ProgressReporter({}), memoryBudget);
      return plan.runs.map((r) => (r.record === undefined ? "again" : r.metricFiles === undefined ? "whole" : "histories later"));
    };
    // Budgets from nothing to everything: each kind of plan occurs.
    expect(new Set(await kinds(0))).toEqual(new Set(["again"]));
    expect(new Set(await kinds(2 ** 30))).toEqual(new Set(["whole"]));
    const seen = new Set<string>();
    for (let budget = 10_000; budget <= 400_000; budget *= 1.5) for (const k of await kinds(Math.round(budget))) seen.add(k);
    expect(seen).toEqual(new Set(["whole", "histories later", "again"]));
    await bundle.source.close();

    const dumps = [];
    for (const memoryBudget of [0, 20_000, 60_000, 2 ** 30]) {
      const into = new MemoryStore();
      const r = await importMlruns(into, dir, { memoryBudget });
      dumps.push({ dump: await dumpStore(into), imported: r.imported, skipped: r.skipped, notes: r.notes });
    }
    for (const d of dumps.slice(1)) expect(d).toEqual(dumps[0]);
  });
});
