/**
 * The points of a series a chart draws when it has more than its budget: min/max buckets (M4)
 * over the x range or the zoomed part of it. The cut itself is shared with the stores
 * (src/downsample.ts, src/m4.ts), so a store's summary of a history and a chart's cut of it agree.
 *
 * Non-finite values (NaN, ±Inf) are never picked as a bucket's min or max, so one NaN cannot
 * hide a bucket's real extremes; {@link finitePoints} says how many a series has.
 *
 * @module
 */
export { DEFAULT_BUDGET, downsample, type DownsampleOptions, type XY } from "../src/downsample.js";

/** How many of `y` are finite (what a chart can draw). */
export function finitePoints(y: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!)) n++;
  return n;
}
