/**
 * Metric files (`metrics/<key>`, mlruns-format §2): one line per point, in logging order.
 * Written as `<timestamp> <value> <step>` with Python's float repr; read in every form MLflow 1.x–3.x
 * wrote: 2 fields (`ts value`, step 0), 3, 4 (`ts value step run_id`, logged-model files), 5
 * (`… dataset_name dataset_digest`) and 6, with CRLF line ends.
 *
 * @module
 */
import type { MetricHistory } from "../entities.js";
import { decimalEnd, parseDecimal } from "./decimal.js";
import { parsePythonFloat, parsePythonInt, writePythonFloatFromText } from "./numbers.js";
import { decodeText } from "./io.js";
import { malformed } from "./yaml.js";

/**
 * Room a metric line may need: 60 bytes for a stored point (16-digit timestamp, 24-byte float,
 * signed 16-digit step, 3 separators), 80 even for integers past 2^53 (24 bytes each, as text).
 */
export const MAX_METRIC_LINE = 80;

/**
 * The bytes of a metric file for points `from`…`to` of `h`: `<timestamp> <value> <step>` lines,
 * the value in Python's float repr. Written straight into a buffer, with no line strings to
 * concatenate and encode (every character is ASCII).
 */
export function formatMetricBytes(h: MetricHistory, from = 0, to = h.values.length): Uint8Array {
  const buf = new Uint8Array((to - from) * MAX_METRIC_LINE);
  return buf.subarray(0, formatMetricLines(h, from, to, buf, 0));
}

/**
 * Writes the lines of points `from`…`to` of `h` into `buf` from `at` and returns where they end;
 * `buf` must have room for {@link MAX_METRIC_LINE} bytes a line (a worker reuses one buffer).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(h.values.length * MAX_METRIC_LINE);
 * const end = formatMetricLines(h, 0, h.values.length, buf, 0);
 * ```
 */
export function formatMetricLines(h: Pick<MetricHistory, "timestamps" | "values" | "steps">, from: number, to: number, buf: Uint8Array, at: number): number {
  const { timestamps, values, steps } = h;
  const text = valueText;
  for (let c = from; c < to; c += VALUES_PER_TEXT) {
    const end = Math.min(to, c + VALUES_PER_TEXT);
    // The values' digits from one JSON.stringify: V8 writes each number straight into the JSON
    // text, where String(v) per value makes (and caches) a string each, ~2.5× the time.
    const batch: number[] = [];
    for (let i = c; i < end; i++) batch.push(values[i]!);
    utf8.encodeInto(JSON.stringify(batch), text);
    let p = 1;
    for (let i = c; i < end; i++) {
      const start = p;
      while (text[p] !== 44 && text[p] !== 93) p++;
      at = writeInt(buf, at, timestamps[i]!);
      buf[at++] = 32;
      at = writePythonFloatFromText(buf, at, values[i]!, text, start, p++);
      buf[at++] = 32;
      at = writeInt(buf, at, steps[i]!);
      buf[at++] = 10;
    }
  }
  return at;
}

/** Values whose text one JSON.stringify makes; the text of each is at most 24 characters and a comma. */
const VALUES_PER_TEXT = 1024;
const valueText = new Uint8Array(VALUES_PER_TEXT * 25 + 2);
const utf8 = new TextEncoder();

/** "00" to "99" as ASCII pairs: integers are written two digits per division. */
const PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 48 + ((i / 10) | 0);
    t[2 * i + 1] = 48 + (i % 10);
  }
  return t;
})();

/**
 * Writes a safe integer's digits. Split as hi·10^8 + lo so each part fits small-integer
 * arithmetic (`| 0`), which V8 does without allocating; timestamps have 13 digits.
 */
function writeInt(buf: Uint8Array, at: number, v: number): number {
  if (v < 0) {
    buf[at++] = 45;
    v = -v;
  }
  if (v < 1e8) {
    const n = digits8(v);
    writeDigits(buf, at + n, v, n);
    return at + n;
  }
  if (v >= 1e16) return writeAsciiNumber(buf, at, v); // beyond 2^53: never a stored step or timestamp
  const hi = Math.floor(v / 1e8);
  const n = digits8(hi);
  writeDigits(buf, at + n, hi, n);
  writeDigits(buf, at + n + 8, v - hi * 1e8, 8);
  return at + n + 8;
}

