/**
 * Decimal text to the nearest double, fast, for the values of metric files (Python's float repr:
 * up to 17 significant digits, as in `0.0009990009990009992` or `1.5e-05`).
 *
 * Why not `Number(text.slice(…))`: for 16–17 digits V8 falls back to exact big-number arithmetic,
 * and with the slice it cost ~115 ns a value, half of all parsing on an import (measured on T4's
 * bundle). No npm package converts bytes to doubles exactly without going through a string.
 *
 * How: the digits (at most 19, so the integer they make is exact as a sum of two doubles) times
 * 10^e from a table of double-double powers (each power to ~2^-106), in double-double arithmetic
 * (Dekker's exact products, no FMA in JS). The result is within 2^-100 of the exact value, so it
 * is the correctly rounded double unless the exact value lies within that margin of a rounding
 * boundary: that is checked by rounding the result nudged both ways, and then (about once in
 * 2^37 values) the caller falls back to `Number()`, as it does for every other form. A property
 * test compares this with `Number()` on millions of values.
 *
 * @module
 */

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;
/** Powers of ten in the table; outside them (and for subnormal results) the caller uses Number(). */
const MIN_POW = -300;
const MAX_POW = 308;
/** Exponents used: the low word of 10^e stays a normal double, so no precision is lost to underflow. */
const MIN_E = -280;
const MAX_E = 290;
/** 10^0 … 10^22: exact doubles (Clinger's fast path). */
const EXACT = Array.from({ length: 23 }, (_, i) => 10 ** i);

type Table = { hi: Float64Array; lo: Float64Array; hiH: Float64Array; hiL: Float64Array };
let table: Table | undefined;

/** The double nearest to num/den (both > 0), to within the rounding of an 80-bit quotient. */
function ratio(num: bigint, den: bigint): number {
  const shift = 80 - (num.toString(2).length - den.toString(2).length);
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  const half = Math.trunc(shift / 2); // two steps: 2^-shift alone underflows for small powers
  return Number(q) * 2 ** -half * 2 ** -(shift - half);
}

/** 10^e as hi + lo for every table exponent, hi also split for Dekker's product. Built once, on first use (~5 ms). */
function powers(): Table {
  const n = MAX_POW - MIN_POW + 1;
  const t: Table = { hi: new Float64Array(n), lo: new Float64Array(n), hiH: new Float64Array(n), hiL: new Float64Array(n) };
  for (let e = MIN_POW; e <= MAX_POW; e++) {
    const num = e >= 0 ? 10n ** BigInt(e) : 1n;
    const den = e >= 0 ? 1n : 10n ** BigInt(-e);
    const hi = ratio(num, den);
    // hi = m·2^k exactly; the remainder num/den − hi, rounded, is lo.
    let k = Math.floor(Math.log2(hi)) - 52;
    while (!Number.isInteger(hi / 2 ** k)) k--;
    const m = BigInt(hi / 2 ** k);
    let dn = k >= 0 ? num - m * (1n << BigInt(k)) * den : (num << BigInt(-k)) - m * den;
    const dd = k >= 0 ? den : den << BigInt(-k);
    const negative = dn < 0n;
    if (negative) dn = -dn;
    const lo = dn === 0n ? 0 : (negative ? -1 : 1) * ratio(dn, dd);
    const i = e - MIN_POW;
    const c = SPLIT * hi;
    t.hi[i] = hi;
    t.lo[i] = lo;
    t.hiH[i] = c - (c - hi);
    t.hiL[i] = hi - t.hiH[i]!;
  }
  return t;
}

/** Where the number {@link parseDecimal} read last ended (its first byte that is not part of it). */
export let decimalEnd = 0;

