/**
 * What the importer needs from a store beyond the TrackingStore interface, as the memory store
 * implements it: creating an experiment with a given id, and purging runs and experiments (the
 * exact undo of a failed import).
 */
import { describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { canPurge } from "../../src/mlruns/undo.js";

const code = async (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (isTrackerError(e) ? e.code : String(e)));

describe("memory store additions used by mlruns import", () => {
  it("creates an experiment with a given id, and refuses a taken or malformed one", async () => {
    const s = new MemoryStore();
    expect(await s.createExperiment({ name: "kept", experimentId: "123456789012345678" })).toBe("123456789012345678");
    expect((await s.getExperiment("123456789012345678")).name).toBe("kept");
    expect(await code(s.createExperiment({ name: "other", experimentId: "123456789012345678" }))).toBe("RESOURCE_ALREADY_EXISTS");
    expect(await code(s.createExperiment({ name: "other", experimentId: "0" }))).toBe("RESOURCE_ALREADY_EXISTS");
    expect(await code(s.createExperiment({ name: "other", experimentId: "01" }))).toBe("INVALID_PARAMETER_VALUE");
  });

  it("purges a run and an experiment with its runs for good; the Default experiment cannot be purged", async () => {
    const s = new MemoryStore();
    expect(canPurge(s)).toBe(true);
    const exp = await s.createExperiment({ name: "e" });
    const a = await s.createRun({ experimentId: exp });
    const b = await s.createRun({ experimentId: "0" });
    await s.purgeRun(b.info.runId);
    expect(await code(s.getRun(b.info.runId))).toBe("RESOURCE_DOES_NOT_EXIST");
    await s.purgeExperiment(exp);
    expect(await code(s.getExperiment(exp))).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(await code(s.getRun(a.info.runId))).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(await s.getExperimentByName("e")).toBeUndefined();
    expect(await code(s.purgeExperiment("0"))).toBe("INVALID_PARAMETER_VALUE");
    expect(await code(s.purgeRun("f".repeat(32)))).toBe("RESOURCE_DOES_NOT_EXIST");
  });
});
