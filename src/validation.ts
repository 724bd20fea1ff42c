/**
 * MLflow's validation rules, limits and the messages users see when they break one.
 *
 * Rules follow `mlflow/utils/validation.py` (see shared/reference/mlruns-format.md §3).
 * Messages are built here and nowhere else, so tests compare against a builder rather than a
 * copied string. Lengths are counted in Unicode code points, as Python's `len()` does.
 *
 * @module
 */
import { RUN_STATUSES, type HistorySummaryOptions, type RunStatus, type ViewType } from "./entities.js";
import { invalidParameter, TrackerError } from "./errors.js";

/** MLflow's limits. */
export const LIMITS = {
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxRunTagValueLength: 8000,
  maxExperimentTagValueLength: 5000,
  maxExperimentNameLength: 500,
  maxArtifactLocationLength: 2048,
  maxMetricsPerBatch: 1000,
  maxParamsPerBatch: 100,
  maxTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  maxResultsDefault: 1000,
  maxResultsLimit: 50000,
} as const;

/** What a key names, for messages. */
export type KeyKind = "metric" | "param" | "tag" | "experiment tag";

// `\w` in Python's `re` on str patterns is Unicode-aware; JS's `\w` is ASCII-only, hence \p{L}\p{N}.
// MLflow uses `re.match(r"^[/\w.\- :]*$")`, whose `$` also matches before one trailing "\n", so
// MLflow lets "loss\n" through; we reject it on purpose (a file name ending in a newline is not portable).
const KEY_CHARS = /^[\p{L}\p{N}_/.\- :]*$/u;

/** Code points in `s` (Python's `len`). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** MLflow's `path_not_unique`: the key would name a different file once normalised. */
export function pathNotUnique(key: string): boolean {
  if (key === "" || key.startsWith("/") || key.startsWith("..")) return true;
  for (const part of key.split("/")) if (part === "" || part === "." || part === "..") return true;
  return false;
}

