/**
 * Compaction of a run's history in place: the small frames at the end of the file (from
 * `compactFrom`) are merged into one frame of large batches, which overwrites them.
 *
 * Why in place, through a redo file: rewriting the whole file beside the old one and renaming it
 * was crash-safe but copied the whole history each time, so a run that only ever wrote small
 * frames cost O(n²) bytes copied. Now only the merged region is touched:
 *   1. the merged frame and where it goes are written to `history.tbseg.redo` and fsynced (a torn
 *      redo file fails its CRC and is removed at the next open; the history is untouched then);
 *   2. the frame overwrites the region and the file is cut after it, then fsynced;
 *   3. the redo file is removed (and the removal made durable) before anything else is appended.
 * A crash after 1 leaves a redo file that opening the store applies again ({@link recoverCompaction});
 * a crash before it leaves the file untouched. The merged frame holds the same points as the
 * region and is never longer than it, so step 2 never needs new disk space.
 *
 * @module
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { crc32 } from "node:zlib";
import type { MetricColumns } from "../../entities.js";
import { ioError } from "./files.js";
import { readTail, toPoints, type HistoryState } from "./history.js";
import { encodeFrame, MIN_FRAME_ROWS, scanFrames } from "./segments.js";

const REDO_MAGIC = 0x31524254; // "TBR1" read as little-endian u32
/** redo = magic (u32) · offset (f64) · frame length (u32) · frame · CRC-32 of everything before (u32) */
const REDO_HEADER = 16;

/** Where the redo file of a history file lives. */
export const redoPath = (history: string) => `${history}.redo`;

/** Merges the small frames from `state.compactFrom` on into one frame; returns the new state. */
export async function compactHistory(path: string, state: HistoryState): Promise<HistoryState> {
  const from = Math.min(state.compactFrom, state.bytes);
  const region = await readTail(path, from, state.bytes - from).catch((e) => { throw ioError("read", path, e); });
  const parts: MetricColumns[] = [];
  const scan = scanFrames(region, (b) =>
    parts.push({ keys: b.keys, keyIds: new Uint32Array(b.keyIds), values: b.values, steps: b.steps, timestamps: b.timestamps }),
  );
  if (scan.damage) throw ioError("compact", path, new Error(scan.damage));
  if (scan.frames <= 1) return state;
  const frame = encodeFrame(toPoints(parts));
  if (frame.length > region.length) return state;
  const bytes = concat(frame.parts, frame.length);
  const redo = new Uint8Array(REDO_HEADER + bytes.length + 4);
  const v = new DataView(redo.buffer);
  v.setUint32(0, REDO_MAGIC, true);
  v.setFloat64(4, from, true);
  v.setUint32(12, bytes.length, true);
  redo.set(bytes, REDO_HEADER);
  v.setUint32(REDO_HEADER + bytes.length, crc32(redo.subarray(0, REDO_HEADER + bytes.length)), true);
  await writeRedo(redoPath(path), redo);
  // From here on the file may be half rewritten until the redo is applied: retry once, then
  // leave the redo file for the next open and say so.
  await applyRedo(path, from, bytes).catch(() => applyRedo(path, from, bytes)).catch((e: unknown) => {
    throw new CompactionIncomplete(path, e);
  });
  const end = from + frame.length;
  const small = frame.rows < MIN_FRAME_ROWS;
  return {
    bytes: end,
    frames: state.frames - scan.frames + 1,
    smallFrames: small ? 1 : 0,
    ino: state.ino,
    compactFrom: small ? from : end,
    tailCrc: frame.crc,
  };
}

/**
 * Writes the redo file in place and fsyncs it (no temp file and rename: its CRC already tells a
 * torn redo file, which {@link recoverCompaction} removes, and nothing has been overwritten yet
 * when this is written).
 */
async function writeRedo(path: string, redo: Uint8Array): Promise<void> {
  try {
    const fh = await open(path, "w");
    try {
      for (let at = 0; at < redo.length; ) at += (await fh.write(redo, at, redo.length - at)).bytesWritten;
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await rm(path, { force: true }).catch(() => undefined);
    throw ioError("write", path, e);
  }
}

/** A compaction failed after its redo file was written: the history needs the next open to finish it. */
export class CompactionIncomplete extends Error {
  constructor(readonly path: string, cause: unknown) {
    super(`compacting ${path} failed half way (${(cause as Error)?.message ?? String(cause)}); its redo file is kept and the next open of the store finishes it`, { cause });
  }
}

/** Writes `frame` at `from`, cuts the file after it, fsyncs, then removes the redo file durably. */
async function applyRedo(path: string, from: number, frame: Uint8Array): Promise<void> {
  try {
    const fh = await open(path, "r+");
    try {
      for (let at = 0; at < frame.length; ) at += (await fh.write(frame, at, frame.length - at, from + at)).bytesWritten;
      await fh.truncate(from + frame.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rm(redoPath(path), { force: true });
    await syncDir(dirname(path));
  } catch (e) {
    throw ioError("compact", path, e);
  }
}

/**
 * Finishes a compaction a crash interrupted: applies a complete redo file again (idempotent:
 * nothing is appended to a history while its redo file exists) or removes a damaged one.
 * Returns a warning to report, if any.
 */
export async function recoverCompaction(path: string): Promise<string | undefined> {
  let redo: Uint8Array;
  try {
    redo = await readFile(redoPath(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw ioError("read", redoPath(path), e);
  }
  const v = new DataView(redo.buffer, redo.byteOffset, redo.byteLength);
  const length = redo.length >= REDO_HEADER ? v.getUint32(12, true) : -1;
  const intact =
    length >= 0 &&
    redo.length === REDO_HEADER + length + 4 &&
    v.getUint32(0, true) === REDO_MAGIC &&
    crc32(redo.subarray(0, REDO_HEADER + length)) === v.getUint32(REDO_HEADER + length, true);
  if (!intact) {
    await rm(redoPath(path), { force: true });
    return `${redoPath(path)} is damaged; removed it (the history it was about to rewrite is checked next).`;
  }
  const from = v.getFloat64(4, true);
  const size = await stat(path).then((s) => s.size, () => -1);
  if (size < from) {
    await rm(redoPath(path), { force: true });
    return `${redoPath(path)} points past the end of ${path}; removed it.`;
  }
  await applyRedo(path, from, redo.subarray(REDO_HEADER, REDO_HEADER + length));
  return `${path}: finished a compaction that was interrupted.`;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r").catch(() => undefined);
  // Some file systems refuse fsync on a folder; the removal itself has happened either way.
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
