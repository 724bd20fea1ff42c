/**
 * `exportMlruns`: a tracker's experiments and runs as an mlruns bundle that MLflow opens — a
 * folder, a zip file, or a zip stream / directory handle in the browser. The inverse of
 * {@link importMlruns}: importing the bundle gives back the same experiments, runs, params, tags,
 * metric histories and artifacts, with the same ids.
 *
 * @module
 */
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, type Experiment } from "../entities.js";
import { TrackerError } from "../errors.js";
import type { TrackingStore } from "../store/store.js";
import { writeModels } from "./export-models.js";
import { runHistories, writeRun } from "./export-run.js";
import { selectForExport, type ExportSelection } from "./export-selection.js";
import { encodeText, type BundleSink } from "./io.js";
import { experimentDir, join, keyFile, META, REGISTRY, TRASH } from "./layout.js";
import { experimentMetaYaml } from "./meta.js";
import { ProgressReporter, type ProgressOptions } from "./progress.js";
import { openSink, type ExportTarget } from "./targets.js";
import { toYaml } from "./yaml.js";

/** Options of {@link exportMlruns}. */
export type ExportOptions = ExportSelection &
  ProgressOptions & {
    /** Copy run artifacts (default true). */
    artifacts?: boolean;
    /** Write each metric's whole history (default true), or only its latest point (a summary-only bundle). */
    history?: boolean;
    /**
     * URI of the bundle root as MLflow will see it, for `artifact_location`/`artifact_uri`.
     * Default: the absolute `file://` URI of the destination folder (for a zip file, of the
     * `mlruns/` folder it unpacks to beside it); `mlruns` (relative) where no path is known.
     */
    artifactRoot?: string;
    /**
     * Worker threads that format and write metric files, for a path target in Node (default: the
     * cores, at most 4; 0 keeps everything on this thread). Elsewhere the work stays on this thread.
     */
    threads?: number;
  };

/** What an export wrote (logged models of the exported experiments and the registry versions of the selection included). */
export type ExportResult = {
  target: string;
  experiments: number;
  runs: number;
  files: number;
  bytes: number;
  points: number;
  loggedModels: number;
  registeredModels: number;
  modelVersions: number;
};

/** A tracker (flushed first) or a bare store. */
export type StoreHolder = TrackingStore | { readonly store: TrackingStore; flush(): Promise<void> };

/** The store behind a tracker or store, after flushing what the tracker buffered. */
export async function storeOf(from: StoreHolder): Promise<TrackingStore> {
  if ("createRun" in from && typeof from.createRun === "function") return from;
  const holder = from as { store: TrackingStore; flush(): Promise<void> };
  await holder.flush();
  return holder.store;
}

/**
 * Exports experiments and runs as an mlruns bundle. Experiment `0`, `.trash/` and `models/` are
 * always written; deleted experiments go to `.trash/<id>`. Logged models of the exported
 * experiments go too (on stores that have them), with the whole model registry when everything
 * is exported, else only the versions whose run or logged model is exported (and their
 * registered models and aliases). Nothing appears at the target unless the whole export succeeds.
 *
 * @example
 * ```ts
 * import { exportMlruns } from "trackbook/mlruns";
 * await exportMlruns(tb, "./bundle/mlruns");                       // a folder MLflow opens
 * await exportMlruns(tb, "./runs.zip", { filter: "metrics.acc > 0.9", artifacts: false });
 * // In a browser: a zip Blob, streamed (or pass showSaveFilePicker()'s createWritable()).
 * const { readable, writable } = new TransformStream();
 * const blob = new Response(readable).blob();
 * await exportMlruns(tb, writable);
 * download(await blob);
 * ```
 */
