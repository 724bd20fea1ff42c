/**
 * Reads one run folder of a bundle into a {@link RunRecord}: meta.yaml, params, tags, every metric
 * file parsed, and the artifact list (bytes are read later, one file at a time). Keys come from
 * the nested file paths; every file is checked with MLflow's rules, and errors name the file.
 *
 * @module
 */
import { validateArtifactPath } from "../artifacts.js";
import type { MetricHistory } from "../entities.js";
import { isTrackerError, TrackerError } from "../errors.js";
import { validateKey, validateParam, validateRunTag } from "../validation.js";
import { decodeText, type BundleSource } from "./io.js";
import { isJunkDir, isJunkFile, join, META, RUN_FOLDERS } from "./layout.js";
import { READ_LIMITS } from "./limits.js";
import { readRunMeta } from "./meta.js";
import { checkMetricLines, parseMetricBytes, type MetricColumnsOfKey } from "./metric-file.js";
import type { RecordArtifact, RunRecord } from "./run-record.js";
import { artifactsDirOf } from "./uri.js";
import { parseYamlMap } from "./yaml.js";

/** Where a run is in a bundle. */
export type RunLocation = { dir: string; runId: string; experimentId: string; deleted: boolean };

/** A run read from a bundle, with what was left out and why. */
export type ReadRun = {
  record: RunRecord;
  skipped: { path: string; reason: string }[];
  datasetPoints: number;
  unnamed: boolean;
  /** True when the metric files were only checked (the record's histories are empty). */
  checkedOnly: boolean;
  /** The metric files, key and path, to read them again ({@link readMetrics}). */
  metricFiles: MetricFile[];
};

/** A metric file of a run: its key and its path in the bundle. */
export type MetricFile = [key: string, path: string];

/**
 * Reads the run at `loc` from the bundle. `mlartifacts` is the `mlartifacts/` folder, if any.
 * With `check`, metric files are checked in full but not converted: the record's histories are
 * empty (for a run the import will read again when it writes it).
 */
export async function readRun(source: BundleSource, loc: RunLocation, mlartifacts: string | undefined, check = false): Promise<ReadRun> {
  const skipped: { path: string; reason: string }[] = [];
  const metaFile = join(loc.dir, META);
  const meta = readRunMeta(parseYamlMap(decodeText(await source.read(metaFile, READ_LIMITS.metaBytes), metaFile), metaFile), metaFile, loc.runId, loc.experimentId);
  const walk = async (folder: string, onFile: (key: string, path: string, size: number) => Promise<void>, prefix = ""): Promise<void> => {
    const files: [string, string, number][] = [];
    // Params, tags and metrics are read with their own size limits: their listed sizes are not needed.
    for (const e of await source.list(join(folder, prefix), { sizes: false })) {
      const path = join(folder, prefix, e.name);
      if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
      if (e.kind === "dir") {
        if (isJunkDir(e.name)) skipped.push({ path, reason: "archiver metadata, not MLflow data" });
        else await walk(folder, onFile, join(prefix, e.name));
      } else if (isJunkFile(e.name)) skipped.push({ path, reason: "a file manager's junk file, not MLflow data" });
      else files.push([join(prefix, e.name), path, e.size]);
    }
    // A few reads in flight hide the file system's latency (one small file per key); results keep listing order.
    await forEachLimited(files, READ_CONCURRENCY, ([key, path, size]) => onFile(key, path, size));
  };
  const params: Record<string, string> = {};
  await walk(join(loc.dir, RUN_FOLDERS.params), async (key, path) => {
    const value = decodeText(await source.read(path, READ_LIMITS.valueBytes), path);
    checked(path, () => validateParam(key, value));
    params[key] = value;
  });
  const tags: Record<string, string> = {};
  await walk(join(loc.dir, RUN_FOLDERS.tags), async (key, path) => {
    const value = decodeText(await source.read(path, READ_LIMITS.valueBytes), path);
    checked(path, () => validateRunTag(key, value));
    tags[key] = value;
  });
  const metricFiles: MetricFile[] = [];
  await walk(join(loc.dir, RUN_FOLDERS.metrics), async (key, path) => {
    checked(path, () => validateKey("metric", key));
    metricFiles.push([key, path]);
  });
  const { metrics, datasetPoints } = await readMetrics(source, metricFiles, check);
  const artifactsDir = await artifactsDirOf(source, loc.dir, meta.artifactUri, mlartifacts);
  const artifacts = artifactsDir === undefined ? [] : await collectArtifacts(source, artifactsDir);
  for (const e of await source.list(loc.dir, { sizes: false })) {
    if (e.name === META || (e.kind === "dir" && Object.values(RUN_FOLDERS).includes(e.name as never) && e.name !== RUN_FOLDERS.inputs && e.name !== RUN_FOLDERS.outputs)) continue;
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, join(loc.dir, e.name), e.kind);
    const reason =
      e.name === RUN_FOLDERS.inputs
        ? "dataset and model inputs (MLflow ≥ 2.4): trackbook has no dataset entities yet"
        : e.name === RUN_FOLDERS.outputs
          ? "logged-model outputs (MLflow 3): the logged model itself is imported from the experiment's models/ folder, and names this run as its source"
          : "not part of an MLflow run";
    skipped.push({ path: join(loc.dir, e.name), reason });
  }
  // A run with no name at all (MLflow < 1.30 wrote `name: ''` and no tag) is named by its id:
  // the store needs a name, and a generated one would differ on every import of the bundle.
  const unnamed = meta.runName === "" && !tags["mlflow.runName"];
  const info = { ...meta, runName: unnamed ? meta.runId : meta.runName, lifecycleStage: loc.deleted ? ("deleted" as const) : meta.lifecycleStage };
  const { artifactUri: _ignored, ...rest } = info;
  return { record: { info: rest, params, tags, metrics, artifacts }, skipped, datasetPoints, unnamed, checkedOnly: check, metricFiles };
}

