/**
 * The worker boundary's wire contract (comlink's `protocol.ts` split): the API a store host
 * exposes, which buffers a call transfers, and the transfer handler that lets
 * {@link TrackerError} cross with its class, code and message.
 *
 * Both sides must call {@link installTransferHandlers} before the first call: comlink's
 * handlers are per thread (per realm), and an error is encoded by the thrower's handler and
 * decoded by the receiver's.
 *
 * @module
 */
import { transferHandlers, type TransferHandler } from "comlink";
import type { HistorySummaryOptions, LogBatch, MetricHistorySummary } from "../src/entities.js";
import { invalidParameter, isTrackerError, TrackerError, type ErrorJson } from "../src/errors.js";
import type { BatchEntry, ModelStoreMethod, PackedFlush, TrackingStore, WholeRun } from "../src/store/store.js";

/** The optional methods of T. */
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * Which optional {@link TrackingStore} methods the host's store has; the remote side offers
 * exactly these. Derived from the interface, so a new optional store method does not compile
 * here until the host answers for it (`logBatches` and `getMetricHistorySummary` are always
 * offered: the host falls back, so a history is cut in the worker and only the cut crosses).
 */
export type StoreCapabilities = Record<Exclude<OptionalKeys<TrackingStore>, "logBatches" | "logPacked" | "getMetricHistorySummary" | ModelStoreMethod>, boolean> & {
  /** The store has every ModelStore method (logged models and the registry), reached through `callModel`. */
  models: boolean;
};

/**
 * What a store host exposes: every {@link TrackingStore} method (with `logBatches` required,
 * so a flush is one message), plus `open`, which opens the store the host serves.
 */
export type HostApi = Omit<TrackingStore, OptionalKeys<TrackingStore>> & {
  /**
   * Opens the store for `uri` in the host's thread, or waits for the one already opening, and
   * says which optional methods it has. Rejects with the open error; a different URI than the
   * first is INVALID_STATE.
   */
  open(uri: string): Promise<StoreCapabilities>;
  logBatches(entries: BatchEntry[]): Promise<void>;
  /** A client flush in one piece; the host regroups the points by run (off the client's thread). */
  logPacked(flush: PackedFlush): Promise<void>;
  /** The store's `getMetricHistorySummary`, or the whole history cut in the host's thread. */
  getMetricHistorySummary(runId: string, key: string, options?: HistorySummaryOptions): Promise<MetricHistorySummary>;
  /** The store's `sync()`, or nothing when it has none. */
  sync(): Promise<void>;
  /** The store's `logArtifactFile()`; NOT_IMPLEMENTED when it has none. */
  logArtifactFile(runId: string, path: string, localPath: string): Promise<void>;
  /** The store's `putRuns()` (whole runs, their metric columns transferred); NOT_IMPLEMENTED when it has none. */
  putRuns(runs: WholeRun[]): Promise<void>;
  /** One ModelStore method of the store with its arguments; NOT_IMPLEMENTED when it has none. */
  callModel(method: ModelStoreMethod, args: unknown[]): Promise<unknown>;
};

/**
 * The distinct `ArrayBuffer`s behind the metric columns of `batches`: the transfer list of a
 * `logBatch`/`logBatches` call. Plain arrays (from untyped callers) and shared memory are left
 * to structured clone; a buffer listed twice would make `postMessage` throw.
 *
 * Throws INVALID_PARAMETER_VALUE for columns already transferred by an earlier call: Node
 * sends a detached typed array without complaint and the receiver then fails to read the whole
 * message, so the call would never be answered.
 */
export function batchTransferables(batches: readonly unknown[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const batch of batches) {
    const m = (batch as LogBatch | null | undefined)?.metrics;
    if (typeof m !== "object" || m === null) continue;
    for (const col of [m.keyIds, m.values, m.steps, m.timestamps] as unknown[]) {
      if (!ArrayBuffer.isView(col)) continue;
      // SharedArrayBuffer is shared, not transferable (postMessage rejects it in a transfer list).
      if (Object.prototype.toString.call(col.buffer) !== "[object ArrayBuffer]") continue;
      const buffer = col.buffer as ArrayBuffer;
      if (isDetached(buffer)) {
        throw invalidParameter(
          "These metric columns were already sent to the store's worker by an earlier call, which transferred their buffers (now detached). Build new columns for each call.",
        );
      }
      out.add(buffer);
    }
  }
  return [...out];
}

