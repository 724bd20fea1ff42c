/**
 * Picks a storage backend from a tracking URI's scheme (mlflow's `StoreRegistry`). Backends are
 * loaded on first use, so a heavy dependency is only imported when its scheme is asked for.
 *
 * @module
 */
import { invalidParameter } from "../errors.js";
import { MemoryStore } from "./memory/memory-store.js";
import type { TrackingStore } from "./store.js";

/** Opens a store for a URI whose scheme it was registered under. */
export type StoreFactory = (uri: string) => Promise<TrackingStore>;

const factories = new Map<string, StoreFactory>([
  ["memory", async () => new MemoryStore()],
  // Loaded on first use: apache-arrow and node:fs stay out of programs that never ask for it.
  ["arrow", async (uri) => (await import("./arrow/index.js")).openArrowUri(uri)],
  // Browsers (or Node with fake-indexeddb): idb and the IndexedDB store load on first use.
  ["idb", async (uri) => (await import("./idb/index.js")).openIdbUri(uri)],
]);

/** The scheme of a URI (`"memory"` for `memory:`), lower-cased, or undefined. */
export function uriScheme(uri: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Registers (or replaces) the backend for a scheme. Backend modules call this; so can users
 * with a store of their own.
 *
 * @example
 * ```ts
 * registerStore("custom", async (uri) => new MyStore(uri));
 * ```
 */
export function registerStore(scheme: string, factory: StoreFactory): void {
  factories.set(scheme.toLowerCase(), factory);
}

/** Schemes that can be opened now. */
export function supportedSchemes(): string[] {
  return [...factories.keys()].sort();
}

/** True when `scheme` has a registered backend. */
export function hasStore(scheme: string): boolean {
  return factories.has(scheme.toLowerCase());
}

/**
 * Opens the store a URI names. An unknown scheme is INVALID_PARAMETER_VALUE listing the ones
 * that exist.
 *
 * @example
 * ```ts
 * const store = await openStore("memory:");
 * ```
 */
export async function openStore(uri: string): Promise<TrackingStore> {
  const scheme = uriScheme(uri);
  const factory = scheme === undefined ? undefined : factories.get(scheme);
  if (!factory) {
    const list = supportedSchemes().map((s) => `${s}:`).join(", ");
    throw invalidParameter(`Unsupported tracking URI '${uri}': expected one of the schemes ${list}.`);
  }
  return factory(uri);
}
