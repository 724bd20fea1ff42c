/**
 * A store holding the awkward cases of mlruns-format §8: YAML-ambiguous names and user ids,
 * Unicode and nested keys, NaN/±Inf/-0.0, tiny and huge values, repeated and negative steps,
 * 6000-character params, values with newlines, deleted runs and a deleted experiment, RUNNING and
 * KILLED runs, nested runs, artifacts in folders, an empty artifact, a run with nothing logged.
 */
import { metricColumns, type TrackingStore } from "../../../src/store/store.js";
import { MemoryStore } from "../../../src/store/memory/memory-store.js";

export const AMBIGUOUS = ["yes", "no", "on", "null", "~", "1:30", "2024-01-01", "0777", "12345", "=", "<<", "True", "a\u2028b", "  lead and trail  ", "x: y # z"];

/** Fills a new memory store; returns it with the ids it made. */
export async function richStore(): Promise<{ store: MemoryStore; runIds: string[]; experimentIds: string[] }> {
  const store = new MemoryStore();
  const runIds: string[] = [];
  const exp = await store.createExperiment({ name: "yes", tags: { "mlflow.note.content": "# Notes\nline 2\n", "1:30": "0777" } });
  const longName = await store.createExperiment({ name: "a long experiment name with spaces that PyYAML would fold if it were written plain and wide " + "x".repeat(60) });
  const gone = await store.createExperiment({ name: "2024-01-01" });
  const t0 = 1_700_000_000_000;
  for (const [i, name] of AMBIGUOUS.entries()) {
    const run = await store.createRun({ experimentId: exp, runName: name, userId: AMBIGUOUS[(i + 3) % AMBIGUOUS.length]!, startTime: t0 + i, tags: { "mlflow.user": name, note: `multi\nline\r\nvalue ${i}` } });
    runIds.push(run.info.runId);
    await store.logBatch(run.info.runId, {
      params: [
        { key: "lr", value: "0.01" },
        { key: "model/optimizer/name", value: name },
        { key: "精度", value: "é/ß" },
        { key: "trailing", value: "newline\n" },
        { key: "long", value: "p".repeat(6000) },
        { key: "empty", value: "" },
      ],
      metrics: metricColumns([
        { key: "loss", value: 1 / (i + 3), step: 0, timestamp: t0 },
        { key: "loss", value: 1 / (i + 3), step: 0, timestamp: t0 + 1 },
        { key: "loss", value: 0.5, step: 0, timestamp: t0 },
        { key: "loss", value: 0.25, step: -3, timestamp: t0 + 5 },
        { key: "loss", value: 0.125, step: 9007199254740991, timestamp: t0 + 1 },
        { key: "train/acc", value: NaN, step: 1, timestamp: t0 },
        { key: "train/acc", value: Infinity, step: 2, timestamp: t0 },
        { key: "train/acc", value: -Infinity, step: 3, timestamp: t0 },
        { key: "train/acc", value: -0, step: 4, timestamp: t0 },
        { key: "tiny", value: 1e-7, step: 1, timestamp: t0 },
        { key: "huge", value: 1e21, step: 1, timestamp: t0 },
        { key: "é/ß", value: 0.1, step: 1, timestamp: 0 },
      ]),
    });
    await store.logArtifact(run.info.runId, "model/weights.bin", new Uint8Array([0, 1, 2, 255]));
    await store.logArtifact(run.info.runId, "empty.txt", new Uint8Array(0));
    await store.logArtifact(run.info.runId, "deep/er/still/notes.md", new TextEncoder().encode("# hi\n"));
    const status = (["FINISHED", "FAILED", "KILLED", "RUNNING"] as const)[i % 4];
    if (status !== "RUNNING") await store.updateRun(run.info.runId, { status, endTime: t0 + 1000 + i });
    if (i % 5 === 4) await store.deleteRun(run.info.runId);
  }
  const parent = runIds[0]!;
  const child = await store.createRun({ experimentId: exp, runName: "child", startTime: t0, tags: { "mlflow.parentRunId": parent } });
  runIds.push(child.info.runId);
  const bare = await store.createRun({ experimentId: longName, runName: "nothing logged", startTime: t0 });
  runIds.push(bare.info.runId);
  await store.updateRun(bare.info.runId, { status: "FINISHED", endTime: t0 + 1 });
  const doomed = await store.createRun({ experimentId: gone, runName: "in a deleted experiment", startTime: t0 });
  runIds.push(doomed.info.runId);
  await store.logBatch(doomed.info.runId, { params: [{ key: "p", value: "1" }], metrics: metricColumns([{ key: "m", value: 2, step: 0, timestamp: t0 }]) });
  await store.updateRun(doomed.info.runId, { status: "FINISHED", endTime: t0 + 2 });
  await store.deleteExperiment(gone);
  await store.setExperimentTag("0", "team", "vision");
  return { store, runIds, experimentIds: ["0", exp, longName, gone] };
}

/** What MLflow's test/mlruns/peer/mlflow_view.py prints, computed from a trackbook store. */
export async function mlflowView(store: TrackingStore, repr: (v: number) => string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const { experiments } = await store.searchExperiments({ viewType: "ALL", maxResults: 50000 });
  for (const e of experiments) {
    const runs: Record<string, unknown> = {};
    const page = await store.searchRuns({ experimentIds: [e.experimentId], runViewType: "ALL", maxResults: 50000 });
    for (const r of page.runs) {
      const history: Record<string, unknown[]> = {};
      const metrics: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.data.metrics)) {
        metrics[k] = repr(v);
        const h = await store.getMetricHistory(r.info.runId, k);
        history[k] = [...h.values].map((v, i) => [h.steps[i], repr(v), h.timestamps[i]]);
      }
      const artifacts: Record<string, number> = {};
      const walk = async (p: string) => {
        for (const a of await store.listArtifacts(r.info.runId, p)) {
          if (a.isDir) await walk(a.path);
          else artifacts[a.path] = a.fileSize!;
        }
      };
      await walk("");
      runs[r.info.runId] = {
        run_name: r.info.runName,
        status: r.info.status,
        start_time: r.info.startTime,
        end_time: r.info.endTime,
        lifecycle_stage: r.info.lifecycleStage,
        user_id: r.info.userId,
        params: r.data.params,
        tags: r.data.tags,
        metrics,
        history,
        artifacts,
      };
    }
    out[e.experimentId] = { name: e.name, lifecycle_stage: e.lifecycleStage, tags: e.tags, runs };
  }
  return out;
}
