import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MetricColumns } from "../../src/entities.js";
import { isLater, type LatestPoint } from "../../src/store/latest.js";
import { toPoints, updateLatest } from "../../src/store/arrow/history.js";

// Few distinct steps, timestamps and values, so ties (and NaN ties) are common.
const value = fc.oneof(fc.constantFrom(NaN, 0, 0.5, 1, -Infinity), fc.double());
const point = fc.tuple(fc.nat(1), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), value);

describe("store/arrow/history", () => {
  it("updates the latest values exactly as applying isLater point by point does, NaN ties included", () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), fc.array(point, { maxLength: 40 }), (before, batch) => {
        const keys = ["a", "b", "c", "d"];
        const sequential = new Map<string, LatestPoint>();
        const fast = new Map<string, LatestPoint>();
        for (const [k, step, timestamp, v] of before) {
          if (isLater(sequential.get(keys[k]!), step, timestamp, v)) sequential.set(keys[k]!, { step, timestamp, value: v });
        }
        for (const [key, p] of sequential) fast.set(key, { ...p });
        for (const [k, step, timestamp, v] of batch) {
          if (isLater(sequential.get(keys[k]!), step, timestamp, v)) sequential.set(keys[k]!, { step, timestamp, value: v });
        }
        updateLatest(fast, {
          keys,
          keyIds: Int32Array.from(batch, (p) => p[0]),
          steps: Float64Array.from(batch, (p) => p[1]),
          timestamps: Float64Array.from(batch, (p) => p[2]),
          values: Float64Array.from(batch, (p) => p[3]),
        });
        expect(fast).toEqual(sequential);
      }),
      { numRuns: 2000 },
    );
  });

  it("joins consecutive views of one buffer without copying, and copies anything else", () => {
    const n = 10;
    const cols = { keyIds: Uint32Array.from({ length: n }, (_, i) => i % 2), values: Float64Array.from({ length: n }, (_, i) => i), steps: new Float64Array(n), timestamps: new Float64Array(n) };
    const keys = ["x", "y"];
    const view = (s: number, e: number): MetricColumns => ({ keys, keyIds: cols.keyIds.subarray(s, e), values: cols.values.subarray(s, e), steps: cols.steps.subarray(s, e), timestamps: cols.timestamps.subarray(s, e) });
    const joined = toPoints([view(0, 4), view(4, 10)]);
    expect(joined.values.buffer).toBe(cols.values.buffer);
    expect(Array.from(joined.values)).toEqual(Array.from(cols.values));
    expect(joined.keys).toEqual(keys);
    // A gap between the views, or a different key list, means a real concatenation.
    const gapped = toPoints([view(0, 3), view(4, 10)]);
    expect(gapped.values.buffer).not.toBe(cols.values.buffer);
    expect(Array.from(gapped.values)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    const other = toPoints([view(0, 4), { ...view(4, 10), keys: ["y", "x"] }]);
    expect(other.keys).toEqual(["x", "y"]);
    expect(Array.from(other.keyIds)).toEqual([0, 1, 0, 1, 1, 0, 1, 0, 1, 0]);
  });
});
