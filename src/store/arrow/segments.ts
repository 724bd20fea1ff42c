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
import {
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  tableFromIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { crc32 } from "node:zlib";

const MAGIC = 0x31534254; // "TBS1" read as little-endian u32
const HEADER = 8;
const TRAILER = 4;
/** Rows per record batch when writing large segments (compaction); ≥ 1k as DESIGN asks. */
export const BATCH_ROWS = 65_536;

const KEY_TYPE = new Dictionary(new Utf8(), new Int32(), 0);
const SCHEMA = new Schema([
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

function recordBatch(keys: readonly string[], p: Points, start: number, end: number): RecordBatch {
  const n = end - start;
  const f64 = (a: Float64Array) => makeData({ type: new Float64(), length: n, nullCount: 0, data: a.subarray(start, end) });
  const key = makeData({
    type: KEY_TYPE,
    length: n,
    nullCount: 0,
    data: p.keyIds.subarray(start, end),
    dictionary: vectorFromArray(keys as string[], new Utf8()),
  });
  const children = [key, f64(p.steps), f64(p.values), f64(p.timestamps)];
  return new RecordBatch(SCHEMA, makeData({ type: new Struct(SCHEMA.fields), length: n, nullCount: 0, children }));
}

/** Encodes points as one frame (an Arrow IPC stream of batches of at most {@link BATCH_ROWS}). */
export function encodeFrame(p: Points): Uint8Array {
  const n = p.values.length;
  const batches: RecordBatch[] = [];
  for (let s = 0; s < n; s += BATCH_ROWS) batches.push(recordBatch(p.keys, p, s, Math.min(n, s + BATCH_ROWS)));
  const payload = RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
  const frame = new Uint8Array(HEADER + payload.length + TRAILER);
  const view = new DataView(frame.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, payload.length, true);
  frame.set(payload, HEADER);
  view.setUint32(HEADER + payload.length, crc32(payload), true);
  return frame;
}

/** What reading a history file found. */
export type FrameScan = {
  /** Bytes of intact frames from the start; anything after is damaged. */
  validBytes: number;
  /** Intact frames. */
  frames: number;
  /** Why reading stopped early, if it did (torn or corrupt tail). */
  damage?: string;
};

/**
 * Walks the frames of `bytes`, calling `onBatch` for every record batch of every intact frame,
 * and stops at the first torn or corrupt frame.
 */
export function scanFrames(bytes: Uint8Array, onBatch: (b: BatchView) => void, from = 0): FrameScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  let frames = 0;
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) return { validBytes: at, frames, damage: `torn frame header at byte ${at}` };
    if (view.getUint32(at, true) !== MAGIC) return { validBytes: at, frames, damage: `no frame marker at byte ${at}` };
    const len = view.getUint32(at + 4, true);
    const end = at + HEADER + len + TRAILER;
    if (end > bytes.length) return { validBytes: at, frames, damage: `torn frame at byte ${at} (${bytes.length - at} of ${end - at} bytes)` };
    const payload = bytes.subarray(at + HEADER, at + HEADER + len);
    if (crc32(payload) !== view.getUint32(at + HEADER + len, true)) return { validBytes: at, frames, damage: `checksum mismatch in frame at byte ${at}` };
    try {
      for (const b of tableFromIPC(payload).batches) onBatch(batchView(b));
    } catch (e) {
      return { validBytes: at, frames, damage: `unreadable Arrow data in frame at byte ${at}: ${(e as Error).message}` };
    }
    frames++;
    at = end;
  }
  return { validBytes: at, frames };
}

/** The columns of one record batch, as typed arrays (no copies). */
export type BatchView = {
  keys: string[];
  keyIds: Int32Array;
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
};

function batchView(b: RecordBatch): BatchView {
  // Buffers are padded to 8 bytes in IPC, so a column's typed array can be longer than the batch.
  const n = b.numRows;
  const keyData = b.getChildAt(0)!.data[0]!;
  const col = (i: number) => (b.getChildAt(i)!.data[0]!.values as Float64Array).subarray(0, n);
  return {
    keys: keyData.dictionary!.toArray() as string[],
    keyIds: (keyData.values as Int32Array).subarray(0, n),
    steps: col(1),
    values: col(2),
    timestamps: col(3),
  };
}
