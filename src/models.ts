/**
 * Models: MLflow 3's logged models (`m-…`, an experiment's model with its own params, metrics,
 * tags and artifacts) and the model registry (registered models, their numbered versions, tags
 * and aliases). Plain data with MLflow's field names in camelCase, and the checks every store
 * applies before it keeps one (shared/reference/mlruns-format.md §1.5, §4).
 *
 * @module
 */
import type { LifecycleStage } from "./entities.js";
import { invalidParameter } from "./errors.js";
import { describe, validateKey, validateParam, validateRunTag } from "./validation.js";

/** Logged-model statuses; MLflow's file store writes their index (0–3) in meta.yaml. */
export const LOGGED_MODEL_STATUSES = ["UNSPECIFIED", "PENDING", "READY", "FAILED"] as const;
/** The status of a logged model (`READY` once `log_model` has finished). */
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** One metric point of a logged model (MLflow also appends it to the run's metric). */
export type LoggedModelMetric = {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /** The run that logged it. */
  runId: string | null;
  datasetName: string | null;
  datasetDigest: string | null;
};

/** An MLflow 3 logged model: `mlruns/<exp>/models/<modelId>/`. */
export type LoggedModel = {
  /** `m-` and 32 hex digits. */
  modelId: string;
  experimentId: string;
  name: string;
  /** Where the store keeps the model's artifacts; set by the store (its own location), not the caller. */
  artifactLocation: string;
  /** Milliseconds since the epoch. */
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  status: LoggedModelStatus;
  statusMessage: string | null;
  /** The run that logged it, if any. */
  sourceRunId: string | null;
  /** Free text, e.g. `agent`. */
  modelType: string | null;
  lifecycleStage: LifecycleStage;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: LoggedModelMetric[];
};

/** A registered model: `mlruns/models/<name>/`. */
export type RegisteredModel = {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  tags: Record<string, string>;
  /** Alias → version number (MLflow's `aliases/<alias>` files). */
  aliases: Record<string, number>;
};

/** Registration statuses of a model version. */
export const MODEL_VERSION_STATUSES = ["READY", "PENDING_REGISTRATION", "FAILED_REGISTRATION"] as const;
/** The registration status of a model version. */
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];
/** Stages of a model version (deprecated in MLflow 3 in favour of aliases; deleted versions are `Deleted_Internal`). */
export const MODEL_VERSION_STAGES = ["None", "Staging", "Production", "Archived", "Deleted_Internal"] as const;
/** The stage of a model version. */
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number];

/** One version of a registered model: `mlruns/models/<name>/version-<n>/`. */
export type ModelVersion = {
  name: string;
  /** 1, 2, …: the next version is the highest so far plus one. */
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  userId: string | null;
  currentStage: ModelVersionStage;
  /** Where the model came from: `models:/m-…` (a logged model) or an artifact URI. */
  source: string;
  runId: string | null;
  runLink: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  /** Where the model's files are (a logged model's artifact location, for `models:/` sources). */
  storageLocation: string | null;
  /** The logged model this version registers, if any. */
  modelId: string | null;
  tags: Record<string, string>;
};

const MODEL_ID = /^m-[0-9a-f]{32}$/;

/**
 * A fresh logged-model id: `m-` and 32 random hex digits, as MLflow makes them.
 *
 * @example
 * ```ts
 * const id = newModelId(); // "m-4f1c…" (34 characters)
 * ```
 */
export function newModelId(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let s = "m-";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/**
 * Throws INVALID_PARAMETER_VALUE unless `id` is a logged-model id (`m-` + 32 lowercase hex).
 *
 * @example
 * ```ts
 * validateModelId("m-0123456789abcdef0123456789abcdef"); // ok; "m-1" throws
 * ```
 */
export function validateModelId(id: unknown): asserts id is string {
  if (typeof id !== "string" || !MODEL_ID.test(id)) throw invalidParameter(`Invalid logged model id ${describe(id)}: expected 'm-' followed by 32 lowercase hex digits.`);
}

/**
 * Throws INVALID_PARAMETER_VALUE unless `name` can name a registered model: a non-empty string
 * of at most 256 characters that is usable as a folder name (no `/`, `\`, NUL, and not `.` or `..`),
 * since MLflow's file store keeps each model in `models/<name>/`.
 *
 * @example
 * ```ts
 * validateRegisteredModelName("Echo model"); // ok; "a/b" and "" throw
 * ```
 */
export function validateRegisteredModelName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") throw invalidParameter(`Invalid registered model name ${describe(name)}: expected a non-empty string.`);
  if (/[/\\\0]/.test(name) || name === "." || name === ".." || name.length > 256) {
    throw invalidParameter(`Invalid registered model name ${describe(name)}: at most 256 characters, without '/', '\\' or NUL, and not '.' or '..'.`);
  }
}

/**
 * Throws INVALID_PARAMETER_VALUE unless `v` is a model version number (an integer ≥ 1).
 *
 * @example
 * ```ts
 * validateVersionNumber(3); // ok; 0 and 1.5 throw
 * ```
 */
export function validateVersionNumber(v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw invalidParameter(`Invalid model version ${describe(v)}: expected an integer ≥ 1.`);
}

function timestamp(what: string, t: unknown): void {
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0) throw invalidParameter(`Invalid ${what} ${describe(t)}: expected milliseconds since the epoch (an integer ≥ 0).`);
}

