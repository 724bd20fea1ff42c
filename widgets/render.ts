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
 * - {@link showMetricChart}: a page chart whose zoom re-cuts the full series.
 *
 * The notebook side (`display`, `liveDisplay`, runs drawing themselves) is in render-notebook.ts
 * and the virtualized DOM run table in render-table.ts; neither touches vega.
 *
 * vega, vega-lite and vega-embed are loaded with `import()` on first use, so importing
 * `trackbook/widgets` costs nothing until something is drawn, and tslab (which cannot `require`
 * ESM with top-level await) loads them through a genuine dynamic import (integration-notes §1.4).
 *
 * @module
 */
import { chartRows, metricChartSpec, type ChartSeries, type MetricChartOptions } from "./metric-chart.js";
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

/** The parts of a vega changeset the live chart uses. */
type Changeset = {
  insert(tuples: object[]): Changeset;
  remove(tuples: object[]): Changeset;
  modify(match: (t: object) => boolean, field: string, value: null): Changeset;
  reflow(): Changeset;
};

/** The parts of a vega View in a page that the live chart uses. */
type DomView = {
  data(name: string, values?: object[]): DomView & object[];
  change(name: string, changes: Changeset): DomView;
  changeset(): Changeset;
  signal(name: string, value?: unknown): DomView & unknown;
  setState(state: { signals?: Record<string, unknown>; data?: Record<string, object[]> }): DomView;
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
  const spec = metricChartSpec(series, options);
  const shown = await show(target, spec);
  const view = shown.view as DomView;
  const faceted = "facet" in spec;
  const rows = (domain: readonly [number, number] | undefined) => chartRows(series, { ...options, ...(domain ? { xDomain: domain } : {}) }).rows;
  const points = new RowSwap(view, "points");
  // The range whose points are in the view, so a change that comes back as a signal is not cut twice.
  let applied = "all";
  const apply = (domain: readonly [number, number] | undefined, force = false): boolean => {
    const key = domain ? `${domain[0]}:${domain[1]}` : "all";
    if (key === applied && !force) return false;
    applied = key;
    points.swap(rows(domain));
    return true;
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
      // The range zoom() just drew comes back here too: nothing to cut or run again.
      if (apply(wanted)) void view.runAsync();
    });
  });
  return {
    ...shown,
    async zoom(domain) {
      const d: [number, number] | null = domain ? [domain[0], domain[1]] : null;
      apply(d ?? undefined);
      // New points and the new x domain in one dataflow run, so each point is encoded once. The
      // interval selection bound to the x scale drives its domain: from `zoom_x` in a faceted
      // chart, else from the selection's store, which vega-lite fills in a second run after
      // `zoom_x` changes (encoding every point again). Setting both as view state does it in
      // one run; the store's tuple is the one an interaction on the chart's first layer writes.
      const store = d ? [{ unit: "layer_0", fields: view.signal("zoom_tuple_fields"), values: [d] }] : [];
      view.setState(faceted ? { signals: { zoom_x: d } } : { signals: { zoom_x: d }, data: { zoom_store: store } });
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

/**
 * Replaces the rows of a view's dataset while reusing its tuples: each old tuple takes a new row's
 * values and vega passes it on as modified; only the difference in count is inserted or removed.
 * Removing every tuple and inserting new ones (`view.data(name, rows)`) makes vega drop and
 * rebuild a scenegraph item per row and sweep its maps, about half of a redraw at 10k rows.
 */
class RowSwap {
  /** The dataset's tuples, in order. */
  private tuples: Record<string, unknown>[];

  constructor(
    private readonly view: DomView,
    private readonly name: string,
  ) {
    this.tuples = [...(view.data(name) as unknown as Record<string, unknown>[])];
  }

  /** Queues the change; the view's next run applies it. */
  swap(rows: readonly object[]): void {
    const next = rows as readonly Record<string, unknown>[];
    const keep = Math.min(this.tuples.length, next.length);
    const fields = new Set<string>();
    for (let i = 0; i < keep; i++) {
      const t = this.tuples[i]!;
      const r = next[i]!;
      for (const f in r) {
        if (t[f] !== r[f]) {
          t[f] = r[f];
          fields.add(f);
        }
      }
    }
    const changes = this.view.changeset();
    if (next.length > keep) {
      const added = next.slice(keep).map((r) => ({ ...r }));
      changes.insert(added);
      this.tuples.push(...added);
    } else if (this.tuples.length > keep) {
      changes.remove(this.tuples.splice(keep));
    }
    // The values are written already: a predicate that matches nothing only tells vega which
    // fields changed, and reflow() hands every kept tuple on as modified.
    for (const f of fields) changes.modify(() => false, f, null);
    if (fields.size > 0) changes.reflow();
    this.view.change(this.name, changes);
  }
}

/** Calls `fn` at the next frame (or in 16 ms where there are no frames). */
export function requestFrame(fn: () => void): void {
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
