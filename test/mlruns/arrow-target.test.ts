/**
 * Import and export work on any store through the TrackingStore interface: here the Arrow-file
 * store through a tracker. (The store keeps the bundle's experiment ids and purges on undo;
 * arrow-undo.test.ts checks those. The dump here is compared by experiment name all the same.)
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { openTracker } from "../../src/tracker.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

/** A dump keyed by experiment name, without experiment ids (the Arrow store allocates its own). */
const byName = (dump: Record<string, unknown>) =>
  Object.fromEntries(
    Object.values(dump).map((e) => {
      const { experimentId: _id, runs, ...rest } = e as { experimentId: string; runs: Record<string, { info: { experimentId?: string } }> };
      const stripped = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { ...r, info: { ...r.info, experimentId: "-" } }]));
      return [rest["name" as keyof typeof rest], { ...rest, runs: stripped }];
    }),
  );

describe("mlruns with the Arrow store (worker)", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("imports a bundle into arrow: and exports it again losslessly", async () => {
    const { store } = await richStore();
    const bundle = join(tmp.dir, "bundle.zip");
    await exportMlruns(store, bundle);
    const tb = await openTracker(`arrow:${join(tmp.dir, "arrow")}`);
    try {
      const result = await importMlruns(tb, bundle);
      expect(result.imported.runs).toBe(18);
      expect(byName(await dumpStore(tb.store))).toEqual(byName(await dumpStore(store)));
      const back = join(tmp.dir, "back", "mlruns");
      expect((await exportMlruns(tb, back)).runs).toBe(18);
    } finally {
      await tb.close();
    }
  });
});
