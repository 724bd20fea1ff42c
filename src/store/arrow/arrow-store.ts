/**
 * ArrowStore: a {@link TrackingStore} over a folder (URI `arrow:<dir>`), for Node and notebooks.
 *
 * Layout of a root:
 *   trackbook.json              format marker
 *   .lock                       the writer lock (pid + host)
 *   experiments/<id>.json       one experiment each, written atomically
 *   runs/<runId>/run.json       info, params, tags, written atomically
 *   runs/<runId>/history.tbseg  metric history: checked frames of Arrow IPC streams (segments.ts)
 *   runs/<runId>/artifacts/     artifacts as plain files
 *   journal/<n>.tbj             points of writes that touch many runs, until they are moved to the
 *                               histories (journal.ts; `<n>.redist` while a move is under way)
 *   summary.json                snapshot of every run's summary (a cache; see load.ts)
 *   models/                     logged models and the model registry (models.ts)
 *
 * Write rules: one writer process (lock.ts); inside it every change goes through one queue, in
 * order. A change is checked in full first, then the history append (undone on failure), then
 * the small JSON file (atomic), then memory — so a failed call leaves files and memory as they were.
 * A write with points of many runs (or of a run the journal owns) goes to the journal instead:
 * checked, then the run.json files of its params and tags, then one journal append (on failure
 * the run.json files are written back as they were), then memory.
 *
 * @module
 */
import { mkdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ArtifactInfo } from "../../artifacts.js";
import type {
  CreateExperimentInput,
  CreateRunInput,
  Experiment,
  ExperimentPage,
  LogBatch,
  MetricColumns,
  MetricHistory,
  Run,
  RunInfo,
  RunPage,
  SearchExperimentsQuery,
  SearchRunsQuery,
  UpdateRunInput,
} from "../../entities.js";
import { DEFAULT_EXPERIMENT_ID } from "../../entities.js";
import { invalidParameter, TrackerError } from "../../errors.js";
import {
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKey,
  LIMITS,
  validateLogBatch,
} from "../../validation.js";
import { assertRunActive, newParams, newRun, patchRunInfo, RUN_NAME_TAG } from "../run-rules.js";
import { Catalog } from "../catalog.js";
import { unpackFlush, type RunColumns } from "../packed.js";
import { throwFirst, type BatchEntry, type ModelStore, type PackedFlush, type TrackingStore } from "../store.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../../models.js";
import type { ModelCatalog } from "../model-catalog.js";
import { openArrowModels } from "./models.js";
import { listArtifactsIn, readArtifactIn, writeArtifactIn } from "./artifact-files.js";
import { HandleCache, ioError, syncFile, writeAtomic } from "./files.js";
import { compactHistory, CompactionIncomplete } from "./compact.js";
import { RunGate } from "./gate.js";
import { appendPoints, toPoints, updateLatest } from "./history.js";
import { readKeyHistory } from "./history-read.js";
import { readHistories } from "./history-all.js";
import { emptyHistory } from "../memory/series.js";
import { loadRoot, paths, snapshotOf, type RunMeta, type RunRecord } from "./load.js";
import { Journal, updateLatestOfRuns } from "./journal.js";
import type { JournalRecord } from "./journal-file.js";
import { flushRuns, gatheredRecord, packedRecord, type RecordToWrite } from "./journal-writes.js";
import { recoverRedistributions, redistributionCaps, Redistributor } from "./redistribute.js";
import type { Points } from "./segments.js";
import { acquireLock } from "./lock.js";
import { purgeExperimentIn, purgeRunIn, type PurgeTarget } from "./purge.js";
import { eachLimit, Queue } from "./queue.js";
import { IdleWork } from "./idle-work.js";

/** Runs written (or fsynced) at once within one flush. */
const WRITE_CONCURRENCY = 8;
/** Small frames a run may gather before it is compacted in the write path itself (bounds the frames a read walks). */
const INLINE_COMPACT_FRAMES = 64;
/** Small frames from which a run is compacted in the background, once writes pause. */
const IDLE_COMPACT_FRAMES = 16;
/**
 * Runs compacted in the write path per call at most: 1,000 runs that reach the limit in the same
 * flush are spread over the next flushes instead of stalling one for seconds.
 */
