/**
 * Removing runs and experiments for good (MLflow's `gc`), unlike `deleteRun`/`deleteExperiment`
 * which only mark them: the mlruns importer uses it to undo a failed import exactly, so the root
 * ends byte for byte as it was.
 *
 * Durability: a run's folder is first renamed to a hidden name in `runs/` (one atomic step; the
 * loader only reads folders named like run ids), the `runs/` folder is fsynced so the removal
 * survives a crash, then the renamed folder is deleted. A crash in between leaves a hidden
 * `.purged-*` folder that nothing reads; the next purge in this root clears it. An experiment's
 * file is removed (and `experiments/` fsynced) after its runs, so a crash never leaves runs of a
 * missing experiment.
 *
 * The caller (ArrowStore) runs these in its write queue, and each run's removal inside that run's
 * gate, so no history read is in flight on a file being removed.
 *
 * @module
 */
import { open, readdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Experiment } from "../../entities.js";
import { DEFAULT_EXPERIMENT_ID } from "../../entities.js";
import { invalidParameter } from "../../errors.js";
import type { Catalog } from "../catalog.js";
import { ioError, type HandleCache } from "./files.js";
import { paths, type RunRecord } from "./load.js";

/** What purging needs from the store. */
export type PurgeTarget = {
  root: string;
  catalog: Catalog<RunRecord>;
  /** Cached append handles (the purged run's is closed). */
  handles: HandleCache;
  /** Files waiting for their fsync (the purged run's are forgotten). */
  touched: Set<string>;
  /** Runs a removal inside the run's gate (after its reads in flight). */
  exclusive(runId: string, fn: () => Promise<void>): Promise<void>;
  /** Forgets the store's per-run state (gate, broken mark) and schedules summary.json. */
  forget(runId: string): void;
};

const PURGED_PREFIX = ".purged-";
let purgeCounter = 0;
const swept = new WeakSet<Catalog<RunRecord>>();

/** Removes run `runId` (its folder: run.json, history, artifacts) and its catalog entry, durably. */
export async function purgeRunIn(t: PurgeTarget, runId: string): Promise<void> {
  t.catalog.run(runId); // INVALID_PARAMETER_VALUE / RESOURCE_DOES_NOT_EXIST before anything changes
  await sweepLeftovers(t);
  await t.exclusive(runId, () => removeRunFolder(t, runId));
}

/**
 * Removes experiment `experimentId`, all its runs, and its file, durably. The Default
 * experiment "0" cannot be purged.
 */
export async function purgeExperimentIn(t: PurgeTarget, experimentId: string): Promise<void> {
  const e: Experiment = t.catalog.experiment(experimentId);
  if (e.experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be purged.");
  await sweepLeftovers(t);
  const runIds = [...t.catalog.runs.values()].filter((r) => r.info.experimentId === experimentId).map((r) => r.info.runId);
  for (const runId of runIds) await t.exclusive(runId, () => removeRunFolder(t, runId));
  const file = paths.experiment(t.root, experimentId);
  await rm(file, { force: true }).catch((err) => {
    throw ioError("remove", file, err);
  });
  await syncDir(paths.experiments(t.root));
  t.catalog.experiments.delete(experimentId);
}

async function removeRunFolder(t: PurgeTarget, runId: string): Promise<void> {
  const dir = paths.run(t.root, runId);
  const history = paths.history(t.root, runId);
  await t.handles.drop(history);
  const hidden = join(paths.runs(t.root), `${PURGED_PREFIX}${runId}-${process.pid}-${purgeCounter++}`);
  try {
    await rename(dir, hidden);
  } catch (err) {
    // A run whose folder is already gone (removed by hand) is purged from the catalogue alone.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw ioError("remove", dir, err);
  }
  t.touched.delete(history);
  t.catalog.runs.delete(runId);
  t.forget(runId);
  await syncDir(paths.runs(t.root));
  // Past the durable step the run is gone; a failure to free its space is not the caller's failure.
  await rm(hidden, { recursive: true, force: true }).catch(() => undefined);
}

/** Clears `.purged-*` folders a crash left in `runs/` (once per store). */
async function sweepLeftovers(t: PurgeTarget): Promise<void> {
  if (swept.has(t.catalog)) return;
  swept.add(t.catalog);
  const runs = paths.runs(t.root);
  const names = await readdir(runs).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(PURGED_PREFIX)).map((n) => rm(join(runs, basename(n)), { recursive: true, force: true }).catch(() => undefined)));
}

/** fsyncs a folder, so renames and removals in it are durable (a no-op where folders cannot be opened, e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF" && code !== "ENOENT") throw ioError("sync", dir, err);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
