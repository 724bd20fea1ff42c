/**
 * The Arrow-file store (Node only): `arrow:<dir>` URIs. The only folder that imports
 * `apache-arrow`.
 *
 * @module
 */
import { invalidParameter } from "../../errors.js";
import { openArrowStore, type ArrowStoreOptions } from "./arrow-store.js";

export { ArrowStore, openArrowStore } from "./arrow-store.js";
export type { ArrowStoreOptions } from "./arrow-store.js";

/**
 * Opens the store an `arrow:` URI names: `arrow:./runs`, `arrow:/abs/runs`, `arrow:///abs/runs`;
 * `?readOnly=true` opens without the writer lock; `?journalMinRuns=N` sets
 * {@link ArrowStoreOptions.journalMinRuns}.
 *
 * @example
 * ```ts
 * const store = await openArrowUri("arrow:./trackbook-runs");
 * ```
 */
export async function openArrowUri(uri: string, options: ArrowStoreOptions = {}) {
  const m = /^arrow:(?:\/\/)?([^?]*)(?:\?(.*))?$/i.exec(uri);
  const dir = m?.[1] ? decodeURIComponent(m[1]) : "";
  if (!dir) throw invalidParameter(`Invalid Arrow store URI '${uri}': expected arrow:<folder>, e.g. arrow:./trackbook-runs.`);
  const query = new URLSearchParams(m?.[2] ?? "");
  const readOnly = ["1", "true"].includes(query.get("readOnly") ?? "");
  const minRuns = query.get("journalMinRuns");
  if (minRuns !== null && !/^[1-9][0-9]*$/.test(minRuns)) throw invalidParameter(`Invalid Arrow store URI '${uri}': journalMinRuns must be a whole number ≥ 1.`);
  return openArrowStore(dir, { ...options, ...(readOnly ? { readOnly } : {}), ...(minRuns !== null ? { journalMinRuns: Number(minRuns) } : {}) });
}
