/**
 * Shared pieces of the store contract suite: the per-test context, error assertions, metric
 * column builders and snapshots used to prove that a failed call changed nothing.
 *
 * @module
 */
import { assert, expect } from "vitest";
import type { Metric, MetricColumns, Run } from "../../src/entities.js";
import { isTrackerError, type ErrorCode, type TrackerError } from "../../src/errors.js";
import { metricColumns, type TrackingStore } from "../../src/store/store.js";

/** Options of {@link runStoreContract}. */
export type ContractOptions = {
  /** Skip the checks that calls after `close()` fail with INVALID_STATE. */
  skipClose?: boolean;
};

/** What each part of the suite receives: the store of the current test. */
export type ContractContext = {
  /** The fresh store of the running test. */
  readonly store: TrackingStore;
  /** Tells the suite the test closed the store itself, so `afterEach` must not close it again. */
  markClosed(): void;
  readonly options: ContractOptions;
};

/** A fixed epoch-ms base for metric timestamps, so no test depends on the clock. */
export const T0 = 1_700_000_000_000;

/** Generous bounds for "near now", for stores whose clock is not ours (a server). Not a timing test. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** Asserts that `promise` rejects with a TrackerError of `code` and returns that error. */
export async function expectTrackerError(promise: Promise<unknown>, code: ErrorCode): Promise<TrackerError> {
  let value: unknown;
  try {
    value = await promise;
  } catch (e) {
    if (isTrackerError(e, code)) {
      expect(typeof e.message).toBe("string");
      expect(e.message.length).toBeGreaterThan(0);
      return e;
    }
    const got = isTrackerError(e) ? `TrackerError ${e.code}: ${e.message}` : `${String(e)}`;
    assert.fail(`expected a TrackerError ${code}, but the call rejected with ${got}`);
  }
  assert.fail(`expected a TrackerError ${code}, but the call resolved with ${safeString(value)}`);
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Asserts that `t` is integer epoch ms taken between `before` and `after` (with clock slack). */
export function expectNearNow(t: unknown, before: number, after: number): void {
  expect(typeof t).toBe("number");
  expect(Number.isInteger(t)).toBe(true);
  expect(t as number).toBeGreaterThanOrEqual(before - CLOCK_SLACK_MS);
  expect(t as number).toBeLessThanOrEqual(after + CLOCK_SLACK_MS);
}

/** One metric point. */
export function pt(key: string, value: number, step = 0, timestamp = T0): Metric {
  return { key, value, step, timestamp };
}

/** Metric columns from points (typed arrays, the normal shape). */
export function cols(...points: Metric[]): MetricColumns {
  return metricColumns(points);
}

/** `n` points of one key, steps `from..from+n-1`, values `value(i)`. */
export function series(key: string, n: number, value: (i: number) => number, from = 0): Metric[] {
  const out: Metric[] = [];
  for (let i = 0; i < n; i++) out.push(pt(key, value(i), from + i, T0 + from + i));
  return out;
}

/** A loose metric point whose fields may be of any type, for smuggling bad values in. */
export type LoosePoint = { key: unknown; value: unknown; step: unknown; timestamp: unknown };

/**
 * Metric columns built from plain arrays, cast to {@link MetricColumns}. A typed array cannot
 * hold a string or a boolean, so this is how a caller without types could send one.
 */
export function looseCols(points: LoosePoint[]): MetricColumns {
  const keys: unknown[] = [];
  const keyIds: number[] = [];
  for (const p of points) {
    let id = keys.indexOf(p.key);
    if (id < 0) {
      id = keys.length;
      keys.push(p.key);
    }
    keyIds.push(id);
  }
  return {
    keys,
    keyIds: Uint32Array.from(keyIds),
    values: points.map((p) => p.value),
    steps: points.map((p) => p.step),
    timestamps: points.map((p) => p.timestamp),
  } as unknown as MetricColumns;
}

/** A metric history as plain arrays, for readable comparisons. */
export type PlainHistory = { key: string; steps: number[]; values: number[]; timestamps: number[] };

/** Reads a history and checks its shape (Float64Array columns of one length). */
export async function history(store: TrackingStore, runId: string, key: string): Promise<PlainHistory> {
  const h = await store.getMetricHistory(runId, key);
  expect(h.key).toBe(key);
  expect(h.steps).toBeInstanceOf(Float64Array);
  expect(h.values).toBeInstanceOf(Float64Array);
  expect(h.timestamps).toBeInstanceOf(Float64Array);
  expect(h.values.length).toBe(h.steps.length);
  expect(h.timestamps.length).toBe(h.steps.length);
  return { key: h.key, steps: Array.from(h.steps), values: Array.from(h.values), timestamps: Array.from(h.timestamps) };
}

/** The history `points` should produce, in logging order. */
export function expectedHistory(key: string, points: readonly Metric[]): PlainHistory {
  const mine = points.filter((p) => p.key === key);
  return {
    key,
    steps: mine.map((p) => p.step),
    values: mine.map((p) => p.value),
    timestamps: mine.map((p) => p.timestamp),
  };
}

/** Everything observable about one run: `getRun` plus the histories of `keys`. */
export type RunSnapshot = { run: Run; histories: PlainHistory[] };

/** Captures a run and the histories of `keys` (plus every key it has a latest value for). */
export async function snapshotRun(store: TrackingStore, runId: string, keys: readonly string[] = []): Promise<RunSnapshot> {
  const run = await store.getRun(runId);
  const all = [...new Set([...Object.keys(run.data.metrics), ...keys])].sort();
  const histories: PlainHistory[] = [];
  for (const key of all) histories.push(await history(store, runId, key));
  return { run, histories };
}

/** Asserts that a run looks exactly as it did in `before`. */
export async function expectRunUnchanged(store: TrackingStore, before: RunSnapshot, keys: readonly string[] = []): Promise<void> {
  const after = await snapshotRun(store, before.run.info.runId, [...keys, ...before.histories.map((h) => h.key)]);
  expect(after).toEqual(before);
}

/** Keys MLflow rejects (see mlruns-format.md §3), with why. */
export const INVALID_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["", "empty"],
  ["a//b", "empty path segment"],
  ["/a", "leading slash"],
  ["a/", "trailing slash"],
  ["./a", "'.' segment"],
  ["a/./b", "inner '.' segment"],
  ["a/../b", "'..' segment"],
  ["..a", "leading '..'"],
  [".", "just '.'"],
  ["#", "punctuation"],
  ["a!b", "punctuation inside"],
  ["😀", "emoji"],
  ["loss\n", "trailing newline"],
  ["x".repeat(251), "251 characters"],
];

/** Keys MLflow accepts, Unicode included. */
export const VALID_KEYS: readonly string[] = [
  "loss",
  "train/loss",
  "精度",
  "é/ß",
  "a b:c-d_e.f",
  "x".repeat(250),
  "é".repeat(250),
];
