/**
 * The "no downsampling" peer for series too large to hand to vega on the page: builds every
 * point as a row and runs vega's dataflow (renderer "none": no paint, which favours vega) in this
 * worker, so the page can stop it at the time limit by terminating the worker.
 */
import * as vega from "vega";
import * as vl from "vega-lite";

type Job = { series: { runId: string; steps: Float64Array; values: Float64Array }[]; width: number };

self.onmessage = async (e: MessageEvent<Job>) => {
  const t0 = performance.now();
  const values: { run: string; x: number; y: number }[] = [];
  for (const s of e.data.series) for (let i = 0; i < s.steps.length; i++) values.push({ run: s.runId.slice(0, 8), x: s.steps[i]!, y: s.values[i]! });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: e.data.width,
    height: 300,
    data: { values },
    mark: "line",
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: { field: "run", type: "nominal" } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as vl.TopLevelSpec).spec), { renderer: "none" });
  await view.runAsync();
  postMessage({ ms: performance.now() - t0 });
};
