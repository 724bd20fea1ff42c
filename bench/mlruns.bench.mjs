// Benchmarks of mlruns bundle export and import (issue 6), against DESIGN targets T4/T5.
//
//   npm run build && node bench/mlruns.bench.mjs [--quick] [--memory-only] [--t45] [--store=arrow|memory] [--shape=small]
//
// Workloads:
//   T4. export 1,000 runs × (20 params, 10 tags, 10 keys × 1,000 steps = 10M points) from an Arrow
//       store (`--store=memory` for a memory store; `--shape=small` for 3 params and 3 tags), to a folder and
//       to a zip — goal ≤ 5 s to a folder, streamed zip with bounded memory.
//   T5. import the same bundle (folder and zip) into a fresh store of the same kind — goal ≤ 6 s, progress
//       reported, the event loop never blocked > 50 ms (the longest gap a 5 ms timer sees).
//   M.  import a 10,000-run bundle (3 params, 3 tags, 2 metrics × 10 points each) in a child process
//       whose store keeps nothing (counts only; it cannot purge, so every run is checked before
//       the first write, then read again), sampling memory every 5 ms: the importer's own
//       footprint, from a folder and from a zip. And the same into a memory store (runs checked
//       as they are written, through putRuns), for scale.
//   The export to a folder is also compared with its floor: the same files written by plain
//   synchronous fs calls with the contents already in memory (this VM's disk sets it), on this
//   thread and split over two worker threads (what the export's threads do), measured right
//   after the export so both see the file system in the same state. Why that matters: this VM's
//   ext4 has no journal, and then every new inode's allocation skips the inodes freed in the last
//   1–6 minutes in its block group, one buffer-cache lookup each (fs/ext4/ialloc.c,
//   recently_deleted; 75% of the floor's kernel time in `perf` after a deletion). Files deleted
//   just before (an earlier run's output, the Arrow store's atomic rewrites while filling,
//   another process's temporary folders) made the same 42k files cost 0.5 s or 35 s of kernel
//   time. Compare figures taken back to back, on a file system nothing deleted from lately.
//   Every timing also reports the process's CPU time (all threads) and the load average, and starts after `sync`
//   (see flushDisk).
// MLflow peer (PEER_PYTHON or .peers/bin/python, when it has mlflow): MlflowClient.search_runs, then get_metric_history of every key, over
// the exported bundle (it parses every metric file for the latest values), on 100 runs of the T4
// bundle shape (1M points), as a rate comparison.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import { join, resolve } from "node:path";
import { exportMlruns, importMlruns } from "../dist/src/mlruns/index.js";
import { MemoryStore, TrackerError } from "../dist/src/index.js";
import { openArrowStore } from "../dist/src/store/arrow/index.js";

const QUICK = process.argv.includes("--quick");
const SCALE = QUICK ? 0.1 : 1;
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const child = process.argv.find((a) => a.startsWith("--child="))?.slice(8);
/** Store the T4 export reads from and T5 imports into: `arrow` (default, the realistic Node store) or `memory`. */
const STORE = process.argv.find((a) => a.startsWith("--store="))?.slice(8) ?? "arrow";
/** `--t45` runs only T4/T5 (no memory or peer parts), for iteration; its results go to mlruns-quick.json. */
const T45_ONLY = process.argv.includes("--t45");
/** `--shape=small` is the shape of results before 2026-11-29 (3 params, 3 tags per run); default: T4's 20 params, 10 tags. */
const FULL_SHAPE = !process.argv.includes("--shape=small");

/** A fresh store of the kind `kind` ("arrow" in a new folder under `base`, or "memory"). */
let stores = 0;
async function newStore(kind, base) {
  if (kind === "memory") return new MemoryStore();
  return openArrowStore(join(base, `store-${stores++}`), { onWarning: () => {} });
}

