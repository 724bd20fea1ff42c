/**
 * Type shims for comlink 4.4.2 under this repo's `lib: ["ES2022"]` (no DOM lib).
 *
 * comlink's `.d.ts` names three DOM types (`Transferable`, `EventListenerOrEventListenerObject`,
 * `MessagePort`) that @types/node declares only as values or inside `node:worker_threads`. This
 * is a script file (no top-level import), so its declarations are global. No source file
 * references it: the DOM-free programs include it (tsconfig.json through `worker/**`,
 * test/tsconfig.json by name), and a program with the DOM lib (test/tsconfig.browser.json) must
 * leave it out, since the DOM declares the same names. The Node adapter's types are in
 * node-adapter-env.d.ts, which fits both kinds of program.
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
