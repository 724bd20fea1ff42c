/**
 * meta.yaml in and out. MLflow reads these files with PyYAML `safe_load`, which resolves YAML
 * 1.1: unquoted `yes`, `1:30`, `0777` or `2024-01-01` come back as a bool, an int or a date.
 *
 * Writing is hand-made rather than `yaml.stringify(…, { version: "1.1" })`: measured with
 * yaml@2.9.1, that leaves `=` and `<<` plain (PyYAML reads them as the value and merge tags and
 * fails) and writes U+0085 and U+2028 raw (line breaks to PyYAML). The files are flat maps of
 * strings, ints and nulls, so a conservative emitter is a few lines: a string is plain only when
 * it cannot mean anything else, else double-quoted with escapes; keys sorted, as `safe_dump` does.
 *
 * Reading uses the `yaml` package's parser with PyYAML's scalar resolution, with aliases,
 * duplicate keys and unknown tags refused, and errors naming the file and line.
 *
 * @module
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar } from "yaml";
import { TrackerError } from "../errors.js";

/** A value in a flat meta.yaml. */
export type YamlValue = string | number | null | readonly never[];

// Plain only for words PyYAML can only read as a string: starts with a letter or '_', then
// letters, digits and `_ . / -` (single spaces inside), and none of YAML 1.1's bool/null words.
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/;
const RESERVED_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i;

/** A string as a YAML scalar PyYAML reads back unchanged. */
export function yamlString(s: string): string {
  if (PLAIN.test(s) && !RESERVED_WORDS.test(s)) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0d) out += "\\r";
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if (printable(c)) out += s[i]!;
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  return out + '"';
}

/** Characters PyYAML's reader accepts raw inside a double-quoted scalar (not line breaks). */
function printable(c: number): boolean {
  if (c >= 0x20 && c <= 0x7e) return true;
  if (c < 0xa0) return false; // C0/C1 controls, DEL and U+0085 (NEL, a line break to YAML 1.1)
  if (c === 0x2028 || c === 0x2029 || c === 0xfeff) return false;
  return c <= 0xd7ff || (c >= 0xe000 && c <= 0xfffd);
}

/** A flat map as YAML, keys sorted (what PyYAML's `safe_dump` writes). */
export function toYaml(map: Readonly<Record<string, YamlValue>>): string {
  const lines: string[] = [];
  for (const key of Object.keys(map).sort()) {
    const v = map[key]!;
    let text: string;
    if (v === null) text = "null";
    else if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new TrackerError("INTERNAL_ERROR", `meta.yaml field '${key}' must be an integer, got ${v}.`);
      text = String(v);
    } else if (typeof v === "string") text = yamlString(v);
    else text = "[]";
    lines.push(`${yamlString(key)}: ${text}`);
  }
  return lines.join("\n") + "\n";
}

/** A parsed meta.yaml: a plain map (ints as bigint, so 18-digit ids stay exact). */
export type YamlMap = Record<string, unknown>;

/**
 * Parses a meta.yaml as PyYAML's `safe_load` would, refusing what it would refuse and what only an
 * attacker writes (aliases, duplicate keys, unknown tags). `file` names the file in messages.
 *
 * The yaml package parses (failsafe schema: every scalar a string); plain scalars are then
 * resolved with PyYAML's own resolver patterns ({@link resolvePlain}), because the package's YAML
 * 1.1 schema differs at the edges (it reads `e1` as a float; PyYAML reads a string).
 */
export function parseYamlMap(text: string, file: string): YamlMap {
  return flatYamlMap(text) ?? parseYamlDocument(text, file);
}

// The lines of the flat maps MLflow and trackbook write (`key: value`), in a subset where the YAML
// reading is beyond doubt: the value plain in a conservative character set (not starting with an
// indicator), `[]`, empty, or quoted with no escapes. Anything else goes to the full parser.
const FLAT_LINE = /^([A-Za-z_][A-Za-z0-9_]*):(?: ([A-Za-z0-9_.]|[-+][A-Za-z0-9_.])([A-Za-z0-9_./+-]*(?: [A-Za-z0-9_./+-]+)*)| "([\x20\x21\x23-\x5b\x5d-\x7e]*)"| '([\x20-\x26\x28-\x7e]*)'| (\[\]))?$/;

