/**
 * getMetricHistories: several keys of a run read in one pass over its history file give exactly
 * what getMetricHistory gives key by key (mixed-key and single-key frames, compacted frames,
 * keys without points, runs without history), directly and through the worker boundary.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MetricHistory } from "../../src/entities.js";
import { gatherKeys } from "../../src/store/arrow/history-all.js";
import { openArrowStore } from "../../src/store/arrow/index.js";
import type { TrackingStore } from "../../src/store/store.js";
import { openChannelStore } from "../worker/channel.js";
import { expectTrackerError } from "./contract.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-histories-"));
let n = 0;
const fresh = () => join(base, `root-${n++}`);
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Bulk = TrackingStore & { getMetricHistories(runId: string, keys: readonly string[]): Promise<MetricHistory[]> };
const plain = (h: MetricHistory) => ({ key: h.key, steps: Array.from(h.steps), values: Array.from(h.values), timestamps: Array.from(h.timestamps) });

/** Logs interleaved keys in several flushes (mixed frames), one single-key flush, and NaN/±inf values. */
async function logged(s: TrackingStore): Promise<string> {
  const run = await s.createRun({ experimentId: "0" });
  const keys = ["loss", "acc", "lr/group 0"];
  let p = 0;
  for (let flush = 0; flush < 7; flush++) {
    const len = 50 + flush * 13;
    const cols = { keys, keyIds: new Uint32Array(len), values: new Float64Array(len), steps: new Float64Array(len), timestamps: new Float64Array(len) };
    for (let i = 0; i < len; i++, p++) {
      cols.keyIds[i] = (p * 7 + flush) % keys.length;
      cols.steps[i] = p;
      cols.values[i] = p % 17 === 0 ? NaN : p % 19 === 0 ? -Infinity : 1 / (p + 1);
      cols.timestamps[i] = 1_700_000_000_000 + p;
    }
    await s.logBatch(run.info.runId, { metrics: cols });
  }
  await s.logBatch(run.info.runId, { metrics: { keys: ["only"], keyIds: new Uint32Array(3), values: new Float64Array([1, 2, 3]), steps: new Float64Array([0, 1, 2]), timestamps: new Float64Array([5, 6, 7]) } });
  return run.info.runId;
}

async function sameAsKeyByKey(s: Bulk): Promise<void> {
  const runId = await logged(s);
  const keys = ["acc", "missing", "only", "loss", "lr/group 0"];
  const bulk = await s.getMetricHistories(runId, keys);
  expect(bulk.map((h) => h.key)).toEqual(keys);
  for (let i = 0; i < keys.length; i++) expect(plain(bulk[i]!)).toEqual(plain(await s.getMetricHistory(runId, keys[i]!)));
  expect(bulk[1]!.values.length).toBe(0);
  expect(bulk.reduce((t, h) => t + h.values.length, 0)).toBe(7 * 50 + 13 * 21 + 3);
  const empty = await s.createRun({ experimentId: "0" });
  expect((await s.getMetricHistories(empty.info.runId, ["a", "b"])).map(plain)).toEqual([plain({ key: "a", steps: new Float64Array(), values: new Float64Array(), timestamps: new Float64Array() }), plain({ key: "b", steps: new Float64Array(), values: new Float64Array(), timestamps: new Float64Array() })]);
  await expectTrackerError(s.getMetricHistories("f".repeat(32), ["a"]), "RESOURCE_DOES_NOT_EXIST");
  await expectTrackerError(s.getMetricHistories(runId, ["bad#key"]), "INVALID_PARAMETER_VALUE");
}

describe("arrow store: getMetricHistories", () => {
  it("equals getMetricHistory key by key (uncompacted frames)", async () => {
    const s = await openArrowStore(fresh(), { onWarning: () => undefined });
    try {
      await sameAsKeyByKey(s);
    } finally {
      await s.close();
    }
  });

  it("equals getMetricHistory key by key after compaction", async () => {
    const s = await openArrowStore(fresh(), { onWarning: () => undefined, compactAfterFrames: 3 });
    try {
      await sameAsKeyByKey(s);
    } finally {
      await s.close();
    }
  });

  it("through the worker boundary", async () => {
    const s = await openChannelStore(`arrow:${fresh()}`);
    try {
      expect(typeof s.getMetricHistories).toBe("function");
      await sameAsKeyByKey(s as Bulk);
    } finally {
      await s.close();
    }
  });

  it("gatherKeys splits single-key and mixed batches in order", () => {
    const f = (a: number[]) => Float64Array.from(a);
    const batches = [
      { keys: ["a", "b"], keyIds: Int32Array.from([0, 1, 1, 0]), steps: f([0, 0, 1, 1]), values: f([1, 2, 3, 4]), timestamps: f([9, 9, 9, 9]) },
      { keys: ["b"], keyIds: Int32Array.from([0, 0]), steps: f([2, 3]), values: f([5, 6]), timestamps: f([8, 8]) },
      { keys: ["c"], keyIds: Int32Array.from([0]), steps: f([0]), values: f([7]), timestamps: f([7]) },
    ];
    const [b, a] = gatherKeys(batches, ["b", "a"]);
    expect(plain(a!)).toEqual({ key: "a", steps: [0, 1], values: [1, 4], timestamps: [9, 9] });
    expect(plain(b!)).toEqual({ key: "b", steps: [0, 1, 2, 3], values: [2, 3, 5, 6], timestamps: [9, 9, 8, 8] });
  });
});
