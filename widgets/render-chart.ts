/**
 * Live metric charts in a page: whenever the visible x range changes (wheel, drag, or `zoom()`),
 * the points of that range are cut again from the histories and swapped into the drawn chart as
 * one change set (never a new chart), so a zoom into 1% of a 1M-point series shows its raw points.
 *
 * - {@link showMetricChart}: histories in memory, cut here.
 * - {@link showStoredMetricChart}: histories in a store (or a tracker); the first paint and each
 *   zoom read only their cut ({@link loadChartSeries}: chunk summaries, and raw chunks only for
 *   the ends of a zoomed range, in the IndexedDB store).
 *
 * Uses vega through {@link show} only; vega's view is reached through the few methods typed here.
 *
 * @module
 */
import type { HistoryReader } from "../src/store/store.js";
import { chartRows, metricChartSpec, type ChartSeries, type MetricChartOptions } from "./metric-chart.js";
import { LineOverlay, extentRows, pageSpec, type LineRow, type OverlayView } from "./line-overlay.js";
import { requestFrame, show, type Shown } from "./render.js";
import type { VegaLiteSpec } from "./spec.js";
import { drawsFromCuts, loadChartSeries, type SeriesRef } from "./stored-series.js";

/** The parts of a vega changeset the live chart uses. */
type Changeset = {
  insert(tuples: object[]): Changeset;
  remove(tuples: object[]): Changeset;
  modify(match: (t: object) => boolean, field: string, value: null): Changeset;
  reflow(): Changeset;
};

/** The parts of a vega View in a page that the live chart uses. */
type DomView = OverlayView & {
  data(name: string): object[];
  change(name: string, changes: Changeset): DomView;
  changeset(): Changeset;
  signal(name: string): unknown;
  setState(state: { signals?: Record<string, unknown>; data?: Record<string, object[]> }): DomView;
  runAsync(): Promise<DomView>;
  addSignalListener(name: string, fn: (name: string, value: unknown) => void): void;
  runAfter(fn: () => void, enqueue?: boolean): void;
  /** vega-embed's tooltip handler (vega-tooltip), called as vega calls it. */
  tooltip(): ((this: unknown, handler: unknown, event: unknown, item: unknown, value: unknown) => void) | undefined;
};

/** The few DOM members the hover reads (the package's types carry no DOM lib). */
type PointerEvent = { clientX: number; clientY: number };
type HoverTarget = {
  addEventListener(type: "mousemove" | "mouseleave", fn: (e: PointerEvent) => void): void;
  removeEventListener(type: "mousemove" | "mouseleave", fn: (e: PointerEvent) => void): void;
  querySelector(selector: "canvas"): { getBoundingClientRect(): { left: number; top: number } } | null;
};

/**
 * Tooltips for a chart whose lines the overlay strokes: vega would hit-test its own unpainted
 * stand-in line, so the pointer is matched here against the rows drawn (the nearest within 8 px,
 * at most once a frame) and shown through vega's tooltip handler. Returns what removes it.
 */
function hoverTooltips(view: DomView, overlay: LineOverlay): () => void {
  const el = view.container() as unknown as HoverTarget | null;
  const tip = view.tooltip();
  if (!el || !tip) return () => undefined;
  let last: PointerEvent | undefined;
  let queued = false;
  const show = () => {
    queued = false;
    const base = el.querySelector("canvas");
    if (!last || !base) return;
    const box = base.getBoundingClientRect();
    const row = overlay.hit(last.clientX - box.left, last.clientY - box.top) as (LineRow & { step?: number }) | undefined;
    tip.call(view, undefined, last, null, row ? { run: row.run, key: row.key, step: row.step ?? row.x, value: row.y } : null);
  };
  const move = (e: PointerEvent) => {
    last = e;
    if (!queued) {
      queued = true;
      requestFrame(show);
    }
  };
  const leave = (e: PointerEvent) => {
    last = undefined;
    tip.call(view, undefined, e, null, null);
  };
  el.addEventListener("mousemove", move);
  el.addEventListener("mouseleave", leave);
  return () => {
    el.removeEventListener("mousemove", move);
    el.removeEventListener("mouseleave", leave);
  };
}

/** A live chart of stored histories: {@link show} plus zooming that re-reads the visible range. */
export type StoredChartHandle = Shown & {
  /** Shows `[lo, hi]` of x (undefined: everything), with the points of that range re-cut. */
  zoom(domain?: readonly [number, number]): Promise<void>;
  /**
   * The rows the chart draws now (its `points` data as `metricChartSpec` would hold it). A chart
   * of one line layer strokes them itself (line-overlay.ts): vega's `points` then holds only the
   * rows that fix its scales.
   */
  rows(): readonly object[];
};

/** A live metric chart of histories in memory. */
export type ChartHandle = StoredChartHandle & {
  /**
   * Replaces the series (e.g. with longer histories during training) and redraws in place: one
   * change set to the chart's `points`, at most every `intervalMs` (default 250 ms; the last call
   * wins), so a chart fed every step still redraws only a few times a second.
   */
  update(series: readonly ChartSeries[]): void;
};

