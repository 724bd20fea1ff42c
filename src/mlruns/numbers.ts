/**
 * Numbers as Python writes and reads them in metric files (mlruns-format §2): `repr(float)` on
 * the way out (`0.1`, `1e-05`, `1e+16`, `nan`, `inf`, `-inf`, `-0.0`), and Python's `float()` /
 * `int()` on the way in, which JS's `Number()` is not (`Number("inf")` is NaN, `Number("")` is 0,
 * `Number("0x10")` is 16).
 *
 * @module
 */

/**
 * Python's `repr()` of a float. Both languages print the shortest digits that round-trip; only
 * the layout differs (Python switches to exponents below 1e-4 and from 1e16 on, writes at least
 * two exponent digits, and keeps `.0` on integral values).
 */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(v);
  if (abs >= 1e-4 && abs < 1e16) {
    // Here both languages print the shortest round-trip digits in fixed notation; only Python's
    // ".0" on integral values differs.
    const s = String(v);
    return Number.isInteger(v) ? s + ".0" : s;
  }
  const [mantissa, expText] = v.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits}${"0".repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

// Python's float() grammar for finite decimals: digits may be grouped with single underscores.
const DIGITS = "[0-9](?:_?[0-9])*";
const FLOAT = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const NONFINITE = /^([+-]?)(nan|inf|infinity)$/i;
const INT = new RegExp(`^[+-]?${DIGITS}$`);

/** Python's `float(text)`, or `undefined` where Python would raise. */
export function parsePythonFloat(text: string): number | undefined {
  const s = text.trim();
  const nf = NONFINITE.exec(s);
  if (nf) {
    if (nf[2]!.toLowerCase() === "nan") return NaN;
    return nf[1] === "-" ? -Infinity : Infinity;
  }
  if (!FLOAT.test(s)) return undefined;
  return Number(s.replace(/_/g, ""));
}

/**
 * Python's `int(text)` as a JS number, or `undefined` where Python would raise. Values beyond
 * 2^53 come back as `bigint` so the caller can say why it cannot keep them exactly.
 */
export function parsePythonInt(text: string): number | bigint | undefined {
  const s = text.trim();
  if (!INT.test(s)) return undefined;
  const clean = s.replace(/_/g, "");
  const n = Number(clean);
  return Number.isSafeInteger(n) ? n : BigInt(clean);
}
