/**
 * Contract: `putRuns` (optional) stores whole runs exactly as the calls one by one would —
 * createRun, logBatch, updateRun, deleteRun — and refuses a call with any bad run whole.
 */
import { describe, expect, it } from "vitest";
import type { MetricColumns, RunInfo } from "../../src/entities.js";
import { newRunId } from "../../src/ids.js";
import type { TrackingStore, WholeRun } from "../../src/store/store.js";
import { expectTrackerError, T0, type ContractContext } from "./contract-helpers.js";

/** 2,500 points of two keys, interleaved, with a NaN and a negative step. */
function points(): MetricColumns {
  const n = 2500;
  const c: MetricColumns = { keys: ["loss", "acc/top 1"], keyIds: new Uint32Array(n), values: new Float64Array(n), steps: new Float64Array(n), timestamps: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.keyIds[i] = i % 2;
    c.values[i] = i === 7 ? NaN : Math.sin(i / 10);
    c.steps[i] = (i >> 1) - 3;
    c.timestamps[i] = T0 + i;
  }
  return c;
}

function whole(info: Partial<WholeRun["info"]> = {}, extra: Partial<WholeRun> = {}): WholeRun {
  return {
    info: { runId: newRunId(), experimentId: "0", runName: "whole", userId: "me", status: "FINISHED", startTime: T0, endTime: T0 + 5000, lifecycleStage: "active", ...info },
    params: { lr: "0.1", layers: "3" },
    tags: { team: "a", "mlflow.note.content": "hi" },
    metrics: points(),
    ...extra,
  };
}

/** The same run made call by call, under another id. */
async function byCalls(store: TrackingStore, w: WholeRun): Promise<string> {
  const runId = newRunId();
  const { info } = w;
  await store.createRun({ experimentId: info.experimentId, runId, userId: info.userId, startTime: info.startTime, tags: w.tags, runName: info.runName });
  await store.logBatch(runId, { params: Object.entries(w.params).map(([key, value]) => ({ key, value })) });
  const m = points();
  for (let i = 0; i < m.values.length; i += 1000) {
    const j = Math.min(m.values.length, i + 1000);
    await store.logBatch(runId, { metrics: { keys: m.keys, keyIds: m.keyIds.slice(i, j), values: m.values.slice(i, j), steps: m.steps.slice(i, j), timestamps: m.timestamps.slice(i, j) } });
  }
  await store.updateRun(runId, { status: info.status, endTime: info.endTime });
  if (info.lifecycleStage === "deleted") await store.deleteRun(runId);
  return runId;
}

/** A run as the store gives it back, without its id and artifact URI. */
async function seen(store: TrackingStore, runId: string) {
  const run = await store.getRun(runId);
  const { runId: _id, artifactUri: _uri, ...info } = run.info as RunInfo;
  const histories = [];
  for (const key of Object.keys(run.data.metrics).sort()) {
    const h = await store.getMetricHistory(runId, key);
    histories.push({ key, steps: [...h.steps], values: [...h.values].map(String), timestamps: [...h.timestamps] });
  }
  return { info, params: run.data.params, tags: run.data.tags, metrics: Object.fromEntries(Object.entries(run.data.metrics).map(([k, v]) => [k, String(v)])), histories };
}

export function wholeRunContract(ctx: ContractContext): void {
  describe("whole runs (putRuns)", () => {
    it("are stored as the same runs made call by call, finished and deleted ones too", async (t) => {
      const store = ctx.store;
      if (!store.putRuns) return t.skip();
      const runs = [whole(), whole({ lifecycleStage: "deleted", status: "FAILED" }), whole({ runName: "", status: "RUNNING", endTime: null }, { metrics: undefined, params: {} })];
      const expected = [];
      for (const w of runs.slice(0, 2)) expected.push(await seen(store, await byCalls(store, w)));
      await store.putRuns(runs);
      for (let i = 0; i < 2; i++) expect(await seen(store, runs[i]!.info.runId)).toEqual(expected[i]);
      const bare = await store.getRun(runs[2]!.info.runId);
      expect([bare.info.status, bare.info.endTime, bare.data.params, Object.keys(bare.data.metrics)]).toEqual(["RUNNING", null, {}, []]);
      expect(bare.info.runName).not.toBe(""); // named as createRun names a run with none
      const found = await store.searchRuns({ experimentIds: ["0"], runViewType: "ALL", filter: "params.lr = '0.1'" });
      expect(found.runs.map((r) => r.info.runId)).toEqual(expect.arrayContaining(runs.slice(0, 2).map((w) => w.info.runId)));
    });

    it("are refused whole when one run is bad, and none of the call is stored", async (t) => {
      const store = ctx.store;
      if (!store.putRuns) return t.skip();
      const taken = (await store.createRun({ experimentId: "0" })).info.runId;
      const exp = await store.createExperiment({ name: "gone" });
      await store.deleteExperiment(exp);
      const bads: [WholeRun, string][] = [
        [whole({}, { params: { "bad key!": "1" } }), "INVALID_PARAMETER_VALUE"],
        [whole({ status: "DONE" as never }), "INVALID_PARAMETER_VALUE"],
        [whole({ runId: taken }), "RESOURCE_ALREADY_EXISTS"],
        [whole({ experimentId: "424242" }), "RESOURCE_DOES_NOT_EXIST"],
        [whole({ experimentId: exp }), "INVALID_STATE"],
        [whole({}, { metrics: { ...points(), timestamps: new Float64Array(2500).fill(-1) } }), "INVALID_PARAMETER_VALUE"],
      ];
      for (const [bad, code] of bads) {
        const good = whole();
        await expectTrackerError(store.putRuns([good, bad]), code as never);
        await expectTrackerError(store.getRun(good.info.runId), "RESOURCE_DOES_NOT_EXIST");
      }
      const twice = whole();
      await expectTrackerError(store.putRuns([twice, { ...whole(), info: { ...twice.info } }]), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(store.getRun(twice.info.runId), "RESOURCE_DOES_NOT_EXIST");
      expect((await store.searchRuns({ experimentIds: ["0"], runViewType: "ALL" })).runs.map((r) => r.info.runId)).toEqual([taken]);
    });
  });
}
