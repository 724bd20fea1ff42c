/**
 * The second pass of an import, before anything is written: decides what happens to each
 * experiment (create it, or merge into one the store has) and each run (import, skip, replace, or
 * import under a new id), and checks every run in full by making the exact calls the real import
 * will make against a store that applies every backend's rules and keeps nothing. Any problem in the bundle surfaces here, so a
 * bad bundle never touches the store.
 *
 * @module
 */
import { DEFAULT_EXPERIMENT_ID, type Experiment } from "../entities.js";
import { isTrackerError, TrackerError } from "../errors.js";
import { newRunId } from "../ids.js";
import { checkingStore } from "./check-store.js";
import type { TrackingStore } from "../store/store.js";
import { validateExperimentName } from "../validation.js";
import type { Scan, ScannedExperiment, Skipped } from "./import-scan.js";
import { planModels, type ModelsPlan } from "./import-models.js";
import type { ProgressReporter } from "./progress.js";
import { readRun, type MetricFile, type ReadRun, type RunLocation } from "./read-run.js";
import { writeRunRecord, type RunRecord } from "./run-record.js";
import type { OpenedBundle } from "./source-layout.js";
import { canPurge } from "./undo.js";

/** What to do when a run of the bundle is already in the store. */
export type ConflictPolicy = "skip" | "replace" | "new-ids";

/** What happens to one experiment of the bundle. */
export type ExperimentPlan = {
  scanned: ScannedExperiment;
  /** The store's experiment it merges into; undefined when it is created. */
  existing: Experiment | undefined;
  /** Merge: give the (empty) store experiment the bundle's name. */
  rename: boolean;
};

/**
 * What happens to one run of the bundle; `record` holds the run as read, when it fitted the memory
 * budget, its histories still to read from `metricFiles` when those are given (the checking pass
 * only checked them).
 */
export type RunPlan = { loc: RunLocation; action: "import" | "replace" | "skip"; targetRunId: string; record?: RunRecord | undefined; metricFiles?: MetricFile[] | undefined };

/**
 * Bytes a run record holds in memory, roughly: its columns and strings, plus V8's overhead per
 * object and typed array (calibrated on the memory benchmark: ~9 KB for a small run of 3 params,
 * 7 tags and 2 metrics of 10 points).
 */
function recordBytes(r: RunRecord): number {
  let n = 4096;
  for (const h of r.metrics) n += 3 * (h.steps.byteLength + 320) + 2 * h.key.length + 256;
  for (const [k, v] of Object.entries(r.params)) n += 2 * (k.length + v.length) + 200;
  for (const [k, v] of Object.entries(r.tags)) n += 2 * (k.length + v.length) + 200;
  return n + r.artifacts.length * 512;
}

/** Reads a run of the bundle: where the bundle says (a worker thread), else here. */
export function readRunOf(bundle: OpenedBundle, loc: RunLocation, check = false): Promise<ReadRun> {
  return bundle.readRun ? bundle.readRun(loc, check) : readRun(bundle.source, loc, bundle.mlartifacts, check);
}

/** Runs read while the current one is checked or written: a source that parses on other threads keeps them busy. */
export const RUNS_AHEAD = 4;

/**
 * Reads `items` in order, up to {@link RUNS_AHEAD} ahead of the one asked for; `next()` gives them
 * in order. A failed read ahead is reported when its turn comes (never as an unhandled rejection).
 */
export function readAhead<T, R>(items: readonly T[], read: (item: T) => Promise<R>): { next(): Promise<R> } {
  const started: (Promise<R> | undefined)[] = [];
  let at = 0;
  const start = (i: number) => {
    if (i >= items.length || started[i] !== undefined) return;
    const p = read(items[i]!);
    p.catch(() => undefined);
    started[i] = p;
  };
  return {
    next() {
      for (let i = at; i <= at + RUNS_AHEAD; i++) start(i);
      const p = started[at]!;
      started[at++] = undefined;
      return p;
    },
  };
}

/** The whole plan. */
export type ImportPlan = { experiments: ExperimentPlan[]; runs: RunPlan[]; models: ModelsPlan; skipped: Skipped[]; notes: string[]; idMap: Map<string, string> };

async function getOrUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")) return undefined;
    throw e;
  }
}

