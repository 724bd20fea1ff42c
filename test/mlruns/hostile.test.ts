/**
 * Bad and hostile bundles: each is refused with a TrackerError naming the file (and line), and
 * the store it was imported into is exactly as before, times included. Failures and cancellation
 * in the middle of the writes are undone too.
 */
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogBatch } from "../../src/entities.js";
import { isTrackerError, TrackerError } from "../../src/errors.js";
import { importMlruns, type ImportOptions } from "../../src/mlruns/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { expMeta, RUN_A, RUN_B, runMeta, smallBundle, writeBundle, type Files } from "./helpers/bundle.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

/** A memory store whose logBatch call number `failAt` fails (a disk that is full for a moment). */
class FailingStore extends MemoryStore {
  calls = 0;
  failAt = Infinity;
  override async logBatch(runId: string, batch: LogBatch): Promise<void> {
    if (++this.calls === this.failAt) throw new TrackerError("RESOURCE_EXHAUSTED", "disk full");
    return super.logBatch(runId, batch);
  }
}

/** The same store as seen through the required interface only: no purgeRun / purgeExperiment, no putRuns (a REST store, say). */
function withoutPurge(store: MemoryStore): MemoryStore {
  return new Proxy(store, { get: (t, k) => (k === "purgeRun" || k === "purgeExperiment" || k === "putRuns" ? undefined : Reflect.get(t, k, t)) });
}

const EXACT = { times: true, artifactUris: true } as const;

