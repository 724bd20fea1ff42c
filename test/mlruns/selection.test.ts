/**
 * Export selection (experiments, runs, a filter, with or without artifacts and history), progress
 * reports and cancellation, for export and import.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import { exportMlruns, importMlruns, type Progress } from "../../src/mlruns/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { searchAllRuns } from "../../src/store/store.js";
import { openTracker } from "../../src/tracker.js";
import { tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

const runsIn = async (store: MemoryStore) => {
  const { experiments } = await store.searchExperiments({ viewType: "ALL" });
  return (await searchAllRuns(store, { experimentIds: experiments.map((e) => e.experimentId), runViewType: "ALL" })).map((r) => r.info.runId).sort();
};

describe("mlruns export selection, progress and cancellation", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;
  const target = (ext = "") => join(tmp.dir, `t${n++}${ext}`);
  let store: MemoryStore;
  let runIds: string[];
  let experimentIds: string[];
  beforeAll(async () => {
    ({ store, runIds, experimentIds } = await richStore());
  });

  const roundTrip = async (options: Parameters<typeof exportMlruns>[2]) => {
    const dir = target();
    const result = await exportMlruns(store, dir, options);
    const into = new MemoryStore();
    await importMlruns(into, dir);
    return { result, into, dir };
  };

  it("some experiments: those (and always 0), with all their runs", async () => {
    const [, exp, , gone] = experimentIds;
    const { into, dir } = await roundTrip({ experimentIds: [exp!] });
    expect(readdirSync(dir).sort()).toEqual([".trash", "0", exp!, "models"].sort());
    expect((await into.searchExperiments({ viewType: "ALL" })).experiments.map((e) => e.experimentId).sort()).toEqual(["0", exp!].sort());
    const expected = (await searchAllRuns(store, { experimentIds: [exp!], runViewType: "ALL" })).map((r) => r.info.runId).sort();
    expect(await runsIn(into)).toEqual(expected);
    expect(expected).not.toContain(runIds[runIds.length - 1]); // the run of the deleted experiment `gone`
    void gone;
  });

  it("some runs: only those, in their experiments", async () => {
    const pick = [runIds[1]!, runIds[runIds.length - 1]!];
    const { into, result } = await roundTrip({ runIds: pick });
    expect(result.runs).toBe(2);
    expect(await runsIn(into)).toEqual([...pick].sort());
    expect((await into.getExperiment(experimentIds[3]!)).lifecycleStage).toBe("deleted");
  });

  it("a search filter, intersected with the other options, and active runs only", async () => {
    const filter = "tags.`mlflow.user` = 'yes' OR params.`model/optimizer/name` LIKE '%:%'";
    const { into } = await roundTrip({ filter, runViewType: "ACTIVE_ONLY" });
    const want = (await searchAllRuns(store, { experimentIds, filter })).map((r) => r.info.runId).sort();
    expect(want.length).toBeGreaterThan(1);
    expect(await runsIn(into)).toEqual(want);
  });

  it("without artifacts: artifacts/ folders stay, empty", async () => {
    const { dir, into } = await roundTrip({ runIds: [runIds[0]!], artifacts: false });
    expect(readdirSync(join(dir, experimentIds[1]!, runIds[0]!, "artifacts"))).toEqual([]);
    expect(await into.listArtifacts(runIds[0]!)).toEqual([]);
  });

  it("summary only: one line per metric, the latest point, which search sees unchanged", async () => {
    const { dir, into } = await roundTrip({ runIds: [runIds[0]!], history: false });
    expect(readFileSync(join(dir, experimentIds[1]!, runIds[0]!, "metrics", "loss"), "utf8")).toBe("1700000000001 0.125 9007199254740991\n");
    expect((await into.getRun(runIds[0]!)).data.metrics).toEqual((await store.getRun(runIds[0]!)).data.metrics);
    expect((await into.getMetricHistory(runIds[0]!, "train/acc")).values.length).toBe(1);
  });

  it("an unknown experiment or run id is an error, and nothing is written", async () => {
    for (const options of [{ experimentIds: ["999"] }, { runIds: ["f".repeat(32)] }]) {
      const dir = target();
      const e = await exportMlruns(store, dir, options).catch((x: unknown) => x);
      expect(isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")).toBe(true);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it("reports progress per run, and a tracker is flushed before export", async () => {
    const tb = await openTracker("memory:");
    const run = await tb.startRun({ runName: "buffered" });
    run.logMetric("loss", 0.5, 1);
    const seen: Progress[] = [];
    const dir = target();
    await exportMlruns(tb, dir, { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ done: 0, total: 0, phase: "selecting" }, { done: 0, total: 1, phase: "exporting" }, { done: 1, total: 1, phase: "exporting" }]);
    expect(readFileSync(join(dir, "0", run.runId, "metrics", "loss"), "utf8")).toMatch(/^\d+ 0\.5 1\n$/);
    const imported: Progress[] = [];
    await importMlruns(new MemoryStore(), dir, { onProgress: (p) => imported.push(p) });
    expect(imported.map((p) => `${p.phase} ${p.done}/${p.total}`)).toEqual(["scanning 0/0", "importing 0/1", "importing 1/1"]);
    await tb.close();
  });

  it("cancelling an export rejects with the signal's reason and leaves nothing, folder or zip", async () => {
    for (const ext of ["", ".zip"]) {
      const controller = new AbortController();
      const path = target(ext);
      const e = await exportMlruns(store, path, {
        signal: controller.signal,
        onProgress: (p) => p.phase === "exporting" && p.done === 3 && controller.abort(new Error("enough")),
      }).catch((x: unknown) => x);
      expect((e as Error).message).toBe("enough");
      expect(readdirSync(tmp.dir).filter((f) => f.includes(path.slice(tmp.dir.length + 1)))).toEqual([]);
    }
  });
});
