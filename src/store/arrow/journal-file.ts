/**
 * The record format of the shared journal (journal.ts): one record per write that touches many
 * runs, holding every run's points of that write interleaved, exactly as the client sent them.
 *
 *   record = "TBJ1" (u32) · record length (u32) · points n (u32) · header length h (u32)
 *            · header (UTF-8 JSON {runs, keys}, padded to 8) · runSlots u32[n] (padded to 8)
 *            · keyIds u32[n] (padded to 8) · steps f64[n] · values f64[n] · timestamps f64[n]
 *            · CRC-32 of everything before it (u32) · 4 zero bytes
 *
 * Why not Arrow IPC, like the history files: the journal is a write-ahead log, read back only by
 * this store (to redistribute its points to the run histories, which stay Arrow IPC, and to answer
 * reads until then). Its columns are the client's own buffers written as they are: no regrouping
 * by run and no encoding on the write path, which is the whole point of it. Every record is a
 * multiple of 8 bytes long and starts at a multiple of 8, so a journal read into an aligned buffer
 * gives typed-array views with no copy. Length + CRC make every record self-checking: a reader
 * keeps each intact record and stops at the first torn or damaged one.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import type { Points } from "./segments.js";

const MAGIC = 0x314a4254; // "TBJ1" read as little-endian u32
const HEAD = 16;
const TRAILER = 8;
const pad8 = (n: number) => (n + 7) & ~7;

/** Points of any runs, interleaved: `runSlots` index a record's `runs`, `keyIds` its `keys`. */
export type JournalColumns = {
  runSlots: Uint32Array;
  keyIds: Uint32Array;
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
};

/** One record: run ids and keys by index, and the points as equally long columns. */
export type JournalRecord = { runs: readonly string[]; keys: readonly string[]; points: JournalColumns };

/** A record as the parts to write in order (never joined), and its length. */
export type EncodedRecord = { parts: Uint8Array[]; length: number };

const bytesOf = (a: ArrayBufferView, length = a.byteLength) => new Uint8Array(a.buffer, a.byteOffset, length);

/** Encodes one record; the column bytes are the given arrays' own, not copies. */
export function encodeRecord(r: JournalRecord): EncodedRecord {
  const n = r.points.values.length;
  const header = new TextEncoder().encode(JSON.stringify({ runs: r.runs, keys: r.keys }));
  const head = new Uint8Array(HEAD + pad8(header.length));
  const slotsPad = pad8(n * 4) - n * 4;
  const length = head.length + 2 * pad8(n * 4) + 24 * n + TRAILER;
  const hv = new DataView(head.buffer);
  hv.setUint32(0, MAGIC, true);
  hv.setUint32(4, length, true);
  hv.setUint32(8, n, true);
  hv.setUint32(12, header.length, true);
  head.set(header, HEAD);
  const zeros = new Uint8Array(slotsPad);
  const p = r.points;
  const parts = [head, bytesOf(p.runSlots, n * 4), zeros, bytesOf(p.keyIds, n * 4), zeros, bytesOf(p.steps, n * 8), bytesOf(p.values, n * 8), bytesOf(p.timestamps, n * 8)].filter((x) => x.length > 0);
  let crc = 0;
  for (const part of parts) crc = crc32(part, crc);
  const trailer = new Uint8Array(TRAILER);
  new DataView(trailer.buffer).setUint32(0, crc, true);
  parts.push(trailer);
  return { parts, length };
}

/** What walking a journal's bytes found. */
export type RecordScan = {
  /** Bytes of intact records from the start; anything after is torn or damaged. */
  validBytes: number;
  /** Why the walk stopped early, if it did. */
  damage?: string;
};

/**
 * Walks the records of `bytes` (a whole journal, or one record), handing each intact one to
 * `onRecord` with its byte offset and length. `bytes` must start 8-aligned in its buffer (what
 * `new Uint8Array(n)` gives): the columns are views into it. `verify` adds the CRC check (off for
 * bytes this process already checked or wrote itself).
 */
export function walkRecords(bytes: Uint8Array, onRecord: (r: JournalRecord, at: number, length: number) => void, verify = true): RecordScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    const stop = (why: string): RecordScan => ({ validBytes: at, damage: `${why} at byte ${at}` });
    if (bytes.length - at < HEAD) return stop("torn record header");
    if (view.getUint32(at, true) !== MAGIC) return stop("no record marker");
    const length = view.getUint32(at + 4, true);
    const n = view.getUint32(at + 8, true);
    const h = view.getUint32(at + 12, true);
    const colsAt = at + HEAD + pad8(h);
    if (length % 8 !== 0 || length !== HEAD + pad8(h) + 2 * pad8(n * 4) + 24 * n + TRAILER) return stop("malformed record");
    if (at + length > bytes.length) return stop(`torn record (${bytes.length - at} of ${length} bytes)`);
    const crcAt = at + length - TRAILER;
    if (verify && crc32(bytes.subarray(at, crcAt)) !== view.getUint32(crcAt, true)) return stop("checksum mismatch in record");
    let head: { runs?: unknown; keys?: unknown };
    try {
      head = JSON.parse(new TextDecoder().decode(bytes.subarray(at + HEAD, at + HEAD + h))) as typeof head;
    } catch {
      return stop("unreadable record header");
    }
    if (!isStrings(head.runs) || !isStrings(head.keys)) return stop("unreadable record header");
    const o = bytes.byteOffset + colsAt;
    const f = o + 2 * pad8(n * 4);
    onRecord(
      {
        runs: head.runs,
        keys: head.keys,
        points: {
          runSlots: new Uint32Array(bytes.buffer, o, n),
          keyIds: new Uint32Array(bytes.buffer, o + pad8(n * 4), n),
          steps: new Float64Array(bytes.buffer, f, n),
          values: new Float64Array(bytes.buffer, f + 8 * n, n),
          timestamps: new Float64Array(bytes.buffer, f + 16 * n, n),
        },
      },
      at,
      length,
    );
    at += length;
  }
  return { validBytes: at };
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

