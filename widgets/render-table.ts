/**
 * The virtualized run table in a page: only the rows in view are in the DOM.
 *
 * @module
 */
import type { Run } from "../src/entities.js";
import { runColor } from "./colors.js";
import { requestFrame } from "./render.js";
import { formatCell, runTableModel, type RunTableModel, type RunTableOptions } from "./run-table.js";

/** The few DOM members the run table uses (the package's types carry no DOM lib). */
type El = {
  style: { cssText: string; height: string; transform: string };
  className: string;
  textContent: string | null;
  title: string;
  scrollTop: number;
  clientHeight: number;
  append(...nodes: (El | string)[]): void;
  replaceChildren(...nodes: El[]): void;
  addEventListener(type: string, fn: () => void, options?: object): void;
  remove(): void;
};
type Doc = { createElement(tag: string): El; querySelector(selector: string): El | null };

/** A run table in the page. */
export type RunTableHandle = {
  /** The root element. */
  element: object;
  /** The rows as currently filtered and sorted. */
  model(): RunTableModel;
  /** Filters with the search grammar (undefined: no filter) and redraws. */
  setFilter(filter: string | undefined): void;
  /** Sorts by a column's values (nulls last) and redraws; what clicking a header does. */
  sortBy(field: string, direction?: "ASC" | "DESC"): void;
  /** Removes the table from the page. */
  finalize(): void;
};

const ROW_HEIGHT = 22;

/**
 * A virtualized run table: header, then only the rows in view (plus a few) in the DOM, moved as
 * the body scrolls, so 100k runs scroll as smoothly as 100. Click a header to sort by it.
 *
 * @example
 * ```ts
 * const table = showRunTable("#runs", (await tb.searchRuns({ experimentIds: [id], maxResults: 50_000 })).runs);
 * table.setFilter("metrics.loss < 0.1");
 * ```
 */
export function showRunTable(target: object | string, runs: readonly Run[], options: RunTableOptions & { height?: number; columnWidth?: number } = {}): RunTableHandle {
  const doc = (globalThis as unknown as { document: Doc }).document;
  const host = typeof target === "string" ? doc.querySelector(target) : (target as El);
  if (!host) throw new RangeError(`No element matches '${String(target)}'.`);
  const colWidth = options.columnWidth ?? 120;
  let model = runTableModel(runs, options);
  let sorted: { field: string; direction: "ASC" | "DESC" } | undefined;
  const el = (cls: string, css = "") => {
    const e = doc.createElement("div");
    e.className = cls;
    e.style.cssText = css;
    return e;
  };
  const root = el("trackbook-table", "font:12px system-ui,sans-serif;color:#222;display:inline-block;border:1px solid #ddd");
  const header = el("tb-header", "display:flex;font-weight:600;background:#f6f6f6;border-bottom:1px solid #ddd");
  const body = el("tb-body", `position:relative;overflow:auto;height:${options.height ?? 480}px`);
  const spacer = el("tb-spacer", "position:relative");
  const rowsBox = el("tb-rows", "position:absolute;top:0;left:0;right:0");
  spacer.append(rowsBox);
  body.append(spacer);
  root.append(header, body);
  host.append(root);
  const cell = (text: string, extra = "") => {
    const c = el("tb-cell", `flex:0 0 ${colWidth}px;padding:0 6px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;line-height:${ROW_HEIGHT}px;${extra}`);
    c.textContent = text;
    c.title = text;
    return c;
  };
  const drawHeader = () => {
    header.replaceChildren(
      ...model.columns.map((c) => {
        const arrow = sorted?.field === c.field ? (sorted.direction === "ASC" ? " ▲" : " ▼") : "";
        const h = cell(c.title + arrow, "cursor:pointer");
        h.addEventListener("click", () => handle.sortBy(c.field, sorted?.field === c.field && sorted.direction === "ASC" ? "DESC" : "ASC"));
        return h;
      }),
    );
  };
  let drawn = "";
  const drawRows = () => {
    const first = Math.max(0, Math.floor(body.scrollTop / ROW_HEIGHT) - 5);
    const count = Math.ceil((body.clientHeight || 480) / ROW_HEIGHT) + 10;
    const key = `${first}:${count}:${model.rows.length}`;
    if (key === drawn) return;
    drawn = key;
    spacer.style.height = `${model.rows.length * ROW_HEIGHT}px`;
    rowsBox.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    rowsBox.replaceChildren(
      ...model.rows.slice(first, first + count).map((r) => {
        const row = el("tb-row", `display:flex;height:${ROW_HEIGHT}px;border-bottom:1px solid #f0f0f0`);
        row.append(...model.columns.map((c, j) => cell(formatCell(r.cells[j]!, c), j === 0 ? `border-left:4px solid ${runColor(r.runId)}` : "")));
        return row;
      }),
    );
  };
  let scheduled = false;
  body.addEventListener("scroll", () => {
    if (scheduled) return;
    scheduled = true;
    requestFrame(() => {
      scheduled = false;
      drawRows();
    });
  }, { passive: true });
  const redraw = () => {
    drawn = "";
    drawHeader();
    drawRows();
  };
  const handle: RunTableHandle = {
    element: root,
    model: () => model,
    setFilter(f) {
      const { filter: _old, ...rest } = options;
      model = runTableModel(runs, f === undefined ? rest : { ...rest, filter: f });
      if (sorted) sortRows(model, sorted.field, sorted.direction);
      body.scrollTop = 0;
      redraw();
    },
    sortBy(field, direction = "ASC") {
      sorted = { field, direction };
      sortRows(model, field, direction);
      redraw();
    },
    finalize: () => root.remove(),
  };
  redraw();
  return handle;
}

/** Sorts the model's rows by one column: numbers as numbers, text by code point, nulls last. */
function sortRows(model: RunTableModel, field: string, direction: "ASC" | "DESC"): void {
  const j = model.columns.findIndex((c) => c.field === field);
  if (j < 0) throw new RangeError(`The table has no column '${field}'.`);
  const sign = direction === "ASC" ? 1 : -1;
  model.rows.sort((a, b) => {
    const x = a.cells[j]!;
    const y = b.cells[j]!;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x < y ? -1 : x > y ? 1 : 0);
  });
}

