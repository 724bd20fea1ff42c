/**
 * The built package, for tests of the real worker: a worker thread runs JavaScript files, so
 * those tests import `dist/` (built by `npm test`, or here when missing), typed by the sources.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ensureBuilt, ROOT } from "../helpers/build.js";

/** The modules of `dist/` a worker test needs, each typed as its source. */
export type Built = {
  client: typeof import("../../worker/node-client.js");
  errors: typeof import("../../src/errors.js");
  tracker: typeof import("../../src/tracker.js");
  memory: typeof import("../../src/store/memory/memory-store.js");
};

/** Absolute path of a file in the repo. */
export const inRepo = (path: string): string => resolve(ROOT, path);

let loading: Promise<Built> | undefined;

/** Loads the built modules once per test file, building first if the worker entries are missing. */
export function loadBuilt(): Promise<Built> {
  loading ??= (async () => {
    ensureBuilt();
    if (!existsSync(inRepo("dist/worker/node-host.js")) || !existsSync(inRepo("dist/cjs/node-host.cjs"))) {
      execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
    }
    const [client, errors, tracker, memory] = await Promise.all([
      import(inRepo("dist/worker/node-client.js")),
      import(inRepo("dist/src/errors.js")),
      import(inRepo("dist/src/tracker.js")),
      import(inRepo("dist/src/store/memory/memory-store.js")),
    ]);
    return { client, errors, tracker, memory } as Built;
  })();
  return loading;
}

/** A store in a real worker thread; throws if it quietly opened in this thread instead. */
export async function openRealWorkerStore(uri = "memory:") {
  const { client } = await loadBuilt();
  const store = await client.openWorkerStore(uri);
  if (client.workerOf(store) === undefined) throw new Error("openWorkerStore opened the store in this thread, not in a worker.");
  return store;
}
