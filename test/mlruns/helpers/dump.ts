/**
 * A store's whole content as plain, comparable data: experiments, runs (info, params, tags,
 * every metric history bit for bit, artifact bytes). Used to check round trips and that a failed
 * import left a store exactly as it was.
 */
import { createHash } from "node:crypto";
import type { TrackingStore } from "../../../src/store/store.js";
import { searchAllRuns } from "../../../src/store/store.js";

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

export type DumpOptions = { artifactUris?: boolean; times?: boolean };

export async function dumpStore(store: TrackingStore, o: DumpOptions = {}): Promise<Record<string, unknown>> {
  const { experiments } = await store.searchExperiments({ viewType: "ALL", maxResults: 50000 });
  const out: Record<string, unknown> = {};
  for (const e of [...experiments].sort((a, b) => a.experimentId.localeCompare(b.experimentId))) {
    const runs = await searchAllRuns(store, { experimentIds: [e.experimentId], runViewType: "ALL" });
    const dumped: Record<string, unknown> = {};
    for (const r of [...runs].sort((a, b) => a.info.runId.localeCompare(b.info.runId))) {
      const history: Record<string, string[]> = {};
      for (const key of Object.keys(r.data.metrics).sort()) {
        const h = await store.getMetricHistory(r.info.runId, key);
        history[key] = [bits(h.steps), bits(h.values), bits(h.timestamps)];
      }
      const artifacts: Record<string, string> = {};
      const walk = async (p: string) => {
        for (const a of await store.listArtifacts(r.info.runId, p)) {
          if (a.isDir) await walk(a.path);
          else artifacts[a.path] = createHash("sha256").update(await store.readArtifact(r.info.runId, a.path)).digest("hex");
        }
      };
      await walk("");
      const { artifactUri, ...info } = r.info;
      dumped[r.info.runId] = { info: o.artifactUris ? r.info : info, params: r.data.params, tags: r.data.tags, history, artifacts };
      void artifactUri;
    }
    const { artifactLocation, creationTime, lastUpdateTime, ...exp } = e;
    out[e.experimentId] = { ...exp, ...(o.artifactUris ? { artifactLocation } : {}), ...(o.times ? { creationTime, lastUpdateTime } : {}), runs: dumped };
  }
  return out;
}
