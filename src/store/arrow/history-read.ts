/**
 * Reading one key's history from a history file without reading the file whole: the frames'
 * small metadata is read through a 64 KiB window, and the key's columns are read straight into
 * the result arrays (or, for batches that mix keys, into scratch and filtered).
 *
 * Why: reading a 1M-point history whole meant a 28 MB buffer next to the 24 MB result. On this
 * kind of VM fresh memory costs ~1 ms per MB to touch, so the buffer alone doubled the cost.
 * Frames of another writer's shape (earlier Arrow JS-written files) are read whole and decoded
 * by Arrow JS, as before.
 *
 * @module
 */
import { open, type FileHandle } from "node:fs/promises";
import type { MetricHistory } from "../../entities.js";
import { emptyHistory } from "../memory/series.js";
import { checkKeyIds, decodeStream, isForeignShape, readKeys, readMessageHead, SCHEMA_MESSAGE_LENGTH, startsWithOurSchema } from "./ipc-codec.js";
import { eachLimit } from "./queue.js";

const MAGIC = 0x31534254; // "TBS1", see segments.ts
const FRAME_HEADER = 8;
const CONTINUATION = 0xffffffff;
const WINDOW = 64 * 1024;

/** Sequential small reads through one reused window. */
class Window {
  private buf = new Uint8Array(WINDOW);
  private from = 0;
  private to = 0;

  constructor(private readonly fh: FileHandle, private readonly limit: number) {}

