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
/** A frame with fewer rows than this is "small": compaction exists to merge those. */
export const MIN_FRAME_ROWS = 1024;

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

/** A frame as its three parts (header, Arrow IPC payload, CRC trailer), to write without joining them. */
export type Frame = { header: Uint8Array; payload: Uint8Array; trailer: Uint8Array; length: number };

/** Encodes points as one frame (an Arrow IPC stream of batches of at most {@link BATCH_ROWS}). */
export function encodeFrame(p: Points): Frame {
  const n = p.values.length;
  // One writer per frame, fed batch by batch: measurably cheaper than RecordBatchStreamWriter.writeAll.
  const writer = new RecordBatchStreamWriter();
  for (let s = 0; s < n || s === 0; s += BATCH_ROWS) writer.write(recordBatch(p.keys, p, s, Math.min(n, s + BATCH_ROWS)));
  writer.finish();
  const payload = writer.toUint8Array(true);
  const header = new Uint8Array(HEADER);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, MAGIC, true);
  hv.setUint32(4, payload.length, true);
  const trailer = new Uint8Array(TRAILER);
  new DataView(trailer.buffer).setUint32(0, crc32(payload), true);
  return { header, payload, trailer, length: HEADER + payload.length + TRAILER };
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
  /** Why reading stopped early, if it did (torn or corrupt tail). */
  damage?: string;
};

/**
 * Walks the frames of `bytes`, calling `onBatch` for every record batch of every intact frame,
 * and stops at the first torn or corrupt frame. Framing is always checked; `verify` adds the CRC.
 */
export function scanFrames(bytes: Uint8Array, onBatch: (b: BatchView) => void, from = 0, verify = true): FrameScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  let frames = 0;
  let smallFrames = 0;
  let firstSmallAt = -1;
  const stop = (damage: string): FrameScan => ({ validBytes: at, frames, smallFrames, firstSmallAt: firstSmallAt < 0 ? at : firstSmallAt, damage });
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) return stop(`torn frame header at byte ${at}`);
    if (view.getUint32(at, true) !== MAGIC) return stop(`no frame marker at byte ${at}`);
    const len = view.getUint32(at + 4, true);
    const end = at + HEADER + len + TRAILER;
    if (end > bytes.length) return stop(`torn frame at byte ${at} (${bytes.length - at} of ${end - at} bytes)`);
    const payload = bytes.subarray(at + HEADER, at + HEADER + len);
    // `verify: false` is for bytes this process already checked (at open) or wrote itself.
    if (verify && crc32(payload) !== view.getUint32(at + HEADER + len, true)) return stop(`checksum mismatch in frame at byte ${at}`);
    let rows = 0;
    try {
      // Decode all batches before handing any out, so a frame counts whole or not at all.
      const views = tableFromIPC(payload).batches.map(batchView);
      for (const v of views) {
        rows += v.values.length;
        onBatch(v);
      }
    } catch (e) {
      return stop(`unreadable Arrow data in frame at byte ${at}: ${(e as Error).message}`);
    }
    frames++;
    if (rows < MIN_FRAME_ROWS) {
      smallFrames++;
      if (firstSmallAt < 0) firstSmallAt = at;
    }
    at = end;
  }
  return { validBytes: at, frames, smallFrames, firstSmallAt: firstSmallAt < 0 ? at : firstSmallAt };
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
