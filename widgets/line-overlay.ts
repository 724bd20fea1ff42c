/**
 * The lines of a live metric chart in a page, drawn on a canvas of their own over vega's.
 *
 * Vega spends about 5–15 µs per row on a line (tuple bookkeeping, encoding, scenegraph items,
 * sorting), so a zoom into 1% of a 1M-point series — 10,000 raw rows, every one drawn — took most
 * of its time in vega. Here vega keeps what it does well (scales, axes, grid, legend, the zoom and
 * pan interaction) and gets only the rows that fix its scale domains: per series the first and
 * last point and the lowest and highest value, so its x and y domains are those of all the
 * rows. Its line is kept but not painted (no stroke opacity); the rows themselves are stroked
 * here with vega's own scales after each of its runs, clipped to the plot area as vega-lite clips
 * marks of a chart whose scales a selection drives.
 *
 * Only the page renderer does this ({@link pageSpec}); the spec a notebook gets stays the plain
 * Vega-Lite v5 spec of `metricChartSpec`. A chart it cannot draw this way (several panels, a
 * smoothed layer) keeps every row in vega.
 *
 * @module
 */
import type { VegaLiteSpec } from "./spec.js";

/** A row of a metric chart's `points` data, as far as the lines need it. */
export type LineRow = { run: string; key: string; x: number; y: number };

/** How the chart's line is stroked: its colour per run label, width and opacity. */
export type LineStyle = { color: (run: string) => string; strokeWidth: number; opacity: number };

/**
 * The page's variant of a metric chart spec: the same chart with its `points` rows cut to
 * {@link extentRows} and its line left unpainted, and the style to stroke the rows with; undefined
 * for a spec that is not one line layer (faceted, smoothed), which is drawn by vega as it is.
 */
export function pageSpec(spec: VegaLiteSpec): { spec: VegaLiteSpec; style: LineStyle } | undefined {
  const layers = spec.layer as { mark: Record<string, unknown>; encoding: Record<string, unknown> }[] | undefined;
  if ("facet" in spec || !layers || layers.length !== 1) return undefined;
  const [layer] = layers;
  const data = spec.data as { values: LineRow[] };
  const color = layer!.encoding.color as { value?: string; scale?: { domain: string[]; range: string[] } };
  const byRun = new Map(color.scale?.domain.map((d, i) => [d, color.scale!.range[i % color.scale!.range.length]!]));
  const style: LineStyle = {
    color: (run) => color.value ?? byRun.get(run) ?? "#4c78a8",
    strokeWidth: Number(layer!.mark.strokeWidth ?? 1),
    opacity: Number(layer!.mark.opacity ?? 1),
  };
  // No tooltip from vega: it would hit-test its unpainted line of a few rows; the page's hover
  // matches the drawn rows instead (render-chart.ts).
  const { tooltip: _, ...encoding } = layer!.encoding;
  return {
    spec: { ...spec, data: { ...data, values: extentRows(data.values) }, layer: [{ ...layer, mark: { ...layer!.mark, strokeOpacity: 0 }, encoding }] },
    style,
  };
}

/**
 * Per series (a run of rows with one run and key), its first and last row and a row with its
 * lowest and its highest y: vega's scale domains (extents of x and y) over these are those over
 * all of `rows`.
 */
export function extentRows<R extends LineRow>(rows: readonly R[]): R[] {
  const out: R[] = [];
  for (let a = 0; a < rows.length; ) {
    const { run, key } = rows[a]!;
    let b = a + 1;
    let [lo, hi] = [a, a];
    for (; b < rows.length && rows[b]!.run === run && rows[b]!.key === key; b++) {
      if (rows[b]!.y < rows[lo]!.y) lo = b;
      if (rows[b]!.y > rows[hi]!.y) hi = b;
    }
    for (const i of new Set([a, lo, hi, b - 1].sort((p, q) => p - q))) out.push(rows[i]!);
    a = b;
  }
  return out;
}

/** The few DOM members the overlay uses (the package's types carry no DOM lib). */
type Style = { cssText: string; position: string; width: string; height: string; left: string; top: string };
type Context = {
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  save(): void;
  restore(): void;
  beginPath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  lineWidth: number;
  globalAlpha: number;
  strokeStyle: string;
};
type Canvas = {
  width: number;
  height: number;
  style: Style;
  offsetLeft: number;
  offsetTop: number;
  parentElement: { style: Style } | null;
  getContext(kind: "2d"): Context | null;
  setAttribute(name: string, value: string): void;
  after(node: Canvas): void;
  remove(): void;
};

