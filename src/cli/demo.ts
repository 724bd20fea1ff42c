/**
 * `trackbook demo`: logs a small learning-rate sweep and prints the run table, so a newcomer
 * sees the whole loop (experiment, runs, params, step metrics, search) in one command.
 *
 * @module
 */
import { openTracker, type Tracker } from "../index.js";
import { runTable } from "./table.js";

/** Simulated training: loss decays at a rate set by lr towards a floor set by depth, ±5% noise. */
function lossAt(lr: number, layers: number, step: number): number {
  const noise = 1 + 0.05 * Math.sin(step * 12.9898 + lr * 78.233);
  return (2 * Math.exp(-lr * step * (layers / 3)) + 0.2 / layers) * noise;
}

/** Runs the demo against `uri` and returns the printed table. */
export async function demo(uri: string, print: (s: string) => void = console.log): Promise<string> {
  const tb: Tracker = await openTracker(uri);
  try {
    const exp = await tb.setExperiment("demo-sweep");
    print(`trackbook demo: logging 6 runs into ${uri} (experiment '${exp.name}', id ${exp.experimentId})`);
    const parent = await tb.startRun({ runName: "sweep", tags: { purpose: "demo" } });
    for (const lr of [0.01, 0.03, 0.1]) {
      for (const layers of [2, 4]) {
        const run = await tb.startRun({ runName: `lr=${lr} layers=${layers}`, nested: true });
        run.logParams({ lr, layers, optimizer: "sgd" });
        for (let step = 0; step < 200; step++) {
          const loss = lossAt(lr, layers, step);
          run.logMetrics({ loss, accuracy: 1 - loss / 2.5 }, step);
        }
        await run.end();
      }
    }
    await parent.end();
    const page = await tb.searchRuns({
      experimentIds: [exp.experimentId],
      filter: "params.optimizer = 'sgd'",
      orderBy: ["metrics.loss ASC"],
    });
    const table = runTable(page.runs);
    print(`\nRuns with params.optimizer = 'sgd', best loss first:\n`);
    print(table);
    return table;
  } finally {
    await tb.close();
  }
}
