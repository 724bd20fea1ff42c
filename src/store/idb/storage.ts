/**
 * The browser's storage manager, for the IndexedDB store: asking for persistent storage, and
 * turning a storage failure into a {@link TrackerError} that says what to do.
 *
 * Typed structurally through `globalThis` so it compiles without the DOM lib and does nothing
 * where there is no `navigator.storage` (Node with fake-indexeddb). `persist()` exists only in
 * pages, not in workers, so a store in a worker relies on the page side asking
 * (worker/browser-client.ts).
 *
 * @module
 */
import { isTrackerError, TrackerError } from "../../errors.js";

type StorageManagerLike = {
  persist?: () => Promise<boolean>;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
};

function storageManager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

let persisting: Promise<boolean | undefined> | undefined;

/**
 * Asks the browser once per page to keep this site's data under storage pressure (best-effort
 * data may be evicted). Never rejects; resolves with the answer, or undefined where it cannot be
 * asked (a worker, Node).
 *
 * @example
 * ```ts
 * void requestPersistentStorage();   // when a run starts
 * ```
 */
export function requestPersistentStorage(): Promise<boolean | undefined> {
  persisting ??= (async () => {
    const sm = storageManager();
    if (typeof sm?.persist !== "function") return undefined;
    try {
      return await sm.persist();
    } catch {
      return undefined;
    }
  })();
  return persisting;
}

/** True for the browser's out-of-quota error (a DOMException, or Chromium's QuotaExceededError class). */
export function isQuotaError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === "QuotaExceededError";
}

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** How much of its quota this site uses, as words ("" when the browser does not say). */
async function usageWords(): Promise<string> {
  try {
    const est = await storageManager()?.estimate?.();
    if (est?.usage === undefined || est.quota === undefined) return "";
    return ` This site uses ${size(est.usage)} of the ${size(est.quota)} the browser allows it.`;
  } catch {
    return "";
  }
}

/**
 * The TrackerError for a failed IndexedDB operation `what` on database `dbName`: out of quota is
 * RESOURCE_EXHAUSTED with the usage and how to free space; a TrackerError passes through;
 * anything else is INTERNAL_ERROR with the cause.
 */
export async function storageError(e: unknown, what: string, dbName: string): Promise<TrackerError> {
  if (isTrackerError(e)) return e;
  if (isQuotaError(e)) {
    const message =
      `The browser's storage for this site is full, so ${what} was not stored (data stored before it is intact).${await usageWords()} ` +
      `Free space by deleting runs for good (purgeRun on the idb:${dbName} store) or large artifacts, or clear this site's data in the browser's settings; ` +
      `export runs first (exportMlruns) to keep a copy.`;
    return new TrackerError("RESOURCE_EXHAUSTED", message, { cause: e });
  }
  const name = (e as { name?: unknown } | null)?.name;
  const detail = e instanceof Error || typeof name === "string" ? `${String(name)}: ${(e as Error).message}` : String(e);
  return new TrackerError("INTERNAL_ERROR", `IndexedDB failed during ${what} in database '${dbName}': ${detail}`, { cause: e });
}
