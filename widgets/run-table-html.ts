/**
 * The run table as a plain HTML `<table>`: what a notebook shows where the Vega-Lite mime is not
 * rendered (classic Notebook, nbconvert HTML, untrusted outputs keep tables), built without vega,
 * so a run or a search result can carry it when it draws itself as a cell's last value, which must
 * happen synchronously.
 *
 * @module
 */
import { runColors } from "./colors.js";
import { formatCell, type RunTableModel } from "./run-table.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The first `maxRows` rows (default 50) of a run table as an HTML table, with a caption saying
 * how many runs matched and the run's colour as the first cell's left border.
 *
 * @example
 * ```ts
 * const html = runTableHtml(runTableModel(runs, { orderBy: ["metrics.loss ASC"] }));
 * ```
 */
export function runTableHtml(model: RunTableModel, options: { maxRows?: number } = {}): string {
  const shown = model.rows.slice(0, options.maxRows ?? 50);
  const colors = runColors(shown.map((r) => r.runId));
  const matched = model.rows.length;
  const caption = `${matched.toLocaleString("en-US")} of ${model.total.toLocaleString("en-US")} runs${matched > shown.length ? ` (first ${shown.length} shown)` : ""}`;
  const head = model.columns.map((c) => `<th title="${escape(c.field)}">${escape(c.title)}</th>`).join("");
  const body = shown
    .map((r) => {
      const cells = model.columns.map((c, j) => {
        const style = j === 0 ? ` style="border-left:4px solid ${colors.get(r.runId)}"` : c.kind === "metric" ? ' style="text-align:right"' : "";
        return `<td${style}>${escape(formatCell(r.cells[j]!, c))}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("");
  return `<table class="trackbook-run-table"><caption style="text-align:left">${escape(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
