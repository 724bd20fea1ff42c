/**
 * The model-registry operations of a {@link Tracker}, over a store's {@link ModelStore}
 * primitives: MLflow's `create_registered_model`, `create_model_version`,
 * `set_registered_model_alias` and the getters and searches, with MLflow's checks and error codes.
 *
 * @module
 */
import { invalidParameter, isTrackerError, TrackerError } from "./errors.js";
import {
  validateAlias,
  validateModelId,
  validateRegisteredModelName,
  validateVersionNumber,
  type LoggedModel,
  type ModelVersion,
  type RegisteredModel,
} from "./models.js";
import { hasModels, type ModelStore, type TrackingStore } from "./store/store.js";

/** The logged-model tag listing the versions that register it, as MLflow writes it. */
export const MODEL_VERSIONS_TAG = "mlflow.modelVersions";

/** Python's `json.dumps` (", " and ": " separators, non-ASCII escaped), so the tag reads as MLflow writes it. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(", ")}]`;
  if (typeof v === "object" && v !== null) return `{${Object.entries(v).map(([k, x]) => `${pythonJson(k)}: ${pythonJson(x)}`).join(", ")}}`;
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** Options of {@link createRegisteredModel}. */
export type CreateRegisteredModelOptions = { tags?: Record<string, string>; description?: string };

/** Options of {@link createModelVersion}: a `source` URI, or the `modelId` of a logged model (source `models:/<id>`). */
export type CreateModelVersionOptions = {
  source?: string;
  modelId?: string;
  runId?: string;
  tags?: Record<string, string>;
  description?: string;
};

/** The store's model primitives, or NOT_IMPLEMENTED when it has none. */
export function modelsOf(store: TrackingStore): ModelStore {
  if (!hasModels(store)) throw new TrackerError("NOT_IMPLEMENTED", "This store has no model registry (logged models and registered models need the memory:, arrow: or idb: store).");
  return store;
}

/**
 * Creates a registered model; a taken name is RESOURCE_ALREADY_EXISTS.
 *
 * @example
 * ```ts
 * const model = await createRegisteredModel(store, "churn", { tags: { team: "growth" } });
 * ```
 */
export async function createRegisteredModel(store: TrackingStore, name: string, options: CreateRegisteredModelOptions = {}, now = Date.now()): Promise<RegisteredModel> {
  const models = modelsOf(store);
  validateRegisteredModelName(name);
  if (await exists(models.getRegisteredModel(name))) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${name}) already exists.`);
  const model: RegisteredModel = { name, creationTimestamp: now, lastUpdatedTimestamp: now, description: options.description ?? null, tags: { ...(options.tags ?? {}) }, aliases: {} };
  await models.putRegisteredModel(model);
  return model;
}

/**
 * Adds the next version (highest + 1) to a registered model. With `modelId`, the version
 * registers that logged model: source `models:/<modelId>`, storage location its artifacts, and
 * the logged model gets MLflow's `mlflow.modelVersions` tag.
 *
 * @example
 * ```ts
 * const v = await createModelVersion(store, "churn", { modelId: "m-0123…", tags: { validated: "yes" } });
 * v.version; // 1
 * ```
 */
export async function createModelVersion(store: TrackingStore, name: string, options: CreateModelVersionOptions, now = Date.now()): Promise<ModelVersion> {
  const models = modelsOf(store);
  validateRegisteredModelName(name);
  let logged: LoggedModel | undefined;
  if (options.modelId !== undefined) {
    validateModelId(options.modelId);
    logged = await models.getLoggedModel(options.modelId);
  }
  const source = options.source ?? (logged ? `models:/${logged.modelId}` : undefined);
  if (typeof source !== "string" || source === "") throw invalidParameter("A model version needs a source URI or the modelId of a logged model.");
  const parent = await models.getRegisteredModel(name);
  const versions = await models.listModelVersions(name);
  const version: ModelVersion = {
    name,
    version: versions.reduce((n, v) => Math.max(n, v.version), 0) + 1,
    creationTimestamp: now,
    lastUpdatedTimestamp: now,
    description: options.description ?? null,
    userId: null,
    currentStage: "None",
    source,
    runId: options.runId ?? logged?.sourceRunId ?? null,
    runLink: null,
    status: "READY",
    statusMessage: null,
    storageLocation: logged ? logged.artifactLocation : source,
    modelId: logged?.modelId ?? null,
    tags: { ...(options.tags ?? {}) },
  };
  await models.putModelVersion(version);
  await models.putRegisteredModel({ ...parent, lastUpdatedTimestamp: now });
  if (logged) {
    let list: unknown[] = [];
    try {
      const parsed: unknown = JSON.parse(logged.tags[MODEL_VERSIONS_TAG] ?? "[]");
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // A tag someone else wrote badly: start the list again.
    }
    list.push({ name, version: version.version });
    await models.putLoggedModel({ ...logged, tags: { ...logged.tags, [MODEL_VERSIONS_TAG]: pythonJson(list) } });
  }
  return version;
}

/**
 * Points `alias` of a registered model at one of its versions (moving it if it pointed elsewhere).
 *
 * @example
 * ```ts
 * await setRegisteredModelAlias(store, "churn", "champion", 3);
 * ```
 */
export async function setRegisteredModelAlias(store: TrackingStore, name: string, alias: string, version: number): Promise<void> {
  const models = modelsOf(store);
  validateAlias(alias);
  validateVersionNumber(version);
  const model = await models.getRegisteredModel(name);
  await models.getModelVersion(name, version);
  await models.putRegisteredModel({ ...model, aliases: { ...model.aliases, [alias]: version } });
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    if (isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")) return false;
    throw e;
  }
}
