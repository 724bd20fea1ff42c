/**
 * meta.yaml of logged models and registry entries ↔ trackbook entities (mlruns-format §1.5, §4),
 * in the layout MLflow 3.17 writes:
 *
 *   <exp>/models/<model_id>/meta.yaml        artifact_location, creation_timestamp, experiment_id,
 *                                            last_updated_timestamp, lifecycle_stage (dropped once
 *                                            finalized), model_id, model_type, name, source_run_id,
 *                                            status (int 0–3), status_message
 *   models/<name>/meta.yaml                  aliases (map; the aliases/ folder wins), creation_timestamp,
 *                                            deployment_job_id, deployment_job_state, description,
 *                                            last_updated_timestamp, name, workspace
 *   models/<name>/version-<n>/meta.yaml      creation_timestamp, current_stage, deployment_job_state,
 *                                            description, last_updated_timestamp, model_id, name,
 *                                            run_id, run_link, source, status, status_message,
 *                                            storage_location, user_id, version (int), workspace
 *
 * @module
 */
import {
  LOGGED_MODEL_STATUSES,
  MODEL_VERSION_STAGES,
  MODEL_VERSION_STATUSES,
  type LoggedModel,
  type LoggedModelMetric,
  type ModelVersion,
  type ModelVersionStage,
  type ModelVersionStatus,
  type RegisteredModel,
} from "../models.js";
import { Fields } from "./meta.js";
import { parsePythonFloat, parsePythonInt, pythonFloatRepr } from "./numbers.js";
import { malformed, toYaml, yamlString, type YamlMap, type YamlValue } from "./yaml.js";

/** A logged model's meta.yaml (tags, params and metrics come from its folders). */
export type LoggedModelMeta = Omit<LoggedModel, "tags" | "params" | "metrics">;

function optional(f: Fields, key: string): string | null {
  return f.has(key) ? f.string(key) : null;
}

function requiredInt(f: Fields, key: string, file: string): number {
  const v = f.int(key);
  if (v === undefined) throw malformed(file, `the required key '${key}' is missing`);
  return v;
}

/** Reads a logged model's meta.yaml found in folder `dirName` of experiment `experimentId`. */
export function readLoggedModelMeta(map: YamlMap, file: string, dirName: string, experimentId: string): LoggedModelMeta {
  const f = new Fields(map, file);
  const modelId = f.string("model_id");
  if (modelId !== dirName) throw malformed(file, `model_id '${modelId}' does not match its folder '${dirName}'`);
  const exp = f.string("experiment_id");
  if (exp !== experimentId) throw malformed(file, `experiment_id '${exp}' does not match the experiment folder '${experimentId}'`);
  const status = map.status;
  let s: LoggedModel["status"] | undefined;
  if (status === undefined || status === null) s = "UNSPECIFIED";
  else if (typeof status === "bigint" || typeof status === "number") s = LOGGED_MODEL_STATUSES[Number(status)];
  if (s === undefined) throw malformed(file, `'status' must be 0 (UNSPECIFIED), 1 (PENDING), 2 (READY) or 3 (FAILED), got ${JSON.stringify(String(status))}`);
  return {
    modelId,
    experimentId,
    name: f.string("name"),
    artifactLocation: f.string("artifact_location", ""),
    creationTimestamp: requiredInt(f, "creation_timestamp", file),
    lastUpdatedTimestamp: f.int("last_updated_timestamp") ?? requiredInt(f, "creation_timestamp", file),
    status: s,
    statusMessage: optional(f, "status_message"),
    sourceRunId: optional(f, "source_run_id"),
    modelType: optional(f, "model_type"),
    lifecycleStage: f.lifecycle(),
  };
}

/** The logged model meta.yaml MLflow 3.x writes for a finalized model (with `lifecycle_stage`, which readers accept). */
export function loggedModelMetaYaml(m: LoggedModel, artifactLocation: string): Record<string, YamlValue> {
  return {
    artifact_location: artifactLocation,
    creation_timestamp: m.creationTimestamp,
    experiment_id: m.experimentId,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    lifecycle_stage: m.lifecycleStage,
    model_id: m.modelId,
    model_type: m.modelType,
    name: m.name,
    source_run_id: m.sourceRunId,
    status: LOGGED_MODEL_STATUSES.indexOf(m.status),
    status_message: m.statusMessage,
  };
}

/** Parses a logged model's metric file: lines of `timestamp value step run_id [dataset_name dataset_digest]`. */
export function parseModelMetricLines(text: string, file: string, key: string): LoggedModelMetric[] {
  const out: LoggedModelMetric[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const parts = line.split(" ");
    if (parts.length !== 4 && parts.length !== 6) throw malformed(file, `a logged model's metric line has 4 or 6 fields, this one has ${parts.length}`, i + 1);
    const timestamp = parsePythonInt(parts[0]!);
    const value = parsePythonFloat(parts[1]!);
    const step = parsePythonInt(parts[2]!);
    if (typeof timestamp !== "number" || timestamp < 0) throw malformed(file, `bad timestamp ${JSON.stringify(parts[0])}`, i + 1);
    if (value === undefined) throw malformed(file, `bad value ${JSON.stringify(parts[1])}`, i + 1);
    if (typeof step !== "number") throw malformed(file, `bad step ${JSON.stringify(parts[2])}`, i + 1);
    out.push({ key, value, timestamp, step, runId: parts[3] === "None" ? null : parts[3]!, datasetName: parts[4] ?? null, datasetDigest: parts[5] ?? null });
  }
  if (out.length === 0) throw malformed(file, "the metric file has no data (MLflow refuses it too)");
  return out;
}

