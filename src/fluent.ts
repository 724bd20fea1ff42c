/**
 * Module-level functions over a default {@link Tracker}, for notebook cells and scripts
 * (mlflow's fluent API). The default tracker opens on first use at `TRACKBOOK_TRACKING_URI`,
 * else the platform default (see {@link defaultTrackingUri}), or wherever `setTrackingUri` says.
 *
 * @module
 */
import type { ActiveRun } from "./active-run.js";
import type { ArtifactData } from "./artifacts.js";
import type {
  Experiment,
  ExperimentPage,
  MetricHistory,
  Run,
  RunPage,
  SearchExperimentsQuery,
  SearchRunsQuery,
  TerminalRunStatus,
} from "./entities.js";
import { TrackerError } from "./errors.js";
import { hasStore } from "./store/registry.js";
import { openTracker, type StartRunOptions, type Tracker, type TrackerOptions } from "./tracker.js";

let uri: string | undefined;
let options: TrackerOptions = {};
let opening: Promise<Tracker> | undefined;
let current: Tracker | undefined;
let warned = false;

/**
 * The URI the default tracker opens: `TRACKBOOK_TRACKING_URI` when set; else `arrow:./trackbook-runs`
 * in Node or `idb:trackbook` in a browser once those backends are registered; else `memory:`
 * (with a one-time warning, since memory does not outlive the process).
 */
export function defaultTrackingUri(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.TRACKBOOK_TRACKING_URI) return env.TRACKBOOK_TRACKING_URI;
  const browser = typeof (globalThis as { document?: unknown }).document !== "undefined";
  const preferred = browser ? "idb:trackbook" : "arrow:./trackbook-runs";
  if (hasStore(preferred.slice(0, preferred.indexOf(":")))) return preferred;
  if (!warned) {
    warned = true;
    console.warn(`trackbook: no persistent store is available here yet; logging to memory: (lost when the process exits).`);
  }
  return "memory:";
}

/**
 * Sets the tracking URI of the default tracker. Closes the current default tracker (ending its
 * active runs) if it was open on another URI.
 *
 * @example
 * ```ts
 * await setTrackingUri("memory:");
 * ```
 */
export async function setTrackingUri(trackingUri: string, trackerOptions: TrackerOptions = {}): Promise<void> {
  const old = opening;
  uri = trackingUri;
  options = trackerOptions;
  opening = undefined;
  current = undefined;
  if (old) await (await old).close();
}

/** The URI the default tracker uses (or will use once opened). */
export function getTrackingUri(): string {
  return uri ?? defaultTrackingUri();
}

/**
 * The default tracker, opened on first call.
 *
 * @example
 * ```ts
 * const tb = await getTracker();
 * ```
 */
export function getTracker(): Promise<Tracker> {
  // A default tracker closed by hand is replaced by a fresh one on the same URI.
  if (current?.isClosed) {
    opening = undefined;
    current = undefined;
  }
  if (!opening) {
    const target = getTrackingUri();
    opening = openTracker(target, options).then((t) => (current = t));
    // A failed open must not stick: the next call tries again.
    opening.catch(() => (opening = undefined));
  }
  return opening;
}

function activeRunOrThrow(): ActiveRun {
  const run = current?.activeRun();
  if (!run) throw new TrackerError("INVALID_STATE", "No active run: call `await startRun()` before logging.");
  return run;
}

/**
 * Makes the named experiment active on the default tracker, creating it if needed.
 *
 * @example
 * ```ts
 * const exp = await setExperiment("mnist");
 * ```
 */
export async function setExperiment(name: string): Promise<Experiment> {
  return (await getTracker()).setExperiment(name);
}

/**
 * Starts a run on the default tracker (see {@link Tracker.startRun}).
 *
 * @example
 * ```ts
 * const run = await startRun({ runName: "baseline" });
 * ```
 */
export async function startRun(runOptions: StartRunOptions = {}): Promise<ActiveRun> {
  return (await getTracker()).startRun(runOptions);
}

