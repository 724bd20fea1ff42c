/**
 * Metric history on disk: a run's `history.tbseg` is a sequence of frames, each holding one
 * complete Arrow IPC stream (schema, dictionary, record batches, end-of-stream):
 *
 *   frame = "TBS1" (4 bytes) · payload length (u32 LE) · payload (Arrow IPC stream) · CRC-32 of payload (u32 LE)
 *
 * Why a frame around standard IPC: a crash can tear the last append, and a torn or garbage tail
 * must be detected, not parsed. Length + CRC make every frame self-checking, so a reader keeps
 * every intact frame and stops at the first damaged one. Each payload is a plain Arrow stream
 * that any Arrow reader opens.
 *
 * Columns: `key` dictionary<utf8, int32> with the fixed dictionary id 0 (integration-notes §5:
 * auto ids silently drop batches), `step`, `value` and `timestamp` float64. Steps are float64,
 * not int64: the client accepts only safe integers (|step| < 2^53), which float64 holds exactly,
 * and float64 columns come back as Float64Arrays with no BigInt conversion on the read path.
 *
 * @module
 */
import { Dictionary, Field, Float64, Int32, Schema, Utf8 } from "apache-arrow";
import { crc32 } from "node:zlib";
import { decodeStream, encodeStream, type BatchView } from "./ipc-codec.js";

export type { BatchView } from "./ipc-codec.js";

const MAGIC = 0x31534254; // "TBS1" read as little-endian u32
const HEADER = 8;
const TRAILER = 4;
/** Rows per record batch when writing large segments (compaction); ≥ 1k as DESIGN asks. */
export const BATCH_ROWS = 65_536;
/** A frame with fewer rows than this is "small": compaction merges those (into frames of ~16 × as many rows, so a
 * long history is read in a few dozen frames, not thousands). */
export const MIN_FRAME_ROWS = 4096;

const KEY_TYPE = new Dictionary(new Utf8(), new Int32(), 0);
/** The history schema (see the module comment). */
export const SCHEMA = new Schema([
  new Field("key", KEY_TYPE, false),
  new Field("step", new Float64(), false),
  new Field("value", new Float64(), false),
  new Field("timestamp", new Float64(), false),
]);

/** Points of one run, columnar; `keyIds` index `keys`. */
export type Points = {
  keys: string[];
  keyIds: Int32Array;
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
};

/** A frame as the parts to write in order (header, Arrow IPC payload pieces, CRC trailer), never joined. */
export type Frame = { parts: Uint8Array[]; length: number; rows: number; crc: number };

/** Encodes points as one frame (an Arrow IPC stream of batches of at most {@link BATCH_ROWS}). */
export function encodeFrame(p: Points): Frame {
  const stream = encodeStream(p, BATCH_ROWS);
  let crc = 0;
  for (const part of stream.parts) crc = crc32(part, crc);
  const header = new Uint8Array(HEADER);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, MAGIC, true);
  hv.setUint32(4, stream.length, true);
  const trailer = new Uint8Array(TRAILER);
  new DataView(trailer.buffer).setUint32(0, crc, true);
  return { parts: [header, ...stream.parts, trailer], length: HEADER + stream.length + TRAILER, rows: p.values.length, crc };
}

/** What reading a history file found. */
export type FrameScan = {
  /** Bytes of intact frames from the start; anything after is damaged. */
  validBytes: number;
  /** Intact frames. */
  frames: number;
  /** Intact frames with fewer than {@link MIN_FRAME_ROWS} rows. */
  smallFrames: number;
  /** Byte offset of the first small frame, or `validBytes` when there is none. */
  firstSmallAt: number;
  /** The CRC trailer of the last intact frame (a fingerprint of the file up to `validBytes`). */
  lastCrc?: number;
  /** Why reading stopped early, if it did (torn or corrupt tail). */
  damage?: string;
};

/**
 * Walks the frames of `bytes`, calling `onBatch` for every record batch of every intact frame,
 * and stops at the first torn or corrupt frame. Framing is always checked; `verify` adds the CRC.
 */
export function scanFrames(bytes: Uint8Array, onBatch: (b: BatchView) => void, from = 0, verify = true): FrameScan {
  return walkFrames(
    bytes,
    (payload) => {
      // Decode all batches before handing any out, so a frame counts whole or not at all.
      const views = decodeStream(payload);
      let rows = 0;
      for (const v of views) {
        rows += v.values.length;
        onBatch(v);
      }
      return rows;
    },
    from,
    verify,
  );
}

/**
 * Walks the frames of `bytes` from byte `from`, handing each intact frame's payload (one Arrow
 * IPC stream) to `onFrame`, which returns its row count or throws when it cannot read it.
 * Stops at the first torn, corrupt or unreadable frame.
 */
export function walkFrames(bytes: Uint8Array, onFrame: (payload: Uint8Array) => number, from = 0, verify = true): FrameScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  let frames = 0;
  let smallFrames = 0;
  let firstSmallAt = -1;
  let lastCrc: number | undefined;
  const done = (): FrameScan => ({ validBytes: at, frames, smallFrames, firstSmallAt: firstSmallAt < 0 ? at : firstSmallAt, ...(lastCrc === undefined ? {} : { lastCrc }) });
  const stop = (damage: string): FrameScan => ({ ...done(), damage });
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) return stop(`torn frame header at byte ${at}`);
    if (view.getUint32(at, true) !== MAGIC) return stop(`no frame marker at byte ${at}`);
    const len = view.getUint32(at + 4, true);
    const end = at + HEADER + len + TRAILER;
    if (end > bytes.length) return stop(`torn frame at byte ${at} (${bytes.length - at} of ${end - at} bytes)`);
    const payload = bytes.subarray(at + HEADER, at + HEADER + len);
    const crc = view.getUint32(at + HEADER + len, true);
    // `verify: false` is for bytes this process already checked (at open) or wrote itself.
    if (verify && crc32(payload) !== crc) return stop(`checksum mismatch in frame at byte ${at}`);
    let rows: number;
    try {
      rows = onFrame(payload);
    } catch (e) {
      return stop(`unreadable Arrow data in frame at byte ${at}: ${(e as Error).message}`);
    }
    frames++;
    lastCrc = crc;
    if (rows < MIN_FRAME_ROWS) {
      smallFrames++;
      if (firstSmallAt < 0) firstSmallAt = at;
    }
    at = end;
  }
  return done();
}
