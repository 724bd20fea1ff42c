/**
 * The state and plumbing under the Arrow-file store (arrow-store.ts): its open files, write
 * queue, run gates, the journal and the background work, and the steps every change uses
 * (saving run.json and experiment files, fsync and summary.json, compaction). The metric write
 * path builds on it (metric-writes.ts), and the store's API on that; files are as arrow-store.ts
 * describes them.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import type { Experiment, Run } from "../../entities.js";
import { TrackerError } from "../../errors.js";
import { Catalog } from "../catalog.js";
import type { RunColumns } from "../packed.js";
import { throwFirst } from "../store.js";
import type { ModelCatalog } from "../model-catalog.js";
import { openArrowModels } from "./models.js";
import { HandleCache, syncFile, writeAtomic } from "./files.js";
import { compactHistory, CompactionIncomplete } from "./compact.js";
import { RunGate } from "./gate.js";
import { appendPoints } from "./history.js";
import { paths, snapshotOf, type RunMeta, type RunRecord } from "./load.js";
import { Journal, updateLatestOfRuns } from "./journal.js";
import { Redistributor } from "./redistribute.js";
import { eachLimit, Queue } from "./queue.js";
import { IdleWork } from "./idle-work.js";

/** Runs written (or fsynced) at once within one flush. */
export const WRITE_CONCURRENCY = 8;
/** Small frames a run may gather before it is compacted in the write path itself (bounds the frames a read walks). */
const INLINE_COMPACT_FRAMES = 64;
/** Small frames from which a run is compacted in the background, once writes pause. */
const IDLE_COMPACT_FRAMES = 16;
/**
 * Runs compacted in the write path per call at most: 1,000 runs that reach the limit in the same
 * flush are spread over the next flushes instead of stalling one for seconds.
 */
export const INLINE_COMPACT_PER_CALL = 32;
/**
 * A history with this many bytes appended since its last fsync is fsynced in the background
 * right away, so the kernel writes it out while logging goes on and a later `sync()` waits
 * only for the rest (a 1-run, 10M-point log is 280 MB; left dirty, `flush()` waited ~0.6 s for it).
 */
const EARLY_SYNC_BYTES = 8 << 20;

/** Options of {@link openArrowStore}. */
export type ArrowStoreOptions = {
  /** Open without the writer lock; writes are refused. Default false. */
  readOnly?: boolean;
  /** Told about each damaged file found and repaired. Default: console.warn. */
  onWarning?: (message: string) => void;
  /**
   * Compact a run's history in the write path once it has this many small frames (< 4096 points
   * each). Default 64. Runs with at least 16 small frames (or this many, if fewer) are compacted
   * in the background as soon as writes pause for a moment.
   */
  compactAfterFrames?: number;
  /** Longest time a changed summary waits before summary.json is rewritten. Default 5000 ms. */
  snapshotIntervalMs?: number;
  /** Append to histories with blocking writes. Default: in a worker thread yes, in the main thread no. */
  syncWrites?: boolean;
  /**
   * A write with points of at least this many runs goes to the shared journal (one append for
   * all of them; see journal.ts) instead of one append per run's history. Default 8; 1 sends
   * every metric write through the journal, Infinity none.
   */
  journalMinRuns?: number;
};

/** @internal The state and plumbing of an {@link ArrowStore}. */
export abstract class ArrowBase {
  protected readonly queue = new Queue();
  protected readonly touched = new Set<string>();
  protected readonly handles: HandleCache;
  protected scratch: RunColumns | undefined;
  protected readonly gates = new Map<string, RunGate>();
  /** Runs whose history a failed compaction left for the next open to repair, with why. */
  protected readonly broken = new Map<string, string>();
  protected closed = false;
  protected snapshotDirty = false;
  protected snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  protected readonly compactAfter: number;
  protected readonly idleCompactAfter: number;
  /** Compactions the current write call may still do in the write path. */
  protected inlineCompactions = INLINE_COMPACT_PER_CALL;
  /** Bytes appended to each history since its last fsync began. */
  protected readonly unsynced = new Map<string, number>();
  /** Background fsyncs in flight (see {@link EARLY_SYNC_BYTES}), and the first one that failed. */
  protected readonly earlySyncs = new Set<Promise<void>>();
  protected earlySyncError: unknown;
  protected readonly catalog: Catalog<RunRecord>;
  protected readonly journal: Journal;
  protected readonly redistributor: Redistributor;
  protected readonly journalMinRuns: number;
  /** Moving the journal and compacting, when writes pause (idle-work.ts). */
  protected readonly idle: IdleWork;

