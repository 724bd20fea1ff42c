/**
 * The last pass of an import: writes the planned experiments and runs into the store, recording
 * the inverse of every change in an {@link UndoLog} before moving on. Runs are read from the
 * bundle again, one at a time, so memory holds one run, never the bundle.
 *
 * @module
 */
import type { TrackingStore } from "../store/store.js";
import { applyModels } from "./import-models.js";
import { readAhead, readRunOf, type ImportPlan } from "./import-plan.js";
import type { ProgressReporter } from "./progress.js";
import { readMetrics } from "./read-run.js";
import { writeRunRecord, type RecordArtifact, type RunRecord } from "./run-record.js";
import type { OpenedBundle } from "./source-layout.js";
import type { PurgingStore, UndoLog } from "./undo.js";

/** The tag naming a run's parent (tracker.ts's PARENT_RUN_TAG; not imported from that higher layer). */
const PARENT_RUN_TAG_KEY = "mlflow.parentRunId";

/** What an import wrote (logged models and registry entries included). */
export type ImportCounts = {
  experiments: number;
  runs: number;
  replaced: number;
  params: number;
  tags: number;
  points: number;
  artifacts: number;
  artifactBytes: number;
  loggedModels: number;
  loggedModelArtifacts: number;
  registeredModels: number;
  modelVersions: number;
};

/** Applies `plan` to `store`; on failure the caller rolls `undo` back. Returns the counts and the experiment id map. */
export async function applyImport(
  store: PurgingStore,
  bundle: OpenedBundle,
  plan: ImportPlan,
  progress: ProgressReporter,
  undo: UndoLog,
): Promise<{ counts: ImportCounts; experimentIds: Map<string, string> }> {
  const counts: ImportCounts = {
    experiments: 0,
    runs: 0,
    replaced: 0,
    params: 0,
    tags: 0,
    points: 0,
    artifacts: 0,
    artifactBytes: 0,
    loggedModels: 0,
    loggedModelArtifacts: 0,
    registeredModels: 0,
    modelVersions: 0,
  };
  const experimentIds = new Map<string, string>();
  const redelete: string[] = [];
  for (const p of plan.experiments) {
    const { meta, tags, deleted } = p.scanned;
    if (!p.existing) {
      const id = await store.createExperiment({ experimentId: meta.experimentId, name: meta.name, tags });
      undo.createdExperiment(id);
      experimentIds.set(meta.experimentId, id);
      if (id !== meta.experimentId) plan.notes.push(`Experiment '${meta.name}' got id ${id} (the store allocates its own ids; it is ${meta.experimentId} in the bundle).`);
      if (deleted && id !== "0") redelete.push(id);
      counts.experiments++;
      continue;
    }
    const id = p.existing.experimentId;
    experimentIds.set(meta.experimentId, id);
    if (p.existing.lifecycleStage === "deleted" && p.scanned.runs.length > 0) {
      await store.restoreExperiment(id);
      undo.push(`restore of experiment ${id}`, () => store.deleteExperiment(id));
      redelete.push(id);
    }
  }
  progress.start("importing", plan.runs.length);
  let done = 0;
  // What the checking pass did not keep is read again, a few runs ahead of the one being written:
  // whole runs, or the metric files of runs kept without them.
  const again = plan.runs.filter((r) => r.action !== "skip" && (r.record === undefined || r.metricFiles !== undefined));
  const ahead = readAhead(again, async (r): Promise<RunRecord> => {
    if (r.record === undefined) return (await readRunOf(bundle, r.loc)).record;
    return { ...r.record, metrics: (await readMetrics(bundle.source, r.metricFiles!)).metrics };
  });
  for (const r of plan.runs) {
    await progress.breathe();
    progress.checkAborted();
    if (r.action !== "skip") {
      const record = r.record !== undefined && r.metricFiles === undefined ? r.record : await ahead.next();
      r.record = undefined; // written once; let it go
      r.metricFiles = undefined;
      record.info = { ...record.info, runId: r.targetRunId };
      const parent = record.tags[PARENT_RUN_TAG_KEY];
      if (parent !== undefined && plan.idMap.has(parent)) record.tags = { ...record.tags, [PARENT_RUN_TAG_KEY]: plan.idMap.get(parent)! };
      if (r.action === "replace") {
        const old = await snapshotRun(store, r.targetRunId);
        await store.purgeRun!(r.targetRunId);
        undo.push(`replaced run ${r.targetRunId}`, async () => void (await writeRunRecord(store, old.record, old.experimentId)));
        counts.replaced++;
      }
      undo.createdRun(r.targetRunId);
      const c = await writeRunRecord(store, record, experimentIds.get(r.loc.experimentId)!);
      counts.runs++;
      counts.params += c.params;
      counts.tags += c.tags;
      counts.points += c.points;
      counts.artifacts += c.artifacts;
      counts.artifactBytes += c.artifactBytes;
    }
    progress.report(++done);
  }
  const bundleRuns = new Set(plan.runs.map((r) => r.loc.runId));
  Object.assign(counts, await applyModels(store, plan.models, { experimentIds, runIds: plan.idMap, bundleRuns }, undo));
  for (const id of redelete) {
    await store.deleteExperiment(id);
    undo.push(`deletion of experiment ${id}`, () => store.restoreExperiment(id));
  }
  // Changes to the store's own experiments come last, after everything that can fail on the
  // bundle's account: a rename is undone by renaming back, but the interface cannot remove a tag.
  for (const p of plan.experiments) {
    if (!p.existing) continue;
    if (p.rename) {
      const old = p.existing.name;
      await store.renameExperiment(p.existing.experimentId, p.scanned.meta.name);
      undo.push(`name of experiment ${p.existing.experimentId}`, () => store.renameExperiment(p.existing!.experimentId, old));
    }
    for (const [k, v] of Object.entries(p.scanned.tags)) if (p.existing.tags[k] === undefined) await store.setExperimentTag(p.existing.experimentId, k, v);
  }
  return { counts, experimentIds };
}

/** A run of the store held in memory (with its artifacts), to put back if a replacing import is undone. */
async function snapshotRun(store: TrackingStore, runId: string): Promise<{ record: RunRecord; experimentId: string }> {
  const run = await store.getRun(runId);
  const metrics = [];
  for (const key of Object.keys(run.data.metrics)) metrics.push(await store.getMetricHistory(runId, key));
  const artifacts: RecordArtifact[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const a of await store.listArtifacts(runId, folder)) {
      if (a.isDir) await walk(a.path);
      else {
        const bytes = await store.readArtifact(runId, a.path);
        artifacts.push({ path: a.path, size: bytes.length, read: async () => bytes });
      }
    }
  };
  await walk("");
  const { artifactUri: _uri, ...info } = run.info;
  return { record: { info, params: run.data.params, tags: run.data.tags, metrics, artifacts }, experimentId: run.info.experimentId };
}
