/**
 * The object a store worker exposes: a store opened in the worker's own thread by
 * {@link openStore}, behind the {@link HostApi} methods. Shared by every worker entry (Node's
 * `node-host.ts` now, a browser module worker later), so it imports no `node:` module.
 *
 * @module
 */
import { finalizer, transfer } from "comlink";
import { TrackerError } from "../src/errors.js";
import { unpackFlush } from "../src/store/packed.js";
import { LIMITS } from "../src/validation.js";
import { openStore } from "../src/store/registry.js";
import { hasModels, logBatches, metricHistorySummary, MODEL_STORE_METHODS, type TrackingStore } from "../src/store/store.js";
import type { MetricHistory } from "../src/entities.js";
import type { HostApi, StoreCapabilities } from "./protocol.js";

/**
 * Removing runs and experiments for good, for stores that can (memory, arrow, idb; not part of
 * {@link TrackingStore}): what the mlruns importer needs to undo a failed import exactly.
 * NOT_IMPLEMENTED when the store cannot; `open()` says whether it can (`purge`).
 */
export type PurgeApi = {
  purgeRun(runId: string): Promise<void>;
  purgeExperiment(experimentId: string): Promise<void>;
};

/** Several keys' histories of a run in one call (the Arrow store's `getMetricHistories`, for bundle exports); else key by key. */
export type HistoriesApi = { getMetricHistories(runId: string, keys: readonly string[]): Promise<MetricHistory[]> };

/** What `open()` reports: the store's optional methods, whether it can purge, and whether it reads several histories at once. */
export type HostCapabilities = StoreCapabilities & { purge?: boolean; histories?: boolean };

type PurgingStore = TrackingStore & Partial<PurgeApi> & Partial<HistoriesApi>;

/** A {@link HostApi} that also closes its store when the other side releases its proxy. */
export type HostObject = Omit<HostApi, "open"> & PurgeApi & HistoriesApi & { open(uri: string): Promise<HostCapabilities>; [finalizer](): void };

/**
 * Creates the API a worker exposes. With `uri`, the store starts opening at once (the worker's
 * start-up overlaps with the caller's); the caller's `open(uri)` then waits for it and
 * reports its error. Without `uri`, the first `open(uri)` decides.
 *
 * @example
 * ```ts
 * expose(createHostApi(workerData.uri), nodeEndpoint(parentPort));
 * ```
 */
