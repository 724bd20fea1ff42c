import "fake-indexeddb/auto";
import { summarySuite } from "./idb-summaries.js";

let n = 0;
summarySuite(() => `summaries-${n++}`, 40);
