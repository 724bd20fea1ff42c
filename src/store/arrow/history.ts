/**
 * One run's metric history file: appending frames, reading one key back as columns, scanning
 * for the latest values, and compacting many small frames into one with large batches.
 *
 * @module
 */
import { readFile, stat, truncate } from "node:fs/promises";
import type { MetricColumns, MetricHistory } from "../../entities.js";
import { isLater, type LatestPoint } from "../latest.js";
import { emptyHistory } from "../memory/series.js";
import { appendAt, ioError, writeAtomic } from "./files.js";
import { encodeFrame, scanFrames, type BatchView, type FrameScan, type Points } from "./segments.js";

/** What the store remembers about a history file. */
export type HistoryState = { bytes: number; frames: number; ino: number };

/** Concatenates metric columns of one run into points with one shared key list. */
export function toPoints(parts: readonly MetricColumns[]): Points {
  const keys: string[] = [];
  const ids = new Map<string, number>();
  let n = 0;
  for (const p of parts) n += p.values.length;
  const out: Points = { keys, keyIds: new Int32Array(n), steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  for (const p of parts) {
    const map = p.keys.map((k) => {
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = keys.push(k) - 1));
      return id;
    });
    for (let i = 0; i < p.values.length; i++) out.keyIds[at + i] = map[p.keyIds[i]!]!;
    out.steps.set(p.steps, at);
    out.values.set(p.values, at);
    out.timestamps.set(p.timestamps, at);
    at += p.values.length;
  }
  return out;
}

/** Appends one frame; on failure the file is left as it was. Returns the new state. */
export async function appendPoints(path: string, state: HistoryState, points: Points): Promise<HistoryState> {
  const frame = encodeFrame(points);
  await appendAt(path, state.bytes, frame);
  const ino = state.ino || (await stat(path)).ino;
  return { bytes: state.bytes + frame.length, frames: state.frames + 1, ino };
}

/** Reads a history file, tolerating a missing file. */
export async function readHistoryBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Uint8Array(0);
    throw ioError("read", path, e);
  }
}

/** Every point of `key`, in logging order, from the intact frames of `bytes`. */
export function historyOf(bytes: Uint8Array, key: string, limit = bytes.length): MetricHistory {
  const chunks: { steps: Float64Array; values: Float64Array; timestamps: Float64Array }[] = [];
  let total = 0;
  scanFrames(bytes.subarray(0, limit), (b) => {
    const want = b.keys.indexOf(key);
    if (want < 0) return;
    const ids = b.keyIds;
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] === want) n++;
    if (n === 0) return;
    if (n === ids.length) {
      chunks.push({ steps: b.steps, values: b.values, timestamps: b.timestamps });
    } else {
      const c = { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
      for (let i = 0, j = 0; i < ids.length; i++) {
        if (ids[i] !== want) continue;
        c.steps[j] = b.steps[i]!;
        c.values[j] = b.values[i]!;
        c.timestamps[j++] = b.timestamps[i]!;
      }
      chunks.push(c);
    }
    total += n;
  });
  if (total === 0) return emptyHistory(key);
  const h: MetricHistory = { key, steps: new Float64Array(total), values: new Float64Array(total), timestamps: new Float64Array(total) };
  let at = 0;
  for (const c of chunks) {
    h.steps.set(c.steps, at);
    h.values.set(c.values, at);
    h.timestamps.set(c.timestamps, at);
    at += c.steps.length;
  }
  return h;
}

/** Updates `latest` with every point of one batch. */
export function updateLatest(latest: Map<string, LatestPoint>, b: BatchView | Points): void {
  for (let i = 0; i < b.values.length; i++) {
    const key = b.keys[b.keyIds[i]!]!;
    const step = b.steps[i]!;
    const ts = b.timestamps[i]!;
    const value = b.values[i]!;
    if (isLater(latest.get(key), step, ts, value)) latest.set(key, { step, timestamp: ts, value });
  }
}

/**
 * Scans the frames of a history file from byte `from` into `latest`. A writer cuts a damaged
 * tail off (`repair`); either way the damage is reported.
 */
export async function scanHistory(
  path: string,
  latest: Map<string, LatestPoint>,
  from: number,
  repair: boolean,
): Promise<{ scan: FrameScan; ino: number }> {
  const bytes = await readHistoryBytes(path);
  const scan = scanFrames(bytes, (b) => updateLatest(latest, b), Math.min(from, bytes.length));
  if (scan.damage && repair) await truncate(path, scan.validBytes).catch((e) => { throw ioError("repair", path, e); });
  const ino = bytes.length > 0 ? (await stat(path)).ino : 0;
  return { scan, ino };
}

/**
 * Rewrites a history file as one frame of large batches (write a temp file, then rename, so a
 * crash at any point leaves either the old file or the new one). Returns the new state.
 */
export async function compactHistory(path: string): Promise<HistoryState> {
  const bytes = await readHistoryBytes(path);
  const parts: MetricColumns[] = [];
  const scan = scanFrames(bytes, (b) =>
    parts.push({ keys: b.keys, keyIds: new Uint32Array(b.keyIds), values: b.values, steps: b.steps, timestamps: b.timestamps }),
  );
  const frame = encodeFrame(toPoints(parts));
  await writeAtomic(path, frame);
  const frames = scan.frames === 0 ? 0 : 1;
  return { bytes: frames ? frame.length : 0, frames, ino: (await stat(path)).ino };
}