/** A store with `runs` runs × `keys` keys × `steps` steps (20 params, 10 tags, as T4 says, when `full`). */
async function fill(runs, keys, steps, extra = 0, kind = "memory", base = undefined, full = false) {
  const store = await newStore(kind, base);
  const exp = await store.createExperiment({ name: "bench" });
  const batch = Math.min(1000, keys * steps);
  for (let r = 0; r < runs; r++) {
    const tags = { team: "bench", "mlflow.user": "me", note: `run ${r}` };
    const params = [{ key: "lr", value: String(1 / (r + 1)) }, { key: "layers", value: String(r % 7) }, { key: "opt", value: "sgd" }];
    if (full) {
      for (let i = 0; params.length < 20; i++) params.push({ key: `param_${i}`, value: String((r * 31 + i) % 97) });
      for (let i = 0; Object.keys(tags).length < 10; i++) tags[`tag_${i}`] = `value ${r % (i + 2)}`;
    }
    const run = await store.createRun({ experimentId: exp, runName: `run-${r}`, tags });
    await store.logBatch(run.info.runId, { params });
    const n = keys * steps;
    for (let at = 0; at < n; at += batch) {
      const len = Math.min(batch, n - at);
      const cols = { keys: Array.from({ length: keys }, (_, k) => `metric_${k}`), keyIds: new Uint32Array(len), values: new Float64Array(len), steps: new Float64Array(len), timestamps: new Float64Array(len) };
      for (let i = 0; i < len; i++) {
        const p = at + i;
        cols.keyIds[i] = p % keys;
        cols.steps[i] = Math.floor(p / keys);
        cols.values[i] = 1 / (1 + p) + r * 1e-6;
        cols.timestamps[i] = 1_700_000_000_000 + p;
      }
      await store.logBatch(run.info.runId, { metrics: cols });
    }
    if (extra) await store.updateRun(run.info.runId, { status: "FINISHED", endTime: 1_700_000_100_000 });
  }
  return store;
}

/**
 * Writes every dirty page of every file system to disk (the `sync` command) before a timed phase:
 * each phase's figure then includes its own writes and fsyncs, not the write-back of the 0.4–1.6
 * GB the phases before it left in the page cache (an import's final fsync waited ~5 s for that).
 */
function flushDisk() {
  spawnSync("sync");
}

/** Runs `fn` while a 5 ms timer measures the longest event-loop stall; also the process's CPU time (all threads). */
async function timed(fn) {
  flushDisk();
  const cpu0 = process.cpuUsage();
  let last = performance.now();
  let worst = 0;
  // Gaps over 40 ms, with where the work was (phase, runs done) when each began.
  const gaps = [];
  let where = "";
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 40 && gaps.length < 20) gaps.push({ atMs: Math.round(last - start), ms: Math.round(now - last), after: where });
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  const t0 = process.hrtime.bigint();
  const progress = [];
  const value = await fn((p) => {
    where = `${p.phase} ${p.done}/${p.total}`;
    if (progress.length < 100000) progress.push(p.phase);
  });
  const took = ms(t0);
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  return { ms: Math.round(took), longestStallMs: Math.round(worst), stallsOver40Ms: gaps, progressReports: progress.length, cpuMs: { user: Math.round(cpu.user / 1000), system: Math.round(cpu.system / 1000) }, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), value };
}

/**
 * Floor: the same files written with plain synchronous fs calls, contents already in memory; with
 * `threads`, the files are split by run folder over that many worker threads (folders made here first).
 */
