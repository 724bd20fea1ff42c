/**
 * Opens a store in a module Web Worker, so IndexedDB work (cloning chunks, transactions,
 * regrouping flushes) never runs on the page's thread: the page's `logMetric` only enqueues,
 * and each flush is one transferred message. Where no Worker can start (no `Worker`, a CSP that
 * forbids it, a bundle without the worker chunk), the store opens in this thread instead.
 *
 * @module
 */
import { wrap, type Endpoint } from "comlink";
import type { CreateRunInput } from "../src/entities.js";
import { TrackerError } from "../src/errors.js";
import { requestPersistentStorage } from "../src/store/idb/storage.js";
import { openStore } from "../src/store/registry.js";
import type { TrackingStore } from "../src/store/store.js";
import type { HostApi } from "./protocol.js";
import { RemoteStore } from "./remote-store.js";

/** The part of a browser `Worker` used here (typed locally: this program has no DOM lib). */
export type BrowserWorker = {
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
  addEventListener(type: "error" | "messageerror", listener: (event: { message?: string }) => void): void;
};

type WorkerConstructor = new (url: URL, options: { type: "module"; name?: string }) => BrowserWorker;

/** Options of {@link openBrowserWorkerStore}. */
export type BrowserWorkerStoreOptions = {
  /** Open the store in this thread (no worker). Default false. */
  inThread?: boolean;
  /** Told when the worker could not start and the store opened in this thread. Default: console.warn. */
  onWarning?: (message: string) => void;
};

const workers = new WeakMap<TrackingStore, BrowserWorker>();

/**
 * A {@link RemoteStore} that asks the browser for persistent storage when a run starts: the
 * worker cannot, since `navigator.storage.persist()` exists only in pages.
 */
class PageRemoteStore extends RemoteStore {
  override createRun(input: CreateRunInput) {
    void requestPersistentStorage();
    return super.createRun(input);
  }
}

/**
 * Opens the store `uri` names (`idb:trackbook`) in a module Web Worker and returns a
 * {@link TrackingStore} forwarding every call to it. Rejects with the store's own open error.
 *
 * @example
 * ```ts
 * const store = await openBrowserWorkerStore("idb:trackbook");
 * const tb = new Tracker(store, "idb:trackbook");
 * ```
 */
export async function openBrowserWorkerStore(uri: string, options: BrowserWorkerStoreOptions = {}): Promise<TrackingStore> {
  const Worker = (globalThis as { Worker?: WorkerConstructor }).Worker;
  if (options.inThread === true || Worker === undefined) return openStore(uri);
  const warn = options.onWarning ?? ((m: string) => console.warn(`trackbook: ${m}`));
  let worker: BrowserWorker;
  try {
    worker = new Worker(new URL("./browser-host.js", import.meta.url), { type: "module", name: "trackbook-store" });
  } catch (e) {
    warn(`the store worker could not start (${String((e as Error)?.message ?? e)}); the store runs on this thread.`);
    return openStore(uri);
  }
  let answered = false;
  let broken: string | undefined;
  const store = new PageRemoteStore(wrap<HostApi>(worker as unknown as Endpoint), { dispose: () => worker.terminate() });
  worker.addEventListener("error", (e) => {
    // Before the first answer this is the worker failing to load (a missing chunk, a CSP).
    if (!answered) broken = e.message ?? "load error";
    store.fail(new TrackerError("INTERNAL_ERROR", `The store worker failed: ${e.message ?? "unknown error"}`));
  });
  worker.addEventListener("messageerror", () => store.fail(new TrackerError("INTERNAL_ERROR", "A reply from the store worker could not be read.")));
  try {
    await store.open(uri);
  } catch (e) {
    if (broken === undefined) throw e;
    warn(`the store worker could not start (${broken}); the store runs on this thread.`);
    return openStore(uri);
  }
  answered = true;
  workers.set(store, worker);
  return store;
}

/**
 * The Web Worker behind a store from {@link openBrowserWorkerStore}, or undefined for an
 * in-thread store.
 *
 * @example
 * ```ts
 * const tb = await openTracker("idb:trackbook");
 * if (browserWorkerOf(tb.store) === undefined) console.log("the store runs on this page");
 * ```
 */
export function browserWorkerOf(store: TrackingStore): BrowserWorker | undefined {
  return workers.get(store);
}
