/**
 * `trackbook import PATH`: brings an mlruns bundle (folder or zip, written by MLflow 1.x–3.x or by
 * `trackbook export`) into the store, all or nothing, and says what was skipped and why.
 *
 * @module
 */
import { importMlruns, type ConflictPolicy } from "../mlruns/index.js";
import { openTracker } from "../index.js";
import { progressDisplay } from "./export.js";

/** Options of the import command, as parsed from its flags. */
export type ImportCommand = { uri: string; source: string; onConflict: ConflictPolicy };

const POLICIES: readonly ConflictPolicy[] = ["skip", "replace", "new-ids"];

/** Checks the `--on-conflict` flag. */
export function conflictPolicy(v: string | undefined): ConflictPolicy {
  if (v === undefined) return "skip";
  if ((POLICIES as readonly string[]).includes(v)) return v as ConflictPolicy;
  throw new Error(`--on-conflict must be one of ${POLICIES.join(", ")}; got '${v}'.`);
}

/** Runs `trackbook import`; returns the summary line it printed. */
export async function importCommand(cmd: ImportCommand, print: (s: string) => void = console.log): Promise<string> {
  const tb = await openTracker(cmd.uri);
  const display = progressDisplay();
  try {
    const r = await importMlruns(tb, cmd.source, { onConflict: cmd.onConflict, onProgress: display.onProgress });
    display.stop();
    const i = r.imported;
    const line = `Imported ${i.runs} runs${i.replaced ? ` (${i.replaced} replaced)` : ""} and ${i.experiments} new experiments (${i.params} params, ${i.tags} tags, ${i.points} metric points, ${i.artifacts} artifacts) from ${r.source}.`;
    print(line);
    if (i.loggedModels + i.registeredModels + i.modelVersions > 0) {
      print(`Models: ${i.loggedModels} logged models (${i.loggedModelArtifacts} artifact files), ${i.registeredModels} new registered models, ${i.modelVersions} model versions.`);
    }
    const reasons = new Map<string, number>();
    for (const s of r.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    if (r.skipped.length > 0) print(`Skipped ${r.skipped.length} item(s):`);
    for (const [reason, count] of reasons) print(`  ${count} × ${reason}`);
    for (const note of r.notes) print(`Note: ${note}`);
    return line;
  } finally {
    display.stop();
    await tb.close();
  }
}
