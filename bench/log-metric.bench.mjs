// Benchmark T1: cost of `run.logMetric` on the calling thread, against peers measured in the same run.
//
//   npm run bench            (builds first; PEER_PYTHON=/path/to/python with mlflow to include MLflow)
//
// Method: 1M calls in blocks of 1,000; each block is timed with hrtime and divided by 1,000, so
// p50/p99 are of the amortized per-call cost (timing single calls would measure the timer, ~40 ns).
// Peers in the same process and run:
//   - floor: the cheapest possible enqueue, `arr.push({key, value, step, timestamp: Date.now()})`;
//   - MLflow (when PEER_PYTHON or .peers/bin/python can import mlflow): `MlflowClient.log_metric`
//     per call to a SQLite store (MLflow's default backend) and to the file store, and the fluent
//     `log_metric(..., synchronous=False)` async path, timed in Python with perf_counter_ns.
// Results: printed, and written to bench/results/log-metric.json. Goal T1: ≤ 200 ns amortized p50.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openTracker } from "../dist/src/index.js";

const CALLS = 1_000_000;
const BLOCK = 1_000;
const GOAL_NS = 200;

function stats(perCall) {
  const s = Float64Array.from(perCall).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p99: q(0.99), mean: perCall.reduce((a, b) => a + b, 0) / perCall.length };
}

function timeBlocks(fn) {
  const perCall = [];
  for (let b = 0; b < CALLS / BLOCK; b++) {
    const t0 = process.hrtime.bigint();
    fn(b * BLOCK, BLOCK);
    perCall.push(Number(process.hrtime.bigint() - t0) / BLOCK);
  }
  return perCall;
}

async function trackbook() {
  const tb = await openTracker("memory:");
  const run = await tb.startRun({ runName: "bench" });
  // Warm-up so the JIT has compiled the path before timing (both sides get the same treatment).
  for (let i = 0; i < 200_000; i++) run.logMetric("warmup", i, i);
  await run.flush();
  const t0 = process.hrtime.bigint();
  const perCall = timeBlocks((start, n) => {
    for (let i = start; i < start + n; i++) run.logMetric("loss", 1 / (i + 1), i);
  });
  const loopNs = Number(process.hrtime.bigint() - t0);
  const f0 = process.hrtime.bigint();
  await run.flush();
  const flushNs = Number(process.hrtime.bigint() - f0);
  const h = await tb.getMetricHistory(run.runId, "loss");
  if (h.values.length !== CALLS) throw new Error(`stored ${h.values.length} of ${CALLS} points`);
  await tb.close();
  return { ...stats(perCall), totalPerCall: loopNs / CALLS, drainAfterLoopMs: flushNs / 1e6, pointsStored: h.values.length };
}

function floor() {
  let arr = [];
  for (let i = 0; i < 200_000; i++) arr.push({ key: "warmup", value: i, step: i, timestamp: Date.now() });
  arr = [];
  const perCall = timeBlocks((start, n) => {
    for (let i = start; i < start + n; i++) arr.push({ key: "loss", value: 1 / (i + 1), step: i, timestamp: Date.now() });
  });
  if (arr.length !== CALLS) throw new Error("floor lost points");
  return stats(perCall);
}

