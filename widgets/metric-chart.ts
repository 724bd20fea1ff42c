/**
 * `metricChartSpec`: metric histories of one or more runs as a Vega-Lite v5 line chart.
 *
 * Encoding choices:
 * - x: the step (default), wall time (temporal axis), time since the run's first point
 *   (seconds), or the value another logged metric had at the same step (`{ metric: "epoch" }`);
 * - y: the value, linear or log (a log axis leaves out values ≤ 0 and says how many);
 * - colour: the run, from its id ({@link runColor}), so a run has one colour in every chart;
 * - several metric keys: one panel per key (facet rows), each with its own y scale;
 * - smoothing: the EMA drawn solid with the raw series faint behind it;
 * - every series is cut to its point budget with min/max buckets ({@link downsample}), so a 1M-point
 *   history becomes ~2,400 rows while every spike stays visible. `xDomain` re-cuts only the
 *   visible range: zooming into 1% of a 1M-point series shows its raw points.
 * - The data is one named inline dataset, `points`, so a live chart can stream rows into it.
 * - `usermeta.trackbook` records, per series, how many points it had and how many are drawn.
 *
 * @module
 */
import { PALETTE, runColorScale } from "./colors.js";
import { downsample } from "./downsample.js";
import { ema } from "./smoothing.js";
import { VEGA_LITE_V5, type VegaLiteSpec } from "./spec.js";

/** Points vega draws in about 50 ms: below this, series are drawn raw (see `rawLimit`). */
const RAW_POINTS = 10_000;

/** One metric history of one run, as `getMetricHistory` returns it plus the run's identity. */
export type ChartSeries = {
  runId: string;
  /** Shown in the legend; the id's first 8 characters when absent. */
  runName?: string;
  key: string;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  timestamps: ArrayLike<number>;
  /**
   * How many points the history has, when `steps`/`values` are already a cut of it (a store's
   * summary, {@link loadChartSeries}): what the chart's accounting reports. Default: all given.
   */
  points?: number;
};

/** What the x axis shows. */
export type ChartX = "step" | "time" | "relative" | { metric: string };

/** Options of {@link metricChartSpec}. */
export type MetricChartOptions = {
  /** Plot width in pixels (default 600). */
  width?: number;
  /** Plot height in pixels, per panel (default 300). */
  height?: number;
  x?: ChartX;
  yScale?: "linear" | "log";
  /** EMA weight in [0, 1); 0 (default) draws the raw series only. */
  smoothing?: number;
  /**
   * Points per series when a series is cut: default 4 × width (first, last, min and max per pixel
   * column — the line covers the same pixels as the full series).
   */
  budget?: number;
  /**
   * A series (or its zoomed range) with at most this many points is drawn raw, every point
   * there. Default: a share of 10,000 points over all series (vega draws 10k points in ~50 ms,
   * perf-anchors §1e), so a one-series chart zoomed into 1% of 1M points shows them all.
   */
  rawLimit?: number;
  /** The visible x range (a zoom): only points there are drawn, re-downsampled to the budget. */
  xDomain?: readonly [number, number];
  /** Metric keys to draw, in panel order (default: every key of `series` except an x metric). */
  keys?: readonly string[];
  title?: string;
  /** Run label → colour, for a chart that is part of a larger view sharing one colour scale. */
  colorScale?: { domain: string[]; range: string[] };
};

/**
 * Per-series accounting kept in the spec's `usermeta.trackbook.series`: the history's points, how
 * many are drawn, and how many of those at hand cannot be (NaN, ±Inf, ≤ 0 on a log axis; for a
 * series given as a cut, only the cut's points are looked at).
 */
export type SeriesAccount = { runId: string; run: string; key: string; points: number; drawn: number; leftOut: number };

/**
 * A Vega-Lite v5 spec charting `series`.
 *
 * @example
 * ```ts
 * const h = await tb.getMetricHistory(run.info.runId, "loss");
 * const spec = metricChartSpec([{ runId: run.info.runId, runName: "baseline", ...h }], { smoothing: 0.6 });
 * ```
 */
