import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePythonFloat, parsePythonInt, pythonFloatRepr, writePythonFloat } from "../../src/mlruns/numbers.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";

const jsText = (v: number) => (Object.is(v, -0) ? "-0.0" : Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v));

/** writePythonFloat's bytes as text, written at an offset into a dirty buffer. */
const written = (v: number) => {
  const buf = new Uint8Array(40).fill(120);
  const end = writePythonFloat(buf, 3, v);
  expect(end - 3).toBeLessThanOrEqual(24);
  return String.fromCharCode(...buf.subarray(3, end));
};

/** Doubles near the points where either language changes layout (1e-7 to 1e-4, 1e16 to 1e22), and across the whole range. */
const edgyDouble = fc.oneof(
  fc.double(),
  fc.tuple(fc.constantFrom(1e-7, 1e-6, 1e-5, 1e-4, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22), fc.double({ min: 0.5, max: 2, noNaN: true }), fc.boolean()).map(([p, f, neg]) => (neg ? -1 : 1) * p * f),
  fc.integer({ min: -30, max: 30 }).map((e) => 10 ** e),
  fc.nat().map((n) => n * 10 ** 10),
);

const SAMPLES = [
  0.1, 1e-5, 1e16, 1e15, 123456789012345680, 1.5e300, 5e-324, -2.5, 100, 1e21, 1e-7, 0.0001, 0.00012345, 12345.678, -0, 0,
  NaN, Infinity, -Infinity, 1 / 3, 2 ** 53, 9999999999999998, 1e22, 123e-20, -1.7976931348623157e308,
];

describe("mlruns/numbers", () => {
  it("writes floats as Python's repr does (fixed cases)", () => {
    expect(SAMPLES.map(pythonFloatRepr)).toEqual([
      "0.1", "1e-05", "1e+16", "1000000000000000.0", "1.2345678901234568e+17", "1.5e+300", "5e-324", "-2.5", "100.0", "1e+21",
      "1e-07", "0.0001", "0.00012345", "12345.678", "-0.0", "0.0", "nan", "inf", "-inf", "0.3333333333333333", "9007199254740992.0",
      "9999999999999998.0", "1e+22", "1.23e-18", "-1.7976931348623157e+308",
    ]);
  });

  it("writes the same bytes as the string repr, for every double", () => {
    expect(SAMPLES.map(written)).toEqual(SAMPLES.map(pythonFloatRepr));
    fc.assert(
      fc.property(edgyDouble, (v) => {
        expect(written(v)).toBe(pythonFloatRepr(v));
      }),
      { numRuns: 20000 },
    );
  });

  it("reads back every float it writes, bit for bit", () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(Object.is(parsePythonFloat(pythonFloatRepr(v)), v)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("reads what Python's float() reads and refuses what it refuses", () => {
    expect(["nan", "NaN", "-nan", "inf", "+inf", "-Infinity", "INF", " 1.5\r", "1_000.5", ".5", "5.", "1e21", "-0.0"].map(parsePythonFloat)).toEqual([
      NaN, NaN, NaN, Infinity, Infinity, -Infinity, Infinity, 1.5, 1000.5, 0.5, 5, 1e21, -0,
    ]);
    for (const bad of ["", " ", "0x10", "1__0", "_1", "1e", "e5", "1.5.1", "abc", "infinit", "1,5", "1 2"]) expect(parsePythonFloat(bad)).toBeUndefined();
  });

  it("reads ints as Python's int() does, with bigint beyond 2^53", () => {
    expect(parsePythonInt("42")).toBe(42);
    expect(parsePythonInt("-7\r")).toBe(-7);
    expect(parsePythonInt("1_000")).toBe(1000);
    expect(parsePythonInt("9007199254740993")).toBe(9007199254740993n);
    for (const bad of ["1.0", "1e3", "", "0x1", "--1", "nan"]) expect(parsePythonInt(bad)).toBeUndefined();
  });

  it("agrees with real Python on repr() and float() (peer)", () => {
    if (!requireMlflow()) return;
    const random = [...fc.sample(fc.double(), 300), ...fc.sample(edgyDouble, 300)];
    const values = [...SAMPLES, ...random];
    const parseCases = ["nan", "-inf", "Infinity", "1_0.5", ".5", "0x10", "", "1e", "1e400", "-1e-400", "  7  "];
    const out = runPeer("float-repr.py", [], JSON.stringify({ repr: values.map(jsText), parse: parseCases })) as { repr: string[]; parse: (string | null)[] };
    expect(values.map(pythonFloatRepr)).toEqual(out.repr);
    expect(values.map(written)).toEqual(out.repr);
    expect(parseCases.map((s) => {
      const v = parsePythonFloat(s);
      return v === undefined ? null : Number.isNaN(v) ? "nan" : pythonFloatRepr(v);
    })).toEqual(out.parse);
  });
});
