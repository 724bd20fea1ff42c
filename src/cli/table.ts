/**
 * Plain-text run tables for the terminal. Hand-written rather than a table package: it is a
 * dozen lines, and the column choice (info, params, latest metrics) is ours to shape.
 *
 * @module
 */
import type { Run } from "../index.js";

/** Formats a metric value compactly (4 significant digits, NaN/±Inf spelled out). */
export function formatNumber(v: number | undefined): string {
  if (v === undefined) return "";
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** Renders runs as an aligned text table: name, status, each param, each metric. */
export function runTable(runs: readonly Run[]): string {
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.data.metrics)))].sort();
  const header = ["run", "status", ...paramKeys.map((k) => `params.${k}`), ...metricKeys.map((k) => `metrics.${k}`)];
  const rows = runs.map((r) => [
    r.info.runName,
    r.info.status,
    ...paramKeys.map((k) => r.data.params[k] ?? ""),
    ...metricKeys.map((k) => formatNumber(r.data.metrics[k])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