/** The parts of a vega View the overlay reads (vega-view types are not imported: see render.ts). */
export type OverlayView = {
  container(): { querySelector(selector: "canvas"): Canvas | null } | null;
  origin(): [number, number];
  padding(): { left: number; top: number };
  signal(name: string): unknown;
  scale(name: string): ((v: number) => number) | undefined;
};

/** A canvas over vega's on which the chart's rows are stroked, one path per series. */
export class LineOverlay {
  private readonly canvas: Canvas;
  /** The rows last stroked, and where each was drawn (CSS px from the canvas's corner; NaN if clipped away). */
  private stroked: readonly LineRow[] = [];
  private at = new Float64Array(0);

  constructor(
    private readonly view: OverlayView,
    private readonly style: LineStyle,
  ) {
    this.canvas = (globalThis as unknown as { document: { createElement(tag: "canvas"): Canvas } }).document.createElement("canvas");
    // Wheel and drag go through to vega's canvas underneath.
    this.canvas.style.cssText = "position:absolute;pointer-events:none";
    this.canvas.setAttribute("aria-hidden", "true");
  }

  /** Strokes `rows` with the view's current scales (call after each of its runs). */
  draw(rows: readonly LineRow[]): void {
    const base = this.view.container()?.querySelector("canvas");
    const sx = this.view.scale("x");
    const sy = this.view.scale("y");
    if (!base || base === this.canvas || !sx || !sy) return;
    const c = this.fit(base);
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const ratio = base.width / (parseFloat(base.style.width) || base.width);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    // Where vega's renderer puts the plot's origin: its padding plus the view's origin.
    const [ox, oy] = this.view.origin();
    const pad = this.view.padding();
    ctx.setTransform(ratio, 0, 0, ratio, ratio * (pad.left + ox), ratio * (pad.top + oy));
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, Number(this.view.signal("width")), Number(this.view.signal("height")));
    ctx.clip();
    ctx.lineWidth = this.style.strokeWidth;
    ctx.globalAlpha = this.style.opacity;
    // Where each row lands is kept for hover (hit): the stroke computes it anyway.
    const [w, h] = [Number(this.view.signal("width")), Number(this.view.signal("height"))];
    const at = this.at.length >= 2 * rows.length ? this.at : (this.at = new Float64Array(2 * rows.length));
    const put = (i: number, x: number, y: number) => {
      const inside = x >= 0 && x <= w && y >= 0 && y <= h;
      at[2 * i] = inside ? x + pad.left + ox : NaN;
      at[2 * i + 1] = y + pad.top + oy;
    };
    for (let a = 0; a < rows.length; ) {
      const { run, key } = rows[a]!;
      ctx.beginPath();
      let x = sx(rows[a]!.x);
      let y = sy(rows[a]!.y);
      ctx.moveTo(x, y);
      put(a, x, y);
      let b = a + 1;
      for (; b < rows.length && rows[b]!.run === run && rows[b]!.key === key; b++) {
        x = sx(rows[b]!.x);
        y = sy(rows[b]!.y);
        ctx.lineTo(x, y);
        put(b, x, y);
      }
      ctx.strokeStyle = this.style.color(run);
      ctx.stroke();
      a = b;
    }
    ctx.restore();
    this.stroked = rows;
  }

  /**
   * The stroked row nearest to (`x`, `y`) — CSS px from the top left of vega's canvas — within
   * `reach` px, or undefined. A linear scan of the positions the last stroke kept: ~20 µs at 10k rows.
   */
  hit(x: number, y: number, reach = 8): LineRow | undefined {
    let best = -1;
    let bestD = reach * reach;
    for (let i = 0; i < this.stroked.length; i++) {
      const dx = this.at[2 * i]! - x;
      const dy = this.at[2 * i + 1]! - y;
      const d = dx * dx + dy * dy;
      // The first of rows drawn at one spot wins (clipped rows are NaN and never match).
      if (d < bestD || (best < 0 && d === bestD)) [best, bestD] = [i, d];
    }
    return best < 0 ? undefined : this.stroked[best];
  }

  /** Takes the canvas off the page. */
  remove(): void {
    this.canvas.remove();
  }

  /** The overlay, placed over `base` with its size (vega may resize its canvas). */
  private fit(base: Canvas): Canvas {
    const c = this.canvas;
    if (c.parentElement !== base.parentElement) {
      base.parentElement!.style.position ||= "relative";
      base.after(c);
    }
    if (c.width !== base.width || c.height !== base.height) [c.width, c.height] = [base.width, base.height];
    if (c.style.width !== base.style.width || c.style.height !== base.style.height) [c.style.width, c.style.height] = [base.style.width, base.style.height];
    const [left, top] = [`${base.offsetLeft}px`, `${base.offsetTop}px`];
    if (c.style.left !== left || c.style.top !== top) [c.style.left, c.style.top] = [left, top];
    return c;
  }
}
