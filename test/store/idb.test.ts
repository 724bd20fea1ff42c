import "fake-indexeddb/auto";
import { openIdbStore } from "../../src/store/idb/index.js";
import { runStoreContract } from "./contract.js";

// Node, with fake-indexeddb standing in for the browser's IndexedDB; a fresh database per test.
let n = 0;
runStoreContract("idb (fake-indexeddb)", async () => openIdbStore(`contract-${n++}`));
