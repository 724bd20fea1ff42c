import "fake-indexeddb/auto";
import { schemaSuite } from "./idb-schema.js";

let n = 0;
schemaSuite(() => `schema-${n++}`);
