import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { openTracker, usesWorkerByDefault } from "../../src/tracker.js";
import { loadBuilt } from "./built.js";

const N = 100_000;

/** Step i logs value sin(i)/(i+1) at timestamp T + (i mod 1000): values no cast or rounding would keep. */
const value = (i: number) => Math.sin(i) / (i + 1);
const T = 1_700_000_000_000;

describe("tracker through the worker", () => {
  it("logs 100k points through the client into a worker store and reads them back exactly", { timeout: 120_000 }, async () => {
    const { tracker: built, client } = await loadBuilt();
    const tb = await built.openTracker("memory:", { worker: true });
    expect(client.workerOf(tb.store)).toBeDefined();
    await tb.setExperiment("through-worker");
    const run = await tb.startRun({ runName: "100k" });
    run.logParam("n", N);
    for (let i = 0; i < N; i++) run.logMetric("loss", value(i), i, T + (i % 1000));
    await run.end();

    const h = await tb.getMetricHistory(run.runId, "loss");
    expect(h.values.length).toBe(N);
    let mismatches = 0;
    for (let i = 0; i < N; i++) {
      if (h.steps[i] !== i || !Object.is(h.values[i], value(i)) || h.timestamps[i] !== T + (i % 1000)) mismatches++;
    }
    expect(mismatches).toBe(0);
    const got = await tb.getRun(run.runId);
    expect(got.info.status).toBe("FINISHED");
    expect(got.data.params).toEqual({ n: String(N) });
    expect(got.data.metrics.loss).toBe(value(N - 1));
    await tb.close();
  });

  it("works the same with the store in this thread (inThread fallback)", async () => {
    const { tracker: built, client, memory } = await loadBuilt();
    const store = await client.openWorkerStore("memory:", { inThread: true });
    expect(store).toBeInstanceOf(memory.MemoryStore);
    const tb = new built.Tracker(store, "memory:");
    const run = await tb.startRun();
    for (let i = 0; i < 5000; i++) run.logMetric("loss", value(i), i, T);
    await run.end();
    expect(Array.from((await tb.getMetricHistory(run.runId, "loss")).values)).toEqual(Array.from({ length: 5000 }, (_, i) => value(i)));
    await tb.close();
  });

  it("falls back to this thread when running from TypeScript sources (no built worker entry)", async () => {
    const tb = await openTracker("memory:", { worker: true });
    expect(tb.store).toBeInstanceOf(MemoryStore);
    const run = await tb.startRun();
    run.logMetric("loss", 1, 0);
    await run.end();
    expect((await tb.getRun(run.runId)).data.metrics).toEqual({ loss: 1 });
    await tb.close();
  });

  it("puts an arrow: store in a worker by default, and reopens what it wrote", async () => {
    const { tracker: built, client } = await loadBuilt();
    const dir = mkdtempSync(join(tmpdir(), "trackbook-worker-arrow-"));
    try {
      const tb = await built.openTracker(`arrow:${dir}/runs`);
      expect(client.workerOf(tb.store)).toBeDefined();
      // The Arrow store's optional methods cross too: durable flushes, local-file artifacts.
      expect(typeof tb.store.sync).toBe("function");
      writeFileSync(join(dir, "notes.txt"), "from a local file");
      const run = await tb.startRun();
      for (let i = 0; i < 3000; i++) run.logMetric("loss", value(i), i, T);
      await run.logArtifact("notes.txt", { file: join(dir, "notes.txt") });
      await run.end();
      await tb.close();
      const again = await built.openTracker(`arrow:${dir}/runs`);
      expect((await again.getMetricHistory(run.runId, "loss")).values.length).toBe(3000);
      expect(new TextDecoder().decode(await again.store.readArtifact(run.runId, "notes.txt"))).toBe("from a local file");
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("offers only the optional store methods the store in the worker has", async () => {
    const { tracker: built } = await loadBuilt();
    const tb = await built.openTracker("memory:", { worker: true });
    expect(tb.store.sync).toBeUndefined();
    expect(tb.store.logArtifactFile).toBeUndefined();
    const run = await tb.startRun();
    // The same answer as an in-thread memory store gives.
    await expect(run.logArtifact("a.txt", { file: "./a.txt" })).rejects.toMatchObject({ code: "NOT_IMPLEMENTED" });
    await run.end();
    await tb.close();
  });

  it("uses a worker by default for arrow: URIs in Node, and not for other schemes", () => {
    expect(usesWorkerByDefault("arrow:./trackbook-runs")).toBe(true);
    expect(usesWorkerByDefault("ARROW:/abs/runs")).toBe(true);
    expect(usesWorkerByDefault("memory:")).toBe(false);
    expect(usesWorkerByDefault("http://127.0.0.1:5000")).toBe(false);
  });

  it("opens the store in this thread with worker: false", async () => {
    const { tracker: built, memory } = await loadBuilt();
    const tb = await built.openTracker("memory:", { worker: false, flushIntervalMs: 5 });
    expect(tb.store).toBeInstanceOf(memory.MemoryStore);
    await tb.close();
  });
});
