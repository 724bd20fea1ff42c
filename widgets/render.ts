/**
 * The one module that touches vega or the DOM: turns the builders' specs into pictures.
 *
 * - {@link toSVG}: a static SVG rendered in Node (or a page) by vega with no canvas.
 * - {@link displayBundle} / {@link display}: a notebook output of three mimes — the Vega-Lite v5
 *   spec (JupyterLab, Notebook 7 and VS Code draw it interactively), `text/html` holding the
 *   static SVG as an `<img>` data URI (what survives an untrusted notebook's sanitizer and
 *   renders in classic Notebook and nbconvert HTML; upgraded to an interactive chart where
 *   scripts run and vega-embed is on the page), and `text/plain`. In a tslab kernel, `display`
 *   sends the bundle as one message (tslab's public API sends one mime per message, so the
 *   kernel's own writer is used: integration-notes §1.2).
 * - {@link show}: the interactive chart in a DOM element through vega-embed.
 * - {@link liveDisplay}: a notebook output updated in place (same display id), throttled.
 * - {@link showMetricChart}: a page chart whose zoom re-cuts the full series.
 * - {@link showRunTable}: a virtualized DOM run table (only the rows in view exist in the DOM).
 *
 * vega, vega-lite and vega-embed are loaded with `import()` on first use, so importing
 * `trackbook/widgets` costs nothing until something is drawn, and tslab (which cannot `require`
 * ESM with top-level await) loads them through a genuine dynamic import (integration-notes §1.4).
 *
 * @module
 */
import { setDisplayHook } from "../src/display-hook.js";
import type { Run, RunPage } from "../src/entities.js";
import { runColor } from "./colors.js";
import { chartRows, metricChartSpec, type ChartSeries, type MetricChartOptions } from "./metric-chart.js";
import { formatCell, runTableModel, runTableSpec, type RunTableModel, type RunTableOptions } from "./run-table.js";
import { VEGA_LITE_MIME, type VegaLiteSpec } from "./spec.js";

/** A notebook display bundle: mime type → content. */
export type MimeBundle = { [VEGA_LITE_MIME]: VegaLiteSpec; "text/html": string; "text/plain": string };

type VegaView = { toSVG(): Promise<string>; finalize(): void };
type Vega = { parse(spec: object): object; View: new (runtime: object, options: object) => VegaView };
type VegaLite = { compile(spec: object, options?: object): { spec: object } };

let libs: Promise<{ vega: Vega; vl: VegaLite }> | undefined;

function loadVega(): Promise<{ vega: Vega; vl: VegaLite }> {
  // CommonJS builds come back as { default }, ES modules as the namespace itself.
  const unwrap = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
  libs ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega: unwrap<Vega>(vega), vl: unwrap<VegaLite>(vl) }));
  return libs;
}

/**
 * Renders `spec` to an SVG string (no canvas needed; works in Node).
 *
 * @example
 * ```ts
 * await writeFile("loss.svg", await toSVG(metricChartSpec(series)));
 * ```
 */
