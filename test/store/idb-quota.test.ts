import "fake-indexeddb/auto";
import { openIdbStore } from "../../src/store/idb/index.js";
import { quotaSuite } from "./idb-quota.js";

let n = 0;
quotaSuite(() => openIdbStore(`quota-${n++}`));