/** Message catalogue: every user-facing validation message is built here. */
export const messages = {
  keyNotString: (kind: KeyKind, key: unknown) => `Invalid ${kind} name: expected a string, got ${describe(key)}.`,
  keyBadChars: (kind: KeyKind, key: string) =>
    `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).`,
  keyNotUnique: (kind: KeyKind, key: string) =>
    `Invalid ${kind} name: '${key}'. Names are used as file paths, so they must not be empty, start with '/' or '..', or contain empty, '.' or '..' path segments.`,
  keyTooLong: (kind: KeyKind, key: string) =>
    `Invalid ${kind} name: '${key.slice(0, 40)}…' has ${codePointLength(key)} characters; the limit is ${LIMITS.maxKeyLength}.`,
  valueNotString: (kind: KeyKind, key: string, value: unknown) =>
    `Invalid value for ${kind} '${key}': expected a string, got ${describe(value)}.`,
  valueTooLong: (kind: KeyKind, key: string, length: number, limit: number) =>
    `Value of ${kind} '${key}' has ${length} characters; the limit is ${limit}. Shorten it, or log it as an artifact.`,
  metricValue: (key: string, value: unknown) =>
    `Invalid value for metric '${key}': expected a number, got ${describe(value)}. Convert it with Number(...) first.`,
  metricTimestamp: (key: string, ts: unknown) =>
    `Invalid timestamp for metric '${key}': ${describe(ts)}. Timestamps are integer epoch milliseconds ≥ 0.`,
  metricStep: (key: string, step: unknown) =>
    `Invalid step for metric '${key}': ${describe(step)}. Steps are safe integers (they may be negative).`,
  paramChanged: (key: string, oldValue: string, newValue: string) =>
    `Changing param values is not allowed. Param with key '${key}' was already logged with value '${oldValue}'; the new value is '${newValue}'. Start a new run to use another value.`,
  duplicateParamInBatch: (key: string) => `Duplicate param key '${key}' in one batch; log each param once.`,
  batchTooLarge: (what: string, count: number, limit: number) =>
    `A batch may hold at most ${limit} ${what}; this one has ${count}. Split it into smaller batches.`,
  runId: (runId: unknown) => `Invalid run id ${describe(runId)}: run ids are 32 lowercase hex characters.`,
  experimentId: (id: unknown) => `Invalid experiment id ${describe(id)}: experiment ids are digit strings such as "0".`,
  experimentName: (name: unknown) =>
    `Invalid experiment name ${describe(name)}: it must be a non-empty string of at most ${LIMITS.maxExperimentNameLength} characters.`,
  status: (status: unknown) => `Invalid run status ${describe(status)}: expected one of ${RUN_STATUSES.join(", ")}.`,
  viewType: (v: unknown) => `Invalid view type ${describe(v)}: expected ACTIVE_ONLY, DELETED_ONLY or ALL.`,
  maxResults: (n: unknown) =>
    `Invalid maxResults ${describe(n)}: expected an integer from 1 to ${LIMITS.maxResultsLimit}.`,
  endTime: (t: unknown) => `Invalid end time ${describe(t)}: expected integer epoch milliseconds ≥ 0 or null.`,
  startTime: (t: unknown) => `Invalid start time ${describe(t)}: expected integer epoch milliseconds ≥ 0.`,
  runNotFound: (runId: string) => `Run '${runId}' not found.`,
  experimentNotFound: (id: string) => `No experiment with id '${id}'.`,
  experimentNameTaken: (name: string) =>
    `Experiment '${name}' already exists (it may be deleted: restore it, or pick another name).`,
  runNotActive: (runId: string) =>
    `Run '${runId}' is deleted; restore it before logging to it (writes go only to active runs).`,
  experimentNotActive: (id: string) => `Experiment '${id}' is deleted; restore it before creating runs in it.`,
  metricNotFound: (runId: string, key: string) => `Run '${runId}' has no metric '${key}'.`,
  summaryBudget: (n: unknown) => `Invalid summary budget ${describe(n)}: expected an integer of at least 4 (four points per bucket).`,
  summaryRawLimit: (n: unknown) => `Invalid summary rawLimit ${describe(n)}: expected an integer ≥ 0.`,
  summaryStepRange: (r: unknown) => `Invalid summary stepRange ${describe(r)}: expected [lo, hi], two numbers with lo ≤ hi.`,
} as const;

/** Short, safe rendering of a bad value for a message. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (typeof value === "bigint") return `${value}n (a bigint)`;
  if (typeof value === "number" || typeof value === "boolean") return `${String(value)} (a ${typeof value})`;
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** Throws INVALID_PARAMETER_VALUE unless `key` is a valid MLflow metric/param/tag key. */
export function validateKey(kind: KeyKind, key: unknown): asserts key is string {
  if (typeof key !== "string") throw invalidParameter(messages.keyNotString(kind, key));
  if (!KEY_CHARS.test(key)) throw invalidParameter(messages.keyBadChars(kind, key));
  if (pathNotUnique(key)) throw invalidParameter(messages.keyNotUnique(kind, key));
  if (key.length > LIMITS.maxKeyLength && codePointLength(key) > LIMITS.maxKeyLength) {
    throw invalidParameter(messages.keyTooLong(kind, key));
  }
}

/** True when `key` passes {@link validateKey}. */
export function isValidKey(key: string): boolean {
  try {
    validateKey("metric", key);
    return true;
  } catch {
    return false;
  }
}

function validateStringValue(kind: KeyKind, key: string, value: unknown, limit: number): asserts value is string {
  if (typeof value !== "string") throw invalidParameter(messages.valueNotString(kind, key, value));
  if (value.length > limit) {
    const n = codePointLength(value);
    if (n > limit) throw invalidParameter(messages.valueTooLong(kind, key, n, limit));
  }
}

/** Validates a param key and value (value ≤ 6000 characters). */
export function validateParam(key: unknown, value: unknown): void {
  validateKey("param", key);
  validateStringValue("param", key, value, LIMITS.maxParamValueLength);
}

