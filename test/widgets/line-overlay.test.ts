import { describe, expect, it } from "vitest";
import { metricChartSpec } from "../../widgets/index.js";
import { extentRows, pageSpec } from "../../widgets/line-overlay.js";
import { ID, series } from "./fixtures.js";

const row = (run: string, key: string, x: number, y: number) => ({ run, key, x, y, step: x });

describe("the page's variant of a metric chart", () => {
  it("keeps per series its first and last row and its lowest and highest value, in order, each once", () => {
    const rows = [row("a", "k", 0, 5), row("a", "k", 1, 9), row("a", "k", 2, 1), row("a", "k", 3, 4), row("b", "k", 0, 2), row("b", "k", 5, 2), row("a", "m", 7, 3)];
    expect(extentRows(rows)).toEqual([rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6]]);
    const long = Array.from({ length: 100 }, (_, i) => row("a", "k", i, i === 40 ? -1 : i === 60 ? 99 : 0));
    expect(extentRows(long).map((r) => r.x)).toEqual([0, 40, 60, 99]);
    expect(extentRows([])).toEqual([]);
  });

  it("holds those rows, an unpainted line and no tooltip; the style strokes each run in its legend colour", () => {
    const s = [series(ID(1), "loss", 500, (i) => 1 / (i + 1), "run-1"), series(ID(2), "loss", 500, (i) => 2 / (i + 2), "run-2")];
    const spec = metricChartSpec(s, { width: 400 });
    const page = pageSpec(spec)!;
    const layer = (page.spec.layer as { mark: Record<string, unknown>; encoding: Record<string, unknown> }[])[0]!;
    // Each series falls from its first to its last row: those are its extremes too.
    expect((page.spec.data as { values: unknown[] }).values).toHaveLength(4);
    expect(layer.mark).toMatchObject({ type: "line", strokeWidth: 1.5, strokeOpacity: 0 });
    expect(layer.encoding.tooltip).toBeUndefined();
    const color = ((spec.layer as { encoding: { color: { scale: { domain: string[]; range: string[] } } } }[])[0]!.encoding.color.scale);
    expect(page.style.color("run-2")).toBe(color.range[color.domain.indexOf("run-2")]);
    expect(page.style).toMatchObject({ strokeWidth: 1.5, opacity: 1 });
    // The builder's spec is left as it was.
    expect((spec.data as { values: unknown[] }).values.length).toBeGreaterThan(4);
  });

  it("is not made for charts vega draws whole: panels per key, a smoothed layer", () => {
    const s = [series(ID(1), "loss", 50, (i) => i), series(ID(1), "acc", 50, (i) => i)];
    expect(pageSpec(metricChartSpec(s))).toBeUndefined();
    expect(pageSpec(metricChartSpec(s.slice(0, 1), { smoothing: 0.5 }))).toBeUndefined();
  });
});
