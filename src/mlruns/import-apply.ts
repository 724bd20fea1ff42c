/**
 * The last pass of an import: writes the planned experiments and runs into the store, recording
 * the inverse of every change in an {@link UndoLog} before moving on. Each run is read from the
 * bundle (a few ahead, on worker threads where the source has them), checked, then written, so
 * memory holds a few runs, never the bundle, and each metric file is parsed once.
 *
 * @module
 */
import type { TrackingStore } from "../store/store.js";
import { applyModels } from "./import-models.js";
import { checkRun, findingsNotes, readAhead, readRunOf, type ImportPlan } from "./import-plan.js";
import type { ProgressReporter } from "./progress.js";
import { writeRunRecord, writeRunRecords, type RecordArtifact, type RecordTo, type RunRecord } from "./run-record.js";
import type { OpenedBundle } from "./source-layout.js";
import type { PurgingStore, UndoLog } from "./undo.js";

/** The tag naming a run's parent (tracker.ts's PARENT_RUN_TAG; not imported from that higher layer). */
const PARENT_RUN_TAG_KEY = "mlflow.parentRunId";

/** Runs per group written at once (one putRuns call), and points: a group of large runs is cut short. */
const GROUP_RUNS = 4;
const GROUP_POINTS = 1 << 20;

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
  // Runs to skip are read too (their metric files only scanned): a bad bundle is refused whole.
  // Runs checked while planning are read only to be written.
  const toRead = plan.checked ? plan.runs.filter((r) => r.action !== "skip") : plan.runs;
  const ahead = readAhead(toRead, (r) => readRunOf(bundle, r.loc, r.action === "skip"));
  // Runs are written a group at a time (one putRuns call, whose files the store writes at once),
  // while the next group is read and checked: one group in flight.
  let group: RecordTo[] = [];
  let groupPoints = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (): Promise<void> => {
    const items = group;
    group = [];
    groupPoints = 0;
    await inFlight;
    inFlight = writeRunRecords(store, items).then((written) => {
      for (const c of written) {
        counts.runs++;
        counts.params += c.params;
        counts.tags += c.tags;
        counts.points += c.points;
        counts.artifacts += c.artifacts;
        counts.artifactBytes += c.artifactBytes;
      }
      done += items.length;
      progress.report(done);
    });
    inFlight.catch(() => undefined); // awaited before the next group, and before an undo
  };
  try {
    for (const r of plan.runs) {
      await progress.breathe();
      progress.checkAborted();
      const read = r.action !== "skip" || !plan.checked ? await ahead.next() : undefined;
      if (read && !plan.checked) await checkRun(read, r.loc, plan.found, plan.skipped);
      if (!read || r.action === "skip") {
        progress.report(++done);
        continue;
      }
      const record = read.record;
      record.info = { ...record.info, runId: r.targetRunId };
      const parent = record.tags[PARENT_RUN_TAG_KEY];
      if (parent !== undefined && plan.idMap.has(parent)) record.tags = { ...record.tags, [PARENT_RUN_TAG_KEY]: plan.idMap.get(parent)! };
      if (r.action === "replace") {
        await inFlight;
        const old = await snapshotRun(store, r.targetRunId);
        await store.purgeRun!(r.targetRunId);
        undo.push(`replaced run ${r.targetRunId}`, async () => void (await writeRunRecord(store, old.record, old.experimentId)));
        counts.replaced++;
      }
      undo.createdRun(r.targetRunId);
      group.push({ record, experimentId: experimentIds.get(r.loc.experimentId)! });
      for (const h of record.metrics) groupPoints += h.values.length;
      if (group.length >= GROUP_RUNS || groupPoints >= GROUP_POINTS) await send();
    }
    if (group.length > 0) await send();
    await inFlight;
  } catch (e) {
    await inFlight.catch(() => undefined);
    throw e;
  }
  if (!plan.checked) plan.notes.push(...findingsNotes(plan.found));
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
