/**
 * Opening the IndexedDB store: the schema upgrade, and what happens when another tab holds the
 * database at another schema version.
 *
 * - A tab with an older version open gets `versionchange` when a newer one opens: our store
 *   closes its connection at once instead of blocking the upgrade, and its later calls reject
 *   with INVALID_STATE asking to reload the page.
 * - Opening while an older tab has not let go waits (IndexedDB's rule) and says so through
 *   `onWarning`; it continues as soon as that tab closes or reloads.
 *
 * @module
 */
import { openDB } from "idb";
import { invalidParameter, TrackerError } from "../../errors.js";
import { IdbStore } from "./idb-store.js";
import { SCHEMA_VERSION, upgrade, type TrackbookDB, type TrackbookIDB } from "./schema.js";
import { storageError } from "./storage.js";

/** Options of {@link openIdbStore}. */
export type IdbStoreOptions = {
  /**
   * Commit durability of writes. Default "relaxed" (Chromium's default since 121): a commit is
   * reported once the OS has the data, which survives a page reload or crash but not a power cut.
   */
  durability?: "relaxed" | "strict" | "default";
  /** Told when opening waits for another tab. Default: console.warn. */
  onWarning?: (message: string) => void;
};

/**
 * Opens (creating or upgrading if needed) the trackbook database `name` in this origin.
 *
 * @example
 * ```ts
 * const store = await openIdbStore("trackbook");
 * const run = await store.createRun({ experimentId: "0" });
 * ```
 */
export async function openIdbStore(name: string, options: IdbStoreOptions = {}): Promise<IdbStore> {
  if (typeof name !== "string" || name === "") throw invalidParameter(`Invalid IndexedDB database name ${JSON.stringify(name)}: expected a non-empty string.`);
  if (typeof (globalThis as { indexedDB?: unknown }).indexedDB === "undefined") {
    throw new TrackerError("NOT_IMPLEMENTED", "IndexedDB is not available here: idb: stores work in browsers (or in Node after `import \"fake-indexeddb/auto\"`).");
  }
  const warn = options.onWarning ?? ((m: string) => console.warn(`trackbook: ${m}`));
  let store: IdbStore | undefined;
  let lostEarly: string | undefined;
  const lose = (why: string) => (store ? store.lose(why) : (lostEarly = why));
  let db: TrackbookIDB | undefined;
  try {
    db = await openDB<TrackbookDB>(name, SCHEMA_VERSION, {
      upgrade,
      blocked: (current) =>
        warn(`opening IndexedDB database '${name}' waits for another tab that still has it open at schema version ${current}; it continues once that tab is closed or reloaded.`),
      blocking: (_current, next) => {
        lose(`IndexedDB database '${name}' was opened by a newer trackbook in another tab (schema version ${next ?? "?"}), so this page let it go: reload this page to keep logging.`);
        db?.close();
      },
      terminated: () => lose(`The browser closed IndexedDB database '${name}' (was this site's data cleared?): reload this page to keep logging.`),
    });
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name === "VersionError") {
      throw new TrackerError("INVALID_STATE", `IndexedDB database '${name}' was written by a newer trackbook (schema version above ${SCHEMA_VERSION}): update trackbook, or use another database name.`, { cause: e });
    }
    throw await storageError(e, `opening database '${name}'`, name);
  }
  store = new IdbStore(db, options.durability ?? "relaxed");
  if (lostEarly !== undefined) store.lose(lostEarly);
  return store;
}

/**
 * Opens the store an `idb:` URI names: `idb:trackbook`, `idb://trackbook`;
 * `?durability=strict` asks for strict commits.
 *
 * @example
 * ```ts
 * const store = await openIdbUri("idb:trackbook");
 * ```
 */
export async function openIdbUri(uri: string, options: IdbStoreOptions = {}): Promise<IdbStore> {
  const m = /^idb:(?:\/\/)?([^?]*)(?:\?(.*))?$/i.exec(uri);
  const name = m?.[1] ? decodeURIComponent(m[1]) : "";
  if (!name) throw invalidParameter(`Invalid IndexedDB store URI '${uri}': expected idb:<database name>, e.g. idb:trackbook.`);
  const durability = new URLSearchParams(m?.[2] ?? "").get("durability");
  if (durability !== null && durability !== "relaxed" && durability !== "strict" && durability !== "default") {
    throw invalidParameter(`Invalid durability '${durability}' in '${uri}': expected relaxed, strict or default.`);
  }
  return openIdbStore(name, durability === null ? options : { ...options, durability });
}
