/**
 * Plain-data entities, shaped like MLflow's with camelCase field names.
 *
 * Everything here is a `type` over strings, numbers and typed arrays, so values cross
 * `postMessage` (structured clone) unchanged and no prototype is ever needed. Ids are
 * strings exactly as MLflow writes them (32-hex run ids, digit-string experiment ids), and
 * times are epoch milliseconds.
 *
 * @module
 */

/** Status of a run, as MLflow names it. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** The statuses a run may end with. */
export type TerminalRunStatus = "FINISHED" | "FAILED" | "KILLED";

/** Whether an experiment or run is live or soft-deleted. */
export type LifecycleStage = "active" | "deleted";

/** Which lifecycle stages a search returns (MLflow's ViewType). */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** An experiment: a named group of runs. */
export type Experiment = {
  /** Digit string; `"0"` is the "Default" experiment. */
  experimentId: string;
  name: string;
  /** Where the runs' artifacts live (a URI). */
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  /** Epoch ms. */
  creationTime: number;
  /** Epoch ms. */
  lastUpdateTime: number;
  tags: Record<string, string>;
};

/** Run metadata. */
export type RunInfo = {
  /** 32 lowercase hex characters. */
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms, or `null` while the run has not ended. */
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
};

/** What a run has logged: params, tags and the latest value of each metric. */
export type RunData = {
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest value per key: the point largest by (step, timestamp, value). */
  metrics: Record<string, number>;
};

/** A run: its info and its data. */
export type Run = {
  info: RunInfo;
  data: RunData;
};

/** One metric point. */
export type Metric = {
  key: string;
  value: number;
  /** Epoch ms, an integer ≥ 0. */
  timestamp: number;
  /** An integer (may be negative). */
  step: number;
};

/** A key/value pair, used for params and tags. */
export type KeyValue = { key: string; value: string };

/** A param (immutable once logged). */
export type Param = KeyValue;

/** A run tag (mutable). */
export type RunTag = KeyValue;

/**
 * Metric points in columns. `keyIds[i]` indexes `keys`; the other arrays are parallel.
 * This is the shape that crosses the worker boundary (typed arrays are transferable).
 */
export type MetricColumns = {
  keys: string[];
  keyIds: Uint32Array;
  values: Float64Array;
  steps: Float64Array;
  timestamps: Float64Array;
};

/** One `logBatch` call: metrics as columns, params and tags as pairs. */
export type LogBatch = {
  metrics?: MetricColumns;
  params?: Param[];
  tags?: RunTag[];
};

/** The whole history of one metric key of one run, in logging order. */
export type MetricHistory = {
  key: string;
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
};

/** What {@link MetricHistorySummary} keeps of a history (see `getMetricHistorySummary`). */
export type HistorySummaryOptions = {
  /** At most this many points come back (at least 4): 4 per bucket. Default 2,400 (a 600-pixel plot). */
  budget?: number;
  /** Every point of the range comes back when it holds at most this many (default: the budget). */
  rawLimit?: number;
  /** Only points whose step is in `[lo, hi]` (a zoomed chart); default every point. */
  stepRange?: readonly [number, number];
};

/**
 * A cut of one key's history: the points a chart of it draws (each bucket's first, last, min and
 * max point, or every point when few), as columns, and how many points the range holds.
 */
export type MetricHistorySummary = MetricHistory & { count: number };

/** One page of runs from a search. */
export type RunPage = {
  runs: Run[];
  /** Pass back as `pageToken` to get the next page; absent on the last page. */
  nextPageToken?: string;
};

/** One page of experiments from a search. */
export type ExperimentPage = {
  experiments: Experiment[];
  nextPageToken?: string;
};

/** Arguments of a run search (MLflow's `search_runs`). */
export type SearchRunsQuery = {
  experimentIds: string[];
  /** MLflow filter grammar, plus `OR` and parentheses. */
  filter?: string;
  /** Default `"ACTIVE_ONLY"`. */
  runViewType?: ViewType;
  /** Default 1000, at most 50000. */
  maxResults?: number;
  /** e.g. `["metrics.loss ASC", "params.lr DESC"]`. */
  orderBy?: string[];
  pageToken?: string;
};

/** Arguments of an experiment search (MLflow's `search_experiments`). */
export type SearchExperimentsQuery = {
  /** e.g. `"name LIKE 'mni%' AND tags.team = 'vision'"`. */
  filter?: string;
  /** Default `"ACTIVE_ONLY"`. */
  viewType?: ViewType;
  /** Default 1000, at most 50000. */
  maxResults?: number;
  /** e.g. `["name ASC"]`; default creation_time DESC, experiment_id ASC. */
  orderBy?: string[];
  pageToken?: string;
};

/** What a store needs to create an experiment. */
export type CreateExperimentInput = {
  /**
   * Optional: the id to give the experiment (a digit string not in use), so importers keep ids.
   * Stores that cannot honour it allocate their own; callers compare the returned id.
   */
  experimentId?: string;
  name: string;
  artifactLocation?: string;
  tags?: Record<string, string>;
};

/** What a store needs to create a run. The client fills the defaults. */
export type CreateRunInput = {
  experimentId: string;
  /** Defaults to a fresh random id. Importers pass an existing one to keep ids. */
  runId?: string;
  runName?: string;
  userId?: string;
  /** Epoch ms; defaults to now. */
  startTime?: number;
  tags?: Record<string, string>;
};

/** Fields of a run that `updateRun` may change. */
export type UpdateRunInput = {
  status?: RunStatus;
  endTime?: number | null;
  runName?: string;
};

/** Status names in MLflow's order (their index + 1 is MLflow's integer code). */
export const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

/** The default experiment's id. */
export const DEFAULT_EXPERIMENT_ID = "0";

/** The default experiment's name. */
export const DEFAULT_EXPERIMENT_NAME = "Default";
