import { deleteDB } from "idb";
import { afterAll } from "vitest";
import { schemaSuite } from "./idb-schema.js";

const names: string[] = [];
afterAll(() => Promise.all(names.map((n) => deleteDB(n))));

schemaSuite(() => {
  const name = `schema-${Date.now()}-${names.length}`;
  names.push(name);
  return name;
});
