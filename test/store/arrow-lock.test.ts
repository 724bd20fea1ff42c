/**
 * The writer lock across processes (Arrow-store issue): "Two processes writing one root: the
 * second gets the lock error; after the first dies, the lock is taken over."
 *
 * The other processes run test/fixtures/arrow-lock-holder.mjs against the built package.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";
import { expectTrackerError } from "./contract-helpers.js";

const FIXTURE = resolve(ROOT, "test/fixtures/arrow-lock-holder.mjs");
const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-lock-"));
let rootNo = 0;
const fresh = () => join(base, `root-${rootNo++}`);

type Message = Record<string, unknown> & { pid?: number; runId?: string };

/** A fixture process, with its stdout read as one JSON message per line. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: Message[] = [];
  private waiting: ((m: Message | undefined) => void) | undefined;
  private buffer = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(mode: string, root: string) {
    this.proc = spawn(process.execPath, [FIXTURE, mode, root], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.setEncoding("utf8").on("data", (s: string) => {
      this.buffer += s;
      let nl;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.queue.push(JSON.parse(line) as Message);
        this.flushWaiter();
      }
    });
    this.proc.stderr.setEncoding("utf8").on("data", (s: string) => (this.stderr += s));
    this.exited = new Promise((res) => this.proc.on("exit", (code, signal) => res({ code, signal })));
    void this.exited.then(() => this.flushWaiter());
    children.add(this);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private flushWaiter(): void {
    if (!this.waiting) return;
    const m = this.queue.shift();
    if (m === undefined && this.proc.exitCode === null && this.proc.signalCode === null) return;
    const w = this.waiting;
    this.waiting = undefined;
    w(m);
  }

  /** The next message; fails if the process ends without sending one. */
  async next(): Promise<Message> {
    const m = this.queue.shift() ?? (await new Promise<Message | undefined>((res) => ((this.waiting = res), this.flushWaiter())));
    if (m === undefined) throw new Error(`fixture ${this.pid} ended without a message; stderr:\n${this.stderr}`);
    return m;
  }

  send(line: string): void {
    this.proc.stdin.write(line + "\n");
  }

  async kill(): Promise<void> {
    this.proc.kill("SIGKILL");
    await this.exited;
  }
}

const children = new Set<Child>();

