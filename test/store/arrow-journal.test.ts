/**
 * The Arrow store's shared journal (src/store/arrow/journal.ts, redistribute.ts): writes with
 * points of many runs go to one journal record, reads see them at once, the points move to the
 * run histories later, and every point is there exactly once whatever happens in between —
 * a close, a pause, a crash (a copy of the root taken while the store is open is what a crash
 * leaves: SIGKILL keeps what reached the kernel), a torn journal, a move interrupted half way,
 * a full disk, a purge. SIGKILLs of a real logging process are in arrow-crash.test.ts.
 *
 * @module
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PackedFlush } from "../../src/store/store.js";
import { metricColumns } from "../../src/store/store.js";
import { openArrowStore, type ArrowStore, type ArrowStoreOptions } from "../../src/store/arrow/index.js";
import { walkRecords, type JournalRecord } from "../../src/store/arrow/journal-file.js";
import { expectTrackerError } from "./contract-helpers.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-journal-"));
let n = 0;
const fresh = () => join(base, `root-${n++}`);
afterAll(() => rmSync(base, { recursive: true, force: true }), 120_000);

const KEYS = ["loss", "acc", "lr"];
const T = 1_700_000_000_000;
const valueAt = (run: number, key: number, step: number) => run * 1e6 + key * 1e4 + step;

/** A client flush: every run logs every key at each step, step by step across the runs. */
function sweepFlush(runIds: string[], from: number, steps: number): PackedFlush {
  const count = runIds.length * KEYS.length * steps;
  const points = { runSlots: new Uint32Array(count), keyIds: new Uint32Array(count), values: new Float64Array(count), steps: new Float64Array(count), timestamps: new Float64Array(count) };
  let i = 0;
  for (let s = from; s < from + steps; s++) {
    for (let r = 0; r < runIds.length; r++) {
      for (let k = 0; k < KEYS.length; k++, i++) {
        points.runSlots[i] = r;
        points.keyIds[i] = k;
        points.values[i] = valueAt(r, k, s);
        points.steps[i] = s;
        points.timestamps[i] = T + s;
      }
    }
  }
  return { kv: [], runIds, keys: KEYS, points };
}

async function createRuns(store: ArrowStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let r = 0; r < count; r++) ids.push((await store.createRun({ experimentId: "0", runName: `trial-${r}` })).info.runId);
  return ids;
}

/** Every key of every run holds exactly steps 0..steps-1, in order, with the values logged; the latest values agree. */
async function expectSweep(store: ArrowStore, runIds: string[], steps: number): Promise<void> {
  for (let r = 0; r < runIds.length; r++) {
    const all = await store.getMetricHistories(runIds[r]!, KEYS);
    for (let k = 0; k < KEYS.length; k++) {
      const one = await store.getMetricHistory(runIds[r]!, KEYS[k]!);
      for (const h of [one, all[k]!]) {
        expect(Array.from(h.steps), `run ${r} key ${KEYS[k]}`).toEqual(Array.from({ length: steps }, (_, s) => s));
        expect(Array.from(h.values)).toEqual(Array.from({ length: steps }, (_, s) => valueAt(r, k, s)));
      }
    }
    const run = await store.getRun(runIds[r]!);
    expect(run.data.metrics).toEqual(steps === 0 ? {} : Object.fromEntries(KEYS.map((key, k) => [key, valueAt(r, k, steps - 1)])));
  }
}

const journalFiles = (root: string) => (existsSync(join(root, "journal")) ? readdirSync(join(root, "journal")).sort() : []);
const hasHistory = (root: string, runId: string) => existsSync(join(root, "runs", runId, "history.tbseg"));

