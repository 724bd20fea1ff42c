/**
 * The nine real MLflow stores (1.x–3.7) import with the counts MANIFEST.md gives, and each one
 * survives export → import losslessly (one describe per fixture, as in vega-lite's examples loop).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns, importMlruns, type ImportResult } from "../../src/mlruns/index.js";
import { searchAllRuns } from "../../src/store/store.js";
import { openTracker, type Tracker } from "../../src/tracker.js";
import { dumpStore } from "./helpers/dump.js";
import { FIXTURES, MANIFEST, readTree, requireFixtures, tempDir } from "./helpers/fixtures.js";

const present = existsSync(join(FIXTURES, "MANIFEST.md"));

describe("mlruns fixtures", () => {
  it("are present (or the reason they are skipped is printed)", () => {
    requireFixtures();
  });

  for (const [name, want] of Object.entries(MANIFEST)) {
    describe.skipIf(!present)(name, () => {
      const tmp = tempDir();
      afterAll(tmp.remove);
      let tb: Tracker;
      let result: ImportResult;

      it("imports with the MANIFEST counts", async () => {
        tb = await openTracker("memory:");
        result = await importMlruns(tb, join(FIXTURES, name));
        const exps = (await tb.store.searchExperiments({ viewType: "ALL" })).experiments;
        const runs = await searchAllRuns(tb.store, { experimentIds: exps.map((e) => e.experimentId), runViewType: "ALL" });
        let metricFiles = 0;
        let maxPoints = 0;
        let artifacts = 0;
        for (const r of runs) {
          for (const key of Object.keys(r.data.metrics)) {
            metricFiles++;
            maxPoints = Math.max(maxPoints, (await tb.store.getMetricHistory(r.info.runId, key)).values.length);
          }
        }
        artifacts = result.imported.artifacts;
        expect({ exps: exps.length, runs: runs.length, metricFiles, maxPoints, params: result.imported.params, tags: result.imported.tags, artifacts }).toEqual({
          exps: want.exps, runs: want.runs, metricFiles: want.metricFiles, maxPoints: want.maxPoints, params: want.params, tags: want.tags, artifacts: want.artifacts,
        });
        const params = runs.reduce((n, r) => n + Object.keys(r.data.params).length, 0);
        expect(params).toBe(want.params);
        const status: Record<string, number> = {};
        for (const r of runs) status[r.info.status] = (status[r.info.status] ?? 0) + 1;
        expect(status).toEqual(want.status);
        // A run in .trash/ is deleted (its experiment is); the Default experiment "0" stays active in a store.
        const deletedExps = exps.filter((e) => e.lifecycleStage === "deleted").length;
        const trashHasDefault = existsSync(join(FIXTURES, name, "mlruns/.trash/0"));
        expect(deletedExps).toBe(want.trash - (trashHasDefault ? 1 : 0));
        const deletedRuns = runs.filter((r) => r.info.lifecycleStage === "deleted").length;
        expect(deletedRuns).toBeGreaterThanOrEqual(Math.max(want.deletedMeta ?? 0, want.inTrash ?? 0));
        expect(deletedRuns).toBeLessThanOrEqual((want.deletedMeta ?? 0) + (want.inTrash ?? 0));
        // Registered models and MLflow 3 logged models are imported, not skipped.
        expect(result.imported.registeredModels).toBe(want.registry ?? 0);
        expect(result.imported.loggedModels).toBe(want.loggedModels ?? 0);
        expect((await tb.store.listRegisteredModels!()).length).toBe(want.registry ?? 0);
      });

      it("keeps every run id and experiment id of the bundle", async () => {
        const exps = (await tb.store.searchExperiments({ viewType: "ALL" })).experiments.map((e) => e.experimentId);
        expect(Object.keys(result.experimentIds)).toEqual([]);
        expect(result.runIds).toEqual({});
        expect(exps.length).toBe(want.exps);
      });

      it("exports and imports again losslessly, and a second export writes the same files", async () => {
        const first = join(tmp.dir, "first");
        const second = join(tmp.dir, "second");
        const exported = await exportMlruns(tb, first);
        expect(exported.runs).toBe(want.runs);
        const again = await openTracker("memory:");
        await importMlruns(again, first);
        expect(await dumpStore(again.store)).toEqual(await dumpStore(tb.store));
        await exportMlruns(again, second);
        const normal = (tree: Record<string, string>, root: string) =>
          Object.fromEntries(
            Object.entries(tree).map(([k, v]) => [
              k,
              k.endsWith("meta.yaml")
                ? Buffer.from(v, "base64").toString("utf8").replaceAll(root, "ROOT").replace(/^(creation_time|last_update_time|deleted_time): \d+$/gm, "$1: T")
                : v,
            ]),
          );
        expect(normal(readTree(second), second)).toEqual(normal(readTree(first), first));
        await again.close();
        await tb.close();
      });
    });
  }
});
