/**
 * IdbStore: a {@link TrackingStore} on IndexedDB (URI `idb:<database>`), for web pages and
 * their workers. The layout is in schema.ts.
 *
 * The database is the only state: every call reads what it needs in its own transaction, so
 * any number of tabs (or workers) can use one database at once. IndexedDB runs readwrite
 * transactions over overlapping stores one at a time, in the order they were created; each call
 * creates its transaction before its first await, so one store's calls apply in call order, and
 * a read-check-write inside one transaction (a param's old value, a taken name) cannot race
 * another tab. Each write is one `readwrite` transaction and resolves after `tx.done`.
 *
 * @module
 */
import { validateArtifactPath, type ArtifactInfo } from "../../artifacts.js";
import {
  DEFAULT_EXPERIMENT_ID,
  type CreateExperimentInput,
  type CreateRunInput,
  type Experiment,
  type ExperimentPage,
  type HistorySummaryOptions,
  type LogBatch,
  type MetricHistory,
  type MetricHistorySummary,
  type Run,
  type RunInfo,
  type RunPage,
  type SearchExperimentsQuery,
  type SearchRunsQuery,
  type UpdateRunInput,
} from "../../entities.js";
import { invalidParameter, TrackerError } from "../../errors.js";
import { newExperimentId } from "../../ids.js";
import {
  LIMITS,
  messages,
  notFound,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKey,
  validateLogBatch,
  validateRunId,
  validateSummaryOptions,
} from "../../validation.js";
import { Catalog } from "../catalog.js";
import { assertRunActive, newRun, patchRunInfo, RUN_NAME_TAG } from "../run-rules.js";
import { throwFirst, type BatchEntry, type ModelStore, type PackedFlush, type TrackingStore } from "../store.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../../models.js";
import type { ModelCatalog } from "../model-catalog.js";
import { purgeModelsOf, withModels } from "./models.js";
import { unpackFlush } from "../packed.js";
import { artifactPaths, assertPathFree, childrenOf, runArtifacts } from "./artifacts.js";
import { Connection } from "./connection.js";
import { openRunsChannel, type RunChange } from "./channel.js";
import { historyOf } from "./chunks.js";
import { readSummary } from "./read-summaries.js";
import { isNewestFirstPage, newestRuns } from "./newest.js";
import { artifactLocation, type RunRow, type TrackbookIDB } from "./schema.js";
import { purgeRunIn, runRow, view } from "./run-rows.js";
import { requestPersistentStorage } from "./storage.js";
import { applyBatches, BATCH_STORES } from "./write-batches.js";

type Durability = "default" | "strict" | "relaxed";

/**
 * The IndexedDB store. Open it with `openIdbStore` (or `openTracker("idb:<name>")`).
 *
 * @example
 * ```ts
 * const store = await openIdbStore("trackbook");
 * const run = await store.createRun({ experimentId: "0" });
 * await store.logBatch(run.info.runId, { params: [{ key: "lr", value: "0.01" }] });
 * ```
 */
export class IdbStore implements TrackingStore, ModelStore {
  private readonly conn: Connection;
  private readonly channel: ReturnType<typeof openRunsChannel>;

  /** @internal Use `openIdbStore`. */
  constructor(db: TrackbookIDB, durability: Durability) {
    this.conn = new Connection(db, durability);
    this.channel = openRunsChannel(db.name);
  }

  /** The database's name. */
  get name(): string {
    return this.conn.db.name;
  }