/** The histories in metric files (empty with `check`, which only checks them), and how many points had dataset fields. */
export async function readMetrics(source: BundleSource, files: readonly MetricFile[], check = false): Promise<{ metrics: MetricHistory[]; datasetPoints: number }> {
  const parsed = await readMetricFiles(source, files.map(([, path]) => path), check);
  let datasetPoints = 0;
  let n = 0;
  for (const cols of parsed) n += cols.values.length;
  // The run's columns in one block, each history a view of its part: the block moves between
  // threads as three buffers, and a store is handed it whole (packedColumns), with no copy.
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let at = 0;
  const metrics = files.map(([key], i) => {
    const cols = parsed[i]!;
    datasetPoints += cols.withDataset;
    const m = cols.values.length;
    steps.set(cols.steps, at);
    values.set(cols.values, at);
    timestamps.set(cols.timestamps, at);
    const h = { key, steps: steps.subarray(at, at + m), values: values.subarray(at, at + m), timestamps: timestamps.subarray(at, at + m) };
    at += m;
    return h;
  });
  return { metrics, datasetPoints };
}

/** Metric files read and parsed: by the source where it can (on worker threads), else here, a few reads in flight. */
async function readMetricFiles(source: BundleSource, paths: string[], check: boolean): Promise<MetricColumnsOfKey[]> {
  if (source.readMetricFiles && paths.length > 0) return source.readMetricFiles(paths, READ_LIMITS.metricFileBytes, check);
  const out: MetricColumnsOfKey[] = new Array(paths.length);
  if (source.readNow) {
    // One after another into one reused buffer (a parse keeps none of the bytes it reads).
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const bytes = source.readNow(path, READ_LIMITS.metricFileBytes, readScratch) ?? (await source.read(path, READ_LIMITS.metricFileBytes));
      out[i] = check ? checkMetricLines(decodeText(bytes, path), path, bytes) : parseMetricBytes(bytes, path);
    }
    return out;
  }
  await forEachLimited(
    paths.map((p, i) => [p, i] as const),
    READ_CONCURRENCY,
    async ([path, i]) => {
      const bytes = await source.read(path, READ_LIMITS.metricFileBytes);
      out[i] = check ? checkMetricLines(decodeText(bytes, path), path, bytes) : parseMetricBytes(bytes, path);
    },
  );
  return out;
}

/** The buffer metric files are read into by a source that reads at once ({@link BundleSource.readNow}). */
const readScratch = { bytes: new Uint8Array(1 << 16) };

/** Reads in flight at once within a run. */
const READ_CONCURRENCY = 8;

/** Calls `fn` on every item, at most `limit` at a time; rejects with the first failure. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Runs a validator, re-throwing its error with the file it came from. */
export function checked(file: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (isTrackerError(e)) throw new TrackerError(e.code, `Malformed bundle file ${file}: ${e.message}`);
    throw e;
  }
}

/** The error for a symlink or special file: refused, since it could point outside the bundle. */
export function refused(source: BundleSource, path: string, kind: string): TrackerError {
  return new TrackerError("INVALID_PARAMETER_VALUE", `Refusing ${source.label}: ${path} is a ${kind === "symlink" ? "symbolic link" : "special file"}, which could point outside the bundle.`);
}

/**
 * Every file under `artifactsDir`, as artifacts to copy (read lazily, within the read limits).
 * A link or special file anywhere below is refused: import never follows one out of the bundle.
 * With `validate`, each path must also be a valid artifact path (a `TrackerError` naming it).
 */
export async function collectArtifacts(source: BundleSource, artifactsDir: string, validate = false): Promise<RecordArtifact[]> {
  const artifacts: RecordArtifact[] = [];
  const collect = async (prefix: string): Promise<void> => {
    for (const e of await source.list(join(artifactsDir, prefix))) {
      const path = join(artifactsDir, prefix, e.name);
      if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
      const rel = join(prefix, e.name);
      if (e.kind === "dir") await collect(rel);
      else {
        if (validate) checked(path, () => validateArtifactPath(rel));
        const localPath = source.localPath?.(path);
        artifacts.push({ path: rel, size: e.size, read: () => source.read(path, READ_LIMITS.artifactBytes), bundlePath: path, ...(localPath !== undefined ? { localPath } : {}) });
      }
    }
  };
  await collect("");
  return artifacts;
}
