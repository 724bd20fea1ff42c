/**
 * TrackingClient: validation at the call site, defaults, batching and the flush timer
 * (mlflow's `_tracking_service/client.py`, minus the blocking).
 *
 * Write rules:
 * 1. `logMetric`, `logParam` and `setTag` are synchronous. A bad key or value throws
 *    {@link TrackerError} right there; a good one is only enqueued.
 * 2. Queued writes go to the store in `logBatch` calls within MLflow's limits (1000 metrics,
 *    100 params, 100 tags), one store call at a time, in logging order.
 * 3. A store failure is kept and raised by the next `flush()` (and so by `end()`), and passed to
 *    `onError` when it happens. It is never swallowed.
 *
 * @module
 */
import type { KeyValue, LogBatch } from "./entities.js";
import { invalidParameter, isTrackerError, TrackerError } from "./errors.js";
import { MetricBuffer } from "./metric-buffer.js";
import { unpackFlush } from "./store/packed.js";
import { logBatches, type BatchEntry, type PackedFlush, type TrackingStore } from "./store/store.js";
import { LIMITS, messages, validateKey, validateParam, validateRunTag } from "./validation.js";

/** Options of a {@link TrackingClient}. */
export type ClientOptions = {
  /** Longest time a logged point waits before it is sent to the store. Default 100 ms. */
  flushIntervalMs?: number;
  /** Points buffered before a flush starts without waiting for the timer. Default 8192. */
  bufferPoints?: number;
  /**
   * While a write is still in flight, a full buffer grows (up to this many points) instead of
   * starting another write, so a busy store receives fewer, larger batches. Default 1,048,576.
   */
  maxBufferPoints?: number;
  /** Called with each storage failure as it happens (it is also raised by the next flush). */
  onError?: (error: TrackerError) => void;
};

/** A value accepted for a param or tag; non-strings are converted (see {@link stringifyValue}). */
export type LoggableValue = string | number | boolean | bigint | object;

/** How params and tags become strings: strings as they are, numbers/booleans/bigints with String(), objects as JSON. */
export function stringifyValue(kind: "param" | "tag", key: string, value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "object":
      if (value !== null) return JSON.stringify(value);
  }
  throw invalidParameter(messages.valueNotString(kind, key, value));
}

type RunQueue = { runId: string; params: KeyValue[]; tags: KeyValue[]; logged: Map<string, string> };

