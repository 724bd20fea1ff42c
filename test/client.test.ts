import { afterEach, describe, expect, it, vi } from "vitest";
import { TrackingClient } from "../src/client.js";
import { isTrackerError, TrackerError } from "../src/errors.js";
import { LIMITS } from "../src/validation.js";
import { diskFull, SpyStore } from "./helpers/spy-store.js";

async function setup(options: ConstructorParameters<typeof TrackingClient>[1] = {}) {
  const store = new SpyStore();
  const run = await store.createRun({ experimentId: "0" });
  const client = new TrackingClient(store, options);
  return { store, client, runId: run.info.runId, slot: client.attach(run.info.runId) };
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("client", () => {
  afterEach(() => vi.useRealTimers());

  it("only enqueues on logMetric: the store sees nothing until a flush", async () => {
    const { store, client, slot } = await setup();
    for (let i = 0; i < 10; i++) client.logMetric(slot, "loss", 1 / (i + 1), i, 1000 + i);
    expect(store.batches).toHaveLength(0);
    expect(client.bufferedPoints).toBe(10);
    await client.flush();
    expect(store.batches).toHaveLength(1);
    expect(client.bufferedPoints).toBe(0);
  });

  it("throws TrackerError at the call site for a bad key, value, step or timestamp, and enqueues nothing", async () => {
    const { client, slot } = await setup();
    const bad: [string, unknown, unknown, unknown][] = [
      ["a//b", 1, 0, 0],
      ["ok", "1", 0, 0],
      ["ok", true, 0, 0],
      ["ok", 1n, 0, 0],
      ["ok", 1, 0.5, 0],
      ["ok", 1, 0, -1],
      ["ok", 1, 0, 1.5],
    ];
    for (const [k, v, s, t] of bad) {
      const e = thrown(() => client.logMetric(slot, k, v as number, s as number, t as number));
      expect(isTrackerError(e, "INVALID_PARAMETER_VALUE"), `${k} ${String(v)} ${String(s)} ${String(t)}`).toBe(true);
    }
    expect(client.bufferedPoints).toBe(0);
  });

  it("splits writes into batches within MLflow's limits", async () => {
    const { store, client, slot } = await setup({ bufferPoints: 100_000 });
    for (let i = 0; i < 2500; i++) client.logMetric(slot, `m${i % 3}`, i, i, 1);
    for (let i = 0; i < 250; i++) client.logParam(slot, `p${i}`, i);
    for (let i = 0; i < 130; i++) client.setTag(slot, `t${i}`, "v");
    await client.flush();
    for (const b of store.batches) {
      expect(b.metrics).toBeLessThanOrEqual(LIMITS.maxMetricsPerBatch);
      expect(b.params).toBeLessThanOrEqual(LIMITS.maxParamsPerBatch);
      expect(b.tags).toBeLessThanOrEqual(LIMITS.maxTagsPerBatch);
      expect(b.metrics + b.params + b.tags).toBeLessThanOrEqual(LIMITS.maxEntitiesPerBatch);
    }
    expect(store.batches.reduce((s, b) => s + b.metrics, 0)).toBe(2500);
    expect(store.batches.reduce((s, b) => s + b.params, 0)).toBe(250);
    expect(store.batches.reduce((s, b) => s + b.tags, 0)).toBe(130);
  });

  it("keeps logging order per run when two runs interleave", async () => {
    const { store, client, slot, runId } = await setup({ bufferPoints: 64 });
    const other = (await store.createRun({ experimentId: "0" })).info.runId;
    const slot2 = client.attach(other);
    for (let i = 0; i < 1000; i++) {
      client.logMetric(slot, "x", i, i, 1);
      client.logMetric(slot2, "x", -i, i, 1);
    }
    await client.flush();
    const a = await store.getMetricHistory(runId, "x");
    const b = await store.getMetricHistory(other, "x");
    expect(Array.from(a.values)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(b.values)).toEqual(Array.from({ length: 1000 }, (_, i) => (i === 0 ? -0 : -i)));
  });

  it("flushes on its own after the flush interval", async () => {
    vi.useFakeTimers();
    const { store, client, slot, runId } = await setup({ flushIntervalMs: 100 });
    client.logMetric(slot, "loss", 0.5, 1, 1);
    client.logParam(slot, "lr", 0.1);
    await vi.advanceTimersByTimeAsync(99);
    expect(store.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    expect(store.batches.length).toBeGreaterThan(0);
    const run = await store.getRun(runId);
    expect(run.data.metrics.loss).toBe(0.5);
    expect(run.data.params.lr).toBe("0.1");
  });

  it("grows the buffer instead of writing again while a write is still in flight", async () => {
    const { store, client, slot, runId } = await setup({ bufferPoints: 16, flushIntervalMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = store.logBatch.bind(store);
    store.logBatch = async (id, batch) => {
      await gate;
      return original(id, batch);
    };
    for (let i = 0; i < 16; i++) client.logMetric(slot, "m", i, i, 1); // full: the first write starts
    await Promise.resolve();
    for (let i = 16; i < 200; i++) client.logMetric(slot, "m", i, i, 1); // the store is busy: keep buffering
    expect(client.bufferedPoints).toBe(184);
    release();
    await client.flush();
    expect(store.batches.map((b) => b.metrics)).toEqual([16, 184]);
    expect(Array.from((await store.getMetricHistory(runId, "m")).values)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("starts a flush as soon as the buffer is full, without waiting for the timer", async () => {
    vi.useFakeTimers();
    const { store, client, slot } = await setup({ bufferPoints: 16, flushIntervalMs: 60_000 });
    for (let i = 0; i < 16; i++) client.logMetric(slot, "m", i, i, 1);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.batches.map((b) => b.metrics)).toEqual([16]);
    expect(client.bufferedPoints).toBe(0);
  });

  it("raises a failed write at the next flush and through onError, then recovers", async () => {
    const seen: TrackerError[] = [];
    const { store, client, slot, runId } = await setup({ onError: (e) => seen.push(e) });
    store.failWith = diskFull();
    client.logMetric(slot, "m", 1, 0, 1);
    await expect(client.flush()).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED", message: "disk full" });
    expect(seen.map((e) => e.code)).toEqual(["RESOURCE_EXHAUSTED"]);
    store.failWith = undefined;
    client.logMetric(slot, "m", 2, 1, 1);
    await expect(client.flush()).resolves.toBeUndefined();
    expect(Array.from((await store.getMetricHistory(runId, "m")).values)).toEqual([2]);
  });

  it("wraps a non-TrackerError failure as INTERNAL_ERROR and reports how many writes failed", async () => {
    // One flush of 2,500 points is one write of three ≤1000-point batches, all failing.
    const { store, client, slot } = await setup({ bufferPoints: 100_000 });
    store.failWith = new Error("socket closed");
    for (let i = 0; i < 2500; i++) client.logMetric(slot, "m", i, i, 1);
    const e = await client.flush().catch((x: unknown) => x);
    expect(isTrackerError(e, "INTERNAL_ERROR")).toBe(true);
    expect((e as Error).message).toContain("socket closed");
    expect((e as Error).message).toContain("2 more write failures");
  });

  it("still raises the write error when the onError hook itself throws", async () => {
    const { store, client, slot } = await setup({ onError: () => { throw new Error("hook bug"); } });
    store.failWith = diskFull();
    client.logMetric(slot, "m", 1, 0, 1);
    await expect(client.flush()).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
  });

  it("rejects a param re-logged with another value at the call, and allows the same value", async () => {
    const { client, slot, store, runId } = await setup();
    client.logParam(slot, "lr", 0.01);
    client.logParam(slot, "lr", "0.01");
    expect(isTrackerError(thrown(() => client.logParam(slot, "lr", 0.02)), "INVALID_PARAMETER_VALUE")).toBe(true);
    await client.flush();
    expect((await store.getRun(runId)).data.params).toEqual({ lr: "0.01" });
  });

  it("turns param and tag values into strings: numbers, booleans, bigints, objects as JSON", async () => {
    const { client, slot, store, runId } = await setup();
    client.logParam(slot, "n", 3);
    client.logParam(slot, "b", true);
    client.logParam(slot, "big", 12345678901234567890n);
    client.logParam(slot, "obj", { units: [64, 32] });
    client.setTag(slot, "t", 1.5);
    expect(isTrackerError(thrown(() => client.logParam(slot, "u", undefined)), "INVALID_PARAMETER_VALUE")).toBe(true);
    expect(isTrackerError(thrown(() => client.setTag(slot, "nul", null)), "INVALID_PARAMETER_VALUE")).toBe(true);
    await client.flush();
    const { params, tags } = (await store.getRun(runId)).data;
    expect(params).toEqual({ n: "3", b: "true", big: "12345678901234567890", obj: '{"units":[64,32]}' });
    expect(tags.t).toBe("1.5");
  });
});
