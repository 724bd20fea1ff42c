/**
 * The `worker_threads` entry of bundle export and import: runs the jobs of bundle-jobs.ts that
 * thread-pool.ts sends, answering `{ id, reply }` or `{ id, error }`. Started from its built copy
 * (`dist/src/mlruns/node/bundle-worker.js`, or `dist/cjs/mlruns-worker.cjs` beside the CommonJS bundle).
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { jobError, runFormat, runParse, runWrite, type Job } from "./bundle-jobs.js";

if (parentPort === null) throw new Error("trackbook's bundle worker is a worker_threads entry: start it with new Worker(...).");
const port = parentPort;

/** The buffers of `arrays`, to move rather than copy: each once, and not the empty ones (a check's columns share one). */
const buffers = (arrays: readonly ArrayBufferView[]) => [...new Set(arrays.filter((a) => a.byteLength > 0).map((a) => a.buffer as ArrayBuffer))];

port.on("message", ({ id, job }: { id: number; job: Job }) => {
  try {
    if (job.kind === "write") {
      const reply = runWrite(job);
      port.postMessage({ id, reply }, buffers([reply.columns]));
    } else if (job.kind === "format") {
      const reply = runFormat(job);
      port.postMessage({ id, reply }, buffers([reply.columns, ...reply.chunks]));
    } else {
      const reply = runParse(job);
      port.postMessage({ id, reply }, buffers(reply.parsed.flatMap((p) => [p.steps, p.values, p.timestamps])));
    }
  } catch (e) {
    port.postMessage({ id, error: jobError(e) });
  }
});