/**
 * Runs `fn` in a new run that ends FINISHED, or FAILED if `fn` throws.
 *
 * @example
 * ```ts
 * await withRun({ runName: "trial" }, (run) => run.logMetric("acc", 0.9));
 * ```
 */
export async function withRun<T>(runOptions: StartRunOptions, fn: (run: ActiveRun) => T | Promise<T>): Promise<T> {
  return (await getTracker()).withRun(runOptions, fn);
}

/**
 * Ends the active run of the default tracker (default FINISHED).
 *
 * @example
 * ```ts
 * await endRun();
 * ```
 */
export async function endRun(status: TerminalRunStatus = "FINISHED"): Promise<void> {
  await current?.endRun(status);
}

/**
 * Logs a metric point to the active run. Synchronous; throws if no run is active.
 *
 * @example
 * ```ts
 * logMetric("loss", 0.42, step);
 * ```
 */
export function logMetric(key: string, value: number, step?: number, timestamp?: number): void {
  activeRunOrThrow().logMetric(key, value, step, timestamp);
}

/**
 * Logs several metrics at one step to the active run.
 *
 * @example
 * ```ts
 * logMetrics({ loss: 0.42, acc: 0.88 }, step);
 * ```
 */
export function logMetrics(metrics: Record<string, number>, step?: number, timestamp?: number): void {
  activeRunOrThrow().logMetrics(metrics, step, timestamp);
}

/**
 * Logs a param to the active run.
 *
 * @example
 * ```ts
 * logParam("lr", 0.01);
 * ```
 */
export function logParam(key: string, value: unknown): void {
  activeRunOrThrow().logParam(key, value);
}

/**
 * Logs several params to the active run.
 *
 * @example
 * ```ts
 * logParams({ lr: 0.01, layers: 3 });
 * ```
 */
export function logParams(params: Record<string, unknown>): void {
  activeRunOrThrow().logParams(params);
}

/**
 * Sets a tag on the active run.
 *
 * @example
 * ```ts
 * setTag("team", "vision");
 * ```
 */
export function setTag(key: string, value: unknown): void {
  activeRunOrThrow().setTag(key, value);
}

/**
 * Sets several tags on the active run.
 *
 * @example
 * ```ts
 * setTags({ team: "vision", stage: "dev" });
 * ```
 */
export function setTags(tags: Record<string, unknown>): void {
  activeRunOrThrow().setTags(tags);
}

/**
 * Stores an artifact file under the active run (bytes, UTF-8 text, or a value as JSON).
 *
 * @example
 * ```ts
 * await logArtifact("config.json", { lr: 0.01 });
 * ```
 */
export async function logArtifact(artifactPath: string, data: ArtifactData): Promise<void> {
  await activeRunOrThrow().logArtifact(artifactPath, data);
}

/**
 * Waits until everything logged on the default tracker is stored.
 *
 * @example
 * ```ts
 * await flush();
 * ```
 */
export async function flush(): Promise<void> {
  await current?.flush();
}

/**
 * Searches runs of the default tracker (default: its active experiment).
 *
 * @example
 * ```ts
 * const { runs } = await searchRuns({ filter: "params.lr = '0.01'" });
 * ```
 */
export async function searchRuns(query: Partial<SearchRunsQuery> = {}): Promise<RunPage> {
  return (await getTracker()).searchRuns(query);
}

/**
 * Searches experiments of the default tracker.
 *
 * @example
 * ```ts
 * const { experiments } = await searchExperiments({ viewType: "ALL" });
 * ```
 */
export async function searchExperiments(query: SearchExperimentsQuery = {}): Promise<ExperimentPage> {
  return (await getTracker()).searchExperiments(query);
}

/**
 * Gets a run from the default tracker.
 *
 * @example
 * ```ts
 * const run = await getRun(runId);
 * ```
 */
export async function getRun(runId: string): Promise<Run> {
  return (await getTracker()).getRun(runId);
}

/**
 * Gets a metric's full history from the default tracker.
 *
 * @example
 * ```ts
 * const { steps, values } = await getMetricHistory(runId, "loss");
 * ```
 */
export async function getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
  return (await getTracker()).getMetricHistory(runId, key);
}
