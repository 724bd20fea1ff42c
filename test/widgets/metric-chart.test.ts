import { describe, expect, it } from "vitest";
import { metricChartSpec, runColor, type SeriesAccount } from "../../widgets/index.js";
import { series } from "./fixtures.js";

const ID = (n: number) => n.toString(16).padStart(32, "0");
type Row = { run: string; key: string; x: number; y: number; step: number; smooth?: number };
const rowsOf = (spec: object) => (spec as { data: { values: Row[] } }).data.values;
const accountsOf = (spec: object) => (spec as { usermeta: { trackbook: { series: SeriesAccount[] } } }).usermeta.trackbook.series;

describe("metricChartSpec", () => {
  it("cuts a 1M-point history to the default budget and records how many points were drawn", () => {
    const s = series(ID(1), "loss", 1_000_000, (i) => (i === 654_321 ? 100 : Math.sin(i)), "big");
    const spec = metricChartSpec([s], { width: 600 });
    const rows = rowsOf(spec);
    expect(rows.length).toBeLessThanOrEqual(10_000);
    expect(rows.some((r) => r.y === 100 && r.step === 654_321)).toBe(true);
    expect(accountsOf(spec)).toEqual([{ runId: ID(1), run: "big", key: "loss", points: 1_000_000, drawn: rows.length, leftOut: 0 }]);
  });

  it("re-downsamples only the zoomed range: 1% of 1M points comes back raw", () => {
    const s = series(ID(1), "loss", 1_000_000, (i) => Math.cos(i));
    const rows = rowsOf(metricChartSpec([s], { xDomain: [250_000, 259_999] }));
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 10_000 }, (_, i) => 250_000 + i));
  });

  it("gives a run the same colour in every chart, whatever the other runs, unless one of them would share it", () => {
    const a = series(ID(7), "loss", 10, (i) => i, "a");
    const b = series(ID(8), "loss", 10, (i) => i, "b");
    // One series is drawn in a constant colour; several through the run colour scale.
    type Colour = { value?: string; scale?: { domain: string[]; range: string[] } };
    const colourOf = (spec: object, label: string) => {
      const c = (spec as { layer: { encoding: { color: Colour } }[] }).layer[0]!.encoding.color;
      return c.value ?? c.scale!.range[c.scale!.domain.indexOf(label)];
    };
    expect(colourOf(metricChartSpec([a]), "a")).toBe(runColor(ID(7)));
    expect(colourOf(metricChartSpec([b, a]), "a")).toBe(runColor(ID(7)));
  });

  it("draws the EMA over a faint raw series when smoothing", () => {
    const s = series(ID(1), "loss", 100, (i) => (i % 2 ? 1 : 0));
    const spec = metricChartSpec([s], { smoothing: 0.9 }) as unknown as { layer: { mark: { opacity?: number }; encoding: { y: { field: string } } }[] };
    expect(spec.layer.map((l) => l.encoding.y.field)).toEqual(["y", "smooth"]);
    expect(spec.layer[0]!.mark.opacity).toBeLessThan(1);
    const rows = rowsOf(spec);
    expect(rows[0]!.smooth).toBe(0); // debiased: the first point is itself
    expect(Math.abs(rows[99]!.smooth! - 0.5)).toBeLessThan(0.1);
  });

  it("leaves out values a log axis cannot show, and NaN/Inf anywhere, and counts them", () => {
    const s = series(ID(1), "loss", 6, (i) => [1, 0, -1, NaN, Infinity, 10][i]!);
    expect(rowsOf(metricChartSpec([s], { yScale: "log" })).map((r) => r.y)).toEqual([1, 10]);
    expect(accountsOf(metricChartSpec([s], { yScale: "log" }))[0]!.leftOut).toBe(4);
    expect(rowsOf(metricChartSpec([s])).map((r) => r.y)).toEqual([1, 0, -1, 10]);
  });

  it("puts another metric on the x axis, joined by step", () => {
    const loss = series(ID(1), "loss", 4, (i) => 10 - i);
    const epoch = { ...series(ID(1), "epoch", 2, (i) => i * 2), steps: Float64Array.of(0, 2) };
    const rows = rowsOf(metricChartSpec([loss, epoch], { x: { metric: "epoch" } }));
    expect(rows.map((r) => [r.x, r.y])).toEqual([[0, 10], [2, 8]]);
    expect(new Set(rows.map((r) => r.key))).toEqual(new Set(["loss"]));
  });

  it("measures relative time from each run's first point, in seconds", () => {
    const s = series(ID(1), "loss", 3, (i) => i);
    expect(rowsOf(metricChartSpec([s], { x: "relative" })).map((r) => r.x)).toEqual([0, 0.1, 0.2]);
  });

  it("makes one panel per metric key, each with its own y scale", () => {
    const spec = metricChartSpec([series(ID(1), "loss", 5, (i) => i), series(ID(1), "acc", 5, (i) => i)]) as unknown as { facet: { row: { sort: string[] } }; resolve: object };
    expect(spec.facet.row.sort).toEqual(["loss", "acc"]);
    expect(spec.resolve).toEqual({ scale: { y: "independent" } });
  });

  it("tells apart two runs with the same name", () => {
    const rows = rowsOf(metricChartSpec([series(ID(1), "loss", 1, () => 1, "same"), series(ID(2), "loss", 1, () => 1, "same")]));
    expect(rows.map((r) => r.run)).toEqual([`same (${ID(1).slice(0, 8)})`, `same (${ID(2).slice(0, 8)})`]);
  });
});
