import { describe, expect, it } from "vitest";
import { cutHistory, downsample } from "../src/downsample.js";

const h = (n: number) => ({ key: "loss", steps: Float64Array.from({ length: n }, (_, i) => 10 * i), values: Float64Array.from({ length: n }, (_, i) => (i === 777 ? 9 : Math.sin(i))), timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i) });

describe("cutHistory", () => {
  it("keeps the columns of the points downsample picks with steps as x, and counts the range", () => {
    const whole = h(5000);
    const cut = cutHistory(whole, { budget: 400, stepRange: [1000, 30_000] });
    const keep = downsample({ x: whole.steps, y: whole.values }, { budget: 400, xDomain: [1000, 30_000] });
    expect(Array.from(cut.steps)).toEqual(Array.from(keep, (i) => whole.steps[i]));
    expect(Array.from(cut.timestamps)).toEqual(Array.from(keep, (i) => whole.timestamps[i]));
    expect(cut.values).toContain(9);
    expect(cut.count).toBe(2901);
    expect(cut.key).toBe("loss");
  });

  it("returns every point of a range that holds at most the raw limit", () => {
    const cut = cutHistory(h(5000), { budget: 8, rawLimit: 100, stepRange: [0, 990] });
    expect(cut.count).toBe(100);
    expect(Array.from(cut.steps)).toEqual(Array.from({ length: 100 }, (_, i) => 10 * i));
  });
});
