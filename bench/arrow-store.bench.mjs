// Benchmarks of the Arrow-file store (issue: local Arrow file store behind a worker), against
// MLflow's Python client measured in the same run when a Python with mlflow is found
// (PEER_PYTHON or .peers/bin/python; this script installs nothing).
//
//   npm run build && node bench/arrow-store.bench.mjs [--quick] [--only=C[,D…]]
//
// --only runs just the named workloads (and no MLflow peer) and writes no results file: for
// iterating on one workload.
//
// Workloads (trackbook):
//   A. calling-thread cost of run.logMetric while the store (worker, if any) is running — goal p50 ≤ 200 ns
//   B. sustained points/s to disk, 1 run × 10M points, from the first call to a durable flush — goal ≥ 5M/s
//   C. the same with 1,000 runs × 10 keys × 1,000 steps, interleaved step by step (10M points) — goal ≥ 5M/s
//   D. getMetricHistory of 1M points, cold (fresh open) and warm — goal ≤ 50 ms
//   E. searchRuns with a filter and an order over 10k runs — goal ≤ 100 ms
// MLflow (smaller, since it is ~10^4× slower per point): log_batch throughput into the file store and
// SQLite for one run and for interleaved runs, get_metric_history, and search_runs over 1,000 runs.
// Ratios compare rates (points/s, points/ms, runs/ms), so different scales stay comparable.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openTracker } from "../dist/src/index.js";
import { openArrowStore } from "../dist/src/store/arrow/index.js";

const QUICK = process.argv.includes("--quick");
const SCALE = QUICK ? 0.1 : 1;
const ONLY = process.argv.find((a) => a.startsWith("--only="))?.slice(7).toUpperCase().split(",");
const base = mkdtempSync(join(tmpdir(), "tb-arrow-bench-"));
const yieldNow = () => new Promise((r) => setImmediate(r));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function callingThread() {
  const tb = await openTracker(`arrow:${join(base, "a")}`);
  const run = await tb.startRun({ runName: "calling-thread" });
  const perCall = [];
  const N = Math.round(1_000_000 * SCALE);
  for (let b = 0; b < N / 1000; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = b * 1000; i < (b + 1) * 1000; i++) run.logMetric("loss", 1 / (i + 1), i);
    perCall.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (b % 10 === 9) await yieldNow(); // a training loop yields (awaits a batch); flushes run then
  }
  await run.end();
  await tb.close();
  perCall.sort((a, b) => a - b);
  return { calls: N, p50Ns: perCall[Math.floor(perCall.length / 2)], p99Ns: perCall[Math.floor(perCall.length * 0.99)], worker: tb.store.constructor.name };
}

// The value is cheap to compute on purpose: Math.sin of a large argument alone costs ~125 ns here,
// which would measure the loop, not the logger. The same loop without logging is timed as the floor.
const lossAt = (i) => 1 / (i + 1);

async function oneRunFloor(N) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    sink += lossAt(i) + i;
    if ((i & 16383) === 16383) await yieldNow();
  }
  return { ms: ms(t0), sink };
}

async function oneRun() {
  const N = Math.round(10_000_000 * SCALE);
  const floor = await oneRunFloor(N);
  const tb = await openTracker(`arrow:${join(base, "b")}`);
  const run = await tb.startRun({ runName: "ten-million" });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    run.logMetric("loss", lossAt(i), i);
    if ((i & 16383) === 16383) await yieldNow();
  }
  const callsMs = ms(t0);
  await run.flush();
  const elapsed = ms(t0);
  const runId = run.runId;
  await run.end();
  await tb.close();
  return { points: N, ms: elapsed, callsMs, loopFloorMs: floor.ms, pointsPerSec: N / (elapsed / 1000), runId, dir: join(base, "b") };
}

async function manyRuns() {
  const runs = Math.round(1000 * SCALE), keys = 10, steps = 1000;
  const tb = await openTracker(`arrow:${join(base, "c")}`);
  const ids = [];
  for (let r = 0; r < runs; r++) ids.push((await tb.store.createRun({ experimentId: "0", runName: `r${r}` })).info.runId);
  const slots = ids.map((id) => tb.client.attach(id));
  const names = Array.from({ length: keys }, (_, k) => `m${k}`);
  const t0 = process.hrtime.bigint();
  const now = Date.now();
  for (let s = 0; s < steps; s++) {
    for (let r = 0; r < runs; r++) for (let k = 0; k < keys; k++) tb.client.logMetric(slots[r], names[k], s * k, s, now);
    if (s % 2 === 1) await yieldNow();
  }
  const callsMs = ms(t0);
  await tb.flush();
  const elapsed = ms(t0);
  await tb.close();
  const points = runs * keys * steps;
  return { runs, keys, steps, points, ms: elapsed, callsMs, pointsPerSec: points / (elapsed / 1000) };
}

