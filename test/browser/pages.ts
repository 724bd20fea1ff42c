/**
 * Browser-test side of the page commands (test/browser/commands.ts): open the logger fixture
 * page in another page of this browser context (same origin, same IndexedDB: like another tab)
 * and read its state.
 */
import { commands } from "vitest/browser";
import type { PageCommands } from "./commands.js";

declare module "vitest/browser" {
  interface BrowserCommands extends PageCommands {}
}

/** What the logger page reports on `window.logger`. */
export type LoggerState = {
  inWorker?: boolean;
  runId?: string;
  experimentId?: string;
  logged: number;
  flushes: { upTo: number; at: number }[];
  done: boolean;
  error?: string;
  reloaded?: boolean;
  now: number;
};

/** Opens the logger page on database `db` with the given query parameters; returns its id. */
export function openLogger(db: string, params: Record<string, string | number>): Promise<string> {
  const q = new URLSearchParams({ db, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return commands.openPage(`/test/browser/fixtures/logger.html?${q}`);
}

/** The logger page's state, with the page's clock at the time of reading. */
export async function loggerState(id: string): Promise<LoggerState> {
  const state = (await commands.evalInPage(id, "({ ...window.logger, now: Date.now() })")) as LoggerState;
  if (state.error !== undefined) throw new Error(`The logger page failed: ${state.error}`);
  return state;
}

/** Waits until `expression` (over `window.logger`, as `s`) holds in the page. */
export function waitForLogger(id: string, expression: string, timeoutMs = 60_000): Promise<void> {
  return commands.waitInPage(id, `(() => { const s = window.logger; if (s && s.error) throw new Error(s.error); return s && (${expression}); })()`, timeoutMs);
}

export { commands };
