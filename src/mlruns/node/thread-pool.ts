/**
 * A few worker threads running bundle-jobs.ts jobs, for bundle export and import in Node: metric
 * files are formatted (and written) or parsed on other cores while this thread reads the store or
 * the bundle. Formatting and parsing 10M points is several seconds of one core; file creation on
 * a VM's disk is as much again, in the kernel.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { TrackerError, type ErrorCode } from "../../errors.js";
import type { BundleSource } from "../io.js";
import type { MetricColumnsOfKey } from "../metric-file.js";
import type { MetricFormatter } from "../zip/zip-sink.js";
import { READ_LIMITS } from "../limits.js";
import type { ReadRun, RunLocation } from "../read-run.js";
import { packMetrics, type BundleSpec, type FormatReply, type Job, type JobError, type ParseReply, type ReadRunReply } from "./bundle-jobs.js";
import { fsError } from "./fs-errors.js";
import { startWorker } from "../../../worker/node-worker-start.js";

/** Threads used when the caller does not say: the cores, at most 4 (more showed no gain: the disk or this thread limits). */
export function defaultThreads(): number {
  return Math.min(4, availableParallelism());
}

/**
 * The built worker entry: `mlruns-worker.cjs` beside the CommonJS bundle, else `bundle-worker.js`
 * beside this file in the ESM build; undefined when running from sources (then work stays on
 * this thread).
 */
export function locateBundleWorker(): URL | undefined {
  for (const name of ["./mlruns-worker.cjs", "./bundle-worker.js"]) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/** Worker threads answering jobs; each job goes to the thread with the fewest in hand. */
export class ThreadPool {
  private readonly workers: { worker: Worker; jobs: number }[] = [];
  private readonly pending = new Map<number, { ok(reply: unknown): void; fail(e: unknown): void; slot: { worker: Worker; jobs: number } }>();
  private nextId = 1;
  private broken: unknown;

  private constructor(entry: URL, threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(entry);
      const slot = { worker, jobs: 0 };
      worker.on("message", (m: { id: number; reply?: unknown; error?: JobError }) => this.settle(m));
      // A worker that dies (out of memory, a bug) fails what it had; the pool takes no more work.
      worker.on("error", (e) => this.fail(slot, e));
      worker.on("exit", (code) => this.fail(slot, new TrackerError("INTERNAL_ERROR", `A bundle worker thread stopped (exit code ${code}).`)));
      // Idle threads keep no process alive; one with a job in hand does (its answer is awaited).
      worker.unref();
      this.workers.push(slot);
    }
  }

  /** A pool of `threads` workers, or undefined when there are none to have (no built entry, no thread support, `threads` < 1). */
  static start(threads: number = defaultThreads()): ThreadPool | undefined {
    const entry = locateBundleWorker();
    if (entry === undefined || threads < 1) return undefined;
    try {
      return new ThreadPool(entry, threads);
    } catch {
      return undefined;
    }
  }

  /** Number of threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs `job` on the least busy thread (or on `slot`), moving `transfer` there. Rejects with the job's error. */
  run<R>(job: Job, transfer: ArrayBuffer[] = [], slot = this.workers.reduce((a, b) => (b.jobs < a.jobs ? b : a))): Promise<R> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const id = this.nextId++;
    if (slot.jobs++ === 0) slot.worker.ref();
    return new Promise<R>((ok, fail) => {
      this.pending.set(id, { ok: ok as (r: unknown) => void, fail, slot });
      slot.worker.postMessage({ id, job }, transfer);
    });
  }

  /** Ends the threads, once each has closed the bundles it opened (jobs still pending fail). */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      await Promise.all(this.workers.map((w) => this.run({ kind: "close" }, [], w).catch(() => undefined)));
      this.broken ??= new TrackerError("INTERNAL_ERROR", "The bundle worker threads were closed.");
      await Promise.all(this.workers.map((w) => w.worker.terminate()));
    })();
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private settle(m: { id: number; reply?: unknown; error?: JobError }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--p.slot.jobs === 0) p.slot.worker.unref();
    if (m.error) p.fail(new JobFailed(m.error));
    else p.ok(m.reply);
  }

  private fail(slot: { jobs: number }, e: unknown): void {
    this.broken ??= e;
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.fail(e);
    }
  }
}

