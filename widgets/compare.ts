/**
 * `compareSpec`: selected runs side by side, as one Vega-Lite v5 spec of up to four panels:
 *
 * 1. a table of params and latest metrics, one column per run, where rows whose values differ
 *    between runs are drawn bold and coloured (the rows a reader is looking for);
 * 2. the chosen metric's curves overlaid (when histories are given; {@link metricChartSpec});
 * 3. parallel coordinates over the params that differ and the chosen metric: each axis scaled to
 *    [0, 1] over the selected runs; numeric axes by value, others by category in sorted order;
 * 4. a scatter of one param against the metric ("how does this hyperparameter affect the metric").
 *
 * Colours are the runs' own ({@link runColor}), as in every other chart.
 *
 * @module
 */
import type { Run } from "../src/entities.js";
import { runColorScale } from "./colors.js";
import { formatCell } from "./run-table.js";
import { metricChartSpec, runLabels, type ChartSeries } from "./metric-chart.js";
import { VEGA_LITE_V5, type VegaLiteSpec } from "./spec.js";

/** Options of {@link compareSpec}. */
export type CompareOptions = {
  /** The metric the curves, the parallel coordinates and the scatter use (default: the first metric the runs share). */
  metric?: string;
  /** The param on the scatter's x axis (default: the first param whose values differ). */
  param?: string;
  /** Width of each panel in pixels (default 500). */
  width?: number;
  /** Histories of `metric` for the curves panel (e.g. from `getMetricHistory`); the panel is left out without them. */
  histories?: readonly ChartSeries[];
  /** EMA weight for the curves (default 0). */
  smoothing?: number;
};

/** One row of the comparison table. */
export type CompareRow = { field: string; values: (string | null)[]; differs: boolean };

/**
 * The params and latest metrics of `runs` as rows, each marked when its values differ.
 *
 * @example
 * ```ts
 * compareRows(runs).filter((r) => r.differs).map((r) => r.field); // ["params.lr", "metrics.loss"]
 * ```
 */
export function compareRows(runs: readonly Run[]): CompareRow[] {
  const fields = new Set<string>();
  for (const r of runs) {
    for (const k in r.data.params) fields.add(`params.${k}`);
    for (const k in r.data.metrics) fields.add(`metrics.${k}`);
  }
  const ordered = [...fields].sort((a, b) => (a.startsWith("params.") === b.startsWith("params.") ? (a < b ? -1 : 1) : a.startsWith("params.") ? -1 : 1));
  return ordered.map((field) => {
    const values = runs.map((r) => cellText(r, field));
    return { field, values, differs: new Set(values).size > 1 };
  });
}

function cellText(r: Run, field: string): string | null {
  const key = field.slice(field.indexOf(".") + 1);
  if (field.startsWith("params.")) return r.data.params[key] ?? null;
  const v = r.data.metrics[key];
  return v === undefined ? null : formatCell(v, { field, title: key, kind: "metric" });
}

/**
 * A Vega-Lite v5 spec comparing `runs` (two or more are the useful case; one works).
 *
 * @example
 * ```ts
 * const runs = (await tb.searchRuns({ experimentIds: [id], filter: "tags.sweep = 'lr'" })).runs;
 * const histories = await Promise.all(runs.map(async (r) => ({ runId: r.info.runId, runName: r.info.runName, ...(await tb.getMetricHistory(r.info.runId, "loss")) })));
 * const spec = compareSpec(runs, { metric: "loss", histories });
 * ```
 */
export function compareSpec(runs: readonly Run[], options: CompareOptions = {}): VegaLiteSpec {
  const width = options.width ?? 500;
  const rows = compareRows(runs);
  const byId = runLabels(runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName })));
  const labels = runs.map((r) => byId.get(r.info.runId)!);
  const color = runColorScale(runs.map((r, i) => ({ label: labels[i]!, runId: r.info.runId })));
  const metric = options.metric ?? sharedMetric(runs);
  const param = options.param ?? rows.find((r) => r.differs && r.field.startsWith("params."))?.field.slice(7) ?? firstParam(runs);
  const panels: object[] = [tablePanel(rows, labels, width)];
  if (metric !== undefined && options.histories && options.histories.length > 0) {
    const chart = metricChartSpec(options.histories.filter((h) => h.key === metric), { width, height: 220, smoothing: options.smoothing ?? 0, title: `${metric} over steps`, colorScale: color });
    const { $schema: _s, usermeta: _u, ...rest } = chart;
    panels.push(rest);
  }
  if (metric !== undefined) {
    const axes = [...rows.filter((r) => r.differs && r.field.startsWith("params.")).map((r) => r.field), `metrics.${metric}`];
    panels.push(parallelPanel(runs, labels, axes, color, width));
    if (param !== undefined) panels.push(scatterPanel(runs, labels, param, metric, color, width));
  }
  return {
    $schema: VEGA_LITE_V5,
    vconcat: panels,
    resolve: { scale: { color: "shared" } },
    usermeta: { trackbook: { widget: "compare", runs: runs.map((r) => r.info.runId), metric: metric ?? null, param: param ?? null, differing: rows.filter((r) => r.differs).map((r) => r.field) } },
  };
}

