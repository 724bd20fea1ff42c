import { afterEach, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { openTracker } from "../../src/index.js";
import { setDisplayHook } from "../../src/display-hook.js";
import { describeSpec, display, displayBundle, enableNotebookDisplay, liveDisplay, metricChartSpec, runTableSpec, toPNG, toSVG, VEGA_LITE_MIME } from "../../widgets/index.js";
import { ID, run, series } from "./fixtures.js";

type Sent = { msg: { data: Record<string, unknown>; transient: { display_id?: string } }; update: boolean };

/** A stand-in for the tslab kernel's module cache (the real kernel is tested in test/notebooks). */
function fakeKernel(): Sent[] {
  const sent: Sent[] = [];
  const lastWriteDisplayData = (msg: Sent["msg"], update: boolean) => void sent.push({ msg, update });
  (globalThis as Record<string, unknown>).__tslab__ = { require: { cache: { "/x/node_modules/tslab/dist/jupyter.js": { exports: { lastWriteDisplayData } } } } };
  return sent;
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__tslab__;
  setDisplayHook(undefined);
});

describe("render", () => {
  const chart = metricChartSpec([series(ID(1), "loss", 200, (i) => 1 / (i + 1), "baseline")]);

  it("renders a static SVG in Node with the chart's line and axis titles", async () => {
    const svg = await toSVG(chart);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("step");
    expect(svg).toMatch(/<path[^>]+d="M/);
  });

  it("renders a PNG in Node at twice the chart's size, with ink on a white background", async () => {
    const png = await toPNG(chart);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    // IHDR width and height: the SVG's size (a 600 × 300 plot plus axes and legend) doubled.
    expect(view.getUint32(16)).toBeGreaterThan(2 * 600);
    expect(view.getUint32(20)).toBeGreaterThan(2 * 300);
    expect(png.length).toBeGreaterThan(10_000);
  });

  it("makes a bundle of the Vega-Lite v5 spec, an <img> of the same SVG and plain text", async () => {
    const bundle = await displayBundle(chart);
    expect(bundle[VEGA_LITE_MIME]).toBe(chart);
    const src = /<img[^>]+src="data:image\/svg\+xml;base64,([^"]+)"/.exec(bundle["text/html"])![1]!;
    // The same picture as toSVG (vega numbers its clip paths per render, so those are masked).
    const mask = (svg: string) => svg.replace(/clip\d+/g, "clip");
    expect(mask(new TextDecoder().decode(Uint8Array.from(atob(src), (c) => c.charCodeAt(0))))).toBe(mask(await toSVG(chart)));
    expect(bundle["text/plain"]).toBe("<metric chart: loss over 1 run(s), 200 points>");
  });

  it("keeps a hostile run name from closing the HTML's script or attribute", async () => {
    const spec = runTableSpec([run(1, { p: "</script><script>alert(1)</script>" }, {}, 'x" onerror="alert(1)')]);
    const html = (await displayBundle(spec, 'a "quoted" <b>')) ["text/html"];
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('alt="a &quot;quoted&quot; &lt;b&gt;"');
  });

  it("sends the three mimes as one display message in a tslab kernel", async () => {
    const sent = fakeKernel();
    await display(chart);
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0]!.msg.data).sort()).toEqual([VEGA_LITE_MIME, "text/html", "text/plain"].sort());
    expect(sent[0]!.update).toBe(false);
  });

  it("prints the plain-text line outside a notebook", async () => {
    const lines: unknown[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(...a);
    try {
      await display(chart);
    } finally {
      console.log = log;
    }
    expect(lines).toEqual(["<metric chart: loss over 1 run(s), 200 points>"]);
  });

  it("updates a live output in place, throttled, the last spec winning", async () => {
    const sent = fakeKernel();
    const live = liveDisplay({ intervalMs: 200 });
    const specs = Array.from({ length: 20 }, (_, k) => metricChartSpec([series(ID(1), "loss", k + 1, (i) => i)]));
    for (const s of specs) live.update(s);
    await live.close();
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent.at(-1)!.msg.data[VEGA_LITE_MIME]).toBe(specs.at(-1));
    expect(new Set(sent.map((s) => s.msg.transient.display_id)).size).toBe(1);
    expect(sent.map((s) => s.update)).toEqual(sent.map((_, i) => i > 0));
  });

  it("describes what each kind of widget shows", () => {
    expect(describeSpec(runTableSpec([run(1, {}, {})]))).toBe("<run table: 1 of 1 runs>");
    expect(describeSpec({ $schema: "x" })).toBe("<Vega-Lite chart>");
  });

  it("draws a search result or a run that is a cell's last value, and inspects as plain data otherwise", async () => {
    const tb = await openTracker("memory:");
    const run = await tb.startRun({ runName: "shown" });
    await run.end();
    const page = await tb.searchRuns();
    const plain = inspect(page);
    expect(plain).toContain("runs:");
    expect(JSON.parse(JSON.stringify(page))).toEqual({ ...page });
    const sent = fakeKernel();
    enableNotebookDisplay();
    expect(inspect(page)).toBe("<run table: 1 of 1 runs>");
    expect(inspect(await tb.getRun(run.info.runId))).toBe("<run table: 1 of 1 runs>");
    expect(sent.map((s) => Object.keys(s.msg.data).sort())).toEqual([[VEGA_LITE_MIME, "text/html", "text/plain"], [VEGA_LITE_MIME, "text/html", "text/plain"]]);
    await tb.close();
  });
});
