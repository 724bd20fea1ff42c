/**
 * `importMlruns`: brings an mlruns bundle (written by MLflow 1.x–3.x or by {@link exportMlruns})
 * into a tracker's store, keeping run and experiment ids. The inverse of `exportMlruns`.
 *
 * All or nothing: the bundle's layout is scanned before the first write, each run is checked in
 * full before it is written, and every write is recorded with its inverse, so a bad run, a
 * failure or a cancellation undoes the writes before it. Into a store that cannot undo its writes
 * exactly (no purgeRun), every run is checked before the first write instead.
 *
 * @module
 */
import { storeOf, type StoreHolder } from "./export.js";
import { applyImport, type ImportCounts } from "./import-apply.js";
import { planImport, type ConflictPolicy } from "./import-plan.js";
import { scanBundle, type Skipped } from "./import-scan.js";
import { ProgressReporter, type ProgressOptions } from "./progress.js";
import { openSource, type ImportSource } from "./sources.js";
import { canPurge, importFailed, UndoLog, type PurgingStore } from "./undo.js";
import type { ZipLimits } from "./zip/zip-limits.js";

/** Options of {@link importMlruns}. */
export type ImportOptions = ProgressOptions & {
  /**
   * A run whose id is already in the store: `"skip"` it (default), `"replace"` the store's run
   * (needs a store that can purge runs), or import it under a `"new-ids"` fresh id (children's
   * `mlflow.parentRunId` follow).
   */
  onConflict?: ConflictPolicy;
  /** Limits for zip bundles (entry count, total size, compression ratio). */
  zipLimits?: Partial<ZipLimits>;
  /**
   * @deprecated Ignored since runs are checked as they are written: an import holds a few runs
   * in memory, whatever the bundle's size.
   */
  memoryBudget?: number;
  /**
   * Worker threads that read and parse metric files, for a path source in Node (default: the
   * cores, at most 4; 0 keeps everything on this thread). Elsewhere the work stays on this thread.
   */
  threads?: number;
};

/** @deprecated {@link ImportOptions.memoryBudget} is ignored; kept so code that names it still compiles. */
export const DEFAULT_MEMORY_BUDGET = 256 * 2 ** 20;

/** What an import did. */
export type ImportResult = {
  /** The bundle, as named in messages. */
  source: string;
  /** Experiments created, runs imported (and replaced), params, tags, metric points and artifacts written; logged models, registered models and versions. */
  imported: ImportCounts;
  /** Bundle experiment id → store experiment id, for experiments whose id changed. */
  experimentIds: Record<string, string>;
  /** Bundle run id → new run id (onConflict "new-ids"). */
  runIds: Record<string, string>;
  /** What was left out, and why (runs and models already in the store, datasets, traces, junk files…). */
  skipped: Skipped[];
  /** Things worth knowing: merged experiments, changed ids, dropped dataset links. */
  notes: string[];
};

/**
 * Imports an mlruns bundle: a folder or `.zip` path (Node), a zip `Blob`, a
 * `FileSystemDirectoryHandle`, or a dropped folder's files (browser).
 *
 * @example
 * ```ts
 * import { importMlruns } from "trackbook/mlruns";
 * const result = await importMlruns(tb, "./colleague/mlruns", { onConflict: "skip" });
 * console.log(result.imported.runs, "runs;", result.skipped.length, "items skipped");
 * ```
 */
export async function importMlruns(into: StoreHolder, source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const progress = new ProgressReporter(options);
  const store = (await storeOf(into)) as PurgingStore;
  const bundle = await openSource(source, options.zipLimits ?? {}, options.threads);
  try {
    progress.start("scanning", 0);
    const scan = await scanBundle(bundle);
    const plan = await planImport(store, bundle, scan, options.onConflict ?? "skip", progress, !canPurge(store));
    const undo = new UndoLog(store);
    try {
      const { counts, experimentIds } = await applyImport(store, bundle, plan, progress, undo);
      progress.checkAborted();
      await store.sync?.();
      const changed = [...experimentIds].filter(([a, b]) => a !== b);
      return {
        source: bundle.source.label,
        imported: counts,
        experimentIds: Object.fromEntries(changed),
        runIds: Object.fromEntries(plan.idMap),
        skipped: plan.skipped,
        notes: plan.notes,
      };
    } catch (e) {
      progress.start("rolling back", undo.size);
      const failures = await undo.rollback((done) => progress.report(done));
      if (options.signal?.aborted && e === options.signal.reason && failures.length === 0 && undo.leftBehind.length === 0) throw e;
      throw importFailed(e, failures, undo.leftBehind);
    }
  } finally {
    await bundle.source.close();
  }
}
