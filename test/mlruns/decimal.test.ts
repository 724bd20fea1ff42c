import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDecimal } from "../../src/mlruns/decimal.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** parseDecimal of the whole string, at an offset inside a larger buffer (as in a metric line). */
const parse = (s: string) => {
  const b = ascii(`12 ${s} 7`);
  return parseDecimal(b, 3, 3 + s.length);
};
/** Either it is sure, and then it agrees with Number() bit for bit, or it says so. */
const agrees = (s: string) => {
  const v = parse(s);
  if (v !== undefined) expect(Object.is(v, Number(s)), `${s}: ${v} vs ${Number(s)}`).toBe(true);
  return v !== undefined;
};

const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Doubles of the size metrics have (1e-12 to 1e12), as JS and Python print them. */
const metricDouble = fc.tuple(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.integer({ min: -12, max: 12 }), fc.boolean()).map(([f, e, neg]) => (neg ? -1 : 1) * f * 10 ** e);

describe("mlruns/decimal", () => {
  it("gives Number()'s double for every double's text, as JS and as Python print it", () => {
    fc.assert(
      fc.property(fc.oneof(anyDouble, metricDouble), (v) => {
        agrees(String(v));
        if (Number.isFinite(v)) agrees(pythonFloatRepr(v));
      }),
      { numRuns: 60_000 },
    );
  });

  it("is sure of nearly every metric-sized value (it falls back to Number() only near rounding boundaries)", () => {
    let sure = 0;
    const n = 100_000;
    const values = fc.sample(metricDouble, n);
    for (const v of values) if (agrees(pythonFloatRepr(v))) sure++;
    expect(sure).toBeGreaterThan(n * 0.999);
  });

  it("agrees with Number() on decimal strings of any digits and exponent", () => {
    const digits = fc.stringMatching(/^[0-9]{1,25}$/);
    fc.assert(
      fc.property(fc.constantFrom("", "-", "+"), digits, fc.option(digits), fc.option(fc.integer({ min: -330, max: 330 })), (sign, int, frac, exp) => {
        agrees(`${sign}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : `e${exp}`}`);
      }),
      { numRuns: 40_000 },
    );
  });

  it("reads the edges exactly: zeros, halfway cases, the largest and smallest normal doubles, exact integers", () => {
    const cases = ["0", "0.0", "-0.0", "+0", "5.", ".5", "-.5e1", "1e22", "1e23", "9007199254740993", "9007199254740992.5", "123456789012345678", "0.1", "0.3",
      "1.7976931348623157e308", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324", "1.5e-05", "0.0009990009990009992", "1E+16", "7.0e-10"];
    for (const s of cases) agrees(s);
    expect(Object.is(parse("-0.0"), -0)).toBe(true);
    expect(parse("0.0009990009990009992")).toBe(0.0009990009990009992);
    expect(parse("1.5e-05")).toBe(1.5e-5);
  });

  it("leaves other forms to the caller: nan, inf, hex, underscores, blanks, lone signs and points, more than 19 digits", () => {
    for (const s of ["nan", "inf", "-inf", "Infinity", "0x10", "1_000", "", "-", ".", "e5", "1e", "1e+", " 1", "1 ", "1.2.3", "12345678901234567890"]) expect(parse(s), s).toBeUndefined();
  });
});
