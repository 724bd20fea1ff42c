/**
 * Crash safety of the Arrow store (Arrow-store issue): "A test starts a child process that logs
 * continuously, SIGKILLs it mid-write (several times, at random moments), reopens the root, and
 * checks: it opens, every run is readable, and no point flushed more than 1 s before the kill is
 * missing."
 *
 * The child (test/fixtures/arrow-logger.mjs) logs through the built package as fast as it can,
 * one run after another, and records what it logged in a progress file with synchronous writes
 * (which survive SIGKILL). After each kill the test compares the store with that record.
 *
 * The same check runs on many runs logging side by side (test/fixtures/arrow-sweep-logger.mjs),
 * whose points go through the store's shared journal and are moved to the run histories at each
 * pause (journal.ts, redistribute.ts): half of those kills land the moment a move has begun (its
 * manifest appears), so the next open has an interrupted move to undo.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArrowStore, type ArrowStore } from "../../src/store/arrow/index.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";

const FIXTURE = resolve(ROOT, "test/fixtures/arrow-logger.mjs");
const SWEEP_FIXTURE = resolve(ROOT, "test/fixtures/arrow-sweep-logger.mjs");
const KILLS = 6;
/** The requirement: a point logged more than this long before the kill must be stored. */
const DURABLE_WITHIN_MS = 1000;

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-crash-"));
/** Loggers still running (a failed check must not leave one filling the disk). */
const running = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of running) {
    c.kill("SIGKILL");
    if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once("exit", r));
  }
  rmSync(base, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

/** What one child recorded having logged. */
type Progress = {
  /** Runs in the order they were started. */
  runs: string[];
  /** Per run: [step, timestamp] of logged points (a sample: the last point of each ~2 ms). */
  points: Map<string, [number, number][]>;
  /** Runs the child ended, with their point count. */
  ended: Map<string, number>;
};

async function readProgress(file: string): Promise<Progress> {
  const p: Progress = { runs: [], points: new Map(), ended: new Map() };
  const text = await readFile(file, "utf8");
  // The last line may be cut off by the kill; only whole lines count.
  const lines = text.split("\n");
  lines.pop();
  for (const line of lines) {
    const [kind, runId, a, b] = line.split(" ");
    if (kind === "run") {
      p.runs.push(runId!);
      p.points.set(runId!, []);
    } else if (kind === "point") p.points.get(runId!)!.push([Number(a), Number(b)]);
    else if (kind === "end") p.ended.set(runId!, Number(a));
  }
  return p;
}

/** Starts a logger (`args` after the root and progress file); resolves once it has begun logging. */
async function startLogger(fixture: string, root: string, progressFile: string, args: string[]) {
  const child = spawn(process.execPath, [fixture, root, progressFile, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      res({ code, signal });
    }),
  );
  await new Promise<void>((res, rej) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      if (out.includes("logging\n")) res();
    });
    void exited.then((e) => rej(new Error(`the logger exited (${JSON.stringify(e)}) before it began logging; stderr:\n${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a crash test starts its loggers and picks its moments. */
type CrashPlan = {
  name: string;
  fixture: string;
  args: string[];
  /** Waits until the moment of the `kill`-th kill; resolves with how it was picked. */
  killAt(kill: number, root: string): Promise<string>;
};

/** Random moments; half of them late enough that the 1 s bound has points to check. */
async function randomMoment(kill: number): Promise<string> {
  const delay = kill % 2 === 0 ? 1000 + Math.random() * 1000 : 300 + Math.random() * 700;
  await sleep(delay);
  return `after ${Math.round(delay)} ms`;
}

/** Waits (up to `ms`) until a move of the journal to the histories has begun: its manifest is there. */
async function moveUnderWay(root: string, ms: number): Promise<string> {
  const t0 = Date.now();
  const dir = join(root, "journal");
  while (Date.now() - t0 < ms) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // No journal yet.
    }
    if (names.some((n) => n.endsWith(".redist"))) return `as a move began, after ${Date.now() - t0} ms`;
    await new Promise((r) => setImmediate(r));
  }
  return `after ${ms} ms (no move was seen beginning)`;
}

describe("store/arrow crash safety", () => {
  it(
    `reopens after ${KILLS} SIGKILLs of a logging process at random moments, with every run readable and no point logged more than 1 s before a kill missing`,
    { timeout: 600_000 },
    async () => {
      await crashRepeatedly({ name: "one run at a time", fixture: FIXTURE, args: ["400"], killAt: (kill) => randomMoment(kill) });
    },
  );

  it(
    `does the same for 48 runs logging side by side through the journal, half of the ${KILLS} kills landing as the journal's move to the histories begins`,
    { timeout: 600_000 },
    async () => {
      await crashRepeatedly({
        name: "48 runs side by side",
        fixture: SWEEP_FIXTURE,
        args: ["48", "700", "400"],
        killAt: (kill, root) => (kill % 2 === 0 ? randomMoment(kill) : sleep(300).then(() => moveUnderWay(root, 5000))),
      });
    },
  );
});