/** True for a transferred-away buffer (`ArrayBuffer.prototype.detached` arrives only with Node 22). */
function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength > 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** A TrackerError on the wire: MLflow's JSON, the thrower's stack, and its cause chain. */
type WireTrackerError = { json: ErrorJson; stack?: string; cause?: WireCause };
type WireCause = { tracker: WireTrackerError } | { error: { name: string; message: string } } | { list: WireCause[] } | { text: string };

/** What comlink's own "throw" handler sends for an Error, with our extra field. */
type ThrownWire = { isError: boolean; value: unknown; trackerError?: WireTrackerError };

/** Marks our handler, so a second install (or a second copy of this module) leaves it alone. */
const INSTALLED = Symbol.for("trackbook.worker.throwHandler.v1");

const MAX_CAUSE_DEPTH = 4;

function encodeTracker(e: TrackerError, depth: number): WireTrackerError {
  const wire: WireTrackerError = { json: { error_code: e.code, message: e.message } };
  if (typeof e.stack === "string") wire.stack = e.stack;
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = encodeCause(e.cause, depth + 1);
  return wire;
}

function encodeCause(cause: unknown, depth: number): WireCause {
  if (isTrackerError(cause)) return { tracker: encodeTracker(cause, depth) };
  if (Array.isArray(cause) && depth < MAX_CAUSE_DEPTH) return { list: cause.map((c) => encodeCause(c, depth + 1)) };
  if (cause instanceof Error) return { error: { name: cause.name, message: cause.message } };
  return { text: String(cause) };
}

function decodeTracker(wire: WireTrackerError): TrackerError {
  const base = TrackerError.fromJSON(wire.json);
  const e = wire.cause === undefined ? base : new TrackerError(base.code, base.message, { cause: decodeCause(wire.cause) });
  // The thrower's stack says where it failed; the receiver's would only show comlink internals.
  if (wire.stack !== undefined) e.stack = wire.stack;
  return e;
}

function decodeCause(wire: WireCause): unknown {
  if ("tracker" in wire) return decodeTracker(wire.tracker);
  if ("list" in wire) return wire.list.map(decodeCause);
  if ("error" in wire) return Object.assign(new Error(wire.error.message), { name: wire.error.name });
  return wire.text;
}

/**
 * Replaces comlink's built-in `"throw"` transfer handler, which rebuilds every thrown Error as
 * a plain `Error` (so `code` and the class are lost), with one that sends a TrackerError as
 * `toJSON()` plus a marker and rebuilds it with `TrackerError.fromJSON`. Everything else
 * (other errors: message, name, stack; thrown non-errors) goes through comlink's own handler.
 * Idempotent.
 *
 * The message stays readable by a receiver without this handler: comlink's decoder copies
 * `value` onto a plain Error, and `code` + `name` there still satisfy {@link isTrackerError}.
 */
export function installTransferHandlers(): void {
  const builtin = transferHandlers.get("throw");
  if (builtin === undefined || INSTALLED in builtin) return;
  const handler: TransferHandler<unknown, unknown> & { [INSTALLED]: true } = {
    [INSTALLED]: true,
    canHandle: (value): value is unknown => builtin.canHandle(value),
    serialize(thrown) {
      const value = (thrown as { value?: unknown }).value;
      if (!isTrackerError(value)) return builtin.serialize(thrown);
      const wire: ThrownWire = {
        isError: true,
        value: { name: "TrackerError", message: value.message, code: value.code, stack: value.stack },
        trackerError: encodeTracker(value, 0),
      };
      return [wire, []];
    },
    deserialize(wire) {
      const w = wire as ThrownWire;
      if (w.trackerError !== undefined) throw decodeTracker(w.trackerError);
      return builtin.deserialize(wire);
    },
  };
  transferHandlers.set("throw", handler);
}