export function metricChartSpec(series: readonly ChartSeries[], options: MetricChartOptions = {}): VegaLiteSpec {
  const width = options.width ?? 600;
  const height = options.height ?? 300;
  const x = options.x ?? "step";
  const { rows, accounts, keys, labels } = chartRows(series, options, true);
  const color = options.colorScale ?? runColorScale(series.filter((s) => keys.includes(s.key)).map((s) => ({ label: labels.get(s.runId)!, runId: s.runId })));
  const drawn = series.filter((s) => keys.includes(s.key));
  const layers = lineLayers(x, options, color, drawn.length === 1 ? labels.get(drawn[0]!.runId)! : undefined);
  const base = {
    $schema: VEGA_LITE_V5,
    ...(options.title ? { title: options.title } : {}),
    description: `${keys.join(", ") || "no metric"} of ${labels.size} run${labels.size === 1 ? "" : "s"}`,
    // Rows hold numbers already: no parsing step (it would copy every row on every redraw).
    data: { name: "points", values: rows, format: { parse: null } },
    usermeta: { trackbook: { widget: "metric-chart", series: accounts } },
  };
  if (keys.length <= 1) return { ...base, width, height, layer: layers };
  return {
    ...base,
    facet: { row: { field: "key", type: "nominal", title: null, sort: [...keys] } },
    spec: { width, height, layer: layers },
    resolve: { scale: { y: "independent" } },
  };
}

/**
 * The rows `metricChartSpec` puts in its `points` data for these series and options: what a live
 * chart swaps in when the visible range or the series change. With `account`, also counts each
 * series' points (a pass over every point; a redraw does not need it).
 */
export function chartRows(series: readonly ChartSeries[], options: MetricChartOptions, account = false) {
  const x = options.x ?? "step";
  const xMetric = typeof x === "object" ? x.metric : undefined;
  const keys = options.keys ?? [...new Set(series.map((s) => s.key))].filter((k) => k !== xMetric);
  const { budget, rawLimit } = seriesLimits(series.filter((s) => keys.includes(s.key)).length, options);
  const labels = runLabels(series);
  const starts = x === "relative" ? runStarts(series) : new Map<string, number>();
  const logY = options.yScale === "log";
  const rows: Row[] = [];
  const accounts: SeriesAccount[] = [];
  for (const s of series) {
    if (!keys.includes(s.key)) continue;
    const label = labels.get(s.runId)!;
    const xs = xValues(s, x, series, starts);
    const drawable = (v: number, xv: number) => Number.isFinite(v) && Number.isFinite(xv) && (!logY || v > 0);
    const keep = downsample({ x: xs, y: s.values }, { budget, rawLimit, ...(options.xDomain ? { xDomain: options.xDomain } : {}) });
    const smooth = options.smoothing ? ema(s.values, options.smoothing) : undefined;
    let drawn = 0;
    for (const i of keep) {
      const xv = xs[i]!;
      const v = s.values[i]!;
      if (!drawable(v, xv)) continue;
      drawn++;
      rows.push({ run: label, key: s.key, x: xv, y: v, step: s.steps[i]!, ...(smooth ? { smooth: smooth[i]! } : {}) });
    }
    if (account) accounts.push({ runId: s.runId, run: label, key: s.key, points: s.points ?? s.values.length, drawn, leftOut: countLeftOut(s.values, xs, drawable) });
  }
  return { rows, accounts, keys, labels };
}

type Row = { run: string; key: string; x: number; y: number; step: number; smooth?: number };

/** The point budget and raw limit of each of `drawn` series a chart draws with `options`. */
export function seriesLimits(drawn: number, options: MetricChartOptions): { budget: number; rawLimit: number } {
  return { budget: options.budget ?? 4 * (options.width ?? 600), rawLimit: options.rawLimit ?? Math.ceil(RAW_POINTS / Math.max(1, drawn)) };
}

