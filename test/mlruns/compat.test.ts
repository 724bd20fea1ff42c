/**
 * mlruns-format §8 compatibility cases on hand-made bundles: what MLflow 1.x–3.x wrote in forms the
 * nine fixtures do not all show (int ids, 2-, 4- and 5-field lines, CRLF, run_uuid-only runs,
 * mlflow-artifacts: URIs), and the layout limits of export.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { metricColumns } from "../../src/store/store.js";
import { expMeta, RUN_A, RUN_B, RUN_C, runMeta, smallBundle, writeBundle } from "./helpers/bundle.js";
import { tempDir } from "./helpers/fixtures.js";

const history = async (store: MemoryStore, runId: string, key: string) => {
  const h = await store.getMetricHistory(runId, key);
  return [...h.values].map((v, i) => [h.steps[i], v, h.timestamps[i]]);
};

describe("mlruns compatibility (§8)", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;
  const bundle = (files: Record<string, string | Uint8Array | null>) => writeBundle(join(tmp.dir, `b${n++}`), files);

  it("reads 1.x files: int experiment ids, run_uuid without run_id, name: '', 2-field lines, CRLF, no status", async () => {
    const dir = bundle({
      "mlruns/0/meta.yaml": "artifact_location: mlruns/0\r\nexperiment_id: 0\r\nlifecycle_stage: active\r\nname: Default\r\n",
      "mlruns/3/meta.yaml": "artifact_location: file:mlruns/3\nexperiment_id: 3\nlifecycle_stage: active\nname: old\n",
      [`mlruns/3/${RUN_A}/meta.yaml`]: `artifact_uri: mlruns/3/${RUN_A}/artifacts\r\nend_time: null\r\nentry_point_name: ''\r\nexperiment_id: 3\r\nlifecycle_stage: active\r\nname: ''\r\nrun_uuid: ${RUN_A}\r\nsource_name: ''\r\nsource_type: 4\r\nsource_version: ''\r\nstart_time: 1590000000000\r\ntags: []\r\nuser_id: 12345\r\n`,
      [`mlruns/3/${RUN_A}/metrics/loss`]: "1590000000000 0.5\r\n1590000000001 nan\r\n1590000000002 -Infinity 7\r\n",
      [`mlruns/3/${RUN_A}/params/a`]: "x\r\ny",
      [`mlruns/3/${RUN_A}/tags/mlflow.runName`]: "old-run",
    });
    const store = new MemoryStore();
    await importMlruns(store, dir);
    const run = await store.getRun(RUN_A);
    expect(run.info).toMatchObject({ experimentId: "3", runName: "old-run", userId: "12345", status: "RUNNING", endTime: null, startTime: 1590000000000 });
    expect(await history(store, RUN_A, "loss")).toEqual([[0, 0.5, 1590000000000], [0, NaN, 1590000000001], [7, -Infinity, 1590000000002]]);
    expect(run.data.params.a).toBe("x\r\ny"); // MLflow's FileStore reads params byte for byte (codecs.open)
  });

  it("reads 3.x 4- and 5-field lines keeping the written step, and reports the dropped dataset links", async () => {
    const files = smallBundle();
    files[`mlruns/1/${RUN_A}/metrics/loss`] = "1700000000000 0.5 3 train 0123abcd\n1700000000001 0.25 4 m-0123\n";
    const store = new MemoryStore();
    const result = await importMlruns(store, bundle(files));
    expect(await history(store, RUN_A, "loss")).toEqual([[3, 0.5, 1700000000000], [4, 0.25, 1700000000001]]);
    expect(result.notes.join(" ")).toMatch(/1 metric point\(s\) carried a dataset name/);
  });

  it("finds artifacts of mlflow-artifacts: URIs in the sibling mlartifacts/ folder, and only there", async () => {
    const files = smallBundle();
    delete files[`mlruns/1/${RUN_A}/artifacts/model/weights.bin`];
    files[`mlruns/1/${RUN_A}/meta.yaml`] = runMeta(RUN_A, "1").replace(/artifact_uri: .*/, `artifact_uri: mlflow-artifacts:/1/${RUN_A}/artifacts`);
    files[`mlartifacts/1/${RUN_A}/artifacts/served/file.txt`] = "from the server";
    const dir = bundle(files);
    for (const path of [dir, join(dir, "mlruns")]) {
      const store = new MemoryStore();
      await importMlruns(store, path);
      expect(new TextDecoder().decode(await store.readArtifact(RUN_A, "served/file.txt"))).toBe("from the server");
    }
  });

  it("imports a deleted run in place, .trash/ experiments as deleted, and skips junk with a reason", async () => {
    const files = smallBundle();
    files[`mlruns/1/${RUN_B}/meta.yaml`] = runMeta(RUN_B, "1", "deleted_time: 1700000002000\n").replace("lifecycle_stage: active", "lifecycle_stage: deleted");
    files["mlruns/.trash/7/meta.yaml"] = expMeta("7", "binned");
    files[`mlruns/.trash/7/${RUN_C}/meta.yaml`] = runMeta(RUN_C, "7");
    files[`mlruns/1/${RUN_A}/metrics/.DS_Store`] = new Uint8Array([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]);
    files["mlruns/.ipynb_checkpoints/x"] = "junk";
    files["mlruns/README.md"] = "# not MLflow";
    const store = new MemoryStore();
    const result = await importMlruns(store, bundle(files));
    expect((await store.getRun(RUN_B)).info.lifecycleStage).toBe("deleted");
    expect((await store.getRun(RUN_C)).info.lifecycleStage).toBe("deleted");
    expect((await store.getExperiment("7")).lifecycleStage).toBe("deleted");
    expect(result.skipped.map((s) => s.path).sort()).toEqual(["mlruns/.ipynb_checkpoints", `mlruns/1/${RUN_A}/metrics/.DS_Store`, "mlruns/README.md"]);
  });

  it("export refuses keys the layout cannot hold (a and a/b), and leaves nothing at the target", async () => {
    const store = new MemoryStore();
    const run = await store.createRun({ experimentId: "0" });
    await store.logBatch(run.info.runId, { metrics: metricColumns([{ key: "a", value: 1, step: 0, timestamp: 1 }, { key: "a/b", value: 2, step: 0, timestamp: 1 }]) });
    const target = join(tmp.dir, "clash", "mlruns");
    const e = await exportMlruns(store, target).catch((x: unknown) => x);
    expect(isTrackerError(e, "INVALID_STATE")).toBe(true);
    expect((e as Error).message).toMatch(/metrics 'a' and 'a\/b'/);
    expect(existsSync(target)).toBe(false);
  });

  it("export always writes experiment 0, .trash/, models/ and empty metrics/, params/, artifacts/ folders", async () => {
    const store = new MemoryStore();
    const exp = await store.createExperiment({ name: "e" });
    const run = await store.createRun({ experimentId: exp });
    const target = join(tmp.dir, "empty", "mlruns");
    await exportMlruns(store, target, { experimentIds: [exp] });
    for (const p of [".trash", "models", "0/meta.yaml", `${exp}/${run.info.runId}/metrics`, `${exp}/${run.info.runId}/params`, `${exp}/${run.info.runId}/artifacts`]) {
      expect(existsSync(join(target, p)), p).toBe(true);
    }
  });

  it("refuses to export over a folder that is not empty", async () => {
    const target = bundle({ "x/file": "keep me" });
    const e = await exportMlruns(new MemoryStore(), join(target, "x")).catch((x: unknown) => x);
    expect(isTrackerError(e, "RESOURCE_ALREADY_EXISTS")).toBe(true);
  });
});
