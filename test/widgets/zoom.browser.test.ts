import { afterAll, describe, expect, it } from "vitest";
import { showMetricChart, type ChartHandle } from "../../widgets/index.js";
import { ID, series } from "./fixtures.js";

const handles: ChartHandle[] = [];
afterAll(() => handles.forEach((h) => h.finalize()));

type View = { data(name: string): { step: number }[]; scale(name: string): { domain(): number[] } };
/** The rows a live chart draws (a one-line chart strokes them itself: line-overlay.ts). */
const drawn = (chart: ChartHandle) => chart.rows() as { step: number }[];

describe("a live metric chart in Chromium", () => {
  it("zoomed into 1% of a 1M-point series draws every raw point of that range, and zooms back out", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const s = series(ID(1), "loss", 1_000_000, (i) => Math.sin(i / 1000) + (i === 123_456 ? 5 : 0), "big");
    const chart = await showMetricChart(el, [s], { width: 600 });
    handles.push(chart);
    const view = chart.view as View;
    expect(drawn(chart).length).toBeLessThanOrEqual(10_000);
    expect(drawn(chart).some((r) => r.step === 123_456)).toBe(true);

    await chart.zoom([300_000, 309_999]);
    expect(drawn(chart).map((r) => r.step)).toEqual(Array.from({ length: 10_000 }, (_, i) => 300_000 + i));
    const [lo, hi] = view.scale("x").domain();
    expect(lo).toBeCloseTo(300_000, -2);
    expect(hi).toBeCloseTo(309_999, -2);

    await chart.zoom();
    expect(drawn(chart).length).toBeLessThanOrEqual(10_000);
    expect(view.scale("x").domain()[1]).toBeGreaterThan(900_000);
  });

  it("a zoom leaves the chart's zoom selection as a drag would, so a double click still zooms out", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const chart = await showMetricChart(el, [series(ID(3), "loss", 50_000, (i) => Math.cos(i / 100))], { width: 400 });
    handles.push(chart);
    const view = chart.view as View & { signal(name: string): unknown; runAsync(): Promise<unknown> };
    await chart.zoom([1000, 1999]);
    expect(view.signal("zoom")).toEqual({ x: [1000, 1999] });
    expect(drawn(chart).map((r) => r.step)).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    el.querySelector("canvas")!.dispatchEvent(new MouseEvent("dblclick", { bubbles: true, clientX: 100, clientY: 100 }));
    await view.runAsync();
    await new Promise((r) => requestAnimationFrame(r));
    await view.runAsync();
    expect(view.signal("zoom")).toEqual({});
    expect(view.scale("x").domain()[1]).toBeGreaterThan(45_000);
    expect(drawn(chart).length).toBeLessThan(5000);
  });

  it("updates in place while training, at most a few times a second, the last series winning", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const chart = await showMetricChart(el, [series(ID(2), "loss", 10, (i) => 1 / (i + 1))], { intervalMs: 200 });
    handles.push(chart);
    const view = chart.view as View & { change(name: string, changes: object): unknown };
    // Every change to the chart's rows reaches vega as a change set on "points".
    let changes = 0;
    const change = view.change.bind(view);
    (view as { change: unknown }).change = (name: string, set: object) => {
      if (name === "points") changes++;
      return change(name, set);
    };
    for (let n = 11; n <= 60; n++) chart.update([series(ID(2), "loss", n, (i) => 1 / (i + 1))]);
    await new Promise((r) => setTimeout(r, 500));
    expect(changes).toBe(1);
    expect(drawn(chart).map((r) => r.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});
