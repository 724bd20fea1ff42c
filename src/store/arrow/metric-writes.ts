/**
 * The metric write path of the Arrow-file store: a call's batches checked and grouped by run,
 * then either one history frame per run (appended, then run.json, then memory) or, for a call
 * with points of many runs (or of a run the journal owns), one journal record for all of them
 * (run.json files first, then the append, then memory). See arrow-store.ts for the write rules
 * and journal.ts for the journal.
 *
 * @module
 */
import { mkdir, rm, stat, truncate } from "node:fs/promises";
import type { LogBatch, MetricColumns } from "../../entities.js";
import { LIMITS, validateLogBatch } from "../../validation.js";
import { assertRunActive, checkWholeRun, newParams, RUN_NAME_TAG } from "../run-rules.js";
import { unpackFlush } from "../packed.js";
import { throwFirst, type BatchEntry, type PackedFlush, type WholeRun } from "../store.js";
import { invalidParameter } from "../../errors.js";
import { ioError, writeAtomic } from "./files.js";
import { appendPoints, toPoints, updateLatest } from "./history.js";
import { paths, type RunMeta, type RunRecord } from "./load.js";
import { updateLatestOfRuns } from "./journal.js";
import type { JournalRecord } from "./journal-file.js";
import { flushRuns, gatheredRecord, packedRecord, type RecordToWrite } from "./journal-writes.js";
import type { Points } from "./segments.js";
import { eachLimit } from "./queue.js";
import { ArrowBase, INLINE_COMPACT_PER_CALL, WRITE_CONCURRENCY } from "./arrow-base.js";

/**
 * Journal bytes not yet moved to the histories above which each journal write also moves some
 * (a write then waits for it): bounds the journal's size, and what a read of a run with points
 * still in the journal scans, when writes never pause.
 */
const JOURNAL_MAX_PENDING = 512 << 20;

/** @internal The metric write path of an {@link ArrowStore}. */
export abstract class ArrowMetricWrites extends ArrowBase {
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

  /**
   * Creates whole runs (see `TrackingStore.putRuns`): every run checked first, then each run's
   * folder, history (one frame) and run.json written, several runs at once, and only then the
   * runs put in the catalogue. A failed write removes every folder the call made, so the root is
   * as it was.
   */
  async putRuns(runs: WholeRun[]): Promise<void> {
    return this.write(async () => {
      const ids = new Set<string>();
      const made = runs.map((w) => {
        const { info, tags } = checkWholeRun(w, this.catalog.experiment(w.info.experimentId));
        this.catalog.assertRunIdFree(info.runId);
        if (ids.has(info.runId)) throw invalidParameter(`Run '${info.runId}' is in the call twice.`);
        ids.add(info.runId);
        const r: RunRecord = {
          info: { ...info, artifactUri: `file://${paths.artifacts(this.root, info.runId)}` },
          params: { ...w.params },
          tags,
          latest: new Map(),
          history: { bytes: 0, frames: 0, smallFrames: 0, ino: 0, compactFrom: 0 },
          metaMtimeMs: -1,
        };
        return { r, points: w.metrics && w.metrics.values.length > 0 ? toPoints([w.metrics]) : undefined };
      });
      // Only folders this call made are removed on failure: one already there (a stray folder or
      // file named like the run) fails the call and stays.
      const created = new Set<string>();
      const errors = await eachLimit(made, WRITE_CONCURRENCY, async ({ r, points }) => {
        const id = r.info.runId;
        const dir = paths.run(this.root, id);
        await mkdir(dir)
          .catch(async (e: NodeJS.ErrnoException) => {
            if (e.code !== "ENOENT") throw e;
            await mkdir(dir, { recursive: true });
          })
          .catch((e) => { throw ioError("create", dir, e); });
        created.add(id);
        if (points) r.history = await appendPoints(paths.history(this.root, id), r.history, points, this.handles);
        const meta = paths.runMeta(this.root, id);
        await writeAtomic(meta, JSON.stringify({ info: r.info, params: r.params, tags: r.tags }), false);
        r.metaMtimeMs = (await stat(meta)).mtimeMs;
      });
      if (errors.length > 0) {
        await Promise.all(
          [...created].map(async (id) => {
            await this.handles.drop(paths.history(this.root, id));
            await rm(paths.run(this.root, id), { recursive: true, force: true }).catch(() => undefined);
          }),
        );
        throwFirst(errors);
      }
      for (const { r, points } of made) {
        this.catalog.runs.set(r.info.runId, r);
        if (!points) continue;
        const histPath = paths.history(this.root, r.info.runId);
        updateLatest(r.latest, points);
        this.touched.add(histPath);
        this.syncEarly(histPath, r.history.bytes);
      }
      this.markDirty();
    });
  }

  /** Whether points of these runs go to the journal (see journal.ts). */
  protected toJournal(runIds: Iterable<string>): boolean {
    let n = 0;
    for (const id of runIds) if (++n >= this.journalMinRuns || this.journal.owns(id)) return true;
    return false;
  }

  /** True when points can be logged to the run now (it exists, is active, its history is usable). */
  protected writable(runId: string): boolean {
    const r = this.catalog.runs.get(runId);
    return r !== undefined && r.info.lifecycleStage === "active" && !this.broken.has(runId);
  }

  protected async applyEntries(entries: BatchEntry[]): Promise<void> {
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
  protected async journalEntries(entries: BatchEntry[]): Promise<void> {
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
  protected async journalAppend(w: RecordToWrite, applied: (r: JournalRecord) => void): Promise<void> {
    const { path, bytes } = await this.journal.append(w.record, w.present);
    applied(w.record);
    this.touched.add(path);
    this.syncEarly(path, bytes);
    this.markDirty();
    while (this.journal.pendingBytes > JOURNAL_MAX_PENDING && (await this.idle.moveSome()));
    this.idle.arm();
  }

  /** Groups valid entries by run, checking each against the run as the earlier ones leave it; failures go to `errors`. */
  protected plan(entries: BatchEntry[], errors: unknown[]): Map<string, { r: RunRecord; meta: RunMeta; metrics: MetricColumns[]; metaChanged: boolean }> {
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

  protected async applyPlan(runId: string, r: RunRecord, meta: RunMeta, metrics: MetricColumns[], metaChanged: boolean): Promise<void> {
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
}
