import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTrackerError } from "../src/errors.js";
import {
  codePointLength,
  isValidKey,
  LIMITS,
  messages,
  pathNotUnique,
  validateExperimentId,
  validateExperimentName,
  validateKey,
  validateLogBatch,
  validateMetricPoint,
  validateParam,
  validateRunId,
  validateRunTag,
} from "../src/validation.js";
import { metricColumns } from "../src/store/store.js";
import { findPython, requirePeer } from "./helpers/peers.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isTrackerError(e) ? e.code : "NOT_A_TRACKER_ERROR";
  }
}

// MLflow's own rule (mlflow/utils/validation.py, non-Windows), run by real Python. The one
// deliberate difference is spelled out: Python's `$` also matches before a trailing "\n", so
// MLflow accepts "loss\n"; trackbook rejects it.
const MLFLOW_ORACLE = String.raw`
import json, posixpath, re, sys
R = re.compile(r"^[/\w.\- :]*$")
def ok(name):
    if not R.match(name): return False
    norm = posixpath.normpath(name)
    if norm != name or norm == "." or norm.startswith("..") or norm.startswith("/"): return False
    if len(name) > 250: return False
    if name.endswith("\n"): return False  # trackbook's documented deviation
    return True
print(json.dumps([ok(k) for k in json.load(sys.stdin)]))
`;

// Characters from every category the rule cares about: ASCII word chars, the allowed
// punctuation, Unicode letters (incl. astral), digits of other scripts, letter-numbers,
// other numbers, combining marks, other connector punctuation, spaces, controls and emoji.
const POOL = [
  "a", "Z", "0", "9", "_", "/", "/", ".", ".", "-", " ", ":", "#", "!", "%", "\\", "'", "\"", "\t", "\n", "\r",
  "é", "ß", "精", "度", "한", "ʰ", "٣", "Ⅷ", "²", "\u0301", "‿", "\u00a0", "\u200d", "😀", "𝔘", "𐐀", "€", "∑",
];

