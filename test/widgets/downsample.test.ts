import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { downsample, finitePoints } from "../../widgets/index.js";

/** 1M points of noise with spikes planted at known places. */
function spiky(n: number, spikes: number[]): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const y = Float64Array.from({ length: n }, () => rand());
  for (const [j, at] of spikes.entries()) y[at] = j % 2 === 0 ? 50 + j : -50 - j;
  return { x, y };
}

function argExtremes(y: ArrayLike<number>, from = 0, to = y.length): [number, number] {
  let lo = from;
  let hi = from;
  for (let i = from; i < to; i++) {
    if (y[i]! < y[lo]!) lo = i;
    if (y[i]! > y[hi]!) hi = i;
  }
  return [lo, hi];
}

describe("downsample", () => {
  it("cuts 1M points to the budget and keeps the first, last, global min, global max and every planted spike", () => {
    const spikes = Array.from({ length: 200 }, (_, j) => 1234 + j * 4987);
    const s = spiky(1_000_000, spikes);
    const keep = downsample(s, { budget: 2400 });
    expect(keep.length).toBeLessThanOrEqual(2400);
    expect(keep.length).toBeGreaterThan(2000);
    const kept = new Set(keep);
    const [lo, hi] = argExtremes(s.y);
    for (const i of [0, 999_999, lo, hi, ...spikes]) expect(kept.has(i), `point ${i}`).toBe(true);
    // In drawing order, each index once.
    for (let k = 1; k < keep.length; k++) expect(keep[k]!).toBeGreaterThan(keep[k - 1]!);
  });

  it("keeps each bucket's min and max: a spike taller than its neighbours anywhere survives (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 5000 }), fc.integer({ min: 4, max: 200 }), fc.nat(), (n, budget, where) => {
        const at = where % n;
        const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 7));
        y[at] = 1000;
        const keep = downsample({ x: Float64Array.from({ length: n }, (_, i) => i * 3), y }, { budget });
        expect(keep.length).toBeLessThanOrEqual(Math.max(budget, 4));
        expect(keep).toContain(at);
        expect(keep[0]).toBe(0);
        expect(keep[keep.length - 1]).toBe(n - 1);
      }),
      { numRuns: 200 },
    );
  });

  it("shows every raw point of a 1% zoom of a 1M-point series (a one-series chart's default budget)", () => {
    const s = spiky(1_000_000, []);
    const keep = downsample(s, { budget: 10_000, xDomain: [500_000, 509_999] });
    expect(Array.from(keep)).toEqual(Array.from({ length: 10_000 }, (_, i) => 500_000 + i));
    // A smaller budget re-cuts only the visible range: its ends are the zoom's ends.
    const cut = downsample(s, { budget: 2400, xDomain: [500_000, 509_999] });
    expect(cut.length).toBeLessThanOrEqual(2400);
    expect([cut[0], cut[cut.length - 1]]).toEqual([500_000, 509_999]);
  });

  it("returns everything when the series fits the budget", () => {
    expect(Array.from(downsample({ x: [1, 2, 3], y: [3, 2, 1] }, { budget: 10 }))).toEqual([0, 1, 2]);
    expect(Array.from(downsample({ x: [], y: [] }))).toEqual([]);
  });

  it("orders by x when x goes back and forth, and leaves out points whose x is NaN", () => {
    const keep = downsample({ x: [3, 1, NaN, 2], y: [0, 0, 0, 0] }, { budget: 10 });
    expect(Array.from(keep)).toEqual([1, 3, 0]);
  });

  it("never picks NaN or ±Inf as a bucket's min or max", () => {
    const n = 10_000;
    const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i % 5 === 0 ? -Infinity : Math.cos(i)));
    const keep = downsample({ x: Float64Array.from({ length: n }, (_, i) => i), y }, { budget: 400 });
    const interior = Array.from(keep).filter((i) => i !== 0 && i !== n - 1);
    const nonFinite = interior.filter((i) => !Number.isFinite(y[i]!));
    // Only a bucket's first or last point may be non-finite, never its min or max.
    expect(nonFinite.length).toBeLessThanOrEqual(2 * 100);
    expect(finitePoints(y)).toBe(Array.from(y).filter(Number.isFinite).length);
  });

  it("splits points with one x value evenly by position", () => {
    const keep = downsample({ x: new Float64Array(1000), y: Float64Array.from({ length: 1000 }, (_, i) => (i === 777 ? 9 : 0)) }, { budget: 40 });
    expect(keep).toContain(777);
    expect(keep.length).toBeLessThanOrEqual(40);
  });
});
