/**
 * The Arrow store under damage: every test builds a root with known contents, closes it, damages
 * it on purpose (torn or garbage history tails, flipped bytes, truncated or missing JSON files and
 * folders, crash debris, a full disk), reopens it and checks exactly what survives.
 *
 * Requirement (Arrow-store issue): a damaged part never makes the store unopenable; it is skipped
 * or repaired with a warning naming the file, and nothing that was intact is lost. Write errors
 * surface at flush()/end() as TrackerError.
 *
 * A full disk cannot be produced here, so ENOSPC comes from /dev/full (a real device that answers
 * every write with ENOSPC) and, for writes into existing files, from a pass-through mock of
 * node:fs/promises `open` that is armed by one test at a time.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { LogBatch } from "../../src/entities.js";
import { isTrackerError } from "../../src/errors.js";
import { openArrowStore, type ArrowStore } from "../../src/store/arrow/index.js";
import { metricColumns } from "../../src/store/store.js";
import { openTracker } from "../../src/tracker.js";
import { expectTrackerError } from "./contract-helpers.js";

// ---------------------------------------------------------------------------------------------
// Fault injection: `open` of node:fs/promises passes through, except for a path a test arms.
// ---------------------------------------------------------------------------------------------

type Fault = { match: (path: string) => boolean; hits: number };
const faults: { current: Fault | undefined } = { current: undefined };

function enospc(syscall: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`ENOSPC: no space left on device, ${syscall} '${path}'`) as NodeJS.ErrnoException;
  e.code = "ENOSPC";
  e.errno = -28;
  e.syscall = syscall;
  e.path = path;
  return e;
}

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open = async (...args: Parameters<typeof real.open>): Promise<FileHandle> => {
    const fh = await real.open(...args);
    const path = String(args[0]);
    const fault = faults.current;
    if (!fault || !fault.match(path)) return fh;
    fault.hits++;
    // A disk that fills up during a write does what Linux does: the first write lands only in
    // part and returns the short count; the next one fails with ENOSPC.
    let full = false;
    const shortWrite = async (bytes: Uint8Array): Promise<number> => {
      if (full) throw enospc("write", path);
      full = true;
      const { bytesWritten } = await fh.write(bytes, 0, Math.floor(bytes.byteLength / 2));
      return bytesWritten;
    };
    // The same for blocking writes on the handle's descriptor (`syncWrites`, see the node:fs mock).
    faultyFds.set(fh.fd, (bytes) => {
      if (full) throw enospc("write", path);
      full = true;
      return writeSync(fh.fd, bytes, 0, Math.floor(bytes.byteLength / 2));
    });
    return new Proxy(fh, {
      get(target, prop) {
        if (prop === "close") {
          return async () => {
            faultyFds.delete(fh.fd);
            return fh.close();
          };
        }
        if (prop === "write") {
          return async (data: Uint8Array, offset = 0, length = data.byteLength - offset) => {
            const bytesWritten = await shortWrite(data.subarray(offset, offset + length));
            return { bytesWritten, buffer: data };
          };
        }
        if (prop === "writev") {
          return async (buffers: Uint8Array[]) => ({ bytesWritten: await shortWrite(Buffer.concat(buffers)), buffers });
        }
        if (prop === "writeFile") {
          // FileHandle.writeFile loops over short writes itself, so it ends in the ENOSPC.
          return async (data: string | Uint8Array) => {
            await shortWrite(typeof data === "string" ? Buffer.from(data) : data);
            throw enospc("write", path);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

/** Descriptors of armed handles (see the node:fs/promises mock) and what a blocking write to them does. */
const faultyFds = new Map<number, (bytes: Uint8Array) => number>();

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const writevSync = (fd: number, buffers: readonly NodeJS.ArrayBufferView[], position?: number): number => {
    const fault = faultyFds.get(fd);
    if (!fault) return real.writevSync(fd, buffers, position);
    return fault(Buffer.concat(buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))));
  };
  return { ...real, writevSync, default: { ...real, writevSync } };
});

afterEach(() => {
  faults.current = undefined;
});

// ---------------------------------------------------------------------------------------------
// A root with known contents.
// ---------------------------------------------------------------------------------------------

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-faults-"));
let rootNo = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;
/** Frames of run A: each logBatch call is one frame of 5 steps of "loss" and "acc". */
const FRAMES = 4;
const STEPS_PER_FRAME = 5;
const lossAt = (step: number) => 1 / (step + 1);
const accAt = (step: number) => step / 100;
const ARTIFACT = Uint8Array.from({ length: 256 }, (_, i) => i);

function frameBatch(frame: number): LogBatch {
  const metrics = [];
  for (let s = frame * STEPS_PER_FRAME; s < (frame + 1) * STEPS_PER_FRAME; s++) {
    metrics.push({ key: "loss", value: lossAt(s), step: s, timestamp: T0 + s * 1000 });
    metrics.push({ key: "acc", value: accAt(s), step: s, timestamp: T0 + s * 1000 });
  }
  return { metrics: metricColumns(metrics) };
}

