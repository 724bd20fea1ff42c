/**
 * Metric histories read for a chart: each cut as the chart cuts it, by the store where it can
 * (`getMetricHistorySummary`: the IndexedDB store reads chunk summaries, about a sixteenth of a
 * long history), else read whole and cut here. A chart drawn from them is the chart of the whole
 * histories.
 *
 * @module
 */
import { metricHistorySummary, type HistoryReader } from "../src/store/store.js";
import { seriesLimits, type ChartSeries, type MetricChartOptions } from "./metric-chart.js";

/** One series of a chart, by name: a run's metric key. */
export type SeriesRef = { runId: string; runName?: string; key: string };

/**
 * True when a chart with `options` can be drawn from cut histories: steps on the x axis and no
 * smoothing (an EMA, another metric or time on the x axis need every point).
 */
export function drawsFromCuts(options: MetricChartOptions): boolean {
  return (options.x ?? "step") === "step" && !options.smoothing;
}

/**
 * The series a chart of `refs` with `options` draws, read from `source` (a store or a tracker):
 * each history cut to the chart's budget over `options.xDomain` (or all of it), with its full
 * length in `points`; whole histories when the chart needs every point ({@link drawsFromCuts}).
 * Reads all series at once.
 *
 * @example
 * ```ts
 * const series = await loadChartSeries(tb, runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName, key: "loss" })), { width: 600 });
 * await display(metricChartSpec(series, { width: 600 }));
 * ```
 */
export async function loadChartSeries(source: HistoryReader, refs: readonly SeriesRef[], options: MetricChartOptions = {}): Promise<ChartSeries[]> {
  const name = (r: SeriesRef) => (r.runName !== undefined ? { runName: r.runName } : {});
  if (!drawsFromCuts(options)) return Promise.all(refs.map(async (r) => ({ runId: r.runId, ...name(r), ...(await source.getMetricHistory(r.runId, r.key)) })));
  const drawn = options.keys ? refs.filter((r) => options.keys!.includes(r.key)) : refs;
  const limits = seriesLimits(drawn.length, options);
  // Whole numbers, as the chart's own cut rounds them.
  const budget = Math.max(4, Math.floor(limits.budget));
  const rawLimit = Math.max(0, Math.floor(limits.rawLimit));
  return Promise.all(
    drawn.map(async (r) => {
      const cut = await metricHistorySummary(source, r.runId, r.key, { budget, rawLimit, ...(options.xDomain ? { stepRange: options.xDomain } : {}) });
      return { runId: r.runId, ...name(r), key: cut.key, steps: cut.steps, values: cut.values, timestamps: cut.timestamps, points: cut.count };
    }),
  );
}