/**
 * The double nearest to the decimal in `b[from..to)` (ASCII: `[+-]digits[.digits][(e|E)[+-]digits]`),
 * or undefined when the text is of another form, has more than 19 significant digits, is out of
 * the table's range, or is too close to a rounding boundary to be sure: then use `Number()`.
 * With `open`, the number may end before `to` (at any byte that cannot continue it): where it
 * ended is then in {@link decimalEnd}, for a caller that scans a line once.
 *
 * @example
 * ```ts
 * const b = new TextEncoder().encode("0.0009990009990009992");
 * parseDecimal(b, 0, b.length) === 0.0009990009990009992; // true
 * ```
 */
export function parseDecimal(b: Uint8Array, from: number, to: number, open = false): number | undefined {
  let i = from;
  const negative = b[i] === 45;
  if (negative || b[i] === 43) i++;
  // The first 15 significant digits in hi (exact: < 2^53), up to 4 more in lo.
  let hi = 0;
  let lo = 0;
  let loDigits = 0;
  let significant = 0;
  let fraction = 0;
  let c = 0;
  let digits = 0;
  let point = false;
  for (; i < to; i++) {
    const ch = b[i]!;
    if (ch === 46 && !point) {
      point = true;
      continue;
    }
    c = ch - 48;
    if (c >>> 0 >= 10) break;
    if (significant < 15) {
      hi = hi * 10 + c;
      if (hi !== 0) significant++;
    } else if (significant < 19) {
      lo = lo * 10 + c;
      loDigits++;
      significant++;
    } else return undefined;
    digits++;
    if (point) fraction++;
  }
  if (digits === 0) return undefined;
  let exponent = 0;
  if (i < to && (b[i]! | 32) === 101) {
    i++;
    const negativeExponent = b[i] === 45;
    if (negativeExponent || b[i] === 43) i++;
    const expStart = i;
    for (; i < to && (c = b[i]! - 48) >>> 0 < 10; i++) {
      exponent = exponent * 10 + c;
      if (exponent > 9999) return undefined;
    }
    if (i === expStart) return undefined;
    if (negativeExponent) exponent = -exponent;
  }
  if (i !== to && !open) return undefined;
  decimalEnd = i;
  const e = exponent - fraction;
  let v: number | undefined;
  if (loDigits === 0) {
    if (hi === 0) v = 0;
    else if (e >= -22 && e <= 22) v = e < 0 ? hi / EXACT[-e]! : hi * EXACT[e]!;
    else v = scaled(hi, 0, e);
  } else {
    // hi·10^loDigits + lo as an exact double-double (Dekker's product, then an exact sum).
    const s = EXACT[loDigits]!;
    const p = hi * s;
    let t = SPLIT * hi;
    const ah = t - (t - hi);
    const al = hi - ah;
    t = SPLIT * s;
    const bh = t - (t - s);
    const bl = s - bh;
    const pe = ah * bh - p + ah * bl + al * bh + al * bl;
    const sum = p + lo;
    const back = sum - p;
    const se = p - (sum - back) + (lo - back);
    const mh = sum + (se + pe);
    const ml = se + pe - (mh - sum);
    v = scaled(mh, ml, e);
  }
  if (v === undefined) return undefined;
  return negative ? -v : v;
}

/** (mh + ml)·10^e rounded to a double, or undefined when that is not certain. */
function scaled(mh: number, ml: number, e: number): number | undefined {
  if (e === 0 && ml === 0) return mh;
  if (e < MIN_E || e > MAX_E) return undefined;
  const t = (table ??= powers());
  const k = e - MIN_POW;
  const ph = t.hi[k]!;
  const p = mh * ph;
  const c = SPLIT * mh;
  const ah = c - (c - mh);
  const al = mh - ah;
  const bh = t.hiH[k]!;
  const bl = t.hiL[k]!;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const rest = pe + (mh * t.lo[k]! + ml * ph);
  const rh = p + rest;
  const rl = rest - (rh - p);
  if (!(rh > 2.2250738585072014e-308 && rh < Infinity)) return undefined;
  // The exact value is within rh·2^-90 of rh + rl: rh is its rounding if both ends round to rh.
  const margin = rh * 8.077935669463161e-28;
  if (rh + (rl + margin) !== rh || rh + (rl - margin) !== rh) return undefined;
  return rh;
}