async function history(dir, runId) {
  const N = Math.round(1_000_000 * SCALE);
  const store = await openArrowStore(join(base, "d"));
  const run = await store.createRun({ experimentId: "0" });
  for (let s = 0; s < N; s += 1000) {
    const n = Math.min(1000, N - s);
    const steps = Float64Array.from({ length: n }, (_, i) => s + i);
    await store.logBatch(run.info.runId, { metrics: { keys: ["loss"], keyIds: new Uint32Array(n), values: steps.map(Math.sin), steps, timestamps: new Float64Array(n).fill(1) } });
  }
  await store.close();
  const cold = await openArrowStore(join(base, "d"), { readOnly: true });
  let t0 = process.hrtime.bigint();
  const h = await cold.getMetricHistory(run.info.runId, "loss");
  const coldMs = ms(t0);
  const warm = [];
  for (let i = 0; i < 5; i++) {
    t0 = process.hrtime.bigint();
    await cold.getMetricHistory(run.info.runId, "loss");
    warm.push(ms(t0));
  }
  await cold.close();
  if (h.values.length !== N) throw new Error(`history has ${h.values.length} of ${N} points`);
  warm.sort((a, b) => a - b);
  return { points: N, coldMs, warmMedianMs: warm[2] };
}

async function search() {
  const runs = Math.round(10_000 * SCALE);
  const store = await openArrowStore(join(base, "e"));
  const exp = await store.createExperiment({ name: "search" });
  for (let r = 0; r < runs; r++) {
    const id = (await store.createRun({ experimentId: exp, runName: `r${r}` })).info.runId;
    await store.logBatch(id, {
      params: [{ key: "lr", value: String([0.1, 0.01, 0.001][r % 3]) }, { key: "layers", value: String(r % 5) }],
      tags: [{ key: "team", value: r % 2 ? "vision" : "nlp" }],
      metrics: { keys: ["loss", "acc"], keyIds: new Uint32Array([0, 1]), values: new Float64Array([1 / (r + 1), r / runs]), steps: new Float64Array([0, 0]), timestamps: new Float64Array([1, 1]) },
    });
  }
  const query = { experimentIds: [exp], filter: "params.lr = '0.01' and metrics.loss < 0.5 and tags.team = 'vision'", orderBy: ["metrics.acc DESC"], maxResults: 1000 };
  await store.searchRuns(query);
  const times = [];
  let found = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    found = (await store.searchRuns(query)).runs.length;
    times.push(ms(t0));
  }
  await store.close();
  const reopen0 = process.hrtime.bigint();
  const again = await openArrowStore(join(base, "e"), { readOnly: true });
  const openMs = ms(reopen0);
  await again.close();
  times.sort((a, b) => a - b);
  return { runs, found, medianMs: times[2], reopenMs: openMs };
}

const MLFLOW = String.raw`
import json, os, sys, time, tempfile, logging, warnings
warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
scale = float(sys.argv[1]); d = tempfile.mkdtemp(); out = {"version": mlflow.__version__}
for name, uri in [("file", "file://" + os.path.join(d, "mlruns")), ("sqlite", "sqlite:///" + os.path.join(d, "m.db"))]:
    c = MlflowClient(uri); e = c.create_experiment("bench"); r = c.create_run(e).info.run_id
    n = int(100000 * scale); now = int(time.time() * 1000)
    t0 = time.perf_counter()
    for s in range(0, n, 1000):
        c.log_batch(r, metrics=[Metric("loss", float(i), now, i) for i in range(s, min(n, s + 1000))])
    t = time.perf_counter() - t0
    res = {"oneRun": {"points": n, "sec": t, "pointsPerSec": n / t}}
    t0 = time.perf_counter(); h = c.get_metric_history(r, "loss"); th = time.perf_counter() - t0
    res["history"] = {"points": len(h), "ms": th * 1000}
    runs = [c.create_run(e).info.run_id for _ in range(int(20 * max(scale, 0.5)))]
    steps = 100; t0 = time.perf_counter()
    for s in range(steps):
        for rid in runs:
            c.log_batch(rid, metrics=[Metric("m%d" % k, float(s * k), now, s) for k in range(10)])
    t = time.perf_counter() - t0; p = len(runs) * steps * 10
    res["manyRuns"] = {"runs": len(runs), "points": p, "sec": t, "pointsPerSec": p / t}
    e2 = c.create_experiment("search"); nr = int(1000 * max(scale, 0.2))
    for i in range(nr):
        rid = c.create_run(e2).info.run_id
        c.log_batch(rid, metrics=[Metric("loss", 1.0 / (i + 1), now, 0), Metric("acc", i / nr, now, 0)],
                    params=[Param("lr", str([0.1, 0.01, 0.001][i % 3]))])
    f = "params.lr = '0.01' and metrics.loss < 0.5"
    c.search_runs([e2], f, max_results=1000, order_by=["metrics.acc DESC"])
    ts = []
    for _ in range(3):
        t0 = time.perf_counter(); found = len(c.search_runs([e2], f, max_results=1000, order_by=["metrics.acc DESC"])); ts.append(time.perf_counter() - t0)
    ts.sort(); res["search"] = {"runs": nr, "found": found, "medianMs": ts[1] * 1000}
    out[name] = res
print(json.dumps(out))
`;