/** Number of digits of `v` < 10^8. */
function digits8(v: number): number {
  if (v < 10000) return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : 4;
  return v < 1e6 ? (v < 1e5 ? 5 : 6) : v < 1e7 ? 7 : 8;
}

/** Writes the last `n` digits of `v` < 10^8 (zero-padded) so that they end just before `end`. */
function writeDigits(buf: Uint8Array, end: number, v: number, n: number): void {
  for (; n >= 2; n -= 2) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    buf[--end] = PAIRS[r + 1]!;
    buf[--end] = PAIRS[r]!;
    v = q;
  }
  if (n === 1) buf[--end] = 48 + v;
}

function writeAsciiNumber(buf: Uint8Array, at: number, v: number): number {
  const s = String(v);
  for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
  return at;
}

/** Index of the latest point of `h`: largest by (step, timestamp, value), first one on ties. */
export function latestIndex(h: MetricHistory): number {
  let best = -1;
  for (let i = 0; i < h.values.length; i++) {
    if (best < 0) best = i;
    else {
      const ds = h.steps[i]! - h.steps[best]!;
      const dt = h.timestamps[i]! - h.timestamps[best]!;
      if (ds > 0 || (ds === 0 && (dt > 0 || (dt === 0 && h.values[i]! > h.values[best]!)))) best = i;
    }
  }
  return best;
}

/** Parsed columns of one metric file. */
export type MetricColumnsOfKey = { steps: Float64Array; values: Float64Array; timestamps: Float64Array; withDataset: number };

const SIMPLE_INT = /^[+-]?\d+$/;

/**
 * Parses a metric file as MLflow does (lines stripped, then split on single spaces; a blank line
 * is an error), except that a 5-field line keeps its step: MLflow's reader reads those as step 0,
 * which is not what its writer meant. Throws a TrackerError naming `file` and the line.
 *
 * `bytes` are the file's bytes when they are all ASCII (then byte and character offsets agree):
 * the common line (`<digits> <number> <digits>`) is then scanned as bytes, ~3× faster than
 * splitting strings; anything else takes the general path, with the same result.
 */
export function parseMetricLines(text: string, file: string, bytes?: Uint8Array): MetricColumnsOfKey {
  return readMetricLines(text, file, bytes, true);
}

/**
 * Parses a metric file from its bytes, as {@link parseMetricLines} does from its text: the bytes
 * are decoded only if a line needs the general path (a file of plain lines never becomes a
 * string), and a file that is not ASCII is read as text (not UTF-8: the same error).
 */
export function parseMetricBytes(bytes: Uint8Array, file: string): MetricColumnsOfKey {
  return parseAscii(bytes, undefined, file) ?? parseMetricLines(decodeText(bytes, file), file, bytes);
}

/**
 * Checks a metric file as {@link parseMetricLines} would read it (the same errors, the same count
 * of dataset lines) without converting the values: an import's checking pass, for runs it will
 * read again when it writes them. The columns it returns are empty.
 */
export function checkMetricLines(text: string, file: string, bytes?: Uint8Array): MetricColumnsOfKey {
  return readMetricLines(text, file, bytes, false);
}

const EMPTY = new Float64Array(0);

function readMetricLines(text: string, file: string, bytes: Uint8Array | undefined, keep: boolean): MetricColumnsOfKey {
  const ascii = bytes !== undefined && bytes.length === text.length ? bytes : undefined;
  if (ascii && keep) return parseAscii(ascii, text, file)!;
  // Sized once from the line count (a fast byte scan), not grown by doubling: less garbage.
  let capacity = 16;
  if (ascii) {
    // String#indexOf of one character is a memchr; a JS loop over the bytes is several times slower.
    let lines = text.length > 0 && text.charCodeAt(text.length - 1) !== 10 ? 1 : 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    capacity = Math.max(1, lines);
  }
  const size = keep ? capacity : 0;
  let steps: Float64Array<ArrayBuffer> = new Float64Array(size);
  let values: Float64Array<ArrayBuffer> = new Float64Array(size);
  let timestamps: Float64Array<ArrayBuffer> = new Float64Array(size);
  let n = 0;
  let withDataset = 0;
  let start = 0;
  let lineNo = 0;
  const point: Point = { ts: 0, value: 0, step: 0, dataset: false };
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo++;
    // A check scans the value's syntax instead of converting it; both leave other forms to the general path.
    if (!(ascii && (keep ? quickLine(ascii, text, start, end, point) : scanLine(ascii, start, end, point)))) slowLine(text.slice(start, end), file, lineNo, point);
    start = end + 1;
    if (point.dataset) withDataset++;
    if (keep) {
      if (n === capacity) {
        capacity *= 2;
        steps = grow(steps, capacity);
        values = grow(values, capacity);
        timestamps = grow(timestamps, capacity);
      }
      steps[n] = point.step;
      values[n] = point.value;
      timestamps[n] = point.ts;
    }
    n++;
  }
  if (n === 0) throw malformed(file, "the metric file is empty (MLflow needs at least one line)");
  if (!keep) return { steps: EMPTY, values: EMPTY, timestamps: EMPTY, withDataset };
  if (n === capacity) return { steps, values, timestamps, withDataset };
  return { steps: steps.slice(0, n), values: values.slice(0, n), timestamps: timestamps.slice(0, n), withDataset };
}

