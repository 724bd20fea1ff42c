import { deleteDB } from "idb";
import { afterAll } from "vitest";
import { browserWorkerOf, openBrowserWorkerStore } from "../../worker/browser-client.js";
import { runStoreContract } from "../store/contract.js";
import { runModelStoreContract } from "../store/contract-models.js";

// The browser's real path: the idb store in a module Web Worker (built by vite from
// worker/browser-host.ts), reached through comlink; one worker and one fresh database per test.
const names: string[] = [];
const prefix = `worker-contract-${Date.now()}`;
afterAll(async () => {
  await Promise.all(names.map((n) => deleteDB(n)));
});

const fresh = async () => {
  const name = `${prefix}-${names.length}`;
  names.push(name);
  const store = await openBrowserWorkerStore(`idb:${name}`, { onWarning: (m) => { throw new Error(m); } });
  if (browserWorkerOf(store) === undefined) throw new Error("openBrowserWorkerStore opened the store in this thread, not in a Web Worker.");
  return store;
};
runStoreContract("idb via Web Worker (Chromium)", fresh);
runModelStoreContract("idb via Web Worker (Chromium)", fresh);