/** The chart's line layers; `single` is the label of the one series drawn, if it is one. */
function lineLayers(x: ChartX, options: MetricChartOptions, color: { domain: string[]; range: string[] }, single: string | undefined): object[] {
  const xEnc =
    x === "time"
      ? { field: "x", type: "temporal", title: "wall time" }
      : { field: "x", type: "quantitative", title: x === "step" ? "step" : x === "relative" ? "relative time (s)" : x.metric, ...(options.xDomain ? { scale: { domain: [...options.xDomain] } } : {}) };
  const yEnc = (field: string) => ({ field, type: "quantitative", title: "value", scale: options.yScale === "log" ? { type: "log" } : { type: "linear", zero: false } });
  const legend = { symbolOpacity: 1 };
  // A line is one mark: vega hands a tooltip or hover the line's first point whatever the pointer is
  // near, so a per-point tooltip would show the wrong step. The run's name is what it can tell.
  // No per-point ARIA text either: building it formats every point on every redraw (most of
  // vega's time at 10k points); the chart's description says what it shows instead.
  // One series is one line in its run's colour, with no legend (the tooltip names the run): a
  // colour field would make vega group the rows into lines, a third of its work per row.
  const group = single
    ? { color: { value: color.range[color.domain.indexOf(single)] ?? PALETTE[0] }, tooltip: { value: single } }
    : { color: { field: "run", type: "nominal", title: "run", scale: color, legend }, detail: { field: "key" }, tooltip: { field: "run", type: "nominal" } };
  const raw = {
    // Rows hold drawable values only (chartRows leaves the rest out): no per-point validity test.
    mark: { type: "line", strokeWidth: 1.5, aria: false, invalid: null, ...(options.smoothing ? { opacity: 0.25 } : {}) },
    encoding: { x: xEnc, y: yEnc("y"), ...group },
    // Drag to pan, wheel to zoom; a renderer re-downsamples the visible range on each change.
    params: [{ name: "zoom", select: { type: "interval", encodings: ["x"] }, bind: "scales" }],
  };
  if (!options.smoothing) return [raw];
  return [raw, { mark: { type: "line", strokeWidth: 2, aria: false, invalid: null }, encoding: { x: xEnc, y: yEnc("smooth"), ...group } }];
}

/** Legend labels: the run name, with the id's start added where two runs share a name. */
export function runLabels(series: readonly { runId: string; runName?: string }[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of series) if (!names.has(s.runId)) names.set(s.runId, s.runName || s.runId.slice(0, 8));
  const count = new Map<string, number>();
  for (const n of names.values()) count.set(n, (count.get(n) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const [id, n] of names) out.set(id, (count.get(n) ?? 0) > 1 && n !== id.slice(0, 8) ? `${n} (${id.slice(0, 8)})` : n);
  return out;
}

/** The earliest timestamp of each run over all its series (for relative time). */
function runStarts(series: readonly ChartSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    let t = out.get(s.runId) ?? Infinity;
    for (let i = 0; i < s.timestamps.length; i++) if (s.timestamps[i]! < t) t = s.timestamps[i]!;
    out.set(s.runId, t);
  }
  return out;
}

/** The x value of each point of `s`; NaN where there is none (no x-metric point at that step). */
function xValues(s: ChartSeries, x: ChartX, all: readonly ChartSeries[], starts: Map<string, number>): ArrayLike<number> {
  if (x === "step") return s.steps;
  if (x === "time") return s.timestamps;
  const n = s.values.length;
  const out = new Float64Array(n);
  if (x === "relative") {
    const t0 = starts.get(s.runId)!;
    for (let i = 0; i < n; i++) out[i] = (s.timestamps[i]! - t0) / 1000;
    return out;
  }
  // The x metric's value at the same step of the same run; the last one logged wins.
  const byStep = new Map<number, number>();
  const xs = all.find((o) => o.runId === s.runId && o.key === x.metric);
  if (xs) for (let i = 0; i < xs.steps.length; i++) byStep.set(xs.steps[i]!, xs.values[i]!);
  for (let i = 0; i < n; i++) out[i] = byStep.get(s.steps[i]!) ?? NaN;
  return out;
}

function countLeftOut(values: ArrayLike<number>, xs: ArrayLike<number>, drawable: (v: number, x: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!drawable(values[i]!, xs[i]!)) n++;
  return n;
}
