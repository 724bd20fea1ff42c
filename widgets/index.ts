/**
 * `trackbook/widgets`: pure functions from plain data to Vega-Lite v5 specs, and the
 * downsampling they use; and their renderers (notebook display, the DOM, static SVG), which load
 * vega only when something is drawn.
 *
 * @example
 * ```ts
 * import { metricChartSpec } from "trackbook/widgets";
 * const spec = metricChartSpec([{ runId, runName: "baseline", ...(await tb.getMetricHistory(runId, "loss")) }]);
 * ```
 *
 * @module
 */
export { PALETTE, runColor, runColors, runColorScale } from "./colors.js";
export { compareRows, compareSpec, type CompareOptions, type CompareRow } from "./compare.js";
export { DEFAULT_BUDGET, downsample, finitePoints, type DownsampleOptions, type XY } from "./downsample.js";
export { confusionMatrixSpec, heatmapSpec, imageGridSpec, type GridImage, type HeatmapOptions } from "./heatmap.js";
export { metricChartSpec, type ChartSeries, type ChartX, type MetricChartOptions, type SeriesAccount } from "./metric-chart.js";
export { defaultColumns, formatCell, runTableModel, runTableSpec, type CellValue, type RunTableColumn, type RunTableModel, type RunTableOptions, type RunTableSpecOptions } from "./run-table.js";
export { runTableHtml } from "./run-table-html.js";
export { ema } from "./smoothing.js";
export { VEGA_LITE_MIME, VEGA_LITE_V5, type VegaLiteSpec } from "./spec.js";
export { describeSpec, displayBundle, show, toPNG, toSVG, type MimeBundle, type Shown } from "./render.js";
export { showMetricChart, showStoredMetricChart, type ChartHandle, type StoredChartHandle } from "./render-chart.js";
export { drawsFromCuts, loadChartSeries, type SeriesRef } from "./stored-series.js";
export { display, enableNotebookDisplay, inTslab, liveDisplay, type LiveDisplay } from "./render-notebook.js";
export { showRunTable, type RunTableHandle } from "./render-table.js";
