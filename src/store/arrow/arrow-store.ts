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
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ArtifactInfo } from "../../artifacts.js";
import type {
  CreateExperimentInput,
  CreateRunInput,
  Experiment,
  ExperimentPage,
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
import { validateExperimentId, validateExperimentName, validateExperimentTag, validateKey } from "../../validation.js";
import { assertRunActive, newRun, patchRunInfo, RUN_NAME_TAG } from "../run-rules.js";
import type { ModelStore, TrackingStore } from "../store.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../../models.js";
import { listArtifactsIn, readArtifactIn, writeArtifactIn } from "./artifact-files.js";
import { ioError } from "./files.js";
import { readKeyHistory } from "./history-read.js";
import { readHistories } from "./history-all.js";
import { emptyHistory } from "../memory/series.js";
import { loadRoot, paths, type RunRecord } from "./load.js";
import { recoverRedistributions, redistributionCaps } from "./redistribute.js";
import { acquireLock } from "./lock.js";
import { purgeExperimentIn, purgeRunIn, type PurgeTarget } from "./purge.js";
import { ArrowMetricWrites } from "./metric-writes.js";
import type { ArrowStoreOptions } from "./arrow-base.js";

export type { ArrowStoreOptions } from "./arrow-base.js";

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
export class ArrowStore extends ArrowMetricWrites implements TrackingStore, ModelStore {
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

  // Logged models and the model registry (ModelStore): files under models/, see models.ts.
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
