/**
 * The run table: a model (columns and rows as plain data, what a virtualized DOM table draws)
 * and `runTableSpec`, the same table as a Vega-Lite v5 text grid for notebooks.
 *
 * Encoding choices:
 * - columns are MLflow's field names (`attributes.run_name`, `params.lr`, `metrics.loss`,
 *   `tags.team`), so a column, a filter and an order-by read the same;
 * - default columns: name, status, start time, duration, then every param, latest metric and
 *   user tag any of the runs has (sorted by name; `mlflow.*` system tags left out);
 * - filter and order use the search grammar (`metrics.loss < 0.5 and params.lr = '0.01'`), with
 *   the same semantics as `searchRuns`;
 * - the notebook spec draws the first `maxRows` rows (default 50) as text marks, and says how many
 *   runs there are in all; the first column has a swatch of the run's colour.
 *
 * @module
 */
import type { Run } from "../src/entities.js";
import { compileRunFilter, compileRunOrderBy } from "../src/search/index.js";
import { runColors } from "./colors.js";
import { VEGA_LITE_V5, type VegaLiteSpec } from "./spec.js";

/** A column: its field name and how it is shown. */
export type RunTableColumn = { field: string; title: string; kind: "attribute" | "param" | "metric" | "tag" };

/** A cell's value: text for params, tags and names; a number for metrics and times; null when absent. */
export type CellValue = string | number | null;

/** The table as data. */
export type RunTableModel = {
  columns: RunTableColumn[];
  /** One row per run, cells in column order. */
  rows: { runId: string; cells: CellValue[] }[];
  /** Runs given, before the filter. */
  total: number;
};

/** Options of {@link runTableModel} and {@link runTableSpec}. */
export type RunTableOptions = {
  /** Field names to show, in order (default: see the module notes). */
  columns?: readonly string[];
  /** A search filter, e.g. `"metrics.loss < 0.5"`. */
  filter?: string;
  /** Order-by clauses, e.g. `["metrics.loss ASC"]` (default: newest first, as `searchRuns`). */
  orderBy?: readonly string[];
};

const ATTRIBUTES: Record<string, { title: string; get: (r: Run) => CellValue }> = {
  "attributes.run_name": { title: "run", get: (r) => r.info.runName },
  "attributes.run_id": { title: "run id", get: (r) => r.info.runId },
  "attributes.status": { title: "status", get: (r) => r.info.status },
  "attributes.start_time": { title: "started", get: (r) => r.info.startTime },
  "attributes.end_time": { title: "ended", get: (r) => r.info.endTime },
  "attributes.duration": { title: "duration (s)", get: (r) => (r.info.endTime === null ? null : (r.info.endTime - r.info.startTime) / 1000) },
  "attributes.user_id": { title: "user", get: (r) => r.info.userId },
  "attributes.experiment_id": { title: "experiment", get: (r) => r.info.experimentId },
};

const DEFAULT_ATTRIBUTES = ["attributes.run_name", "attributes.status", "attributes.start_time", "attributes.duration"];

/**
 * The run table of `runs`: filtered, ordered, with the chosen columns.
 *
 * @example
 * ```ts
 * const { runs } = await tb.searchRuns({ experimentIds: [exp.experimentId], maxResults: 1000 });
 * const table = runTableModel(runs, { filter: "metrics.loss < 0.5", orderBy: ["metrics.loss"] });
 * ```
 */
export function runTableModel(runs: readonly Run[], options: RunTableOptions = {}): RunTableModel {
  const keep = compileRunFilter(options.filter);
  const kept = runs.filter(keep).sort(compileRunOrderBy(options.orderBy));
  const columns = uniqueTitles([...new Set(options.columns ?? defaultColumns(kept))].map(column));
  const getters = columns.map((c) => cellGetter(c.field));
  return { columns, rows: kept.map((r) => ({ runId: r.info.runId, cells: getters.map((g) => g(r)) })), total: runs.length };
}

/** Every field the default table shows for `runs`. */
export function defaultColumns(runs: readonly Run[]): string[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const r of runs) {
    for (const k in r.data.params) params.add(k);
    for (const k in r.data.metrics) metrics.add(k);
    for (const k in r.data.tags) if (!k.startsWith("mlflow.")) tags.add(k);
  }
  const sorted = (s: Set<string>, prefix: string) => [...s].sort().map((k) => `${prefix}.${k}`);
  return [...DEFAULT_ATTRIBUTES, ...sorted(params, "params"), ...sorted(metrics, "metrics"), ...sorted(tags, "tags")];
}

