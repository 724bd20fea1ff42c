/**
 * Min/max bucket downsampling (M4): the points of a series a chart draws when it has more than
 * its budget.
 *
 * The x range (or the zoomed part of it) is cut into equal-width buckets, about one per pixel
 * column, and each bucket keeps its first, last, lowest and highest point, in their original
 * order. A line through those points covers exactly the pixels the full series would, so every
 * spike survives; LTTB, the usual alternative, picks one "representative" point per bucket and
 * drops spikes (perf-anchors §1e). On 1M points this costs a few milliseconds: one pass, no sort
 * when x is already in order (steps and wall times usually are).
 *
 * Non-finite values (NaN, ±Inf) are never picked as a bucket's min or max, so one NaN cannot
 * hide a bucket's real extremes; {@link finitePoints} says how many a series has.
 *
 * @module
 */

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
  return m4(series, order, from, to, Math.floor(budget / 4));
}

/** Each bucket's first, last, min and max over positions `[from, to)` of the x order. */
function m4(s: XY, order: Uint32Array | undefined, from: number, to: number, buckets: number): Uint32Array {
  const { x, y } = s;
  const at = (p: number) => (order ? order[p]! : p);
  const x0 = x[at(from)]!;
  const span = x[at(to - 1)]! - x0;
  // With no x extent (every x equal) the buckets split the points evenly by position instead.
  const bucketOf = span > 0 ? (p: number) => Math.min(buckets - 1, Math.floor(((x[at(p)]! - x0) / span) * buckets)) : (p: number) => Math.floor(((p - from) / (to - from)) * buckets);
  const out = new Uint32Array(4 * buckets);
  let k = 0;
  let p = from;
  while (p < to) {
    const b = bucketOf(p);
    let q = p;
    let lo = -1;
    let hi = -1;
    for (; q < to && bucketOf(q) === b; q++) {
      const v = y[at(q)]!;
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < y[at(lo)]!) lo = q;
      if (hi < 0 || v > y[at(hi)]!) hi = q;
    }
    // Positions in drawing order, each once (min and max may be the bucket's ends).
    const picks = [p, lo, hi, q - 1].filter((v) => v >= 0).sort((a, c) => a - c);
    for (let j = 0; j < picks.length; j++) if (j === 0 || picks[j] !== picks[j - 1]) out[k++] = at(picks[j]!);
    p = q;
  }
  return out.slice(0, k);
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

/** How many of `y` are finite (what a chart can draw). */
export function finitePoints(y: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!)) n++;
  return n;
}
