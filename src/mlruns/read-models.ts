/**
 * Reads logged models (`<exp>/models/<model_id>/`) and registry entries (`models/<name>/`) of a
 * bundle into trackbook entities. Every file is checked with the store's rules, and errors name
 * the file. Artifacts are listed, not read: their bytes are read when the model is written.
 *
 * @module
 */
import { TrackerError } from "../errors.js";
import { validateLoggedModel, validateModelVersion, validateRegisteredModel, type LoggedModel, type LoggedModelMetric, type ModelVersion, type RegisteredModel } from "../models.js";
import { validateKey, validateParam, validateRunTag } from "../validation.js";
import type { Skipped } from "./import-scan.js";
import { decodeText, type BundleSource } from "./io.js";
import { isJunkDir, isJunkFile, join, META } from "./layout.js";
import { READ_LIMITS } from "./limits.js";
import { parseModelMetricLines, readLoggedModelMeta, readModelVersionMeta, readRegisteredModelMeta } from "./model-meta.js";
import { checked, collectArtifacts, refused } from "./read-run.js";
import type { RecordArtifact } from "./run-record.js";
import { artifactsDirOf } from "./uri.js";
import { parseYamlMap } from "./yaml.js";

/** Where a logged model is in a bundle. */
export type LoggedModelLocation = { dir: string; modelId: string; experimentId: string };
/** Where a registered model is in a bundle. */
export type RegistryLocation = { dir: string; name: string };

/** A logged model folder name: `m-` and 32 hex digits. */
export const MODEL_DIR = /^m-[0-9a-f]{32}$/;
/** A model version folder name. */
export const VERSION_DIR = /^version-([1-9][0-9]{0,15})$/;

async function readMeta(source: BundleSource, file: string) {
  return parseYamlMap(decodeText(await source.read(file, READ_LIMITS.metaBytes), file), file);
}

/** Calls `onFile(key, path)` for every file below `folder` (keys are `/`-joined paths); missing folder = none. */
async function walkKeys(source: BundleSource, folder: string, skipped: Skipped[], onFile: (key: string, path: string) => Promise<void>, prefix = ""): Promise<void> {
  let entries;
  try {
    entries = await source.list(join(folder, prefix));
  } catch (e) {
    if (prefix === "" && (e as { code?: string }).code === "RESOURCE_DOES_NOT_EXIST") return;
    throw e;
  }
  for (const e of entries) {
    const path = join(folder, prefix, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    if (e.kind === "dir") {
      if (isJunkDir(e.name)) skipped.push({ path, reason: "archiver metadata, not MLflow data" });
      else await walkKeys(source, folder, skipped, onFile, join(prefix, e.name));
    } else if (isJunkFile(e.name)) skipped.push({ path, reason: "a file manager's junk file, not MLflow data" });
    else await onFile(join(prefix, e.name), path);
  }
}

async function hasDir(source: BundleSource, dir: string, name: string): Promise<boolean> {
  return (await source.list(dir)).some((e) => e.name === name && e.kind === "dir");
}

async function readTagFolder(source: BundleSource, dir: string, skipped: Skipped[]): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  if (!(await hasDir(source, dir, "tags"))) return tags;
  await walkKeys(source, join(dir, "tags"), skipped, async (key, path) => {
    const value = decodeText(await source.read(path, READ_LIMITS.valueBytes), path);
    checked(path, () => validateRunTag(key, value));
    tags[key] = value;
  });
  return tags;
}

/** A logged model read from a bundle: the model as the bundle has it (its `artifactLocation` is the bundle's), its artifact files. */
export type ReadLoggedModel = { model: LoggedModel; artifacts: RecordArtifact[]; skipped: Skipped[] };