function nullableString(what: string, v: unknown): void {
  if (v !== null && typeof v !== "string") throw invalidParameter(`Invalid ${what} ${describe(v)}: expected a string or null.`);
}

function oneOf(what: string, v: unknown, allowed: readonly string[]): void {
  if (typeof v !== "string" || !allowed.includes(v)) throw invalidParameter(`Invalid ${what} ${describe(v)}: expected one of ${allowed.join(", ")}.`);
}

function record(what: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidParameter(`Invalid ${what}: expected an object.`);
}

function tags(v: unknown): void {
  record("tags", v);
  for (const [k, value] of Object.entries(v)) validateRunTag(k, value);
}

/**
 * Checks every field of a logged model (INVALID_PARAMETER_VALUE naming the first bad one).
 *
 * @example
 * ```ts
 * validateLoggedModel(await store.getLoggedModel(id)); // what every store checks before a put
 * ```
 */
export function validateLoggedModel(m: LoggedModel): void {
  record("logged model", m);
  validateModelId(m.modelId);
  if (typeof m.experimentId !== "string" || m.experimentId === "") throw invalidParameter(`Invalid experiment id ${describe(m.experimentId)} of logged model ${m.modelId}.`);
  if (typeof m.name !== "string" || m.name === "") throw invalidParameter(`Invalid logged model name ${describe(m.name)}: expected a non-empty string.`);
  timestamp("creation timestamp", m.creationTimestamp);
  timestamp("last updated timestamp", m.lastUpdatedTimestamp);
  oneOf("logged model status", m.status, LOGGED_MODEL_STATUSES);
  oneOf("lifecycle stage", m.lifecycleStage, ["active", "deleted"]);
  nullableString("status message", m.statusMessage);
  nullableString("model type", m.modelType);
  nullableString("source run id", m.sourceRunId);
  tags(m.tags);
  record("params", m.params);
  for (const [k, v] of Object.entries(m.params)) validateParam(k, v);
  if (!Array.isArray(m.metrics)) throw invalidParameter("Invalid metrics of a logged model: expected an array.");
  for (const p of m.metrics) {
    record("logged model metric", p);
    validateKey("metric", p.key);
    if (typeof p.value !== "number") throw invalidParameter(`Invalid value ${describe(p.value)} of metric '${p.key}': expected a number.`);
    timestamp(`timestamp of metric '${p.key}'`, p.timestamp);
    if (typeof p.step !== "number" || !Number.isSafeInteger(p.step)) throw invalidParameter(`Invalid step ${describe(p.step)} of metric '${p.key}': expected an integer.`);
    nullableString("metric run id", p.runId);
    nullableString("dataset name", p.datasetName);
    nullableString("dataset digest", p.datasetDigest);
  }
}

/**
 * Checks every field of a registered model.
 *
 * @example
 * ```ts
 * validateRegisteredModel({ name: "churn", creationTimestamp: 0, lastUpdatedTimestamp: 0, description: null, tags: {}, aliases: { champion: 1 } });
 * ```
 */
export function validateRegisteredModel(m: RegisteredModel): void {
  record("registered model", m);
  validateRegisteredModelName(m.name);
  timestamp("creation timestamp", m.creationTimestamp);
  timestamp("last updated timestamp", m.lastUpdatedTimestamp);
  nullableString("description", m.description);
  tags(m.tags);
  record("aliases", m.aliases);
  for (const [alias, v] of Object.entries(m.aliases)) {
    validateAlias(alias);
    validateVersionNumber(v);
  }
}

/**
 * Throws INVALID_PARAMETER_VALUE unless `alias` can name an alias (MLflow: not `latest`, not `v<digits>`, a key's characters).
 *
 * @example
 * ```ts
 * validateAlias("champion"); // ok; "latest" and "v2" throw
 * ```
 */
export function validateAlias(alias: unknown): asserts alias is string {
  validateKey("tag", alias);
  if (alias === "" || /^latest$/i.test(alias) || /^v\d+$/i.test(alias) || alias.includes("/")) {
    throw invalidParameter(`Invalid alias ${describe(alias)}: 'latest', 'v<number>', '/' and the empty name are reserved.`);
  }
}

/**
 * Checks every field of a model version.
 *
 * @example
 * ```ts
 * validateModelVersion(await store.getModelVersion("churn", 1));
 * ```
 */
export function validateModelVersion(v: ModelVersion): void {
  record("model version", v);
  validateRegisteredModelName(v.name);
  validateVersionNumber(v.version);
  timestamp("creation timestamp", v.creationTimestamp);
  timestamp("last updated timestamp", v.lastUpdatedTimestamp);
  nullableString("description", v.description);
  nullableString("user id", v.userId);
  oneOf("stage", v.currentStage, MODEL_VERSION_STAGES);
  if (typeof v.source !== "string") throw invalidParameter(`Invalid model version source ${describe(v.source)}: expected a string.`);
  nullableString("run id", v.runId);
  nullableString("run link", v.runLink);
  oneOf("model version status", v.status, MODEL_VERSION_STATUSES);
  nullableString("status message", v.statusMessage);
  nullableString("storage location", v.storageLocation);
  if (v.modelId !== null) validateModelId(v.modelId);
  tags(v.tags);
}