async function planExperiments(store: TrackingStore, scan: Scan, notes: string[]): Promise<ExperimentPlan[]> {
  const names = new Map<string, string>();
  const plans: ExperimentPlan[] = [];
  for (const scanned of scan.experiments) {
    const { experimentId: id, name } = scanned.meta;
    validateExperimentName(name);
    const clash = names.get(name);
    if (clash !== undefined) throw new TrackerError("INVALID_PARAMETER_VALUE", `Malformed bundle: experiments ${clash} and ${id} are both named '${name}'; MLflow requires unique names.`);
    names.set(name, id);
    let existing = await getOrUndefined(store.getExperiment(id));
    let rename = false;
    if (existing && existing.name !== name) {
      const empty = (await store.searchRuns({ experimentIds: [id], runViewType: "ALL", maxResults: 1 })).runs.length === 0;
      rename = empty && (await store.getExperimentByName(name)) === undefined;
      if (!rename) notes.push(`Experiment ${id} is '${name}' in the bundle and '${existing.name}' in the store; its runs join the store's experiment, which keeps its name.`);
    } else if (!existing) {
      existing = await store.getExperimentByName(name);
      if (existing) notes.push(`Experiment '${name}' has id ${id} in the bundle and ${existing.experimentId} in the store; its runs join the store's experiment.`);
    }
    if (existing && scanned.deleted && existing.lifecycleStage === "active") {
      notes.push(`Experiment '${name}' is deleted in the bundle but active in the store${id === DEFAULT_EXPERIMENT_ID ? " (the Default experiment cannot be deleted)" : ""}; its ${scanned.runs.length} run(s) were imported as deleted runs.`);
    }
    plans.push({ scanned, existing, rename });
  }
  return plans;
}

/** Plans the import and checks every run; nothing is written to `store`. */
export async function planImport(
  store: TrackingStore,
  bundle: OpenedBundle,
  scan: Scan,
  policy: ConflictPolicy,
  progress: ProgressReporter,
  memoryBudget: number,
): Promise<ImportPlan> {
  const notes: string[] = [];
  const skipped: Skipped[] = [...scan.skipped];
  const experiments = await planExperiments(store, scan, notes);
  if (policy === "replace" && !canPurge(store)) {
    throw new TrackerError("NOT_IMPLEMENTED", "onConflict 'replace' needs a store that can remove runs for good (purgeRun), and this one cannot. Use 'skip' or 'new-ids'.");
  }
  const runs: RunPlan[] = [];
  const idMap = new Map<string, string>();
  let datasetPoints = 0;
  let unnamed = 0;
  let cached = 0;
  progress.start("validating", scan.runCount);
  // Runs are kept for the writes while the memory budget has room. In its first half a run is
  // kept whole; past that its metric files are only checked now and parsed when it is written,
  // and the rest of it (names, params, tags: a few kilobytes) is kept, so it is not listed and
  // read file by file again.
  const ahead = readAhead(experiments.flatMap((e) => e.scanned.runs), (loc) => readRunOf(bundle, loc, cached >= memoryBudget / 2));
  for (const exp of experiments) {
    for (const loc of exp.scanned.runs) {
      await progress.breathe();
      progress.checkAborted();
      const read = await ahead.next();
      skipped.push(...read.skipped);
      datasetPoints += read.datasetPoints;
      if (read.unnamed) unnamed++;
      try {
        await writeRunRecord(checkingStore(), read.record, DEFAULT_EXPERIMENT_ID, false);
      } catch (e) {
        if (isTrackerError(e)) throw new TrackerError(e.code, `Malformed bundle run ${loc.dir}: ${e.message}`);
        throw e;
      }
      const inStore = await getOrUndefined(store.getRun(loc.runId));
      let plan: RunPlan = { loc, action: "import", targetRunId: loc.runId };
      if (inStore && policy === "skip") {
        plan = { loc, action: "skip", targetRunId: loc.runId };
        skipped.push({ path: loc.dir, reason: `run ${loc.runId} is already in the store (onConflict: 'skip')` });
      } else if (inStore && policy === "replace") plan = { loc, action: "replace", targetRunId: loc.runId };
      else if (inStore) {
        plan = { loc, action: "import", targetRunId: newRunId() };
        idMap.set(loc.runId, plan.targetRunId);
      }
      // Runs that fit the budget are kept for the writes; the rest are read (and parsed) again then.
      if (plan.action !== "skip") {
        const bytes = recordBytes(read.record);
        if (cached + bytes <= memoryBudget) {
          plan.record = read.record;
          if (read.checkedOnly) plan.metricFiles = read.metricFiles;
          cached += bytes;
        }
      }
      runs.push(plan);
      progress.report(runs.length);
    }
  }
  if (unnamed > 0) notes.push(`${unnamed} run(s) had no name (MLflow before 1.30 kept none); each is named by its run id.`);
  if (datasetPoints > 0) notes.push(`${datasetPoints} metric point(s) carried a dataset name and digest; the points were imported without them.`);
  const models = await planModels(store, bundle, scan, policy, skipped, notes);
  return { experiments, runs, models, skipped, notes, idMap };
}
