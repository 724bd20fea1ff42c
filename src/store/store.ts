/**
 * The storage contract every backend implements: a few async primitives on plain data
 * (mlflow's `AbstractStore` layering). Single-item conveniences are derived here, once, over
 * `logBatch`, so no backend writes them again.
 *
 * Rules every backend follows (the contract suite in test/store/contract.ts checks them):
 * - Inputs are validated in full before anything is written; a failed call changes nothing.
 * - Errors are {@link TrackerError}s with MLflow's codes.
 * - Every method is async and takes and returns plain data, so a store can sit behind a worker.
 * - Experiment "0" ("Default") exists in every new store.
 *
 * @module
 */
import type { ArtifactInfo } from "../artifacts.js";
import { cutHistory } from "../downsample.js";
import { isTrackerError, TrackerError } from "../errors.js";
import { validateKey, validateRunId, validateSummaryOptions } from "../validation.js";
import type {
  CreateExperimentInput,
  CreateRunInput,
  Experiment,
  ExperimentPage,
  LogBatch,
  Metric,
  MetricColumns,
  HistorySummaryOptions,
  MetricHistory,
  MetricHistorySummary,
  Run,
  RunInfo,
  RunPage,
  SearchExperimentsQuery,
  SearchRunsQuery,
  UpdateRunInput,
} from "../entities.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../models.js";

/**
 * Logged models (MLflow 3) and the model registry: whole records in, whole records out. A store
 * has all of these or none (see {@link hasModels}); stores without them report "this store has no
 * model registry". Every `put` validates the record in full first and replaces a record with the
 * same key; deletes remove for good (the importer uses them to undo exactly).
 */
export interface ModelStore {
  /**
   * Creates or replaces a logged model. Its experiment must exist. The store sets
   * `artifactLocation` to where it keeps the model's artifacts.
   */
  putLoggedModel(model: LoggedModel): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when missing. */
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  /** Logged models of these experiments (all when omitted), newest first. */
  searchLoggedModels(experimentIds?: string[]): Promise<LoggedModel[]>;
  /** Removes a logged model and its artifacts for good; RESOURCE_DOES_NOT_EXIST when missing. */
  deleteLoggedModel(modelId: string): Promise<void>;
  /** Stores a file among a logged model's artifacts (same path rules as run artifacts). */
  logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void>;
  /** Direct children of folder `path` ("" = root) of a logged model's artifacts, sorted by path. */
  listLoggedModelArtifacts(modelId: string, path?: string): Promise<ArtifactInfo[]>;
  /** The bytes of one artifact file of a logged model. */
  readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array>;
  /** Creates or replaces a registered model (its versions are kept). */
  putRegisteredModel(model: RegisteredModel): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when missing. */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Every registered model, sorted by name. */
  listRegisteredModels(): Promise<RegisteredModel[]>;
  /** Removes a registered model and its versions for good. */
  deleteRegisteredModel(name: string): Promise<void>;
  /** Creates or replaces a version; its registered model must exist. */
  putModelVersion(version: ModelVersion): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when missing. */
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  /** The versions of a registered model, by number. */
  listModelVersions(name: string): Promise<ModelVersion[]>;
  /** Removes one version for good. */
  deleteModelVersion(name: string, version: number): Promise<void>;
}

/** The method names of {@link ModelStore}. */
export const MODEL_STORE_METHODS = [
  "putLoggedModel",
  "getLoggedModel",
  "searchLoggedModels",
  "deleteLoggedModel",
  "logLoggedModelArtifact",
  "listLoggedModelArtifacts",
  "readLoggedModelArtifact",
  "putRegisteredModel",
  "getRegisteredModel",
  "listRegisteredModels",
  "deleteRegisteredModel",
  "putModelVersion",
  "getModelVersion",
  "listModelVersions",
  "deleteModelVersion",
] as const satisfies readonly (keyof ModelStore)[];

/** A {@link ModelStore} method name. */
export type ModelStoreMethod = (typeof MODEL_STORE_METHODS)[number];

/**
 * True when `store` keeps logged models and a model registry (has every {@link ModelStore} method).
 *
 * @example
 * ```ts
 * if (hasModels(store)) console.log(await store.listRegisteredModels());
 * ```
 */
export function hasModels(store: TrackingStore): store is TrackingStore & ModelStore {
  return MODEL_STORE_METHODS.every((m) => typeof (store as Partial<ModelStore>)[m] === "function");
}

