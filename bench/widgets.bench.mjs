// Benchmarks of the widgets in real Chromium (T3 charts, T2's run table), each beside handing
// the same data to vega without downsampling, in the same page and run.
//
//   node bench/widgets.bench.mjs [--quick] [--only=chart1M,table10k]        (npm run bench:widgets)
//
// Figures:
//   chart1M     new IndexedDB connection → the 1M-point history's min/max cut, read from the
//               store's chunk summaries (showStoredMetricChart) → painted chart; goal ≤ 250 ms.
//               Zoom into a 1%/10% window: its cut read from the chunks of that range, painted;
//               goal ≤ 50 ms. Peer: the 1M rows handed to vega on the page.
//   chart10x1M  the same with 10 runs × 1M points in one chart; goal ≤ 600 ms. Peer: vega's
//               dataflow on the 10M rows in a worker, stopped at 20 s.
//   table10k    10,000 runs → virtualized table painted; goal ≤ 300 ms. Peer: every row as
//               vega text marks.
// Results: printed, and written to bench/results/widgets.json (widgets-quick.json with --quick).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { ROOT, runPages } from "./chromium-page.mjs";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const names = only ? only.split(",") : ["chart1M", "chart10x1M", "table10k"];
const { result, loadBefore, loadAfter } = await runPages({
  page: "bench/widgets/bench.html",
  names,
  scale: quick ? 0.1 : 1,
  include: ["comlink", "idb", "vega", "vega-lite", "vega-embed"],
  viewport: { width: 1280, height: 900 },
});
result.machine = { cpus: cpus().length, cpu: cpus()[0]?.model.trim(), node: process.version, chromium: (result.browser.userAgent.match(/Chrome\/([\d.]+)/) ?? [])[1], loadAverage: { before: loadBefore, after: loadAfter } };
result.quick = quick;
const out = only ? undefined : resolve(ROOT, `bench/results/widgets${quick ? "-quick" : ""}.json`);
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
}

const f = (x, d = 1) => x.toLocaleString("en-US", { maximumFractionDigits: d });
const over = (r) => (r.overLimit ? `> ${f(r.limitMs ?? 20000, 0)} ms (stopped)` : `${f(r.ms ?? r.coldMs)} ms`);
const { chart1M: a, chart10x1M: b, table10k: t } = result;
const rows = [
  a && [`chart, ${f(a.points, 0)} pts, cold`, `${f(a.trackbook.cold.medianMs)} ms`, `${f(a.vegaRaw.coldMs)} ms`, a.ratio, "≤ 250 ms", a.met.cold],
  a && [`  zoom re-render`, `${f(a.trackbook.zoom.medianMs)} ms`, `${f(a.vegaRaw.zoom.medianMs)} ms`, a.ratioZoom, "≤ 50 ms", a.met.zoom],
  b && [`chart, ${b.runs} runs × ${f(b.pointsPerRun, 0)} pts`, `${f(b.trackbook.medianMs)} ms`, over(b.vegaRaw), b.ratio, "≤ 600 ms", b.met],
  t && [`run table, ${f(t.runs, 0)} rows, first paint`, `${f(t.trackbook.firstPaint.medianMs)} ms`, over(t.vegaRaw), t.ratio, "≤ 300 ms", t.met],
].filter(Boolean);
console.log(`\nWidgets, Chromium ${result.machine.chromium}, ${result.machine.cpus} CPUs, load ${f(loadBefore, 2)} → ${f(loadAfter, 2)}${quick ? " (quick: 1/10 scale)" : ""}`);
for (const [what, tb, raw, ratio, goal, met] of rows) {
  console.log(`  ${what.padEnd(34)} trackbook ${tb.padEnd(12)} vega, no downsampling ${raw.padEnd(26)} ${f(ratio)}×${b && ratio === b.ratio && b.ratioIsLowerBound ? "+" : ""}   goal ${goal} ${met ? "met" : "NOT met"}`);
}
if (out) console.log(`written to ${out}`);
