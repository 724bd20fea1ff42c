/**
 * Type shims for comlink 4.4.2 under this repo's `lib: ["ES2022"]` (no DOM lib).
 *
 * comlink's `.d.ts` names three DOM types (`Transferable`, `EventListenerOrEventListenerObject`,
 * `MessagePort`) that @types/node declares only as values or inside `node:worker_threads`, and
 * its Node adapter ships as `.mjs` without a `.d.mts`, so NodeNext finds no types for it. This is
 * a script file (no top-level import), so its declarations are global. Worker files pull it in with
 * `/// <reference path="./comlink-env.d.ts" />`. A program with the DOM lib (a future browser
 * build) must leave this file out: DOM declares the same names.
 */

/** What a transfer list may hold (Node's list; the DOM's is wider). */
type Transferable = import("node:worker_threads").Transferable;

/** A listener as comlink's `Endpoint` takes it. */
type EventListenerOrEventListenerObject = ((event: any) => void) | { handleEvent(event: any): void };

/** The part of a message port comlink's types use (`createEndpoint` resolves to one). */
interface MessagePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  start(): void;
  close(): void;
}

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