type Built = {
  root: string;
  expId: string;
  /** Run A: experiment `expId`, params, tags, an artifact, FRAMES history frames. */
  runA: string;
  /** Run B: experiment 0, logged after `staleSummary` was taken. */
  runB: string;
  /** Byte length of run A's history after each frame. */
  ends: number[];
  /** summary.json as it was after run A's first FRAMES - 1 frames, before run B existed. */
  staleSummary: Buffer;
};

const paths = (b: Built) => ({
  historyA: join(b.root, "runs", b.runA, "history.tbseg"),
  historyB: join(b.root, "runs", b.runB, "history.tbseg"),
  runJsonA: join(b.root, "runs", b.runA, "run.json"),
  runJsonB: join(b.root, "runs", b.runB, "run.json"),
  summary: join(b.root, "summary.json"),
  experiment: join(b.root, "experiments", `${b.expId}.json`),
});

/** Builds a fresh root with known contents and closes it (so summary.json is up to date). */
async function build(): Promise<Built> {
  const root = join(base, `root-${rootNo++}`);
  const store = await openArrowStore(root, { compactAfterFrames: 1000, onWarning: (m) => expect.fail(`unexpected warning: ${m}`) });
  const expId = await store.createExperiment({ name: "faults", tags: { owner: "tests" } });
  const runA = (await store.createRun({ experimentId: expId, runName: "a", startTime: T0 })).info.runId;
  await store.logBatch(runA, { params: [{ key: "lr", value: "0.1" }, { key: "batch", value: "32" }], tags: [{ key: "note", value: "hello" }] });
  const ends: number[] = [];
  const hist = join(root, "runs", runA, "history.tbseg");
  let staleSummary = Buffer.alloc(0);
  for (let f = 0; f < FRAMES; f++) {
    if (f === FRAMES - 1) {
      await store.sync();
      staleSummary = await fsp.readFile(join(root, "summary.json"));
    }
    await store.logBatch(runA, frameBatch(f));
    ends.push((await fsp.stat(hist)).size);
  }
  await store.logArtifact(runA, "model/weights.bin", ARTIFACT);
  const runB = (await store.createRun({ experimentId: "0", runName: "b", startTime: T0 })).info.runId;
  await store.logBatch(runB, { params: [{ key: "seed", value: "7" }], metrics: metricColumns([{ key: "x", value: 1, step: 0, timestamp: T0 }]) });
  await store.logBatch(runB, { metrics: metricColumns([{ key: "x", value: 2, step: 1, timestamp: T0 + 1 }]) });
  await store.close();
  return { root, expId, runA, runB, ends, staleSummary };
}

type Opened = { store: ArrowStore; warnings: string[] };