function mlflowPeer() {
  const python = [process.env.PEER_PYTHON, ".peers/bin/python"].filter(Boolean).map((p) => resolve(p)).find((p) => existsSync(p));
  if (!python) return { skipped: "no Python with mlflow (set PEER_PYTHON or create .peers with mlflow)" };
  const r = spawnSync(python, ["-c", MLFLOW, String(SCALE)], { encoding: "utf8", cwd: base, maxBuffer: 1 << 24 });
  if (r.status !== 0) return { skipped: `mlflow peer failed: ${r.error?.message ?? r.stderr.trim().split("\n").slice(-1)[0]}` };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const want = (w) => !ONLY || ONLY.includes(w);
try {
  const A = want("A") ? await callingThread() : undefined;
  if (A) console.log(`A logMetric on the calling thread (${A.worker}): p50 ${A.p50Ns.toFixed(0)} ns, p99 ${A.p99Ns.toFixed(0)} ns (goal p50 ≤ 200 ns)`);
  const B = want("B") ? await oneRun() : undefined;
  if (B) console.log(`B 1 run × ${B.points.toLocaleString("en")} points to disk: ${(B.pointsPerSec / 1e6).toFixed(2)}M points/s (${B.ms.toFixed(0)} ms, of which logging calls ${B.callsMs.toFixed(0)} ms; the loop alone ${B.loopFloorMs.toFixed(0)} ms; goal ≥ 5M/s)`);
  const C = want("C") ? await manyRuns() : undefined;
  if (C) console.log(`C ${C.runs} runs × ${C.keys} keys × ${C.steps} steps, interleaved: ${(C.pointsPerSec / 1e6).toFixed(2)}M points/s (${C.ms.toFixed(0)} ms, of which logging calls ${C.callsMs.toFixed(0)} ms; goal ≥ 5M/s)`);
  const D = want("D") ? await history() : undefined;
  if (D) console.log(`D getMetricHistory of ${D.points.toLocaleString("en")} points: cold ${D.coldMs.toFixed(1)} ms, warm ${D.warmMedianMs.toFixed(1)} ms (goal ≤ 50 ms)`);
  const E = want("E") ? await search() : undefined;
  if (E) console.log(`E searchRuns over ${E.runs.toLocaleString("en")} runs (filter + order, ${E.found} found): ${E.medianMs.toFixed(1)} ms (goal ≤ 100 ms); reopening the root: ${E.reopenMs.toFixed(0)} ms`);
  if (!ONLY) {
    const M = mlflowPeer();
    const ratios = {};
    if (M.skipped) console.log(`MLflow peer skipped: ${M.skipped}`);
    else {
      for (const k of ["file", "sqlite"]) {
        const m = M[k];
        ratios[k] = {
          oneRunThroughput: +(B.pointsPerSec / m.oneRun.pointsPerSec).toFixed(0),
          manyRunsThroughput: +(C.pointsPerSec / m.manyRuns.pointsPerSec).toFixed(0),
          historyPointsPerMs: +((D.points / D.coldMs) / (m.history.points / m.history.ms)).toFixed(0),
          searchRunsPerMs: +((E.runs / E.medianMs) / (m.search.runs / m.search.medianMs)).toFixed(0),
        };
        console.log(`MLflow ${M.version} ${k}: log_batch 1 run ${Math.round(m.oneRun.pointsPerSec).toLocaleString("en")} pts/s, ${m.manyRuns.runs} runs ${Math.round(m.manyRuns.pointsPerSec).toLocaleString("en")} pts/s, history of ${m.history.points} pts ${m.history.ms.toFixed(0)} ms, search over ${m.search.runs} runs ${m.search.medianMs.toFixed(0)} ms`);
        console.log(`  trackbook is faster by: ${JSON.stringify(ratios[k])} (rates, ×)`);
      }
    }
    const result = {
      benchmark: "Arrow-file store", date: new Date().toISOString(), quick: QUICK,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      trackbook: { callingThread: A, oneRun: { ...B, dir: undefined }, manyRuns: C, history: D, search: E },
      goals: { callingThreadP50Ns: 200, pointsPerSec: 5e6, historyMs: 50, searchMs: 100 },
      met: { callingThread: A.p50Ns <= 200, oneRun: B.pointsPerSec >= 5e6, manyRuns: C.pointsPerSec >= 5e6, history: D.coldMs <= 50, search: E.medianMs <= 100 },
      peers: { mlflow: M }, ratios,
    };
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(`bench/results/arrow-store${QUICK ? "-quick" : ""}.json`, JSON.stringify(result, null, 2) + "\n");
    console.log(`written: bench/results/arrow-store${QUICK ? "-quick" : ""}.json`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
