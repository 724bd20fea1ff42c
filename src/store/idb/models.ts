/**
 * Logged models and the model registry of the IndexedDB store (schema v4):
 *
 *   models          one LoggedModel per record, keyed by modelId (structured clone keeps NaN and -0)
 *   registry        one record, key "all": every registered model with its versions
 *   modelArtifacts  one file each as a Blob, keyed `[modelId, path]`
 *
 * The rules are model-catalog.ts's, as on every backend. Its catalog keeps models in memory; here
 * each call builds one from the database inside the call's own transaction and writes through
 * that transaction, so a call sees every other tab's changes, a read-check-write cannot race
 * another tab, and a failed check or write aborts the transaction (nothing changes).
 *
 * @module
 */
import type { ArtifactInfo } from "../../artifacts.js";
import { TrackerError } from "../../errors.js";
import type { LoggedModel } from "../../models.js";
import { ModelCatalog, type ModelPersistence, type RegistryData } from "../model-catalog.js";
import { assertPathFree, childrenOf } from "./artifacts.js";
import type { Connection, Names, Tx } from "./connection.js";

/** The stores a model call reads and writes. */
export const MODEL_STORES = ["experiments", "models", "registry", "modelArtifacts"] as const;
type ModelTx = Tx<(typeof MODEL_STORES)[number], IDBTransactionMode>;

const REGISTRY_KEY = "all";

/** Every artifact key of one logged model: arrays sort after strings, so `[modelId, []]` closes the range. */
export function modelArtifactKeys(modelId: string): IDBKeyRange {
  return IDBKeyRange.bound([modelId, ""], [modelId, []]);
}

/** A {@link ModelPersistence} writing through `tx` (a readwrite transaction for the writes). */
function persistence(tx: ModelTx, dbName: string): ModelPersistence {
  const rw = tx as Tx<(typeof MODEL_STORES)[number], "readwrite">;
  return {
    artifactLocation: (id) => `idb:${dbName}/models/${id}/artifacts`,
    async saveLoggedModel(m: LoggedModel) {
      await rw.objectStore("models").put(m);
    },
    async removeLoggedModel(id) {
      await Promise.all([rw.objectStore("models").delete(id), rw.objectStore("modelArtifacts").delete(modelArtifactKeys(id))]);
    },
    async saveRegistry(data: RegistryData) {
      await rw.objectStore("registry").put(data, REGISTRY_KEY);
    },
    async writeArtifact(id, path, data) {
      const keys = await rw.objectStore("modelArtifacts").getAllKeys(modelArtifactKeys(id));
      assertPathFree(keys.map((k) => k[1]), path);
      // The store keeps its own copy: later changes to `data` do not reach it.
      await rw.objectStore("modelArtifacts").put({ modelId: id, path, size: data.length, blob: new Blob([data.slice()]) });
    },
    async listArtifacts(id, path): Promise<ArtifactInfo[]> {
      const rows = await tx.objectStore("modelArtifacts").getAll(modelArtifactKeys(id));
      return childrenOf(rows.map((r) => [r.path, r.size] as const), path);
    },
    async readArtifact(id, path) {
      const row = await tx.objectStore("modelArtifacts").get([id, path]);
      if (!row) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Logged model '${id}' has no artifact file '${path}'.`);
      // The last step of a call: the transaction may commit while the Blob is read.
      return new Uint8Array(await row.blob.arrayBuffer());
    },
  };
}

/**
 * Runs `body` on a catalog of the database's models, in one transaction (`readwrite` for
 * changes). `what` names the work in error messages.
 *
 * @example
 * ```ts
 * const model = await withModels(conn, "readonly", "reading a logged model", (c) => c.getLoggedModel(id));
 * ```
 */
export function withModels<T>(conn: Connection, mode: "readonly" | "readwrite", what: string, body: (catalog: ModelCatalog) => Promise<T>): Promise<T> {
  conn.assertOpen();
  return conn.tx([...MODEL_STORES], mode, what, async (tx) => {
    const [experiments, loggedModels, registry] = await Promise.all([
      tx.objectStore("experiments").getAllKeys(),
      tx.objectStore("models").getAll(),
      tx.objectStore("registry").get(REGISTRY_KEY),
    ]);
    const known = new Set(experiments);
    return body(new ModelCatalog(persistence(tx, conn.db.name), (id) => known.has(id), { loggedModels, registry: registry ?? [] }));
  });
}

/** Removes the logged models of experiment `experimentId` and their artifacts, through `tx` (a purge). */
export async function purgeModelsOf(tx: Tx<Names, "readwrite">, experimentId: string): Promise<void> {
  const models = await tx.objectStore("models").getAll();
  const gone = models.filter((m) => m.experimentId === experimentId);
  await Promise.all(gone.flatMap((m) => [tx.objectStore("models").delete(m.modelId), tx.objectStore("modelArtifacts").delete(modelArtifactKeys(m.modelId))]));
}