/** Validates a run tag key and value (value ≤ 8000 characters). */
export function validateRunTag(key: unknown, value: unknown): void {
  validateKey("tag", key);
  validateStringValue("tag", key, value, LIMITS.maxRunTagValueLength);
}

/** Validates an experiment tag key and value (value ≤ 5000 characters). */
export function validateExperimentTag(key: unknown, value: unknown): void {
  validateKey("experiment tag", key);
  validateStringValue("experiment tag", key, value, LIMITS.maxExperimentTagValueLength);
}

/** Validates a metric's value, timestamp and step (the key is checked once per interned key). */
export function validateMetricPoint(key: string, value: unknown, timestamp: unknown, step: unknown): void {
  if (typeof value !== "number") throw invalidParameter(messages.metricValue(key, value));
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalidParameter(messages.metricTimestamp(key, timestamp));
  }
  if (typeof step !== "number" || !Number.isSafeInteger(step)) throw invalidParameter(messages.metricStep(key, step));
}

const RUN_ID = /^[0-9a-f]{32}$/;
const EXPERIMENT_ID = /^(0|[1-9][0-9]{0,18})$/;

/** Throws unless `runId` is 32 lowercase hex characters. */
export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== "string" || !RUN_ID.test(runId)) throw invalidParameter(messages.runId(runId));
}

/** Throws unless `id` is a digit string without leading zeros (`"0"` is Default). */
export function validateExperimentId(id: unknown): asserts id is string {
  if (typeof id !== "string" || !EXPERIMENT_ID.test(id)) throw invalidParameter(messages.experimentId(id));
}

/** Throws unless `name` is a usable experiment name. */
export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.trim() === "" || codePointLength(name) > LIMITS.maxExperimentNameLength) {
    throw invalidParameter(messages.experimentName(name));
  }
}

/** Throws unless `status` is one of MLflow's run statuses. */
export function validateStatus(status: unknown): asserts status is RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) throw invalidParameter(messages.status(status));
}

/** Throws unless `v` is a view type. */
export function validateViewType(v: unknown): asserts v is ViewType {
  if (v !== "ACTIVE_ONLY" && v !== "DELETED_ONLY" && v !== "ALL") throw invalidParameter(messages.viewType(v));
}

/** Returns `maxResults` or the default, throwing when out of range. */
export function resolveMaxResults(n: unknown): number {
  if (n === undefined) return LIMITS.maxResultsDefault;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > LIMITS.maxResultsLimit) {
    throw invalidParameter(messages.maxResults(n));
  }
  return n;
}

/** Throws unless `t` is integer epoch ms ≥ 0. */
export function validateTime(t: unknown, which: "start" | "end"): asserts t is number {
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0) {
    throw invalidParameter(which === "start" ? messages.startTime(t) : messages.endTime(t));
  }
}

/** Throws unless `o` is a valid {@link HistorySummaryOptions} (`getMetricHistorySummary`). */
export function validateSummaryOptions(o: unknown): asserts o is HistorySummaryOptions | undefined {
  if (o === undefined) return;
  if (typeof o !== "object" || o === null) throw invalidParameter(`Invalid summary options ${describe(o)}: expected an object.`);
  const { budget, rawLimit, stepRange } = o as Record<string, unknown>;
  if (budget !== undefined && (typeof budget !== "number" || !Number.isSafeInteger(budget) || budget < 4)) throw invalidParameter(messages.summaryBudget(budget));
  if (rawLimit !== undefined && (typeof rawLimit !== "number" || !Number.isSafeInteger(rawLimit) || rawLimit < 0)) throw invalidParameter(messages.summaryRawLimit(rawLimit));
  if (stepRange !== undefined) {
    const ok = Array.isArray(stepRange) && stepRange.length === 2 && stepRange.every((v) => typeof v === "number" && !Number.isNaN(v)) && stepRange[0] <= stepRange[1];
    if (!ok) throw invalidParameter(messages.summaryStepRange(stepRange));
  }
}

