/**
 * The second pass of an import, before anything is written: decides what happens to each
 * experiment (create it, or merge into one the store has) and each run (import, skip, replace, or
 * import under a new id). Runs themselves are checked as they are read: in full, by making the
 * exact calls the real import will make against a store that applies every backend's rules and
 * keeps nothing ({@link checkRun}). Into a store that can undo its writes exactly (it can purge),
 * each run is checked right before it is written, so every metric file is read and parsed once;
 * into any other store, every run is checked here first (its metric files scanned, not converted),
 * so a bad bundle never touches it.
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
import { readRun, type ReadRun, type RunLocation } from "./read-run.js";
import { writeRunRecord } from "./run-record.js";
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

/** What happens to one run of the bundle. */
export type RunPlan = { loc: RunLocation; action: "import" | "replace" | "skip"; targetRunId: string };

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

/**
 * The whole plan. `checked`: every run was checked while planning (a store that cannot undo its
 * writes), and what reading runs found (skipped files, notes) is already in `skipped` and `notes`.
 */
export type ImportPlan = { experiments: ExperimentPlan[]; runs: RunPlan[]; models: ModelsPlan; skipped: Skipped[]; notes: string[]; idMap: Map<string, string>; checked: boolean; found: RunFindings };

/** What reading the runs found that the result reports: counted as runs are checked. */
export type RunFindings = { datasetPoints: number; unnamed: number };

/**
 * Checks a run read from the bundle by making the calls its import makes against a store that
 * keeps nothing; a problem is a TrackerError naming the run's folder. Adds what reading it found
 * to `found` and `skipped`.
 */
export async function checkRun(read: ReadRun, loc: RunLocation, found: RunFindings, skipped: Skipped[]): Promise<void> {
  try {
    await writeRunRecord(checkingStore(), read.record, DEFAULT_EXPERIMENT_ID, false);
  } catch (e) {
    if (isTrackerError(e)) throw new TrackerError(e.code, `Malformed bundle run ${loc.dir}: ${e.message}`);
    throw e;
  }
  skipped.push(...read.skipped);
  found.datasetPoints += read.datasetPoints;
  if (read.unnamed) found.unnamed++;
}

/** The notes on what reading the runs found. */
export function findingsNotes(found: RunFindings): string[] {
  const notes: string[] = [];
  if (found.unnamed > 0) notes.push(`${found.unnamed} run(s) had no name (MLflow before 1.30 kept none); each is named by its run id.`);
  if (found.datasetPoints > 0) notes.push(`${found.datasetPoints} metric point(s) carried a dataset name and digest; the points were imported without them.`);
  return notes;
}

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

/**
 * Plans the import; nothing is written to `store`. With `checkFirst`, every run is read (its
 * metric files only scanned) and checked now, for a store whose writes cannot be undone exactly.
 */
export async function planImport(store: TrackingStore, bundle: OpenedBundle, scan: Scan, policy: ConflictPolicy, progress: ProgressReporter, checkFirst: boolean): Promise<ImportPlan> {
  const notes: string[] = [];
  const skipped: Skipped[] = [...scan.skipped];
  const experiments = await planExperiments(store, scan, notes);
  if (policy === "replace" && !canPurge(store)) {
    throw new TrackerError("NOT_IMPLEMENTED", "onConflict 'replace' needs a store that can remove runs for good (purgeRun), and this one cannot. Use 'skip' or 'new-ids'.");
  }
  const runs: RunPlan[] = [];
  const idMap = new Map<string, string>();
  const found: RunFindings = { datasetPoints: 0, unnamed: 0 };
  const locs = experiments.flatMap((e) => e.scanned.runs);
  if (checkFirst) progress.start("validating", locs.length);
  const ahead = checkFirst ? readAhead(locs, (loc) => readRunOf(bundle, loc, true)) : undefined;
  for (const loc of locs) {
    // Settled promises never yield to the event loop: 1,000 getRun misses held it ~60 ms.
    await progress.breathe();
    if (ahead) {
      progress.checkAborted();
      await checkRun(await ahead.next(), loc, found, skipped);
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
    runs.push(plan);
    if (ahead) progress.report(runs.length);
  }
  if (checkFirst) notes.push(...findingsNotes(found));
  const models = await planModels(store, bundle, scan, policy, skipped, notes);
  return { experiments, runs, models, skipped, notes, idMap, checked: checkFirst, found };
}
