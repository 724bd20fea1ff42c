/**
 * One run's metric history file: appending frames and scanning them for the latest values.
 * Reading a key back is history-read.ts; merging small frames is compact.ts.
 *
 * @module
 */
import { open, readFile, stat, truncate } from "node:fs/promises";
import type { MetricColumns } from "../../entities.js";
import type { LatestPoint } from "../latest.js";
import { appendAt, ioError, type HandleCache } from "./files.js";
import { encodeFrame, MIN_FRAME_ROWS, scanFrames, type BatchView, type FrameScan, type Points } from "./segments.js";

/**
 * What the store remembers about a history file: its intact length, frame counts, inode (to
 * notice a rewrite), and `compactFrom`, the offset of the first small frame not yet compacted
 * (everything before it is already in large frames and is never rewritten).
 */
export type HistoryState = {
  bytes: number;
  frames: number;
  smallFrames: number;
  ino: number;
  compactFrom: number;
  /** CRC trailer of the last frame before `bytes`: tells a snapshot whether the file is still the one it describes. */
  tailCrc?: number;
};

/**
 * Concatenates metric columns of one run into points with one shared key list. Chunks that are
 * consecutive views of one buffer with one key list (what the client sends) become one view
 * with no copy.
 */
export function toPoints(parts: readonly MetricColumns[]): Points {
  const whole = joinedView(parts);
  if (whole) return whole;
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

function joinedView(parts: readonly MetricColumns[]): Points | undefined {
  const first = parts[0];
  if (!first || !(first.keyIds instanceof Uint32Array)) return undefined;
  const cols = (p: MetricColumns) => [p.keyIds, p.steps, p.values, p.timestamps] as const;
  let n = first.values.length;
  for (let i = 1; i < parts.length; i++) {
    const a = cols(parts[i - 1]!), b = cols(parts[i]!);
    if (parts[i]!.keys !== first.keys) return undefined;
    for (let c = 0; c < 4; c++) {
      if (b[c]!.buffer !== a[c]!.buffer || b[c]!.byteOffset !== a[c]!.byteOffset + a[c]!.byteLength) return undefined;
    }
    n += parts[i]!.values.length;
  }
  const k = first.keyIds;
  return {
    keys: [...first.keys],
    keyIds: new Int32Array(k.buffer, k.byteOffset, n),
    steps: new Float64Array(first.steps.buffer, first.steps.byteOffset, n),
    values: new Float64Array(first.values.buffer, first.values.byteOffset, n),
    timestamps: new Float64Array(first.timestamps.buffer, first.timestamps.byteOffset, n),
  };
}

/** Appends one frame; on failure the file is left as it was. Returns the new state. */
export async function appendPoints(path: string, state: HistoryState, points: Points, handles?: HandleCache): Promise<HistoryState> {
  const frame = encodeFrame(points);
  await appendAt(path, state.bytes, frame.parts, handles);
  const ino = state.ino || (await stat(path)).ino;
  const small = points.values.length < MIN_FRAME_ROWS;
  const smallFrames = (state.smallFrames ?? 0) + (small ? 1 : 0);
  const bytes = state.bytes + frame.length;
  // The compaction region starts at the first small frame; large frames before it stay put.
  const compactFrom = (state.smallFrames ?? 0) > 0 ? state.compactFrom : small ? state.bytes : bytes;
  return { bytes, frames: state.frames + 1, smallFrames, ino, compactFrom, tailCrc: frame.crc };
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
 * Updates `latest` with every point of one batch, in order, as {@link isLater} would point by
 * point. The running best per key lives in typed arrays indexed by key id (no string lookups per
 * point); starting from the stored latest keeps the exact sequential result even with NaN values,
 * whose comparisons are not transitive.
 */
export function updateLatest(latest: Map<string, LatestPoint>, b: BatchView | Points): void {
  const k = b.keys.length;
  const bs = new Float64Array(k), bt = new Float64Array(k), bv = new Float64Array(k);
  const state = new Uint8Array(k); // 0 none, 1 stored, 2 changed
  for (let id = 0; id < k; id++) {
    const p = latest.get(b.keys[id]!);
    if (!p) continue;
    state[id] = 1;
    bs[id] = p.step;
    bt[id] = p.timestamp;
    bv[id] = p.value;
  }
  const { keyIds, steps, timestamps, values } = b;
  for (let i = 0; i < values.length; i++) {
    const id = keyIds[i]!;
    const s = steps[i]!, t = timestamps[i]!, v = values[i]!;
    if (state[id] === 0 || (s !== bs[id] ? s > bs[id]! : t !== bt[id] ? t > bt[id]! : v > bv[id]!)) {
      state[id] = 2;
      bs[id] = s;
      bt[id] = t;
      bv[id] = v;
    }
  }
  for (let id = 0; id < k; id++) if (state[id] === 2) latest.set(b.keys[id]!, { step: bs[id]!, timestamp: bt[id]!, value: bv[id]! });
}

/**
 * Scans the frames of a history file from byte `from` (up to byte `cap`, if given) into
 * `latest`. A writer cuts a damaged tail off (`repair`); either way the damage is reported.
 */
export async function scanHistory(
  path: string,
  latest: Map<string, LatestPoint>,
  from: number,
  repair: boolean,
  cap = Infinity,
): Promise<{ scan: FrameScan; ino: number }> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return { scan: { validBytes: 0, frames: 0, smallFrames: 0, firstSmallAt: 0 }, ino: 0 };
  const size = Math.min(st.size, cap);
  // Only the bytes past what the caller already knows (the snapshot's share) are read.
  const start = Math.min(from, size);
  const tail = start === size ? new Uint8Array(0) : await readTail(path, start, size - start);
  const scan = scanFrames(tail, (b) => updateLatest(latest, b));
  const absolute: FrameScan = { ...scan, validBytes: start + scan.validBytes, firstSmallAt: start + scan.firstSmallAt };
  if (scan.damage) {
    absolute.damage = scan.damage.replace(/byte (\d+)/, (_, n: string) => `byte ${start + Number(n)}`);
    if (repair) await truncate(path, absolute.validBytes).catch((e) => { throw ioError("repair", path, e); });
  }
  return { scan: absolute, ino: st.ino };
}
