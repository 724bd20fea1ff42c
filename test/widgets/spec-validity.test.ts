import { describe, expect, it } from "vitest";
import { compareSpec, confusionMatrixSpec, heatmapSpec, imageGridSpec, metricChartSpec, runTableSpec } from "../../widgets/index.js";
import { pageSpec } from "../../widgets/line-overlay.js";
import { specProblems, toSvg } from "../helpers/vega-lite.js";
import { run, series } from "./fixtures.js";

const runs = [run(1, { lr: "0.01", layers: "3", opt: "adam" }, { loss: 0.5, acc: 0.8 }), run(2, { lr: "0.1", layers: "3", opt: "sgd" }, { loss: 0.3, acc: 0.85 }), run(3, { lr: "0.001", layers: "4", opt: "adam" }, { loss: 0.7, acc: NaN })];
const ID = (n: number) => n.toString(16).padStart(32, "0");
const histories = [series(ID(1), "loss", 500, (i) => 1 / (i + 1), "run-1"), series(ID(2), "loss", 500, (i) => 2 / (i + 2), "run-2"), series(ID(1), "acc", 500, (i) => i / 500, "run-1")];

/** Every builder, with the options that change the spec's shape. */
const cases: [string, () => object][] = [
  ["a metric chart of one series", () => metricChartSpec(histories.slice(0, 1))],
  ["a smoothed metric chart of one series", () => metricChartSpec(histories.slice(0, 1), { smoothing: 0.5 })],
  ["a metric chart of one key", () => metricChartSpec(histories.slice(0, 2))],
  ["a metric chart of two keys (one panel each)", () => metricChartSpec(histories)],
  ["a smoothed metric chart on a log axis", () => metricChartSpec(histories.slice(0, 2), { smoothing: 0.8, yScale: "log" })],
  ["a metric chart over wall time", () => metricChartSpec(histories.slice(0, 2), { x: "time" })],
  ["a metric chart over relative time, zoomed", () => metricChartSpec(histories.slice(0, 2), { x: "relative", xDomain: [0, 10] })],
  ["a metric chart against another metric", () => metricChartSpec(histories, { x: { metric: "acc" } })],
  ["an empty metric chart", () => metricChartSpec([])],
  ["the page's variant of a metric chart of one series (lines drawn over it)", () => pageSpec(metricChartSpec(histories.slice(0, 1)))!.spec],
  ["the page's variant of a metric chart of one key, on a log axis", () => pageSpec(metricChartSpec(histories.slice(0, 2), { yScale: "log" }))!.spec],
  ["a run table", () => runTableSpec(runs)],
  ["a filtered, ordered run table with chosen columns", () => runTableSpec(runs, { filter: "metrics.loss < 0.6", orderBy: ["metrics.loss"], columns: ["attributes.run_name", "params.lr", "metrics.loss"] })],
  ["an empty run table", () => runTableSpec([])],
  ["a compare view with curves", () => compareSpec(runs, { metric: "loss", histories })],
  ["a compare view without histories", () => compareSpec(runs)],
  ["a compare view of one run", () => compareSpec(runs.slice(0, 1))],
  ["a heatmap", () => heatmapSpec([[1.5, 2], [3, 4.25]], { rowLabels: ["a", "b"], columnLabels: ["x", "y"] })],
  ["a confusion matrix", () => confusionMatrixSpec([[50, 2, 0], [3, 45, 1], [0, 4, 40]], ["cat", "dog", "bird"])],
  ["an image grid", () => imageGridSpec([{ src: "data:image/png;base64,iVBORw0KGgo=", label: "7" }, { src: "data:image/png;base64,iVBORw0KGgo=", label: "1" }], { columns: 2 })],
];

describe("every widget spec", () => {
  for (const [name, build] of cases) {
    it(`${name} validates against the Vega-Lite v5 schema and compiles with no warnings`, () => {
      const spec = build();
      expect(specProblems(spec)).toEqual([]);
      expect((spec as { $schema: string }).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
      // Plain data: what JSON carries is the whole spec.
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    });
  }

  it("the checker itself reports a bad spec (so the cases above can fail)", () => {
    expect(specProblems({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", mark: "lines", data: { values: [] } }).length).toBeGreaterThan(0);
    expect(specProblems({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", mark: "line", data: { values: [] }, encoding: { x: { field: "a", type: "quantitative" }, size: { field: "b", type: "nominal" } } }).some((p) => p.startsWith("warn"))).toBe(true);
  });

  it("renders a chart, a table and a compare view to SVG in Node", async () => {
    for (const spec of [metricChartSpec(histories), runTableSpec(runs), compareSpec(runs, { metric: "loss", histories })]) {
      const svg = await toSvg(spec);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toMatch(/<path|<text/);
    }
  });
});