/** The primitives a tracking backend provides. */
export interface TrackingStore extends Partial<ModelStore> {
  /** Creates an experiment; returns its id. A taken name is RESOURCE_ALREADY_EXISTS. */
  createExperiment(input: CreateExperimentInput): Promise<string>;
  /** RESOURCE_DOES_NOT_EXIST when missing. */
  getExperiment(experimentId: string): Promise<Experiment>;
  /** Active or deleted experiment with this exact name, or `undefined`. */
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query?: SearchExperimentsQuery): Promise<ExperimentPage>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  /** Soft-deletes the experiment and marks its runs deleted. */
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;

  /** Creates a RUNNING run in an active experiment. */
  createRun(input: CreateRunInput): Promise<Run>;
  /** Changes status, end time or name of a run; returns the new info. */
  updateRun(runId: string, patch: UpdateRunInput): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  /**
   * Writes metrics, params and tags of one run atomically, within MLflow's batch limits
   * (≤ 1000 metrics, ≤ 100 params, ≤ 100 tags, ≤ 1000 in all). Re-logging a param with the
   * same value is a no-op; with another value it is INVALID_PARAMETER_VALUE and nothing is written.
   */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /**
   * Optional: many `logBatch`es in one call (one worker message per flush). Each entry is
   * applied atomically on its own, in order; every entry is attempted, and the call rejects with
   * the first failure (the others in its `cause`). Use the {@link logBatches} helper, which falls
   * back to one `logBatch` per entry.
   */
  logBatches?(entries: BatchEntry[]): Promise<void>;
  /**
   * Optional: one client flush as it was buffered — params/tags entries plus every run's points
   * interleaved in logging order. A store behind a worker implements it so that regrouping the
   * points by run happens in the worker, off the calling thread; the result is as if
   * `logBatches` had been called with the regrouped entries (the client's `unpackFlush`).
   */
  logPacked?(flush: PackedFlush): Promise<void>;
  /**
   * Optional: creates whole runs at once (an import, a copy), each as if by createRun with its
   * id, name, user, start time and tags, logBatch of its params and points in MLflow's batch
   * limits, updateRun of its status and end time, and deleteRun when it is deleted — checked by
   * the same rules ({@link checkWholeRun}). All or nothing: when a run is refused or a write
   * fails, none of the call's runs is stored. A store writes the runs of one call together (the
   * Arrow store: their files at once), where the calls one by one wait on each write in turn.
   */
  putRuns?(runs: WholeRun[]): Promise<void>;
  getRun(runId: string): Promise<Run>;
  searchRuns(query: SearchRunsQuery): Promise<RunPage>;
  /** The whole history of one key, in logging order; empty arrays when the run never logged it. */
  getMetricHistory(runId: string, key: string): Promise<MetricHistory>;
  /**
   * Optional: one key's history cut for a chart, exactly as {@link cutHistory} cuts the whole
   * history (the points M4 keeps with steps as x, or every point of a small range), read from
   * less than the whole history where the store keeps summaries (IndexedDB: per-chunk M4 cells,
   * raw chunks only for a zoomed range's ends). Use the {@link metricHistorySummary} helper,
   * which falls back to cutting `getMetricHistory`.
   */
  getMetricHistorySummary?(runId: string, key: string, options?: HistorySummaryOptions): Promise<MetricHistorySummary>;
  /**
   * Stores a file under the run's artifact root at `path` (relative, `/`-separated, validated),
   * replacing a file already there. Allowed on active runs only.
   */
  logArtifact(runId: string, path: string, data: Uint8Array): Promise<void>;
  /**
   * Optional (stores on a local file system): copies the local file `localPath` into the run's
   * artifacts at `path`. Missing file: RESOURCE_DOES_NOT_EXIST.
   */
  logArtifactFile?(runId: string, path: string, localPath: string): Promise<void>;
  /** Direct children of folder `path` ("" = the root), folders included, sorted by path. */
  listArtifacts(runId: string, path?: string): Promise<ArtifactInfo[]>;
  /** The bytes of one artifact file; RESOURCE_DOES_NOT_EXIST when there is none. */
  readArtifact(runId: string, path: string): Promise<Uint8Array>;
  /**
   * Optional: makes everything written so far durable (fsync). Stores without it are durable
   * when a write resolves (or never, like memory). Called by an explicit flush, `end()` and close.
   */
  sync?(): Promise<void>;
  /** Releases resources (files, workers). Further calls fail with INVALID_STATE. */
  close(): Promise<void>;
}

/** A whole run for {@link TrackingStore.putRuns}. */
export type WholeRun = {
  /** Its id, experiment, name, user, status, times and lifecycle stage; the store sets the artifact URI. */
  info: Omit<RunInfo, "artifactUri">;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Every point, in logging order, as one block of columns (checked 1000 points at a time, as logBatch would be). */
  metrics?: MetricColumns | undefined;
};

