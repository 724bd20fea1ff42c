/**
 * Metric history as chunk records: how new points of one key join its series, and how a
 * series is read back.
 *
 * Merging follows a binary counter: new points form a chunk; while the newest open chunk is no
 * longer than it (and both fit in {@link CHUNK_POINTS}), the two become one. A key logged one
 * point per flush so rewrites each point about log2(32768) = 15 times, never 32,768 times, and a
 * long history is read as ~n/32768 records. A chunk that reaches the limit is sealed, and so are
 * the open ones before it (a merge may never jump over a sealed chunk: order is chunk order).
 *
 * @module
 */
import type { MetricHistory } from "../../entities.js";
import { decodeSteps, decodeTimes, encodeSteps, encodeTimes } from "./columns.js";
import { CHUNK_POINTS, type ChunkRow, type SeriesRow } from "./schema.js";

/** Points of one key in logging order. */
export type Points = { steps: Float64Array; values: Float64Array; timestamps: Float64Array };

/** What appending needs from the surrounding transaction. */
export type ChunkAccess = {
  /** Reads a chunk (one this transaction wrote included). */
  get(chunkNo: number): Promise<ChunkRow>;
  put(row: ChunkRow): void;
  delete(chunkNo: number): void;
};

/**
 * The chunk row of `points[from, to)`. Every column is a fresh array of its own: a stored view
 * of a larger buffer would store all of that buffer.
 */
export function chunkRow(runId: string, key: string, chunkNo: number, points: Points, from: number, to: number): ChunkRow {
  return {
    runId,
    key,
    chunkNo,
    values: points.values.slice(from, to),
    steps: encodeSteps(points.steps, from, to),
    timestamps: encodeTimes(points.timestamps, from, to),
  };
}

/** The points of `rows`, in order, decoded into one set of columns. */
function decode(rows: readonly ChunkRow[]): Points {
  let n = 0;
  for (const r of rows) n += r.values.length;
  const out: Points = { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  for (const r of rows) {
    const m = r.values.length;
    out.values.set(r.values, at);
    decodeSteps(r.steps, m, out.steps, at);
    decodeTimes(r.timestamps, out.timestamps, at);
    at += m;
  }
  return out;
}

function concat(a: Points, b: Points): Points {
  const join = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { steps: join(a.steps, b.steps), values: join(a.values, b.values), timestamps: join(a.timestamps, b.timestamps) };
}

/**
 * Appends `points` to the series `s` (changed in place) through `access`. Every read is awaited
 * before the next decision; writes are only issued.
 */
export async function appendPoints(s: SeriesRow, points: Points, access: ChunkAccess): Promise<void> {
  const n = points.steps.length;
  // Whether the steps still never went down (what lets a zoom read only the chunks it reaches).
  if (s.ascending && n > 0) {
    let prev = s.lastStep ?? -Infinity;
    for (let i = 0; i < n; i++) {
      if (!(points.steps[i]! >= prev)) {
        s.ascending = false;
        break;
      }
      prev = points.steps[i]!;
    }
    s.lastStep = points.steps[n - 1]!;
  }
  for (let from = 0; from < n; from += CHUNK_POINTS) {
    const to = Math.min(n, from + CHUNK_POINTS);
    let cur: Points = { steps: points.steps.subarray(from, to), values: points.values.subarray(from, to), timestamps: points.timestamps.subarray(from, to) };
    // -1 until `cur` takes over a stored chunk's number by merging into it.
    let no = -1;
    while (s.open.length > 0) {
      const [top, len] = s.open[s.open.length - 1]!;
      if (len > cur.values.length) break;
      if (len + cur.values.length > CHUNK_POINTS) {
        s.open = [];
        break;
      }
      const prev = decode([await access.get(top)]);
      // The chunk merged down (already stored, unless it is the new points) is folded into `top`.
      if (no >= 0) access.delete(no);
      cur = concat(prev, cur);
      no = top;
      s.open.pop();
    }
    if (no < 0) no = s.next++;
    const m = cur.values.length;
    access.put(chunkRow(s.runId, s.key, no, cur, 0, m));
    if (m < CHUNK_POINTS) s.open.push([no, m]);
    else s.open = [];
  }
}

/** One key's history from its chunk rows, in chunk order. */
export function historyOf(key: string, rows: readonly ChunkRow[]): MetricHistory {
  return { key, ...decode(rows) };
}
