/**
 * The Arrow store's additions for mlruns import: experiments created with a given id, and
 * purgeRun/purgeExperiment (removing runs and experiments for good, durably), directly and
 * through the store worker.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canPurge } from "../../src/mlruns/undo.js";
import { openArrowStore } from "../../src/store/arrow/index.js";
import type { TrackingStore } from "../../src/store/store.js";
import { metricColumns } from "../../src/store/store.js";
import { openChannelStore } from "../worker/channel.js";
import { expectTrackerError } from "./contract.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-arrow-purge-"));
let n = 0;
const fresh = () => join(base, `root-${n++}`);
const quiet = { onWarning: () => undefined };
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Purging = TrackingStore & { purgeRun(runId: string): Promise<void>; purgeExperiment(id: string): Promise<void> };

const points = (key: string, count: number) => metricColumns(Array.from({ length: count }, (_, i) => ({ key, value: i / 10, step: i, timestamp: 1_700_000_000_000 + i })));

/** A run with params, tags, a history in two frames and an artifact. */
async function fullRun(s: TrackingStore, experimentId: string): Promise<string> {
  const run = await s.createRun({ experimentId, runName: "r" });
  const id = run.info.runId;
  await s.logBatch(id, { params: [{ key: "lr", value: "0.1" }], tags: [{ key: "t", value: "v" }], metrics: points("loss", 10) });
  await s.logBatch(id, { metrics: points("acc", 5) });
  await s.logArtifact(id, "model/weights.bin", new Uint8Array([1, 2, 3]));
  return id;
}

/** The contract of both additions, for a store reached directly or through the worker. */
async function purgeContract(s: Purging, root: string): Promise<void> {
  expect(canPurge(s)).toBe(true);
  // Kept experiment ids: any free digit string; taken or malformed ones are refused.
  expect(await s.createExperiment({ name: "kept", experimentId: "123456789012345678" })).toBe("123456789012345678");
  expect((await s.getExperiment("123456789012345678")).name).toBe("kept");
  await expectTrackerError(s.createExperiment({ name: "other", experimentId: "123456789012345678" }), "RESOURCE_ALREADY_EXISTS");
  await expectTrackerError(s.createExperiment({ name: "other", experimentId: "0" }), "RESOURCE_ALREADY_EXISTS");
  await expectTrackerError(s.createExperiment({ name: "other", experimentId: "01" }), "INVALID_PARAMETER_VALUE");
  expect((await s.searchExperiments({ viewType: "ALL" })).experiments.map((e) => e.name).sort()).toEqual(["Default", "kept"]);

  const inDefault = await fullRun(s, "0");
  const keep = await fullRun(s, "0");
  const a = await fullRun(s, "123456789012345678");
  const b = await fullRun(s, "123456789012345678");
  await s.deleteRun(b); // deleted runs purge too
  expect(existsSync(join(root, "runs", inDefault, "artifacts", "model", "weights.bin"))).toBe(true);

  await s.purgeRun(inDefault);
  await expectTrackerError(s.getRun(inDefault), "RESOURCE_DOES_NOT_EXIST");
  await expectTrackerError(s.getMetricHistory(inDefault, "loss"), "RESOURCE_DOES_NOT_EXIST");
  expect(existsSync(join(root, "runs", inDefault))).toBe(false);
  await expectTrackerError(s.purgeRun(inDefault), "RESOURCE_DOES_NOT_EXIST");
  await expectTrackerError(s.purgeRun("not-a-run-id"), "INVALID_PARAMETER_VALUE");
  // A run id is free again once purged.
  expect((await s.createRun({ experimentId: "0", runId: inDefault })).info.runId).toBe(inDefault);
  expect((await s.getRun(inDefault)).data.metrics).toEqual({});
  expect((await s.getMetricHistory(inDefault, "loss")).values.length).toBe(0);

  await s.purgeExperiment("123456789012345678");
  await expectTrackerError(s.getExperiment("123456789012345678"), "RESOURCE_DOES_NOT_EXIST");
  for (const id of [a, b]) await expectTrackerError(s.getRun(id), "RESOURCE_DOES_NOT_EXIST");
  expect(await s.getExperimentByName("kept")).toBeUndefined();
  expect(existsSync(join(root, "experiments", "123456789012345678.json"))).toBe(false);
  await expectTrackerError(s.purgeExperiment("0"), "INVALID_PARAMETER_VALUE");
  await expectTrackerError(s.purgeExperiment("424242"), "RESOURCE_DOES_NOT_EXIST");
  // The name and the id can be used again.
  expect(await s.createExperiment({ name: "kept", experimentId: "123456789012345678" })).toBe("123456789012345678");

  // What is left: the other run, whole; nothing hidden left behind in runs/.
  expect((await s.getRun(keep)).data.params).toEqual({ lr: "0.1" });
  expect(Array.from((await s.getMetricHistory(keep, "loss")).steps)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  expect(readdirSync(join(root, "runs")).sort()).toEqual([inDefault, keep].sort());
}

describe("arrow store: kept experiment ids and purge", () => {
  it("directly, and the removals survive a reopen", async () => {
    const root = fresh();
    const s = await openArrowStore(root, quiet);
    await purgeContract(s, root);
    const runs = (await s.searchRuns({ experimentIds: ["0"], runViewType: "ALL" })).runs.map((r) => r.info.runId).sort();
    await s.close();
    const again = await openArrowStore(root, quiet);
    try {
      expect((await again.searchRuns({ experimentIds: ["0"], runViewType: "ALL" })).runs.map((r) => r.info.runId).sort()).toEqual(runs);
      expect((await again.getExperiment("123456789012345678")).name).toBe("kept");
      expect((await again.searchExperiments({ viewType: "ALL" })).experiments.length).toBe(2);
    } finally {
      await again.close();
    }
  });

  it("waits for history reads in flight before removing the files", async () => {
    const root = fresh();
    const s = await openArrowStore(root, quiet);
    try {
      const id = await fullRun(s, "0");
      const reads = Array.from({ length: 8 }, () => s.getMetricHistory(id, "loss"));
      await s.purgeRun(id);
      for (const h of await Promise.all(reads)) expect(h.values.length).toBe(10);
    } finally {
      await s.close();
    }
  });

  it("clears a purge's hidden folder that a crash left behind", async () => {
    const root = fresh();
    const s = await openArrowStore(root, quiet);
    const id = await fullRun(s, "0");
    await s.close();
    // As a crash after the rename and before the removal leaves it:
    const { renameSync } = await import("node:fs");
    renameSync(join(root, "runs", id), join(root, "runs", `.purged-${id}-1-0`));
    const again = await openArrowStore(root, quiet);
    try {
      await expectTrackerError(again.getRun(id), "RESOURCE_DOES_NOT_EXIST");
      await again.purgeRun(await fullRun(again, "0"));
      expect(readdirSync(join(root, "runs"))).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it("through the worker boundary (host and RemoteStore over a MessageChannel)", async () => {
    const root = fresh();
    const s = await openChannelStore(`arrow:${root}`);
    try {
      expect(s.constructor.name).toBe("RemoteStore");
      await purgeContract(s as Purging, root);
    } finally {
      await s.close();
    }
  });
});
