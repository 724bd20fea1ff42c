/**
 * trackbook: experiment tracking for TypeScript notebooks and web pages.
 *
 * Explicit named exports; heavy backends (Arrow files, IndexedDB, workers, widgets) live behind
 * their own subpath exports so this entry stays light.
 *
 * @module
 */
export {
  defaultTrackingUri,
  endRun,
  flush,
  getMetricHistory,
  getRun,
  getTracker,
  getTrackingUri,
  logArtifact,
  logMetric,
  logMetrics,
  logParam,
  logParams,
  searchExperiments,
  searchRuns,
  setExperiment,
  setTag,
  setTags,
  setTrackingUri,
  startRun,
  withRun,
} from "./fluent.js";
export { openTracker, Tracker, PARENT_RUN_TAG } from "./tracker.js";
export type { StartRunOptions, TrackerOptions } from "./tracker.js";
export { ActiveRun } from "./active-run.js";
export { TrackingClient, stringifyValue } from "./client.js";
export type { ClientOptions, LoggableValue } from "./client.js";
export { artifactBytes, isLocalFile, validateArtifactPath } from "./artifacts.js";
export type { ArtifactData, ArtifactInfo, LocalFile } from "./artifacts.js";
export { TrackerError, isTrackerError, HTTP_STATUS } from "./errors.js";
export type { ErrorCode, ErrorJson } from "./errors.js";
export { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, RUN_STATUSES } from "./entities.js";
export type {
  CreateExperimentInput,
  CreateRunInput,
  Experiment,
  ExperimentPage,
  HistorySummaryOptions,
  KeyValue,
  LifecycleStage,
  LogBatch,
  Metric,
  MetricColumns,
  MetricHistory,
  MetricHistorySummary,
  Param,
  Run,
  RunData,
  RunInfo,
  RunPage,
  RunStatus,
  RunTag,
  SearchExperimentsQuery,
  SearchRunsQuery,
  TerminalRunStatus,
  UpdateRunInput,
  ViewType,
} from "./entities.js";
export { LIMITS, isValidKey, validateKey } from "./validation.js";
export {
  LOGGED_MODEL_STATUSES,
  MODEL_VERSION_STAGES,
  MODEL_VERSION_STATUSES,
  newModelId,
  validateAlias,
  validateLoggedModel,
  validateModelId,
  validateModelVersion,
  validateRegisteredModel,
  validateRegisteredModelName,
} from "./models.js";
export type { LoggedModel, LoggedModelMetric, LoggedModelStatus, ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel } from "./models.js";
export { createModelVersion, createRegisteredModel, setRegisteredModelAlias } from "./model-registry.js";
export type { CreateModelVersionOptions, CreateRegisteredModelOptions } from "./model-registry.js";
export { createLoggedModel } from "./log-model.js";
export type { LogModelOptions } from "./log-model.js";
export { newRunId, newExperimentId } from "./ids.js";
export { MemoryStore } from "./store/memory/memory-store.js";
export { openStore, registerStore, supportedSchemes } from "./store/registry.js";
export type { StoreFactory } from "./store/registry.js";
export { hasModels, metricColumns, metricHistorySummary, searchAllRuns, MODEL_STORE_METHODS } from "./store/store.js";
export { cutHistory } from "./downsample.js";
export type { HistoryReader, ModelStore, ModelStoreMethod, TrackingStore } from "./store/store.js";
export { compileRunFilter, compileRunOrderBy, parseRunFilter } from "./search/index.js";
