// Benchmarks of the IndexedDB store in real Chromium, each against the naive design measured in
// the same page and run (bench/idb/naive.ts: one record per point, one transaction per call;
// run tables from per-value records).
//
//   node bench/idb.bench.mjs [--quick] [--only=ingest,history]        (npm run bench:idb)
//
// Serves bench/idb/bench.html from the sources with vite (cross-origin isolated, so
// performance.now() has 5 µs resolution instead of 100 µs), opens it in Debian's Chromium
// through bench/chromium-page.mjs, one benchmark per fresh browser context, and collects the results.
// Figures:
//   callingThread  T1: amortized p50 of run.logMetric on the page (store in a Web Worker); goal ≤ 200 ns
//   ingest         T1: points/s from the first logMetric to flush() resolved (committed); goal ≥ 1M/s
//   runTable       T2: new connection → first 50 rows of a 10k-run table as it opens (newest first);
//                  goal ≤ 300 ms. Also reported: the same sorted by a metric (every run read).
//   history        getMetricHistory of 1M points on a new connection; goal ≤ 200 ms
// Results: printed, and written to bench/results/idb.json (idb-quick.json with --quick).
import { writeFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { ROOT, runPages } from "./chromium-page.mjs";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const names = only ? only.split(",") : ["callingThread", "ingest", "runTable", "history"];
const { result, loadBefore, loadAfter } = await runPages({ page: "bench/idb/bench.html", names, scale: quick ? 0.1 : 1, include: ["comlink", "idb"] });

result.machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model.trim(),
  node: process.version,
  chromium: (result.browser.userAgent.match(/Chrome\/([\d.]+)/) ?? [])[1],
  // Other work on the machine skews every figure; the 1-minute load average says how much.
  loadAverage: { before: loadBefore, after: loadAfter },
};
result.quick = quick;
// A partial run (--only) is for investigating; only whole runs are recorded.
const out = only ? undefined : resolve(ROOT, `bench/results/idb${quick ? "-quick" : ""}.json`);
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
}

const f = (x, d = 1) => x.toLocaleString("en-US", { maximumFractionDigits: d });
const { callingThread: c, ingest: i, runTable: t, history: h } = result;
const rows = [
  c && ["logMetric, calling thread (p50)", `${f(c.trackbook.p50Ns)} ns`, `${f(c.naive.p50Ns)} ns`, c.ratio, `≤ ${c.goalNs} ns`, c.met],
  i && ["ingest into IndexedDB", `${f(i.trackbook.pointsPerSec, 0)} pts/s`, `${f(i.naive.pointsPerSec, 0)} pts/s`, i.ratio, `≥ ${f(i.goalPointsPerSec, 0)} pts/s`, i.met],
  t && [`run table opens, first 50 of ${f(t.trackbook.runs, 0)}`, `${f(t.trackbook.open.medianMs)} ms`, `${f(t.naive.open.medianMs)} ms @${f(t.naive.runs, 0)} (trackbook ${f(t.trackbookSameScale.open.medianMs)} ms)`, t.ratio, `≤ ${t.goalMs} ms`, t.met],
  t && [`  …sorted by a metric`, `${f(t.trackbook.sortedByMetric.medianMs)} ms`, `${f(t.naive.sortedByMetric.medianMs)} ms @${f(t.naive.runs, 0)} (trackbook ${f(t.trackbookSameScale.sortedByMetric.medianMs)} ms)`, t.ratioSortedByMetric, "(no goal)", true],
  h && [`getMetricHistory, ${f(h.trackbook.points, 0)} pts`, `${f(h.trackbook.medianMs)} ms (via worker ${f(h.trackbook.viaWorkerMedianMs)} ms)`, `${f(h.naive.medianMs)} ms @${f(h.naive.points, 0)} (trackbook ${f(h.trackbookSameScale.medianMs)} ms)`, h.ratio, `≤ ${h.goalMs} ms`, h.met],
].filter(Boolean);
console.log(`\nIndexedDB store, Chromium ${result.machine.chromium}, ${result.machine.cpus} CPUs, load ${f(loadBefore, 2)} → ${f(result.machine.loadAverage.after, 2)}${quick ? " (quick: 1/10 scale)" : ""}`);
for (const [what, tb, nv, ratio, goal, met] of rows) {
  console.log(`  ${what.padEnd(40)} trackbook ${tb.padEnd(36)} naive ${nv.padEnd(48)} ${f(ratio)}× better   goal ${goal}${goal.startsWith("(") ? "" : met ? " met" : " NOT met"}`);
}
if (out) console.log(`written to ${out}`);