async function reopen(b: Built, readOnly = false): Promise<Opened> {
  const warnings: string[] = [];
  const store = await openArrowStore(b.root, { readOnly, compactAfterFrames: 1000, onWarning: (m) => warnings.push(m) });
  return { store, warnings };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Checks run A's history has exactly its first `frames` frames, and the latest values match. */
async function expectRunAHistory(store: ArrowStore, b: Built, frames: number): Promise<void> {
  const steps = range(frames * STEPS_PER_FRAME);
  const loss = await store.getMetricHistory(b.runA, "loss");
  expect(Array.from(loss.steps)).toEqual(steps);
  expect(Array.from(loss.values)).toEqual(steps.map(lossAt));
  expect(Array.from(loss.timestamps)).toEqual(steps.map((s) => T0 + s * 1000));
  const acc = await store.getMetricHistory(b.runA, "acc");
  expect(Array.from(acc.steps)).toEqual(steps);
  expect(Array.from(acc.values)).toEqual(steps.map(accAt));
  const run = await store.getRun(b.runA);
  const last = steps.length - 1;
  expect(run.data.metrics).toEqual(frames === 0 ? {} : { loss: lossAt(last), acc: accAt(last) });
}

/** Checks run A's metadata and artifact (everything but its history). */
async function expectRunAMeta(store: ArrowStore, b: Built): Promise<void> {
  const run = await store.getRun(b.runA);
  expect(run.info.runName).toBe("a");
  expect(run.info.experimentId).toBe(b.expId);
  expect(run.info.status).toBe("RUNNING");
  expect(run.data.params).toEqual({ lr: "0.1", batch: "32" });
  expect(run.data.tags.note).toBe("hello");
  expect(await store.readArtifact(b.runA, "model/weights.bin")).toEqual(ARTIFACT);
  expect(await store.listArtifacts(b.runA, "model")).toEqual([{ path: "model/weights.bin", isDir: false, fileSize: ARTIFACT.length }]);
}

async function expectRunB(store: ArrowStore, b: Built): Promise<void> {
  const run = await store.getRun(b.runB);
  expect(run.info.runName).toBe("b");
  expect(run.info.experimentId).toBe("0");
  expect(run.data.params).toEqual({ seed: "7" });
  expect(run.data.metrics).toEqual({ x: 2 });
  const x = await store.getMetricHistory(b.runB, "x");
  expect(Array.from(x.steps)).toEqual([0, 1]);
  expect(Array.from(x.values)).toEqual([1, 2]);
}

/** Everything intact: run A (with `frames` frames), run B, the experiment. */
async function expectIntact(store: ArrowStore, b: Built, frames = FRAMES): Promise<void> {
  await expectRunAMeta(store, b);
  await expectRunAHistory(store, b, frames);
  await expectRunB(store, b);
  const exp = await store.getExperiment(b.expId);
  expect(exp.name).toBe("faults");
  expect(exp.tags).toEqual({ owner: "tests" });
  const found = await store.searchRuns({ experimentIds: [b.expId, "0"] });
  expect(found.runs.map((r) => r.info.runId).sort()).toEqual([b.runA, b.runB].sort());
}

/** Appends one more frame (steps after the first `frames` frames) and checks it reads back. */
async function expectAppendWorks(store: ArrowStore, b: Built, frames: number): Promise<void> {
  await store.logBatch(b.runA, frameBatch(frames));
  await expectRunAHistory(store, b, frames + 1);
}

function expectWarningAbout(warnings: string[], path: string): void {
  expect(warnings.some((w) => w.includes(path)), `expected a warning naming ${path}; got ${JSON.stringify(warnings)}`).toBe(true);
}

/** Every file under `dir` (relative path → bytes), to prove that nothing changed. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.set(relative(dir, p) + "/", "dir");
        await walk(p);
      } else {
        out.set(relative(dir, p), (await fsp.readFile(p)).toString("base64"));
      }
    }
  };
  await walk(dir);
  return out;
}

/**
 * Damages a file and makes sure its mtime moved. The store trusts summary.json for a run whose
 * run.json has the mtime recorded there, and mtimes tick coarsely (a few ms on Linux): damage done
 * within the same tick as the last write would be invisible to that check. In life, damage comes
 * later; here the test closes the root and damages it at once, so it moves the mtime itself.
 */
async function damage(path: string, fn: (bytes: Buffer) => Buffer | undefined): Promise<void> {
  const before = await fsp.stat(path);
  const next = fn(await fsp.readFile(path));
  if (next === undefined) {
    await fsp.rm(path);
    return;
  }
  await fsp.writeFile(path, next);
  const after = await fsp.stat(path);
  if (after.mtimeMs === before.mtimeMs) await fsp.utimes(path, after.atime, new Date(before.mtimeMs + 1000));
}

const sizeOf = async (p: string) => (await fsp.stat(p)).size;

// ---------------------------------------------------------------------------------------------

describe("store/arrow faults", () => {
  describe("history tails", () => {
    it("keeps every intact frame when the history's last frame is torn", async () => {
      const b = await build();
      const p = paths(b);
      const [third, fourth] = [b.ends[FRAMES - 2]!, b.ends[FRAMES - 1]!];
      await fsp.truncate(p.historyA, third + Math.floor((fourth - third) / 2));

      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      expect(warnings).toHaveLength(1);
      await expectIntact(store, b, FRAMES - 1);
      // The writer cut the torn tail off, so the next frame follows the intact ones and reads back.
      expect(await sizeOf(p.historyA)).toBe(third);
      await expectAppendWorks(store, b, FRAMES - 1);
      await store.close();

      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAHistory(again.store, b, FRAMES);
      await again.store.close();
    });

    it("keeps every intact frame when only a few bytes of the last frame's header were written", async () => {
      const b = await build();
      const p = paths(b);
      const third = b.ends[FRAMES - 2]!;
      await fsp.truncate(p.historyA, third + 3);
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      await expectIntact(store, b, FRAMES - 1);
      expect(await sizeOf(p.historyA)).toBe(third);
      await expectAppendWorks(store, b, FRAMES - 1);
      await store.close();
    });

    it.each([
      ["random bytes", () => randomBytes(300)],
      ["zeros (a file extended by a crash before its data landed)", () => Buffer.alloc(4096)],
      ["a frame header that promises more bytes than follow", () => Buffer.from([0x54, 0x42, 0x53, 0x31, 0x00, 0x10, 0x00, 0x00, 1, 2, 3])],
    ])("keeps every frame and cuts off garbage appended to the history: %s", async (_, garbage) => {
      const b = await build();
      const p = paths(b);
      await fsp.appendFile(p.historyA, garbage());
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      await expectIntact(store, b);
      expect(await sizeOf(p.historyA)).toBe(b.ends[FRAMES - 1]);
      await expectAppendWorks(store, b, FRAMES);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAHistory(again.store, b, FRAMES + 1);
      await again.store.close();
    });

    it.each([
      ["missing", async (b: Built) => fsp.rm(paths(b).summary)],
      ["from before the damaged frame was written", async (b: Built) => fsp.writeFile(paths(b).summary, b.staleSummary)],
    ])("drops a last frame whose checksum fails (a flipped byte) and keeps the others, summary.json %s", async (_, setSummary) => {
      const b = await build();
      const p = paths(b);
      const third = b.ends[FRAMES - 2]!;
      const fourth = b.ends[FRAMES - 1]!;
      await setSummary(b);
      await damage(p.historyA, (bytes) => {
        const at = third + Math.floor((fourth - third) / 2);
        bytes[at] = bytes[at]! ^ 0x40;
        return bytes;
      });
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      expect(warnings.find((w) => w.includes(p.historyA))).toMatch(/checksum/);
      await expectRunAMeta(store, b);
      await expectRunAHistory(store, b, FRAMES - 1);
      await expectRunB(store, b);
      expect(await sizeOf(p.historyA)).toBe(third);
      await expectAppendWorks(store, b, FRAMES - 1);
      await store.close();
    });

    it("drops a frame whose payload is not Arrow data even though its checksum matches", async () => {
      const b = await build();
      const p = paths(b);
      // A well-formed frame around bytes that are not an Arrow stream.
      const payload = Buffer.from("not an arrow stream at all");
      const frame = Buffer.alloc(8 + payload.length + 4);
      frame.writeUInt32LE(0x31534254, 0);
      frame.writeUInt32LE(payload.length, 4);
      payload.copy(frame, 8);
      const { crc32 } = await import("node:zlib");
      frame.writeUInt32LE(crc32(payload), 8 + payload.length);
      await fsp.appendFile(p.historyA, frame);
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      await expectIntact(store, b);
      expect(await sizeOf(p.historyA)).toBe(b.ends[FRAMES - 1]);
      await store.close();
    });

    it("does not trust summary.json for a history whose frames were rewritten in place to the same length", async () => {
      // The worst case for a stale summary: same inode, and its byte offset still falls on a
      // frame boundary, but the frames before it now hold other points. Only the fingerprint of
      // the last frame (its CRC) tells.
      const root = join(base, `root-${rootNo++}`);
      const store = await openArrowStore(root, { onWarning: () => undefined });
      const runId = (await store.createRun({ experimentId: "0", startTime: T0 })).info.runId;
      const hist = join(root, "runs", runId, "history.tbseg");
      const batch = (value: number) => ({ metrics: metricColumns([0, 1, 2].map((step) => ({ key: "loss", value, step, timestamp: T0 }))) });
      await store.logBatch(runId, batch(1));
      await store.sync();
      const stale = await fsp.readFile(join(root, "summary.json"), "utf8");
      await store.close();
      // Rewrite the history (same file, same inode) as a same-sized frame of other values, then append one more.
      const other = await openArrowStore(join(base, `root-${rootNo++}`), { onWarning: () => undefined });
      const otherRun = (await other.createRun({ experimentId: "0", startTime: T0 })).info.runId;
      // Lower than the first values, so a latest value taken from the stale summary would win ties.
      await other.logBatch(otherRun, batch(0.5));
      await other.close();
      const rewritten = await fsp.readFile(join(other.root, "runs", otherRun, "history.tbseg"));
      expect(rewritten.length).toBe(await sizeOf(hist));
      const inode = (await fsp.stat(hist)).ino;
      await fsp.writeFile(hist, rewritten);
      expect((await fsp.stat(hist)).ino).toBe(inode);
      await fsp.appendFile(hist, rewritten);
      await fsp.writeFile(join(root, "summary.json"), stale);

      const again = await openArrowStore(root, { onWarning: () => undefined });
      expect((await again.getRun(runId)).data.metrics).toEqual({ loss: 0.5 });
      expect(Array.from((await again.getMetricHistory(runId, "loss")).values)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
      await again.close();
    });

    it("keeps every point when summary.json is stale and the history was compacted in place since", async () => {
      // Compaction rewrites the end of the file in place (same inode), so a stale summary's byte
      // offset can point into the middle of a different layout of a longer file.
      const root = join(base, `root-${rootNo++}`);
      const store = await openArrowStore(root, { compactAfterFrames: 3, onWarning: (m) => expect.fail(`unexpected warning: ${m}`) });
      const runId = (await store.createRun({ experimentId: "0", startTime: T0 })).info.runId;
      const hist = join(root, "runs", runId, "history.tbseg");
      let frames = 0;
      const logFrame = () => store.logBatch(runId, frameBatch(frames++));
      await logFrame();
      await logFrame();
      await store.sync();
      const stale = JSON.parse(await fsp.readFile(join(root, "summary.json"), "utf8")) as { runs: Record<string, { history: { ino: number; bytes: number } }> };
      const staleBytes = stale.runs[runId]!.history.bytes;
      let compactions = 0;
      let size = await sizeOf(hist);
      // Until the file was compacted at least twice and is longer than the summary says.
      while (frames < 60 && (compactions < 2 || size <= staleBytes)) {
        await logFrame();
        const now = await sizeOf(hist);
        if (now < size) compactions++;
        size = now;
      }
      await store.close();
      expect(compactions).toBeGreaterThanOrEqual(2);
      expect(size).toBeGreaterThan(staleBytes);
      expect((await fsp.stat(hist)).ino).toBe(stale.runs[runId]!.history.ino);
      const sizeBefore = await sizeOf(hist);
      await fsp.writeFile(join(root, "summary.json"), JSON.stringify(stale));

      const again = await openArrowStore(root, { compactAfterFrames: 3, onWarning: () => undefined });
      const steps = range(frames * STEPS_PER_FRAME);
      const loss = await again.getMetricHistory(runId, "loss");
      expect(Array.from(loss.steps)).toEqual(steps);
      expect((await again.getRun(runId)).data.metrics).toEqual({ loss: lossAt(steps.length - 1), acc: accAt(steps.length - 1) });
      expect(await sizeOf(hist)).toBe(sizeBefore);
      await again.close();
    });
  });

  describe("JSON files", () => {
    it("restores a truncated run.json from summary.json", async () => {
      const b = await build();
      const p = paths(b);
      const original = JSON.parse(await fsp.readFile(p.runJsonA, "utf8")) as unknown;
      await damage(p.runJsonA, (bytes) => bytes.subarray(0, Math.floor(bytes.length / 2)));
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.runJsonA);
      expect(warnings).toHaveLength(1);
      await expectIntact(store, b);
      // Repaired on disk, to what it held before.
      expect(JSON.parse(await fsp.readFile(p.runJsonA, "utf8"))).toEqual(original);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectIntact(again.store, b);
      await again.store.close();
    });

    it.each([
      ["truncated", (bytes: Buffer) => bytes.subarray(0, 10)],
      ["missing", () => undefined],
    ])("rebuilds a run whose run.json is %s and summary.json is missing, keeping its history and artifacts", async (_, hurt) => {
      const b = await build();
      const p = paths(b);
      await fsp.rm(p.summary);
      await damage(p.runJsonA, hurt);
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.runJsonA);
      // Rebuilt as load.ts documents: experiment 0, FAILED, a recovered name and a tag saying why.
      const run = await store.getRun(b.runA);
      expect(run.info.experimentId).toBe("0");
      expect(run.info.status).toBe("FAILED");
      expect(run.info.runName).toBe(`recovered-${b.runA.slice(0, 8)}`);
      expect(run.data.tags["trackbook.recovered"]).toMatch(/run\.json was/);
      await expectRunAHistory(store, b, FRAMES);
      expect(await store.readArtifact(b.runA, "model/weights.bin")).toEqual(ARTIFACT);
      await expectRunB(store, b);
      const inZero = await store.searchRuns({ experimentIds: ["0"] });
      expect(inZero.runs.map((r) => r.info.runId).sort()).toEqual([b.runA, b.runB].sort());
      await store.close();
      // The rebuilt run.json is on disk: the next open has nothing to repair.
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAHistory(again.store, b, FRAMES);
      await again.store.close();
    });

    it.each([
      ["truncated", (bytes: Buffer) => bytes.subarray(0, 7)],
      ["missing", () => undefined],
    ])("keeps the runs of an experiment whose JSON file is %s reachable", async (_, hurt) => {
      const b = await build();
      const p = paths(b);
      await damage(p.experiment, hurt);
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.experiment);
      const exp = await store.getExperiment(b.expId);
      expect(exp.lifecycleStage).toBe("active");
      expect(exp.name).toBe(`recovered-${b.expId}`);
      const found = await store.searchRuns({ experimentIds: [b.expId] });
      expect(found.runs.map((r) => r.info.runId)).toEqual([b.runA]);
      await expectRunAMeta(store, b);
      await expectRunAHistory(store, b, FRAMES);
      await expectRunB(store, b);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      expect((await again.store.getExperiment(b.expId)).name).toBe(`recovered-${b.expId}`);
      await again.store.close();
    });

    it.each([
      ["truncated", (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 3))],
      ["random bytes", () => randomBytes(512)],
      ["empty", () => Buffer.alloc(0)],
    ])("rebuilds every run summary from the run folders when summary.json is %s", async (_, hurt) => {
      const b = await build();
      const p = paths(b);
      await damage(p.summary, hurt);
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.summary);
      expect(warnings).toHaveLength(1);
      await expectIntact(store, b);
      await store.close();
      // Closing wrote a good summary.json again.
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectIntact(again.store, b);
      await again.store.close();
    });

    it.each([
      ["runs is null", () => ({ format: "trackbook-summary", version: 1, runs: null })],
      ["a run entry is empty", (b: Built) => ({ format: "trackbook-summary", version: 1, runs: { [b.runA]: {}, [b.runB]: null } })],
      ["a run entry has wrong types", (b: Built) => ({ format: "trackbook-summary", version: 1, runs: { [b.runA]: { info: 5, params: "x", latest: [1], history: "h", metaMtimeMs: "m" } } })],
      ["it is a JSON array", () => [1, 2, 3]],
      ["it is JSON null", () => null],
    ])("rebuilds every run summary when summary.json is valid JSON of the wrong shape: %s", async (_, content) => {
      const b = await build();
      const p = paths(b);
      await fsp.writeFile(p.summary, JSON.stringify(content(b)));
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.summary);
      await expectIntact(store, b);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectIntact(again.store, b);
      await again.store.close();
    });

    it("finds runs and points logged after summary.json was written (a stale summary)", async () => {
      const b = await build();
      const p = paths(b);
      await fsp.writeFile(p.summary, b.staleSummary);
      const { store, warnings } = await reopen(b);
      expect(warnings).toEqual([]);
      // Run B did not exist when the summary was written, and run A had one frame fewer.
      await expectIntact(store, b);
      await store.close();
    });

    it("finds what changed after a stale summary.json even when the history also has a torn tail", async () => {
      const b = await build();
      const p = paths(b);
      await fsp.writeFile(p.summary, b.staleSummary);
      await fsp.appendFile(p.historyA, frameTornCopy(await fsp.readFile(p.historyA), b));
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, p.historyA);
      await expectIntact(store, b);
      expect(await sizeOf(p.historyA)).toBe(b.ends[FRAMES - 1]);
      await store.close();
    });
  });

  describe("folders and crash debris", () => {
    it("opens a root whose runs folder is missing, keeps its experiments, and logs new runs", async () => {
      const b = await build();
      await fsp.rm(join(b.root, "runs"), { recursive: true });
      const ro = await reopen(b, true);
      expect((await ro.store.getExperiment(b.expId)).name).toBe("faults");
      expect((await ro.store.searchRuns({ experimentIds: [b.expId, "0"] })).runs).toEqual([]);
      await ro.store.close();

      const { store } = await reopen(b);
      expect((await store.getExperiment(b.expId)).name).toBe("faults");
      // summary.json still lists the vanished runs; they must not come back as phantoms.
      await expectTrackerError(store.getRun(b.runA), "RESOURCE_DOES_NOT_EXIST");
      const run = await store.createRun({ experimentId: b.expId });
      await store.logBatch(run.info.runId, frameBatch(0));
      expect((await store.getMetricHistory(run.info.runId, "loss")).steps.length).toBe(STEPS_PER_FRAME);
      await store.close();
    });

    it("opens a root whose experiments folder is missing and keeps every run reachable", async () => {
      const b = await build();
      await fsp.rm(join(b.root, "experiments"), { recursive: true });
      const { store, warnings } = await reopen(b);
      expectWarningAbout(warnings, paths(b).experiment);
      await expectRunAMeta(store, b);
      await expectRunAHistory(store, b, FRAMES);
      await expectRunB(store, b);
      expect((await store.getExperiment("0")).name).toBe("Default");
      const found = await store.searchRuns({ experimentIds: [b.expId] });
      expect(found.runs.map((r) => r.info.runId)).toEqual([b.runA]);
      await store.close();
    });

    it("ignores temporary files left by a crash in every folder", async () => {
      const b = await build();
      const p = paths(b);
      const debris = [
        `${p.runJsonA}.4242.0.tmp`,
        `${p.summary}.4242.1.tmp`,
        `${p.experiment}.4242.2.tmp`,
        `${p.historyA}.compact.tmp`,
        join(b.root, "runs", b.runA, "artifacts", "model", "weights.bin.4242.3.tmp"),
        join(b.root, "experiments", "7.json.4242.4.tmp"),
      ];
      for (const d of debris) await fsp.writeFile(d, randomBytes(100));
      const { store, warnings } = await reopen(b);
      expect(warnings).toEqual([]);
      await expectIntact(store, b);
      expect((await store.searchExperiments()).experiments.map((e) => e.experimentId).sort()).toEqual(["0", b.expId].sort());
      await expectAppendWorks(store, b, FRAMES);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAHistory(again.store, b, FRAMES + 1);
      await again.store.close();
    });
  });

  describe("read-only opening", () => {
    it("reports damage but changes no file when opened read-only", async () => {
      const b = await build();
      const p = paths(b);
      const third = b.ends[FRAMES - 2]!;
      await fsp.truncate(p.historyA, third + 20);
      await fsp.appendFile(p.historyB, randomBytes(64));
      await damage(p.runJsonA, (bytes) => bytes.subarray(0, 12));
      await damage(p.summary, (bytes) => bytes.subarray(0, 40));
      await damage(p.experiment, (bytes) => bytes.subarray(0, 5));
      await fsp.rm(join(b.root, "experiments", "0.json"));
      await fsp.writeFile(`${p.runJsonB}.99.0.tmp`, "debris");
      const before = await tree(b.root);

      const { store, warnings } = await reopen(b, true);
      for (const path of [p.historyA, p.historyB, p.runJsonA, p.summary, p.experiment]) expectWarningAbout(warnings, path);
      // What is intact is all there; run A is rebuilt in memory only (summary.json is damaged too).
      await expectRunAHistory(store, b, FRAMES - 1);
      expect(await store.readArtifact(b.runA, "model/weights.bin")).toEqual(ARTIFACT);
      await expectRunB(store, b);
      await expectTrackerError(store.logBatch(b.runB, frameBatch(0)), "INVALID_STATE");
      await store.close();
      expect(await tree(b.root)).toEqual(before);
    });
  });

  describe("a full disk (ENOSPC)", () => {
    it("rejects a history append on a full disk with RESOURCE_EXHAUSTED and leaves files and memory as they were (/dev/full)", async () => {
      const b = await build();
      const { store } = await reopen(b);
      const run = await store.createRun({ experimentId: b.expId, runName: "full" });
      const id = run.info.runId;
      const hist = join(b.root, "runs", id, "history.tbseg");
      const runJson = join(b.root, "runs", id, "run.json");
      const metaBefore = await fsp.readFile(runJson);
      // /dev/full is a real device that fails every write with ENOSPC.
      await fsp.symlink("/dev/full", hist);
      const err = await expectTrackerError(
        store.logBatch(id, { ...frameBatch(0), params: [{ key: "p", value: "1" }] }),
        "RESOURCE_EXHAUSTED",
      );
      expect(err.message).toContain(hist);
      expect(await fsp.readFile(runJson)).toEqual(metaBefore);
      const after = await store.getRun(id);
      expect(after.data.params).toEqual({});
      expect(after.data.metrics).toEqual({});
      // The fault clears: the same batch now goes through.
      await fsp.rm(hist);
      await store.logBatch(id, { ...frameBatch(0), params: [{ key: "p", value: "1" }] });
      expect((await store.getRun(id)).data.params).toEqual({ p: "1" });
      expect(Array.from((await store.getMetricHistory(id, "loss")).steps)).toEqual(range(STEPS_PER_FRAME));
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      expect(Array.from((await again.store.getMetricHistory(id, "loss")).steps)).toEqual(range(STEPS_PER_FRAME));
      await again.store.close();
    });

    it("raises a full disk at flush() and end() of a tracker as TrackerError RESOURCE_EXHAUSTED (/dev/full)", async () => {
      const root = join(base, `root-${rootNo++}`);
      const tb = await openTracker(`arrow:${root}`, { worker: false });
      const run = await tb.startRun({ runName: "full" });
      const hist = join(root, "runs", run.runId, "history.tbseg");
      await fsp.symlink("/dev/full", hist);
      run.logMetric("x", 1, 0);
      const err = await expectTrackerError(run.flush(), "RESOURCE_EXHAUSTED");
      expect(err.message).toContain(hist);
      run.logMetric("x", 2, 1);
      await expectTrackerError(run.end(), "RESOURCE_EXHAUSTED");
      // The fault clears; the tracker keeps working.
      await fsp.rm(hist);
      const next = await tb.startRun({ runName: "after" });
      next.logMetric("x", 3, 0);
      await next.end();
      expect(Array.from((await tb.getMetricHistory(next.runId, "x")).values)).toEqual([3]);
      expect((await tb.getRun(run.runId)).info.status).toBe("FINISHED");
      await tb.close();
    });

    it.each([
      ["", false],
      [" (blocking writes, as in a worker)", true],
    ])("undoes a history append that filled the disk half way, byte for byte%s", async (_, syncWrites) => {
      const b = await build();
      const p = paths(b);
      const store = await openArrowStore(b.root, { compactAfterFrames: 1000, syncWrites, onWarning: (m) => expect.fail(`unexpected warning: ${m}`) });
      const histBefore = await fsp.readFile(p.historyA);
      const metaBefore = await fsp.readFile(p.runJsonA);
      faults.current = { match: (path) => path === p.historyA, hits: 0 };
      const err = await expectTrackerError(store.logBatch(b.runA, { ...frameBatch(FRAMES), params: [{ key: "late", value: "1" }] }), "RESOURCE_EXHAUSTED");
      expect(faults.current.hits).toBe(1);
      expect(err.message).toContain(p.historyA);
      expect(await fsp.readFile(p.historyA)).toEqual(histBefore);
      expect(await fsp.readFile(p.runJsonA)).toEqual(metaBefore);
      await expectIntact(store, b);
      // The fault clears: appends work and follow the intact frames.
      faults.current = undefined;
      await expectAppendWorks(store, b, FRAMES);
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAHistory(again.store, b, FRAMES + 1);
      await again.store.close();
    });

    it("finishes at the next open a compaction that failed half way through rewriting a history", async () => {
      const root = join(base, `root-${rootNo++}`);
      const warnings: string[] = [];
      const store = await openArrowStore(root, { compactAfterFrames: 3, onWarning: (m) => warnings.push(m) });
      const runId = (await store.createRun({ experimentId: "0", startTime: T0 })).info.runId;
      const hist = join(root, "runs", runId, "history.tbseg");
      await store.logBatch(runId, frameBatch(0));
      await store.logBatch(runId, frameBatch(1));
      const sizeBefore = await sizeOf(hist);
      // Appends go through the handle opened above; the compaction's own opens of the file fail
      // half way through their write, twice (it retries once).
      faults.current = { match: (path) => path === hist, hits: 0 };
      await store.logBatch(runId, frameBatch(2));
      expect(faults.current.hits).toBeGreaterThanOrEqual(2); // the region read, then two rewrite attempts
      expect(warnings.join("\n")).toMatch(/failed half way/);
      expect(await fsp.readFile(`${hist}.redo`)).toBeDefined();
      const again1 = await expectTrackerError(store.logBatch(runId, frameBatch(3)), "INTERNAL_ERROR");
      expect(again1.message).toMatch(/reopen/);
      await expectTrackerError(store.getMetricHistory(runId, "loss"), "INTERNAL_ERROR");
      await store.close();
      faults.current = undefined;

      warnings.length = 0;
      const reopened = await openArrowStore(root, { compactAfterFrames: 3, onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([expect.stringContaining("finished a compaction that was interrupted")]);
      await expect(fsp.stat(`${hist}.redo`)).rejects.toThrow();
      const steps = range(3 * STEPS_PER_FRAME);
      expect(Array.from((await reopened.getMetricHistory(runId, "loss")).steps)).toEqual(steps);
      expect(Array.from((await reopened.getMetricHistory(runId, "acc")).values)).toEqual(steps.map(accAt));
      expect(await sizeOf(hist)).toBeLessThan(sizeBefore * 1.5);
      await reopened.logBatch(runId, frameBatch(3));
      expect((await reopened.getMetricHistory(runId, "loss")).steps.length).toBe(4 * STEPS_PER_FRAME);
      await reopened.close();
    });

    it("undoes the history append of a batch whose run.json write hit a full disk", async () => {
      const b = await build();
      const p = paths(b);
      const { store } = await reopen(b);
      const histBefore = await fsp.readFile(p.historyA);
      const metaBefore = await fsp.readFile(p.runJsonA);
      const runDir = join(b.root, "runs", b.runA);
      faults.current = { match: (path) => path.startsWith(`${p.runJsonA}.`) && path.endsWith(".tmp"), hits: 0 };
      await expectTrackerError(store.logBatch(b.runA, { ...frameBatch(FRAMES), params: [{ key: "late", value: "1" }] }), "RESOURCE_EXHAUSTED");
      expect(faults.current.hits).toBe(1);
      expect(await fsp.readFile(p.historyA)).toEqual(histBefore);
      expect(await fsp.readFile(p.runJsonA)).toEqual(metaBefore);
      expect((await fsp.readdir(runDir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
      await expectIntact(store, b);
      faults.current = undefined;
      await store.logBatch(b.runA, { ...frameBatch(FRAMES), params: [{ key: "late", value: "1" }] });
      await expectRunAHistory(store, b, FRAMES + 1);
      expect((await store.getRun(b.runA)).data.params.late).toBe("1");
      await store.close();
    });

    it("reports a full disk while writing summary.json at sync() and loses nothing", async () => {
      const b = await build();
      const p = paths(b);
      const { store } = await reopen(b);
      await store.logBatch(b.runA, frameBatch(FRAMES));
      const summaryBefore = await fsp.readFile(p.summary);
      faults.current = { match: (path) => path.startsWith(`${p.summary}.`) && path.endsWith(".tmp"), hits: 0 };
      await expectTrackerError(store.sync(), "RESOURCE_EXHAUSTED");
      expect(await fsp.readFile(p.summary)).toEqual(summaryBefore);
      expect((await fsp.readdir(b.root)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
      faults.current = undefined;
      await store.close();
      const again = await reopen(b);
      expect(again.warnings).toEqual([]);
      await expectRunAMeta(again.store, b);
      await expectRunAHistory(again.store, b, FRAMES + 1);
      await expectRunB(again.store, b);
      await again.store.close();
    });

    it("rejects an artifact that does not fit on the disk and keeps the old one", async () => {
      const b = await build();
      const { store } = await reopen(b);
      const target = join(b.root, "runs", b.runA, "artifacts", "model", "weights.bin");
      faults.current = { match: (path) => path.startsWith(`${target}.`) && path.endsWith(".tmp"), hits: 0 };
      const err = await store.logArtifact(b.runA, "model/weights.bin", new Uint8Array(1000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTrackerError(err, "RESOURCE_EXHAUSTED"), String(err)).toBe(true);
      expect(await store.readArtifact(b.runA, "model/weights.bin")).toEqual(ARTIFACT);
      expect(await store.listArtifacts(b.runA, "model")).toEqual([{ path: "model/weights.bin", isDir: false, fileSize: ARTIFACT.length }]);
      await store.close();
    });
  });
});

/** A copy of run A's last frame, cut in half: what a crash mid-append leaves. */
function frameTornCopy(history: Buffer, b: Built): Buffer {
  const third = b.ends[FRAMES - 2]!;
  const fourth = b.ends[FRAMES - 1]!;
  return history.subarray(third, third + Math.floor((fourth - third) / 2));
}
