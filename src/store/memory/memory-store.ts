/**
 * The reference backend: everything in memory, every rule of the contract, nothing persisted.
 * Other backends are checked against the same contract suite; when they disagree with this one,
 * one of them has a bug.
 *
 * @module
 */
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type CreateExperimentInput,
  type CreateRunInput,
  type Experiment,
  type ExperimentPage,
  type LogBatch,
  type MetricHistory,
  type Run,
  type RunInfo,
  type RunPage,
  type SearchExperimentsQuery,
  type SearchRunsQuery,
  type UpdateRunInput,
} from "../../entities.js";
import { validateArtifactPath, type ArtifactInfo } from "../../artifacts.js";
import { invalidParameter, TrackerError } from "../../errors.js";
import {
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKey,
  validateLogBatch,
  LIMITS,
} from "../../validation.js";
import { Catalog } from "../catalog.js";
import { isLater, type LatestPoint } from "../latest.js";
import { assertRunActive, checkWholeRun, newParams, newRun, patchRunInfo, RUN_NAME_TAG } from "../run-rules.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../../models.js";
import { memoryModelPersistence, ModelCatalog } from "../model-catalog.js";
import type { ModelStore, TrackingStore, WholeRun } from "../store.js";
import { emptyHistory, Series } from "./series.js";

type RunRecord = {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  latest: Map<string, LatestPoint>;
  series: Map<string, Series>;
  /** Artifact files by path. */
  artifacts: Map<string, Uint8Array>;
  /** Cached plain view for search; dropped on every write. */
  view: Run | undefined;
};

/**
 * A {@link TrackingStore} held in memory (URI `memory:`). Returned objects are copies.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * const run = await store.createRun({ experimentId: "0" });
 * ```
 */
export class MemoryStore implements TrackingStore, ModelStore {
  private readonly catalog = new Catalog<RunRecord>();
  private readonly models = new ModelCatalog(memoryModelPersistence(), (id) => this.catalog.experiments.has(id));
  private closed = false;