/**
 * A meta.yaml read without the YAML parser, when every line is of the simple kind MLflow's
 * `safe_dump` and trackbook's {@link toYaml} write; `undefined` when any line is not (then
 * {@link parseYamlMap} uses the full parser, which reads it the same way or names the problem).
 * The full parser cost ~1 ms a file, most of an import's time on a bundle of many small runs.
 *
 * @example
 * ```ts
 * flatYamlMap("run_name: bold-owl\nstatus: 3\ntags: []\n"); // { run_name: "bold-owl", status: 3n, tags: [] }
 * flatYamlMap("a: {b: 1}\n");                                 // undefined: not a flat line
 * ```
 */
export function flatYamlMap(text: string): YamlMap | undefined {
  const out: YamlMap = {};
  let start = 0;
  let lines = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const m = FLAT_LINE.exec(text.slice(start, end));
    if (m === null) return undefined;
    const key = m[1]!;
    if (key === "__proto__" || Object.prototype.hasOwnProperty.call(out, key)) return undefined;
    if (m[2] !== undefined) out[key] = resolvePlain(m[2] + m[3]!);
    else if (m[4] !== undefined) out[key] = m[4];
    else if (m[5] !== undefined) out[key] = m[5];
    else out[key] = m[6] !== undefined ? [] : null;
    lines++;
    start = end + 1;
  }
  return lines > 0 ? out : undefined;
}

function parseYamlDocument(text: string, file: string): YamlMap {
  const doc = parseDocument(text, { schema: "failsafe", uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw malformed(file, problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""), problem.linePos?.[0]?.line);
  if (doc.contents === null) throw malformed(file, "the file is empty");
  if (!isMap(doc.contents)) throw malformed(file, "expected a mapping of keys to values");
  const out: YamlMap = {};
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) throw malformed(file, "a key is not a plain value");
    out[key] = toValue(pair.value, file);
  }
  return out;
}

function toValue(node: unknown, file: string): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) throw malformed(file, "aliases are not allowed in a bundle");
  if (isScalar(node)) {
    if (node.tag !== undefined && node.tag !== "!" && node.tag !== "tag:yaml.org,2002:str") throw malformed(file, `unsupported tag ${node.tag}`);
    const v = String(node.value);
    return node.type === Scalar.PLAIN && node.tag === undefined ? resolvePlain(v) : v;
  }
  if (isSeq(node)) return node.items.map((i) => toValue(i, file));
  if (isMap(node)) return Object.fromEntries(node.items.map((p) => [isScalar(p.key) ? String(p.key.value) : "?", toValue(p.value, file)]));
  throw malformed(file, "unexpected YAML node");
}

// PyYAML's implicit resolvers (yaml/resolver.py), YAML 1.1.
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_TIMESTAMP = /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/** A date PyYAML would construct from a plain scalar; kept as its text. */
export class YamlDate {
  constructor(readonly text: string) {}
}

/** What PyYAML's safe_load makes of a plain scalar: null, a bool, an int (bigint), a float, a date, or the string. */
export function resolvePlain(s: string): unknown {
  if (PY_NULL.test(s)) return null;
  if (PY_BOOL.test(s)) return /^(?:yes|true|on)$/i.test(s);
  if (PY_INT.test(s)) return pyInt(s.replace(/_/g, ""));
  if (PY_FLOAT.test(s)) {
    const t = s.replace(/_/g, "").toLowerCase();
    if (t.endsWith(".nan")) return NaN;
    if (t.endsWith(".inf")) return t.startsWith("-") ? -Infinity : Infinity;
    if (t.includes(":")) return Number(sexagesimal(t));
    return Number(t);
  }
  if (PY_TIMESTAMP.test(s)) return new YamlDate(s);
  return s;
}

function pyInt(t: string): bigint {
  const neg = t.startsWith("-");
  const body = t.replace(/^[-+]/, "");
  let v: bigint;
  if (body.startsWith("0b")) v = BigInt(body);
  else if (body.startsWith("0x")) v = BigInt(body);
  else if (body.includes(":")) v = BigInt(Math.round(sexagesimal(body)));
  else if (body.length > 1 && body.startsWith("0")) v = BigInt("0o" + body.slice(1));
  else v = BigInt(body);
  return neg ? -v : v;
}

function sexagesimal(t: string): number {
  const neg = t.startsWith("-");
  let v = 0;
  for (const part of t.replace(/^[-+]/, "").split(":")) v = v * 60 + Number(part);
  return neg ? -v : v;
}

/** INVALID_PARAMETER_VALUE naming the file (and line) of a bad bundle file. */
export function malformed(file: string, why: string, line?: number): TrackerError {
  return new TrackerError("INVALID_PARAMETER_VALUE", `Malformed bundle file ${file}${line === undefined ? "" : `, line ${line}`}: ${why}.`);
}
