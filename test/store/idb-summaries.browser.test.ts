import { deleteDB } from "idb";
import { afterAll } from "vitest";
import { summarySuite } from "./idb-summaries.js";

const names: string[] = [];
afterAll(() => Promise.all(names.map((n) => deleteDB(n))));

// Chromium's IndexedDB is slower to fill than fake-indexeddb: fewer generated histories.
summarySuite(() => {
  const name = `summaries-${Date.now()}-${names.length}`;
  names.push(name);
  return name;
}, 12);