export function createHostApi(uri?: string): HostObject {
  let openedUri: string | undefined;
  let opening: Promise<TrackingStore> | undefined;
  let store: TrackingStore | undefined;
  let closed = false;

  const open = (u: string): Promise<HostCapabilities> => {
    if (opening === undefined) {
      openedUri = u;
      opening = openStore(u).then((s) => (store = s));
      // Kept for the caller's open(); without a handler here a failed early open would be an
      // unhandled rejection, which ends the worker before it can report why.
      opening.catch(() => undefined);
    } else if (u !== openedUri) {
      return Promise.reject(new TrackerError("INVALID_STATE", `This worker serves '${openedUri}'; it cannot also open '${u}'.`));
    }
    return opening.then((s) => {
      const p = s as PurgingStore;
      return {
        sync: typeof s.sync === "function",
        logArtifactFile: typeof s.logArtifactFile === "function",
        putRuns: typeof s.putRuns === "function",
        models: hasModels(s),
        purge: typeof p.purgeRun === "function" && typeof p.purgeExperiment === "function",
        histories: typeof p.getMetricHistories === "function",
      };
    });
  };

  /** Runs `fn` on the store; the fast path (store open) adds no await, so calls keep their order. */
  const use = <T>(fn: (s: TrackingStore) => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new TrackerError("INVALID_STATE", "This store is closed; open a new tracker to keep working."));
    try {
      if (store !== undefined) return fn(store);
    } catch (e) {
      return Promise.reject(e);
    }
    if (opening === undefined) return Promise.reject(new TrackerError("INVALID_STATE", "The worker has no store yet: call open(uri) first."));
    return opening.then(fn);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const s = store ?? (await opening?.catch(() => undefined));
    await s?.close();
  };

  if (uri !== undefined) void open(uri).catch(() => undefined);

  return {
    open,
    createExperiment: (input) => use((s) => s.createExperiment(input)),
    getExperiment: (id) => use((s) => s.getExperiment(id)),
    getExperimentByName: (name) => use((s) => s.getExperimentByName(name)),
    searchExperiments: (query) => use((s) => s.searchExperiments(query)),
    renameExperiment: (id, newName) => use((s) => s.renameExperiment(id, newName)),
    deleteExperiment: (id) => use((s) => s.deleteExperiment(id)),
    restoreExperiment: (id) => use((s) => s.restoreExperiment(id)),
    setExperimentTag: (id, key, value) => use((s) => s.setExperimentTag(id, key, value)),
    createRun: (input) => use((s) => s.createRun(input)),
    updateRun: (runId, patch) => use((s) => s.updateRun(runId, patch)),
    deleteRun: (runId) => use((s) => s.deleteRun(runId)),
    restoreRun: (runId) => use((s) => s.restoreRun(runId)),
    logBatch: (runId, batch) => use((s) => s.logBatch(runId, batch)),
    logBatches: (entries) => use((s) => logBatches(s, entries)),
    logPacked: (flush) => use((s) => (s.logPacked ? s.logPacked(flush) : logBatches(s, unpackFlush(flush, LIMITS.maxMetricsPerBatch)))),
    getRun: (runId) => use((s) => s.getRun(runId)),
    searchRuns: (query) => use((s) => s.searchRuns(query)),
    getMetricHistory: (runId, key) => use(async (s) => transferred(await s.getMetricHistory(runId, key))),
    getMetricHistorySummary: (runId, key, options) => use(async (s) => transferred(await metricHistorySummary(s, runId, key, options))),
    logArtifact: (runId, path, data) => use((s) => s.logArtifact(runId, path, data)),
    logArtifactFile: (runId, path, localPath) =>
      use((s) =>
        s.logArtifactFile
          ? s.logArtifactFile(runId, path, localPath)
          : Promise.reject(new TrackerError("NOT_IMPLEMENTED", `This store cannot read local files; pass the bytes instead of { file: "${localPath}" }.`)),
      ),
    putRuns: (runs) => use((s) => (s.putRuns ? s.putRuns(runs) : Promise.reject(new TrackerError("NOT_IMPLEMENTED", "This store cannot create whole runs at once (no putRuns); make them call by call.")))),
    listArtifacts: (runId, path) => use((s) => s.listArtifacts(runId, path)),
    readArtifact: (runId, path) => use((s) => s.readArtifact(runId, path)),
    sync: () => use((s) => (s.sync ? s.sync() : Promise.resolve())),
    callModel: (method, args) =>
      use((s) => {
        if (!(MODEL_STORE_METHODS as readonly string[]).includes(method) || !Array.isArray(args)) return Promise.reject(new TrackerError("INVALID_PARAMETER_VALUE", `Unknown model method ${String(method)}.`));
        if (!hasModels(s)) return Promise.reject(new TrackerError("NOT_IMPLEMENTED", "This store has no model registry."));
        return (s[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      }),
    purgeRun: (runId) => use((s) => purging(s).purgeRun(runId)),
    purgeExperiment: (id) => use((s) => purging(s).purgeExperiment(id)),
    getMetricHistories: (runId, keys) =>
      use((s) => {
        const p = s as PurgingStore;
        return p.getMetricHistories ? p.getMetricHistories(runId, keys) : Promise.all(keys.map((k) => s.getMetricHistory(runId, k)));
      }),
    close,
    // comlink calls this after the other side's releaseProxy(): a store nobody can reach is closed.
    [finalizer]: () => void close().catch(() => undefined),
  };
}

/**
 * Moves a history's columns to the other side instead of copying them (1M points are 24 MB;
 * cloning them cost ~40 ms in Chromium). Stores hand out columns the caller owns (the contract
 * suite checks it), but a column that is only part of its buffer, or shares one, is copied: the
 * rest of that buffer is not ours to send.
 */
function transferred<H extends MetricHistory>(h: H): H {
  const cols = [h.steps, h.values, h.timestamps];
  const buffers = cols.map((c) => c.buffer);
  const whole = cols.every((c) => c.byteOffset === 0 && c.byteLength === c.buffer.byteLength) && new Set(buffers).size === buffers.length;
  const shared = typeof SharedArrayBuffer !== "undefined" && buffers.some((b) => b instanceof SharedArrayBuffer);
  return whole && !shared ? transfer(h, buffers as ArrayBuffer[]) : h;
}

/** The store's purge methods, or NOT_IMPLEMENTED. */
function purging(s: TrackingStore): PurgeApi {
  const p = s as PurgingStore;
  if (typeof p.purgeRun !== "function" || typeof p.purgeExperiment !== "function") {
    const no = () => Promise.reject(new TrackerError("NOT_IMPLEMENTED", "This store cannot remove runs or experiments for good (no purgeRun/purgeExperiment)."));
    return { purgeRun: no, purgeExperiment: no };
  }
  return { purgeRun: (id) => p.purgeRun!(id), purgeExperiment: (id) => p.purgeExperiment!(id) };
}