async function fsFloor(from, to, threads = 0) {
  flushDisk();
  const files = [];
  const walk = (d, rel) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        files.push([join(rel, n), null]);
        walk(p, join(rel, n));
      } else files.push([join(rel, n), readFileSync(p)]);
    }
  };
  walk(from, "");
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  mkdirSync(to, { recursive: true });
  if (threads === 0) {
    for (const [rel, data] of files) {
      if (data === null) mkdirSync(join(to, rel), { recursive: true });
      else writeFileSync(join(to, rel), data);
    }
  } else {
    for (const [rel, data] of files) if (data === null) mkdirSync(join(to, rel), { recursive: true });
    const parts = Array.from({ length: threads }, () => []);
    const threadOf = new Map();
    for (const [rel, data] of files) {
      if (data === null) continue;
      const run = rel.split("/").slice(0, 2).join("/");
      if (!threadOf.has(run)) threadOf.set(run, threadOf.size % threads);
      parts[threadOf.get(run)].push([rel, data]);
    }
    const code = `const { workerData, parentPort } = require("node:worker_threads"); const fs = require("node:fs"); const path = require("node:path");
      for (const [rel, data] of workerData.files) fs.writeFileSync(path.join(workerData.to, rel), data, { flag: "wx" });
      parentPort.postMessage("done");`;
    await Promise.all(parts.map((part) => new Promise((ok, fail) => {
      const w = new Worker(code, { eval: true, workerData: { to, files: part } });
      w.on("message", () => w.terminate().then(ok, fail));
      w.on("error", fail);
    })));
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: Math.round(ms(t0)), threads, cpuMs: { user: Math.round(cpu.user / 1000), system: Math.round(cpu.system / 1000) }, files: files.filter(([, d]) => d !== null).length, folders: files.filter(([, d]) => d === null).length };
}

/**
 * A store that keeps nothing: it isolates the importer's own memory. `undoable`: it also takes
 * whole runs (putRuns) and "purges", so the import checks each run as it writes it.
 */
function nullStore(undoable = false) {
  const missing = (what) => new TrackerError("RESOURCE_DOES_NOT_EXIST", `${what} not found`);
  const zero = { experimentId: "0", name: "Default", artifactLocation: "", lifecycleStage: "active", creationTime: 0, lastUpdateTime: 0, tags: {} };
  let points = 0;
  const info = (runId) => ({ runId, runName: "x", experimentId: "1", userId: "", status: "RUNNING", startTime: 0, endTime: null, artifactUri: "", lifecycleStage: "active" });
  return {
    points: () => points,
    createExperiment: async (i) => i.experimentId ?? "1",
    getExperiment: async (id) => {
      if (id === "0") return zero;
      throw missing(`experiment ${id}`);
    },
    getExperimentByName: async () => undefined,
    searchExperiments: async () => ({ experiments: [zero] }),
    renameExperiment: async () => {},
    deleteExperiment: async () => {},
    restoreExperiment: async () => {},
    setExperimentTag: async () => {},
    createRun: async (i) => ({ info: info(i.runId), data: { params: {}, tags: {}, metrics: {} } }),
    updateRun: async (id) => info(id),
    deleteRun: async () => {},
    restoreRun: async () => {},
    logBatch: async (_id, b) => void (points += b.metrics?.values.length ?? 0),
    getRun: async (id) => {
      throw missing(`run ${id}`);
    },
    searchRuns: async () => ({ runs: [] }),
    getMetricHistory: async () => {
      throw missing("history");
    },
    logArtifact: async () => {},
    listArtifacts: async () => [],
    readArtifact: async () => {
      throw missing("artifact");
    },
    close: async () => {},
    ...(undoable
      ? {
          putRuns: async (runs) => void (points += runs.reduce((n, r) => n + (r.metrics?.values.length ?? 0), 0)),
          purgeRun: async () => {},
          purgeExperiment: async () => {},
        }
      : {}),
  };
}

