import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Field, Float64, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct, Utf8, vectorFromArray } from "apache-arrow";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMA } from "../../src/store/arrow/segments.js";
import { metricColumns } from "../../src/store/store.js";
import { openArrowStore, openArrowUri } from "../../src/store/arrow/index.js";
import { expectTrackerError } from "./contract.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-"));
let n = 0;
const fresh = () => join(base, `root-${n++}`);
const quiet = { onWarning: () => undefined };
afterAll(() => rmSync(base, { recursive: true, force: true }));

const points = (key: string, from: number, count: number) =>
  metricColumns(Array.from({ length: count }, (_, i) => ({ key, value: (from + i) / 10, step: from + i, timestamp: 1_700_000_000_000 + from + i })));

describe("store/arrow", () => {
  it("keeps experiments, runs, params, tags, latest metrics and histories across a reopen", async () => {
    const dir = fresh();
    const a = await openArrowStore(dir, quiet);
    const exp = await a.createExperiment({ name: "persist", tags: { team: "vision" } });
    const run = await a.createRun({ experimentId: exp, runName: "r1" });
    await a.logBatch(run.info.runId, { params: [{ key: "lr", value: "0.01" }], tags: [{ key: "note", value: "line1\nline2" }], metrics: points("loss", 0, 500) });
    await a.logBatch(run.info.runId, { metrics: metricColumns([{ key: "nan", value: NaN, step: 0, timestamp: 1 }, { key: "inf", value: -Infinity, step: 0, timestamp: 1 }]) });
    await a.updateRun(run.info.runId, { status: "FINISHED", endTime: 1_700_000_009_999 });
    const deleted = await a.createRun({ experimentId: exp });
    await a.deleteRun(deleted.info.runId);
    const before = await a.getRun(run.info.runId);
    await a.close();

    const b = await openArrowStore(dir, quiet);
    expect(await b.getExperiment(exp)).toMatchObject({ name: "persist", tags: { team: "vision" } });
    const after = await b.getRun(run.info.runId);
    expect(after).toEqual(before);
    expect(after.data.metrics.nan).toBeNaN();
    expect(after.data.metrics.inf).toBe(-Infinity);
    expect((await b.getRun(deleted.info.runId)).info.lifecycleStage).toBe("deleted");
    const h = await b.getMetricHistory(run.info.runId, "loss");
    expect(Array.from(h.steps)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await b.close();
  });

  it("puts whole runs that survive a reopen, and a failed putRuns leaves only what was there before", async () => {
    const dir = fresh();
    const a = await openArrowStore(dir, quiet);
    const run = (runId: string) => ({
      info: { runId, experimentId: "0", runName: `r-${runId.slice(0, 4)}`, userId: "me", status: "FINISHED" as const, startTime: 5, endTime: 9, lifecycleStage: "active" as const },
      params: { lr: "0.1" },
      tags: { team: "a" },
      metrics: points("loss", 0, 1500),
    });
    const [ok, first, blocked] = ["a".repeat(32), "b".repeat(32), "c".repeat(32)];
    await a.putRuns([run(ok)]);
    // Something already where the second run's folder would go: the call fails, the first run's
    // new folder is removed, and the stray file is left as it was.
    writeFileSync(join(dir, "runs", blocked), "not mine");
    await expect(a.putRuns([run(first), run(blocked)])).rejects.toThrow();
    expect(existsSync(join(dir, "runs", first))).toBe(false);
    expect(readFileSync(join(dir, "runs", blocked), "utf8")).toBe("not mine");
    await expectTrackerError(a.getRun(first), "RESOURCE_DOES_NOT_EXIST");
    const before = await a.getRun(ok);
    await a.close();
    rmSync(join(dir, "runs", blocked));
    const b = await openArrowStore(dir, quiet);
    expect(await b.getRun(ok)).toEqual(before);
    expect((await b.getMetricHistory(ok, "loss")).steps.length).toBe(1500);
    expect((await b.searchRuns({ experimentIds: ["0"] })).runs.map((r) => r.info.runId)).toEqual([ok]);
    await b.close();
  });

  it("rebuilds latest metrics when summary.json is older than the histories", async () => {
    const dir = fresh();
    const a = await openArrowStore(dir, quiet);
    const run = await a.createRun({ experimentId: "0" });
    await a.logBatch(run.info.runId, { metrics: points("x", 0, 10) });
    await a.close();
    const stale = readFileSync(join(dir, "summary.json"));
    const b = await openArrowStore(dir, quiet);
    await b.logBatch(run.info.runId, { metrics: points("x", 10, 10), params: [{ key: "p", value: "1" }] });
    await b.close();
    writeFileSync(join(dir, "summary.json"), stale);
    const c = await openArrowStore(dir, quiet);
    const got = await c.getRun(run.info.runId);
    expect(got.data.metrics.x).toBe(1.9);
    expect(got.data.params.p).toBe("1");
    await c.close();
  });

  it("merges small frames into one and keeps every point in order", async () => {
    const dir = fresh();
    const s = await openArrowStore(dir, { ...quiet, compactAfterFrames: 8 });
    const run = await s.createRun({ experimentId: "0" });
    for (let i = 0; i < 50; i++) await s.logBatch(run.info.runId, { metrics: points("m", i * 7, 7) });
    const h = await s.getMetricHistory(run.info.runId, "m");
    expect(Array.from(h.steps)).toEqual(Array.from({ length: 350 }, (_, i) => i));
    await s.close();
    const r = await openArrowStore(dir, { ...quiet, readOnly: true });
    expect(Array.from((await r.getMetricHistory(run.info.runId, "m")).values)).toEqual(Array.from({ length: 350 }, (_, i) => i / 10));
    await r.close();
  });

  it("compacts in the background once writes pause, and in the write path only past compactAfterFrames", async () => {
    const dir = fresh();
    const s = await openArrowStore(dir, quiet);
    const run = await s.createRun({ experimentId: "0" });
    const hist = join(dir, "runs", run.info.runId, "history.tbseg");
    // 20 small frames written back to back: past the background threshold (16), short of the
    // write path's (64), so nothing is merged while the writes keep coming.
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      await s.logBatch(run.info.runId, { metrics: points("m", i * 5, 5) });
      sizes.push(statSync(hist).size);
    }
    expect(sizes.every((v, i) => i === 0 || v > sizes[i - 1]!)).toBe(true);
    const grown = sizes[sizes.length - 1]!;
    // A pause: the small frames become one.
    const deadline = Date.now() + 5000;
    while (statSync(hist).size >= grown && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(hist).size).toBeLessThan(grown);
    expect(Array.from((await s.getMetricHistory(run.info.runId, "m")).steps)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await s.close();
    const r = await openArrowStore(dir, { ...quiet, readOnly: true });
    expect(Array.from((await r.getMetricHistory(run.info.runId, "m")).values)).toEqual(Array.from({ length: 100 }, (_, i) => i / 10));
    await r.close();

    // Past compactAfterFrames the write path merges at once.
    const t = await openArrowStore(fresh(), { ...quiet, compactAfterFrames: 4 });
    const run2 = await t.createRun({ experimentId: "0" });
    const hist2 = join(t.root, "runs", run2.info.runId, "history.tbseg");
    let shrank = false;
    for (let i = 0, last = 0; i < 6; i++) {
      await t.logBatch(run2.info.runId, { metrics: points("m", i * 5, 5) });
      const now = statSync(hist2).size;
      if (now < last) shrank = true;
      last = now;
    }
    expect(shrank).toBe(true);
    await t.close();
  });

  it("stores artifacts as plain files and copies local files", async () => {
    const dir = fresh();
    const s = await openArrowStore(dir, quiet);
    const run = await s.createRun({ experimentId: "0" });
    await s.logArtifact(run.info.runId, "notes/a.txt", new TextEncoder().encode("hello"));
    const local = join(base, `local-${n}.bin`);
    writeFileSync(local, new Uint8Array([1, 2, 3]));
    await s.logArtifactFile(run.info.runId, "weights.bin", local);
    expect(readFileSync(join(dir, "runs", run.info.runId, "artifacts", "notes", "a.txt"), "utf8")).toBe("hello");
    expect(Array.from(await s.readArtifact(run.info.runId, "weights.bin"))).toEqual([1, 2, 3]);
    expect(run.info.artifactUri).toBe(`file://${join(dir, "runs", run.info.runId, "artifacts")}`);
    await expectTrackerError(s.logArtifactFile(run.info.runId, "x", join(base, "missing.bin")), "RESOURCE_DOES_NOT_EXIST");
    await s.close();
  });

  it("opens read-only without the lock and refuses writes there", async () => {
    const dir = fresh();
    const w = await openArrowStore(dir, quiet);
    const run = await w.createRun({ experimentId: "0" });
    await w.logBatch(run.info.runId, { metrics: points("m", 0, 3) });
    const r = await openArrowUri(`arrow:${dir}?readOnly=true`, quiet);
    expect((await r.getRun(run.info.runId)).data.metrics.m).toBe(0.2);
    await expectTrackerError(r.createRun({ experimentId: "0" }), "INVALID_STATE");
    await r.close();
    expect(existsSync(join(dir, ".lock"))).toBe(true);
    await w.close();
    expect(existsSync(join(dir, ".lock"))).toBe(false);
  });

  it("makes flushed data durable through sync(), which rewrites summary.json", async () => {
    const dir = fresh();
    const s = await openArrowStore(dir, { ...quiet, snapshotIntervalMs: 3_600_000 });
    const run = await s.createRun({ experimentId: "0" });
    await s.logBatch(run.info.runId, { metrics: points("m", 0, 3) });
    expect(existsSync(join(dir, "summary.json"))).toBe(false);
    await s.sync();
    const snap = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(snap.runs[run.info.runId].latest.m[2]).toBe(0.2);
    expect(snap.runs[run.info.runId].history.bytes).toBe(statSync(join(dir, "runs", run.info.runId, "history.tbseg")).size);
    await s.close();
  });

  it("reads histories whose frames Arrow JS's own writer wrote (files of earlier versions), mixed keys and replacement dictionaries included", async () => {
    const dir = fresh();
    const w = await openArrowStore(dir, quiet);
    const run = await w.createRun({ experimentId: "0" });
    await w.close();
    // The same columns declared nullable: a schema message other than this codec's, so that
    // frame goes through Arrow JS; frames with the very same schema bytes are read by the codec.
    const nullable = new Schema(SCHEMA.fields.map((f) => new Field(f.name, f.type, true)));
    const batch = (keys: string[], ids: number[], from: number, schema = SCHEMA) => {
      const n = ids.length;
      const f64 = (xs: number[]) => makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(xs) });
      const key = makeData({ type: SCHEMA.fields[0]!.type, length: n, nullCount: 0, data: Int32Array.from(ids), dictionary: vectorFromArray(keys, new Utf8()) });
      const children = [key, f64(ids.map((_, i) => from + i)), f64(ids.map((_, i) => (from + i) / 10)), f64(ids.map(() => 5))];
      return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
    };
    const frame = (batches: RecordBatch[]) => {
      const writer = new RecordBatchStreamWriter();
      for (const b of batches) writer.write(b);
      writer.finish();
      const payload = writer.toUint8Array(true);
      const out = Buffer.alloc(12 + payload.length);
      out.writeUInt32LE(0x31534254, 0);
      out.writeUInt32LE(payload.length, 4);
      out.set(payload, 8);
      out.writeUInt32LE(crc32(payload), 8 + payload.length);
      return out;
    };
    const hist = join(dir, "runs", run.info.runId, "history.tbseg");
    writeFileSync(hist, Buffer.concat([frame([batch(["a", "b"], [0, 1, 0], 0, nullable), batch(["b"], [0, 0], 3, nullable)]), frame([batch(["a"], [0], 5)])]));
    rmSync(join(dir, "summary.json"), { force: true });
    const r = await openArrowStore(dir, quiet);
    const a = await r.getMetricHistory(run.info.runId, "a");
    expect(Array.from(a.steps)).toEqual([0, 2, 5]);
    expect(Array.from(a.values)).toEqual([0, 0.2, 0.5]);
    expect(Array.from((await r.getMetricHistory(run.info.runId, "b")).steps)).toEqual([1, 3, 4]);
    expect((await r.getRun(run.info.runId)).data.metrics).toEqual({ a: 0.5, b: 0.4 });
    // New frames (this codec's) follow the old ones.
    await r.logBatch(run.info.runId, { metrics: points("a", 6, 2) });
    expect(Array.from((await r.getMetricHistory(run.info.runId, "a")).steps)).toEqual([0, 2, 5, 6, 7]);
    await r.close();
  });

  it("names the expected form for a malformed arrow: URI", async () => {
    await expectTrackerError(openArrowUri("arrow:"), "INVALID_PARAMETER_VALUE");
    const err = await expectTrackerError(openArrowUri(`arrow:${fresh()}?journalMinRuns=0`), "INVALID_PARAMETER_VALUE");
    expect(err.message).toMatch(/journalMinRuns must be a whole number/);
  });
});
