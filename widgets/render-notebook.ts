/**
 * Notebook output in a tslab kernel: {@link display}, {@link liveDisplay}, and runs and search
 * results that draw themselves as a cell's last value. tslab's public display API sends one mime
 * per message, so the kernel's own writer is used to send a whole bundle (integration-notes
 * §1.2–1.3).
 *
 * @module
 */
import { setDisplayHook } from "../src/display-hook.js";
import type { Run, RunPage } from "../src/entities.js";
import { describeSpec, displayBundle } from "./render.js";
import { runTableModel, runTableSpec } from "./run-table.js";
import { runTableHtml } from "./run-table-html.js";
import { VEGA_LITE_MIME, type VegaLiteSpec } from "./spec.js";

let nextId = 0;

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
 * `trackbook/widgets` is loaded inside a kernel. The output carries the Vega-Lite v5 spec, an
 * HTML `<table>` and plain text: `util.inspect` is synchronous and a static SVG is not, so the
 * HTML is a table rather than {@link display}'s `<img>`.
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
    const model = runTableModel(runs);
    const spec = runTableSpec(model);
    const text = describeSpec(spec);
    write({ data: { [VEGA_LITE_MIME]: spec, "text/html": runTableHtml(model), "text/plain": text }, metadata: {}, transient: {} }, false);
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

