import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkMetricLines, formatMetricBytes, latestIndex, parseMetricBytes, parseMetricLines } from "../../src/mlruns/metric-file.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";

const bits = (a: Float64Array) => [...a].map((v) => (Object.is(v, -0) ? "-0" : String(v)));
const encode = (s: string) => new TextEncoder().encode(s);

describe("mlruns/metric-file", () => {
  it("reads back every history it writes, bit for bit, on the byte path and the string path", () => {
    const point = fc.record({
      step: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      value: fc.double(),
      timestamp: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 40 }), (points) => {
        const h = {
          key: "k",
          steps: Float64Array.from(points, (p) => p.step),
          values: Float64Array.from(points, (p) => p.value),
          timestamps: Float64Array.from(points, (p) => p.timestamp),
        };
        const bytes = formatMetricBytes(h);
        const text = new TextDecoder().decode(bytes);
        for (const parsed of [parseMetricLines(text, "f", bytes), parseMetricLines(text, "f"), parseMetricBytes(bytes, "f")]) {
          expect(bits(parsed.values)).toEqual(bits(h.values));
          expect([...parsed.steps]).toEqual([...h.steps]);
          expect([...parsed.timestamps]).toEqual([...h.timestamps]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("writes each line as `<timestamp> <repr(value)> <step>`, past the batches its values are stringified in", () => {
    const value = fc.oneof(fc.double(), fc.integer().map((i) => i * 1.0), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e-5, 1e16, 1e21, 5e-324, 2 ** 53));
    const point = fc.record({ step: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), value, timestamp: fc.integer({ min: 0, max: 2 ** 53 - 1 }) });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 2500 }), fc.nat(), (points, cut) => {
        const h = { key: "k", steps: Float64Array.from(points, (p) => p.step), values: Float64Array.from(points, (p) => p.value), timestamps: Float64Array.from(points, (p) => p.timestamp) };
        const from = cut % points.length;
        const want = points.slice(from).map((p) => `${p.timestamp} ${pythonFloatRepr(p.value)} ${p.step}\n`).join("");
        expect(new TextDecoder().decode(formatMetricBytes(h, from))).toBe(want);
      }),
      { numRuns: 60 },
    );
  });

  it("gives the same answer on both paths for the forms only the general path reads", () => {
    const text = "1 nan 0\r\n2 -Infinity 3\n3 1_0.5 -4\n 4 .5 5 \n5 +1e3\n6 0.5 7 ds 0abc\n7 0.25 8 m-1\n";
    const want = { steps: [0, 3, -4, 5, 0, 7, 8], values: [NaN, -Infinity, 10.5, 0.5, 1000, 0.5, 0.25], timestamps: [1, 2, 3, 4, 5, 6, 7], withDataset: 1 };
    for (const p of [parseMetricLines(text, "f", encode(text)), parseMetricLines(text, "f"), parseMetricBytes(encode(text), "f")]) {
      expect({ steps: [...p.steps], values: [...p.values], timestamps: [...p.timestamps], withDataset: p.withDataset }).toEqual(want);
    }
    for (const bad of ["0x10 1 0\n", "1 0x10 0\n", "1 1 0x1\n", "1 1 1e2\n"]) {
      expect(() => parseMetricLines(bad, "f", encode(bad))).toThrow(/line 1/);
      expect(() => parseMetricBytes(encode(bad), "f")).toThrow(/line 1/);
    }
    // Not ASCII: read as text (the error names the line); not UTF-8: refused as such.
    expect(() => parseMetricBytes(encode("1 0.5 0\n2 0.5é 1\n"), "f")).toThrow(/line 2/);
    expect(() => parseMetricBytes(Uint8Array.from([49, 32, 0xff, 32, 48, 10]), "f")).toThrow(/not UTF-8/);
  });

  it("reads every line form the same on the byte path, the string path and the check, errors included", () => {
    const field = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789.-+eE"), minLength: 1, maxLength: 6 }),
      fc.constantFrom("nan", "inf", "-inf", "+Infinity", "Infinity", "NaN", "1_0", "0x1f", "0b1", "0o7", ".5", "5.", "-.5e-3", "00012", "1e400", "-0.0", "1.7976931348623157e+308", "9007199254740993", "1234567890123456", "", "x"),
      fc.double().map(String),
    );
    const line = fc.oneof(
      fc.tuple(fc.nat({ max: 2 ** 40 }).map(String), field, fc.integer({ min: -1e6, max: 1e6 }).map(String)).map((f) => f.join(" ")),
      fc.tuple(field, field, field).map((f) => f.join(" ")),
      fc.tuple(fc.nat().map(String), field).map((f) => f.join(" ")),
      fc.tuple(fc.nat().map(String), field, fc.nat().map(String), fc.constantFrom("ds", "m-1"), fc.constantFrom("0abc", "")).map((f) => f.join(" ").trimEnd()),
      fc.constantFrom("", " ", "1 2 3 ", " 1 2 3", "1  2 3", "1 2 3\r"),
    );
    const outcome = (f: () => { values: Float64Array; steps: Float64Array; timestamps: Float64Array; withDataset: number }) => {
      try {
        const r = f();
        return { values: bits(r.values), steps: [...r.steps], timestamps: [...r.timestamps], withDataset: r.withDataset };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.boolean(), (lines, lastNewline) => {
        const text = lines.join("\n") + (lastNewline ? "\n" : "");
        const bytes = encode(text);
        const general = outcome(() => parseMetricLines(text, "f"));
        expect(outcome(() => parseMetricLines(text, "f", bytes))).toEqual(general);
        expect(outcome(() => parseMetricBytes(bytes, "f"))).toEqual(general);
        const checked = outcome(() => checkMetricLines(text, "f", bytes));
        if ("error" in general) expect(checked).toEqual(general);
        else expect(checked).toEqual({ values: [], steps: [], timestamps: [], withDataset: general.withDataset });
      }),
      { numRuns: 6000 },
    );
  });

  it("picks the latest point as MLflow does: largest (step, timestamp, value), first on ties", () => {
    const h = { key: "k", steps: Float64Array.of(1, 3, 3, 3, 2), values: Float64Array.of(9, 1, 5, 5, 99), timestamps: Float64Array.of(9, 7, 7, 7, 99) };
    expect(latestIndex(h)).toBe(2);
  });
});
