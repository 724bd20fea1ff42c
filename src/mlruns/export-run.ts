/**
 * Writes one run in MLflow's layout: `meta.yaml`, one file per param, tag and metric key (nested
 * folders for `/` in keys), and its artifacts. `metrics/`, `params/` and `artifacts/` are always
 * created, even empty: MLflow ≥ 3.8's `get_run` needs them (§1.7).
 *
 * @module
 */
import type { MetricHistory, Run } from "../entities.js";
import { TrackerError } from "../errors.js";
import type { TrackingStore } from "../store/store.js";
import { encodeText, type BundleSink, type FileBatch } from "./io.js";
import { artifactFile, findKeyClash, join, keyFile, META, RUN_FOLDERS } from "./layout.js";
import { runMetaYaml } from "./meta.js";
import { formatMetricBytes, latestIndex } from "./metric-file.js";
import { toYaml } from "./yaml.js";

/** How a run is written. */
export type RunWriteOptions = {
  /** Copy artifacts (default true). */
  artifacts: boolean;
  /** Full metric history (default) or only each key's latest point (summary-only bundles). */
  history: boolean;
  /** Time written as `deleted_time` of deleted runs (the store does not keep when a run was deleted). */
  now: number;
  /** Called before each metric file is formatted, to let the event loop run (see ProgressReporter.breathe). */
  breathe?: () => Promise<void>;
  /** Told the bytes of metric files as they are formatted, which may be after writeRun returns (a sink formatting on other threads). */
  onFormatted?: (bytes: number) => void;
};

/** Lines per chunk when formatting a long history, so no single buffer grows without bound. */
const LINES_PER_CHUNK = 65536;

/** A store that can read several keys' histories of a run at once (optional; the Arrow store can). */
export type HistoriesStore = TrackingStore & { getMetricHistories?(runId: string, keys: readonly string[]): Promise<MetricHistory[]> };

/** What writing a run added to the bundle; `bytes` leaves out the metric files (see RunWriteOptions.onFormatted). */
export type RunWriteStats = { files: number; bytes: number; points: number };

/**
 * Every metric history of `run`, in the order of its metric keys: in one call where the store
 * offers it (the Arrow store reads the run's history file once), else key by key.
 */
export async function runHistories(store: TrackingStore, run: Run): Promise<MetricHistory[]> {
  const keys = Object.keys(run.data.metrics);
  const bulk = (store as HistoriesStore).getMetricHistories;
  if (typeof bulk === "function" && keys.length > 1) return bulk.call(store, run.info.runId, keys);
  const out: MetricHistory[] = [];
  for (const key of keys) out.push(await store.getMetricHistory(run.info.runId, key));
  return out;
}

/**
 * Writes `run` into folder `dir` of the sink; `artifactUri` is what its meta.yaml points at.
 * `histories` (from {@link runHistories}, e.g. read ahead while the previous run was written) are
 * read here when not given.
 */
export async function writeRun(store: TrackingStore, sink: BundleSink, run: Run, dir: string, artifactUri: string, o: RunWriteOptions, histories?: MetricHistory[]): Promise<RunWriteStats> {
  const { info, data } = run;
  for (const [kind, keys] of [["params", Object.keys(data.params)], ["tags", Object.keys(data.tags)], ["metrics", Object.keys(data.metrics)]] as const) {
    const clash = findKeyClash(keys);
    if (clash) {
      throw new TrackerError(
        "INVALID_STATE",
        `Run '${info.runId}' has ${kind} '${clash[0]}' and '${clash[1]}': an mlruns bundle stores keys as files, so '${clash[0]}' cannot be a file and a folder at once. Export the run without one of them.`,
      );
    }
  }
  const stats: RunWriteStats = { files: 0, bytes: 0, points: 0 };
  const batch: FileBatch = { dirs: [dir, ...[RUN_FOLDERS.metrics, RUN_FOLDERS.params, RUN_FOLDERS.tags, RUN_FOLDERS.artifacts].map((f) => join(dir, f))], files: [], metrics: [] };
  batch.files.push({ path: join(dir, META), data: encodeText(toYaml(runMetaYaml(info, artifactUri, o.now))) });
  for (const [k, v] of Object.entries(data.params)) batch.files.push({ path: keyFile(dir, "params", k), data: encodeText(v) });
  for (const [k, v] of Object.entries(data.tags)) batch.files.push({ path: keyFile(dir, "tags", k), data: encodeText(v) });
  const all = histories ?? (await runHistories(store, run));
  const keys = Object.keys(data.metrics);
  for (let k = 0; k < keys.length; k++) {
    const h = all[k]!;
    if (h.values.length === 0) continue;
    const latest = o.history ? -1 : latestIndex(h);
    batch.metrics.push({ path: keyFile(dir, "metrics", keys[k]!), history: h, from: o.history ? 0 : latest, to: o.history ? h.values.length : latest + 1 });
  }
  for (const f of batch.files) stats.bytes += f.data.length;
  for (const m of batch.metrics) stats.points += m.to - m.from;
  stats.files += batch.files.length + batch.metrics.length;
  if (o.onFormatted) batch.onFormatted = o.onFormatted;
  if (sink.writeBatch) await sink.writeBatch(batch);
  else await writeBatchHere(sink, batch, o.breathe);
  const put = async (path: string, bytes: Uint8Array) => {
    await sink.writeFile(path, bytes);
    stats.files++;
    stats.bytes += bytes.length;
  };
  if (o.artifacts) await copyArtifacts(store, sink, info.runId, dir, "", put);
  return stats;
}

/** A batch written file by file, its metric files formatted on this thread (sinks without `writeBatch`). */
async function writeBatchHere(sink: BundleSink, batch: FileBatch, breathe: (() => Promise<void>) | undefined): Promise<void> {
  for (const d of batch.dirs) await sink.mkdir(d);
  for (const f of batch.files) await sink.writeFile(f.path, f.data);
  for (const m of batch.metrics) {
    await breathe?.();
    const chunks: Uint8Array[] = [];
    for (let i = m.from; i < m.to; i += LINES_PER_CHUNK) chunks.push(formatMetricBytes(m.history, i, Math.min(m.to, i + LINES_PER_CHUNK)));
    await sink.writeFile(m.path, chunks);
    batch.onFormatted?.(chunks.reduce((n, c) => n + c.length, 0));
  }
}

async function copyArtifacts(
  store: TrackingStore,
  sink: BundleSink,
  runId: string,
  dir: string,
  folder: string,
  put: (path: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  for (const a of await store.listArtifacts(runId, folder)) {
    if (a.isDir) {
      await sink.mkdir(artifactFile(dir, a.path));
      await copyArtifacts(store, sink, runId, dir, a.path, put);
    } else await put(artifactFile(dir, a.path), await store.readArtifact(runId, a.path));
  }
}
