// Regenerates the widget pictures in the README (docs/images/*.svg) from runs logged for real:
// the `trackbook demo` sweep (6 runs × 200 steps, in a memory store), then the metric chart, the
// run table and the compare view built from what the store returns, rendered to SVG by vega.
//
//   npm run docs:images        (builds first)
import { mkdirSync, writeFileSync } from "node:fs";
import { openTracker } from "../dist/src/index.js";
import { compareSpec, metricChartSpec, runTableSpec, toSVG } from "../dist/widgets/index.js";

const tb = await openTracker("memory:");
// The same sweep as `trackbook demo` (src/cli/demo.ts), with one spike planted in one run.
const exp = await tb.setExperiment("demo-sweep");
const lossAt = (lr, layers, step) => (2 * Math.exp(-lr * step * (layers / 3)) + 0.2 / layers) * (1 + 0.05 * Math.sin(step * 12.9898 + lr * 78.233));
for (const lr of [0.01, 0.03, 0.1]) {
  for (const layers of [2, 4]) {
    const run = await tb.startRun({ runName: `lr=${lr} layers=${layers}` });
    run.logParams({ lr, layers, optimizer: "sgd" });
    for (let step = 0; step < 200; step++) {
      const loss = lossAt(lr, layers, step) + (step === 120 && lr === 0.1 && layers === 4 ? 0.6 : 0);
      run.logMetrics({ loss, accuracy: 1 - loss / 2.5 }, step);
    }
    await run.end();
  }
}
const { runs } = await tb.searchRuns({ experimentIds: [exp.experimentId], orderBy: ["metrics.loss ASC"] });
const histories = [];
for (const r of runs) for (const key of ["loss", "accuracy"]) histories.push({ runId: r.info.runId, runName: r.info.runName, ...(await tb.getMetricHistory(r.info.runId, key)) });
await tb.close();

mkdirSync("docs/images", { recursive: true });
const out = {
  "metric-chart": metricChartSpec(histories.filter((h) => h.key === "loss"), { width: 560, height: 260, smoothing: 0.6, yScale: "log", title: "loss (EMA 0.6 over the raw series)" }),
  "run-table": runTableSpec(runs, { columns: ["attributes.run_name", "attributes.status", "params.lr", "params.layers", "metrics.loss", "metrics.accuracy"] }),
  compare: compareSpec(runs.slice(0, 4), { metric: "loss", param: "lr", histories: histories.filter((h) => h.key === "loss"), width: 480 }),
};
for (const [name, spec] of Object.entries(out)) {
  // A white background: the SVGs are shown on GitHub's dark theme too.
  const svg = await toSVG({ ...spec, background: "white" });
  writeFileSync(`docs/images/${name}.svg`, svg);
  console.log(`docs/images/${name}.svg (${svg.length.toLocaleString("en-US")} bytes)`);
}