/** Batches writes of any number of runs into one store. */
export class TrackingClient {
  readonly store: TrackingStore;
  private readonly buffer: MetricBuffer;
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly runs: RunQueue[] = [];
  private readonly flushIntervalMs: number;
  private readonly onError: ((error: TrackerError) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private errors: TrackerError[] = [];
  private pendingKV = 0;
  private inFlight = 0;
  private readonly maxBufferPoints: number;

  constructor(store: TrackingStore, options: ClientOptions = {}) {
    this.store = store;
    this.buffer = new MetricBuffer(options.bufferPoints ?? 8192);
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.onError = options.onError;
    this.maxBufferPoints = Math.max(options.maxBufferPoints ?? 1 << 20, this.buffer.capacity);
  }

  /** Registers a run for logging; returns the slot that the hot path uses instead of the id. */
  attach(runId: string): number {
    const existing = this.runs.findIndex((r) => r.runId === runId);
    if (existing >= 0) return existing;
    this.runs.push({ runId, params: [], tags: [], logged: new Map() });
    return this.runs.length - 1;
  }

  /** Enqueues one metric point. Throws on a bad key, value, step or timestamp. */
  logMetric(slot: number, key: string, value: number, step: number, timestamp: number): void {
    let id = this.keyIds.get(key);
    if (id === undefined) id = this.intern(key);
    if (typeof value !== "number") throw invalidParameter(messages.metricValue(key, value));
    if (!Number.isSafeInteger(step)) throw invalidParameter(messages.metricStep(key, step));
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw invalidParameter(messages.metricTimestamp(key, timestamp));
    if (this.buffer.push(slot, id, value, step, timestamp)) this.full();
    else if (this.timer === undefined) this.arm();
  }

  /** Validates a param as `logParam` would, without enqueueing it; returns its string value. */
  checkParam(slot: number, key: string, value: unknown): string {
    const v = stringifyValue("param", key, value);
    validateParam(key, v);
    const old = this.runs[slot]!.logged.get(key);
    if (old !== undefined && old !== v) throw invalidParameter(messages.paramChanged(key, old, v));
    return v;
  }

  /** Enqueues a param. The same value twice is a no-op; another value throws here, at the call. */
  logParam(slot: number, key: string, value: unknown): void {
    const v = this.checkParam(slot, key, value);
    const q = this.runs[slot]!;
    if (q.logged.has(key)) return;
    q.logged.set(key, v);
    q.params.push({ key, value: v });
    this.enqueued();
  }

  /** Validates a tag as `setTag` would, without enqueueing it; returns its string value. */
  checkTag(key: string, value: unknown): string {
    const v = stringifyValue("tag", key, value);
    validateRunTag(key, v);
    return v;
  }

  /** Enqueues a tag (tags may change; the last value wins). */
  setTag(slot: number, key: string, value: unknown): void {
    this.runs[slot]!.tags.push({ key, value: this.checkTag(key, value) });
    this.enqueued();
  }

  /**
   * Sends everything queued so far, waits until the store has it and has made it durable, and
   * rejects with the storage failures since the last flush (they also went to `onError`).
   */
  async flush(): Promise<void> {
    await this.settle();
    if (this.store.sync) {
      try {
        await this.store.sync();
      } catch (e) {
        this.fail(e, "Making writes durable");
      }
    }
    const errors = this.errors;
    if (errors.length === 0) return;
    this.errors = [];
    const first = errors[0]!;
    if (errors.length === 1) throw first;
    throw new TrackerError(first.code, `${first.message} (and ${errors.length - 1} more write failures)`, { cause: errors });
  }

  /**
   * Sends everything queued so far and waits until the store has it, without forcing it to disk
   * and without raising failures (they stay for the next `flush()`). Reads use this, so they see
   * what was logged.
   */
  async settle(): Promise<void> {
    this.startFlush();
    await this.chain;
  }

  /** True while params or tags wait to be sent. */
  get hasQueued(): boolean {
    return this.pendingKV > 0;
  }

  /** Points waiting in the buffer (not yet handed to the store). */
  get bufferedPoints(): number {
    return this.buffer.length;
  }

  private intern(key: string): number {
    validateKey("metric", key);
    const id = this.keys.length;
    this.keys.push(key);
    this.keyIds.set(key, id);
    return id;
  }

  private enqueued(): void {
    this.pendingKV++;
    if (this.timer === undefined) this.arm();
  }

  /** The buffer is full: write now, or, while the store is still busy, keep buffering. */
  private full(): void {
    if (this.inFlight > 0 && this.buffer.capacity < this.maxBufferPoints) this.buffer.grow(this.maxBufferPoints);
    else this.startFlush();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.startFlush(), this.flushIntervalMs);
    // A pending flush must not keep Node alive by itself; close() flushes what is left.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Takes everything queued now and appends its store writes to the chain. */
  private startFlush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0 && this.pendingKV === 0) return;
    const kv: BatchEntry[] = [];
    if (this.pendingKV > 0) {
      this.pendingKV = 0;
      for (const q of this.runs) {
        if (q.params.length === 0 && q.tags.length === 0) continue;
        // Params and tags go first so a run's name and params land before its points.
        for (const batch of kvBatches(q.params, q.tags)) kv.push({ runId: q.runId, batch });
        q.params = [];
        q.tags = [];
      }
    }
    const n = this.buffer.length;
    const b = this.buffer.take();
    const flush: PackedFlush = {
      kv,
      runIds: this.runs.map((r) => r.runId),
      keys: this.keys.slice(),
      points: { runSlots: b.runSlots.subarray(0, n), keyIds: b.keyIds.subarray(0, n), values: b.values.subarray(0, n), steps: b.steps.subarray(0, n), timestamps: b.timestamps.subarray(0, n) },
    };
    // One store call per flush: through a worker that is one (transferred) message, and the
    // worker regroups the points by run (logPacked), so the calling thread only buffers.
    this.inFlight++;
    this.chain = this.chain.then(() => this.write(flush)).finally(() => this.inFlight--);
  }

  private async write(flush: PackedFlush): Promise<void> {
    const runIds = () => [...new Set([...flush.kv.map((e) => e.runId), ...Array.from(new Set(flush.points.runSlots), (s) => flush.runIds[s])])];
    try {
      if (this.store.logPacked && flush.points.values.length > 0) await this.store.logPacked(flush);
      else await logBatches(this.store, unpackFlush(flush, LIMITS.maxMetricsPerBatch));
    } catch (e) {
      this.fail(e, `Writing to run(s) ${runIds().join(", ")}`);
    }
  }

  /** Keeps a storage failure for the next flush and tells `onError` now. */
  private fail(e: unknown, what: string): void {
    const err = isTrackerError(e)
      ? (e as TrackerError)
      : new TrackerError("INTERNAL_ERROR", `${what} failed: ${String((e as Error)?.message ?? e)}`, { cause: e });
    this.errors.push(err);
    try {
      this.onError?.(err);
    } catch {
      // A throwing onError hook must not hide the write error, which flush() still raises.
    }
  }
}

function kvBatches(params: KeyValue[], tags: KeyValue[]): LogBatch[] {
  const out: LogBatch[] = [];
  const n = Math.max(Math.ceil(params.length / LIMITS.maxParamsPerBatch), Math.ceil(tags.length / LIMITS.maxTagsPerBatch));
  for (let i = 0; i < n; i++) {
    const p = params.slice(i * LIMITS.maxParamsPerBatch, (i + 1) * LIMITS.maxParamsPerBatch);
    const t = tags.slice(i * LIMITS.maxTagsPerBatch, (i + 1) * LIMITS.maxTagsPerBatch);
    const b: LogBatch = {};
    if (p.length) b.params = p;
    if (t.length) b.tags = t;
    out.push(b);
  }
  return out;
}