export async function toSVG(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders `spec` to a PNG (Node only): the SVG of {@link toSVG} rasterised by resvg (a
 * prebuilt native module, no browser or canvas needed), at `scale` × its size (default 2, for
 * sharp text), on a white background unless told otherwise.
 *
 * @example
 * ```ts
 * await writeFile("loss.png", await toPNG(metricChartSpec(series)));
 * ```
 */
export async function toPNG(spec: VegaLiteSpec, options: { scale?: number; background?: string } = {}): Promise<Uint8Array> {
  const svg = await toSVG(spec);
  // A specifier in a variable: page bundlers must not try to bundle a native Node module.
  const name = "@resvg/resvg-js";
  const mod = (await import(/* @vite-ignore */ name)) as { Resvg?: ResvgClass; default?: { Resvg: ResvgClass } };
  const Resvg = mod.Resvg ?? mod.default!.Resvg;
  const image = new Resvg(svg, { fitTo: { mode: "zoom", value: options.scale ?? 2 }, background: options.background ?? "white", font: { loadSystemFonts: true } }).render();
  return image.asPng();
}

type ResvgClass = new (svg: string, options: object) => { render(): { asPng(): Uint8Array } };

let nextId = 0;

/**
 * The notebook bundle of `spec`: the Vega-Lite v5 mime, the HTML fallback with a static `<img>`,
 * and plain text.
 *
 * @example
 * ```ts
 * const bundle = await displayBundle(runTableSpec(runs));
 * bundle["text/html"]; // '<div class="trackbook-widget" …><img src="data:image/svg+xml;base64,…
 * ```
 */
export async function displayBundle(spec: VegaLiteSpec, text = describeSpec(spec)): Promise<MimeBundle> {
  const svg = await toSVG(spec);
  const id = `trackbook-widget-${Date.now().toString(36)}-${nextId++}`;
  const img = `<img alt="${escapeHtml(text)}" src="data:image/svg+xml;base64,${utf8Base64(svg)}">`;
  // Where scripts run and vega-embed is already on the page, the picture becomes the live chart.
  // The spec rides along as JSON; "</" is escaped so no value can close the script element.
  const upgrade = `<script>(function(){var e=document.getElementById(${JSON.stringify(id)});if(e&&typeof window.vegaEmbed==="function"){window.vegaEmbed(e,${JSON.stringify(spec).replace(/<\//g, "<\\/")},{actions:false}).catch(function(){});}})();</script>`;
  return { [VEGA_LITE_MIME]: spec, "text/html": `<div class="trackbook-widget" id="${id}">${img}</div>${upgrade}`, "text/plain": text };
}

/** One line saying what a spec shows, from its `usermeta.trackbook` (the builders set it). */
export function describeSpec(spec: VegaLiteSpec): string {
  const meta = (spec.usermeta as { trackbook?: Record<string, unknown> } | undefined)?.trackbook;
  if (!meta) return "<Vega-Lite chart>";
  switch (meta.widget) {
    case "metric-chart": {
      const series = meta.series as { run: string; key: string; points: number }[];
      const keys = [...new Set(series.map((s) => s.key))].join(", ");
      return `<metric chart: ${keys || "no metrics"} over ${new Set(series.map((s) => s.run)).size} run(s), ${series.reduce((n, s) => n + s.points, 0).toLocaleString("en-US")} points>`;
    }
    case "run-table":
      return `<run table: ${meta.rows} of ${meta.total} runs>`;
    case "compare":
      return `<compare view: ${(meta.runs as string[]).length} runs${meta.metric ? `, metric ${meta.metric}` : ""}>`;
    default:
      return `<${String(meta.widget)}>`;
  }
}

type WriteDisplayData = (msg: { data: object; metadata: object; transient: object }, update: boolean) => void;

/**
 * The running tslab kernel's display writer, or undefined outside tslab. tslab sets
 * `globalThis.__tslab__`; its `require` is the kernel's own, whose module cache holds the
 * `jupyter.js` that knows the current cell's output (integration-notes §1.2–1.3).
 */
function tslabWriter(): WriteDisplayData | undefined {
  const t = (globalThis as { __tslab__?: { require?: { cache?: Record<string, { exports?: { lastWriteDisplayData?: unknown } }> } } }).__tslab__;
  const cache = t?.require?.cache;
  if (!cache) return undefined;
  for (const [path, mod] of Object.entries(cache)) {
    const w = mod?.exports?.lastWriteDisplayData;
    if (/tslab[\\/]dist[\\/]jupyter\.js$/.test(path) && typeof w === "function") return w as WriteDisplayData;
  }
  return undefined;
}

/** True inside a tslab kernel that is executing a cell. */
export function inTslab(): boolean {
  return tslabWriter() !== undefined;
}

/**
 * Shows `spec` as the current notebook cell's output (tslab). Outside a notebook it prints the
 * plain-text line instead; {@link displayBundle} gives the bundle itself, to save or send.
 *
 * @example
 * ```ts
 * await display(metricChartSpec(series)); // in a tslab cell
 * ```
 */
export async function display(spec: VegaLiteSpec): Promise<void> {
  const bundle = await displayBundle(spec);
  const write = tslabWriter();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else console.log(bundle["text/plain"]);
}

/**
 * Lets runs and search results draw themselves as a tslab cell's last value: `tb.getRun(id)` or
 * `await tb.searchRuns(…)` at the end of a cell shows a run table. Called when
 * `trackbook/widgets` is loaded inside a kernel. The output carries the Vega-Lite v5 spec and
 * plain text only: `util.inspect` is synchronous, and a static SVG is not (use
 * {@link display} for the `<img>` fallback).
 *
 * @example
 * ```ts
 * enableNotebookDisplay(); // automatic in tslab once trackbook/widgets is imported
 * ```
 */
export function enableNotebookDisplay(): void {
  setDisplayHook((value, kind) => {
    const write = tslabWriter();
    if (!write) return undefined;
    const runs = kind === "runs" ? (value as RunPage).runs : [value as Run];
    const spec = runTableSpec(runs);
    const text = describeSpec(spec);
    write({ data: { [VEGA_LITE_MIME]: spec, "text/plain": text }, metadata: {}, transient: {} }, false);
    return text;
  });
}

if (inTslab()) enableNotebookDisplay();

/** A notebook output that can be redrawn in place. */
export type LiveDisplay = {
  /** Redraws with `spec`; calls closer together than the throttle interval are merged (the last wins). */
  update(spec: VegaLiteSpec): void;
  /** Draws the last spec given, if it is still pending, and stops. */
  close(): Promise<void>;
};

/**
 * An output that updates in place while a cell runs (tslab's display id mechanism), redrawn at
 * most every `intervalMs` (default 250 ms: a few updates per second). Rendering is asynchronous
 * and never blocks the training loop for longer than one static render.
 *
 * @example
 * ```ts
 * const live = liveDisplay();
 * for (let epoch = 0; epoch < 20; epoch++) { train(); live.update(metricChartSpec(await histories())); }
 * await live.close();
 * ```
 */
export function liveDisplay(options: { intervalMs?: number } = {}): LiveDisplay {
  const interval = options.intervalMs ?? 250;
  const displayId = `trackbook-live-${Date.now().toString(36)}-${nextId++}`;
  let pending: VegaLiteSpec | undefined;
  let sent = false;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let drawing: Promise<void> = Promise.resolve();
  const draw = () => {
    timer = undefined;
    const spec = pending;
    pending = undefined;
    if (!spec) return;
    last = Date.now();
    drawing = drawing.then(async () => {
      const bundle = await displayBundle(spec);
      tslabWriter()?.({ data: bundle, metadata: {}, transient: { display_id: displayId } }, sent);
      sent = true;
    });
  };
  return {
    update(spec) {
      pending = spec;
      if (timer === undefined) timer = setTimeout(draw, Math.max(0, last + interval - Date.now()));
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      draw();
      await drawing;
    },
  };
}

/** What {@link show} returns: the vega view, and a way to take the chart down. */
export type Shown = { view: unknown; finalize(): void };

/**
 * Draws `spec` interactively into a DOM element (or the element a CSS selector names) with
 * vega-embed.
 *
 * @example
 * ```ts
 * const shown = await show("#chart", metricChartSpec(series));
 * ```
 */
export async function show(target: object | string, spec: VegaLiteSpec, options: { renderer?: "canvas" | "svg" } = {}): Promise<Shown> {
  const mod = (await import("vega-embed")) as unknown as { default: (el: object | string, spec: object, opts: object) => Promise<Shown> };
  const result = await mod.default(target, spec, { actions: false, renderer: options.renderer ?? "canvas" });
  return { view: result.view, finalize: () => result.finalize() };
}

/** The parts of a vega View in a page that the live chart uses. */
type DomView = {
  data(name: string, values?: object[]): DomView & object[];
  signal(name: string, value?: unknown): DomView & unknown;
  runAsync(): Promise<DomView>;
  scale(name: string): { domain(): number[] };
  addSignalListener(name: string, fn: (name: string, value: unknown) => void): void;
};

/** A live metric chart in the page: {@link show} plus zooming that re-cuts the full series. */
export type ChartHandle = Shown & {
  /** Shows `[lo, hi]` of x (undefined: everything), with the points re-cut from the full series. */
  zoom(domain?: readonly [number, number]): Promise<void>;
  /**
   * Replaces the series (e.g. with longer histories during training) and redraws in place: one
   * change set to the chart's `points`, at most every `intervalMs` (default 250 ms; the last call
   * wins), so a chart fed every step still redraws only a few times a second.
   */
  update(series: readonly ChartSeries[]): void;
};

/**
 * Draws a metric chart that stays exact under zoom: whenever the visible x range changes (wheel,
 * drag, or {@link ChartHandle.zoom}), the visible range is cut again from the full series and the
 * chart's `points` data is replaced (one change set, not a new chart), at most once per frame.
 *
 * @example
 * ```ts
 * const chart = await showMetricChart("#loss", series, { width: 800 });
 * await chart.zoom([500_000, 510_000]); // every raw point of that range is drawn
 * ```
 */
export async function showMetricChart(target: object | string, series: readonly ChartSeries[], options: MetricChartOptions & { intervalMs?: number } = {}): Promise<ChartHandle> {
  const shown = await show(target, metricChartSpec(series, options));
  const view = shown.view as DomView;
  const rows = (domain: readonly [number, number] | undefined) => chartRows(series, { ...options, ...(domain ? { xDomain: domain } : {}) }).rows;
  // The range whose points are in the view, so a change that comes back as a signal is not cut twice.
  let applied = "all";
  const apply = (domain: readonly [number, number] | undefined, force = false): void => {
    const key = domain ? `${domain[0]}:${domain[1]}` : "all";
    if (key === applied && !force) return;
    applied = key;
    view.data("points", rows(domain));
  };
  let wanted: readonly [number, number] | undefined;
  let scheduled = false;
  let updateTimer: ReturnType<typeof setTimeout> | undefined;
  let lastUpdate = 0;
  view.addSignalListener("zoom", (_name, value) => {
    const x = (value as { x?: [number, number] } | null)?.x;
    wanted = x && x.length === 2 ? [Math.min(x[0], x[1]), Math.max(x[0], x[1])] : undefined;
    // Wheel and drag send many changes a frame: only the latest range is cut, once per frame.
    if (scheduled) return;
    scheduled = true;
    requestFrame(() => {
      scheduled = false;
      apply(wanted);
      void view.runAsync();
    });
  });
  return {
    ...shown,
    async zoom(domain) {
      // New points and the new x domain in one dataflow run. The interval selection bound to the
      // x scale drives its domain; null clears it (shows all).
      apply(domain ? [domain[0], domain[1]] : undefined);
      view.signal("zoom_x", domain ? [domain[0], domain[1]] : null);
      await view.runAsync();
    },
    update(next) {
      series = next;
      if (updateTimer !== undefined) return;
      updateTimer = setTimeout(() => {
        updateTimer = undefined;
        lastUpdate = Date.now();
        apply(wanted, true);
        void view.runAsync();
      }, Math.max(0, lastUpdate + (options.intervalMs ?? 250) - Date.now()));
    },
    finalize() {
      if (updateTimer !== undefined) clearTimeout(updateTimer);
      shown.finalize();
    },
  };
}

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

function requestFrame(fn: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (f: () => void) => void }).requestAnimationFrame;
  if (raf) raf(fn);
  else setTimeout(fn, 16);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** Base64 of the UTF-8 bytes of `s` (btoa exists in Node ≥ 16 and every browser; Buffer does not). */
function utf8Base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