/** A logged model's metric points of one key as MLflow writes them. */
export function formatModelMetricLines(points: readonly LoggedModelMetric[]): string {
  return points
    .map((p) => {
      const base = `${p.timestamp} ${pythonFloatRepr(p.value)} ${p.step} ${p.runId ?? "None"}`;
      return p.datasetName !== null && p.datasetDigest !== null ? `${base} ${p.datasetName} ${p.datasetDigest}\n` : `${base}\n`;
    })
    .join("");
}

/** Reads a registered model's meta.yaml found in folder `dirName` (tags and aliases come from folders). */
export function readRegisteredModelMeta(map: YamlMap, file: string, dirName: string): Omit<RegisteredModel, "tags" | "aliases"> & { metaAliases: Record<string, number> } {
  const f = new Fields(map, file);
  const name = f.string("name");
  if (name !== dirName) throw malformed(file, `name '${name}' does not match its folder '${dirName}'`);
  const metaAliases: Record<string, number> = {};
  const a = map.aliases;
  if (a !== undefined && a !== null) {
    if (typeof a !== "object" || Array.isArray(a)) throw malformed(file, "'aliases' must be a mapping of alias to version");
    for (const [alias, v] of Object.entries(a as Record<string, unknown>)) {
      const n = typeof v === "string" ? parsePythonInt(v) : typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isSafeInteger(n)) throw malformed(file, `alias '${alias}' must name a version number`);
      metaAliases[alias] = n;
    }
  }
  const created = requiredInt(f, "creation_timestamp", file);
  return { name, creationTimestamp: created, lastUpdatedTimestamp: f.int("last_updated_timestamp") ?? created, description: optional(f, "description"), metaAliases };
}

/** The registered model meta.yaml MLflow 3.17 writes. */
export function registeredModelMetaYaml(m: RegisteredModel): string {
  const aliases = Object.keys(m.aliases).sort();
  const head = aliases.length === 0 ? "aliases: {}\n" : `aliases:\n${aliases.map((a) => `  ${yamlString(a)}: ${yamlString(String(m.aliases[a]))}\n`).join("")}`;
  // "aliases" sorts before every other key, so the map goes first, as PyYAML's sorted dump puts it.
  return (
    head +
    toYaml({
      creation_timestamp: m.creationTimestamp,
      deployment_job_id: null,
      deployment_job_state: null,
      description: m.description,
      last_updated_timestamp: m.lastUpdatedTimestamp,
      name: m.name,
      workspace: "default",
    })
  );
}

/** Reads a model version's meta.yaml found in folder `version-<n>` of registered model `name`. */
export function readModelVersionMeta(map: YamlMap, file: string, name: string, dirVersion: number): Omit<ModelVersion, "tags"> {
  const f = new Fields(map, file);
  const own = f.string("name");
  if (own !== name) throw malformed(file, `name '${own}' does not match the registered model's folder '${name}'`);
  const version = requiredInt(f, "version", file);
  if (version !== dirVersion) throw malformed(file, `version ${version} does not match its folder 'version-${dirVersion}'`);
  const stage = f.string("current_stage", "None");
  const canonical = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (canonical === undefined) throw malformed(file, `'current_stage' must be one of ${MODEL_VERSION_STAGES.join(", ")}, got '${stage}'`);
  const status = f.string("status", "READY");
  if (!(MODEL_VERSION_STATUSES as readonly string[]).includes(status)) throw malformed(file, `'status' must be one of ${MODEL_VERSION_STATUSES.join(", ")}, got '${status}'`);
  const created = requiredInt(f, "creation_timestamp", file);
  return {
    name,
    version,
    creationTimestamp: created,
    lastUpdatedTimestamp: f.int("last_updated_timestamp") ?? created,
    description: optional(f, "description"),
    userId: optional(f, "user_id"),
    currentStage: canonical as ModelVersionStage,
    source: f.string("source", ""),
    runId: optional(f, "run_id"),
    runLink: optional(f, "run_link"),
    status: status as ModelVersionStatus,
    statusMessage: optional(f, "status_message"),
    storageLocation: optional(f, "storage_location"),
    modelId: optional(f, "model_id"),
  };
}

/** The model version meta.yaml MLflow 3.17 writes, with `source` and `storage_location` as given. */
export function modelVersionMetaYaml(v: ModelVersion, source: string, storageLocation: string | null): Record<string, YamlValue> {
  return {
    creation_timestamp: v.creationTimestamp,
    current_stage: v.currentStage,
    deployment_job_state: null,
    description: v.description,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    model_id: v.modelId,
    name: v.name,
    run_id: v.runId,
    run_link: v.runLink,
    source,
    status: v.status,
    status_message: v.statusMessage,
    storage_location: storageLocation,
    user_id: v.userId,
    version: v.version,
    workspace: "default",
  };
}