/** True when every point's slot and key id index the record's lists (what a crafted or buggy record could break). */
export function idsInRange(r: JournalRecord): boolean {
  const { runSlots, keyIds } = r.points;
  const nRuns = r.runs.length, nKeys = r.keys.length;
  for (let i = 0; i < runSlots.length; i++) if (runSlots[i]! >= nRuns || keyIds[i]! >= nKeys) return false;
  return true;
}

/** The runs (by id) that have at least one point in `r`. */
export function presentRuns(r: JournalRecord): string[] {
  const seen = new Uint8Array(r.runs.length);
  const slots = r.points.runSlots;
  for (let i = 0; i < slots.length; i++) seen[slots[i]!] = 1;
  const out: string[] = [];
  for (let s = 0; s < seen.length; s++) if (seen[s]) out.push(r.runs[s]!);
  return out;
}

/** Space {@link regroup} may reuse from one call to the next (it grows it as needed). */
export type RegroupScratch = { keyIds?: Int32Array; steps?: Float64Array; values?: Float64Array; timestamps?: Float64Array; dest?: Int32Array };

/**
 * Regroups the points of `runs` in `records` by run, keeping logging order: one counting sort
 * over all records into one set of columns, each run's points a contiguous view with its own
 * small key list (as the history frames want). With `scratch`, the columns are its arrays (the
 * views are valid until the next call with it).
 */
export function regroup(records: readonly JournalRecord[], runs: readonly string[], scratch: RegroupScratch = {}): Map<string, Points> {
  const runIndex = new Map(runs.map((id, i) => [id, i]));
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  // Per record: its slots mapped to indices of `runs` (-1: not asked for), its key ids to `keys`.
  const maps = records.map((r) => Int32Array.from(r.runs, (id) => runIndex.get(id) ?? -1));
  const keyMaps = records.map((r) =>
    Int32Array.from(r.keys, (k) => {
      let id = keyIndex.get(k);
      if (id === undefined) keyIndex.set(k, (id = keys.push(k) - 1));
      return id;
    }),
  );
  const starts = new Float64Array(runs.length + 1);
  let longest = 0;
  records.forEach((r, j) => {
    const map = maps[j]!, slots = r.points.runSlots;
    longest = Math.max(longest, slots.length);
    for (let i = 0; i < slots.length; i++) {
      const x = map[slots[i]!]!;
      if (x >= 0) starts[x + 1]++;
    }
  });
  for (let x = 1; x <= runs.length; x++) starts[x] += starts[x - 1]!;
  const n = starts[runs.length]!;
  if ((scratch.steps?.length ?? -1) < n) {
    scratch.keyIds = new Int32Array(n);
    scratch.steps = new Float64Array(n);
    scratch.values = new Float64Array(n);
    scratch.timestamps = new Float64Array(n);
  }
  if ((scratch.dest?.length ?? -1) < longest) scratch.dest = new Int32Array(longest);
  const { keyIds, steps, values, timestamps, dest } = scratch as Required<RegroupScratch>;
  const at = starts.slice(0, runs.length);
  records.forEach((r, j) => {
    const map = maps[j]!, keyMap = keyMaps[j]!, p = r.points, m = p.values.length;
    for (let i = 0; i < m; i++) {
      const x = map[p.runSlots[i]!]!;
      dest[i] = x >= 0 ? at[x]!++ : -1;
    }
    // One pass per column: each writes one array only, which stays in cache far better than
    // scattering four columns at once (as splitByRun in ../packed.ts).
    for (let i = 0; i < m; i++) if (dest[i]! >= 0) keyIds[dest[i]!] = keyMap[p.keyIds[i]!]!;
    for (let i = 0; i < m; i++) if (dest[i]! >= 0) steps[dest[i]!] = p.steps[i]!;
    for (let i = 0; i < m; i++) if (dest[i]! >= 0) values[dest[i]!] = p.values[i]!;
    for (let i = 0; i < m; i++) if (dest[i]! >= 0) timestamps[dest[i]!] = p.timestamps[i]!;
  });
  const out = new Map<string, Points>();
  const local = new Int32Array(keys.length);
  runs.forEach((id, x) => {
    const from = starts[x]!, to = starts[x + 1]!;
    if (to === from) return;
    // Global key ids → ids into this run's own key list, in first-use order.
    local.fill(-1);
    const used: string[] = [];
    for (let i = from; i < to; i++) {
      const g = keyIds[i]!;
      let l = local[g]!;
      if (l < 0) l = local[g] = used.push(keys[g]!) - 1;
      keyIds[i] = l;
    }
    out.set(id, { keys: used, keyIds: keyIds.subarray(from, to), steps: steps.subarray(from, to), values: values.subarray(from, to), timestamps: timestamps.subarray(from, to) });
  });
  return out;
}