/** Child: imports `path`, sampling memory; prints JSON. */
async function importMemoryChild(path, into) {
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed + base.external + base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  // Live memory: after a full GC at every 500th run of each phase (the child runs with --expose-gc),
  // so uncollected garbage does not count; peak RSS above counts everything.
  globalThis.gc();
  const live0 = process.memoryUsage();
  const liveBase = live0.heapUsed + live0.external + live0.arrayBuffers;
  let liveMax = liveBase;
  const onProgress = (p) => {
    sample();
    if (p.done % 500 === 0 || p.done === p.total) {
      globalThis.gc();
      const m = process.memoryUsage();
      liveMax = Math.max(liveMax, m.heapUsed + m.external + m.arrayBuffers);
    }
  };
  const store = into === "null" ? nullStore() : into === "null-undoable" ? nullStore(true) : new MemoryStore();
  const t0 = process.hrtime.bigint();
  const budget = process.argv.find((a) => a.startsWith("--budget="))?.slice(9);
  const r = await importMlruns(store, path, { onProgress, ...(budget !== undefined ? { memoryBudget: Number(budget) } : {}) });
  const took = ms(t0);
  clearInterval(timer);
  sample();
  const mb = (b) => Math.round((b / 2 ** 20) * 10) / 10;
  console.log(JSON.stringify({ runs: r.imported.runs, points: r.imported.points, ms: Math.round(took), baseRssMB: mb(base.rss), peakRssMB: mb(peakRss), rssGrowthMB: mb(peakRss - base.rss), liveGrowthMB: mb(liveMax - liveBase), peakHeapMB: mb(peakHeap) }));
}

