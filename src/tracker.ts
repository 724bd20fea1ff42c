/**
 * Tracker: one store, one client, an active experiment and a stack of active runs (mlflow's
 * fluent `_active_run_stack`, kept per instance instead of in a global).
 *
 * @module
 */
import { ActiveRun } from "./active-run.js";
import type { ArtifactInfo } from "./artifacts.js";
import { TrackingClient, type ClientOptions } from "./client.js";
import { displayable } from "./display-hook.js";
import {
  DEFAULT_EXPERIMENT_ID,
  type Experiment,
  type ExperimentPage,
  type HistorySummaryOptions,
  type MetricHistory,
  type MetricHistorySummary,
  type Run,
  type RunPage,
  type SearchExperimentsQuery,
  type SearchRunsQuery,
  type TerminalRunStatus,
} from "./entities.js";
import { invalidParameter, isTrackerError, TrackerError } from "./errors.js";
import { systemTags } from "./source.js";
import type { LoggedModel, ModelVersion, RegisteredModel } from "./models.js";
import { createLoggedModel, type LogModelOptions } from "./log-model.js";
import * as registry from "./model-registry.js";
import { openStore, uriScheme } from "./store/registry.js";
import { metricHistorySummary, type TrackingStore } from "./store/store.js";
import { validateExperimentName } from "./validation.js";

type ProcessEvents = { on(e: "beforeExit", f: () => void): void; off(e: "beforeExit", f: () => void): void };

/** Node's `process` when there is one (not in browsers), without importing a `node:` module. */
function nodeProcess(): ProcessEvents | undefined {
  const p = (globalThis as { process?: Partial<ProcessEvents> }).process;
  return typeof p?.on === "function" && typeof p.off === "function" ? (p as ProcessEvents) : undefined;
}

/** The tag that makes a run a child of another (the MLflow UI nests it). */
export const PARENT_RUN_TAG = "mlflow.parentRunId";

/** Options of {@link Tracker.startRun}. */
export type StartRunOptions = {
  runName?: string;
  /** Experiment to start the run in; default the active experiment (else "0"). */
  experimentId?: string;
  tags?: Record<string, string>;
  /** Start as a child of the innermost active run. Required when a run is already active. */
  nested?: boolean;
  /** Markdown description (the `mlflow.note.content` tag). */
  description?: string;
};

/** Options of {@link openTracker}. */
export type TrackerOptions = ClientOptions & {
  /**
   * Run the store in a worker thread, so storage work never blocks the logging thread. Default:
   * true for `arrow:` URIs in Node and `idb:` URIs in browsers, false otherwise. Where no worker
   * can start (or, in Node, the package runs from its TypeScript sources), the store opens in
   * this thread.
   */
  worker?: boolean;
};

/** True in Node (not in a browser, even one with a `process` shim). */
function inNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/**
 * Whether {@link openTracker} puts the store for `uri` in a worker unless told otherwise: `arrow:`
 * in Node (a worker thread), `idb:` in a browser that has Web Workers (a module worker).
 */
export function usesWorkerByDefault(uri: string): boolean {
  const scheme = uriScheme(uri);
  if (inNode()) return scheme === "arrow";
  return scheme === "idb" && typeof (globalThis as { Worker?: unknown }).Worker === "function";
}

/**
 * Opens a tracker on a tracking URI (`"memory:"`, and as their backends land `"arrow:<dir>"`,
 * `"idb:<name>"`, `"http://host:port"`).
 *
 * @example
 * ```ts
 * const tb = await openTracker("memory:");
 * await tb.setExperiment("mnist");
 * const run = await tb.startRun({ runName: "baseline" });
 * run.logMetric("loss", 0.5, 1);
 * await run.end();
 * ```
 */
export async function openTracker(uri: string, options: TrackerOptions = {}): Promise<Tracker> {
  const { worker = usesWorkerByDefault(uri), ...clientOptions } = options;
  // Loaded only when asked for: browsers never load worker_threads, Node never the Web Worker entry.
  const store = !worker
    ? await openStore(uri)
    : inNode()
      ? await (await import("../worker/node-client.js")).openWorkerStore(uri)
      : await (await import("../worker/browser-client.js")).openBrowserWorkerStore(uri);
  return new Tracker(store, uri, clientOptions);
}

/** A tracking session over one store. */
export class Tracker {
  readonly uri: string;
  readonly store: TrackingStore;
  readonly client: TrackingClient;
  private experimentId: string = DEFAULT_EXPERIMENT_ID;
  private readonly stack: ActiveRun[] = [];
  private closed = false;

