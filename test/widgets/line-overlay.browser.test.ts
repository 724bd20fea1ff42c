import { afterAll, describe, expect, it } from "vitest";
import { metricChartSpec, show, showMetricChart, type ChartSeries, type MetricChartOptions } from "../../widgets/index.js";
import { ID, series } from "./fixtures.js";

const shown: { finalize(): void }[] = [];
afterAll(() => shown.forEach((s) => s.finalize()));

function host(): HTMLElement {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

/** The pixels of the element's canvases laid over each other, as the page shows them. */
function pixels(el: HTMLElement): { width: number; data: Uint8ClampedArray } {
  const canvases = [...el.querySelectorAll("canvas")];
  const out = document.createElement("canvas");
  [out.width, out.height] = [canvases[0]!.width, canvases[0]!.height];
  const ctx = out.getContext("2d")!;
  for (const c of canvases) ctx.drawImage(c, 0, 0);
  return { width: out.width, data: ctx.getImageData(0, 0, out.width, out.height).data };
}

/** How many pixels differ by more than a rounding step (laying one canvas over another rounds). */
function differing(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (Math.max(Math.abs(a[i]! - b[i]!), Math.abs(a[i + 1]! - b[i + 1]!), Math.abs(a[i + 2]! - b[i + 2]!), Math.abs(a[i + 3]! - b[i + 3]!)) > 2) n++;
  return n;
}

const wave = (k: number) => (i: number) => 1 / Math.sqrt(i + 1) + 0.05 * Math.sin(i / (7 + k)) + (i === 1200 + k ? 0.8 : 0);
const cases: [string, ChartSeries[], MetricChartOptions][] = [
  ["one series", [series(ID(1), "loss", 20_000, wave(0), "a")], { width: 500 }],
  ["three runs in their colours", [0, 1, 2].map((k) => series(ID(k + 1), "loss", 3000, wave(k), `run-${k}`)), { width: 400 }],
  ["a log axis", [0, 1].map((k) => series(ID(k + 1), "loss", 3000, wave(k), `run-${k}`)), { yScale: "log" }],
  ["wall time on x", [series(ID(1), "loss", 3000, wave(0), "a")], { x: "time" }],
];

describe("a live metric chart's lines, drawn over vega's canvas", () => {
  for (const [name, s, options] of cases) {
    it(`look as vega draws them: ${name}`, async () => {
      const plain = host();
      shown.push(await show(plain, metricChartSpec(s, options)));
      const live = host();
      const chart = await showMetricChart(live, s, options);
      shown.push(chart);
      // vega holds a few rows per series (what fixes its scales); the lines are drawn from all.
      expect((chart.view as { data(n: string): object[] }).data("points").length).toBeLessThanOrEqual(4 * s.length);
      expect(chart.rows().length).toBeGreaterThan(1000);
      const [a, b] = [pixels(plain), pixels(live)];
      expect(a.width).toBe(b.width);
      expect(differing(a.data, b.data)).toBe(0);
    });
  }

  it("shows the drawn point under the pointer (run, step, value) in vega's tooltip, and hides it when the pointer leaves", async () => {
    const s = [0, 1].map((k) => series(ID(k + 1), "loss", 3000, wave(k), `run-${k}`));
    const live = host();
    const chart = await showMetricChart(live, s, { width: 400 });
    shown.push(chart);
    const view = chart.view as { scale(n: string): (v: number) => number; origin(): [number, number]; padding(): { left: number; top: number }; container(): HTMLElement };
    const rows = chart.rows() as { run: string; x: number; y: number; step: number }[];
    const row = rows.find((r) => r.run === "run-1" && r.step === 1201)!; // run-1's spike: no other row near it
    expect(row).toBeDefined();
    const canvas = live.querySelector("canvas")!;
    const box = canvas.getBoundingClientRect();
    const [ox, oy] = view.origin();
    const pad = view.padding();
    const at = { clientX: box.left + pad.left + ox + view.scale("x")(row.x), clientY: box.top + pad.top + oy + view.scale("y")(row.y) };
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    canvas.dispatchEvent(new MouseEvent("mousemove", { ...at, bubbles: true }));
    await frame();
    const tip = document.getElementById("vg-tooltip-element")!;
    expect(tip.classList.contains("visible")).toBe(true);
    expect(tip.textContent).toContain("run-1");
    expect(tip.textContent).toContain("1201");
    // Far from every line (the plot's top left corner, above the curves' start): nothing to show.
    canvas.dispatchEvent(new MouseEvent("mousemove", { clientX: box.left + pad.left + ox + 300, clientY: box.top + pad.top + oy + 2, bubbles: true }));
    await frame();
    expect(tip.classList.contains("visible")).toBe(false);
    canvas.dispatchEvent(new MouseEvent("mousemove", { ...at, bubbles: true }));
    await frame();
    expect(tip.classList.contains("visible")).toBe(true);
    view.container().dispatchEvent(new MouseEvent("mouseleave"));
    expect(tip.classList.contains("visible")).toBe(false);
  });

  it("follows a zoom, as the chart of that range drawn by vega", async () => {
    const s = [0, 1].map((k) => series(ID(k + 1), "loss", 50_000, wave(k), `run-${k}`));
    const live = host();
    const chart = await showMetricChart(live, s, { width: 500 });
    shown.push(chart);
    await chart.zoom([1000, 4999]);
    const before = pixels(live);
    // The same range again after zooming elsewhere: the same picture.
    await chart.zoom([20_000, 40_000]);
    expect(differing(before.data, pixels(live).data)).toBeGreaterThan(0);
    await chart.zoom([1000, 4999]);
    expect(differing(before.data, pixels(live).data)).toBe(0);
    expect(chart.rows().length).toBe(8000);
  });

  it("follows the chart's own interaction: a double click zooms back out to the first picture", async () => {
    const live = host();
    const chart = await showMetricChart(live, [series(ID(1), "loss", 30_000, wave(0))], { width: 400 });
    shown.push(chart);
    const first = pixels(live);
    await chart.zoom([1000, 1999]);
    expect(differing(first.data, pixels(live).data)).toBeGreaterThan(0);
    const view = chart.view as { runAsync(): Promise<unknown> };
    live.querySelector("canvas")!.dispatchEvent(new MouseEvent("dblclick", { bubbles: true, clientX: 100, clientY: 100 }));
    await view.runAsync();
    await new Promise((r) => requestAnimationFrame(r));
    await view.runAsync();
    expect(differing(first.data, pixels(live).data)).toBe(0);
  });

  it("is taken down with the chart", async () => {
    const live = host();
    const chart = await showMetricChart(live, [series(ID(1), "loss", 100, wave(0))]);
    expect(live.querySelectorAll("canvas").length).toBe(2);
    chart.finalize();
    // vega-embed leaves vega's own canvas in place, as it did before.
    expect(live.querySelectorAll("canvas").length).toBe(1);
  });
});
