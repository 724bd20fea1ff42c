/**
 * The IndexedDB store (browsers): `idb:<database>` URIs. The only folder that imports `idb`.
 *
 * @module
 */
export { IdbStore } from "./idb-store.js";
export { openIdbStore, openIdbUri } from "./open.js";
export type { IdbStoreOptions } from "./open.js";
export { runsChannelName, watchRuns } from "./channel.js";
export type { RunChange } from "./channel.js";
export { requestPersistentStorage } from "./storage.js";
export { CHUNK_POINTS, SCHEMA_VERSION } from "./schema.js";
