import { deleteDB } from "idb";
import { afterAll } from "vitest";
import { openIdbStore } from "../../src/store/idb/index.js";
import { quotaSuite } from "./idb-quota.js";

const names: string[] = [];
afterAll(() => Promise.all(names.map((n) => deleteDB(n))));

quotaSuite(() => {
  const name = `quota-${Date.now()}-${names.length}`;
  names.push(name);
  return openIdbStore(name);
});
