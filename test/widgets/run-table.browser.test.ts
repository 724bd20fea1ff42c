import { afterAll, describe, expect, it } from "vitest";
import { showRunTable, type RunTableHandle } from "../../widgets/index.js";
import { run } from "./fixtures.js";

const handles: RunTableHandle[] = [];
afterAll(() => handles.forEach((h) => h.finalize()));

const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe("the virtualized run table in Chromium", () => {
  const runs = Array.from({ length: 100_000 }, (_, i) => run(i + 1, { lr: String((i % 10) / 100) }, { loss: ((i * 7919) % 100_000) / 100_000 }));

  it("keeps only the rows in view in the DOM, and moves them as 100k rows scroll", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const table = showRunTable(el, runs, { columns: ["attributes.run_name", "params.lr", "metrics.loss"], height: 440 });
    handles.push(table);
    const body = el.querySelector(".tb-body") as HTMLElement;
    const rows = () => [...el.querySelectorAll(".tb-row")].map((r) => r.firstElementChild!.textContent);
    expect(el.querySelectorAll(".tb-row").length).toBeLessThan(60);
    expect(rows()[0]).toBe("run-100000");
    body.scrollTop = 22 * 50_000;
    body.dispatchEvent(new Event("scroll"));
    await frame();
    await frame();
    expect(rows()).toContain(`run-${100_000 - 50_000}`);
    expect(el.querySelectorAll(".tb-row").length).toBeLessThan(60);
  });

  it("sorts by a clicked header and filters with the search grammar", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    const table = showRunTable(el, runs.slice(0, 1000), { columns: ["attributes.run_name", "metrics.loss"] });
    handles.push(table);
    (el.querySelectorAll(".tb-header .tb-cell")[1] as HTMLElement).click();
    const losses = table.model().rows.map((r) => r.cells[1] as number);
    expect(losses).toEqual([...losses].sort((a, b) => a - b));
    expect(el.querySelector(".tb-header")!.textContent).toContain("loss ▲");
    table.setFilter("metrics.loss < 0.01");
    expect(table.model().rows.every((r) => (r.cells[1] as number) < 0.01)).toBe(true);
    expect(el.querySelectorAll(".tb-row").length).toBe(table.model().rows.length);
  });
});