beforeAll(() => ensureBuilt());
afterEach(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.kill();
  children.clear();
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

async function startHolder(root: string): Promise<{ holder: Child; pid: number; runId: string }> {
  const holder = new Child("hold", root);
  const ready = await holder.next();
  expect(ready.ready, JSON.stringify(ready)).toBe(true);
  expect(ready.pid).toBe(holder.pid);
  return { holder, pid: holder.pid, runId: ready.runId! };
}

describe("store/arrow writer lock", () => {
  it("gives a second writer INVALID_STATE naming the holder's pid, in this process and in another, while readers still open the root", async () => {
    const root = fresh();
    const { pid, runId } = await startHolder(root);
    const lockBefore = await readFile(join(root, ".lock"));

    const err = await expectTrackerError(openArrowStore(root, { onWarning: () => undefined }), "INVALID_STATE");
    expect(err.message).toContain(`process ${pid}`);
    expect(err.message).toContain(join(root, ".lock"));
    expect(err.message).toMatch(/readOnly/);

    // Another process, through the public API (and the store worker).
    const other = new Child("try", root);
    const got = await other.next();
    expect(got).toMatchObject({ ok: false, name: "TrackerError", code: "INVALID_STATE" });
    expect(got.message).toContain(`process ${pid}`);
    await other.exited;

    // Readers never block: a read-only open works meanwhile and sees what the holder flushed.
    const reader = await openArrowStore(root, { readOnly: true, onWarning: () => undefined });
    const run = await reader.getRun(runId);
    expect(run.data.params).toEqual({ who: "A" });
    expect(run.data.metrics).toEqual({ x: 99 });
    expect(Array.from((await reader.getMetricHistory(runId, "x")).steps)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await reader.close();
    // Neither the refused writers nor the reader touched the holder's lock.
    expect(await readFile(join(root, ".lock"))).toEqual(lockBefore);
  });

  it("takes the lock over, with a warning naming the dead process, once the holder was killed", async () => {
    const root = fresh();
    const { holder, pid, runId } = await startHolder(root);
    await holder.kill();

    const warnings: string[] = [];
    const store = await openArrowStore(root, { onWarning: (m) => warnings.push(m) });
    expect(warnings.filter((w) => w.includes("lock")), JSON.stringify(warnings)).toEqual([
      expect.stringContaining(`process ${pid}`) as unknown as string,
    ]);
    const lock = JSON.parse(await readFile(join(root, ".lock"), "utf8")) as { pid: number; hostname: string };
    expect(lock).toMatchObject({ pid: process.pid, hostname: hostname() });
    // The killed holder's data is all there, and the new writer can write.
    expect((await store.getRun(runId)).data.params).toEqual({ who: "A" });
    expect((await store.getMetricHistory(runId, "x")).steps.length).toBe(100);
    await store.updateRun(runId, { status: "KILLED", endTime: Date.now() });
    await store.close();

    // A third process now opens it too (the lock was released by close).
    const third = new Child("try", root);
    expect(await third.next()).toEqual({ ok: true });
    await third.exited;
  });

  it("releases the lock when the holder closes, so the next writer opens without a takeover", async () => {
    const root = fresh();
    const { holder } = await startHolder(root);
    holder.send("close");
    expect(await holder.exited).toEqual({ code: 0, signal: null });
    const warnings: string[] = [];
    const store = await openArrowStore(root, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    await store.close();
  });

  it("does not take over a lock of a process on another host, and says to delete the lock file if that process is gone", async () => {
    const root = fresh();
    const first = await openArrowStore(root, { onWarning: () => undefined });
    await first.close();
    const foreign = JSON.stringify({ pid: deadPid(), hostname: "build-box-7.invalid", createdAt: Date.parse("2024-05-01T12:00:00Z") });
    await writeFile(join(root, ".lock"), foreign);

    const warnings: string[] = [];
    const err = await expectTrackerError(openArrowStore(root, { onWarning: (m) => warnings.push(m) }), "INVALID_STATE");
    expect(err.message).toContain("on host build-box-7.invalid");
    expect(err.message).toContain("2024-05-01T12:00:00.000Z");
    expect(err.message).toMatch(/delete the lock file/);
    expect(warnings).toEqual([]);
    expect(await readFile(join(root, ".lock"), "utf8")).toBe(foreign);
    // Reading is still possible.
    const reader = await openArrowStore(root, { readOnly: true, onWarning: () => undefined });
    await reader.close();
  });

  it("takes over a lock left by a dead process of this host", async () => {
    const root = fresh();
    const dead = deadPid();
    await openArrowStore(root, { onWarning: () => undefined }).then((s) => s.close());
    await writeFile(join(root, ".lock"), JSON.stringify({ pid: dead, hostname: hostname(), createdAt: 1 }));
    const warnings: string[] = [];
    const store = await openArrowStore(root, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining(`process ${dead}`)]);
    await store.close();
  });

  it.each([
    ["cut off mid-write", '{"pid": 12'],
    ["empty", ""],
  ])("takes over a lock file left %s by a crash", async (_, content) => {
    const root = fresh();
    await openArrowStore(root, { onWarning: () => undefined }).then((s) => s.close());
    await writeFile(join(root, ".lock"), content);
    const store = await openArrowStore(root, { onWarning: () => undefined });
    expect(JSON.parse(await readFile(join(root, ".lock"), "utf8"))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it.each([
    ["a fresh root", false],
    ["a root whose lock was left by a dead process", true],
  ])("lets exactly one of several processes opening %s at the same moment become the writer", { timeout: 120_000 }, async (_, stale) => {
    const ROUNDS = 6;
    const RACERS = 6;
    for (let round = 0; round < ROUNDS; round++) {
      const root = fresh();
      await openArrowStore(root, { onWarning: () => undefined }).then((s) => s.close());
      if (stale) await writeFile(join(root, ".lock"), JSON.stringify({ pid: deadPid(), hostname: hostname(), createdAt: 1 }));
      const racers = Array.from({ length: RACERS }, () => new Child("race", root));
      for (const r of racers) expect(await r.next()).toEqual({ ready: true });
      for (const r of racers) r.send("go");
      // Every racer answers while all winners still hold the store open.
      const results = await Promise.all(racers.map((r) => r.next()));
      const winners = results.filter((r) => r.won === true);
      expect(winners.length, `round ${round}: ${JSON.stringify(results, null, 1)}`).toBe(1);
      for (const r of results.filter((x) => x.won !== true)) {
        expect(r.code, JSON.stringify(r)).toBe("INVALID_STATE");
        expect(r.message).toContain(`process ${winners[0]!.pid}`);
      }
      const lock = JSON.parse(await readFile(join(root, ".lock"), "utf8")) as { pid: number };
      expect(lock.pid).toBe(winners[0]!.pid);
      for (const r of racers) r.send("close");
      for (const r of racers) expect((await r.exited).code).toBe(0);
    }
  });
});