  /** @internal Use {@link openArrowStore}. */
  constructor(
    readonly root: string,
    experiments: Map<string, Experiment>,
    runs: Map<string, RunRecord>,
    protected readonly options: ArrowStoreOptions,
    protected readonly release: (() => Promise<void>) | undefined,
  ) {
    this.catalog = new Catalog(experiments, runs);
    this.handles = new HandleCache(undefined, options.syncWrites);
    this.compactAfter = options.compactAfterFrames ?? INLINE_COMPACT_FRAMES;
    this.idleCompactAfter = Math.min(IDLE_COMPACT_FRAMES, this.compactAfter);
    this.journalMinRuns = options.journalMinRuns ?? 8;
    this.journal = new Journal(paths.journal(root), this.handles);
    this.redistributor = new Redistributor({
      root,
      journal: this.journal,
      handles: this.handles,
      run: (runId) => this.catalog.runs.get(runId),
      append: async (runId, r, points, done) => {
        r.history = await appendPoints(paths.history(this.root, runId), r.history, points, this.handles);
        // In the same step as the new length: a read sees these points in the history or in the journal, never both.
        done();
        this.markDirty();
      },
    });
    this.idle = new IdleWork({
      queue: this.queue,
      journal: this.journal,
      redistributor: this.redistributor,
      isClosed: () => this.closed || !this.release,
      run: (runId) => this.catalog.runs.get(runId),
      compactable: (runId, r) => !this.broken.has(runId) && r.history.smallFrames >= this.idleCompactAfter,
      compact: (runId, r) => this.compact(runId, r),
      // A background fsync of a journal file must not be in flight when the file is removed.
      settleSyncs: async () => void (await Promise.all(this.earlySyncs)),
      warn: (m) => this.warn(m),
    });
  }

  /** @internal Indexes the journal a root holds (at open), adding its points to the runs' latest values. */
  async loadJournal(writer: boolean, warn: (m: string) => void): Promise<void> {
    const unknown = new Set<string>();
    await this.journal.load(writer, warn, (r, present) => {
      for (const id of present) if (!this.catalog.runs.has(id)) unknown.add(id);
      updateLatestOfRuns(r, (id) => this.catalog.runs.get(id)?.latest);
    });
    if (unknown.size > 0) {
      warn(`the journal in ${this.journal.dir} holds points of ${unknown.size} run(s) missing from the root (e.g. ${[...unknown][0]}); they are left out.`);
      // Marked as moved, so that a run created later with one of these ids (an import) never gets them.
      for (const g of this.journal.gens) for (const id of unknown) if (g.runs.has(id)) g.done.add(id);
    }
    if (writer) this.idle.arm();
  }

  protected assertHistoryUsable(runId: string): void {
    const why = this.broken.get(runId);
    if (why) throw new TrackerError("INTERNAL_ERROR", `The metric history of run ${runId} cannot be used until the store is reopened: ${why}. Close and reopen the tracker.`);
  }

  protected gate(runId: string): RunGate {
    let g = this.gates.get(runId);
    if (!g) this.gates.set(runId, (g = new RunGate()));
    return g;
  }

  protected scratchColumns(n: number): RunColumns {
    const have = this.scratch?.values.length ?? 0;
    // Grow to fit; shrink again after a burst so one big flush does not pin its memory.
    if (have < n || have > 8 * Math.max(n, 65_536)) {
      const size = Math.max(65_536, 2 ** Math.ceil(Math.log2(n)));
      this.scratch = { keyIds: new Uint32Array(size), values: new Float64Array(size), steps: new Float64Array(size), timestamps: new Float64Array(size), order: new Uint32Array(size) };
    }
    return this.scratch!;
  }


  protected warn(message: string): void {
    (this.options.onWarning ?? console.warn)(message);
  }

  protected async compact(runId: string, r: RunRecord): Promise<void> {
    try {
      await this.gate(runId).write(async () => {
        r.history = await compactHistory(paths.history(this.root, runId), r.history);
      });
      this.markDirty();
    } catch (e) {
      // A compaction that failed before its redo file was written left the file as it was; one
      // that failed after it leaves the run's history unusable until the next open repairs it.
      if (e instanceof CompactionIncomplete) this.broken.set(runId, e.message);
      (this.options.onWarning ?? console.warn)(`compacting the history of run ${runId} failed${e instanceof CompactionIncomplete ? "" : " (kept as is)"}: ${(e as Error).message}`);
    }
  }

