/**
 * Run colours that stay the same in every chart: a run's colour comes from its id, not from its
 * position in the current selection, so the same run is the same colour in the loss chart, the
 * accuracy chart and the compare view (what W&B users expect; MLflow recolours by position).
 *
 * Vega-Lite's `tableau10` palette. Two runs of one view whose ids hash to the same colour would be
 * told apart by the legend only, so within a view ({@link runColors}) the run with the smaller id
 * keeps the colour and the other takes the next free one: the same runs get the same colours in
 * every view, and a run moves only when it shares a view with a colliding run. Past ten runs
 * colours repeat, so the colour is never the only cue: legends and tooltips name the run.
 *
 * @module
 */

/** Tableau 10, Vega-Lite's default categorical scheme. */
export const PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"] as const;

/**
 * The colour of a run: FNV-1a of its id, modulo the palette.
 *
 * @example
 * ```ts
 * runColor("0123456789abcdef0123456789abcdef"); // always the same "#…" for this run
 * ```
 */
export function runColor(runId: string): string {
  return PALETTE[slot(runId)]!;
}

function slot(runId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % PALETTE.length;
}

/**
 * The colours of the runs of one view: each run's own {@link runColor}, except that runs sharing
 * a colour are moved to free ones (up to ten runs, all distinct). Depends only on the set of ids,
 * not their order, so every view of the same runs agrees.
 *
 * @example
 * ```ts
 * const colors = runColors(runs.map((r) => r.info.runId)); // Map runId → "#…"
 * ```
 */
export function runColors(runIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(runIds)].sort();
  const taken = new Set<number>();
  const out = new Map<string, string>();
  const moved: string[] = [];
  for (const id of ids) {
    const s = slot(id);
    if (taken.has(s)) moved.push(id);
    else taken.add(s), out.set(id, PALETTE[s]!);
  }
  for (const id of moved) {
    let s = slot(id);
    for (let k = 0; k < PALETTE.length && taken.has(s); k++) s = (s + 1) % PALETTE.length;
    if (taken.size < PALETTE.length) taken.add(s);
    out.set(id, PALETTE[s]!);
  }
  return out;
}

/**
 * A Vega-Lite colour scale that maps each run label to its run's colour: an explicit domain and
 * range, so Vega assigns nothing by position.
 */
export function runColorScale(runs: readonly { label: string; runId: string }[]): { domain: string[]; range: string[] } {
  const colors = runColors(runs.map((r) => r.runId));
  const seen = new Map<string, string>();
  for (const r of runs) if (!seen.has(r.label)) seen.set(r.label, colors.get(r.runId)!);
  return { domain: [...seen.keys()], range: [...seen.values()] };
}