const INLINE_COMPACT_PER_CALL = 32;
/**
 * A history with this many bytes appended since its last fsync is fsynced in the background
 * right away, so the kernel writes it out while logging goes on and a later `sync()` waits
 * only for the rest (a 1-run, 10M-point log is 280 MB; left dirty, `flush()` waited ~0.6 s for it).
 */
const EARLY_SYNC_BYTES = 8 << 20;
/**
 * Journal bytes not yet moved to the histories above which each journal write also moves some
 * (a write then waits for it): bounds the journal's size, and what a read of a run with points
 * still in the journal scans, when writes never pause.
 */
const JOURNAL_MAX_PENDING = 512 << 20;

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

/**
 * Opens (creating if needed) the Arrow store in folder `dir`.
 *
 * @example
 * ```ts
 * const store = await openArrowStore("./trackbook-runs");
 * ```
 */
export async function openArrowStore(dir: string, options: ArrowStoreOptions = {}): Promise<ArrowStore> {
  const root = resolve(dir);
  const warn = options.onWarning ?? ((m: string) => console.warn(`trackbook: ${m}`));
  const writer = !options.readOnly;
  let release: (() => Promise<void>) | undefined;
  if (writer) {
    await mkdir(root, { recursive: true }).catch((e) => { throw ioError("create", root, e); });
    release = await acquireLock(paths.lock(root), (stale) => warn(`took over the writer lock of process ${stale.pid} (${stale.hostname}), which is gone.`));
  }
  try {
    if (writer) await writeFile(join(root, "trackbook.json"), JSON.stringify({ format: "trackbook-arrow", version: 1 }) + "\n");
    // A move from the journal that a crash interrupted is undone before the histories are read;
    // a reader reads the runs it was moving only up to where it began.
    if (writer) await recoverRedistributions(root, warn);
    const caps = writer ? undefined : await redistributionCaps(root);
    const loaded = await loadRoot(root, writer, warn, caps);
    const store = new ArrowStore(root, loaded.experiments, loaded.runs, options, release);
    await store.loadJournal(writer, warn);
    return store;
  } catch (e) {
    await release?.();
    throw e;
  }
}

/** The Arrow-file store. Create it with {@link openArrowStore}. */
export class ArrowStore implements TrackingStore, ModelStore {
  private readonly queue = new Queue();
  private readonly touched = new Set<string>();
  private readonly handles: HandleCache;
  private scratch: RunColumns | undefined;
  private readonly gates = new Map<string, RunGate>();
  /** Runs whose history a failed compaction left for the next open to repair, with why. */
  private readonly broken = new Map<string, string>();
  private closed = false;
  private snapshotDirty = false;
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly compactAfter: number;
  private readonly idleCompactAfter: number;
  /** Compactions the current write call may still do in the write path. */
  private inlineCompactions = INLINE_COMPACT_PER_CALL;
  /** Bytes appended to each history since its last fsync began. */
  private readonly unsynced = new Map<string, number>();
  /** Background fsyncs in flight (see {@link EARLY_SYNC_BYTES}), and the first one that failed. */
  private readonly earlySyncs = new Set<Promise<void>>();
  private earlySyncError: unknown;
  private readonly catalog: Catalog<RunRecord>;
  private readonly journal: Journal;
  private readonly redistributor: Redistributor;
  private readonly journalMinRuns: number;
  /** Moving the journal and compacting, when writes pause (idle-work.ts). */
  private readonly idle: IdleWork;