  /** Starts a background fsync of a history once enough has been appended to it since the last. */
  protected syncEarly(path: string, appended: number): void {
    const bytes = (this.unsynced.get(path) ?? 0) + appended;
    if (bytes < EARLY_SYNC_BYTES) {
      this.unsynced.set(path, bytes);
      return;
    }
    this.unsynced.delete(path);
    // The file stays in `touched`: sync() fsyncs it again, which costs little once this is done.
    // A failure is kept for sync() to raise (the kernel reports a write-back error to one fsync only).
    const p: Promise<void> = syncFile(path, this.handles)
      .catch((e) => void (this.earlySyncError ??= e))
      .finally(() => this.earlySyncs.delete(p));
    this.earlySyncs.add(p);
  }

  protected async persist(): Promise<void> {
    const touched = [...this.touched];
    this.touched.clear();
    this.unsynced.clear();
    await Promise.all(this.earlySyncs);
    const early = this.earlySyncError;
    this.earlySyncError = undefined;
    const errors = await eachLimit(touched, WRITE_CONCURRENCY, (p) => syncFile(p, this.handles));
    await this.journal.syncDir().catch((e) => errors.push(e));
    throwFirst(early === undefined ? errors : [early, ...errors]);
    if (this.snapshotDirty) {
      this.snapshotDirty = false;
      await writeAtomic(paths.snapshot(this.root), JSON.stringify(snapshotOf(this.catalog.runs.values())));
    }
  }

  protected markDirty(): void {
    this.snapshotDirty = true;
    if (this.snapshotTimer !== undefined || this.closed) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.queue.run(() => this.persist()).catch((e) => (this.options.onWarning ?? console.warn)(`writing summary.json failed: ${(e as Error).message}`));
    }, this.options.snapshotIntervalMs ?? 5000);
    (this.snapshotTimer as { unref?: () => void }).unref?.();
  }

  protected async saveExperiment(e: Experiment): Promise<void> {
    await writeAtomic(paths.experiment(this.root, e.experimentId), JSON.stringify(e), false);
    this.catalog.experiments.set(e.experimentId, e);
  }

  protected async setLifecycle(e: Experiment, stage: "active" | "deleted"): Promise<void> {
    for (const r of this.catalog.runs.values()) {
      if (r.info.experimentId === e.experimentId && r.info.lifecycleStage !== stage) {
        await this.saveRun(r, { info: { ...r.info, lifecycleStage: stage }, params: r.params, tags: r.tags });
      }
    }
    await this.saveExperiment({ ...e, lifecycleStage: stage, lastUpdateTime: Date.now() });
  }

  /** Writes run.json, then updates the record (so a failed write changes nothing). */
  protected async saveRun(r: RunRecord, meta: RunMeta): Promise<void> {
    const path = paths.runMeta(this.root, meta.info.runId);
    await writeAtomic(path, JSON.stringify(meta), false);
    r.info = meta.info;
    r.params = meta.params;
    r.tags = meta.tags;
    r.metaMtimeMs = (await stat(path)).mtimeMs;
    this.markDirty();
  }

  protected view(r: RunRecord): Run {
    const metrics: Record<string, number> = {};
    for (const [k, p] of r.latest) metrics[k] = p.value;
    return { info: r.info, data: { params: r.params, tags: r.tags, metrics } };
  }

  /** Runs a change in the write queue; rejects (never throws) when closed or read-only. */
  protected async write<T>(fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (!this.release) throw new TrackerError("INVALID_STATE", `This store was opened read-only (${this.root}); open it without readOnly to write.`);
    this.idle.wrote();
    // A pause in writes counts from when the last one ended.
    return this.queue.run(fn).finally(() => this.idle.wrote());
  }

  protected assertOpen(): void {
    if (this.closed) throw new TrackerError("INVALID_STATE", "This store is closed; open a new tracker to keep working.");
  }

  // Logged models and the model registry (ModelStore): files under models/, see models.ts.
  protected modelCatalog: Promise<ModelCatalog> | undefined;
  protected models(): Promise<ModelCatalog> {
    this.assertOpen();
    return (this.modelCatalog ??= openArrowModels(this.root, (id) => this.catalog.experiments.has(id), this.options.onWarning ?? ((m) => console.warn(`trackbook: ${m}`))));
  }
  protected modelWrite<T>(fn: (c: ModelCatalog) => Promise<T>): Promise<T> { return this.write(async () => fn(await this.models())); }
}