/** Reads the logged model at `loc`. `mlartifacts` is the bundle's `mlartifacts/` folder, if any. */
export async function readLoggedModel(source: BundleSource, loc: LoggedModelLocation, mlartifacts: string | undefined): Promise<ReadLoggedModel> {
  const skipped: Skipped[] = [];
  const metaFile = join(loc.dir, META);
  const meta = readLoggedModelMeta(await readMeta(source, metaFile), metaFile, loc.modelId, loc.experimentId);
  const tags = await readTagFolder(source, loc.dir, skipped);
  const params: Record<string, string> = {};
  if (await hasDir(source, loc.dir, "params")) {
    await walkKeys(source, join(loc.dir, "params"), skipped, async (key, path) => {
      const value = decodeText(await source.read(path, READ_LIMITS.valueBytes), path);
      checked(path, () => validateParam(key, value));
      params[key] = value;
    });
  }
  const metrics: LoggedModelMetric[] = [];
  if (await hasDir(source, loc.dir, "metrics")) {
    await walkKeys(source, join(loc.dir, "metrics"), skipped, async (key, path) => {
      checked(path, () => validateKey("metric", key));
      metrics.push(...parseModelMetricLines(decodeText(await source.read(path, READ_LIMITS.metricFileBytes), path), path, key));
    });
  }
  const model: LoggedModel = { ...meta, tags, params, metrics };
  checked(metaFile, () => validateLoggedModel(model));
  const artifactsDir = await artifactsDirOf(source, loc.dir, meta.artifactLocation, mlartifacts);
  const artifacts = artifactsDir === undefined ? [] : await collectArtifacts(source, artifactsDir, true);
  for (const e of await source.list(loc.dir)) {
    if (e.name === META || (e.kind === "dir" && ["tags", "params", "metrics", "artifacts"].includes(e.name))) continue;
    skipped.push({ path: join(loc.dir, e.name), reason: "not part of an MLflow logged model" });
  }
  return { model, artifacts, skipped };
}

/** A registered model read from a bundle, with its versions by number. */
export type ReadRegisteredModel = { model: RegisteredModel; versions: ModelVersion[]; skipped: Skipped[] };

/** Reads the registered model at `loc` with its tags, aliases and versions. */
export async function readRegisteredModel(source: BundleSource, loc: RegistryLocation): Promise<ReadRegisteredModel> {
  const skipped: Skipped[] = [];
  const metaFile = join(loc.dir, META);
  const { metaAliases, ...meta } = readRegisteredModelMeta(await readMeta(source, metaFile), metaFile, loc.name);
  const tags = await readTagFolder(source, loc.dir, skipped);
  let aliases: Record<string, number> = metaAliases;
  const versions: ModelVersion[] = [];
  for (const e of await source.list(loc.dir)) {
    const path = join(loc.dir, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    if (e.name === META || (e.kind === "dir" && e.name === "tags")) continue;
    if (e.kind === "dir" && e.name === "aliases") {
      // The folder wins over meta.yaml's map, as in MLflow's reader.
      aliases = {};
      await walkKeys(source, path, skipped, async (alias, file) => {
        const text = decodeText(await source.read(file, READ_LIMITS.valueBytes), file).trim();
        const n = Number(text);
        if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(n)) throw new TrackerError("INVALID_PARAMETER_VALUE", `Malformed bundle file ${file}: an alias file holds a version number, got ${JSON.stringify(text.slice(0, 40))}.`);
        aliases[alias] = n;
      });
      continue;
    }
    const m = e.kind === "dir" ? VERSION_DIR.exec(e.name) : null;
    if (!m) {
      skipped.push({ path, reason: "not part of an MLflow registered model" });
      continue;
    }
    const vMeta = join(path, META);
    if (!(await source.list(path)).some((f) => f.name === META && f.kind === "file")) {
      skipped.push({ path, reason: `no ${META}: MLflow skips such a version folder too` });
      continue;
    }
    const v: ModelVersion = { ...readModelVersionMeta(await readMeta(source, vMeta), vMeta, loc.name, Number(m[1])), tags: await readTagFolder(source, path, skipped) };
    checked(vMeta, () => validateModelVersion(v));
    versions.push(v);
  }
  const model: RegisteredModel = { ...meta, tags, aliases };
  checked(metaFile, () => validateRegisteredModel(model));
  versions.sort((a, b) => a.version - b.version);
  return { model, versions, skipped };
}
