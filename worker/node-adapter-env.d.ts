/**
 * Types for comlink 4.4.2's Node adapter, which ships as `.mjs` without a `.d.mts`, so NodeNext
 * finds no types for it. Only a module declaration, so it fits programs with and without the DOM
 * lib; the Node entries pull it in with `/// <reference path="./node-adapter-env.d.ts" />`.
 */

declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";

  /** Anything with `postMessage` and `on`/`off("message")`: a `Worker` or `parentPort`. */
  export type NodeEndpoint = {
    postMessage(message: any, transfer?: readonly any[]): void;
    on(type: "message", listener: (value: any) => void): unknown;
    off(type: "message", listener: (value: any) => void): unknown;
    start?: () => void;
  };

  /** Maps a `worker_threads` port onto comlink's `Endpoint` (`add/removeEventListener`, `{data}`). */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
