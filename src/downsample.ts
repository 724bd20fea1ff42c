/**
 * The points of a series a chart draws when it has more than its budget, and the same cut of a
 * stored metric history: min/max buckets (M4, src/m4.ts) over the x range or a zoomed part of it,
 * about one bucket per pixel column, each keeping its first, last, lowest and highest point. On
 * 1M points this costs a few milliseconds: one pass, no sort when x is already in order (steps
 * and wall times usually are).
 *
 * @module
 */
import type { HistorySummaryOptions, MetricHistory, MetricHistorySummary } from "./entities.js";
import { m4 } from "./m4.js";

/** A series in columns: `x[i]` and `y[i]` form point `i`. */
export type XY = { x: ArrayLike<number>; y: ArrayLike<number> };

/** What to keep. */
export type DownsampleOptions = {
  /** At most this many points come back (at least 4). Default 2,400 (4 × a 600-pixel plot). */
  budget?: number;
  /** Only points with x in `[lo, hi]` (a zoomed view); default the whole range. */
  xDomain?: readonly [number, number];
  /**
   * Keep every point when the range holds at most this many, even over the budget (default: the
   * budget): a zoomed view can show raw points while a full view stays at the budget.
   */
  rawLimit?: number;
};

/** Default budget per series: 4 points (first, last, min, max) per pixel of a 600-pixel plot. */
export const DEFAULT_BUDGET = 2400;

/**
 * Indices of the points to draw, ascending. All of them when the (zoomed) series fits the budget;
 * otherwise each bucket's first, last, min and max, which always includes the first and last
 * point of the range and its global minimum and maximum.
 *
 * @example
 * ```ts
 * const keep = downsample({ x: h.steps, y: h.values }, { budget: 4 * 600 });
 * const rows = Array.from(keep, (i) => ({ step: h.steps[i], value: h.values[i] }));
 * ```
 */
export function downsample(series: XY, options: DownsampleOptions = {}): Uint32Array {
  const budget = Math.max(4, Math.floor(options.budget ?? DEFAULT_BUDGET));
  const order = xOrder(series.x);
  const [from, to] = options.xDomain ? rangeOf(series.x, order, options.xDomain) : [0, order ? order.length : series.x.length];
  const n = to - from;
  if (n <= Math.max(budget, options.rawLimit ?? 0)) return order ? order.slice(from, to) : iota(from, to);
  if (!order) return m4(series.x, series.y, from, to, Math.floor(budget / 4));
  // x out of order: cut the points sorted by x, then name them by their own index.
  const x = Float64Array.from(order.subarray(from, to), (i) => series.x[i]!);
  const y = Float64Array.from(order.subarray(from, to), (i) => series.y[i]!);
  return m4(x, y, 0, x.length, Math.floor(budget / 4)).map((p) => order[from + p]!);
}

/**
 * `undefined` when x never goes down (the usual case); else the indices sorted by x, stably,
 * without points whose x is NaN (they have no place on an axis).
 */
function xOrder(x: ArrayLike<number>): Uint32Array | undefined {
  let sorted = true;
  for (let i = 1; i < x.length; i++) {
    if (!(x[i]! >= x[i - 1]!)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return undefined;
  const idx = iota(0, x.length).filter((i) => !Number.isNaN(x[i]!));
  return idx.sort((a, b) => x[a]! - x[b]! || a - b);
}

/** Positions `[from, to)` in x order whose x lies in `[lo, hi]` (binary search). */
function rangeOf(x: ArrayLike<number>, order: Uint32Array | undefined, [lo, hi]: readonly [number, number]): [number, number] {
  const at = (p: number) => x[order ? order[p]! : p]!;
  const first = (pred: (v: number) => boolean) => {
    let a = 0;
    let b = order ? order.length : x.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (pred(at(m))) b = m;
      else a = m + 1;
    }
    return a;
  };
  return [first((v) => v >= lo), first((v) => v > hi)];
}

function iota(from: number, to: number): Uint32Array {
  const out = new Uint32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
}

/**
 * The cut {@link TrackingStore.getMetricHistorySummary} returns, made from the whole history `h`:
 * the points {@link downsample} keeps with steps as x, and how many points the step range holds.
 *
 * @example
 * ```ts
 * const cut = cutHistory(await store.getMetricHistory(runId, "loss"), { budget: 2400 });
 * ```
 */
export function cutHistory(h: MetricHistory, options: HistorySummaryOptions = {}): MetricHistorySummary {
  const keep = downsample({ x: h.steps, y: h.values }, { ...(options.budget !== undefined ? { budget: options.budget } : {}), ...(options.rawLimit !== undefined ? { rawLimit: options.rawLimit } : {}), ...(options.stepRange ? { xDomain: options.stepRange } : {}) });
  const pick = (col: Float64Array) => Float64Array.from(keep, (i) => col[i]!);
  return { key: h.key, steps: pick(h.steps), values: pick(h.values), timestamps: pick(h.timestamps), count: countIn(h.steps, options.stepRange) };
}

/** Points whose step is in `range` (every point with a step, when there is none). */
function countIn(steps: Float64Array, range: readonly [number, number] | undefined): number {
  const order = xOrder(steps);
  if (!range) return order ? order.length : steps.length;
  const [from, to] = rangeOf(steps, order, range);
  return to - from;
}
