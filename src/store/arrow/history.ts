/**
 * One run's metric history file: appending frames, reading one key back as columns, scanning
 * for the latest values, and compacting many small frames into one with large batches.
 *
 * @module
 */
import { copyFile, open, readFile, rename, rm, stat, truncate } from "node:fs/promises";
import type { MetricColumns, MetricHistory } from "../../entities.js";
import { isLater, type LatestPoint } from "../latest.js";
import { emptyHistory } from "../memory/series.js";
import { appendAt, ioError, syncFile } from "./files.js";
import { encodeFrame, MIN_FRAME_ROWS, scanFrames, type BatchView, type FrameScan, type Points } from "./segments.js";

/**
 * What the store remembers about a history file: its intact length, frame counts, inode (to
 * notice a rewrite), and `compactFrom`, the offset of the first small frame not yet compacted
 * (everything before it is already in large frames and is never rewritten).
 */
export type HistoryState = { bytes: number; frames: number; smallFrames: number; ino: number; compactFrom: number };

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
  await appendAt(path, state.bytes, [frame.header, frame.payload, frame.trailer]);
  const ino = state.ino || (await stat(path)).ino;
  const small = points.values.length < MIN_FRAME_ROWS;
  const smallFrames = (state.smallFrames ?? 0) + (small ? 1 : 0);
  const bytes = state.bytes + frame.length;
  // The compaction region starts at the first small frame; large frames before it stay put.
  const compactFrom = (state.smallFrames ?? 0) > 0 ? state.compactFrom : small ? state.bytes : bytes;
  return { bytes, frames: state.frames + 1, smallFrames, ino, compactFrom };
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

/** Reads `length` bytes at `position` with positioned reads into one unzeroed buffer. */
export async function readTail(path: string, position: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/**
 * Every point of `key`, in logging order, from the frames of `bytes` (up to `limit`). Their
 * checksums are not checked again: these are bytes the store verified at open or wrote itself.
 */
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
  }, 0, false);
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
  const st = await stat(path).catch(() => undefined);
  if (!st) return { scan: { validBytes: 0, frames: 0, smallFrames: 0, firstSmallAt: 0 }, ino: 0 };
  // Only the bytes past what the caller already knows (the snapshot's share) are read.
  const start = Math.min(from, st.size);
  const tail = start === st.size ? new Uint8Array(0) : await readTail(path, start, st.size - start);
  const scan = scanFrames(tail, (b) => updateLatest(latest, b));
  const absolute: FrameScan = { ...scan, validBytes: start + scan.validBytes, firstSmallAt: start + scan.firstSmallAt };
  if (scan.damage) {
    absolute.damage = scan.damage.replace(/byte (\d+)/, (_, n: string) => `byte ${start + Number(n)}`);
    if (repair) await truncate(path, absolute.validBytes).catch((e) => { throw ioError("repair", path, e); });
  }
  return { scan: absolute, ino: st.ino };
}

/**
 * Merges the frames from `state.compactFrom` on into one frame of large batches. The bytes
 * before it are copied as they are; the new file is written beside the old one and renamed over
 * it, so a crash at any point leaves either the old file or the new one. Returns the new state.
 */
export async function compactHistory(path: string, state: HistoryState): Promise<HistoryState> {
  const from = Math.min(state.compactFrom, state.bytes);
  const region = await readTail(path, from, state.bytes - from);
  const parts: MetricColumns[] = [];
  const scan = scanFrames(region, (b) =>
    parts.push({ keys: b.keys, keyIds: new Uint32Array(b.keyIds), values: b.values, steps: b.steps, timestamps: b.timestamps }),
  );
  if (scan.frames <= 1) return state;
  const points = toPoints(parts);
  const frame = encodeFrame(points);
  const tmp = `${path}.compact.tmp`;
  try {
    await copyFile(path, tmp);
    await truncate(tmp, from);
    await appendAt(tmp, from, [frame.header, frame.payload, frame.trailer]);
    await syncFile(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError("compact", path, e);
  }
  const small = points.values.length < MIN_FRAME_ROWS;
  const bytes = from + frame.length;
  return {
    bytes,
    frames: state.frames - scan.frames + 1,
    smallFrames: small ? 1 : 0,
    ino: (await stat(path)).ino,
    compactFrom: small ? from : bytes,
  };
}
