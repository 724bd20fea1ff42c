import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMetricBytes, latestIndex, parseMetricLines } from "../../src/mlruns/metric-file.js";

const bits = (a: Float64Array) => [...a].map((v) => (Object.is(v, -0) ? "-0" : String(v)));
const encode = (s: string) => new TextEncoder().encode(s);

describe("mlruns/metric-file", () => {
  it("reads back every history it writes, bit for bit, on the byte path and the string path", () => {
    const point = fc.record({
      step: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      value: fc.double(),
      timestamp: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 40 }), (points) => {
        const h = {
          key: "k",
          steps: Float64Array.from(points, (p) => p.step),
          values: Float64Array.from(points, (p) => p.value),
          timestamps: Float64Array.from(points, (p) => p.timestamp),
        };
        const bytes = formatMetricBytes(h);
        const text = new TextDecoder().decode(bytes);
        for (const parsed of [parseMetricLines(text, "f", bytes), parseMetricLines(text, "f")]) {
          expect(bits(parsed.values)).toEqual(bits(h.values));
          expect([...parsed.steps]).toEqual([...h.steps]);
          expect([...parsed.timestamps]).toEqual([...h.timestamps]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same answer on both paths for the forms only the general path reads", () => {
    const text = "1 nan 0\r\n2 -Infinity 3\n3 1_0.5 -4\n 4 .5 5 \n5 +1e3\n6 0.5 7 ds 0abc\n7 0.25 8 m-1\n";
    const want = { steps: [0, 3, -4, 5, 0, 7, 8], values: [NaN, -Infinity, 10.5, 0.5, 1000, 0.5, 0.25], timestamps: [1, 2, 3, 4, 5, 6, 7], withDataset: 1 };
    for (const p of [parseMetricLines(text, "f", encode(text)), parseMetricLines(text, "f")]) {
      expect({ steps: [...p.steps], values: [...p.values], timestamps: [...p.timestamps], withDataset: p.withDataset }).toEqual(want);
    }
    for (const bad of ["0x10 1 0\n", "1 0x10 0\n", "1 1 0x1\n", "1 1 1e2\n"]) expect(() => parseMetricLines(bad, "f", encode(bad))).toThrow(/line 1/);
  });

  it("picks the latest point as MLflow does: largest (step, timestamp, value), first on ties", () => {
    const h = { key: "k", steps: Float64Array.of(1, 3, 3, 3, 2), values: Float64Array.of(9, 1, 5, 5, 99), timestamps: Float64Array.of(9, 7, 7, 7, 99) };
    expect(latestIndex(h)).toBe(2);
  });
});