/** Errors for missing things, built from the catalogue. */
export const notFound = {
  run: (runId: string) => new TrackerError("RESOURCE_DOES_NOT_EXIST", messages.runNotFound(runId)),
  experiment: (id: string) => new TrackerError("RESOURCE_DOES_NOT_EXIST", messages.experimentNotFound(id)),
};

/**
 * Validates a whole `logBatch` before anything is applied, so a batch with one bad entry writes
 * nothing. Param immutability against stored values is the store's part (it needs the run).
 */
export function validateLogBatch(batch: {
  metrics?: { keys: string[]; keyIds: ArrayLike<number>; values: ArrayLike<number>; steps: ArrayLike<number>; timestamps: ArrayLike<number> };
  params?: { key: string; value: string }[];
  tags?: { key: string; value: string }[];
}): void {
  const m = batch.metrics;
  const nMetrics = m ? m.values.length : 0;
  const nParams = batch.params?.length ?? 0;
  const nTags = batch.tags?.length ?? 0;
  if (nMetrics > LIMITS.maxMetricsPerBatch) throw invalidParameter(messages.batchTooLarge("metrics", nMetrics, LIMITS.maxMetricsPerBatch));
  if (nParams > LIMITS.maxParamsPerBatch) throw invalidParameter(messages.batchTooLarge("params", nParams, LIMITS.maxParamsPerBatch));
  if (nTags > LIMITS.maxTagsPerBatch) throw invalidParameter(messages.batchTooLarge("tags", nTags, LIMITS.maxTagsPerBatch));
  const total = nMetrics + nParams + nTags;
  if (total > LIMITS.maxEntitiesPerBatch) throw invalidParameter(messages.batchTooLarge("entities", total, LIMITS.maxEntitiesPerBatch));
  if (m) {
    if (m.keyIds.length !== nMetrics || m.steps.length !== nMetrics || m.timestamps.length !== nMetrics) {
      throw invalidParameter("Malformed metric columns: keyIds, values, steps and timestamps must have the same length.");
    }
    for (const key of m.keys) validateKey("metric", key);
    // Fast path for typed columns (what the client sends): values are numbers by construction,
    // so only key ids, steps and timestamps need a look.
    const typed = m.keyIds instanceof Uint32Array && m.values instanceof Float64Array;
    if (typed && m.steps instanceof Float64Array && m.timestamps instanceof Float64Array) {
      const nKeys = m.keys.length;
      for (let i = 0; i < nMetrics; i++) {
        const ts = m.timestamps[i]!;
        const step = m.steps[i]!;
        if (m.keyIds[i]! >= nKeys || !Number.isSafeInteger(step) || !Number.isSafeInteger(ts) || ts < 0) {
          slowCheckPoint(m, i);
        }
      }
      return validateKeyValues(batch);
    }
    for (let i = 0; i < nMetrics; i++) slowCheckPoint(m, i);
  }
  validateKeyValues(batch);
}

type Columns = { keys: string[]; keyIds: ArrayLike<number>; values: ArrayLike<number>; steps: ArrayLike<number>; timestamps: ArrayLike<number> };

/** Checks one point of metric columns, throwing the precise error. */
function slowCheckPoint(m: Columns, i: number): void {
  const key = m.keys[m.keyIds[i]!];
  if (key === undefined) throw invalidParameter(`Malformed metric columns: keyIds[${i}] = ${m.keyIds[i]} has no key.`);
  validateMetricPoint(key, m.values[i], m.timestamps[i], m.steps[i]);
}

function validateKeyValues(batch: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] }): void {
  if (batch.params) {
    const seen = new Set<string>();
    for (const p of batch.params) {
      validateParam(p?.key, p?.value);
      if (seen.has(p.key)) throw invalidParameter(messages.duplicateParamInBatch(p.key));
      seen.add(p.key);
    }
  }
  if (batch.tags) for (const t of batch.tags) validateRunTag(t?.key, t?.value);
}