/** One run's batch within a {@link TrackingStore.logBatches} call. */
export type BatchEntry = { runId: string; batch: LogBatch };

/** One client flush in one piece (see {@link TrackingStore.logPacked}). */
export type PackedFlush = {
  /** Params and tags, applied before the points of the same run. */
  kv: BatchEntry[];
  /** Run ids by slot: `points.runSlots` index this list. */
  runIds: string[];
  /** Metric keys by id: `points.keyIds` index this list (every key was validated when logged). */
  keys: string[];
  /** Points of any runs in logging order, as equally long columns. */
  points: { runSlots: Uint32Array; keyIds: Uint32Array; values: Float64Array; steps: Float64Array; timestamps: Float64Array };
};

/**
 * Writes several batches: through `store.logBatches` when the store has it, else one
 * `logBatch` each. Every entry is attempted; rejects with the first failure, with all of them
 * in `cause` when there were several.
 */
export async function logBatches(store: TrackingStore, entries: BatchEntry[]): Promise<void> {
  if (store.logBatches) return store.logBatches(entries);
  const errors: unknown[] = [];
  for (const { runId, batch } of entries) {
    try {
      await store.logBatch(runId, batch);
    } catch (e) {
      errors.push(e);
    }
  }
  throwFirst(errors);
}

/** What reads metric histories: a store, or a tracker (which flushes first). */
export type HistoryReader = Pick<TrackingStore, "getMetricHistory" | "getMetricHistorySummary">;

/**
 * One key's history cut for a chart: the store's `getMetricHistorySummary` when it has one, else
 * {@link cutHistory} of the whole history. Bad options are INVALID_PARAMETER_VALUE.
 *
 * @example
 * ```ts
 * const cut = await metricHistorySummary(store, runId, "loss", { budget: 4 * 600, rawLimit: 10_000 });
 * cut.count; // points in the history; cut.steps.length ≤ 10,000
 * ```
 */
export async function metricHistorySummary(store: HistoryReader, runId: string, key: string, options?: HistorySummaryOptions): Promise<MetricHistorySummary> {
  if (store.getMetricHistorySummary) return store.getMetricHistorySummary(runId, key, options);
  validateRunId(runId);
  validateKey("metric", key);
  validateSummaryOptions(options);
  return cutHistory(await store.getMetricHistory(runId, key), options);
}

/** Rethrows the first of `errors` (if any); several become one TrackerError with all in `cause`. */
export function throwFirst(errors: unknown[]): void {
  if (errors.length === 0) return;
  const first = errors[0];
  if (errors.length === 1) throw first;
  const code = isTrackerError(first) ? first.code : "INTERNAL_ERROR";
  const message = first instanceof Error ? first.message : String(first);
  throw new TrackerError(code, `${message} (and ${errors.length - 1} more write failures)`, { cause: errors });
}

/** Builds metric columns from point objects (for callers that are not on a hot path). */
export function metricColumns(metrics: readonly Metric[]): MetricColumns {
  const keys: string[] = [];
  const ids = new Map<string, number>();
  const n = metrics.length;
  const cols: MetricColumns = {
    keys,
    keyIds: new Uint32Array(n),
    values: new Float64Array(n),
    steps: new Float64Array(n),
    timestamps: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const m = metrics[i]!;
    let id = ids.get(m.key);
    if (id === undefined) {
      id = keys.length;
      keys.push(m.key);
      ids.set(m.key, id);
    }
    cols.keyIds[i] = id;
    cols.values[i] = m.value;
    cols.steps[i] = m.step;
    cols.timestamps[i] = m.timestamp;
  }
  return cols;
}

/** Logs one metric point through `logBatch`. */
export function logMetric(store: TrackingStore, runId: string, metric: Metric): Promise<void> {
  return store.logBatch(runId, { metrics: metricColumns([metric]) });
}

/** Logs one param through `logBatch`. */
export function logParam(store: TrackingStore, runId: string, key: string, value: string): Promise<void> {
  return store.logBatch(runId, { params: [{ key, value }] });
}

/** Sets one run tag through `logBatch`. */
export function setTag(store: TrackingStore, runId: string, key: string, value: string): Promise<void> {
  return store.logBatch(runId, { tags: [{ key, value }] });
}

/** Reads every page of a run search. */
export async function searchAllRuns(store: TrackingStore, query: Omit<SearchRunsQuery, "pageToken">): Promise<Run[]> {
  const out: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns(pageToken === undefined ? query : { ...query, pageToken });
    out.push(...page.runs);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return out;
}
