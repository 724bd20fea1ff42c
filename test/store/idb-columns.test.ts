import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSteps, decodeTimes, encodeSteps, encodeTimes } from "../../src/store/idb/columns.js";

const roundTrip = (steps: number[], times: number[]) => {
  const s = Float64Array.from(steps);
  const t = Float64Array.from(times);
  // Encode a window of a larger array, as chunks do.
  const pad = (a: Float64Array) => Float64Array.from([7, ...a, 7]);
  const sc = encodeSteps(pad(s), 1, s.length + 1);
  const tc = encodeTimes(pad(t), 1, t.length + 1);
  const outS = new Float64Array(s.length + 2);
  const outT = new Float64Array(t.length + 2);
  decodeSteps(sc, s.length, outS, 1);
  decodeTimes(tc, outT, 1);
  return { steps: Array.from(outS.subarray(1, -1)), times: Array.from(outT.subarray(1, -1)), sc, tc };
};

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe("idb chunk columns", () => {
  it("store evenly spaced steps as first and stride, and near timestamps as int32 offsets", () => {
    const r = roundTrip([5, 6, 7], [1_700_000_000_000, 1_700_000_000_010, 1_699_999_999_000]);
    expect(r.sc).toEqual({ first: 5, stride: 1 });
    expect(r.tc).toEqual({ base: 1_700_000_000_000, offsets: Int32Array.of(0, 10, -1000) });
    expect(roundTrip([0, 10, 20, 30], [0]).sc).toEqual({ first: 0, stride: 10 });
    expect(roundTrip([0, 0, 0], [0]).sc).toEqual({ first: 0, stride: 0 });
    expect(roundTrip([9], [0]).sc).toEqual({ first: 9, stride: 0 });
  });

  it("fall back to float64 for anything else, -0 and far-apart timestamps included", () => {
    expect(ArrayBuffer.isView(roundTrip([0, 2, 3], [0, 0]).sc)).toBe(true);
    expect(ArrayBuffer.isView(roundTrip([-0, 1], [0, 1]).sc)).toBe(true);
    expect(ArrayBuffer.isView(roundTrip([1], [0, 2 ** 31]).tc)).toBe(true);
    expect(ArrayBuffer.isView(roundTrip([1], [-0]).tc)).toBe(true);
  });

  it("give back exactly what was encoded (property)", () => {
    const step = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(-0), fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
    const spaced = fc
      .tuple(fc.integer({ min: -1e15, max: 1e15 }), fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 1, max: 50 }))
      .map(([a, d, n]) => Array.from({ length: n }, (_, i) => a + i * d));
    const time = fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.constant(-0), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }));
    fc.assert(
      fc.property(fc.oneof(fc.array(step, { minLength: 1, maxLength: 40 }), spaced), fc.array(time, { minLength: 1, maxLength: 40 }), (steps, times) => {
        const r = roundTrip(steps, times);
        return same(r.steps, steps) && same(r.times, times);
      }),
      { numRuns: 500 },
    );
  });
});
