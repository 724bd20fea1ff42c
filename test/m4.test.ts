import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gridFor, m4, m4Into, type Grid } from "../src/m4.js";

const bucketOf = (g: Grid, x: number) => Math.min(g.buckets - 1, Math.floor(Math.floor(x / g.unit) / g.per) - g.origin);

describe("m4's aligned grid", () => {
  it("covers any range with at most the buckets asked for, each within 1/8 of the narrowest width that would do (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.double({ min: 1e-6, max: 1e12, noNaN: true }), fc.integer({ min: 2, max: 5000 }), (x0, span, buckets) => {
        const g = gridFor(x0, x0 + span, buckets);
        if (!g) return;
        const xN = x0 + span;
        expect(bucketOf(g, x0)).toBe(0);
        expect(Math.floor(Math.floor(xN / g.unit) / g.per) - g.origin).toBeLessThan(buckets);
        expect(g.unit * g.per).toBeGreaterThanOrEqual((xN - x0) / buckets);
        expect(g.unit * g.per).toBeLessThanOrEqual(((xN - x0) / (buckets - 1)) * 1.125 * (1 + 1e-12));
      }),
      { numRuns: 500 },
    );
  });

  it("cuts any superset of a finer cell grid's cut exactly as it cuts every point (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 600 }), fc.integer(), fc.array(fc.nat(), { maxLength: 30 }), (n, stride, buckets, seed, extra) => {
        let s = seed >>> 0 || 1;
        const x = Float64Array.from({ length: n }, (_, i) => i * stride);
        const y = Float64Array.from({ length: n }, (_, i) => (i % 97 === 5 ? NaN : ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32)));
        const all = m4(x, y, 0, n, buckets);
        const g = gridFor(x[0]!, x[n - 1]!, buckets);
        if (!g) return;
        // Cells of any power-of-two width up to the grid's unit, aligned the same way.
        for (const unit of [g.unit, g.unit / 2, g.unit / 8]) {
          const cells: Grid = { unit, per: 1, origin: Math.floor(x[0]! / unit), buckets: Infinity };
          const out = new Uint32Array(4 * n);
          const kept = new Set(out.subarray(0, m4Into(x, y, 0, n, cells, 1, out, 0)));
          for (const e of extra) kept.add(e % n);
          const idx = Uint32Array.from([...kept].sort((a, b) => a - b));
          const cut = m4(Float64Array.from(idx, (i) => x[i]!), Float64Array.from(idx, (i) => y[i]!), 0, idx.length, buckets);
          expect(Array.from(cut, (p) => idx[p]!)).toEqual(Array.from(all));
        }
      }),
      { numRuns: 200 },
    );
    // Hundreds of cuts of up to 20k points: seconds, more on a busy machine.
  }, 120_000);
});
