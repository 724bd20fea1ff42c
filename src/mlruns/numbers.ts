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

/**
 * Writes {@link pythonFloatRepr}`(v)` as ASCII bytes into `buf` at `at` (room for 24 bytes needed)
 * and returns where it ends.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(24);
 * const end = writePythonFloat(buf, 0, 1e-5); // buf[0..end) is "1e-05"
 * ```
 */
export function writePythonFloat(buf: Uint8Array, at: number, v: number): number {
  const n = utf8.encodeInto(String(v), one).written;
  return writePythonFloatFromText(buf, at, v, one, 0, n);
}

const utf8 = new TextEncoder();
const one = new Uint8Array(32);

/**
 * Writes Python's repr of `v` given `text[start, end)`, the ASCII of V8's shortest round-trip
 * digits for it (what `String(v)` or `JSON.stringify` writes; for NaN, ±Infinity and -0, which
 * JSON writes as `null` and `0`, the text is not looked at). Python and JS print the same digits
 * and differ only in layout: Python uses exponents below 1e-4 and from 1e16 on, writes at least
 * two exponent digits, and keeps `.0` on integral values. The metric-file writer gets the text of
 * many values from one `JSON.stringify` (no string per value), then lays each out here.
 *
 * @example
 * ```ts
 * const text = new TextEncoder().encode("1e-7");
 * writePythonFloatFromText(buf, 0, 1e-7, text, 0, text.length); // "1e-07"
 * ```
 */
export function writePythonFloatFromText(buf: Uint8Array, at: number, v: number, text: Uint8Array, start: number, end: number): number {
  if (v !== v) return writeAscii(buf, at, "nan");
  if (v === 0) return writeAscii(buf, at, 1 / v < 0 ? "-0.0" : "0.0");
  if (v === Infinity) return writeAscii(buf, at, "inf");
  if (v === -Infinity) return writeAscii(buf, at, "-inf");
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-4 && abs < 1e16) {
    // Both languages write fixed notation here, with the same digits; Python adds ".0" to integers.
    let dot = false;
    for (let i = start; i < end; i++) {
      const c = text[i]!;
      if (c === 46) dot = true;
      buf[at++] = c;
    }
    if (!dot) {
      buf[at++] = 46;
      buf[at++] = 48;
    }
    return at;
  }
  return writeExponentForm(buf, at, text, start, end, abs < 1);
}

/**
 * Python's exponent form (`d[.ddd]e±XX`, at least two exponent digits) from V8's text of a value
 * below 1e-4 or from 1e16 on, which is one of `d[.ddd]e±X` (below 1e-6, from 1e21 on),
 * `0.0000ddd` (1e-6 to 1e-4) or `ddd000` (1e16 to 1e21).
 */
function writeExponentForm(buf: Uint8Array, at: number, text: Uint8Array, start: number, end: number, small: boolean): number {
  let i = start;
  if (text[i] === 45) {
    buf[at++] = 45;
    i++;
  }
  let e = i;
  while (e < end && text[e] !== 101) e++;
  if (e < end) {
    // Same mantissa; the exponent gets a second digit where it has one.
    for (; i <= e + 1; i++) buf[at++] = text[i]!;
    if (end - (e + 2) === 1) buf[at++] = 48;
    for (; i < end; i++) buf[at++] = text[i]!;
    return at;
  }
  let first: number;
  let last = end;
  let exp: number;
  if (small) {
    // "0.000ddd": the first nonzero digit after the point gives the exponent.
    first = i + 2;
    while (text[first] === 48) first++;
    exp = first - (i + 1);
  } else {
    // Integer digits (no point, no fraction at this size): drop the trailing zeros.
    first = i;
    exp = last - first - 1;
    while (text[last - 1] === 48) last--;
  }
  buf[at++] = text[first]!;
  if (last - first > 1) {
    buf[at++] = 46;
    for (let k = first + 1; k < last; k++) buf[at++] = text[k]!;
  }
  buf[at++] = 101;
  buf[at++] = small ? 45 : 43;
  buf[at++] = 48 + ((exp / 10) | 0);
  buf[at++] = 48 + (exp % 10);
  return at;
}

function writeAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
  return at;
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
