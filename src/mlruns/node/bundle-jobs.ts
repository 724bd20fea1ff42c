/**
 * The work bundle worker threads do (bundle-worker.ts), as plain functions of plain messages, so
 * the same code runs in a worker and, in tests, on this thread. Metric points travel packed in
 * one Float64Array per job (timestamps, values, steps of each file in turn), moved, not copied.
 *
 * - `write`: creates folders and files under a root on the local disk, formatting metric files
 *   there, with synchronous calls: one thread doing open, write, close in a row, where async calls
 *   cost three thread-pool round trips per file, each waking the main thread.
 * - `format`: formats metric files and returns their bytes and CRC-32s (for a zip).
 * - `parse`: parses metric files (bytes, or paths on the local disk) into columns.
 * - `read-run`: reads a whole run of a bundle on the local disk (read-run.ts), so the importing
 *   thread neither lists its folders nor reads its ~30 small files; `close` closes those bundles.
 *
 * @module
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import * as zlib from "node:zlib";
import { isTrackerError, TrackerError } from "../../errors.js";
import type { MetricHistory } from "../../entities.js";
import { decodeText, type BundleSource } from "../io.js";
import { checkMetricLines, formatMetricLines, MAX_METRIC_LINE, parseMetricBytes, type MetricColumnsOfKey } from "../metric-file.js";
import { readRun, type ReadRun, type RunLocation } from "../read-run.js";
import type { RecordArtifact, RunRecord } from "../run-record.js";
import { crc32 as crc32Js } from "../zip/crc32.js";
import type { ZipLimits } from "../zip/zip-limits.js";
import { openZipSource } from "../zip/zip-source.js";
import { folderSource } from "./folder-source.js";
import { fileAccess } from "./zip-file.js";

/** Points of one metric file in a packed job: `count` lines, written to `path`. */
export type PackedMetric = { path: string; count: number };

/** Creates `dirs`, then writes `files` and the metric files, all under `root`. */
export type WriteJob = { kind: "write"; root: string; dirs: string[]; files: [string, Uint8Array][]; metrics: PackedMetric[]; columns: Float64Array };
/** Formats metric files; answers their bytes and CRC-32s. */
export type FormatJob = { kind: "format"; metrics: PackedMetric[]; columns: Float64Array };
/** Parses (or with `check`, checks) metric files given as bytes (`files`) or paths on the local disk (`paths`, read up to `maxBytes`). */
export type ParseJob = { kind: "parse"; names: string[]; files?: Uint8Array[]; paths?: string[]; maxBytes?: number; check?: boolean };
/** A bundle on the local disk, as a worker opens it: a folder (its root), or a zip file. */
export type BundleSpec = { folder: string } | { zip: string; limits: Partial<ZipLimits> };
/** Reads the run at `loc` as read-run.ts's readRun does. */
export type ReadRunJob = { kind: "read-run"; bundle: BundleSpec; loc: RunLocation; mlartifacts: string | undefined; check: boolean };
/** Closes the bundles read-run jobs opened. */
export type CloseJob = { kind: "close" };
export type Job = WriteJob | FormatJob | ParseJob | ReadRunJob | CloseJob;

/** A failure, as plain data: a file-system error's code, or a TrackerError's. */
export type JobError = { message: string; code?: string; trackerCode?: string; path?: string };

export type WriteReply = { columns: Float64Array; bytes: number };
export type FormatReply = { columns: Float64Array; chunks: Uint8Array[]; crcs: number[] };
export type ParseReply = { parsed: MetricColumnsOfKey[] };
/** A run as read, its artifacts without their `read` (a function does not cross threads; `bundlePath` says where they are). */
export type ReadRunReply = Omit<ReadRun, "record"> & { record: Omit<RunRecord, "artifacts"> & { artifacts: Omit<RecordArtifact, "read">[] } };

/** Lines formatted per write (bounds a worker's buffer whatever a history's length). */
const LINES_PER_WRITE = 16384;

/** Packs the points `from`…`to` of each history into one array, as a job carries them. */
export function packMetrics(metrics: readonly { path: string; history: MetricHistory; from: number; to: number }[], reuse?: Float64Array): { packed: PackedMetric[]; columns: Float64Array } {
  let total = 0;
  for (const m of metrics) total += m.to - m.from;
  const columns = reuse !== undefined && reuse.length >= 3 * total ? reuse : new Float64Array(Math.max(3 * total, 1024));
  const packed: PackedMetric[] = [];
  let at = 0;
  for (const { path, history: h, from, to } of metrics) {
    const n = to - from;
    columns.set(h.timestamps.subarray(from, to), at);
    columns.set(h.values.subarray(from, to), at + n);
    columns.set(h.steps.subarray(from, to), at + 2 * n);
    at += 3 * n;
    packed.push({ path, count: n });
  }
  return { packed, columns };
}

/** Each packed metric's columns, as views. */
function* unpack(metrics: readonly PackedMetric[], columns: Float64Array): Generator<[PackedMetric, Pick<MetricHistory, "timestamps" | "values" | "steps">]> {
  let at = 0;
  for (const m of metrics) {
    const n = m.count;
    yield [m, { timestamps: columns.subarray(at, at + n), values: columns.subarray(at + n, at + 2 * n), steps: columns.subarray(at + 2 * n, at + 3 * n) }];
    at += 3 * n;
  }
}

