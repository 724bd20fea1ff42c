/// <reference path="./node-adapter-env.d.ts" />
/**
 * The `worker_threads` entry: serves the store named by `workerData.uri` to the parent thread.
 * Started by `node-client.ts` from its built copy (`dist/worker/node-host.js`, or
 * `dist/cjs/node-host.cjs` next to the CommonJS bundle).
 *
 * @module
 */
import { expose } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { parentPort, workerData } from "node:worker_threads";
import { createHostApi } from "./host-api.js";
import { installTransferHandlers } from "./protocol.js";

if (parentPort === null) throw new Error("trackbook's node-host is a worker_threads entry: start it with new Worker(...).");
installTransferHandlers();
// A message this thread cannot read has no id to answer, so its caller would wait forever;
// ending the worker makes the parent reject every pending call instead.
parentPort.on("messageerror", (error) => {
  throw error;
});
const uri = (workerData as { uri?: unknown } | null)?.uri;
expose(createHostApi(typeof uri === "string" ? uri : undefined), nodeEndpoint(parentPort));
