/**
 * How a chunk stores its steps and timestamps: reading IndexedDB costs about what the bytes do
 * (Chromium, 1M points: ~350 ms at 24 bytes a point, ~175 ms at 12), so the usual shapes are
 * kept small. Steps that go up (or stay) by a fixed stride (one point per step, every tenth step,
 * step left at 0) are stored as the first step and the stride; integer timestamps within ±24 days
 * of the chunk's first are stored as int32 offsets from it.
 * Anything else is stored as float64, so every value comes back exactly (-0 and huge steps
 * included); values are always float64.
 *
 * @module
 */

/** A chunk's steps: all of them, or the first and the fixed difference between neighbours. */
export type StepColumn = Float64Array | { first: number; stride: number };

/** A chunk's timestamps: all of them, or int32 offsets from a base. */
export type TimeColumn = Float64Array | { base: number; offsets: Int32Array };

/** Encodes `src[from, to)` (at least one point). */
export function encodeSteps(src: Float64Array, from: number, to: number): StepColumn {
  const first = src[from]!;
  const stride = to - from > 1 ? src[from + 1]! - first : 0;
  for (let i = from + 1; i < to; i++) if (src[i] !== first + (i - from) * stride) return src.slice(from, to);
  // -0 must come back as -0: the arithmetic form would give +0.
  for (let i = from; i < to; i++) if (Object.is(src[i], -0)) return src.slice(from, to);
  return { first, stride };
}

/** Encodes `src[from, to)` (at least one point). */
export function encodeTimes(src: Float64Array, from: number, to: number): TimeColumn {
  const base = src[from]!;
  const offsets = new Int32Array(to - from);
  for (let i = from; i < to; i++) {
    const t = src[i]!;
    const d = t - base;
    if ((d | 0) !== d || Object.is(t, -0)) return src.slice(from, to);
    offsets[i - from] = d;
  }
  return { base, offsets };
}

/** Writes `n` decoded steps of `col` into `out` at `at`. */
export function decodeSteps(col: StepColumn, n: number, out: Float64Array, at: number): void {
  if (ArrayBuffer.isView(col)) return out.set(col, at);
  const { first, stride } = col;
  for (let i = 0; i < n; i++) out[at + i] = first + i * stride;
}

/** Writes the decoded timestamps of `col` into `out` at `at`. */
export function decodeTimes(col: TimeColumn, out: Float64Array, at: number): void {
  if (ArrayBuffer.isView(col)) return out.set(col, at);
  const { base, offsets } = col;
  for (let i = 0; i < offsets.length; i++) out[at + i] = base + offsets[i]!;
}