function column(field: string): RunTableColumn {
  const a = ATTRIBUTES[field];
  if (a) return { field, title: a.title, kind: "attribute" };
  const dot = field.indexOf(".");
  const prefix = field.slice(0, dot);
  const kind = prefix === "params" ? "param" : prefix === "metrics" ? "metric" : prefix === "tags" ? "tag" : undefined;
  if (dot < 0 || kind === undefined) throw new RangeError(`Unknown run table column '${field}': use params.<key>, metrics.<key>, tags.<key> or one of ${Object.keys(ATTRIBUTES).join(", ")}.`);
  return { field, title: field.slice(dot + 1), kind };
}

/** A param and a metric may share a key: such columns are titled by their full field name. */
function uniqueTitles(columns: RunTableColumn[]): RunTableColumn[] {
  const count = new Map<string, number>();
  for (const c of columns) count.set(c.title, (count.get(c.title) ?? 0) + 1);
  return columns.map((c) => (count.get(c.title)! > 1 ? { ...c, title: c.field } : c));
}

function cellGetter(field: string): (r: Run) => CellValue {
  const a = ATTRIBUTES[field];
  if (a) return a.get;
  const dot = field.indexOf(".");
  const key = field.slice(dot + 1);
  switch (field.slice(0, dot)) {
    case "params":
      return (r) => r.data.params[key] ?? null;
    case "metrics":
      return (r) => r.data.metrics[key] ?? null;
    default:
      return (r) => r.data.tags[key] ?? null;
  }
}

/** How a cell reads in a text grid. */
export function formatCell(v: CellValue, c: RunTableColumn): string {
  if (v === null) return "—";
  if (typeof v === "string") return v.length > 40 ? `${v.slice(0, 39)}…` : v;
  if (c.field === "attributes.start_time" || c.field === "attributes.end_time") return new Date(v).toISOString().replace("T", " ").slice(0, 19);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(4) : v.toExponential(3);
}

/** Options of {@link runTableSpec}. */
export type RunTableSpecOptions = RunTableOptions & {
  /** Rows drawn at most (default 50). */
  maxRows?: number;
  /** Pixels per column (default 110). */
  columnWidth?: number;
};

/**
 * The run table as a Vega-Lite v5 text grid: the first `maxRows` rows, a header row, and a title
 * saying how many runs matched.
 *
 * @example
 * ```ts
 * const spec = runTableSpec(runs, { columns: ["attributes.run_name", "params.lr", "metrics.loss"] });
 * ```
 */
export function runTableSpec(runs: readonly Run[] | RunTableModel, options: RunTableSpecOptions = {}): VegaLiteSpec {
  const model = isModel(runs) ? runs : runTableModel(runs, options);
  const maxRows = options.maxRows ?? 50;
  const colWidth = options.columnWidth ?? 110;
  const shown = model.rows.slice(0, maxRows);
  const cells: { row: number; col: string; text: string; swatch: string | null }[] = [];
  const colors = runColors(shown.map((r) => r.runId));
  shown.forEach((r, i) => {
    model.columns.forEach((c, j) => cells.push({ row: i + 1, col: c.title, text: formatCell(r.cells[j]!, c), swatch: j === 0 ? colors.get(r.runId)! : null }));
  });
  const matched = model.rows.length;
  const title = `${matched.toLocaleString("en-US")} of ${model.total.toLocaleString("en-US")} runs${matched > shown.length ? ` (first ${shown.length} shown)` : ""}`;
  // Text starts at the left of its band, 16 px in: room for the run's colour swatch in column one.
  const left = -colWidth / 2;
  return {
    $schema: VEGA_LITE_V5,
    title: { text: title, anchor: "start", fontSize: 12, fontWeight: "normal" },
    width: colWidth * Math.max(1, model.columns.length),
    height: 18 * Math.max(1, shown.length),
    data: { name: "cells", values: cells },
    encoding: {
      x: { field: "col", type: "ordinal", sort: model.columns.map((c) => c.title), axis: { orient: "top", title: null, labelAngle: 0, labelAlign: "left", labelOffset: left + 16, labelFontWeight: "bold", domain: false, ticks: false, labelLimit: colWidth - 20 } },
      y: { field: "row", type: "ordinal", axis: null },
    },
    layer: [
      { mark: { type: "text", align: "left", dx: left + 16, limit: colWidth - 20, color: "#222" }, encoding: { text: { field: "text", type: "nominal" } } },
      {
        transform: [{ filter: "datum.swatch !== null" }],
        mark: { type: "square", size: 70, opacity: 1, xOffset: left + 8 },
        encoding: { color: { field: "swatch", type: "nominal", scale: null } },
      },
    ],
    config: { view: { stroke: null } },
    usermeta: { trackbook: { widget: "run-table", columns: model.columns.map((c) => c.field), rows: matched, total: model.total } },
  };
}

function isModel(x: readonly Run[] | RunTableModel): x is RunTableModel {
  return !Array.isArray(x);
}
