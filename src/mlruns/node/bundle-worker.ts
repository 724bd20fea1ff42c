/**
 * The `worker_threads` entry of bundle export and import: runs the jobs of bundle-jobs.ts that
 * thread-pool.ts sends, answering `{ id, reply }` or `{ id, error }`. Started from its built copy
 * (`dist/src/mlruns/node/bundle-worker.js`, or `dist/cjs/mlruns-worker.cjs` beside the CommonJS bundle).
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { closeBundles, jobError, runFormat, runParse, runReadRun, runWrite, type Job } from "./bundle-jobs.js";

if (parentPort === null) throw new Error("trackbook's bundle worker is a worker_threads entry: start it with new Worker(...).");
const port = parentPort;

/** The buffers of `arrays`, to move rather than copy: each once, and not the empty ones (a check's columns share one). */
const buffers = (arrays: readonly ArrayBufferView[]) => [...new Set(arrays.filter((a) => a.byteLength > 0).map((a) => a.buffer as ArrayBuffer))];

/** Runs a job; the reply and the buffers it moves back. */
async function run(job: Job): Promise<[unknown, ArrayBuffer[]]> {
  switch (job.kind) {
    case "write": {
      const reply = runWrite(job);
      return [reply, buffers([reply.columns])];
    }
    case "format": {
      const reply = runFormat(job);
      return [reply, buffers([reply.columns, ...reply.chunks])];
    }
    case "parse": {
      const reply = runParse(job);
      return [reply, buffers(reply.parsed.flatMap((p) => [p.steps, p.values, p.timestamps]))];
    }
    case "read-run": {
      const reply = await runReadRun(job);
      return [reply, buffers(reply.record.metrics.flatMap((h) => [h.steps, h.values, h.timestamps]))];
    }
    case "close":
      return [await closeBundles(), []];
  }
}

port.on("message", ({ id, job }: { id: number; job: Job }) => {
  run(job).then(
    ([reply, transfer]) => port.postMessage({ id, reply }, transfer),
    (e: unknown) => port.postMessage({ id, error: jobError(e) }),
  );
});
