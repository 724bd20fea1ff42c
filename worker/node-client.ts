/// <reference path="./node-adapter-env.d.ts" />
/**
 * Opens a store in a Node `worker_threads` worker, so storage work (Arrow encoding, file I/O)
 * never runs on the thread that logs. The worker runs a built `node-host` entry (see
 * {@link locateNodeHost}); where there is none (running from TypeScript sources) or
 * `worker_threads` cannot start a worker, the store opens in this thread instead.
 *
 * The worker keeps Node alive only while a call is in flight: an idle store left open does not
 * stop a script from exiting, and `close()` ends the worker.
 *
 * @module
 */
import { wrap } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { TrackerError } from "../src/errors.js";
import { openStore } from "../src/store/registry.js";
import type { TrackingStore } from "../src/store/store.js";
import type { HostApi } from "./protocol.js";
import { RemoteStore } from "./remote-store.js";
import { startWorker } from "./node-worker-start.js";

/** Options of {@link openWorkerStore}. */
export type WorkerStoreOptions = {
  /** Open the store in this thread (no worker). Default false. */
  inThread?: boolean;
};

const workers = new WeakMap<TrackingStore, Worker>();

/**
 * The built worker entry: the one-file bundle `node-host.cjs` beside the CommonJS bundle (seen
 * from `dist/cjs/` or from `dist/worker/`), else `node-host.js` beside the ESM build; undefined
 * when running from sources. The bundle comes first: a worker starts from it in about half the
 * time it takes to load the ESM build's many files.
 */
export function locateNodeHost(): URL | undefined {
  for (const name of ["./node-host.cjs", "../cjs/node-host.cjs", "./node-host.js"]) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Opens the store `uri` names in a worker thread and returns a {@link TrackingStore} that
 * forwards every call to it. Rejects with the store's own open error (a TrackerError).
 *
 * @example
 * ```ts
 * const store = await openWorkerStore("arrow:./trackbook-runs");
 * const id = await store.createExperiment({ name: "mnist" });
 * await store.close();   // also ends the worker
 * ```
 */
export async function openWorkerStore(uri: string, options: WorkerStoreOptions = {}): Promise<TrackingStore> {
  const host = options.inThread === true ? undefined : locateNodeHost();
  if (host === undefined) return openStore(uri);
  let worker: Worker;
  try {
    worker = startWorker(host, { workerData: { uri } });
  } catch {
    // No threads here (a sandbox, a runtime without worker support): same store, this thread.
    return openStore(uri);
  }
  return connectWorker(worker, uri);
}

/**
 * Serves `uri` from an already started worker whose entry exposes a HostApi on its
 * `parentPort` (`node-host`, or a test's variant of it). Ends the worker if opening fails.
 */
export async function connectWorker(worker: Worker, uri: string): Promise<TrackingStore> {
  const store = new RemoteStore(wrap<HostApi>(nodeEndpoint(worker)), {
    // A live worker keeps Node running; ref it only while a call waits for an answer.
    onBusy: (busy) => (busy ? worker.ref() : worker.unref()),
    dispose: async () => {
      worker.ref(); // so that the caller's `await close()` resumes before Node may exit
      await worker.terminate();
    },
  });
  const fail = (message: string, cause?: unknown) =>
    store.fail(new TrackerError("INTERNAL_ERROR", message, cause === undefined ? undefined : { cause }));
  worker.on("error", (e: Error) => fail(`The store worker crashed: ${e.message}`, e));
  worker.on("exit", (code: number) => fail(`The store worker exited unexpectedly (exit code ${code}).`));
  worker.on("messageerror", (e: Error) => fail(`A reply from the store worker could not be read: ${e.message}`, e));
  await store.open(uri);
  workers.set(store, worker);
  return store;
}

/** The worker thread behind a store from {@link openWorkerStore}, or undefined for an in-thread store. */
export function workerOf(store: TrackingStore): Worker | undefined {
  return workers.get(store);
}
