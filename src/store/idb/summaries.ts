/**
 * Chunk summaries: a few points of each chunk, kept beside it, from which a chart of a long
 * history is cut without reading the history.
 *
 * A chunk's steps are split into cells of one power-of-two width (about {@link CELL_POINTS}
 * points each, aligned at multiples of the width), and the summary keeps each cell's first, last,
 * lowest and highest point: the M4 cut of the chunk on that fine grid (src/m4.ts). Any coarser
 * aligned grid whose unit is at least the cell width puts whole cells in its buckets, so each of
 * its buckets' first, last, min and max point is one of the kept points, and cutting the kept
 * points gives exactly the cut of the raw points (read-summaries.ts relies on this).
 *
 * A summary is written in the same transaction as its chunk, whenever the chunk is, and removed
 * with it. Chunks too small to be worth one, chunks whose steps go down, and chunks written before
 * schema version 3 have none; they are read whole.
 *
 * @module
 */
import { m4Into, type Grid } from "../../m4.js";
import { decodeSteps, type TimeColumn } from "./columns.js";
import type { ChunkRow } from "./schema.js";

/** Points per summary cell, about: a summary keeps at most 4 of every this many. */
export const CELL_POINTS = 64;

/** Chunks with fewer points get no summary (reading them whole costs about what a summary does). */
export const MIN_SUMMARY_POINTS = 4096;

/**
 * The kept points of one chunk: their offsets in the chunk (ascending; the first and last point
 * of the chunk are always kept), values, steps and timestamps.
 */
export type SummaryRow = {
  runId: string;
  key: string;
  chunkNo: number;
  /** Points in the chunk. */
  n: number;
  /** The chunk's first and last step (indexed: `last`). */
  first: number;
  last: number;
  /** log2 of the cell width in steps (-Infinity when every step of the chunk is the same). */
  cell: number;
  at: Uint16Array;
  values: Float64Array;
  /** The kept points' steps, or the chunk's own stride form: step = first + at × stride. */
  steps: Float64Array | { first: number; stride: number };
  timestamps: TimeColumn;
};

/** The summary of chunk `row`, or undefined when it gets none (few points, steps going down). */
export function summaryOf(row: ChunkRow): SummaryRow | undefined {
  const n = row.values.length;
  if (n < MIN_SUMMARY_POINTS) return undefined;
  const steps = new Float64Array(n);
  decodeSteps(row.steps, n, steps, 0);
  for (let i = 1; i < n; i++) if (!(steps[i]! >= steps[i - 1]!)) return undefined;
  const span = steps[n - 1]! - steps[0]!;
  const cell = span > 0 ? Math.floor(Math.log2((CELL_POINTS * span) / (n - 1))) : -Infinity;
  // One cell when every step is the same; else cells of 2^cell steps from a multiple of 2^cell.
  const unit = span > 0 ? 2 ** cell : 1;
  // Cell numbers must be exact integers (steps past 2^52 cells: read such a chunk whole).
  if (Math.max(Math.abs(steps[0]!), Math.abs(steps[n - 1]!)) / unit >= 2 ** 52) return undefined;
  const grid: Grid = span > 0 ? { unit, per: 1, origin: Math.floor(steps[0]! / unit), buckets: Infinity } : { unit, per: 1, origin: 0, buckets: 1 };
  // At most 4 points per cell the steps touch.
  const picks = new Uint32Array(4 * Math.min(n, Math.floor(span / unit) + 2));
  const k = m4Into(steps, row.values, 0, n, grid, 1, picks, 0);
  const at = Uint16Array.from(picks.subarray(0, k));
  const values = Float64Array.from(at, (i) => row.values[i]!);
  const t = row.timestamps;
  const timestamps: TimeColumn = ArrayBuffer.isView(t) ? Float64Array.from(at, (i) => t[i]!) : { base: t.base, offsets: Int32Array.from(at, (i) => t.offsets[i]!) };
  return { runId: row.runId, key: row.key, chunkNo: row.chunkNo, n, first: steps[0]!, last: steps[n - 1]!, cell, at, values, steps: ArrayBuffer.isView(row.steps) ? Float64Array.from(at, (i) => steps[i]!) : { ...row.steps }, timestamps };
}

/** Writes the kept points of `s` into `out` from `at`; returns the new end. */
export function writeKept(s: SummaryRow, out: { steps: Float64Array; values: Float64Array; timestamps: Float64Array }, at: number): number {
  const m = s.at.length;
  out.values.set(s.values, at);
  if (ArrayBuffer.isView(s.steps)) out.steps.set(s.steps, at);
  else for (let j = 0; j < m; j++) out.steps[at + j] = s.steps.first + s.at[j]! * s.steps.stride;
  const t = s.timestamps;
  if (ArrayBuffer.isView(t)) out.timestamps.set(t, at);
  else for (let j = 0; j < m; j++) out.timestamps[at + j] = t.base + t.offsets[j]!;
  return at + m;
}