/** What a crash leaves: the root's files as they are now (the lock left out, as a dead writer's lock is taken over). */
function crashCopy(root: string): string {
  const copy = `${root}-crash-${n++}`;
  cpSync(root, copy, { recursive: true, filter: (src) => !src.endsWith(".lock") });
  return copy;
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function open(root: string, options: ArrowStoreOptions = {}): { store: Promise<ArrowStore>; warnings: string[] } {
  const warnings: string[] = [];
  return { store: openArrowStore(root, { onWarning: (m) => warnings.push(m), ...options }), warnings };
}

describe("store/arrow journal", () => {
  it("writes a flush with points of many runs as one journal record, and reads every point back before and after the move to the histories", async () => {
    const root = fresh();
    const w = open(root);
    const store = await w.store;
    const runIds = await createRuns(store, 12);
    await store.logPacked(sweepFlush(runIds, 0, 40));
    expect(journalFiles(root)).toEqual(["00000000.tbj"]);
    expect(runIds.filter((id) => hasHistory(root, id))).toEqual([]);
    await expectSweep(store, runIds, 40);
    await store.close();
    // Closing moves the journal to the histories and removes it.
    expect(journalFiles(root)).toEqual([]);
    expect(runIds.every((id) => hasHistory(root, id))).toBe(true);
    expect(w.warnings).toEqual([]);

    const again = open(root);
    await expectSweep(await again.store, runIds, 40);
    await (await again.store).close();
    expect(again.warnings).toEqual([]);
  });

  it("names in a record only the runs with points in it when the client lists many more", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 30);
    // A long-lived client lists every run it ever logged to; 10 of them log now.
    const flush = sweepFlush(runIds.slice(20), 0, 12);
    const listed = { ...flush, runIds, points: { ...flush.points, runSlots: flush.points.runSlots.map((s) => s + 20) } };
    await store.logPacked(listed);
    const copy = crashCopy(root);
    const bytes = new Uint8Array(await fsp.readFile(join(copy, "journal", "00000000.tbj")));
    const records: JournalRecord[] = [];
    walkRecords(bytes, (r) => records.push(r));
    expect(records.map((r) => r.runs)).toEqual([runIds.slice(20)]);
    await expectSweep(store, runIds.slice(20), 12);
    await store.close();
    const again = open(copy);
    await expectSweep(await again.store, runIds.slice(20), 12);
    await expectSweep(await again.store, runIds.slice(0, 20), 0);
    await (await again.store).close();
  });

  it("writes a flush with points of fewer runs than journalMinRuns to the histories directly", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 7);
    await store.logPacked(sweepFlush(runIds, 0, 10));
    expect(journalFiles(root)).toEqual([]);
    expect(runIds.every((id) => hasHistory(root, id))).toBe(true);
    await expectSweep(store, runIds, 10);
    await store.close();
  });

  it("sends later points of a run the journal holds to the journal too, so its history stays in logging order, until the journal has moved", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 10);
    await store.logPacked(sweepFlush(runIds, 0, 20));
    // One run alone, but it has points in the journal: this goes to the journal as well.
    await store.logPacked(sweepFlush([runIds[0]!], 20, 5));
    expect(hasHistory(root, runIds[0]!)).toBe(false);
    const h = await store.getMetricHistory(runIds[0]!, "acc");
    expect(Array.from(h.steps)).toEqual(Array.from({ length: 25 }, (_, s) => s));
    // Writes pause: the journal moves to the histories in the background.
    await until("the journal to move", () => journalFiles(root).length === 0);
    expect(hasHistory(root, runIds[0]!)).toBe(true);
    // Now the run is written directly again, after what the journal held.
    await store.logPacked(sweepFlush([runIds[0]!], 25, 5));
    expect(journalFiles(root)).toEqual([]);
    const after = await store.getMetricHistory(runIds[0]!, "acc");
    expect(Array.from(after.steps)).toEqual(Array.from({ length: 30 }, (_, s) => s));
    expect(Array.from(after.values)).toEqual(Array.from({ length: 30 }, (_, s) => valueAt(0, 1, s)));
    await store.close();
  });

  it("answers reads while the journal moves to the histories, never with a point missing or twice", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 120);
    await store.logPacked(sweepFlush(runIds, 0, 60));
    let reads = 0;
    while (journalFiles(root).length > 0) {
      const r = reads++ % runIds.length;
      const h = await store.getMetricHistory(runIds[r]!, "lr");
      expect(Array.from(h.values), `read ${reads}`).toEqual(Array.from({ length: 60 }, (_, s) => valueAt(r, 2, s)));
      if (reads > 100_000) throw new Error("the journal never moved");
    }
    expect(reads).toBeGreaterThan(0);
    await expectSweep(store, runIds, 60);
    await store.close();
  });

  it("keeps every journal point a crash leaves, for a reader and then for a writer, which moves them", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 16);
    await store.logPacked(sweepFlush(runIds, 0, 30));
    await store.logPacked(sweepFlush(runIds, 30, 30));
    const copy = crashCopy(root);
    await store.close();

    const reader = open(copy, { readOnly: true });
    await expectSweep(await reader.store, runIds, 60);
    await (await reader.store).close();
    expect(reader.warnings).toEqual([]);
    expect(journalFiles(copy)).toEqual(["00000000.tbj"]);

    const writer = open(copy);
    await expectSweep(await writer.store, runIds, 60);
    await (await writer.store).close();
    expect(journalFiles(copy)).toEqual([]);
    const again = open(copy);
    await expectSweep(await again.store, runIds, 60);
    await (await again.store).close();
    expect([...writer.warnings, ...again.warnings].filter((m) => !m.includes("writer lock"))).toEqual([]);
  });

  it.each([
    ["a torn last record", (size: number) => ({ truncateTo: size - 100 })],
    ["a flipped byte in the last record", (size: number) => ({ flipAt: size - 200 })],
  ])("keeps every intact journal record before %s, and a writer cuts the damage off", async (_, damage) => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 9);
    await store.logPacked(sweepFlush(runIds, 0, 10));
    const copy = crashCopy(root);
    await store.logPacked(sweepFlush(runIds, 10, 10));
    const whole = crashCopy(root);
    await store.close();
    const file = join(whole, "journal", "00000000.tbj");
    const intact = statSync(join(copy, "journal", "00000000.tbj")).size;
    const d = damage(statSync(file).size);
    if ("truncateTo" in d) await fsp.truncate(file, d.truncateTo);
    else {
      const fh = await fsp.open(file, "r+");
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, d.flipAt);
      b[0] ^= 0xff;
      await fh.write(b, 0, 1, d.flipAt);
      await fh.close();
    }
    const damagedSize = statSync(file).size;

    const reader = open(whole, { readOnly: true });
    await expectSweep(await reader.store, runIds, 10);
    await (await reader.store).close();
    expect(reader.warnings).toEqual([expect.stringContaining(file)]);
    expect(statSync(file).size).toBe(damagedSize);

    const writer = open(whole);
    const w = await writer.store;
    expect(writer.warnings.filter((m) => !m.includes("writer lock"))).toEqual([expect.stringMatching(/cut off the damaged tail/)]);
    expect(statSync(file).size).toBe(intact);
    await expectSweep(w, runIds, 10);
    // Logging goes on after the intact points.
    await w.logPacked(sweepFlush(runIds, 10, 5));
    await expectSweep(w, runIds, 15);
    await w.close();
    const again = open(whole);
    await expectSweep(await again.store, runIds, 15);
    await (await again.store).close();
  });

  it("undoes a move to the histories that stopped half way and moves the journal again, every point once", async () => {
    const root = fresh();
    const first = open(root);
    const store = await first.store;
    const runIds = await createRuns(store, 40);
    await store.logPacked(sweepFlush(runIds, 0, 25));
    // The last run's history cannot be written (/dev/full answers every write with ENOSPC), so
    // the move appends to the other runs and then stops; closing keeps the journal and the manifest.
    const blocked = join(root, "runs", runIds[39]!, "history.tbseg");
    await fsp.symlink("/dev/full", blocked);
    await store.close();
    expect(first.warnings).toEqual([expect.stringMatching(/moving the journal's points to the run histories failed/)]);
    expect(journalFiles(root)).toEqual(["00000000.redist", "00000000.tbj"]);
    expect(runIds.slice(0, 39).every((id) => statSync(join(root, "runs", id, "history.tbseg")).size > 0)).toBe(true);
    await fsp.rm(blocked);

    // A reader reads the runs being moved only up to where the move began, the rest from the journal.
    const reader = open(root, { readOnly: true });
    await expectSweep(await reader.store, runIds, 25);
    await (await reader.store).close();
    expect(reader.warnings).toEqual([]);

    const writer = open(root);
    const w = await writer.store;
    expect(writer.warnings).toEqual([expect.stringMatching(/00000000\.redist: a redistribution of the journal was interrupted; cut 39 run histories back/)]);
    expect(journalFiles(root)).toEqual(["00000000.tbj"]);
    await expectSweep(w, runIds, 25);
    await w.close();
    expect(journalFiles(root)).toEqual([]);
    const again = open(root);
    await expectSweep(await again.store, runIds, 25);
    await (await again.store).close();
    expect(again.warnings).toEqual([]);
  });

  it("rejects a journal append on a full disk with RESOURCE_EXHAUSTED and leaves files and memory as they were", async () => {
    const root = fresh();
    const opened = open(root);
    const store = await opened.store;
    const runIds = await createRuns(store, 10);
    const runJson = join(root, "runs", runIds[3]!, "run.json");
    const metaBefore = await fsp.readFile(runJson);
    await fsp.symlink("/dev/full", join(root, "journal", "00000000.tbj"));
    const entries = runIds.map((runId, r) => ({
      runId,
      batch: { metrics: metricColumns([{ key: "loss", value: r, step: 0, timestamp: T }]), ...(r === 3 ? { params: [{ key: "lr", value: "0.1" }] } : {}) },
    }));
    await expectTrackerError(store.logBatches(entries), "RESOURCE_EXHAUSTED");
    expect(await fsp.readFile(runJson)).toEqual(metaBefore);
    for (const id of runIds) {
      expect((await store.getRun(id)).data).toEqual({ params: {}, tags: expect.any(Object), metrics: {} });
      expect((await store.getMetricHistory(id, "loss")).steps.length).toBe(0);
    }
    // Nothing is left for the background to move (it would warn, and remove the file it thinks is its own).
    await new Promise((r) => setTimeout(r, 500));
    expect(opened.warnings).toEqual([]);
    expect(journalFiles(root)).toEqual(["00000000.tbj"]);
    // The fault clears: the same write goes through.
    await fsp.rm(join(root, "journal", "00000000.tbj"));
    await store.logBatches(entries);
    expect((await store.getRun(runIds[3]!)).data.params).toEqual({ lr: "0.1" });
    expect(Array.from((await store.getMetricHistory(runIds[7]!, "loss")).values)).toEqual([7]);
    await store.close();
    expect(opened.warnings).toEqual([]);
    const again = open(root);
    expect(Array.from((await (await again.store).getMetricHistory(runIds[7]!, "loss")).values)).toEqual([7]);
    await (await again.store).close();
    expect(again.warnings).toEqual([]);
  });

  it("leaves nothing behind when a journal file cannot even be created: the store closes cleanly", async () => {
    const root = fresh();
    const opened = open(root);
    const store = await opened.store;
    const runIds = await createRuns(store, 10);
    // A link to a folder that does not exist: creating the journal's first file fails.
    await fsp.symlink(join(root, "no-such-folder", "x.tbj"), join(root, "journal", "00000000.tbj"));
    await expectTrackerError(store.logPacked(sweepFlush(runIds, 0, 5)), "INTERNAL_ERROR");
    await expectSweep(store, runIds, 0);
    await store.close();
    expect(opened.warnings).toEqual([]);
  });

  it("leaves out the journal points of a run whose folder is gone, also from a run created again with its id", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 10);
    await store.logPacked(sweepFlush(runIds, 0, 10));
    const copy = crashCopy(root);
    await store.close();
    rmSync(join(copy, "runs", runIds[2]!), { recursive: true });
    const w = open(copy);
    const s = await w.store;
    expect(w.warnings.filter((m) => !m.includes("writer lock"))).toEqual([expect.stringContaining(`holds points of 1 run(s) missing from the root (e.g. ${runIds[2]})`)]);
    await s.createRun({ experimentId: "0", runId: runIds[2]! });
    expect((await s.getMetricHistory(runIds[2]!, "loss")).steps.length).toBe(0);
    expect((await s.getRun(runIds[2]!)).data.metrics).toEqual({});
    await s.close();
    const again = open(copy);
    const a = await again.store;
    expect((await a.getMetricHistory(runIds[2]!, "loss")).steps.length).toBe(0);
    for (const id of runIds.filter((_, r) => r !== 2)) expect((await a.getMetricHistory(id, "loss")).steps.length).toBe(10);
    await a.close();
    expect(again.warnings).toEqual([]);
  });

  it("moves the journal before a purge, so none of a purged run's points outlives it", async () => {
    const root = fresh();
    const store = await open(root).store;
    const runIds = await createRuns(store, 10);
    await store.logPacked(sweepFlush(runIds, 0, 10));
    await store.purgeRun(runIds[4]!);
    expect(journalFiles(root)).toEqual([]);
    await expectTrackerError(store.getRun(runIds[4]!), "RESOURCE_DOES_NOT_EXIST");
    const kept = runIds.filter((_, r) => r !== 4);
    await store.close();
    const again = open(root);
    const s = await again.store;
    await expectTrackerError(s.getRun(runIds[4]!), "RESOURCE_DOES_NOT_EXIST");
    for (const id of kept) expect((await s.getMetricHistory(id, "loss")).steps.length).toBe(10);
    await s.close();
    expect(again.warnings).toEqual([]);
  });
});
