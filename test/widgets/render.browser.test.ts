import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { compareSpec, metricChartSpec, runTableSpec, show, type VegaLiteSpec } from "../../widgets/index.js";
import { ID, run, series } from "./fixtures.js";

const runs = [run(1, { lr: "0.01", layers: "3" }, { loss: 0.5, acc: 0.8 }, "baseline"), run(2, { lr: "0.1", layers: "3" }, { loss: 0.3, acc: 0.85 }, "high-lr"), run(3, { lr: "0.001", layers: "4" }, { loss: 0.7, acc: 0.7 }, "deep")];
const histories = runs.map((r, k) => series(r.info.runId, "loss", 2000, (i) => 1 / Math.sqrt(i + 1) + 0.05 * Math.sin(i / (5 + k)) + (i === 1200 ? 0.8 : 0), r.info.runName));

const shown: { finalize(): void }[] = [];
afterAll(() => shown.forEach((s) => s.finalize()));
// Wide enough for the widest widget; the default test viewport would clip the screenshots.
beforeAll(() => page.viewport(1400, 1000));

/** Draws `spec` into a fresh element; returns the element and its canvas. */
async function draw(spec: VegaLiteSpec): Promise<{ el: HTMLElement; canvas: HTMLCanvasElement }> {
  const el = document.createElement("div");
  el.style.cssText = "display:inline-block;background:white;padding:8px";
  document.body.append(el);
  shown.push(await show(el, spec));
  return { el, canvas: el.querySelector("canvas")! };
}

/** Pixels that are neither transparent nor white, and how many distinct colours they have. */
function ink(canvas: HTMLCanvasElement): { pixels: number; colours: number } {
  const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
  let pixels = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
    if (a < 16 || (r > 245 && g > 245 && b > 245)) continue;
    pixels++;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return { pixels, colours: colours.size };
}

describe("widgets in Chromium", () => {
  it("draws the metric chart (lines in each run's colour) and saves a screenshot", async () => {
    const { el, canvas } = await draw(metricChartSpec(histories, { smoothing: 0.6, title: "loss" }));
    const { pixels, colours } = ink(canvas);
    expect(pixels).toBeGreaterThan(5000);
    expect(colours).toBeGreaterThan(6);
    await page.screenshot({ element: el, path: "../../test-artifacts/widgets/metric-chart.png" });
  });

  it("draws the run table and saves a screenshot", async () => {
    const many = Array.from({ length: 30 }, (_, i) => run(i + 1, { lr: String(10 ** -(i % 4)), batch: String(32 << (i % 3)) }, { loss: 1 / (i + 1), acc: i / 30 }));
    const { el, canvas } = await draw(runTableSpec(many));
    expect(ink(canvas).pixels).toBeGreaterThan(3000);
    await page.screenshot({ element: el, path: "../../test-artifacts/widgets/run-table.png" });
  });

  it("draws the compare view and saves a screenshot", async () => {
    const { el, canvas } = await draw(compareSpec(runs, { metric: "loss", histories }));
    const { pixels, colours } = ink(canvas);
    expect(pixels).toBeGreaterThan(5000);
    expect(colours).toBeGreaterThan(6);
    await page.screenshot({ element: el, path: "../../test-artifacts/widgets/compare.png" });
  });

  it("the pixel check can fail: an empty chart has (almost) no ink", async () => {
    const { canvas } = await draw(metricChartSpec([], { width: 200, height: 100 }));
    expect(ink(canvas).pixels).toBeLessThan(3000);
    expect(ID(1)).toHaveLength(32);
  });
});
