/**
 * The model-store contract on the memory and Arrow stores, and the Arrow store's models on disk:
 * they survive a reopen, and a damaged file is reported and left out.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { loggedModel, modelVersion, registeredModel, runModelStoreContract } from "./contract-models.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-models-"));
let n = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

runModelStoreContract("memory", async () => new MemoryStore());
runModelStoreContract("arrow", async () => openArrowStore(join(base, `root-${n++}`), { onWarning: () => undefined }));

describe("Arrow store models on disk", () => {
  it("logged models, their artifacts and the registry survive close and reopen", async () => {
    const dir = join(base, "reopen");
    const a = await openArrowStore(dir);
    const m = loggedModel();
    m.metrics.push({ ...m.metrics[0]!, value: -Infinity, step: 3 }, { ...m.metrics[0]!, value: -0, step: 4 });
    await a.putLoggedModel(m);
    await a.logLoggedModelArtifact(loggedModel().modelId, "MLmodel", new TextEncoder().encode("x: 1\n"));
    await a.putRegisteredModel(registeredModel({ aliases: { champion: 1 } }));
    await a.putModelVersion(modelVersion());
    const before = { m: await a.getLoggedModel(loggedModel().modelId), r: await a.getRegisteredModel("Echo model"), v: await a.listModelVersions("Echo model") };
    await a.close();
    const b = await openArrowStore(dir);
    try {
      expect(await b.getLoggedModel(loggedModel().modelId)).toEqual(before.m);
      expect(Object.is((await b.getLoggedModel(m.modelId)).metrics[3]!.value, -0)).toBe(true);
      expect(Number.isNaN((await b.getLoggedModel(m.modelId)).metrics[1]!.value)).toBe(true);
      expect(await b.getRegisteredModel("Echo model")).toEqual(before.r);
      expect(await b.listModelVersions("Echo model")).toEqual(before.v);
      expect(new TextDecoder().decode(await b.readLoggedModelArtifact(loggedModel().modelId, "MLmodel"))).toBe("x: 1\n");
    } finally {
      await b.close();
    }
  });

  it("a damaged registry file is reported and left out, not fatal", async () => {
    const dir = join(base, "damaged");
    const a = await openArrowStore(dir);
    await a.putRegisteredModel(registeredModel());
    await a.close();
    writeFileSync(join(dir, "models", "registry.json"), "{ not json");
    const warnings: string[] = [];
    const b = await openArrowStore(dir, { onWarning: (m) => warnings.push(m) });
    try {
      expect(await b.listRegisteredModels()).toEqual([]);
      expect(warnings.join("\n")).toContain("registry.json");
    } finally {
      await b.close();
    }
  });
});