describe("mlruns import of bad and hostile bundles", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;
  let store: FailingStore;
  let before: unknown;

  beforeAll(async () => {
    const rich = await richStore();
    store = Object.setPrototypeOf(rich.store, FailingStore.prototype) as FailingStore;
    store.calls = 0;
    store.failAt = Infinity;
    before = await dumpStore(store, EXACT);
  });

  const expectRefused = async (files: Files, message: RegExp, options: ImportOptions = {}, code = "INVALID_PARAMETER_VALUE") => {
    const dir = writeBundle(join(tmp.dir, `b${n++}`), files);
    const e = await importMlruns(store, dir, options).catch((x: unknown) => x);
    expect(isTrackerError(e), String(e)).toBe(true);
    expect((e as TrackerError).code).toBe(code);
    expect((e as Error).message).toMatch(message);
    expect(await dumpStore(store, EXACT)).toEqual(before);
  };
  const mutate = (change: (f: Files) => void): Files => {
    const f = smallBundle();
    change(f);
    return f;
  };

  it("a malformed meta.yaml: named with its line", () =>
    expectRefused(mutate((f) => (f[`mlruns/1/${RUN_B}/meta.yaml`] = "run_id: [\n")), new RegExp(`mlruns/1/${RUN_B}/meta.yaml, line 2`)));

  it("a garbage metric line: named with its line", () =>
    expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/metrics/loss`] = "1700000000000 0.5 0\n1700000000001 zero 1\n")), new RegExp(`metrics/loss, line 2: value "zero" is not a number`)));

  it("a blank line, a float timestamp, a negative timestamp, a step beyond 2^53, too many fields", async () => {
    for (const [text, line, why] of [
      ["1 0.5 0\n\n2 0.5 1\n", 2, /blank line/],
      ["1.5 0.5 0\n", 1, /timestamp "1.5" is not an integer/],
      ["-1 0.5 0\n", 1, /negative/],
      ["1 0.5 9007199254740993\n", 1, /beyond/],
      ["1 2 3 4 5 6 7\n", 1, /expected/],
      ["", undefined, /empty/],
    ] as const) {
      await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/metrics/loss`] = text)), new RegExp(`metrics/loss${line ? `, line ${line}` : ""}: .*${why.source}`));
    }
  });

  it("a duplicate run id: both files named", () =>
    expectRefused(
      mutate((f) => {
        f["mlruns/2/meta.yaml"] = expMeta("2", "two");
        f[`mlruns/2/${RUN_A}/meta.yaml`] = runMeta(RUN_A, "2");
      }),
      new RegExp(`run id '${RUN_A}' appears twice, in mlruns/1/${RUN_A}/meta.yaml and in mlruns/2/${RUN_A}/meta.yaml`),
    ));

  it("meta.yaml that disagrees with its folder, a bad status, an alias, a python tag, an oversized file", async () => {
    await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/meta.yaml`] = runMeta(RUN_B, "1"))), /does not match its folder/);
    await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/meta.yaml`] = runMeta(RUN_A, "1").replace("status: 3", "status: 9"))), /'status' must be 1/);
    await expectRefused(mutate((f) => (f["mlruns/1/meta.yaml"] = `${expMeta("1", "one")}x: &a [1]\ny: *a\n`)), /mlruns\/1\/meta.yaml: aliases/);
    await expectRefused(mutate((f) => (f["mlruns/1/meta.yaml"] = `${expMeta("1", "one")}x: !!python/object/apply:os.system ["id"]\n`)), /mlruns\/1\/meta.yaml/);
    await expectRefused(mutate((f) => (f["mlruns/1/meta.yaml"] = expMeta("1", "one") + "#".repeat(2 << 20))), /mlruns\/1\/meta.yaml has \d+ bytes/, {}, "RESOURCE_EXHAUSTED");
  });

  it("keys and values MLflow would refuse: named by file", async () => {
    await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/params/bad#key`] = "1")), /params\/bad#key: Invalid param name/);
    await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/tags/t`] = "v".repeat(8001))), /tags\/t: Value of tag 't' has 8001 characters/);
    await expectRefused(mutate((f) => (f[`mlruns/1/${RUN_A}/params/p`] = new Uint8Array([0xff, 0xfe]))), /params\/p: it is not UTF-8/);
  });

  it("symlinks anywhere, and artifact URIs that leave the bundle, are refused", async () => {
    const dir = writeBundle(join(tmp.dir, `b${n++}`), smallBundle());
    symlinkSync("/etc/passwd", join(dir, `mlruns/1/${RUN_A}/artifacts/passwd`));
    const e = await importMlruns(store, dir).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/artifacts\/passwd is a symbolic link/);
    expect(await dumpStore(store, EXACT)).toEqual(before);
    const files = mutate((f) => {
      delete f[`mlruns/1/${RUN_A}/artifacts/model/weights.bin`];
      f[`mlruns/1/${RUN_A}/meta.yaml`] = runMeta(RUN_A, "1").replace(/artifact_uri: .*/, "artifact_uri: mlflow-artifacts:/1/../../../etc");
      f["mlartifacts/x"] = "";
    });
    await expectRefused(files, /points outside the bundle/);
  });

  it("a store failure in the middle of the writes is undone: the store is exactly as before", async () => {
    for (const failAt of [1, 2, 3]) {
      store.calls = 0;
      store.failAt = failAt;
      await expectRefused(smallBundle(), /disk full\. Nothing was imported: the store is as it was before\./, {}, "RESOURCE_EXHAUSTED");
    }
    store.failAt = Infinity;
  });

  it("cancelling during the writes undoes them and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const phases: string[] = [];
    const dir = writeBundle(join(tmp.dir, `b${n++}`), smallBundle());
    const e = await importMlruns(store, dir, {
      signal: controller.signal,
      onProgress: (p) => {
        phases.push(`${p.phase} ${p.done}/${p.total}`);
        if (p.phase === "importing" && p.done > 0) controller.abort(new Error("stop"));
      },
    }).catch((x: unknown) => x);
    expect((e as Error).message).toBe("stop");
    // Both runs go to the store in one putRuns call; the undo removes them and their experiment.
    expect(phases).toEqual(["scanning 0/0", "importing 0/2", "importing 2/2", "rolling back 0/3", "rolling back 1/3", "rolling back 2/3", "rolling back 3/3"]);
    expect(await dumpStore(store, EXACT)).toEqual(before);
  });

  it("onConflict 'replace' puts the replaced run back when the import fails", async () => {
    const target = new FailingStore();
    const dir = writeBundle(join(tmp.dir, `b${n++}`), smallBundle());
    await importMlruns(target, dir);
    await target.logBatch(RUN_A, { tags: [{ key: "local", value: "change" }] });
    const was = await dumpStore(target, EXACT);
    target.calls = 0;
    target.failAt = 3;
    const e = await importMlruns(target, dir, { onConflict: "replace" }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/disk full/);
    expect(await dumpStore(target, EXACT)).toEqual(was);
  });

  it("a store that cannot undo its writes exactly: every run is checked before the first write, so a bad bundle leaves nothing", async () => {
    const target = new FailingStore();
    const was = await dumpStore(target, EXACT);
    const files = smallBundle();
    files[`mlruns/1/${RUN_B}/metrics/loss`] = "1700000000000 0.5 0\n1700000000001 zero 1\n";
    const phases = new Set<string>();
    const e = await importMlruns(withoutPurge(target), writeBundle(join(tmp.dir, `b${n++}`), files), { onProgress: (p) => phases.add(p.phase) }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/metrics\/loss, line 2: value "zero" is not a number/);
    expect([...phases]).toEqual(["scanning", "validating"]);
    expect(await dumpStore(target, EXACT)).toEqual(was);
  });

  it("a store that cannot purge: the failure says what was left behind, as deleted", async () => {
    const target = new FailingStore();
    target.failAt = 2;
    const dir = writeBundle(join(tmp.dir, `b${n++}`), smallBundle());
    const e = await importMlruns(withoutPurge(target), dir).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/cannot remove runs or experiments for good .* remain as deleted: .*run 0123456789abcdef0123456789abcdef/);
    expect((await target.getRun(RUN_A)).info.lifecycleStage).toBe("deleted");
  });
});
