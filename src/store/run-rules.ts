/**
 * Rules about runs and experiments that every backend applies the same way: defaults of a new
 * run, the `mlflow.runName` tag, param immutability and lifecycle checks. Pure functions on
 * plain data, so the memory, Arrow, IndexedDB and worker stores cannot drift apart.
 *
 * @module
 */
import type { CreateRunInput, Experiment, RunInfo, UpdateRunInput } from "../entities.js";
import type { WholeRun } from "./store.js";
import { invalidParameter, TrackerError } from "../errors.js";
import { newRunId } from "../ids.js";
import { generateRunName } from "../run-names.js";
import {
  messages,
  validateExperimentId,
  validateRunId,
  validateRunTag,
  validateStatus,
  validateLogBatch,
  validateTime,
  LIMITS,
} from "../validation.js";

/** The tag MLflow keeps equal to `info.runName`. */
export const RUN_NAME_TAG = "mlflow.runName";

/** Validates `input` and returns the new run's info and tags (nothing is stored). */
export function newRun(input: CreateRunInput, experiment: Experiment, now: number): { info: RunInfo; tags: Record<string, string> } {
  validateExperimentId(input.experimentId);
  if (experiment.lifecycleStage !== "active") {
    throw new TrackerError("INVALID_STATE", messages.experimentNotActive(experiment.experimentId));
  }
  const runId = input.runId ?? newRunId();
  validateRunId(runId);
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.tags ?? {})) {
    validateRunTag(key, value);
    tags[key] = value;
  }
  if (input.runName !== undefined) validateRunTag(RUN_NAME_TAG, input.runName);
  const runName = input.runName || tags[RUN_NAME_TAG] || generateRunName();
  tags[RUN_NAME_TAG] = runName;
  const startTime = input.startTime ?? now;
  validateTime(startTime, "start");
  const userId = input.userId ?? "";
  if (typeof userId !== "string") throw invalidParameter(`Invalid user id: expected a string.`);
  const info: RunInfo = {
    runId,
    runName,
    experimentId: experiment.experimentId,
    userId,
    status: "RUNNING",
    startTime,
    endTime: null,
    artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
    lifecycleStage: "active",
  };
  return { info, tags };
}

/** Validates an `updateRun` patch and returns the changed info (the input is not modified). */
export function patchRunInfo(info: RunInfo, patch: UpdateRunInput): RunInfo {
  assertRunActive(info);
  const next = { ...info };
  if (patch.status !== undefined) {
    validateStatus(patch.status);
    next.status = patch.status;
  }
  if (patch.endTime !== undefined) {
    if (patch.endTime !== null) validateTime(patch.endTime, "end");
    next.endTime = patch.endTime;
  }
  if (patch.runName !== undefined) {
    validateRunTag(RUN_NAME_TAG, patch.runName);
    next.runName = patch.runName;
  }
  return next;
}

/** MLflow rejects writes to a run that is not active, with INVALID_PARAMETER_VALUE. */
export function assertRunActive(info: RunInfo): void {
  if (info.lifecycleStage !== "active") throw invalidParameter(messages.runNotActive(info.runId));
}

/**
 * Checks params against those already logged: the same value again is a no-op, another value is
 * an error. Returns only the params that are new.
 */
export function newParams(
  existing: Readonly<Record<string, string>>,
  params: readonly { key: string; value: string }[] | undefined,
): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const p of params ?? []) {
    const old = existing[p.key];
    if (old === undefined) out.push(p);
    else if (old !== p.value) throw invalidParameter(messages.paramChanged(p.key, old, p.value));
  }
  return out;
}

/**
 * Checks a whole run (see `TrackingStore.putRuns`) by the rules its calls one by one would meet —
 * createRun, logBatch of its params (100 at a time) and points (1000 at a time), updateRun of its
 * status and end time, deleteRun — and returns the info and tags the store keeps (the artifact
 * URI is the store's to set). Throws what the first refused call would throw.
 *
 * @example
 * ```ts
 * const { info, tags } = checkWholeRun(run, experiment); // then write them
 * ```
 */
export function checkWholeRun(run: WholeRun, experiment: Experiment): { info: RunInfo; tags: Record<string, string> } {
  const given = run.info;
  const { info: created, tags } = newRun(
    { experimentId: experiment.experimentId, runId: given.runId, userId: given.userId, startTime: given.startTime, tags: run.tags, ...(given.runName !== "" ? { runName: given.runName } : {}) },
    experiment,
    0,
  );
  const params = Object.entries(run.params).map(([key, value]) => ({ key, value }));
  for (let i = 0; i < params.length; i += LIMITS.maxParamsPerBatch) validateLogBatch({ params: params.slice(i, i + LIMITS.maxParamsPerBatch) });
  const m = run.metrics;
  if (m) {
    if (m.keyIds.length !== m.values.length || m.steps.length !== m.values.length || m.timestamps.length !== m.values.length) validateLogBatch({ metrics: m });
    const max = LIMITS.maxMetricsPerBatch;
    for (let i = 0; i < m.values.length; i += max) {
      const j = Math.min(m.values.length, i + max);
      validateLogBatch({ metrics: { keys: m.keys, keyIds: m.keyIds.subarray(i, j), values: m.values.subarray(i, j), steps: m.steps.subarray(i, j), timestamps: m.timestamps.subarray(i, j) } });
    }
  }
  let info = created;
  if (given.status !== "RUNNING" || given.endTime !== null) info = patchRunInfo(info, { status: given.status, endTime: given.endTime });
  if (given.lifecycleStage === "deleted") info = { ...info, lifecycleStage: "deleted" };
  return { info, tags };
}