const MLFLOW_PEER = String.raw`
import json, os, sys, time, tempfile, logging, warnings
warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
import mlflow
from mlflow import MlflowClient
n = int(sys.argv[1]); d = tempfile.mkdtemp()
def per_call(fn):
    t = []
    for i in range(n):
        t0 = time.perf_counter_ns(); fn(i); t.append(time.perf_counter_ns() - t0)
    t.sort(); return {"p50": t[len(t)//2], "p99": t[int(len(t)*0.99)], "mean": sum(t)/len(t), "calls": n}
out = {"version": mlflow.__version__}
for name, uri in [("sqlite", "sqlite:///" + os.path.join(d, "mlflow.db")), ("file", "file://" + os.path.join(d, "mlruns"))]:
    c = MlflowClient(uri); e = c.create_experiment("bench"); r = c.create_run(e).info.run_id
    c.log_metric(r, "warm", 0.0, step=0)
    out[name] = per_call(lambda i: c.log_metric(r, "loss", 1.0 / (i + 1), step=i))
mlflow.set_tracking_uri("sqlite:///" + os.path.join(d, "async.db"))
with mlflow.start_run():
    out["sqlite_async"] = per_call(lambda i: mlflow.log_metric("loss", 1.0 / (i + 1), step=i, synchronous=False))
    t0 = time.perf_counter_ns(); mlflow.flush_async_logging(); out["sqlite_async"]["drain_ms"] = (time.perf_counter_ns() - t0) / 1e6
print(json.dumps(out))
`;

function mlflowPeer() {
  const candidates = [process.env.PEER_PYTHON, ".peers/bin/python"].filter(Boolean);
  const python = candidates.map((p) => resolve(p)).find((p) => existsSync(p));
  if (!python) return { skipped: "no Python with mlflow (set PEER_PYTHON or create .peers with mlflow)" };
  const dir = mkdtempSync(join(tmpdir(), "tb-bench-"));
  try {
    const r = spawnSync(python, ["-c", MLFLOW_PEER, "2000"], { encoding: "utf8", cwd: dir, maxBuffer: 1 << 24 });
    if (r.status !== 0) return { skipped: `mlflow peer failed: ${r.error?.message ?? r.stderr.trim().split("\n").slice(-1)[0]}` };
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tbResult = await trackbook();
const floorResult = floor();
const mlflow = mlflowPeer();
const ratio = (peer) => (peer?.p50 ? +(peer.p50 / tbResult.p50).toFixed(1) : null);
const result = {
  benchmark: "logMetric on the calling thread (T1)",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
  calls: CALLS,
  goalNs: GOAL_NS,
  trackbook: tbResult,
  peers: { floorObjectPush: floorResult, mlflow },
  ratios: {
    trackbookOverFloorP50: +(tbResult.p50 / floorResult.p50).toFixed(2),
    mlflowSqliteOverTrackbookP50: ratio(mlflow.sqlite),
    mlflowFileOverTrackbookP50: ratio(mlflow.file),
    mlflowAsyncOverTrackbookP50: ratio(mlflow.sqlite_async),
  },
  meetsGoal: tbResult.p50 <= GOAL_NS,
};

const ns = (v) => `${v.toFixed(0)} ns`;
console.log(`logMetric, ${CALLS.toLocaleString("en")} calls (amortized per call over blocks of ${BLOCK})`);
console.log(`  trackbook      p50 ${ns(tbResult.p50)}  p99 ${ns(tbResult.p99)}  mean ${ns(tbResult.mean)}  (goal ≤ ${GOAL_NS} ns: ${result.meetsGoal ? "met" : "NOT met"})`);
console.log(`  floor (push)   p50 ${ns(floorResult.p50)}  p99 ${ns(floorResult.p99)}  → trackbook/floor ${result.ratios.trackbookOverFloorP50}×`);
if (mlflow.skipped) console.log(`  mlflow         skipped: ${mlflow.skipped}`);
else {
  for (const k of ["sqlite", "file", "sqlite_async"]) {
    console.log(`  mlflow ${mlflow.version} ${k.padEnd(12)} p50 ${ns(mlflow[k].p50)}  p99 ${ns(mlflow[k].p99)}  → ${ratio(mlflow[k])}× trackbook`);
  }
}
console.log(`  drain after loop: ${tbResult.drainAfterLoopMs.toFixed(1)} ms for ${CALLS.toLocaleString("en")} points into memory:`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/log-metric.json", JSON.stringify(result, null, 2) + "\n");
console.log("written: bench/results/log-metric.json");