function tablePanel(rows: CompareRow[], labels: string[], width: number): object {
  // Every column has the band's width, so the band is wide enough for the longest field name
  // ("metrics.val_accuracy"), even if the table outgrows `width`: 0.8 × the 11 px font size per
  // character, which is what vega assumes where no canvas measures text (static SVG in Node).
  const longest = Math.max(0, ...rows.map((r) => r.field.length));
  const band = Math.max(width / (labels.length + 1), Math.ceil(longest * 0.8 * 11) + 16);
  const text = { type: "text", align: "left", dx: -band / 2 + 4, limit: band - 8 };
  const cells = rows.flatMap((r) => [
    { field: r.field, col: "field", text: r.field, differs: r.differs },
    ...r.values.map((v, i) => ({ field: r.field, col: labels[i]!, text: v ?? "—", differs: r.differs })),
  ]);
  return {
    title: { text: "params and latest metrics (differences in bold)", anchor: "start", fontSize: 12 },
    width: band * (labels.length + 1),
    height: 18 * Math.max(1, rows.length),
    data: { values: cells },
    encoding: {
      x: { field: "col", type: "ordinal", sort: ["field", ...labels], axis: { orient: "top", title: null, labelAngle: 0, labelAlign: "left", labelOffset: -band / 2 + 4, labelLimit: band - 8, labelFontWeight: "bold", domain: false, ticks: false } },
      y: { field: "field", type: "ordinal", sort: rows.map((r) => r.field), axis: null },
      text: { field: "text", type: "nominal" },
    },
    // Font weight is not an encoding channel: differing rows are their own, bold, layer.
    layer: [
      { transform: [{ filter: "datum.differs" }], mark: { ...text, fontWeight: "bold", color: "#c0392b" } },
      { transform: [{ filter: "!datum.differs" }], mark: { ...text, color: "#555" } },
    ],
  };
}

/** Each axis of each run, scaled to [0, 1] over the runs that have it. */
function parallelPanel(runs: readonly Run[], labels: string[], axes: string[], color: object, width: number): object {
  const points: { run: string; axis: string; position: number; value: string }[] = [];
  for (const axis of axes) {
    const raw = runs.map((r) => cellValue(r, axis));
    const nums = raw.map((v) => (v === null ? NaN : Number(v)));
    const numeric = raw.every((v, i) => v === null || Number.isFinite(nums[i]!));
    const cats = [...new Set(raw.filter((v): v is string => v !== null))].sort();
    const finite = nums.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    raw.forEach((v, i) => {
      if (v === null) return;
      const position = numeric ? (hi > lo ? (nums[i]! - lo) / (hi - lo) : 0.5) : cats.length > 1 ? cats.indexOf(v) / (cats.length - 1) : 0.5;
      points.push({ run: labels[i]!, axis, position, value: v });
    });
  }
  return {
    title: { text: "parallel coordinates (each axis scaled to the selected runs)", anchor: "start", fontSize: 12 },
    width,
    height: 200,
    data: { values: points },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "axis", type: "ordinal", sort: axes, title: null, axis: { labelAngle: 0 } },
      y: { field: "position", type: "quantitative", axis: null, scale: { domain: [0, 1] } },
      color: { field: "run", type: "nominal", scale: color, title: "run" },
      detail: { field: "run" },
      tooltip: [{ field: "run" }, { field: "axis" }, { field: "value" }],
    },
  };
}

function scatterPanel(runs: readonly Run[], labels: string[], param: string, metric: string, color: object, width: number): object {
  const pts = runs.flatMap((r, i) => {
    const p = r.data.params[param];
    const m = r.data.metrics[metric];
    return p === undefined || m === undefined || !Number.isFinite(m) ? [] : [{ run: labels[i]!, param: p, paramNumber: Number(p), metric: m }];
  });
  const numeric = pts.length > 0 && pts.every((p) => p.param.trim() !== "" && Number.isFinite(p.paramNumber));
  return {
    title: { text: `${metric} against ${param}`, anchor: "start", fontSize: 12 },
    width,
    height: 220,
    data: { values: pts },
    mark: { type: "point", filled: true, size: 80 },
    encoding: {
      x: numeric ? { field: "paramNumber", type: "quantitative", title: `params.${param}`, scale: { zero: false, padding: 12 } } : { field: "param", type: "nominal", title: `params.${param}` },
      y: { field: "metric", type: "quantitative", title: `metrics.${metric}`, scale: { zero: false, padding: 12 } },
      color: { field: "run", type: "nominal", scale: color, title: "run" },
      tooltip: [{ field: "run" }, { field: "param", title: param }, { field: "metric", title: metric }],
    },
  };
}

function cellValue(r: Run, field: string): string | null {
  const key = field.slice(field.indexOf(".") + 1);
  if (field.startsWith("params.")) return r.data.params[key] ?? null;
  const v = r.data.metrics[key];
  // NaN and ±Inf have no place on a scaled axis.
  return v === undefined || !Number.isFinite(v) ? null : String(v);
}

function sharedMetric(runs: readonly Run[]): string | undefined {
  const first = runs[0];
  if (!first) return undefined;
  const keys = Object.keys(first.data.metrics).sort();
  return keys.find((k) => runs.every((r) => k in r.data.metrics)) ?? keys[0];
}

function firstParam(runs: readonly Run[]): string | undefined {
  return runs.flatMap((r) => Object.keys(r.data.params)).sort()[0];
}
