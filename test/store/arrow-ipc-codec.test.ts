import {
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Float64,
  Struct,
  Table,
  tableFromIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeStream, decodeWithArrow, encodeStream, schemaMessageBytes, type EncodeColumns } from "../../src/store/arrow/ipc-codec.js";
import { SCHEMA } from "../../src/store/arrow/segments.js";

const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

const columnsArb = fc
  .record({
    keys: fc.uniqueArray(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
    rows: fc.array(fc.tuple(fc.nat(), fc.double(), fc.double(), fc.double()), { maxLength: 300 }),
  })
  .map(({ keys, rows }): EncodeColumns => ({
    keys,
    keyIds: Int32Array.from(rows, (r) => r[0] % keys.length),
    steps: Float64Array.from(rows, (r) => r[1]),
    values: Float64Array.from(rows, (r) => r[2]),
    timestamps: Float64Array.from(rows, (r) => r[3]),
  }));

/** The rows of decoded batches as [key, step, value, timestamp] tuples (NaN-safe via Object.is in toEqual). */
function rowsOf(batches: { keys: string[]; keyIds: Int32Array; steps: Float64Array; values: Float64Array; timestamps: Float64Array }[]) {
  const out: [string, number, number, number][] = [];
  for (const b of batches) for (let i = 0; i < b.values.length; i++) out.push([b.keys[b.keyIds[i]!]!, b.steps[i]!, b.values[i]!, b.timestamps[i]!]);
  return out;
}

const expected = (c: EncodeColumns) => Array.from(c.values, (_, i) => [c.keys[c.keyIds[i]!]!, c.steps[i]!, c.values[i]!, c.timestamps[i]!]);

describe("store/arrow/ipc-codec", () => {
  it("starts every stream with the schema message Arrow JS itself writes for the history schema", () => {
    const stream = new RecordBatchStreamWriter().writeAll(new Table(SCHEMA)).toUint8Array(true);
    const metaLength = new DataView(stream.buffer, stream.byteOffset).getInt32(4, true);
    expect(Array.from(schemaMessageBytes())).toEqual(Array.from(stream.subarray(0, 8 + metaLength)));
  });

  it("writes streams that Arrow JS reads back row for row, in batches of the requested size", () => {
    fc.assert(
      fc.property(columnsArb, fc.integer({ min: 1, max: 128 }), (c, batchRows) => {
        const bytes = join(encodeStream(c, batchRows).parts);
        const table = tableFromIPC(bytes);
        expect(table.numRows).toBe(c.values.length);
        expect(table.batches.length).toBe(Math.max(1, Math.ceil(c.values.length / batchRows)));
        expect(rowsOf(decodeWithArrow(bytes))).toEqual(expected(c));
        expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(SCHEMA.fields.map((f) => `${f.name}:${f.type}`));
      }),
      { numRuns: 200 },
    );
  });

  it("reads its own streams back exactly, NaN and infinities included", () => {
    fc.assert(
      fc.property(columnsArb, fc.integer({ min: 1, max: 64 }), (c, batchRows) => {
        expect(rowsOf(decodeStream(join(encodeStream(c, batchRows).parts)))).toEqual(expected(c));
      }),
      { numRuns: 200 },
    );
  });

  it("reads streams written by Arrow JS's own writer, replacement dictionaries included", () => {
    const batch = (keys: string[], ids: number[]) => {
      const n = ids.length;
      const f64 = (xs: number[]) => makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(xs) });
      const key = makeData({ type: SCHEMA.fields[0]!.type, length: n, nullCount: 0, data: Int32Array.from(ids), dictionary: vectorFromArray(keys, new Utf8()) });
      const children = [key, f64(ids.map((i) => i * 10)), f64(ids.map((i) => i / 2)), f64(ids.map(() => 7))];
      return new RecordBatch(SCHEMA, makeData({ type: new Struct(SCHEMA.fields), length: n, nullCount: 0, children }));
    };
    const w = new RecordBatchStreamWriter();
    w.write(batch(["a", "b"], [0, 1, 1]));
    w.write(batch(["c"], [0, 0]));
    w.finish();
    const rows = rowsOf(decodeStream(w.toUint8Array(true)));
    expect(rows.map((r) => r[0])).toEqual(["a", "b", "b", "c", "c"]);
    expect(rows.map((r) => r[1])).toEqual([0, 10, 10, 0, 0]);
  });

  it("reads columns that sit at an odd offset in a larger buffer", () => {
    const c: EncodeColumns = { keys: ["loss"], keyIds: new Int32Array(3), steps: Float64Array.of(1, 2, 3), values: Float64Array.of(0.5, NaN, -Infinity), timestamps: Float64Array.of(9, 9, 9) };
    const bytes = join(encodeStream(c, 10).parts);
    const shifted = new Uint8Array(bytes.length + 4);
    shifted.set(bytes, 4);
    expect(rowsOf(decodeStream(shifted.subarray(4)))).toEqual(expected(c));
  });

  it("refuses damaged streams instead of returning wrong rows", () => {
    const c: EncodeColumns = { keys: ["a", "b"], keyIds: Int32Array.of(0, 1, 1), steps: Float64Array.of(1, 2, 3), values: Float64Array.of(1, 2, 3), timestamps: Float64Array.of(1, 2, 3) };
    const bytes = join(encodeStream(c, 10).parts);
    expect(() => decodeStream(bytes.subarray(0, bytes.length - 20))).toThrow();
    // A key index outside the dictionary: find the key column (ids 0,1,1) in the last batch body.
    const bad = bytes.slice();
    const ids = new Uint8Array(Int32Array.of(0, 1, 1).buffer);
    const at = Buffer.from(bad).indexOf(Buffer.from(ids));
    expect(at).toBeGreaterThan(0);
    new DataView(bad.buffer).setInt32(at + 4, 7, true);
    expect(() => decodeStream(bad)).toThrow(/outside the dictionary/);
  });
});