  /** @internal Use {@link openArrowStore}. */
  constructor(
    readonly root: string,
    experiments: Map<string, Experiment>,
    runs: Map<string, RunRecord>,
    private readonly options: ArrowStoreOptions,
    private readonly release: (() => Promise<void>) | undefined,
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

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    return this.write(async () => {
      validateExperimentName(input.name);
      for (const [k, v] of Object.entries(input.tags ?? {})) validateExperimentTag(k, v);
      this.catalog.assertNameFree(input.name);
      const id = input.experimentId ?? this.catalog.newExperimentId();
      if (input.experimentId !== undefined) {
        validateExperimentId(id);
        if (this.catalog.experiments.has(id)) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Experiment id '${id}' is already in use.`);
      }
      const now = Date.now();
      const e: Experiment = {
        experimentId: id,
        name: input.name,
        artifactLocation: input.artifactLocation ?? `file://${paths.runs(this.root)}`,
        lifecycleStage: "active",
        creationTime: now,
        lastUpdateTime: now,
        tags: { ...input.tags },
      };
      await this.saveExperiment(e);
      return id;
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    this.assertOpen();
    return structuredClone(this.catalog.experiment(experimentId));
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    this.assertOpen();
    const e = this.catalog.findByName(name);
    return e && structuredClone(e);
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<ExperimentPage> {
    this.assertOpen();
    return this.catalog.searchExperiments(query);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.write(async () => {
      const e = this.catalog.experiment(experimentId);
      validateExperimentName(newName);
      this.catalog.assertNameFree(newName, e);
      await this.saveExperiment({ ...e, name: newName, lastUpdateTime: Date.now() });
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    return this.write(async () => {
      const e = this.catalog.experiment(experimentId);
      if (experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be deleted.");
      await this.setLifecycle(e, "deleted");
    });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    return this.write(async () => this.setLifecycle(this.catalog.experiment(experimentId), "active"));
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.write(async () => {
      const e = this.catalog.experiment(experimentId);
      validateExperimentTag(key, value);
      await this.saveExperiment({ ...e, tags: { ...e.tags, [key]: value }, lastUpdateTime: Date.now() });
    });
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    return this.write(async () => {
      const { info, tags } = newRun(input, this.catalog.experiment(input.experimentId), Date.now());
      this.catalog.assertRunIdFree(info.runId);
      const artifactUri = `file://${paths.artifacts(this.root, info.runId)}`;
      const r: RunRecord = { info: { ...info, artifactUri }, params: {}, tags, latest: new Map(), history: { bytes: 0, frames: 0, smallFrames: 0, ino: 0, compactFrom: 0 }, metaMtimeMs: -1 };
      await mkdir(paths.run(this.root, info.runId), { recursive: true }).catch((e) => { throw ioError("create", paths.run(this.root, info.runId), e); });
      await this.saveRun(r, { info: r.info, params: r.params, tags: r.tags });
      this.catalog.runs.set(info.runId, r);
      return structuredClone(this.view(r));
    });
  }

  async updateRun(runId: string, patch: UpdateRunInput): Promise<RunInfo> {
    return this.write(async () => {
      const r = this.catalog.run(runId);
      const info = patchRunInfo(r.info, patch);
      const tags = patch.runName !== undefined ? { ...r.tags, [RUN_NAME_TAG]: patch.runName } : r.tags;
      await this.saveRun(r, { info, params: r.params, tags });
      return { ...r.info };
    });
  }

  async deleteRun(runId: string): Promise<void> {
    return this.write(async () => {
      const r = this.catalog.run(runId);
      await this.saveRun(r, { info: { ...r.info, lifecycleStage: "deleted" }, params: r.params, tags: r.tags });
    });
  }

  async restoreRun(runId: string): Promise<void> {
    return this.write(async () => {
      const r = this.catalog.run(runId);
      await this.saveRun(r, { info: { ...r.info, lifecycleStage: "active" }, params: r.params, tags: r.tags });
    });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    return this.logBatches([{ runId, batch }]);
  }

  /**
   * Writes many batches: each run's metrics of the call become one history frame, or, when the
   * call has points of many runs (or of a run the journal owns), one journal record for all.
   */
  async logBatches(entries: BatchEntry[]): Promise<void> {
    return this.write(() => {
      const withPoints = new Set<string>();
      for (const { runId, batch } of entries) if (batch.metrics && batch.metrics.values.length > 0) withPoints.add(runId);
      return this.toJournal(withPoints) ? this.journalEntries(entries) : this.applyEntries(entries);
    });
  }

  /**
   * Writes a client flush. With points of many runs (or of a run the journal owns), as one
   * journal record holding the flush's columns as they are; else regrouped by run into reused
   * scratch columns (nothing holds them once the frames are written), then as {@link logBatches}.
   */
  async logPacked(flush: PackedFlush): Promise<void> {
    return this.write(() => {
      // A flush of few runs while the journal is empty (one run logging: the common case) needs no look at its points.
      const few = flush.runIds.length < this.journalMinRuns && this.journal.gens.length === 0;
      const present = few ? undefined : flushRuns(flush);
      if (present && this.toJournal(present)) {
        const direct = present.every((id) => this.writable(id)) ? packedRecord(flush, present) : undefined;
        return direct ? this.journalAppend(direct, (rec) => updateLatestOfRuns(rec, (id) => this.catalog.runs.get(id)?.latest)) : this.journalEntries(unpackFlush(flush, LIMITS.maxMetricsPerBatch));
      }
      return this.applyEntries(unpackFlush(flush, LIMITS.maxMetricsPerBatch, (n) => this.scratchColumns(n)));
    });
  }

  /** Whether points of these runs go to the journal (see journal.ts). */
  private toJournal(runIds: Iterable<string>): boolean {
    let n = 0;
    for (const id of runIds) if (++n >= this.journalMinRuns || this.journal.owns(id)) return true;
    return false;
  }

  /** True when points can be logged to the run now (it exists, is active, its history is usable). */
  private writable(runId: string): boolean {
    const r = this.catalog.runs.get(runId);
    return r !== undefined && r.info.lifecycleStage === "active" && !this.broken.has(runId);
  }

  private assertHistoryUsable(runId: string): void {
    const why = this.broken.get(runId);
    if (why) throw new TrackerError("INTERNAL_ERROR", `The metric history of run ${runId} cannot be used until the store is reopened: ${why}. Close and reopen the tracker.`);
  }

  private gate(runId: string): RunGate {
    let g = this.gates.get(runId);
    if (!g) this.gates.set(runId, (g = new RunGate()));
    return g;
  }

  private scratchColumns(n: number): RunColumns {
    const have = this.scratch?.values.length ?? 0;
    // Grow to fit; shrink again after a burst so one big flush does not pin its memory.
    if (have < n || have > 8 * Math.max(n, 65_536)) {
      const size = Math.max(65_536, 2 ** Math.ceil(Math.log2(n)));
      this.scratch = { keyIds: new Uint32Array(size), values: new Float64Array(size), steps: new Float64Array(size), timestamps: new Float64Array(size), order: new Uint32Array(size) };
    }
    return this.scratch!;
  }

  private async applyEntries(entries: BatchEntry[]): Promise<void> {
    const errors: unknown[] = [];
    this.inlineCompactions = INLINE_COMPACT_PER_CALL;
    const plans = this.plan(entries, errors);
    // Runs are independent files, so their writes overlap; each run's own steps stay in order.
    errors.push(...(await eachLimit(plans, WRITE_CONCURRENCY, ([runId, plan]) => this.applyPlan(runId, plan.r, plan.meta, plan.metrics, plan.metaChanged))));
    throwFirst(errors);
  }

  /**
   * Writes entries through the journal: their params and tags to run.json first, then all their
   * points as one journal record. A run whose run.json write fails keeps none of its points; a
   * failed journal append writes the run.json files of this call back as they were.
   */
  private async journalEntries(entries: BatchEntry[]): Promise<void> {
    const errors: unknown[] = [];
    const plans = this.plan(entries, errors);
    const saved: { r: RunRecord; before: RunMeta }[] = [];
    const perRun: [string, Points][] = [];
    await eachLimit(plans, WRITE_CONCURRENCY, async ([runId, plan]) => {
      try {
        if (plan.metrics.length > 0) this.assertHistoryUsable(runId);
        if (plan.metaChanged) {
          const before = { info: plan.r.info, params: plan.r.params, tags: plan.r.tags };
          await this.saveRun(plan.r, plan.meta);
          saved.push({ r: plan.r, before });
        }
        if (plan.metrics.length > 0) perRun.push([runId, toPoints(plan.metrics)]);
      } catch (e) {
        errors.push(e);
      }
    });
    if (perRun.length > 0) {
      try {
        await this.journalAppend(gatheredRecord(perRun), () => {
          for (const [runId, points] of perRun) updateLatest(this.catalog.run(runId).latest, points);
        });
      } catch (e) {
        errors.push(e);
        await Promise.all(saved.map(({ r, before }) => this.saveRun(r, before).catch(() => undefined)));
      }
    }
    throwFirst(errors);
  }

  /**
   * Appends a record to the journal, then (only once it is there) updates memory with `applied`.
   * Keeps the journal from growing past {@link JOURNAL_MAX_PENDING} by moving some of it now.
   */
  private async journalAppend(w: RecordToWrite, applied: (r: JournalRecord) => void): Promise<void> {
    const { path, bytes } = await this.journal.append(w.record, w.present);
    applied(w.record);
    this.touched.add(path);
    this.syncEarly(path, bytes);
    this.markDirty();
    while (this.journal.pendingBytes > JOURNAL_MAX_PENDING && (await this.idle.moveSome()));
    this.idle.arm();
  }

  /** Groups valid entries by run, checking each against the run as the earlier ones leave it; failures go to `errors`. */
  private plan(entries: BatchEntry[], errors: unknown[]): Map<string, { r: RunRecord; meta: RunMeta; metrics: MetricColumns[]; metaChanged: boolean }> {
    const plans = new Map<string, { r: RunRecord; meta: RunMeta; metrics: MetricColumns[]; metaChanged: boolean }>();
    for (const { runId, batch } of entries) {
      try {
        const r = this.catalog.run(runId);
        assertRunActive(r.info);
        validateLogBatch(batch);
        // The plan shares the run's params and tags until a batch changes them (copy on write):
        // a metrics-only flush of many runs copies nothing.
        const plan = plans.get(runId) ?? { r, meta: { info: r.info, params: r.params, tags: r.tags }, metrics: [], metaChanged: false };
        const params = newParams(plan.meta.params, batch.params);
        const tags = batch.tags ?? [];
        if ((params.length > 0 || tags.length > 0) && !plan.metaChanged) {
          plan.meta = { info: plan.meta.info, params: { ...plan.meta.params }, tags: { ...plan.meta.tags } };
          plan.metaChanged = true;
        }
        for (const p of params) plan.meta.params[p.key] = p.value;
        for (const t of tags) {
          plan.meta.tags[t.key] = t.value;
          if (t.key === RUN_NAME_TAG) plan.meta.info = { ...plan.meta.info, runName: t.value };
        }
        if (batch.metrics && batch.metrics.values.length > 0) plan.metrics.push(batch.metrics);
        plans.set(runId, plan);
      } catch (e) {
        errors.push(e);
      }
    }
    return plans;
  }

  async getRun(runId: string): Promise<Run> {
    this.assertOpen();
    return structuredClone(this.view(this.catalog.run(runId)));
  }

  async searchRuns(query: SearchRunsQuery): Promise<RunPage> {
    this.assertOpen();
    return this.catalog.searchRuns(query, (r) => this.view(r));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    this.assertOpen();
    const r = this.catalog.run(runId);
    validateKey("metric", key);
    this.assertHistoryUsable(runId);
    return this.gate(runId).read(async () => {
      // Only the bytes known to be complete: a concurrent append may be half way through. The
      // journal's share is taken in the same step (see the Redistributor's append).
      const limit = r.history.bytes;
      const journal = this.journal.read(runId, [key]);
      journal.catch(() => undefined);
      const path = paths.history(this.root, runId);
      const own =
        limit === 0
          ? emptyHistory(key)
          : await readKeyHistory(path, limit, key).catch((e: NodeJS.ErrnoException) => {
              if (e.code === "ENOENT") return emptyHistory(key);
              throw ioError("read the metric history in", path, e);
            });
      const more = await journal;
      return more ? concatHistory(own, more[0]!) : own;
    });
  }

  /**
   * The histories of several keys of one run, in the order of `keys` (empty for a key without
   * points), read in one pass over the run's history file (history-all.ts): what a bundle
   * export needs per run. Not part of {@link TrackingStore}.
   */
  async getMetricHistories(runId: string, keys: readonly string[]): Promise<MetricHistory[]> {
    this.assertOpen();
    const r = this.catalog.run(runId);
    for (const k of keys) validateKey("metric", k);
    this.assertHistoryUsable(runId);
    return this.gate(runId).read(async () => {
      const path = paths.history(this.root, runId);
      const limit = r.history.bytes;
      const journal = this.journal.read(runId, keys);
      journal.catch(() => undefined);
      const own = await readHistories(path, limit, keys).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return keys.map(emptyHistory);
        throw ioError("read the metric history in", path, e);
      });
      const more = await journal;
      return more ? own.map((h, i) => concatHistory(h, more[i]!)) : own;
    });
  }

  async logArtifact(runId: string, path: string, data: Uint8Array): Promise<void> {
    return this.write(async () => {
      const r = this.catalog.run(runId);
      assertRunActive(r.info);
      await writeArtifactIn(paths.artifacts(this.root, runId), path, data);
    });
  }

  async logArtifactFile(runId: string, path: string, localPath: string): Promise<void> {
    return this.write(async () => {
      const r = this.catalog.run(runId);
      assertRunActive(r.info);
      let data: Uint8Array;
      try {
        data = await readFile(localPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `No local file '${localPath}' to log as an artifact.`);
        if (code === "EISDIR") throw invalidParameter(`'${localPath}' is a folder; log its files one by one.`);
        throw ioError("read", localPath, e);
      }
      await writeArtifactIn(paths.artifacts(this.root, runId), path, data);
    });
  }

  async listArtifacts(runId: string, path = ""): Promise<ArtifactInfo[]> {
    this.assertOpen();
    this.catalog.run(runId);
    return listArtifactsIn(paths.artifacts(this.root, runId), path);
  }

  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    this.assertOpen();
    this.catalog.run(runId);
    return readArtifactIn(paths.artifacts(this.root, runId), runId, path);
  }

  /**
   * Removes a run and everything it holds (history, artifacts) for good, unlike `deleteRun`
   * (MLflow's `gc`; see purge.ts). Not part of {@link TrackingStore}: the mlruns importer uses
   * it to undo a failed import exactly.
   *
   * @example
   * ```ts
   * await store.purgeRun(runId);   // getRun(runId) now throws RESOURCE_DOES_NOT_EXIST
   * ```
   */
  async purgeRun(runId: string): Promise<void> {
    return this.write(async () => {
      // The journal's points of a run are moved before it goes: none may outlive it.
      if (this.journal.owns(runId)) await this.idle.drain();
      await purgeRunIn(this.purgeTarget(), runId);
    });
  }

  /**
   * Removes an experiment, its runs and their files for good (see {@link ArrowStore.purgeRun}).
   * The default experiment "0" cannot be purged.
   *
   * @example
   * ```ts
   * await store.purgeExperiment(experimentId);
   * ```
   */
  async purgeExperiment(experimentId: string): Promise<void> {
    return this.write(async () => {
      for (const r of this.catalog.runs.values()) {
        if (r.info.experimentId === experimentId && this.journal.owns(r.info.runId)) {
          await this.idle.drain();
          break;
        }
      }
      await purgeExperimentIn(this.purgeTarget(), experimentId);
    });
  }

  private purgeTarget(): PurgeTarget {
    return {
      root: this.root,
      catalog: this.catalog,
      handles: this.handles,
      touched: this.touched,
      exclusive: (runId, fn) => this.gate(runId).write(fn),
      forget: (runId) => {
        this.gates.delete(runId);
        this.broken.delete(runId);
        this.markDirty();
      },
    };
  }

  /** Makes everything written so far durable: fsyncs touched histories, rewrites summary.json. */
  async sync(): Promise<void> {
    this.assertOpen();
    await this.queue.run(() => this.persist());
  }

  /**
   * Closes the store: makes everything durable, then moves the journal's points to the run
   * histories (if that fails, the journal stays, and the next open goes on with it).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    this.idle.stop();
    try {
      if (this.release) {
        await this.queue.run(async () => {
          await this.persist();
          if (!this.redistributor.pending) return;
          try {
            await this.idle.drain();
          } catch (e) {
            this.warn(`moving the journal's points to the run histories failed (the journal is kept, and the next open goes on with it): ${(e as Error).message}`);
          }
          await this.persist();
        });
      }
    } finally {
      await this.journal.close();
      await this.handles.closeAll();
      await this.release?.();
    }
  }

  private async applyPlan(runId: string, r: RunRecord, meta: RunMeta, metrics: MetricColumns[], metaChanged: boolean): Promise<void> {
    if (metrics.length > 0) this.assertHistoryUsable(runId);
    const histPath = paths.history(this.root, runId);
    const before = r.history;
    const points = metrics.length > 0 ? toPoints(metrics) : undefined;
    const after = points ? await appendPoints(histPath, before, points, this.handles) : before;
    if (metaChanged) {
      try {
        await this.saveRun(r, meta);
      } catch (e) {
        // The points must not outlive the params/tags of the same batch: cut them off again.
        if (points) await truncate(histPath, before.bytes).catch(() => undefined);
        throw e;
      }
    }
    if (points) {
      r.history = after;
      updateLatest(r.latest, points);
      this.touched.add(histPath);
      this.syncEarly(histPath, after.bytes - before.bytes);
      this.markDirty();
      // Only small frames are worth merging; large ones already hold batches of ≥ 1k rows.
      // Each compaction costs a few fsyncs, so while writes keep coming (1,000 runs flushing
      // ~1k points each) it waits for a pause, unless the run has gathered many small frames.
      if (r.history.smallFrames >= this.compactAfter && this.inlineCompactions > 0) {
        this.inlineCompactions--;
        this.idle.compactingNow(runId);
        await this.compact(runId, r);
      } else if (r.history.smallFrames >= this.idleCompactAfter) {
        this.idle.compactSoon(runId);
      }
    }
  }

  private warn(message: string): void {
    (this.options.onWarning ?? console.warn)(message);
  }

  private async compact(runId: string, r: RunRecord): Promise<void> {
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
  private syncEarly(path: string, appended: number): void {
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

  private async persist(): Promise<void> {
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

  private markDirty(): void {
    this.snapshotDirty = true;
    if (this.snapshotTimer !== undefined || this.closed) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.queue.run(() => this.persist()).catch((e) => (this.options.onWarning ?? console.warn)(`writing summary.json failed: ${(e as Error).message}`));
    }, this.options.snapshotIntervalMs ?? 5000);
    (this.snapshotTimer as { unref?: () => void }).unref?.();
  }

  private async saveExperiment(e: Experiment): Promise<void> {
    await writeAtomic(paths.experiment(this.root, e.experimentId), JSON.stringify(e), false);
    this.catalog.experiments.set(e.experimentId, e);
  }

  private async setLifecycle(e: Experiment, stage: "active" | "deleted"): Promise<void> {
    for (const r of this.catalog.runs.values()) {
      if (r.info.experimentId === e.experimentId && r.info.lifecycleStage !== stage) {
        await this.saveRun(r, { info: { ...r.info, lifecycleStage: stage }, params: r.params, tags: r.tags });
      }
    }
    await this.saveExperiment({ ...e, lifecycleStage: stage, lastUpdateTime: Date.now() });
  }

  /** Writes run.json, then updates the record (so a failed write changes nothing). */
  private async saveRun(r: RunRecord, meta: RunMeta): Promise<void> {
    const path = paths.runMeta(this.root, meta.info.runId);
    await writeAtomic(path, JSON.stringify(meta), false);
    r.info = meta.info;
    r.params = meta.params;
    r.tags = meta.tags;
    r.metaMtimeMs = (await stat(path)).mtimeMs;
    this.markDirty();
  }

  private view(r: RunRecord): Run {
    const metrics: Record<string, number> = {};
    for (const [k, p] of r.latest) metrics[k] = p.value;
    return { info: r.info, data: { params: r.params, tags: r.tags, metrics } };
  }

  /** Runs a change in the write queue; rejects (never throws) when closed or read-only. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (!this.release) throw new TrackerError("INVALID_STATE", `This store was opened read-only (${this.root}); open it without readOnly to write.`);
    this.idle.wrote();
    // A pause in writes counts from when the last one ended.
    return this.queue.run(fn).finally(() => this.idle.wrote());
  }

  private assertOpen(): void {
    if (this.closed) throw new TrackerError("INVALID_STATE", "This store is closed; open a new tracker to keep working.");
  }

  // Logged models and the model registry (ModelStore): files under models/, see models.ts.
  private modelCatalog: Promise<ModelCatalog> | undefined;
  private models(): Promise<ModelCatalog> {
    this.assertOpen();
    return (this.modelCatalog ??= openArrowModels(this.root, (id) => this.catalog.experiments.has(id), this.options.onWarning ?? ((m) => console.warn(`trackbook: ${m}`))));
  }
  private modelWrite<T>(fn: (c: ModelCatalog) => Promise<T>): Promise<T> { return this.write(async () => fn(await this.models())); }
  async putLoggedModel(model: LoggedModel): Promise<void> { return this.modelWrite((c) => c.putLoggedModel(model)); }
  async getLoggedModel(modelId: string): Promise<LoggedModel> { return (await this.models()).getLoggedModel(modelId); }
  async searchLoggedModels(experimentIds?: string[]): Promise<LoggedModel[]> { return (await this.models()).searchLoggedModels(experimentIds); }
  async deleteLoggedModel(modelId: string): Promise<void> { return this.modelWrite((c) => c.deleteLoggedModel(modelId)); }
  async logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void> { return this.modelWrite((c) => c.logLoggedModelArtifact(modelId, path, data)); }
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<ArtifactInfo[]> { return (await this.models()).listLoggedModelArtifacts(modelId, path); }
  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> { return (await this.models()).readLoggedModelArtifact(modelId, path); }
  async putRegisteredModel(model: RegisteredModel): Promise<void> { return this.modelWrite((c) => c.putRegisteredModel(model)); }
  async getRegisteredModel(name: string): Promise<RegisteredModel> { return (await this.models()).getRegisteredModel(name); }
  async listRegisteredModels(): Promise<RegisteredModel[]> { return (await this.models()).listRegisteredModels(); }
  async deleteRegisteredModel(name: string): Promise<void> { return this.modelWrite((c) => c.deleteRegisteredModel(name)); }
  async putModelVersion(version: ModelVersion): Promise<void> { return this.modelWrite((c) => c.putModelVersion(version)); }
  async getModelVersion(name: string, version: number): Promise<ModelVersion> { return (await this.models()).getModelVersion(name, version); }
  async listModelVersions(name: string): Promise<ModelVersion[]> { return (await this.models()).listModelVersions(name); }
  async deleteModelVersion(name: string, version: number): Promise<void> { return this.modelWrite((c) => c.deleteModelVersion(name, version)); }



}

/** One key's history followed by more points of it. */
function concatHistory(a: MetricHistory, b: MetricHistory): MetricHistory {
  if (b.steps.length === 0) return a;
  if (a.steps.length === 0) return b;
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { key: a.key, steps: cat(a.steps, b.steps), values: cat(a.values, b.values), timestamps: cat(a.timestamps, b.timestamps) };
}
