import { describe, expect, it } from "vitest";
import { encodeRecord, idsInRange, presentRuns, regroup, walkRecords, type JournalRecord } from "../../src/store/arrow/journal-file.js";
import { cut, updateLatestOfRuns } from "../../src/store/arrow/journal.js";
import { isLater, type LatestPoint } from "../../src/store/latest.js";

function record(runs: string[], keys: string[], pts: [slot: number, key: number, step: number, value: number, ts: number][]): JournalRecord {
  return {
    runs,
    keys,
    points: {
      runSlots: Uint32Array.from(pts, (p) => p[0]),
      keyIds: Uint32Array.from(pts, (p) => p[1]),
      steps: Float64Array.from(pts, (p) => p[2]),
      values: Float64Array.from(pts, (p) => p[3]),
      timestamps: Float64Array.from(pts, (p) => p[4]),
    },
  };
}

/** The encoded parts joined into one aligned buffer, as a journal read back is. */
function bytesOf(...records: JournalRecord[]): Uint8Array {
  const parts = records.flatMap((r) => encodeRecord(r).parts);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const plain = (r: JournalRecord) => ({
  runs: [...r.runs],
  keys: [...r.keys],
  points: Object.fromEntries(Object.entries(r.points).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)])),
});

const a = record(["r1", "r2", "r3"], ["loss", "acc"], [
  [0, 0, 0, 0.5, 10],
  [1, 1, 0, 0.1, 10],
  [0, 1, 1, NaN, 11],
  [2, 0, 7, -Infinity, 12],
]);
const b = record(["r2", "r9"], ["acc", "lr", "épsilon ✓"], [
  [0, 2, 3, 1e-9, 20],
  [1, 0, 1, 0.2, 21],
]);

describe("store/arrow/journal-file", () => {
  it("reads back every record written, in order, each a multiple of 8 bytes", () => {
    const bytes = bytesOf(a, b);
    const seen: ReturnType<typeof plain>[] = [];
    const at: number[] = [];
    const scan = walkRecords(bytes, (r, offset, length) => {
      seen.push(plain(r));
      at.push(offset, length);
    });
    expect(scan).toEqual({ validBytes: bytes.length });
    expect(seen).toEqual([plain(a), plain(b)]);
    expect(at.every((x) => x % 8 === 0)).toBe(true);
    expect(encodeRecord(a).length).toBe(at[1]);
  });

  it("stops at a torn record and at a record whose checksum does not match, keeping the ones before", () => {
    const bytes = bytesOf(a, b);
    const first = encodeRecord(a).length;
    for (let cut = first + 1; cut < bytes.length; cut += 7) {
      const seen: JournalRecord[] = [];
      const scan = walkRecords(bytes.slice(0, cut), (r) => seen.push(r));
      expect(scan.validBytes).toBe(first);
      expect(scan.damage).toMatch(/torn record/);
      expect(seen.map(plain)).toEqual([plain(a)]);
    }
    // A flipped bit in the second record's values.
    const flipped = bytes.slice();
    flipped[bytes.length - 30]! ^= 1;
    const scan = walkRecords(flipped, () => undefined);
    expect(scan).toEqual({ validBytes: first, damage: `checksum mismatch in record at byte ${first}` });
    // Without the check (bytes this process wrote itself), the walk goes on.
    expect(walkRecords(flipped, () => undefined, false).validBytes).toBe(bytes.length);
  });

  it("tells a record whose ids point outside its run or key list", () => {
    expect(idsInRange(a)).toBe(true);
    expect(idsInRange(record(["r1"], ["k"], [[1, 0, 0, 0, 0]]))).toBe(false);
    expect(idsInRange(record(["r1"], ["k"], [[0, 1, 0, 0, 0]]))).toBe(false);
  });

  it("cuts a record too large for one into records that hold the same points in order, each listing its own runs", () => {
    const pieces = cut(a, 3);
    expect(pieces.map((p) => p.present)).toEqual([["r1", "r2"], ["r3"]]);
    const walked: JournalRecord[] = [];
    walkRecords(bytesOf(...pieces.map((p) => p.r)), (r) => walked.push(r));
    const joined = (key: keyof JournalRecord["points"]) => walked.flatMap((r) => Array.from(r.points[key]));
    for (const key of ["runSlots", "keyIds", "steps", "values", "timestamps"] as const) expect(joined(key)).toEqual(Array.from(a.points[key]));
  });

  it("lists the runs a record holds points of", () => {
    expect(presentRuns(a)).toEqual(["r1", "r2", "r3"]);
    expect(presentRuns(record(["r1", "r2", "r3"], ["k"], [[2, 0, 0, 0, 0]]))).toEqual(["r3"]);
  });

  it("regroups the points of several records by run, in logging order, each run with its own keys", () => {
    const got = regroup([a, b], ["r2", "r1", "r7"]);
    expect([...got.keys()]).toEqual(["r2", "r1"]);
    const r2 = got.get("r2")!;
    expect(r2.keys).toEqual(["acc", "épsilon ✓"]);
    expect(Array.from(r2.keyIds)).toEqual([0, 1]);
    expect(Array.from(r2.steps)).toEqual([0, 3]);
    expect(Array.from(r2.values)).toEqual([0.1, 1e-9]);
    const r1 = got.get("r1")!;
    expect(r1.keys).toEqual(["loss", "acc"]);
    expect(Array.from(r1.keyIds)).toEqual([0, 1]);
    expect(Array.from(r1.values)).toEqual([0.5, NaN]);
    expect(Array.from(r1.timestamps)).toEqual([10, 11]);
  });

  it("updates the latest values of interleaved runs exactly as applying isLater point by point does, NaN ties included", () => {
    const keys = ["k0", "k1", "k2"];
    const runs = ["x", "y", "z", "gone"];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pts: [number, number, number, number, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const v = rand();
      pts.push([Math.floor(rand() * 4), Math.floor(rand() * 3), Math.floor(rand() * 5), v < 0.1 ? NaN : Math.floor(v * 4), Math.floor(rand() * 3)]);
    }
    const r = record(runs, keys, pts);
    const stored = (): Map<string, Map<string, LatestPoint>> =>
      new Map([
        ["x", new Map([["k1", { step: 2, timestamp: 1, value: NaN }]])],
        ["y", new Map()],
        ["z", new Map([["k0", { step: 9, timestamp: 0, value: 0 }]])],
      ]);
    const want = stored();
    for (const [slot, key, step, value, ts] of pts) {
      const m = want.get(runs[slot]!);
      if (!m) continue;
      if (isLater(m.get(keys[key]!), step, ts, value)) m.set(keys[key]!, { step, timestamp: ts, value });
    }
    const got = stored();
    updateLatestOfRuns(r, (id) => got.get(id));
    expect(got).toEqual(want);
  });
});