function runChild(path, into, budget) {
  const args = [process.argv[1], `--child=${into}`, ...(budget === undefined ? [] : [`--budget=${budget}`]), path];
  const r = spawnSync(process.execPath, ["--expose-gc", ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function mlflowPeer(bundle) {
  const python = [process.env.PEER_PYTHON, ".peers/bin/python"].filter(Boolean).map((p) => resolve(p)).find((p) => existsSync(p));
  if (!python) return { skipped: "no Python with mlflow (set PEER_PYTHON or create .peers with mlflow)" };
  const code = `import sys, time
from mlflow.tracking import MlflowClient
from mlflow.entities import ViewType
c = MlflowClient(tracking_uri="file://" + sys.argv[1])
t0 = time.perf_counter()
runs = c.search_runs([e.experiment_id for e in c.search_experiments(view_type=ViewType.ALL)], run_view_type=ViewType.ALL, max_results=50000)
points = 0
for run in runs:
    for key in run.data.metrics:
        points += len(c.get_metric_history(run.info.run_id, key))
print(len(runs), (time.perf_counter() - t0) * 1000, points)`;
  const r = spawnSync(python, ["-c", code, bundle], { encoding: "utf8", env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: "true" } });
  if (r.status !== 0) return { skipped: r.stderr.slice(-500) };
  const [runs, took, points] = r.stdout.trim().split("\n").pop().split(" ").map(Number);
  return { tool: "MLflow 3.17.2 MlflowClient.search_runs, then get_metric_history for every key (file store)", runs, points, ms: Math.round(took) };
}

async function main() {
  const base = mkdtempSync(join(tmpdir(), "tb-mlruns-bench-"));
  try {
    const memoryOnly = process.argv.includes("--memory-only");
    const runs = Math.round((memoryOnly ? 10 : 1000) * SCALE);
    console.error(`filling a${STORE === "arrow" ? "n arrow" : " memory"} store: ${runs} runs × 10 keys × 1000 steps, 20 params, 10 tags`);
    const store = await fill(runs, 10, 1000, 1, STORE, base, FULL_SHAPE);
    await store.sync?.();
    const folder = join(base, "t4", "mlruns");
    const zip = join(base, "t4.zip");
    const exportFolder = await timed((onProgress) => exportMlruns(store, folder, { onProgress }));
    // The floors right after the export, in the same file-system state (see the header); deleted at the end.
    const floor = await fsFloor(folder, join(base, "floor"));
    const floorThreads = await fsFloor(folder, join(base, "floor-threads"), 2);
    const exportZip = await timed((onProgress) => exportMlruns(store, zip, { onProgress }));
    console.error(`export: folder ${exportFolder.ms} ms (fs floor ${floor.ms} ms, on 2 threads ${floorThreads.ms} ms), zip ${exportZip.ms} ms, stalls ${exportFolder.longestStallMs}/${exportZip.longestStallMs} ms, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    await store.close();
    const into = [await newStore(STORE, base), await newStore(STORE, base)];
    const importFolder = await timed((onProgress) => importMlruns(into[0], folder, { onProgress }));
    const importZip = await timed((onProgress) => importMlruns(into[1], zip, { onProgress }));
    await Promise.all(into.map((s) => s.close()));
    console.error(`import: folder ${importFolder.ms} ms, zip ${importZip.ms} ms (into ${STORE} stores), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const strip = (t) => ({ ms: t.ms, longestStallMs: t.longestStallMs, stallsOver40Ms: t.stallsOver40Ms, progressReports: t.progressReports, cpuMs: t.cpuMs, loadavg: t.loadavg });
    console.error(`import stalls: folder ${importFolder.longestStallMs} ms, zip ${importZip.longestStallMs} ms`);
    if (T45_ONLY) {
      const result = { benchmark: "mlruns T4/T5 only", date: new Date().toISOString(), quick: QUICK, store: STORE, loadavg: loadavg(), t4Export: { runs, folder: strip(exportFolder), fsFloorSameFiles: floor, fsFloorSameFilesTwoThreads: floorThreads, zip: strip(exportZip) }, t5Import: { folder: strip(importFolder), zip: strip(importZip) } };
      writeFileSync(resolve("bench/results", "mlruns-quick.json"), JSON.stringify(result, null, 2) + "\n");
      return;
    }

    const many = Math.round(10_000 * SCALE);
    console.error(`filling ${many} small runs for the memory figure`);
    const small = await fill(many, 2, 10, 1);
    const mFolder = join(base, "m", "mlruns");
    const mZip = join(base, "m.zip");
    await exportMlruns(small, mFolder);
    await exportMlruns(small, mZip);
    const memory = {
      runs: many,
      folderIntoNullStore: runChild(mFolder, "null"),
      zipIntoNullStore: runChild(mZip, "null"),
      folderIntoUndoableNullStore: runChild(mFolder, "null-undoable"),
      zipIntoUndoableNullStore: runChild(mZip, "null-undoable"),
      folderIntoMemoryStore: runChild(mFolder, "memory"),
      zipIntoMemoryStore: runChild(mZip, "memory"),
    };
    console.error(`memory: ${JSON.stringify(memory)}`);

    const peerRuns = Math.round(100 * SCALE);
    const peerFolder = join(base, "peer", "mlruns");
    await exportMlruns(await fill(peerRuns, 10, 1000, 1), peerFolder);
    const ours = await timed(() => importMlruns(new MemoryStore(), peerFolder));
    const peer = { runs: peerRuns, points: peerRuns * 10_000, trackbookImportMs: ours.ms, mlflow: mlflowPeer(peerFolder) };
    if (peer.mlflow.ms) peer.mlflowMsOverTrackbook = Math.round((peer.mlflow.ms / ours.ms) * 10) / 10;

    const result = {
      benchmark: "mlruns bundle export/import",
      date: new Date().toISOString(),
      quick: QUICK,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model.split(" ").slice(0, 2).join(" "), node: process.version },
      store: STORE,
      loadavgAtEnd: loadavg(),
      t4Export: { runs, points: runs * 10_000, shape: FULL_SHAPE ? "20 params, 10 tags, 10 metrics × 1000 steps per run" : "3 params, 3 tags, 10 metrics × 1000 steps per run", folder: { ...strip(exportFolder), files: exportFolder.value.files, bytes: exportFolder.value.bytes }, fsFloorSameFiles: floor, fsFloorSameFilesTwoThreads: floorThreads, zip: strip(exportZip), goalMs: 5000 },
      t5Import: { folder: strip(importFolder), zip: strip(importZip), goalMs: 6000, goalLongestStallMs: 50 },
      memory,
      peer,
    };
    const out = resolve("bench/results", QUICK || memoryOnly ? "mlruns-quick.json" : "mlruns.json");
    writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (child) await importMemoryChild(process.argv[process.argv.length - 1], child);
else await main();