  /** Marks the connection as gone; later calls reject with INVALID_STATE saying `why`. */
  lose(why: string): void {
    this.conn.lose(why);
  }

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    this.conn.assertOpen();
    validateExperimentName(input.name);
    for (const [k, v] of Object.entries(input.tags ?? {})) validateExperimentTag(k, v);
    if (input.experimentId !== undefined) validateExperimentId(input.experimentId);
    return this.conn.tx(["experiments"], "readwrite", `creating experiment '${input.name}'`, async (tx) => {
      const s = tx.objectStore("experiments");
      if ((await s.index("name").getKey(input.name)) !== undefined) {
        throw new TrackerError("RESOURCE_ALREADY_EXISTS", messages.experimentNameTaken(input.name));
      }
      let id = input.experimentId;
      if (id !== undefined) {
        if ((await s.getKey(id)) !== undefined) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Experiment id '${id}' is already in use.`);
      } else {
        do id = newExperimentId();
        while ((await s.getKey(id)) !== undefined);
      }
      const now = Date.now();
      const location = input.artifactLocation ?? artifactLocation(this.conn.db.name, id);
      await s.put({ experimentId: id, name: input.name, artifactLocation: location, lifecycleStage: "active", creationTime: now, lastUpdateTime: now, tags: { ...input.tags } });
      return id;
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    return this.conn.tx(["experiments"], "readonly", "reading an experiment", async (tx) => {
      const e = await tx.objectStore("experiments").get(experimentId);
      if (!e) throw notFound.experiment(experimentId);
      return e;
    });
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    this.conn.assertOpen();
    if (typeof name !== "string") return undefined;
    return this.conn.tx(["experiments"], "readonly", "reading an experiment", (tx) => tx.objectStore("experiments").index("name").get(name));
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<ExperimentPage> {
    this.conn.assertOpen();
    const all = await this.conn.tx(["experiments"], "readonly", "searching experiments", (tx) => tx.objectStore("experiments").getAll());
    return new Catalog(new Map(all.map((e) => [e.experimentId, e]))).searchExperiments(query);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    validateExperimentName(newName);
    return this.conn.tx(["experiments"], "readwrite", "renaming an experiment", async (tx) => {
      const e = await tx.objectStore("experiments").get(experimentId);
      if (!e) throw notFound.experiment(experimentId);
      const other = await tx.objectStore("experiments").index("name").getKey(newName);
      if (other !== undefined && other !== experimentId) throw new TrackerError("RESOURCE_ALREADY_EXISTS", messages.experimentNameTaken(newName));
      await tx.objectStore("experiments").put({ ...e, name: newName, lastUpdateTime: Date.now() });
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    return this.setExperimentStage(experimentId, "deleted");
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    return this.setExperimentStage(experimentId, "active");
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    validateExperimentTag(key, value);
    return this.conn.tx(["experiments"], "readwrite", "tagging an experiment", async (tx) => {
      const e = await tx.objectStore("experiments").get(experimentId);
      if (!e) throw notFound.experiment(experimentId);
      await tx.objectStore("experiments").put({ ...e, tags: { ...e.tags, [key]: value }, lastUpdateTime: Date.now() });
    });
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    this.conn.assertOpen();
    validateExperimentId(input.experimentId);
    const row = await this.conn.tx(["experiments", "runs"], "readwrite", "creating a run", async (tx) => {
      const experiment = await tx.objectStore("experiments").get(input.experimentId);
      if (!experiment) throw notFound.experiment(input.experimentId);
      const { info, tags } = newRun(input, experiment, Date.now());
      const runs = tx.objectStore("runs");
      if ((await runs.getKey(info.runId)) !== undefined) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Run '${info.runId}' already exists.`);
      const row: RunRow = { info, newest: -info.startTime, params: {}, tags, latest: {} };
      await runs.put(row);
      return row;
    });
    // Best-effort, never awaited: the run is stored whatever the browser answers.
    void requestPersistentStorage();
    this.announce({ type: "run-created", runId: row.info.runId, experimentId: row.info.experimentId });
    return view(row);
  }

  async updateRun(runId: string, patch: UpdateRunInput): Promise<RunInfo> {
    this.conn.assertOpen();
    validateRunId(runId);
    return this.changeRun(runId, "updating a run", (row) => {
      row.info = patchRunInfo(row.info, patch);
      if (patch.runName !== undefined) row.tags[RUN_NAME_TAG] = patch.runName;
    });
  }

  async deleteRun(runId: string): Promise<void> {
    this.conn.assertOpen();
    validateRunId(runId);
    await this.changeRun(runId, "deleting a run", (row) => void (row.info = { ...row.info, lifecycleStage: "deleted" }));
  }

  async restoreRun(runId: string): Promise<void> {
    this.conn.assertOpen();
    validateRunId(runId);
    await this.changeRun(runId, "restoring a run", (row) => void (row.info = { ...row.info, lifecycleStage: "active" }));
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    return this.logBatches([{ runId, batch }]);
  }

  /** Writes many batches in one transaction (one flush); see write-batches.ts for the rules. */
  async logBatches(entries: BatchEntry[]): Promise<void> {
    this.conn.assertOpen();
    const errors: unknown[] = [];
    const valid: number[] = [];
    let points = 0;
    entries.forEach(({ runId, batch }, i) => {
      try {
        validateRunId(runId);
        validateLogBatch(batch);
        valid.push(i);
        points += batch.metrics?.values.length ?? 0;
      } catch (e) {
        errors[i] = e;
      }
    });
    if (valid.length > 0) {
      const runs = new Set(valid.map((i) => entries[i]!.runId)).size;
      const what = `a write of ${points} metric points (with any params and tags) to ${runs} run${runs === 1 ? "" : "s"}`;
      await this.conn.tx([...BATCH_STORES], "readwrite", what, (tx) => applyBatches(tx, entries, valid, errors));
    }
    throwFirst(errors.filter((e) => e !== undefined));
  }

  /** Writes a client flush: its points regrouped by run (in this thread: the worker's, behind one), then as {@link logBatches}. */
  async logPacked(flush: PackedFlush): Promise<void> {
    this.conn.assertOpen();
    return this.logBatches(unpackFlush(flush, LIMITS.maxMetricsPerBatch));
  }

  async getRun(runId: string): Promise<Run> {
    this.conn.assertOpen();
    validateRunId(runId);
    return view(await this.conn.tx(["runs"], "readonly", "reading a run", (tx) => runRow(tx, runId)));
  }

  async searchRuns(query: SearchRunsQuery): Promise<RunPage> {
    this.conn.assertOpen();
    const ids = [...new Set(query.experimentIds ?? [])];
    for (const id of ids) validateExperimentId(id);
    if (isNewestFirstPage(query)) {
      const { rows, nextPageToken } = await this.conn.tx(["runs"], "readonly", "searching runs", (tx) => newestRuns(tx, ids, query));
      const page = new Catalog(new Map(), new Map(rows.map((r) => [r.info.runId, r]))).searchRuns(query, view);
      return nextPageToken === undefined ? { runs: page.runs } : { runs: page.runs, nextPageToken };
    }
    const found = await this.conn.tx(["runs"], "readonly", "searching runs", (tx) => Promise.all(ids.map((id) => tx.objectStore("runs").index("experimentId").getAll(id))));
    const runs = new Map<string, RunRow>();
    for (const list of found) for (const r of list) runs.set(r.info.runId, r);
    return new Catalog(new Map(), runs).searchRuns(query, view);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    this.conn.assertOpen();
    validateRunId(runId);
    validateKey("metric", key);
    return this.conn.tx(["runs", "chunks"], "readonly", "reading a metric history", async (tx) => {
      if ((await tx.objectStore("runs").getKey(runId)) === undefined) throw notFound.run(runId);
      return historyOf(key, await tx.objectStore("chunks").getAll(IDBKeyRange.bound([runId, key, 0], [runId, key, Infinity])));
    });
  }

  /** The history cut for a chart, from the chunks' summaries where it can be (read-summaries.ts). */
  async getMetricHistorySummary(runId: string, key: string, options?: HistorySummaryOptions): Promise<MetricHistorySummary> {
    this.conn.assertOpen();
    validateRunId(runId);
    validateKey("metric", key);
    validateSummaryOptions(options);
    return this.conn.tx(["runs", "series", "chunks", "summaries"], "readonly", "reading a metric history summary", (tx) => readSummary(tx, runId, key, options));
  }

  async logArtifact(runId: string, path: string, data: Uint8Array): Promise<void> {
    this.conn.assertOpen();
    validateRunId(runId);
    validateArtifactPath(path);
    if (!(data instanceof Uint8Array)) throw invalidParameter(`Artifact data must be a Uint8Array.`);
    // The store keeps its own copy: later changes to `data` do not reach it.
    const blob = new Blob([data.slice()]);
    return this.conn.tx(["runs", "artifacts"], "readwrite", `artifact '${path}' (${data.length} bytes)`, async (tx) => {
      assertRunActive((await runRow(tx, runId)).info);
      assertPathFree(await artifactPaths(tx, runId), path);
      await tx.objectStore("artifacts").put({ runId, path, size: data.length, blob });
    });
  }

  async listArtifacts(runId: string, path = ""): Promise<ArtifactInfo[]> {
    this.conn.assertOpen();
    validateRunId(runId);
    validateArtifactPath(path, true);
    const rows = await this.conn.tx(["runs", "artifacts"], "readonly", "listing artifacts", async (tx) => {
      await runRow(tx, runId);
      return tx.objectStore("artifacts").getAll(runArtifacts(runId));
    });
    return childrenOf(rows.map((r) => [r.path, r.size] as const), path);
  }

  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    this.conn.assertOpen();
    validateRunId(runId);
    validateArtifactPath(path);
    const row = await this.conn.tx(["runs", "artifacts"], "readonly", "reading an artifact", async (tx) => {
      await runRow(tx, runId);
      return tx.objectStore("artifacts").get([runId, path]);
    });
    if (!row) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Run '${runId}' has no artifact file '${path}'.`);
    // Outside the transaction: reading a Blob is not an IndexedDB request.
    return new Uint8Array(await row.blob.arrayBuffer());
  }

  /**
   * Removes a run and everything it holds for good, freeing its space (MLflow's `gc`), unlike
   * `deleteRun`. Not part of {@link TrackingStore}.
   *
   * @example
   * ```ts
   * await store.purgeRun(runId);   // getRun(runId) now throws RESOURCE_DOES_NOT_EXIST
   * ```
   */
  async purgeRun(runId: string): Promise<void> {
    this.conn.assertOpen();
    validateRunId(runId);
    return this.conn.tx(["runs", "series", "chunks", "summaries", "artifacts"], "readwrite", "purging a run", async (tx) => {
      await runRow(tx, runId);
      await purgeRunIn(tx, runId);
    });
  }

  /**
   * Removes an experiment and its runs for good (see {@link IdbStore.purgeRun}). The default
   * experiment "0" cannot be purged.
   *
   * @example
   * ```ts
   * await store.purgeExperiment(experimentId);
   * ```
   */
  async purgeExperiment(experimentId: string): Promise<void> {
    this.conn.assertOpen();
    validateExperimentId(experimentId);
    if (experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be purged.");
    return this.conn.tx(["experiments", "runs", "series", "chunks", "summaries", "artifacts", "models", "modelArtifacts"], "readwrite", "purging an experiment", async (tx) => {
      if ((await tx.objectStore("experiments").getKey(experimentId)) === undefined) throw notFound.experiment(experimentId);
      const runIds = await tx.objectStore("runs").index("experimentId").getAllKeys(experimentId);
      await Promise.all([...runIds.map((id) => purgeRunIn(tx, id)), purgeModelsOf(tx, experimentId)]);
      await tx.objectStore("experiments").delete(experimentId);
    });
  }

  async close(): Promise<void> {
    if (this.conn.close()) this.channel?.close();
  }

  // Logged models and the model registry (ModelStore): model-catalog.ts's rules, each call in one transaction (models.ts).
  private readModels<T>(what: string, body: (c: ModelCatalog) => Promise<T>): Promise<T> { return withModels(this.conn, "readonly", what, body); }
  private writeModels(what: string, body: (c: ModelCatalog) => Promise<void>): Promise<void> { return withModels(this.conn, "readwrite", what, body); }
  async putLoggedModel(model: LoggedModel): Promise<void> { return this.writeModels(`saving logged model ${model?.modelId}`, (c) => c.putLoggedModel(model)); }
  async getLoggedModel(modelId: string): Promise<LoggedModel> { return this.readModels("reading a logged model", (c) => c.getLoggedModel(modelId)); }
  async searchLoggedModels(experimentIds?: string[]): Promise<LoggedModel[]> { return this.readModels("searching logged models", (c) => c.searchLoggedModels(experimentIds)); }
  async deleteLoggedModel(modelId: string): Promise<void> { return this.writeModels("deleting a logged model", (c) => c.deleteLoggedModel(modelId)); }
  async logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void> { return this.writeModels(`model artifact '${path}'`, (c) => c.logLoggedModelArtifact(modelId, path, data)); }
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<ArtifactInfo[]> { return this.readModels("listing model artifacts", (c) => c.listLoggedModelArtifacts(modelId, path)); }
  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> { return this.readModels("reading a model artifact", (c) => c.readLoggedModelArtifact(modelId, path)); }
  async putRegisteredModel(model: RegisteredModel): Promise<void> { return this.writeModels("saving a registered model", (c) => c.putRegisteredModel(model)); }
  async getRegisteredModel(name: string): Promise<RegisteredModel> { return this.readModels("reading a registered model", (c) => c.getRegisteredModel(name)); }
  async listRegisteredModels(): Promise<RegisteredModel[]> { return this.readModels("listing registered models", (c) => c.listRegisteredModels()); }
  async deleteRegisteredModel(name: string): Promise<void> { return this.writeModels("deleting a registered model", (c) => c.deleteRegisteredModel(name)); }
  async putModelVersion(version: ModelVersion): Promise<void> { return this.writeModels("saving a model version", (c) => c.putModelVersion(version)); }
  async getModelVersion(name: string, version: number): Promise<ModelVersion> { return this.readModels("reading a model version", (c) => c.getModelVersion(name, version)); }
  async listModelVersions(name: string): Promise<ModelVersion[]> { return this.readModels("listing model versions", (c) => c.listModelVersions(name)); }
  async deleteModelVersion(name: string, version: number): Promise<void> { return this.writeModels("deleting a model version", (c) => c.deleteModelVersion(name, version)); }

  private async setExperimentStage(experimentId: string, stage: "active" | "deleted"): Promise<void> {
    return this.conn.tx(["experiments", "runs"], "readwrite", stage === "deleted" ? "deleting an experiment" : "restoring an experiment", async (tx) => {
      const e = await tx.objectStore("experiments").get(experimentId);
      if (!e) throw notFound.experiment(experimentId);
      if (stage === "deleted" && experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter("The default experiment '0' cannot be deleted.");
      const runs = tx.objectStore("runs");
      const rows = await runs.index("experimentId").getAll(experimentId);
      await Promise.all([
        tx.objectStore("experiments").put({ ...e, lifecycleStage: stage, lastUpdateTime: Date.now() }),
        ...rows.map((r) => runs.put({ ...r, info: { ...r.info, lifecycleStage: stage } })),
      ]);
    });
  }

  /** Reads a run, lets `change` edit it, writes it back; announces the change once committed. */
  private async changeRun(runId: string, what: string, change: (row: RunRow) => void): Promise<RunInfo> {
    const row = await this.conn.tx(["runs"], "readwrite", what, async (tx) => {
      const row = await runRow(tx, runId);
      change(row);
      await tx.objectStore("runs").put(row);
      return row;
    });
    this.announce({ type: "run-updated", runId, experimentId: row.info.experimentId });
    return { ...row.info };
  }

  private announce(change: RunChange): void {
    try {
      this.channel?.postMessage(change);
    } catch {
      // Announcing is best-effort: the run is stored; other tabs see it on their next read.
    }
  }
}