async function crashRepeatedly(plan: CrashPlan): Promise<void> {
  const root = join(base, `root-${plan.name.replace(/\W+/g, "-")}`);
  /** Stored point count of every run checked so far: a later open must never lose any. */
  const seen = new Map<string, { points: number; status: string }>();
  const report: string[] = [];
  let previous: { pid: number; takenOverBy: "test" | "next child" } | undefined;

  for (let kill = 0; kill < KILLS; kill++) {
    const progressFile = join(base, `progress-${plan.name.replace(/\W+/g, "-")}-${kill}.txt`);
    const logger = await startLogger(plan.fixture, root, progressFile, plan.args);
    const pid = logger.child.pid!;
    if (previous?.takenOverBy === "next child") {
      // The killed child's lock was still there; this child took it over to log at all.
      const lock = JSON.parse(await readFile(join(root, ".lock"), "utf8")) as { pid: number };
      expect(lock.pid, "the next child should hold the lock it took over").toBe(pid);
    }

    const moment = await plan.killAt(kill, root);
    const killTime = Date.now();
    logger.child.kill("SIGKILL");
    const exit = await logger.exited;
    expect(exit.signal, `the logger ended by itself: ${JSON.stringify(exit)}\n${logger.stderr()}`).toBe("SIGKILL");

    const lock = JSON.parse(await readFile(join(root, ".lock"), "utf8")) as { pid: number };
    expect(lock.pid, "the killed logger's lock is left behind").toBe(pid);

    // Every other kill, check read-only and leave the stale lock for the next child to take
    // over; otherwise (and after the last kill) open as a writer, which takes it over and repairs.
    const last = kill === KILLS - 1;
    const asWriter = last || kill % 2 === 0;
    const warnings: string[] = [];
    const store = await openArrowStore(root, { readOnly: !asWriter, onWarning: (m) => warnings.push(m) });
    try {
      if (asWriter) {
        expect(warnings.filter((w) => w.includes("writer lock")), JSON.stringify(warnings)).toEqual([
          expect.stringContaining(`process ${pid}`) as unknown as string,
        ]);
      }
      const progress = await readProgress(progressFile);
      expect(progress.runs.length, "the logger recorded no run").toBeGreaterThan(0);
      const counts = await checkEveryRun(store, root);

      for (const runId of progress.runs) {
        const stored = counts.get(runId);
        expect(stored, `run ${runId} of the killed logger is missing from the root`).toBeDefined();
        const run = await store.getRun(runId);
        const ended = progress.ended.get(runId);
        if (ended !== undefined) {
          // Ended before the kill: end() flushed, so every point is there.
          expect(run.info.status).toBe("FINISHED");
          expect(stored, `run ${runId} was ended with ${ended} points`).toBe(ended);
          expect(run.data.params.points).toBe(String(ended));
        }
        // The requirement: every point logged more than 1 s before the kill is stored. The
        // history is a prefix (checked above), so it is enough that the latest such point is.
        const due = progress.points.get(runId)!.filter(([, ts]) => ts < killTime - DURABLE_WITHIN_MS);
        const lastDue = due[due.length - 1];
        if (lastDue) {
          const [step, ts] = lastDue;
          expect(
            stored! > step,
            `run ${runId}: step ${step} was logged ${killTime - ts} ms before the kill, but only steps 0..${stored! - 1} were stored ` +
              `(the requirement: nothing logged more than ${DURABLE_WITHIN_MS} ms before a crash is lost)`,
          ).toBe(true);
        }
      }

      // Nothing stored earlier was lost by this crash or by the repair after it.
      for (const [runId, before] of seen) {
        expect(counts.get(runId), `run ${runId} lost points after a later crash`).toBe(before.points);
        expect((await store.getRun(runId)).info.status).toBe(before.status);
      }
      for (const [runId, points] of counts) seen.set(runId, { points, status: (await store.getRun(runId)).info.status });

      const torn = warnings.filter((w) => w.includes("history.tbseg"));
      const undone = warnings.filter((w) => w.includes("was interrupted"));
      report.push(`kill ${kill + 1}: ${moment}, ${progress.runs.length} runs, ${torn.length} torn tail(s) (${asWriter ? "cut off" : "ignored, read-only"}), ${undone.length} interrupted move(s) undone`);
    } finally {
      await store.close();
    }
    previous = { pid, takenOverBy: asWriter ? "test" : "next child" };
  }
  console.log(`store/arrow crash safety (${plan.name}):\n  ${report.join("\n  ")}`);
}

/**
 * Opens every run folder's run and history: each must be readable, and each history a prefix in
 * logging order (steps 0, 1, 2, … with no gap, value = step). Returns the point count per run.
 */
async function checkEveryRun(store: ArrowStore, root: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const ids = (await readdir(join(root, "runs"))).filter((n) => /^[0-9a-f]{32}$/.test(n));
  const listed: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ experimentIds: ["0"], maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    listed.push(...page.runs.map((r) => r.info.runId));
    pageToken = page.nextPageToken;
  } while (pageToken);
  expect(listed.sort()).toEqual([...ids].sort());
  for (const runId of ids) {
    const run = await store.getRun(runId);
    const h = await store.getMetricHistory(runId, "x");
    const n = h.steps.length;
    for (let i = 0; i < n; i++) {
      if (h.steps[i] !== i || h.values[i] !== i) {
        expect.fail(`run ${runId}: point ${i} of ${n} is step ${h.steps[i]} value ${h.values[i]}; the history must be steps 0..${n - 1} in order`);
      }
    }
    // The summary agrees with the history.
    if (n > 0) expect(run.data.metrics.x, `run ${runId}: latest x`).toBe(n - 1);
    else expect(run.data.metrics.x).toBeUndefined();
    counts.set(runId, n);
  }
  return counts;
}
