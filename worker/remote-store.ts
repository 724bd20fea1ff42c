/**
 * The calling side of the worker boundary: a {@link TrackingStore} whose every method is one
 * comlink call to a {@link HostApi} in another thread. Transport-neutral (a Node worker, a
 * browser Worker, a MessagePort); the transport's owner says when the other side died
 * ({@link RemoteStore.fail}) and how to free it (`dispose`).
 *
 * Rules:
 * 1. Every method returns a promise and never throws synchronously.
 * 2. `logBatch`/`logBatches` transfer their metric buffers: the caller's typed arrays are
 *    detached afterwards (byteLength 0). Artifact bytes are copied, never transferred.
 * 3. A call never hangs on a dead peer: once `fail()` is called, pending and later calls reject.
 * 4. Errors come back as this side's {@link TrackerError} class; an argument that cannot be
 *    cloned is INVALID_PARAMETER_VALUE.
 *
 * @module
 */
import { releaseProxy, transfer, type Remote } from "comlink";
import type { CreateExperimentInput, CreateRunInput, HistorySummaryOptions, LogBatch, MetricHistory, SearchExperimentsQuery, SearchRunsQuery, UpdateRunInput } from "../src/entities.js";
import { isTrackerError, TrackerError } from "../src/errors.js";
import { MODEL_STORE_METHODS, type BatchEntry, type ModelStore, type PackedFlush, type TrackingStore, type WholeRun } from "../src/store/store.js";
import type { HistoriesApi, HostCapabilities, PurgeApi } from "./host-api.js";
import { batchTransferables, installTransferHandlers, type HostApi } from "./protocol.js";

/** How a {@link RemoteStore} drives its transport. */
export type RemoteStoreHooks = {
  /** Frees the transport once the remote store is closed (terminate the worker, close the port). */
  dispose?: () => void | Promise<void>;
  /** Called with true when a first call goes in flight and false when none is left. */
  onBusy?: (busy: boolean) => void;
};

const closedError = () => new TrackerError("INVALID_STATE", "This store is closed; open a new tracker to keep working.");

/** A {@link TrackingStore} served by a {@link HostApi} on the other side of a comlink endpoint. */
export class RemoteStore implements TrackingStore {
  private state: "open" | "closing" | "closed" = "open";
  private failure: TrackerError | undefined;
  private readonly dead: Promise<never>;
  private die!: (error: TrackerError) => void;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  /** The remote store's `sync()`; present only when it has one (see {@link RemoteStore.open}). */
  sync?: () => Promise<void>;
  /** The remote store's `logArtifactFile()`; present only when it has one. */
  logArtifactFile?: (runId: string, path: string, localPath: string) => Promise<void>;
  /** The remote store's `putRuns()`, the runs' metric columns transferred (detached here afterwards); present only when it has one. */
  putRuns?: (runs: WholeRun[]) => Promise<void>;
  /** The remote store's `purgeRun()` (remove a run for good); present only when it can purge. */
  purgeRun?: (runId: string) => Promise<void>;
  /** The remote store's `purgeExperiment()`; present only when it can purge. */
  purgeExperiment?: (experimentId: string) => Promise<void>;
  /** The remote store's `getMetricHistories()` (several keys of a run in one call); present only when it has one. */
  getMetricHistories?: (runId: string, keys: readonly string[]) => Promise<MetricHistory[]>;

  /** Wraps `remote`; call {@link RemoteStore.open} before anything else (or use {@link RemoteStore.connect}). */
  constructor(
    private readonly remote: Remote<HostApi>,
    private readonly hooks: RemoteStoreHooks = {},
  ) {
    installTransferHandlers();
    this.dead = new Promise<never>((_, reject) => (this.die = reject));
    // Nobody may be waiting when the peer dies; that is not an unhandled rejection.
    this.dead.catch(() => undefined);
  }

