/**
 * Min/max bucket downsampling (M4) on an aligned bucket grid: the kernel the charts use and the
 * IndexedDB store's per-chunk summaries are built with, so a chart cut from summaries is the very
 * cut of the full history.
 *
 * The x range is cut into buckets of one width, about one per pixel column, and each bucket keeps
 * its first, last, lowest and highest point, in their original order. A line through those points
 * covers exactly the pixels the full series would, so every spike survives; LTTB, the usual
 * alternative, picks one "representative" point per bucket and drops spikes (perf-anchors §1e).
 *
 * The grid is aligned: bucket edges sit at whole multiples of the bucket width, and that width is
 * a whole multiple of a power of two (`unit`), within 1/8 of the narrowest width that fits the
 * range into the bucket count (so a cut has 89–100% of the buckets asked for). Any finer grid of
 * power-of-two cells no wider than `unit` nests in it, which is what lets a store summarise each
 * chunk once, when it is written, into cells, and later cut any long enough range from those
 * cells with exactly the result the raw points give.
 *
 * Non-finite values (NaN, ±Inf) are never picked as a bucket's min or max, so one NaN cannot
 * hide a bucket's real extremes.
 *
 * @module
 */

/**
 * An aligned bucket grid: a point at `x` is in bucket
 * `min(buckets - 1, floor(floor(x / unit) / per) - origin)`.
 */
export type Grid = { unit: number; per: number; origin: number; buckets: number };

/**
 * The grid that cuts `[x0, xN]` into at most `buckets` buckets; undefined when there is no
 * finite, positive extent (or one bucket), and points are split by position instead.
 *
 * @example
 * ```ts
 * const g = gridFor(0, 999_999, 600)!; // buckets of g.unit × g.per = 128 × 14 = 1,792 steps
 * ```
 */
export function gridFor(x0: number, xN: number, buckets: number): Grid | undefined {
  if (!(buckets >= 2) || !Number.isFinite(x0) || !Number.isFinite(xN) || !(xN > x0)) return undefined;
  // Aligned buckets of width span/buckets may need one bucket more than that to cover the range;
  // span/(buckets - 1) never does (⌊a⌋ - ⌊b⌋ < a - b + 1). The wider one is the fallback.
  for (const across of [buckets, buckets - 1]) {
    const target = (xN - x0) / across;
    const unit = 2 ** (Math.floor(Math.log2(target)) - 3);
    // Bucket numbers must be exact integers: x / unit within 2^52.
    if (!(unit > 0) || !(Math.max(Math.abs(x0), Math.abs(xN)) / unit < 2 ** 52)) return undefined;
    const per = Math.ceil(target / unit);
    const origin = Math.floor(Math.floor(x0 / unit) / per);
    if (Math.floor(Math.floor(xN / unit) / per) - origin < buckets || across < buckets) return { unit, per, origin, buckets };
  }
  return undefined;
}

/**
 * Writes into `out` from `k` the positions M4 keeps of `x[from, to)` (x must not go down there),
 * bucket by bucket on grid `g`: each bucket's first, min, max and last point, in order, each once.
 * Returns the new end of `out`. With `g` undefined, `buckets` equal runs of positions are used.
 */
export function m4Into(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, g: Grid | undefined, buckets: number, out: Uint32Array, k: number): number {
  let p = from;
  let b = 0;
  while (p < to) {
    // The first x (or position) past the current bucket.
    let end: number;
    if (g) {
      b = Math.max(b, Math.min(g.buckets - 1, Math.floor(Math.floor(x[p]! / g.unit) / g.per) - g.origin));
      end = b >= g.buckets - 1 ? Infinity : (g.origin + b + 1) * g.per * g.unit;
    } else {
      b = Math.max(b, Math.floor(((p - from) / (to - from)) * buckets));
      end = Math.min(to, Math.max(p + 1, from + Math.ceil(((b + 1) * (to - from)) / buckets)));
    }
    // The bucket's first point is in it whatever rounding says, so every bucket moves on.
    let lo = -1;
    let hi = -1;
    let lv = Infinity;
    let hv = -Infinity;
    let q = p;
    // Comparisons with NaN are false, and the ±Infinity tests leave out the infinities, so only
    // finite values become a bucket's min or max; strict comparisons keep the earliest of equals.
    if (g) {
      for (; q < to && (q === p || x[q]! < end); q++) {
        const v = y[q]!;
        if (v < lv && v !== -Infinity) {
          lv = v;
          lo = q;
        }
        if (v > hv && v !== Infinity) {
          hv = v;
          hi = q;
        }
      }
    } else {
      for (; q < end; q++) {
        const v = y[q]!;
        if (v < lv && v !== -Infinity) {
          lv = v;
          lo = q;
        }
        if (v > hv && v !== Infinity) {
          hv = v;
          hi = q;
        }
      }
    }
    out[k++] = p;
    let at = p;
    if (lo >= 0) {
      const a = lo < hi ? lo : hi;
      const c = lo < hi ? hi : lo;
      if (a > at) out[k++] = at = a;
      if (c > at) out[k++] = at = c;
    }
    if (q - 1 > at) out[k++] = q - 1;
    p = q;
    b++;
  }
  return k;
}

/** The positions M4 keeps of `x[from, to)` (x not going down) in at most `buckets` buckets. */
export function m4(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, buckets: number): Uint32Array {
  if (to <= from) return new Uint32Array(0);
  const out = new Uint32Array(4 * Math.max(1, buckets));
  const g = gridFor(x[from]!, x[to - 1]!, buckets);
  return out.slice(0, m4Into(x, y, from, to, g, Math.max(1, buckets), out, 0));
}