  /** The bytes `[at, at + length)`; throws when they lie past the file's known end. */
  async bytes(at: number, length: number): Promise<Uint8Array> {
    if (at < 0 || at + length > this.limit) throw new Error(`data runs past the end at byte ${at}`);
    if (at >= this.from && at + length <= this.to) return this.buf.subarray(at - this.from, at - this.from + length);
    if (length > this.buf.length) this.buf = new Uint8Array(length);
    const want = Math.min(this.buf.length, this.limit - at);
    const got = await readFully(this.fh, this.buf, 0, want, at);
    if (got < length) throw new Error(`the file ends at byte ${at + got}`);
    this.from = at;
    this.to = at + got;
    return this.buf.subarray(0, length);
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(into, offset + got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** Reads exactly `length` bytes at `position` into `into`, or throws. */
async function readExactly(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  if ((await readFully(fh, into, 0, into.length, position)) < into.length) throw new Error(`the file ends before byte ${position + into.length}`);
}

/** A batch holding the key: where its columns are in the file, or the columns themselves. */
type Piece =
  | { kind: "file"; rows: number; count: number; want: number; mixed: boolean; keyIdsAt: number; stepsAt: number; valuesAt: number; timestampsAt: number }
  | { kind: "memory"; count: number; steps: Float64Array; values: Float64Array; timestamps: Float64Array };

/**
 * Every point of `key` in the first `limit` bytes of the history file at `path`, in logging order.
 * Frame checksums are not checked again: these are bytes the store verified at open or wrote itself.
 */
export async function readKeyHistory(path: string, limit: number, key: string): Promise<MetricHistory> {
  const fh = await open(path, "r");
  try {
    const w = new Window(fh, limit);
    const pieces: Piece[] = [];
    for (let at = 0; at < limit; ) {
      const head = await w.bytes(at, FRAME_HEADER);
      const hv = new DataView(head.buffer, head.byteOffset, FRAME_HEADER);
      if (hv.getUint32(0, true) !== MAGIC) throw new Error(`no frame marker at byte ${at}`);
      const len = hv.getUint32(4, true);
      const payloadAt = at + FRAME_HEADER;
      if (!(await ownFrame(w, fh, payloadAt, len, key, pieces))) pieces.push(...(await foreignFrame(fh, payloadAt, len, key)));
      at = payloadAt + len + 4;
    }
    return await gather(fh, key, pieces);
  } finally {
    await fh.close();
  }
}

/** Walks one frame of this codec's shape, adding its pieces; false when the frame is of another shape. */
async function ownFrame(w: Window, fh: FileHandle, payloadAt: number, len: number, key: string, pieces: Piece[]): Promise<boolean> {
  if (!startsWithOurSchema(await w.bytes(payloadAt, Math.min(len, SCHEMA_MESSAGE_LENGTH)))) return false;
  const end = payloadAt + len;
  const found: Piece[] = [];
  let keys: string[] | undefined;
  try {
    for (let p = payloadAt + SCHEMA_MESSAGE_LENGTH; ; ) {
      const prefix = await w.bytes(p, 8);
      const pv = new DataView(prefix.buffer, prefix.byteOffset, 8);
      if (pv.getUint32(0, true) !== CONTINUATION) return false;
      const metaLength = pv.getInt32(4, true);
      if (metaLength === 0) break;
      const bodyAt = p + 8 + metaLength;
      const m = readMessageHead((await w.bytes(p + 8, metaLength)).slice());
      if (bodyAt + m.bodyLength > end) throw new Error("a message body runs past its frame");
      if (m.type === "dictionary") {
        const more = readKeys((await w.bytes(bodyAt, m.bodyLength)).slice(), m.rows, m.buffers);
        keys = m.isDelta && keys ? keys.concat(more) : more;
      } else {
        if (!keys) throw new Error("a record batch comes before its dictionary");
        const want = keys.indexOf(key);
        const at = (i: number) => bodyAt + m.buffers[i]!;
        if (want >= 0) {
          const mixed = keys.length > 1;
          let count = m.rows;
          if (mixed) {
            const ids = new Int32Array(m.rows);
            await readExactly(fh, new Uint8Array(ids.buffer), at(2));
            checkKeyIds(new DataView(ids.buffer), 0, m.rows, keys.length);
            count = 0;
            for (let i = 0; i < ids.length; i++) if (ids[i] === want) count++;
          }
          if (count > 0) found.push({ kind: "file", rows: m.rows, count, want, mixed, keyIdsAt: at(2), stepsAt: at(6), valuesAt: at(10), timestampsAt: at(14) });
        }
      }
      p = bodyAt + m.bodyLength;
    }
  } catch (e) {
    if (isForeignShape(e)) return false;
    throw e;
  }
  pieces.push(...found);
  return true;
}

/** A frame of another writer: read whole, decoded by Arrow JS, filtered in memory. */
async function foreignFrame(fh: FileHandle, payloadAt: number, len: number, key: string): Promise<Piece[]> {
  const payload = new Uint8Array(len);
  await readExactly(fh, payload, payloadAt);
  const out: Piece[] = [];
  for (const b of decodeStream(payload)) {
    const want = b.keys.indexOf(key);
    if (want < 0) continue;
    const idx: number[] = [];
    for (let i = 0; i < b.keyIds.length; i++) if (b.keyIds[i] === want) idx.push(i);
    if (idx.length === 0) continue;
    const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]!);
    out.push({ kind: "memory", count: idx.length, steps: pick(b.steps), values: pick(b.values), timestamps: pick(b.timestamps) });
  }
  return out;
}

/** Allocates the result once and fills it: pure batches straight from the file, mixed ones filtered. */
async function gather(fh: FileHandle, key: string, pieces: Piece[]): Promise<MetricHistory> {
  let total = 0;
  for (const p of pieces) total += p.count;
  if (total === 0) return emptyHistory(key);
  const h: MetricHistory = { key, steps: new Float64Array(total), values: new Float64Array(total), timestamps: new Float64Array(total) };
  const starts: number[] = [];
  for (let i = 0, at = 0; i < pieces.length; at += pieces[i]!.count, i++) starts.push(at);
  const into = (a: Float64Array, at: number, n: number) => new Uint8Array(a.buffer, at * 8, n * 8);
  const errors = await eachLimit(pieces.keys(), 8, async (i) => {
    const p = pieces[i]!;
    const at = starts[i]!;
    if (p.kind === "memory") {
      h.steps.set(p.steps, at);
      h.values.set(p.values, at);
      h.timestamps.set(p.timestamps, at);
    } else if (!p.mixed) {
      await Promise.all([
        readExactly(fh, into(h.steps, at, p.count), p.stepsAt),
        readExactly(fh, into(h.values, at, p.count), p.valuesAt),
        readExactly(fh, into(h.timestamps, at, p.count), p.timestampsAt),
      ]);
    } else {
      const ids = new Int32Array(p.rows);
      const cols = [new Float64Array(p.rows), new Float64Array(p.rows), new Float64Array(p.rows)] as const;
      await Promise.all([
        readExactly(fh, new Uint8Array(ids.buffer), p.keyIdsAt),
        ...[p.stepsAt, p.valuesAt, p.timestampsAt].map((from, c) => readExactly(fh, new Uint8Array(cols[c].buffer), from)),
      ]);
      for (let r = 0, j = at; r < p.rows; r++) {
        if (ids[r] !== p.want) continue;
        h.steps[j] = cols[0][r]!;
        h.values[j] = cols[1][r]!;
        h.timestamps[j++] = cols[2][r]!;
      }
    }
  });
  if (errors.length > 0) throw errors[0];
  return h;
}