export async function exportMlruns(from: StoreHolder, target: ExportTarget, options: ExportOptions = {}): Promise<ExportResult> {
  const progress = new ProgressReporter(options);
  const store = await storeOf(from);
  progress.start("selecting", 0);
  const selected = await selectForExport(store, options);
  progress.checkAborted();
  const sink = await openSink(target, options.artifactRoot, options.threads);
  try {
    const result = await writeBundle(store, sink, selected, options, progress);
    progress.checkAborted();
    await sink.commit();
    return result;
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
}

async function writeBundle(
  store: TrackingStore,
  sink: BundleSink,
  selected: Awaited<ReturnType<typeof selectForExport>>,
  options: ExportOptions,
  progress: ProgressReporter,
): Promise<ExportResult> {
  const root = (options.artifactRoot ?? sink.rootUri ?? "mlruns").replace(/\/+$/, "");
  const now = Date.now();
  const result: ExportResult = { target: sink.label, experiments: 0, runs: 0, files: 0, bytes: 0, points: 0, loggedModels: 0, registeredModels: 0, modelVersions: 0 };
  const runArtifactUris = new Map<string, string>();
  const onFormatted = (bytes: number) => void (result.bytes += bytes);
  const runDirs = new Map<string, string>();
  await sink.mkdir(TRASH);
  await sink.mkdir(REGISTRY);
  const experiments = [...selected.experiments];
  if (!experiments.some((e) => e.experimentId === DEFAULT_EXPERIMENT_ID)) experiments.unshift(defaultExperiment(now));
  progress.start("exporting", selected.runCount);
  for (const e of experiments) {
    const dir = experimentDir(e.experimentId, e.lifecycleStage === "deleted");
    const location = `${root}/${e.experimentId}`;
    await sink.mkdir(dir);
    const meta = encodeText(toYaml(experimentMetaYaml(e, location)));
    await sink.writeFile(join(dir, META), meta);
    result.files++;
    result.bytes += meta.length;
    for (const [k, v] of Object.entries(e.tags)) {
      const bytes = encodeText(v);
      await sink.writeFile(keyFile(dir, "tags", k), bytes);
      result.files++;
      result.bytes += bytes.length;
    }
    result.experiments++;
    const runIds = selected.runsByExperiment.get(e.experimentId) ?? [];
    // The next run (and its histories) is read while this one is formatted and written: the
    // store's reads overlap with this thread's work. One run ahead, so memory holds two runs.
    const load = (runId: string) => store.getRun(runId).then(async (run) => ({ run, histories: await runHistories(store, run) }));
    let ahead = runIds.length > 0 ? settled(load(runIds[0]!)) : undefined;
    for (let i = 0; i < runIds.length; i++) {
      const runId = runIds[i]!;
      await progress.breathe();
      progress.checkAborted();
      const { run, histories } = await ahead!;
      ahead = i + 1 < runIds.length ? settled(load(runIds[i + 1]!)) : undefined;
      const uri = `${location}/${runId}/artifacts`;
      runArtifactUris.set(run.info.artifactUri, uri);
      runDirs.set(runId, join(dir, runId));
      const s = await writeRun(store, sink, run, join(dir, runId), uri, { artifacts: options.artifacts ?? true, history: options.history ?? true, now, breathe: () => progress.breathe(), onFormatted }, histories);
      result.files += s.files;
      result.bytes += s.bytes;
      result.points += s.points;
      result.runs++;
      progress.report(result.runs);
    }
  }
  if (result.runs !== selected.runCount) throw new TrackerError("INTERNAL_ERROR", `Selected ${selected.runCount} runs but wrote ${result.runs}.`);
  const wholeRegistry = options.experimentIds === undefined && options.runIds === undefined && options.filter === undefined && (options.runViewType ?? "ALL") === "ALL";
  const m = await writeModels(store, sink, { root, experiments, runArtifactUris, runDirs, artifacts: options.artifacts ?? true, wholeRegistry });
  result.files += m.files;
  result.bytes += m.bytes;
  result.loggedModels = m.loggedModels;
  result.registeredModels = m.registeredModels;
  result.modelVersions = m.modelVersions;
  return result;
}

/** `p`, marked as handled so that a read ahead nobody awaits (the export failed first) is no unhandled rejection. */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function defaultExperiment(now: number): Experiment {
  return { experimentId: DEFAULT_EXPERIMENT_ID, name: DEFAULT_EXPERIMENT_NAME, artifactLocation: "", lifecycleStage: "active", creationTime: now, lastUpdateTime: now, tags: {} };
}