/** How a job failed in its thread, as {@link ThreadPool.run} rejects. */
export class JobFailed extends Error {
  constructor(readonly failure: JobError) {
    super(failure.message);
  }
}

/**
 * A job's failure as a TrackerError: the job's own TrackerError, or a file-system error mapped by
 * fsError with `action` saying what was being done (given the bundle path the job was at).
 * Anything else (a pool that broke) passes through.
 */
export function jobFailure(e: unknown, action: (path: string | undefined) => string): unknown {
  if (!(e instanceof JobFailed)) return e;
  const f = e.failure;
  if (f.trackerCode !== undefined) return new TrackerError(f.trackerCode as ErrorCode, f.message);
  if (f.code !== undefined) return fsError(Object.assign(new Error(f.message), { code: f.code }), action(f.path));
  return new TrackerError("INTERNAL_ERROR", f.message);
}

/**
 * Formats metric files on `pool`: their bytes and CRC-32s, in order, for a zip sink. The points
 * are packed (copied) before it returns.
 */
export function poolFormatter(pool: ThreadPool): MetricFormatter {
  const spare: Float64Array[] = [];
  return async (metrics) => {
    const { packed, columns } = packMetrics(metrics, spare.pop());
    const r = await pool.run<FormatReply>({ kind: "format", metrics: packed, columns }, [columns.buffer as ArrayBuffer]);
    if (spare.length < 2 * pool.size) spare.push(r.columns);
    return { chunks: r.chunks, crcs: r.crcs };
  };
}

/**
 * `source` with its metric files parsed on `pool`: read there too when the source has them on the
 * local disk (`localPath`), else read here and moved there. Closing it ends the pool.
 */
export function withPoolParsing(source: BundleSource, pool: ThreadPool): BundleSource {
  const readMetricFiles = async (paths: string[], maxBytes: number, check = false): Promise<MetricColumnsOfKey[]> => {
    // One job per thread at most: a run's files spread over the threads.
    const per = Math.ceil(paths.length / pool.size);
    const jobs: Promise<ParseReply>[] = [];
    for (let at = 0; at < paths.length; at += per) {
      const names = paths.slice(at, at + per);
      const local = names.map((p) => source.localPath?.(p));
      if (local.every((l): l is string => l !== undefined)) {
        const job = pool.run<ParseReply>({ kind: "parse", names, paths: local, maxBytes, check });
        jobs.push(job.catch((e: unknown) => Promise.reject(jobFailure(e, (p) => `read ${p ?? names.join(", ")}`))));
      } else {
        const files: Uint8Array[] = [];
        for (const p of names) files.push(await source.read(p, maxBytes));
        const job = pool.run<ParseReply>({ kind: "parse", names, files, check }, files.map((f) => f.buffer as ArrayBuffer));
        jobs.push(job.catch((e: unknown) => Promise.reject(jobFailure(e, () => `parse ${names.join(", ")}`))));
      }
    }
    jobs.forEach((j) => j.catch(() => undefined)); // the first failure is thrown below; the others are not unhandled
    return (await Promise.all(jobs)).flatMap((r) => r.parsed);
  };
  return { ...source, readMetricFiles, close: () => pool.close().then(() => source.close()) };
}

/**
 * Reads runs of the bundle `spec` on `pool` (bundle-jobs.ts's read-run job): each run's folders
 * are listed and its files read and parsed there. `source` is the same bundle opened on this
 * thread, which the runs' artifacts are read from when they are written.
 */
export function poolRunReader(pool: ThreadPool, spec: BundleSpec, source: BundleSource, mlartifacts: string | undefined): (loc: RunLocation, check: boolean) => Promise<ReadRun> {
  return async (loc, check) => {
    const r = await pool.run<ReadRunReply>({ kind: "read-run", bundle: spec, loc, mlartifacts, check }).catch((e: unknown) => Promise.reject(jobFailure(e, (p) => `read ${p ?? loc.dir} in ${source.label}`)));
    const artifacts = r.record.artifacts.map((a) => ({ ...a, read: () => source.read(a.bundlePath!, READ_LIMITS.artifactBytes) }));
    return { ...r, record: { ...r.record, artifacts } };
  };
}
