import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import type { TrackingStore } from "../../src/store/store.js";
import { inRepo, loadBuilt, openRealWorkerStore } from "./built.js";

/** Runs a Node script in a child process. The timeout only guards against a hang; it asserts no timing. */
function runNode(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: inRepo("."), encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

const esmClient = JSON.stringify(pathToFileURL(inRepo("dist/worker/node-client.js")).href);
const cjsIndex = JSON.stringify(inRepo("dist/cjs/index.cjs"));

/** A store served by test/worker/fixtures/crash-host.mjs, which dies on request. */
async function openCrashable(uri = "memory:"): Promise<{ store: TrackingStore; worker: Worker }> {
  const { client } = await loadBuilt();
  const worker = new Worker(new URL("./fixtures/crash-host.mjs", import.meta.url), { workerData: { uri } });
  return { store: await client.connectWorker(worker, uri), worker };
}

async function expectInternalError(p: Promise<unknown>, text: string): Promise<void> {
  const { errors } = await loadBuilt();
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(errors.TrackerError);
  expect(e).toMatchObject({ code: "INTERNAL_ERROR", message: expect.stringContaining(text) });
}

describe("worker/node-client: lifecycle", () => {
  it("lets Node exit by itself after close() (ESM build)", async () => {
    await loadBuilt();
    const script = `
      const { openWorkerStore, workerOf } = await import(${esmClient});
      const store = await openWorkerStore("memory:");
      const run = await store.createRun({ experimentId: "0" });
      await store.logBatch(run.info.runId, { params: [{ key: "lr", value: "0.1" }] });
      const threaded = workerOf(store) !== undefined;
      await store.close();
      console.log(JSON.stringify({ threaded, closed: true }));`;
    const r = runNode(["--input-type=module", "-e", script]);
    expect(r).toMatchObject({ status: 0, signal: null, stdout: JSON.stringify({ threaded: true, closed: true }) });
  });

  it("still runs the store in a worker when Node was started with flags a worker refuses (--max-old-space-size, --trace-gc)", async () => {
    await loadBuilt();
    const script = `
      const { openWorkerStore, workerOf } = await import(${esmClient});
      const store = await openWorkerStore("memory:");
      await store.createExperiment({ name: "flags" });
      const threaded = workerOf(store) !== undefined;
      await store.close();
      console.log(JSON.stringify({ threaded }));`;
    const r = runNode(["--max-old-space-size=2048", "--trace-gc", "--input-type=module", "-e", script]);
    expect(r).toMatchObject({ status: 0, signal: null });
    expect(r.stdout.split("\n").filter((l: string) => l.startsWith("{"))).toEqual([JSON.stringify({ threaded: true })]);
  });

  it("lets Node exit by itself after close() (CommonJS bundle, as tslab loads it)", async () => {
    await loadBuilt();
    const script = `
      const tb = require(${cjsIndex});
      (async () => {
        const tracker = await tb.openTracker("memory:", { worker: true });
        const run = await tracker.startRun();
        for (let i = 0; i < 1000; i++) run.logMetric("loss", 1 / (i + 1), i);
        await run.end();
        const points = (await tracker.getMetricHistory(run.runId, "loss")).values.length;
        const threaded = !(tracker.store instanceof tb.MemoryStore);
        await tracker.close();
        console.log(JSON.stringify({ threaded, points }));
      })();`;
    const r = runNode(["-e", script]);
    expect(r).toMatchObject({ status: 0, signal: null, stdout: JSON.stringify({ threaded: true, points: 1000 }) });
  });

  it("does not keep Node alive with an idle store that was never closed", async () => {
    await loadBuilt();
    const script = `
      const { openWorkerStore } = await import(${esmClient});
      const store = await openWorkerStore("memory:");
      await store.createExperiment({ name: "left-open" });
      console.log("idle");`;
    expect(runNode(["--input-type=module", "-e", script])).toMatchObject({ status: 0, signal: null, stdout: "idle" });
  });

  it("rejects pending and later calls with INTERNAL_ERROR when the worker is terminated from outside", async () => {
    const { store, worker } = await openCrashable();
    const pending = store.createExperiment({ name: "hang" });
    await worker.terminate();
    await expectInternalError(pending, "exited unexpectedly");
    await expectInternalError(store.getExperiment("0"), "exited unexpectedly");
    await store.close();
  });

  it("names the exit code when the worker calls process.exit", async () => {
    const { store } = await openCrashable();
    await expectInternalError(store.createExperiment({ name: "exit" }), "exit code 7");
    await store.close();
  });

  it("names the uncaught exception that crashed the worker", async () => {
    const { store } = await openCrashable();
    await expectInternalError(store.createExperiment({ name: "throw" }), "boom in the worker");
    await expectInternalError(store.searchExperiments(), "boom in the worker");
    await store.close();
  });

  it("rejects the open itself when the worker dies while starting", async () => {
    await expectInternalError(openCrashable("memory:exit-at-start"), "exit code 3");
  });

  it("rejects calls after close() with INVALID_STATE and ends the thread", async () => {
    const { client, errors } = await loadBuilt();
    const store = await openRealWorkerStore();
    const worker = client.workerOf(store)!;
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    await store.close();
    await exited;
    await expect(store.getExperiment("0")).rejects.toBeInstanceOf(errors.TrackerError);
    await expect(store.getExperiment("0")).rejects.toMatchObject({ code: "INVALID_STATE" });
    await store.close(); // a second close is harmless
  });

  it("serves from either built entry: the CommonJS bundle it prefers, and the ESM build's node-host.js", async () => {
    const { client } = await loadBuilt();
    expect(client.locateNodeHost()?.href).toBe(pathToFileURL(inRepo("dist/cjs/node-host.cjs")).href);
    const worker = new Worker(pathToFileURL(inRepo("dist/worker/node-host.js")), { workerData: { uri: "memory:" } });
    const store = await client.connectWorker(worker, "memory:");
    const id = await store.createExperiment({ name: "esm-entry" });
    expect((await store.getExperiment(id)).name).toBe("esm-entry");
    await store.close();
  });

  it("opens the store in this thread when asked to", async () => {
    const { client, memory } = await loadBuilt();
    const store = await client.openWorkerStore("memory:", { inThread: true });
    expect(store).toBeInstanceOf(memory.MemoryStore);
    expect(client.workerOf(store)).toBeUndefined();
    await store.close();
  });
});