  constructor(store: TrackingStore, uri = "custom:", options: TrackerOptions = {}) {
    this.store = store;
    this.uri = uri;
    this.client = new TrackingClient(store, options);
    nodeProcess()?.on("beforeExit", this.onBeforeExit);
  }

  /**
   * When Node is about to exit (nothing else left to run), close the tracker: end runs still
   * active FINISHED, store what is buffered (as MLflow's atexit hook does), and close the store,
   * which releases the Arrow root's writer lock so the next process does not find a stale one.
   * Closing schedules more work, so Node runs the loop again and exits once it is done.
   */
  private readonly onBeforeExit = (): void => {
    if (this.closed || this.exiting) return;
    this.exiting = true;
    this.close()
      .catch((e: unknown) => console.error(`trackbook: storing the last logged values at exit failed: ${String((e as Error)?.message ?? e)}`))
      .finally(() => (this.exiting = false));
  };
  private exiting = false;

  /** Id of the experiment new runs go to. */
  get activeExperimentId(): string {
    return this.experimentId;
  }

  /** True once `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The innermost active run, if any. */
  activeRun(): ActiveRun | undefined {
    return this.stack[this.stack.length - 1];
  }

  /**
   * Makes the named experiment active, creating it if it does not exist.
   *
   * @example
   * ```ts
   * const exp = await tb.setExperiment("mnist");   // exp.experimentId
   * ```
   */
  async setExperiment(name: string): Promise<Experiment> {
    this.assertOpen();
    validateExperimentName(name);
    let exp = await this.store.getExperimentByName(name);
    if (exp === undefined) {
      try {
        await this.store.createExperiment({ name });
      } catch (e) {
        // Another tab or process may have created it in between; use theirs.
        if (!isTrackerError(e, "RESOURCE_ALREADY_EXISTS")) throw e;
      }
      exp = await this.store.getExperimentByName(name);
      if (exp === undefined) throw new TrackerError("INTERNAL_ERROR", `Experiment '${name}' vanished right after it was created.`);
    }
    if (exp.lifecycleStage !== "active") {
      throw invalidParameter(
        `Cannot set the deleted experiment '${name}' as the active experiment. Restore it (store.restoreExperiment('${exp.experimentId}')) or choose another name.`,
      );
    }
    this.experimentId = exp.experimentId;
    return exp;
  }

