/**
 * Exponential moving average as TensorBoard and W&B draw it: debiased, so the first points are
 * not pulled towards zero, and weighted per point (not per step). Non-finite values are skipped:
 * the smoothed line goes on from the last finite value.
 *
 * @module
 */

/**
 * The EMA of `y` with `weight` in [0, 1) (0 = no smoothing; 0.6 is a common default).
 *
 * @example
 * ```ts
 * const smooth = ema(h.values, 0.9);
 * ```
 */
export function ema(y: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`The smoothing weight must be in [0, 1); got ${weight}.`);
  const out = new Float64Array(y.length);
  let last = 0;
  // weight^n after n finite points: the part of `last` that is still the zero it started from.
  let decay = 1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (Number.isFinite(v)) {
      last = last * weight + (1 - weight) * v;
      decay *= weight;
    }
    out[i] = decay < 1 ? last / (1 - decay) : v;
  }
  return out;
}
