/**
 * Logging a model from trackbook (MLflow 3's `log_model`): a new logged model `m-…` with its
 * files, params and tags, linked to the run that made it. As MLflow does, the model is created
 * PENDING, its files are written, then it is marked READY; if a write fails, the model and the
 * files written so far are removed again, so a failed call leaves the store as it was.
 *
 * @module
 */
import { artifactBytes, isLocalFile, validateArtifactPath, type ArtifactData } from "./artifacts.js";
import { stringifyValue } from "./client.js";
import { invalidParameter, TrackerError } from "./errors.js";
import { newRunId } from "./ids.js";
import { modelsOf } from "./model-registry.js";
import type { LoggedModel } from "./models.js";
import type { TrackingStore } from "./store/store.js";

/** Options of {@link createLoggedModel} and `Tracker.logModel`. */
export type LogModelOptions = {
  /** The run the model comes from (its `sourceRunId`); null for none. */
  runId?: string | null;
  /** The experiment to keep the model in (default: the run's). */
  experimentId?: string;
  /**
   * The model's files by artifact path: bytes as they are, a string as UTF-8, any other value as
   * pretty-printed JSON (e.g. a TF.js `model.json`). Written in this order.
   */
  files?: Record<string, ArtifactData>;
  /** Params (non-strings converted as run params are). */
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Free text, e.g. "tfjs-layers"; MLflow's `model_type`. */
  modelType?: string | null;
};

/**
 * Creates a logged model named `name` with `options.files` as its artifacts and returns it
 * (status READY). A file that cannot be written removes the model again and rethrows.
 *
 * @example
 * ```ts
 * const model = await createLoggedModel(store, "mnist-cnn", { runId, experimentId: "0", files: { "model.json": artifacts.modelTopology, "weights.bin": weights } });
 * model.modelId; // "m-4f1c…"
 * ```
 */
export async function createLoggedModel(store: TrackingStore, name: string, options: LogModelOptions & { experimentId: string }, now = Date.now): Promise<LoggedModel> {
  const models = modelsOf(store);
  if (typeof name !== "string" || name === "") throw invalidParameter(`Invalid model name ${JSON.stringify(name)}: expected a non-empty string.`);
  const files = Object.entries(options.files ?? {});
  // Every path and every file's bytes are checked before anything is written.
  const bytes = files.map(([path, data]) => {
    validateArtifactPath(path);
    // Model files go through the store's model API, which takes bytes only (no file copy in the browser's stores).
    if (isLocalFile(data)) throw new TrackerError("NOT_IMPLEMENTED", `Pass the bytes of model file '${path}' (e.g. await readFile("${data.file}")) instead of { file: "${data.file}" }.`);
    return [path, artifactBytes(data)] as const;
  });
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.params ?? {})) params[k] = stringifyValue("param", k, v);
  const t = now();
  const pending: LoggedModel = {
    modelId: `m-${newRunId()}`,
    experimentId: options.experimentId,
    name,
    artifactLocation: "",
    creationTimestamp: t,
    lastUpdatedTimestamp: t,
    status: "PENDING",
    statusMessage: null,
    sourceRunId: options.runId ?? null,
    modelType: options.modelType ?? null,
    lifecycleStage: "active",
    tags: { ...(options.tags ?? {}) },
    params,
    metrics: [],
  };
  await models.putLoggedModel(pending);
  try {
    for (const [path, data] of bytes) await models.logLoggedModelArtifact(pending.modelId, path, data);
    await models.putLoggedModel({ ...pending, status: "READY", lastUpdatedTimestamp: now() });
  } catch (e) {
    await models.deleteLoggedModel(pending.modelId).catch(() => undefined);
    throw e;
  }
  return models.getLoggedModel(pending.modelId);
}
