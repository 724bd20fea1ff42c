/**
 * Importing into an Arrow store keeps the bundle's experiment ids, and a failed import leaves
 * the store's folder byte for byte as it was (the store purges what the import created).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importMlruns } from "../../src/mlruns/index.js";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { expectTrackerError } from "../store/contract.js";
import { openChannelStore } from "../worker/channel.js";
import { expMeta, RUN_A, RUN_B, RUN_C, runMeta, smallBundle, writeBundle, type Files } from "./helpers/bundle.js";
import { tempDir } from "./helpers/fixtures.js";

const quiet = { onWarning: () => undefined };

/** Every file under `root` with its bytes (folders as entries too), without the writer lock. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = relative(root, p);
      if (name === ".lock" || name.startsWith(".lock")) continue;
      if (statSync(p).isDirectory()) {
        out[`${rel}/`] = "";
        walk(p);
      } else out[rel] = readFileSync(p).toString("base64");
    }
  };
  walk(root);
  return out;
}

/** A bundle with experiments 0, 1 and 7, three runs, the last one (in 7) last in import order. */
function bundle(): Files {
  return {
    ...smallBundle(),
    "mlruns/7/meta.yaml": expMeta("7", "seven"),
    [`mlruns/7/${RUN_C}/meta.yaml`]: runMeta(RUN_C, "7"),
    [`mlruns/7/${RUN_C}/metrics/loss`]: "1700000000000 0.5 0\n1700000000001 0.25 1\n",
    [`mlruns/7/${RUN_C}/params/lr`]: "0.2",
    [`mlruns/7/${RUN_C}/artifacts/a.txt`]: "hello",
  };
}

/** A store with an experiment and a run of its own, closed (summary.json written). */
async function seeded(root: string): Promise<void> {
  const s = await openArrowStore(root, quiet);
  const exp = await s.createExperiment({ name: "mine" });
  const run = await s.createRun({ experimentId: exp, runName: "own" });
  await s.logBatch(run.info.runId, { params: [{ key: "p", value: "1" }], metrics: { keys: ["m"], keyIds: new Uint32Array(2), values: new Float64Array([1, 2]), steps: new Float64Array([0, 1]), timestamps: new Float64Array([5, 6]) } });
  await s.logArtifact(run.info.runId, "x.bin", new Uint8Array([9]));
  await s.close();
}

describe("mlruns import into an Arrow store", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;

  it("keeps the bundle's experiment ids", async () => {
    const dir = writeBundle(join(tmp.dir, `b${n++}`), bundle());
    const s = await openArrowStore(join(tmp.dir, `s${n++}`), quiet);
    try {
      const r = await importMlruns(s, dir);
      expect(r.imported).toMatchObject({ experiments: 2, runs: 3 });
      expect(r.experimentIds).toEqual({});
      expect((await s.getExperiment("1")).name).toBe("one");
      expect((await s.getExperiment("7")).name).toBe("seven");
      expect((await s.getRun(RUN_C)).info.experimentId).toBe("7");
    } finally {
      await s.close();
    }
  });

  // Each run is checked as it is written: the runs before the bad one are written, then undone.
  {
    it("a bad metric line in the last run: refused, the writes before it undone, the store folder byte for byte as before", async () => {
      const root = join(tmp.dir, `s${n++}`);
      await seeded(root);
      const before = snapshot(root);
      const files = bundle();
      files[`mlruns/7/${RUN_C}/metrics/loss`] = "1700000000000 0.5 0\n1700000000001 zero 1\n";
      const dir = writeBundle(join(tmp.dir, `b${n++}`), files);
      const s = await openArrowStore(root, quiet);
      const phases = new Set<string>();
      const e = await importMlruns(s, dir, { onProgress: (p) => phases.add(p.phase) }).catch((x: unknown) => x);
      await s.close();
      expect((e as Error).message).toMatch(/metrics\/loss, line 2: value "zero" is not a number/);
      expect([...phases]).toEqual(["scanning", "importing", "rolling back"]);
      expect(snapshot(root)).toEqual(before);
    });
  }

  for (const via of ["directly", "through the worker boundary"] as const) {
    it(`a failure during the writes (${via}) is undone exactly: purged, the store folder byte for byte as before`, async () => {
      const root = join(tmp.dir, `s${n++}`);
      await seeded(root);
      const before = snapshot(root);
      const dir = writeBundle(join(tmp.dir, `b${n++}`), bundle());
      const s = via === "directly" ? await openArrowStore(root, quiet) : await openChannelStore(`arrow:${root}`);
      // The last run's metric file is broken once the writes begin (before any run is read), so
      // the import fails when its turn comes, after the runs and experiments before it were written.
      const e = await importMlruns(s, dir, {
        onProgress: (p) => {
          if (p.phase === "importing" && p.done === 0) writeFileSync(join(dir, `mlruns/7/${RUN_C}/metrics/loss`), "1700000000000 0.5 0\nbroken\n");
        },
      }).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/Nothing was imported: the store is as it was before\./);
      await expectTrackerError(s.getRun(RUN_A), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(s.getExperiment("7"), "RESOURCE_DOES_NOT_EXIST");
      await s.close();
      expect(snapshot(root)).toEqual(before);
    });
  }

  it("cancelled during the writes: undone exactly", async () => {
    const root = join(tmp.dir, `s${n++}`);
    await seeded(root);
    const before = snapshot(root);
    const dir = writeBundle(join(tmp.dir, `b${n++}`), bundle());
    const s = await openArrowStore(root, quiet);
    const controller = new AbortController();
    const e = await importMlruns(s, dir, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "importing" && p.done > 0) controller.abort(new Error("stop"));
      },
    }).catch((x: unknown) => x);
    await s.close();
    expect((e as Error).message).toBe("stop");
    expect(snapshot(root)).toEqual(before);
    expect(RUN_B).not.toBe(RUN_C);
  });
});