type Point = { ts: number; value: number; step: number; dataset: boolean };

/** Columns a parse fills before copying out exactly its points; grown as needed, kept (one set per thread). */
let scratch = { steps: new Float64Array(4096), values: new Float64Array(4096), timestamps: new Float64Array(4096) };

/**
 * The parse of an ASCII file in one pass over its bytes: the common line (`<ts> <value>[ <step>]`,
 * plain digits, the value in decimal notation) is read where it is, with no line strings, no
 * search for line ends and no string for the value ({@link parseDecimal}); any other line (and a
 * value parseDecimal is not sure of) takes {@link quickLine} then the general path, as before.
 * Without `text`, the bytes are decoded when a line first needs it; undefined when they turn out
 * not to be ASCII (byte and character offsets differ: the caller parses the text instead).
 */
function parseAscii(b: Uint8Array, text: string | undefined, file: string): MetricColumnsOfKey | undefined {
  const len = b.length;
  let { steps, values, timestamps } = scratch;
  let n = 0;
  let withDataset = 0;
  let lineNo = 0;
  let i = 0;
  const point: Point = { ts: 0, value: 0, step: 0, dataset: false };
  while (i < len) {
    lineNo++;
    const start = i;
    let ts = 0;
    let step = 0;
    let value: number | undefined;
    let c = 0;
    for (; i < len && (c = b[i]! - 48) >>> 0 < 10; i++) ts = ts * 10 + c;
    if (i > start && i - start <= 15 && i < len && b[i] === 32) {
      value = parseDecimal(b, ++i, len, true);
      i = decimalEnd;
      if (value !== undefined && i < len && b[i] === 32) {
        const negative = b[++i] === 45;
        if (negative) i++;
        const digits = i;
        for (; i < len && (c = b[i]! - 48) >>> 0 < 10; i++) step = step * 10 + c;
        if (i === digits || i - digits > 15) value = undefined;
        else if (negative) step = -step;
      }
      if (i < len && b[i] === 13) i++;
      if (i < len && b[i] !== 10) value = undefined;
    }
    if (value === undefined) {
      text ??= decodeText(b, file);
      if (text.length !== len) return undefined;
      let end = text.indexOf("\n", start);
      if (end < 0) end = len;
      if (!quickLine(b, text, start, end, point)) slowLine(text.slice(start, end), file, lineNo, point);
      if (point.dataset) withDataset++;
      ts = point.ts;
      value = point.value;
      step = point.step;
      i = end;
    }
    i++;
    if (n === values.length) {
      scratch = { steps: grow(steps, 2 * n), values: grow(values, 2 * n), timestamps: grow(timestamps, 2 * n) };
      ({ steps, values, timestamps } = scratch);
    }
    steps[n] = step;
    values[n] = value;
    timestamps[n] = ts;
    n++;
  }
  if (n === 0) throw malformed(file, "the metric file is empty (MLflow needs at least one line)");
  return { steps: steps.slice(0, n), values: values.slice(0, n), timestamps: timestamps.slice(0, n), withDataset };
}

