/**
 * The store the importer checks each bundle run against before writing anything: it applies the
 * same rules every backend applies (run-rules.ts, validation.ts, the artifact path rules) to the
 * same calls the real import will make, but keeps nothing, so checking a run costs no copies.
 *
 * @module
 */
import { validateArtifactPath } from "../artifacts.js";
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, type CreateRunInput, type LogBatch, type Run, type RunInfo, type UpdateRunInput } from "../entities.js";
import { invalidParameter } from "../errors.js";
import { assertRunActive, newParams, newRun, patchRunInfo } from "../store/run-rules.js";
import { validateLogBatch } from "../validation.js";
import type { RunWriter } from "./run-record.js";

/** Checks the calls of one run's import; throws what a store would throw. */
export function checkingStore(): RunWriter {
  const experiment = { experimentId: DEFAULT_EXPERIMENT_ID, name: DEFAULT_EXPERIMENT_NAME, artifactLocation: "check:", lifecycleStage: "active" as const, creationTime: 0, lastUpdateTime: 0, tags: {} };
  let info: RunInfo | undefined;
  const params: Record<string, string> = {};
  const files = new Set<string>();
  const folders = new Set<string>();
  const run = (): RunInfo => {
    if (!info) throw invalidParameter("The run was not created.");
    return info;
  };
  return {
    async createRun(input: CreateRunInput): Promise<Run> {
      info = newRun({ ...input, experimentId: DEFAULT_EXPERIMENT_ID }, experiment, 0).info;
      return { info, data: { params: {}, tags: {}, metrics: {} } };
    },
    async logBatch(_runId: string, batch: LogBatch): Promise<void> {
      assertRunActive(run());
      validateLogBatch(batch);
      for (const p of newParams(params, batch.params)) params[p.key] = p.value;
    },
    async logArtifact(_runId: string, path: string): Promise<void> {
      assertRunActive(run());
      validateArtifactPath(path);
      if (folders.has(path)) throw invalidParameter(`Cannot write artifact file '${path}': it is a folder.`);
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) {
        const prefix = parts.slice(0, i).join("/");
        if (files.has(prefix)) throw invalidParameter(`Cannot write artifact '${path}': '${prefix}' is a file.`);
        folders.add(prefix);
      }
      files.add(path);
    },
    async updateRun(_runId: string, patch: UpdateRunInput): Promise<RunInfo> {
      info = patchRunInfo(run(), patch);
      return info;
    },
    async deleteRun(): Promise<void> {
      info = { ...run(), lifecycleStage: "deleted" };
    },
  };
}