  constructor(private readonly clock: () => number = Date.now) {
    const now = clock();
    this.catalog.experiments.set(DEFAULT_EXPERIMENT_ID, {
      experimentId: DEFAULT_EXPERIMENT_ID,
      name: DEFAULT_EXPERIMENT_NAME,
      artifactLocation: `memory:/${DEFAULT_EXPERIMENT_ID}`,
      lifecycleStage: "active",
      creationTime: now,
      lastUpdateTime: now,
      tags: {},
    });
  }

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    this.open();
    validateExperimentName(input.name);
    for (const [k, v] of Object.entries(input.tags ?? {})) validateExperimentTag(k, v);
    this.catalog.assertNameFree(input.name);
    const id = input.experimentId ?? this.catalog.newExperimentId();
    if (input.experimentId !== undefined) {
      validateExperimentId(id);
      if (this.catalog.experiments.has(id)) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Experiment id '${id}' is already in use.`);
    }
    const now = this.clock();
    this.catalog.experiments.set(id, {
      experimentId: id,
      name: input.name,
      artifactLocation: input.artifactLocation ?? `memory:/${id}`,
      lifecycleStage: "active",
      creationTime: now,
      lastUpdateTime: now,
      tags: { ...input.tags },
    });
    return id;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    this.open();
    return structuredClone(this.catalog.experiment(experimentId));
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    this.open();
    const e = this.catalog.findByName(name);
    return e && structuredClone(e);
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<ExperimentPage> {
    this.open();
    return this.catalog.searchExperiments(query);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    this.open();
    const e = this.catalog.experiment(experimentId);
    validateExperimentName(newName);
    this.catalog.assertNameFree(newName, e);
    e.name = newName;
    e.lastUpdateTime = this.clock();
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    this.open();
    const e = this.catalog.experiment(experimentId);
    if (experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be deleted.");
    this.setLifecycle(e, "deleted");
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    this.open();
    this.setLifecycle(this.catalog.experiment(experimentId), "active");
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    this.open();
    const e = this.catalog.experiment(experimentId);
    validateExperimentTag(key, value);
    e.tags[key] = value;
    e.lastUpdateTime = this.clock();
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    this.open();
    const experiment = this.catalog.experiment(input.experimentId);
    const { info, tags } = newRun(input, experiment, this.clock());
    this.catalog.assertRunIdFree(info.runId);
    const record: RunRecord = { info, params: {}, tags, latest: new Map(), series: new Map(), artifacts: new Map(), view: undefined };
    this.catalog.runs.set(info.runId, record);
    return structuredClone(this.view(record));
  }

  /**
   * Creates whole runs (see {@link TrackingStore.putRuns}): all are checked, then each is made
   * by the calls one by one; nothing of the call stays when one of them fails.
   *
   * @example
   * ```ts
   * await store.putRuns([{ info, params: { lr: "0.1" }, tags: {}, metrics }]);
   * ```
   */
  async putRuns(runs: WholeRun[]): Promise<void> {
    this.open();
    const ids = new Set<string>();
    for (const w of runs) {
      const { info } = checkWholeRun(w, this.catalog.experiment(w.info.experimentId));
      this.catalog.assertRunIdFree(info.runId);
      if (ids.has(info.runId)) throw invalidParameter(`Run '${info.runId}' is in the call twice.`);
      ids.add(info.runId);
    }
    try {
      for (const w of runs) {
        const { info } = w;
        await this.createRun({ experimentId: info.experimentId, runId: info.runId, userId: info.userId, startTime: info.startTime, tags: w.tags, ...(info.runName !== "" ? { runName: info.runName } : {}) });
        const params = Object.entries(w.params).map(([key, value]) => ({ key, value }));
        for (let i = 0; i < params.length; i += LIMITS.maxParamsPerBatch) await this.logBatch(info.runId, { params: params.slice(i, i + LIMITS.maxParamsPerBatch) });
        const m = w.metrics;
        for (let i = 0; m && i < m.values.length; i += LIMITS.maxMetricsPerBatch) {
          const j = Math.min(m.values.length, i + LIMITS.maxMetricsPerBatch);
          await this.logBatch(info.runId, { metrics: { keys: m.keys, keyIds: m.keyIds.subarray(i, j), values: m.values.subarray(i, j), steps: m.steps.subarray(i, j), timestamps: m.timestamps.subarray(i, j) } });
        }
        if (info.status !== "RUNNING" || info.endTime !== null) await this.updateRun(info.runId, { status: info.status, endTime: info.endTime });
        if (info.lifecycleStage === "deleted") await this.deleteRun(info.runId);
      }
    } catch (e) {
      for (const id of ids) this.catalog.runs.delete(id);
      throw e;
    }
  }

  async updateRun(runId: string, patch: UpdateRunInput): Promise<RunInfo> {
    this.open();
    const r = this.catalog.run(runId);
    r.info = patchRunInfo(r.info, patch);
    if (patch.runName !== undefined) r.tags[RUN_NAME_TAG] = patch.runName;
    r.view = undefined;
    return { ...r.info };
  }

  async deleteRun(runId: string): Promise<void> {
    this.open();
    const r = this.catalog.run(runId);
    r.info = { ...r.info, lifecycleStage: "deleted" };
    r.view = undefined;
  }

  async restoreRun(runId: string): Promise<void> {
    this.open();
    const r = this.catalog.run(runId);
    r.info = { ...r.info, lifecycleStage: "active" };
    r.view = undefined;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    this.open();
    const r = this.catalog.run(runId);
    assertRunActive(r.info);
    validateLogBatch(batch);
    // Every check is done before the first write, so a rejected batch leaves the run untouched.
    const params = newParams(r.params, batch.params);
    for (const p of params) r.params[p.key] = p.value;
    for (const t of batch.tags ?? []) {
      r.tags[t.key] = t.value;
      if (t.key === RUN_NAME_TAG) r.info = { ...r.info, runName: t.value };
    }
    const m = batch.metrics;
    if (m) {
      const series = m.keys.map((k) => r.series.get(k) ?? r.series.set(k, new Series()).get(k)!);
      for (let i = 0; i < m.values.length; i++) {
        const id = m.keyIds[i]!;
        const step = m.steps[i]!;
        const value = m.values[i]!;
        const ts = m.timestamps[i]!;
        series[id]!.push(step, value, ts);
        const key = m.keys[id]!;
        if (isLater(r.latest.get(key), step, ts, value)) r.latest.set(key, { step, value, timestamp: ts });
      }
    }
    r.view = undefined;
  }

  async getRun(runId: string): Promise<Run> {
    this.open();
    return structuredClone(this.view(this.catalog.run(runId)));
  }

  async searchRuns(query: SearchRunsQuery): Promise<RunPage> {
    this.open();
    return this.catalog.searchRuns(query, (r) => this.view(r));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    this.open();
    const r = this.catalog.run(runId);
    validateKey("metric", key);
    return r.series.get(key)?.toHistory(key) ?? emptyHistory(key);
  }

  async logArtifact(runId: string, path: string, data: Uint8Array): Promise<void> {
    this.open();
    const r = this.catalog.run(runId);
    assertRunActive(r.info);
    validateArtifactPath(path);
    if (!(data instanceof Uint8Array)) throw invalidParameter(`Artifact data must be a Uint8Array.`);
    for (const existing of r.artifacts.keys()) {
      if (existing.startsWith(path + "/")) throw invalidParameter(`Cannot write artifact file '${path}': it is a folder.`);
      if (path.startsWith(existing + "/")) throw invalidParameter(`Cannot write artifact '${path}': '${existing}' is a file.`);
    }
    r.artifacts.set(path, data.slice());
  }

  async listArtifacts(runId: string, path = ""): Promise<ArtifactInfo[]> {
    this.open();
    const r = this.catalog.run(runId);
    validateArtifactPath(path, true);
    const prefix = path === "" ? "" : path + "/";
    const out = new Map<string, ArtifactInfo>();
    for (const [p, bytes] of r.artifacts) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf("/");
      const child = prefix + (slash < 0 ? rest : rest.slice(0, slash));
      out.set(child, slash < 0 ? { path: child, isDir: false, fileSize: bytes.length } : { path: child, isDir: true });
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    this.open();
    const r = this.catalog.run(runId);
    validateArtifactPath(path);
    const bytes = r.artifacts.get(path);
    if (!bytes) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Run '${runId}' has no artifact file '${path}'.`);
    return bytes.slice();
  }

  /**
   * Removes a run and everything it holds for good (MLflow's `gc`), unlike `deleteRun`. Not part
   * of {@link TrackingStore}: the mlruns importer uses it, when a store has it, to undo a failed
   * import exactly.
   *
   * @example
   * ```ts
   * await store.purgeRun(runId);   // getRun(runId) now throws RESOURCE_DOES_NOT_EXIST
   * ```
   */
  async purgeRun(runId: string): Promise<void> {
    this.open();
    this.catalog.run(runId);
    this.catalog.runs.delete(runId);
  }

  /**
   * Removes an experiment, its runs and its logged models for good (see {@link purgeRun}). The default experiment
   * "0" cannot be purged.
   *
   * @example
   * ```ts
   * await store.purgeExperiment(experimentId);
   * ```
   */
  async purgeExperiment(experimentId: string): Promise<void> {
    this.open();
    this.catalog.experiment(experimentId);
    if (experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be purged.");
    for (const [id, r] of this.catalog.runs) if (r.info.experimentId === experimentId) this.catalog.runs.delete(id);
    for (const m of await this.models.searchLoggedModels([experimentId])) await this.models.deleteLoggedModel(m.modelId);
    this.catalog.experiments.delete(experimentId);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // Logged models and the model registry (ModelStore): the shared rules of model-catalog.ts.
  async putLoggedModel(model: LoggedModel): Promise<void> { this.open(); return this.models.putLoggedModel(model); }
  async getLoggedModel(modelId: string): Promise<LoggedModel> { this.open(); return this.models.getLoggedModel(modelId); }
  async searchLoggedModels(experimentIds?: string[]): Promise<LoggedModel[]> { this.open(); return this.models.searchLoggedModels(experimentIds); }
  async deleteLoggedModel(modelId: string): Promise<void> { this.open(); return this.models.deleteLoggedModel(modelId); }
  async logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void> { this.open(); return this.models.logLoggedModelArtifact(modelId, path, data); }
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<ArtifactInfo[]> { this.open(); return this.models.listLoggedModelArtifacts(modelId, path); }
  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> { this.open(); return this.models.readLoggedModelArtifact(modelId, path); }
  async putRegisteredModel(model: RegisteredModel): Promise<void> { this.open(); return this.models.putRegisteredModel(model); }
  async getRegisteredModel(name: string): Promise<RegisteredModel> { this.open(); return this.models.getRegisteredModel(name); }
  async listRegisteredModels(): Promise<RegisteredModel[]> { this.open(); return this.models.listRegisteredModels(); }
  async deleteRegisteredModel(name: string): Promise<void> { this.open(); return this.models.deleteRegisteredModel(name); }
  async putModelVersion(version: ModelVersion): Promise<void> { this.open(); return this.models.putModelVersion(version); }
  async getModelVersion(name: string, version: number): Promise<ModelVersion> { this.open(); return this.models.getModelVersion(name, version); }
  async listModelVersions(name: string): Promise<ModelVersion[]> { this.open(); return this.models.listModelVersions(name); }
  async deleteModelVersion(name: string, version: number): Promise<void> { this.open(); return this.models.deleteModelVersion(name, version); }

  private open(): void {
    if (this.closed) throw new TrackerError("INVALID_STATE", "This store is closed; open a new tracker to keep working.");
  }

  private setLifecycle(e: Experiment, stage: "active" | "deleted"): void {
    e.lifecycleStage = stage;
    e.lastUpdateTime = this.clock();
    for (const r of this.catalog.runs.values()) {
      if (r.info.experimentId !== e.experimentId) continue;
      r.info = { ...r.info, lifecycleStage: stage };
      r.view = undefined;
    }
  }

  private view(r: RunRecord): Run {
    if (r.view) return r.view;
    const metrics: Record<string, number> = {};
    for (const [k, p] of r.latest) metrics[k] = p.value;
    r.view = { info: r.info, data: { params: { ...r.params }, tags: { ...r.tags }, metrics } };
    return r.view;
  }
}