/** The fast path of a parse over ASCII bytes: `<ts> <value>[ <step>]` with plain digits; false to fall back. */
function quickLine(b: Uint8Array, text: string, start: number, end: number, out: Point): boolean {
  if (end > start && b[end - 1] === 13) end--;
  // Timestamp: 1 to 15 digits (always a safe integer), then one space.
  let i = start;
  let ts = 0;
  for (; i < end; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) break;
    ts = ts * 10 + c;
  }
  if (i === start || i - start > 15 || i >= end || b[i] !== 32) return false;
  const valueStart = ++i;
  for (; i < end; i++) if (b[i] === 32) break;
  const valueEnd = i;
  if (valueEnd === valueStart) return false;
  const c0 = b[valueStart]!;
  const c1 = b[valueStart + 1]! | 0x20;
  // Number() also reads "0x10", "0o7", "0b1" and "Infinity", which the general path judges.
  if (c1 === 0x78 || c1 === 0x6f || c1 === 0x62 || c0 === 73 || c0 === 105 || c0 === 110 || c0 === 78) return false;
  const value = +text.slice(valueStart, valueEnd);
  if (value !== value) return false;
  let step = 0;
  if (valueEnd < end) {
    i = valueEnd + 1;
    const negative = b[i] === 45;
    if (negative) i++;
    const digits = i;
    for (; i < end; i++) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) return false;
      step = step * 10 + c;
    }
    if (i === digits || i - digits > 15) return false;
    if (negative) step = -step;
  }
  out.ts = ts;
  out.value = value;
  out.step = step;
  out.dataset = false;
  return true;
}

/**
 * The fast path of a check over ASCII bytes: `<ts> <value>[ <step>]` with plain digits (1–15 of
 * them) and the value in decimal notation, a sign, a point and an exponent allowed (all of which
 * {@link quickLine} reads, as Python's `float()` does), without converting anything; false when
 * the line is of another form, for the general path to judge. (`(c - 48) >>> 0 < 10`: a digit.)
 */
function scanLine(b: Uint8Array, start: number, end: number, out: Point): boolean {
  if (end > start && b[end - 1] === 13) end--;
  let i = start;
  while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
  if (i === start || i - start > 15 || i >= end || b[i] !== 32) return false;
  i++;
  if (i < end && (b[i] === 43 || b[i] === 45)) i++;
  let digits = i;
  while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
  digits = i - digits;
  if (i < end && b[i] === 46) {
    const f = ++i;
    while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
    digits += i - f;
  }
  if (digits === 0) return false;
  if (i < end && (b[i]! | 32) === 101) {
    i++;
    if (i < end && (b[i] === 43 || b[i] === 45)) i++;
    const e = i;
    while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
    if (i === e) return false;
  }
  if (i < end) {
    if (b[i] !== 32) return false;
    i++;
    if (i < end && b[i] === 45) i++;
    const d = i;
    while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
    if (i !== end || i === d || i - d > 15) return false;
  }
  out.dataset = false;
  return true;
}

/** The general path, Python's `line.strip().split(" ")` with int()/float() per field. */
function slowLine(raw: string, file: string, lineNo: number, out: Point): void {
  const line = raw.trim();
  const parts = line.split(" ");
  if (parts.length < 2 || parts.length > 6) {
    throw malformed(file, `expected "<timestamp> <value> <step>", got ${parts.length === 1 && parts[0] === "" ? "a blank line" : JSON.stringify(line.slice(0, 80))}`, lineNo);
  }
  const ts = readInt(parts[0]!, file, lineNo, "timestamp");
  if (ts < 0) throw malformed(file, `timestamp ${ts} is negative`, lineNo);
  out.ts = ts;
  out.value = readFloat(parts[1]!, file, lineNo);
  out.step = parts.length >= 3 ? readInt(parts[2]!, file, lineNo, "step") : 0;
  out.dataset = parts.length >= 5;
}

function grow(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}

function readInt(s: string, file: string, line: number, what: string): number {
  if (SIMPLE_INT.test(s)) {
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
  }
  const v = parsePythonInt(s);
  if (v === undefined) throw malformed(file, `${what} ${JSON.stringify(s.slice(0, 40))} is not an integer`, line);
  if (typeof v === "bigint") throw malformed(file, `${what} ${v} is beyond ±2^53, which trackbook cannot store exactly`, line);
  return v;
}

function readFloat(s: string, file: string, line: number): number {
  // Number() is the fast path; it also accepts 0x/0o/0b forms and "" that Python refuses.
  const quick = Number(s);
  const c = s.charCodeAt(1) | 0x20;
  if (s !== "" && !Number.isNaN(quick) && c !== 0x78 && c !== 0x6f && c !== 0x62) return quick;
  const v = parsePythonFloat(s);
  if (v === undefined) throw malformed(file, `value ${JSON.stringify(s.slice(0, 40))} is not a number`, line);
  return v;
}