/** A buffer kept between jobs: formatting fills the same memory again (fresh memory is slow to touch on a VM). */
let scratch = new Uint8Array(0);
function room(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(bytes);
  return scratch;
}

/** Runs a write job. Files must not exist: a file is created once (`wx`). */
export function runWrite(job: WriteJob): WriteReply {
  const made = new Set<string>();
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  let bytes = 0;
  let current = "";
  try {
    for (const d of job.dirs) ensureDir(join(job.root, (current = d)));
    for (const [path, data] of job.files) {
      current = path;
      const file = join(job.root, path);
      ensureDir(dirname(file));
      writeNew(file, [data]);
      bytes += data.length;
    }
    for (const [m, h] of unpack(job.metrics, job.columns)) {
      current = m.path;
      const file = join(job.root, m.path);
      ensureDir(dirname(file));
      const buf = room(Math.min(m.count, LINES_PER_WRITE) * MAX_METRIC_LINE);
      const fd = openSync(file, "wx");
      try {
        for (let i = 0; i < m.count; i += LINES_PER_WRITE) {
          const end = formatMetricLines(h, i, Math.min(m.count, i + LINES_PER_WRITE), buf, 0);
          writeAll(fd, buf.subarray(0, end));
          bytes += end;
        }
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    throw Object.assign(e as Error, { bundlePath: current });
  }
  return { columns: job.columns, bytes };
}

/** Runs a format job. */
export function runFormat(job: FormatJob, crc32: (data: Uint8Array) => number = nativeCrc32): FormatReply {
  const chunks: Uint8Array[] = [];
  const crcs: number[] = [];
  for (const [m, h] of unpack(job.metrics, job.columns)) {
    const buf = room(m.count * MAX_METRIC_LINE);
    const bytes = buf.slice(0, formatMetricLines(h, 0, m.count, buf, 0));
    chunks.push(bytes);
    crcs.push(crc32(bytes));
  }
  return { columns: job.columns, chunks, crcs };
}

/** Runs a parse job; errors are the parser's (TrackerErrors naming the file and line). */
export function runParse(job: ParseJob): ParseReply {
  const parsed: MetricColumnsOfKey[] = [];
  for (let i = 0; i < job.names.length; i++) {
    const name = job.names[i]!;
    const bytes = job.files ? job.files[i]! : readWhole(job.paths![i]!, job.maxBytes ?? Infinity);
    parsed.push(job.check ? checkMetricLines(decodeText(bytes, name), name, bytes) : parseMetricBytes(bytes, name));
  }
  return { parsed };
}

/** Bundles read-run jobs opened in this thread, by spec. */
const bundles = new Map<string, Promise<BundleSource>>();

function bundleSource(spec: BundleSpec): Promise<BundleSource> {
  const key = JSON.stringify(spec);
  let source = bundles.get(key);
  if (!source) {
    source = "folder" in spec ? Promise.resolve(folderSource(spec.folder)) : fileAccess(spec.zip).then((access) => openZipSource(access, spec.zip, spec.limits, nativeCrc32));
    source.catch(() => bundles.delete(key));
    bundles.set(key, source);
  }
  return source;
}

/** Runs a read-run job. */
export async function runReadRun(job: ReadRunJob): Promise<ReadRunReply> {
  const r = await readRun(await bundleSource(job.bundle), job.loc, job.mlartifacts, job.check);
  return { ...r, record: { ...r.record, artifacts: r.record.artifacts.map(({ read: _read, ...a }) => a) } };
}

/** Runs a close job. */
export async function closeBundles(): Promise<void> {
  const all = [...bundles.values()];
  bundles.clear();
  for (const s of all) await (await s.catch(() => undefined))?.close();
}

/** A job's failure as plain data (what survives a `postMessage`). */
export function jobError(e: unknown): JobError {
  const err = e as { message?: string; code?: unknown; bundlePath?: string };
  const out: JobError = { message: String(err?.message ?? e) };
  if (isTrackerError(e)) out.trackerCode = e.code;
  else if (typeof err?.code === "string") out.code = err.code;
  if (typeof err?.bundlePath === "string") out.path = err.bundlePath;
  return out;
}

/** Node's own CRC-32 where it has one (Node ≥ 20.15), ~20× the JS one. */
export const nativeCrc32: (data: Uint8Array, crc?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === "function" ? (data, crc = 0) => (zlib as unknown as { crc32(d: Uint8Array, c: number): number }).crc32(data, crc) : crc32Js;

function writeNew(file: string, chunks: Uint8Array[]): void {
  const fd = openSync(file, "wx");
  try {
    for (const c of chunks) writeAll(fd, c);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) {
    const n = writeSync(fd, data, at, data.length - at);
    if (n === 0) throw Object.assign(new Error("no bytes could be written"), { code: "ENOSPC" });
    at += n;
  }
}

function readWhole(path: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `${path} has ${size} bytes; the limit for this file is ${maxBytes}.`);
    const buf = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