type Domain = readonly [number, number] | undefined;

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
  let current = series;
  const chart = await liveChart(target, metricChartSpec(series, options), (d) => chartRows(current, { ...options, ...(d ? { xDomain: d } : {}) }).rows);
  let updateTimer: ReturnType<typeof setTimeout> | undefined;
  let lastUpdate = 0;
  return {
    ...chart.handle,
    update(next) {
      current = next;
      if (updateTimer !== undefined) return;
      updateTimer = setTimeout(() => {
        updateTimer = undefined;
        lastUpdate = Date.now();
        chart.redraw();
      }, Math.max(0, lastUpdate + (options.intervalMs ?? 250) - Date.now()));
    },
    finalize() {
      if (updateTimer !== undefined) clearTimeout(updateTimer);
      chart.handle.finalize();
    },
  };
}

/**
 * Draws a metric chart of histories kept in `source` (a store or a tracker), reading only what
 * it draws: each series cut to the chart's budget (from the IndexedDB store's chunk summaries),
 * and on each zoom the cut of the visible range. Charts that need every point (smoothing, time
 * or another metric on the x axis) read the whole histories once and cut them in memory.
 *
 * @example
 * ```ts
 * const chart = await showStoredMetricChart("#loss", store, runIds.map((runId) => ({ runId, key: "loss" })), { width: 600 });
 * await chart.zoom([500_000, 510_000]); // reads the chunks of that range; every raw point drawn
 * ```
 */
export async function showStoredMetricChart(target: object | string, source: HistoryReader, refs: readonly SeriesRef[], options: MetricChartOptions = {}): Promise<StoredChartHandle> {
  const series = await loadChartSeries(source, refs, options);
  if (!drawsFromCuts(options)) return showMetricChart(target, series, options);
  const rowsFor = async (d: Domain) => {
    const o = { ...options, ...(d ? { xDomain: d } : {}) };
    return chartRows(await loadChartSeries(source, refs, o), o).rows;
  };
  return (await liveChart(target, metricChartSpec(series, options), rowsFor)).handle;
}

/** A drawn chart whose rows follow its visible x range, cut by `rowsFor`. */
async function liveChart(target: object | string, spec: VegaLiteSpec, rowsFor: (domain: Domain) => object[] | Promise<object[]>) {
  const page = pageSpec(spec);
  const shown = await show(target, page?.spec ?? spec);
  const view = shown.view as DomView;
  const points = new RowSwap(view, "points");
  // The rows drawn; with an overlay, stroked by it after each run of the view (its scales set).
  let drawn = (spec.data as { values: object[] }).values;
  const overlay = page && new LineOverlay(view, page.style);
  const paint = () => overlay?.draw(drawn as LineRow[]);
  paint();
  const unhover = overlay ? hoverTooltips(view, overlay) : undefined;
  // One stroke per run of the view: a zoom queues it for its new rows, and the zoom signal it sets
  // asks again during the same run.
  let paintQueued = false;
  const queuePaint = () => {
    if (!overlay || paintQueued) return;
    paintQueued = true;
    view.runAfter(() => {
      paintQueued = false;
      paint();
    }, true);
  };
  // The range whose rows are drawn, and the newest request (an older answer is dropped).
  let applied = "all";
  let latest = 0;
  const apply = async (domain: Domain, force = false): Promise<"drawn" | "same" | "stale"> => {
    const key = domain ? `${domain[0]}:${domain[1]}` : "all";
    if (key === applied && !force) return "same";
    const ticket = ++latest;
    const rows = await rowsFor(domain);
    if (ticket !== latest) return "stale";
    applied = key;
    drawn = rows;
    points.swap(overlay ? extentRows(rows as LineRow[]) : rows);
    queuePaint();
    return "drawn";
  };
  const failed = (e: unknown) => console.error("trackbook: redrawing the chart failed:", e);
  let wanted: Domain;
  let scheduled = false;
  view.addSignalListener("zoom", (_name, value) => {
    const x = (value as { x?: [number, number] } | null)?.x;
    wanted = x && x.length === 2 ? [Math.min(x[0], x[1]), Math.max(x[0], x[1])] : undefined;
    // The drawn rows follow the new x scale at once, as vega's own line would, until re-cut.
    queuePaint();
    // Wheel and drag send many changes a frame: only the latest range is cut, once per frame.
    if (scheduled) return;
    scheduled = true;
    requestFrame(() => {
      scheduled = false;
      // The range zoom() just drew comes back here too: nothing to cut or run again.
      apply(wanted).then((r) => (r === "drawn" ? view.runAsync() : undefined), failed);
    });
  });
  const faceted = "facet" in spec;
  const handle: StoredChartHandle = {
    ...shown,
    rows: () => drawn,
    finalize() {
      unhover?.();
      overlay?.remove();
      shown.finalize();
    },
    async zoom(domain) {
      const d: [number, number] | null = domain ? [domain[0], domain[1]] : null;
      if ((await apply(d ?? undefined)) === "stale") return;
      // New points and the new x domain in one dataflow run, so each point is encoded once. The
      // interval selection bound to the x scale drives its domain: from `zoom_x` in a faceted
      // chart, else from the selection's store, which vega-lite fills in a second run after
      // `zoom_x` changes (encoding every point again). Setting both as view state does it in
      // one run; the store's tuple is the one an interaction on the chart's first layer writes.
      const store = d ? [{ unit: "layer_0", fields: view.signal("zoom_tuple_fields"), values: [d] }] : [];
      view.setState(faceted ? { signals: { zoom_x: d } } : { signals: { zoom_x: d }, data: { zoom_store: store } });
      await view.runAsync();
    },
  };
  const redraw = () => void apply(wanted, true).then((r) => (r === "drawn" ? view.runAsync() : undefined), failed);
  return { handle, redraw };
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
    this.tuples = [...(view.data(name) as Record<string, unknown>[])];
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
