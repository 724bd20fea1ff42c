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
 *
 * The notebook side (`display`, `liveDisplay`, runs drawing themselves) is in render-notebook.ts,
 * live metric charts that re-cut their points on zoom in render-chart.ts, and the virtualized DOM
 * run table in render-table.ts; none of them imports vega.
 *
 * vega, vega-lite and vega-embed are loaded with `import()` on first use, so importing
 * `trackbook/widgets` costs nothing until something is drawn, and tslab (which cannot `require`
 * ESM with top-level await) loads them through a genuine dynamic import (integration-notes §1.4).
 *
 * @module
 */
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
