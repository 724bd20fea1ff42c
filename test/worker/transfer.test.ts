import { describe, expect, it } from "vitest";
import type { MetricColumns } from "../../src/entities.js";
import { isTrackerError } from "../../src/errors.js";
import type { TrackingStore } from "../../src/store/store.js";
import { cols, pt, T0 } from "../store/contract-helpers.js";
import { openRealWorkerStore } from "./built.js";
import { openChannelStore } from "./channel.js";

const columnsOf = (m: MetricColumns) => [m.keyIds, m.values, m.steps, m.timestamps];

/** Three points of "loss" whose four columns are views into ONE buffer (offsets 0, 24, 48, 72 bytes). */
function sharedBufferColumns(): MetricColumns {
  const buffer = new ArrayBuffer(4 * 3 * 8);
  const f64 = (i: number) => new Float64Array(buffer, i * 24, 3);
  const values = f64(1);
  const steps = f64(2);
  const timestamps = f64(3);
  values.set([0.3, 0.2, 0.1]);
  steps.set([0, 1, 2]);
  timestamps.set([T0, T0, T0]);
  return { keys: ["loss"], keyIds: new Uint32Array(buffer, 0, 3), values, steps, timestamps };
}

const transports: [string, () => Promise<TrackingStore>][] = [
  ["a real worker thread", () => openRealWorkerStore()],
  ["a MessageChannel", () => openChannelStore()],
];

describe.each(transports)("worker/remote-store: transfer through %s", (_, open) => {
  it("detaches the caller's metric buffers after logBatch, and stores the points", async () => {
    const store = await open();
    const { info } = await store.createRun({ experimentId: "0" });
    const metrics = cols(pt("loss", 0.5, 0), pt("loss", 0.25, 1));
    await store.logBatch(info.runId, { metrics });
    for (const col of columnsOf(metrics)) expect(col.byteLength).toBe(0);
    expect(Array.from((await store.getMetricHistory(info.runId, "loss")).values)).toEqual([0.5, 0.25]);
    await store.close();
  });

  it("detaches every entry's buffers after logBatches, and stores each entry", async () => {
    const store = await open();
    const a = (await store.createRun({ experimentId: "0" })).info.runId;
    const b = (await store.createRun({ experimentId: "0" })).info.runId;
    const first = cols(pt("loss", 1, 0));
    const second = cols(pt("loss", 2, 0), pt("loss", 3, 1));
    await store.logBatches!([
      { runId: a, batch: { metrics: first } },
      { runId: b, batch: { metrics: second, params: [{ key: "lr", value: "0.1" }] } },
    ]);
    for (const col of [...columnsOf(first), ...columnsOf(second)]) expect(col.byteLength).toBe(0);
    expect(Array.from((await store.getMetricHistory(a, "loss")).values)).toEqual([1]);
    expect(Array.from((await store.getMetricHistory(b, "loss")).values)).toEqual([2, 3]);
    expect((await store.getRun(b)).data.params).toEqual({ lr: "0.1" });
    await store.close();
  });

  it("transfers columns that share one buffer once, at their offsets", async () => {
    const store = await open();
    const { info } = await store.createRun({ experimentId: "0" });
    const metrics = sharedBufferColumns();
    await store.logBatch(info.runId, { metrics });
    expect(metrics.values.buffer.byteLength).toBe(0);
    const h = await store.getMetricHistory(info.runId, "loss");
    expect({ steps: Array.from(h.steps), values: Array.from(h.values) }).toEqual({ steps: [0, 1, 2], values: [0.3, 0.2, 0.1] });
    await store.close();
  });

  it("rejects columns already sent by an earlier call instead of losing the message", async () => {
    const store = await open();
    const { info } = await store.createRun({ experimentId: "0" });
    const metrics = cols(pt("loss", 1, 0));
    await store.logBatch(info.runId, { metrics });
    const e = await store.logBatch(info.runId, { metrics }).catch((x: unknown) => x);
    expect(isTrackerError(e, "INVALID_PARAMETER_VALUE")).toBe(true);
    expect((e as Error).message).toContain("already sent");
    // The store is still usable afterwards.
    expect((await store.getMetricHistory(info.runId, "loss")).values.length).toBe(1);
    await store.close();
  });

  it("copies artifact bytes: the caller's buffer stays intact", async () => {
    const store = await open();
    const { info } = await store.createRun({ experimentId: "0" });
    const data = new Uint8Array([1, 2, 3]);
    await store.logArtifact(info.runId, "a.bin", data);
    expect(Array.from(data)).toEqual([1, 2, 3]);
    await store.close();
  });
});
