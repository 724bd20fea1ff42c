/**
 * Export and import with worker threads (src/mlruns/node/thread-pool.ts): the built package runs
 * them (a worker thread runs JavaScript files), so these tests import `dist/`. Whatever the number
 * of threads, the bundle's bytes, the imported store and the errors are the same; a write that
 * fails in a worker surfaces as a TrackerError and leaves nothing behind.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import { packMetrics, runFormat, runParse, runWrite } from "../../src/mlruns/node/bundle-jobs.js";
import { crc32 } from "../../src/mlruns/zip/crc32.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";
import { dumpStore } from "./helpers/dump.js";
import { readTree, tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";
import { fflateEntries } from "./helpers/zip-readers.js";

/** Files (base64) with the export's own clock (deleted runs' `deleted_time`) blanked. */
function withoutNow(files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) out[k] = k.endsWith("meta.yaml") ? Buffer.from(v, "base64").toString().replace(/deleted_time: \d+/, "deleted_time: T") : v;
  return out;
}

type Mlruns = typeof import("../../src/mlruns/index.js");
type Pool = typeof import("../../src/mlruns/node/thread-pool.js");

describe("mlruns export and import on worker threads", () => {
  const tmp = tempDir();
  // Many exports land here; removing them took > 10 s (the default hook timeout) on a loaded 2-core VM.
  afterAll(tmp.remove, 120_000);
  let built: Mlruns;
  let pool: Pool;
  beforeAll(async () => {
    ensureBuilt();
    built = (await import(resolve(ROOT, "dist/src/mlruns/index.js"))) as Mlruns;
    pool = (await import(resolve(ROOT, "dist/src/mlruns/node/thread-pool.js"))) as Pool;
  });
  let n = 0;
  const fresh = (name: string) => join(tmp.dir, `${n++}`, name);

  it("finds its built worker entry, so the threads really run", () => {
    expect(pool.locateBundleWorker()?.href).toMatch(/dist\/src\/mlruns\/node\/bundle-worker\.js$/);
    const p = pool.ThreadPool.start(2);
    expect(p?.size).toBe(2);
    return p?.close();
  });

  it("writes the same folder and the same zip entries with threads as without", async () => {
    const { store } = await richStore();
    for (const history of [true, false]) {
      const trees = [];
      const zips = [];
      for (const threads of [0, 1, 3]) {
        const options = { artifactRoot: "mlruns", history, threads };
        const folder = fresh("mlruns");
        const zip = fresh("b.zip");
        const r = await built.exportMlruns(store, folder, options);
        const z = await built.exportMlruns(store, zip, options);
        expect(z.bytes).toBe(r.bytes);
        trees.push({ tree: withoutNow(readTree(folder)), result: { ...r, target: "" } });
        zips.push(withoutNow(Object.fromEntries(Object.entries(fflateEntries(zip)).map(([k, v]) => [k, Buffer.from(v).toString("base64")]))));
      }
      expect(trees[1]).toEqual(trees[0]);
      expect(trees[2]).toEqual(trees[0]);
      expect(zips[1]).toEqual(zips[0]);
      expect(zips[2]).toEqual(zips[0]);
    }
  });

  it("imports the same store from a folder and a zip with threads as without", async () => {
    const { store } = await richStore();
    const folder = fresh("mlruns");
    const zip = fresh("b.zip");
    await built.exportMlruns(store, folder, { threads: 0 });
    await built.exportMlruns(store, zip, { threads: 0 });
    // Into a store that can purge (each run checked as it is written, through putRuns) and into
    // one that cannot (every run checked first, then read again and written call by call).
    const plain = (s: MemoryStore) => new Proxy(s, { get: (t, k) => (k === "purgeRun" || k === "purgeExperiment" || k === "putRuns" ? undefined : Reflect.get(t, k, t)) });
    for (const source of [folder, zip]) {
      for (const undoable of [true, false]) {
        const dumps = [];
        for (const threads of [0, 2]) {
          const into = new MemoryStore();
          const r = await built.importMlruns(undoable ? into : plain(into), source, { threads });
          dumps.push({ dump: await dumpStore(into), imported: r.imported, skipped: r.skipped, notes: r.notes });
        }
        expect(dumps[1]).toEqual(dumps[0]);
      }
    }
  });

  it("reports a bad metric file the same way from a worker: code, file and line", async () => {
    const { store } = await richStore();
    const folder = fresh("mlruns");
    await built.exportMlruns(store, folder, { threads: 0 });
    const metric = Object.keys(readTree(folder)).find((p) => /^[1-9]\d*\/[0-9a-f]{32}\/metrics\/[^/]+$/.test(p))!;
    writeFileSync(join(folder, metric), "1700000000000 0.5 0\n1700000000001 zero 1\n");
    const messages = [];
    for (const threads of [0, 2]) {
      const e = await built.importMlruns(new MemoryStore(), folder, { threads }).catch((x: unknown) => x);
      expect(isTrackerError(e, "INVALID_PARAMETER_VALUE")).toBe(true);
      messages.push((e as Error).message);
    }
    expect(messages[0]).toMatch(/line 2: value "zero" is not a number/);
    expect(messages[1]).toBe(messages[0]);
  });

  it("a write failing in a worker is a TrackerError, and nothing is left at the target", async () => {
    const store = new MemoryStore();
    const run = await store.createRun({ experimentId: "0" });
    // A key of 130 two-byte letters is a 260-byte file name: too long for the file system.
    await store.logBatch(run.info.runId, { metrics: { keys: ["é".repeat(130)], keyIds: new Uint32Array(2), values: Float64Array.of(1, 2), steps: Float64Array.of(0, 1), timestamps: Float64Array.of(5, 6) } });
    const parent = join(tmp.dir, `${n++}`);
    mkdirSync(parent);
    const e = await built.exportMlruns(store, join(parent, "mlruns"), { threads: 2 }).catch((x: unknown) => x);
    expect(isTrackerError(e, "INVALID_PARAMETER_VALUE")).toBe(true);
    expect((e as Error).message).toMatch(/Could not write .*mlruns.*: a file name is too long/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe("mlruns bundle jobs (what the worker threads run), on this thread", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  const h = { key: "k", timestamps: Float64Array.of(1, 2, 3), values: Float64Array.of(0.5, NaN, -0), steps: Float64Array.of(0, -1, 2 ** 53 - 1) };
  const text = "1 0.5 0\n2 nan -1\n3 -0.0 9007199254740991\n";

  it("packs the points asked for and formats them as the metric-file writer does", () => {
    const { packed, columns } = packMetrics([{ path: "a", history: h, from: 0, to: 3 }, { path: "b", history: h, from: 2, to: 3 }]);
    expect(packed).toEqual([{ path: "a", count: 3 }, { path: "b", count: 1 }]);
    const r = runFormat({ kind: "format", metrics: packed, columns }, crc32);
    expect(r.chunks.map((c) => Buffer.from(c).toString())).toEqual([text, "3 -0.0 9007199254740991\n"]);
    expect(r.crcs).toEqual(r.chunks.map((c) => crc32(c)));
  });

  it("writes folders, files and formatted metric files, and refuses to overwrite a file", () => {
    const root = join(tmp.dir, "w");
    const job = () => {
      const { packed, columns } = packMetrics([{ path: "r/metrics/deep/k", history: h, from: 0, to: 3 }]);
      return { kind: "write" as const, root, dirs: ["r/params", "r/artifacts"], files: [["r/meta.yaml", new TextEncoder().encode("x: 1\n")]] as [string, Uint8Array][], metrics: packed, columns };
    };
    expect(runWrite(job()).bytes).toBe(5 + text.length);
    expect(readTree(root)).toEqual({ "r/": "", "r/artifacts/": "", "r/meta.yaml": Buffer.from("x: 1\n").toString("base64"), "r/metrics/": "", "r/metrics/deep/": "", "r/metrics/deep/k": Buffer.from(text).toString("base64"), "r/params/": "" });
    let error: unknown;
    try {
      runWrite(job());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "EEXIST", bundlePath: "r/meta.yaml" });
  });

  it("parses bytes or local files, with the parser's errors", () => {
    const file = join(tmp.dir, "m");
    writeFileSync(file, text);
    const fromBytes = runParse({ kind: "parse", names: ["m"], files: [new TextEncoder().encode(text)] }).parsed[0]!;
    const fromFile = runParse({ kind: "parse", names: ["m"], paths: [file], maxBytes: 100 }).parsed[0]!;
    expect(fromFile).toEqual(fromBytes);
    expect([...fromBytes.values].map(String)).toEqual(["0.5", "NaN", "0"]);
    expect(Object.is(fromBytes.values[2], -0)).toBe(true);
    expect(() => runParse({ kind: "parse", names: ["m"], paths: [file], maxBytes: 10 })).toThrow(/limit for this file is 10/);
    expect(() => runParse({ kind: "parse", names: ["x/m"], files: [new TextEncoder().encode("1 one 0\n")] })).toThrow(/x\/m, line 1/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });
});