describe("validation", () => {
  it("accepts exactly the keys MLflow's rule accepts, on generated keys (Python as the oracle)", () => {
    const python = findPython();
    if (!requirePeer("python3", python !== undefined, "install Python 3")) return;
    const keyArb = fc.oneof(
      fc.array(fc.constantFrom(...POOL), { maxLength: 12 }).map((a) => a.join("")),
      fc.array(fc.constantFrom("a", "b", "/", ".", ".."), { maxLength: 8 }).map((a) => a.join("")),
      fc.tuple(fc.constantFrom("a", "精", "😀", "𝔘"), fc.integer({ min: 240, max: 260 })).map(([c, n]) => c.repeat(n)),
    );
    const keys = fc.sample(keyArb, { numRuns: 4000, seed: 20261129 });
    const r = spawnSync(python!, ["-c", MLFLOW_ORACLE], { input: JSON.stringify(keys), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const expected = JSON.parse(r.stdout) as boolean[];
    const mismatches = keys.filter((k, i) => isValidKey(k) !== expected[i]).map((k) => JSON.stringify(k));
    expect(mismatches).toEqual([]);
    // The sample must exercise both outcomes, or it proves nothing.
    expect(expected.filter(Boolean).length).toBeGreaterThan(200);
    expect(expected.filter((x) => !x).length).toBeGreaterThan(200);
  });

  it.each([
    ["loss"], ["train/loss"], ["精度"], ["é/ß"], ["a b:c-d.e_f"], [".hidden"], ["a.."], ["a/..b"], ["x".repeat(250)], ["😀".length === 2 ? "a" : "a"],
  ])("accepts the key %j", (key) => {
    expect(() => validateKey("metric", key)).not.toThrow();
  });

  it.each([
    [""], ["a/"], ["a//b"], ["./a"], ["a/./b"], ["a/../b"], ["/a"], [".."], ["..a"], ["."], ["😀"], ["#!@%"], ["a\n"], ["x".repeat(251)],
  ])("rejects the key %j with INVALID_PARAMETER_VALUE", (key) => {
    expect(codeOf(() => validateKey("metric", key))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("counts key length in code points, as Python does", () => {
    const astral = "𝔘".repeat(250); // 500 UTF-16 units, 250 code points
    expect(codePointLength(astral)).toBe(250);
    expect(() => validateKey("tag", astral)).not.toThrow();
    expect(codeOf(() => validateKey("tag", astral + "𝔘"))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("rejects non-string keys", () => {
    expect(codeOf(() => validateKey("param", 5))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateKey("param", undefined))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("says in the message why a key was rejected", () => {
    expect(() => validateKey("metric", "a//b")).toThrow(messages.keyNotUnique("metric", "a//b"));
    expect(() => validateKey("param", "a#b")).toThrow(messages.keyBadChars("param", "a#b"));
  });

  it("mirrors posixpath.normpath uniqueness", () => {
    expect(pathNotUnique("a/b")).toBe(false);
    expect(pathNotUnique("a/b/")).toBe(true);
    expect(pathNotUnique("../a")).toBe(true);
  });

  it("limits param values to 6000 and run tag values to 8000 code points", () => {
    expect(() => validateParam("p", "x".repeat(LIMITS.maxParamValueLength))).not.toThrow();
    expect(codeOf(() => validateParam("p", "x".repeat(6001)))).toBe("INVALID_PARAMETER_VALUE");
    expect(() => validateRunTag("t", "x".repeat(8000))).not.toThrow();
    expect(codeOf(() => validateRunTag("t", "x".repeat(8001)))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateParam("p", 3))).toBe("INVALID_PARAMETER_VALUE");
    expect(() => validateRunTag("note", "line 1\nline 2\n")).not.toThrow();
  });

  it("accepts any JS number as a metric value and rejects booleans, strings and bigints", () => {
    for (const v of [0, -0, 1e-300, 1e308, NaN, Infinity, -Infinity]) {
      expect(() => validateMetricPoint("m", v, 0, 0)).not.toThrow();
    }
    for (const v of [true, "1", 1n, null, undefined, {}]) {
      expect(codeOf(() => validateMetricPoint("m", v, 0, 0))).toBe("INVALID_PARAMETER_VALUE");
    }
  });

  it("requires integer timestamps ≥ 0 and integer steps", () => {
    expect(codeOf(() => validateMetricPoint("m", 1, -1, 0))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateMetricPoint("m", 1, 1.5, 0))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateMetricPoint("m", 1, 0, 0.5))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateMetricPoint("m", 1, 0, 2 ** 53))).toBe("INVALID_PARAMETER_VALUE");
    expect(() => validateMetricPoint("m", 1, 0, -5)).not.toThrow();
  });

  it("checks run ids and experiment ids", () => {
    expect(() => validateRunId("0123456789abcdef0123456789abcdef")).not.toThrow();
    for (const bad of ["0123456789ABCDEF0123456789ABCDEF", "abc", "", 5, "0123456789abcdef0123456789abcdeg"]) {
      expect(codeOf(() => validateRunId(bad))).toBe("INVALID_PARAMETER_VALUE");
    }
    for (const ok of ["0", "1", "123456789012345678"]) expect(() => validateExperimentId(ok)).not.toThrow();
    for (const bad of ["", "01", "a", "-1", 0, "1.0"]) expect(codeOf(() => validateExperimentId(bad))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("checks experiment names", () => {
    expect(() => validateExperimentName("mnist")).not.toThrow();
    expect(() => validateExperimentName("x".repeat(500))).not.toThrow();
    for (const bad of ["", "   ", "x".repeat(501), 1]) expect(codeOf(() => validateExperimentName(bad))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("enforces MLflow's batch limits and duplicate params in one batch", () => {
    const points = (n: number) => metricColumns(Array.from({ length: n }, (_, i) => ({ key: "m", value: i, step: i, timestamp: 1 })));
    expect(() => validateLogBatch({ metrics: points(1000) })).not.toThrow();
    expect(codeOf(() => validateLogBatch({ metrics: points(1001) }))).toBe("INVALID_PARAMETER_VALUE");
    const kv = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect(codeOf(() => validateLogBatch({ params: kv(101) }))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateLogBatch({ tags: kv(101) }))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateLogBatch({ metrics: points(950), params: kv(60) }))).toBe("INVALID_PARAMETER_VALUE");
    expect(codeOf(() => validateLogBatch({ params: [{ key: "a", value: "1" }, { key: "a", value: "1" }] }))).toBe("INVALID_PARAMETER_VALUE");
  });
});
