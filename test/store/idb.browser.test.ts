import { deleteDB } from "idb";
import { afterAll } from "vitest";
import { openIdbStore } from "../../src/store/idb/index.js";
import { runStoreContract } from "./contract.js";
import { runModelStoreContract } from "./contract-models.js";

// The real thing: Chromium's IndexedDB, in the page's own thread; a fresh database per test.
const names: string[] = [];
const prefix = `contract-${Date.now()}`;
afterAll(async () => {
  await Promise.all(names.map((n) => deleteDB(n)));
});

const fresh = async () => {
  const name = `${prefix}-${names.length}`;
  names.push(name);
  return openIdbStore(name);
};
runStoreContract("idb (Chromium)", fresh);
runModelStoreContract("idb (Chromium)", fresh);