  /**
   * Opens `uri` on the host behind `remote` and returns the store.
   *
   * @example
   * ```ts
   * const store = await RemoteStore.connect(wrap<HostApi>(port), "memory:", { dispose: () => port.close() });
   * ```
   */
  static async connect(remote: Remote<HostApi>, uri: string, hooks: RemoteStoreHooks = {}): Promise<RemoteStore> {
    const store = new RemoteStore(remote, hooks);
    await store.open(uri);
    return store;
  }

  /**
   * Opens the host's store for `uri`, and takes on exactly the optional methods it has (so a
   * caller that checks `store.sync` sees what the real store offers). If opening fails (or the
   * peer dies meanwhile), the transport is disposed and the error (a TrackerError) is thrown.
   */
  async open(uri: string): Promise<void> {
    let has: HostCapabilities;
    try {
      has = await this.call((r) => r.open(uri));
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
    if (has.sync) this.sync = () => this.call((r) => r.sync());
    if (has.putRuns) this.putRuns = (runs) => this.call((r) => r.putRuns(withTransfer(runs, batchTransferables(runs))));
    if (has.logArtifactFile) this.logArtifactFile = (runId, path, localPath) => this.call((r) => r.logArtifactFile(runId, path, localPath));
    // Logged models and the registry: each ModelStore method becomes one callModel round trip.
    if (has.models) {
      const self = this as Partial<ModelStore>;
      for (const m of MODEL_STORE_METHODS) (self as Record<string, unknown>)[m] = (...args: unknown[]) => this.call((r) => r.callModel(m, args));
    }
    if (has.purge) {
      // Hosts of this version serve them (host-api.ts PurgeApi); older ones never report `purge`.
      const purging = (r: Remote<HostApi>) => r as unknown as Remote<PurgeApi>;
      this.purgeRun = (runId) => this.call((r) => purging(r).purgeRun(runId));
      this.purgeExperiment = (id) => this.call((r) => purging(r).purgeExperiment(id));
    }
    if (has.histories) this.getMetricHistories = (runId, keys) => this.call((r) => (r as unknown as Remote<HistoriesApi>).getMetricHistories(runId, [...keys]));
  }

  /** Marks the peer as gone (crashed, exited): pending and later calls reject with `error`. */
  fail(error: TrackerError): void {
    if (this.failure !== undefined || this.state === "closed") return;
    this.failure = error;
    this.die(error);
  }

  createExperiment(input: CreateExperimentInput) { return this.call((r) => r.createExperiment(input)); }
  getExperiment(id: string) { return this.call((r) => r.getExperiment(id)); }
  getExperimentByName(name: string) { return this.call((r) => r.getExperimentByName(name)); }
  searchExperiments(query?: SearchExperimentsQuery) { return this.call((r) => r.searchExperiments(query)); }
  renameExperiment(id: string, newName: string) { return this.call((r) => r.renameExperiment(id, newName)); }
  deleteExperiment(id: string) { return this.call((r) => r.deleteExperiment(id)); }
  restoreExperiment(id: string) { return this.call((r) => r.restoreExperiment(id)); }
  setExperimentTag(id: string, key: string, value: string) { return this.call((r) => r.setExperimentTag(id, key, value)); }
  createRun(input: CreateRunInput) { return this.call((r) => r.createRun(input)); }
  updateRun(runId: string, patch: UpdateRunInput) { return this.call((r) => r.updateRun(runId, patch)); }
  deleteRun(runId: string) { return this.call((r) => r.deleteRun(runId)); }
  restoreRun(runId: string) { return this.call((r) => r.restoreRun(runId)); }
  getRun(runId: string) { return this.call((r) => r.getRun(runId)); }
  searchRuns(query: SearchRunsQuery) { return this.call((r) => r.searchRuns(query)); }
  getMetricHistory(runId: string, key: string) { return this.call((r) => r.getMetricHistory(runId, key)); }
  getMetricHistorySummary(runId: string, key: string, options?: HistorySummaryOptions) { return this.call((r) => r.getMetricHistorySummary(runId, key, options)); }
  logArtifact(runId: string, path: string, data: Uint8Array) { return this.call((r) => r.logArtifact(runId, path, data)); }
  listArtifacts(runId: string, path?: string) { return this.call((r) => r.listArtifacts(runId, path)); }
  readArtifact(runId: string, path: string) { return this.call((r) => r.readArtifact(runId, path)); }

  logBatch(runId: string, batch: LogBatch): Promise<void> {
    return this.call((r) => r.logBatch(runId, withTransfer(batch, batchTransferables([batch]))));
  }

  logBatches(entries: BatchEntry[]): Promise<void> {
    const batches = Array.isArray(entries) ? entries.map((e) => (e as BatchEntry | null)?.batch) : [];
    return this.call((r) => r.logBatches(withTransfer(entries, batchTransferables(batches))));
  }

  /** Sends a client flush whole; its point columns are transferred (detached here afterwards). */
  logPacked(flush: PackedFlush): Promise<void> {
    const p = flush.points;
    const buffers = new Set([p.runSlots, p.keyIds, p.values, p.steps, p.timestamps].map((a) => a.buffer as ArrayBuffer));
    return this.call((r) => r.logPacked(withTransfer(flush, [...buffers, ...batchTransferables(flush.kv.map((e) => e.batch))])));
  }

  /**
   * Waits for calls in flight, closes the remote store, releases the proxy and disposes the
   * transport. Calls made after `close()` reject with INVALID_STATE. Rejects with the remote
   * close error, if any; the transport is freed either way.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.state = "closing";
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    let error: unknown;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure === undefined) {
      try {
        await this.invoke((r) => r.close());
      } catch (e) {
        error = e;
      }
    }
    try {
      this.remote[releaseProxy]();
    } catch {
      // Already released (a failed connect closes twice); nothing left to free here.
    }
    try {
      await this.hooks.dispose?.();
    } catch (e) {
      error ??= e;
    }
    this.state = "closed";
    if (error !== undefined) throw error;
  }

  private call<T>(send: (remote: Remote<HostApi>) => Promise<T>): Promise<T> {
    if (this.state !== "open") return Promise.reject(closedError());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.invoke(send);
  }

  /** One round trip, raced against the peer's death so it cannot hang. */
  private async invoke<T>(send: (remote: Remote<HostApi>) => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.hooks.onBusy?.(true);
    try {
      return await Promise.race([send(this.remote), this.dead]);
    } catch (e) {
      throw fromRemote(e);
    } finally {
      if (--this.inFlight === 0) {
        this.hooks.onBusy?.(false);
        for (const resolve of this.idle.splice(0)) resolve();
      }
    }
  }
}

/**
 * Marks `buffers` for transfer on a shallow copy of `value`: comlink keys its transfer list by
 * object, and a caller who sent the same object again must not resend stale (detached) buffers.
 */
function withTransfer<T>(value: T, buffers: ArrayBuffer[]): T {
  if (buffers.length === 0 || typeof value !== "object" || value === null) return value;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
  return transfer(copy, buffers);
}

/** This side's TrackerError for whatever a call rejected with. */
function fromRemote(e: unknown): unknown {
  if (e instanceof TrackerError) return e;
  if (isTrackerError(e)) {
    // Another copy's class (a second trackbook in this thread decoded it): rebuild as ours.
    const own = new TrackerError(e.code, e.message, { cause: e.cause });
    if (e.stack !== undefined) own.stack = e.stack;
    return own;
  }
  if ((e as { name?: unknown } | null)?.name === "DataCloneError") {
    const message = `A value passed to the store cannot be sent to its worker: ${(e as Error).message}`;
    return new TrackerError("INVALID_PARAMETER_VALUE", message, { cause: e });
  }
  return e;
}
