/**
 * Golden specs: a few builder outputs kept in test/widgets/golden/*.json and compared whole, so
 * any change to an encoding shows up in review. After an intended change, regenerate them with
 * `UPDATE_GOLDEN=1 npx vitest run test/widgets/golden.test.ts` and read the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareSpec, confusionMatrixSpec, metricChartSpec, runTableSpec } from "../../widgets/index.js";
import { run, series } from "./fixtures.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "golden");
const runs = [run(1, { lr: "0.01", layers: "3" }, { loss: 0.5 }, "baseline"), run(2, { lr: "0.1", layers: "3" }, { loss: 0.25 }, "high-lr")];
const histories = runs.map((r, k) => series(r.info.runId, "loss", 12, (i) => Math.round(1000 / (i + 1 + k)) / 1000, r.info.runName));

const cases: [string, () => object][] = [
  ["metric-chart", () => metricChartSpec(histories, { width: 300, height: 150, smoothing: 0.5 })],
  ["metric-chart-downsampled", () => metricChartSpec([series(runs[0]!.info.runId, "loss", 64, (i) => (i === 40 ? 9 : i % 7), "baseline")], { width: 100, budget: 16, rawLimit: 16 })],
  ["run-table", () => runTableSpec(runs)],
  ["compare", () => compareSpec(runs, { metric: "loss", histories, width: 300 })],
  ["confusion-matrix", () => confusionMatrixSpec([[5, 1], [2, 7]], ["cat", "dog"])],
];

describe("golden specs", () => {
  for (const [name, build] of cases) {
    it(`${name} equals its kept spec`, () => {
      const file = join(DIR, `${name}.json`);
      const spec = JSON.parse(JSON.stringify(build()));
      if (process.env.UPDATE_GOLDEN === "1" || (!existsSync(file) && process.env.CI !== "true")) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(file, JSON.stringify(spec, null, 1) + "\n");
      }
      expect(spec).toEqual(JSON.parse(readFileSync(file, "utf8")));
    });
  }
});