  /**
   * Starts a run in the active experiment. Starting a second run while one is active needs
   * `nested: true` (the new run gets the `mlflow.parentRunId` tag).
   *
   * @example
   * ```ts
   * const parent = await tb.startRun({ runName: "sweep" });
   * const child = await tb.startRun({ runName: "lr=0.1", nested: true });
   * ```
   */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    this.assertOpen();
    const parent = this.activeRun();
    if (parent && !options.nested) {
      throw new TrackerError(
        "INVALID_STATE",
        `Run '${parent.runId}' (${parent.info.runName}) is already active. End it first with await run.end() (or endRun()), or pass { nested: true } to start a child run.`,
      );
    }
    const tags: Record<string, string> = { ...systemTags(), ...options.tags };
    if (parent) tags[PARENT_RUN_TAG] = parent.runId;
    if (options.description !== undefined) tags["mlflow.note.content"] = options.description;
    const run = await this.store.createRun({
      experimentId: options.experimentId ?? this.experimentId,
      userId: tags["mlflow.user"]!,
      tags,
      ...(options.runName !== undefined ? { runName: options.runName } : {}),
    });
    const active = new ActiveRun(run.info, this.client, (r, status) => this.finish(r, status));
    this.stack.push(active);
    return active;
  }

  /**
   * Ends the innermost active run (default FINISHED). Does nothing when no run is active.
   *
   * @example
   * ```ts
   * await tb.endRun("KILLED");
   * ```
   */
  async endRun(status: TerminalRunStatus = "FINISHED"): Promise<void> {
    await this.activeRun()?.end(status);
  }

  /**
   * Runs `fn` inside a new run: the run ends FINISHED when `fn` resolves, FAILED when it throws
   * (and the error is rethrown).
   *
   * @example
   * ```ts
   * const acc = await tb.withRun({ runName: "trial" }, async (run) => { run.logMetric("acc", 0.9); return 0.9; });
   * ```
   */
  async withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => T | Promise<T>): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (error) {
      try {
        await run.end("FAILED");
      } catch (endError) {
        throw new AggregateError([error, endError], `The run failed, and ending it also failed: ${String(endError)}`);
      }
      throw error;
    }
    await run.end("FINISHED");
    return result;
  }

  /** Waits until every logged value is stored; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.client.flush();
  }

  /**
   * Searches runs (MLflow's filter grammar plus OR and parentheses). Flushes first, so what
   * was logged is found.
   *
   * @example
   * ```ts
   * const page = await tb.searchRuns({ experimentIds: ["0"], filter: "metrics.loss < 0.5", orderBy: ["metrics.loss ASC"] });
   * ```
   */
  async searchRuns(query: Partial<SearchRunsQuery> = {}): Promise<RunPage> {
    this.assertOpen();
    await this.client.settle();
    return displayable(await this.store.searchRuns({ ...query, experimentIds: query.experimentIds ?? [this.experimentId] }), "runs");
  }

  /**
   * Searches experiments.
   *
   * @example
   * ```ts
   * const { experiments } = await tb.searchExperiments({ filter: "name LIKE 'mni%'" });
   * ```
   */
  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<ExperimentPage> {
    this.assertOpen();
    return this.store.searchExperiments(query);
  }

  /**
   * A run with its params, tags and latest metrics (flushes first).
   *
   * @example
   * ```ts
   * const { data } = await tb.getRun(run.runId);
   * ```
   */
  async getRun(runId: string): Promise<Run> {
    this.assertOpen();
    await this.client.settle();
    return displayable(await this.store.getRun(runId), "run");
  }

  /**
   * The full history of one metric as columns (flushes first).
   *
   * @example
   * ```ts
   * const { steps, values } = await tb.getMetricHistory(run.runId, "loss");
   * ```
   */
  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    this.assertOpen();
    await this.client.settle();
    return this.store.getMetricHistory(runId, key);
  }

  /**
   * One metric's history cut for a chart (flushes first): the points a min/max-bucket chart of
   * it draws, read from the store's summaries where it keeps them (see
   * `TrackingStore.getMetricHistorySummary`), and how many points the range holds.
   *
   * @example
   * ```ts
   * const cut = await tb.getMetricHistorySummary(run.runId, "loss", { budget: 2400 });
   * ```
   */
  async getMetricHistorySummary(runId: string, key: string, options?: HistorySummaryOptions): Promise<MetricHistorySummary> {
    this.assertOpen();
    await this.client.settle();
    return metricHistorySummary(this.store, runId, key, options);
  }

  /**
   * A logged model (MLflow 3), e.g. one imported from an mlruns bundle. RESOURCE_DOES_NOT_EXIST
   * when missing; NOT_IMPLEMENTED on a store without models.
   *
   * @example
   * ```ts
   * const model = await tb.getLoggedModel("m-4f1c…");
   * model.status; // "READY"
   * ```
   */
  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    this.assertOpen();
    return registry.modelsOf(this.store).getLoggedModel(modelId);
  }

  /**
   * Logged models of some experiments (default: the active one), newest first.
   *
   * @example
   * ```ts
   * const models = await tb.searchLoggedModels({ experimentIds: ["0"] });
   * ```
   */
  async searchLoggedModels(query: { experimentIds?: string[] } = {}): Promise<LoggedModel[]> {
    this.assertOpen();
    return registry.modelsOf(this.store).searchLoggedModels(query.experimentIds ?? [this.experimentId]);
  }

  /**
   * The files of a logged model's artifacts in folder `path` ("" = the root).
   *
   * @example
   * ```ts
   * const files = await tb.listLoggedModelArtifacts(model.modelId); // MLmodel, requirements.txt, …
   * ```
   */
  async listLoggedModelArtifacts(modelId: string, path = ""): Promise<ArtifactInfo[]> {
    this.assertOpen();
    return registry.modelsOf(this.store).listLoggedModelArtifacts(modelId, path);
  }

  /**
   * The bytes of one artifact file of a logged model.
   *
   * @example
   * ```ts
   * const mlmodel = new TextDecoder().decode(await tb.readLoggedModelArtifact(model.modelId, "MLmodel"));
   * ```
   */
  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> {
    this.assertOpen();
    return registry.modelsOf(this.store).readLoggedModelArtifact(modelId, path);
  }

  /**
   * Logs a model (MLflow 3's `log_model`): a new logged model `m-…` holding `files` as its
   * artifacts, with params and tags, made by the active run (or `runId`) and kept in that run's
   * experiment. READY when it resolves; if a file cannot be written, nothing of it is kept.
   *
   * @example
   * ```ts
   * const model = await tb.logModel("mnist-cnn", { files: { "model.json": topology, "weights.bin": weights }, params: { layers: 4 }, modelType: "tfjs-layers" });
   * await tb.createModelVersion("mnist", { modelId: model.modelId });
   * ```
   */
  async logModel(name: string, options: LogModelOptions = {}): Promise<LoggedModel> {
    this.assertOpen();
    const runId = options.runId === undefined ? (this.activeRun()?.info.runId ?? null) : options.runId;
    const experimentId = options.experimentId ?? (runId === null ? this.experimentId : (await this.store.getRun(runId)).info.experimentId);
    return createLoggedModel(this.store, name, { ...options, runId, experimentId });
  }

  /**
   * Creates a registered model; a taken name is RESOURCE_ALREADY_EXISTS.
   *
   * @example
   * ```ts
   * await tb.createRegisteredModel("churn", { description: "weekly churn model", tags: { team: "growth" } });
   * ```
   */
  async createRegisteredModel(name: string, options: registry.CreateRegisteredModelOptions = {}): Promise<RegisteredModel> {
    this.assertOpen();
    return registry.createRegisteredModel(this.store, name, options);
  }

  /**
   * A registered model with its tags and aliases. RESOURCE_DOES_NOT_EXIST when missing.
   *
   * @example
   * ```ts
   * const { aliases } = await tb.getRegisteredModel("churn"); // { champion: 3 }
   * ```
   */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    this.assertOpen();
    return registry.modelsOf(this.store).getRegisteredModel(name);
  }

  /**
   * Every registered model, by name.
   *
   * @example
   * ```ts
   * const names = (await tb.searchRegisteredModels()).map((m) => m.name);
   * ```
   */
  async searchRegisteredModels(): Promise<RegisteredModel[]> {
    this.assertOpen();
    return registry.modelsOf(this.store).listRegisteredModels();
  }

  /**
   * Registers a new version (highest + 1) of a registered model, from a logged model
   * (`modelId`) or a `source` URI. Flushes first, so a `runId` logged just now is stored.
   *
   * @example
   * ```ts
   * const v = await tb.createModelVersion("churn", { modelId: model.modelId, tags: { validated: "yes" } });
   * ```
   */
  async createModelVersion(name: string, options: registry.CreateModelVersionOptions): Promise<ModelVersion> {
    this.assertOpen();
    await this.client.settle();
    return registry.createModelVersion(this.store, name, options);
  }

  /**
   * One version of a registered model. RESOURCE_DOES_NOT_EXIST when missing.
   *
   * @example
   * ```ts
   * const v = await tb.getModelVersion("churn", 3);
   * v.source; // "models:/m-4f1c…"
   * ```
   */
  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    this.assertOpen();
    return registry.modelsOf(this.store).getModelVersion(name, version);
  }

  /**
   * The versions of a registered model, by number.
   *
   * @example
   * ```ts
   * const versions = await tb.searchModelVersions({ name: "churn" });
   * ```
   */
  async searchModelVersions(query: { name: string }): Promise<ModelVersion[]> {
    this.assertOpen();
    return registry.modelsOf(this.store).listModelVersions(query.name);
  }

  /**
   * Points an alias of a registered model at one of its versions.
   *
   * @example
   * ```ts
   * await tb.setRegisteredModelAlias("churn", "champion", 3);
   * ```
   */
  async setRegisteredModelAlias(name: string, alias: string, version: number): Promise<void> {
    this.assertOpen();
    return registry.setRegisteredModelAlias(this.store, name, alias, version);
  }

  /**
   * Ends runs still active (FINISHED, as MLflow does at exit), flushes and closes the store.
   * Rejects if a write failed; the store is closed either way.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    let failure: unknown;
    try {
      while (this.stack.length > 0) await this.activeRun()!.end("FINISHED");
      await this.client.flush();
    } catch (e) {
      failure = e;
    }
    this.closed = true;
    nodeProcess()?.off("beforeExit", this.onBeforeExit);
    await this.store.close();
    if (failure !== undefined) throw failure;
  }

  private async finish(run: ActiveRun, status: TerminalRunStatus): Promise<void> {
    // Children end before their parent, as in MLflow.
    const at = this.stack.indexOf(run);
    if (at >= 0) {
      while (this.stack.length > at + 1) await this.activeRun()!.end(status);
      this.stack.splice(at, 1);
    }
    let flushError: unknown;
    try {
      await this.client.flush();
    } catch (e) {
      flushError = e;
    }
    const info = await this.store.updateRun(run.runId, { status, endTime: Date.now() });
    run.markEnded(info);
    if (flushError !== undefined) throw flushError;
  }

  private assertOpen(): void {
    if (this.closed) throw new TrackerError("INVALID_STATE", "This tracker is closed; open a new one with openTracker().");
  }
}
