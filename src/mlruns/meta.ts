/**
 * Experiment and run `meta.yaml` ↔ trackbook entities (mlruns-format §1.1, §1.2, §9). Writing
 * gives what MLflow 3.x writes plus `run_uuid` for 2.x readers; reading takes 1.x–3.x files
 * (int experiment ids, `run_uuid`-only runs, `name:` before `run_name`, missing optional keys).
 *
 * @module
 */
import { RUN_STATUSES, type Experiment, type LifecycleStage, type RunInfo, type RunStatus } from "../entities.js";
import { malformed, YamlDate, type YamlMap, type YamlValue } from "./yaml.js";

/** An experiment as read from a bundle (tags come from its `tags/` folder, read separately). */
export type BundleExperimentMeta = {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number | undefined;
  lastUpdateTime: number | undefined;
};

/** The experiment meta.yaml MLflow 3.x writes. */
export function experimentMetaYaml(e: Experiment, artifactLocation: string): Record<string, YamlValue> {
  return {
    artifact_location: artifactLocation,
    creation_time: e.creationTime,
    experiment_id: e.experimentId,
    last_update_time: e.lastUpdateTime,
    lifecycle_stage: e.lifecycleStage,
    name: e.name,
  };
}

/** The run meta.yaml MLflow 3.x writes, plus `run_uuid` (2.x readers require it). */
export function runMetaYaml(info: RunInfo, artifactUri: string, deletedTime: number): Record<string, YamlValue> {
  const meta: Record<string, YamlValue> = {
    artifact_uri: artifactUri,
    end_time: info.endTime,
    entry_point_name: "",
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: "",
    source_type: 4,
    source_version: "",
    start_time: info.startTime,
    status: RUN_STATUSES.indexOf(info.status) + 1,
    tags: [],
    user_id: info.userId,
  };
  if (info.lifecycleStage === "deleted") meta.deleted_time = deletedTime;
  return meta;
}

/** Reads fields of one parsed meta.yaml with messages naming the file and key. */
export class Fields {
  constructor(
    private readonly map: YamlMap,
    readonly file: string,
  ) {}

  has(key: string): boolean {
    return this.map[key] !== undefined && this.map[key] !== null;
  }

  string(key: string, fallback?: string): string {
    const v = this.map[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw malformed(this.file, `the required key '${key}' is missing`);
    }
    if (typeof v === "string") return v;
    if (typeof v === "bigint" || typeof v === "number") return String(v);
    throw malformed(this.file, `'${key}' must be a string, got ${v instanceof YamlDate ? `the date ${v.text} (quote it)` : typeof v}`);
  }

  int(key: string): number | undefined {
    const v = this.map[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    throw malformed(this.file, `'${key}' must be an integer, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  }

  lifecycle(): LifecycleStage {
    const v = this.string("lifecycle_stage", "active");
    if (v !== "active" && v !== "deleted") throw malformed(this.file, `'lifecycle_stage' must be active or deleted, got '${v}'`);
    return v;
  }
}

/** Reads an experiment meta.yaml found in folder `dirName` (its id must match the folder). */
export function readExperimentMeta(map: YamlMap, file: string, dirName: string): BundleExperimentMeta {
  const f = new Fields(map, file);
  const experimentId = f.string("experiment_id");
  if (experimentId !== dirName) throw malformed(file, `experiment_id '${experimentId}' does not match its folder '${dirName}'`);
  return {
    experimentId,
    name: f.string("name"),
    artifactLocation: f.string("artifact_location", ""),
    lifecycleStage: f.lifecycle(),
    creationTime: f.int("creation_time"),
    lastUpdateTime: f.int("last_update_time"),
  };
}

/** A run as read from its meta.yaml; `runName` may be empty (then the tag decides). */
export type BundleRunMeta = Omit<RunInfo, "artifactUri"> & { artifactUri: string };

/** Reads a run meta.yaml found in folder `dirName` of experiment `experimentId`. */
export function readRunMeta(map: YamlMap, file: string, dirName: string, experimentId: string): BundleRunMeta {
  const f = new Fields(map, file);
  const runId = f.has("run_id") ? f.string("run_id") : f.string("run_uuid");
  if (f.has("run_uuid") && f.string("run_uuid") !== runId) throw malformed(file, `run_id '${runId}' and run_uuid '${f.string("run_uuid")}' differ`);
  if (runId !== dirName) throw malformed(file, `run id '${runId}' does not match its folder '${dirName}'`);
  const exp = f.string("experiment_id");
  if (exp !== experimentId) throw malformed(file, `experiment_id '${exp}' does not match the experiment folder '${experimentId}'`);
  const startTime = f.int("start_time");
  if (startTime === undefined) throw malformed(file, "the required key 'start_time' is missing");
  return {
    runId,
    runName: f.string("run_name", f.string("name", "")),
    experimentId,
    userId: f.string("user_id", ""),
    status: readStatus(map.status, file),
    startTime,
    endTime: f.int("end_time") ?? null,
    artifactUri: f.string("artifact_uri", ""),
    lifecycleStage: f.lifecycle(),
  };
}

/** MLflow stores the status as an int (1 RUNNING … 5 KILLED); missing means RUNNING. */
function readStatus(v: unknown, file: string): RunStatus {
  if (v === undefined || v === null) return "RUNNING";
  if (typeof v === "bigint" || typeof v === "number") {
    const s = RUN_STATUSES[Number(v) - 1];
    if (s) return s;
  }
  if (typeof v === "string" && (RUN_STATUSES as readonly string[]).includes(v)) return v as RunStatus;
  throw malformed(file, `'status' must be 1 (RUNNING) to 5 (KILLED), got ${String(v)}`);
}
