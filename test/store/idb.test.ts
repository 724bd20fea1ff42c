import "fake-indexeddb/auto";
import { openIdbStore } from "../../src/store/idb/index.js";
import { runStoreContract } from "./contract.js";
import { runModelStoreContract } from "./contract-models.js";

// Node, with fake-indexeddb standing in for the browser's IndexedDB; a fresh database per test.
let n = 0;
runStoreContract("idb (fake-indexeddb)", async () => openIdbStore(`contract-${n++}`));
runModelStoreContract("idb (fake-indexeddb)", async () => openIdbStore(`models-${n++}`));
