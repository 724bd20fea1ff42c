/**
 * The browser entry of the store worker: a module Web Worker serving the store its client asks
 * for (`open(uri)`) to the page. Started by `browser-client.ts` as
 * `new Worker(new URL("./browser-host.js", import.meta.url), { type: "module" })`, a pattern
 * bundlers (vite, webpack 5, esbuild with a plugin) recognise and emit as a worker chunk.
 *
 * @module
 */
import { expose } from "comlink";
import { createHostApi } from "./host-api.js";
import { installTransferHandlers } from "./protocol.js";

type WorkerScope = { addEventListener(type: "messageerror", listener: (event: { data?: unknown }) => void): void };

installTransferHandlers();
// A message this worker cannot read has no id to answer, so its caller would wait forever;
// throwing here raises an error event on the page's Worker, which fails every pending call.
(globalThis as unknown as WorkerScope).addEventListener("messageerror", () => {
  throw new Error("trackbook's store worker received a message it could not read.");
});
expose(createHostApi());
