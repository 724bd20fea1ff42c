/**
 * Run colours that stay the same in every chart: a run's colour comes from its id, not from its
 * position in the current selection, so the same run is the same colour in the loss chart, the
 * accuracy chart and the compare view (what W&B users expect; MLflow recolours by position).
 *
 * Vega-Lite's `tableau10` palette; collisions are possible with more than ten runs, so the colour
 * is never the only cue: legends and tooltips name the run.
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
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

/**
 * A Vega-Lite colour scale that maps each run label to its run's colour: an explicit domain and
 * range, so Vega assigns nothing by position.
 */
export function runColorScale(runs: readonly { label: string; runId: string }[]): { domain: string[]; range: string[] } {
  const seen = new Map<string, string>();
  for (const r of runs) if (!seen.has(r.label)) seen.set(r.label, runColor(r.runId));
  return { domain: [...seen.keys()], range: [...seen.values()] };
}
